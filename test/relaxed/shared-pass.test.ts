// Shared passes over X (assembly/net.ts prepareNext) in the relaxed build, whose tiles fuse multiply and add:
// the blocked products must still give the bytes of separate steps (test/network/shared-pass.test.ts covers
// the simd and scalar builds).
import { afterEach, describe, expect, it } from 'vitest';
import { Network, type NetworkOptions } from '../../src/network.js';
import { sessionInternals } from '../../src/network/session.js';
import type { FitOptions } from '../../src/index.js';
import { mulberry32, weightBytes } from '../network/helpers.js';

const defaultMinBytes = sessionInternals.prepareMinBytes;
afterEach(() => { sessionInternals.prepareMinBytes = defaultMinBytes; });

async function train(opts: NetworkOptions, n: number, m: number, fit: FitOptions, shared: boolean): Promise<{ bytes: Buffer; costs: number[]; passes: number }> {
  const rng = mulberry32(n * 7 + m);
  const X = { data: Float64Array.from({ length: m * n }, () => 2 * rng() - 1), shape: [m, n] as [number, number] };
  const Y = Array.from({ length: m }, (_, e) => (X.data[e * n]! > 0 ? 1 : 0));
  sessionInternals.prepareMinBytes = shared ? 0 : Infinity;
  const before = sessionInternals.sharedPasses;
  const net = await Network.create(opts);
  try {
    const h = await net.fit(X, Y, fit);
    return { bytes: weightBytes(net), costs: h.costs.map((c) => c.cost), passes: sessionInternals.sharedPasses - before };
  } finally {
    net.dispose();
  }
}

describe('relaxed build: shared passes give the bytes of separate steps', () => {
  for (const optimizer of ['gd', 'adam'] as const) {
    it(`${optimizer}: features 9, 129, 135, 263 × (units, examples) (4, 3), (17, 37), (20, 9)`, async () => {
      const fit: FitOptions = { optimizer, learningRate: optimizer === 'gd' ? 0.5 : 0.01, l2: 0.3, iterations: 7, costEvery: 7 };
      for (const n of [9, 129, 135, 263]) {
        for (const [units, m] of [[4, 3], [17, 37], [20, 9]] as const) {
          const opts: NetworkOptions = { layers: [n, units, 1], hidden: 'relu', dtype: 'float32', seed: n, kernels: { build: 'relaxed' } };
          const separate = await train(opts, n, m, fit, false);
          const shared = await train(opts, n, m, fit, true);
          const what = `${n} features, ${units} units, ${m} examples`;
          expect(shared.passes, what).toBe(5);
          expect(shared.bytes.equals(separate.bytes), what).toBe(true);
          expect(shared.costs, what).toEqual(separate.costs);
        }
      }
    });
  }
});
