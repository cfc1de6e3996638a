// The second course's notebook functions against the same functions run in numpy (test/fixtures/make_course2_fixtures.py).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as course from '../../src/course.js';
import type { Matrix, Parameters } from '../../src/course.js';

interface Fixture { shape: [number, number]; data: number[] }
const fx = JSON.parse(readFileSync(new URL('../fixtures/course2.json', import.meta.url), 'utf8'));
const M = (f: Fixture): Matrix => course.matrix(f.shape[0], f.shape[1], f.data);
const P = (d: Record<string, Fixture>): Parameters => Object.fromEntries(Object.entries(d).map(([k, v]) => [k, M(v)]));

/** numpy and our GEMM sum in different orders: allow a few ulps of the largest magnitude involved. */
function close(actual: Matrix | undefined, expected: Fixture, tol = 1e-12): void {
  expect(actual, 'missing matrix').toBeDefined();
  expect(actual!.shape).toEqual(expected.shape);
  const scale = Math.max(1, ...expected.data.map(Math.abs));
  actual!.data.forEach((v, i) => {
    expect(Math.abs(v - expected.data[i]!), `element ${i}: ${v} vs ${expected.data[i]}`).toBeLessThanOrEqual(tol * scale);
  });
}
function closeAll(actual: Record<string, Matrix>, expected: Record<string, Fixture>, tol = 1e-12): void {
  for (const [k, v] of Object.entries(expected)) close(actual[k], v, tol);
}
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

