// Algebraic properties of the WASM kernels, checked with fast-check on random shapes and values, in both
// builds and both dtypes, against the plain-TS twin (src/reference) with the tolerance model of
// test/kernels/helpers.ts (accTol: 4·u·√(k + 2) relative to Σ|terms|). Where the property holds exactly in
// floating point (products of the same pair in the same order, scaling by a power of two) it is asserted bit for bit.
//   (A·B)ᵀ = Bᵀ·Aᵀ through the gemm flags (NN against TT, NT against NT swapped);
//   linearity: gemm(α·A) = α·gemm(A) = gemm with alpha α; beta·C is added;
//   sum_rows(A) = A·1 and sum_cols(A) = 1ᵀ·A;
//   dot(x, y) = dot(y, x).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kernels } from '../../src/kernels.js';
import type { DType, FloatArray, Tensor } from '../../src/runtime/arena.js';
import { gemm as twinGemm } from '../../src/reference/index.js';
import { BUILDS, DTYPES, TINY, accTol, loadBuilds, mulberry32, uniform } from '../kernels/helpers.js';

const RUNS = 120;
/** Sizes that hit tiles, tails, the dot-product path (< 16 rows) and k blocks (KC = 128). */
const dim = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 20 }) }, { weight: 1, arbitrary: fc.integer({ min: 47, max: 60 }) });
const depth = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 40 }) }, { weight: 1, arbitrary: fc.integer({ min: 250, max: 270 }) });

let K: Record<string, Kernels>;
const bitwise = new Map<string, { same: number; total: number }>();
const note = (key: string, same: boolean) => {
  const s = bitwise.get(key) ?? { same: 0, total: 0 };
  s.same += same ? 1 : 0;
  s.total++;
  bitwise.set(key, s);
};

beforeAll(async () => {
  K = await loadBuilds();
});
afterAll(() => {
  console.log(`kernel properties, bit-identical pairs:\n${[...bitwise].sort().map(([k, s]) => `  ${k.padEnd(44)} ${s.same}/${s.total}`).join('\n')}`);
});

/** Exact-ish product by the twin in f64 (and of the magnitudes, for the bound). */
function twin(tA: boolean, tB: boolean, m: number, n: number, k: number, a: FloatArray, lda: number, b: FloatArray, ldb: number) {
  const ref = new Float64Array(m * n);
  const mag = new Float64Array(m * n);
  twinGemm(tA, tB, m, n, k, 1, Float64Array.from(a), lda, Float64Array.from(b), ldb, 0, ref, n);
  twinGemm(tA, tB, m, n, k, 1, Float64Array.from(a, Math.abs), lda, Float64Array.from(b, Math.abs), ldb, 0, mag, n);
  return { ref, mag };
}

function withTensors<T>(k: Kernels, make: () => Tensor[], fn: (t: Tensor[]) => T): T {
  const ts = make();
  try {
    return fn(ts);
  } finally {
    for (const t of ts) t.dispose();
  }
}

/** |x − y| ≤ factor·accTol(dtype, k)·(mag + TINY), element by element. */
function within(x: ArrayLike<number>, y: ArrayLike<number>, mag: ArrayLike<number>, dtype: DType, k: number, factor: number, what: string): void {
  const tol = factor * accTol(dtype, k);
  for (let q = 0; q < x.length; q++) {
    const err = Math.abs(x[q]! - y[q]!);
    if (!(err <= tol * (mag[q]! + TINY[dtype]))) throw new Error(`${what}: element ${q}: ${x[q]} vs ${y[q]} (|err| ${err}, bound ${tol * mag[q]!})`);
  }
}

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));

