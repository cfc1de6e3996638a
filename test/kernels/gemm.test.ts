// kernels.gemm (both builds × both dtypes × NN/NT/TN/TT) against the TS twin `gemm`.
import { afterAll, describe, expect, it } from 'vitest';
import { gemm as refGemm } from '../../src/reference/index.js';
import type { DType, FloatArray } from '../../src/runtime/arena.js';
import type { Build } from '../../src/runtime/load.js';
import {
  BUILDS, DTYPES, ErrorStats, TINY, UNIT_ROUNDOFF, accTol, expectWritesOnly, integers, useBuilds, mulberry32, typed, uniform,
} from './helpers.js';

const K = useBuilds();
const stats = new ErrorStats();
afterAll(() => {
  stats.report('gemm: max |got − twin| / (u·√(k+2)·(Σ|αab| + |βc| + tiny)) — i.e. the observed ACC_C');
});

const TRANS: readonly [boolean, boolean, string][] = [
  [false, false, 'NN'], [false, true, 'NT'], [true, false, 'TN'], [true, true, 'TT'],
];

interface Case {
  build: Build; dtype: DType; tA: boolean; tB: boolean;
  m: number; n: number; k: number;
  alpha?: number; beta?: number;
  /** Content of C before the call. */
  c?: 'random' | 'nan' | 'zero';
  /** Value range of A and B. */
  range?: [number, number];
  seed?: number;
}

/** Runs kernels.gemm and the twin on the same seeded inputs; asserts the accumulation bound. */
function checkGemm(cs: Case): void {
  const { build, dtype, tA, tB, m, n, k, alpha = 1, beta = 0, c = 'random', range = [-1, 1] } = cs;
  const kern = K[build];
  const rng = mulberry32(cs.seed ?? (m * 1_000_003 + n * 1009 + k * 7 + (tA ? 1 : 0) + (tB ? 2 : 0)));
  const [aRows, aCols] = tA ? [k, m] : [m, k];
  const [bRows, bCols] = tB ? [n, k] : [k, n];
  const a = uniform(rng, m * k, dtype, range[0], range[1]);
  const b = uniform(rng, k * n, dtype, range[0], range[1]);
  const c0: FloatArray = c === 'random' ? uniform(rng, m * n, dtype) : typed(dtype, m * n).fill(c === 'nan' ? NaN : 0);

  const At = kern.tensor(aRows, aCols, dtype, a);
  const Bt = kern.tensor(bRows, bCols, dtype, b);
  const Ct = kern.tensor(m, n, dtype, c0);
  expect(kern.gemm(tA, tB, alpha, At, Bt, beta, Ct)).toBe(Ct);
  const got = Ct.data;

  // Twin in f64 (exact for f32 inputs up to ~1e-16), and the magnitude Σ|alpha·a·b| by the same twin.
  const ref = Float64Array.from(c0);
  refGemm(tA, tB, m, n, k, alpha, a, aCols, b, bCols, beta, ref, n);
  const mag = new Float64Array(m * n);
  refGemm(tA, tB, m, n, k, Math.abs(alpha), a.map(Math.abs), aCols, b.map(Math.abs), bCols, 0, mag, n);

  const tol = accTol(dtype, k);
  const unit = UNIT_ROUNDOFF[dtype] * Math.sqrt(k + 2);
  let worst = 0;
  for (let q = 0; q < m * n; q++) {
    const scale = mag[q]! + (beta === 0 ? 0 : Math.abs(beta * c0[q]!)) + TINY[dtype];
    const err = Math.abs(got[q]! - ref[q]!);
    if (!(err <= tol * scale)) {
      const i = Math.floor(q / n), j = q % n;
      throw new Error(
        `${build} ${dtype} ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} m=${m} n=${n} k=${k} alpha=${alpha} beta=${beta}: ` +
        `C[${i},${j}] = ${got[q]} but twin gives ${ref[q]} (|err| ${err.toExponential(3)} > ${(tol * scale).toExponential(3)})`,
      );
    }
    worst = Math.max(worst, err / (unit * scale));
  }
  stats.record(`${dtype} ${build}`, worst, `${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} ${m}×${n}×${k} α=${alpha} β=${beta}`);
  At.dispose(); Bt.dispose(); Ct.dispose();
}

