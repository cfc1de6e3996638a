// A learning rate that blows up: training stops with a message and keeps the last finite weights.
import { describe, expect, it } from 'vitest';
import { Network } from '../../src/network.js';

describe('divergence', () => {
  it('stops at the first non-finite cost, says so, and keeps the weights of the last finite check', async () => {
    // A linear output with MSE and a huge rate: the weights grow geometrically until the cost overflows.
    const X = Array.from({ length: 20 }, (_, i) => [i / 10, 1 - i / 20]);
    const Y = X.map(([a, b]) => [3 * a! - b!]);
    for (const dtype of ['float32', 'float64'] as const) {
      const net = await Network.create({ layers: [2, 3, 1], hidden: 'linear', output: 'linear', dtype, seed: 1 });
      const seen: number[][] = [];
      const h = await net.fit(X, Y, {
        iterations: 5000, learningRate: 5, costEvery: 1,
        onProgress: () => { seen.push(Array.from(net.getWeights()[0]!.W)); },
      });
      expect(h.stopped).toBe('diverged');
      expect(h.message).toMatch(/diverged: the cost at iteration \d+ is (NaN|Infinity)/);
      expect(h.message).toMatch(/last finite cost/);
      const last = h.costs[h.costs.length - 1]!;
      expect(Number.isFinite(last.cost)).toBe(false);
      const finite = h.costs.filter((c) => Number.isFinite(c.cost));
      expect(finite.length).toBeGreaterThan(0);
      // The kept weights are exactly those seen at the last finite check (onProgress ran there).
      expect(Array.from(net.getWeights()[0]!.W)).toEqual(seen[seen.length - 1]);
      expect(net.getWeights().every((w) => Array.from(w.W).every(Number.isFinite))).toBe(true);
      // The network stays usable.
      expect(net.predict(X).data.every(Number.isFinite)).toBe(true);
      net.dispose();
    }
  });
});
