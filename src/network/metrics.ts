// Accuracy, confusion matrix and class decisions from a network's outputs (features-first, n_y × m).
import type { LayerActivation } from '../io/format.js';

/** The class of example e: argmax over the n_y outputs, or p > 0.5 for a single sigmoid output. */
export function classOf(out: ArrayLike<number>, nY: number, m: number, e: number): number {
  if (nY === 1) return out[e]! > 0.5 ? 1 : 0;
  let best = 0;
  for (let r = 1; r < nY; r++) if (out[r * m + e]! > out[best * m + e]!) best = r;
  return best;
}

/** Class indices of every example. */
export function classesOf(out: ArrayLike<number>, nY: number, m: number): Int32Array {
  const classes = new Int32Array(m);
  for (let e = 0; e < m; e++) classes[e] = classOf(out, nY, m, e);
  return classes;
}

/**
 * Accuracy and confusion[trueClass][predictedClass] (rows = true class, columns = predicted). A softmax
 * output compares argmaxes per example; a sigmoid output thresholds every output unit at 0.5 (several
 * sigmoid units are independent binary decisions, counted one by one in a 2×2 matrix).
 */
export function classification(output: LayerActivation, out: Float64Array, target: Float64Array, nY: number, m: number): { accuracy: number; confusion: number[][] } {
  if (output === 'softmax') {
    const confusion = Array.from({ length: nY }, () => new Array<number>(nY).fill(0));
    let correct = 0;
    for (let e = 0; e < m; e++) {
      const p = classOf(out, nY, m, e);
      const t = classOf(target, nY, m, e);
      confusion[t]![p]!++;
      if (p === t) correct++;
    }
    return { accuracy: correct / m, confusion };
  }
  const confusion = [[0, 0], [0, 0]];
  let correct = 0;
  for (let q = 0; q < out.length; q++) {
    const p = out[q]! > 0.5 ? 1 : 0;
    const t = target[q]! > 0.5 ? 1 : 0;
    confusion[t]![p]!++;
    if (p === t) correct++;
  }
  return { accuracy: correct / out.length, confusion };
}
