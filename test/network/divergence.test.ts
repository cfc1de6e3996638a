// A learning rate that blows up: every step tells JS whether its update was usable (assembly/net.ts
// gradientsUsable); training stops there with a message and keeps the weights of the last good step.
import { describe, expect, it } from 'vitest';
import { Network } from '../../src/network.js';
import type { FitOptions, History } from '../../src/index.js';

const X = Array.from({ length: 20 }, (_, i) => [i / 10, 1 - i / 20]);
const YLIN = X.map(([a, b]) => [30 * a! - 10 * b!]);
const YBIN = X.map(([a]) => (a! > 1 ? 1 : 0));
const YSOFT = X.map(([a, b]) => (a! > 1 ? 2 : b! > 0.7 ? 1 : 0));

const finiteWeights = (net: Network): boolean => net.getWeights().every((w) => Array.from(w.W).every(Number.isFinite) && Array.from(w.b).every(Number.isFinite));

describe('divergence', () => {
  it('stops at the step whose update is unusable, says so, and keeps the weights that step started from', async () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const net = await Network.create({ layers: [2, 3, 1], hidden: 'linear', output: 'linear', dtype, seed: 1 });
      const seen: number[][] = [];
      const h = await net.fit(X, YLIN, {
        iterations: 5000, learningRate: 5, costEvery: 1,
        // costEvery 1: every step runs its check between backward and update, with the weights it starts from.
        onProgress: () => { seen.push(Array.from(net.getWeights()[0]!.W)); },
      });
      expect(h.stopped).toBe('diverged');
      expect(h.message).toMatch(/training diverged at step \d+: a gradient is NaN, infinite or too large/);
      expect(h.message).toMatch(/weights of the last good step were kept/);
      expect(h.steps).toBeLessThan(5000);
      expect(Array.from(net.getWeights()[0]!.W)).toEqual(seen[seen.length - 1]);
      expect(finiteWeights(net)).toBe(true);
      net.dispose();
    }
  });

  it('trainer().step() throws naming the step, leaves the last good weights, and the network trains on afterwards', async () => {
    const net = await Network.create({ layers: [2, 3, 1], hidden: 'linear', output: 'linear', dtype: 'float32', seed: 1 });
    const initial = net.getWeights();
    const t = net.trainer(X, YLIN, { learningRate: 5 });
    let before: number[] = [];
    let error: Error | null = null;
    for (let i = 0; i < 5000 && error === null; i++) {
      before = Array.from(net.getWeights()[0]!.W);
      try { t.step(); } catch (e) { error = e as Error; }
    }
    expect(error?.message).toMatch(/^simdnet: training diverged at step \d+/);
    expect(Array.from(net.getWeights()[0]!.W)).toEqual(before);
    expect(finiteWeights(net)).toBe(true);
    t.dispose();
    net.setWeights(initial);
    const h = await net.fit(X, YLIN, { iterations: 10, learningRate: 1e-3, reset: true });
    expect(h.stopped).toBeNull();
    net.dispose();
  });

  // The grid of the issue: no run may end with non-finite weights and stopped: null.
  const rates = [1e-2, 1e-1, 1, 10, 1e2, 1e3, 1e4, 1e5, 1e6];
  const outputs = [
    { output: 'sigmoid' as const, layers: [2, 4, 1], Y: YBIN },
    { output: 'softmax' as const, layers: [2, 4, 3], Y: YSOFT },
    { output: 'linear' as const, layers: [2, 4, 1], Y: YLIN },
  ];
  for (const dtype of ['float32', 'float64'] as const) {
    it(`a grid of learning rates × optimisers × outputs × modes never ends silently non-finite (${dtype})`, async () => {
      let runs = 0;
      let diverged = 0;
      for (const o of outputs) {
        for (const optimizer of ['gd', 'momentum', 'adam'] as const) {
          for (const learningRate of rates) {
            for (const mode of ['iterations', 'epochs', 'trainer'] as const) {
              const net = await Network.create({ layers: o.layers, output: o.output, hidden: 'relu', dtype, seed: 3 });
              let stopped: History['stopped'] = null;
              const fit: FitOptions = { learningRate, optimizer };
              if (mode === 'iterations') stopped = (await net.fit(X, o.Y, { ...fit, iterations: 200, costEvery: 1000 })).stopped;
              else if (mode === 'epochs') stopped = (await net.fit(X, o.Y, { ...fit, epochs: 40, batchSize: 6, costEvery: 1000 })).stopped;
              else {
                const t = net.trainer(X, o.Y, { ...fit, batchSize: 7 });
                try { for (let i = 0; i < 200; i++) t.step(); } catch (e) {
                  expect((e as Error).message).toMatch(/training diverged at step/);
                  stopped = 'diverged';
                }
                t.dispose();
              }
              runs++;
              if (stopped === 'diverged') diverged++;
              const finite = finiteWeights(net);
              expect(finite, `${o.output} ${optimizer} lr ${learningRate} ${mode}: weights must stay finite`).toBe(true);
              if (stopped === null) {
                // A run that says nothing must predict finite values on its own training data.
                expect(() => net.predict(X), `${o.output} ${optimizer} lr ${learningRate} ${mode}`).not.toThrow();
              }
              net.dispose();
            }
          }
        }
      }
      expect(runs).toBe(243);
      // The grid reaches rates that must diverge.
      expect(diverged).toBeGreaterThan(20);
    }, 120_000);
  }
});
