// Consecutive full-batch steps share their passes over X (assembly/net.ts prepareNext): one step's dW¹ and
// W¹ update and the next step's W¹·X read each block of X once. Whatever the sizes, optimiser or build,
// training must give the bytes of separate steps, and the shared path must really be taken where it can be.
import { afterEach, describe, expect, it } from 'vitest';
import { Network, type NetworkOptions } from '../../src/network.js';
import { sessionInternals } from '../../src/network/session.js';
import type { FitOptions, History } from '../../src/index.js';
import type { Build } from '../../src/runtime/load.js';
import { mulberry32, weightBytes } from './helpers.js';

const defaultMinBytes = sessionInternals.prepareMinBytes;
afterEach(() => { sessionInternals.prepareMinBytes = defaultMinBytes; });


/** m examples of n features in [-1, 1), examples-first, and 0/1 labels from a fixed rule. */
function data(n: number, m: number, seed: number): { X: { data: Float64Array; shape: [number, number] }; Y: number[] } {
  const rng = mulberry32(seed);
  const X = Float64Array.from({ length: m * n }, () => 2 * rng() - 1);
  const Y = Array.from({ length: m }, (_, e) => (X[e * n]! + 0.3 * X[e * n + n - 1]! > 0 ? 1 : 0));
  return { X: { data: X, shape: [m, n] }, Y };
}

interface Run { bytes: Buffer; history: History; passes: number }

async function train(opts: NetworkOptions, X: unknown, Y: unknown, fit: FitOptions, shared: boolean): Promise<Run> {
  sessionInternals.prepareMinBytes = shared ? 0 : Infinity;
  const before = sessionInternals.sharedPasses;
  const net = await Network.create(opts);
  try {
    if (typeof opts.kernels === 'object' && 'threads' in opts.kernels) expect(net.kernels.threads, net.kernels.threadsFallback ?? '').toBe(opts.kernels.threads);
    const history = await net.fit(X as never, Y as never, fit);
    return { bytes: weightBytes(net), history, passes: sessionInternals.sharedPasses - before };
  } finally {
    net.dispose();
    // A network made from load options owns its kernels: end a threads build's workers.
    await net.kernels.dispose?.();
  }
}

/**
 * Trains with sharing forced off (`opts`) and forced on (`sharedOpts`, default `opts`), and checks that the
 * shared run took `passes` shared passes and ended with the same weight bytes and costs.
 */
async function expectSame(what: string, opts: NetworkOptions, X: unknown, Y: unknown, fit: FitOptions, passes: number, sharedOpts = opts): Promise<Run> {
  const separate = await train(opts, X, Y, fit, false);
  const shared = await train(sharedOpts, X, Y, fit, true);
  expect(separate.passes, what).toBe(0);
  expect(shared.passes, what).toBe(passes);
  expect(shared.bytes.equals(separate.bytes), what).toBe(true);
  expect(shared.history.costs, what).toEqual(separate.history.costs);
  expect(shared.history.iterations, what).toBe(separate.history.iterations);
  expect(shared.history.stopped, what).toBe(separate.history.stopped);
  return shared;
}

// 7 iterations with a record at the first: fit's quiet run is steps(6), of which 5 prepare the next.
const FIT: FitOptions = { optimizer: 'gd', learningRate: 0.5, iterations: 7, costEvery: 7 };
const BUILDS: Build[] = ['simd', 'scalar'];

