// Determinism of the relaxed-SIMD build (run with --experimental-wasm-relaxed-simd; see vitest.config.ts).
// relaxed_madd is used in the GEMM only, and the engine may fuse it (one rounding) or not: on an FMA-capable
// x64 host V8 fuses, so every GEMM path differs from the simd build within the accumulation bound, and
// everything else is bit-identical to it. The same build twice is bit-identical. docs/determinism.md has the table.
import { describe, expect, it } from 'vitest';
import { Kernels, TRAINING_CASES, compareKernels, compareTraining, formatComparisons, trainOn } from '../reliability/determinism-probe.js';

describe('relaxed build determinism', () => {
  it('the relaxed build twice: every kernel and training run bit-identical', async () => {
    const [a, b] = [await Kernels.load({ build: 'relaxed' }), await Kernels.load({ build: 'relaxed' })];
    expect(compareKernels(a, b).filter((r) => !r.identical).map((r) => `${r.name} ${r.dtype}`)).toEqual([]);
    for (const c of TRAINING_CASES) {
      for (const dtype of ['float32', 'float64'] as const) {
        expect(Buffer.from((await trainOn(a, c, dtype)).bytes).equals(Buffer.from((await trainOn(b, c, dtype)).bytes)), `${dtype} ${c.name}`).toBe(true);
      }
    }
  });

  it('relaxed vs simd: only the GEMM differs (within 0.1 of the accumulation bound); training within 1e-5 / 1e-13 of max |w|', async () => {
    const [relaxed, simd] = [await Kernels.load({ build: 'relaxed' }), await Kernels.load({ build: 'simd' })];
    const rows = [...compareKernels(relaxed, simd), ...await compareTraining(relaxed, simd)];
    console.log(formatComparisons('relaxed vs simd', rows));
    const fused = rows.some((r) => /^gemm/.test(r.name) && !r.identical);
    console.log(`relaxed_madd is ${fused ? 'fused (FMA) on this host: GEMM results differ from the simd build' : 'not fused on this host: identical to the simd build'}`);
    for (const r of rows) {
      const what = `${r.name} ${r.dtype}`;
      if (/^gemm/.test(r.name)) expect(r.maxRatio, what).toBeLessThanOrEqual(0.1);
      else if (/^train/.test(r.name)) expect(r.maxRatio, what).toBeLessThanOrEqual(r.dtype === 'float32' ? 1e-5 : 1e-13);
      else expect(r.identical, what).toBe(true);
    }
  });
});
