// The JS side of the WASM boundary: the kernel module's exports, one comment per argument.
// Pointers are byte offsets into the module's memory; matrices are row-major; `ld*` are in elements.

/** Exports of `build/simdnet.{simd,scalar}.wasm` (see assembly/index.ts); the model_* ones are in ModelExports. */
export interface KernelExports extends ModelExports {
  readonly memory: WebAssembly.Memory;
  /** 1 for the SIMD build, 0 for the scalar build. */
  simd_enabled(): number;
  /** 1 for the relaxed-SIMD build. */
  relaxed_enabled(): number;
  /** bytes: size to allocate → 16-byte aligned pointer (traps if memory cannot grow). */
  alloc(bytes: number): number;
  /** ptr: a pointer from alloc. */
  free(ptr: number): void;
  gemm_f32: GemmFn;
  gemm_f64: GemmFn;
  /** → start of this instance's GEMM scratch: besides C, the only bytes gemm writes on this thread. */
  gemm_scratch(): number;
  /** → bytes of the GEMM scratch at gemm_scratch(). */
  gemm_scratch_bytes(): number;
  act_forward_f32: ActForwardFn;
  act_forward_f64: ActForwardFn;
  act_backward_f32: ActBackwardFn;
  act_backward_f64: ActBackwardFn;
  softmax_forward_f32: SoftmaxForwardFn;
  softmax_forward_f64: SoftmaxForwardFn;
  prob_minus_target_f32: ProbMinusTargetFn;
  prob_minus_target_f64: ProbMinusTargetFn;
  bce_grad_f32: BceGradFn;
  bce_grad_f64: BceGradFn;
  sum_rows_f32: SumFn;
  sum_rows_f64: SumFn;
  sum_cols_f32: SumFn;
  sum_cols_f64: SumFn;
  bce_loss_f32: LossFn;
  bce_loss_f64: LossFn;
  ce_loss_f32: LossFn;
  ce_loss_f64: LossFn;
  /** f: 0 exp, 1 tanh, 2 log, 3 sigmoid; x, y: pointers to n elements (y may be x) → 0, or -1 for an unknown f (assembly/math.ts). */
  math_f32(f: number, x: number, y: number, n: number): number;
  /** f64 twin of math_f32. */
  math_f64(f: number, x: number, y: number, n: number): number;
  squared_error_f32: PairFn;
  squared_error_f64: PairFn;
  dot_f32: PairFn;
  dot_f64: PairFn;
  axpy_f32: AxpyFn;
  axpy_f64: AxpyFn;
  scale_f32: ScaleFn;
  scale_f64: ScaleFn;
  mul_f32: MulFn;
  mul_f64: MulFn;
  gather_cols_f32: GatherColsFn;
  gather_cols_f64: GatherColsFn;
  gather_rows_t_f32: GatherRowsTFn;
  gather_rows_t_f64: GatherRowsTFn;
  optim_step_f32: OptimStepFn;
  optim_step_f64: OptimStepFn;
  net_forward_f32: NetForwardFn;
  net_forward_f64: NetForwardFn;
  net_cost_f32: NetCostFn;
  net_cost_f64: NetCostFn;
  net_backward_f32: NetBackwardFn;
  net_backward_f64: NetBackwardFn;
  net_update_f32: NetUpdateFn;
  net_update_f64: NetUpdateFn;
  net_train_step_f32: NetTrainStepFn;
  net_train_step_f64: NetTrainStepFn;
  /** assembly/plan.ts planLayout: offset, size or code i of the plan layout (src/runtime/plan.ts mirrors it), -1 past the table. */
  plan_layout: (i: number) => number;
  max_abs_f32: MaxAbsFn;
  max_abs_f64: MaxAbsFn;
}

export type MaxAbsFn = (
  x: number, // pointer to n values
  n: number, // count
) => number; // max |x_i| as f64; NaN if any value is NaN

export type GemmFn = (
  transA: number, // 0: op(A) = A, 1: op(A) = Aᵀ
  transB: number, // 0: op(B) = B, 1: op(B) = Bᵀ
  m: number, // rows of op(A) and C
  n: number, // columns of op(B) and C
  k: number, // columns of op(A) = rows of op(B)
  alpha: number, // scale of the product
  a: number, // pointer to A
  lda: number, // row stride of A in elements (A's stored column count)
  b: number, // pointer to B
  ldb: number, // row stride of B in elements
  beta: number, // scale of the old C; 0 ignores C's content
  c: number, // pointer to C (m×n), overwritten
  ldc: number, // row stride of C in elements
) => void;

export type ActForwardFn = (
  kind: number, // 0 linear, 1 sigmoid, 2 tanh, 3 relu, 4 leaky relu
  z: number, // pointer to Z (rows×cols); the bias is added in place
  bias: number, // pointer to rows biases, or 0 for none
  a: number, // pointer to A (rows×cols), may equal z
  rows: number, // units
  cols: number, // examples
  slope: number, // leaky relu slope for z < 0
) => number; // 0, or -1 for an unknown kind

