// Mini-batches are gathered from an examples-first copy of the training set (gather_rows_t: each
// example's row read contiguously, written transposed into the features-first batch buffer) instead of
// from the features-first matrix (gather_cols: one cache line per feature and example). Both are pure
// copies into the same batch buffer, in the permutation's order, so training must be byte-identical:
// every case below trains twice on the same kernels, once each way (sessionInternals.gather forces the
// old way), and compares save() bytes, weights and the whole cost history.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Kernels } from '../../src/kernels.js';
import { Network, sessionInternals, type NetworkOptions } from '../../src/network.js';
import type { FitOptions } from '../../src/train/options.js';
import { flatWeights, mulberry32, sameBits } from './helpers.js';

const BUILDS = ['simd', 'scalar'] as const;
let K: Record<(typeof BUILDS)[number], Kernels>;

beforeAll(async () => {
  K = { simd: await Kernels.load({ build: 'simd' }), scalar: await Kernels.load({ build: 'scalar' }) };
});
afterAll(() => {
  sessionInternals.gather = 'examples';
});

interface Case {
  name: string;
  net: Omit<NetworkOptions, 'dtype' | 'kernels'>;
  m: number;
  fit: FitOptions;
  /** Targets: class labels, 0/1 labels, or a real-valued matrix in the fit's layout. */
  y: 'classes' | 'binary' | 'matrix';
}

const CASES: Case[] = [
  { name: 'softmax, Adam, batch 16 (tail 5), 4 epochs', net: { layers: [13, 9, 7, 4], seed: 3 }, m: 101, y: 'classes',
    fit: { epochs: 4, batchSize: 16, optimizer: 'adam', learningRate: 0.01 } },
  { name: 'softmax, momentum, batch 9, dropout 0.8, features-first data', net: { layers: [13, 9, 7, 4], seed: 4 }, m: 101, y: 'classes',
    fit: { epochs: 4, batchSize: 9, optimizer: 'momentum', learningRate: 0.05, keepProb: 0.8, layout: 'features-first' } },
  { name: 'sigmoid, GD, batch 4, dropout 0.7, L2', net: { layers: [5, 8, 1], hidden: 'tanh', seed: 5 }, m: 77, y: 'binary',
    fit: { epochs: 5, batchSize: 4, learningRate: 0.1, keepProb: 0.7, l2: 0.1 } },
  { name: 'mini-batches without shuffling', net: { layers: [3, 4, 1], seed: 6 }, m: 50, y: 'binary',
    fit: { epochs: 3, batchSize: 7, shuffle: false, learningRate: 0.1 } },
  { name: 'the whole set, shuffled every epoch (RMSprop)', net: { layers: [8, 6, 3], seed: 7 }, m: 40, y: 'classes',
    fit: { epochs: 6, batchSize: 40, shuffle: true, optimizer: 'rmsprop', learningRate: 0.01 } },
  { name: 'one feature, linear output with 2 targets, batch 5', net: { layers: [1, 5, 2], output: 'linear', seed: 8 }, m: 33, y: 'matrix',
    fit: { epochs: 3, batchSize: 5, optimizer: 'adam', learningRate: 0.01, layout: 'features-first' } },
  { name: '784 features, batch 128 (tail 44), dropout 0.9', net: { layers: [784, 32, 10], seed: 9 }, m: 300, y: 'classes',
    fit: { epochs: 2, batchSize: 128, optimizer: 'adam', learningRate: 0.001, keepProb: 0.9 } },
  { name: 'standardised inputs, numpy rng, validation split, cost every epoch', net: { layers: [6, 5, 3], seed: 10, normalize: 'standardize', rng: 'numpy' },
    m: 60, y: 'classes', fit: { epochs: 3, batchSize: 8, optimizer: 'adam', learningRate: 0.01, validation: 0.2, costEvery: 1 } },
];

function data(c: Case) {
  const r = mulberry32(c.m * 31 + c.net.layers[0]!);
  const n = c.net.layers[0]!, nY = c.net.layers.at(-1)!;
  const ff = c.fit.layout === 'features-first';
  const X = { data: Float64Array.from({ length: c.m * n }, () => r() * 2 - 1), shape: ff ? [n, c.m] : [c.m, n] };
  const Y = c.y === 'classes' ? Array.from({ length: c.m }, () => Math.floor(r() * nY))
    : c.y === 'binary' ? Array.from({ length: c.m }, () => (r() > 0.5 ? 1 : 0))
      : { data: Float64Array.from({ length: c.m * nY }, () => r()), shape: ff ? [nY, c.m] : [c.m, nY] };
  return { X, Y };
}

