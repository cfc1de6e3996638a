// Training state and sessions. TrainingState is the one owner of everything that carries from one step
// to the next: the step and epoch counters, the position in the epoch, Adam's t, the optimiser moments,
// the shuffle stream and the dropout stream. A Session places one fit's (or trainer's) data in WASM
// memory and takes steps on it; a network has one state and at most one open session.
import { OPTIMIZER_CODE, type Kernels, type OptimizerKind } from '../kernels.js';
import type { DType, Tensor } from '../runtime/arena.js';
import { STATUS, STEP_FLAG } from '../runtime/plan.js';
import { createRandom, type RandomKind } from '../rng.js';
import type { FeaturesFirst } from '../data/input.js';
import { decayedRate, type ResolvedFit } from '../train/options.js';
import type { Moments, NetPlan } from './plan.js';

/** Thrown by a step whose gradients were NaN, infinite or too large: the update was not applied. */
export class DivergenceError extends Error {
  constructor(readonly iteration: number, readonly learningRate: number, readonly status: number) {
    super(`simdnet: training diverged at step ${iteration}: ${status === STATUS.nonFinite ? 'a gradient is NaN, infinite or too large to apply'
      : `the update failed with status ${status}`} (learningRate ${learningRate}); the weights of the last good step were kept; try a smaller learningRate`);
  }
}

/** Everything that carries from one step to the next, for every fit, fitDataset and trainer of one network. */
export class TrainingState {
  /** Optimiser steps taken. */
  iteration = 0;
  /** Completed epochs. */
  epoch = 0;
  /** Examples of the current epoch already used. */
  cursor = 0;
  /** Examples per epoch the current epoch's order was drawn for. */
  epochSize = 0;
  /** Adam's t (steps taken with Adam since its moments started). */
  adamSteps = 0;
  /** The optimiser the moments belong to (null before the first step). */
  optimizer: OptimizerKind | null = null;
  moments: Moments[] | null = null;
  /** A session is open (fit, fitDataset or trainer). */
  busy = false;

  constructor(readonly seed: number, readonly rngKind: RandomKind) {}

  /** The permutation of epoch `epoch` over m examples (numpy: np.random.seed(seed + epoch + 1), as the second course's model() does). */
  order(epoch: number, m: number): Int32Array {
    const seed = this.rngKind === 'numpy' ? (this.seed + epoch + 1) >>> 0 : (Math.imul(this.seed ^ 0x27d4eb2f, 0x85ebca6b) + epoch) >>> 0;
    return Int32Array.from(createRandom(this.rngKind, seed).permutation(m));
  }

  /** The dropout stream's first state for this seed: derived from, not equal to, the seed, so masks do not mirror the initial weights. */
  dropoutSeed(): Uint32Array {
    const rng = createRandom('fast', Math.imul(this.seed ^ 0x5bd1e995, 0x9e3779b1) >>> 0);
    const words = Uint32Array.from({ length: 4 }, () => rng.nextUint32());
    if ((words[0]! | words[1]! | words[2]! | words[3]!) === 0) words[0] = 1;
    return words;
  }

  /** Moments for `optimizer`: kept when it is the one they belong to, else (re)started at zero with Adam's t at 0. */
  prepareMoments(kernels: Kernels, plan: NetPlan, optimizer: OptimizerKind): void {
    if (optimizer !== this.optimizer) {
      if (optimizer !== 'gd') {
        this.moments ??= plan.layers.map((l) => ({
          vW: kernels.tensor(l.units, l.inputs, plan.dtype), vb: kernels.tensor(l.units, 1, plan.dtype),
          sW: kernels.tensor(l.units, l.inputs, plan.dtype), sb: kernels.tensor(l.units, 1, plan.dtype),
        }));
        for (const mo of this.moments) for (const t of [mo.vW, mo.vb, mo.sW, mo.sb]) t.data.fill(0);
      }
      this.adamSteps = 0;
      this.optimizer = optimizer;
    }
    plan.attachMoments(this.moments);
  }

  dispose(): void {
    if (this.moments) for (const mo of this.moments) for (const t of [mo.vW, mo.vb, mo.sW, mo.sb]) t.dispose();
    this.moments = null;
  }
}

/**
 * @internal For tests only: 'features' makes the sessions opened afterwards gather their mini-batches the
 * way simdnet did before they were kept examples-first (features-first data, gather_cols), so a test can show
 * that both ways train byte-identically. prepareMinBytes sets which full batches share passes over X between
 * steps (0: all, Infinity: none), so a test can compare both paths. Not part of the public API.
 */
