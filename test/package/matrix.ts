// The package as a new user gets it (`npm run test:package`, run by .ci/run): packs the commit, checks the
// packed file list against an allowlist, measures a fresh consumer's install, then installs the tarball
// into a fresh project outside the repo (test/package/consumer: its package.json + lockfile pin the
// bundlers) and builds and loads it with Vite (dev server and build), webpack 5, Rollup and esbuild
// (simdnet/inline) in headless Chromium, runs it in Node (import and require) and type-checks a TypeScript
// consumer with TypeScript 5.0 and the current release (skipLibCheck off). Prints the bundler × mode table.
//
//   node --import tsx test/package/matrix.ts [--worktree] [--keep]
//     --worktree  pack the working tree's files instead of HEAD (while developing)
//     --keep      keep the temporary directory
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { launchChromium, missingPrerequisite, ROOT, serveStatic } from '../browser/harness.js';
import { checkPackedFiles } from './files.js';

const args = new Set(process.argv.slice(2));
const work = mkdtempSync(join(tmpdir(), 'simdnet-package-'));
const log = (...m: unknown[]) => console.log('[package]', ...m);
const started = Date.now();

function sh(cmd: string, argv: string[], cwd: string, env: Record<string, string> = {}): string {
  return execFileSync(cmd, argv, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** sh() that also returns stderr and the exit code instead of throwing. */
function run(cmd: string, argv: string[], cwd: string, env: Record<string, string> = {}): { code: number; out: string } {
  try {
    const out = execFileSync(cmd, argv, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, out };
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    return { code: err.status ?? 1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

function bytesOf(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    total += s.isDirectory() ? bytesOf(p) : s.size;
  }
  return total;
}

function filesOf(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => relative(dir, join(d.parentPath, d.name)));
}

// 1. The tarball, from HEAD (a fresh clone in CI) or the working tree. The kernels' .wasm files come
//    from the repo's build/ (`npm test` built them from this same tree); dist/ is compiled afresh.
const src = join(work, 'src');
mkdirSync(src);
if (args.has('--worktree')) {
  const files = sh('git', ['ls-files', '-co', '--exclude-standard', '-z'], ROOT).split('\0').filter((f) => f !== '' && existsSync(join(ROOT, f)));
  for (const f of files) cpSync(join(ROOT, f), join(src, f), { recursive: true });
} else {
  execFileSync('sh', ['-c', `git archive HEAD | tar -x -C '${src}'`], { cwd: ROOT });
}
mkdirSync(join(src, 'build'));
for (const f of readdirSync(join(ROOT, 'build')).filter((f) => f.endsWith('.wasm'))) cpSync(join(ROOT, 'build', f), join(src, 'build', f));
symlinkSync(join(ROOT, 'node_modules'), join(src, 'node_modules'));
{
  // A working tree may hold other people's half-done files: there tsc's errors are reported, not fatal.
  const r = run('npm', ['run', 'build:ts'], src);
  if (r.code !== 0) {
    if (!args.has('--worktree')) throw new Error(`npm run build:ts failed in the packed tree:\n${r.out}`);
    log(`build:ts reported errors in the working tree (continuing):\n${r.out.slice(-1500)}`);
  }
  if (!existsSync(join(src, 'dist', 'inline-wasm.js'))) sh('node', ['bin/build-inline.js'], src);
}
const packJson = JSON.parse(sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], src)) as { filename: string; size: number; unpackedSize: number; files: { path: string }[] }[];
const tarball = join(work, packJson[0]!.filename);
log(`packed ${packJson[0]!.filename}: ${packJson[0]!.files.length} files, ${packJson[0]!.size} bytes (${packJson[0]!.unpackedSize} unpacked)`);

// 2. The packed file list and its contents.
const unpacked = join(work, 'unpacked');
mkdirSync(unpacked);
sh('tar', ['-xzf', tarball, '-C', unpacked], work);
const problems = checkPackedFiles(join(unpacked, 'package'));
for (const p of problems) console.error(`[package] packed file problem: ${p}`);

/** The package's binaries by content hash, to name what a page fetched. */
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const BINARIES = new Map(readdirSync(join(unpacked, 'package', 'build')).map((f) => [sha(readFileSync(join(unpacked, 'package', 'build', f))), f]));

// 3. A fresh consumer's install: `npm install <tarball>` and nothing else.
const sizeDir = join(work, 'size');
mkdirSync(sizeDir);
writeFileSync(join(sizeDir, 'package.json'), '{ "name": "size-check", "private": true }\n');
sh('npm', ['install', '--no-audit', '--no-fund', tarball], sizeDir);
const installBytes = Number(sh('du', ['-sb', 'node_modules'], sizeDir).split('\t')[0]);
const installDu = sh('du', ['-sh', 'node_modules'], sizeDir).split('\t')[0]!;
const installed = sh('npm', ['ls', '--all', '--parseable'], sizeDir).trim().split('\n').slice(1).map((p) => relative(join(sizeDir, 'node_modules'), p));
// Without the optional packages, the features that need them say which to install, in one line.
const optionalChecks: [string, string[], RegExp][] = [
  ['HDF5 without h5wasm', ['--input-type=module', '-e', "import('simdnet').then((m) => m.readHdf5Datasets(new Uint8Array([0x89, 0x48, 0x44, 0x46, 13, 10, 26, 10]), ['x'])).catch((e) => { console.error(e.message); process.exit(3); })"], /^simdnet: reading HDF5 files needs the optional package h5wasm, which is not installed: run `npm install h5wasm`$/m],
  ['simdnet train --data x.csv without csv-parse', [join('node_modules', 'simdnet', 'bin', 'simdnet.js'), 'train', '--data', 'x.csv', '--label', 'y'], /needs the optional package csv-parse, which is not installed: run `npm install csv-parse`$/m],
  ['simdnet train --plot p.png without @resvg/resvg-wasm', [join('node_modules', 'simdnet', 'bin', 'simdnet.js'), 'train', '--iterations', '10', '--plot', 'p.png'], /^simdnet: writing a PNG plot needs the optional package @resvg\/resvg-wasm, which is not installed: run `npm install @resvg\/resvg-wasm`$/m],
];
writeFileSync(join(sizeDir, 'x.csv'), 'a,b,y\n0,0,0\n1,1,1\n');
const optionalProblems: string[] = [];
for (const [what, argv, expected] of optionalChecks) {
  const r = run(process.execPath, argv, sizeDir);
  if (r.code === 0 || !expected.test(r.out)) optionalProblems.push(`${what}: exit ${r.code}, ${r.out.trim().slice(0, 500)}`);
  else log(`${what}: ${r.out.trim().split('\n').find((l) => expected.test(l))}`);
}
for (const p of optionalProblems) console.error(`[package] optional dependency message: ${p}`);
problems.push(...optionalProblems);
log(`fresh consumer: du -sh node_modules = ${installDu} (${installBytes} bytes apparent); packages: ${installed.join(', ')}`);

// 4. The bundler project, with its pinned lockfile, plus the tarball.
const consumer = join(work, 'consumer');
cpSync(join(ROOT, 'test', 'package', 'consumer'), consumer, { recursive: true });
sh('npm', ['ci', '--no-audit', '--no-fund'], consumer);
sh('npm', ['install', '--no-save', '--no-audit', '--no-fund', tarball], consumer);
const bin = (name: string) => join(consumer, 'node_modules', '.bin', name);

interface Row { bundler: string; mode: string; works: boolean; fetched: string; accuracy: string; bytes: string; note: string }
const rows: Row[] = [];
const out = join(work, 'out');

function page(outDir: string, script: string): void {
  writeFileSync(join(outDir, 'index.html'),
    `<!doctype html><html><head><meta charset="utf-8"></head><body><script type="module" src="./${script}"></script></body></html>\n`);
}

/** A bundler's output and its pages: [mode, path] (worker.html: the fitInWorker page). */
interface Build { bundler: string; pages: [string, string][]; outDir: string; code: number; log: string }
const builds: Build[] = [];
function build(bundler: string, mode: string | [string, string][], outDir: string, cmd: string, argv: string[], env: Record<string, string> = {}, html?: string): void {
  mkdirSync(outDir, { recursive: true });
  const r = run(cmd, argv, consumer, env);
  if (r.code === 0 && html !== undefined) page(outDir, html);
  builds.push({ bundler, pages: typeof mode === 'string' ? [[mode, '']] : mode, outDir, code: r.code, log: r.out });
}

build('Vite 8', [['build', ''], ['build, simdnet/worker', 'worker.html']], join(out, 'vite'), bin('vite'), ['build', '--outDir', join(out, 'vite')]);
build('webpack 5', 'build (production)', join(out, 'webpack'), process.execPath, ['webpack.build.js', join(out, 'webpack')], {}, 'main.js');
build('webpack 5', 'build, simdnet/worker', join(out, 'webpack-worker'), process.execPath, ['webpack.build.js', join(out, 'webpack-worker'), './src/app-worker.js'], {}, 'main.js');
build('Rollup 4', 'build (node-resolve + import-meta-assets)', join(out, 'rollup'), bin('rollup'), ['-c', 'rollup.config.js'], { OUT: join(out, 'rollup') }, 'main.js');
build('esbuild', 'bundle, simdnet/inline', join(out, 'esbuild'), bin('esbuild'),
  ['src/app-inline.js', '--bundle', '--format=esm', '--platform=browser', '--target=es2022', `--outfile=${join(out, 'esbuild', 'main.js')}`], {}, 'main.js');

async function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

/** Starts `vite` (dev server) and resolves once it answers. */
async function viteDev(): Promise<{ url: string; proc: ChildProcess; output: () => string }> {
  const port = await freePort();
  const proc = spawn(bin('vite'), ['--port', String(port), '--strictPort', '--host', '127.0.0.1'], { cwd: consumer, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  proc.stdout!.on('data', (d) => { text += d; });
  proc.stderr!.on('data', (d) => { text += d; });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).ok) return { url, proc, output: () => text };
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill();
  throw new Error(`vite dev server did not start: ${text}`);
}

/** Loads a page in Chromium and waits for window.__result; notes the .wasm files fetched and the bytes transferred. */
async function visit(context: Awaited<ReturnType<typeof launchChromium>>['context'], url: string) {
  const p = await context.newPage();
  const wasm: string[] = [];
  const failed: string[] = [];
  const errors: string[] = [];
  const bodies: Promise<number>[] = [];
  p.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) failed.push(`${r.status()} ${r.url()}`);
    // A body that never completes (a worker's request, a cancelled one) counts as empty after 5 s.
    const body = Promise.race([r.body(), new Promise<Buffer>((ok) => setTimeout(() => ok(Buffer.alloc(0)), 5000).unref())]).catch(() => Buffer.alloc(0));
    bodies.push(body.then((b) => b.length));
    // Which binary it is, by its bytes (webpack renames the files to hashes).
    if (/\.wasm(\?|$)/.test(r.url())) {
      const name = r.url().split('/').pop()!.split('?')[0]!;
      wasm.push(name);
      void body.then((b) => { wasmNames.push(BINARIES.get(sha(b)) ?? `${name} (${r.status()})`); });
    }
  });
  const wasmNames: string[] = [];
  p.on('pageerror', (e) => errors.push(e.message));
  // A failed fetch is counted by its URL above (the browser's own /favicon.ico request is not the page's).
  p.on('console', (m) => { if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) errors.push(m.text()); });
  let result: Record<string, unknown>;
  try {
    await p.goto(url, { timeout: 120_000 });
    await p.waitForFunction(() => (window as unknown as { __result?: unknown }).__result !== undefined, null, { timeout: 120_000 });
    result = await p.evaluate(() => (window as unknown as { __result: Record<string, unknown> }).__result);
  } catch (e) {
    result = { error: `the page gave no result: ${(e as Error).message.split('\n')[0]}` };
  }
  const fetchedBytes = (await Promise.all(bodies)).reduce((a, b) => a + b, 0);
  await p.close();
  return { result, wasm: wasmNames.length === wasm.length ? wasmNames : wasm, failed, errors, fetchedBytes };
}

