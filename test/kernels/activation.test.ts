// Activations (forward with/without bias, in place, backward), softmax, probMinusTarget and
// bceGradient on both builds × both dtypes against the TS twin (tolerances: helpers.ts).
import { afterAll, describe, expect, it } from 'vitest';
import type { Activation } from '../../src/kernels.js';
import * as ref from '../../src/reference/index.js';
import type { DType } from '../../src/runtime/arena.js';
import {
  BUILDS, DTYPES, ELEM_TOL, ErrorStats, SIZES, UNIT_ROUNDOFF, compareElementwise, expectWritesOnly, useBuilds, mulberry32, typed, uniform,
} from './helpers.js';

const K = useBuilds();
const stats = new ErrorStats();
afterAll(() => {
  stats.report('activations: max relative error vs the twin (f32 limit 1e-6, f64 limit 1e-14)');
});

/** rows×cols shapes whose row length (the forward's SIMD unit) and element count run over SIZES. */
const SHAPES: [number, number][] = SIZES.flatMap((cols) => [[1, cols], [2, cols], [3, cols]] as [number, number][]);
SHAPES.push([4, 4], [5, 7], [3, 5], [2, 17]);

/** Large |z| that break a naive sigmoid (exp overflow) or saturate tanh, plus signed zeros. */
const SPECIAL = [50, -50, 800, -800, 20, -20, 0, -0, 1e-3, -1e-3, 88, -88, 710, -710];

function zValues(rng: () => number, n: number, dtype: DType): ReturnType<typeof typed> {
  const z = uniform(rng, n, dtype, -4, 4);
  for (let q = 0; q < n; q++) if (rng() < 0.3) z[q] = SPECIAL[Math.floor(rng() * SPECIAL.length)]!;
  return z;
}

/** Per-element softmax tolerance ELEM_TOL + u·|z − column max| (see helpers.ts). */
function softmaxTol(z: ArrayLike<number>, rows: number, cols: number, dtype: DType): (i: number) => number {
  const mx = new Float64Array(cols).fill(-Infinity);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mx[j] = Math.max(mx[j]!, z[i * cols + j]!);
  return (q) => ELEM_TOL[dtype] + UNIT_ROUNDOFF[dtype] * Math.abs(z[q]! - mx[q % cols]!);
}

const KINDS: [Activation, number][] = [
  ['linear', 0.01], ['sigmoid', 0.01], ['tanh', 0.01], ['relu', 0.01], ['leakyRelu', 0.01], ['leakyRelu', 0.2],
];

