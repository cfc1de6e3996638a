// Optimisers against the course's formulas (Course 2, week 2).
//  - Kernels.optimizerStep vs numpy fixtures (test/fixtures/optim.json, written by
//    test/fixtures/make_optim_fixtures.py) for gd, momentum, RMSprop and Adam over three steps,
//    in both kernel builds and both dtypes.
//  - decayedRate vs the course's inverse-time and scheduled (staircase) decay, and fit's use of it.
//  - fit's update sequence vs the course formulas applied by hand to the analytic gradients.
//  - fit with momentum / RMSprop / Adam on mini-batches lowers the cost of a separable problem.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernels, type OptimizerKind } from '../../src/kernels.js';
import { decayedRate, resolveFitOptions } from '../../src/train/options.js';
import { Network } from '../../src/network.js';
import type { DType } from '../../src/runtime/arena.js';
import type { Build } from '../../src/runtime/load.js';
import { mulberry32, randomRows } from './helpers.js';

interface Step { t: number; params: Record<string, number[]>; v?: Record<string, number[]>; s?: Record<string, number[]> }
interface Fixture {
  shapes: Record<string, [number, number]>;
  params: Record<string, number[]>;
  grads: Record<string, number[]>[];
  cases: Record<OptimizerKind, { hyper: { learningRate: number; beta1?: number; beta2?: number; epsilon?: number }; steps: Step[] }>;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/optim.json', import.meta.url), 'utf8')) as Fixture;

const KINDS: OptimizerKind[] = ['gd', 'momentum', 'rmsprop', 'adam'];
const OPT: Record<OptimizerKind, number> = { gd: 0, momentum: 1, rmsprop: 2, adam: 3 };
const BUILDS: Build[] = ['simd', 'scalar'];
const DTYPES: DType[] = ['float64', 'float32'];
const TOL: Record<DType, number> = { float64: 1e-12, float32: 1e-6 };

const kernels = new Map<Build, Kernels>();
beforeAll(async () => {
  for (const b of BUILDS) kernels.set(b, await Kernels.load({ build: b }));
});

/** max |a − e| / |e| (every fixture value is non-zero). */
function maxRel(actual: ArrayLike<number>, expected: number[]): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  expected.forEach((e, i) => { worst = Math.max(worst, Math.abs(actual[i]! - e) / Math.abs(e)); });
  return worst;
}

