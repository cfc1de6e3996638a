// The public Network API: input forms and layouts, validation errors, callbacks and history,
// validation data and early stopping, normalisers, reproducibility, and simd/scalar agreement.
import { describe, expect, it } from 'vitest';
import { Network, type NetworkOptions } from '../../src/network.js';
import type { FitOptions } from '../../src/train/options.js';
import { flatWeights, jsPredict, maxAbsDiff, mulberry32, randomRows, sameBits, type Act, type JsLayer } from './helpers.js';

const rng = mulberry32(2024);
const X = randomRows(rng, 48, 3, -2, 2);
const Y = X.map((x) => (x[0]! - x[1]! + 0.5 * x[2]! > 0 ? 1 : 0));
const Y3 = X.map((x) => (x[0]! > 0.5 ? 2 : x[1]! > 0 ? 1 : 0));
const flat = (rows: number[][]) => rows.flat();
const transpose = (rows: number[][]) => rows[0]!.map((_, j) => rows.map((r) => r[j]!));

const base: NetworkOptions = { layers: [3, 6, 1], hidden: 'tanh', dtype: 'float64', seed: 7 };
const soft: NetworkOptions = { layers: [3, 6, 3], hidden: 'relu', dtype: 'float64', seed: 7 };

async function fitted(opts: NetworkOptions, x: Parameters<Network['fit']>[0], y: Parameters<Network['fit']>[1], fit: FitOptions = {}) {
  const net = await Network.create(opts);
  const history = await net.fit(x, y, { ...(fit.epochs === undefined ? { iterations: 40 } : {}), learningRate: 0.3, ...fit });
  return { net, history };
}

async function expectSameTraining(a: Awaited<ReturnType<typeof fitted>>, b: Awaited<ReturnType<typeof fitted>>) {
  try {
    expect(sameBits(flatWeights(a.net.getWeights()), flatWeights(b.net.getWeights()))).toBe(true);
    expect(a.history.costs.map((c) => c.cost)).toEqual(b.history.costs.map((c) => c.cost));
  } finally {
    a.net.dispose();
    b.net.dispose();
  }
}

describe('input forms and layouts', () => {
  it('number[][] and { data, shape } (number[], Float64Array, Float32Array of f32 values) train identically', async () => {
    const rows = await fitted(base, X, Y);
    const mat = await fitted(base, { data: Float64Array.from(flat(X)), shape: [48, 3] }, { data: Y, shape: [48, 1] });
    await expectSameTraining(rows, mat);
    const plain = await fitted(base, { data: flat(X), shape: [48, 3] }, Y);
    const again = await fitted(base, X, Y.map((y) => [y]));
    await expectSameTraining(plain, again);
    const x32 = X.map((r) => r.map(Math.fround));
    const f32rows = await fitted(base, x32, Y);
    const f32mat = await fitted(base, { data: Float32Array.from(flat(X)), shape: [48, 3] }, Y);
    await expectSameTraining(f32rows, f32mat);
  });

  it("'features-first' equals examples-first transposed (fit, predict, evaluate)", async () => {
    const ef = await fitted(base, X, Y);
    const ff = await fitted(base, transpose(X), [Y], { layout: 'features-first' });
    const ffMat = await fitted(base, { data: flat(transpose(X)), shape: [3, 48] }, { data: Y, shape: [1, 48] }, { layout: 'features-first' });
    try {
      expect(sameBits(flatWeights(ef.net.getWeights()), flatWeights(ff.net.getWeights()))).toBe(true);
      expect(sameBits(flatWeights(ef.net.getWeights()), flatWeights(ffMat.net.getWeights()))).toBe(true);
      const p = ef.net.predict(X);
      const q = ef.net.predict(transpose(X), { layout: 'features-first' });
      expect(q.shape).toEqual([48, 1]);
      expect(sameBits(p.data, q.data)).toBe(true);
      expect(ef.net.evaluate(transpose(X), [Y], { layout: 'features-first' })).toEqual(ef.net.evaluate(X, Y));
    } finally {
      for (const n of [ef, ff, ffMat]) n.net.dispose();
    }
  });

  it('softmax: integer labels and one-hot rows train identically; predict rows sum to 1', async () => {
    const labels = await fitted(soft, X, Y3);
    const oneHot = await fitted(soft, X, Y3.map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0))));
    try {
      const p = labels.net.predict(X);
      expect(p.shape).toEqual([48, 3]);
      for (let e = 0; e < 48; e++) expect(p.data[3 * e]! + p.data[3 * e + 1]! + p.data[3 * e + 2]!).toBeCloseTo(1, 12);
      const ev = labels.net.evaluate(X, Y3);
      expect(ev.confusion!.flat().reduce((a, b) => a + b, 0)).toBe(48);
      expect(ev.confusion!.reduce((s, row, i) => s + row[i]!, 0) / 48).toBe(ev.accuracy);
    } finally {
      await expectSameTraining(labels, oneHot);
    }
  });
});

