// fit() options: names, defaults and validation, kept apart from the training loop.
import { OPTIMIZER_CODE, type OptimizerKind } from '../kernels.js';
import type { Inputs, Targets, Layout } from '../data/input.js';

/**
 * Learning-rate decay of the second course. The rate in force during epoch e (0-based) is
 *   lr(e) = 1 / (1 + rate·t) · lr0,  t = max(0, e − lag) for 'inverseTime', ⌊max(0, e − lag) / interval⌋ for 'staircase'
 * (rounded as the notebook's update_lr / schedule_lr_decay).
 * lag 0 (the default) decays from epoch 1 on (PyTorch's LambdaLR stepped once per epoch). lag 1 is the Optimization
 * notebook's (2021 revision) timing: its model() calls `learning_rate = update_lr(lr0, i, decay_rate)` (or
 * `schedule_lr_decay`) *after* epoch i, so epochs 0 and 1 both run at lr0 and epoch e at lr0 / (1 + rate·(e − 1)).
 */
export interface DecayOptions {
  type: 'inverseTime' | 'staircase';
  rate: number;
  /** Epochs per step of the staircase (default 1000). */
  interval?: number;
  /** Epochs by which the decay lags the epoch count (default 0; 1 = the notebook's after-the-epoch update). */
  lag?: number;
}

/** Stop when the validation cost has not improved by minDelta for `patience` checks. */
export interface EarlyStoppingOptions {
  patience: number;
  minDelta?: number;
  /** Put back the weights of the best check at the end (default true). */
  restoreBest?: boolean;
}

/** What onProgress receives at every cost check. */
export interface ProgressInfo {
  iteration: number;
  epoch: number;
  cost: number;
  validationCost?: number;
  learningRate: number;
  /** Total optimiser steps this fit will run, when known up front. */
  totalIterations: number;
  elapsedMs: number;
}

/** Options of Network.fit. */
export interface FitOptions {
  /** Optimiser steps (default 1000 when neither iterations nor epochs is given). */
  iterations?: number;
  /** Passes over the data; with batchSize each pass has ⌈m / batchSize⌉ steps. */
  epochs?: number;
  learningRate?: number;
  /** Examples per step (default: all of them; a batchSize above the number of examples means one batch of all). */
  batchSize?: number;
  /** Reshuffle the examples every epoch (default true with mini-batches, false for full batch). */
  shuffle?: boolean;
  /** Seed of shuffling and dropout (default: the network's seed). */
  seed?: number;
  optimizer?: OptimizerKind;
  /** Momentum and Adam first-moment decay (default 0.9). */
  beta1?: number;
  /** RMSprop/Adam second-moment decay (default 0.999 for Adam, 0.9 for RMSprop). */
  beta2?: number;
  epsilon?: number;
  /** L2 regularisation λ: cost + λ/(2m)·Σ‖W‖², dW + λ/m·W. */
  l2?: number;
  /** Inverted dropout keep probability on hidden layers (1 = off). */
  keepProb?: number;
  decay?: DecayOptions;
  /** Validation data, or the fraction of the examples (taken from the end) to hold out. */
  validation?: { X: Inputs; Y: Targets } | number;
  earlyStopping?: EarlyStoppingOptions;
  /** Record the cost every this many iterations (iterations mode) or epochs (epochs mode), counted from this call's first step; default 100. */
  costEvery?: number;
  /** Called at every cost check; returning false stops training. */
  onProgress?: (info: ProgressInfo) => void | boolean | Promise<void | boolean>;
  /** Layout of X and Y (default 'examples-first'). */
  layout?: Layout;
  /** Start training afresh: zero optimiser moments, Adam's t and the step/epoch counters, reseed the streams (default false: continue). */
  reset?: boolean;
  /** Stops training at the next step when aborted (History.stopped = 'aborted'); fit then yields to the event loop every ~50 ms. */
  signal?: AbortSignal;
}

/** Fit options with defaults filled in. */
export interface ResolvedFit {
  mode: 'iterations' | 'epochs';
  count: number;
  learningRate: number;
  batchSize: number;
  shuffle: boolean;
  seed: number;
  optimizer: OptimizerKind;
  beta1: number;
  beta2: number;
  epsilon: number;
  l2: number;
  keepProb: number;
  decay: Required<DecayOptions> | null;
  earlyStopping: Required<EarlyStoppingOptions> | null;
  costEvery: number;
}

const KNOWN = new Set(['iterations', 'epochs', 'learningRate', 'batchSize', 'shuffle', 'seed', 'optimizer', 'beta1', 'beta2',
  'epsilon', 'l2', 'keepProb', 'decay', 'validation', 'earlyStopping', 'costEvery', 'onProgress', 'layout', 'reset', 'signal']);

function positiveInt(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`simdnet: ${name} must be a positive integer, got ${String(v)}`);
  return v;
}

function inRange(v: unknown, name: string, lo: number, hi: number, loOpen: boolean, hiOpen: boolean): number {
  const ok = typeof v === 'number' && Number.isFinite(v) && (loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi);
  if (!ok) throw new Error(`simdnet: ${name} must be in ${loOpen ? '(' : '['}${lo}, ${hi}${hiOpen ? ')' : ']'}, got ${String(v)}`);
  return v as number;
}

