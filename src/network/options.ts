// Network.create's options and the option checks every public method shares.
import type { Activation } from '../kernels.js';
import { checkDType, type DType } from '../runtime/arena.js';
import type { RandomKind } from '../rng.js';
import { checkInit, type InitKind } from '../init.js';
import { checkNormalizeKind, type NormalizeKind } from '../data/normalize.js';
import type { LayerActivation } from '../io/format.js';
import type { LossKind, NetworkOptions, OutputActivation } from './types.js';

export const HIDDEN: readonly Activation[] = ['linear', 'sigmoid', 'tanh', 'relu', 'leakyRelu'];
export const OUTPUT: readonly OutputActivation[] = ['sigmoid', 'softmax', 'linear'];
const NETWORK_OPTIONS = ['layers', 'hidden', 'output', 'loss', 'init', 'dtype', 'seed', 'rng', 'leakySlope', 'normalize', 'labels', 'kernels'];

/**
 * Throws unless options is a plain object whose keys are all in `known` (a null or a number would
 * otherwise fail with a TypeError, and a misspelt key would be silently ignored).
 */
export function checkOptions(options: unknown, what: string, known: readonly string[]): void {
  checkObject(options, what);
  for (const key of Object.keys(options as object)) {
    if (!known.includes(key)) throw new Error(`simdnet: unknown ${what} option '${key}'; expected ${known.join(', ')}`);
  }
}

/** Throws unless options is a plain object. */
export function checkObject(options: unknown, what: string): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new Error(`simdnet: ${what} options must be an object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`);
}

export function defaultLoss(output: OutputActivation): LossKind {
  return output === 'sigmoid' ? 'bce' : output === 'softmax' ? 'crossEntropy' : 'mse';
}

export function checkLossPair(loss: LossKind, output: OutputActivation): void {
  if (loss !== 'bce' && loss !== 'crossEntropy' && loss !== 'mse') throw new Error(`simdnet: unknown loss '${String(loss)}'; expected bce, crossEntropy or mse`);
  if (loss === 'bce' && output !== 'sigmoid') throw new Error(`simdnet: loss 'bce' needs a sigmoid output, not ${output}`);
  if (loss === 'crossEntropy' && output !== 'softmax') throw new Error(`simdnet: loss 'crossEntropy' needs a softmax output, not ${output}`);
  if (loss === 'mse' && output === 'softmax') throw new Error("simdnet: loss 'mse' with a softmax output is not supported; use crossEntropy");
}

/** Network.create's options, checked, with defaults filled in. */
export interface ResolvedNetwork {
  layers: number[];
  activations: LayerActivation[];
  loss: LossKind;
  init: InitKind;
  dtype: DType;
  seed: number;
  rngKind: RandomKind;
  leakySlope: number;
  normalizeKind: NormalizeKind;
  labels: string[] | null;
}

/** Validates Network.create's options. */
export function resolveNetworkOptions(options: NetworkOptions): ResolvedNetwork {
  if (typeof options !== 'object' || options === null) throw new Error('simdnet: Network.create needs an options object');
  checkOptions(options, 'network', NETWORK_OPTIONS);
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
  const init = checkInit(options.init ?? (hidden.every((h) => h === 'relu' || h === 'leakyRelu') ? 'he' : 'xavier'));
  const leakySlope = options.leakySlope ?? 0.01;
  if (typeof leakySlope !== 'number' || !Number.isFinite(leakySlope)) throw new Error(`simdnet: leakySlope must be a finite number, got ${String(leakySlope)}`);
  const normalizeKind = checkNormalizeKind(options.normalize);
  const labels = options.labels ?? null;
  if (labels !== null && (!Array.isArray(labels) || labels.length !== Math.max(nY, 2) || !labels.every((s) => typeof s === 'string'))) {
    throw new Error(`simdnet: labels must be ${Math.max(nY, 2)} strings (one per class)`);
  }
  return { layers: [...layers], activations: [...hidden, output], loss, init, dtype, seed, rngKind, leakySlope, normalizeKind, labels };
}
