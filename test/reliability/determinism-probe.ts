// Runs every kernel (and whole training runs) on two kernel builds with the same inputs and measures how far
// the results are apart: bit-identical, or the largest difference in ulps and as a fraction of the
// accumulation bound of test/kernels/helpers.ts. Used by test/reliability/determinism.test.ts (simd vs
// scalar, and each build against itself) and test/relaxed/determinism.test.ts (relaxed vs simd);
// docs/determinism.md tabulates what they print.
import { Kernels, type Activation, type OptimizerKind } from '../../src/kernels.js';
import { Network, type NetworkOptions } from '../../src/network.js';
import type { DType, FloatArray, Tensor } from '../../src/runtime/arena.js';
import type { FitOptions } from '../../src/train/options.js';
import { TINY, accTol, mulberry32, uniform } from '../kernels/helpers.js';

/** One measured row: a kernel (or training run), a dtype, and how the two builds' results compare. */
export interface Comparison {
  name: string;
  dtype: DType;
  /** Every output element has the same bits. */
  identical: boolean;
  /** Elements that differ, of all. */
  differing: number;
  total: number;
  /** Largest difference in units in the last place of the dtype. */
  maxUlps: number;
  /** Largest |a − b| / (accTol(dtype, k)·Σ|terms|) for gemm and the sums; relative difference for the rest (weights: relative to max |w|). */
  maxRatio: number;
  /** Largest absolute difference. */
  maxAbs: number;
}

/** Distance in ulps of the dtype between two finite numbers. */
export function ulps(a: number, b: number, dtype: DType): number {
  if (Object.is(a, b) || a === b) return 0;
  const scale = Math.max(Math.abs(a), Math.abs(b), dtype === 'float32' ? 2 ** -126 : 2 ** -1022);
  const ulp = 2 ** (Math.floor(Math.log2(scale)) - (dtype === 'float32' ? 23 : 52));
  return Math.abs(a - b) / ulp;
}

function compare(name: string, dtype: DType, a: ArrayLike<number>, b: ArrayLike<number>, bound: (q: number) => number): Comparison {
  if (a.length !== b.length) throw new Error(`${name}: lengths ${a.length} and ${b.length}`);
  const c: Comparison = { name, dtype, identical: true, differing: 0, total: a.length, maxUlps: 0, maxRatio: 0, maxAbs: 0 };
  for (let q = 0; q < a.length; q++) {
    if (Object.is(a[q], b[q])) continue;
    c.identical = false;
    c.differing++;
    const d = Math.abs(a[q]! - b[q]!);
    c.maxAbs = Math.max(c.maxAbs, d);
    c.maxUlps = Math.max(c.maxUlps, ulps(a[q]!, b[q]!, dtype));
    c.maxRatio = Math.max(c.maxRatio, d / bound(q));
  }
  return c;
}

type Run = (k: Kernels, dtype: DType) => { out: FloatArray | number[]; bound: (q: number, out: ArrayLike<number>) => number; outDtype?: DType };

/** |x|-relative bound of elementwise results (their own magnitude, with the absolute floor). */
const relative = (dtype: DType) => (q: number, out: ArrayLike<number>) => Math.abs(out[q]!) + TINY[dtype];

function gemmCase(tA: boolean, tB: boolean, m: number, n: number, k: number): Run {
  return (K, dtype) => {
    const r = mulberry32(1000 + m * 7 + n * 13 + k);
    const a = uniform(r, m * k, dtype), b = uniform(r, k * n, dtype);
    const A = K.tensor(tA ? k : m, tA ? m : k, dtype, a), B = K.tensor(tB ? n : k, tB ? k : n, dtype, b), C = K.tensor(m, n, dtype);
    try {
      K.gemm(tA, tB, 1, A, B, 0, C);
      // Σ|terms| ≤ k for values in [−1, 1): the bound of one element.
      return { out: C.toArray(), bound: () => accTol(dtype, k) * k };
    } finally {
      A.dispose(); B.dispose(); C.dispose();
    }
  };
}

function elementwise(f: (K: Kernels, dtype: DType, t: (rows: number, cols: number, lo?: number, hi?: number) => Tensor) => Tensor | number): Run {
  return (K, dtype) => {
    const r = mulberry32(77);
    const made: Tensor[] = [];
    const t = (rows: number, cols: number, lo = -3, hi = 3) => {
      const x = K.tensor(rows, cols, dtype, uniform(r, rows * cols, dtype, lo, hi));
      made.push(x);
      return x;
    };
    try {
      const res = f(K, dtype, t);
      if (typeof res === 'number') return { out: [res], bound: (q, out) => Math.abs(out[q]!) + TINY.float64, outDtype: 'float64' };
      return { out: res.toArray(), bound: relative(dtype) };
    } finally {
      for (const x of made) x.dispose();
    }
  };
}

