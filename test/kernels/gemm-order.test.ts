// The register-tile paths' summation order, bit for bit: every element of C is 0 + a₀b₀ + a₁b₁ + … in k order
// over each k block (128 deep; one block for A·Bᵀ with k ≤ 256), rounded to the dtype after each product and
// sum, then C = (β·C) + α·sum, block after block (β = 0: α·sum + 0). The thin-k rows
// (assembly/gemm.ts gemmThinK: f32, k ≤ 4, op(B) untransposed) and the 4×2 tiles (k ≥ 5, and A·Bᵀ with ≥ 16 rows
// and ≥ 8 columns) must both give exactly that; so must the scalar build's 4×4 tiles. docs/determinism.md rests
// on it (simd and scalar identical for NN, TN, TT), and so do shared passes (net.ts splits k at the tile's blocks).
// The dot-product and GEMV paths sum lanes along k, in another order, and are not swept here.
import { describe, expect, it } from 'vitest';
import type { DType, FloatArray } from '../../src/runtime/arena.js';
import { BUILDS, DTYPES, mulberry32, typed, uniform, useBuilds } from './helpers.js';

const K = useBuilds();

/** The tile order in the dtype's arithmetic (f32: Math.fround after every operation). */
function twin(
  dtype: DType, tA: boolean, tB: boolean, m: number, n: number, k: number,
  alpha: number, a: FloatArray, b: FloatArray, beta: number, c: FloatArray,
): FloatArray {
  const r = dtype === 'float32' ? Math.fround : (x: number) => x;
  alpha = r(alpha); // the kernel takes alpha and beta in the dtype
  beta = r(beta);
  const out = typed(dtype, c);
  // k blocks of 128 (A·Bᵀ with k ≤ 256: one block), each summed from 0 and added to C on its own.
  const depth = tB && k <= 256 ? k : 128;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = beta === 0 ? 0 : beta === 1 ? c[i * n + j]! : r(beta * c[i * n + j]!);
      for (let p0 = 0; p0 < k; p0 += depth) {
        let s = 0;
        for (let p = p0; p < Math.min(k, p0 + depth); p++) {
          const x = tA ? a[p * m + i]! : a[i * k + p]!;
          const y = tB ? b[j * k + p]! : b[p * n + j]!;
          s = r(s + r(x * y));
        }
        acc = r(acc + r(alpha * s));
      }
      out[i * n + j] = acc;
    }
  }
  return out;
}

/** Runs the product on one build and compares C with the twin byte for byte; returns how many elements were checked. */
function expectTileOrder(build: 'simd' | 'scalar', dtype: DType, tA: boolean, tB: boolean, m: number, n: number, k: number, alpha: number, beta: number, seed: number): number {
  const rng = mulberry32(seed);
  const a = uniform(rng, m * k, dtype);
  const b = uniform(rng, k * n, dtype);
  const c = uniform(rng, m * n, dtype);
  const kern = K[build];
  const At = tA ? kern.tensor(k, m, dtype, a) : kern.tensor(m, k, dtype, a);
  const Bt = tB ? kern.tensor(n, k, dtype, b) : kern.tensor(k, n, dtype, b);
  const Ct = kern.tensor(m, n, dtype, c);
  kern.gemm(tA, tB, alpha, At, Bt, beta, Ct);
  const want = twin(dtype, tA, tB, m, n, k, alpha, a, b, beta, c);
  const got = Ct.data;
  for (let q = 0; q < m * n; q++) {
    if (!Object.is(got[q], want[q])) {
      throw new Error(`${build} ${dtype} ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} m=${m} n=${n} k=${k} α=${alpha} β=${beta}: ` +
        `C[${Math.floor(q / n)},${q % n}] = ${got[q]} but the tile order gives ${want[q]}`);
    }
  }
  return m * n;
}

/** Columns around the f32 panel (8), the f64 panel (4) and a vector, and the planar net's 400 examples. */
const N_SWEEP = [1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 400];
/** (alpha, beta): overwrite, accumulate, and scale C first. */
const SCALES: [number, number][] = [[1, 0], [-0.7, 1], [0.5, 0.75]];

for (const build of BUILDS as ('simd' | 'scalar')[]) {
  describe(`gemm ${build}: the tile order, byte for byte`, () => {
    for (const dtype of DTYPES) {
      it(`${dtype}: NN and TN with k = 1…5 (thin-k rows up to 4, tiles at 5), m ∈ {1, 3, 4, 5, 17}, n ∈ {${N_SWEEP.join(', ')}} (n = 1 TN only)`, () => {
        let seed = 1, checked = 0;
        for (const tA of [false, true]) {
          for (const k of [1, 2, 3, 4, 5]) for (const m of [1, 3, 4, 5, 17]) for (const n of N_SWEEP) {
            if (n === 1 && !tA) continue; // A·x takes the GEMV path (lanes along k)
            const [alpha, beta] = SCALES[seed % SCALES.length]!;
            checked += expectTileOrder(build, dtype, tA, false, m, n, k, alpha, beta, seed++);
          }
        }
        expect(checked).toBeGreaterThan(0);
      });

      it(`${dtype}: NN, TN and NT (17 rows) over deeper k, across the 128-deep blocks`, () => {
        let seed = 9000;
        for (const [tA, tB] of [[false, false], [true, false], [false, true]] as const) {
          for (const k of [6, 9, 127, 128, 129, 300]) for (const n of [8, 9, 33]) {
            const [alpha, beta] = SCALES[seed % SCALES.length]!;
            expectTileOrder(build, dtype, tA, tB, 17, n, k, alpha, beta, seed++);
          }
        }
      });
    }
  });
}
