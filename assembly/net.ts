// A whole network laid out in linear memory (a "plan", assembly/plan.ts), so a forward pass or a full
// training step is one call from the host: tiny nets are dominated by call overhead, not arithmetic.
// Activations are features-first, (units × examples) with examples contiguous, m ≤ capacity.
import { gemm, optimParallel } from "./dispatch";
import { gemmPath, tileDepth, PATH_TILE, DOT_MAX_COLS } from "./gemm";
import { actForward, actBackward, softmaxForward, probMinusTarget } from "./act";
import { sumRows, bceLoss, crossEntropyLoss, squaredError, dot } from "./reduce";
import { maxAbs } from "./finite";
import { axpy, mul } from "./update";
import { optimStep } from "./optim";
import {
  header, layer, ACT_SOFTMAX, ACT_SIGMOID, LOSS_BCE, LOSS_CE, LOSS_MSE, OPT_GD, OPT_ADAM,
  STATUS_OK, STATUS_NONFINITE, STATUS_BAD_KIND, STEP_USE_PREPARED, STEP_PREPARE,
} from "./plan";

// The edge model (assembly/model.ts) builds plans too.
export { layerAt, HEADER_BYTES, LAYER_BYTES } from "./plan";
export const SOFTMAX: i32 = ACT_SOFTMAX;

/**
 * Forward pass of m examples (x: n0×m) through every layer; returns A_L's pointer. Dropout when keepProb < 1.
 * With `prepared`, layer 1's z already holds W¹·x (prepareNext). Every forward pass clears the header's ready.
 */
export function planForward<T>(plan: usize, x: usize, m: i32, keepProb: T, prepared: bool = false): usize {
  header(plan).ready = 0;
  const L = header(plan).layers;
  const slope = <T>header(plan).slope;
  let prev = x;
  for (let l = 0; l < L; l++) {
    const r = layer(plan, l);
    const units = r.units, inputs = r.inputs, act = r.act;
    const z = <usize>r.z, a = <usize>r.a;
    if (l > 0 || !prepared) gemm<T>(false, false, units, m, inputs, <T>1, r.w, inputs, prev, m, <T>0, z, m);
    if (act == ACT_SOFTMAX) softmaxForward<T>(z, r.b, a, units, m);
    else actForward<T>(act, z, r.b, a, units, m, slope);
    prev = a;
    if (keepProb < <T>1 && l < L - 1) {
      fillMask<T>(plan, r.d, units * m, keepProb);
      mul<T>(units * m, a, r.d, r.ad);
      prev = r.ad;
    }
  }
  return prev;
}

/** xoshiro128** step on the plan's state: the same masks in every build for the same seed. */
@inline function nextU32(plan: usize): u32 {
  const h = header(plan);
  let s0 = h.rng0, s1 = h.rng1, s2 = h.rng2, s3 = h.rng3;
  const result = rotl<u32>(s1 * 5, 7) * 9;
  const t = s1 << 9;
  s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl<u32>(s3, 11);
  h.rng0 = s0; h.rng1 = s1; h.rng2 = s2; h.rng3 = s3;
  return result;
}

/** Inverted-dropout mask: 1/keepProb with probability keepProb, else 0 (24-bit uniforms). */
function fillMask<T>(plan: usize, d: usize, n: i32, keepProb: T): void {
  const threshold = <u32>(<f64>keepProb * 16777216.0);
  const scale = <T>1 / keepProb;
  for (let q = 0; q < n; q++) {
    store<T>(d + <usize>q * sizeof<T>(), (nextU32(plan) >>> 8) < threshold ? scale : <T>0);
  }
}