function judge(bundler: string, mode: string, v: Awaited<ReturnType<typeof visit>>, bytes: string, buildLog = ''): void {
  const r = v.result as { xor?: number; planar?: number; build?: string; error?: string };
  const nodeWarnings = buildLog.split('\n').filter((l) => /node:|externalized/.test(l));
  const ok = r.error === undefined && r.xor === 1 && (r.planar ?? 0) >= 0.85 && v.failed.length === 0 && v.errors.length === 0 && nodeWarnings.length === 0;
  const fetched = v.wasm.length === 0 ? 'none (embedded)' : v.wasm.join(', ');
  rows.push({
    bundler, mode, works: ok, fetched: `${fetched}${r.build ? ` → ${r.build}` : ''}`,
    accuracy: r.error ? '—' : `XOR ${((r.xor ?? 0) * 100).toFixed(0)} %, planar ${((r.planar ?? 0) * 100).toFixed(2)} %`,
    bytes: `${bytes}; page fetched ${(v.fetchedBytes / 1024).toFixed(0)} KB`, note: [r.error, ...v.failed, ...v.errors, ...nodeWarnings].filter(Boolean).join('; '),
  });
}

const missing = missingPrerequisite();
if (missing !== null && !/dist\/ not built|build\/\*\.wasm/.test(missing)) throw new Error(`bundler matrix: ${missing}`);
const browser = await launchChromium();
try {
  // Vite dev server: simdnet pre-bundled into node_modules/.vite/deps, as `npm create vite` users run it first.
  const dev = await viteDev();
  try {
    judge('Vite 8', 'dev server', await visit(browser.context, dev.url), '— (dev)', dev.output());
    judge('Vite 8', 'dev server, simdnet/worker', await visit(browser.context, `${dev.url}worker.html`), '— (dev)', dev.output());
  } finally {
    dev.proc.kill();
  }
  for (const b of builds) {
    if (b.code !== 0) {
      for (const [mode] of b.pages) rows.push({ bundler: b.bundler, mode, works: false, fetched: '—', accuracy: '—', bytes: '—', note: `build failed: ${b.log.slice(-2000)}` });
      continue;
    }
    const files = filesOf(b.outDir);
    const wasmFiles = files.filter((f) => f.endsWith('.wasm'));
    const server = await serveStatic(b.outDir);
    try {
      const total = bytesOf(b.outDir);
      for (const [mode, path] of b.pages) {
        judge(b.bundler, mode, await visit(browser.context, server.url + path), `${(total / 1024).toFixed(0)} KB (${files.length} files, ${wasmFiles.length} .wasm)`, b.log);
      }
    } finally {
      await server.close();
    }
  }
} finally {
  await browser.close();
}

