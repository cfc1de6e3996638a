// Shared helpers of the kernel tests: a seeded PRNG, typed-array builders, the tolerance model
// (stated once, here) and a recorder of the largest error each test file observed.
import { afterEach, beforeAll } from 'vitest';
import { Kernels } from '../../src/kernels.js';
import type { DType, FloatArray, Tensor } from '../../src/runtime/arena.js';
import type { Build } from '../../src/runtime/load.js';

export const BUILDS: readonly Build[] = ['simd', 'scalar'];
export const DTYPES: readonly DType[] = ['float32', 'float64'];

/** Element counts that hit the SIMD main loops and every scalar tail (f32x4 / f64x2 / 4×8 / 4×4 tiles). */
export const SIZES: readonly number[] = [1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33];

/** mulberry32: a tiny, fast, seeded 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A typed array of dtype (values rounded to it on store). */
export function typed(dtype: DType, values: ArrayLike<number> | number): FloatArray {
  if (typeof values === 'number') return dtype === 'float32' ? new Float32Array(values) : new Float64Array(values);
  return dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values);
}

/**
 * n values uniform in [lo, hi), already rounded to dtype. Two 32-bit draws per value fill the whole
 * f64 mantissa: with one draw every value would be a multiple of 2^-31 and most f64 sums would be
 * exact, hiding accumulation-order differences.
 */
