// Shared helpers of the thread tests.
import { readFileSync } from 'node:fs';
import type { FloatArray, Tensor } from '../../src/runtime/arena.js';

/** The seeded test-data PRNG shared by all test folders. */
export { mulberry32 } from '../kernels/helpers.js';

/** n values in [-1, 1) with a full f64 mantissa (two draws each), so sums are not exact by accident. */
export function values(rng: () => number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = 2 * (rng() + rng() * 2 ** -32) - 1;
  return out;
}

/** The raw bytes of a tensor or typed array (for byte-for-byte comparisons). */
export function bytesOf(x: Tensor | FloatArray): Uint8Array {
  const data = ArrayBuffer.isView(x) ? x : x.data;
  return new Uint8Array(data.slice().buffer);
}

/** Index of the first differing byte, or -1 (vitest's toEqual on large arrays is slow and says little). */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** A bundled binary. */
export function wasmBytes(build: 'simd' | 'scalar' | 'relaxed' | 'threads' | 'threads.relaxed'): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(new URL(`../../build/simdnet.${build}.wasm`, import.meta.url)));
}

/** Threads of this process, from /proc (Linux), or null elsewhere. */
export function osThreads(): number | null {
  try {
    const m = /^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
