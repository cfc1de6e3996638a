// Inverted dropout (Course 2, week 1): D = (rand < keepProb), A ⊙ D / keepProb forward, the same mask
// on dA backward, hidden layers only, never at prediction time.
//
// Observable used for the mask itself: ONE gradient step on ONE example (m = 1) through a single tanh
// hidden layer. A hidden unit dropped for that example contributes nothing forward (its column of dW2 is
// 0) and receives no gradient backward (its row of dW1 and its db1 are 0), while tanh never gives an
// exactly zero activation or derivative. So after the step:
//   - the set of hidden units whose W2 column moved is the mask of the forward pass;
//   - the set whose W1 row moved must be the same set (the backward pass reused the mask);
//   - rebuilding the step in plain JS from that mask, scaled by 1/keepProb on both passes, must give
//     the library's new weights to 1e-12 (f64) — which pins the 1/keepProb scaling;
//   - over many hidden units, the kept fraction is ≈ keepProb (binomial, checked to 5 σ).
import { describe, expect, it } from 'vitest';
import { Network } from '../../src/network.js';
import { flatWeights, jsPredict, maxAbsDiff, mulberry32, randomRows, sameBits, type Act, type JsLayer } from './helpers.js';

const rng = mulberry32(5);
const X = randomRows(rng, 60, 4);
const Y = X.map((x) => (x[0]! * x[1]! + x[2]! > 0 ? 1 : 0));

async function trained(dtype: 'float32' | 'float64', fit: Record<string, unknown>, seed = 9) {
  const net = await Network.create({ layers: [4, 16, 8, 1], hidden: 'relu', dtype, seed });
  await net.fit(X, Y, { iterations: 60, learningRate: 0.1, ...fit });
  return net;
}

describe('dropout determinism and on/off', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    it(`keepProb 0.8 with the same seed gives bit-identical weights (${dtype}, full batch and mini-batch)`, async () => {
      for (const fit of [{ keepProb: 0.8 }, { keepProb: 0.8, batchSize: 16, optimizer: 'adam', learningRate: 0.01 }]) {
        const a = await trained(dtype, fit);
        const b = await trained(dtype, fit);
        try {
          expect(sameBits(flatWeights(a.getWeights()), flatWeights(b.getWeights()))).toBe(true);
          expect(a.save()).toEqual(b.save());
        } finally {
          a.dispose();
          b.dispose();
        }
      }
    });

    it(`keepProb 1 is exactly no dropout, keepProb 0.8 is not (${dtype})`, async () => {
      const none = await trained(dtype, {});
      const one = await trained(dtype, { keepProb: 1 });
      const drop = await trained(dtype, { keepProb: 0.8 });
      const otherSeed = await trained(dtype, { keepProb: 0.8, seed: 1234 });
      try {
        expect(sameBits(flatWeights(none.getWeights()), flatWeights(one.getWeights()))).toBe(true);
        expect(sameBits(flatWeights(none.getWeights()), flatWeights(drop.getWeights()))).toBe(false);
        // fit's seed option drives the masks: another seed, other masks, other weights.
        expect(sameBits(flatWeights(drop.getWeights()), flatWeights(otherSeed.getWeights()))).toBe(false);
      } finally {
        for (const n of [none, one, drop, otherSeed]) n.dispose();
      }
    });
  }

  it('predict never applies dropout: repeatable and equal to a plain-JS forward pass of getWeights()', async () => {
    const net = await trained('float64', { keepProb: 0.5 });
    try {
      const p1 = net.predict(X);
      const p2 = net.predict(X);
      expect(sameBits(p1.data, p2.data)).toBe(true);
      const js = jsPredict(net.getWeights() as JsLayer[], ['relu', 'relu', 'sigmoid'] as Act[], X).flat();
      expect(maxAbsDiff(p1.data, js)).toBeLessThan(1e-12);
      // evaluate() is dropout-free too: its cost is the JS cost of the same outputs.
      const cost = -js.reduce((s, a, e) => s + Y[e]! * Math.log(a) + (1 - Y[e]!) * Math.log(1 - a), 0) / X.length;
      expect(Math.abs(net.evaluate(X, Y).cost - cost)).toBeLessThan(1e-12);
    } finally {
      net.dispose();
    }
  });
});