export function uniform(rng: () => number, n: number, dtype: DType, lo = -1, hi = 1): FloatArray {
  const out = typed(dtype, n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * (rng() + rng() * 2 ** -32);
  return out;
}

/** n random integers in [lo, hi] (exact in both dtypes). */
export function integers(rng: () => number, n: number, dtype: DType, lo: number, hi: number): FloatArray {
  const out = typed(dtype, n);
  for (let i = 0; i < n; i++) out[i] = lo + Math.floor((hi - lo + 1) * rng());
  return out;
}

// ---------------------------------------------------------------------------------------------
// Tolerances — every comparison against the TS twin in test/kernels uses one of these.
//
// u is the unit roundoff of the kernel's dtype (f32: 2^-24 ≈ 5.96e-8, f64: 2^-53 ≈ 1.11e-16).
//
// ACCUMULATIONS (gemm, sumRows/sumCols, dot, the f64-accumulated losses), length k:
//   |got − ref| ≤ accTol(dtype, k) · (Σ|terms| + |beta·c_old| + TINY)
//   accTol = ACC_C · u · √(k + 2)
// Σ|terms| is Σ_p |alpha·a_ip·b_pj| for gemm (computed by the same twin on |A|, |B|). The classical
// worst case for a recursively summed length-k dot product is γ_k ≈ k·u; the realistic
// (probabilistic, Higham & Mary 2019) bound is λ·√k·u with small λ. "+2" covers the roundings that
// do not depend on k (alpha·acc, beta·C, the final add, the twin's own f64 rounding). The worst
// ratio err / (u·√(k+2)·Σ|terms|) any sweep here produces is ≈ 1.2 (printed at the end of each
// file), so ACC_C = 4 leaves ~3× headroom while staying far below the γ_k worst case for large k:
//   f32: 4·u·√(k+2) = 2.4e-7·√(k+2)  → 4.1e-7 at k=1, 3.8e-6 at k=257, 2.7e-5 at k=12288
//   f64: 4·u·√(k+2) = 4.4e-16·√(k+2) → 7.7e-16 at k=1, 7.1e-15 at k=257, 4.9e-14 at k=12288
// For f32 the twin is evaluated in f64 (its output array is a Float64Array), so the reference is
// exact to ~1e-16 and the whole bound is the kernel's; for f64 it covers the kernel and the twin.
//
// ELEMENTWISE results (activations and their derivatives, softmax, probMinusTarget, bceGradient,
// axpy, scale): |got − ref| ≤ ELEM_TOL[dtype] · |ref| + TINY[dtype]
//   f32: 1e-6  (≈ 17 u: a few f32 roundings plus Mathf.exp/tanh's ≤ 1–2 ulp vs correctly rounded)
//   f64: 1e-14 (≈ 90 u: AssemblyScript's musl-derived Math.exp/tanh vs V8's fdlibm, each ≤ 1 ulp)
// softmax adds one term: exp(z − max) has the rounding of its argument z − max (exact in the twin,
// rounded to the dtype in the kernel) as relative error, so its bound is ELEM_TOL + u·|z − max|.
// TINY is the dtype's smallest normal number: an absolute floor that only matters for results
// that are exactly 0 or underflow.
// ---------------------------------------------------------------------------------------------

export const UNIT_ROUNDOFF: Record<DType, number> = { float32: 2 ** -24, float64: 2 ** -53 };
export const ACC_C = 4;
export const ELEM_TOL: Record<DType, number> = { float32: 1e-6, float64: 1e-14 };
export const TINY: Record<DType, number> = { float32: 2 ** -126, float64: 2 ** -1022 };

/** Relative tolerance of a length-k accumulation (see the comment above). */
export function accTol(dtype: DType, k: number): number {
  return ACC_C * UNIT_ROUNDOFF[dtype] * Math.sqrt(k + 2);
}

/** Largest observed errors per (kind, dtype), printed by `report()` in an afterAll. */
export class ErrorStats {
  #max = new Map<string, { value: number; where: string }>();

  /** Records value (an error ratio) under key, keeping the maximum. */
  record(key: string, value: number, where: string): void {
    const cur = this.#max.get(key);
    if (cur === undefined || value > cur.value) this.#max.set(key, { value, where });
  }

  report(title: string): void {
    const lines = [...this.#max.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, { value, where }]) => `  ${key.padEnd(44)} ${value.toExponential(3)}  (${where})`);
    console.log(`${title}\n${lines.join('\n')}`);
  }
}

/**
 * Elementwise comparison: returns the worst |got − ref| / (|ref| + TINY/ELEM_TOL) (i.e. the relative
 * error, with the absolute floor folded in) and throws a descriptive Error when the tolerance is exceeded.
 */
export function compareElementwise(
  got: ArrayLike<number>, ref: ArrayLike<number>, dtype: DType, what: string,
  tolAt: number | ((i: number) => number) = ELEM_TOL[dtype],
): number {
  if (got.length !== ref.length) throw new Error(`${what}: length ${got.length} ≠ ${ref.length}`);
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const tol = typeof tolAt === 'number' ? tolAt : tolAt(i);
    const g = got[i]!, r = ref[i]!;
    if (Object.is(g, r) || g === r) continue;
    const err = Math.abs(g - r);
    const bound = tol * Math.abs(r) + TINY[dtype];
    if (!(err <= bound)) throw new Error(`${what}: element ${i}: got ${g}, twin ${r}, |err| ${err} > ${bound}`);
    worst = Math.max(worst, err / (Math.abs(r) + TINY[dtype] / tol));
  }
  return worst;
}

/** Loads one Kernels instance per build. */
export async function loadBuilds(): Promise<Record<'simd' | 'scalar', Kernels>> {
  const [simd, scalar] = await Promise.all([Kernels.load({ build: 'simd' }), Kernels.load({ build: 'scalar' })]);
  return { simd, scalar };
}

/** For a test file: both builds, loaded before its tests, with every tensor freed after each test. */
export function useBuilds(): Record<Build, Kernels> {
  // Indexed by the BUILDS the tests loop over; only 'simd' and 'scalar' are loaded.
  const K = {} as Record<Build, Kernels>;
  beforeAll(async () => {
    Object.assign(K, await loadBuilds());
  });
  afterEach(() => {
    for (const b of BUILDS) K[b].disposeAll();
  });
  return K;
}

/** A copy of memory from `from` to the end, for checking that a kernel wrote nowhere unexpected. */
function snapshot(K: Kernels, from: number): Buffer {
  return Buffer.from(new Uint8Array(K.exports.memory.buffer, from).slice());
}

/**
 * Runs fn and fails when any byte at or above the lowest pointer of `tensors` changed outside the
 * `writable` tensors. (The kernels' static scratch lives below every heap block, so it is excluded.)
 */
export function expectWritesOnly(K: Kernels, tensors: Tensor[], writable: Tensor[], fn: () => void): void {
  const from = Math.min(...tensors.map((t) => t.ptr)) & ~15;
  const before = snapshot(K, from);
  fn();
  const after = snapshot(K, from);
  if (after.length !== before.length) throw new Error('memory grew during a kernel call');
  // Compare the gaps between the writable ranges with native Buffer.equals, then locate any difference.
  const ranges = writable.map((t) => [t.ptr - from, t.ptr - from + t.byteLength] as const).sort((x, y) => x[0] - y[0]);
  let start = 0;
  for (const [lo, hi] of [...ranges, [before.length, before.length] as const]) {
    if (lo > start && !before.subarray(start, lo).equals(after.subarray(start, lo))) {
      for (let i = start; i < lo; i++) {
        if (before[i] !== after[i]) throw new Error(`byte ${from + i} changed outside the output tensors (${before[i]} → ${after[i]})`);
      }
    }
    start = Math.max(start, hi);
  }
}