// Node: import and require, through the package's Node entry.
for (const [mode, file] of [['ESM import', 'src/node-esm.mjs'], ['CommonJS require', 'src/node-require.cjs'], ['simdnet/worker (worker_threads)', 'src/node-worker.mjs']] as const) {
  const r = run(process.execPath, [file], consumer);
  let parsed: { xor?: number; planar?: number; build?: string } = {};
  try { parsed = JSON.parse(r.out.trim().split('\n').pop() ?? '{}'); } catch { /* reported below */ }
  const ok = r.code === 0 && parsed.xor === 1 && (parsed.planar ?? 0) >= 0.85 && !/Warning/.test(r.out);
  rows.push({
    bundler: `Node ${process.version}`, mode, works: ok, fetched: `file (disk) → ${parsed.build ?? '?'}`,
    accuracy: parsed.planar === undefined ? '—' : `XOR ${(parsed.xor! * 100).toFixed(0)} %, planar ${(parsed.planar * 100).toFixed(2)} %`,
    bytes: '—', note: ok ? '' : r.out.slice(-1500),
  });
}

// TypeScript consumers, skipLibCheck off.
for (const [name, tsc] of [['TypeScript 5.0.4', join(consumer, 'node_modules', 'typescript50', 'bin', 'tsc')], ['TypeScript (current)', bin('tsc')]] as const) {
  const version = run(tsc, ['--version'], consumer).out.trim();
  const r = run(tsc, ['-p', 'tsconfig.json'], consumer);
  rows.push({ bundler: name === 'TypeScript 5.0.4' ? name : version.replace('Version', 'TypeScript'), mode: 'tsc --noEmit, skipLibCheck off', works: r.code === 0, fetched: '—', accuracy: '—', bytes: '—', note: r.out.trim().slice(0, 3000) });
}

