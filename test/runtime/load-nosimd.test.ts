// Kernels.load on a host without WebAssembly SIMD (feature detection mocked to false).
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { Kernels } from '../../src/kernels.js';

vi.mock('wasm-feature-detect', () => ({ simd: async () => false, relaxedSimd: async () => false }));

describe('Kernels.load without host SIMD', () => {
  it("auto falls back to the scalar build", async () => {
    const K = await Kernels.load();
    expect(K.build).toBe('scalar');
    expect(K.exports.simd_enabled()).toBe(0);
  });

  it("build: 'simd' throws a clear Error instead of failing to compile", async () => {
    await expect(Kernels.load({ build: 'simd' })).rejects.toThrow(/this host does not support WebAssembly SIMD; load with build: "scalar" or "auto"/);
  });

  it('an explicit source is not second-guessed by feature detection', async () => {
    const K = await Kernels.load({ source: readFileSync(new URL('../../build/simdnet.scalar.wasm', import.meta.url)) });
    expect(K.build).toBe('scalar');
  });
});
