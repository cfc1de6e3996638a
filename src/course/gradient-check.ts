// The second course's Gradient Checking notebook: the 1-D check of J = θ·x, and the N-D check of the
// [4, 5, 3, 1] relu/relu/sigmoid net through dictionaryToVector / vectorToDictionary (gc_utils).
import { map, matrix, param, sameShape, sumRows, type Gradients, type Matrix, type Parameters } from './matrix.js';
import { forwardPropagationThreeLayer, type ThreeLayerCache } from './three-layer.js';
import { backwardPropagationWithRegularization } from './regularization.js';

/** ‖v‖₂ of a vector or matrix (np.linalg.norm: √(Σ x²)). */
function norm(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]! * values[i]!;
  return Math.sqrt(s);
}

/**
 * gradient_check for J(θ) = θ·x: gradapprox = (J(θ + ε) − J(θ − ε)) / (2ε), grad = x, and the difference
 * ‖grad − gradapprox‖ / (‖grad‖ + ‖gradapprox‖).
 */
export function gradientCheck(x: number, theta: number, epsilon = 1e-7): number {
  const gradapprox = (x * (theta + epsilon) - x * (theta - epsilon)) / (2 * epsilon);
  const grad = x;
  return Math.abs(grad - gradapprox) / (Math.abs(grad) + Math.abs(gradapprox));
}

/** The parameter names and shapes gc_utils' vector_to_dictionary hard-codes: the notebook's [4, 5, 3, 1] net. */
export const GRADIENT_CHECK_SHAPES: ReadonlyArray<readonly [string, readonly [number, number]]> = [
  ['W1', [5, 4]], ['b1', [5, 1]], ['W2', [3, 5]], ['b2', [3, 1]], ['W3', [1, 3]], ['b3', [1, 1]],
];

/** dictionary_to_vector: W1, b1, W2, b2, W3, b3 each reshaped to a column (row-major) and stacked: θ (n, 1) and each entry's key. */
export function dictionaryToVector(parameters: Parameters, names: readonly string[] = GRADIENT_CHECK_SHAPES.map(([k]) => k)): { theta: Matrix; keys: string[] } {
  const parts = names.map((k) => param(parameters, k));
  const n = parts.reduce((s, p) => s + p.data.length, 0);
  const theta = matrix(n, 1);
  const keys: string[] = [];
  let at = 0;
  parts.forEach((p, j) => {
    theta.data.set(p.data, at);
    at += p.data.length;
    for (let i = 0; i < p.data.length; i++) keys.push(names[j]!);
  });
  return { theta, keys };
}

/** vector_to_dictionary: the inverse, slicing θ into the given shapes (default: the notebook's). */
export function vectorToDictionary(theta: Matrix, shapes: ReadonlyArray<readonly [string, readonly [number, number]]> = GRADIENT_CHECK_SHAPES): Parameters {
  const total = shapes.reduce((s, [, [r, c]]) => s + r * c, 0);
  if (theta.data.length !== total) throw new Error(`simdnet/course: theta has ${theta.data.length} values, the shapes need ${total}`);
  const out: Parameters = {};
  let at = 0;
  for (const [k, [r, c]] of shapes) {
    out[k] = matrix(r, c, theta.data.subarray(at, at + r * c));
    at += r * c;
  }
  return out;
}

/** gradients_to_vector: dW1, db1, dW2, db2, dW3, db3 stacked like dictionaryToVector. */
export function gradientsToVector(gradients: Gradients, names: readonly string[] = GRADIENT_CHECK_SHAPES.map(([k]) => k)): Matrix {
  return dictionaryToVector(gradients, names.map((k) => `d${k}`)).theta;
}

/** forward_propagation_n: the 3-layer forward pass and the cost 1/m·np.sum(logprobs) (no nansum, no clipping). */
export function forwardPropagationN(X: Matrix, Y: Matrix, parameters: Parameters): { cost: number; cache: ThreeLayerCache } {
  const { A3, cache } = forwardPropagationThreeLayer(X, parameters);
  sameShape(A3, Y, 'A3 and Y');
  let s = 0;
  for (let i = 0; i < A3.data.length; i++) {
    const a = A3.data[i]!, y = Y.data[i]!;
    s += -Math.log(a) * y + -Math.log(1 - a) * (1 - y);
  }
  return { cost: (1 / X.shape[1]) * s, cache };
}

/**
 * backward_propagation_n. With `withNotebookBugs` it is the notebook's code as handed out, with its two planted
 * bugs (dW2 = 1/m·dZ2·A1ᵀ·2 and db1 = 4/m·Σ dZ1) that the gradient check is meant to find; without, the correct one.
 */
export function backwardPropagationN(X: Matrix, Y: Matrix, cache: ThreeLayerCache, withNotebookBugs = false): Gradients {
  const g = backwardPropagationWithRegularization(X, Y, cache, 0);
  if (!withNotebookBugs) return g;
  const m = X.shape[1];
  return { ...g, dW2: map(g.dW2!, (x) => x * 2), db1: map(sumRows(g.dZ1!), (s) => (4 / m) * s) };
}

/**
 * gradient_check_n: for each parameter θ_i, J(θ + ε·e_i) and J(θ − ε·e_i) through forwardPropagationN, gradapprox_i =
 * (J⁺ − J⁻) / (2ε), and the difference ‖grad − gradapprox‖ / (‖grad‖ + ‖gradapprox‖).
 */
export function gradientCheckN(parameters: Parameters, gradients: Gradients, X: Matrix, Y: Matrix, epsilon = 1e-7): { difference: number; gradapprox: Matrix } {
  const shapes = GRADIENT_CHECK_SHAPES.map(([k]) => [k, param(parameters, k).shape] as const);
  const { theta } = dictionaryToVector(parameters);
  const grad = gradientsToVector(gradients);
  if (grad.data.length !== theta.data.length) throw new Error(`simdnet/course: ${grad.data.length} gradients for ${theta.data.length} parameters`);
  const n = theta.data.length;
  const gradapprox = matrix(n, 1);
  for (let i = 0; i < n; i++) {
    const plus = matrix(n, 1, theta.data);
    plus.data[i] = plus.data[i]! + epsilon;
    const Jplus = forwardPropagationN(X, Y, vectorToDictionary(plus, shapes)).cost;
    const minus = matrix(n, 1, theta.data);
    minus.data[i] = minus.data[i]! - epsilon;
    const Jminus = forwardPropagationN(X, Y, vectorToDictionary(minus, shapes)).cost;
    gradapprox.data[i] = (Jplus - Jminus) / (2 * epsilon);
  }
  const diff = map(grad, (g, i) => g - gradapprox.data[i]!);
  return { difference: norm(diff.data) / (norm(grad.data) + norm(gradapprox.data)), gradapprox };
}