console.log('\n| bundler | mode | works | build fetched | page accuracy | bytes shipped |\n| --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.bundler} | ${r.mode} | ${r.works ? 'yes' : '**no**'} | ${r.fetched} | ${r.accuracy} | ${r.bytes} |`);
console.log(`\nfresh consumer install (npm install simdnet-*.tgz): du -sh node_modules = ${installDu}; ${installed.length} packages`);
console.log(`packed: ${packJson[0]!.files.length} files, ${packJson[0]!.size} bytes; checked against the allowlist in test/package/files.ts`);
for (const r of rows.filter((r) => !r.works)) console.error(`\n[package] FAILED ${r.bundler} / ${r.mode}:\n${r.note}`);
const failures = rows.filter((r) => !r.works).length + problems.length + (installBytes > 3 * 1024 * 1024 ? 1 : 0);
if (installBytes > 3 * 1024 * 1024) console.error(`[package] the install is ${installBytes} bytes, over 3 MB`);
console.log(`\n${((Date.now() - started) / 1000).toFixed(0)} s in all`);
console.log(`package: ${rows.length + 2 - Math.min(failures, rows.length + 2)} passed, ${failures} failed`);
if (!args.has('--keep')) rmSync(work, { recursive: true, force: true });
else log(`kept ${work}`);
process.exitCode = failures === 0 ? 0 : 1;
