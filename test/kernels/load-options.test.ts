// Kernels.load rejects what it would otherwise ignore: unknown option names (`thread` for `threads`
// used to load one thread without a word), null or non-object options, unknown threadTuning keys.
import { describe, expect, it } from 'vitest';
import { Kernels } from '../../src/kernels.js';
import type { LoadOptions } from '../../src/runtime/load.js';

const load = (options: unknown): Promise<Kernels> => Kernels.load(options as LoadOptions);

describe('Kernels.load options', () => {
  it('rejects an unknown option, naming it and the known ones', async () => {
    await expect(load({ thread: 2 })).rejects.toThrow(
      "simdnet: unknown Kernels.load option 'thread'; expected build, source, wasmUrl, threads, autoLayerParams, threadTuning");
    await expect(load({ build: 'scalar', Build: 'simd' })).rejects.toThrow(/unknown Kernels\.load option 'Build'/);
    // Present but undefined is still a misspelling.
    await expect(load({ build: 'scalar', thraeds: undefined })).rejects.toThrow(/unknown Kernels\.load option 'thraeds'/);
  });

  it('rejects null and non-object options', async () => {
    await expect(load(null)).rejects.toThrow('simdnet: Kernels.load options must be an object, got null');
    await expect(load(2)).rejects.toThrow('simdnet: Kernels.load options must be an object, got number');
    await expect(load('simd')).rejects.toThrow('simdnet: Kernels.load options must be an object, got string');
    await expect(load(['simd'])).rejects.toThrow('simdnet: Kernels.load options must be an object, got an array');
  });

  it('rejects unknown and null threadTuning', async () => {
    await expect(load({ threads: 2, threadTuning: { minwork: 1 } })).rejects.toThrow(
      "simdnet: unknown Kernels.load threadTuning option 'minwork'; expected minWork, spinMs, maximumPages, callerComputes");
    await expect(load({ threads: 2, threadTuning: null })).rejects.toThrow(/threadTuning options must be an object, got null/);
  });

  it('accepts every known option and no options at all', async () => {
    expect((await Kernels.load()).build).toMatch(/^(simd|relaxed|scalar)$/);
    expect((await Kernels.load(undefined)).threads).toBe(1);
    const k = await Kernels.load({ build: 'scalar', threads: 1, threadTuning: { minWork: 1, spinMs: 0, callerComputes: true } });
    expect(k.build).toBe('scalar');
    expect(k.threads).toBe(1);
  });
});
