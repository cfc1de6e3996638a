// The second course's Optimization notebook (2021 revision, opt_utils_v1a): mini-batches, momentum, Adam and
// learning-rate decay on the [n_x, 5, 2, 1] relu/relu/sigmoid net, trained on the moons data (loadMoons).
import type { Random } from '../rng.js';
import { badChoice, map, matrix, param, rngOf, sameShape, type Gradients, type Matrix, type Parameters } from './matrix.js';
import { initializeParametersHe } from './initialization.js';
import { backwardPropagationThreeLayer, computeCostTotal, forwardPropagationThreeLayer, updateParametersWithGd, zerosLike } from './three-layer.js';

/** Columns `cols` of A, in that order (numpy's A[:, cols]). */
function columns(A: Matrix, cols: ArrayLike<number>, from: number, to: number): Matrix {
  const [rows, m] = A.shape;
  const out = matrix(rows, to - from);
  for (let r = 0; r < rows; r++) for (let j = from; j < to; j++) out.data[r * (to - from) + j - from] = A.data[r * m + cols[j]!]!;
  return out;
}

/**
 * random_mini_batches: np.random.seed(seed), one np.random.permutation(m) of the columns, then batches of
 * `miniBatchSize` in order and a last, smaller one with the rest.
 */
export function randomMiniBatches(X: Matrix, Y: Matrix, miniBatchSize = 64, seed: number | Random = 0): Array<[Matrix, Matrix]> {
  const m = X.shape[1];
  if (Y.shape[1] !== m) throw new Error(`simdnet/course: X has ${m} examples, Y ${Y.shape[1]}`);
  if (!Number.isInteger(miniBatchSize) || miniBatchSize < 1) throw new Error(`simdnet/course: miniBatchSize must be a positive integer, got ${miniBatchSize}`);
  const permutation = rngOf(seed).permutation(m);
  const batches: Array<[Matrix, Matrix]> = [];
  for (let k = 0; k < m; k += miniBatchSize) {
    const end = Math.min(m, k + miniBatchSize);
    batches.push([columns(X, permutation, k, end), columns(Y, permutation, k, end)]);
  }
  return batches;
}

/** initialize_velocity: v["dW_l"], v["db_l"] zeros shaped like W_l, b_l. */
export function initializeVelocity(parameters: Parameters): Gradients {
  return zerosLike(parameters);
}

function layers(parameters: Parameters): number {
  return Math.floor(Object.keys(parameters).length / 2);
}

/** update_parameters_with_momentum: v = β·v + (1 − β)·grad, then W = W − α·v (new matrices). */
export function updateParametersWithMomentum(parameters: Parameters, grads: Gradients, v: Gradients, beta: number, learningRate: number): { parameters: Parameters; v: Gradients } {
  const out: Parameters = {}, vOut: Gradients = {};
  for (let l = 1; l <= layers(parameters); l++) {
    for (const p of ['W', 'b']) {
      const k = `d${p}${l}`, g = param(grads, k), x = param(parameters, `${p}${l}`);
      sameShape(x, g, `${p}${l} and ${k}`);
      const vk = map(param(v, k), (vi, i) => beta * vi + (1 - beta) * g.data[i]!);
      vOut[k] = vk;
      out[`${p}${l}`] = map(x, (xi, i) => xi - learningRate * vk.data[i]!);
    }
  }
  return { parameters: out, v: vOut };
}

/** initialize_adam: v and s, zeros shaped like the parameters. */
export function initializeAdam(parameters: Parameters): { v: Gradients; s: Gradients } {
  return { v: zerosLike(parameters), s: zerosLike(parameters) };
}

/**
 * update_parameters_with_adam (2021): v = β1·v + (1 − β1)·g, v̂ = v / (1 − β1^t), s = β2·s + (1 − β2)·g²,
 * ŝ = s / (1 − β2^t), W = W − α·v̂ / (√ŝ + ε). Returns the new parameters, v, s and the corrected v̂, ŝ.
 */
