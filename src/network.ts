// Network: L-layer fully-connected nets built, trained and run on the WASM kernels.
// Activations live features-first, (units × examples), exactly as in the course, so every
// product is one GEMM: Z = W·A_prev, dW = dZ·A_prevᵀ/m, dA_prev = Wᵀ·dZ. All buffers are
// allocated before training starts; a step allocates nothing in WASM memory.
import { Kernels, OPTIMIZER_CODE, type Activation, type OptimizerKind } from './kernels.js';
import type { NetBackwardFn, NetCostFn, NetForwardFn, NetTrainStepFn, NetUpdateFn } from './runtime/abi.js';
import { checkDType, type DType, type FloatArray, type Tensor } from './runtime/arena.js';
import type { LoadOptions } from './runtime/load.js';
import { createRandom, type RandomKind } from './rng.js';
import { checkInit, initWeights, type InitKind } from './init.js';
import { toFeaturesFirst, toTargets, type Inputs, type Targets, type Layout, type FeaturesFirst } from './data/input.js';
import { applyNormalizer, checkNormalizeKind, fitNormalizer, type NormalizeKind, type Normalizer } from './data/normalize.js';
import { decodeModel, encodeModel, LAYER_CODE, type LayerActivation } from './io/format.js';
import { decayedRate, resolveFitOptions, type FitOptions, type ResolvedFit } from './train/options.js';

export type HiddenActivation = Activation;
export type OutputActivation = 'sigmoid' | 'softmax' | 'linear';
/** bce: binary cross-entropy; crossEntropy: categorical; mse: ½·mean squared error per example. */
export type LossKind = 'bce' | 'crossEntropy' | 'mse';

/** Options of Network.create. */
export interface NetworkOptions {
  /** [n_x, hidden sizes..., n_y]. */
  layers: number[];
  /** Hidden activation, or one per hidden layer (default 'relu'). */
  hidden?: HiddenActivation | HiddenActivation[];
  /** Output activation (default sigmoid for one output, softmax for more). */
  output?: OutputActivation;
  /** Loss (default: follows the output: sigmoid → bce, softmax → crossEntropy, linear → mse). */
  loss?: LossKind;
  /** Weight initialiser (default 'he' for relu-family hidden layers, else 'xavier'). */
  init?: InitKind;
  dtype?: DType;
  seed?: number;
  /** 'numpy' reproduces np.random.seed(seed) + randn bit for bit; 'fast' (default) is xoshiro128**. */
  rng?: RandomKind;
  /** Slope of leakyRelu for negative inputs (default 0.01). */
  leakySlope?: number;
  /** Input normaliser fitted on the first fit's data and saved with the model (default 'none'). */
  normalize?: NormalizeKind;
  /** Names of the output classes, saved with the model. */
  labels?: string[];
  /** A loaded kernel module to share, or options to load one (default: one module shared per process). */
  kernels?: Kernels | LoadOptions;
}

/** One entry of the cost history: the cost before that step's update (full batch) or the epoch's mean. */
export interface CostRecord {
  iteration: number;
  epoch: number;
  cost: number;
  validationCost?: number;
}

/** What fit returns. */
export interface History {
  costs: CostRecord[];
  /** Optimiser steps taken. */
  iterations: number;
  epochs: number;
  /** Why training ended early, if it did. */
  stopped: null | 'earlyStopping' | 'callback' | 'diverged';
  /** A sentence for people when training stopped early (e.g. why it diverged and what was kept). */
  message?: string;
  /** Iteration/epoch of the best validation cost when early stopping restored it. */
  bestCheck?: CostRecord;
  timeMs: number;
}

/** A prediction: probabilities (or values) with one row per example. */
export interface Prediction {
  data: FloatArray;
  shape: [number, number];
}

/** What evaluate returns. */
export interface Evaluation {
  cost: number;
  /** Fraction correct in [0, 1]; NaN for a linear (regression) output. */
  accuracy: number;
  /** confusion[actual][predicted]; null for a linear output. */
  confusion: number[][] | null;
}

/** What gradientCheck returns. */
export interface GradientCheckResult {
  /** ‖g − g̃‖ / (‖g‖ + ‖g̃‖), the course's relative difference. */
  difference: number;
  parameters: number;
  worst: { parameter: string; index: number; analytic: number; numeric: number }[];
}

interface Layer {
  units: number;
  inputs: number;
  activation: LayerActivation;
  W: Tensor;
  b: Tensor;
  dW: Tensor;
  db: Tensor;
  state: { vW: Tensor; vb: Tensor; sW: Tensor; sb: Tensor } | null;
}

/** Per-capacity buffers of a forward/backward pass; views of them serve smaller batches. */
interface Workspace {
  capacity: number;
  /** Batch input and targets, allocated on first use: a full-batch fit reads its data in place. */
  input: Tensor | null;
  target: Tensor | null;
  Z: Tensor[];
  A: Tensor[];
  dZ: Tensor[];
  /** Dropout masks and the dropped activations, hidden layers only (allocated on first use). */
  D: (Tensor | null)[];
  Ad: (Tensor | null)[];
}

/** Sizes of the plan's header and per-layer records (assembly/net.ts). */
const PLAN_HEADER_BYTES = 64;
const PLAN_LAYER_BYTES = 64;

/** A prepared training session (Network.trainer). */
export interface Trainer {
  /** One optimiser step on the next batch; returns that batch's cost before the update when wantCost, else NaN. */
  step(wantCost?: boolean): number;
  /** Steps taken. */
  readonly iteration: number;
  /** Completed passes over the data. */
  readonly epoch: number;
  /** Frees the session's copy of the data. */
  dispose(): void;
}

/** What predictOne reuses between calls. */
interface SingleExample {
  buffer: ArrayBuffer;
  input: FloatArray;
  output: FloatArray;
  inPtr: number;
  forward: NetForwardFn;
}

/** The plan entry points of one dtype. */
interface PlanOps {
  plan: number;
  forward: NetForwardFn;
  backward: NetBackwardFn;
  cost: NetCostFn;
  update: NetUpdateFn;
  trainStep: NetTrainStepFn;
}

const HIDDEN: readonly Activation[] = ['linear', 'sigmoid', 'tanh', 'relu', 'leakyRelu'];
const OUTPUT: readonly OutputActivation[] = ['sigmoid', 'softmax', 'linear'];
const NETWORK_OPTIONS = new Set(['layers', 'hidden', 'output', 'loss', 'init', 'dtype', 'seed', 'rng', 'leakySlope', 'normalize', 'labels', 'kernels']);

let sharedKernels: Promise<Kernels> | null = null;

