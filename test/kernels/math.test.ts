// The vector transcendentals of assembly/math.ts (exp, tanh, log, sigmoid) against correctly rounded
// results, in both builds, and the builds against each other (bit for bit).
//   f32 oracle: V8's f64 Math.exp/tanh/log (≤ 1 ulp of f64) rounded once to f32. It differs from the
//     correctly rounded f32 only when the exact value lies within ~2^-29 ulp of a rounding boundary.
//   f64 oracle: test/fixtures/math.json, mpmath at 300 bits rounded once (test/fixtures/make_math_fixtures.py).
// Stated accuracy (assembly/math.ts): f32 exp, tanh, sigmoid ≤ 2 ulp, log ≤ 1 ulp; f64 all ≤ 4 ulp.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Kernels } from '../../src/kernels.js';
import type { DType } from '../../src/runtime/arena.js';
import { BUILDS, ErrorStats, mulberry32, typed, uniform, useBuilds } from './helpers.js';

const K = useBuilds();
const stats = new ErrorStats();
afterAll(() => stats.report('math: max error in ulp vs the correctly rounded result (f32 limit 2 (log 1), f64 limit 4)'));

const OPS = ['exp', 'tanh', 'log', 'sigmoid'] as const;
type Op = (typeof OPS)[number];
const CODE: Record<Op, number> = { exp: 0, tanh: 1, log: 2, sigmoid: 3 };
const LIMIT_F32: Record<Op, number> = { exp: 2, tanh: 2, log: 1, sigmoid: 2 };
const LIMIT_F64 = 4;

/** The f64 reference of each function (only used rounded to f32). */
const REF: Record<Op, (x: number) => number> = {
  exp: Math.exp,
  tanh: Math.tanh,
  log: Math.log,
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
};

/** Runs op over xs in one build; returns the results (a copy). */
function run(kern: Kernels, op: Op, dtype: DType, xs: ArrayLike<number>): Float32Array | Float64Array {
  const X = kern.tensor(1, xs.length, dtype, xs);
  const Y = kern.tensor(1, xs.length, dtype);
  const fn = dtype === 'float32' ? kern.exports.math_f32 : kern.exports.math_f64;
  expect(fn(CODE[op], X.ptr, Y.ptr, xs.length)).toBe(0);
  const out = Y.data.slice();
  X.dispose(); Y.dispose();
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Int32Array(f32.buffer);
const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);

/** Distance in ulps between two values of the dtype (0 for two NaNs; Infinity when only one is NaN). */
function ulps(a: number, b: number, dtype: DType): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (dtype === 'float32') {
    const ord = (x: number) => { f32[0] = x; const u = u32[0]!; return u < 0 ? -(u & 0x7fffffff) : u; };
    return Math.abs(ord(a) - ord(b));
  }
  const ord = (x: number) => { f64[0] = x; const u = i64[0]!; return u < 0n ? -(u & 0x7fffffffffffffffn) : u; };
  const d = ord(a) - ord(b);
  return Number(d < 0n ? -d : d);
}

/** f32 inputs: every 4093rd bit pattern (both signs, all exponents, NaNs included) plus dense runs at the edges. */
function f32Inputs(op: Op): Float32Array {
  const bits: number[] = [];
  for (let u = 0; u < 2 ** 32; u += 4093) bits.push(u | 0);
  const xs = Array.from(new Float32Array(Int32Array.from(bits).buffer));
  const around = (x: number, count: number) => {
    f32[0] = x;
    const u = u32[0]!;
    for (let d = -count; d <= count; d++) { u32[0] = u + d; xs.push(f32[0]!); }
  };
  // overflow (88.72…), the subnormal range of results (−87.34 … −103.97), underflow to 0, the tanh branch
  // (0.625), saturation (±9.01), sigmoid's overflow-free split at 0, subnormal and tiny inputs, 1 for log.
  for (const x of [88.72283935546875, -87.33654022216797, -88, -95, -100, -103.27893, -103.97208, -104, 0.625, -0.625, 9.01, -9.01,
    1, 2 ** -126, -(2 ** -126), 2 ** -149, -(2 ** -149), 2 ** -24, -(2 ** -24), 17, -17]) around(x, 1500);
  xs.push(0, -0, Infinity, -Infinity, NaN, 3.4028234663852886e38, -3.4028234663852886e38);
  if (op === 'log') for (let i = 0; i < 3000; i++) xs.push(2 ** -149 * (i + 1)); // subnormal inputs
  return Float32Array.from(xs);
}