/** Validates fit options against m training examples and fills in defaults. */
export function resolveFitOptions(o: FitOptions, m: number, networkSeed: number): ResolvedFit {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error(`simdnet: fit options must be an object, got ${o === null ? 'null' : typeof o}`);
  for (const key of Object.keys(o)) if (!KNOWN.has(key)) throw new Error(`simdnet: unknown fit option '${key}'`);
  if (o.iterations !== undefined && o.epochs !== undefined) throw new Error('simdnet: give either iterations or epochs, not both');
  const mode = o.epochs !== undefined ? 'epochs' : 'iterations';
  const count = mode === 'epochs' ? positiveInt(o.epochs, 'epochs') : o.iterations === undefined ? 1000 : positiveInt(o.iterations, 'iterations');
  const learningRate = inRange(o.learningRate ?? 0.01, 'learningRate', 0, Infinity, true, true);
  // A batch larger than the data is the whole data, as in Keras and PyTorch.
  const batchSize = o.batchSize === undefined ? m : Math.min(positiveInt(o.batchSize, 'batchSize'), m);
  const optimizer = o.optimizer ?? 'gd';
  if (!Object.hasOwn(OPTIMIZER_CODE, optimizer)) throw new Error(`simdnet: unknown optimizer '${String(optimizer)}'; expected gd, momentum, rmsprop or adam`);
  const keepProb = inRange(o.keepProb ?? 1, 'keepProb', 0, 1, true, false);
  let decay: ResolvedFit['decay'] = null;
  if (o.decay !== undefined) {
    if (typeof o.decay !== 'object' || o.decay === null) throw new Error(`simdnet: decay must be { type, rate, interval?, lag? }, got ${String(o.decay)}`);
    for (const key of Object.keys(o.decay)) if (!['type', 'rate', 'interval', 'lag'].includes(key)) throw new Error(`simdnet: unknown decay option '${key}'; expected type, rate, interval, lag`);
    if (o.decay.type !== 'inverseTime' && o.decay.type !== 'staircase') throw new Error(`simdnet: unknown decay type '${String(o.decay.type)}'; expected 'inverseTime' or 'staircase'`);
    const lag = o.decay.lag ?? 0;
    if (typeof lag !== 'number' || !Number.isInteger(lag) || lag < 0) throw new Error(`simdnet: decay.lag must be a non-negative integer, got ${String(lag)}`);
    decay = { type: o.decay.type, rate: inRange(o.decay.rate, 'decay.rate', 0, Infinity, false, true), interval: o.decay.interval === undefined ? 1000 : positiveInt(o.decay.interval, 'decay.interval'), lag };
  }
  let earlyStopping: ResolvedFit['earlyStopping'] = null;
  if (o.earlyStopping !== undefined) {
    if (typeof o.earlyStopping !== 'object' || o.earlyStopping === null) throw new Error(`simdnet: earlyStopping must be { patience, minDelta?, restoreBest? }, got ${String(o.earlyStopping)}`);
    if (o.validation === undefined) throw new Error('simdnet: earlyStopping needs validation data or a validation split');
    earlyStopping = {
      patience: positiveInt(o.earlyStopping.patience, 'earlyStopping.patience'),
      minDelta: inRange(o.earlyStopping.minDelta ?? 0, 'earlyStopping.minDelta', 0, Infinity, false, true),
      restoreBest: o.earlyStopping.restoreBest ?? true,
    };
  }
  const seed = o.seed ?? networkSeed;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`simdnet: seed must be an integer in [0, 2**32), got ${String(seed)}`);
  if (o.shuffle !== undefined && typeof o.shuffle !== 'boolean') throw new Error(`simdnet: shuffle must be true or false, got ${String(o.shuffle)}`);
  if (o.earlyStopping?.restoreBest !== undefined && typeof o.earlyStopping.restoreBest !== 'boolean') throw new Error(`simdnet: earlyStopping.restoreBest must be true or false, got ${String(o.earlyStopping.restoreBest)}`);
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw new Error('simdnet: onProgress must be a function');
  if (o.reset !== undefined && typeof o.reset !== 'boolean') throw new Error(`simdnet: reset must be true or false, got ${String(o.reset)}`);
  if (o.signal !== undefined && (typeof o.signal !== 'object' || o.signal === null || typeof (o.signal as AbortSignal).aborted !== 'boolean')) throw new Error('simdnet: signal must be an AbortSignal');
  return {
    mode, count, learningRate, batchSize, seed, optimizer, keepProb, decay, earlyStopping,
    shuffle: o.shuffle ?? batchSize < m,
    beta1: inRange(o.beta1 ?? 0.9, 'beta1', 0, 1, false, true),
    beta2: inRange(o.beta2 ?? (optimizer === 'rmsprop' ? 0.9 : 0.999), 'beta2', 0, 1, false, true),
    epsilon: inRange(o.epsilon ?? 1e-8, 'epsilon', 0, Infinity, true, true),
    l2: inRange(o.l2 ?? 0, 'l2', 0, Infinity, false, true),
    costEvery: o.costEvery === undefined ? 100 : positiveInt(o.costEvery, 'costEvery'),
  };
}

/** The learning rate in force during `epoch` (0-based): 1 / (1 + rate·t) · lr0, t from max(0, epoch − lag) (see DecayOptions). */
export function decayedRate(lr0: number, decay: (Omit<Required<DecayOptions>, 'lag'> & { lag?: number }) | null, epoch: number): number {
  if (decay === null) return lr0;
  const e = Math.max(0, epoch - (decay.lag ?? 0));
  const t = decay.type === 'inverseTime' ? e : Math.floor(e / decay.interval);
  // Rounded as the notebook's update_lr / schedule_lr_decay (and PyTorch's LambdaLR) compute it: 1 / (1 + rate·t) · lr0.
  return (1 / (1 + decay.rate * t)) * lr0;
}
