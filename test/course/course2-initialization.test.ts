// The Initialization notebook's published outputs (circles data: loadCircles), through the API and the course module.
// Published (the notebook's printout; "Cost after iteration i" every 1000 of 15000, lr 0.01, [2, 10, 5, 1], seed 3):
//   zeros: 0.6931471805599453 at every check (…55 at 10000), train 0.5, test 0.5
//   random (randn·10): inf at 0, then RANDOM_COSTS below, train 0.83, test 0.86
//   He: HE_COSTS, train 0.9933333333333333, test 0.96
import { beforeAll, describe, expect, it } from 'vitest';
import * as course from '../../src/course.js';
import { costAt, courseNet, expectCosts, ff, haveCourse2, readShared, warnIfMissing } from './course2-shared.js';
import type { Network } from '../../src/network.js';

warnIfMissing('course2-initialization');

const ZEROS_COSTS = [...Array(10).fill(0.6931471805599453), 0.6931471805599455, ...Array(4).fill(0.6931471805599453)];
const RANDOM_COSTS = [0.6247924745506072, 0.5980258056061102, 0.5637539062842213, 0.5501256393526495, 0.5443826306793814, 0.5373895855049121,
  0.47157999220550006, 0.39770475516243037, 0.3934560146692851, 0.3920227137490125, 0.38913700035966736, 0.3861358766546214,
  0.38497629552893475, 0.38276694641706693];
const HE_COSTS = [0.8830537463419761, 0.6879825919728063, 0.6751286264523371, 0.6526117768893805, 0.6082958970572938, 0.5304944491717495,
  0.4138645817071794, 0.3117803464844441, 0.23696215330322562, 0.1859728720920684, 0.15015556280371808, 0.12325079292273551,
  0.09917746546525937, 0.08457055954024283, 0.07357895962677366];

describe.skipIf(!haveCourse2)('Initialization notebook (float64)', () => {
  let d: ReturnType<typeof course.loadCircles>;
  beforeAll(() => {
    d = course.loadCircles();
  });

  it('loadCircles equals ../shared/data/course2/circles.json bit for bit', () => {
    const j = readShared('circles');
    for (const [ours, key] of [[d.trainX, 'train_X'], [d.trainY, 'train_Y'], [d.testX, 'test_X'], [d.testY, 'test_Y']] as const) {
      expect(Array.from(ours.data), key).toEqual(j[key]!.flat());
      expect(ours.shape).toEqual([j[key]!.length, j[key]![0]!.length]);
    }
  });

  async function run(init: Parameters<typeof courseNet>[1]): Promise<{ costs: number[]; train: number; test: number }> {
    const net: Network = await courseNet([2, 10, 5, 1], init, 3);
    try {
      const h = await net.fit(d.trainX, d.trainY, { iterations: 15000, learningRate: 0.01, costEvery: 1000, ...ff });
      return { costs: Array.from({ length: 15 }, (_, i) => costAt(h.costs, 1000 * i)),
        train: net.evaluate(d.trainX, d.trainY, ff).accuracy, test: net.evaluate(d.testX, d.testY, ff).accuracy };
    } finally {
      net.dispose();
    }
  }

  it('zeros through the API: every printed cost, 0.5 / 0.5', async () => {
    const r = await run('zeros');
    expectCosts(r.costs, ZEROS_COSTS, 1e-9, 'zeros');
    expect([r.train, r.test]).toEqual([0.5, 0.5]);
  });

  it('He through the API: every printed cost, 0.9933 / 0.96', async () => {
    const r = await run('he');
    expectCosts(r.costs, HE_COSTS, 1e-9, 'he');
    expect(r.train).toBe(298 / 300);
    expect(r.test).toBe(0.96);
  });

  it('randn·10 through the API (init { scale: 10 }): 0.83 / 0.86', async () => {
    const r = await run({ scale: 10 });
    expect(r.train).toBe(0.83);
    expect(r.test).toBe(0.86);
    // This run's costs depend on the summation order of the products (the ×10 weights saturate the sigmoid and the
    // relus): numpy 2.4 + OpenBLAS misses the published costs by up to 3.3e-3 relative (at 7000), numpy with a
    // sequential dot by more; the published ones cannot be matched to 1e-9 without the original BLAS. ≤ 2e-2 here.
    expectCosts(r.costs.slice(1), RANDOM_COSTS, 2e-2, 'random');
  });

  it('the course module: initializationModel for He (every printed cost) and random (inf at 0, 0.83 / 0.86)', async () => {
    await course.ready();
    const he = course.initializationModel(d.trainX, d.trainY, { initialization: 'he' });
    expectCosts(he.costs, HE_COSTS, 1e-9, 'he');
    expect(course.predictThreeLayer(d.trainX, d.trainY, he.parameters).accuracy).toBe(298 / 300);
    expect(course.predictThreeLayer(d.testX, d.testY, he.parameters).accuracy).toBe(0.96);
    const random = course.initializationModel(d.trainX, d.trainY, { initialization: 'random' });
    expect(random.costs[0]).toBe(Infinity);
    expectCosts(random.costs.slice(1), RANDOM_COSTS, 2e-2, 'random'); // see the API test above
    expect(course.predictThreeLayer(d.trainX, d.trainY, random.parameters).accuracy).toBe(0.83);
    expect(course.predictThreeLayer(d.testX, d.testY, random.parameters).accuracy).toBe(0.86);
  }, 300_000);
});