for (const op of OPS) {
  describe(`math ${op}`, () => {
    it(`f32: ≤ ${LIMIT_F32[op]} ulp from the correctly rounded result over the whole range, both builds bit-identical`, () => {
      const xs = f32Inputs(op);
      const got = run(K.simd, op, 'float32', xs);
      const scalar = run(K.scalar, op, 'float32', xs);
      let worst = 0, where = 0;
      for (let i = 0; i < xs.length; i++) {
        const x = xs[i]!;
        if (!Object.is(got[i], scalar[i]) && !(Number.isNaN(got[i]!) && Number.isNaN(scalar[i]!))) {
          throw new Error(`f32 ${op}(${x}): simd ${got[i]} ≠ scalar ${scalar[i]}`);
        }
        const want = Math.fround(REF[op](x));
        const d = ulps(got[i]!, want, 'float32');
        if (d > worst) { worst = d; where = x; }
        if (d > LIMIT_F32[op]) throw new Error(`f32 ${op}(${x}) = ${got[i]}, correctly rounded ${want}: ${d} ulp`);
      }
      stats.record(`${op} f32`, worst, `x = ${where}, ${xs.length} inputs`);
    });

    it(`f64: ≤ ${LIMIT_F64} ulp from mpmath's correctly rounded result, both builds bit-identical`, () => {
      const table = (JSON.parse(readFileSync(new URL('../fixtures/math.json', import.meta.url), 'utf8')) as Record<Op, [string, string][]>)[op];
      const fromHex = (h: string) => { i64[0] = BigInt.asIntN(64, BigInt(`0x${h}`)); return f64[0]!; };
      const xs = Float64Array.from(table, ([x]) => fromHex(x));
      const want = table.map(([, y]) => fromHex(y));
      expect(xs.length).toBeGreaterThan(1000);
      const got = run(K.simd, op, 'float64', xs);
      const scalar = run(K.scalar, op, 'float64', xs);
      let worst = 0, where = 0;
      for (let i = 0; i < xs.length; i++) {
        if (!Object.is(got[i], scalar[i]) && !(Number.isNaN(got[i]!) && Number.isNaN(scalar[i]!))) {
          throw new Error(`f64 ${op}(${xs[i]}): simd ${got[i]} ≠ scalar ${scalar[i]}`);
        }
        const d = ulps(got[i]!, want[i]!, 'float64');
        if (d > worst) { worst = d; where = xs[i]!; }
        if (d > LIMIT_F64) throw new Error(`f64 ${op}(${xs[i]}) = ${got[i]}, correctly rounded ${want[i]}: ${d} ulp`);
      }
      stats.record(`${op} f64`, worst, `x = ${where}, ${xs.length} inputs`);
    });
  });
}

describe('math special values (both builds, both dtypes)', () => {
  for (const build of BUILDS) {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`${build} ${dtype}: ±0, ±Inf, NaN, overflow and underflow`, () => {
        const kern = K[build];
        const max = dtype === 'float32' ? 3.4028234663852886e38 : Number.MAX_VALUE;
        const cases: [Op, number, number][] = [
          ['exp', 0, 1], ['exp', -0, 1], ['exp', Infinity, Infinity], ['exp', -Infinity, 0], ['exp', NaN, NaN],
          ['exp', max, Infinity], ['exp', -max, 0], ['exp', dtype === 'float32' ? 89 : 710, Infinity], ['exp', dtype === 'float32' ? -104 : -746, 0],
          ['tanh', 0, 0], ['tanh', -0, -0], ['tanh', Infinity, 1], ['tanh', -Infinity, -1], ['tanh', NaN, NaN], ['tanh', max, 1], ['tanh', -max, -1],
          ['log', 1, 0], ['log', 0, -Infinity], ['log', -0, -Infinity], ['log', -1, NaN], ['log', -Infinity, NaN], ['log', Infinity, Infinity], ['log', NaN, NaN],
          ['sigmoid', 0, 0.5], ['sigmoid', -0, 0.5], ['sigmoid', Infinity, 1], ['sigmoid', -Infinity, 0], ['sigmoid', NaN, NaN], ['sigmoid', max, 1], ['sigmoid', -max, 0],
        ];
        for (const op of OPS) {
          const mine = cases.filter(([o]) => o === op);
          // Repeated so that every case lands in a SIMD lane and in the scalar tail.
          const xs = [...mine, ...mine, ...mine].map(([, x]) => x);
          const got = run(kern, op, dtype, xs);
          xs.forEach((x, i) => {
            const want = mine[i % mine.length]![2];
            expect(Object.is(got[i], want), `${build} ${dtype} ${op}(${x}) = ${got[i]}, expected ${want}`).toBe(true);
          });
        }
      });
    }
  }
});

