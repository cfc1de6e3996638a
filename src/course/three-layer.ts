// The second course's LINEAR → RELU → LINEAR → RELU → LINEAR → SIGMOID network (init_utils, reg_utils, opt_utils_v1a):
// its forward pass, its two backward passes, its costs and predict, written as the notebooks' utils write them.
import { addColumn, dot, map, matrix, param, relu, sameShape, sigmoid, sumRows, type Gradients, type Matrix, type Parameters } from './matrix.js';

/** forward_propagation's cache: (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3). */
export interface ThreeLayerCache {
  Z1: Matrix; A1: Matrix; W1: Matrix; b1: Matrix;
  Z2: Matrix; A2: Matrix; W2: Matrix; b2: Matrix;
  Z3: Matrix; A3: Matrix; W3: Matrix; b3: Matrix;
}

/** The utils' forward_propagation: relu, relu, sigmoid. */
export function forwardPropagationThreeLayer(X: Matrix, parameters: Parameters): { A3: Matrix; cache: ThreeLayerCache } {
  const W1 = param(parameters, 'W1'), b1 = param(parameters, 'b1');
  const W2 = param(parameters, 'W2'), b2 = param(parameters, 'b2');
  const W3 = param(parameters, 'W3'), b3 = param(parameters, 'b3');
  const Z1 = addColumn(dot(W1, X), b1);
  const A1 = relu(Z1).A;
  const Z2 = addColumn(dot(W2, A1), b2);
  const A2 = relu(Z2).A;
  const Z3 = addColumn(dot(W3, A2), b3);
  const A3 = sigmoid(Z3).A;
  return { A3, cache: { Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3 } };
}

/** dA where A > 0, else 0 (np.multiply(dA, np.int64(A > 0))). */
export function reluMask(dA: Matrix, A: Matrix): Matrix {
  return map(dA, (d, i) => (A.data[i]! > 0 ? d : d * 0));
}

/**
 * init_utils / opt_utils_v1a backward_propagation: dz3 = 1/m·(a3 − Y) first, then dW = dz·aᵀ and db = Σ dz with no
 * further 1/m. Returns dz3, dW3, db3, da2, dz2, dW2, db2, da1, dz1, dW1, db1.
 */
export function backwardPropagationThreeLayer(X: Matrix, Y: Matrix, cache: ThreeLayerCache): Gradients {
  const m = X.shape[1];
  const { A1: a1, A2: a2, A3: a3, W2, W3 } = cache;
  sameShape(a3, Y, 'a3 and Y');
  const dz3 = map(a3, (a, i) => (1 / m) * (a - Y.data[i]!));
  const dW3 = dot(dz3, a2, false, true), db3 = sumRows(dz3);
  const da2 = dot(W3, dz3, true, false);
  const dz2 = reluMask(da2, a2);
  const dW2 = dot(dz2, a1, false, true), db2 = sumRows(dz2);
  const da1 = dot(W2, dz2, true, false);
  const dz1 = reluMask(da1, a1);
  const dW1 = dot(dz1, X, false, true), db1 = sumRows(dz1);
  return { dz3, dW3, db3, da2, dz2, dW2, db2, da1, dz1, dW1, db1 };
}

/** −y·log(a) − (1 − y)·log(1 − a) for each example, unclipped (a = 0 or 1 gives inf, or NaN when multiplied by 0). */
function logprob(a: number, y: number): number {
  return -Math.log(a) * y + -Math.log(1 - a) * (1 - y);
}

/**
 * init_utils / reg_utils compute_loss (and reg_utils compute_cost): 1/m · np.nansum(logprobs), no clipping, so a
 * saturated wrong prediction gives inf (the Initialization notebook's "Cost after iteration 0: inf").
 */
export function computeLoss(a3: Matrix, Y: Matrix): number {
  sameShape(a3, Y, 'a3 and Y');
  let s = 0;
  for (let i = 0; i < a3.data.length; i++) {
    const l = logprob(a3.data[i]!, Y.data[i]!);
    if (!Number.isNaN(l)) s += l;
  }
  return (1 / Y.shape[1]) * s;
}

/** opt_utils_v1a compute_cost: the summed (not averaged) cross-entropy np.sum(logprobs) of one mini-batch. */
export function computeCostTotal(a3: Matrix, Y: Matrix): number {
  sameShape(a3, Y, 'a3 and Y');
  let s = 0;
  for (let i = 0; i < a3.data.length; i++) s += logprob(a3.data[i]!, Y.data[i]!);
  return s;
}

/** The utils' predict: p = 1 where a3 > 0.5; accuracy = mean(p == y). */
export function predictThreeLayer(X: Matrix, y: Matrix, parameters: Parameters): { p: Matrix; accuracy: number } {
  const { A3 } = forwardPropagationThreeLayer(X, parameters);
  sameShape(A3, y, 'predictions and y');
  const p = map(A3, (a) => (a > 0.5 ? 1 : 0));
  let right = 0;
  for (let i = 0; i < p.data.length; i++) if (p.data[i] === y.data[i]) right++;
  return { p, accuracy: right / p.data.length };
}

/** update_parameters / update_parameters_with_gd: W_l = W_l − α·dW_l, b_l = b_l − α·db_l (new matrices). */
export function updateParametersWithGd(parameters: Parameters, grads: Gradients, learningRate: number): Parameters {
  const out: Parameters = {};
  const L = Math.floor(Object.keys(parameters).length / 2);
  for (let l = 1; l <= L; l++) {
    for (const p of ['W', 'b']) {
      const g = param(grads, `d${p}${l}`);
      const x = param(parameters, `${p}${l}`);
      sameShape(x, g, `${p}${l} and d${p}${l}`);
      out[`${p}${l}`] = map(x, (v, i) => v - learningRate * g.data[i]!);
    }
  }
  return out;
}

/** Zero matrices shaped like W_l and b_l, named dW_l and db_l (initialize_velocity; Adam's v and s). */
export function zerosLike(parameters: Parameters): Gradients {
  const out: Gradients = {};
  const L = Math.floor(Object.keys(parameters).length / 2);
  for (let l = 1; l <= L; l++) {
    for (const p of ['W', 'b']) {
      const x = param(parameters, `${p}${l}`);
      out[`d${p}${l}`] = matrix(x.shape[0], x.shape[1]);
    }
  }
  return out;
}
