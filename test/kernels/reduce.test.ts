// Reductions (sumRows, sumCols, losses, dot/sumSquares/norm) and updates (axpy, scale) on both
// builds × both dtypes against the TS twin (tolerances: helpers.ts).
import { afterAll, describe, expect, it } from 'vitest';
import * as ref from '../../src/reference/index.js';
import type { DType, FloatArray } from '../../src/runtime/arena.js';
import {
  BUILDS, DTYPES, ELEM_TOL, ErrorStats, SIZES, TINY, UNIT_ROUNDOFF, accTol, compareElementwise, expectWritesOnly, useBuilds, mulberry32, typed, uniform,
} from './helpers.js';

const K = useBuilds();
const stats = new ErrorStats();
afterAll(() => {
  stats.report('reductions: max |got − twin| / (u·√(n+2)·Σ|terms|) (accumulations) or relative error (elementwise)');
});

const LONG = 100_003;
const LENGTHS = [...SIZES, 100, LONG];

/** Asserts |got − ref| ≤ accTol(accDType, n)·(mag + TINY) and returns the observed ratio in units of u·√(n+2). */
function checkAcc(got: number, want: number, mag: number, n: number, accDType: DType, what: string): number {
  const scale = mag + TINY[accDType];
  const err = Math.abs(got - want);
  if (!(err <= accTol(accDType, n) * scale)) {
    throw new Error(`${what}: got ${got}, twin ${want}, |err| ${err} > ${accTol(accDType, n) * scale}`);
  }
  return err / (UNIT_ROUNDOFF[accDType] * Math.sqrt(n + 2) * scale);
}

/** 0/1 labels. */
function labels(rng: () => number, n: number, dtype: DType): FloatArray {
  return uniform(rng, n, dtype, 0, 1).map(Math.round);
}

/** Probabilities in (0, 1) with exact 0s and 1s sprinkled in (the clipped cases). */
function probabilities(rng: () => number, n: number, dtype: DType): FloatArray {
  const a = uniform(rng, n, dtype, 0, 1);
  for (let q = 0; q < n; q += 5) a[q] = q % 2;
  return a;
}