const ACTS: Activation[] = ['linear', 'sigmoid', 'tanh', 'relu', 'leakyRelu'];
const OPTS: OptimizerKind[] = ['gd', 'momentum', 'rmsprop', 'adam'];

/** The kernel cases: every gemm path of the SIMD driver, and every other kernel. */
export const KERNEL_CASES: { name: string; run: Run }[] = [
  { name: 'gemm NN, register tiles (20×33·k300)', run: gemmCase(false, false, 20, 33, 300) },
  { name: 'gemm TN, register tiles (Wᵀ·dZ)', run: gemmCase(true, false, 20, 33, 300) },
  { name: 'gemm TT, register tiles', run: gemmCase(true, true, 20, 33, 300) },
  { name: 'gemm NT, m ≥ 16 and n ≥ 8: register tiles', run: gemmCase(false, true, 20, 33, 300) },
  { name: 'gemm NT, m < 16: dot products (dZ·Aᵀ)', run: gemmCase(false, true, 10, 33, 300) },
  { name: 'gemm NT, n < 8: dot products', run: gemmCase(false, true, 20, 5, 300) },
  { name: 'gemm NN, n = 1: GEMV', run: gemmCase(false, false, 33, 1, 300) },
  { name: 'gemm NT, n = 1: GEMV', run: gemmCase(false, true, 33, 1, 300) },
  ...ACTS.map((a) => ({ name: `activation forward ${a} (+bias)`, run: elementwise((K, _d, t) => { const Z = t(9, 37); return K.activationForward(a, Z, t(9, 1), Z, 0.05); }) })),
  ...ACTS.map((a) => ({ name: `activation backward ${a}`, run: elementwise((K, _d, t) => { const Z = t(9, 37); const A = t(9, 37, 0.01, 0.99); return K.activationBackward(a, Z, A, t(9, 37), t(9, 37), 0.05); }) })),
  { name: 'softmax forward (+bias)', run: elementwise((K, _d, t) => { const Z = t(7, 37); return K.softmaxForward(Z, t(7, 1), Z); }) },
  { name: 'A − Y (softmax/sigmoid gradient)', run: elementwise((K, _d, t) => K.probMinusTarget(t(7, 37, 0, 1), t(7, 37, 0, 1), t(7, 37), 0.25)) },
  { name: 'bce gradient (dAL)', run: elementwise((K, _d, t) => K.bceGradient(t(1, 99, 0, 1), t(1, 99, 0, 1), t(1, 99))) },
  {
    name: 'sum_rows (db), 37 columns', run: (K, dtype) => {
      const r = mulberry32(5);
      const X = K.tensor(9, 37, dtype, uniform(r, 9 * 37, dtype)), o = K.tensor(9, 1, dtype);
      try { K.sumRows(X, o); return { out: o.toArray(), bound: () => accTol(dtype, 37) * 37 }; } finally { X.dispose(); o.dispose(); }
    },
  },
  {
    name: 'sum_cols', run: (K, dtype) => {
      const r = mulberry32(6);
      const X = K.tensor(37, 9, dtype, uniform(r, 9 * 37, dtype)), o = K.tensor(1, 9, dtype);
      try { K.sumCols(X, o); return { out: o.toArray(), bound: () => accTol(dtype, 37) * 37 }; } finally { X.dispose(); o.dispose(); }
    },
  },
  { name: 'bce loss (f64 sum)', run: elementwise((K, _d, t) => K.bceLoss(t(1, 999, 0, 1), t(1, 999, 0, 1))) },
  { name: 'cross-entropy loss (f64 sum)', run: elementwise((K, _d, t) => K.crossEntropyLoss(t(1, 999, 0, 1), t(1, 999, 0, 1))) },
  { name: 'squared error (f64 sum)', run: elementwise((K, _d, t) => K.squaredError(t(1, 999), t(1, 999))) },
  { name: 'dot (f64 sum; also the L2 term)', run: elementwise((K, _d, t) => K.dot(t(1, 999), t(1, 999))) },
  { name: 'axpy', run: elementwise((K, _d, t) => K.axpy(0.37, t(1, 99), t(1, 99))) },
  { name: 'scale', run: elementwise((K, _d, t) => K.scale(0.37, t(1, 99))) },
  { name: 'elementwise product', run: elementwise((K, _d, t) => K.mul(t(1, 99), t(1, 99), t(1, 99))) },
  { name: 'gather columns', run: elementwise((K, _d, t) => K.gatherColumns(t(5, 40), Int32Array.from({ length: 17 }, (_, i) => (i * 7) % 40), t(5, 17))) },
  { name: 'gather rows transposed', run: elementwise((K, _d, t) => K.gatherRowsTransposed(t(40, 5), Int32Array.from({ length: 17 }, (_, i) => (i * 7) % 40), t(5, 17))) },
  ...OPTS.map((o) => ({
    name: `optimiser step ${o}`,
    run: elementwise((K, _d, t) => {
      const w = t(9, 13), g = t(9, 13), v = t(9, 13), s = t(9, 13, 0, 1);
      K.optimizerStep(o, w, g, v, s, { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, c1: 0.19, c2: 0.002 });
      return w;
    }),
  })),
];

