// The plain-TypeScript twin of every WASM kernel: straightforward loops, no tricks.
// It is the oracle in tests and the "pure JS" contender in bench/. Arrays are row-major;
// results are written into the given output arrays, rounded to their element type on store.
import type { Activation } from '../kernels.js';

/** A typed array of either element type. */
export type FloatArray = Float32Array | Float64Array;

/** C = alpha·op(A)·op(B) + beta·C, op(A) m×k, op(B) k×n, leading dimensions in elements. */
export function gemm(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  alpha: number, A: FloatArray, lda: number, B: FloatArray, ldb: number,
  beta: number, C: FloatArray, ldc: number,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const a = transA ? A[p * lda + i]! : A[i * lda + p]!;
        const b = transB ? B[j * ldb + p]! : B[p * ldb + j]!;
        s += a * b;
      }
      const old = beta === 0 ? 0 : beta * C[i * ldc + j]!;
      C[i * ldc + j] = old + alpha * s;
    }
  }
}

/** f(z) for one element. */
export function activate(activation: Activation, z: number, slope = 0.01): number {
  switch (activation) {
    case 'sigmoid': return 1 / (1 + Math.exp(-z));
    case 'tanh': return Math.tanh(z);
    case 'relu': return Math.max(z, 0);
    case 'leakyRelu': return z > 0 ? z : slope * z;
    case 'linear': return z;
  }
}

/** f'(z) for one element, given z and a = f(z). */
export function derivative(activation: Activation, z: number, a: number, slope = 0.01): number {
  switch (activation) {
    case 'sigmoid': return a * (1 - a);
    case 'tanh': return (1 - a) * (1 + a);
    case 'relu': return z > 0 ? 1 : 0;
    case 'leakyRelu': return z > 0 ? 1 : slope;
    case 'linear': return 1;
  }
}

/** Z[i,:] += bias[i] (when given), A = f(Z). */
export function activationForward(
  activation: Activation, Z: FloatArray, bias: FloatArray | null, A: FloatArray, rows: number, cols: number, slope = 0.01,
): void {
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const idx = i * cols + j;
      Z[idx] = Z[idx]! + (bias ? bias[i]! : 0);
      A[idx] = activate(activation, Z[idx]!, slope);
    }
  }
}

/** dZ = dA ⊙ f'(Z). */
export function activationBackward(
  activation: Activation, Z: FloatArray, A: FloatArray, dA: FloatArray, dZ: FloatArray, slope = 0.01,
): void {
  for (let q = 0; q < dA.length; q++) dZ[q] = dA[q]! * derivative(activation, Z[q]!, A[q]!, slope);
}

/** Z[i,:] += bias[i], then softmax down each column (max-shifted). */
export function softmaxForward(Z: FloatArray, bias: FloatArray | null, A: FloatArray, rows: number, cols: number): void {
  for (let j = 0; j < cols; j++) {
    let mx = -Infinity;
    for (let i = 0; i < rows; i++) {
      Z[i * cols + j] = Z[i * cols + j]! + (bias ? bias[i]! : 0);
      mx = Math.max(mx, Z[i * cols + j]!);
    }
    let sum = 0;
    for (let i = 0; i < rows; i++) sum += Math.exp(Z[i * cols + j]! - mx);
    for (let i = 0; i < rows; i++) A[i * cols + j] = Math.exp(Z[i * cols + j]! - mx) / sum;
  }
}

/** dZ = scale·(A − Y). */
export function probMinusTarget(A: FloatArray, Y: FloatArray, dZ: FloatArray, scale = 1): void {
  for (let q = 0; q < A.length; q++) dZ[q] = scale * (A[q]! - Y[q]!);
}

function clip(a: number, eps: number): number {
  return Math.min(Math.max(a, eps), 1 - eps);
}

/** dA = −(Y/A − (1−Y)/(1−A)), A clipped to [eps, 1−eps]. */
export function bceGradient(A: FloatArray, Y: FloatArray, dA: FloatArray, eps: number): void {
  for (let q = 0; q < A.length; q++) {
    const a = clip(A[q]!, eps);
    dA[q] = -(Y[q]! / a - (1 - Y[q]!) / (1 - a));
  }
}

