// Network: L-layer fully-connected nets built, trained and run on the WASM kernels. This file is the
// facade; the plan and workspace live in plan.ts, the training state and sessions in session.ts, the
// loops in fit.ts and dataset.ts. Activations are features-first, (units × examples), as in the course.
import { Kernels } from '../kernels.js';
import { modelBytes, resolveKernels, type ModelSource } from './resources.js';
import type { FloatArray } from '../runtime/arena.js';
import type { LoadOptions } from '../runtime/load.js';
import { createRandom, type RandomKind } from '../rng.js';
import { initWeights } from '../init.js';
import { FLOAT32_MAX, type FeaturesFirst, type Inputs, type Layout, type Targets } from '../data/input.js';
import { applyNormalizer, fitNormalizer, type NormalizeKind, type Normalizer } from '../data/normalize.js';
import { decodeModel, encodeModel, type LayerActivation } from '../io/format.js';
import { optionalImportFailed } from '../runtime/optional.js';
import type { OnnxExportOptions } from '../io/onnx.js';
import { resolveFitOptions, type FitOptions, type ResolvedFit } from '../train/options.js';
import { checkLossPair, checkObject, checkOptions, defaultLoss, OUTPUT, resolveNetworkOptions } from './options.js';
import { NetPlan } from './plan.js';
import { DataChecks } from './data.js';
import { DivergenceError, Session, TrainingState, UncheckedValuesError, sessionInternals } from './session.js';
import { runFit, type FitHost } from './fit.js';
import { runDataset, type DatasetSource, type DatasetOptions } from './dataset.js';
import { classesOf, classification } from './metrics.js';
import { gradientCheck } from './gradient-check.js';
import type {
  ClassPrediction, Evaluation, GradientCheckResult, History, LayerWeights, LossKind, NetworkOptions, OutputActivation, Prediction, Trainer,
} from './types.js';

/**
 * io/onnx.js needs the optional protobufjs: imported by a name held in a variable, so that bundlers build
 * pages without protobufjs installed (a literal import would make them resolve it); Node resolves it as usual.
 */
const ONNX_MODULE = '../io/onnx.js';
const loadOnnx = () => import(/* webpackIgnore: true */ /* @vite-ignore */ ONNX_MODULE) as Promise<typeof import('../io/onnx.js')>;

const FIT_LOOP_ONLY = ['validation', 'earlyStopping', 'onProgress', 'costEvery', 'signal'] as const;

/** An L-layer fully-connected network whose parameters live in WASM memory. */
export class Network {
  readonly kernels: Kernels;
  readonly dtype: NetPlan['dtype'];
  readonly layerSizes: readonly number[];
  readonly loss: LossKind;
  readonly leakySlope: number;
  readonly labels: string[] | null;
  readonly seed: number;
  readonly rngKind: RandomKind;
  readonly #plan: NetPlan;
  readonly #checks: DataChecks;
  readonly #normalizeKind: NormalizeKind;
  #normalizer: Normalizer | null = null;
  /** Counters, moments and streams of training; null until the first step (or after resetTraining). */
  #state: TrainingState | null = null;
  #single: { generation: number; buffer: ArrayBuffer; input: FloatArray; output: FloatArray; inPtr: number } | null = null;
  #disposed = false;
  /** The network loaded its own kernels (from LoadOptions, e.g. `{ threads: 2 }`): dispose() ends their workers. */
  #ownsKernels = false;
  #training: Record<string, unknown> = {};

  private constructor(kernels: Kernels, plan: NetPlan, layers: readonly number[], normalizeKind: NormalizeKind, labels: string[] | null, seed: number, rngKind: RandomKind) {
    this.kernels = kernels;
    this.#plan = plan;
    this.dtype = plan.dtype;
    this.layerSizes = Object.freeze([...layers]);
    this.loss = plan.loss;
    this.leakySlope = plan.leakySlope;
    this.labels = labels;
    this.seed = seed;
    this.rngKind = rngKind;
    this.#normalizeKind = normalizeKind;
    this.#checks = new DataChecks(plan.nX, plan.nY, plan.output, plan.loss, plan.dtype);
  }

