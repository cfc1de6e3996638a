// The two API options the second course's notebooks need: init { scale } and decay { lag }.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Network } from '../../src/network.js';
import { checkInit } from '../../src/init.js';
import { decayedRate, resolveFitOptions } from '../../src/train/options.js';

const fx = JSON.parse(readFileSync(new URL('../fixtures/course2.json', import.meta.url), 'utf8'));

describe('init: { scale }', () => {
  it('Network.create with init { scale: 10 }, rng numpy, seed 3 draws the notebook initialize_parameters_random([3, 2, 1])', async () => {
    const net = await Network.create({ layers: [3, 2, 1], hidden: 'relu', init: { scale: 10 }, rng: 'numpy', seed: 3, dtype: 'float64' });
    try {
      const w = net.getWeights();
      expect(Array.from(w[0]!.W)).toEqual(fx.init.random.W1.data);
      expect(Array.from(w[1]!.W)).toEqual(fx.init.random.W2.data);
      expect(Array.from(w[0]!.b)).toEqual([0, 0]);
      // The model file keeps it in its training metadata and loads back.
      const again = await Network.load(net.save());
      expect(Array.from(again.getWeights()[0]!.W)).toEqual(fx.init.random.W1.data);
      again.dispose();
    } finally {
      net.dispose();
    }
  });

  it('checkInit accepts names and { scale }, and names what is wrong', () => {
    expect(checkInit('he')).toBe('he');
    expect(checkInit({ scale: 0.5 })).toEqual({ scale: 0.5 });
    expect(() => checkInit('random')).toThrow(/unknown init 'random'; expected one of zeros, small, course, he, xavier or \{ scale: number \}/);
    expect(() => checkInit({ scale: Number.NaN })).toThrow(/init.scale must be a finite number, got NaN/);
    expect(() => checkInit({ scale: '10' })).toThrow(/init.scale must be a finite number/);
    expect(() => checkInit({ scale: 1, std: 2 })).toThrow(/unknown init option 'std'/);
    expect(() => checkInit(null)).toThrow(/unknown init 'null'/);
  });
});

describe('decay: { lag }', () => {
  it('lag 1: epochs 0 and 1 at lr0, epoch e at 1 / (1 + rate·(e − 1))·lr0 (the notebook updates after each epoch)', () => {
    const inv = { type: 'inverseTime' as const, rate: 1, interval: 1000, lag: 1 };
    expect([0, 1, 2, 3].map((e) => decayedRate(0.1, inv, e))).toEqual([0.1, 0.1, 0.05, (1 / 3) * 0.1]);
    const stair = { type: 'staircase' as const, rate: 1, interval: 1000, lag: 1 };
    expect([0, 1000, 1001, 2000, 2001].map((e) => decayedRate(0.1, stair, e))).toEqual([0.1, 0.1, 0.05, 0.05, (1 / 3) * 0.1]);
    // lag 0 (the default) is today's behaviour: epoch e at 1 / (1 + rate·e)·lr0.
    expect(decayedRate(0.1, { ...inv, lag: 0 }, 1)).toBe(0.05);
  });

  it('resolveFitOptions fills lag 0 and rejects bad lags and unknown keys', () => {
    expect(resolveFitOptions({ decay: { type: 'inverseTime', rate: 1 } }, 10, 0).decay).toEqual({ type: 'inverseTime', rate: 1, interval: 1000, lag: 0 });
    expect(resolveFitOptions({ decay: { type: 'staircase', rate: 1, lag: 1 } }, 10, 0).decay?.lag).toBe(1);
    expect(() => resolveFitOptions({ decay: { type: 'inverseTime', rate: 1, lag: -1 } }, 10, 0)).toThrow(/decay.lag must be a non-negative integer, got -1/);
    expect(() => resolveFitOptions({ decay: { type: 'inverseTime', rate: 1, lag: 0.5 } }, 10, 0)).toThrow(/decay.lag must be a non-negative integer, got 0.5/);
    expect(() => resolveFitOptions({ decay: { type: 'inverseTime', rate: 1, lags: 1 } as never }, 10, 0)).toThrow(/unknown decay option 'lags'/);
  });
});