const SWEEP = [1, 3, 4, 5, 7, 8, 9, 15, 16, 17];
const SMALL = [1, 3, 7, 8, 9, 17];

for (const build of BUILDS) {
  for (const dtype of DTYPES) {
    describe(`gemm ${build} ${dtype}`, () => {
      for (const [tA, tB, name] of TRANS) {
        it(`${name}: every m,n,k ∈ {${SWEEP.join(',')}}`, () => {
          for (const m of SWEEP) for (const n of SWEEP) for (const k of SWEEP) checkGemm({ build, dtype, tA, tB, m, n, k });
        });

        it(`${name}: named shapes — 1×1×1, 3×5 (k=4) and friends, tall, wide, k > 256`, () => {
          const shapes: [number, number, number][] = [
            [1, 1, 1],
            [3, 5, 4], [5, 3, 4], [3, 4, 5], [4, 3, 5], [4, 5, 3], [5, 4, 3],
            [300, 5, 3], // tall: 300×3 · 3×5
            [3, 400, 300], // wide: 3×300 · 300×400
            [9, 17, 257], [17, 9, 513], [4, 8, 256], [4, 8, 257], [8, 8, 512], [5, 7, 513], [1, 1, 513],
            // Packed blocks of op(A) (MC = 128 rows in f32, 64 in f64) with partial row tiles, across k blocks,
            // and panels of B packed because ldb·size is a multiple of 256 bytes (n = 64, 128).
            [67, 9, 257], [131, 17, 300], [33, 64, 513], [70, 128, 20], [5, 64, 9], [259, 17, 131], [130, 9, 129],
            // Transposed panels of B packed by 4×4 (f32) / 2×2 (f64) transposes, with k tails 3 and 1 (m ≥ 16: no dot products).
            [50, 16, 7], [49, 24, 259], [16, 9, 131], [17, 8, 5],
          ];
          for (const [m, n, k] of shapes) checkGemm({ build, dtype, tA, tB, m, n, k });
        });

        it(`${name}: same-sign inputs (no cancellation), k up to 513`, () => {
          for (const [m, n, k] of [[7, 9, 100], [9, 17, 257], [4, 8, 513]] as const) {
            checkGemm({ build, dtype, tA, tB, m, n, k, range: [0, 1], seed: 99 });
          }
        });

        it(`${name}: alpha/beta with a preloaded C`, () => {
          const ab: [number, number][] = [[0.5, 0], [1, 1], [1, -2], [0.5, -2], [-1.5, 0.25], [0, -2], [0, 1], [0, 0]];
          for (const [alpha, beta] of ab) {
            for (const m of [1, 3, 8, 9]) for (const n of [1, 7, 8, 9, 17]) for (const k of [1, 4, 9, 257]) {
              checkGemm({ build, dtype, tA, tB, m, n, k, alpha, beta, c: 'random' });
            }
          }
        });

        it(`${name}: beta = 0 ignores NaN in C (alpha = 1, 0.5 and 0)`, () => {
          for (const alpha of [1, 0.5, 0]) {
            for (const [m, n, k] of [[1, 1, 1], [3, 5, 4], [9, 17, 8], [4, 8, 257]] as const) {
              checkGemm({ build, dtype, tA, tB, m, n, k, alpha, beta: 0, c: 'nan' });
            }
          }
        });

        it(`${name}: beta = 0 stores +0 where alpha·sum is −0, as 0 + alpha·sum does (every path, one bit pattern)`, () => {
          // A row of op(A) that is all zeros sums to +0; alpha = −1 makes that −0. C = 0·C + (−0) is +0, and the
          // SIMD tiles that store their first k block straight into C must add the same +0.
          const kern = K[build];
          const rng = mulberry32(11);
          for (const [m, n, k] of [[3, 5, 4], [9, 17, 7], [20, 33, 209], [20, 9, 300], [5, 3, 257], [2, 12, 9]] as const) {
            const a = uniform(rng, m * k, dtype);
            for (let p = 0; p < k; p++) a[tA ? p * m + 1 : k + p] = 0;
            const At = kern.tensor(tA ? k : m, tA ? m : k, dtype, a);
            const Bt = kern.tensor(tB ? n : k, tB ? k : n, dtype, uniform(rng, k * n, dtype));
            const Ct = kern.tensor(m, n, dtype, typed(dtype, m * n).fill(NaN));
            kern.gemm(tA, tB, -1, At, Bt, 0, Ct);
            for (let j = 0; j < n; j++) {
              expect(Object.is(Ct.data[n + j], 0), `${name} ${m}×${n}×${k}: C[1,${j}] = ${Object.is(Ct.data[n + j], -0) ? '-0' : Ct.data[n + j]}`).toBe(true);
            }
            for (let q = 0; q < m * n; q++) expect(Number.isFinite(Ct.data[q]), `${name} ${m}×${n}×${k}: C[${q}]`).toBe(true);
            At.dispose(); Bt.dispose(); Ct.dispose();
          }
        });

        it(`${name}: small-integer inputs give the exact product for every m,n,k ∈ {${SMALL.join(',')}} and k = 257, 513`, () => {
          // |entries| ≤ 4 and k ≤ 513 keep every partial sum an integer below 2^24: no rounding at all.
          const kern = K[build];
          const shapes: [number, number, number][] = [];
          for (const m of SMALL) for (const n of SMALL) for (const k of SMALL) shapes.push([m, n, k]);
          shapes.push([9, 17, 257], [5, 9, 513]);
          const rng = mulberry32(7);
          for (const [m, n, k] of shapes) {
            const a = integers(rng, m * k, dtype, -4, 4);
            const b = integers(rng, k * n, dtype, -4, 4);
            const c0 = integers(rng, m * n, dtype, -4, 4);
            const At = kern.tensor(tA ? k : m, tA ? m : k, dtype, a);
            const Bt = kern.tensor(tB ? n : k, tB ? k : n, dtype, b);
            const Ct = kern.tensor(m, n, dtype, c0);
            kern.gemm(tA, tB, 2, At, Bt, -3, Ct);
            const ref = Float64Array.from(c0);
            refGemm(tA, tB, m, n, k, 2, a, At.cols, b, Bt.cols, -3, ref, n);
            expect(Array.from(Ct.data), `${name} ${m}×${n}×${k}`).toEqual(Array.from(ref));
            At.dispose(); Bt.dispose(); Ct.dispose();
          }
        });

        it(`${name}: writes nothing outside C`, () => {
          const kern = K[build];
          const rng = mulberry32(3);
          for (const [m, n, k] of [[3, 5, 4], [9, 17, 7], [5, 3, 257]] as const) {
            const guard1 = kern.tensor(3, 3, dtype, uniform(rng, 9, dtype));
            const At = kern.tensor(tA ? k : m, tA ? m : k, dtype, uniform(rng, m * k, dtype));
            const Bt = kern.tensor(tB ? n : k, tB ? k : n, dtype, uniform(rng, k * n, dtype));
            const Ct = kern.tensor(m, n, dtype, uniform(rng, m * n, dtype));
            const guard2 = kern.tensor(3, 3, dtype, uniform(rng, 9, dtype));
            expectWritesOnly(kern, [guard1, At, Bt, Ct, guard2], [Ct], () => kern.gemm(tA, tB, 0.5, At, Bt, 0.5, Ct));
          }
        });
      }

      it('A·Aᵀ and Aᵀ·A with B the same tensor as A', () => {
        const kern = K[build];
        const rng = mulberry32(11);
        const a = uniform(rng, 9 * 13, dtype);
        const A = kern.tensor(9, 13, dtype, a);
        const G = kern.tensor(9, 9, dtype);
        kern.gemm(false, true, 1, A, A, 0, G);
        const ref = new Float64Array(81);
        refGemm(false, true, 9, 9, 13, 1, a, 13, a, 13, 0, ref, 9);
        const H = kern.tensor(13, 13, dtype);
        kern.gemm(true, false, 1, A, A, 0, H);
        const ref2 = new Float64Array(169);
        refGemm(true, false, 13, 13, 9, 1, a, 13, a, 13, 0, ref2, 13);
        const mag = 13 * accTol(dtype, 13); // |a| ≤ 1, so Σ|a||a| ≤ 13 (≤ 9 for H)
        for (let q = 0; q < 81; q++) expect(Math.abs(G.data[q]! - ref[q]!)).toBeLessThanOrEqual(mag);
        for (let q = 0; q < 169; q++) expect(Math.abs(H.data[q]! - ref2[q]!)).toBeLessThanOrEqual(mag);
        // Gram matrices are symmetric: both builds compute C[i,j] and C[j,i] from the same products.
        for (let i = 0; i < 9; i++) for (let j = 0; j < 9; j++) expect(G.data[i * 9 + j]).toBe(G.data[j * 9 + i]);
      });

      it('course shapes: 20×12288 · 12288×209 (NN) and 20×209 · (12288×209)ᵀ (NT)', () => {
        checkGemm({ build, dtype, tA: false, tB: false, m: 20, n: 209, k: 12288, seed: 1 });
        checkGemm({ build, dtype, tA: false, tB: true, m: 20, n: 12288, k: 209, seed: 2 });
      });
    });
  }
}

