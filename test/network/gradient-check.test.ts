// Gradient checks (course 2, week 1): backprop against centred differences of the cost, in f64.
//
// relu / leakyRelu: the centred difference is only valid when no pre-activation lies within ε of the
// kink at 0. Each such case picks the first data seed whose hidden pre-activations (computed in plain JS
// from getWeights()) all stay ≥ MARGIN away from 0; MARGIN = 1e-3 is 10⁴·ε, and perturbing one
// parameter by ε moves a pre-activation by at most ε·max(|x|, |a|, 1) ≪ MARGIN.
import { afterAll, describe, expect, it } from 'vitest';
import { Network, type NetworkOptions } from '../../src/network.js';
import { flatWeights, jsCost, jsForward, jsPredict, mulberry32, randomRows, type Act, type JsLayer } from './helpers.js';

const M = 7;
const EPS = 1e-7;
const MARGIN = 1e-3;
const HIDDEN = ['tanh', 'sigmoid', 'relu', 'leakyRelu', 'linear'] as const;

type Loss = 'bce' | 'crossEntropy' | 'mse';
interface Case { output: 'sigmoid' | 'softmax' | 'linear'; loss: Loss; nY: number }
const LOSSES: Record<string, Case> = {
  'sigmoid + bce': { output: 'sigmoid', loss: 'bce', nY: 1 },
  'softmax + crossEntropy': { output: 'softmax', loss: 'crossEntropy', nY: 3 },
  'linear + mse': { output: 'linear', loss: 'mse', nY: 2 },
  'sigmoid + mse': { output: 'sigmoid', loss: 'mse', nY: 1 },
};

function targets(c: Case, rng: () => number): number[][] {
  return Array.from({ length: M }, (_, e) => {
    if (c.output === 'softmax') { const y = [0, 0, 0]; y[e % 3] = 1; return y; }
    if (c.output === 'linear') return [2 * rng() - 1, 3 * rng()];
    return c.loss === 'mse' ? [rng()] : [e % 2];
  });
}

/** Smallest |Z| over the hidden layers' pre-activations for every example. */
function hiddenMargin(net: Network, X: number[][], acts: Act[]): number {
  const layers = net.getWeights() as JsLayer[];
  let margin = Infinity;
  for (const x of X) {
    const { Z } = jsForward(layers, acts, x, net.leakySlope);
    for (const z of Z.slice(0, -1)) for (const v of z) margin = Math.min(margin, Math.abs(v));
  }
  return margin;
}

/** A seeded f64 net and data; for relu-family hidden layers, the first seed whose pre-activations clear MARGIN. */
async function setup(hidden: (typeof HIDDEN)[number], c: Case, extra: Partial<NetworkOptions> = {}) {
  const kink = hidden === 'relu' || hidden === 'leakyRelu';
  for (let seed = 1; seed < 50; seed++) {
    const rng = mulberry32(1000 + seed);
    const X = randomRows(rng, M, 4, -2, 2);
    const Y = targets(c, rng);
    const net = await Network.create({
      layers: [4, 5, 3, c.nY], hidden, output: c.output, loss: c.loss, init: 'xavier', dtype: 'float64', seed, ...extra,
    });
    // Non-zero biases, so the b gradients and the bias path of every kernel are exercised.
    const w = net.getWeights();
    net.setWeights(w.map((l) => ({ W: l.W, b: Array.from(l.b, () => 0.5 * rng() - 0.25) })));
    const acts = [hidden, hidden, c.output] as Act[];
    if (!kink || hiddenMargin(net, X, acts) >= MARGIN) return { net, X, Y, acts, seed };
    net.dispose();
  }
  throw new Error('no seed keeps every pre-activation away from the relu kink');
}

describe('gradientCheck: every hidden activation × every loss, with and without L2', () => {
  let largest = { difference: 0, label: '' };
  afterAll(() => console.log(`gradient-check: largest difference over the matrix ${largest.difference.toExponential(2)} (${largest.label})`));
  for (const hidden of HIDDEN) {
    for (const [name, c] of Object.entries(LOSSES)) {
      for (const l2 of [0, 0.7]) {
        it(`${hidden} hidden, ${name}, l2 = ${l2}`, async () => {
          const { net, X, Y, seed } = await setup(hidden, c);
          try {
            const before = flatWeights(net.getWeights());
            const r = net.gradientCheck(X, Y, { epsilon: EPS, l2 });
            expect(r.parameters).toBe(4 * 5 + 5 + 5 * 3 + 3 + 3 * c.nY + c.nY);
            if (r.difference > largest.difference) largest = { difference: r.difference, label: `${hidden}, ${name}, l2 ${l2}, seed ${seed}` };
            expect(r.difference, JSON.stringify(r.worst)).toBeLessThan(1e-7);
            // The check puts every parameter back exactly.
            expect(flatWeights(net.getWeights())).toEqual(before);
          } finally {
            net.dispose();
          }
        });
      }
    }
  }
});