/** Each kernel case on two kernel modules, both dtypes. */
export function compareKernels(a: Kernels, b: Kernels): Comparison[] {
  const rows: Comparison[] = [];
  for (const c of KERNEL_CASES) {
    for (const dtype of ['float32', 'float64'] as const) {
      const x = c.run(a, dtype);
      const y = c.run(b, dtype);
      const row = compare(c.name, x.outDtype ?? dtype, x.out, y.out, (q) => x.bound(q, x.out));
      rows.push({ ...row, dtype });
    }
  }
  return rows;
}

/** Training runs: the same seed and options on each module; weights compared. */
export const TRAINING_CASES: { name: string; net: Omit<NetworkOptions, 'dtype' | 'kernels'>; fit: FitOptions; y: 'binary' | 'classes' }[] = [
  { name: 'train [4,8,1] tanh, full-batch GD, 200 it.', net: { layers: [4, 8, 1], hidden: 'tanh', seed: 3 }, fit: { iterations: 200, learningRate: 0.5 }, y: 'binary' },
  { name: 'train [4,16,8,3] relu, Adam, batch 32, dropout 0.8, 5 epochs', net: { layers: [4, 16, 8, 3], hidden: 'relu', seed: 4 }, fit: { epochs: 5, batchSize: 32, optimizer: 'adam', learningRate: 0.01, keepProb: 0.8 }, y: 'classes' },
  { name: 'train [4,64,64,1] relu (layers ≥ 16 units), GD, 50 it.', net: { layers: [4, 64, 64, 1], hidden: 'relu', seed: 5 }, fit: { iterations: 50, learningRate: 0.05 }, y: 'binary' },
];

const data = (() => {
  const r = mulberry32(99);
  const X = Array.from({ length: 200 }, () => Array.from({ length: 4 }, () => r() * 4 - 2));
  return { X, binary: X.map((x) => (x[0]! * x[1]! - x[2]! > 0 ? 1 : 0)), classes: X.map((x) => (x[0]! > 0.7 ? 2 : x[3]! > 0 ? 1 : 0)) };
})();

/** save() bytes and weights of one training run. */
export async function trainOn(kernels: Kernels, c: (typeof TRAINING_CASES)[number], dtype: DType): Promise<{ bytes: Uint8Array; weights: number[]; predictions: number[] }> {
  const net = await Network.create({ ...c.net, dtype, kernels });
  try {
    await net.fit(data.X, data[c.y], c.fit);
    const weights: number[] = [];
    for (const w of net.getWeights()) weights.push(...Array.from(w.W), ...Array.from(w.b));
    return { bytes: net.save(), weights, predictions: Array.from(net.predict(data.X).data) };
  } finally {
    net.dispose();
  }
}

/** Every training case on two modules, both dtypes: weights compared (ratio = max |Δw| relative to max |w|). */
export async function compareTraining(a: Kernels, b: Kernels): Promise<Comparison[]> {
  const rows: Comparison[] = [];
  for (const c of TRAINING_CASES) {
    for (const dtype of ['float32', 'float64'] as const) {
      const x = await trainOn(a, c, dtype);
      const y = await trainOn(b, c, dtype);
      const scale = Math.max(...x.weights.map(Math.abs));
      rows.push(compare(`${c.name}: weights`, dtype, x.weights, y.weights, () => scale));
      rows.push(compare(`${c.name}: predictions`, dtype, x.predictions, y.predictions, (q) => Math.abs(x.predictions[q]!) + TINY[dtype]));
    }
  }
  return rows;
}

/** A fixed-width table for the test log. */
export function formatComparisons(title: string, rows: Comparison[]): string {
  const lines = rows.map((r) => `  ${r.name.padEnd(62)} ${r.dtype.padEnd(8)} ${r.identical ? 'identical'.padEnd(34) : `${String(r.differing).padStart(4)}/${String(r.total).padEnd(5)} ≤ ${r.maxUlps.toPrecision(3).padStart(8)} ulp  ratio ${r.maxRatio.toExponential(2)}`}`);
  return `${title}\n${lines.join('\n')}`;
}

export { Kernels };
