// The Optimization notebook's published outputs, 2021 revision (opt_utils_v1a; moons data: loadMoons), through the API
// (and one run through the course module). [2, 5, 2, 1] relu/relu/sigmoid, He init np.random.seed(3), mini-batches of 64
// reshuffled with np.random.seed(10 + epoch + 1), lr 0.0007, 5000 epochs; "Cost after epoch i" (every 1000, printed
// with %f) is the epoch's summed cost / 300:
//   gd:       0.702405 0.668101 0.635288 0.600491 0.573367, train accuracy 0.7166666666666667
//   momentum: 0.702413 0.668167 0.635388 0.600591 0.573444 (β 0.9), 0.7166666666666667
//   adam:     0.702166 0.167845 0.141316 0.138788 0.136066, 0.9433333333333334
// Learning-rate decay, updated after each epoch (decay lag 1), decay_rate 1, printed costs in DECAYED below: gd + update_lr
// (lr0 0.1) 0.6533333333333333, gd + schedule_lr_decay (lr0 0.1), momentum + schedule_lr_decay (lr0 0.1) 0.9533333333333334,
// adam + schedule_lr_decay (lr0 0.01) 0.94.
import { beforeAll, describe, expect, it } from 'vitest';
import * as course from '../../src/course.js';
import type { DecayOptions } from '../../src/train/options.js';
import type { OptimizerKind } from '../../src/kernels.js';
import { courseNet, ff, haveCourse2, readShared, warnIfMissing } from './course2-shared.js';

warnIfMissing('course2-optimization');

const PRINTED: Record<string, number[]> = {
  gd: [0.702405, 0.668101, 0.635288, 0.600491, 0.573367],
  momentum: [0.702413, 0.668167, 0.635388, 0.600591, 0.573444],
  adam: [0.702166, 0.167845, 0.141316, 0.138788, 0.136066],
};

/** A cost printed with %f: the same 6-decimal rounding, i.e. within half a unit of the 6th decimal. */
function expectPrinted(ours: number[], printed: number[], what: string): void {
  expect(ours.length).toBe(printed.length);
  ours.forEach((c, i) => expect(Math.abs(c - printed[i]!), `${what}: epoch ${1000 * i}: ${c} vs printed ${printed[i]}`).toBeLessThanOrEqual(5e-7));
}

describe.skipIf(!haveCourse2)('Optimization notebook, 2021 revision (float64)', () => {
  let d: ReturnType<typeof course.loadMoons>;
  beforeAll(() => {
    d = course.loadMoons();
  });

  it('loadMoons equals ../shared/data/course2/moons.json bit for bit', () => {
    const j = readShared('moons');
    expect(Array.from(d.trainX.data)).toEqual(j.train_X!.flat());
    expect(Array.from(d.trainY.data)).toEqual(j.train_Y!.flat());
    expect(d.testX).toBeUndefined();
  });

  async function run(optimizer: OptimizerKind, learningRate: number, decay?: DecayOptions): Promise<{ costs: number[]; train: number }> {
    const net = await courseNet([2, 5, 2, 1], 'he', 3);
    try {
      const h = await net.fit(d.trainX, d.trainY, { epochs: 5000, batchSize: 64, learningRate, optimizer, seed: 10, costEvery: 1000, ...(decay ? { decay } : {}), ...ff });
      return { costs: h.costs.map((c) => c.cost), train: net.evaluate(d.trainX, d.trainY, ff).accuracy };
    } finally {
      net.dispose();
    }
  }

  for (const [optimizer, accuracy] of [['gd', 215 / 300], ['momentum', 215 / 300], ['adam', 283 / 300]] as const) {
    it(`${optimizer} through the API: every printed cost, train accuracy ${accuracy}`, async () => {
      const r = await run(optimizer, 0.0007);
      expectPrinted(r.costs, PRINTED[optimizer]!, optimizer);
      expect(r.train).toBe(accuracy);
    }, 60_000);
  }

  const DECAYED: Array<[string, OptimizerKind, number, DecayOptions, number[], number | null]> = [
    ['gd + update_lr', 'gd', 0.1, { type: 'inverseTime', rate: 1, lag: 1 }, [0.701091, 0.661884, 0.658620, 0.656765, 0.655486], 196 / 300],
    ['gd + schedule_lr_decay', 'gd', 0.1, { type: 'staircase', rate: 1, interval: 1000, lag: 1 }, [0.701091, 0.127161, 0.120304, 0.117033, 0.117512], null],
    ['momentum + schedule_lr_decay', 'momentum', 0.1, { type: 'staircase', rate: 1, interval: 1000, lag: 1 }, [0.702226, 0.128974, 0.125965, 0.123375, 0.123218], 286 / 300],
    ['adam + schedule_lr_decay', 'adam', 0.01, { type: 'staircase', rate: 1, interval: 1000, lag: 1 }, [0.699346, 0.130074, 0.129826, 0.129282, 0.128361], 0.94],
  ];
  for (const [name, optimizer, lr0, decay, printed, accuracy] of DECAYED) {
    it(`${name} (decay lag 1, the notebook timing) through the API: every printed cost${accuracy === null ? '' : `, train accuracy ${accuracy}`}`, async () => {
      const r = await run(optimizer, lr0, decay);
      expectPrinted(r.costs, printed, name);
      if (accuracy !== null) expect(r.train).toBe(accuracy);
    }, 60_000);
  }

  it('the course module: optimizationModel adam + scheduleLrDecay (lr0 0.01) trains to 0.94', async () => {
    await course.ready();
    const r = course.optimizationModel(d.trainX, d.trainY, [2, 5, 2, 1], 'adam', { learningRate: 0.01, decay: 'scheduleLrDecay' });
    expect(course.predictThreeLayer(d.trainX, d.trainY, r.parameters).accuracy).toBe(0.94);
    expect(r.learningRates[10]).toBe(0.005); // after epoch 1000: 1 / (1 + 1)·0.01
  }, 300_000);
});
