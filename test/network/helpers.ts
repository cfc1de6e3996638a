// Helpers of the network tests: a seeded PRNG for test data and an independent plain-JS forward
// pass / cost, written from the course's formulas, to check the library against.

/** The bytes of every W and b of a network, in layer order (save() also holds the training config, which differs between runs compared). */
export function weightBytes(net: { getWeights(): { W: ArrayBufferView; b: ArrayBufferView }[] }): Buffer {
  return Buffer.concat(net.getWeights().flatMap((l) => [Buffer.from(l.W.buffer, l.W.byteOffset, l.W.byteLength), Buffer.from(l.b.buffer, l.b.byteOffset, l.b.byteLength)]));
}

/** The seeded test-data PRNG shared by all test folders. */
export { mulberry32 } from '../kernels/helpers.js';

/** m examples of n features uniform in [lo, hi), examples-first rows. */
export function randomRows(rng: () => number, m: number, n: number, lo = -1, hi = 1): number[][] {
  return Array.from({ length: m }, () => Array.from({ length: n }, () => lo + (hi - lo) * rng()));
}

export type Act = 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'softmax';

export interface JsLayer {
  W: ArrayLike<number>;
  b: ArrayLike<number>;
  shape: [number, number];
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

function activate(act: Act, z: number[], slope: number): number[] {
  switch (act) {
    case 'linear': return z.slice();
    case 'sigmoid': return z.map(sigmoid);
    case 'tanh': return z.map(Math.tanh);
    case 'relu': return z.map((v) => (v > 0 ? v : 0));
    case 'leakyRelu': return z.map((v) => (v > 0 ? v : slope * v));
    case 'softmax': {
      const mx = Math.max(...z);
      const e = z.map((v) => Math.exp(v - mx));
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    }
  }
}

/** Forward pass of one example x through the layers, in f64; returns every layer's Z and A. */
export function jsForward(layers: JsLayer[], acts: Act[], x: number[], slope = 0.01): { Z: number[][]; A: number[][] } {
  const Z: number[][] = [];
  const A: number[][] = [];
  let prev = x;
  layers.forEach((layer, l) => {
    const [units, inputs] = layer.shape;
    const z: number[] = [];
    for (let u = 0; u < units; u++) {
      let s = 0;
      for (let i = 0; i < inputs; i++) s += layer.W[u * inputs + i]! * prev[i]!;
      z.push(s + layer.b[u]!);
    }
    Z.push(z);
    prev = activate(acts[l]!, z, slope);
    A.push(prev);
  });
  return { Z, A };
}

/** Outputs of every example (rows), f64. */
export function jsPredict(layers: JsLayer[], acts: Act[], X: number[][], slope = 0.01): number[][] {
  return X.map((x) => jsForward(layers, acts, x, slope).A.at(-1)!);
}

/** The course's costs on outputs P (rows) and targets T (rows), plus λ/(2m)·Σ‖W‖². */
export function jsCost(loss: 'bce' | 'crossEntropy' | 'mse', P: number[][], T: number[][], layers: JsLayer[] = [], l2 = 0): number {
  const m = P.length;
  let sum = 0;
  P.forEach((p, e) => p.forEach((a, r) => {
    const y = T[e]![r]!;
    if (loss === 'bce') sum -= y * Math.log(a) + (1 - y) * Math.log(1 - a);
    else if (loss === 'crossEntropy') sum -= y === 0 ? 0 : y * Math.log(a);
    else sum += 0.5 * (a - y) ** 2;
  }));
  let cost = sum / m;
  if (l2 > 0) {
    let sq = 0;
    for (const layer of layers) for (let i = 0; i < layer.W.length; i++) sq += layer.W[i]! ** 2;
    cost += (l2 / (2 * m)) * sq;
  }
  return cost;
}

/** Rows of a row-major { data, shape } prediction. */
export function rowsOf(p: { data: ArrayLike<number>; shape: [number, number] }): number[][] {
  const [m, n] = p.shape;
  return Array.from({ length: m }, (_, e) => Array.from({ length: n }, (_, r) => p.data[e * n + r]!));
}

/** Bit-for-bit equality of two float arrays (NaN payloads aside). */
export function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Largest |a − b| over two arrays of the same length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** Every weight of a network flattened layer by layer (W then b). */
export function flatWeights(w: { W: ArrayLike<number>; b: ArrayLike<number> }[]): number[] {
  const out: number[] = [];
  for (const layer of w) out.push(...Array.from(layer.W), ...Array.from(layer.b));
  return out;
}
