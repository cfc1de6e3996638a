// simdnet contenders: a Network on its own kernel module (so the module's memory is this workload's),
// loaded with the shared initial parameters.
//
// Training uses the step-level API `net.trainer(X, Y, fitOptions).step(wantCost)` when the build has it
// (one WASM call per step: forward, backward and update), and falls
// back to `net.fit(X, Y, { iterations: 1 })` per step otherwise (which re-validates and re-copies
// the data into WASM memory on every call, and restarts Adam's moments each time — a fallback only).
// Predict latency uses `net.predictOne(x, out)` (one WASM call), else `net.predict` on a 1-row matrix.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { Kernels } from '../../src/kernels.js';
import { Network } from '../../src/network.js';
import type { FitOptions } from '../../src/train/options.js';
import type { NetSpec, PredictContender, TrainContender, TrainProblem } from './common.js';

export type Build = 'simd' | 'scalar';

/** The step-level API (src/network.ts), typed here so this file compiles before and after it lands. */
interface StepTrainer {
  /** One optimiser step on the next batch; the batch's cost before the update when wantCost, else NaN. */
  step(wantCost?: boolean): number;
  dispose(): void;
}
interface StepApi {
  trainer?: (X: unknown, Y: unknown, options: FitOptions) => StepTrainer;
  predictOne?: (x: ArrayLike<number>, out?: Float32Array | Float64Array) => Float32Array | Float64Array;
}

export interface SimdnetTrain extends TrainContender {
  api: 'trainer' | 'fit(iterations: 1) fallback';
  kernels: Kernels;
  /** The module's memory once the network and its trainer are set up, before any step or cost check. */
  openBytes: number;
}

export interface SimdnetPredict extends PredictContender {
  api: 'predictOne' | 'predict fallback';
  kernels: Kernels;
}

/** One build's binary as read once at the start of the run. */
export interface BuildSnapshot {
  build: Build;
  module: WebAssembly.Module;
  bytes: number;
  sha256: string;
  mtime: string;
}

let snapshots: Promise<Record<Build, BuildSnapshot>> | null = null;

/**
 * Reads and compiles build/simdnet.{simd,scalar}.wasm once, so that every simdnet contender of the run
 * uses the same binaries even if `npm run asbuild` rewrites build/ while the bench runs.
 */
export function buildSnapshots(): Promise<Record<Build, BuildSnapshot>> {
  snapshots ??= (async () => {
    const out = {} as Record<Build, BuildSnapshot>;
    for (const build of ['simd', 'scalar'] as const) {
      const url = new URL(`../../build/simdnet.${build}.wasm`, import.meta.url);
      const [bytes, info] = await Promise.all([readFile(url), stat(url)]);
      out[build] = {
        build, module: new WebAssembly.Module(bytes), bytes: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'), mtime: info.mtime.toISOString(),
      };
    }
    return out;
  })();
  return snapshots;
}

async function createNet(spec: NetSpec, build: Build): Promise<{ net: Network; kernels: Kernels }> {
  const kernels = await Kernels.load({ build, source: (await buildSnapshots())[build].module });
  const net = await Network.create({ layers: spec.layers, hidden: spec.hidden, output: spec.output, dtype: 'float32', seed: 1, kernels });
  net.setWeights(spec.params);
  return { net, kernels };
}

export async function simdnetTrainer(problem: TrainProblem, build: Build): Promise<SimdnetTrain> {
  const { net, kernels } = await createNet(problem.spec, build);
  const nX = problem.spec.layers[0]!;
  const nY = problem.spec.layers[problem.spec.layers.length - 1]!;
  const X = { data: problem.X, shape: [nX, problem.m] };
  const Y = { data: problem.Y, shape: [nY, problem.m] };
  const options: FitOptions = {
    learningRate: problem.learningRate, optimizer: problem.optimizer, batchSize: problem.m, layout: 'features-first',
    beta1: problem.beta1, beta2: problem.beta2, epsilon: problem.epsilon,
  };
  const cost = (): number => net.evaluate(X, Y, { layout: 'features-first' }).cost;
  const api = net as unknown as StepApi;
  if (typeof api.trainer === 'function') {
    const t = api.trainer.call(net, X, Y, options);
    const openBytes = kernels.memoryBytes;
    // The first step asks for its cost (checked against cost()); timed steps compute none, like the peers'.
    let first = true;
    return {
      api: 'trainer', kernels, cost, openBytes,
      step: () => {
        const wantCost = first;
        first = false;
        return t.step(wantCost);
      },
      dispose: () => { t.dispose(); net.dispose(); },
    };
  }
  // Fallback until the step API exists: one fit of one iteration per step. Its step 0 is always a
  // cost check, which awaits inside the training loop, so the step is asynchronous (timed as such).
  return {
    api: 'fit(iterations: 1) fallback', kernels, cost, openBytes: kernels.memoryBytes,
    step: async () => (await net.fit(X, Y, { ...options, iterations: 1, costEvery: 1 })).costs[0]?.cost ?? NaN,
    dispose: () => net.dispose(),
  };
}

export async function simdnetPredictor(spec: NetSpec, build: Build): Promise<SimdnetPredict> {
  const { net, kernels } = await createNet(spec, build);
  const api = net as unknown as StepApi;
  const nX = spec.layers[0]!;
  if (typeof api.predictOne === 'function') {
    const out = new Float32Array(spec.layers[spec.layers.length - 1]!);
    const predictOne = api.predictOne;
    return { api: 'predictOne', kernels, predictOne: (x) => predictOne.call(net, x, out), dispose: () => net.dispose() };
  }
  return {
    api: 'predict fallback', kernels,
    predictOne: (x) => net.predict({ data: x, shape: [1, nX] }).data,
    dispose: () => net.dispose(),
  };
}