export type ActBackwardFn = (
  kind: number, // as in ActForwardFn
  z: number, // pointer to Z (read by relu / leaky relu)
  a: number, // pointer to A = f(Z) (read by sigmoid / tanh)
  da: number, // pointer to dA
  dz: number, // pointer to dZ, written; may equal da
  n: number, // element count
  slope: number, // leaky relu slope
) => number; // 0, or -1 for an unknown kind

export type SoftmaxForwardFn = (
  z: number, // pointer to Z (classes×examples); the bias is added in place
  bias: number, // pointer to `rows` biases, or 0
  a: number, // pointer to A, written column by column; may equal z
  rows: number, // classes
  cols: number, // examples
) => void;

export type ProbMinusTargetFn = (
  a: number, // pointer to probabilities
  y: number, // pointer to targets
  dz: number, // pointer to the result scale·(A − Y)
  n: number, // element count
  scale: number, // usually 1 (the course applies 1/m in dW and db)
) => void;

export type BceGradFn = (
  a: number, // pointer to probabilities
  y: number, // pointer to 0/1 targets
  da: number, // pointer to the result −(Y/A − (1−Y)/(1−A))
  n: number, // element count
  eps: number, // A is clipped to [eps, 1 − eps]
) => void;

export type SumFn = (
  x: number, // pointer to X (rows×cols)
  rows: number, // rows of X
  cols: number, // columns of X
  out: number, // pointer to the sums (rows for sum_rows, cols for sum_cols)
  scale: number, // multiplies every sum
) => void;

export type LossFn = (
  a: number, // pointer to probabilities
  y: number, // pointer to targets
  n: number, // element count
  eps: number, // clipping that keeps log finite
) => number; // the summed loss, in f64

export type PairFn = (
  x: number, // pointer to the first vector
  y: number, // pointer to the second vector
  n: number, // element count
) => number; // the f64 sum

export type AxpyFn = (
  n: number, // element count
  alpha: number, // scale of x
  x: number, // pointer to x
  y: number, // pointer to y, updated y += alpha·x
) => void;

export type ScaleFn = (
  n: number, // element count
  alpha: number, // factor
  x: number, // pointer to x, updated in place
) => void;

export type MulFn = (
  n: number, // element count
  x: number, // pointer to x
  y: number, // pointer to y
  out: number, // pointer to x ⊙ y; may equal x or y
) => void;

export type GatherColsFn = (
  src: number, // pointer to the source matrix (rows×srcCols)
  rows: number, // rows of source and destination
  srcCols: number, // columns of the source
  idx: number, // pointer to `count` i32 column indices, each < srcCols (unchecked: validate in JS)
  count: number, // columns to gather
  dst: number, // pointer to the destination (rows×count)
) => void;

export type GatherRowsTFn = (
  src: number, // pointer to the source matrix, examples-first (srcRows×cols): one example per row
  srcRows: number, // rows of the source (examples); every index must be below it
  cols: number, // columns of the source (features) = rows of the destination
  idx: number, // pointer to `count` i32 row indices, in batch order; repeats allowed
  count: number, // rows to gather = columns of the destination (the batch's examples)
  dst: number, // pointer to the destination, features-first (cols×count); must not overlap src
) => number; // 0, or -1 (nothing written) when an index is outside 0..srcRows−1

export type OptimStepFn = (
  kind: number, // 0 gd, 1 momentum, 2 rmsprop, 3 adam
  n: number, // parameter count
  w: number, // pointer to parameters, updated
  g: number, // pointer to gradients
  v: number, // pointer to first-moment state (momentum, adam) or 0
  s: number, // pointer to second-moment state (rmsprop, adam) or 0
  lr: number, // learning rate
  beta1: number, // momentum / Adam first-moment decay
  beta2: number, // RMSprop / Adam second-moment decay
  eps: number, // added to √s
  c1: number, // Adam bias correction 1 − beta1^t (1 otherwise)
  c2: number, // Adam bias correction 1 − beta2^t (1 otherwise)
) => number; // 0, or -1 for an unknown kind

export type NetForwardFn = (
  plan: number, // pointer to the network plan (assembly/net.ts)
  x: number, // pointer to the input, features-first (n0×m)
  m: number, // examples, ≤ the plan's capacity
  keepProb: number, // inverted-dropout keep probability on hidden layers; 1 = off
) => number; // pointer to A_L (n_y×m)

export type NetCostFn = (
  plan: number, // pointer to the plan
  y: number, // pointer to the targets (n_y×m)
  m: number, // examples of the last forward pass
  l2: number, // λ of the L2 term λ/(2m)·Σ‖W‖²
) => number; // the cost