export const sessionInternals: { gather: 'examples' | 'features'; prepareMinBytes: number; sharedPasses: number } = {
  gather: 'examples',
  /**
   * Smallest full batch (bytes of X) whose consecutive steps share passes over X (Session.steps). Measured on
   * a Zen 2 EPYC (16 MiB L3), paired steps(10): X of 4.8–16 MB trained 0.87–0.93× the time, X of 0.25–3 MB
   * 1.005–1.017× (it still fits a cache level, and the blocked products cost a little more).
   */
  prepareMinBytes: 4 << 20,
  /** Steps so far whose pass over X also prepared the next step's W¹·X (for tests to see the path taken). */
  sharedPasses: 0,
};

/** Thrown when examples-first data copied into WASM memory holds a NaN, an infinity or a value beyond the network's type. */
export class UncheckedValuesError extends Error {
  constructor() { super('simdnet: the training data holds a value that is not finite or out of range'); }
}

/** The largest |value| a network of this dtype takes. */
const LIMIT = { float32: 3.4028234663852886e38, float64: Number.MAX_VALUE } as const;

/** Copies examples-first data into WASM memory (m × n) and checks it there with one SIMD max-|x| pass. */
function checkedCopy(kernels: Kernels, x: ExamplesFirstData, dtype: DType): Tensor {
  const t = kernels.tensor(x.rows, x.cols, dtype, x.examplesFirst);
  const maxAbs = dtype === 'float32' ? kernels.exports.max_abs_f32 : kernels.exports.max_abs_f64;
  const worst = maxAbs(t.ptr, t.length);
  // A float32 copy turns values beyond its range into ±Infinity; NaN fails the comparison.
  if (!(worst <= LIMIT[dtype])) {
    t.dispose();
    throw new UncheckedValuesError();
  }
  return t;
}

/** Training inputs as the user's own examples-first typed array (m × n): not copied or checked in JS (checkedCopy does both in WASM). */
export interface ExamplesFirstData {
  examplesFirst: Float32Array | Float64Array;
  /** Examples m. */
  rows: number;
  /** Features n. */
  cols: number;
}

/** What a session trains on: a features-first copy, or (the fast path of large typed arrays) the user's examples-first array. */
export type TrainData = FeaturesFirst | ExamplesFirstData;

const isExamplesFirst = (x: TrainData): x is ExamplesFirstData => 'examplesFirst' in x;

/** The features-first (n × m) tensor of examples-first data: one copy into WASM memory, then gather_rows_t's SIMD transposes. */
function transposedInWasm(kernels: Kernels, x: ExamplesFirstData, dtype: DType): Tensor {
  const tmp = checkedCopy(kernels, x, dtype);
  try {
    const out = kernels.tensor(x.cols, x.rows, dtype);
    try {
      return kernels.gatherRowsTransposed(tmp, Int32Array.from({ length: x.rows }, (_, i) => i), out);
    } catch (e) {
      out.dispose();
      throw e;
    }
  } finally {
    tmp.dispose();
  }
}

/** The examples-first (m × n) copy of features-first data, transposed straight into WASM memory. */
function examplesFirstTensor(kernels: Kernels, x: FeaturesFirst, dtype: DType): Tensor {
  const { rows: n, cols: m, data } = x;
  const t = kernels.tensor(m, n, dtype);
  const out = t.data;
  // 32 examples at a time: the 32 destination rows being filled stay in cache while every feature row streams by.
  for (let e0 = 0; e0 < m; e0 += 32) {
    const e1 = Math.min(e0 + 32, m);
    for (let f = 0; f < n; f++) {
      for (let e = e0, q = f * m + e0; e < e1; e++, q++) out[e * n + f] = data[q]!;
    }
  }
  return t;
}

/** One fit's (or trainer's) data in WASM memory and the steps taken on it. */
export class Session {
  readonly m: number;
  /** Examples in the last step's batch. */
  lastBatch = 0;
  readonly #plan: NetPlan;
  readonly #state: TrainingState;
  readonly #kernels: Kernels;
  readonly #o: ResolvedFit;
  readonly #data: Tensor;
  readonly #labels: Tensor;
  readonly #fullBatch: boolean;
  /** Mini-batches: data and labels are stored examples-first (m × n) and gathered by gather_rows_t. */
  readonly #examplesFirst: boolean;
  readonly #kind: number;
  #order: Int32Array | null = null;
  #pending = 0;
  #open = true;
  /** max |x| of the full batch, found at the first run of steps that share passes over it (steps()). */
  #xMax: number | null = null;
  /** The training state's moments are set up for this session's optimiser (at its first step, so a session that never steps changes nothing). */
  #momentsReady = false;
  /** fitDataset: epochs are counted by the caller (one per pass over the source), this session only walks its chunk. */
  readonly #chunk: { cursor: number; seed: number } | null;

