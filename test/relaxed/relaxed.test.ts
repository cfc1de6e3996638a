// The relaxed-SIMD build (GEMM with relaxed_madd), run with --experimental-wasm-relaxed-simd (see
// vitest.config.ts). relaxed_madd may or may not fuse, so results match the twin within the same
// accumulation bound as the simd build, not bit for bit.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Kernels } from '../../src/kernels.js';
import { hostHasRelaxedSimd } from '../../src/runtime/load.js';
import { gemm as twinGemm } from '../../src/reference/index.js';
import { Network } from '../../src/network.js';
import { DTYPES, accTol, mulberry32, uniform, TINY } from '../kernels/helpers.js';

describe('relaxed-SIMD build', () => {
  it('is chosen automatically where the host validates relaxed SIMD, and imports nothing', async () => {
    expect(await hostHasRelaxedSimd()).toBe(true);
    const k = await Kernels.load();
    expect(k.build).toBe('relaxed');
    const bytes = readFileSync(new URL('../../build/simdnet.relaxed.wasm', import.meta.url));
    expect(WebAssembly.Module.imports(new WebAssembly.Module(bytes))).toEqual([]);
    console.log(`build/simdnet.relaxed.wasm: ${bytes.length} bytes`);
    expect(bytes.length).toBeLessThanOrEqual(64 * 1024);
    expect(readFileSync(new URL('../../build/simdnet.relaxed.wat', import.meta.url), 'utf8')).toMatch(/relaxed_madd/);
  });

  for (const dtype of DTYPES) {
    it(`gemm (${dtype}) matches the twin on tail sizes, every transpose, within the accumulation bound`, async () => {
      const k = await Kernels.load({ build: 'relaxed' });
      const rng = mulberry32(11);
      let worst = 0;
      const sizes = [1, 3, 4, 5, 7, 8, 9, 17];
      for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
        for (const m of sizes) for (const n of sizes) for (const kk of [1, 3, 8, 9, 257]) {
          const a = uniform(rng, m * kk, dtype), b = uniform(rng, kk * n, dtype);
          const A = k.tensor(tA ? kk : m, tA ? m : kk, dtype, a), B = k.tensor(tB ? n : kk, tB ? kk : n, dtype, b);
          const C = k.tensor(m, n, dtype);
          k.gemm(tA, tB, 1, A, B, 0, C);
          const ref = dtype === 'float32' ? new Float64Array(m * n) : new Float64Array(m * n);
          twinGemm(tA, tB, m, n, kk, 1, Float64Array.from(a), A.cols, Float64Array.from(b), B.cols, 0, ref, n);
          const mag = new Float64Array(m * n);
          twinGemm(tA, tB, m, n, kk, 1, Float64Array.from(a, Math.abs), A.cols, Float64Array.from(b, Math.abs), B.cols, 0, mag, n);
          const got = C.data;
          for (let q = 0; q < m * n; q++) {
            const ratio = Math.abs(got[q]! - ref[q]!) / (accTol(dtype, kk) * (mag[q]! + TINY[dtype]));
            worst = Math.max(worst, ratio);
            if (ratio > 1) throw new Error(`${dtype} ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} ${m}×${n}×${kk} element ${q}: ${got[q]} vs ${ref[q]}`);
          }
          A.dispose(); B.dispose(); C.dispose();
        }
      }
      console.log(`relaxed gemm ${dtype}: worst error / bound = ${worst.toFixed(3)}`);
    });
  }

  for (const dtype of DTYPES) {
    it(`gemm (${dtype}): NN and TN with k ≤ 4 (f32: the thin-k rows) give the register tiles' bytes (the same product as A·Bᵀ, 17 rows)`, async () => {
      // relaxed_madd may fuse, so there is no exact twin here; but the thin-k rows and the tiles must fuse alike.
      const k = await Kernels.load({ build: 'relaxed' });
      const rng = mulberry32(29);
      let checked = 0;
      for (const tA of [false, true]) for (const kk of [1, 2, 3, 4]) for (const n of [8, 9, 16, 33, 400]) {
        const m = 17;
        const a = uniform(rng, m * kk, dtype), b = uniform(rng, kk * n, dtype), c = uniform(rng, m * n, dtype);
        const bT = uniform(rng, n * kk, dtype);
        for (let p = 0; p < kk; p++) for (let j = 0; j < n; j++) bT[j * kk + p] = b[p * n + j]!;
        const A = k.tensor(tA ? kk : m, tA ? m : kk, dtype, a);
        const thin = k.tensor(m, n, dtype, c), tiles = k.tensor(m, n, dtype, c);
        k.gemm(tA, false, -0.7, A, k.tensor(kk, n, dtype, b), 0.5, thin);
        k.gemm(tA, true, -0.7, A, k.tensor(n, kk, dtype, bT), 0.5, tiles);
        expect(Buffer.from(thin.data.buffer, thin.data.byteOffset, thin.data.byteLength).equals(Buffer.from(tiles.data.buffer, tiles.data.byteOffset, tiles.data.byteLength)), `${tA ? 'T' : 'N'}N ${m}×${n}×${kk}`).toBe(true);
        checked++;
        k.disposeAll();
      }
      expect(checked).toBe(40);
    });
  }

  it('trains a small float64 net to within 1e-9 of the simd build (only rounding differs)', async () => {
    const rng = mulberry32(5);
    const X = Array.from({ length: 40 }, () => Array.from({ length: 5 }, () => rng() * 2 - 1));
    const Y = X.map((x) => (x[0]! * x[1]! > 0 ? 1 : 0));
    const weights: Float64Array[][] = [];
    for (const build of ['simd', 'relaxed'] as const) {
      const net = await Network.create({ layers: [5, 8, 4, 1], hidden: 'tanh', dtype: 'float64', seed: 4, kernels: { build } });
      await net.fit(X, Y, { iterations: 50, learningRate: 0.5 });
      weights.push(net.getWeights().map((w) => w.W as Float64Array));
      net.dispose();
    }
    let worst = 0;
    weights[0]!.forEach((w, l) => w.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - weights[1]![l]![i]!)); }));
    console.log(`relaxed vs simd, float64 weights after 50 steps: max |Δ| = ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-9);
  });
});
