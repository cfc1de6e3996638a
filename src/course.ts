// The deeplearning.ai "Neural Networks and Deep Learning" notebooks' functions (and, from src/course/, the second
// course's: Initialization, Regularization, Gradient Checking, Optimization), in camelCase, on the
// course's (n, m) matrices (features × examples, stored row-major like numpy's default). A learner can
// port a notebook line by line and compare each step. Matrix products run on the WASM GEMM once
// `await ready()` has loaded it, and on the plain-TS twin before that; everything else is plain TS.
import { addColumn, dot, map, matrix, param, relu, rngOf, shapeOf, sigmoid, type Gradients, type Matrix, type Parameters } from './course/matrix.js';
import type { Random } from './rng.js';

export { copy, dot, fromRows, matrix, ready, relu, sigmoid, sumRows, sumSquares, type Gradients, type Matrix, type Parameters } from './course/matrix.js';
export {
  backwardPropagationThreeLayer, computeCostTotal, computeLoss, forwardPropagationThreeLayer, predictThreeLayer, updateParametersWithGd, type ThreeLayerCache,
} from './course/three-layer.js';
export * from './course/initialization.js';
export * from './course/regularization.js';
export * from './course/gradient-check.js';
export * from './course/optimization.js';
export { loadCircles, loadMoons, loadFootball, type CourseDataset } from './data/course2.js';

/** The course's hidden and output activations. */
export type CourseActivation = 'sigmoid' | 'relu' | 'tanh';

/** What linearForward caches for linearBackward: (A_prev, W, b). */
export interface LinearCache { A: Matrix; W: Matrix; b: Matrix }
/** What linearActivationForward caches: the linear cache and Z. */
export interface ActivationCache { linear: LinearCache; Z: Matrix }

/** dZ = dA·σ(Z)(1 − σ(Z)). */
export function sigmoidBackward(dA: Matrix, Z: Matrix): Matrix {
  return map(dA, (d, i) => {
    const s = 1 / (1 + Math.exp(-Z.data[i]!));
    return d * s * (1 - s);
  });
}

/** dZ = dA where Z > 0, else 0. */
export function reluBackward(dA: Matrix, Z: Matrix): Matrix {
  return map(dA, (d, i) => (Z.data[i]! <= 0 ? 0 : d));
}

/** Week 4: W_l = randn(n_l, n_{l−1}) / √n_{l−1} (the application notebook; scale 'small' gives ·0.01), b_l = 0. */
export function initializeParametersDeep(layerDims: number[], seed: number | Random = 1, scale: 'course' | 'small' = 'course'): Parameters {
  const rng = rngOf(seed);
  const parameters: Parameters = {};
  for (let l = 1; l < layerDims.length; l++) {
    const W = matrix(layerDims[l]!, layerDims[l - 1]!);
    rng.randnFill(W.data);
    const root = Math.sqrt(layerDims[l - 1]!);
    for (let i = 0; i < W.data.length; i++) W.data[i] = scale === 'course' ? W.data[i]! / root : W.data[i]! * 0.01;
    parameters[`W${l}`] = W;
    parameters[`b${l}`] = matrix(layerDims[l]!, 1);
  }
  return parameters;
}

/** Week 3: W1 = randn(n_h, n_x)·0.01, W2 = randn(n_y, n_h)·0.01, zero biases (the notebook seeds 2). */
export function initializeParameters(nX: number, nH: number, nY: number, seed: number | Random = 2): Parameters {
  return initializeParametersDeep([nX, nH, nY], seed, 'small');
}

/** Z = W·A + b. */
export function linearForward(A: Matrix, W: Matrix, b: Matrix): { Z: Matrix; cache: LinearCache } {
  return { Z: addColumn(dot(W, A), b), cache: { A, W, b } };
}

/** A = g(W·A_prev + b) for g ∈ {sigmoid, relu, tanh}. */
export function linearActivationForward(Aprev: Matrix, W: Matrix, b: Matrix, activation: CourseActivation): { A: Matrix; cache: ActivationCache } {
  const { Z, cache } = linearForward(Aprev, W, b);
  const A = activation === 'sigmoid' ? sigmoid(Z).A : activation === 'relu' ? relu(Z).A : activation === 'tanh' ? map(Z, Math.tanh) : badActivation(activation);
  return { A, cache: { linear: cache, Z } };
}

