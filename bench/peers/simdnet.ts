// simdnet contenders: a Network on its own kernel module (so the module's memory is this workload's),
// loaded with the shared initial parameters; one per variant: the simd, relaxed (relaxed_madd) and
// scalar builds on one thread, and the threads build with THREADS threads (workers on one shared memory).
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
import { hostHasRelaxedSimd } from '../../src/runtime/load.js';
import { threadsUnavailableReason } from '../../src/runtime/threads.js';
import type { FitOptions } from '../../src/train/options.js';
import type { NetSpec, PredictContender, TrainContender, TrainProblem } from './common.js';

/** simdnet contenders: the three single-thread builds, and the threads build on THREADS threads. */
export type Variant = 'simd' | 'relaxed' | 'scalar' | 'threads' | 'threads-relaxed';
export const VARIANTS: readonly Variant[] = ['simd', 'relaxed', 'scalar', 'threads', 'threads-relaxed'];

/** Threads of the threads contender (the calling one included). */
export const THREADS = 2;

export const VARIANT_LABEL: Record<Variant, string> = {
  simd: 'simdnet simd', relaxed: 'simdnet relaxed', scalar: 'simdnet scalar', threads: `simdnet threads (${THREADS})`,
  'threads-relaxed': `simdnet relaxed threads (${THREADS})`,
};

/** The file of a variant: build/simdnet.<file>.wasm. */
const FILE: Record<Variant, string> = { simd: 'simd', relaxed: 'relaxed', scalar: 'scalar', threads: 'threads', 'threads-relaxed': 'threads.relaxed' };
const isThreads = (v: Variant): boolean => v === 'threads' || v === 'threads-relaxed';

/** The step-level API (src/network.ts), typed here so this file compiles before and after it lands. */
interface StepTrainer {
  /** One optimiser step on the next batch; the batch's cost before the update when wantCost, else NaN. */
  step(wantCost?: boolean): number;
  /** `count` steps back to back (what fit runs between records); on a large full batch they share passes over X. */
  steps?(count: number): void;
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
  build: Variant;
  /** Compiled module (null for the threads build: it is instantiated on a shared memory by the loader). */
  module: WebAssembly.Module | null;
  bytes: Uint8Array;
  size: number;
  sha256: string;
  mtime: string;
}

export interface Snapshots {
  builds: Partial<Record<Variant, BuildSnapshot>>;
  /** Why a variant cannot run on this host ("n/a (…)"), for the table. */
  unavailable: Partial<Record<Variant, string>>;
}

/** A variant this host cannot run: the row says `message` instead of timings. */
export class VariantUnavailable extends Error {}

let snapshots: Promise<Snapshots> | null = null;

/**
 * Reads (and compiles) build/simdnet.{simd,relaxed,scalar,threads}.wasm once, so that every simdnet
 * contender of the run uses the same binaries even if `npm run asbuild` rewrites build/ while the
 * bench runs. The relaxed build is left out where the host cannot validate relaxed SIMD (Node 20
 * without --experimental-wasm-relaxed-simd), the threads build where shared memory is missing.
 */
export function buildSnapshots(): Promise<Snapshots> {
  snapshots ??= (async () => {
    const out: Snapshots = { builds: {}, unavailable: {} };
    if (!(await hostHasRelaxedSimd())) out.unavailable.relaxed = out.unavailable['threads-relaxed'] = 'n/a (host lacks relaxed SIMD)';
    const threadsWhy = threadsUnavailableReason();
    if (threadsWhy !== null) out.unavailable.threads = out.unavailable['threads-relaxed'] = `n/a (no threads: ${threadsWhy})`;
    for (const build of VARIANTS) {
      if (out.unavailable[build] !== undefined) continue;
      const url = new URL(`../../build/simdnet.${FILE[build]}.wasm`, import.meta.url);
      const [bytes, info] = await Promise.all([readFile(url), stat(url)]);
      out.builds[build] = {
        build, module: isThreads(build) ? null : new WebAssembly.Module(bytes), bytes: new Uint8Array(bytes), size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'), mtime: info.mtime.toISOString(),
      };
    }
    return out;
  })();
  return snapshots;
}