  /**
   * Opens a session on `train`. With `chunk`, the data is one chunk of a streamed epoch: its batches are
   * taken from its start (shuffled with a permutation seeded by chunk.seed when o.shuffle), and the
   * epoch counter is left to the caller.
   */
  constructor(plan: NetPlan, state: TrainingState, train: TrainData, targets: FeaturesFirst, o: ResolvedFit, chunk: { seed: number } | null = null) {
    if (state.busy) throw new Error('simdnet: this network is already training (an open trainer, or a fit that has not finished); dispose the trainer or await the fit first');
    this.#plan = plan;
    this.#state = state;
    this.#kernels = plan.kernels;
    this.#o = o;
    this.m = isExamplesFirst(train) ? train.rows : train.cols;
    this.#kind = OPTIMIZER_CODE[o.optimizer];
    this.#fullBatch = o.batchSize === this.m && !o.shuffle;
    // A full, unshuffled batch is read in place, features-first. Mini-batches are gathered from an
    // examples-first copy, one contiguous row per example: gathering columns of the features-first matrix
    // would touch a cache line per (feature, example), most of the data set at every step.
    this.#examplesFirst = !this.#fullBatch && sessionInternals.gather === 'examples';
    const k = this.#kernels;
    const place = (x: TrainData): Tensor => {
      if (isExamplesFirst(x)) return this.#examplesFirst ? checkedCopy(k, x, plan.dtype) : transposedInWasm(k, x, plan.dtype);
      return this.#examplesFirst ? examplesFirstTensor(k, x, plan.dtype) : k.tensor(x.rows, this.m, plan.dtype, x.data);
    };
    this.#data = place(train);
    try {
      this.#labels = place(targets);
    } catch (e) {
      this.#data.dispose();
      throw e;
    }
    try {
      plan.ensureWorkspace(o.batchSize);
      if (o.keepProb < 1) plan.ensureDropoutBuffers();
    } catch (e) {
      this.#data.dispose();
      this.#labels.dispose();
      throw e;
    }
    this.#chunk = chunk === null ? null : { cursor: 0, seed: chunk.seed };
    // Data of another size cannot continue the epoch in progress: the next epoch starts.
    if (chunk === null && state.epochSize !== this.m) {
      if (state.cursor > 0) state.epoch++;
      state.cursor = 0;
      state.epochSize = this.m;
    }
    state.busy = true;
  }

