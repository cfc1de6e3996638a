// Several networks alive in one kernel module's memory must not disturb each other. Each case trains a
// network alone on a kernel module of its own; then all of them train interleaved on one shared module,
// step by step (trainer()) and through concurrent fit() calls whose onProgress yields to the event loop,
// while other networks predict, and short-lived "churn" networks are created, fitted, asked for a large
// prediction (which grows memory, replacing the ArrayBuffer under every live view) and disposed. The saved
// bytes and predictions of every network must equal its solo run's exactly.
// Used by test/reliability/isolation.test.ts and (with more networks and rounds) test/soak/cycles.soak.ts.
import { Kernels } from '../../src/kernels.js';
import { Network, type NetworkOptions } from '../../src/network.js';
import type { FitOptions } from '../../src/train/options.js';
import { mulberry32, randomRows } from '../network/helpers.js';

export interface IsolationCase {
  net: Omit<NetworkOptions, 'kernels'>;
  X: number[][];
  Y: number[] | number[][];
  fit: FitOptions;
  steps: number;
}

/** n varied cases: dtypes, activations, optimisers, dropout, mini-batches, normalisers, outputs. */
export function isolationCases(n: number, seed = 1): IsolationCase[] {
  const r = mulberry32(seed);
  const out: IsolationCase[] = [];
  for (let i = 0; i < n; i++) {
    const nx = 2 + (i % 5);
    const X = randomRows(r, 40 + 13 * (i % 4), nx, -2, 2);
    const kind = i % 3;
    const hidden = (['relu', 'tanh', 'leakyRelu', 'sigmoid'] as const)[i % 4];
    const ny = kind === 0 ? 1 : kind === 1 ? 3 : 2;
    const Y = kind === 0 ? X.map((x) => (x[0]! > x[1]! ? 1 : 0)) : kind === 1 ? X.map((x) => (x[0]! > 0.5 ? 2 : x[1]! > 0 ? 1 : 0)) : X.map((x) => [x[0]! - x[1]!, 0.5 * x[0]!]);
    out.push({
      net: {
        layers: [nx, 4 + 3 * (i % 6), ...(i % 2 ? [5] : []), ny], hidden, output: kind === 2 ? 'linear' : undefined,
        dtype: i % 2 ? 'float64' : 'float32', seed: 100 + i, normalize: i % 3 === 1 ? 'standardize' : 'none',
      },
      X, Y,
      fit: {
        optimizer: (['gd', 'momentum', 'rmsprop', 'adam'] as const)[i % 4], learningRate: 0.01 + 0.01 * (i % 3),
        batchSize: i % 4 === 0 ? undefined : 8 + (i % 3) * 4, keepProb: i % 5 === 2 ? 0.8 : 1, l2: i % 3 === 0 ? 0.1 : 0,
      },
      steps: 30 + 7 * (i % 5),
    });
  }
  return out;
}

interface Outcome {
  bytes: Uint8Array;
  predictions: Uint8Array;
}

const bytesOf = (a: Float32Array | Float64Array) => new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));

/** Trains a case alone on its own kernel module: trainer steps, then a fit with a yielding onProgress. */
export async function solo(c: IsolationCase): Promise<Outcome> {
  const kernels = await Kernels.load();
  const net = await Network.create({ ...c.net, kernels });
  try {
    const t = net.trainer(c.X, c.Y, c.fit);
    for (let s = 0; s < c.steps; s++) t.step(s % 5 === 0);
    t.dispose();
    await net.fit(c.X, c.Y, { ...c.fit, iterations: 12, costEvery: 1, onProgress: () => new Promise<void>((res) => setImmediate(res)) });
    return { bytes: net.save(), predictions: bytesOf(net.predict(c.X).data) };
  } finally {
    net.dispose();
  }
}

/** All cases on one shared module, interleaved, with churn; returns each case's outcome and the module's memory. */
export async function interleaved(cases: IsolationCase[], options: { churnEvery?: number; bigPredict?: number } = {}): Promise<{ outcomes: Outcome[]; kernels: Kernels; churned: number; grewFrom: number }> {
  const kernels = await Kernels.load();
  const churnEvery = options.churnEvery ?? 9;
  const big = randomRows(mulberry32(5), options.bigPredict ?? 3000, 3);
  const nets = await Promise.all(cases.map((c) => Network.create({ ...c.net, kernels })));
  let churned = 0;
  const grewFrom = kernels.memoryBytes;
  try {
    const trainers = nets.map((n, i) => n.trainer(cases[i]!.X, cases[i]!.Y, cases[i]!.fit));
    const most = Math.max(...cases.map((c) => c.steps));
    for (let s = 0; s < most; s++) {
      for (let i = 0; i < nets.length; i++) {
        if (s < cases[i]!.steps) trainers[i]!.step(s % 5 === 0);
      }
      if (s % churnEvery === 0) {
        // A short-lived network: allocations and frees between the live networks' buffers, and memory growth.
        const churn = await Network.create({ layers: [3, 8 + 11 * (s % 13), 2], dtype: s % 2 ? 'float64' : 'float32', seed: s, kernels });
        await churn.fit(big.slice(0, 50), big.slice(0, 50).map((x) => (x[0]! > 0 ? 1 : 0)), { iterations: 3 });
        churn.predict(big);
        churn.dispose();
        churned++;
      }
    }
    for (const t of trainers) t.dispose();
    // Concurrent fits: each onProgress yields, so the fits take turns at every recorded step.
    await Promise.all(nets.map((n, i) => n.fit(cases[i]!.X, cases[i]!.Y, {
      ...cases[i]!.fit, iterations: 12, costEvery: 1, onProgress: () => new Promise<void>((res) => setImmediate(res)),
    })));
    return { outcomes: nets.map((n, i) => ({ bytes: n.save(), predictions: bytesOf(n.predict(cases[i]!.X).data) })), kernels, churned, grewFrom };
  } finally {
    for (const n of nets) n.dispose();
  }
}

/** Indices of cases whose interleaved outcome differs from the solo one. */
export function mismatches(a: Outcome[], b: Outcome[]): number[] {
  return a.flatMap((x, i) => (Buffer.from(x.bytes).equals(Buffer.from(b[i]!.bytes)) && Buffer.from(x.predictions).equals(Buffer.from(b[i]!.predictions)) ? [] : [i]));
}