/** The loss of the last forward pass (sum over outputs and examples / m) plus λ/(2m)·Σ‖W‖². */
export function planCost<T>(plan: usize, y: usize, m: i32, l2: f64): f64 {
  const L = header(plan).layers;
  const out = layer(plan, L - 1);
  const a = <usize>out.a;
  const n = out.units * m;
  const loss = header(plan).loss;
  const eps: f64 = sizeof<T>() == 4 ? 1e-7 : 1e-15;
  let cost: f64 = loss == LOSS_BCE ? bceLoss<T>(a, y, n, eps) / <f64>m
    : loss == LOSS_CE ? crossEntropyLoss<T>(a, y, n, eps) / <f64>m
    : squaredError<T>(a, y, n) / (2.0 * <f64>m);
  if (l2 > 0) {
    let squares: f64 = 0;
    for (let l = 0; l < L; l++) {
      const r = layer(plan, l);
      squares += dot<T>(r.w, r.w, r.units * r.inputs);
    }
    cost += l2 / (2.0 * <f64>m) * squares;
  }
  return cost;
}

/** Backward pass after planForward(x): every dW, db (with L2), but layer 1's dW with skipFirstDw; dA⁰ is never formed. */
export function planBackward<T>(plan: usize, x: usize, y: usize, m: i32, l2: T, dropout: bool, skipFirstDw: bool = false): void {
  const L = header(plan).layers;
  const slope = <T>header(plan).slope;
  const out = layer(plan, L - 1);
  const outUnits = out.units;
  const dzL = <usize>out.dz;
  probMinusTarget<T>(out.a, y, dzL, outUnits * m, <T>1);
  // (sigmoid, bce), (softmax, ce) and (linear, mse) give dZ = A − Y; sigmoid with mse still needs σ'.
  if (header(plan).loss == LOSS_MSE && out.act == ACT_SIGMOID) {
    actBackward<T>(ACT_SIGMOID, out.z, out.a, dzL, dzL, outUnits * m, slope);
  }
  const invM = <T>1 / <T>m;
  for (let l = L - 1; l >= 0; l--) {
    const r = layer(plan, l);
    const units = r.units, inputs = r.inputs;
    const dz = <usize>r.dz, w = <usize>r.w, dw = <usize>r.dw;
    let prevA = x;
    if (l > 0) {
      const below = layer(plan, l - 1);
      prevA = dropout ? below.ad : below.a;
    }
    if (l > 0 || !skipFirstDw) {
      gemm<T>(false, true, units, inputs, m, invM, dz, m, prevA, m, <T>0, dw, inputs);
      if (l2 > <T>0) axpy<T>(units * inputs, l2 * invM, w, dw);
    }
    sumRows<T>(dz, units, m, r.db, invM);
    if (l > 0) {
      const below = layer(plan, l - 1);
      const belowUnits = below.units;
      const da = <usize>below.dz;
      gemm<T>(true, false, belowUnits, m, units, <T>1, w, inputs, dz, m, <T>0, da, m);
      if (dropout) mul<T>(belowUnits * m, da, below.d, da);
      actBackward<T>(below.act, below.z, below.a, da, da, belowUnits * m, slope);
    }
  }
}

/**
 * The largest gradient step an update may take: a gradient whose square or whose product with the
 * learning rate would overflow (or that is NaN or ±Infinity) means training diverged. Below these bounds
 * every optimiser's new weights and moments are finite (|g|² and |lr·g| stay below the type's maximum).
 */
@inline function gradientLimit<T>(): f64 { return sizeof<T>() == 4 ? 1.8e19 : 1.3e154; }

/** True when gradients up to `worst` in magnitude may be applied with learning rate lr (see gradientLimit). */
@inline function usable<T>(worst: f64, lr: f64): bool {
  return worst <= gradientLimit<T>() && worst * lr <= (sizeof<T>() == 4 ? 1e30 : 1e300);
}

/** True when every dW and db is finite and lr·|g| stays below the type's range (see gradientLimit). */
export function gradientsUsable<T>(plan: usize, lr: f64): bool {
  const L = header(plan).layers;
  let worst: f64 = 0;
  for (let l = 0; l < L; l++) {
    const r = layer(plan, l);
    // maxAbs propagates NaN, and NaN fails every comparison in usable.
    worst = max(worst, max(maxAbs<T>(r.dw, r.units * r.inputs), maxAbs<T>(r.db, r.units)));
  }
  return usable<T>(worst, lr);
}

