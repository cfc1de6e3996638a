// Runs the CLI as a child process: `node --import tsx src/cli.ts ...`, so the tests need no dist/ build
// (the kernels' .wasm files come from `npm run asbuild`, which `npm test` runs first).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'src', 'cli.ts');
const TSX = createRequire(import.meta.url).resolve('tsx');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `simdnet ...args` in `cwd`; never rejects. */
export function runCli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', TSX, CLI, ...args], {
      cwd, env: { ...process.env, SIMDNET_DEBUG: '', ...env }, maxBuffer: 64 << 20, timeout: 240_000,
    }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `simdnet-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Deterministic 2-D blobs: `perClass` points around each centre, labelled by `names`. */
export function blobsCsv(centres: [number, number][], names: string[], perClass: number, seed = 1, withLabel = true): string {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const gauss = (): number => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const lines = [withLabel ? 'x1,x2,species' : 'x1,x2'];
  for (let i = 0; i < perClass; i++) {
    centres.forEach(([cx, cy], c) => {
      const x = (cx + 0.5 * gauss()).toFixed(4);
      const y = (cy + 0.5 * gauss()).toFixed(4);
      lines.push(withLabel ? `${x},${y},${names[c]}` : `${x},${y}`);
    });
  }
  return `${lines.join('\n')}\n`;
}