describe('dropout masks: one step on one example', () => {
  const H = 400;
  const lr = 0.1;

  async function oneStep(keepProb: number, seed: number) {
    const r = mulberry32(seed);
    const x = [r() * 2 - 1, r() * 2 - 1, r() * 2 - 1];
    const y = 1;
    const net = await Network.create({ layers: [3, H, 1], hidden: 'tanh', output: 'sigmoid', dtype: 'float64', init: 'xavier', seed });
    try {
      const before = net.getWeights();
      await net.fit([x], [y], { iterations: 1, learningRate: lr, keepProb });
      const after = net.getWeights();
      return { x, y, before, after };
    } finally {
      net.dispose();
    }
  }

  for (const keepProb of [0.8, 0.5]) {
    it(`keepProb ${keepProb}: the backward mask is the forward mask, scaled by 1/keepProb, and ≈ keepProb of units are kept`, async () => {
      const { x, y, before, after } = await oneStep(keepProb, 31);
      const [W1, W2] = [before[0]!, before[1]!];
      const [W1n, W2n] = [after[0]!, after[1]!];
      const keptForward: boolean[] = [];
      const keptBackward: boolean[] = [];
      for (let j = 0; j < H; j++) {
        keptForward.push(W2n.W[j] !== W2.W[j]);
        const rowMoved = [0, 1, 2].map((i) => W1n.W[j * 3 + i] !== W1.W[j * 3 + i]);
        // The input layer is never dropped: a row moves entirely or not at all.
        expect(rowMoved.every((v) => v === rowMoved[0])).toBe(true);
        keptBackward.push(rowMoved[0]! || W1n.b[j] !== W1.b[j]);
      }
      expect(keptBackward).toEqual(keptForward);
      const kept = keptForward.filter(Boolean).length;
      const sd = Math.sqrt(H * keepProb * (1 - keepProb));
      console.log(`dropout keepProb ${keepProb}: kept ${kept} of ${H} hidden units (expected ${H * keepProb} ± ${sd.toFixed(1)})`);
      expect(Math.abs(kept - H * keepProb)).toBeLessThan(5 * sd);
      expect(kept).toBeLessThan(H);

      // The course's forward and backward with that mask, in plain JS.
      const d = keptForward.map((k) => (k ? 1 / keepProb : 0));
      const a1 = Array.from({ length: H }, (_, j) => Math.tanh(W1.W[3 * j]! * x[0]! + W1.W[3 * j + 1]! * x[1]! + W1.W[3 * j + 2]! * x[2]! + W1.b[j]!));
      const a1d = a1.map((v, j) => v * d[j]!);
      let z2 = W2.b[0]!;
      for (let j = 0; j < H; j++) z2 += W2.W[j]! * a1d[j]!;
      const a2 = 1 / (1 + Math.exp(-z2));
      const dz2 = a2 - y;
      const expectW2 = a1d.map((v, j) => W2.W[j]! - lr * dz2 * v);
      const expectB2 = W2.b[0]! - lr * dz2;
      const dz1 = a1.map((v, j) => W2.W[j]! * dz2 * d[j]! * (1 - v * v));
      const expectW1 = Array.from({ length: 3 * H }, (_, q) => W1.W[q]! - lr * dz1[Math.floor(q / 3)]! * x[q % 3]!);
      const expectB1 = dz1.map((g, j) => W1.b[j]! - lr * g);
      expect(maxAbsDiff(W2n.W, expectW2)).toBeLessThan(1e-12);
      expect(Math.abs(W2n.b[0]! - expectB2)).toBeLessThan(1e-12);
      expect(maxAbsDiff(W1n.W, expectW1)).toBeLessThan(1e-12);
      expect(maxAbsDiff(W1n.b, expectB1)).toBeLessThan(1e-12);

      // Negative control: the same rebuild without the 1/keepProb scaling does not match.
      const unscaledW2 = a1.map((v, j) => W2.W[j]! - lr * dz2 * v * (keptForward[j] ? 1 : 0));
      expect(maxAbsDiff(W2n.W, unscaledW2)).toBeGreaterThan(1e-6);
    });
  }

  it('masks are redrawn for every example and every step (different seeds of the first step differ)', async () => {
    const a = await oneStep(0.5, 41);
    const b = await oneStep(0.5, 42);
    const mask = (r: typeof a) => Array.from({ length: H }, (_, j) => r.after[1]!.W[j] !== r.before[1]!.W[j]);
    expect(mask(a)).not.toEqual(mask(b));
  });
});
