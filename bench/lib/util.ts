// Small helpers shared by the benchmark entry points and sections: logging, number formatting,
// package versions, git state and atomic JSON writes.
import { spawnSync } from 'node:child_process';
import { readFile, rename, writeFile } from 'node:fs/promises';

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
