// Parity with the published outputs of deeplearning.ai Course 1 (weeks 2, 3 and 4).
//
// Every expected number below is the course notebook's PUBLISHED output, not an output of simdnet:
//   week 2 (logistic regression, w = 0, b = 0, 2000 iterations, lr 0.005):
//     "Cost after iteration 0: 0.693147", "train accuracy: 99.04306220095694 %", "test accuracy: 70.0 %"
//   week 3 (planar data, n_h = 4, tanh, 10000 iterations, lr 1.2, np.random.seed(2), W·0.01):
//     "Cost after iteration 0: 0.693048", "Accuracy: 90%" (printed with '%d', i.e. truncated: [90, 91) %)
//   week 4 (L-layer [12288, 20, 7, 5, 1], relu/sigmoid, seed 1, W = randn/√n_prev, 2500 iterations, lr 0.0075):
//     the cost every 100 iterations listed in DEEP_COSTS, "Accuracy: 0.985645933014" (train), "Accuracy: 0.8" (test).
//
// The cat data live outside the repository (../shared/data/catvnoncat/); those tests are skipped,
// with a message, when it is absent. The planar data is generated in-process by loadPlanarDataset().
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Network, type CostRecord } from '../../src/network.js';
import { loadCatDataset, type CatDataset } from '../../src/data/hdf5.js';
import { loadPlanarDataset } from '../../src/data/planar.js';
import type { DType } from '../../src/runtime/arena.js';

const catDir = new URL('../../../shared/data/catvnoncat/', import.meta.url);
const catExists = ['train_catvnoncat.h5', 'test_catvnoncat.h5'].every((f) => existsSync(new URL(f, catDir)));
if (!catExists) {
  console.warn(`course-parity: cat-vs-non-cat tests skipped: train_catvnoncat.h5 / test_catvnoncat.h5 not found in ${fileURLToPath(catDir)}`);
}

const SLOW = 300_000;

/** The week-4 notebook's published "Cost after iteration i" for i = 0, 100, ..., 2400. */
const DEEP_COSTS = [
  0.771749, 0.672053, 0.648263, 0.611507, 0.567047, 0.540138, 0.527930, 0.465477, 0.369126, 0.391747,
  0.315187, 0.272700, 0.237419, 0.199601, 0.189263, 0.161189, 0.148214, 0.137775, 0.129740, 0.121225,
  0.113821, 0.107839, 0.102855, 0.100897, 0.092878,
];
/** Published accuracies (209 training and 50 test images). */
const LOGISTIC_TRAIN = 0.9904306220095694; // 207/209
const LOGISTIC_TEST = 0.7; // 35/50
const DEEP_TRAIN = 0.985645933014; // 206/209, printed to 12 digits
const DEEP_TEST = 0.8; // 40/50

let cat: CatDataset;
beforeAll(async () => {
  if (catExists) cat = await loadCatDataset(catDir);
}, SLOW);

const ff = { layout: 'features-first' as const };

async function logistic(dtype: DType) {
  const net = await Network.create({ layers: [12288, 1], output: 'sigmoid', init: 'zeros', dtype });
  try {
    const history = await net.fit(cat.trainX, cat.trainY, { iterations: 2000, learningRate: 0.005, ...ff });
    const train = net.evaluate(cat.trainX, cat.trainY, ff).accuracy;
    const test = net.evaluate(cat.testX, cat.testY, ff).accuracy;
    return { history, train, test };
  } finally {
    net.dispose();
  }
}

async function deep(dtype: DType) {
  const net = await Network.create({
    layers: [12288, 20, 7, 5, 1], hidden: 'relu', output: 'sigmoid', init: 'course', rng: 'numpy', seed: 1, dtype,
  });
  try {
    const history = await net.fit(cat.trainX, cat.trainY, { iterations: 2500, learningRate: 0.0075, costEvery: 100, ...ff });
    const train = net.evaluate(cat.trainX, cat.trainY, ff).accuracy;
    const test = net.evaluate(cat.testX, cat.testY, ff).accuracy;
    return { history, train, test };
  } finally {
    net.dispose();
  }
}

function costAt(costs: CostRecord[], iteration: number): number {
  const r = costs.find((c) => c.iteration === iteration);
  if (r === undefined) throw new Error(`no cost recorded at iteration ${iteration}`);
  return r.cost;
}