function badActivation(a: unknown): never {
  throw new Error(`simdnet/course: unknown activation '${String(a)}'; expected sigmoid, relu or tanh`);
}

/** [LINEAR → RELU] × (L−1) → LINEAR → SIGMOID. */
export function lModelForward(X: Matrix, parameters: Parameters): { AL: Matrix; caches: ActivationCache[] } {
  const L = Math.floor(Object.keys(parameters).length / 2);
  const caches: ActivationCache[] = [];
  let A = X;
  for (let l = 1; l < L; l++) {
    const r = linearActivationForward(A, param(parameters, `W${l}`), param(parameters, `b${l}`), 'relu');
    A = r.A;
    caches.push(r.cache);
  }
  const out = linearActivationForward(A, param(parameters, `W${L}`), param(parameters, `b${L}`), 'sigmoid');
  caches.push(out.cache);
  return { AL: out.A, caches };
}

/** Cross-entropy cost −(1/m)·Σ[y·log(a) + (1−y)·log(1−a)]. */
export function computeCost(AL: Matrix, Y: Matrix): number {
  if (AL.shape[0] !== Y.shape[0] || AL.shape[1] !== Y.shape[1]) throw new Error(`simdnet/course: AL ${shapeOf(AL)} and Y ${shapeOf(Y)} differ`);
  const m = Y.shape[1];
  let s = 0;
  for (let i = 0; i < AL.data.length; i++) s += Y.data[i]! * Math.log(AL.data[i]!) + (1 - Y.data[i]!) * Math.log(1 - AL.data[i]!);
  return -s / m;
}

/** dW = (1/m)·dZ·A_prevᵀ, db = (1/m)·Σ dZ, dA_prev = Wᵀ·dZ. */
export function linearBackward(dZ: Matrix, cache: LinearCache): { dAprev: Matrix; dW: Matrix; db: Matrix } {
  const m = cache.A.shape[1];
  const dW = dot(dZ, cache.A, false, true);
  for (let i = 0; i < dW.data.length; i++) dW.data[i] = dW.data[i]! / m;
  const db = matrix(dZ.shape[0], 1);
  for (let r = 0; r < dZ.shape[0]; r++) {
    let s = 0;
    for (let c = 0; c < dZ.shape[1]; c++) s += dZ.data[r * dZ.shape[1] + c]!;
    db.data[r] = s / m;
  }
  return { dAprev: dot(cache.W, dZ, true, false), dW, db };
}

/** Backward through g then the linear step. */
export function linearActivationBackward(dA: Matrix, cache: ActivationCache, activation: CourseActivation): { dAprev: Matrix; dW: Matrix; db: Matrix } {
  const Z = cache.Z;
  const dZ = activation === 'sigmoid' ? sigmoidBackward(dA, Z) : activation === 'relu' ? reluBackward(dA, Z)
    : activation === 'tanh' ? map(dA, (d, i) => d * (1 - Math.tanh(Z.data[i]!) ** 2)) : badActivation(activation);
  return linearBackward(dZ, cache.linear);
}

/** Backward through the whole L-layer model: grads dA{l}, dW{l}, db{l}. */
export function lModelBackward(AL: Matrix, Y: Matrix, caches: ActivationCache[]): Gradients {
  const grads: Gradients = {};
  const L = caches.length;
  const dAL = map(AL, (a, i) => -(Y.data[i]! / a - (1 - Y.data[i]!) / (1 - a)));
  let r = linearActivationBackward(dAL, caches[L - 1]!, 'sigmoid');
  grads[`dA${L - 1}`] = r.dAprev; grads[`dW${L}`] = r.dW; grads[`db${L}`] = r.db;
  for (let l = L - 2; l >= 0; l--) {
    r = linearActivationBackward(r.dAprev, caches[l]!, 'relu');
    grads[`dA${l}`] = r.dAprev; grads[`dW${l + 1}`] = r.dW; grads[`db${l + 1}`] = r.db;
  }
  return grads;
}