/** The process-wide kernel module that networks share unless given their own. */
export function defaultKernels(): Promise<Kernels> {
  sharedKernels ??= Kernels.load().catch((e: unknown) => {
    sharedKernels = null;
    throw e;
  });
  return sharedKernels;
}

async function resolveKernels(k: Kernels | LoadOptions | undefined): Promise<Kernels> {
  if (k instanceof Kernels) return k;
  if (k === undefined) return defaultKernels();
  return Kernels.load(k);
}

/** True when resolveKernels loaded a module for this network alone. */
function ownsKernels(k: Kernels | LoadOptions | undefined): boolean {
  return k !== undefined && !(k instanceof Kernels);
}

function defaultLoss(output: OutputActivation): LossKind {
  return output === 'sigmoid' ? 'bce' : output === 'softmax' ? 'crossEntropy' : 'mse';
}

/** An L-layer fully-connected network whose parameters live in WASM memory. */
export class Network {
  readonly kernels: Kernels;
  readonly dtype: DType;
  readonly layerSizes: readonly number[];
  readonly loss: LossKind;
  readonly leakySlope: number;
  readonly labels: string[] | null;
  readonly seed: number;
  readonly rngKind: RandomKind;
  #layers: Layer[];
  #normalizeKind: NormalizeKind;
  #normalizer: Normalizer | null;
  #workspace: Workspace | null = null;
  /** The network as assembly/net.ts lays it out: one WASM call per forward pass or training step. */
  #plan = 0;
  /** Cached views of predictOne (null when stale). */
  #single: SingleExample | null = null;
  #disposed = false;
  /** The network loaded its own kernels (from LoadOptions, e.g. `{ threads: 2 }`): dispose() ends their workers. */
  #ownsKernels = false;
  #training: Record<string, unknown> = {};

  private constructor(kernels: Kernels, dtype: DType, layers: number[], activations: LayerActivation[], loss: LossKind,
    leakySlope: number, normalizeKind: NormalizeKind, labels: string[] | null, seed: number, rngKind: RandomKind) {
    this.kernels = kernels;
    this.dtype = dtype;
    this.layerSizes = Object.freeze([...layers]);
    this.loss = loss;
    this.leakySlope = leakySlope;
    this.labels = labels;
    this.seed = seed;
    this.rngKind = rngKind;
    this.#normalizeKind = normalizeKind;
    this.#normalizer = null;
    this.#layers = [];
    try {
      for (let l = 1; l < layers.length; l++) {
        const units = layers[l]!;
        const inputs = layers[l - 1]!;
        this.#layers.push({
          units, inputs, activation: activations[l - 1]!,
          W: kernels.tensor(units, inputs, dtype), b: kernels.tensor(units, 1, dtype),
          dW: kernels.tensor(units, inputs, dtype), db: kernels.tensor(units, 1, dtype), state: null,
        });
      }
      this.#plan = kernels.exports.alloc(PLAN_HEADER_BYTES + PLAN_LAYER_BYTES * this.#layers.length) >>> 0;
      this.ensureWorkspace(1);
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** Builds a network and initialises its weights. */
  static async create(options: NetworkOptions): Promise<Network> {
    if (typeof options !== 'object' || options === null) throw new Error('simdnet: Network.create needs an options object');
    for (const key of Object.keys(options)) if (!NETWORK_OPTIONS.has(key)) throw new Error(`simdnet: unknown network option '${key}'`);
    const layers = options.layers;
    if (!Array.isArray(layers) || layers.length < 2) throw new Error('simdnet: layers must list at least [n_x, n_y]');
    layers.forEach((n, i) => {
      if (!Number.isInteger(n) || n < 1 || n > 1 << 24) throw new Error(`simdnet: layers[${i}] must be a positive integer (≤ 2^24), got ${String(n)}`);
    });
    const L = layers.length - 1;
    const nY = layers[L]!;
    const output = options.output ?? (nY === 1 ? 'sigmoid' : 'softmax');
    if (!OUTPUT.includes(output)) throw new Error(`simdnet: unknown output activation '${String(output)}'; expected ${OUTPUT.join(', ')}`);
    if (output === 'softmax' && nY < 2) throw new Error('simdnet: a softmax output needs at least 2 units');
    const hiddenOpt = options.hidden ?? 'relu';
    const hidden = Array.isArray(hiddenOpt) ? hiddenOpt : new Array<Activation>(L - 1).fill(hiddenOpt);
    if (hidden.length !== L - 1) throw new Error(`simdnet: hidden lists ${hidden.length} activations but there are ${L - 1} hidden layers`);
    hidden.forEach((h) => {
      if (!HIDDEN.includes(h)) throw new Error(`simdnet: unknown hidden activation '${String(h)}'; expected ${HIDDEN.join(', ')}`);
    });
    const loss = options.loss ?? defaultLoss(output);
    checkLossPair(loss, output);
    const dtype = checkDType(options.dtype ?? 'float32');
    const seed = options.seed ?? 0;
    const rngKind = options.rng ?? 'fast';
    if (rngKind !== 'numpy' && rngKind !== 'fast') throw new Error(`simdnet: unknown rng '${String(rngKind)}'; expected 'numpy' or 'fast'`);
    const rng = createRandom(rngKind, seed);
    const init = checkInit(options.init ?? (hidden.every((h) => h === 'relu' || h === 'leakyRelu') ? 'he' : 'xavier'));
    const leakySlope = options.leakySlope ?? 0.01;
    if (typeof leakySlope !== 'number' || !Number.isFinite(leakySlope)) throw new Error(`simdnet: leakySlope must be a finite number, got ${String(leakySlope)}`);
    const normalizeKind = checkNormalizeKind(options.normalize);
    const labels = options.labels ?? null;
    if (labels !== null && (!Array.isArray(labels) || labels.length !== Math.max(nY, 2) || !labels.every((s) => typeof s === 'string'))) {
      throw new Error(`simdnet: labels must be ${Math.max(nY, 2)} strings (one per class)`);
    }
    const kernels = await resolveKernels(options.kernels);
    const net = new Network(kernels, dtype, layers, [...hidden, output], loss, leakySlope, normalizeKind, labels, seed, rngKind);
    net.#ownsKernels = ownsKernels(options.kernels);
    net.#layers.forEach((layer) => layer.W.set(initWeights(init, rng, layer.units, layer.inputs)));
    net.#training.init = init;
    return net;
  }

