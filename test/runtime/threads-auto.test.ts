// threads: 'auto' (src/runtime/threads.ts autoThreads): one thread for small nets and single-core hosts,
// min(hardware threads, 4) otherwise; Kernels.load resolves it before loading.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { Kernels } from '../../src/kernels.js';
import { AUTO_MAX_THREADS, AUTO_MIN_LAYER_PARAMS, autoThreads } from '../../src/runtime/threads.js';

describe("threads: 'auto'", () => {
  it('small nets and one-core hosts stay on one thread; large nets get min(cores, 4)', () => {
    expect(AUTO_MIN_LAYER_PARAMS).toBe(32768);
    expect(autoThreads(2 * 4, 2)).toBe(1); // planar [2,4,1]
    expect(autoThreads(64 * 64, 8)).toBe(1); // [4,64,64,1]
    expect(autoThreads(AUTO_MIN_LAYER_PARAMS - 1, 2)).toBe(1);
    expect(autoThreads(AUTO_MIN_LAYER_PARAMS, 2)).toBe(2);
    expect(autoThreads(784 * 128, 2)).toBe(2); // MNIST-sized MLP
    expect(autoThreads(12288 * 20, 16)).toBe(AUTO_MAX_THREADS); // cat
    expect(autoThreads(12288 * 20, 3)).toBe(3);
    expect(autoThreads(12288 * 20, 1)).toBe(1);
    expect(autoThreads(undefined, 2)).toBe(2); // no net in view: counted as large
  });

  it('rejects a bad autoLayerParams', () => {
    for (const bad of [-1, NaN, Infinity, '100' as unknown as number]) {
      expect(() => autoThreads(bad, 2)).toThrow(/autoLayerParams must be a non-negative number/);
    }
  });

  it('Kernels.load resolves it: a small net loads one thread, a large one the pool; unknown keys still rejected', async () => {
    const small = await Kernels.load({ threads: 'auto', autoLayerParams: 8 });
    expect(small.threads).toBe(1);
    expect(small.threadsFallback).toBe(null);
    await small.dispose();
    const large = await Kernels.load({ threads: 'auto', autoLayerParams: 784 * 128 });
    try {
      expect(large.threads).toBe(Math.min(availableParallelism(), AUTO_MAX_THREADS));
    } finally {
      await large.dispose();
    }
    await expect(Kernels.load({ threads: 'auto', autoLayerParam: 5 } as never)).rejects.toThrow(/autoLayerParam/);
  });
});

describe("Network.create with kernels: { threads: 'auto' }", () => {
  it('weighs the network itself: the planar net stays on one thread, the MLP gets the cores (up to 4)', async () => {
    const { Network } = await import('../../src/network.js');
    const { availableParallelism } = await import('node:os');
    const small = await Network.create({ layers: [2, 4, 1], kernels: { threads: 'auto' } });
    const large = await Network.create({ layers: [784, 128, 64, 10], kernels: { threads: 'auto' } });
    try {
      expect(small.kernels.threads).toBe(1);
      expect(large.kernels.threads).toBe(Math.min(availableParallelism(), AUTO_MAX_THREADS));
    } finally {
      small.dispose();
      large.dispose();
    }
  });
});