describe('shared passes over X give the bytes of separate steps', () => {
  // Features around the k blocks (128) and the dot-product path's column limit (8: 135 leaves a 7-wide tail);
  // hidden units below and above the tile path's 16 rows; examples from 2 (the least that shares) up.
  const features = [1, 3, 8, 9, 127, 128, 129, 135, 263];
  // 300 examples: dW¹'s A·Bᵀ then has k > 256 and sums in several k blocks.
  const shapes: [number, number][] = [[1, 2], [4, 3], [17, 37], [20, 9], [17, 300]];
  for (const build of BUILDS) {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`${build} build, ${dtype}: features ${features.join(', ')} × (units, examples) ${shapes.map((s) => `(${s})`).join(' ')}`, async () => {
        for (const n of features) {
          for (const [units, m] of shapes) {
            const opts: NetworkOptions = { layers: [n, units, 1], hidden: 'relu', dtype, seed: n + units, kernels: { build } };
            const { X, Y } = data(n, m, n * 31 + m);
            // float64 steps never share (the f64 twin would not fit the module's 64 KiB): same bytes, no passes.
            await expectSame(`${n} features, ${units} units, ${m} examples`, opts, X, Y, FIT, dtype === 'float32' ? 5 : 0);
          }
        }
      });
    }
  }

  const optimisers: [string, FitOptions][] = [
    ['gd with L2', { optimizer: 'gd', learningRate: 0.3, l2: 0.7 }],
    ['momentum with dropout', { optimizer: 'momentum', learningRate: 0.1, keepProb: 0.8 }],
    ['rmsprop with L2 and decay', { optimizer: 'rmsprop', learningRate: 0.01, l2: 0.2, decay: { type: 'inverseTime', rate: 0.3 } }],
    ['adam with L2, dropout and decay', { optimizer: 'adam', learningRate: 0.01, l2: 0.1, keepProb: 0.7, decay: { type: 'inverseTime', rate: 0.5 } }],
  ];
  for (const [name, fit] of optimisers) {
    for (const build of BUILDS) {
      it(`${name}, ${build} build: a softmax net over 133 features`, async () => {
        const { X } = data(133, 41, 5);
        const Y = Array.from({ length: 41 }, (_, e) => e % 3);
        const opts: NetworkOptions = { layers: [133, 18, 6, 3], hidden: 'tanh', dtype: 'float32', seed: 8, kernels: { build } };
        const all: FitOptions = { ...fit, iterations: 12, costEvery: 6 };
        // Records at 0 and 6: two quiet runs of 5 steps, 4 prepared in each.
        await expectSame(name, opts, X, Y, all, 8);
      });
    }
  }
});

describe('one-layer nets (logistic and softmax regression: layer 1 is the output layer)', () => {
  for (const build of BUILDS) {
    it(`${build} build: [n, 1] sigmoid and [n, 3] softmax over 1, 9, 135 and 263 features`, async () => {
      for (const n of [1, 9, 135, 263]) {
        for (const outputs of [1, 3]) {
          const { X, Y: Y01 } = data(n, 23, n + outputs);
          const Y = outputs === 1 ? Y01 : Y01.map((v, e) => (v + e) % 3);
          const opts: NetworkOptions = { layers: [n, outputs], dtype: 'float32', seed: n, kernels: { build } };
          await expectSame(`[${n}, ${outputs}]`, opts, X, Y, FIT, 5);
        }
      }
    });
  }
});

describe('fit with a signal (fitInWorker, abortable fits)', () => {
  it('still shares passes, in chunks between looks at the event loop, with the same bytes', async () => {
    const { X, Y } = data(140, 30, 10);
    const opts: NetworkOptions = { layers: [140, 20, 1], hidden: 'relu', dtype: 'float32', seed: 9 };
    const fit: FitOptions = { ...FIT, iterations: 40, costEvery: 40 };
    const separate = await train(opts, X, Y, fit, false);
    const shared = await train(opts, X, Y, { ...fit, signal: new AbortController().signal }, true);
    // One step alone first (its time sizes the chunks), then the other 38 quiet steps in chunks.
    expect(shared.passes).toBeGreaterThanOrEqual(30);
    expect(shared.bytes.equals(separate.bytes)).toBe(true);
    expect(shared.history.costs).toEqual(separate.history.costs);
  });
});