  /** Builds a network and initialises its weights. */
  static async create(options: NetworkOptions): Promise<Network> {
    const r = resolveNetworkOptions(options);
    const rng = createRandom(r.rngKind, r.seed);
    const kernels = await resolveKernels(options.kernels, maxLayerParams(r.layers));
    const plan = new NetPlan(kernels, r.dtype, r.layers, r.activations, r.loss, r.leakySlope);
    const net = new Network(kernels, plan, r.layers, r.normalizeKind, r.labels, r.seed, r.rngKind);
    net.#ownsKernels = options.kernels !== undefined && !(options.kernels instanceof Kernels);
    plan.layers.forEach((layer) => layer.W.set(initWeights(r.init, rng, layer.units, layer.inputs)));
    net.#training.init = r.init;
    return net;
  }

  /** Rebuilds a network from what save() wrote: bytes, or a URL, Response or Blob/File holding them. */
  static async load(source: ModelSource, options: { kernels?: Kernels | LoadOptions } = {}): Promise<Network> {
    checkOptions(options, 'Network.load', ['kernels']);
    const rec = decodeModel(await modelBytes(source));
    const L = rec.layers.length - 1;
    const output = rec.activations[L - 1]!;
    if (!OUTPUT.includes(output as OutputActivation)) throw new Error(`simdnet: not a valid simdnet model file: output activation '${output}' is not supported`);
    if (rec.activations.slice(0, L - 1).some((h) => h === 'softmax')) throw new Error('simdnet: not a valid simdnet model file: softmax on a hidden layer');
    const loss = (rec.meta.loss ?? defaultLoss(output as OutputActivation)) as LossKind;
    try {
      checkLossPair(loss, output as OutputActivation);
    } catch (e) {
      throw new Error(`simdnet: not a valid simdnet model file: ${(e as Error).message.replace(/^simdnet: /, '')}`);
    }
    const labels = Array.isArray(rec.meta.labels) ? (rec.meta.labels as string[]) : null;
    const kernels = await resolveKernels(options.kernels, maxLayerParams(rec.layers));
    const plan = new NetPlan(kernels, rec.dtype, rec.layers, rec.activations, loss, rec.leakySlope);
    const net = new Network(kernels, plan, rec.layers, rec.normalizer?.kind ?? 'none', labels,
      typeof rec.meta.seed === 'number' ? rec.meta.seed : 0, rec.meta.rng === 'numpy' ? 'numpy' : 'fast');
    net.#ownsKernels = options.kernels !== undefined && !(options.kernels instanceof Kernels);
    net.#normalizer = rec.normalizer;
    plan.layers.forEach((layer, l) => {
      layer.W.set(rec.weights[l]!.W);
      layer.b.set(rec.weights[l]!.b);
    });
    if (typeof rec.meta.training === 'object' && rec.meta.training !== null) net.#training = rec.meta.training as Record<string, unknown>;
    return net;
  }

  /** A network from an ONNX MLP graph (Gemm or MatMul + Add, the common activations, a normalising prefix); other graphs are refused naming the op and node. Needs the optional protobufjs. */
  static async fromOnnx(bytes: Uint8Array | ArrayBuffer, options: { kernels?: Kernels | LoadOptions } = {}): Promise<Network> {
    const { onnxToSnet } = await loadOnnx().catch((e: unknown) => optionalImportFailed(e, 'protobufjs', 'ONNX import'));
    return Network.load(onnxToSnet(bytes), options);
  }

  /** A network from a TensorFlow.js layers model (Sequential Dense layers) as model.save() writes it: model.json and its weights. */
  static async fromTfjs(modelJson: string | object, weights: ArrayBuffer | ArrayBufferView | (ArrayBuffer | ArrayBufferView)[], options: { kernels?: Kernels | LoadOptions } = {}): Promise<Network> {
    const { tfjsToSnet } = await import('../io/tfjs.js');
    return Network.load(tfjsToSnet(modelJson, weights), options);
  }

  /** The network as an ONNX model (opset 13+, Gemm + activation per layer, the normaliser in front). Needs the optional protobufjs. */
  async toOnnx(options?: OnnxExportOptions): Promise<Uint8Array> {
    this.assertAlive();
    const { snetToOnnx } = await loadOnnx().catch((e: unknown) => optionalImportFailed(e, 'protobufjs', 'ONNX export'));
    return snetToOnnx(this.save(), options);
  }

  /** Activation of each layer, output last. */
  get activations(): LayerActivation[] {
    return this.#plan.layers.map((l) => l.activation);
  }

  /** The fitted input normaliser, if any. */
  get normalizer(): Normalizer | null {
    return this.#normalizer;
  }