describe('validation errors', () => {
  /** Runs fn and returns the Error it throws (failing when it does not throw an Error). */
  async function error(fn: () => unknown): Promise<Error> {
    try {
      await fn();
    } catch (e) {
      expect(e).toBeInstanceOf(Error);
      return e as Error;
    }
    throw new Error('expected an error');
  }

  it('Network.create rejects unknown names and bad shapes, naming them', async () => {
    const cases: [Partial<NetworkOptions> & Record<string, unknown>, RegExp][] = [
      [{ hidden: 'swish' as never }, /unknown hidden activation 'swish'/],
      [{ output: 'tanh' as never }, /unknown output activation 'tanh'/],
      [{ init: 'glorot' as never }, /unknown init 'glorot'/],
      [{ loss: 'hinge' as never }, /unknown loss 'hinge'/],
      [{ loss: 'crossEntropy' }, /crossEntropy' needs a softmax output/],
      [{ rng: 'mt' as never }, /unknown rng 'mt'/],
      [{ dtype: 'float16' as never }, /unknown dtype 'float16'/],
      [{ normalize: 'zscore' as never }, /unknown normalize 'zscore'/],
      [{ layers: [3] }, /layers must list at least/],
      [{ layers: [3, 0, 1] }, /layers\[1\] must be a positive integer/],
      [{ labels: ['a'] }, /labels must be 2 strings/],
      [{ activation: 'relu' }, /unknown network option 'activation'/],
    ];
    for (const [opts, re] of cases) expect((await error(() => Network.create({ ...base, ...opts }))).message).toMatch(re);
  });

  it('fit, predict and evaluate reject bad data and options with a message that names the problem', async () => {
    const net = await Network.create(base);
    const sm = await Network.create(soft);
    try {
      const bad = (x: unknown, y: unknown = Y, o: FitOptions = {}) => error(() => net.fit(x as never, y as never, { iterations: 2, ...o }));
      expect((await bad(X.map((r) => r.slice(0, 2)))).message).toMatch(/X has 2 features per example but the network expects 3/);
      expect((await bad(X.map((r, i) => (i === 5 ? r.slice(0, 2) : r)))).message).toMatch(/ragged: row 5 has 2 values/);
      expect((await bad([])).message).toMatch(/X is empty/);
      expect((await bad({ data: [], shape: [0, 3] })).message).toMatch(/shape must be two positive integers/);
      expect((await bad(X.map((r, i) => (i === 17 ? [r[0], NaN, r[2]] : r)))).message).toMatch(/X example 17 feature 1 is NaN/);
      expect((await bad(X.map((r, i) => (i === 30 ? [Infinity, r[1], r[2]] : r)))).message).toMatch(/X example 30 feature 0 is Infinity/);
      expect((await bad(X, Y.slice(1))).message).toMatch(/Y has 47 labels but X has 48 examples/);
      expect((await bad(X, Y.map((y, i) => (i === 9 ? 2 : y)))).message).toMatch(/Y example 9 has target 2; bce targets must be in \[0, 1\]/);
      expect((await bad(X, Y.map((y, i) => (i === 4 ? -0.5 : y)))).message).toMatch(/Y example 4 has target -0.5/);
      expect((await bad(X, Y.map((y, i) => (i === 3 ? NaN : y)))).message).toMatch(/Y label 3 is NaN/);
      const smErr = (y: unknown) => error(() => sm.fit(X, y as never, { iterations: 2 }));
      expect((await smErr(Y3.map((c, i) => (i === 11 ? 3 : c)))).message).toMatch(/Y label 11 is 3; class labels must be integers in 0\.\.2/);
      expect((await smErr(Y3.map((c, i) => (i === 12 ? 1.5 : c)))).message).toMatch(/Y label 12 is 1.5/);
      expect((await smErr(Y3.map((c, i) => (i === 13 ? -1 : c)))).message).toMatch(/Y label 13 is -1/);

      expect((await bad(X, Y, { optimizer: 'sgd' as never })).message).toMatch(/unknown optimizer 'sgd'/);
      expect((await bad(X, Y, { lr: 0.1 } as never)).message).toMatch(/unknown fit option 'lr'/);
      for (const lr of [0, -0.1, NaN, Infinity]) expect((await bad(X, Y, { learningRate: lr })).message).toMatch(/learningRate must be in \(0, Infinity\)/);
      for (const kp of [0, 1.5, -0.2]) expect((await bad(X, Y, { keepProb: kp })).message).toMatch(new RegExp(`keepProb must be in \\(0, 1\\], got ${kp}`));
      expect((await bad(X, Y, { batchSize: 0 })).message).toMatch(/batchSize must be a positive integer/);
      expect((await bad(X, Y, { iterations: 10, epochs: 2 })).message).toMatch(/either iterations or epochs, not both/);
      expect((await bad(X, Y, { iterations: 1.5 })).message).toMatch(/iterations must be a positive integer/);
      expect((await bad(X, Y, { decay: { type: 'exp' as never, rate: 1 } })).message).toMatch(/unknown decay type 'exp'/);
      expect((await bad(X, Y, { earlyStopping: { patience: 3 } })).message).toMatch(/earlyStopping needs validation/);
      expect((await bad(X, Y, { validation: 1 })).message).toMatch(/validation split must be in \(0, 1\)/);
      expect((await bad(X, Y, { layout: 'rows' as never })).message).toMatch(/unknown layout 'rows'/);
      expect((await bad(X, Y, { onProgress: 3 as never })).message).toMatch(/onProgress must be a function/);

      expect((await error(() => net.predict(X.map((r) => [...r, 1])))).message).toMatch(/X has 4 features per example but the network expects 3/);
      expect((await error(() => net.evaluate(X, Y.slice(2)))).message).toMatch(/Y has 46 labels but X has 48/);
    } finally {
      net.dispose();
      sm.dispose();
    }
  });

  it('a disposed network refuses every call; dispose is idempotent', async () => {
    const net = await Network.create(base);
    net.dispose();
    net.dispose();
    expect(net.disposed).toBe(true);
    for (const fn of [() => net.predict(X), () => net.evaluate(X, Y), () => net.getWeights(), () => net.save(), () => net.gradientCheck(X, Y)]) {
      expect(fn).toThrow(/this network was disposed/);
    }
    await expect(net.fit(X, Y)).rejects.toThrow(/this network was disposed/);
  });

  it('the network stays usable after a rejected call, as if the call never happened', async () => {
    for (const normalize of ['none', 'standardize'] as const) {
      const clean = await fitted({ ...base, normalize }, X, Y);
      const net = await Network.create({ ...base, normalize });
      const other = X.map((r) => r.map((v) => 10 * v + 3));
      await expect(net.fit(other, Y, { iterations: 5, learningRate: -1 })).rejects.toThrow(/learningRate/);
      await expect(net.fit(other, Y, { iterations: 5, bogus: 1 } as never)).rejects.toThrow(/unknown fit option/);
      await expect(net.fit(X, Y.map(() => 7), { iterations: 5 })).rejects.toThrow(/targets must be in/);
      expect(() => net.predict([[1, 2]])).toThrow(/features/);
      const history = await net.fit(X, Y, { iterations: 40, learningRate: 0.3 });
      await expectSameTraining(clean, { net, history });
    }
  });
});

describe('history, callbacks and cost recording', () => {
  it('history.costs holds the cost before each recorded update; costEvery sets the spacing', async () => {
    const net = await Network.create(base);
    try {
      const before = net.evaluate(X, Y).cost;
      const h = await net.fit(X, Y, { iterations: 50, learningRate: 0.3, costEvery: 10 });
      expect(h.costs.map((c) => c.iteration)).toEqual([0, 10, 20, 30, 40]);
      expect(h.iterations).toBe(50);
      expect(h.stopped).toBeNull();
      expect(Math.abs(h.costs[0]!.cost - before)).toBeLessThan(1e-14);
      expect(h.costs.at(-1)!.cost).toBeLessThan(h.costs[0]!.cost);
      // A second fit continues from the trained weights: its first cost is the current cost.
      const now = net.evaluate(X, Y).cost;
      const h2 = await net.fit(X, Y, { iterations: 1 });
      expect(Math.abs(h2.costs[0]!.cost - now)).toBeLessThan(1e-14);
    } finally {
      net.dispose();
    }
  });

  it('onProgress sees iteration, cost and learning rate; returning false stops training', async () => {
    const net = await Network.create(base);
    try {
      const seen: { iteration: number; cost: number; lr: number; total: number }[] = [];
      const h = await net.fit(X, Y, {
        iterations: 1000, learningRate: 0.3, costEvery: 10,
        onProgress: (p) => { seen.push({ iteration: p.iteration, cost: p.cost, lr: p.learningRate, total: p.totalIterations }); return p.iteration < 20; },
      });
      expect(seen.map((s) => s.iteration)).toEqual([0, 10, 20]);
      expect(seen.map((s) => s.cost)).toEqual(h.costs.map((c) => c.cost));
      expect(seen.every((s) => s.lr === 0.3 && s.total === 1000)).toBe(true);
      expect(h.stopped).toBe('callback');
      // The step whose check returned false may or may not be completed; nothing after it runs.
      expect(h.iterations).toBeGreaterThanOrEqual(20);
      expect(h.iterations).toBeLessThanOrEqual(21);
      // An async callback is awaited.
      // A later fit continues the step count: its checks are spaced from its own first step.
      const asyncSeen: number[] = [];
      const start = h.iterations;
      await net.fit(X, Y, { iterations: 30, costEvery: 10, onProgress: async (p) => { await new Promise((r) => setTimeout(r, 1)); asyncSeen.push(p.iteration); } });
      expect(asyncSeen).toEqual([start, start + 10, start + 20]);
    } finally {
      net.dispose();
    }
  });

  it('epochs mode records the mean cost of each epoch', async () => {
    const net = await Network.create(base);
    try {
      const h = await net.fit(X, Y, { epochs: 6, batchSize: 10, costEvery: 2, learningRate: 0.1 });
      expect(h.epochs).toBe(6);
      expect(h.iterations).toBe(6 * 5);
      expect(h.costs.map((c) => c.epoch)).toEqual([0, 2, 4]);
      expect(h.costs.map((c) => c.iteration)).toEqual([5, 15, 25]);
    } finally {
      net.dispose();
    }
  });
});

describe('validation data and early stopping', () => {
  // Noisy labels and a large net: the validation cost eventually rises while the training cost falls.
  const r = mulberry32(77);
  const Xn = randomRows(r, 80, 2);
  const Yn = Xn.map((x) => (x[0]! + 0.3 * (r() - 0.5) > 0 === r() < 0.8 ? 1 : 0));
  const valX = Xn.slice(60);
  const valY = Yn.slice(60);
  const big: NetworkOptions = { layers: [2, 40, 40, 1], hidden: 'relu', dtype: 'float64', seed: 3 };

  it('validation never influences training: weights equal a run without validation (full batch and mini-batch)', async () => {
    for (const fit of [{ iterations: 60 }, { epochs: 8, batchSize: 6 }] as FitOptions[]) {
      const plain = await fitted(big, Xn.slice(0, 60), Yn.slice(0, 60), { learningRate: 0.05, costEvery: 5, ...fit });
      const watched = await fitted(big, Xn.slice(0, 60), Yn.slice(0, 60), { learningRate: 0.05, costEvery: 5, validation: { X: valX, Y: valY }, ...fit });
      expect(watched.history.costs.every((c) => typeof c.validationCost === 'number')).toBe(true);
      await expectSameTraining(plain, watched);
    }
  });

  it('onProgress may call predict/evaluate (with more examples than the batch) without disturbing training', async () => {
    for (const fit of [{ iterations: 30, costEvery: 3 }, { epochs: 4, batchSize: 6, costEvery: 1 }] as FitOptions[]) {
      const plain = await fitted(big, Xn.slice(0, 60), Yn.slice(0, 60), { learningRate: 0.05, ...fit });
      const seen: number[] = [];
      const peeking = await Network.create(big);
      const history = await peeking.fit(Xn.slice(0, 60), Yn.slice(0, 60), {
        learningRate: 0.05, ...fit,
        onProgress: () => { seen.push(peeking.evaluate(Xn, Yn).cost, peeking.predict(Xn).data[0]!); },
      });
      expect(seen.every(Number.isFinite)).toBe(true);
      await expectSameTraining(plain, { net: peeking, history });
    }
  });

  it('a split fraction holds out the last examples; its cost is the evaluate() cost at that check', async () => {
    const split = await fitted(big, Xn, Yn, { learningRate: 0.05, iterations: 30, costEvery: 10, validation: 0.25 });
    const explicit = await fitted(big, Xn.slice(0, 60), Yn.slice(0, 60), { learningRate: 0.05, iterations: 30, costEvery: 10, validation: { X: valX, Y: valY } });
    try {
      expect(split.history.costs.map((c) => c.validationCost)).toEqual(explicit.history.costs.map((c) => c.validationCost));
      expect(split.history.costs.map((c) => c.cost)).toEqual(explicit.history.costs.map((c) => c.cost));
    } finally {
      await expectSameTraining(split, explicit);
    }
  });

  it('earlyStopping stops after `patience` checks without improvement and restores the best weights', async () => {
    const net = await Network.create(big);
    try {
      const h = await net.fit(Xn, Yn, {
        iterations: 5000, learningRate: 0.01, optimizer: 'adam', costEvery: 10, validation: 0.25,
        earlyStopping: { patience: 5 },
      });
      const vc = h.costs.map((c) => c.validationCost!);
      const bestIdx = vc.indexOf(Math.min(...vc));
      console.log(`early stopping: stopped at iteration ${h.iterations} after ${h.costs.length} checks; best check ${bestIdx} (iteration ${h.costs[bestIdx]!.iteration}) validation cost ${vc[bestIdx]}`);
      expect(h.stopped).toBe('earlyStopping');
      expect(h.iterations).toBeLessThan(5000);
      // Exactly `patience` checks after the best one.
      expect(h.costs.length - 1 - bestIdx).toBe(5);
      expect(h.bestCheck).toBe(h.costs[bestIdx]);
      expect(Math.abs(net.evaluate(valX, valY).cost - h.bestCheck!.validationCost!)).toBeLessThan(1e-9);
    } finally {
      net.dispose();
    }
  });

  it('restoreBest: false keeps the last weights', async () => {
    const net = await Network.create(big);
    try {
      const h = await net.fit(Xn, Yn, {
        iterations: 5000, learningRate: 0.01, optimizer: 'adam', costEvery: 10, validation: 0.25,
        earlyStopping: { patience: 5, restoreBest: false },
      });
      expect(h.stopped).toBe('earlyStopping');
      expect(net.evaluate(valX, valY).cost).toBeGreaterThan(h.bestCheck!.validationCost! + 1e-9);
    } finally {
      net.dispose();
    }
  });
});

describe('normalisers', () => {
  const raw = X.map((r, e) => [r[0]! * 100 + 50, r[1]! * 0.01 - 3, e % 5]);
  const stats = (kind: 'standardize' | 'minmax') => [0, 1, 2].map((f) => {
    const col = raw.map((r) => r[f]!);
    if (kind === 'minmax') return { shift: Math.min(...col), scale: Math.max(...col) - Math.min(...col) };
    const mean = col.reduce((a, b) => a + b, 0) / col.length;
    return { shift: mean, scale: Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length) };
  });

  for (const kind of ['standardize', 'minmax'] as const) {
    it(`${kind} is fitted on the fit data, saved, and applied in predict after load`, async () => {
      const net = await Network.create({ ...base, normalize: kind });
      try {
        expect(() => net.predict(raw)).toThrow(/normaliser is fitted by fit/);
        await net.fit(raw, Y, { iterations: 30, learningRate: 0.3 });
        const n = net.normalizer!;
        expect(n.kind).toBe(kind);
        stats(kind).forEach((s, f) => {
          expect(Math.abs(n.shift[f]! - s.shift)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(s.shift)));
          expect(Math.abs(n.scale[f]! - s.scale)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(s.scale)));
        });
        // A second fit keeps the first normaliser.
        await net.fit(raw.map((r) => r.map((v) => v * 2)), Y, { iterations: 1 });
        expect(Array.from(net.normalizer!.shift)).toEqual(Array.from(n.shift));
        // predict = plain-JS forward pass of the normalised inputs.
        const normalized = raw.map((r) => r.map((v, f) => (v - n.shift[f]!) / n.scale[f]!));
        const p = net.predict(raw);
        expect(maxAbsDiff(p.data, jsPredict(net.getWeights() as JsLayer[], ['tanh', 'sigmoid'] as Act[], normalized).flat())).toBeLessThan(1e-12);
        const loaded = await Network.load(net.save());
        try {
          expect(loaded.normalizer!.kind).toBe(kind);
          expect(sameBits(loaded.normalizer!.shift, n.shift) && sameBits(loaded.normalizer!.scale, n.scale)).toBe(true);
          expect(sameBits(loaded.predict(raw).data, p.data)).toBe(true);
          expect(loaded.evaluate(raw, Y)).toEqual(net.evaluate(raw, Y));
        } finally {
          loaded.dispose();
        }
      } finally {
        net.dispose();
      }
    });
  }
});