describe('math kernel: sizes, tails, aliasing, bad input', () => {
  it('sizes 1, 3, 4k−1, 4k, 4k+1: the SIMD build equals the scalar build element for element, in place too', () => {
    const rng = mulberry32(4242);
    for (const dtype of ['float32', 'float64'] as const) {
      for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33]) {
        for (const op of OPS) {
          const xs = op === 'log' ? uniform(rng, n, dtype, 0, 3) : uniform(rng, n, dtype, -12, 12);
          const a = run(K.simd, op, dtype, xs), b = run(K.scalar, op, dtype, xs);
          expect(Array.from(a), `${op} ${dtype} n=${n}`).toEqual(Array.from(b));
          const X = K.simd.tensor(1, n, dtype, xs);
          (dtype === 'float32' ? K.simd.exports.math_f32 : K.simd.exports.math_f64)(CODE[op], X.ptr, X.ptr, n);
          expect(Array.from(X.data), `${op} ${dtype} n=${n} in place`).toEqual(Array.from(a));
          X.dispose();
        }
      }
    }
  });

  it('an unknown function code returns -1 and writes nothing', () => {
    for (const build of BUILDS) {
      const X = K[build].tensor(1, 5, 'float32', [1, 2, 3, 4, 5]);
      const Y = K[build].tensor(1, 5, 'float32');
      expect(K[build].exports.math_f32(4, X.ptr, Y.ptr, 5)).toBe(-1);
      expect(K[build].exports.math_f64(-1, X.ptr, Y.ptr, 2)).toBe(-1);
      expect(Array.from(Y.data)).toEqual([0, 0, 0, 0, 0]);
    }
  });
});

describe('kernels built on the transcendentals: simd and scalar builds give the same bits', () => {
  it('sigmoid / tanh forward, softmax, BCE and cross-entropy losses on every tail size', () => {
    const rng = mulberry32(99);
    for (const dtype of ['float32', 'float64'] as const) {
      for (const [rows, cols] of [[1, 1], [3, 3], [2, 7], [4, 8], [5, 9], [10, 17], [3, 33]] as [number, number][]) {
        const n = rows * cols;
        const z = uniform(rng, n, dtype, -30, 30);
        const p = uniform(rng, n, dtype, 0, 1);
        const y = typed(dtype, Array.from({ length: n }, () => (rng() < 0.5 ? 0 : 1)));
        const bias = uniform(rng, rows, dtype);
        const out = (build: 'simd' | 'scalar') => {
          const kern = K[build];
          const res: number[] = [];
          for (const act of ['sigmoid', 'tanh'] as const) {
            const Z = kern.tensor(rows, cols, dtype, z), A = kern.tensor(rows, cols, dtype), B = kern.tensor(rows, 1, dtype, bias);
            kern.activationForward(act, Z, B, A);
            res.push(...A.data, ...Z.data);
          }
          const Z = kern.tensor(rows, cols, dtype, z), A = kern.tensor(rows, cols, dtype), B = kern.tensor(rows, 1, dtype, bias);
          kern.softmaxForward(Z, B, A);
          res.push(...A.data);
          const P = kern.tensor(rows, cols, dtype, p), Y = kern.tensor(rows, cols, dtype, y);
          res.push(kern.bceLoss(P, Y), kern.crossEntropyLoss(P, Y), kern.bceLoss(A, Y), kern.crossEntropyLoss(A, Y));
          return res;
        };
        expect(out('simd'), `${dtype} ${rows}×${cols}`).toEqual(out('scalar'));
      }
    }
  });
});