describe('Kernels.optimizerStep reproduces the course updates (numpy fixtures)', () => {
  const worst: Record<string, number> = {};
  afterAll(() => console.log('optimizers: largest relative error vs numpy:', JSON.stringify(worst, (_, v) => (typeof v === 'number' ? Number(v.toExponential(2)) : v))));

  for (const build of BUILDS) {
    for (const dtype of DTYPES) {
      for (const kind of KINDS) {
        it(`${kind}, ${build} build, ${dtype}`, () => {
          const k = kernels.get(build)!;
          expect(k.build).toBe(build);
          const live = k.liveTensors;
          const { hyper, steps } = fixture.cases[kind];
          const names = Object.keys(fixture.shapes);
          const tensors = names.map((name) => {
            const [r, c] = fixture.shapes[name]!;
            return {
              name,
              w: k.tensor(r, c, dtype, fixture.params[name]!),
              g: k.tensor(r, c, dtype),
              v: k.tensor(r, c, dtype),
              s: k.tensor(r, c, dtype),
            };
          });
          try {
            const beta1 = hyper.beta1 ?? 0.9;
            const beta2 = hyper.beta2 ?? 0.999;
            let largest = 0;
            for (const step of steps) {
              const t = step.t;
              const h = {
                learningRate: hyper.learningRate, beta1, beta2, epsilon: hyper.epsilon ?? 1e-8,
                c1: kind === 'adam' ? 1 - beta1 ** t : 1, c2: kind === 'adam' ? 1 - beta2 ** t : 1,
              };
              for (const x of tensors) {
                x.g.set(fixture.grads[t - 1]!['d' + x.name]!);
                const v = kind === 'momentum' || kind === 'adam' ? x.v : null;
                const s = kind === 'rmsprop' || kind === 'adam' ? x.s : null;
                k.optimizerStep(kind, x.w, x.g, v, s, h);
              }
              for (const x of tensors) {
                const checks: [ArrayLike<number>, number[]][] = [[x.w.data, step.params[x.name]!]];
                if (step.v) checks.push([x.v.data, step.v['d' + x.name]!]);
                if (step.s) checks.push([x.s.data, step.s['d' + x.name]!]);
                for (const [a, e] of checks) {
                  const r = maxRel(a, e);
                  largest = Math.max(largest, r);
                  expect(r, `${x.name} at t = ${t}`).toBeLessThanOrEqual(TOL[dtype]);
                }
              }
            }
            worst[`${kind}/${build}/${dtype}`] = largest;
          } finally {
            for (const x of tensors) for (const t of [x.w, x.g, x.v, x.s]) t.dispose();
          }
          expect(k.liveTensors).toBe(live);
        });
      }
    }
  }

  // A parameter updated in pieces (assembly/net.ts prepareNext updates W¹ a row segment at a time) must get the
  // bytes of one whole call: every element, in a vector lane or in the scalar tail, takes the same operations.
  for (const build of BUILDS) {
    for (const dtype of DTYPES) {
      it(`${build} ${dtype}: vector lanes and the scalar tail give every element the same bytes`, () => {
        const k = kernels.get(build)!;
        const rng = mulberry32(77);
        const n = 203;
        const make = (scale: number): number[] => Array.from({ length: n }, () => (2 * rng() - 1) * scale * 10 ** (4 * rng() - 2));
        const init = { w: make(1), g: make(3), v: make(0.5), s: make(1).map(Math.abs) };
        const fn = dtype === 'float32' ? k.exports.optim_step_f32 : k.exports.optim_step_f64;
        const size = dtype === 'float32' ? 4 : 8;
        for (const kind of KINDS) {
          const run = (piece: number): Buffer[] => {
            const t = { w: k.tensor(1, n, dtype, init.w), g: k.tensor(1, n, dtype, init.g), v: k.tensor(1, n, dtype, init.v), s: k.tensor(1, n, dtype, init.s) };
            try {
              for (let step = 1; step <= 3; step++) {
                for (let i = 0; i < n; i += piece) {
                  const len = Math.min(piece, n - i);
                  fn(OPT[kind], len, t.w.ptr + i * size, t.g.ptr + i * size, t.v.ptr + i * size, t.s.ptr + i * size, 0.01, 0.9, 0.999, 1e-8, 1 - 0.9 ** step, 1 - 0.999 ** step);
                }
              }
              return [t.w, t.v, t.s].map((x) => Buffer.from(new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength)));
            } finally {
              for (const x of Object.values(t)) x.dispose();
            }
          };
          const whole = run(n);
          for (const piece of [1, 3, 5]) {
            const parts = run(piece);
            parts.forEach((b, i) => expect(b.equals(whole[i]!), `${kind}: ${['w', 'v', 's'][i]} updated ${piece} at a time`).toBe(true));
          }
        }
      });
    }
  }

  // 9 elements: two whole f32 vectors and a scalar tail (f64: four vectors and a tail), in both builds.
  for (const build of BUILDS) {
    for (const dtype of DTYPES) {
      it(`${build} ${dtype}: moments that fall below the smallest normal number are stored as +0, NaN and ±Inf kept`, () => {
        const k = kernels.get(build)!;
        const tiny = dtype === 'float32' ? 2 ** -126 : 2 ** -1022;
        // With g = 0: v ← beta1·v and s ← beta2·s. 1.05·tiny·0.9 and −1.05·tiny·0.9 are subnormal; 2·tiny·0.9 is not.
        const v0 = [1.05 * tiny, -1.05 * tiny, 2 * tiny, 0, 1.05 * tiny, 3, -2 * tiny, 1.05 * tiny, -1.05 * tiny];
        const s0 = v0.map((x) => Math.abs(x) * 1.0005);
        const h = { learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, c1: 0.5, c2: 0.5 };
        for (const kind of ['momentum', 'rmsprop', 'adam'] as const) {
          const w = k.tensor(1, 9, dtype, Array.from({ length: 9 }, (_, i) => i + 1));
          const g = k.tensor(1, 9, dtype, new Array(9).fill(0));
          const v = k.tensor(1, 9, dtype, v0);
          const s = k.tensor(1, 9, dtype, s0);
          try {
            k.optimizerStep(kind, w, g, v, s, h);
            const round = dtype === 'float32' ? Math.fround : (x: number) => x;
            if (kind !== 'rmsprop') {
              const want = v0.map((x) => { const y = round(round(round(0.9) * round(x)) + 0); return Math.abs(y) < tiny ? 0 : y; });
              expect([...v.toArray()], `${kind}: v`).toEqual(want);
              expect([...v.toArray()].filter((x) => Object.is(x, -0)), `${kind}: no −0`).toEqual([]);
            }
            if (kind !== 'momentum') {
              const want = s0.map((x) => { const y = round(round(round(0.999) * round(x)) + 0); return Math.abs(y) < tiny ? 0 : y; });
              expect([...s.toArray()], `${kind}: s`).toEqual(want);
            }
          } finally {
            for (const t of [w, g, v, s]) t.dispose();
          }
        }
        // A non-finite moment is not flushed (the step's finiteness check must still see it).
        const w = k.tensor(1, 9, dtype, new Array(9).fill(1));
        const g = k.tensor(1, 9, dtype, new Array(9).fill(0));
        const v = k.tensor(1, 9, dtype, [NaN, Infinity, -Infinity, NaN, 0, 0, 0, 0, NaN]);
        try {
          k.optimizerStep('momentum', w, g, v, null, h);
          const got = [...v.toArray()];
          expect(got.slice(0, 4)).toEqual([NaN, Infinity, -Infinity, NaN]);
          expect(got[8]).toBeNaN();
        } finally {
          for (const t of [w, g, v]) t.dispose();
        }
      });
    }
  }

  it('rejects an unknown kind and missing states', () => {
    const k = kernels.get('scalar')!;
    const w = k.tensor(2, 2, 'float64');
    const g = k.tensor(2, 2, 'float64');
    const h = { learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, c1: 1, c2: 1 };
    try {
      expect(() => k.optimizerStep('nesterov' as OptimizerKind, w, g, null, null, h)).toThrow(/unknown optimizer 'nesterov'/);
      expect(() => k.optimizerStep('momentum', w, g, null, null, h)).toThrow(/first-moment/);
      expect(() => k.optimizerStep('rmsprop', w, g, null, null, h)).toThrow(/second-moment/);
      expect(() => k.optimizerStep('adam', w, g, g, null, h)).toThrow(/second-moment/);
    } finally {
      w.dispose();
      g.dispose();
    }
  });
});