describe('course parity, float64', () => {
  it.skipIf(!catExists)('week 2: logistic regression on cat vs non-cat', async () => {
    expect(cat.trainX.shape).toEqual([12288, 209]);
    const { history, train, test } = await logistic('float64');
    expect(costAt(history.costs, 0)).toBeCloseTo(0.693147, 6);
    expect(history.iterations).toBe(2000);
    expect(Math.abs(train - LOGISTIC_TRAIN)).toBeLessThan(1e-12);
    expect(train * 209).toBe(207);
    expect(test).toBe(LOGISTIC_TEST);
  }, SLOW);

  it.skipIf(!catExists)('week 4: L-layer [12288, 20, 7, 5, 1] reproduces the published cost curve and accuracies', async () => {
    const { history, train, test } = await deep('float64');
    expect(costAt(history.costs, 0)).toBeCloseTo(0.771749, 6);
    const recorded = DEEP_COSTS.map((_, i) => costAt(history.costs, 100 * i));
    const worst = Math.max(...recorded.map((c, i) => Math.abs(c - DEEP_COSTS[i]!)));
    console.log(`course-parity deep f64: largest |cost − published| over 25 checkpoints = ${worst.toExponential(2)}`);
    recorded.forEach((c, i) => {
      expect(Math.abs(c - DEEP_COSTS[i]!), `cost at iteration ${100 * i}: ${c} vs published ${DEEP_COSTS[i]}`).toBeLessThanOrEqual(1e-5);
    });
    expect(Math.abs(train - DEEP_TRAIN)).toBeLessThan(1e-12);
    expect(Math.round(train * 209)).toBe(206);
    expect(test).toBe(DEEP_TEST);
  }, SLOW);

  it('week 3: planar flower, one tanh hidden layer of 4 units', async () => {
    const { X, Y } = loadPlanarDataset();
    expect(X.shape).toEqual([2, 400]);
    const net = await Network.create({
      layers: [2, 4, 1], hidden: 'tanh', output: 'sigmoid', init: 'small', rng: 'numpy', seed: 2, dtype: 'float64',
    });
    try {
      const history = await net.fit(X, Y, { iterations: 10000, learningRate: 1.2, costEvery: 1000, ...ff });
      expect(costAt(history.costs, 0)).toBeCloseTo(0.693048, 6);
      const accuracy = net.evaluate(X, Y, ff).accuracy;
      console.log(`course-parity planar f64: accuracy ${accuracy} (course prints "Accuracy: 90%", truncated with %d)`);
      expect(accuracy).toBeGreaterThanOrEqual(0.9);
      expect(accuracy).toBeLessThan(0.91);
    } finally {
      net.dispose();
    }
  }, SLOW);
});

describe('course parity, float32 (published train accuracies; the test accuracy within its measured f32 band)', () => {
  it.skipIf(!catExists)('week 2: logistic regression', async () => {
    const { history, train, test } = await logistic('float32');
    // f32 arithmetic: the cost of w = 0 is ln 2 whatever the precision, to 6 decimals.
    expect(costAt(history.costs, 0)).toBeCloseTo(0.693147, 6);
    expect(Math.round(train * 209)).toBe(207);
    expect(Math.abs(train - LOGISTIC_TRAIN)).toBeLessThan(1e-12);
    expect(test).toBe(LOGISTIC_TEST);
  }, SLOW);

  it.skipIf(!catExists)('week 4: L-layer', async () => {
    const { history, train, test } = await deep('float32');
    const recorded = DEEP_COSTS.map((_, i) => costAt(history.costs, 100 * i));
    const worst = Math.max(...recorded.map((c, i) => Math.abs(c - DEEP_COSTS[i]!)));
    console.log(`course-parity deep f32: largest |cost − published| over 25 checkpoints = ${worst.toExponential(2)} (not asserted); ` +
      `costs ${recorded.map((c) => c.toFixed(6)).join(' ')}`);
    expect(Math.round(train * 209)).toBe(206);
    expect(Math.abs(train - DEEP_TRAIN)).toBeLessThan(1e-12);
    // The f32 test accuracy is not a stable quantity: flipping the last bit of ONE initial weight
    // (W1[1000], [2000], ... [5000]) moved it between 38, 39 and 40 of the 50 test images (0.76, 0.78, 0.80;
    // scratch experiment, 2026-11-21), and the f32 cost curve leaves the published one from iteration 300 on,
    // while the f64 run keeps 0.8 under perturbations of 1e-9 and an f32-rounded initialisation. So the f32
    // run is held to the published train accuracy exactly and to that measured band on the test set.
    console.log(`course-parity deep f32: test accuracy ${test} (published f64: ${DEEP_TEST})`);
    expect(Math.round(test * 50)).toBeGreaterThanOrEqual(38);
    expect(Math.round(test * 50)).toBeLessThanOrEqual(40);
  }, SLOW);
});