/** out[i] = scale·Σ_j X[i,j]. */
export function sumRows(X: FloatArray, rows: number, cols: number, out: FloatArray, scale = 1): void {
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += X[i * cols + j]!;
    out[i] = scale * s;
  }
}

/** out[j] = scale·Σ_i X[i,j]. */
export function sumCols(X: FloatArray, rows: number, cols: number, out: FloatArray, scale = 1): void {
  for (let j = 0; j < cols; j++) {
    let s = 0;
    for (let i = 0; i < rows; i++) s += X[i * cols + j]!;
    out[j] = scale * s;
  }
}

/** Σ −[y ln a + (1−y) ln(1−a)], a clipped to [eps, 1−eps]. */
export function bceLoss(A: FloatArray, Y: FloatArray, eps: number): number {
  let s = 0;
  for (let q = 0; q < A.length; q++) {
    const a = clip(A[q]!, eps);
    s -= Y[q]! * Math.log(a) + (1 - Y[q]!) * Math.log(1 - a);
  }
  return s;
}

/** Σ −y ln max(a, eps). */
export function crossEntropyLoss(A: FloatArray, Y: FloatArray, eps: number): number {
  let s = 0;
  for (let q = 0; q < A.length; q++) if (Y[q] !== 0) s -= Y[q]! * Math.log(Math.max(A[q]!, eps));
  return s;
}

/** Σ (a − y)². */
export function squaredError(A: FloatArray, Y: FloatArray): number {
  let s = 0;
  for (let q = 0; q < A.length; q++) s += (A[q]! - Y[q]!) ** 2;
  return s;
}

/** Σ x·y. */
export function dot(x: FloatArray, y: FloatArray): number {
  let s = 0;
  for (let q = 0; q < x.length; q++) s += x[q]! * y[q]!;
  return s;
}

/** y += alpha·x. */
export function axpy(alpha: number, x: FloatArray, y: FloatArray): void {
  for (let q = 0; q < x.length; q++) y[q] = y[q]! + alpha * x[q]!;
}

/** x *= alpha. */
export function scale(alpha: number, x: FloatArray): void {
  for (let q = 0; q < x.length; q++) x[q] = alpha * x[q]!;
}

/** out = x ⊙ y. */
export function mul(x: FloatArray, y: FloatArray, out: FloatArray): void {
  for (let q = 0; q < x.length; q++) out[q] = x[q]! * y[q]!;
}

/** dst[r, j] = src[r, indices[j]] for a rows×srcCols source. */
export function gatherColumns(src: FloatArray, rows: number, srcCols: number, indices: ArrayLike<number>, dst: FloatArray): void {
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < indices.length; j++) dst[r * indices.length + j] = src[r * srcCols + indices[j]!]!;
  }
}

/** dst[c, j] = src[indices[j], c] for an examples-first source with `cols` features per row: dst is cols × indices.length. */
export function gatherRowsTransposed(src: FloatArray, cols: number, indices: ArrayLike<number>, dst: FloatArray): void {
  for (let c = 0; c < cols; c++) {
    for (let j = 0; j < indices.length; j++) dst[c * indices.length + j] = src[indices[j]! * cols + c]!;
  }
}

/** One optimiser step, written the way the course writes it. */
export function optimizerStep(
  kind: 'gd' | 'momentum' | 'rmsprop' | 'adam', w: FloatArray, g: FloatArray, v: FloatArray | null, s: FloatArray | null,
  h: { learningRate: number; beta1: number; beta2: number; epsilon: number; c1: number; c2: number },
): void {
  for (let q = 0; q < w.length; q++) {
    const grad = g[q]!;
    let step = grad;
    if (kind === 'momentum') {
      v![q] = h.beta1 * v![q]! + (1 - h.beta1) * grad;
      step = v![q]!;
    } else if (kind === 'rmsprop') {
      s![q] = h.beta2 * s![q]! + (1 - h.beta2) * grad * grad;
      step = grad / (Math.sqrt(s![q]!) + h.epsilon);
    } else if (kind === 'adam') {
      v![q] = h.beta1 * v![q]! + (1 - h.beta1) * grad;
      s![q] = h.beta2 * s![q]! + (1 - h.beta2) * grad * grad;
      step = (v![q]! / h.c1) / (Math.sqrt(s![q]! / h.c2) + h.epsilon);
    }
    w[q] = w[q]! - h.learningRate * step;
  }
}
