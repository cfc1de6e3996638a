// The whole ABI of simdnet's kernel module: numbers and byte pointers into this module's memory.
// Matrices are row-major; `ld*` are leading dimensions in elements; `trans*` is 0 (N) or 1 (T).
import { gemm } from "./dispatch";
import { gemmScratch, SCRATCH_BYTES } from "./gemm";
import { actForward, actBackward, softmaxForward, probMinusTarget, bceGrad } from "./act";
import { sumRows, sumCols, bceLoss, crossEntropyLoss, squaredError, dot } from "./reduce";
import { axpy, scale, mul, gatherCols, gatherRowsT } from "./update";
import { optimStep } from "./optim";
import { mathMap } from "./math";
import { planForward, planCost, planBackward, planUpdate, planTrainStep } from "./net";
import { planLayout } from "./plan";
import { maxAbs } from "./finite";
import { loadModel, modelInputSize, modelOutputSize, modelPredict, modelFree, lastError } from "./model";

// The runtime's `abort` is routed here (asconfig `use`), so the module imports nothing.
/** Traps with `unreachable`: the host sees a RuntimeError instead of a call out to JS. */
function trap(message: usize, fileName: usize, line: u32, column: u32): void {
  unreachable();
}

/** 1 when this build uses v128 SIMD kernels, 0 for the scalar build. */
export function simd_enabled(): i32 { return ASC_FEATURE_SIMD ? 1 : 0; }

/** 1 in the relaxed-SIMD build (GEMM uses relaxed_madd: fused or not, as the host decides), else 0. */
export function relaxed_enabled(): i32 { return ASC_FEATURE_RELAXED_SIMD ? 1 : 0; }

/** Allocates `bytes` (16-byte aligned) and returns the pointer; traps when memory cannot grow. */
export function alloc(bytes: usize): usize { return heap.alloc(bytes); }

/** Frees a block returned by `alloc`. */
export function free(ptr: usize): void { heap.free(ptr); }

