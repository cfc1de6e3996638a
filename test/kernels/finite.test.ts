// max_abs (assembly/finite.ts), the check every training step runs on its gradients before updating:
// both builds against a plain-TS reference on awkward sizes, with NaN and ±Infinity at every position
// of the small sizes and a huge guard value right after the end that must never be read.
import { describe, expect, it } from 'vitest';
import { BUILDS, DTYPES, SIZES, mulberry32, useBuilds } from './helpers.js';

/** The reference: max |x_i| as f64, NaN if any x_i is NaN, 0 for no values. */
function refMaxAbs(x: ArrayLike<number>, n: number): number {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.abs(x[i]!);
    if (Number.isNaN(v)) return NaN;
    worst = Math.max(worst, v);
  }
  return worst;
}

describe('max_abs: the gradient check of every step', () => {
  const K = useBuilds();
  const sizes = [...SIZES, 63, 64, 65, 1023, 1024, 1025];
  for (const build of BUILDS) {
    for (const dtype of DTYPES) {
      it(`${build} ${dtype}: equals the reference on awkward sizes, propagates NaN, never reads past n`, () => {
        const k = K[build]!;
        const fn = dtype === 'float32' ? k.exports.max_abs_f32 : k.exports.max_abs_f64;
        const rng = mulberry32(7);
        const run = (values: number[]): number => {
          // Four more elements than counted, holding a value larger than any counted one.
          const t = k.tensor(1, values.length + 4, dtype, [...values, 1e30, 1e30, 1e30, 1e30]);
          try {
            return fn(t.ptr, values.length);
          } finally {
            t.dispose();
          }
        };
        const f = dtype === 'float32' ? Math.fround : (v: number) => v;
        expect(run([])).toBe(0);
        for (const n of sizes) {
          const values = Array.from({ length: n }, () => f((rng() * 2 - 1) * 100));
          expect(run(values), `n ${n}`).toBe(refMaxAbs(values, n));
          // The largest magnitude at the last position, and negative: the tail and abs both count.
          const last = [...values];
          last[n - 1] = -1000.5;
          expect(run(last), `n ${n}, max last`).toBe(1000.5);
          if (n > 40) continue;
          for (let p = 0; p < n; p++) {
            for (const special of [NaN, Infinity, -Infinity]) {
              const v = [...values];
              v[p] = special;
              const got = run(v);
              if (Number.isNaN(special)) expect(got, `n ${n}, NaN at ${p}`).toBeNaN();
              else expect(got, `n ${n}, ${special} at ${p}`).toBe(Infinity);
            }
          }
        }
      });
    }
  }
});
