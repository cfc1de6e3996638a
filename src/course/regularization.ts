// The second course's Regularization notebook: L2 regularisation and (inverted) dropout on the [n_x, 20, 3, 1]
// relu/relu/sigmoid net, trained by batch gradient descent on the football data (loadFootball).
import type { Random } from '../rng.js';
import { addColumn, dot, map, param, relu, rngOf, sameShape, sigmoid, sumRows, sumSquares, type Gradients, type Matrix, type Parameters } from './matrix.js';
import { initializeParametersDeepSeeded } from './seeded.js';
import { computeLoss, forwardPropagationThreeLayer, reluMask, updateParametersWithGd, type ThreeLayerCache } from './three-layer.js';

/** compute_cost_with_regularization: compute_cost(A3, Y) + (1/m·λ/2)·(Σ W1² + Σ W2² + Σ W3²). */
export function computeCostWithRegularization(A3: Matrix, Y: Matrix, parameters: Parameters, lambd: number): number {
  const m = Y.shape[1];
  const l2 = (((1 / m) * lambd) / 2) * (sumSquares(param(parameters, 'W1')) + sumSquares(param(parameters, 'W2')) + sumSquares(param(parameters, 'W3')));
  return computeLoss(A3, Y) + l2;
}

/** The forward cache with dropout: forward_propagation's plus the masks D1, D2 (1 = kept). */
export interface DropoutCache extends ThreeLayerCache { D1: Matrix; D2: Matrix }

/** The reg_utils backward pass with an L2 term λ/m·W on each dW and optional dropout masks (one body for the three). */
function backward(X: Matrix, Y: Matrix, cache: ThreeLayerCache, lambd: number, masks: { D1: Matrix; D2: Matrix; keepProb: number } | null): Gradients {
  const m = X.shape[1];
  const { A1, A2, A3, W1, W2, W3 } = cache;
  sameShape(A3, Y, 'A3 and Y');
  const dW = (dZ: Matrix, Aprev: Matrix, W: Matrix): Matrix => {
    const g = map(dot(dZ, Aprev, false, true), (x) => (1 / m) * x);
    return lambd === 0 ? g : map(g, (x, i) => x + (lambd / m) * W.data[i]!);
  };
  const db = (dZ: Matrix): Matrix => map(sumRows(dZ), (x) => (1 / m) * x);
  const drop = (dA: Matrix, D: Matrix | undefined): Matrix => (masks === null || D === undefined ? dA : map(dA, (x, i) => (x * D.data[i]!) / masks.keepProb));
  const dZ3 = map(A3, (a, i) => a - Y.data[i]!);
  const dW3 = dW(dZ3, A2, W3), db3 = db(dZ3);
  const dA2 = drop(dot(W3, dZ3, true, false), masks?.D2);
  const dZ2 = reluMask(dA2, A2);
  const dW2 = dW(dZ2, A1, W2), db2 = db(dZ2);
  const dA1 = drop(dot(W2, dZ2, true, false), masks?.D1);
  const dZ1 = reluMask(dA1, A1);
  const dW1 = dW(dZ1, X, W1), db1 = db(dZ1);
  return { dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1 };
}

/**
 * backward_propagation_with_regularization: dZ3 = A3 − Y, dW_l = 1/m·dZ_l·A_{l−1}ᵀ + λ/m·W_l, db_l = 1/m·Σ dZ_l.
 * With λ = 0 it is reg_utils.backward_propagation (the notebook's unregularised model).
 */
export function backwardPropagationWithRegularization(X: Matrix, Y: Matrix, cache: ThreeLayerCache, lambd: number): Gradients {
  return backward(X, Y, cache, lambd, null);
}

/**
 * forward_propagation_with_dropout: `np.random.seed(1)` first (so, with the default seed, the same two masks at
 * every call, as the notebook draws them), then D1 = rand(20, m) < keepProb after the first relu and D2 = rand(3, m) <
 * keepProb after the second; A = A·D / keepProb. Pass a Random as `seed` to continue one stream instead (fresh masks).
 */
