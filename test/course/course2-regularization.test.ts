// The Regularization notebook's published outputs (football data: loadFootball), through the API and the course module.
// Published (the notebook's printout; [2, 20, 3, 1], reg_utils init np.random.seed(3) randn/√n, lr 0.3, 30000 iterations,
// "Cost after iteration i" at 0, 10000, 20000):
//   none:            0.6557412523481002, 0.16329987525724216, 0.13851642423255986; train 0.9478672985781991, test 0.915
//   L2, λ = 0.7:     0.6974484493131264, 0.2684918873282239, 0.26809163371273004; train 0.9383886255924171, test 0.93
//   dropout 0.86:    0.6543912405149825, 0.06101698657490559, 0.060582435798513114; train 0.9289099526066351, test 0.95
// (the last digits of the 10000 / 20000 costs differ between published copies of the notebook, by ≤ 2e-12 relative:
// they depend on the BLAS; the comparison below is to 1e-9.)
import { beforeAll, describe, expect, it } from 'vitest';
import * as course from '../../src/course.js';
import { createRandom } from '../../src/rng.js';
import { costAt, courseNet, expectCosts, ff, haveCourse2, readShared, warnIfMissing } from './course2-shared.js';

warnIfMissing('course2-regularization');

const NONE = [0.6557412523481002, 0.16329987525724216, 0.13851642423255986];
const L2 = [0.6974484493131264, 0.2684918873282239, 0.26809163371273004];
const DROPOUT = [0.6543912405149825, 0.06101698657490559, 0.060582435798513114];

describe.skipIf(!haveCourse2)('Regularization notebook (float64)', () => {
  let d: Awaited<ReturnType<typeof course.loadFootball>>;
  beforeAll(async () => {
    d = await course.loadFootball();
  });

  it('loadFootball reads ../shared/data/course2/football.json in the course layout', () => {
    const j = readShared('football');
    expect(d.trainX.shape).toEqual([2, 211]);
    expect(d.testY.shape).toEqual([1, 200]);
    expect(Array.from(d.trainX.data)).toEqual(j.train_X!.flat());
    expect(Array.from(d.testY.data)).toEqual(j.test_Y!.flat());
  });

  async function run(fit: { l2?: number; keepProb?: number }): Promise<{ costs: number[]; train: number; test: number }> {
    const net = await courseNet([2, 20, 3, 1], 'course', 3);
    try {
      const h = await net.fit(d.trainX, d.trainY, { iterations: 30000, learningRate: 0.3, costEvery: 10000, ...fit, ...ff });
      return { costs: [0, 10000, 20000].map((i) => costAt(h.costs, i)), train: net.evaluate(d.trainX, d.trainY, ff).accuracy, test: net.evaluate(d.testX, d.testY, ff).accuracy };
    } finally {
      net.dispose();
    }
  }

  it('no regularisation through the API: the printed costs, 0.9479 / 0.915', async () => {
    const r = await run({});
    expectCosts(r.costs, NONE, 1e-9, 'none');
    expect(r.train).toBe(200 / 211);
    expect(r.test).toBe(0.915);
  }, 60_000);

  it('L2 λ = 0.7 through the API: the printed costs, 0.9384 / 0.93', async () => {
    const r = await run({ l2: 0.7 });
    expectCosts(r.costs, L2, 1e-9, 'l2');
    expect(r.train).toBe(198 / 211);
    expect(r.test).toBe(0.93);
  }, 60_000);

  it('dropout 0.86 with the notebook masks (course module): the printed costs, 0.9289 / 0.95', async () => {
    await course.ready();
    const r = course.regularizationModel(d.trainX, d.trainY, { keepProb: 0.86 });
    expectCosts([r.costs[0]!, r.costs[10]!, r.costs[20]!], DROPOUT, 1e-9, 'dropout');
    expect(course.predictThreeLayer(d.trainX, d.trainY, r.parameters).accuracy).toBe(196 / 211);
    expect(course.predictThreeLayer(d.testX, d.testY, r.parameters).accuracy).toBe(0.95);
  }, 300_000);

  it('computeCostWithRegularization on the notebook test case = 1.7864859451590758', () => {
    // compute_cost_with_regularization_test_case(): np.random.seed(1), W1 (2, 3), b1, W2 (3, 2), b2, W3 (1, 3), b3; λ = 0.1.
    const r = createRandom('numpy', 1);
    const draw = (rows: number, cols: number) => course.matrix(rows, cols, r.randnFill(new Float64Array(rows * cols)));
    const p = { W1: draw(2, 3), b1: draw(2, 1), W2: draw(3, 2), b2: draw(3, 1), W3: draw(1, 3), b3: draw(1, 1) };
    const a3 = course.fromRows([[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]]);
    const Y = course.fromRows([[1, 1, 0, 1, 0]]);
    expect(course.computeCostWithRegularization(a3, Y, p, 0.1)).toBeCloseTo(1.7864859451590758, 14);
  });
});
