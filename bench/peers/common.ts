// Shared pieces of the peers benchmark (bench/sections/peers.ts): the workload descriptions, a seeded
// RNG for parameters and data, the contender interfaces every adapter implements, and small stats.
//
// Every contender is handed the SAME Float32Array parameters and data (values exactly representable
// in f32, so a contender that keeps f64 internally sees the same numbers), laid out the course's way:
// W row-major (n_l × n_{l-1}), b of length n_l, X features-first (n_x × m), Y (n_y × m).

/** Activations the peers have in common. */
export type HiddenAct = 'relu' | 'tanh' | 'sigmoid';
export type OutputAct = 'sigmoid' | 'softmax';

export interface LayerParams {
  W: Float32Array;
  b: Float32Array;
}

/** A fully-connected net: sizes, activations and its initial parameters. */
export interface NetSpec {
  layers: number[];
  hidden: HiddenAct;
  output: OutputAct;
  params: LayerParams[];
}

/** A training problem: one optimiser step of `spec` on (X, Y), m examples. */
export interface TrainProblem {
  spec: NetSpec;
  /** Features-first (n_x × m). */
  X: Float32Array;
  /** Features-first (n_y × m); one-hot columns for softmax. */
  Y: Float32Array;
  m: number;
  optimizer: 'gd' | 'adam';
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** A contender on a training workload. */
export interface TrainContender {
  /** Cost (loss, no regulariser) of the current parameters on the whole batch. */
  cost(): number;
  /**
   * One optimiser step; returns the cost before the update when the implementation computed it anyway,
   * else NaN. Asynchronous only where the implementation is (then timed as an async task).
   */
  step(): number | Promise<number>;
  /** Steps that each step() call after the first takes (default 1); the timings are divided by it, so they stay per step. */
  stepsPerCall?: number;
  /** Called before each of its timing rounds (e.g. to switch the tfjs backend). */
  activate?(): Promise<void>;
  dispose(): void;
}

/** A contender on a predict-latency workload. */
export interface PredictContender {
  /** The whole forward pass of one example; returns the output probabilities. */
  predictOne(x: Float32Array): ArrayLike<number>;
  activate?(): Promise<void>;
  dispose(): void;
}

// ---------------------------------------------------------------------------------------------
// Seeded random numbers: mulberry32 + Box–Muller, every value rounded to f32.

export class SeededRandom {
  #s: number;
  #spare: number | null = null;

  constructor(seed: number) {
    this.#s = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal. */
  normal(): number {
    if (this.#spare !== null) {
      const s = this.#spare;
      this.#spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}

/**
 * Initial parameters: W ~ N(0, 1)·sqrt(g / n_{l-1}) with g = 2 (He) for relu nets and 1 (Xavier)
 * otherwise; b ~ N(0, 0.01²) (non-zero, so the bias paths are checked too).
 */
export function makeParams(layers: number[], hidden: HiddenAct, seed: number): LayerParams[] {
  const rng = new SeededRandom(seed);
  const gain = hidden === 'relu' ? 2 : 1;
  const params: LayerParams[] = [];
  for (let l = 1; l < layers.length; l++) {
    const n = layers[l]!;
    const nPrev = layers[l - 1]!;
    const scale = Math.sqrt(gain / nPrev);
    const W = new Float32Array(n * nPrev);
    for (let i = 0; i < W.length; i++) W[i] = rng.normal() * scale;
    const b = new Float32Array(n);
    for (let i = 0; i < n; i++) b[i] = rng.normal() * 0.01;
    params.push({ W, b });
  }
  return params;
}

/** Uniform values in [lo, hi), rounded to f32. */
export function uniformArray(length: number, seed: number, lo = 0, hi = 1): Float32Array {
  const rng = new SeededRandom(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = lo + (hi - lo) * rng.uniform();
  return out;
}

/** Features-first one-hot targets (classes × m) for random labels. */
export function randomOneHot(classes: number, m: number, seed: number): { Y: Float32Array; labels: Int32Array } {
  const rng = new SeededRandom(seed);
  const Y = new Float32Array(classes * m);
  const labels = new Int32Array(m);
  for (let e = 0; e < m; e++) {
    const c = rng.int(classes);
    labels[e] = c;
    Y[c * m + e] = 1;
  }
  return { Y, labels };
}

/** Row-major (rows × cols) → (cols × rows). */
export function transpose(a: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c]!;
  return out;
}

/** FNV-1a over the bytes of the arrays: a fingerprint of the inputs shared with the numpy script. */
export function fingerprint(arrays: Float32Array[]): string {
  let h = 0x811c9dc5;
  for (const a of arrays) {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    for (let i = 0; i < bytes.length; i++) {
      h ^= bytes[i]!;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return h.toString(16).padStart(8, '0');
}

// ---------------------------------------------------------------------------------------------
// Statistics over pooled samples (milliseconds)

export interface Stats {
  median: number;
  mean: number;
  min: number;
  max: number;
  p25: number;
  p75: number;
  samples: number;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  return {
    median: quantile(s, 0.5),
    mean: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length),
    min: s[0] ?? NaN,
    max: s[s.length - 1] ?? NaN,
    p25: quantile(s, 0.25),
    p75: quantile(s, 0.75),
    samples: s.length,
  };
}

/** |a − b| / max(|a|, |b|). */
export function relDiff(a: number, b: number): number {
  const scale = Math.max(Math.abs(a), Math.abs(b));
  return scale === 0 ? 0 : Math.abs(a - b) / scale;
}

export function maxAbsDiff(x: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (x.length !== ref.length) return Infinity;
  let d = 0;
  for (let i = 0; i < ref.length; i++) d = Math.max(d, Math.abs(x[i]! - ref[i]!));
  return d;
}
