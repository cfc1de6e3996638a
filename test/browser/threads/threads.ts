// The opt-in threads build in a browser page (test/browser/threads.e2e.ts serves this page with and
// without the COOP/COEP headers). Whatever the page is, the same computations run on a single-thread
// Kernels of the default build (relaxed SIMD where Chromium validates it, else simd) and on threads: 2, which
// takes the threads build of the same kind (loaded with Kernels.load, with a pool whose workers compute every
// block, and by Network.create({ kernels: { threads: 2 } })), and the results are compared byte for
// byte here; their SHA-256 digests go to the test too, so the two pages can be compared with each
// other. Then every pool is disposed, timed (a hang shows as a timeout). The report goes to
// window.__threads.
import { Kernels, Network, type DType, type FloatArray } from 'simdnet';

interface Product {
  name: string;
  /** Index of the first byte where the threaded C differs from the single-thread C, -1 when none. */
  firstDifference: number;
  /** Same, for the pool whose workers compute every block. */
  firstDifferenceWorkersOnly: number;
  digest: string;
  ms: { single: number; threads: number };
}

interface Training {
  name: string;
  threads: number;
  threadsFallback: string | null;
  /** Blocks the workers computed during the fit. */
  workerParts: number;
  /** First differing byte of each weight tensor (W1, b1, W2, …) against the single-thread fit; -1 when equal. */
  firstDifference: number[];
  sameCosts: boolean;
  costs: number[];
  digest: string;
  ms: number;
}

interface Disposal {
  name: string;
  /** Milliseconds until dispose() resolved, or null when it had not after DISPOSE_TIMEOUT_MS. */
  ms: number | null;
  threadsAfter: number;
}

export interface ThreadsReport {
  crossOriginIsolated: boolean;
  sharedArrayBuffer: boolean;
  hardwareConcurrency: number;
  /** The build of the single-thread reference, Kernels.load() (build 'auto'). */
  singleBuild: string;
  /** Kernels.load({ threads: 2 }) with the default tuning. */
  threaded: { build: string; threads: number; threadsFallback: string | null; workerParts: number };
  /** Kernels.load({ threads: 2, threadTuning: { minWork: 1, callerComputes: false } }): the workers compute every block. */
  workersOnly: { threads: number; threadsFallback: string | null; workerParts: number };
  products: Product[];
  training: Training[];
  disposal: Disposal[];
  /** After dispose(), the threaded kernels still compute the first product, on one thread: its first differing byte. */
  afterDisposeFirstDifference: number;
  ms: number;
}

declare global {
  interface Window { __threads?: { done: boolean; report?: ThreadsReport; error?: string } }
}

const state: NonNullable<Window['__threads']> = { done: false };
window.__threads = state;
const log = document.getElementById('log')!;

const DISPOSE_TIMEOUT_MS = 5000;

let seed = 20240601;
function rand(): number {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
}
/** n values in [-1, 1) with a full mantissa (two draws each), so sums are not exact by accident. */
function uniform(n: number): Float64Array {
  return Float64Array.from({ length: n }, () => 2 * (rand() + rand() * 2 ** -32) - 1);
}

