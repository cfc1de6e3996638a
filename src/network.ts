// Network: L-layer fully-connected nets built, trained and run on the WASM kernels.
// Activations live features-first, (units × examples), exactly as in the course, so every
// product is one GEMM: Z = W·A_prev, dW = dZ·A_prevᵀ/m, dA_prev = Wᵀ·dZ. All buffers are
// allocated before training starts; a step allocates nothing in WASM memory.
import { Kernels, type Activation, type OptimizerHyper } from './kernels.js';
import { checkDType, type DType, type FloatArray, type Tensor } from './runtime/arena.js';
import type { LoadOptions } from './runtime/load.js';
import { createRandom, type Random, type RandomKind } from './rng.js';
import { checkInit, initWeights, type InitKind } from './init.js';
import { toFeaturesFirst, toTargets, type Inputs, type Targets, type Layout, type FeaturesFirst } from './data/input.js';
import { applyNormalizer, checkNormalizeKind, fitNormalizer, type NormalizeKind, type Normalizer } from './data/normalize.js';
import { decodeModel, encodeModel, type LayerActivation } from './io/format.js';
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
  stopped: null | 'earlyStopping' | 'callback';
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
  input: Tensor;
  target: Tensor;
  Z: Tensor[];
  A: Tensor[];
  dZ: Tensor[];
  /** Dropout masks and the dropped activations, hidden layers only (allocated on first use). */
  D: (Tensor | null)[];
  Ad: (Tensor | null)[];
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
  #disposed = false;
  #steps = 0;
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
    checkLossPair(loss, output as OutputActivation);
    const labels = Array.isArray(rec.meta.labels) ? (rec.meta.labels as string[]) : null;
    const kernels = await resolveKernels(options.kernels);
    const net = new Network(kernels, rec.dtype, rec.layers, rec.activations, loss, rec.leakySlope, rec.normalizer?.kind ?? 'none', labels,
      typeof rec.meta.seed === 'number' ? rec.meta.seed : 0, rec.meta.rng === 'numpy' ? 'numpy' : 'fast');
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

  /** Replaces the parameters; shapes must match. */
  setWeights(weights: { W: ArrayLike<number>; b: ArrayLike<number> }[]): void {
    this.assertAlive();
    if (!Array.isArray(weights) || weights.length !== this.#layers.length) throw new Error(`simdnet: setWeights needs ${this.#layers.length} layers`);
    weights.forEach((w, l) => {
      const layer = this.#layers[l]!;
      for (const [arr, name, len] of [[w.W, 'W', layer.W.length], [w.b, 'b', layer.b.length]] as const) {
        if (arr.length !== len) throw new Error(`simdnet: setWeights layer ${l + 1} ${name} has ${arr.length} values, expected ${len}`);
        for (let i = 0; i < arr.length; i++) if (!Number.isFinite(arr[i])) throw new Error(`simdnet: setWeights layer ${l + 1} ${name}[${i}] is not finite`);
      }
      layer.W.set(w.W);
      layer.b.set(w.b);
    });
  }

  /** Trains on X, Y; returns the cost history. */
  async fit(X: Inputs, Y: Targets, options: FitOptions = {}): Promise<History> {
    this.assertAlive();
    const started = performance.now();
    // A rejected call leaves no trace: a normaliser fitted on its data is dropped again.
    const normalizerBefore = this.#normalizer;
    let train: FeaturesFirst, targets: FeaturesFirst, o: ResolvedFit;
    let validation: { X: FeaturesFirst; Y: FeaturesFirst } | null = null;
    try {
      train = this.prepareInputs(X, options.layout, true);
      targets = this.prepareTargets(Y, train.cols, options.layout);
      if (typeof options.validation === 'number') {
        const split = options.validation;
        if (!(split > 0 && split < 1)) throw new Error(`simdnet: a validation split must be in (0, 1), got ${split}`);
        const held = Math.round(train.cols * split);
        if (held < 1 || held >= train.cols) throw new Error(`simdnet: a validation split of ${split} leaves no training or no validation examples`);
        const keep = train.cols - held;
        validation = { X: sliceColumns(train, keep, train.cols), Y: sliceColumns(targets, keep, targets.cols) };
        train = sliceColumns(train, 0, keep);
        targets = sliceColumns(targets, 0, keep);
      } else if (options.validation !== undefined) {
        const v = options.validation;
        if (typeof v !== 'object' || v === null || !('X' in v) || !('Y' in v)) throw new Error('simdnet: validation must be { X, Y } or a split fraction');
        const vx = this.prepareInputs(v.X, options.layout, false);
        validation = { X: vx, Y: this.prepareTargets(v.Y, vx.cols, options.layout) };
      }
      o = resolveFitOptions(options, train.cols, this.seed);
    } catch (e) {
      this.#normalizer = normalizerBefore;
      throw e;
    }
    const m = train.cols;
    const k = this.kernels;
    const data = k.tensor(train.rows, m, this.dtype, train.data);
    const labels = k.tensor(targets.rows, m, this.dtype, targets.data);
    try {
      this.ensureWorkspace(o.batchSize);
      if (o.optimizer !== 'gd') this.ensureOptimizerState();
      this.resetOptimizerState();
      return await this.trainLoop(data, labels, validation, o, options, started);
    } finally {
      data.dispose();
      labels.dispose();
    }
  }

  private async trainLoop(data: Tensor, labels: Tensor, validation: { X: FeaturesFirst; Y: FeaturesFirst } | null,
    o: ResolvedFit, options: FitOptions, started: number): Promise<History> {
    const k = this.kernels;
    const m = data.cols;
    const batchesPerEpoch = Math.ceil(m / o.batchSize);
    const totalIterations = o.mode === 'iterations' ? o.count : o.count * batchesPerEpoch;
    const fullBatch = o.batchSize === m && !o.shuffle;
    const dropoutRng = createRandom(this.rngKind === 'numpy' ? 'numpy' : 'fast', o.seed);
    const history: History = { costs: [], iterations: 0, epochs: 0, stopped: null, timeMs: 0 };
    let best: { cost: number; record: CostRecord; weights: { W: FloatArray; b: FloatArray }[] | null } | null = null;
    let sinceBest = 0;
    let order: Int32Array = Int32Array.from({ length: m }, (_, i) => i);
    let step = 0;
    let epochCost = 0;
    const hyper: OptimizerHyper = { learningRate: o.learningRate, beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon, c1: 1, c2: 1 };

    const check = async (record: CostRecord): Promise<boolean> => {
      if (validation !== null) {
        record.validationCost = this.costOf(validation.X, validation.Y, o.l2);
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
        const go = await options.onProgress({ ...record, learningRate: hyper.learningRate, totalIterations, elapsedMs: performance.now() - started });
        if (go === false) history.stopped = 'callback';
      }
      return history.stopped === null;
    };

    for (let epoch = 0; ; epoch++) {
      if (o.mode === 'epochs' && epoch >= o.count) break;
      if (o.mode === 'iterations' && step >= o.count) break;
      hyper.learningRate = decayedRate(o.learningRate, o.decay, epoch);
      if (o.shuffle) order = Int32Array.from(createRandom(this.rngKind, (o.seed + epoch) >>> 0).permutation(m));
      epochCost = 0;
      let goOn = true;
      for (let start = 0; start < m; start += o.batchSize) {
        if (o.mode === 'iterations' && step >= o.count) break;
        const mb = Math.min(o.batchSize, m - start);
        let X = data;
        let Y = labels;
        if (!fullBatch) {
          // The workspace is looked up afresh: a validation check may have reallocated it.
          const ws = this.#workspace!;
          const idx = order.subarray(start, start + mb);
          X = k.gatherColumns(data, idx, ws.input.view(data.rows, mb));
          Y = k.gatherColumns(labels, idx, ws.target.view(labels.rows, mb));
        }
        const recordStep = o.mode === 'iterations' && step % o.costEvery === 0;
        const AL = this.forward(X, mb, o.keepProb < 1 ? { keepProb: o.keepProb, rng: dropoutRng } : null);
        let c = NaN;
        if (recordStep || o.mode === 'epochs') {
          c = this.batchCost(AL, Y, mb, o.l2);
          epochCost += c * mb;
        }
        this.backward(X, Y, mb, o.l2, o.keepProb < 1);
        // Checked after backward, before the update: the validation pass and onProgress (which may call
        // predict) run forward passes through the same workspace, which backward has finished reading.
        if (recordStep && !(await check({ iteration: step, epoch, cost: c }))) { goOn = false; }
        this.#steps++;
        if (o.optimizer === 'adam') {
          hyper.c1 = 1 - o.beta1 ** this.#steps;
          hyper.c2 = 1 - o.beta2 ** this.#steps;
        }
        for (const layer of this.#layers) {
          k.optimizerStep(o.optimizer, layer.W, layer.dW, layer.state?.vW ?? null, layer.state?.sW ?? null, hyper);
          k.optimizerStep(o.optimizer, layer.b, layer.db, layer.state?.vb ?? null, layer.state?.sb ?? null, hyper);
        }
        step++;
        if (!goOn) break;
      }
      history.epochs = epoch + 1;
      if (goOn && o.mode === 'epochs' && epoch % o.costEvery === 0) {
        if (!(await check({ iteration: step, epoch, cost: epochCost / m }))) goOn = false;
      }
      if (!goOn) break;
    }
    history.iterations = step;
    const b = best as { cost: number; record: CostRecord; weights: { W: FloatArray; b: FloatArray }[] | null } | null;
    if (history.stopped === 'earlyStopping' && b !== null) {
      history.bestCheck = b.record;
      if (b.weights !== null) this.setWeights(b.weights);
    }
    history.timeMs = performance.now() - started;
    this.#training = { optimizer: o.optimizer, learningRate: o.learningRate, batchSize: o.batchSize, l2: o.l2, keepProb: o.keepProb,
      iterations: history.iterations, epochs: history.epochs, steps: this.#steps };
    return history;
  }

  /** Probabilities (or values) for X, one row per example. */
  predict(X: Inputs, options: { layout?: Layout } = {}): Prediction {
    this.assertAlive();
    const input = this.prepareInputs(X, options.layout, false);
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
    const input = this.prepareInputs(X, options.layout, false);
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
    const input = this.prepareInputs(X, options.layout, false);
    const target = this.prepareTargets(Y, input.cols, options.layout);
    const m = input.cols;
    this.ensureWorkspace(m);
    const ws = this.#workspace!;
    const Xt = ws.input.view(input.rows, m).set(input.data);
    const Yt = ws.target.view(target.rows, m).set(target.data);
    this.forward(Xt, m, null);
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
          const plus = this.batchCost(this.forward(Xt, m, null), Yt, m, l2);
          param.data[i] = original - eps;
          const minus = this.batchCost(this.forward(Xt, m, null), Yt, m, l2);
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
    this.freeWorkspace();
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

  /** Validates X, fits the normaliser on the first training data, and applies it. */
  private prepareInputs(X: Inputs, layout: unknown, fitting: boolean): FeaturesFirst {
    const input = toFeaturesFirst(X, 'X', layout);
    const nX = this.layerSizes[0]!;
    if (input.rows !== nX) throw new Error(`simdnet: X has ${input.rows} features per example but the network expects ${nX}`);
    if (this.#normalizeKind !== 'none') {
      if (this.#normalizer === null) {
        if (!fitting) throw new Error('simdnet: the normaliser is fitted by fit(); call fit before predict/evaluate');
        this.#normalizer = fitNormalizer(this.#normalizeKind, input.data, input.rows, input.cols);
      }
      applyNormalizer(this.#normalizer, input.data, input.rows, input.cols);
    }
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
    this.freeWorkspace();
    const k = this.kernels;
    const sizes = this.layerSizes;
    const L = this.#layers.length;
    const allocated: Tensor[] = [];
    const t = (rows: number): Tensor => {
      const x = k.tensor(rows, capacity, this.dtype);
      allocated.push(x);
      return x;
    };
    try {
      this.#workspace = {
        capacity,
        input: t(sizes[0]!),
        target: t(sizes[L]!),
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
  }

  private freeWorkspace(): void {
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
  }

  /** Every fit starts its optimiser afresh: zero moments, Adam's t from 1. */
  private resetOptimizerState(): void {
    this.#steps = 0;
    for (const l of this.#layers) if (l.state) for (const x of Object.values(l.state)) x.data.fill(0);
  }

  /** Forward pass of mb columns of X through every layer; returns A_L (a workspace view). */
  private forward(X: Tensor, mb: number, dropout: { keepProb: number; rng: Random } | null): Tensor {
    const k = this.kernels;
    const ws = this.#workspace!;
    let prev = X;
    const L = this.#layers.length;
    for (let l = 0; l < L; l++) {
      const layer = this.#layers[l]!;
      const Z = ws.Z[l]!.view(layer.units, mb);
      const A = ws.A[l]!.view(layer.units, mb);
      k.gemm(false, false, 1, layer.W, prev, 0, Z);
      if (layer.activation === 'softmax') k.softmaxForward(Z, layer.b, A);
      else k.activationForward(layer.activation, Z, layer.b, A, this.leakySlope);
      prev = A;
      if (dropout !== null && l < L - 1) {
        ws.D[l] ??= k.tensor(layer.units, ws.capacity, this.dtype);
        ws.Ad[l] ??= k.tensor(layer.units, ws.capacity, this.dtype);
        const D = ws.D[l]!.view(layer.units, mb);
        const mask = D.data;
        const keep = dropout.keepProb;
        for (let q = 0; q < mask.length; q++) mask[q] = dropout.rng.random() < keep ? 1 / keep : 0;
        prev = k.mul(A, D, ws.Ad[l]!.view(layer.units, mb));
      }
    }
    return prev;
  }

  /** Backward pass after forward(X): fills every dW, db (L2 included); skips dA⁰, which nobody uses. */
  private backward(X: Tensor, Y: Tensor, mb: number, l2: number, dropout: boolean): void {
    const k = this.kernels;
    const ws = this.#workspace!;
    const L = this.#layers.length;
    const out = this.#layers[L - 1]!;
    const AL = ws.A[L - 1]!.view(out.units, mb);
    const dZL = ws.dZ[L - 1]!.view(out.units, mb);
    k.probMinusTarget(AL, Y, dZL, 1);
    // (sigmoid, bce), (softmax, crossEntropy) and (linear, mse) have dZ = A − Y; sigmoid with mse still needs σ'.
    if (this.loss === 'mse' && out.activation === 'sigmoid') {
      k.activationBackward('sigmoid', ws.Z[L - 1]!.view(out.units, mb), AL, dZL, dZL);
    }
    for (let l = L - 1; l >= 0; l--) {
      const layer = this.#layers[l]!;
      const dZ = ws.dZ[l]!.view(layer.units, mb);
      const prevA = l === 0 ? X : dropout ? ws.Ad[l - 1]!.view(layer.inputs, mb) : ws.A[l - 1]!.view(layer.inputs, mb);
      k.gemm(false, true, 1 / mb, dZ, prevA, 0, layer.dW);
      if (l2 > 0) k.axpy(l2 / mb, layer.W, layer.dW);
      k.sumRows(dZ, layer.db, 1 / mb);
      if (l > 0) {
        const below = this.#layers[l - 1]!;
        const dA = ws.dZ[l - 1]!.view(below.units, mb);
        k.gemm(true, false, 1, layer.W, dZ, 0, dA);
        if (dropout) k.mul(dA, ws.D[l - 1]!.view(below.units, mb), dA);
        k.activationBackward(below.activation as Activation, ws.Z[l - 1]!.view(below.units, mb), ws.A[l - 1]!.view(below.units, mb), dA, dA, this.leakySlope);
      }
    }
  }

  /** The cost of a batch whose forward pass just produced AL, L2 term included. */
  private batchCost(AL: Tensor, Y: Tensor, mb: number, l2: number): number {
    const k = this.kernels;
    let cost = this.loss === 'bce' ? k.bceLoss(AL, Y) / mb : this.loss === 'crossEntropy' ? k.crossEntropyLoss(AL, Y) / mb : k.squaredError(AL, Y) / (2 * mb);
    if (l2 > 0) {
      let squares = 0;
      for (const layer of this.#layers) squares += k.sumSquares(layer.W);
      cost += (l2 / (2 * mb)) * squares;
    }
    return cost;
  }

  /** Output of the network for features-first input, features-first, in f64. */
  private forwardAll(input: FeaturesFirst): Float64Array {
    const m = input.cols;
    const chunk = Math.min(m, Math.max(this.#workspace?.capacity ?? 0, 1024));
    this.ensureWorkspace(chunk);
    const ws = this.#workspace!;
    const nY = this.layerSizes[this.layerSizes.length - 1]!;
    const out = new Float64Array(nY * m);
    for (let start = 0; start < m; start += chunk) {
      const mb = Math.min(chunk, m - start);
      const X = ws.input.view(input.rows, mb);
      const xd = X.data;
      for (let f = 0; f < input.rows; f++) xd.set(input.data.subarray(f * m + start, f * m + start + mb), f * mb);
      const AL = this.forward(X, mb, null).data;
      for (let r = 0; r < nY; r++) for (let e = 0; e < mb; e++) out[r * m + start + e] = AL[r * mb + e]!;
    }
    return out;
  }

  /** Cost of features-first data and targets, in chunks. */
  private costOf(input: FeaturesFirst, target: FeaturesFirst, l2: number): number {
    return this.costFromOutputs(this.forwardAll(input), target, l2);
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