describe('gradientCheck against an independent numeric gradient', () => {
  // The numeric side here never touches the library's cost: it perturbs weights with setWeights,
  // runs predict(), and applies the course's cost formula in plain JS.
  async function independent(hidden: (typeof HIDDEN)[number], c: Case, l2: number) {
    const { net, X, Y, acts } = await setup(hidden, c);
    try {
      const base = net.getWeights();
      const r = net.gradientCheck(X, Y, { epsilon: EPS, l2, worst: Infinity });
      const analytic = new Map(r.worst.map((w) => [`${w.parameter}[${w.index}]`, w.analytic]));
      const h = 1e-6;
      const mine: { key: string; numeric: number }[] = [];
      const costWith = (layers: JsLayer[]): number => {
        net.setWeights(layers);
        const P = net.predict(X);
        const rows = Array.from({ length: M }, (_, e) => Array.from(P.data.subarray(e * c.nY, (e + 1) * c.nY)));
        return jsCost(c.loss, rows, Y, layers, l2);
      };
      base.forEach((layer, l) => {
        for (const p of ['W', 'b'] as const) {
          for (let i = 0; i < layer[p].length; i++) {
            const plus = base.map((x) => ({ W: Float64Array.from(x.W), b: Float64Array.from(x.b), shape: x.shape }));
            const minus = base.map((x) => ({ W: Float64Array.from(x.W), b: Float64Array.from(x.b), shape: x.shape }));
            plus[l]![p][i]! += h;
            minus[l]![p][i]! -= h;
            mine.push({ key: `${p}${l + 1}[${i}]`, numeric: (costWith(plus) - costWith(minus)) / (2 * h) });
          }
        }
      });
      net.setWeights(base);
      // The JS cost also agrees with the library's cost of the unperturbed net.
      const jsBase = jsCost(c.loss, jsPredict(base as JsLayer[], acts, X, net.leakySlope), Y, base as JsLayer[], l2);
      const libBase = net.evaluate(X, Y).cost + (l2 / (2 * M)) * base.reduce((s, x) => s + Array.from(x.W).reduce((a, v) => a + v * v, 0), 0);
      expect(Math.abs(jsBase - libBase)).toBeLessThan(1e-12);
      return { r, analytic, mine };
    } finally {
      net.dispose();
    }
  }

  function relDiff(a: number[], b: number[]): number {
    let d = 0, na = 0, nb = 0;
    a.forEach((v, i) => { d += (v - b[i]!) ** 2; na += v * v; nb += b[i]! ** 2; });
    return Math.sqrt(d) / (Math.sqrt(na) + Math.sqrt(nb));
  }

  for (const [hidden, name] of [['tanh', 'sigmoid + bce'], ['relu', 'softmax + crossEntropy'], ['leakyRelu', 'linear + mse'], ['sigmoid', 'sigmoid + mse']] as const) {
    it(`analytic gradients equal a predict()-based finite difference: ${hidden}, ${name}, l2 = 0.7`, async () => {
      const { r, analytic, mine } = await independent(hidden, LOSSES[name]!, 0.7);
      expect(r.worst.length).toBe(r.parameters);
      expect(mine.length).toBe(r.parameters);
      const a = mine.map((x) => analytic.get(x.key)!);
      expect(a.every((v) => typeof v === 'number')).toBe(true);
      expect(relDiff(a, mine.map((x) => x.numeric))).toBeLessThan(1e-7);
    });
  }

  it('the L2 term is really in the analytic gradient (negative control against the l2 = 0 numeric gradient)', async () => {
    const c = LOSSES['sigmoid + bce']!;
    const withL2 = await independent('tanh', c, 0.7);
    const without = await independent('tanh', c, 0);
    const a = without.mine.map((x) => withL2.analytic.get(x.key)!);
    // l2 = 0.7 gradients differ from the plain numeric gradient by λ/m·W on the W entries…
    expect(relDiff(a, without.mine.map((x) => x.numeric))).toBeGreaterThan(1e-3);
    // …and agree with the l2 = 0.7 numeric gradient.
    expect(relDiff(a, withL2.mine.map((x) => x.numeric))).toBeLessThan(1e-7);
  });
});

describe('gradientCheck can fail', () => {
  it('reports a large difference when ε = 0.5 makes the centred difference inaccurate', async () => {
    const c = LOSSES['sigmoid + bce']!;
    const { net, X, Y } = await setup('sigmoid', c);
    try {
      // Larger weights make the sigmoids curve within ±0.5, so the O(ε²) truncation error is visible.
      net.setWeights(net.getWeights().map((l) => ({ W: l.W.map((v) => 4 * v), b: l.b })));
      const good = net.gradientCheck(X, Y, { epsilon: 1e-7 });
      const bad = net.gradientCheck(X, Y, { epsilon: 0.5 });
      console.log(`gradient-check negative control: difference ${good.difference.toExponential(2)} at ε = 1e-7, ${bad.difference.toExponential(2)} at ε = 0.5`);
      expect(good.difference).toBeLessThan(1e-7);
      expect(bad.difference).toBeGreaterThan(1e-3);
    } finally {
      net.dispose();
    }
  });

  it('rejects an epsilon outside (0, 1) and a negative l2', async () => {
    const c = LOSSES['sigmoid + bce']!;
    const { net, X, Y } = await setup('tanh', c);
    try {
      expect(() => net.gradientCheck(X, Y, { epsilon: 0 })).toThrow(/epsilon/);
      expect(() => net.gradientCheck(X, Y, { epsilon: 2 })).toThrow(/epsilon/);
      expect(() => net.gradientCheck(X, Y, { l2: -1 })).toThrow(/l2/);
    } finally {
      net.dispose();
    }
  });
});
