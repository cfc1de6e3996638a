// The course module's (n, m) float64 matrices and the numpy operations its notebooks use. Matrix products run on
// the WASM GEMM once `await ready()` has loaded it, and on the plain-TS twin before that; the rest is plain TS.
import { Kernels } from '../kernels.js';
import { hostHasSimd } from '../runtime/load.js';
import { createRandom, type Random } from '../rng.js';

/** A (rows, cols) float64 matrix stored row-major, as numpy stores its arrays. */
export interface Matrix {
  data: Float64Array;
  shape: [number, number];
}

/** The parameters dictionary: W1, b1, W2, b2, ... */
export type Parameters = Record<string, Matrix>;
/** The gradients dictionary: dW1, db1, dA0, ... */
export type Gradients = Record<string, Matrix>;

let kernels: Kernels | null = null;

let loading: Promise<Kernels> | null = null;

/**
 * Loads the WASM kernels so that matrix products run in WebAssembly; safe to call repeatedly. Always the simd
 * build (scalar without SIMD), never relaxed SIMD, which 'auto' takes on Node 21+ and in browsers: its fused
 * multiply-adds round differently from CPU to CPU and move the notebooks' last digits (the Gradient Checking
 * notebook's N-D difference from 10 significant digits to 5).
 */
export async function ready(): Promise<void> {
  loading ??= hostHasSimd().then((simd) => Kernels.load({ build: simd ? 'simd' : 'scalar' }));
  try {
    kernels ??= await loading;
  } catch (e) {
    loading = null;
    throw e;
  }
}

/** A new matrix, zero-filled or from row-major values. */
export function matrix(rows: number, cols: number, values?: ArrayLike<number>): Matrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) throw new Error(`simdnet/course: bad matrix shape (${rows}, ${cols})`);
  const data = new Float64Array(rows * cols);
  if (values !== undefined) {
    if (values.length !== data.length) throw new Error(`simdnet/course: ${values.length} values do not fill a (${rows}, ${cols}) matrix`);
    data.set(values);
  }
  return { data, shape: [rows, cols] };
}

/** A matrix from nested rows, like np.array([[...], [...]]). */
export function fromRows(rows: number[][]): Matrix {
  const cols = rows[0]?.length ?? 0;
  rows.forEach((r, i) => {
    if (r.length !== cols) throw new Error(`simdnet/course: row ${i} has ${r.length} values, row 0 has ${cols}`);
  });
  return matrix(rows.length, cols, rows.flat());
}

export function shapeOf(m: Matrix): string {
  return `(${m.shape[0]}, ${m.shape[1]})`;
}

/** Throws unless A and B have the same shape. */
export function sameShape(A: Matrix, B: Matrix, what: string): void {
  if (A.shape[0] !== B.shape[0] || A.shape[1] !== B.shape[1]) throw new Error(`simdnet/course: ${what}: shapes ${shapeOf(A)} and ${shapeOf(B)} differ`);
}

/** np.dot(A, B), or Aᵀ·B / A·Bᵀ with the transpose flags. */
export function dot(A: Matrix, B: Matrix, transA = false, transB = false): Matrix {
  const [ar, ac] = A.shape;
  const [br, bc] = B.shape;
  const m = transA ? ac : ar, k = transA ? ar : ac, kb = transB ? bc : br, n = transB ? br : bc;
  if (k !== kb) throw new Error(`simdnet/course: shapes ${shapeOf(A)}${transA ? 'ᵀ' : ''} and ${shapeOf(B)}${transB ? 'ᵀ' : ''} not aligned`);
  const C = matrix(m, n);
  if (kernels === null) {
    plainGemm(A.data, transA ? 1 : ac, transA ? ac : 1, B.data, transB ? 1 : bc, transB ? bc : 1, C.data, m, n, k);
    return C;
  }
  const a = kernels.tensor(ar, ac, 'float64', A.data);
  const b = kernels.tensor(br, bc, 'float64', B.data);
  const c = kernels.tensor(m, n, 'float64');
  try {
    kernels.gemm(transA, transB, 1, a, b, 0, c);
    C.data.set(c.data);
  } finally {
    a.dispose(); b.dispose(); c.dispose();
  }
  return C;
}

/**
 * C = A·B over strides (A[i, p] = a[i·ai + p·ap], B[p, j] = b[p·bp + j·bj]), each C[i, j] summed over p in order
 * from 0 as simdnet/reference's gemm does (same doubles), looping i, p, j so that B's rows are read in order.
 */
function plainGemm(a: Float64Array, ai: number, ap: number, b: Float64Array, bp: number, bj: number, c: Float64Array, m: number, n: number, k: number): void {
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let p = 0; p < k; p++) {
      const x = a[i * ai + p * ap]!;
      const bRow = p * bp;
      for (let j = 0; j < n; j++) c[row + j] = c[row + j]! + x * b[bRow + j * bj]!;
    }
  }
}

/** A new matrix f(a, i) elementwise. */
export function map(A: Matrix, f: (x: number, i: number) => number): Matrix {
  const out = matrix(A.shape[0], A.shape[1]);
  for (let i = 0; i < A.data.length; i++) out.data[i] = f(A.data[i]!, i);
  return out;
}

/** A + b with b a (rows, 1) column broadcast across columns. */
export function addColumn(A: Matrix, b: Matrix): Matrix {
  if (b.shape[0] !== A.shape[0] || b.shape[1] !== 1) throw new Error(`simdnet/course: cannot broadcast b ${shapeOf(b)} onto ${shapeOf(A)}`);
  const [rows, cols] = A.shape;
  const out = matrix(rows, cols);
  for (let r = 0; r < rows; r++) {
    const br = b.data[r]!;
    for (let c = r * cols, end = c + cols; c < end; c++) out.data[c] = A.data[c]! + br;
  }
  return out;
}

/** np.sum(A, axis=1, keepdims=True), each row summed left to right. */
export function sumRows(A: Matrix): Matrix {
  const [rows, cols] = A.shape;
  const out = matrix(rows, 1);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += A.data[r * cols + c]!;
    out.data[r] = s;
  }
  return out;
}

/** Σ a², the squared Frobenius norm (np.sum(np.square(A))). */
export function sumSquares(A: Matrix): number {
  let s = 0;
  for (const x of A.data) s += x * x;
  return s;
}

/** A copy of A. */
export function copy(A: Matrix): Matrix {
  return matrix(A.shape[0], A.shape[1], A.data);
}

/** p[name], or a clear error naming what is missing. */
export function param(p: Record<string, Matrix>, name: string): Matrix {
  const m = p[name];
  if (m === undefined) throw new Error(`simdnet/course: missing ${name}`);
  return m;
}

/** A numpy stream from a seed (np.random.seed(seed)), or the given stream. */
export function rngOf(seed: number | Random): Random {
  return typeof seed === 'number' ? createRandom('numpy', seed) : seed;
}

/** 1 / (1 + e^(−z)), elementwise. */
export function sigmoid(Z: Matrix): { A: Matrix; cache: Matrix } {
  return { A: map(Z, (z) => 1 / (1 + Math.exp(-z))), cache: Z };
}

/** max(0, z), elementwise. */
export function relu(Z: Matrix): { A: Matrix; cache: Matrix } {
  return { A: map(Z, (z) => Math.max(0, z)), cache: Z };
}

/** The error for an option outside its choices. */
export function badChoice(what: string, value: unknown, expected: string): never {
  throw new Error(`simdnet/course: unknown ${what} '${String(value)}'; expected ${expected}`);
}