/** W_l −= α·dW_l, b_l −= α·db_l (returns new matrices). */
export function updateParameters(parameters: Parameters, grads: Gradients, learningRate: number): Parameters {
  const out: Parameters = {};
  const L = Math.floor(Object.keys(parameters).length / 2);
  for (let l = 1; l <= L; l++) {
    for (const p of ['W', 'b']) {
      const g = param(grads, `d${p}${l}`);
      out[`${p}${l}`] = map(param(parameters, `${p}${l}`), (x, i) => x - learningRate * g.data[i]!);
    }
  }
  return out;
}

/** Week 4 predict: p = 1 where AL > 0.5; accuracy = mean(p == y). */
export function predict(X: Matrix, y: Matrix, parameters: Parameters): { p: Matrix; accuracy: number } {
  const { AL } = lModelForward(X, parameters);
  const p = map(AL, (a) => (a > 0.5 ? 1 : 0));
  let right = 0;
  for (let i = 0; i < p.data.length; i++) if (p.data[i] === y.data[i]) right++;
  return { p, accuracy: right / p.data.length };
}

/** The week 4 application: L-layer model trained by batch gradient descent; costs every 100 iterations. */
export function lLayerModel(X: Matrix, Y: Matrix, layersDims: number[], learningRate = 0.0075, numIterations = 3000, seed = 1): { parameters: Parameters; costs: number[] } {
  let parameters = initializeParametersDeep(layersDims, seed);
  const costs: number[] = [];
  for (let i = 0; i < numIterations; i++) {
    const { AL, caches } = lModelForward(X, parameters);
    if (i % 100 === 0) costs.push(computeCost(AL, Y));
    parameters = updateParameters(parameters, lModelBackward(AL, Y, caches), learningRate);
  }
  return { parameters, costs };
}

// ---- week 2: logistic regression with a neural-network mindset ----

/** w = zeros(dim, 1), b = 0. */
export function initializeWithZeros(dim: number): { w: Matrix; b: number } {
  return { w: matrix(dim, 1), b: 0 };
}

/** Forward and backward of logistic regression: cost and grads dw, db. */
export function propagate(w: Matrix, b: number, X: Matrix, Y: Matrix): { grads: { dw: Matrix; db: number }; cost: number } {
  const m = X.shape[1];
  const A = map(dot(w, X, true, false), (z) => 1 / (1 + Math.exp(-(z + b))));
  const cost = computeCost(A, Y);
  const dZ = map(A, (a, i) => a - Y.data[i]!);
  const dw = map(dot(X, dZ, false, true), (x) => x / m);
  let db = 0;
  for (const v of dZ.data) db += v;
  return { grads: { dw, db: db / m }, cost };
}

/** Gradient descent on w, b; records the cost every 100 iterations. */
export function optimize(w: Matrix, b: number, X: Matrix, Y: Matrix, numIterations = 100, learningRate = 0.009): { params: { w: Matrix; b: number }; grads: { dw: Matrix; db: number }; costs: number[] } {
  const costs: number[] = [];
  let grads = { dw: matrix(w.shape[0], 1), db: 0 };
  for (let i = 0; i < numIterations; i++) {
    const r = propagate(w, b, X, Y);
    grads = r.grads;
    w = map(w, (x, j) => x - learningRate * grads.dw.data[j]!);
    b = b - learningRate * grads.db;
    if (i % 100 === 0) costs.push(r.cost);
  }
  return { params: { w, b }, grads, costs };
}

/** Logistic-regression predictions: 1 where σ(wᵀX + b) > 0.5. */
export function predictLogistic(w: Matrix, b: number, X: Matrix): Matrix {
  return map(dot(w, X, true, false), (z) => (1 / (1 + Math.exp(-(z + b))) > 0.5 ? 1 : 0));
}