describe('reproducibility', () => {
  for (const rngKind of ['fast', 'numpy'] as const) {
    it(`same seed, same bytes (rng '${rngKind}', f32 and f64, with shuffling mini-batches and dropout)`, async () => {
      for (const dtype of ['float32', 'float64'] as const) {
        const run = async (seed: number) => {
          const net = await Network.create({ layers: [3, 8, 5, 1], hidden: 'relu', dtype, seed, rng: rngKind });
          try {
            await net.fit(X, Y, { epochs: 5, batchSize: 7, optimizer: 'adam', learningRate: 0.01, keepProb: 0.9 });
            return net.save();
          } finally {
            net.dispose();
          }
        };
        const a = await run(12);
        const b = await run(12);
        const c = await run(13);
        expect(a).toEqual(b);
        expect(a).not.toEqual(c);
      }
    });
  }

  it('the simd and scalar builds train a small f64 net to the same weights', async () => {
    const run = async (build: 'simd' | 'scalar') => {
      const net = await Network.create({ layers: [3, 9, 7, 3], hidden: 'tanh', dtype: 'float64', seed: 21, kernels: { build } });
      try {
        expect(net.kernels.build).toBe(build);
        await net.fit(X, Y3, { epochs: 4, batchSize: 10, optimizer: 'adam', learningRate: 0.01 });
        return { w: flatWeights(net.getWeights()), p: Array.from(net.predict(X).data) };
      } finally {
        net.dispose();
      }
    };
    const simd = await run('simd');
    const scalar = await run('scalar');
    const dw = maxAbsDiff(simd.w, scalar.w);
    const dp = maxAbsDiff(simd.p, scalar.p);
    console.log(`simd vs scalar (f64): max |Δweight| = ${dw.toExponential(2)}, max |Δprediction| = ${dp.toExponential(2)}${sameBits(simd.w, scalar.w) ? ' (bit-identical)' : ''}`);
    // GEMM may sum in another order in the two builds; f64 round-off then stays far below 1e-12.
    expect(dw).toBeLessThan(1e-12);
    expect(dp).toBeLessThan(1e-12);
  });
});
