// The whole benchmark in one process: the GEMM section (bench/sections/gemm.ts) then the peers section
// (bench/sections/peers.ts), each in alternating rounds, one markdown table per section on stdout
// (progress on stderr), raw results as JSON in bench/results/.
//
// Flags: --quick (smoke run: fewer, shorter rounds; slow contenders skipped earlier),
//        --no-numpy (do not spawn python3 for the numpy reference rows),
//        --only=gemm | --only=peers (one section).
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import { ceilingSink } from './lib/ceiling.js';
import type { SectionContext, SectionReport } from './lib/section.js';
import { gitHead, log, pkgVersion, sink, writeJson } from './lib/util.js';
import { buildSnapshots, disposeAllKernels, THREADS } from './peers/simdnet.js';
import { initTfjs, tfjsInfo } from './peers/tfjs.js';
import { runGemmSection } from './sections/gemm.js';
import { runPeersSection } from './sections/peers.js';

export type SectionName = 'gemm' | 'peers';

const SECTIONS: Record<SectionName, (ctx: SectionContext) => Promise<SectionReport>> = {
  gemm: runGemmSection,
  peers: runPeersSection,
};

/** A 1-minute load average above this fraction of the logical cores gets a warning in the header. */
const BUSY_LOAD = 0.5;

function parseArgs(argv: string[], defaults: SectionName[]): { quick: boolean; numpy: boolean; sections: SectionName[] } {
  let sections = defaults;
  let quick = false;
  let numpy = process.env.PEERS_NUMPY !== '0';
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg === '--no-numpy') numpy = false;
    else if (arg.startsWith('--only=')) {
      const name = arg.slice('--only='.length);
      if (name !== 'gemm' && name !== 'peers') throw new Error(`--only: expected gemm or peers, got '${name}'`);
      sections = [name];
    } else throw new Error(`unknown argument '${arg}' (expected --quick, --no-numpy, --only=gemm|peers)`);
  }
  return { quick, numpy, sections };
}

export async function runBench(argv: string[], defaults: SectionName[] = ['gemm', 'peers']): Promise<void> {
  const args = parseArgs(argv, defaults);
  const started = performance.now();
  const date = new Date();
  const loadAtStart = os.loadavg();
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown';
  const resultsDir = new URL('./results/', import.meta.url);
  await mkdir(resultsDir, { recursive: true });

  try {
    const snaps = await buildSnapshots();
    await initTfjs();
    const tfInfo = await tfjsInfo();
    gitHead(); // before any section, so the header says which code ran

    const ctx: SectionContext = { quick: args.quick, numpy: args.numpy, resultsDir };
    const reports: { name: SectionName; report: SectionReport }[] = [];
    for (const name of args.sections) reports.push({ name, report: await SECTIONS[name](ctx) });

    const wallSeconds = (performance.now() - started) / 1000;
    const loadAtEnd = os.loadavg();
    const busy = loadAtStart[0]! > BUSY_LOAD * os.cpus().length;
    const variants = ['simd', 'relaxed', 'scalar', 'threads', 'threads-relaxed'] as const;
    const buildLine = variants.map((v) => {
      const b = snaps.builds[v];
      return b ? `${v} ${b.sha256.slice(0, 12)} (${b.size} B, built ${b.mtime})` : `${v} ${snaps.unavailable[v]}`;
    }).join(', ');
    const versions = {
      tinybench: await pkgVersion('tinybench'), brainjs: await pkgVersion('brain.js'), tfjs: tfInfo,
    };
    const out = [
      `# simdnet benchmark${args.quick ? ' (--quick: fewer, shorter rounds — indicative only)' : ''}`,
      '',
      `- node: ${process.version} (V8 ${process.versions.v8}), tinybench ${versions.tinybench}; tfjs-core ${tfInfo.version} (wasm backend: ${tfInfo.wasmThreads} thread, SIMD ${tfInfo.wasmSimd ? 'on' : 'off'}), brain.js ${versions.brainjs}`,
      `- CPU: ${cpu} (${os.cpus().length} logical cores); every contender on one thread except simdnet threads and relaxed threads (${THREADS})`,
      `- date: ${date.toISOString()}; git ${gitHead()}`,
      `- load average (1/5/15 min) at start: ${loadAtStart.map((x) => x.toFixed(2)).join(' / ')}; at end: ${loadAtEnd.map((x) => x.toFixed(2)).join(' / ')}${busy ? ' — WARNING: the machine was busy; timings are noisy (rounds alternate, so the ratios suffer less than the absolute times)' : ''}`,
      `- simdnet binaries (read once at start): ${buildLine}`,
      '',
    ];
    for (const { report } of reports) {
      out.push(`## ${report.title}`, '', ...report.notes.map((n) => `- ${n}`), ...report.warnings.map((w) => `- WARNING: ${w}`), '', report.table, '');
    }
    out.push(`total wall time: ${wallSeconds.toFixed(1)} s`);
    process.stdout.write(`${out.join('\n')}\n`);

    const json = {
      meta: {
        date: date.toISOString(), node: process.version, v8: process.versions.v8, ...versions, cpu, logicalCores: os.cpus().length,
        platform: `${os.platform()} ${os.arch()} ${os.release()}`, wallSeconds, loadAverage: { start: loadAtStart, end: loadAtEnd },
        quick: args.quick, sections: args.sections, git: gitHead(), threads: THREADS,
        simdnetBuilds: Object.values(snaps.builds).map(({ build, size, sha256, mtime }) => ({ build, bytes: size, sha256, mtime })),
        unavailable: snaps.unavailable,
      },
      ...Object.fromEntries(reports.map(({ name, report }) => [name, { notes: report.notes, warnings: report.warnings, ...(report.json as object) }])),
      sink: sink.value + ceilingSink.value,
    };
    // The whole run: bench-*.json; one section alone: bench-<section>-*.json (never overwrites the whole run's latest).
    const prefix = args.sections.length === Object.keys(SECTIONS).length ? 'bench' : `bench-${args.sections.join('-')}`;
    const stamp = date.toISOString().replace(/[:.]/g, '-');
    await writeJson(new URL(`${prefix}-${stamp}.json`, resultsDir), json);
    await writeJson(new URL(`${prefix}-latest.json`, resultsDir), json);
    log(`wrote bench/results/${prefix}-${stamp}.json and bench/results/${prefix}-latest.json`);
  } catch (e) {
    // Reported here: tfjs-backend-wasm's Emscripten glue rethrows uncaught errors with its whole source.
    process.stderr.write(`\nbench aborted: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  } finally {
    // The threads variant's workers would keep the process alive.
    await disposeAllKernels();
  }
}
