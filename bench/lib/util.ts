// Small helpers shared by the benchmark entry points and sections: logging, number formatting,
// package versions, git state and atomic JSON writes.
import { spawnSync, type SpawnSyncOptions, type SpawnSyncReturns } from 'node:child_process';
import { readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';

/** Progress goes to stderr; stdout carries only the report. */
export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

export function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

export function isPromise(x: unknown): x is Promise<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';
}

/** Milliseconds with a unit: "412 ms", "4.84 ms", "33.4 µs", "0.173 µs". */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  if (ms >= 0.01) return `${(ms * 1000).toFixed(1)} µs`;
  return `${(ms * 1000).toFixed(3)} µs`;
}

/** 3 significant digits, no exponent. */
export function fmt3(x: number): string {
  if (!Number.isFinite(x)) return '—';
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  if (x >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

/** A speed ratio: "1.00×", "12.1×", "96×". */
export function fmtRatio(r: number | undefined): string {
  if (r === undefined || !Number.isFinite(r)) return '—';
  return r >= 100 ? `${r.toFixed(0)}×` : r >= 10 ? `${r.toFixed(1)}×` : `${r.toFixed(2)}×`;
}

export async function pkgVersion(name: string): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

/** Writes via a .tmp file (ignored by git) and a rename, so a crashed run never leaves half a JSON. */
export async function writeJson(url: URL, value: unknown): Promise<void> {
  const tmp = new URL(`${url.href}.tmp`);
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
  await rename(tmp, url);
}

let gitHeadCache: string | undefined;

/** HEAD commit and whether tracked files have changes (read-only; GIT_OPTIONAL_LOCKS=0 takes no index lock). */
export function gitHead(): string {
  if (gitHeadCache !== undefined) return gitHeadCache;
  const env = { ...process.env, GIT_OPTIONAL_LOCKS: '0' };
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', env });
  if (head.status !== 0) return (gitHeadCache = 'unknown');
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', env });
  gitHeadCache = `${head.stdout.trim()}${dirty.status === 0 && dirty.stdout.trim() !== '' ? ' + uncommitted changes' : ''}`;
  return gitHeadCache;
}

/** True when `python3 -c "import numpy"` succeeds (cached). */
let numpyCache: boolean | undefined;
export function haveNumpy(): boolean {
  numpyCache ??= spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore', timeout: 30_000 }).status === 0;
  return numpyCache;
}

/** Environment for numpy subprocesses: one BLAS thread. */
export function oneThreadEnv(): NodeJS.ProcessEnv {
  return { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
}

/** Keeps results observably used (so no engine can drop the timed work). */
export const sink = { value: 0 };

/** Deterministic uniform values in [-1, 1), exactly representable in f32 (xorshift32), so every dtype and contender sees the same inputs. */
export function uniformF32(length: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** CPU time (ms, user + system) this process has used so far, all of its threads together. */
export function processCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Waits until this process's own background threads (GC, wasm tier-up compilation, workers) are idle:
 * sleeps in 100 ms slices until a slice costs < 3 ms of process CPU, at most maxMs. Returns the CPU
 * share of the last slice (0..1) and the time waited, for the report.
 */
export async function quiesce(maxMs = 5000): Promise<{ share: number; waitedMs: number }> {
  const start = performance.now();
  let share = 1;
  while (performance.now() - start < maxMs) {
    const c0 = processCpuMs(), t0 = performance.now();
    await new Promise((r) => setTimeout(r, 100));
    share = (processCpuMs() - c0) / (performance.now() - t0);
    if (share < 0.03) break;
  }
  return { share, waitedMs: performance.now() - start };
}

/**
 * Runs a reference subprocess synchronously (the event loop blocked, so nothing of ours runs on this
 * thread) after quiesce(), and measures what our other threads used meanwhile: that CPU time competed
 * with the reference on the shared cores. Returns spawnSync's result plus that note.
 */
export async function spawnReference(cmd: string, args: string[], options: SpawnSyncOptions): Promise<{ result: SpawnSyncReturns<Buffer>; note: string }> {
  const q = await quiesce();
  const c0 = processCpuMs(), t0 = performance.now();
  const result = spawnSync(cmd, args, options) as SpawnSyncReturns<Buffer>;
  const busyMs = processCpuMs() - c0, wallMs = performance.now() - t0;
  const note = `this process used ${busyMs.toFixed(0)} ms CPU during the ${(wallMs / 1000).toFixed(1)} s reference run ` +
    `(waited ${q.waitedMs.toFixed(0)} ms for its own threads to idle, last 100 ms at ${(q.share * 100).toFixed(1)} % CPU); load average ${os.loadavg()[0]!.toFixed(2)}`;
  log(`  ${note}`);
  return { result, note };
}