for (const build of BUILDS) {
  for (const dtype of DTYPES) {
    describe(`activations ${build} ${dtype}`, () => {
      for (const [act, slope] of KINDS) {
        const label = act === 'leakyRelu' ? `${act}(${slope})` : act;

        it(`${label}: forward with/without bias and in place, backward, over ${SHAPES.length} shapes`, () => {
          const kern = K[build];
          const rng = mulberry32(act.length * 31 + slope * 1000);
          for (const [rows, cols] of SHAPES) {
            const n = rows * cols;
            const where = `${label} ${build} ${dtype} ${rows}×${cols}`;
            for (const withBias of [false, true]) {
              const z0 = zValues(rng, n, dtype);
              const bias = withBias ? uniform(rng, rows, dtype) : null;
              // Twin: Z in the dtype (so the bias add rounds identically), A in f64 (≈ exact f(z)).
              const zRef = typed(dtype, z0);
              const aRef = new Float64Array(n);
              ref.activationForward(act, zRef, bias, aRef, rows, cols, slope);

              const Z = kern.tensor(rows, cols, dtype, z0);
              const A = kern.tensor(rows, cols, dtype);
              const Bt = bias === null ? null : kern.tensor(rows, 1, dtype, bias);
              expect(kern.activationForward(act, Z, Bt, A, slope)).toBe(A);
              expect(Array.from(Z.data), `${where}: Z += bias`).toEqual(Array.from(zRef));
              stats.record(`forward ${label} ${dtype}`, compareElementwise(A.data, aRef, dtype, `${where} forward`), where);
              if (act === 'sigmoid') {
                for (const v of A.data) expect(v >= 0 && v <= 1, `${where}: sigmoid ${v} ∉ [0,1]`).toBe(true);
              }

              // In place: A aliasing Z gives bit-identical results.
              const Zi = kern.tensor(rows, cols, dtype, z0);
              expect(kern.activationForward(act, Zi, Bt, Zi, slope)).toBe(Zi);
              expect(Array.from(Zi.data), `${where}: in place`).toEqual(Array.from(A.data));

              // Backward from the kernel's own Z and A.
              const dA0 = uniform(rng, n, dtype, -2, 2);
              const dARef = typed(dtype, dA0);
              const dZRef = new Float64Array(n);
              ref.activationBackward(act, Z.data, A.data, dARef, dZRef, slope);
              const dA = kern.tensor(rows, cols, dtype, dA0);
              const dZ = kern.tensor(rows, cols, dtype);
              expect(kern.activationBackward(act, Z, A, dA, dZ, slope)).toBe(dZ);
              stats.record(`backward ${label} ${dtype}`, compareElementwise(dZ.data, dZRef, dtype, `${where} backward`), where);
              // dZ aliasing dA.
              kern.activationBackward(act, Z, A, dA, dA, slope);
              expect(Array.from(dA.data), `${where}: backward in place`).toEqual(Array.from(dZ.data));
              for (const t of [Z, A, Zi, dA, dZ]) t.dispose();
              Bt?.dispose();
            }
          }
        });
      }

      it('sigmoid and tanh stay finite and bounded at huge |z|', () => {
        const kern = K[build];
        const z = [50, -50, 800, -800, 1e4, -1e4, 88, -88, 89, -89, 710, -710, 3e38, -3e38, 0, -0];
        for (const act of ['sigmoid', 'tanh'] as const) {
          const Z = kern.tensor(1, z.length, dtype, z);
          const A = kern.tensor(1, z.length, dtype);
          kern.activationForward(act, Z, null, A);
          const lo = act === 'sigmoid' ? 0 : -1;
          for (const [q, v] of A.data.entries()) {
            expect(Number.isNaN(v), `${act}(${z[q]}) is NaN`).toBe(false);
            expect(v >= lo && v <= 1, `${act}(${z[q]}) = ${v}`).toBe(true);
          }
          const aRef = new Float64Array(z.length);
          ref.activationForward(act, typed(dtype, z), null, aRef, 1, z.length);
          compareElementwise(A.data, aRef, dtype, `${act} huge |z|`);
          expect(A.data[0]).toBe(1); // σ(50) and tanh(50) round to 1 in both dtypes
          if (act === 'sigmoid') expect(A.data[3]).toBe(0); // σ(−800) underflows to 0
        }
      });

      it('ReLU / leaky ReLU: exact values (no rounding besides the slope product)', () => {
        const kern = K[build];
        const z = [-3, -0.5, 0, 0.5, 3, -1e-30, 1e-30, 7, -7];
        const Z = kern.tensor(3, 3, dtype, z);
        const A = kern.tensor(3, 3, dtype);
        kern.activationForward('relu', Z, null, A);
        expect(Array.from(A.data)).toEqual(z.map((v) => (v > 0 ? typed(dtype, [v])[0]! : 0)));
        kern.activationForward('leakyRelu', Z, null, A, 0.5);
        expect(Array.from(A.data)).toEqual(Array.from(typed(dtype, z.map((v) => (v > 0 ? v : 0.5 * v)))));
        // relu' is 0 at z = 0 in both implementations (the twin uses z > 0).
        const dA = kern.tensor(3, 3, dtype, [1, 1, 1, 1, 1, 1, 1, 1, 1]);
        const dZ = kern.tensor(3, 3, dtype);
        kern.activationBackward('relu', Z, A, dA, dZ);
        expect(Array.from(dZ.data)).toEqual(z.map((v) => (v > 0 ? 1 : 0)));
      });

      it('softmaxForward: matches the twin, columns sum to 1, with bias and in place', () => {
        const kern = K[build];
        const rng = mulberry32(5);
        for (const rows of [1, 2, 3, 4, 5, 7, 8, 9, 10, 17, 33]) {
          for (const cols of [1, 3, 4, 8, 9, 17]) {
            for (const withBias of [false, true]) {
              const n = rows * cols;
              const where = `softmax ${build} ${dtype} ${rows}×${cols}${withBias ? ' +bias' : ''}`;
              const z0 = uniform(rng, n, dtype, -10, 10);
              const bias = withBias ? uniform(rng, rows, dtype, -2, 2) : null;
              const zRef = typed(dtype, z0);
              const aRef = new Float64Array(n);
              ref.softmaxForward(zRef, bias, aRef, rows, cols);
              const Z = kern.tensor(rows, cols, dtype, z0);
              const A = kern.tensor(rows, cols, dtype);
              const Bt = bias === null ? null : kern.tensor(rows, 1, dtype, bias);
              expect(kern.softmaxForward(Z, Bt, A)).toBe(A);
              expect(Array.from(Z.data), `${where}: Z += bias`).toEqual(Array.from(zRef));
              stats.record(`softmax ${dtype}`, compareElementwise(A.data, aRef, dtype, where, softmaxTol(zRef, rows, cols, dtype)), where);
              for (let j = 0; j < cols; j++) {
                let s = 0;
                for (let i = 0; i < rows; i++) s += A.data[i * cols + j]!;
                expect(Math.abs(s - 1), `${where}: column ${j} sums to ${s}`).toBeLessThanOrEqual(4 * (rows + 1) * UNIT_ROUNDOFF[dtype]);
              }
              const Zi = kern.tensor(rows, cols, dtype, z0);
              kern.softmaxForward(Zi, Bt, Zi);
              expect(Array.from(Zi.data), `${where}: in place`).toEqual(Array.from(A.data));
            }
          }
        }
      });

      it('softmaxForward: huge logits stay finite and exact-ish', () => {
        const kern = K[build];
        // Columns (3 classes × 5 examples): huge positive, huge negative, beyond exp overflow, ties.
        const big = dtype === 'float32' ? 3e38 : 1e308;
        const cols = [
          [1000, 999, -1000],
          [-1e4, -1e4 - 1, -1e4 - 2],
          [big, 0, -big],
          [800, 800, 800],
          [89, 710, 88],
        ];
        const z = new Array<number>(15);
        cols.forEach((col, j) => col.forEach((v, i) => { z[i * 5 + j] = v; }));
        const Z = kern.tensor(3, 5, dtype, z);
        const A = kern.tensor(3, 5, dtype);
        kern.softmaxForward(Z, null, A);
        const aRef = new Float64Array(15);
        ref.softmaxForward(typed(dtype, z), null, aRef, 3, 5);
        for (const v of A.data) expect(Number.isFinite(v) && v >= 0 && v <= 1).toBe(true);
        compareElementwise(A.data, aRef, dtype, 'softmax huge logits', softmaxTol(Z.data, 3, 5, dtype));
        expect(A.data[2]).toBe(1); // column 2: big dominates
        expect(A.data[3] ?? NaN).toBeCloseTo(1 / 3, 6); // column 3: ties
      });

      it('probMinusTarget matches the twin (scale 1 and 1/m)', () => {
        const kern = K[build];
        const rng = mulberry32(9);
        for (const n of [...SIZES, 100]) {
          for (const scale of [1, 1 / 7]) {
            const a = uniform(rng, n, dtype, 0, 1);
            const y = uniform(rng, n, dtype, 0, 1).map(Math.round);
            const out = new Float64Array(n);
            ref.probMinusTarget(a, y, out, scale);
            const A = kern.tensor(n, 1, dtype, a), Y = kern.tensor(n, 1, dtype, y), dZ = kern.tensor(n, 1, dtype);
            expect(kern.probMinusTarget(A, Y, dZ, scale)).toBe(dZ);
            stats.record(`probMinusTarget ${dtype}`, compareElementwise(dZ.data, out, dtype, `probMinusTarget n=${n}`), `n=${n}`);
          }
        }
      });

      it('bceGradient matches the twin and stays finite at a = 0 and a = 1 (clipped at eps)', () => {
        const kern = K[build];
        const rng = mulberry32(13);
        const defaultEps = dtype === 'float32' ? 1e-7 : 1e-15;
        for (const eps of [defaultEps, 1e-3]) {
          for (const n of [...SIZES, 64]) {
            const a = uniform(rng, n, dtype, 0, 1);
            const y = uniform(rng, n, dtype, 0, 1).map(Math.round);
            // Exact 0s and 1s at both labels.
            for (let q = 0; q < n; q += 3) a[q] = q % 2;
            if (n >= 4) { a[1] = 0; y[1] = 1; a[2] = 1; y[2] = 0; }
            const out = new Float64Array(n);
            ref.bceGradient(a, y, out, eps);
            const A = kern.tensor(n, 1, dtype, a), Y = kern.tensor(n, 1, dtype, y), dA = kern.tensor(n, 1, dtype);
            if (eps === defaultEps) kern.bceGradient(A, Y, dA);
            else kern.bceGradient(A, Y, dA, eps);
            for (const v of dA.data) expect(Number.isFinite(v)).toBe(true);
            const where = `bceGradient eps=${eps} n=${n}`;
            stats.record(`bceGradient ${dtype}`, compareElementwise(dA.data, out, dtype, where), where);
          }
        }
        // The clipped extremes in closed form: a = 0, y = 1 → −1/eps; a = 1, y = 0 → 1/eps.
        const A = kern.tensor(2, 1, dtype, [0, 1]), Y = kern.tensor(2, 1, dtype, [1, 0]), dA = kern.tensor(2, 1, dtype);
        kern.bceGradient(A, Y, dA, 1e-3);
        expect(dA.data[0]).toBeCloseTo(-1000, dtype === 'float32' ? 2 : 9);
        expect(dA.data[1]).toBeCloseTo(1000, dtype === 'float32' ? 2 : 9);
      });

      it('elementwise kernels write nothing outside their outputs', () => {
        const kern = K[build];
        const rng = mulberry32(17);
        for (const [rows, cols] of [[1, 1], [3, 5], [2, 17], [3, 9]] as const) {
          const n = rows * cols;
          const g1 = kern.tensor(1, 3, dtype, [1, 2, 3]);
          const Z = kern.tensor(rows, cols, dtype, uniform(rng, n, dtype));
          const A = kern.tensor(rows, cols, dtype, uniform(rng, n, dtype, 0.1, 0.9));
          const dA = kern.tensor(rows, cols, dtype, uniform(rng, n, dtype));
          const dZ = kern.tensor(rows, cols, dtype);
          const b = kern.tensor(rows, 1, dtype, uniform(rng, rows, dtype));
          const g2 = kern.tensor(1, 3, dtype, [4, 5, 6]);
          const all = [g1, Z, A, dA, dZ, b, g2];
          for (const [act] of KINDS) {
            expectWritesOnly(kern, all, [dZ], () => kern.activationBackward(act, Z, A, dA, dZ));
            expectWritesOnly(kern, all, [Z, dZ], () => kern.activationForward(act, Z, b, dZ));
          }
          expectWritesOnly(kern, all, [Z, dZ], () => kern.softmaxForward(Z, b, dZ));
          expectWritesOnly(kern, all, [dZ], () => kern.probMinusTarget(A, dA, dZ));
          expectWritesOnly(kern, all, [dZ], () => kern.bceGradient(A, dA, dZ));
        }
      });
    });
  }

  describe(`activation argument errors (${build})`, () => {
    it('unknown activation names, shape and dtype mismatches throw naming the problem', () => {
      const kern = K[build];
      const Z = kern.tensor(2, 3), A = kern.tensor(2, 3);
      expect(() => kern.activationForward('softmax' as Activation, Z, null, A)).toThrow(/unknown activation 'softmax'; expected one of linear, sigmoid, tanh, relu, leakyRelu/);
      expect(() => kern.activationBackward('gelu' as Activation, Z, A, A, Z)).toThrow(/unknown activation 'gelu'/);
      expect(() => kern.activationForward('relu', Z, null, kern.tensor(3, 2))).toThrow(/relu forward: shapes 2×3 and 3×2 differ/);
      expect(() => kern.activationForward('relu', Z, kern.tensor(3, 1), A)).toThrow(/bias has 3 elements but Z has 2 rows/);
      expect(() => kern.activationForward('relu', Z, null, kern.tensor(2, 3, 'float64'))).toThrow(/mixes float32 and float64/);
      expect(() => kern.activationBackward('tanh', Z, A, kern.tensor(2, 2), Z)).toThrow(/shapes/);
      expect(() => kern.softmaxForward(Z, null, kern.tensor(1, 6))).toThrow(/softmax forward: shapes 2×3 and 1×6 differ/);
      expect(() => kern.probMinusTarget(Z, kern.tensor(1, 5), A)).toThrow(/Y has 5 elements but A has 6/);
      expect(() => kern.bceGradient(Z, A, A, 0.7)).toThrow(/eps must be in \[0, 0.5\)/);
      // The raw ABI reports an unknown kind with -1 instead of writing anything.
      expect(kern.exports.act_forward_f32(9, Z.ptr, 0, A.ptr, 2, 3, 0)).toBe(-1);
      expect(kern.exports.act_backward_f64(-1, Z.ptr, A.ptr, A.ptr, Z.ptr, 6, 0)).toBe(-1);
    });
  });
}

it('tolerances are the ones stated in helpers.ts', () => {
  expect(ELEM_TOL).toEqual({ float32: 1e-6, float64: 1e-14 });
});