for (const engine of ['plain TypeScript', 'WASM'] as const) {
  describe(`second-course functions (${engine} GEMM)`, () => {
    beforeAll(async () => {
      if (engine === 'WASM') await course.ready();
    });

    it('initializeParametersZeros / Random / He draw numpy randn in the notebook order', () => {
      const f = fx.init;
      for (const [ours, theirs] of [[course.initializeParametersZeros(f.dims), f.zeros], [course.initializeParametersRandom(f.dims), f.random],
        [course.initializeParametersHe([2, 4, 1]), f.he]] as const) {
        for (const [k, v] of Object.entries(theirs as Record<string, Fixture>)) expect(Array.from(ours[k]!.data), k).toEqual(v.data);
      }
    });

    it('the 3-layer forward pass, both backward passes, the unclipped loss and predict', () => {
      const t = fx.three;
      const params = P(t.params);
      const { A3, cache } = course.forwardPropagationThreeLayer(M(t.X), params);
      close(A3, t.A3);
      expect(rel(course.computeLoss(A3, M(t.Y)), t.loss)).toBeLessThan(1e-14);
      closeAll(course.backwardPropagationThreeLayer(M(t.X), M(t.Y), cache), t.gradsScaled);
      closeAll(course.backwardPropagationWithRegularization(M(t.X), M(t.Y), cache, 0), t.gradsReg);
      expect(course.predictThreeLayer(M(t.X), M(t.Y), params).accuracy).toBe(t.accuracy);
      // randn·10 saturates: numpy's nansum drops 0·log(0) and keeps inf for a confidently wrong example.
      const sat = t.lossSaturated;
      const a = course.forwardPropagationThreeLayer(M(t.X), P(sat.params)).A3;
      close(a, sat.A3);
      const loss = course.computeLoss(a, M(t.Y));
      expect(sat.loss).toBe('inf');
      expect(loss).toBe(Infinity);
    });

    it('initializationModel (He) follows the numpy run for 2001 iterations', () => {
      const t = fx.three, r = fx.initModel;
      const out = course.initializationModel(M(t.X), M(t.Y), { learningRate: r.learningRate, numIterations: r.iterations, initialization: 'he' });
      expect(out.costs.length).toBe(r.costs.length);
      out.costs.forEach((c, i) => expect(rel(c, r.costs[i]), `cost ${i}`).toBeLessThan(1e-11));
      closeAll(out.parameters, r.params, 1e-10);
    });

    it('computeCostWithRegularization on the notebook test case, and the published 1.7864859451590758', () => {
      const c = fx.costReg;
      const cost = course.computeCostWithRegularization(M(c.A3), M(c.Y), P(c.params), c.lambd);
      expect(rel(cost, c.cost)).toBeLessThan(1e-14);
      expect(rel(cost, 1.7864859451590758)).toBeLessThan(1e-14);
    });

    it('forward/backward with dropout (np.random.seed(1) inside) and backward with L2', () => {
      const d = fx.dropout;
      const params = P(d.params);
      const { A3, cache } = course.forwardPropagationWithDropout(M(d.X), params, d.keepProb);
      expect(Array.from(cache.D1.data)).toEqual(d.D1.data);
      expect(Array.from(cache.D2.data)).toEqual(d.D2.data);
      close(A3, d.A3);
      closeAll(course.backwardPropagationWithDropout(M(d.X), M(d.Y), cache, d.backKeepProb), d.grads);
      const plain = course.forwardPropagationThreeLayer(M(d.X), params).cache;
      closeAll(course.backwardPropagationWithRegularization(M(d.X), M(d.Y), plain, 0.7), d.l2Grads);
    });

    it('regularizationModel: none, L2, notebook dropout and fresh-mask dropout follow numpy for 1001 iterations', () => {
      const r = fx.regModel;
      const opts = { none: {}, l2: { lambd: 0.7 }, dropout: { keepProb: 0.86 }, dropoutFresh: { keepProb: 0.86, masks: 'fresh' } } as const;
      for (const [name, o] of Object.entries(opts)) {
        const out = course.regularizationModel(M(r.X), M(r.Y), { learningRate: r.learningRate, numIterations: r.iterations, ...o });
        out.costs.forEach((c, i) => expect(rel(c, r.runs[name].costs[i]), `${name} cost ${i}`).toBeLessThan(1e-11));
        closeAll(out.parameters, r.runs[name].params, 1e-10);
      }
    });

    it('gradientCheck (1-D) and the N-D check with and without the notebook bugs', () => {
      const g = fx.gradCheck;
      expect(course.gradientCheck(2, 4)).toBe(g.oneD.x2);
      expect(course.gradientCheck(3, 4)).toBe(g.oneD.x3);
      const params = P(g.params);
      const { theta, keys } = course.dictionaryToVector(params);
      expect(Array.from(theta.data)).toEqual(g.theta.data);
      expect(keys.slice(18, 22)).toEqual(['W1', 'W1', 'b1', 'b1']);
      const back = course.vectorToDictionary(theta);
      for (const k of Object.keys(params)) expect(Array.from(back[k]!.data)).toEqual(Array.from(params[k]!.data));
      const { cost, cache } = course.forwardPropagationN(M(g.X), M(g.Y), params);
      expect(rel(cost, g.cost)).toBeLessThan(1e-14);
      close(course.gradientsToVector(course.backwardPropagationN(M(g.X), M(g.Y), cache, true)), g.buggyGrads);
      close(course.gradientsToVector(course.backwardPropagationN(M(g.X), M(g.Y), cache)), g.grads);
      const buggy = course.gradientCheckN(params, course.backwardPropagationN(M(g.X), M(g.Y), cache, true), M(g.X), M(g.Y));
      close(buggy.gradapprox, g.gradapprox, 1e-7);
      expect(rel(buggy.difference, g.differenceBuggy)).toBeLessThan(1e-9);
      const fixed = course.gradientCheckN(params, course.backwardPropagationN(M(g.X), M(g.Y), cache), M(g.X), M(g.Y));
      expect(rel(fixed.difference, g.difference)).toBeLessThan(1e-6);
    });

    it('randomMiniBatches, momentum, Adam, updateLr and scheduleLrDecay', () => {
      const o = fx.opt;
      const batches = course.randomMiniBatches(M(o.X), M(o.Y), 64, 0);
      expect(batches.length).toBe(o.miniBatches.length);
      batches.forEach(([bx, by], i) => {
        expect(Array.from(bx.data)).toEqual(o.miniBatches[i][0].data);
        expect(Array.from(by.data)).toEqual(o.miniBatches[i][1].data);
      });
      const params = P(o.params), grads = P(o.grads);
      let r = course.updateParametersWithMomentum(params, grads, course.initializeVelocity(params), 0.9, 0.01);
      r = course.updateParametersWithMomentum(r.parameters, grads, r.v, 0.9, 0.01);
      closeAll(r.parameters, o.momentum.params, 1e-15);
      closeAll(r.v, o.momentum.v, 1e-15);
      const { v, s } = course.initializeAdam(params);
      const a = course.updateParametersWithAdam(params, grads, v, s, o.adam.t, o.adam.lr);
      for (const k of ['params', 'v', 's', 'vCorrected', 'sCorrected'] as const) closeAll(k === 'params' ? a.parameters : a[k], o.adam[k], 1e-15);
      expect(Array.from({ length: 50 }, (_, e) => course.updateLr(0.1, e, 1))).toEqual(o.updateLr); // 1/(1+e)·0.1 ≠ 0.1/(1+e) at e = 4, 6, 9, …
      expect([0, 99, 100, 250, 1000].map((e) => course.scheduleLrDecay(0.5, e, 0.3, 100))).toEqual(o.scheduleLrDecay);
    });

    it('optimizationModel: gd, momentum, adam and the two decays follow numpy for 201 epochs', () => {
      const r = fx.optModel;
      const opts: Record<string, course.OptimizationModelOptions> = {
        gd: {}, momentum: {}, adam: {}, gdUpdateLr: { learningRate: 0.1, decay: 'updateLr' }, adamSchedule: { learningRate: 0.01, decay: 'scheduleLrDecay' },
      };
      for (const [name, o] of Object.entries(opts)) {
        const run = r.runs[name];
        const out = course.optimizationModel(M(r.X), M(r.Y), [2, 5, 2, 1], run.optimizer, { numEpochs: r.epochs, ...o });
        out.costs.forEach((c, i) => expect(rel(c, run.costs[i]), `${name} cost ${i}`).toBeLessThan(1e-11));
        closeAll(out.parameters, run.params, 1e-10);
        expect(course.predictThreeLayer(M(r.X), M(r.Y), out.parameters).accuracy).toBe(run.accuracy);
      }
    });

    it('names bad input', () => {
      expect(() => course.forwardPropagationWithDropout(course.matrix(2, 3), {}, 0.5)).toThrow(/missing W1/);
      expect(() => course.forwardPropagationWithDropout(course.matrix(2, 3), course.initializeParametersHe([2, 3, 1]), 0)).toThrow(/keepProb must be in \(0, 1\]/);
      expect(() => course.initializationModel(course.matrix(2, 3), course.matrix(1, 3), { initialization: 'xavier' as never })).toThrow(/unknown initialization 'xavier'/);
      expect(() => course.optimizationModel(course.matrix(2, 3), course.matrix(1, 3), [2, 1], 'rmsprop' as never)).toThrow(/unknown optimizer 'rmsprop'/);
      expect(() => course.randomMiniBatches(course.matrix(2, 3), course.matrix(1, 4))).toThrow(/X has 3 examples, Y 4/);
      expect(() => course.vectorToDictionary(course.matrix(46, 1))).toThrow(/theta has 46 values, the shapes need 47/);
      expect(() => course.regularizationModel(course.matrix(2, 3), course.matrix(1, 3), { lambd: 0.1, keepProb: 0.5 })).toThrow(/either lambd or keepProb/);
    });
  });
}
