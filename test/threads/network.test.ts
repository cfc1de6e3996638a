// A Network on threaded kernels trains to the same bytes as on one thread: the cat L-layer shape
// (the GEMMs the pool splits with its default threshold), and smaller nets with every product split
// (adam, L2, dropout, shuffled mini-batches, softmax, f64, parallel optimiser updates), computed by the workers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernels } from '../../src/kernels.js';
import { Network, type NetworkOptions } from '../../src/network.js';
import type { FitOptions } from '../../src/train/options.js';
import { autoBuild } from '../runtime/host.js';
import { bytesOf, firstDifference, mulberry32 } from './helpers.js';

let single: Kernels;
let threaded: Kernels;
let splitAll: Kernels;

beforeAll(async () => {
  // 'auto' on both sides: the simd build, or relaxed SIMD where the host has it (Node 21 and later).
  single = await Kernels.load({ build: autoBuild });
  threaded = await Kernels.load({ threads: 2 });
  expect(threaded.build).toBe(autoBuild);
  // Every product split, and every block computed by a worker (the caller only hands them out).
  splitAll = await Kernels.load({ threads: 2, threadTuning: { minWork: 1, spinMs: 0.2, callerComputes: false } });
  expect(threaded.threads, threaded.threadsFallback ?? '').toBe(2);
  expect(splitAll.threads).toBe(2);
});

afterAll(async () => {
  await threaded.dispose();
  await splitAll.dispose();
});

/** features-first data: n×m inputs in [0, 1), labels from a fixed random hyperplane. */
function data(n: number, m: number, classes: number, seed: number) {
  const rng = mulberry32(seed);
  const X = Float64Array.from({ length: n * m }, () => rng());
  const w = Float64Array.from({ length: n * classes }, () => rng() - 0.5);
  const labels: number[] = [];
  for (let e = 0; e < m; e++) {
    let best = 0, bestScore = -Infinity;
    for (let c = 0; c < classes; c++) {
      let s = 0;
      for (let f = 0; f < n; f++) s += w[c * n + f]! * (X[f * m + e]! - 0.5);
      if (s > bestScore) { bestScore = s; best = c; }
    }
    labels.push(classes === 1 ? (bestScore > 0 ? 1 : 0) : best);
  }
  const Y = classes === 1 ? { data: Float64Array.from(labels), shape: [1, m] as [number, number] } : labels;
  return { X: { data: X, shape: [n, m] as [number, number] }, Y };
}

async function fitBoth(options: NetworkOptions, d: ReturnType<typeof data>, fit: FitOptions, threads: Kernels) {
  const out = [];
  for (const kernels of [single, threads]) {
    const net = await Network.create({ ...options, kernels });
    const parts = kernels.workerParts;
    const history = await net.fit(d.X, d.Y as never, { layout: 'features-first', ...fit });
    out.push({ weights: net.getWeights(), costs: history.costs.map((c) => c.cost), split: kernels.workerParts - parts });
    net.dispose();
  }
  return out;
}

function expectSameWeights(a: { W: Float32Array | Float64Array; b: Float32Array | Float64Array }[], b: typeof a): void {
  expect(a.length).toBe(b.length);
  a.forEach((layer, l) => {
    expect(firstDifference(bytesOf(layer.W), bytesOf(b[l]!.W)), `W${l + 1}`).toBe(-1);
    expect(firstDifference(bytesOf(layer.b), bytesOf(b[l]!.b)), `b${l + 1}`).toBe(-1);
  });
}

describe('threaded training gives the same weights as one thread', () => {
  it('cat L-layer net [12288, 20, 7, 5, 1], m = 209, f32, full-batch GD (the default split threshold)', async () => {
    const d = data(12288, 209, 1, 1);
    const [one, two] = await fitBoth(
      { layers: [12288, 20, 7, 5, 1], hidden: 'relu', output: 'sigmoid', init: 'course', rng: 'numpy', seed: 1, dtype: 'float32' },
      d, { iterations: 12, learningRate: 0.0075, costEvery: 1 }, threaded);
    // Which thread computes which block is up to timing here; splitAll below makes the workers compute all.
    console.log(`cat net, default pool: workers computed ${two!.split} blocks`);
    expect(two!.costs).toEqual(one!.costs);
    expectSameWeights(one!.weights, two!.weights);
  });

  for (const dtype of ['float32', 'float64'] as const) {
    it(`${dtype}: adam + L2 + dropout + shuffled mini-batches, every product split`, async () => {
      const d = data(40, 150, 1, 2);
      const [one, two] = await fitBoth(
        { layers: [40, 24, 12, 1], hidden: ['relu', 'tanh'], output: 'sigmoid', seed: 3, dtype },
        d, { epochs: 4, batchSize: 32, shuffle: true, optimizer: 'adam', learningRate: 0.01, l2: 0.1, keepProb: 0.8, seed: 5, costEvery: 1 }, splitAll);
      expect(two!.split).toBeGreaterThan(0);
      expect(two!.costs).toEqual(one!.costs);
      expectSameWeights(one!.weights, two!.weights);
    });

    it(`${dtype}: softmax with momentum, every product split`, async () => {
      const d = data(17, 120, 4, 4);
      const [one, two] = await fitBoth(
        { layers: [17, 33, 4], hidden: 'leakyRelu', output: 'softmax', seed: 9, dtype },
        d, { iterations: 30, optimizer: 'momentum', learningRate: 0.05, costEvery: 5 }, splitAll);
      expect(two!.split).toBeGreaterThan(0);
      expect(two!.costs).toEqual(one!.costs);
      expectSameWeights(one!.weights, two!.weights);
    });
  }

  for (const optimizer of ['momentum', 'rmsprop', 'adam'] as const) {
    it(`${optimizer}: a first layer of 66 033 weights (an odd count) is updated in parallel blocks, f32 and f64`, async () => {
      const d = data(2001, 24, 1, 7);
      for (const dtype of ['float32', 'float64'] as const) {
        const [one, two] = await fitBoth({ layers: [2001, 33, 1], seed: 2, dtype }, d,
          { iterations: 6, optimizer, learningRate: 0.01, l2: 0.05, costEvery: 1 }, splitAll);
        expect(two!.split, 'the workers took part').toBeGreaterThan(0);
        expect(two!.costs).toEqual(one!.costs);
        expectSameWeights(one!.weights, two!.weights);
      }
    });
  }

  it('Network.create({ kernels: { threads: 2 } }) loads its own pool, and dispose() ends it', async () => {
    const net = await Network.create({ layers: [64, 16, 1], seed: 1, kernels: { threads: 2 } });
    expect(net.kernels.threads).toBe(2);
    const d = data(64, 80, 1, 6);
    const h = await net.fit(d.X, d.Y as never, { iterations: 5, learningRate: 0.1, layout: 'features-first' });
    expect(Number.isFinite(h.costs[0]!.cost)).toBe(true);
    net.dispose();
    expect(net.kernels.threads).toBe(1);
    await net.kernels.dispose(); // resolves once the workers have exited
  });

  it('a shared Kernels is not disposed by a network that uses it', async () => {
    const net = await Network.create({ layers: [8, 1], kernels: threaded });
    net.dispose();
    expect(threaded.threads).toBe(2);
  });
});
