// The public types of Network, kept apart so the network's modules share them without import cycles.
import type { Kernels, Activation } from '../kernels.js';
import type { DType, FloatArray } from '../runtime/arena.js';
import type { LoadOptions } from '../runtime/load.js';
import type { RandomKind } from '../rng.js';
import type { InitKind } from '../init.js';
import type { NormalizeKind } from '../data/normalize.js';
import type { LayerActivation } from '../io/format.js';

export type HiddenActivation = Activation;
export type OutputActivation = 'sigmoid' | 'softmax' | 'linear';
/** bce: binary cross-entropy; crossEntropy: categorical; mse: ½·mean squared error per example. */
export type LossKind = 'bce' | 'crossEntropy' | 'mse';
export type { LayerActivation };

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
  /** The network's step count when this cost was taken (counted over every fit since the last reset). */
  iteration: number;
  /** The network's epoch count (likewise absolute). */
  epoch: number;
  cost: number;
  validationCost?: number;
}

/** What fit and fitDataset return. */
export interface History {
  costs: CostRecord[];
  /** The network's optimiser steps after this call (absolute: a second fit continues the count). */
  iterations: number;
  /** The network's completed epochs after this call (absolute). */
  epochs: number;
  /** Steps this call took. */
  steps: number;
  /** Why training ended early, if it did. */
  stopped: null | 'earlyStopping' | 'callback' | 'diverged' | 'aborted';
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

/** Class indices (argmax, or p > 0.5 for one sigmoid output) and, when the model has labels, their names. */
export interface ClassPrediction {
  classes: Int32Array;
  labels: string[] | null;
}

/** What evaluate returns. */
export interface Evaluation {
  cost: number;
  /** Fraction correct in [0, 1]; NaN for a linear (regression) output. */
  accuracy: number;
  /** confusion[trueClass][predictedClass] (rows = true class, columns = predicted); null for a linear output. */
  confusion: number[][] | null;
}

/** What gradientCheck returns. */
export interface GradientCheckResult {
  /** ‖g − g̃‖ / (‖g‖ + ‖g̃‖), the course's relative difference. */
  difference: number;
  parameters: number;
  worst: { parameter: string; index: number; analytic: number; numeric: number }[];
}

/** A prepared training session (Network.trainer): one at a time per network. */
export interface Trainer {
  /**
   * One optimiser step on the next batch; returns that batch's cost before the update when wantCost, else NaN.
   * Throws (and leaves the weights of the last good step in place) when a gradient is NaN, infinite or too large.
   */
  step(wantCost?: boolean): number;
  /**
   * `count` steps in a row, without their costs: what fit runs between records. On a full, unshuffled batch
   * of at least 4 MiB, each step's backward pass over X also computes the next step's first product (the same
   * bytes as separate step() calls, X read once per step instead of twice). Throws as step() does; the steps
   * before the one that failed are kept.
   */
  steps(count: number): void;
  /** The network's steps so far (absolute, shared with fit). */
  readonly iteration: number;
  /** The network's completed passes over the data (absolute). */
  readonly epoch: number;
  /** Frees the session's copy of the data; the training state stays with the network for the next fit or trainer. */
  dispose(): void;
}

/** Weights of one layer: W as (n_l × n_{l−1}) row-major and b as n_l values. */
export interface LayerWeights {
  W: FloatArray;
  b: FloatArray;
  shape: [number, number];
}
