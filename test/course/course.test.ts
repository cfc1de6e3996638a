// The course module against the notebooks' functions run in numpy (test/fixtures/make_course_fixtures.py).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as course from '../../src/course.js';
import type { Matrix, Parameters } from '../../src/course.js';

interface Fixture { shape: [number, number]; data: number[] }
const fx = JSON.parse(readFileSync(new URL('../fixtures/course.json', import.meta.url), 'utf8'));
const M = (f: Fixture): Matrix => course.matrix(f.shape[0], f.shape[1], f.data);
const P = (d: Record<string, Fixture>): Parameters => Object.fromEntries(Object.entries(d).map(([k, v]) => [k, M(v)]));

/** numpy and our GEMM sum in different orders: allow a few ulps of the largest magnitude involved. */
function close(actual: Matrix, expected: Fixture, tol = 1e-12): void {
  expect(actual.shape).toEqual(expected.shape);
  const scale = Math.max(1, ...expected.data.map(Math.abs));
  actual.data.forEach((v, i) => {
    expect(Math.abs(v - expected.data[i]!), `element ${i}: ${v} vs ${expected.data[i]}`).toBeLessThanOrEqual(tol * scale);
  });
}

for (const engine of ['plain TypeScript', 'WASM'] as const) {
  describe(`course functions (${engine} GEMM)`, () => {
    beforeAll(async () => {
      if (engine === 'WASM') await course.ready();
    });

    it('initializeParametersDeep draws numpy randn in the notebook order', () => {
      const small = course.initializeParametersDeep([5, 4, 3], 3, 'small');
      const c1 = course.initializeParametersDeep([7, 5, 3, 1], 1, 'course');
      for (const [ours, theirs] of [[small, fx.initializeParametersDeep.small], [c1, fx.initializeParametersDeep.course1]] as const) {
        for (const [k, v] of Object.entries(theirs as Record<string, Fixture>)) {
          expect(Array.from(ours[k]!.data)).toEqual(v.data);
        }
      }
    });

    it('linearForward and linearActivationForward', () => {
      const f = fx.linearForward;
      close(course.linearForward(M(f.A), M(f.W), M(f.b)).Z, f.Z);
      const g = fx.linearActivationForward;
      for (const act of ['sigmoid', 'relu', 'tanh'] as const) close(course.linearActivationForward(M(g.A), M(g.W), M(g.b), act).A, g[act]);
    });

    it('lModelForward, computeCost, lModelBackward and updateParameters', () => {
      const d = fx.deep;
      const params = P(d.params);
      const { AL, caches } = course.lModelForward(M(d.X), params);
      close(AL, d.AL);
      expect(course.computeCost(AL, M(d.Y))).toBeCloseTo(d.cost, 12);
      const grads = course.lModelBackward(AL, M(d.Y), caches);
      for (const [k, v] of Object.entries(d.grads as Record<string, Fixture>)) close(grads[k]!, v, 1e-11);
      const updated = course.updateParameters(params, grads, d.learningRate);
      for (const [k, v] of Object.entries(d.updated as Record<string, Fixture>)) close(updated[k]!, v, 1e-11);
    });

    it('lLayerModel follows the numpy run for 250 iterations', () => {
      const d = fx.deep;
      const r = course.lLayerModel(M(d.X), M(d.Y), d.model.layers, d.model.learningRate, d.model.iterations, 1);
      r.costs.forEach((c, i) => expect(c).toBeCloseTo(d.model.costs[i], 10));
      for (const [k, v] of Object.entries(d.model.params as Record<string, Fixture>)) close(r.parameters[k]!, v, 1e-9);
    });

    it('propagate and optimize (logistic regression)', () => {
      const l = fx.logistic;
      const r = course.propagate(M(l.w), l.b, M(l.X), M(l.Y));
      close(r.grads.dw, l.dw);
      expect(r.grads.db).toBeCloseTo(l.db, 12);
      expect(r.cost).toBeCloseTo(l.cost, 12);
      const o = course.optimize(M(l.w), l.b, M(l.X), M(l.Y), l.optimized.iterations, l.optimized.learningRate);
      close(o.params.w, l.optimized.w, 1e-10);
      expect(o.params.b).toBeCloseTo(l.optimized.b, 10);
      o.costs.forEach((c, i) => expect(c).toBeCloseTo(l.optimized.costs[i], 10));
    });

    it('planar forwardPropagation and backwardPropagation', () => {
      const p = fx.planar;
      const params = P(p.params);
      const { A2, cache } = course.forwardPropagation(M(p.X), params);
      close(A2, p.A2);
      const grads = course.backwardPropagation(params, cache, M(p.X), M(p.Y));
      for (const [k, v] of Object.entries(p.grads as Record<string, Fixture>)) close(grads[k]!, v, 1e-11);
    });

    it('names shape errors', () => {
      expect(() => course.dot(course.matrix(2, 3), course.matrix(2, 3))).toThrow(/\(2, 3\) and \(2, 3\) not aligned/);
      expect(() => course.linearForward(course.matrix(3, 2), course.matrix(1, 3), course.matrix(2, 1))).toThrow(/broadcast b \(2, 1\)/);
      expect(() => course.linearActivationForward(course.matrix(3, 2), course.matrix(1, 3), course.matrix(1, 1), 'softplus' as never)).toThrow(/unknown activation 'softplus'/);
    });
  });
}