describe.each(BUILDS.flatMap((build) => DTYPES.map((dtype) => [build, dtype] as const)))('kernel properties (%s build, %s)', (build, dtype) => {
  it('(A·B)ᵀ = Bᵀ·Aᵀ: gemm NN against TT, and NT against NT with the operands swapped; each within the bound of the twin', () => {
    fc.assert(fc.property(dim, dim, depth, fc.nat(), (m, n, k, seed) => {
      const kern = K[build]!;
      const r = mulberry32(seed);
      const a = uniform(r, m * k, dtype), b = uniform(r, k * n, dtype), bt = uniform(r, n * k, dtype);
      withTensors(kern, () => [kern.tensor(m, k, dtype, a), kern.tensor(k, n, dtype, b), kern.tensor(n, k, dtype, bt),
        kern.tensor(m, n, dtype), kern.tensor(n, m, dtype), kern.tensor(m, n, dtype), kern.tensor(n, m, dtype)], ([A, B, Bt, C1, C2, C3, C4]) => {
        // NN: A·B (m×n); TT: Bᵀ·Aᵀ with B, A as stored (n×m).
        kern.gemm(false, false, 1, A!, B!, 0, C1!);
        kern.gemm(true, true, 1, B!, A!, 0, C2!);
        const { ref, mag } = twin(false, false, m, n, k, a, k, b, n);
        within(C1!.data, ref, mag, dtype, k, 1, 'NN vs twin');
        const c2t = new Float64Array(m * n);
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) c2t[i * n + j] = C2!.data[j * m + i]!;
        within(c2t, ref, mag, dtype, k, 1, 'TT vs twin');
        within(c2t, C1!.data, mag, dtype, k, 2, '(A·B)ᵀ vs Bᵀ·Aᵀ');
        note(`${build} ${dtype} NN vs TT (tile both)`, sameBits(c2t, C1!.data));
        // NT: A·Btᵀ (m×n) against Bt·Aᵀ (n×m).
        kern.gemm(false, true, 1, A!, Bt!, 0, C3!);
        kern.gemm(false, true, 1, Bt!, A!, 0, C4!);
        const nt = twin(false, true, m, n, k, a, k, bt, k);
        within(C3!.data, nt.ref, nt.mag, dtype, k, 1, 'NT vs twin');
        const c4t = new Float64Array(m * n);
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) c4t[i * n + j] = C4!.data[j * m + i]!;
        within(c4t, C3!.data, nt.mag, dtype, k, 2, '(A·Bᵀ)ᵀ vs B·Aᵀ');
        note(`${build} ${dtype} NT vs NT swapped`, sameBits(c4t, C3!.data));
      });
    }), { numRuns: RUNS, seed: 71 });
  });

  it('linearity: gemm(α·A) = α·gemm(A) = gemm with alpha α (bit for bit when α is a power of two), plus beta·C', () => {
    fc.assert(fc.property(dim, dim, depth, fc.nat(), fc.integer({ min: -6, max: 6 }), fc.double({ min: -3, max: 3, noNaN: true }), fc.boolean(), fc.boolean(),
      (m, n, k, seed, e, alpha, tA, tB) => {
        const kern = K[build]!;
        const r = mulberry32(seed);
        const a = uniform(r, m * k, dtype), b = uniform(r, k * n, dtype), c0 = uniform(r, m * n, dtype);
        const p2 = 2 ** e;
        const [ar, ac] = tA ? [k, m] : [m, k];
        const [br, bc] = tB ? [n, k] : [k, n];
        withTensors(kern, () => [kern.tensor(ar, ac, dtype, a), kern.tensor(ar, ac, dtype, Array.from(a, (v) => v * p2)), kern.tensor(br, bc, dtype, b),
          kern.tensor(m, n, dtype), kern.tensor(m, n, dtype), kern.tensor(m, n, dtype), kern.tensor(m, n, dtype, c0)], ([A, A2, B, C, Cs, Ca, Cb]) => {
          kern.gemm(tA, tB, 1, A!, B!, 0, C!);
          kern.gemm(tA, tB, 1, A2!, B!, 0, Cs!);
          const scaled = Array.from(C!.data, (v) => v * p2);
          // Scaling by 2^e is exact, and the kernel sums the same products in the same order.
          expect(sameBits(Cs!.data, dtype === 'float32' ? Float32Array.from(scaled) : scaled)).toBe(true);
          kern.gemm(tA, tB, p2, A!, B!, 0, Ca!);
          expect(sameBits(Ca!.data, Cs!.data)).toBe(true);
          // A general α: within the accumulation bound (α·acc is one more rounding, covered by the +2 of accTol).
          kern.gemm(tA, tB, alpha, A!, B!, 1.5, Cb!);
          const { ref, mag } = twin(tA, tB, m, n, k, a, ac, b, bc);
          const want = Float64Array.from(ref, (v, q) => alpha * v + 1.5 * c0[q]!);
          const bound = Float64Array.from(mag, (v, q) => Math.abs(alpha) * v + 1.5 * Math.abs(c0[q]!));
          within(Cb!.data, want, bound, dtype, k, 1, `alpha ${alpha}, beta 1.5`);
          const lin = Float64Array.from(C!.data, (v, q) => alpha * v + 1.5 * c0[q]!);
          within(Cb!.data, lin, bound, dtype, k, 2, 'gemm(α) vs α·gemm');
        });
      }), { numRuns: RUNS, seed: 72 });
  });

  it('sum_rows(A) = A·1 and sum_cols(A) = 1ᵀ·A, within the bound of the twin', () => {
    fc.assert(fc.property(dim, depth, fc.nat(), (rows, cols, seed) => {
      const kern = K[build]!;
      const r = mulberry32(seed);
      const a = uniform(r, rows * cols, dtype);
      withTensors(kern, () => [kern.tensor(rows, cols, dtype, a), kern.tensor(cols, 1, dtype, new Array(cols).fill(1)), kern.tensor(1, rows, dtype, new Array(rows).fill(1)),
        kern.tensor(rows, 1, dtype), kern.tensor(rows, 1, dtype), kern.tensor(1, cols, dtype), kern.tensor(1, cols, dtype)], ([A, onesC, onesR, sr, g1, sc, g2]) => {
        kern.sumRows(A!, sr!);
        kern.gemm(false, false, 1, A!, onesC!, 0, g1!);
        const rowMag = Array.from({ length: rows }, (_, i) => Array.from(a.subarray(i * cols, (i + 1) * cols)).reduce((s, v) => s + Math.abs(v), 0));
        const rowRef = Array.from({ length: rows }, (_, i) => Array.from(a.subarray(i * cols, (i + 1) * cols)).reduce((s, v) => s + v, 0));
        within(sr!.data, rowRef, rowMag, dtype, cols, 1, 'sumRows vs twin');
        within(g1!.data, rowRef, rowMag, dtype, cols, 1, 'A·1 vs twin');
        within(sr!.data, g1!.data, rowMag, dtype, cols, 2, 'sumRows vs A·1');
        note(`${build} ${dtype} sumRows vs A·1 (GEMV in simd)`, sameBits(sr!.data, g1!.data));
        kern.sumCols(A!, sc!);
        kern.gemm(false, false, 1, onesR!, A!, 0, g2!);
        const colMag = Array.from({ length: cols }, (_, j) => { let s = 0; for (let i = 0; i < rows; i++) s += Math.abs(a[i * cols + j]!); return s; });
        within(sc!.data, g2!.data, colMag, dtype, rows, 2, 'sumCols vs 1ᵀ·A');
        note(`${build} ${dtype} sumCols vs 1ᵀ·A`, sameBits(sc!.data, g2!.data));
      });
    }), { numRuns: RUNS, seed: 73 });
  });

  it('dot(x, y) = dot(y, x) bit for bit, ≥ 0 for dot(x, x), and within the f64 bound of the twin', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 600 }), fc.nat(), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (len, seed, spread) => {
      const kern = K[build]!;
      const r = mulberry32(seed);
      const x = uniform(r, len, dtype, -spread, spread), y = uniform(r, len, dtype, -1, 1);
      withTensors(kern, () => [kern.tensor(1, len, dtype, x), kern.tensor(1, len, dtype, y)], ([X, Y]) => {
        const xy = kern.dot(X!, Y!);
        const yx = kern.dot(Y!, X!);
        expect(Object.is(xy, yx)).toBe(true);
        expect(kern.dot(X!, X!)).toBeGreaterThanOrEqual(0);
        let ref = 0, mag = 0;
        for (let q = 0; q < len; q++) { ref += x[q]! * y[q]!; mag += Math.abs(x[q]! * y[q]!); }
        // The kernel accumulates in f64 whatever the dtype (f32 products are exact in f64).
        expect(Math.abs(xy - ref)).toBeLessThanOrEqual(2 * accTol('float64', len) * mag + TINY.float64);
      });
    }), { numRuns: RUNS * 2, seed: 74 });
  });
});
