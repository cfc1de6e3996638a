// A whole network laid out in linear memory (a "plan", assembly/plan.ts), so a forward pass or a full
// training step is one call from the host: tiny nets are dominated by call overhead, not arithmetic.
// Activations are features-first, (units × examples) with examples contiguous, m ≤ capacity.
import { gemm, optimParallel } from "./dispatch";
import { actForward, actBackward, softmaxForward, probMinusTarget } from "./act";
import { sumRows, bceLoss, crossEntropyLoss, squaredError, dot } from "./reduce";
import { maxAbs } from "./finite";
import { axpy, mul } from "./update";
import { optimStep } from "./optim";
import {
  header, layer, ACT_SOFTMAX, ACT_SIGMOID, LOSS_BCE, LOSS_CE, LOSS_MSE, OPT_GD, OPT_ADAM,
  STATUS_OK, STATUS_NONFINITE, STATUS_BAD_KIND,
} from "./plan";

// The edge model (assembly/model.ts) builds plans too.
export { layerAt, HEADER_BYTES, LAYER_BYTES } from "./plan";
export const SOFTMAX: i32 = ACT_SOFTMAX;

/** Forward pass of m examples (x: n0×m) through every layer; returns A_L's pointer. Dropout when keepProb < 1. */
export function planForward<T>(plan: usize, x: usize, m: i32, keepProb: T): usize {
  const L = header(plan).layers;
  const slope = <T>header(plan).slope;
  let prev = x;
  for (let l = 0; l < L; l++) {
    const r = layer(plan, l);
    const units = r.units, inputs = r.inputs, act = r.act;
    const z = <usize>r.z, a = <usize>r.a;
    gemm<T>(false, false, units, m, inputs, <T>1, r.w, inputs, prev, m, <T>0, z, m);
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

/** Backward pass after planForward(x): every dW, db (with L2); dA⁰ is never formed. */
export function planBackward<T>(plan: usize, x: usize, y: usize, m: i32, l2: T, dropout: bool): void {
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
    gemm<T>(false, true, units, inputs, m, invM, dz, m, prevA, m, <T>0, dw, inputs);
    if (l2 > <T>0) axpy<T>(units * inputs, l2 * invM, w, dw);
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

/** True when every dW and db is finite and lr·|g| stays below the type's range (see gradientLimit). */
export function gradientsUsable<T>(plan: usize, lr: f64): bool {
  const L = header(plan).layers;
  let worst: f64 = 0;
  for (let l = 0; l < L; l++) {
    const r = layer(plan, l);
    // maxAbs propagates NaN, and NaN fails every comparison below.
    worst = max(worst, max(maxAbs<T>(r.dw, r.units * r.inputs), maxAbs<T>(r.db, r.units)));
  }
  const limit = gradientLimit<T>();
  return worst <= limit && worst * lr <= (sizeof<T>() == 4 ? 1e30 : 1e300);
}

/**
 * One optimiser update of every W and b from the gradients of the last backward pass. Nothing changes
 * unless every gradient is usable (gradientsUsable). Writes and returns the header's status (STATUS_*).
 */
export function planUpdate<T>(plan: usize, kind: i32, lr: T, beta1: T, beta2: T, eps: T, c1: T, c2: T): i32 {
  const h = header(plan);
  if (kind < OPT_GD || kind > OPT_ADAM) return h.status = STATUS_BAD_KIND;
  if (!gradientsUsable<T>(plan, <f64>lr)) return h.status = STATUS_NONFINITE;
  const L = h.layers;
  for (let l = 0; l < L; l++) {
    const r = layer(plan, l);
    const n = r.units * r.inputs;
    // Threads build with a pool: a large W is updated in parallel blocks (elementwise: the same bytes).
    if (!ASC_FEATURE_THREADS || !optimParallel<T>(kind, n, r.w, r.dw, r.vw, r.sw, lr, beta1, beta2, eps, c1, c2)) {
      optimStep<T>(kind, n, r.w, r.dw, r.vw, r.sw, lr, beta1, beta2, eps, c1, c2);
    }
    optimStep<T>(kind, r.units, r.b, r.db, r.vb, r.sb, lr, beta1, beta2, eps, c1, c2);
  }
  return h.status = STATUS_OK;
}