/** f32 C(m×n) = alpha·op(A)(m×k)·op(B)(k×n) + beta·C. */
export function gemm_f32(transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f32, a: usize, lda: i32, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32): void {
  gemm<f32>(transA != 0, transB != 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

/** f64 C(m×n) = alpha·op(A)(m×k)·op(B)(k×n) + beta·C. */
export function gemm_f64(transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f64, a: usize, lda: i32, b: usize, ldb: i32, beta: f64, c: usize, ldc: i32): void {
  gemm<f64>(transA != 0, transB != 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

/** Start of this instance's GEMM scratch: besides C, the only bytes gemm_f32/gemm_f64 write on this thread. */
export function gemm_scratch(): usize { return gemmScratch(); }

/** Bytes of the GEMM scratch at gemm_scratch(). */
export function gemm_scratch_bytes(): usize { return SCRATCH_BYTES; }

// ---- activations: kind 0 linear, 1 sigmoid, 2 tanh, 3 relu, 4 leaky relu (slope for x < 0) ----

/** f32 Z[i,:] += bias[i] (bias 0 = none), A = f(Z) over a rows×cols matrix; A may alias Z. Returns 0, or -1 for an unknown kind. */
export function act_forward_f32(kind: i32, z: usize, bias: usize, a: usize, rows: i32, cols: i32, slope: f32): i32 {
  return actForward<f32>(kind, z, bias, a, rows, cols, slope);
}
/** f64 twin of act_forward_f32. */
export function act_forward_f64(kind: i32, z: usize, bias: usize, a: usize, rows: i32, cols: i32, slope: f64): i32 {
  return actForward<f64>(kind, z, bias, a, rows, cols, slope);
}
/** f32 dZ = dA ⊙ f'(Z) over n elements (sigmoid/tanh read A, relus read Z); dZ may alias dA. Returns 0 or -1. */
export function act_backward_f32(kind: i32, z: usize, a: usize, da: usize, dz: usize, n: i32, slope: f32): i32 {
  return actBackward<f32>(kind, z, a, da, dz, n, slope);
}
/** f64 twin of act_backward_f32. */
export function act_backward_f64(kind: i32, z: usize, a: usize, da: usize, dz: usize, n: i32, slope: f64): i32 {
  return actBackward<f64>(kind, z, a, da, dz, n, slope);
}
/** f32 Z[i,:] += bias[i], then softmax down each column of the rows×cols matrix into A (A may alias Z). */
export function softmax_forward_f32(z: usize, bias: usize, a: usize, rows: i32, cols: i32): void {
  softmaxForward<f32>(z, bias, a, rows, cols);
}
/** f64 twin of softmax_forward_f32. */
export function softmax_forward_f64(z: usize, bias: usize, a: usize, rows: i32, cols: i32): void {
  softmaxForward<f64>(z, bias, a, rows, cols);
}
/** f32 dZ = scale·(A − Y) over n elements: softmax+CE (and sigmoid+BCE) gradient w.r.t. Z. */
export function prob_minus_target_f32(a: usize, y: usize, dz: usize, n: i32, scale: f32): void {
  probMinusTarget<f32>(a, y, dz, n, scale);
}
/** f64 twin of prob_minus_target_f32. */
export function prob_minus_target_f64(a: usize, y: usize, dz: usize, n: i32, scale: f64): void {
  probMinusTarget<f64>(a, y, dz, n, scale);
}
/** f32 dA = −(Y/A − (1−Y)/(1−A)) over n elements, A clipped to [eps, 1−eps]. */
export function bce_grad_f32(a: usize, y: usize, da: usize, n: i32, eps: f32): void {
  bceGrad<f32>(a, y, da, n, eps);
}
/** f64 twin of bce_grad_f32. */
export function bce_grad_f64(a: usize, y: usize, da: usize, n: i32, eps: f64): void {
  bceGrad<f64>(a, y, da, n, eps);
}

// ---- vector transcendentals (assembly/math.ts): f 0 exp, 1 tanh, 2 log, 3 sigmoid ----

/** f32 y = f(x) over n elements (y may alias x); the functions the activations and losses use. Returns 0, or -1 for an unknown f. */
export function math_f32(f: i32, x: usize, y: usize, n: i32): i32 { return mathMap<f32>(f, x, y, n); }
/** f64 twin of math_f32. */
export function math_f64(f: i32, x: usize, y: usize, n: i32): i32 { return mathMap<f64>(f, x, y, n); }

// ---- reductions (losses return f64 sums; the caller divides by m) ----

/** f32 out[i] = scale·Σ_j X[i,j] over a rows×cols matrix. */
export function sum_rows_f32(x: usize, rows: i32, cols: i32, out: usize, scale: f32): void { sumRows<f32>(x, rows, cols, out, scale); }
/** f64 twin of sum_rows_f32. */
export function sum_rows_f64(x: usize, rows: i32, cols: i32, out: usize, scale: f64): void { sumRows<f64>(x, rows, cols, out, scale); }
/** f32 out[j] = scale·Σ_i X[i,j] over a rows×cols matrix. */
export function sum_cols_f32(x: usize, rows: i32, cols: i32, out: usize, scale: f32): void { sumCols<f32>(x, rows, cols, out, scale); }
/** f64 twin of sum_cols_f32. */
export function sum_cols_f64(x: usize, rows: i32, cols: i32, out: usize, scale: f64): void { sumCols<f64>(x, rows, cols, out, scale); }
/** f32 Σ −[y ln a + (1−y) ln(1−a)] over n elements, a clipped to [eps, 1−eps]. */
export function bce_loss_f32(a: usize, y: usize, n: i32, eps: f64): f64 { return bceLoss<f32>(a, y, n, eps); }
/** f64 twin of bce_loss_f32. */
export function bce_loss_f64(a: usize, y: usize, n: i32, eps: f64): f64 { return bceLoss<f64>(a, y, n, eps); }
/** f32 Σ −y ln max(a, eps) over n elements. */
export function ce_loss_f32(a: usize, y: usize, n: i32, eps: f64): f64 { return crossEntropyLoss<f32>(a, y, n, eps); }
/** f64 twin of ce_loss_f32. */
export function ce_loss_f64(a: usize, y: usize, n: i32, eps: f64): f64 { return crossEntropyLoss<f64>(a, y, n, eps); }
/** f32 Σ (a − y)² over n elements. */
export function squared_error_f32(a: usize, y: usize, n: i32): f64 { return squaredError<f32>(a, y, n); }
/** f64 twin of squared_error_f32. */
export function squared_error_f64(a: usize, y: usize, n: i32): f64 { return squaredError<f64>(a, y, n); }
/** f32 Σ x·y over n elements, accumulated in f64; dot(x, x) is the sum of squares for L2. */
export function dot_f32(x: usize, y: usize, n: i32): f64 { return dot<f32>(x, y, n); }
/** f64 twin of dot_f32. */
export function dot_f64(x: usize, y: usize, n: i32): f64 { return dot<f64>(x, y, n); }

// ---- elementwise updates ----

/** f32 y += alpha·x over n elements. */
export function axpy_f32(n: i32, alpha: f32, x: usize, y: usize): void { axpy<f32>(n, alpha, x, y); }
/** f64 twin of axpy_f32. */
export function axpy_f64(n: i32, alpha: f64, x: usize, y: usize): void { axpy<f64>(n, alpha, x, y); }
/** f32 x *= alpha over n elements. */
export function scale_f32(n: i32, alpha: f32, x: usize): void { scale<f32>(n, alpha, x); }
/** f64 twin of scale_f32. */
export function scale_f64(n: i32, alpha: f64, x: usize): void { scale<f64>(n, alpha, x); }
/** f32 out = x ⊙ y over n elements; out may alias x or y. */
export function mul_f32(n: i32, x: usize, y: usize, out: usize): void { mul<f32>(n, x, y, out); }
/** f64 twin of mul_f32. */
export function mul_f64(n: i32, x: usize, y: usize, out: usize): void { mul<f64>(n, x, y, out); }
/** f32 dst(rows×count)[r, j] = src(rows×srcCols)[r, idx[j]]; idx points to count i32 column indices < srcCols. */
export function gather_cols_f32(src: usize, rows: i32, srcCols: i32, idx: usize, count: i32, dst: usize): void { gatherCols<f32>(src, rows, srcCols, idx, count, dst); }
/** f64 twin of gather_cols_f32. */
export function gather_cols_f64(src: usize, rows: i32, srcCols: i32, idx: usize, count: i32, dst: usize): void { gatherCols<f64>(src, rows, srcCols, idx, count, dst); }
/** f32 dst(cols×count)[c, j] = src(srcRows×cols)[idx[j], c]: examples-first rows gathered features-first; idx points to count i32 row indices. Returns 0, or -1 (nothing written) when one is outside 0..srcRows−1. */
export function gather_rows_t_f32(src: usize, srcRows: i32, cols: i32, idx: usize, count: i32, dst: usize): i32 { return gatherRowsT<f32>(src, srcRows, cols, idx, count, dst); }
/** f64 twin of gather_rows_t_f32. */
export function gather_rows_t_f64(src: usize, srcRows: i32, cols: i32, idx: usize, count: i32, dst: usize): i32 { return gatherRowsT<f64>(src, srcRows, cols, idx, count, dst); }

// ---- optimisers: kind 0 gd, 1 momentum, 2 rmsprop, 3 adam ----

/** f32 fused update of n parameters w from gradients g with states v, s (0 when unused); c1 = 1−beta1^t, c2 = 1−beta2^t. Returns 0 or -1. */
export function optim_step_f32(kind: i32, n: i32, w: usize, g: usize, v: usize, s: usize, lr: f32, beta1: f32, beta2: f32, eps: f32, c1: f32, c2: f32): i32 {
  return optimStep<f32>(kind, n, w, g, v, s, lr, beta1, beta2, eps, c1, c2);
}
/** f64 twin of optim_step_f32. */
export function optim_step_f64(kind: i32, n: i32, w: usize, g: usize, v: usize, s: usize, lr: f64, beta1: f64, beta2: f64, eps: f64, c1: f64, c2: f64): i32 {
  return optimStep<f64>(kind, n, w, g, v, s, lr, beta1, beta2, eps, c1, c2);
}

// ---- whole-network plans (layout in assembly/plan.ts): one call per forward pass or training step ----

/** Offsets, sizes and codes of the plan layout (assembly/plan.ts planLayout) for the host's mirror to check; i outside the table gives -1. */
export function plan_layout(i: i32): i32 { return planLayout(i); }
/** f32 max |x_i| over n values (NaN if any is NaN). */
export function max_abs_f32(x: usize, n: i32): f64 { return maxAbs<f32>(x, n); }
/** f64 twin of max_abs_f32. */
export function max_abs_f64(x: usize, n: i32): f64 { return maxAbs<f64>(x, n); }

/** f32 forward of m examples (x: n0×m, features-first) through the plan; dropout when keepProb < 1. Returns the pointer of A_L (n_y×m). */
export function net_forward_f32(plan: usize, x: usize, m: i32, keepProb: f32): usize { return planForward<f32>(plan, x, m, keepProb); }
/** f64 twin of net_forward_f32. */
export function net_forward_f64(plan: usize, x: usize, m: i32, keepProb: f64): usize { return planForward<f64>(plan, x, m, keepProb); }
/** f32 cost of the last forward pass against y (n_y×m), plus λ/(2m)·Σ‖W‖². */
export function net_cost_f32(plan: usize, y: usize, m: i32, l2: f64): f64 { return planCost<f32>(plan, y, m, l2); }
/** f64 twin of net_cost_f32. */
export function net_cost_f64(plan: usize, y: usize, m: i32, l2: f64): f64 { return planCost<f64>(plan, y, m, l2); }
/** f32 backward pass after net_forward_f32(x): fills every dW (with λ/m·W) and db; dropout = 1 reuses the forward masks. */
export function net_backward_f32(plan: usize, x: usize, y: usize, m: i32, l2: f32, dropout: i32): void { planBackward<f32>(plan, x, y, m, l2, dropout != 0); }
/** f64 twin of net_backward_f32. */
export function net_backward_f64(plan: usize, x: usize, y: usize, m: i32, l2: f64, dropout: i32): void { planBackward<f64>(plan, x, y, m, l2, dropout != 0); }
/** f32 optimiser update of every W, b (kind as optim_step_f32) unless a gradient is unusable (NaN, ±Infinity, too large). Returns and stores the plan's status: 0 applied, 1 non-finite (nothing changed), 2 bad kind. */
export function net_update_f32(plan: usize, kind: i32, lr: f32, beta1: f32, beta2: f32, eps: f32, c1: f32, c2: f32): i32 { return planUpdate<f32>(plan, kind, lr, beta1, beta2, eps, c1, c2); }
/** f64 twin of net_update_f32. */
export function net_update_f64(plan: usize, kind: i32, lr: f64, beta1: f64, beta2: f64, eps: f64, c1: f64, c2: f64): i32 { return planUpdate<f64>(plan, kind, lr, beta1, beta2, eps, c1, c2); }
/** f32 full step (assembly/net.ts planTrainStep): forward (dropout when keepProb < 1), cost when wantCost ≠ 0 (else NaN), backward, update (skipped when a gradient is unusable: the plan header's status says which); flags STEP_* and xMax ≥ max|x| let consecutive steps on one x share its passes. */
export function net_train_step_f32(plan: usize, x: usize, y: usize, m: i32, l2: f32, keepProb: f32, kind: i32, lr: f32, beta1: f32, beta2: f32, eps: f32, c1: f32, c2: f32, wantCost: i32, flags: i32, xMax: f64): f64 {
  return planTrainStep<f32>(plan, x, y, m, l2, keepProb, kind, lr, beta1, beta2, eps, c1, c2, wantCost != 0, flags, xMax);
}
/** f64 twin of net_train_step_f32. */
export function net_train_step_f64(plan: usize, x: usize, y: usize, m: i32, l2: f64, keepProb: f64, kind: i32, lr: f64, beta1: f64, beta2: f64, eps: f64, c1: f64, c2: f64, wantCost: i32, flags: i32, xMax: f64): f64 {
  return planTrainStep<f64>(plan, x, y, m, l2, keepProb, kind, lr, beta1, beta2, eps, c1, c2, wantCost != 0, flags, xMax);
}

// ---- edge inference over a saved model file (assembly/model.ts; error codes and limits in docs/edge.md) ----

/** Validates the model file (the bytes net.save() writes) at ptr, len bytes, and copies it into a ready-to-run model. Returns a handle > 0, or a negative error code (message: last_error). */
export function model_load(ptr: usize, len: usize): i32 { return loadModel(ptr, len, false); }
/** Features per example (n0) of a loaded model, or a negative error code. */
export function model_input_size(h: i32): i32 { return modelInputSize(h); }
/** Outputs per example (n_y) of a loaded model, or a negative error code. */
export function model_output_size(h: i32): i32 { return modelOutputSize(h); }
/** Runs m examples: inPtr → m×n0 f32 row-major (normalised inside), outPtr → m×n_y f32 row-major. Returns 0 or a negative error code. */
export function model_predict(h: i32, inPtr: usize, m: i32, outPtr: usize): i32 { return modelPredict(h, inPtr, m, outPtr); }
/** Releases every byte of a loaded model; the handle is dead afterwards. Returns 0 or a negative error code. */
export function model_free(h: i32): i32 { return modelFree(h); }
/** Copies the last error message (UTF-8, at most 256 bytes) to ptrOut and returns its length; ptrOut = 0 only returns the length. */
export function last_error(ptrOut: usize): i32 { return lastError(ptrOut); }