export type NetBackwardFn = (
  plan: number, // pointer to the plan
  x: number, // pointer to the input of the last forward pass
  y: number, // pointer to the targets
  m: number, // examples
  l2: number, // λ: adds λ/m·W to every dW
  dropout: number, // 1 when the last forward pass used dropout masks
) => void;

export type NetUpdateFn = (
  plan: number, // pointer to the plan
  kind: number, // 0 gd, 1 momentum, 2 rmsprop, 3 adam
  lr: number, // learning rate
  beta1: number, // first-moment decay
  beta2: number, // second-moment decay
  eps: number, // added to √s
  c1: number, // Adam's 1 − beta1^t, else 1
  c2: number, // Adam's 1 − beta2^t, else 1
) => number; // the plan's new status: 0 applied; 1 a gradient is NaN, ±Infinity or too large (nothing changed); 2 unknown kind

export type NetTrainStepFn = (
  plan: number, // pointer to the plan
  x: number, // pointer to the batch input (n0×m)
  y: number, // pointer to the batch targets (n_y×m)
  m: number, // examples in the batch
  l2: number, // λ
  keepProb: number, // dropout keep probability (1 = off)
  kind: number, // optimiser code
  lr: number, // learning rate
  beta1: number, // first-moment decay
  beta2: number, // second-moment decay
  eps: number, // added to √s
  c1: number, // Adam's 1 − beta1^t, else 1
  c2: number, // Adam's 1 − beta2^t, else 1
  wantCost: number, // 1: compute the cost before the update (returned), 0: return NaN
  flags: number, // STEP_FLAG bits (src/runtime/plan.ts): usePrepared, prepare; 0 for a lone step
  xMax: number, // with prepare: an upper bound of max |x| (NaN: do not prepare)
) => number; // the cost or NaN; whether the update was applied is the plan header's status (as NetUpdateFn returns)

// ---- edge inference over a saved model file (assembly/model.ts; error codes and limits in docs/edge.md) ----

/**
 * The kernel module's model_* exports (assembly/index.ts): load the bytes net.save() writes, run them,
 * free them. A negative result is an error code; last_error has its message.
 */
export interface ModelExports {
  readonly memory: WebAssembly.Memory;
  /** bytes: size to allocate → 16-byte aligned pointer (traps if memory cannot grow). */
  alloc(bytes: number): number;
  /** ptr: a pointer from alloc. */
  free(ptr: number): void;
  model_load: ModelLoadFn;
  model_input_size: ModelSizeFn;
  model_output_size: ModelSizeFn;
  model_predict: ModelPredictFn;
  model_free: ModelHandleFn;
  last_error: LastErrorFn;
}

export type ModelLoadFn = (
  ptr: number, // pointer to the model file's bytes; validated, then copied (the caller may free them)
  len: number, // length of the file in bytes
) => number; // a handle > 0, or a negative error code

export type ModelSizeFn = (
  h: number, // handle from model_load
) => number; // features (model_input_size) or outputs (model_output_size) per example, or a negative error code

export type ModelPredictFn = (
  h: number, // handle from model_load
  inPtr: number, // pointer to m×n0 f32, row-major (one example per row, raw: the model's normaliser is applied inside)
  m: number, // examples
  outPtr: number, // pointer to m×n_y f32, row-major, overwritten
) => number; // 0, or a negative error code

export type ModelHandleFn = (
  h: number, // handle from model_load; dead after model_free
) => number; // 0, or a negative error code

export type LastErrorFn = (
  ptrOut: number, // where to copy the last error message (UTF-8, at most 256 bytes); 0 only asks for its length
) => number; // the message's length in bytes

/**
 * Exports of a baked edge module (exportEdgeWasm, assembly/edge.ts): the model is built in, loaded on
 * the first call. The template itself reports E_NO_MODEL (-20).
 */
export interface EdgeExports {
  readonly memory: WebAssembly.Memory;
  predict: EdgePredictFn;
  /** Features per example, or a negative error code. */
  input_size(): number;
  /** Outputs per example, or a negative error code. */
  output_size(): number;
  alloc: EdgeAllocFn;
  /** alloc under the name WAMR looks for (a module exporting malloc and free gets no WAMR app heap). */
  malloc: EdgeAllocFn;
  /** ptr: a block from alloc or malloc (0 is ignored). */
  free(ptr: number): void;
  last_error: LastErrorFn;
  /** ptrOut: where to copy the model's UTF-8 JSON description (0: only return its length) → its length in bytes, or a negative error code (-1: ptrOut + length outside memory). */
  model_info(ptrOut: number): number;
}

export type EdgePredictFn = (
  inPtr: number, // pointer to m×input_size() f32, row-major (raw: normalised inside)
  m: number, // examples
  outPtr: number, // pointer to m×output_size() f32, row-major, overwritten
) => number; // 0, or a negative error code

export type EdgeAllocFn = (
  bytes: number, // size of the block for the host's inputs or outputs
) => number; // 16-byte aligned pointer, or 0 when memory cannot grow
