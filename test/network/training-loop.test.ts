// The training loop as library users meet it: fit continues, one owner of the training state, the epoch's
// shuffle and cost, Adam's step count, fitDataset = fit, abort. Each test names the bug it exists to catch.
import { describe, expect, it } from 'vitest';
import { Network, type NetworkOptions } from '../../src/network.js';
import type { FitOptions } from '../../src/index.js';
import { NumpyRandom } from '../../src/rng.js';
import { mulberry32, randomRows, weightBytes } from './helpers.js';

const rng = mulberry32(11);
const M = 23; // not a multiple of any batch size used here: every epoch ends with a short batch
const X = randomRows(rng, M, 3);
const Y = X.map(([a, b, c]) => (a! + 0.5 * b! - c! > 0 ? 1 : 0));
const Y3 = X.map(([a, b]) => (a! > 0.3 ? 2 : b! > 0 ? 1 : 0));
const BIN: NetworkOptions = { layers: [3, 5, 4, 1], hidden: 'tanh', dtype: 'float64', seed: 4, rng: 'numpy' };
const SOFT: NetworkOptions = { layers: [3, 6, 3], hidden: 'relu', dtype: 'float32', seed: 9 };

const bytes = (net: Network): Buffer => Buffer.from(net.save().slice(0)).subarray(0);
void bytes;

async function pair(opts: NetworkOptions): Promise<[Network, Network]> {
  return [await Network.create(opts), await Network.create(opts)];
}