describe('gemm argument errors', () => {
  for (const build of BUILDS) {
    it(`${build}: names the problem`, () => {
      const kern = K[build];
      const A = kern.tensor(3, 4);
      const B = kern.tensor(5, 2);
      const C = kern.tensor(3, 2);
      expect(() => kern.gemm(false, false, 1, A, B, 0, C)).toThrow(/gemm: inner dimensions differ: A \(3×4\) · B \(5×2\)/);
      expect(() => kern.gemm(false, true, 1, A, kern.tensor(2, 5), 0, C)).toThrow(/inner dimensions differ: A \(3×4\) · Bᵀ \(5×2\)/);
      const B2 = kern.tensor(4, 2);
      expect(() => kern.gemm(false, false, 1, A, B2, 0, kern.tensor(2, 3))).toThrow(/gemm: C is 2×3 but A \(3×4\) · B \(4×2\) is 3×2/);
      expect(() => kern.gemm(true, false, 1, A, B2, 0, C)).toThrow(/inner dimensions differ: Aᵀ \(4×3\)/);
      expect(() => kern.gemm(false, false, 1, A, kern.tensor(4, 2, 'float64'), 0, C)).toThrow(/gemm: mixes float32 and float64/);
      expect(() => kern.gemm(false, false, 1, A, B2, 0, kern.tensor(3, 2, 'float64'))).toThrow(/mixes float32 and float64/);
      // C aliasing A (a square A used as its own output) and aliasing B.
      const S = kern.tensor(4, 4);
      expect(() => kern.gemm(false, false, 1, S, kern.tensor(4, 4), 0, S)).toThrow(/C must not share memory with A or B/);
      expect(() => kern.gemm(false, false, 1, kern.tensor(4, 4), S, 1, S)).toThrow(/C must not share memory with A or B/);
      expect(() => kern.gemm(false, false, NaN, A, B2, 0, C)).toThrow(/alpha must be a finite number/);
      expect(() => kern.gemm(false, false, 1, A, B2, Infinity, C)).toThrow(/beta must be a finite number/);
      B2.dispose();
      expect(() => kern.gemm(false, false, 1, A, B2, 0, C)).toThrow(/disposed/);
      const other = K[build === 'simd' ? 'scalar' : 'simd'].tensor(4, 2);
      expect(() => kern.gemm(false, false, 1, A, other, 0, C)).toThrow(/B belongs to another kernel module/);
    });
  }
});