function bytesOf(x: FloatArray): Uint8Array {
  return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
}
function firstDifference(a: FloatArray, b: FloatArray): number {
  const x = bytesOf(a), y = bytesOf(b);
  if (x.length !== y.length) return Math.min(x.length, y.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}
async function digest(arrays: FloatArray[]): Promise<string> {
  const total = arrays.reduce((s, a) => s + a.byteLength, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const a of arrays) { all.set(bytesOf(a), at); at += a.byteLength; }
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
  return Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The products: 256³ is 64× the pool's default split threshold (m·n·k ≥ 2^18). */
const PRODUCTS: { name: string; dtype: DType; transA: boolean; transB: boolean; m: number; n: number; k: number }[] = [
  { name: 'f32 A·B 256×256·256×256', dtype: 'float32', transA: false, transB: false, m: 256, n: 256, k: 256 },
  { name: 'f32 A·Bᵀ 256×256·(256×256)ᵀ', dtype: 'float32', transA: false, transB: true, m: 256, n: 256, k: 256 },
  { name: 'f64 Aᵀ·B (256×192)ᵀ·256×200', dtype: 'float64', transA: true, transB: false, m: 192, n: 200, k: 256 },
];

function product(k: Kernels, p: (typeof PRODUCTS)[number], a: Float64Array, b: Float64Array, c0: Float64Array): { C: FloatArray; ms: number } {
  const A = p.transA ? k.tensor(p.k, p.m, p.dtype, a) : k.tensor(p.m, p.k, p.dtype, a);
  const B = p.transB ? k.tensor(p.n, p.k, p.dtype, b) : k.tensor(p.k, p.n, p.dtype, b);
  const C = k.tensor(p.m, p.n, p.dtype, c0);
  const t0 = performance.now();
  k.gemm(p.transA, p.transB, 0.75, A, B, 0.5, C);
  const ms = performance.now() - t0;
  const out = C.toArray();
  A.dispose(); B.dispose(); C.dispose();
  return { C: out, ms };
}

/** Features-first data: 64 × 1024 inputs in [0, 1), labels from a fixed random hyperplane. */
function trainingData(n: number, m: number) {
  const X = Float64Array.from({ length: n * m }, () => rand());
  const w = uniform(n);
  const Y = new Float64Array(m);
  for (let e = 0; e < m; e++) {
    let s = 0;
    for (let f = 0; f < n; f++) s += w[f]! * (X[f * m + e]! - 0.5);
    Y[e] = s > 0 ? 1 : 0;
  }
  return { X: { data: X, shape: [n, m] as [number, number] }, Y: { data: Y, shape: [1, m] as [number, number] } };
}

/**
 * [64, 64, 32, 1] on 1024 examples, full batch: the first two layers' products (forward, dW, dA) are
 * 1–4·10^6 multiply-adds, above the split threshold, so the pool splits them on every step.
 */
const NET = { layers: [64, 64, 32, 1], hidden: 'relu', output: 'sigmoid', seed: 7, dtype: 'float32' } as const;
const FIT = { iterations: 6, learningRate: 0.1, costEvery: 1, layout: 'features-first' } as const;

async function fit(kernels: Kernels | { threads: number }, data: ReturnType<typeof trainingData>) {
  const net = await Network.create({ ...NET, layers: [...NET.layers], kernels });
  const parts = net.kernels.workerParts;
  const t0 = performance.now();
  const history = await net.fit(data.X, data.Y, FIT);
  const ms = performance.now() - t0;
  const weights = net.getWeights().flatMap((l) => [l.W, l.b]);
  return { net, weights, costs: history.costs.map((c) => c.cost), workerParts: net.kernels.workerParts - parts, ms };
}

async function timedDispose(name: string, kernels: Kernels): Promise<Disposal> {
  const t0 = performance.now();
  const ended = await Promise.race([
    kernels.dispose().then(() => true),
    new Promise<boolean>((res) => setTimeout(() => res(false), DISPOSE_TIMEOUT_MS)),
  ]);
  return { name, ms: ended ? Math.round(performance.now() - t0) : null, threadsAfter: kernels.threads };
}

async function main(): Promise<ThreadsReport> {
  const t0 = performance.now();
  const single = await Kernels.load();
  const threaded = await Kernels.load({ threads: 2 });
  const workersOnly = await Kernels.load({ threads: 2, threadTuning: { minWork: 1, callerComputes: false } });

  const products: Product[] = [];
  let firstC: { a: Float64Array; b: Float64Array; c0: Float64Array; C: FloatArray } | null = null;
  for (const p of PRODUCTS) {
    const a = uniform(p.m * p.k), b = uniform(p.k * p.n), c0 = uniform(p.m * p.n);
    const one = product(single, p, a, b, c0);
    const two = product(threaded, p, a, b, c0);
    const workers = product(workersOnly, p, a, b, c0);
    firstC ??= { a, b, c0, C: one.C };
    products.push({
      name: p.name,
      firstDifference: firstDifference(one.C, two.C),
      firstDifferenceWorkersOnly: firstDifference(one.C, workers.C),
      digest: await digest([two.C]),
      ms: { single: Math.round(one.ms * 10) / 10, threads: Math.round(two.ms * 10) / 10 },
    });
  }

  const data = trainingData(NET.layers[0], 1024);
  const reference = await fit(single, data);
  const training: Training[] = [];
  const disposal: Disposal[] = [];
  for (const [name, kernels] of [['Network.create({ kernels: { threads: 2 } })', { threads: 2 }], ['workers compute every block', workersOnly]] as const) {
    const run = await fit(kernels, data);
    training.push({
      name,
      threads: run.net.kernels.threads,
      threadsFallback: run.net.kernels.threadsFallback,
      workerParts: run.workerParts,
      firstDifference: run.weights.map((w, i) => firstDifference(reference.weights[i]!, w)),
      sameCosts: run.costs.length === reference.costs.length && run.costs.every((c, i) => Object.is(c, reference.costs[i])),
      costs: run.costs,
      digest: await digest(run.weights),
      ms: Math.round(run.ms),
    });
    // A network that loaded its own kernels ends their workers on dispose(); a shared Kernels is left alone.
    run.net.dispose();
    if (kernels === workersOnly) continue;
    disposal.push(await timedDispose('the network\'s own kernels', run.net.kernels));
  }
  reference.net.dispose();

  const threadedState = { build: threaded.build, threads: threaded.threads, threadsFallback: threaded.threadsFallback, workerParts: threaded.workerParts };
  const workersOnlyState = { threads: workersOnly.threads, threadsFallback: workersOnly.threadsFallback, workerParts: workersOnly.workerParts };
  disposal.push(await timedDispose('Kernels.load({ threads: 2 })', threaded));
  disposal.push(await timedDispose('Kernels.load({ threads: 2, …callerComputes: false })', workersOnly));
  // The kernels stay usable on the calling thread after dispose().
  const again = product(threaded, PRODUCTS[0]!, firstC!.a, firstC!.b, firstC!.c0);

  return {
    crossOriginIsolated: window.crossOriginIsolated,
    sharedArrayBuffer: typeof SharedArrayBuffer === 'function',
    hardwareConcurrency: navigator.hardwareConcurrency,
    singleBuild: single.build,
    threaded: threadedState,
    workersOnly: workersOnlyState,
    products,
    training,
    disposal,
    afterDisposeFirstDifference: firstDifference(firstC!.C, again.C),
    ms: Math.round(performance.now() - t0),
  };
}

main().then(
  (report) => {
    state.report = report;
    state.done = true;
    log.textContent = JSON.stringify(report, null, 2);
  },
  (e: unknown) => {
    state.error = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
    state.done = true;
    log.textContent = `error: ${state.error}`;
  },
);