describe('fit continues where the last fit stopped', () => {
  const cases: [string, NetworkOptions, number[], FitOptions][] = [
    ['gd, full batch', BIN, Y, { optimizer: 'gd', learningRate: 0.3 }],
    ['gd, mini-batches, shuffled', BIN, Y, { optimizer: 'gd', learningRate: 0.3, batchSize: 5 }],
    ['momentum, mini-batches, dropout', BIN, Y, { optimizer: 'momentum', learningRate: 0.1, batchSize: 4, keepProb: 0.8 }],
    ['adam, mini-batches, dropout, L2, decay', SOFT, Y3, { optimizer: 'adam', learningRate: 0.01, batchSize: 6, keepProb: 0.7, l2: 0.1, decay: { type: 'inverseTime', rate: 0.5 } }],
    ['rmsprop, full batch shuffled', SOFT, Y3, { optimizer: 'rmsprop', learningRate: 0.01, shuffle: true }],
  ];
  for (const [name, opts, labels, fit] of cases) {
    it(`${name}: fit({ epochs: 1 }) three times = fit({ epochs: 3 }), byte for byte`, async () => {
      const [a, b] = await pair(opts);
      try {
        const h = await a.fit(X, labels, { ...fit, epochs: 3, costEvery: 1 });
        const parts = [];
        for (let e = 0; e < 3; e++) parts.push(await b.fit(X, labels, { ...fit, epochs: 1, costEvery: 1 }));
        expect(weightBytes(b).equals(weightBytes(a))).toBe(true);
        // History counts absolutely: the second call's record is epoch 1, its iterations go on.
        expect(parts.map((p) => p.costs[0]!.epoch)).toEqual([0, 1, 2]);
        expect(parts.map((p) => p.costs[0]!.cost)).toEqual(h.costs.map((c) => c.cost));
        expect(parts[2]!.epochs).toBe(3);
        expect(parts[2]!.iterations).toBe(h.iterations);
        expect(a.trainingProgress).toEqual({ iteration: h.iterations, epoch: 3 });
      } finally {
        a.dispose();
        b.dispose();
      }
    });
  }

  it('iterations that stop mid-epoch continue from the same batch: 5 + 7 steps = 12 steps', async () => {
    const [a, b] = await pair(SOFT);
    try {
      const fit: FitOptions = { optimizer: 'adam', learningRate: 0.01, batchSize: 4, keepProb: 0.9 };
      await a.fit(X, Y3, { ...fit, iterations: 12 });
      await b.fit(X, Y3, { ...fit, iterations: 5 });
      await b.fit(X, Y3, { ...fit, iterations: 7 });
      expect(weightBytes(b).equals(weightBytes(a))).toBe(true);
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('reset: true (or resetTraining()) starts afresh: the same as a new network from the same weights', async () => {
    const [a, b] = await pair(SOFT);
    try {
      const fit: FitOptions = { optimizer: 'adam', learningRate: 0.01, batchSize: 5 };
      await a.fit(X, Y3, { ...fit, epochs: 2 });
      b.setWeights(a.getWeights());
      await a.fit(X, Y3, { ...fit, epochs: 2, reset: true });
      await b.fit(X, Y3, { ...fit, epochs: 2 });
      expect(weightBytes(b).equals(weightBytes(a))).toBe(true);
      expect(a.trainingProgress.epoch).toBe(2);
      a.resetTraining();
      expect(a.trainingProgress).toEqual({ iteration: 0, epoch: 0 });
      await expect(a.fit(X, Y3, { ...fit, epochs: 1, seed: 77 })).resolves.toBeTruthy();
      // A different seed without reset would silently change the streams: refused.
      await expect(a.fit(X, Y3, { ...fit, epochs: 1, seed: 78 })).rejects.toThrow(/training continues with seed 77; pass reset: true/);
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});

describe('one owner of training state: trainers do not interfere', () => {
  it('a second trainer is refused while one is open, and the first trains exactly as alone', async () => {
    const [a, b] = await pair(SOFT);
    try {
      const fit: FitOptions = { optimizer: 'adam', learningRate: 0.01, batchSize: 5, keepProb: 0.8 };
      const ta = a.trainer(X, Y3, fit);
      const tb = b.trainer(X, Y3, fit);
      for (let i = 0; i < 3; i++) { ta.step(); tb.step(); }
      expect(() => a.trainer(X, Y3, fit)).toThrow(/already training .*dispose the trainer/);
      await expect(a.fit(X, Y3, { ...fit, epochs: 1 })).rejects.toThrow(/already training/);
      expect(() => a.resetTraining()).toThrow(/while a trainer or fit is open/);
      for (let i = 0; i < 5; i++) { ta.step(); tb.step(); }
      expect(weightBytes(a).equals(weightBytes(b))).toBe(true);
      ta.dispose();
      tb.dispose();
      // The state stays with the network: a trainer opened later continues it, as fit does.
      const [c] = await pair(SOFT);
      const tc = c.trainer(X, Y3, fit);
      for (let i = 0; i < 8; i++) tc.step();
      tc.dispose();
      const tc2 = c.trainer(X, Y3, fit);
      const ta2 = a.trainer(X, Y3, fit);
      for (let i = 0; i < 4; i++) { tc2.step(); ta2.step(); }
      expect(tc2.iteration).toBe(12);
      expect(weightBytes(a).equals(weightBytes(c))).toBe(true);
      tc2.dispose();
      ta2.dispose();
      c.dispose();
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});

describe('a session that never steps changes nothing', () => {
  it("a trainer with another optimiser, opened and disposed without a step, leaves Adam's moments and t as they were", async () => {
    const [a, b] = await pair(SOFT);
    try {
      const fit: FitOptions = { optimizer: 'adam', learningRate: 0.01, batchSize: 5 };
      await a.fit(X, Y3, { ...fit, epochs: 1 });
      await b.fit(X, Y3, { ...fit, epochs: 1 });
      a.trainer(X, Y3, { optimizer: 'gd', batchSize: 3, keepProb: 0.5 }).dispose();
      await expect(a.fit(X, Y3, { ...fit, epochs: 1, seed: 12345 })).rejects.toThrow(/training continues with seed/);
      await a.fit(X, Y3, { ...fit, epochs: 2 });
      await b.fit(X, Y3, { ...fit, epochs: 2 });
      expect(weightBytes(a).equals(weightBytes(b))).toBe(true);
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});

describe('the epoch loop', () => {
  it('epoch e is shuffled with NumpyRandom(seed + e + 1).permutation(m), a new order every epoch', async () => {
    // fitDataset with shuffle off and chunks of one batch is fit on those batches in that order; the test
    // builds the orders itself from the numpy stream (checked against numpy in test/rng.test.ts).
    const [a, b] = await pair(BIN);
    try {
      const B = 5;
      const fit = { optimizer: 'gd' as const, learningRate: 0.5, batchSize: B, seed: 21 };
      await a.fit(X, Y, { ...fit, epochs: 3 });
      const chunks = (epoch: number) => {
        const order = Array.from(new NumpyRandom(21 + epoch + 1).permutation(M));
        const out = [];
        for (let s = 0; s < M; s += B) {
          const idx = order.slice(s, s + B);
          out.push({ X: idx.map((i) => X[i]!), Y: idx.map((i) => Y[i]!) });
        }
        return out;
      };
      await b.fitDataset(chunks, { ...fit, epochs: 3, shuffle: false });
      expect(weightBytes(b).equals(weightBytes(a))).toBe(true);
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it("the epoch's cost is the size-weighted mean of its batches' costs", async () => {
    const [a, b] = await pair(BIN);
    try {
      const fit: FitOptions = { optimizer: 'gd', learningRate: 0.5, batchSize: 10, seed: 3 };
      const h = await a.fit(X, Y, { ...fit, epochs: 2, costEvery: 1 });
      const t = b.trainer(X, Y, fit);
      const means: number[] = [];
      for (let e = 0; e < 2; e++) {
        // Batches of 10, 10, 3: a plain mean of the three would weigh the 3 like the 10s.
        const costs = [t.step(true) * 10, t.step(true) * 10, t.step(true) * 3];
        means.push((costs[0]! + costs[1]! + costs[2]!) / M);
      }
      t.dispose();
      expect(h.costs.map((c) => c.cost)).toEqual(means);
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it("Adam's t counts steps, not epochs: mini-batch Adam equals a hand-written course loop", async () => {
    const opts: NetworkOptions = { layers: [3, 4, 1], hidden: 'tanh', dtype: 'float64', seed: 5, rng: 'numpy' };
    const [a, ref] = await pair(opts);
    try {
      const h = { learningRate: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
      const B = 8;
      await a.fit(X, Y, { optimizer: 'adam', ...h, batchSize: B, epochs: 3, seed: 2 });
      const state = ref.getWeights().map((l) => ({ W: Float64Array.from(l.W), b: Float64Array.from(l.b),
        vW: new Float64Array(l.W.length), vb: new Float64Array(l.b.length), sW: new Float64Array(l.W.length), sb: new Float64Array(l.b.length) }));
      let t = 0;
      for (let epoch = 0; epoch < 3; epoch++) {
        const order = Array.from(new NumpyRandom(2 + epoch + 1).permutation(M));
        for (let s = 0; s < M; s += B) {
          const idx = order.slice(s, s + B);
          // The analytic gradient of this batch, from the library's backprop (checked numerically elsewhere).
          const grads = new Map(ref.gradientCheck(idx.map((i) => X[i]!), idx.map((i) => Y[i]!), { worst: Infinity }).worst.map((w) => [`${w.parameter}[${w.index}]`, w.analytic]));
          t++;
          state.forEach((l, i) => {
            for (const [p, v, sq, name] of [[l.W, l.vW, l.sW, 'W'], [l.b, l.vb, l.sb, 'b']] as const) {
              for (let q = 0; q < p.length; q++) {
                const g = grads.get(`${name}${i + 1}[${q}]`)!;
                v[q] = h.beta1 * v[q]! + (1 - h.beta1) * g;
                sq[q] = h.beta2 * sq[q]! + (1 - h.beta2) * g * g;
                p[q]! -= h.learningRate * (v[q]! / (1 - h.beta1 ** t)) / (Math.sqrt(sq[q]! / (1 - h.beta2 ** t)) + h.epsilon);
              }
            }
          });
          ref.setWeights(state);
        }
      }
      const got = a.getWeights();
      state.forEach((l, i) => l.W.forEach((e, q) => expect(Math.abs(got[i]!.W[q]! - e), `W${i + 1}[${q}]`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(e)))));
    } finally {
      a.dispose();
      ref.dispose();
    }
  });

  it('batchSize above m is one batch of all, as in Keras and PyTorch', async () => {
    const [a, b] = await pair(BIN);
    try {
      await a.fit(X, Y, { iterations: 5, batchSize: 1000, learningRate: 0.3 });
      await b.fit(X, Y, { iterations: 5, learningRate: 0.3 });
      expect(weightBytes(a).equals(weightBytes(b))).toBe(true);
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('an AbortSignal stops fit at the next step with stopped: aborted', async () => {
    const net = await Network.create(BIN);
    try {
      const ctl = new AbortController();
      const h = await net.fit(X, Y, { iterations: 100000, costEvery: 10, signal: ctl.signal, onProgress: (p) => { if (p.iteration >= 30) ctl.abort(); } });
      expect(h.stopped).toBe('aborted');
      expect(h.iterations).toBeGreaterThanOrEqual(30);
      expect(h.iterations).toBeLessThanOrEqual(31);
    } finally {
      net.dispose();
    }
  });
});

describe("fit's fast path for typed arrays", () => {
  it('{ data: Float32Array | Float64Array, shape } trains byte for byte as the same rows as number[][] (full batch, mini-batches)', async () => {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const batchSize of [undefined, 5]) {
        const opts: NetworkOptions = { ...SOFT, dtype };
        const [a, b] = await pair(opts);
        const c = await Network.create(opts);
        try {
          const fit: FitOptions = { optimizer: 'adam', learningRate: 0.01, epochs: 3, ...(batchSize ? { batchSize } : {}) };
          await a.fit(X, Y3, fit);
          await b.fit({ data: Float64Array.from(X.flat()), shape: [M, 3] }, Y3, fit);
          expect(weightBytes(b).equals(weightBytes(a)), `${dtype} batch ${batchSize}`).toBe(true);
          if (dtype === 'float32') {
            await c.fit({ data: Float32Array.from(X.flat()), shape: [M, 3] }, Y3, fit);
            const d = await Network.create(opts);
            await d.fit(X.map((r) => r.map(Math.fround)), Y3, fit);
            expect(weightBytes(c).equals(weightBytes(d))).toBe(true);
            d.dispose();
          }
          // A bad value still gets the general path's message.
          const bad = Float64Array.from(X.flat());
          bad[3 * 7 + 2] = NaN;
          await expect(b.fit({ data: bad, shape: [M, 3] }, Y3, fit)).rejects.toThrow(/X example 7 feature 2 is NaN/);
        } finally {
          a.dispose();
          b.dispose();
          c.dispose();
        }
      }
    }
  });
});

describe('fitDataset: data that is never all in memory', () => {
  it('with shuffle off and the same batches in the same order it equals fit byte for byte (any optimiser, dropout)', async () => {
    for (const optimizer of ['gd', 'momentum', 'adam'] as const) {
      const [a, b] = await pair(SOFT);
      try {
        const fit = { optimizer, learningRate: 0.02, batchSize: 4, keepProb: 0.8, shuffle: false };
        const h = await a.fit(X, Y3, { ...fit, epochs: 3, costEvery: 1 });
        // Chunks of two batches, async, produced one at a time; the last chunk holds the short tail.
        async function* chunks(): AsyncGenerator<{ X: number[][]; Y: number[] }> {
          for (let s = 0; s < M; s += 8) {
            await new Promise((r) => setTimeout(r, 0));
            yield { X: X.slice(s, s + 8), Y: Y3.slice(s, s + 8) };
          }
        }
        const d = await b.fitDataset(() => chunks(), { ...fit, epochs: 3, costEvery: 1 });
        expect(weightBytes(b).equals(weightBytes(a)), optimizer).toBe(true);
        expect(d.costs.map((c) => c.cost)).toEqual(h.costs.map((c) => c.cost));
        expect(d.iterations).toBe(h.iterations);
        expect(d.epochs).toBe(3);
      } finally {
        a.dispose();
        b.dispose();
      }
    }
  });

  it('takes a re-iterable source, validation, early stopping and rejects bad chunks and options', async () => {
    const net = await Network.create(SOFT);
    try {
      const source = [{ X: X.slice(0, 12), Y: Y3.slice(0, 12) }, { X: X.slice(12), Y: new Int32Array(Y3.slice(12)) }];
      const h = await net.fitDataset(source, { epochs: 4, learningRate: 0.05, optimizer: 'adam', validation: { X, Y: Y3 }, costEvery: 1 });
      expect(h.costs.length).toBe(4);
      expect(h.costs.every((c) => Number.isFinite(c.validationCost))).toBe(true);
      await expect(net.fitDataset([{ X, Y: Y3 }], { epochs: 1, iterations: 3 } as never)).rejects.toThrow(/unknown fitDataset option 'iterations'/);
      await expect(net.fitDataset([{ X } as never], { epochs: 1 })).rejects.toThrow(/chunk 0 of epoch \d+ is not \{ X, Y \}/);
      await expect(net.fitDataset(() => [], { epochs: 1 })).rejects.toThrow(/gave no chunks/);
      await expect(net.fitDataset(42 as never)).rejects.toThrow(/needs a function returning an \(async\) iterable/);
    } finally {
      net.dispose();
    }
  });
});