/** Every Kernels this file loaded with workers, so the run can end them all before it exits. */
const threaded = new Set<Kernels>();

/** A fresh kernel module of the variant (from the snapshot); throws VariantUnavailable where the host cannot run it. */
export async function loadVariant(variant: Variant): Promise<Kernels> {
  const snaps = await buildSnapshots();
  const snap = snaps.builds[variant];
  if (snap === undefined) throw new VariantUnavailable(snaps.unavailable[variant] ?? `n/a (${variant} build missing)`);
  if (!isThreads(variant)) return Kernels.load({ build: variant as 'simd' | 'relaxed' | 'scalar', source: snap.module! });
  const kernels = await Kernels.load({ threads: THREADS, source: snap.bytes, build: variant === 'threads' ? 'simd' : 'relaxed' });
  threaded.add(kernels);
  if (kernels.threads !== THREADS) {
    const why = kernels.threadsFallback ?? `${kernels.threads} thread(s) started`;
    await disposeKernels(kernels);
    snaps.unavailable[variant] = `n/a (threads fell back to one: ${why})`;
    throw new VariantUnavailable(snaps.unavailable[variant]!);
  }
  return kernels;
}

/** Ends a module's workers (no-op without them). */
export async function disposeKernels(kernels: Kernels): Promise<void> {
  threaded.delete(kernels);
  await kernels.dispose();
}

/** Ends the workers of every threaded module still alive, so the process can exit. */
export async function disposeAllKernels(): Promise<void> {
  await Promise.all([...threaded].map((k) => disposeKernels(k)));
}

async function createNet(spec: NetSpec, variant: Variant): Promise<{ net: Network; kernels: Kernels }> {
  const kernels = await loadVariant(variant);
  const net = await Network.create({ layers: spec.layers, hidden: spec.hidden, output: spec.output, dtype: 'float32', seed: 1, kernels });
  net.setWeights(spec.params);
  return { net, kernels };
}

/** With stepsPerCall > 1, each timed call is trainer.steps(stepsPerCall) (fit's way between records), timed per step. */
export async function simdnetTrainer(problem: TrainProblem, build: Variant, stepsPerCall = 1): Promise<SimdnetTrain> {
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
    if (stepsPerCall > 1 && typeof t.steps !== 'function') throw new VariantUnavailable('n/a: this build of simdnet has no trainer.steps');
    return {
      api: 'trainer', kernels, cost, openBytes, stepsPerCall,
      step: () => {
        if (first || stepsPerCall === 1) {
          const wantCost = first;
          first = false;
          return t.step(wantCost);
        }
        t.steps!(stepsPerCall);
        return NaN;
      },
      dispose: () => { t.dispose(); net.dispose(); void disposeKernels(kernels); },
    };
  }
  // Fallback until the step API exists: one fit of one iteration per step. Its step 0 is always a
  // cost check, which awaits inside the training loop, so the step is asynchronous (timed as such).
  return {
    api: 'fit(iterations: 1) fallback', kernels, cost, openBytes: kernels.memoryBytes,
    step: async () => (await net.fit(X, Y, { ...options, iterations: 1, costEvery: 1 })).costs[0]?.cost ?? NaN,
    dispose: () => { net.dispose(); void disposeKernels(kernels); },
  };
}

export async function simdnetPredictor(spec: NetSpec, build: Variant): Promise<SimdnetPredict> {
  const { net, kernels } = await createNet(spec, build);
  const api = net as unknown as StepApi;
  const nX = spec.layers[0]!;
  if (typeof api.predictOne === 'function') {
    const out = new Float32Array(spec.layers[spec.layers.length - 1]!);
    const predictOne = api.predictOne;
    return { api: 'predictOne', kernels, predictOne: (x) => predictOne.call(net, x, out), dispose: () => { net.dispose(); void disposeKernels(kernels); } };
  }
  return {
    api: 'predict fallback', kernels,
    predictOne: (x) => net.predict({ data: x, shape: [1, nX] }).data,
    dispose: () => { net.dispose(); void disposeKernels(kernels); },
  };
}