/** Trains one case with the batches gathered the given way; returns save() bytes, weights and costs. */
async function train(kernels: Kernels, c: Case, dtype: 'float32' | 'float64', gather: 'examples' | 'features') {
  const { X, Y } = data(c);
  const net = await Network.create({ ...c.net, dtype, kernels });
  sessionInternals.gather = gather;
  try {
    const h = await net.fit(X, Y, c.fit);
    return { bytes: net.save(), weights: flatWeights(net.getWeights()), costs: h.costs, iterations: h.iterations };
  } finally {
    sessionInternals.gather = 'examples';
    net.dispose();
  }
}

describe('mini-batch training: examples-first gathering is byte-identical to gathering features-first columns', () => {
  for (const build of BUILDS) {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`${build} ${dtype}: ${CASES.length} fits (shuffled, several epochs, with and without dropout)`, async () => {
        for (const c of CASES) {
          const before = await train(K[build], c, dtype, 'features');
          const after = await train(K[build], c, dtype, 'examples');
          expect(after.iterations, c.name).toBe(before.iterations);
          expect(after.iterations, c.name).toBeGreaterThan(1);
          expect(sameBits(after.weights, before.weights), `${c.name}: weights`).toBe(true);
          expect(after.costs, `${c.name}: costs`).toEqual(before.costs);
          expect(Buffer.from(after.bytes).equals(Buffer.from(before.bytes)), `${c.name}: save() bytes`).toBe(true);
        }
      });
    }
  }

  it('trainer(): step-by-step costs and weights match too, and the data is freed on dispose', async () => {
    const c = CASES[1]!;
    const { X, Y } = data(c);
    const kernels = K.simd;
    const live = kernels.liveTensors;
    const run = async (gather: 'examples' | 'features') => {
      const net = await Network.create({ ...c.net, dtype: 'float32', kernels });
      sessionInternals.gather = gather;
      const t = net.trainer(X, Y, { batchSize: 9, optimizer: 'adam', learningRate: 0.01, keepProb: 0.8, layout: 'features-first' });
      sessionInternals.gather = 'examples';
      const costs: number[] = [];
      for (let i = 0; i < 40; i++) costs.push(t.step(i % 3 === 0));
      t.dispose();
      const w = flatWeights(net.getWeights());
      net.dispose();
      return { costs, w };
    };
    const a = await run('features');
    const b = await run('examples');
    expect(b.costs).toEqual(a.costs);
    expect(sameBits(b.w, a.w)).toBe(true);
    expect(kernels.liveTensors).toBe(live);
  });
});

describe('which gather runs', () => {
  it('mini-batches: two gatherRowsTransposed per step, never gatherColumns; a full unshuffled batch: no gather per step (read in place)', async () => {
    const kernels = await Kernels.load({ build: 'simd' });
    const rows = vi.spyOn(kernels, 'gatherRowsTransposed');
    const cols = vi.spyOn(kernels, 'gatherColumns');
    const c = CASES[0]!;
    const { X, Y } = data(c);
    const net = await Network.create({ ...c.net, kernels });
    try {
      const mini = net.trainer(X, Y, { batchSize: 16, optimizer: 'adam', learningRate: 0.01 });
      for (let i = 0; i < 10; i++) mini.step();
      mini.dispose();
      expect(rows).toHaveBeenCalledTimes(20);
      expect(cols).not.toHaveBeenCalled();
      // The destination of each call is features-first: features × batch.
      const [src, idx, dst] = rows.mock.calls[0]!;
      expect(src.shape).toEqual([c.m, 13]);
      expect(dst.shape).toEqual([13, idx.length]);
      rows.mockClear();
      const full = net.trainer(X, Y, { learningRate: 0.01 });
      // A typed-array X is transposed once, in WASM, when the session opens (session.ts transposedInWasm).
      const atOpen = rows.mock.calls.length;
      expect(atOpen).toBe(ArrayBuffer.isView((X as { data?: unknown }).data) ? 1 : 0);
      for (let i = 0; i < 5; i++) full.step();
      full.dispose();
      expect(rows).toHaveBeenCalledTimes(atOpen);
      expect(cols).not.toHaveBeenCalled();
    } finally {
      net.dispose();
      await kernels.dispose();
    }
  });
});