/**
 * One optimiser update of every W and b from the gradients of the last backward pass. Nothing changes
 * unless every gradient is usable (gradientsUsable). Writes and returns the header's status (STATUS_*).
 */
export function planUpdate<T>(plan: usize, kind: i32, lr: T, beta1: T, beta2: T, eps: T, c1: T, c2: T): i32 {
  const h = header(plan);
  if (kind < OPT_GD || kind > OPT_ADAM) return h.status = STATUS_BAD_KIND;
  if (!gradientsUsable<T>(plan, <f64>lr)) return h.status = STATUS_NONFINITE;
  applyUpdates<T>(plan, kind, lr, beta1, beta2, eps, c1, c2, true);
  return h.status = STATUS_OK;
}

/** The optimiser step of every W and b, but layer 1's W unless firstW (prepareNext updated it). */
function applyUpdates<T>(plan: usize, kind: i32, lr: T, beta1: T, beta2: T, eps: T, c1: T, c2: T, firstW: bool): void {
  const L = header(plan).layers;
  for (let l = 0; l < L; l++) {
    const r = layer(plan, l);
    const n = r.units * r.inputs;
    // Threads build with a pool: a large W is updated in parallel blocks (elementwise: the same bytes).
    if ((l > 0 || firstW) && (!ASC_FEATURE_THREADS || !optimParallel<T>(kind, n, r.w, r.dw, r.vw, r.sw, lr, beta1, beta2, eps, c1, c2))) {
      optimStep<T>(kind, n, r.w, r.dw, r.vw, r.sw, lr, beta1, beta2, eps, c1, c2);
    }
    optimStep<T>(kind, r.units, r.b, r.db, r.vb, r.sb, lr, beta1, beta2, eps, c1, c2);
  }
}

/**
 * One training step: forward (with dropout when keepProb < 1), the cost when wantCost (else NaN), backward,
 * update (skipped when a gradient is unusable: the header's status says which). flags (STEP_*): with
 * STEP_USE_PREPARED the forward pass takes layer 1's z as the previous step prepared it for this x and m;
 * with STEP_PREPARE this step may prepare it for the next (prepareNext), given xMax ≥ max|x| (NaN: never).
 */
export function planTrainStep<T>(plan: usize, x: usize, y: usize, m: i32, l2: T, keepProb: T, kind: i32, lr: T,
  beta1: T, beta2: T, eps: T, c1: T, c2: T, wantCost: bool, flags: i32, xMax: f64): f64 {
  const h = header(plan);
  const prepared = (flags & STEP_USE_PREPARED) != 0 && h.ready != 0 && h.readyX == <u32>x && h.readyM == m;
  planForward<T>(plan, x, m, keepProb, prepared);
  const cost = wantCost ? planCost<T>(plan, y, m, <f64>l2) : NaN;
  // f32 and serial builds only (the f64 twin would not fit the module's 64 KiB; the fused pass is serial, and
  // a pool splits both products faster), and only where W¹·x takes the tile path (one example takes the
  // GEMV path, whose sums are not split by k block).
  const prepare = sizeof<T>() == 4 && !ASC_FEATURE_THREADS && (flags & STEP_PREPARE) != 0 && kind >= OPT_GD && kind <= OPT_ADAM
    && (!ASC_FEATURE_SIMD || gemmPath(false, false, layer(plan, 0).units, m, m) == PATH_TILE);
  planBackward<T>(plan, x, y, m, l2, keepProb < 1, prepare);
  if (prepare && preparable<T>(plan, m, l2, <f64>lr, xMax)) {
    prepareNext<T>(plan, x, m, l2, kind, lr, beta1, beta2, eps, c1, c2);
    applyUpdates<T>(plan, kind, lr, beta1, beta2, eps, c1, c2, false);
    h.status = STATUS_OK;
    h.ready = 1;
    h.readyX = <u32>x;
    h.readyM = m;
  } else {
    // Rare (a step near divergence, or m·u > 1/8): the whole backward pass again, now with layer 1's dW.
    if (prepare) planBackward<T>(plan, x, y, m, l2, keepProb < 1);
    planUpdate<T>(plan, kind, lr, beta1, beta2, eps, c1, c2);
  }
  return cost;
}