describe('where the steps cannot share a pass, they do not, and train the same', () => {
  it('one example (W¹·x is a matrix-vector product, not split by k block)', async () => {
    const { X, Y } = data(140, 1, 3);
    const opts: NetworkOptions = { layers: [140, 20, 1], hidden: 'relu', dtype: 'float32', seed: 2 };
    await expectSame('one example', opts, X, Y, FIT, 0);
  });

  it('mini-batches and shuffled full batches (X changes between steps)', async () => {
    const { X, Y } = data(130, 24, 4);
    const opts: NetworkOptions = { layers: [130, 17, 1], hidden: 'relu', dtype: 'float32', seed: 3 };
    for (const fit of [{ ...FIT, batchSize: 8 }, { ...FIT, shuffle: true }]) {
      await expectSame(JSON.stringify(fit), opts, X, Y, fit, 0);
    }
  });

  it('the threads build ignores the request (its pool splits both products instead)', async () => {
    const { X, Y } = data(129, 37, 6);
    const opts: NetworkOptions = { layers: [129, 20, 1], hidden: 'relu', dtype: 'float32', seed: 4, kernels: { build: 'simd' } };
    // train() checks that the network really runs on 2 threads (no fallback to one).
    await expectSame('threads', opts, X, Y, FIT, 0, { ...opts, kernels: { build: 'simd', threads: 2 } });
  });

  it('a batch whose size makes the rounding bound unusable (m·u > 1/8) takes the exact check, same bytes', async () => {
    // 2^21 + 5 examples of one feature in float32: the bound on dW¹ is refused, and dW¹ is computed after
    // the backward pass instead (planTrainStep's fallback).
    const m = 2 ** 21 + 5;
    const rng = mulberry32(12);
    const X = { data: Float32Array.from({ length: m }, () => 2 * rng() - 1), shape: [m, 1] as [number, number] };
    const Y = Float32Array.from(X.data, (v) => (v > 0.1 ? 1 : 0));
    const opts: NetworkOptions = { layers: [1, 3, 1], hidden: 'tanh', dtype: 'float32', seed: 6 };
    const fit: FitOptions = { ...FIT, iterations: 4, costEvery: 4 };
    await expectSame('m = 2^21 + 5', opts, X, Y, fit, 0);
  });

  it('training that diverges stops at the same step with the same weights', async () => {
    const { X, Y } = data(131, 19, 8);
    const opts: NetworkOptions = { layers: [131, 20, 1], hidden: 'relu', dtype: 'float32', seed: 5 };
    // lr 1000 diverges at the 9th step, after 7 shared passes: the step that fails had been asked to prepare.
    const fit: FitOptions = { ...FIT, learningRate: 1000, iterations: 30, costEvery: 30 };
    const shared = await expectSame('diverging', opts, X, Y, fit, 7);
    expect(shared.history.stopped).toBe('diverged');
    expect(shared.history.iterations).toBe(9);
  });
});

describe('trainer.steps', () => {
  it('n steps = n step() calls, byte for byte, and rejects a bad count', async () => {
    sessionInternals.prepareMinBytes = 0;
    const { X, Y } = data(200, 30, 9);
    const opts: NetworkOptions = { layers: [200, 20, 4, 1], hidden: 'relu', dtype: 'float32', seed: 7 };
    const [a, b] = [await Network.create(opts), await Network.create(opts)];
    try {
      const fit: FitOptions = { optimizer: 'adam', learningRate: 0.01 };
      const ta = a.trainer(X, Y, fit);
      const tb = b.trainer(X, Y, fit);
      const before = sessionInternals.sharedPasses;
      ta.steps(9);
      expect(sessionInternals.sharedPasses - before).toBe(8);
      for (let i = 0; i < 9; i++) tb.step();
      expect(ta.iteration).toBe(9);
      expect(weightBytes(a).equals(weightBytes(b))).toBe(true);
      for (const bad of [-1, 1.5, NaN]) expect(() => ta.steps(bad)).toThrow(/steps count/);
      ta.dispose();
      tb.dispose();
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});
