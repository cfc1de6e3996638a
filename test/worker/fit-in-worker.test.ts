// simdnet/worker in Node (worker_threads): the bytes a worker trains equal a main-thread fit of the same
// spec, progress arrives on the calling thread, an AbortSignal stops training, and bad input is refused.
import { describe, expect, it } from 'vitest';
import { Network } from '../../src/network.js';
import { loadPlanarDataset } from '../../src/data/planar.js';
import { fitInWorker } from '../../src/worker/node.js';
import type { ProgressInfo } from '../../src/train/options.js';

const spec = { layers: [2, 4, 1], hidden: 'tanh', init: 'small', rng: 'numpy', seed: 2 } as const;
const planar = loadPlanarDataset();

describe('fitInWorker (worker_threads)', () => {
  it('trains the planar set: the same bytes as fit on this thread, progress at every cost check', async () => {
    const progress: ProgressInfo[] = [];
    const options = { iterations: 1000, learningRate: 1.2, layout: 'features-first' as const, costEvery: 100 };
    const result = await fitInWorker(spec, planar.X, planar.Y, { ...options, onProgress: (info) => { progress.push(info); } });
    const here = await Network.create(spec);
    const history = await here.fit(planar.X, planar.Y, options);
    expect(Buffer.from(result.bytes).equals(Buffer.from(here.save()))).toBe(true);
    expect(result.history.costs).toEqual(history.costs);
    expect(progress.map((p) => p.iteration)).toEqual(history.costs.map((c) => c.iteration));
    expect(progress.map((p) => p.cost)).toEqual(history.costs.map((c) => c.cost));
    const loaded = await Network.load(result.bytes);
    expect(loaded.evaluate(planar.X, planar.Y, { layout: 'features-first' }).accuracy)
      .toBe(here.evaluate(planar.X, planar.Y, { layout: 'features-first' }).accuracy);
  });

  it('an AbortSignal stops training; the weights so far come back and load', async () => {
    const controller = new AbortController();
    let seen = 0;
    const result = await fitInWorker(spec, planar.X, planar.Y, {
      iterations: 5_000_000, learningRate: 1.2, layout: 'features-first', costEvery: 100,
      onProgress: () => { if (++seen === 3) controller.abort(); },
      signal: controller.signal,
    });
    expect(result.history.stopped).toBe('aborted');
    // The third check is at step 200; the abort arrives while fit yields to the event loop (every ~50 ms).
    expect(result.history.iterations).toBeGreaterThanOrEqual(200);
    expect(result.history.iterations).toBeLessThan(5_000_000);
    const net = await Network.load(result.bytes);
    expect(net.evaluate(planar.X, planar.Y, { layout: 'features-first' }).accuracy).toBeGreaterThan(0.5);
  });

  it('a signal aborted before the start trains nothing', async () => {
    const result = await fitInWorker(spec, planar.X, planar.Y, { iterations: 100, layout: 'features-first', signal: AbortSignal.abort() });
    expect(result.history.stopped).toBe('aborted');
    expect(result.history.steps).toBe(0);
  });

  it('errors in the worker reject with the library message; callbacks and kernels in the spec are refused', async () => {
    await expect(fitInWorker({ layers: [2] }, planar.X, planar.Y, { layout: 'features-first' })).rejects.toThrow(/^simdnet: /);
    await expect(fitInWorker(spec, planar.X, planar.Y, { layout: 'features-first', iterations: 0 })).rejects.toThrow(/iterations/);
    expect(() => fitInWorker(spec, planar.X, planar.Y, { layout: 'features-first', decay: (() => 1) as never })).toThrow(/cannot send the option decay \(a function\)/);
    expect(() => fitInWorker({ ...spec, kernels: { build: 'scalar' } }, planar.X, planar.Y)).toThrow(/takes kernels as an option/);
    expect(() => fitInWorker(spec, planar.X, planar.Y, { worker: () => null } as never)).toThrow(/worker option is for Web Workers/);
  });

  it('snapshots: each progress event carries the network as it was at that check', async () => {
    const models: Uint8Array[] = [];
    const iterations: number[] = [];
    const result = await fitInWorker(spec, planar.X, planar.Y, {
      iterations: 300, learningRate: 1.2, layout: 'features-first', costEvery: 100, snapshots: true,
      onProgress: (info, model) => { models.push(model!); iterations.push(info.iteration); },
    });
    expect(models.length).toBe(result.history.costs.length);
    // A main-thread network trained in steps, saved at each check, gives the same bytes.
    const here = await Network.create(spec);
    const saved: Uint8Array[] = [];
    await here.fit(planar.X, planar.Y, { iterations: 300, learningRate: 1.2, layout: 'features-first', costEvery: 100, onProgress: () => { saved.push(here.save()); } });
    expect(saved.length).toBe(models.length);
    for (let i = 0; i < models.length; i++) expect(Buffer.from(models[i]!).equals(Buffer.from(saved[i]!)), `check ${iterations[i]}`).toBe(true);
    expect(Buffer.from(models[0]!).equals(Buffer.from(result.bytes))).toBe(false);
  });

  it('the kernels option reaches the worker', async () => {
    const result = await fitInWorker(spec, planar.X, planar.Y, { iterations: 10, layout: 'features-first', kernels: { build: 'scalar' } });
    expect(result.build).toBe('scalar');
  });
});