/**
 * Whether every update of this step will be applied, known before layer 1's dW exists (prepareNext applies
 * it block by block). |dW¹| = |(1/m)·dZ¹·xᵀ + λ/m·W¹| ≤ max|dZ¹|·xMax + λ/m·max|W¹|, doubled: for m·u ≤ 1/8
 * the computed sums exceed the exact ones by less than a third. The other gradients are checked exactly, and
 * so is the dW¹ buffer's stale content, which can only make the check stricter. When the check fails the
 * step takes the exact one (planUpdate) after a full backward pass.
 */
function preparable<T>(plan: usize, m: i32, l2: T, lr: f64, xMax: f64): bool {
  const unitRoundoff: f64 = sizeof<T>() == 4 ? 5.960464477539063e-8 : 1.1102230246251565e-16;
  if (!(xMax >= 0) || <f64>m * unitRoundoff > 0.125) return false;
  const r = layer(plan, 0);
  let bound = maxAbs<T>(r.dz, r.units * m) * xMax;
  if (l2 > <T>0) bound += <f64>l2 / <f64>m * maxAbs<T>(r.w, r.units * r.inputs);
  return usable<T>(2 * bound, lr) && gradientsUsable<T>(plan, lr);
}

/**
 * Layer 1's update fused with the next step's W¹·x, one k block of x at a time: the block's columns of dW¹
 * (dZ¹ times the block's rows of x, + λ/m·W¹) and their optimiser step, then z += W¹[:, block]·x[block, :]
 * while those rows of x are still in cache. x streams in once per step instead of twice (this step's
 * backward, the next step's forward). The blocks are the GEMM's own k blocks (tileDepth), so z gets the
 * bytes the next forward pass would compute, and dW¹ and W¹ the bytes of the whole products.
 */
function prepareNext<T>(plan: usize, x: usize, m: i32, l2: T, kind: i32, lr: T, beta1: T, beta2: T, eps: T, c1: T, c2: T): void {
  const r = layer(plan, 0);
  const units = r.units, inputs = r.inputs;
  const size = <usize>sizeof<T>();
  const invM = <T>1 / <T>m;
  const w = <usize>r.w, dw = <usize>r.dw, vw = <usize>r.vw, sw = <usize>r.sw;
  const rowBytes = <usize>inputs * size;
  const xRowBytes = <usize>m * size;
  const kb = tileDepth(false, inputs);
  let done = 0;
  for (let pc = 0; pc < inputs; pc += kb) {
    const kc = min(kb, inputs - pc);
    // dW¹'s columns [done, end): the block's own, and the rest with them when fewer than DOT_MAX_COLS would
    // remain (so narrow an A·Bᵀ would take the dot-product path, which sums in another order).
    let end = pc + kc;
    if (inputs - end < DOT_MAX_COLS) end = inputs;
    if (done < end) {
      const cols = end - done;
      const off = <usize>done * size;
      gemm<T>(false, true, units, cols, m, invM, r.dz, m, x + <usize>done * xRowBytes, m, <T>0, dw + off, inputs);
      for (let u = 0; u < units; u++) {
        const at = <usize>u * rowBytes + off;
        if (l2 > <T>0) axpy<T>(cols, l2 * invM, w + at, dw + at);
        optimStep<T>(kind, cols, w + at, dw + at, vw + at, sw + at, lr, beta1, beta2, eps, c1, c2);
      }
      done = end;
    }
    gemm<T>(false, false, units, m, kc, <T>1, w + <usize>pc * size, inputs, x + <usize>pc * xRowBytes, m, pc == 0 ? <T>0 : <T>1, r.z, m);
  }
}