  get iteration(): number { return this.#state.iteration; }
  get epoch(): number { return this.#state.epoch; }
  /** Examples of this epoch (or, streaming, of this chunk) already used. */
  get cursor(): number { return this.#chunk?.cursor ?? this.#state.cursor; }
  /** Streaming: every batch of the chunk was used. */
  get chunkDone(): boolean { return this.#chunk !== null && this.#chunk.cursor >= this.m; }

  /** The learning rate of the epoch in progress. */
  get learningRate(): number {
    return decayedRate(this.#o.learningRate, this.#o.decay, this.#state.epoch);
  }

  assertOpen(): void {
    if (!this.#open) throw new Error('simdnet: this trainer was disposed');
  }

  /** The next batch's input and targets (gathered into the workspace unless it is the whole, unshuffled set). */
  private batch(): { x: number; y: number; mb: number } {
    const state = this.#state;
    if (!this.#momentsReady) {
      state.prepareMoments(this.#kernels, this.#plan, this.#o.optimizer);
      this.#momentsReady = true;
    }
    const cursor = this.cursor;
    const mb = Math.min(this.#o.batchSize, this.m - cursor);
    if (this.#fullBatch) return { x: this.#data.ptr, y: this.#labels.ptr, mb };
    if (this.#order === null || this.#order.length !== this.m) {
      this.#order = !this.#o.shuffle ? Int32Array.from({ length: this.m }, (_, i) => i)
        : this.#chunk !== null ? Int32Array.from(createRandom(state.rngKind, this.#chunk.seed).permutation(this.m))
        : state.order(state.epoch, this.m);
    }
    const idx = this.#order.subarray(cursor, cursor + mb);
    const k = this.#kernels;
    const plan = this.#plan;
    if (this.#examplesFirst) {
      const X = k.gatherRowsTransposed(this.#data, idx, plan.inputBuffer().view(this.#data.cols, mb));
      const Y = k.gatherRowsTransposed(this.#labels, idx, plan.targetBuffer().view(this.#labels.cols, mb));
      return { x: X.ptr, y: Y.ptr, mb };
    }
    const X = k.gatherColumns(this.#data, idx, plan.inputBuffer().view(this.#data.rows, mb));
    const Y = k.gatherColumns(this.#labels, idx, plan.targetBuffer().view(this.#labels.rows, mb));
    return { x: X.ptr, y: Y.ptr, mb };
  }

  /** Adam's bias corrections for the next step (t counts steps, never epochs). */
  private corrections(): [number, number] {
    if (this.#o.optimizer !== 'adam') return [1, 1];
    const t = this.#state.adamSteps + 1;
    return [1 - this.#o.beta1 ** t, 1 - this.#o.beta2 ** t];
  }

  /** Counts a step whose update was applied, or throws DivergenceError for one that was refused. */
  private finish(mb: number, lr: number): void {
    const status = this.#plan.status();
    const state = this.#state;
    if (status !== STATUS.ok) throw new DivergenceError(state.iteration, lr, status);
    if (this.#o.optimizer === 'adam') state.adamSteps++;
    state.iteration++;
    this.lastBatch = mb;
    if (this.#chunk !== null) {
      this.#chunk.cursor += mb;
      return;
    }
    state.cursor += mb;
    if (state.cursor >= this.m) {
      state.cursor = 0;
      state.epoch++;
      this.#order = null;
    }
  }

  /** Forward, cost, backward and update of the next batch in one WASM call; the cost is NaN unless wantCost. */
  step(wantCost: boolean): number {
    return this.stepWith(wantCost, 0, NaN);
  }

  /**
   * `count` steps without a cost, back to back. On a full, unshuffled batch of at least
   * sessionInternals.prepareMinBytes, each step but the last also computes the next one's W¹·X in the same
   * pass over X as its own dW¹ (assembly/net.ts prepareNext), with the bytes separate steps give. Nothing
   * else can run between these calls, so X and the weights cannot change in between.
   */
  steps(count: number): void {
    const share = count > 1 && this.#fullBatch && this.#data.byteLength >= sessionInternals.prepareMinBytes;
    if (share && this.#xMax === null) {
      const k = this.#kernels.exports;
      this.#xMax = (this.#plan.dtype === 'float32' ? k.max_abs_f32 : k.max_abs_f64)(this.#data.ptr, this.#data.length);
    }
    for (let i = 0; i < count; i++) {
      const flags = !share ? 0 : (i > 0 ? STEP_FLAG.usePrepared : 0) | (i < count - 1 ? STEP_FLAG.prepare : 0);
      this.stepWith(false, flags, share ? this.#xMax! : NaN);
      if ((flags & STEP_FLAG.prepare) !== 0 && this.#plan.prepared()) sessionInternals.sharedPasses++;
    }
  }

  private stepWith(wantCost: boolean, flags: number, xMax: number): number {
    const { x, y, mb } = this.batch();
    const o = this.#o;
    const [c1, c2] = this.corrections();
    const lr = this.learningRate;
    const ops = this.#plan.ops;
    const cost = ops.trainStep(this.#plan.ptr, x, y, mb, o.l2, o.keepProb, this.#kind, lr, o.beta1, o.beta2, o.epsilon, c1, c2, wantCost ? 1 : 0, flags, xMax);
    this.finish(mb, lr);
    return cost;
  }

  /** Forward, cost and backward of the next batch; update() or abandonStep() must follow. */
  forwardBackward(): number {
    const { x, y, mb } = this.batch();
    const o = this.#o;
    const ops = this.#plan.ops;
    const ptr = this.#plan.ptr;
    ops.forward(ptr, x, mb, o.keepProb);
    const cost = ops.cost(ptr, y, mb, o.l2);
    ops.backward(ptr, x, y, mb, o.l2, o.keepProb < 1 ? 1 : 0);
    this.#pending = mb;
    return cost;
  }

  /** Applies the gradients of forwardBackward() (or throws DivergenceError and applies nothing). */
  update(): void {
    const o = this.#o;
    const [c1, c2] = this.corrections();
    const lr = this.learningRate;
    this.#plan.ops.update(this.#plan.ptr, this.#kind, lr, o.beta1, o.beta2, o.epsilon, c1, c2);
    const mb = this.#pending;
    this.#pending = 0;
    this.finish(mb, lr);
  }

  /** Drops the gradients of forwardBackward() (training stops before that update). */
  abandonStep(): void {
    this.#pending = 0;
  }

  dispose(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#state.busy = false;
    this.#data.dispose();
    this.#labels.dispose();
  }
}