export function forwardPropagationWithDropout(X: Matrix, parameters: Parameters, keepProb = 0.5, seed: number | Random = 1): { A3: Matrix; cache: DropoutCache } {
  if (!(keepProb > 0 && keepProb <= 1)) throw new Error(`simdnet/course: keepProb must be in (0, 1], got ${keepProb}`);
  const W1 = param(parameters, 'W1'), b1 = param(parameters, 'b1');
  const W2 = param(parameters, 'W2'), b2 = param(parameters, 'b2');
  const W3 = param(parameters, 'W3'), b3 = param(parameters, 'b3');
  const [U1, U2] = uniforms(seed, W1.shape[0] * X.shape[1], W2.shape[0] * X.shape[1]);
  const Z1 = addColumn(dot(W1, X), b1);
  const D1 = map(Z1, (_, i) => (U1[i]! < keepProb ? 1 : 0));
  const A1 = map(relu(Z1).A, (a, i) => (a * D1.data[i]!) / keepProb);
  const Z2 = addColumn(dot(W2, A1), b2);
  const D2 = map(Z2, (_, i) => (U2[i]! < keepProb ? 1 : 0));
  const A2 = map(relu(Z2).A, (a, i) => (a * D2.data[i]!) / keepProb);
  const Z3 = addColumn(dot(W3, A2), b3);
  const A3 = sigmoid(Z3).A;
  return { A3, cache: { Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3 } };
}

/** The last seeded draw: np.random.seed(s); rand(n1); rand(n2) is the same at every call, so it is drawn once. */
let lastDraw: { seed: number; n1: number; n2: number; U1: Float64Array; U2: Float64Array } | null = null;

/** n1 then n2 uniforms [0, 1) from np.random.seed(seed), or from the given stream (fresh ones each call). */
function uniforms(seed: number | Random, n1: number, n2: number): [Float64Array, Float64Array] {
  if (typeof seed === 'number' && lastDraw !== null && lastDraw.seed === seed && lastDraw.n1 === n1 && lastDraw.n2 === n2) return [lastDraw.U1, lastDraw.U2];
  const rng = rngOf(seed);
  const U1 = new Float64Array(n1), U2 = new Float64Array(n2);
  for (let i = 0; i < n1; i++) U1[i] = rng.random();
  for (let i = 0; i < n2; i++) U2[i] = rng.random();
  if (typeof seed === 'number') lastDraw = { seed, n1, n2, U1, U2 };
  return [U1, U2];
}

/** backward_propagation_with_dropout: the same masks on dA2 and dA1, each divided by keepProb. */
export function backwardPropagationWithDropout(X: Matrix, Y: Matrix, cache: DropoutCache, keepProb: number): Gradients {
  return backward(X, Y, cache, 0, { D1: cache.D1, D2: cache.D2, keepProb });
}

/** Options of regularizationModel (the notebook's defaults). */
export interface RegularizationModelOptions {
  learningRate?: number;
  numIterations?: number;
  /** L2 λ (0 = off). */
  lambd?: number;
  /** Dropout keep probability (1 = off). Not both λ and dropout, as in the notebook. */
  keepProb?: number;
  /** Dropout masks: 'notebook' reseeds 1 at every forward pass (the same masks every iteration); 'fresh' draws new ones from one stream seeded 1. */
  masks?: 'notebook' | 'fresh';
}

/**
 * The Regularization notebook's model(): reg_utils initialize_parameters (np.random.seed(3), randn / √n_prev) of
 * [n_x, 20, 3, 1], batch gradient descent (lr 0.3, 30000 iterations); the cost is recorded every 1000 iterations
 * (the notebook prints every 10000th).
 */
export function regularizationModel(X: Matrix, Y: Matrix, options: RegularizationModelOptions = {}): { parameters: Parameters; costs: number[] } {
  const { learningRate = 0.3, numIterations = 30000, lambd = 0, keepProb = 1, masks = 'notebook' } = options;
  if (lambd !== 0 && keepProb !== 1) throw new Error('simdnet/course: the notebook model takes either lambd or keepProb, not both');
  let parameters = initializeParametersDeepSeeded([X.shape[0], 20, 3, 1], 3);
  const stream = masks === 'fresh' ? rngOf(1) : null;
  const costs: number[] = [];
  for (let i = 0; i < numIterations; i++) {
    let cost: number;
    let grads: Gradients;
    if (keepProb < 1) {
      const { A3, cache } = forwardPropagationWithDropout(X, parameters, keepProb, stream ?? 1);
      cost = computeLoss(A3, Y);
      grads = backwardPropagationWithDropout(X, Y, cache, keepProb);
    } else {
      const { A3, cache } = forwardPropagationThreeLayer(X, parameters);
      cost = lambd === 0 ? computeLoss(A3, Y) : computeCostWithRegularization(A3, Y, parameters, lambd);
      grads = backwardPropagationWithRegularization(X, Y, cache, lambd);
    }
    parameters = updateParametersWithGd(parameters, grads, learningRate);
    if (i % 1000 === 0) costs.push(cost);
  }
  return { parameters, costs };
}