  /** Training so far: steps and completed epochs over every fit, fitDataset and trainer since creation or resetTraining(). */
  get trainingProgress(): { iteration: number; epoch: number } {
    return { iteration: this.#state?.iteration ?? 0, epoch: this.#state?.epoch ?? 0 };
  }

  /** Copies of the parameters, W as (n_l × n_{l-1}) row-major and b as n_l values. */
  getWeights(): LayerWeights[] {
    this.assertAlive();
    return this.#plan.layers.map((l) => ({ W: l.W.toArray(), b: l.b.toArray(), shape: [l.units, l.inputs] }));
  }

  /** Replaces the parameters; shapes must match. All layers are checked before any is written. */
  setWeights(weights: { W: ArrayLike<number>; b: ArrayLike<number> }[]): void {
    this.assertAlive();
    const layers = this.#plan.layers;
    if (!Array.isArray(weights) || weights.length !== layers.length) throw new Error(`simdnet: setWeights needs ${layers.length} layers`);
    const limit = this.dtype === 'float32' ? FLOAT32_MAX : Infinity;
    weights.forEach((w, l) => {
      const layer = layers[l]!;
      if (typeof w !== 'object' || w === null) throw new Error(`simdnet: setWeights layer ${l + 1} needs { W, b }`);
      for (const [arr, name, len] of [[w.W, 'W', layer.W.length], [w.b, 'b', layer.b.length]] as const) {
        if (arr === null || typeof arr !== 'object' || typeof arr.length !== 'number') throw new Error(`simdnet: setWeights layer ${l + 1} needs { W, b } arrays of numbers`);
        if (arr.length !== len) throw new Error(`simdnet: setWeights layer ${l + 1} ${name} has ${arr.length} values, expected ${len}`);
        for (let i = 0; i < arr.length; i++) {
          if (!Number.isFinite(arr[i])) throw new Error(`simdnet: setWeights layer ${l + 1} ${name}[${i}] is not finite`);
          if (Math.abs(arr[i]!) > limit) throw new Error(`simdnet: setWeights layer ${l + 1} ${name}[${i}] is ${arr[i]}, beyond the float32 range (±3.4e38) of this network`);
        }
      }
    });
    weights.forEach((w, l) => {
      layers[l]!.W.set(w.W);
      layers[l]!.b.set(w.b);
    });
  }

  /**
   * Trains on X, Y for `iterations` more steps or `epochs` more passes. A later fit continues where this
   * one stopped (optimiser moments, Adam's t, step and epoch counters, shuffle and dropout streams), so
   * fit({ epochs: 1 }) twice equals fit({ epochs: 2 }); `reset: true` starts training afresh.
   */
  async fit(X: Inputs, Y: Targets, options: FitOptions = {}): Promise<History> {
    this.assertAlive();
    const started = performance.now();
    const { session, validation, o } = this.open(X, Y, options, true);
    try {
      return await runFit(this.#host(), session, validation, o, { onProgress: options.onProgress, signal: options.signal }, started);
    } finally {
      session.dispose();
      this.#recordTraining(o);
    }
  }

  /**
   * Trains from batches that are never all in memory: `source` gives an (async) iterable of { X, Y }
   * chunks, once per epoch. Each chunk is split into batches of `batchSize` (default: the chunk), which
   * never span two chunks; with shuffle: false and chunks of batchSize examples in fit's order, the
   * result is fit's byte for byte.
   */
  async fitDataset(source: DatasetSource, options: DatasetOptions = {}): Promise<History> {
    this.assertAlive();
    const started = performance.now();
    return runDataset({
      host: this.#host(),
      state: () => {
        const state = this.#candidateState(options.reset === true, options.seed);
        this.#commitState(state);
        return state;
      },
      prepare: (X, Y, layout) => this.prepareData(X, Y, layout, true),
      validation: (v, layout) => {
        const vx = this.#checks.inputs(v.X, layout);
        const vy = this.#checks.targets(v.Y, vx.cols, layout);
        if (this.#normalizer !== null) applyNormalizer(this.#normalizer, vx.data, vx.rows, vx.cols);
        return { X: vx, Y: vy };
      },
      open: (X, Y, o, chunkSeed) => new Session(this.#plan, this.#state!, X, Y, o, { seed: chunkSeed }),
      seed: this.seed,
      record: (o) => this.#recordTraining(o),
    }, source, options, started);
  }

  /**
   * A prepared training session for custom loops and benchmarks: data, workspaces and optimiser state
   * are placed in WASM memory once; each step() is one optimiser step on the next batch. fit() options
   * apply except validation, earlyStopping, onProgress, costEvery and signal. One trainer (or fit) at a time.
   */
  trainer(X: Inputs, Y: Targets, options: FitOptions = {}): Trainer {
    this.assertAlive();
    checkObject(options, 'trainer');
    for (const key of FIT_LOOP_ONLY) {
      if (options[key] !== undefined) throw new Error(`simdnet: trainer() does not take '${key}'; use fit()`);
    }
    const { session } = this.open(X, Y, options, false);
    return {
      step: (wantCost = false) => {
        this.assertAlive();
        session.assertOpen();
        try {
          return session.step(wantCost);
        } catch (e) {
          if (e instanceof DivergenceError) throw new Error(e.message);
          throw e;
        }
      },
      steps: (count: number) => {
        this.assertAlive();
        session.assertOpen();
        if (!Number.isInteger(count) || count < 0) throw new Error(`simdnet: trainer.steps count must be a whole number ≥ 0, got ${String(count)}`);
        try {
          session.steps(count);
        } catch (e) {
          if (e instanceof DivergenceError) throw new Error(e.message);
          throw e;
        }
      },
      get iteration() { return session.iteration; },
      get epoch() { return session.epoch; },
      dispose: () => session.dispose(),
    };
  }

  /** Forgets the training state: the next fit starts with fresh moments, Adam's t at 0 and the counters at 0. */
  resetTraining(): void {
    this.assertAlive();
    if (this.#state?.busy) throw new Error('simdnet: cannot reset training while a trainer or fit is open');
    this.#state?.dispose();
    this.#state = null;
    this.#plan.attachMoments(null);
  }

  /**
   * The state the next session trains: the current one, or a new one (first use, or reset) whose seed fixes
   * the shuffle and dropout streams. A new state only replaces the current one in #commitState, once the
   * session opened, so a rejected call leaves no trace.
   */
  #candidateState(reset: boolean, seedOption: number | undefined): TrainingState {
    if (this.#state?.busy) throw new Error('simdnet: this network is already training (an open trainer, or a fit that has not finished); dispose the trainer or await the fit first');
    const current = reset ? null : this.#state;
    if (current !== null) {
      if (seedOption !== undefined && seedOption !== current.seed) {
        throw new Error(`simdnet: training continues with seed ${current.seed}; pass reset: true to start afresh with seed ${seedOption}`);
      }
      return current;
    }
    return new TrainingState(seedOption ?? this.seed, this.rngKind);
  }

  /** Makes `state` the network's training state (seeding the dropout stream when it is new). */
  #commitState(state: TrainingState): void {
    if (state === this.#state) return;
    this.#state?.dispose();
    this.#state = state;
    this.#plan.dropoutState = state.dropoutSeed();
  }

  /** Opens a session on `state`, committing the state when it opened, freeing it when it was new and failed. */
  #openSession(state: TrainingState, open: () => Session): Session {
    try {
      const session = open();
      this.#commitState(state);
      return session;
    } catch (e) {
      if (state !== this.#state) {
        state.dispose();
        this.#plan.attachMoments(this.#state?.moments ?? null);
      }
      throw e;
    }
  }

  #recordTraining(o: ResolvedFit): void {
    this.#training = { ...this.#training, optimizer: o.optimizer, learningRate: o.learningRate, batchSize: o.batchSize, l2: o.l2, keepProb: o.keepProb,
      iterations: this.#state?.iteration ?? 0, epochs: this.#state?.epoch ?? 0 };
  }

  #host(): FitHost {
    return {
      getWeights: () => this.getWeights(),
      setWeights: (w) => this.setWeights(w),
      costOf: (X, Y) => this.#cost(X, Y),
    };
  }

  /** Validates data and options, fits the normaliser on the training part, and opens a session. */
  private open(X: Inputs, Y: Targets, options: FitOptions, allowValidation: boolean): { session: Session; validation: { X: FeaturesFirst; Y: FeaturesFirst } | null; o: ResolvedFit } {
    checkObject(options, allowValidation ? 'fit' : 'trainer');
    const layout = options.layout;
    const split = allowValidation && typeof options.validation === 'number' ? options.validation : null;
    const given = allowValidation && split === null && options.validation !== undefined ? options.validation : undefined;
    // A rejected call leaves no trace: the normaliser is only fitted once everything checked out.
    const fast = split === null && this.#normalizeKind === 'none' && sessionInternals.gather === 'examples' ? this.#checks.fastTrainData(X, layout) : null;
    if (fast !== null) {
      const targets = this.#checks.targets(Y, fast.rows, layout);
      const validation = given === undefined ? null : this.#checks.validation(given, layout);
      const o = resolveFitOptions(options, fast.rows, this.seed);
      const state = this.#candidateState(options.reset === true, options.seed);
      try {
        return { session: this.#openSession(state, () => new Session(this.#plan, state, fast, targets, o)), validation, o };
      } catch (e) {
        // The general path finds the bad value and names it.
        if (e instanceof UncheckedValuesError) this.#checks.inputs(X, layout);
        throw e;
      }
    }
    let train = this.#checks.inputs(X, layout);
    let targets = this.#checks.targets(Y, train.cols, layout);
    let validation: { X: FeaturesFirst; Y: FeaturesFirst } | null = null;
    if (split !== null) ({ train, targets, validation } = this.#checks.splitValidation(train, targets, split));
    else if (given !== undefined) validation = this.#checks.validation(given, layout);
    const o = resolveFitOptions(options, train.cols, this.seed);
    const state = this.#candidateState(options.reset === true, options.seed);
    // The normaliser is fitted on the training part only, so held-out examples do not leak into it.
    this.normalizeTraining(train);
    if (validation !== null && this.#normalizer !== null) applyNormalizer(this.#normalizer, validation.X.data, validation.X.rows, validation.X.cols);
    return { session: this.#openSession(state, () => new Session(this.#plan, state, train, targets, o)), validation, o };
  }

  /** Fits the normaliser on first use and applies it to training data (in place). */
  private normalizeTraining(train: FeaturesFirst): void {
    if (this.#normalizeKind === 'none') return;
    this.#normalizer ??= fitNormalizer(this.#normalizeKind, train.data, train.rows, train.cols);
    applyNormalizer(this.#normalizer, train.data, train.rows, train.cols);
  }

  /** fitDataset's chunk: validated and normalised (the normaliser is fitted on the first chunk). */
  private prepareData(X: Inputs, Y: Targets, layout: unknown, normalize: boolean): { X: FeaturesFirst; Y: FeaturesFirst } {
    const x = this.#checks.inputs(X, layout);
    const y = this.#checks.targets(Y, x.cols, layout);
    if (normalize) this.normalizeTraining(x);
    return { X: x, Y: y };
  }

  /**
   * One example through the network in one WASM call, into preallocated memory: x has n_x values
   * (normalised here if the model has a normaliser); returns out (n_y values), allocated when not given.
   */
  predictOne(x: ArrayLike<number>, out?: FloatArray): FloatArray {
    this.assertAlive();
    const plan = this.#plan;
    let io = this.#single;
    if (io === null || io.buffer !== this.kernels.exports.memory.buffer || io.generation !== plan.generation) {
      const input = plan.inputBuffer();
      io = {
        generation: plan.generation, buffer: this.kernels.exports.memory.buffer,
        input: input.data.subarray(0, plan.nX), output: plan.outputBuffer().data.subarray(0, plan.nY), inPtr: input.ptr,
      };
      this.#single = io;
    }
    const nX = plan.nX;
    const nY = plan.nY;
    if (x === null || typeof x !== 'object' || x.length !== nX) throw new Error(`simdnet: predictOne needs ${nX} input values, got ${x === null ? 'null' : (x as { length?: number })?.length}`);
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
    plan.ops.forward(plan.ptr, io.inPtr, 1, 1);
    const output = io.output;
    for (let r = 0; r < nY; r++) result[r] = output[r]!;
    return result;
  }

  /** Probabilities (or values) for X, one row per example. */
  predict(X: Inputs, options: { layout?: Layout } = {}): Prediction {
    this.assertAlive();
    checkOptions(options, 'predict', ['layout']);
    const input = this.prepareInputs(X, options.layout);
    const out = this.#plan.forwardAll(input);
    const nY = this.#plan.nY;
    const m = input.cols;
    for (let q = 0; q < out.length; q++) {
      if (!Number.isFinite(out[q]!)) throw new Error(`simdnet: the output for example ${q % m} is ${out[q]}: the network overflows on this input (its weights are too large for it)`);
    }
    const data = this.dtype === 'float32' ? new Float32Array(m * nY) : new Float64Array(m * nY);
    for (let r = 0; r < nY; r++) for (let e = 0; e < m; e++) data[e * nY + r] = out[r * m + e]!;
    return { data, shape: [m, nY] };
  }

  /** The predicted class of every example (argmax, or p > 0.5 for one sigmoid output) and, when the model has labels, their names. */
  predictClasses(X: Inputs, options: { layout?: Layout } = {}): ClassPrediction {
    this.assertAlive();
    checkOptions(options, 'predictClasses', ['layout']);
    if (this.#plan.output === 'linear') throw new Error('simdnet: predictClasses needs a sigmoid or softmax output; this network has a linear (regression) output: use predict');
    const input = this.prepareInputs(X, options.layout);
    const classes = classesOf(this.#plan.forwardAll(input), this.#plan.nY, input.cols);
    return { classes, labels: this.labels === null ? null : Array.from(classes, (c) => this.labels![c]!) };
  }

  /** Cost, accuracy and confusion matrix (rows = true class, columns = predicted) on X, Y. */
  evaluate(X: Inputs, Y: Targets, options: { layout?: Layout } = {}): Evaluation {
    this.assertAlive();
    checkOptions(options, 'evaluate', ['layout']);
    const input = this.prepareInputs(X, options.layout);
    const target = this.#checks.targets(Y, input.cols, options.layout);
    const out = this.#plan.forwardAll(input);
    const cost = this.#plan.lossOf(out, target);
    if (this.#plan.output === 'linear') return { cost, accuracy: NaN, confusion: null };
    return { cost, ...classification(this.#plan.output, out, target.data, target.rows, input.cols) };
  }

  /** The course's gradient check: analytic backprop against centred differences of the cost. */
  gradientCheck(X: Inputs, Y: Targets, options: { epsilon?: number; l2?: number; layout?: Layout; worst?: number } = {}): GradientCheckResult {
    this.assertAlive();
    checkOptions(options, 'gradientCheck', ['epsilon', 'l2', 'layout', 'worst']);
    const eps = options.epsilon ?? 1e-7;
    const l2 = options.l2 ?? 0;
    const worst = options.worst ?? 5;
    if (!(typeof eps === 'number' && eps > 0 && eps < 1)) throw new Error(`simdnet: gradientCheck epsilon must be in (0, 1), got ${String(eps)}`);
    if (!(typeof l2 === 'number' && l2 >= 0 && Number.isFinite(l2))) throw new Error(`simdnet: gradientCheck l2 must be ≥ 0, got ${String(l2)}`);
    if (!(typeof worst === 'number' && worst >= 0 && (Number.isInteger(worst) || worst === Infinity))) throw new Error(`simdnet: gradientCheck worst must be a non-negative integer, got ${String(worst)}`);
    if (this.#state?.busy) throw new Error('simdnet: gradientCheck cannot run while a trainer is open');
    const input = this.prepareInputs(X, options.layout);
    const target = this.#checks.targets(Y, input.cols, options.layout);
    return gradientCheck(this.#plan, input, target, eps, l2, worst);
  }

  /** The model file: architecture, normaliser, labels, training config and weights. */
  save(): Uint8Array {
    this.assertAlive();
    return encodeModel({
      dtype: this.dtype, layers: [...this.layerSizes], activations: this.activations, leakySlope: this.leakySlope,
      normalizer: this.#normalizer,
      meta: { loss: this.loss, labels: this.labels ?? undefined, seed: this.seed, rng: this.rngKind, training: this.#training },
      weights: this.#plan.layers.map((l) => ({ W: l.W.data, b: l.b.data })),
    });
  }

  /** Frees every WASM buffer of this network; later calls throw. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#single = null;
    this.#state?.dispose();
    this.#plan.dispose();
    if (this.#ownsKernels) void this.kernels.dispose();
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
    const input = this.#checks.inputs(X, layout);
    if (this.#normalizeKind !== 'none') {
      if (this.#normalizer === null) throw new Error('simdnet: the normaliser is fitted by fit(); call fit before predict/evaluate');
      applyNormalizer(this.#normalizer, input.data, input.rows, input.cols);
    }
    return input;
  }

  /** Cost (without L2, like evaluate) of normalised features-first data. */
  #cost(input: FeaturesFirst, target: FeaturesFirst): number {
    return this.#plan.lossOf(this.#plan.forwardAll(input), target);
  }

}

/** The largest n_l × n_{l−1} of a network: what threads: 'auto' weighs. */
function maxLayerParams(layers: readonly number[]): number {
  let most = 0;
  for (let l = 1; l < layers.length; l++) most = Math.max(most, layers[l]! * layers[l - 1]!);
  return most;
}