  /** Rebuilds a network from the bytes that save() wrote. */
  static async load(bytes: Uint8Array | ArrayBuffer, options: { kernels?: Kernels | LoadOptions } = {}): Promise<Network> {
    const rec = decodeModel(bytes);
    const L = rec.layers.length - 1;
    const output = rec.activations[L - 1]!;
    if (!OUTPUT.includes(output as OutputActivation)) throw new Error(`simdnet: not a valid simdnet model file: output activation '${output}' is not supported`);
    const hidden = rec.activations.slice(0, L - 1);
    if (hidden.some((h) => h === 'softmax')) throw new Error('simdnet: not a valid simdnet model file: softmax on a hidden layer');
    const loss = (rec.meta.loss ?? defaultLoss(output as OutputActivation)) as LossKind;
    try {
      checkLossPair(loss, output as OutputActivation);
    } catch (e) {
      throw new Error(`simdnet: not a valid simdnet model file: ${(e as Error).message.replace(/^simdnet: /, '')}`);
    }
    const labels = Array.isArray(rec.meta.labels) ? (rec.meta.labels as string[]) : null;
    const kernels = await resolveKernels(options.kernels);
    const net = new Network(kernels, rec.dtype, rec.layers, rec.activations, loss, rec.leakySlope, rec.normalizer?.kind ?? 'none', labels,
      typeof rec.meta.seed === 'number' ? rec.meta.seed : 0, rec.meta.rng === 'numpy' ? 'numpy' : 'fast');
    net.#ownsKernels = ownsKernels(options.kernels);
    net.#normalizer = rec.normalizer;
    net.#layers.forEach((layer, l) => {
      layer.W.set(rec.weights[l]!.W);
      layer.b.set(rec.weights[l]!.b);
    });
    if (typeof rec.meta.training === 'object' && rec.meta.training !== null) net.#training = rec.meta.training as Record<string, unknown>;
    return net;
  }

  /** Activation of each layer, output last. */
  get activations(): LayerActivation[] {
    return this.#layers.map((l) => l.activation);
  }

  /** The fitted input normaliser, if any. */
  get normalizer(): Normalizer | null {
    return this.#normalizer;
  }

  /** Copies of the parameters, W as (n_l × n_{l-1}) row-major and b as n_l values. */
  getWeights(): { W: FloatArray; b: FloatArray; shape: [number, number] }[] {
    this.assertAlive();
    return this.#layers.map((l) => ({ W: l.W.toArray(), b: l.b.toArray(), shape: [l.units, l.inputs] }));
  }

  /** Replaces the parameters; shapes must match. All layers are checked before any is written. */
  setWeights(weights: { W: ArrayLike<number>; b: ArrayLike<number> }[]): void {
    this.assertAlive();
    if (!Array.isArray(weights) || weights.length !== this.#layers.length) throw new Error(`simdnet: setWeights needs ${this.#layers.length} layers`);
    weights.forEach((w, l) => {
      const layer = this.#layers[l]!;
      if (typeof w !== 'object' || w === null) throw new Error(`simdnet: setWeights layer ${l + 1} needs { W, b }`);
      for (const [arr, name, len] of [[w.W, 'W', layer.W.length], [w.b, 'b', layer.b.length]] as const) {
        if (arr === null || typeof arr !== 'object' || typeof arr.length !== 'number') throw new Error(`simdnet: setWeights layer ${l + 1} needs { W, b } arrays of numbers`);
        if (arr.length !== len) throw new Error(`simdnet: setWeights layer ${l + 1} ${name} has ${arr.length} values, expected ${len}`);
        for (let i = 0; i < arr.length; i++) if (!Number.isFinite(arr[i])) throw new Error(`simdnet: setWeights layer ${l + 1} ${name}[${i}] is not finite`);
      }
    });
    weights.forEach((w, l) => {
      this.#layers[l]!.W.set(w.W);
      this.#layers[l]!.b.set(w.b);
    });
  }

  /** Trains on X, Y; returns the cost history. */
  async fit(X: Inputs, Y: Targets, options: FitOptions = {}): Promise<History> {
    this.assertAlive();
    checkOptions(options, 'fit');
    const started = performance.now();
    const { session, validation, o } = this.open(X, Y, options, true);
    try {
      return await this.trainLoop(session, validation, o, options, started);
    } finally {
      session.dispose();
    }
  }

  /**
   * A prepared training session for custom loops and benchmarks: data, workspaces and optimiser state
   * are placed in WASM memory once; each step() is one optimiser step on the next batch. fit() options
   * apply except validation, earlyStopping, onProgress and costEvery.
   */
  trainer(X: Inputs, Y: Targets, options: FitOptions = {}): Trainer {
    this.assertAlive();
    checkOptions(options, 'trainer');
    for (const key of ['validation', 'earlyStopping', 'onProgress', 'costEvery'] as const) {
      if (options[key] !== undefined) throw new Error(`simdnet: trainer() does not take '${key}'; use fit()`);
    }
    const { session } = this.open(X, Y, options, false);
    return {
      step: (wantCost = false) => {
        this.assertAlive();
        session.assertOpen();
        return session.step(wantCost);
      },
      get iteration() { return session.iteration; },
      get epoch() { return session.epoch; },
      dispose: () => session.dispose(),
    };
  }

  /** Validates data and options, fits the normaliser on the training part, and opens a session. */
  private open(X: Inputs, Y: Targets, options: FitOptions, allowValidation: boolean): { session: Session; validation: { X: FeaturesFirst; Y: FeaturesFirst } | null; o: ResolvedFit } {
    // A rejected call leaves no trace: the normaliser is only replaced once everything checked out.
    let train = this.rawInputs(X, options.layout);
    let targets = this.prepareTargets(Y, train.cols, options.layout);
    let validation: { X: FeaturesFirst; Y: FeaturesFirst } | null = null;
    if (allowValidation && typeof options.validation === 'number') {
      const split = options.validation;
      if (!(split > 0 && split < 1)) throw new Error(`simdnet: a validation split must be in (0, 1), got ${split}`);
      const held = Math.round(train.cols * split);
      if (held < 1 || held >= train.cols) throw new Error(`simdnet: a validation split of ${split} leaves no training or no validation examples`);
      const keep = train.cols - held;
      validation = { X: sliceColumns(train, keep, train.cols), Y: sliceColumns(targets, keep, targets.cols) };
      train = sliceColumns(train, 0, keep);
      targets = sliceColumns(targets, 0, keep);
    } else if (allowValidation && options.validation !== undefined) {
      const v = options.validation;
      if (typeof v !== 'object' || v === null || !('X' in v) || !('Y' in v)) throw new Error('simdnet: validation must be { X, Y } or a split fraction');
      const vx = this.rawInputs(v.X, options.layout);
      validation = { X: vx, Y: this.prepareTargets(v.Y, vx.cols, options.layout) };
    }
    const o = resolveFitOptions(options, train.cols, this.seed);
    // The normaliser is fitted on the training part only, so held-out examples do not leak into it.
    if (this.#normalizeKind !== 'none') {
      this.#normalizer ??= fitNormalizer(this.#normalizeKind, train.data, train.rows, train.cols);
      applyNormalizer(this.#normalizer, train.data, train.rows, train.cols);
      if (validation !== null) applyNormalizer(this.#normalizer, validation.X.data, validation.X.rows, validation.X.cols);
    }
    return { session: new Session(this, this.kernels, train, targets, o), validation, o };
  }

  private async trainLoop(session: Session, validation: { X: FeaturesFirst; Y: FeaturesFirst } | null,
    o: ResolvedFit, options: FitOptions, started: number): Promise<History> {
    const m = session.m;
    const batchesPerEpoch = Math.ceil(m / o.batchSize);
    const totalIterations = o.mode === 'iterations' ? o.count : o.count * batchesPerEpoch;
    const history: History = { costs: [], iterations: 0, epochs: 0, stopped: null, timeMs: 0 };
    let best: { cost: number; record: CostRecord; weights: { W: FloatArray; b: FloatArray }[] | null } | null = null;
    let sinceBest = 0;
    let epochCost = 0;

    // The weights of the last check whose cost was finite: what a diverging run falls back to.
    let lastFinite: { iteration: number; weights: { W: FloatArray; b: FloatArray }[] } | null = null;
    const check = async (record: CostRecord, learningRate: number): Promise<boolean> => {
      if (!Number.isFinite(record.cost)) {
        history.costs.push(record);
        history.stopped = 'diverged';
        if (lastFinite !== null) this.setWeights(lastFinite.weights);
        history.message = `simdnet: training diverged: the cost at iteration ${record.iteration} is ${record.cost}; ` +
          (lastFinite !== null ? `the weights of iteration ${lastFinite.iteration} (the last finite cost) were kept` : 'no finite cost was seen')
          + `; try a smaller learningRate than ${learningRate}`;
        return false;
      }
      lastFinite = { iteration: record.iteration, weights: this.getWeights() };
      if (validation !== null) {
        record.validationCost = this.costOf(validation.X, validation.Y);
        if (o.earlyStopping !== null) {
          if (best === null || record.validationCost < best.cost - o.earlyStopping.minDelta) {
            best = { cost: record.validationCost, record, weights: o.earlyStopping.restoreBest ? this.getWeights() : null };
            sinceBest = 0;
          } else if (++sinceBest >= o.earlyStopping.patience) {
            history.stopped = 'earlyStopping';
          }
        }
      }
      history.costs.push(record);
      if (options.onProgress) {
        const go = await options.onProgress({ ...record, learningRate, totalIterations, elapsedMs: performance.now() - started });
        if (go === false) history.stopped = 'callback';
      }
      return history.stopped === null;
    };

    const done = (): boolean => (o.mode === 'iterations' ? session.iteration >= o.count : session.epoch >= o.count);
    while (!done()) {
      const epoch = session.epoch;
      const learningRate = session.learningRate;
      const recordStep = o.mode === 'iterations' && session.iteration % o.costEvery === 0;
      const perEpoch = o.mode === 'epochs';
      let goOn = true;
      if (recordStep) {
        // A check step is split so that validation and onProgress (which may predict) run after backward
        // (they reuse the forward workspace) but before the update (they see the weights the cost belongs to).
        const cost = session.forwardBackward();
        if (!(await check({ iteration: session.iteration, epoch, cost }, learningRate))) goOn = false;
        if (goOn) session.update(); else session.abandonStep();
      } else {
        const cost = session.step(perEpoch);
        if (perEpoch) epochCost += cost * session.lastBatch;
      }
      if (!goOn) break;
      if (perEpoch && session.epoch !== epoch) {
        if (epoch % o.costEvery === 0 && !(await check({ iteration: session.iteration, epoch, cost: epochCost / m }, learningRate))) break;
        epochCost = 0;
      }
    }
    history.iterations = session.iteration;
    history.epochs = session.epoch + (session.cursor > 0 ? 1 : 0);
    const b = best as { cost: number; record: CostRecord; weights: { W: FloatArray; b: FloatArray }[] | null } | null;
    if (history.stopped === 'earlyStopping' && b !== null) {
      history.bestCheck = b.record;
      if (b.weights !== null) this.setWeights(b.weights);
    }
    history.timeMs = performance.now() - started;
    this.#training = { optimizer: o.optimizer, learningRate: o.learningRate, batchSize: o.batchSize, l2: o.l2, keepProb: o.keepProb,
      iterations: history.iterations, epochs: history.epochs };
    return history;
  }

  /**
   * One example through the network in one WASM call, into preallocated memory: x has n_x values
   * (normalised here if the model has a normaliser); returns out (n_y values), allocated when not given.
   */
  predictOne(x: ArrayLike<number>, out?: FloatArray): FloatArray {
    if (this.#disposed) throw new Error('simdnet: this network was disposed');
    let io = this.#single;
    if (io === null || io.buffer !== this.kernels.exports.memory.buffer) io = this.singleExampleViews();
    const nX = io.input.length;
    const nY = io.output.length;
    if (x === null || typeof x !== 'object' || x.length !== nX) throw new Error(`simdnet: predictOne needs ${nX} input values, got ${x?.length}`);
    const result = out ?? (this.dtype === 'float32' ? new Float32Array(nY) : new Float64Array(nY));
    if (result.length < nY) throw new Error(`simdnet: predictOne's out has ${result.length} values, needs ${nY}`);
    const input = io.input;
    const norm = this.#normalizer;
    for (let f = 0; f < nX; f++) {
      const v = x[f]!;
      // v − v is 0 for every finite number and NaN for NaN and ±Infinity.
      if (v - v !== 0) throw new Error(`simdnet: predictOne input ${f} is ${v}; values must be finite numbers`);
      input[f] = norm === null ? v : (v - norm.shift[f]!) / norm.scale[f]!;
    }
    io.forward(this.#plan, io.inPtr, 1, 1);
    const output = io.output;
    for (let r = 0; r < nY; r++) result[r] = output[r]!;
    return result;
  }

  /** Views and the entry point predictOne needs, re-made when memory grows or the workspace moves. */
  private singleExampleViews(): SingleExample {
    const input = this.inputBuffer();
    const ws = this.#workspace!;
    const outTensor = ws.A[ws.A.length - 1]!;
    const nY = this.layerSizes[this.layerSizes.length - 1]!;
    const io: SingleExample = {
      buffer: this.kernels.exports.memory.buffer,
      input: input.data.subarray(0, this.layerSizes[0]!),
      output: outTensor.data.subarray(0, nY),
      inPtr: input.ptr,
      forward: this.dtype === 'float32' ? this.kernels.exports.net_forward_f32 : this.kernels.exports.net_forward_f64,
    };
    this.#single = io;
    return io;
  }

  /** Probabilities (or values) for X, one row per example. */
  predict(X: Inputs, options: { layout?: Layout } = {}): Prediction {
    this.assertAlive();
    checkOptions(options, 'predict');
    const input = this.prepareInputs(X, options.layout);
    const out = this.forwardAll(input);
    const nY = this.layerSizes[this.layerSizes.length - 1]!;
    const m = input.cols;
    const data = this.dtype === 'float32' ? new Float32Array(m * nY) : new Float64Array(m * nY);
    for (let r = 0; r < nY; r++) for (let e = 0; e < m; e++) data[e * nY + r] = out[r * m + e]!;
    return { data, shape: [m, nY] };
  }

  /** Cost, accuracy and confusion matrix on X, Y. */
  evaluate(X: Inputs, Y: Targets, options: { layout?: Layout } = {}): Evaluation {
    this.assertAlive();
    checkOptions(options, 'evaluate');
    const input = this.prepareInputs(X, options.layout);
    const target = this.prepareTargets(Y, input.cols, options.layout);
    const out = this.forwardAll(input);
    const cost = this.costFromOutputs(out, target, 0);
    const output = this.#layers[this.#layers.length - 1]!.activation;
    const nY = target.rows;
    const m = input.cols;
    if (output === 'linear') return { cost, accuracy: NaN, confusion: null };
    if (output === 'softmax') {
      const confusion = Array.from({ length: nY }, () => new Array<number>(nY).fill(0));
      let correct = 0;
      for (let e = 0; e < m; e++) {
        let p = 0, t = 0;
        for (let r = 1; r < nY; r++) {
          if (out[r * m + e]! > out[p * m + e]!) p = r;
          if (target.data[r * m + e]! > target.data[t * m + e]!) t = r;
        }
        confusion[t]![p]!++;
        if (p === t) correct++;
      }
      return { cost, accuracy: correct / m, confusion };
    }
    const confusion = [[0, 0], [0, 0]];
    let correct = 0;
    for (let q = 0; q < out.length; q++) {
      const p = out[q]! > 0.5 ? 1 : 0;
      const t = target.data[q]! > 0.5 ? 1 : 0;
      confusion[t]![p]!++;
      if (p === t) correct++;
    }
    return { cost, accuracy: correct / out.length, confusion };
  }

  /** The course's gradient check: analytic backprop against centred differences of the cost. */
  gradientCheck(X: Inputs, Y: Targets, options: { epsilon?: number; l2?: number; layout?: Layout; worst?: number } = {}): GradientCheckResult {
    this.assertAlive();
    const eps = options.epsilon ?? 1e-7;
    const l2 = options.l2 ?? 0;
    if (!(eps > 0 && eps < 1)) throw new Error(`simdnet: gradientCheck epsilon must be in (0, 1), got ${String(eps)}`);
    if (!(l2 >= 0 && Number.isFinite(l2))) throw new Error(`simdnet: gradientCheck l2 must be ≥ 0, got ${String(l2)}`);
    const input = this.prepareInputs(X, options.layout);
    const target = this.prepareTargets(Y, input.cols, options.layout);
    const m = input.cols;
    this.ensureWorkspace(m);
    const Xt = this.inputBuffer().view(input.rows, m).set(input.data);
    const Yt = this.targetBuffer().view(target.rows, m).set(target.data);
    this.forward(Xt, m, 1);
    this.backward(Xt, Yt, m, l2, false);
    const analytic: number[] = [];
    const numeric: number[] = [];
    const names: { parameter: string; index: number }[] = [];
    this.#layers.forEach((layer, l) => {
      for (const [param, grad, name] of [[layer.W, layer.dW, `W${l + 1}`], [layer.b, layer.db, `b${l + 1}`]] as const) {
        const g = grad.toArray();
        for (let i = 0; i < param.length; i++) {
          const original = param.data[i]!;
          param.data[i] = original + eps;
          this.forward(Xt, m, 1);
          const plus = this.batchCost(Yt, m, l2);
          param.data[i] = original - eps;
          this.forward(Xt, m, 1);
          const minus = this.batchCost(Yt, m, l2);
          param.data[i] = original;
          analytic.push(g[i]!);
          numeric.push((plus - minus) / (2 * eps));
          names.push({ parameter: name, index: i });
        }
      }
    });
    let diff = 0, na = 0, nn = 0;
    for (let i = 0; i < analytic.length; i++) {
      diff += (analytic[i]! - numeric[i]!) ** 2;
      na += analytic[i]! ** 2;
      nn += numeric[i]! ** 2;
    }
    const denom = Math.sqrt(na) + Math.sqrt(nn);
    const order = analytic.map((_, i) => i).sort((a, b) => Math.abs(analytic[b]! - numeric[b]!) - Math.abs(analytic[a]! - numeric[a]!));
    return {
      difference: denom === 0 ? 0 : Math.sqrt(diff) / denom,
      parameters: analytic.length,
      worst: order.slice(0, options.worst ?? 5).map((i) => ({ ...names[i]!, analytic: analytic[i]!, numeric: numeric[i]! })),
    };
  }

  /** The model file: architecture, normaliser, labels, training config and weights. */
  save(): Uint8Array {
    this.assertAlive();
    return encodeModel({
      dtype: this.dtype, layers: [...this.layerSizes], activations: this.activations, leakySlope: this.leakySlope,
      normalizer: this.#normalizer,
      meta: { loss: this.loss, labels: this.labels ?? undefined, seed: this.seed, rng: this.rngKind, training: this.#training },
      weights: this.#layers.map((l) => ({ W: l.W.data, b: l.b.data })),
    });
  }

  /** Frees every WASM buffer of this network; later calls throw. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (this.#ownsKernels) void this.kernels.dispose();
    this.freeWorkspace();
    if (this.#plan !== 0) this.kernels.exports.free(this.#plan);
    this.#plan = 0;
    for (const l of this.#layers) {
      for (const t of [l.W, l.b, l.dW, l.db]) t.dispose();
      if (l.state) for (const t of Object.values(l.state)) t.dispose();
    }
  }

  /** True after dispose(). */
  get disposed(): boolean {
    return this.#disposed;
  }

  private assertAlive(): void {
    if (this.#disposed) throw new Error('simdnet: this network was disposed');
  }

  /** Validates X (features-first copy) and applies the fitted normaliser; before the first fit, a normalising net refuses. */
  private prepareInputs(X: Inputs, layout: unknown): FeaturesFirst {
    const input = this.rawInputs(X, layout);
    if (this.#normalizeKind !== 'none') {
      if (this.#normalizer === null) throw new Error('simdnet: the normaliser is fitted by fit(); call fit before predict/evaluate');
      applyNormalizer(this.#normalizer, input.data, input.rows, input.cols);
    }
    return input;
  }

  /** Validates X and returns its features-first copy, not normalised. */
  private rawInputs(X: Inputs, layout: unknown): FeaturesFirst {
    const input = toFeaturesFirst(X, 'X', layout);
    const nX = this.layerSizes[0]!;
    if (input.rows !== nX) throw new Error(`simdnet: X has ${input.rows} features per example but the network expects ${nX}`);
    return input;
  }

  private prepareTargets(Y: Targets, m: number, layout: unknown): FeaturesFirst {
    const nY = this.layerSizes[this.layerSizes.length - 1]!;
    const output = this.#layers[this.#layers.length - 1]!.activation;
    const t = toTargets(Y, m, nY, output === 'softmax', layout);
    if (this.loss === 'bce' || this.loss === 'crossEntropy') {
      for (let q = 0; q < t.data.length; q++) {
        const v = t.data[q]!;
        if (v < 0 || v > 1) throw new Error(`simdnet: Y example ${q % m} has target ${v}; ${this.loss} targets must be in [0, 1]`);
      }
    }
    return t;
  }

  private ensureWorkspace(capacity: number): void {
    if (this.#workspace !== null && this.#workspace.capacity >= capacity) return;
    const hadDropout = this.#workspace?.D.some((d) => d !== null) ?? false;
    this.freeWorkspace();
    const k = this.kernels;
    const allocated: Tensor[] = [];
    const t = (rows: number): Tensor => {
      const x = k.tensor(rows, capacity, this.dtype);
      allocated.push(x);
      return x;
    };
    try {
      this.#workspace = {
        capacity,
        input: null,
        target: null,
        Z: this.#layers.map((l) => t(l.units)),
        A: this.#layers.map((l) => t(l.units)),
        dZ: this.#layers.map((l) => t(l.units)),
        D: this.#layers.map(() => null),
        Ad: this.#layers.map(() => null),
      };
    } catch (e) {
      for (const x of allocated) x.dispose();
      throw e;
    }
    // A session with dropout keeps its masks when a validation pass grows the workspace.
    if (hadDropout) this.ensureDropoutBuffers();
    this.writePlan();
  }

  /** @internal The workspace's batch input (n_x × capacity), allocated on first use. */
  inputBuffer(): Tensor {
    const ws = this.#workspace!;
    ws.input ??= this.kernels.tensor(this.layerSizes[0]!, ws.capacity, this.dtype);
    return ws.input;
  }

  /** @internal The workspace's batch targets (n_y × capacity), allocated on first use. */
  targetBuffer(): Tensor {
    const ws = this.#workspace!;
    ws.target ??= this.kernels.tensor(this.layerSizes[this.layerSizes.length - 1]!, ws.capacity, this.dtype);
    return ws.target;
  }


  private freeWorkspace(): void {
    this.#single = null;
    const ws = this.#workspace;
    if (ws === null) return;
    for (const x of [ws.input, ws.target, ...ws.Z, ...ws.A, ...ws.dZ, ...ws.D, ...ws.Ad]) x?.dispose();
    this.#workspace = null;
  }

  private ensureOptimizerState(): void {
    for (const l of this.#layers) {
      l.state ??= {
        vW: this.kernels.tensor(l.units, l.inputs, this.dtype), vb: this.kernels.tensor(l.units, 1, this.dtype),
        sW: this.kernels.tensor(l.units, l.inputs, this.dtype), sb: this.kernels.tensor(l.units, 1, this.dtype),
      };
    }
    this.writePlan();
  }

  private ensureDropoutBuffers(): void {
    const ws = this.#workspace!;
    this.#layers.forEach((layer, l) => {
      if (l === this.#layers.length - 1) return;
      ws.D[l] ??= this.kernels.tensor(layer.units, ws.capacity, this.dtype);
      ws.Ad[l] ??= this.kernels.tensor(layer.units, ws.capacity, this.dtype);
    });
    this.writePlan();
  }

  /** Writes the plan (assembly/net.ts) from the current buffers; with a seed, also reseeds the dropout stream. */
  private writePlan(seed?: number): void {
    if (this.#plan === 0 || this.#workspace === null) return;
    const ws = this.#workspace;
    const buf = this.kernels.exports.memory.buffer;
    const L = this.#layers.length;
    const i32 = new Int32Array(buf, this.#plan, (PLAN_HEADER_BYTES + PLAN_LAYER_BYTES * L) / 4);
    const f64 = new Float64Array(buf, this.#plan + 16, 1);
    i32[0] = L;
    i32[1] = this.dtype === 'float32' ? 1 : 2;
    i32[2] = ws.capacity;
    i32[3] = this.loss === 'bce' ? 0 : this.loss === 'crossEntropy' ? 1 : 2;
    f64[0] = this.leakySlope;
    if (seed !== undefined) {
      // The dropout stream is derived from, not equal to, the seed: masks must not mirror the initial weights.
      const rng = createRandom('fast', (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) >>> 0));
      for (let q = 6; q < 10; q++) i32[q] = rng.nextUint32() | 0;
      if ((i32[6]! | i32[7]! | i32[8]! | i32[9]!) === 0) i32[6] = 1;
    }
    this.#layers.forEach((layer, l) => {
      const r = (PLAN_HEADER_BYTES + PLAN_LAYER_BYTES * l) / 4;
      const act = LAYER_CODE[layer.activation];
      const fields = [layer.units, layer.inputs, act, layer.W.ptr, layer.b.ptr, layer.dW.ptr, layer.db.ptr,
        ws.Z[l]!.ptr, ws.A[l]!.ptr, ws.dZ[l]!.ptr, ws.D[l]?.ptr ?? 0, ws.Ad[l]?.ptr ?? 0,
        layer.state?.vW.ptr ?? 0, layer.state?.vb.ptr ?? 0, layer.state?.sW.ptr ?? 0, layer.state?.sb.ptr ?? 0];
      fields.forEach((v, q) => { i32[r + q] = v | 0; });
    });
  }

  /** Every fit starts its optimiser afresh: zero moments, Adam's t from 1. */
  private resetOptimizerState(): void {
    for (const l of this.#layers) if (l.state) for (const x of Object.values(l.state)) x.data.fill(0);
  }

  /** Forward pass of mb columns of X; dropout on hidden layers when keepProb < 1. Returns A_L (a workspace view). */
  private forward(X: Tensor, mb: number, keepProb: number): Tensor {
    this.#forward(this.#plan, X.ptr, mb, keepProb);
    const ws = this.#workspace!;
    return ws.A[ws.A.length - 1]!.view(this.layerSizes[this.layerSizes.length - 1]!, mb);
  }

  /** Backward pass after forward(X): fills every dW, db (L2 included); skips dA⁰, which nobody uses. */
  private backward(X: Tensor, Y: Tensor, mb: number, l2: number, dropout: boolean): void {
    const fn = this.dtype === 'float32' ? this.kernels.exports.net_backward_f32 : this.kernels.exports.net_backward_f64;
    fn(this.#plan, X.ptr, Y.ptr, mb, l2, dropout ? 1 : 0);
  }

  /** The cost of the batch whose forward pass ran last, L2 term included. */
  private batchCost(Y: Tensor, mb: number, l2: number): number {
    const fn = this.dtype === 'float32' ? this.kernels.exports.net_cost_f32 : this.kernels.exports.net_cost_f64;
    return fn(this.#plan, Y.ptr, mb, l2);
  }

  /** The plan-level entry points, bound to this network's dtype (used by Session). */
  get planOps(): PlanOps {
    const e = this.kernels.exports;
    const f32 = this.dtype === 'float32';
    return {
      plan: this.#plan,
      forward: f32 ? e.net_forward_f32 : e.net_forward_f64,
      backward: f32 ? e.net_backward_f32 : e.net_backward_f64,
      cost: f32 ? e.net_cost_f32 : e.net_cost_f64,
      update: f32 ? e.net_update_f32 : e.net_update_f64,
      trainStep: f32 ? e.net_train_step_f32 : e.net_train_step_f64,
    };
  }

  get #forward(): NetForwardFn {
    return this.dtype === 'float32' ? this.kernels.exports.net_forward_f32 : this.kernels.exports.net_forward_f64;
  }

  /** Buffers a session needs: workspace for its batch size, optimiser state, dropout masks; then the plan is rewritten. */
  prepareSession(batchSize: number, optimizer: OptimizerKind, keepProb: number, seed: number): Workspace {
    this.ensureWorkspace(batchSize);
    if (optimizer !== 'gd') this.ensureOptimizerState();
    if (keepProb < 1) this.ensureDropoutBuffers();
    this.resetOptimizerState();
    this.writePlan(seed);
    return this.#workspace!;
  }

  /** Output of the network for features-first input, features-first, in f64. */
  private forwardAll(input: FeaturesFirst): Float64Array {
    const m = input.cols;
    let chunk = Math.min(m, Math.max(this.#workspace?.capacity ?? 0, 1024));
    // Never leave a one-example tail: one column runs the GEMV path, whose rounding differs from a batch's,
    // and predictions must not depend on where a chunk boundary falls.
    if (m > chunk && m % chunk === 1) chunk -= 1;
    this.ensureWorkspace(chunk);
    const nY = this.layerSizes[this.layerSizes.length - 1]!;
    const out = new Float64Array(nY * m);
    for (let start = 0; start < m; start += chunk) {
      const mb = Math.min(chunk, m - start);
      const X = this.inputBuffer().view(input.rows, mb);
      const xd = X.data;
      for (let f = 0; f < input.rows; f++) xd.set(input.data.subarray(f * m + start, f * m + start + mb), f * mb);
      const AL = this.forward(X, mb, 1).data;
      for (let r = 0; r < nY; r++) for (let e = 0; e < mb; e++) out[r * m + start + e] = AL[r * mb + e]!;
    }
    return out;
  }

  /** Cost (without the L2 term, like evaluate) of normalised features-first data and targets. */
  private costOf(input: FeaturesFirst, target: FeaturesFirst): number {
    return this.costFromOutputs(this.forwardAll(input), target, 0);
  }

  private costFromOutputs(out: Float64Array, target: FeaturesFirst, l2: number): number {
    const m = target.cols;
    let sum = 0;
    const t = target.data;
    if (this.loss === 'bce') {
      const eps = this.dtype === 'float32' ? 1e-7 : 1e-15;
      for (let q = 0; q < out.length; q++) {
        const a = Math.min(Math.max(out[q]!, eps), 1 - eps);
        sum -= t[q]! * Math.log(a) + (1 - t[q]!) * Math.log(1 - a);
      }
      sum /= m;
    } else if (this.loss === 'crossEntropy') {
      const eps = this.dtype === 'float32' ? 1e-7 : 1e-15;
      for (let q = 0; q < out.length; q++) if (t[q] !== 0) sum -= t[q]! * Math.log(Math.max(out[q]!, eps));
      sum /= m;
    } else {
      for (let q = 0; q < out.length; q++) sum += (out[q]! - t[q]!) ** 2;
      sum /= 2 * m;
    }
    if (l2 > 0) {
      let squares = 0;
      for (const layer of this.#layers) squares += this.kernels.sumSquares(layer.W);
      sum += (l2 / (2 * m)) * squares;
    }
    return sum;
  }
}

/** Throws unless options is a plain object (a null or a number would otherwise fail with a TypeError). */
function checkOptions(options: unknown, what: string): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new Error(`simdnet: ${what} options must be an object`);
}

function checkLossPair(loss: LossKind, output: OutputActivation): void {
  if (loss !== 'bce' && loss !== 'crossEntropy' && loss !== 'mse') throw new Error(`simdnet: unknown loss '${String(loss)}'; expected bce, crossEntropy or mse`);
  if (loss === 'bce' && output !== 'sigmoid') throw new Error(`simdnet: loss 'bce' needs a sigmoid output, not ${output}`);
  if (loss === 'crossEntropy' && output !== 'softmax') throw new Error(`simdnet: loss 'crossEntropy' needs a softmax output, not ${output}`);
  if (loss === 'mse' && output === 'softmax') throw new Error("simdnet: loss 'mse' with a softmax output is not supported; use crossEntropy");
}

function sliceColumns(x: FeaturesFirst, from: number, to: number): FeaturesFirst {
  const cols = to - from;
  const data = new Float64Array(x.rows * cols);
  for (let r = 0; r < x.rows; r++) data.set(x.data.subarray(r * x.cols + from, r * x.cols + to), r * cols);
  return { data, rows: x.rows, cols };
}

/**
 * @internal For tests only: 'features' makes the sessions opened afterwards gather their mini-batches the
 * way simdnet did before they were kept examples-first (features-first data, gather_cols), so a test can show
 * that both ways train byte-identically. Not part of the public API.
 */
export const sessionInternals: { gather: 'examples' | 'features' } = { gather: 'examples' };

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

/** Data in WASM memory, batch order and counters of one fit or trainer. */
class Session {
  readonly m: number;
  iteration = 0;
  epoch = 0;
  cursor = 0;
  lastBatch = 0;
  learningRate: number;
  readonly #net: Network;
  readonly #kernels: Kernels;
  readonly #o: ResolvedFit;
  readonly #data: Tensor;
  readonly #labels: Tensor;
  readonly #ops: PlanOps;
  readonly #fullBatch: boolean;
  /** Mini-batches: data and labels are stored examples-first (m × n) and gathered by gather_rows_t. */
  readonly #examplesFirst: boolean;
  readonly #kind: number;
  #order: Int32Array;
  #adamSteps = 0;
  #pending = 0;
  #open = true;

  constructor(net: Network, kernels: Kernels, train: FeaturesFirst, targets: FeaturesFirst, o: ResolvedFit) {
    this.#net = net;
    this.#kernels = kernels;
    this.#o = o;
    this.m = train.cols;
    this.#kind = OPTIMIZER_CODE[o.optimizer];
    this.#fullBatch = o.batchSize === this.m && !o.shuffle;
    // A full, unshuffled batch is read in place, features-first. Mini-batches are gathered from an
    // examples-first copy, one contiguous row per example: gathering columns of the features-first matrix
    // would touch a cache line per (feature, example), most of the data set at every step.
    this.#examplesFirst = !this.#fullBatch && sessionInternals.gather === 'examples';
    const place = (x: FeaturesFirst): Tensor => (this.#examplesFirst
      ? examplesFirstTensor(kernels, x, net.dtype) : kernels.tensor(x.rows, this.m, net.dtype, x.data));
    this.#data = place(train);
    try {
      this.#labels = place(targets);
    } catch (e) {
      this.#data.dispose();
      throw e;
    }
    try {
      net.prepareSession(o.batchSize, o.optimizer, o.keepProb, o.seed);
    } catch (e) {
      this.dispose();
      throw e;
    }
    this.#ops = net.planOps;
    this.#order = Int32Array.from({ length: this.m }, (_, i) => i);
    this.learningRate = o.learningRate;
    this.startEpoch();
  }

  assertOpen(): void {
    if (!this.#open) throw new Error('simdnet: this trainer was disposed');
  }

  private startEpoch(): void {
    this.learningRate = decayedRate(this.#o.learningRate, this.#o.decay, this.epoch);
    if (this.#o.shuffle) {
      // numpy: epoch e shuffles with np.random.seed(seed + e + 1), as the second course's model() does.
      const seed = this.#net.rngKind === 'numpy' ? (this.#o.seed + this.epoch + 1) >>> 0 : (Math.imul(this.#o.seed ^ 0x27d4eb2f, 0x85ebca6b) + this.epoch) >>> 0;
      this.#order = Int32Array.from(createRandom(this.#net.rngKind, seed).permutation(this.m));
    }
  }

  /** The next batch's input and targets (gathered into the workspace unless it is the whole, unshuffled set). */
  private batch(): { x: number; y: number; mb: number } {
    const mb = Math.min(this.#o.batchSize, this.m - this.cursor);
    if (this.#fullBatch) return { x: this.#data.ptr, y: this.#labels.ptr, mb };
    const idx = this.#order.subarray(this.cursor, this.cursor + mb);
    const k = this.#kernels;
    if (this.#examplesFirst) {
      const X = k.gatherRowsTransposed(this.#data, idx, this.#net.inputBuffer().view(this.#data.cols, mb));
      const Y = k.gatherRowsTransposed(this.#labels, idx, this.#net.targetBuffer().view(this.#labels.cols, mb));
      return { x: X.ptr, y: Y.ptr, mb };
    }
    const X = k.gatherColumns(this.#data, idx, this.#net.inputBuffer().view(this.#data.rows, mb));
    const Y = k.gatherColumns(this.#labels, idx, this.#net.targetBuffer().view(this.#labels.rows, mb));
    return { x: X.ptr, y: Y.ptr, mb };
  }

  private corrections(): [number, number] {
    if (this.#o.optimizer !== 'adam') return [1, 1];
    this.#adamSteps++;
    return [1 - this.#o.beta1 ** this.#adamSteps, 1 - this.#o.beta2 ** this.#adamSteps];
  }

  private advance(mb: number): void {
    this.iteration++;
    this.lastBatch = mb;
    this.cursor += mb;
    if (this.cursor >= this.m) {
      this.cursor = 0;
      this.epoch++;
      this.startEpoch();
    }
  }

  /** Forward, cost, backward and update of the next batch in one WASM call. */
  step(wantCost: boolean): number {
    const { x, y, mb } = this.batch();
    const o = this.#o;
    const [c1, c2] = this.corrections();
    const ops = this.#ops;
    const cost = ops.trainStep(ops.plan, x, y, mb, o.l2, o.keepProb, this.#kind, this.learningRate, o.beta1, o.beta2, o.epsilon, c1, c2, wantCost ? 1 : 0);
    this.advance(mb);
    return cost;
  }

  /** Forward, cost and backward of the next batch; update() or abandonStep() must follow. */
  forwardBackward(): number {
    const { x, y, mb } = this.batch();
    const o = this.#o;
    const ops = this.#ops;
    ops.forward(ops.plan, x, mb, o.keepProb);
    const cost = ops.cost(ops.plan, y, mb, o.l2);
    ops.backward(ops.plan, x, y, mb, o.l2, o.keepProb < 1 ? 1 : 0);
    this.#pending = mb;
    return cost;
  }

  /** Applies the gradients of forwardBackward(). */
  update(): void {
    const o = this.#o;
    const [c1, c2] = this.corrections();
    const ops = this.#ops;
    ops.update(ops.plan, this.#kind, this.learningRate, o.beta1, o.beta2, o.epsilon, c1, c2);
    this.advance(this.#pending);
    this.#pending = 0;
  }

  /** Drops the gradients of forwardBackward() (training stops before that update). */
  abandonStep(): void {
    this.#pending = 0;
  }

  dispose(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#data.dispose();
    this.#labels?.dispose();
  }
}