function accuracyPercent(p: Matrix, Y: Matrix): number {
  let err = 0;
  for (let i = 0; i < p.data.length; i++) err += Math.abs(p.data[i]! - Y.data[i]!);
  return 100 - (err / p.data.length) * 100;
}

/** The week 2 model: zeros init, gradient descent, train/test accuracy in percent as the notebook prints. */
export function model(XTrain: Matrix, YTrain: Matrix, XTest: Matrix, YTest: Matrix, numIterations = 2000, learningRate = 0.5): {
  costs: number[]; w: Matrix; b: number; YPredictionTrain: Matrix; YPredictionTest: Matrix; trainAccuracy: number; testAccuracy: number;
} {
  const { w: w0, b: b0 } = initializeWithZeros(XTrain.shape[0]);
  const { params, costs } = optimize(w0, b0, XTrain, YTrain, numIterations, learningRate);
  const YPredictionTrain = predictLogistic(params.w, params.b, XTrain);
  const YPredictionTest = predictLogistic(params.w, params.b, XTest);
  return { costs, w: params.w, b: params.b, YPredictionTrain, YPredictionTest,
    trainAccuracy: accuracyPercent(YPredictionTrain, YTrain), testAccuracy: accuracyPercent(YPredictionTest, YTest) };
}

// ---- week 3: planar data classification with one hidden layer ----

/** (n_x, n_h, n_y) from the shapes of X and Y; n_h = 4 as in the notebook. */
export function layerSizes(X: Matrix, Y: Matrix, nH = 4): { nX: number; nH: number; nY: number } {
  return { nX: X.shape[0], nH, nY: Y.shape[0] };
}

/** tanh hidden layer, sigmoid output: A2 and the cache Z1, A1, Z2, A2. */
export function forwardPropagation(X: Matrix, parameters: Parameters): { A2: Matrix; cache: Record<'Z1' | 'A1' | 'Z2' | 'A2', Matrix> } {
  const Z1 = addColumn(dot(param(parameters, 'W1'), X), param(parameters, 'b1'));
  const A1 = map(Z1, Math.tanh);
  const Z2 = addColumn(dot(param(parameters, 'W2'), A1), param(parameters, 'b2'));
  const A2 = sigmoid(Z2).A;
  return { A2, cache: { Z1, A1, Z2, A2 } };
}

/** dW1, db1, dW2, db2 of the planar net (the notebook's formulas, tanh' = 1 − A1²). */
export function backwardPropagation(parameters: Parameters, cache: Record<'A1' | 'A2', Matrix>, X: Matrix, Y: Matrix): Gradients {
  const dZ2 = map(cache.A2, (a, i) => a - Y.data[i]!);
  const lin2 = linearBackward(dZ2, { A: cache.A1, W: param(parameters, 'W2'), b: param(parameters, 'b2') });
  const dZ1 = map(lin2.dAprev, (d, i) => d * (1 - cache.A1.data[i]! ** 2));
  const lin1 = linearBackward(dZ1, { A: X, W: param(parameters, 'W1'), b: param(parameters, 'b1') });
  return { dW1: lin1.dW, db1: lin1.db, dW2: lin2.dW, db2: lin2.db };
}

/** The planar model: returns the learned parameters and the cost every 1000 iterations. */
export function nnModel(X: Matrix, Y: Matrix, nH: number, numIterations = 10000, learningRate = 1.2, seed = 2): { parameters: Parameters; costs: number[] } {
  const { nX, nY } = layerSizes(X, Y, nH);
  let parameters = initializeParameters(nX, nH, nY, seed);
  const costs: number[] = [];
  for (let i = 0; i < numIterations; i++) {
    const { A2, cache } = forwardPropagation(X, parameters);
    if (i % 1000 === 0) costs.push(computeCost(A2, Y));
    parameters = updateParameters(parameters, backwardPropagation(parameters, cache, X, Y), learningRate);
  }
  return { parameters, costs };
}

/** Planar predictions: 1 where A2 > 0.5. */
export function predictPlanar(parameters: Parameters, X: Matrix): Matrix {
  return map(forwardPropagation(X, parameters).A2, (a) => (a > 0.5 ? 1 : 0));
}