for (const build of BUILDS) {
  for (const dtype of DTYPES) {
    describe(`reductions ${build} ${dtype}`, () => {
      it('sumRows: rows×cols over every size, a long row, scale 1 and 1/m', () => {
        const kern = K[build];
        const rng = mulberry32(21);
        const shapes: [number, number][] = SIZES.flatMap((c) => [[1, c], [2, c], [3, c]] as [number, number][]);
        shapes.push([1, LONG], [3, 4097]);
        for (const [rows, cols] of shapes) {
          for (const [scale, lo] of [[1, -1], [1 / cols, 0]] as const) { // signed and same-sign data
            const x = uniform(rng, rows * cols, dtype, lo, 1);
            const X = kern.tensor(rows, cols, dtype, x);
            const out = kern.tensor(rows, 1, dtype);
            expect(kern.sumRows(X, out, scale)).toBe(out);
            const want = new Float64Array(rows);
            ref.sumRows(x, rows, cols, want, scale);
            const mag = new Float64Array(rows);
            ref.sumRows(x.map(Math.abs), rows, cols, mag, Math.abs(scale));
            for (let i = 0; i < rows; i++) {
              const where = `sumRows ${rows}×${cols} scale=${scale} row ${i}`;
              stats.record(`sumRows ${dtype}`, checkAcc(out.data[i]!, want[i]!, mag[i]!, cols, dtype, where), where);
            }
            X.dispose(); out.dispose();
          }
        }
      });

      it('sumCols: rows×cols over every size, a long column, scale 1 and 1/m', () => {
        const kern = K[build];
        const rng = mulberry32(22);
        const shapes: [number, number][] = SIZES.flatMap((c) => [[1, c], [3, c], [17, c]] as [number, number][]);
        shapes.push([LONG, 1], [4097, 3], [5, 33]);
        for (const [rows, cols] of shapes) {
          for (const [scale, lo] of [[1, -1], [1 / rows, 0]] as const) {
            const x = uniform(rng, rows * cols, dtype, lo, 1);
            const X = kern.tensor(rows, cols, dtype, x);
            const out = kern.tensor(1, cols, dtype, uniform(rng, cols, dtype)); // stale content must be overwritten
            expect(kern.sumCols(X, out, scale)).toBe(out);
            const want = new Float64Array(cols);
            ref.sumCols(x, rows, cols, want, scale);
            const mag = new Float64Array(cols);
            ref.sumCols(x.map(Math.abs), rows, cols, mag, Math.abs(scale));
            for (let j = 0; j < cols; j++) {
              const where = `sumCols ${rows}×${cols} scale=${scale} col ${j}`;
              stats.record(`sumCols ${dtype}`, checkAcc(out.data[j]!, want[j]!, mag[j]!, rows, dtype, where), where);
            }
            X.dispose(); out.dispose();
          }
        }
      });

      it('bceLoss: matches the twin; a = 0 and a = 1 are clipped to a finite loss', () => {
        const kern = K[build];
        const rng = mulberry32(23);
        const defaultEps = dtype === 'float32' ? 1e-7 : 1e-15;
        for (const n of LENGTHS) {
          for (const eps of [defaultEps, 1e-3]) {
            const a = probabilities(rng, n, dtype);
            const y = labels(rng, n, dtype);
            const A = kern.tensor(n, 1, dtype, a), Y = kern.tensor(n, 1, dtype, y);
            const got = eps === defaultEps ? kern.bceLoss(A, Y) : kern.bceLoss(A, Y, eps);
            // The twin's value (ref.bceLoss's terms) summed exactly (Shewchuk's msum): the kernel sums with
            // compensation (error ≈ 1 ulp of the total), while ref.bceLoss's plain sequential sum is off by
            // 3.4e-8 ≈ 4·u·√n·loss by itself at n = 100003 — the whole tolerance.
            const partials: number[] = [];
            for (let q = 0; q < n; q++) {
              const c = Math.min(Math.max(a[q]!, eps), 1 - eps);
              let x = -(y[q]! * Math.log(c) + (1 - y[q]!) * Math.log(1 - c));
              let i = 0;
              for (let p of partials) {
                if (Math.abs(x) < Math.abs(p)) [x, p] = [p, x];
                const hi = x + p, lo = p - (hi - x);
                if (lo !== 0) partials[i++] = lo;
                x = hi;
              }
              partials.length = i;
              partials.push(x);
            }
            const want = partials.reduce((s, p) => s + p, 0);
            expect(Math.abs(want - ref.bceLoss(a, y, eps))).toBeLessThanOrEqual(1e-6 * want + 1e-12); // the same terms
            expect(Number.isFinite(got)).toBe(true);
            // Every term is ≥ 0, so Σ|terms| is the loss itself; the kernel accumulates in f64 for both dtypes.
            const where = `bceLoss n=${n} eps=${eps}`;
            stats.record(`bceLoss ${dtype} (f64 acc)`, checkAcc(got, want, want, n, 'float64', where), where);
            A.dispose(); Y.dispose();
          }
        }
        // Closed form at the clipped extremes: every element contributes −ln(eps) (up to 1 − eps rounding).
        const A = kern.tensor(1, 4, dtype, [0, 1, 0, 1]), Y = kern.tensor(1, 4, dtype, [1, 0, 1, 0]);
        expect(kern.bceLoss(A, Y, 1e-3)).toBeCloseTo(-4 * Math.log(1e-3), 12);
        const zero = kern.tensor(1, 2, dtype, [0, 1]), same = kern.tensor(1, 2, dtype, [0, 1]);
        expect(kern.bceLoss(zero, same, 1e-3)).toBeCloseTo(-2 * Math.log(1 - 1e-3), 12);
      });

      it('crossEntropyLoss: one-hot and soft targets, zero probabilities clipped', () => {
        const kern = K[build];
        const rng = mulberry32(24);
        for (const n of LENGTHS) {
          const a = probabilities(rng, n, dtype);
          const y = typed(dtype, n);
          for (let q = 0; q < n; q++) y[q] = q % 3 === 0 ? 1 : q % 3 === 1 ? 0 : rng();
          const A = kern.tensor(1, n, dtype, a), Y = kern.tensor(1, n, dtype, y);
          const eps = dtype === 'float32' ? 1e-7 : 1e-15;
          const got = kern.crossEntropyLoss(A, Y);
          const want = ref.crossEntropyLoss(a, y, eps);
          expect(Number.isFinite(got)).toBe(true);
          const where = `crossEntropyLoss n=${n}`;
          stats.record(`crossEntropyLoss ${dtype} (f64 acc)`, checkAcc(got, want, want, n, 'float64', where), where);
        }
      });

      it('squaredError, dot, sumSquares and norm (f64 accumulation)', () => {
        const kern = K[build];
        const rng = mulberry32(25);
        for (const n of LENGTHS) {
          const x = uniform(rng, n, dtype), y = uniform(rng, n, dtype);
          const X = kern.tensor(n, 1, dtype, x), Y = kern.tensor(1, n, dtype, y); // any shapes with equal length
          let where = `squaredError n=${n}`;
          const se = ref.squaredError(x, y);
          stats.record(`squaredError ${dtype} (f64 acc)`, checkAcc(kern.squaredError(X, Y), se, se, n, 'float64', where), where);
          where = `dot n=${n}`;
          const mag = ref.dot(x.map(Math.abs), y.map(Math.abs));
          stats.record(`dot ${dtype} (f64 acc)`, checkAcc(kern.dot(X, Y), ref.dot(x, y), mag, n, 'float64', where), where);
          where = `sumSquares n=${n}`;
          const ss = ref.dot(x, x);
          stats.record(`sumSquares ${dtype} (f64 acc)`, checkAcc(kern.sumSquares(X), ss, ss, n, 'float64', where), where);
          // √ halves the relative error and adds half an ulp.
          const nrm = kern.norm(X);
          expect(Math.abs(nrm - Math.sqrt(ss))).toBeLessThanOrEqual((accTol('float64', n) / 2 + UNIT_ROUNDOFF.float64) * Math.sqrt(ss));
          X.dispose(); Y.dispose();
        }
        // Products of two f32 values are exact in f64, so small integer dots are exact.
        const ints = Array.from({ length: 37 }, (_, q) => (q % 7) - 3);
        const X = kern.tensor(1, 37, dtype, ints);
        expect(kern.dot(X, X)).toBe(ints.reduce((s, v) => s + v * v, 0));
        expect(kern.norm(kern.tensor(1, 2, dtype, [3, 4]))).toBe(5);
      });

      it('axpy: y += alpha·x (also with x = y)', () => {
        const kern = K[build];
        const rng = mulberry32(26);
        for (const n of LENGTHS) {
          for (const alpha of [1, -0.3, 2.5]) {
            const x = uniform(rng, n, dtype), y = uniform(rng, n, dtype);
            const X = kern.tensor(n, 1, dtype, x), Y = kern.tensor(n, 1, dtype, y);
            expect(kern.axpy(alpha, X, Y)).toBe(Y);
            const want = Float64Array.from(y);
            ref.axpy(alpha, x, want);
            // Mixed bound: the kernel rounds alpha·x and the sum, so the error scales with |y| + |alpha·x|.
            let worst = 0;
            for (let q = 0; q < n; q++) {
              const scale = Math.abs(y[q]!) + Math.abs(alpha * x[q]!) + TINY[dtype];
              const err = Math.abs(Y.data[q]! - want[q]!);
              if (!(err <= ELEM_TOL[dtype] * scale)) throw new Error(`axpy n=${n} alpha=${alpha} [${q}]: got ${Y.data[q]}, twin ${want[q]}`);
              worst = Math.max(worst, err / scale);
            }
            stats.record(`axpy ${dtype} (rel. to |y|+|αx|)`, worst, `n=${n} alpha=${alpha}`);
            X.dispose(); Y.dispose();
          }
        }
        const S = kern.tensor(1, 9, dtype, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        kern.axpy(1, S, S);
        expect(Array.from(S.data)).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18]);
      });

      it('scale: x *= alpha', () => {
        const kern = K[build];
        const rng = mulberry32(27);
        for (const n of LENGTHS) {
          for (const alpha of [0.5, -0.3, 0]) {
            const x = uniform(rng, n, dtype);
            const X = kern.tensor(n, 1, dtype, x);
            expect(kern.scale(alpha, X)).toBe(X);
            const want = Float64Array.from(x);
            ref.scale(alpha, want);
            const where = `scale n=${n} alpha=${alpha}`;
            stats.record(`scale ${dtype}`, compareElementwise(X.data, want, dtype, where), where);
            X.dispose();
          }
        }
      });

      it('reductions and updates write nothing outside their outputs', () => {
        const kern = K[build];
        const rng = mulberry32(28);
        for (const [rows, cols] of [[1, 1], [3, 5], [2, 17], [5, 9]] as const) {
          const n = rows * cols;
          const g1 = kern.tensor(1, 3, dtype, [1, 2, 3]);
          const X = kern.tensor(rows, cols, dtype, uniform(rng, n, dtype));
          const Y = kern.tensor(rows, cols, dtype, uniform(rng, n, dtype, 0, 1));
          const r = kern.tensor(rows, 1, dtype);
          const c = kern.tensor(1, cols, dtype);
          const g2 = kern.tensor(1, 3, dtype, [4, 5, 6]);
          const all = [g1, X, Y, r, c, g2];
          expectWritesOnly(kern, all, [r], () => kern.sumRows(X, r, 0.5));
          expectWritesOnly(kern, all, [c], () => kern.sumCols(X, c, 0.5));
          expectWritesOnly(kern, all, [], () => {
            kern.bceLoss(Y, Y); kern.crossEntropyLoss(Y, Y); kern.squaredError(X, Y); kern.dot(X, Y);
          });
          expectWritesOnly(kern, all, [Y], () => kern.axpy(0.5, X, Y));
          expectWritesOnly(kern, all, [X], () => kern.scale(0.5, X));
        }
      });
    });
  }

  describe(`reduction argument errors (${build})`, () => {
    it('shape, dtype and aliasing mismatches throw naming the problem', () => {
      const kern = K[build];
      const X = kern.tensor(3, 4);
      expect(() => kern.sumRows(X, kern.tensor(4, 1))).toThrow(/sumRows: out has 4 elements but X has 3 rows/);
      expect(() => kern.sumCols(X, kern.tensor(3, 1))).toThrow(/sumCols: out has 3 elements but X has 4 columns/);
      expect(() => kern.sumRows(X, kern.tensor(3, 1, 'float64'))).toThrow(/sumRows: mixes float32 and float64/);
      const col = kern.tensor(3, 1);
      expect(() => kern.sumRows(col, col)).toThrow(/sumRows: out must not share memory with X/);
      expect(() => kern.sumCols(kern.tensor(1, 3), kern.tensor(1, 3))).not.toThrow();
      expect(() => kern.bceLoss(X, kern.tensor(2, 5))).toThrow(/binary cross-entropy: Y has 10 elements but A has 12/);
      expect(() => kern.crossEntropyLoss(X, kern.tensor(1, 5))).toThrow(/cross-entropy: Y has 5 elements but A has 12/);
      expect(() => kern.squaredError(X, kern.tensor(1, 11))).toThrow(/squared error: Y has 11 elements/);
      expect(() => kern.dot(X, kern.tensor(12, 1, 'float64'))).toThrow(/dot: mixes float32 and float64/);
      expect(() => kern.dot(X, kern.tensor(13, 1))).toThrow(/dot: y has 13 elements but x has 12/);
      expect(() => kern.axpy(1, X, kern.tensor(2, 2))).toThrow(/axpy: y has 4 elements but x has 12/);
      expect(() => kern.axpy(NaN, X, X)).toThrow(/axpy alpha must be a finite number/);
      expect(() => kern.scale(Infinity, X)).toThrow(/scale alpha must be a finite number/);
      expect(() => kern.bceLoss(X, X, -1)).toThrow(/eps must be in \[0, 0.5\)/);
      X.dispose();
      expect(() => kern.sumSquares(X)).toThrow(/disposed/);
    });
  });
}