export function updateParametersWithAdam(parameters: Parameters, grads: Gradients, v: Gradients, s: Gradients, t: number,
  learningRate = 0.01, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8): { parameters: Parameters; v: Gradients; s: Gradients; vCorrected: Gradients; sCorrected: Gradients } {
  if (!Number.isInteger(t) || t < 1) throw new Error(`simdnet/course: Adam's step t must be a positive integer, got ${t}`);
  const out: Parameters = {}, vOut: Gradients = {}, sOut: Gradients = {}, vCorrected: Gradients = {}, sCorrected: Gradients = {};
  const c1 = 1 - Math.pow(beta1, t), c2 = 1 - Math.pow(beta2, t);
  for (let l = 1; l <= layers(parameters); l++) {
    for (const p of ['W', 'b']) {
      const k = `d${p}${l}`, g = param(grads, k), x = param(parameters, `${p}${l}`);
      sameShape(x, g, `${p}${l} and ${k}`);
      const vk = map(param(v, k), (vi, i) => beta1 * vi + (1 - beta1) * g.data[i]!);
      const vc = map(vk, (vi) => vi / c1);
      const sk = map(param(s, k), (si, i) => beta2 * si + (1 - beta2) * (g.data[i]! * g.data[i]!));
      const sc = map(sk, (si) => si / c2);
      vOut[k] = vk; sOut[k] = sk; vCorrected[k] = vc; sCorrected[k] = sc;
      out[`${p}${l}`] = map(x, (xi, i) => xi - (learningRate * vc.data[i]!) / (Math.sqrt(sc.data[i]!) + epsilon));
    }
  }
  return { parameters: out, v: vOut, s: sOut, vCorrected, sCorrected };
}

/** update_lr: 1 / (1 + decayRate·epochNum)·lr0. */
export function updateLr(learningRate0: number, epochNum: number, decayRate: number): number {
  return (1 / (1 + decayRate * epochNum)) * learningRate0;
}

/** schedule_lr_decay: 1 / (1 + decayRate·⌊epochNum / timeInterval⌋)·lr0. */
export function scheduleLrDecay(learningRate0: number, epochNum: number, decayRate: number, timeInterval = 1000): number {
  return (1 / (1 + decayRate * Math.floor(epochNum / timeInterval))) * learningRate0;
}

/** Options of optimizationModel (the 2021 notebook's defaults). */
export interface OptimizationModelOptions {
  learningRate?: number;
  miniBatchSize?: number;
  /** Momentum β. */
  beta?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  numEpochs?: number;
  /** Learning-rate decay applied after each epoch i: lr = decay(lr0, i, decayRate). */
  decay?: 'updateLr' | 'scheduleLrDecay' | ((learningRate0: number, epochNum: number, decayRate: number) => number);
  decayRate?: number;
}

/**
 * The Optimization notebook's model() (2021 revision): He init (np.random.seed(3)), each epoch i shuffles with
 * seed 10 + i + 1 into batches of 64, one update per batch (gd, momentum or adam, Adam's t counting updates); the
 * cost recorded every 100 epochs is the epoch's summed cost / m; with `decay` the rate is updated after each epoch.
 */
export function optimizationModel(X: Matrix, Y: Matrix, layersDims: number[], optimizer: 'gd' | 'momentum' | 'adam', options: OptimizationModelOptions = {}): { parameters: Parameters; costs: number[]; learningRates: number[] } {
  const { learningRate: lr0 = 0.0007, miniBatchSize = 64, beta = 0.9, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, numEpochs = 5000, decay, decayRate = 1 } = options;
  if (!['gd', 'momentum', 'adam'].includes(optimizer)) badChoice('optimizer', optimizer, 'gd, momentum or adam');
  const decayFn = decay === undefined ? null : decay === 'updateLr' ? updateLr : decay === 'scheduleLrDecay' ? scheduleLrDecay
    : typeof decay === 'function' ? decay : badChoice('decay', decay, "'updateLr', 'scheduleLrDecay' or a function");
  let parameters = initializeParametersHe(layersDims, 3);
  let { v, s } = initializeAdam(parameters);
  let learningRate = lr0;
  let t = 0;
  let seed = 10;
  const m = X.shape[1];
  const costs: number[] = [], learningRates: number[] = [];
  for (let i = 0; i < numEpochs; i++) {
    seed = seed + 1;
    let costTotal = 0;
    for (const [mx, my] of randomMiniBatches(X, Y, miniBatchSize, seed)) {
      const { A3, cache } = forwardPropagationThreeLayer(mx, parameters);
      costTotal += computeCostTotal(A3, my);
      const grads = backwardPropagationThreeLayer(mx, my, cache);
      if (optimizer === 'gd') parameters = updateParametersWithGd(parameters, grads, learningRate);
      else if (optimizer === 'momentum') ({ parameters, v } = updateParametersWithMomentum(parameters, grads, v, beta, learningRate));
      else {
        t = t + 1;
        ({ parameters, v, s } = updateParametersWithAdam(parameters, grads, v, s, t, learningRate, beta1, beta2, epsilon));
      }
    }
    const costAvg = costTotal / m;
    if (decayFn !== null) learningRate = decayFn(lr0, i, decayRate);
    if (i % 100 === 0) {
      costs.push(costAvg);
      learningRates.push(learningRate);
    }
  }
  return { parameters, costs, learningRates };
}
