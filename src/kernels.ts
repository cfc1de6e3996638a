// Typed, shape-checked wrappers of every WASM kernel over Tensors in one module's memory.
import { ACTIVATION_CODE as PLAN_CODES, OPTIMIZER_CODE as PLAN_OPTIMIZER_CODE } from './runtime/plan.js';
import type { KernelExports } from './runtime/abi.js';
import { Arena, type DType, type Tensor } from './runtime/arena.js';
import { loadModule, type Build, type LoadOptions } from './runtime/load.js';
import type { ThreadPool, ThreadTuning } from './runtime/threads.js';

/** Kernels.load's options; `satisfies` stops compiling when LoadOptions gains or loses one. */
const LOAD_OPTIONS = Object.keys({ build: 0, source: 0, wasmUrl: 0, threads: 0, autoLayerParams: 0, threadTuning: 0 } satisfies Record<keyof LoadOptions, 0>);
/** The keys of LoadOptions.threadTuning, checked the same way. */
const TUNING_OPTIONS = Object.keys({ minWork: 0, spinMs: 0, maximumPages: 0, callerComputes: 0 } satisfies Record<keyof ThreadTuning, 0>);

/** Throws unless options is a plain object whose keys are all known (a misspelt key would be ignored). */
function checkKeys(options: unknown, what: string, known: readonly string[]): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new Error(`simdnet: ${what} options must be an object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`simdnet: unknown ${what} option '${key}'; expected ${known.join(', ')}`);
  }
}

/** Activations with an elementwise derivative. */
export type Activation = 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu';

/** Kernel codes of the activations (assembly/act.ts). */
export const ACTIVATION_CODE: Record<Activation, number> = { linear: PLAN_CODES.linear, sigmoid: PLAN_CODES.sigmoid, tanh: PLAN_CODES.tanh, relu: PLAN_CODES.relu, leakyRelu: PLAN_CODES.leakyRelu };

/** Throws unless name is a known activation. */
export function activationCode(name: unknown): number {
  const code = typeof name === 'string' && Object.hasOwn(ACTIVATION_CODE, name) ? ACTIVATION_CODE[name as Activation] : undefined;
  if (code === undefined) {
    throw new Error(`simdnet: unknown activation '${String(name)}'; expected one of ${Object.keys(ACTIVATION_CODE).join(', ')}`);
  }
  return code;
}

function checkFinite(value: number, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`simdnet: ${name} must be a finite number, got ${String(value)}`);
  return value;
}

function sameShape(a: Tensor, b: Tensor, what: string): void {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new Error(`simdnet: ${what}: shapes ${a.rows}×${a.cols} and ${b.rows}×${b.cols} differ`);
  }
}

function sameDType(tensors: Tensor[], what: string): DType {
  const dtype = tensors[0]!.dtype;
  for (const t of tensors) {
    if (t.dtype !== dtype) throw new Error(`simdnet: ${what}: mixes ${dtype} and ${t.dtype} tensors`);
  }
  return dtype;
}

function overlaps(a: Tensor, b: Tensor): boolean {
  return a.ptr < b.ptr + b.byteLength && b.ptr < a.ptr + a.byteLength;
}

/** One instantiated kernel module: its memory arena plus typed kernels. */
export class Kernels extends Arena {
  /** Loads the kernel module (SIMD where the host has it, else scalar); `threads: n` splits large GEMMs over n threads. */
  static async load(options: LoadOptions = {}): Promise<Kernels> {
    checkKeys(options, 'Kernels.load', LOAD_OPTIONS);
    if (options.threadTuning !== undefined) checkKeys(options.threadTuning, 'Kernels.load threadTuning', TUNING_OPTIONS);
    const { build, exports, pool, threadsFallback } = await loadModule(options);
    return new Kernels(build, exports, pool ?? null, threadsFallback ?? null);
  }

  readonly #pool: ThreadPool | null;

  constructor(readonly build: Build, exports: KernelExports, pool: ThreadPool | null = null,
    /** Why `threads > 1` was asked for but these kernels run on one thread (null otherwise). */
    readonly threadsFallback: string | null = null) {
    super(exports);
    this.#pool = pool;
  }

  /** Threads that share large GEMMs, the calling one included: 1 without a pool, after a fallback or after dispose(). */
  get threads(): number {
    return this.#pool === null || this.#pool.failed ? 1 : this.#pool.threads;
  }

  /** Blocks of GEMM work the workers have computed so far (0 without a pool). */
  get workerParts(): number {
    return this.#pool?.workerParts ?? 0;
  }

  /**
   * Ends the worker threads (if any); resolves once they have exited. The kernels and their tensors
   * stay usable on the calling thread. Idempotent.
   */
  dispose(): Promise<void> {
    return this.#pool?.dispose() ?? Promise.resolve();
  }

  /** C = alpha·op(A)·op(B) + beta·C; beta = 0 ignores C's old content. */
  gemm(transA: boolean, transB: boolean, alpha: number, A: Tensor, B: Tensor, beta: number, C: Tensor): Tensor {
    this.own(A, 'A'); this.own(B, 'B'); this.own(C, 'C');
    const dtype = sameDType([A, B, C], 'gemm');
    checkFinite(alpha, 'gemm alpha'); checkFinite(beta, 'gemm beta');
    const m = transA ? A.cols : A.rows;
    const k = transA ? A.rows : A.cols;
    const kb = transB ? B.cols : B.rows;
    const n = transB ? B.rows : B.cols;
    const opA = `${transA ? 'Aᵀ' : 'A'} (${m}×${k})`;
    const opB = `${transB ? 'Bᵀ' : 'B'} (${kb}×${n})`;
    if (k !== kb) throw new Error(`simdnet: gemm: inner dimensions differ: ${opA} · ${opB}`);
    if (C.rows !== m || C.cols !== n) throw new Error(`simdnet: gemm: C is ${C.rows}×${C.cols} but ${opA} · ${opB} is ${m}×${n}`);
    if (overlaps(C, A) || overlaps(C, B)) throw new Error('simdnet: gemm: C must not share memory with A or B');
    const fn = dtype === 'float32' ? this.exports.gemm_f32 : this.exports.gemm_f64;
    fn(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, A.ptr, A.cols, B.ptr, B.cols, beta, C.ptr, C.cols);
    return C;
  }

  /** Z += bias (one per row, or null), then A = f(Z); A may be Z. */
  activationForward(activation: Activation, Z: Tensor, bias: Tensor | null, A: Tensor, slope = 0.01): Tensor {
    const kind = activationCode(activation);
    this.own(Z, 'Z'); this.own(A, 'A');
    sameShape(Z, A, `${activation} forward`);
    const tensors = [Z, A];
    if (bias !== null) tensors.push(this.checkBias(bias, Z));
    const dtype = sameDType(tensors, `${activation} forward`);
    checkFinite(slope, 'leaky relu slope');
    if (Z !== A && overlaps(Z, A)) throw new Error('simdnet: activation forward: A must be Z itself or not overlap it');
    const fn = dtype === 'float32' ? this.exports.act_forward_f32 : this.exports.act_forward_f64;
    fn(kind, Z.ptr, bias === null ? 0 : bias.ptr, A.ptr, Z.rows, Z.cols, slope);
    return A;
  }

  /** dZ = dA ⊙ f'(Z); sigmoid/tanh read A, relus read Z; dZ may be dA. */
  activationBackward(activation: Activation, Z: Tensor, A: Tensor, dA: Tensor, dZ: Tensor, slope = 0.01): Tensor {
    const kind = activationCode(activation);
    for (const [t, name] of [[Z, 'Z'], [A, 'A'], [dA, 'dA'], [dZ, 'dZ']] as const) {
      this.own(t, name);
      sameShape(t, dA, `${activation} backward ${name}`);
    }
    const dtype = sameDType([Z, A, dA, dZ], `${activation} backward`);
    checkFinite(slope, 'leaky relu slope');
    const fn = dtype === 'float32' ? this.exports.act_backward_f32 : this.exports.act_backward_f64;
    fn(kind, Z.ptr, A.ptr, dA.ptr, dZ.ptr, dA.length, slope);
    return dZ;
  }

  /** Z += bias, then each column of A is the softmax of that column of Z; A may be Z. */
  softmaxForward(Z: Tensor, bias: Tensor | null, A: Tensor): Tensor {
    this.own(Z, 'Z'); this.own(A, 'A');
    sameShape(Z, A, 'softmax forward');
    const tensors = [Z, A];
    if (bias !== null) tensors.push(this.checkBias(bias, Z));
    const dtype = sameDType(tensors, 'softmax forward');
    const fn = dtype === 'float32' ? this.exports.softmax_forward_f32 : this.exports.softmax_forward_f64;
    fn(Z.ptr, bias === null ? 0 : bias.ptr, A.ptr, Z.rows, Z.cols);
    return A;
  }

  /** dZ = scale·(A − Y): the gradient of softmax + cross-entropy (or sigmoid + BCE) w.r.t. Z. */
  probMinusTarget(A: Tensor, Y: Tensor, dZ: Tensor, scale = 1): Tensor {
    this.checkElementwise([A, Y, dZ], ['A', 'Y', 'dZ'], 'softmax cross-entropy gradient');
    const fn = A.dtype === 'float32' ? this.exports.prob_minus_target_f32 : this.exports.prob_minus_target_f64;
    fn(A.ptr, Y.ptr, dZ.ptr, A.length, checkFinite(scale, 'scale'));
    return dZ;
  }

  /** dA = −(Y/A − (1−Y)/(1−A)), A clipped to [eps, 1−eps]: the course's dAL. */
  bceGradient(A: Tensor, Y: Tensor, dA: Tensor, eps = defaultEps(A.dtype)): Tensor {
    this.checkElementwise([A, Y, dA], ['A', 'Y', 'dA'], 'binary cross-entropy gradient');
    const fn = A.dtype === 'float32' ? this.exports.bce_grad_f32 : this.exports.bce_grad_f64;
    fn(A.ptr, Y.ptr, dA.ptr, A.length, checkEps(eps));
    return dA;
  }

  /** out[i] = scale·Σ_j X[i,j]; out is rows×1 (db). */
  sumRows(X: Tensor, out: Tensor, scale = 1): Tensor {
    this.own(X, 'X'); this.own(out, 'out');
    sameDType([X, out], 'sumRows');
    if (out.length !== X.rows) throw new Error(`simdnet: sumRows: out has ${out.length} elements but X has ${X.rows} rows`);
    if (overlaps(X, out)) throw new Error('simdnet: sumRows: out must not share memory with X');
    const fn = X.dtype === 'float32' ? this.exports.sum_rows_f32 : this.exports.sum_rows_f64;
    fn(X.ptr, X.rows, X.cols, out.ptr, checkFinite(scale, 'scale'));
    return out;
  }

  /** out[j] = scale·Σ_i X[i,j]; out has cols elements. */
  sumCols(X: Tensor, out: Tensor, scale = 1): Tensor {
    this.own(X, 'X'); this.own(out, 'out');
    sameDType([X, out], 'sumCols');
    if (out.length !== X.cols) throw new Error(`simdnet: sumCols: out has ${out.length} elements but X has ${X.cols} columns`);
    if (overlaps(X, out)) throw new Error('simdnet: sumCols: out must not share memory with X');
    const fn = X.dtype === 'float32' ? this.exports.sum_cols_f32 : this.exports.sum_cols_f64;
    fn(X.ptr, X.rows, X.cols, out.ptr, checkFinite(scale, 'scale'));
    return out;
  }

  /** Σ −[y ln a + (1−y) ln(1−a)] (a clipped to [eps, 1−eps]); divide by m for the course's cost. */
  bceLoss(A: Tensor, Y: Tensor, eps = defaultEps(A.dtype)): number {
    this.checkElementwise([A, Y], ['A', 'Y'], 'binary cross-entropy');
    const fn = A.dtype === 'float32' ? this.exports.bce_loss_f32 : this.exports.bce_loss_f64;
    return fn(A.ptr, Y.ptr, A.length, checkEps(eps));
  }

  /** Σ −y ln max(a, eps): categorical cross-entropy of probabilities. */
  crossEntropyLoss(A: Tensor, Y: Tensor, eps = defaultEps(A.dtype)): number {
    this.checkElementwise([A, Y], ['A', 'Y'], 'cross-entropy');
    const fn = A.dtype === 'float32' ? this.exports.ce_loss_f32 : this.exports.ce_loss_f64;
    return fn(A.ptr, Y.ptr, A.length, checkEps(eps));
  }

  /** Σ (a − y)². */
  squaredError(A: Tensor, Y: Tensor): number {
    this.checkElementwise([A, Y], ['A', 'Y'], 'squared error');
    const fn = A.dtype === 'float32' ? this.exports.squared_error_f32 : this.exports.squared_error_f64;
    return fn(A.ptr, Y.ptr, A.length);
  }

  /** Σ x·y over all elements, in f64. */
  dot(x: Tensor, y: Tensor): number {
    this.checkElementwise([x, y], ['x', 'y'], 'dot');
    const fn = x.dtype === 'float32' ? this.exports.dot_f32 : this.exports.dot_f64;
    return fn(x.ptr, y.ptr, x.length);
  }

  /** Σ x² (the L2 penalty's sum). */
  sumSquares(x: Tensor): number {
    return this.dot(x, x);
  }

  /** Euclidean norm √Σ x². */
  norm(x: Tensor): number {
    return Math.sqrt(this.dot(x, x));
  }

  /** y += alpha·x. */
  axpy(alpha: number, x: Tensor, y: Tensor): Tensor {
    this.checkElementwise([x, y], ['x', 'y'], 'axpy');
    const fn = x.dtype === 'float32' ? this.exports.axpy_f32 : this.exports.axpy_f64;
    fn(x.length, checkFinite(alpha, 'axpy alpha'), x.ptr, y.ptr);
    return y;
  }

  /** x *= alpha. */
  scale(alpha: number, x: Tensor): Tensor {
    this.own(x, 'x');
    const fn = x.dtype === 'float32' ? this.exports.scale_f32 : this.exports.scale_f64;
    fn(x.length, checkFinite(alpha, 'scale alpha'), x.ptr);
    return x;
  }

  /** out = x ⊙ y; out may be x or y. */
  mul(x: Tensor, y: Tensor, out: Tensor): Tensor {
    this.checkElementwise([x, y, out], ['x', 'y', 'out'], 'mul');
    const fn = x.dtype === 'float32' ? this.exports.mul_f32 : this.exports.mul_f64;
    fn(x.length, x.ptr, y.ptr, out.ptr);
    return out;
  }

  /** dst[:, j] = src[:, indices[j]]: gathers a mini-batch's columns; every index is checked first. */
  gatherColumns(src: Tensor, indices: Int32Array, dst: Tensor): Tensor {
    this.own(src, 'src'); this.own(dst, 'dst');
    sameDType([src, dst], 'gatherColumns');
    if (dst.rows !== src.rows || dst.cols !== indices.length) {
      throw new Error(`simdnet: gatherColumns: dst is ${dst.rows}×${dst.cols} but needs ${src.rows}×${indices.length}`);
    }
    for (const j of indices) {
      if (!(j >= 0 && j < src.cols)) throw new Error(`simdnet: gatherColumns: column index ${j} outside 0..${src.cols - 1}`);
    }
    const indexScratch = this.indexScratch(indices.length);
    new Int32Array(this.exports.memory.buffer, indexScratch, indices.length).set(indices);
    const fn = src.dtype === 'float32' ? this.exports.gather_cols_f32 : this.exports.gather_cols_f64;
    fn(src.ptr, src.rows, src.cols, indexScratch, indices.length, dst.ptr);
    return dst;
  }

  /**
   * dst[:, j] = src[indices[j], :]: gathers a mini-batch of examples-first rows (src: examples × features)
   * into a features-first dst (features × indices.length), columns in indices order; a bit-exact copy.
   * Every index, the shapes and the dtypes are checked first; nothing is written when a check fails.
   */
  gatherRowsTransposed(src: Tensor, indices: Int32Array, dst: Tensor): Tensor {
    this.own(src, 'src'); this.own(dst, 'dst');
    const dtype = sameDType([src, dst], 'gatherRowsTransposed');
    if (dst.rows !== src.cols || dst.cols !== indices.length) {
      throw new Error(`simdnet: gatherRowsTransposed: dst is ${dst.rows}×${dst.cols} but needs ${src.cols}×${indices.length} (src columns × indices)`);
    }
    for (const i of indices) {
      if (!(Number.isInteger(i) && i >= 0 && i < src.rows)) throw new Error(`simdnet: gatherRowsTransposed: row index ${i} outside 0..${src.rows - 1}`);
    }
    if (overlaps(src, dst)) throw new Error('simdnet: gatherRowsTransposed: dst must not share memory with src');
    const fn = dtype === 'float32' ? this.exports.gather_rows_t_f32 : this.exports.gather_rows_t_f64;
    if (typeof fn !== 'function') throw new Error('simdnet: this kernel module has no gather_rows_t export (it was built from an older simdnet); rebuild it');
    const indexScratch = this.indexScratch(indices.length);
    new Int32Array(this.exports.memory.buffer, indexScratch, indices.length).set(indices);
    if (fn(src.ptr, src.rows, src.cols, indexScratch, indices.length, dst.ptr) !== 0) {
      throw new Error(`simdnet: gatherRowsTransposed: the kernel rejected a row index (outside 0..${src.rows - 1})`);
    }
    return dst;
  }

  /** One fused optimiser step on parameter w with gradient g and states v, s (null when unused). */
  optimizerStep(kind: OptimizerKind, w: Tensor, g: Tensor, v: Tensor | null, s: Tensor | null, h: OptimizerHyper): void {
    const code = OPTIMIZER_CODE[kind];
    if (code === undefined) throw new Error(`simdnet: unknown optimizer '${String(kind)}'; expected gd, momentum, rmsprop or adam`);
    const tensors = [w, g];
    const names = ['w', 'g'];
    if (code === 1 || code === 3) { if (v === null) throw new Error(`simdnet: ${kind} needs a first-moment state v`); tensors.push(v); names.push('v'); }
    if (code === 2 || code === 3) { if (s === null) throw new Error(`simdnet: ${kind} needs a second-moment state s`); tensors.push(s); names.push('s'); }
    this.checkElementwise(tensors, names, `${kind} step`);
    const fn = w.dtype === 'float32' ? this.exports.optim_step_f32 : this.exports.optim_step_f64;
    fn(code, w.length, w.ptr, g.ptr, v?.ptr ?? 0, s?.ptr ?? 0, h.learningRate, h.beta1, h.beta2, h.epsilon, h.c1, h.c2);
  }

  #indexPtr = 0;
  #indexCapacity = 0;

  /** A reusable i32 buffer in WASM memory for at least `count` indices. */
  private indexScratch(count: number): number {
    if (count > this.#indexCapacity) {
      if (this.#indexPtr !== 0) this.exports.free(this.#indexPtr);
      this.#indexCapacity = Math.max(count, 256);
      this.#indexPtr = this.exports.alloc(this.#indexCapacity * 4) >>> 0;
    }
    return this.#indexPtr;
  }

  private checkBias(bias: Tensor, Z: Tensor): Tensor {
    this.own(bias, 'bias');
    if (bias.length !== Z.rows) throw new Error(`simdnet: bias has ${bias.length} elements but Z has ${Z.rows} rows`);
    return bias;
  }

  private checkElementwise(tensors: Tensor[], names: string[], what: string): void {
    tensors.forEach((t, i) => {
      this.own(t, names[i]!);
      if (t.length !== tensors[0]!.length) {
        throw new Error(`simdnet: ${what}: ${names[i]} has ${t.length} elements but ${names[0]} has ${tensors[0]!.length}`);
      }
    });
    sameDType(tensors, what);
  }
}

/** Optimisers with a fused WASM update. */
export type OptimizerKind = 'gd' | 'momentum' | 'rmsprop' | 'adam';

/** Kernel codes of the optimisers (assembly/optim.ts). */
export const OPTIMIZER_CODE: Record<OptimizerKind, number> = PLAN_OPTIMIZER_CODE;

/** Hyper-parameters of one optimiser step; c1 = 1 − beta1^t, c2 = 1 − beta2^t for Adam, else 1. */
export interface OptimizerHyper {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  c1: number;
  c2: number;
}

/** Probability clipping that keeps log finite and is representable in the dtype. */
export function defaultEps(dtype: DType): number {
  return dtype === 'float32' ? 1e-7 : 1e-15;
}

function checkEps(eps: number): number {
  if (typeof eps !== 'number' || !(eps >= 0 && eps < 0.5)) throw new Error(`simdnet: eps must be in [0, 0.5), got ${String(eps)}`);
  return eps;
}