describe('learning-rate decay (Course 2, week 2)', () => {
  // The notebook's functions, verbatim in JS.
  const updateLr = (lr0: number, epochNum: number, decayRate: number) => (1 / (1 + decayRate * epochNum)) * lr0;
  const scheduleLrDecay = (lr0: number, epochNum: number, decayRate: number, timeInterval = 1000) =>
    (1 / (1 + decayRate * Math.floor(epochNum / timeInterval))) * lr0;

  it('inverseTime is lr0 / (1 + rate·epoch)', () => {
    // update_lr(0.5, 2, 1) in Python prints 0.16666666666666666.
    expect(decayedRate(0.5, { type: 'inverseTime', rate: 1, interval: 1000 }, 2)).toBe(0.5 / 3);
    for (const epoch of [0, 1, 2, 7, 99, 1000, 12345]) {
      for (const rate of [0, 0.3, 1, 2.5]) {
        expect(decayedRate(0.1, { type: 'inverseTime', rate, interval: 1000 }, epoch)).toBe(updateLr(0.1, epoch, rate));
      }
    }
  });

  it('staircase is lr0 / (1 + rate·⌊epoch / interval⌋)', () => {
    // schedule_lr_decay(0.5, 100, 0.3, 100) in Python/numpy prints 0.3846153846153846 (= 0.5 / 1.3).
    expect(decayedRate(0.5, { type: 'staircase', rate: 0.3, interval: 100 }, 100)).toBe(0.3846153846153846);
    expect(decayedRate(0.5, { type: 'staircase', rate: 0.3, interval: 100 }, 99)).toBe(0.5);
    for (const epoch of [0, 1, 99, 100, 101, 999, 1000, 1001, 4321]) {
      for (const interval of [1, 100, 1000]) {
        expect(decayedRate(0.1, { type: 'staircase', rate: 1, interval }, epoch)).toBe(scheduleLrDecay(0.1, epoch, 1, interval));
      }
    }
  });

  it('no decay keeps lr0; staircase interval defaults to 1000 (the course default)', () => {
    expect(decayedRate(0.01, null, 500)).toBe(0.01);
    const o = resolveFitOptions({ decay: { type: 'staircase', rate: 1 } }, 10, 0);
    expect(o.decay).toEqual({ type: 'staircase', rate: 1, interval: 1000, lag: 0 });
    expect(decayedRate(0.1, o.decay, 999)).toBe(0.1);
    expect(decayedRate(0.1, o.decay, 1000)).toBe(0.05);
  });

  it('fit applies the decayed rate epoch by epoch (seen through onProgress)', async () => {
    const rng = mulberry32(7);
    const X = randomRows(rng, 40, 3);
    const Y = X.map((x) => (x[0]! + x[1]! > 0 ? 1 : 0));
    for (const decay of [{ type: 'inverseTime' as const, rate: 0.5 }, { type: 'staircase' as const, rate: 1, interval: 3 }]) {
      const net = await Network.create({ layers: [3, 4, 1], hidden: 'tanh', dtype: 'float64', seed: 3 });
      try {
        const seen: { epoch: number; lr: number }[] = [];
        await net.fit(X, Y, { epochs: 10, batchSize: 8, learningRate: 0.2, costEvery: 1, decay, onProgress: (p) => { seen.push({ epoch: p.epoch, lr: p.learningRate }); } });
        expect(seen.map((s) => s.epoch)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        for (const s of seen) {
          const expected = decay.type === 'inverseTime' ? updateLr(0.2, s.epoch, decay.rate) : scheduleLrDecay(0.2, s.epoch, decay.rate, decay.interval);
          expect(s.lr).toBe(expected);
        }
      } finally {
        net.dispose();
      }
    }
  });
});

describe('fit follows the course update rules step by step', () => {
  // Reference: the analytic gradient of the current weights (gradientCheck returns every entry and
  // puts the weights back), then the course's update in plain JS; fit must land on the same weights.
  const rng = mulberry32(11);
  const X = randomRows(rng, 12, 3);
  const Y = X.map((x) => (x[0]! - 0.5 * x[2]! > 0 ? 1 : 0));
  const hyper = { learningRate: 0.05, beta1: 0.9, beta2: 0.99, epsilon: 1e-8 };

  for (const kind of KINDS) {
    it(`${kind}: three full-batch steps of fit equal three course updates`, async () => {
      const opts = { layers: [3, 4, 1], hidden: 'tanh' as const, dtype: 'float64' as const, seed: 5 };
      const a = await Network.create(opts);
      const b = await Network.create(opts);
      try {
        await a.fit(X, Y, { iterations: 3, optimizer: kind, ...hyper });
        const state = b.getWeights().map((l) => ({
          W: Float64Array.from(l.W), b: Float64Array.from(l.b),
          vW: new Float64Array(l.W.length), vb: new Float64Array(l.b.length), sW: new Float64Array(l.W.length), sb: new Float64Array(l.b.length),
        }));
        for (let t = 1; t <= 3; t++) {
          const grads = new Map(b.gradientCheck(X, Y, { worst: Infinity }).worst.map((w) => [`${w.parameter}[${w.index}]`, w.analytic]));
          state.forEach((l, i) => {
            for (const [p, v, s, name] of [[l.W, l.vW, l.sW, 'W'], [l.b, l.vb, l.sb, 'b']] as const) {
              for (let q = 0; q < p.length; q++) {
                const g = grads.get(`${name}${i + 1}[${q}]`)!;
                const { learningRate: lr, beta1, beta2, epsilon } = hyper;
                if (kind === 'gd') p[q]! -= lr * g;
                else if (kind === 'momentum') { v[q] = beta1 * v[q]! + (1 - beta1) * g; p[q]! -= lr * v[q]!; }
                else if (kind === 'rmsprop') { s[q] = beta2 * s[q]! + (1 - beta2) * g * g; p[q]! -= lr * g / (Math.sqrt(s[q]!) + epsilon); }
                else {
                  v[q] = beta1 * v[q]! + (1 - beta1) * g;
                  s[q] = beta2 * s[q]! + (1 - beta2) * g * g;
                  p[q]! -= lr * (v[q]! / (1 - beta1 ** t)) / (Math.sqrt(s[q]! / (1 - beta2 ** t)) + epsilon);
                }
              }
            }
          });
          b.setWeights(state);
        }
        const got = a.getWeights();
        state.forEach((l, i) => {
          [...l.W, ...l.b].forEach((e, q) => {
            const actual = q < l.W.length ? got[i]!.W[q]! : got[i]!.b[q - l.W.length]!;
            expect(Math.abs(actual - e), `layer ${i + 1} parameter ${q}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(e)));
          });
        });
      } finally {
        a.dispose();
        b.dispose();
      }
    });
  }

  it('a second fit continues the optimiser (Adam t goes on to 2); reset: true starts it afresh', async () => {
    const opts = { layers: [3, 4, 1], hidden: 'tanh' as const, dtype: 'float64' as const, seed: 5 };
    const [a, b, c] = await Promise.all([Network.create(opts), Network.create(opts), Network.create(opts)]);
    try {
      await a.fit(X, Y, { iterations: 2, optimizer: 'adam', ...hyper });
      await b.fit(X, Y, { iterations: 1, optimizer: 'adam', ...hyper });
      await b.fit(X, Y, { iterations: 1, optimizer: 'adam', ...hyper });
      expect(Buffer.from(b.save()).equals(Buffer.from(a.save())), 'two one-step fits = one two-step fit').toBe(true);
      // With reset the second step is another t = 1 step from zero moments (≈ lr·sign(g)), not t = 2.
      await c.fit(X, Y, { iterations: 1, optimizer: 'adam', ...hyper });
      await c.fit(X, Y, { iterations: 1, optimizer: 'adam', reset: true, ...hyper });
      const wa = a.getWeights(), wc = c.getWeights();
      let differs = false;
      wa.forEach((l, i) => l.W.forEach((v, q) => { if (v !== wc[i]!.W[q]) differs = true; }));
      expect(differs).toBe(true);
    } finally {
      a.dispose();
      b.dispose();
      c.dispose();
    }
  });
});

describe('mini-batch fit lowers the cost with every optimiser', () => {
  const rng = mulberry32(99);
  const X = randomRows(rng, 200, 2, -1, 1);
  // Linearly separable with a margin: label by the side of the line x0 + x1 = 0, dropping points close to it.
  const keep = X.filter((x) => Math.abs(x[0]! + x[1]!) > 0.1);
  const Y = keep.map((x) => (x[0]! + x[1]! > 0 ? 1 : 0));

  for (const [optimizer, learningRate] of [['momentum', 0.1], ['rmsprop', 0.01], ['adam', 0.01], ['gd', 0.1]] as const) {
    for (const dtype of DTYPES) {
      it(`${optimizer} (${dtype})`, async () => {
        const net = await Network.create({ layers: [2, 5, 1], hidden: 'relu', dtype, seed: 4 });
        try {
          const before = net.evaluate(keep, Y);
          const h = await net.fit(keep, Y, { epochs: 30, batchSize: 16, optimizer, learningRate, costEvery: 1 });
          const after = net.evaluate(keep, Y);
          expect(h.epochs).toBe(30);
          expect(h.iterations).toBe(30 * Math.ceil(keep.length / 16));
          expect(after.cost).toBeLessThan(0.5 * before.cost);
          expect(h.costs.at(-1)!.cost).toBeLessThan(h.costs[0]!.cost);
          expect(after.accuracy).toBeGreaterThanOrEqual(0.95);
        } finally {
          net.dispose();
        }
      });
    }
  }
});
