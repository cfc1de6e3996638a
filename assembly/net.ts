// A whole network laid out in linear memory (a "plan"), so a forward pass or a full training step
// is one call from the host: tiny nets are dominated by call overhead, not arithmetic.
//
// Plan header (bytes):  0 i32 L (weight layers)   4 i32 dtype (1 f32, 2 f64)   8 i32 capacity (examples)
//                      12 i32 loss (0 bce, 1 cross-entropy, 2 mse)   16 f64 leaky slope
//                      24 u32×4 xoshiro128** state for dropout masks   40 reserved to 64
// Then one 64-byte record per layer l (i32 fields):
//   0 units  4 inputs  8 activation (0–4 as act.ts, 5 softmax)  12 W  16 b  20 dW  24 db
//   28 Z  32 A  36 dZ  40 D (dropout mask or 0)  44 Ad (dropped A or 0)  48 vW  52 vb  56 sW  60 sb
// Activations are features-first, (units × examples) with examples contiguous, m ≤ capacity.
import { gemm, optimParallel } from "./dispatch";
import { actForward, actBackward, softmaxForward, probMinusTarget } from "./act";
import { sumRows, bceLoss, crossEntropyLoss, squaredError, dot } from "./reduce";
import { axpy, mul } from "./update";
import { optimStep } from "./optim";

export const HEADER_BYTES: usize = 64;
export const LAYER_BYTES: usize = 64;
export const SOFTMAX: i32 = 5;
export const LOSS_BCE: i32 = 0;
export const LOSS_CE: i32 = 1;
export const LOSS_MSE: i32 = 2;

/** Address of layer l's record. */
@inline export function layerAt(plan: usize, l: i32): usize {
  return plan + HEADER_BYTES + <usize>l * LAYER_BYTES;
}

@inline function field(layer: usize, offset: usize): i32 { return load<i32>(layer + offset); }
@inline function ptr(layer: usize, offset: usize): usize { return <usize>load<u32>(layer + offset); }

/** Forward pass of m examples (x: n0×m) through every layer; returns A_L's pointer. Dropout when keepProb < 1. */
export function planForward<T>(plan: usize, x: usize, m: i32, keepProb: T): usize {
  const L = load<i32>(plan);
  const slope = <T>load<f64>(plan, 16);
  let prev = x;
  for (let l = 0; l < L; l++) {
    const layer = layerAt(plan, l);
    const units = field(layer, 0), inputs = field(layer, 4), act = field(layer, 8);
    const z = ptr(layer, 28), a = ptr(layer, 32);
    gemm<T>(false, false, units, m, inputs, <T>1, ptr(layer, 12), inputs, prev, m, <T>0, z, m);
    if (act == SOFTMAX) softmaxForward<T>(z, ptr(layer, 16), a, units, m);
    else actForward<T>(act, z, ptr(layer, 16), a, units, m, slope);
    prev = a;
    if (keepProb < <T>1 && l < L - 1) {
      const d = ptr(layer, 40), ad = ptr(layer, 44);
      fillMask<T>(plan, d, units * m, keepProb);
      mul<T>(units * m, a, d, ad);
      prev = ad;
    }
  }
  return prev;
}

/** xoshiro128** step on the plan's state: the same masks in every build for the same seed. */
@inline function nextU32(plan: usize): u32 {
  const s = plan + 24;
  let s0 = load<u32>(s), s1 = load<u32>(s, 4), s2 = load<u32>(s, 8), s3 = load<u32>(s, 12);
  const result = rotl<u32>(s1 * 5, 7) * 9;
  const t = s1 << 9;
  s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl<u32>(s3, 11);
  store<u32>(s, s0); store<u32>(s, s1, 4); store<u32>(s, s2, 8); store<u32>(s, s3, 12);
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
  const L = load<i32>(plan);
  const out = layerAt(plan, L - 1);
  const a = ptr(out, 32);
  const n = field(out, 0) * m;
  const loss = load<i32>(plan, 12);
  const eps: f64 = sizeof<T>() == 4 ? 1e-7 : 1e-15;
  let cost: f64 = loss == LOSS_BCE ? bceLoss<T>(a, y, n, eps) / <f64>m
    : loss == LOSS_CE ? crossEntropyLoss<T>(a, y, n, eps) / <f64>m
    : squaredError<T>(a, y, n) / (2.0 * <f64>m);
  if (l2 > 0) {
    let squares: f64 = 0;
    for (let l = 0; l < L; l++) {
      const layer = layerAt(plan, l);
      const w = ptr(layer, 12);
      squares += dot<T>(w, w, field(layer, 0) * field(layer, 4));
    }
    cost += l2 / (2.0 * <f64>m) * squares;
  }
  return cost;
}

/** Backward pass after planForward(x): every dW, db (with L2); dA⁰ is never formed. */
export function planBackward<T>(plan: usize, x: usize, y: usize, m: i32, l2: T, dropout: bool): void {
  const L = load<i32>(plan);
  const slope = <T>load<f64>(plan, 16);
  const out = layerAt(plan, L - 1);
  const outUnits = field(out, 0);
  const dzL = ptr(out, 36);
  probMinusTarget<T>(ptr(out, 32), y, dzL, outUnits * m, <T>1);
  // (sigmoid, bce), (softmax, ce) and (linear, mse) give dZ = A − Y; sigmoid with mse still needs σ'.
  if (load<i32>(plan, 12) == LOSS_MSE && field(out, 8) == 1) {
    actBackward<T>(1, ptr(out, 28), ptr(out, 32), dzL, dzL, outUnits * m, slope);
  }
  const invM = <T>1 / <T>m;
  for (let l = L - 1; l >= 0; l--) {
    const layer = layerAt(plan, l);
    const units = field(layer, 0), inputs = field(layer, 4);
    const dz = ptr(layer, 36), w = ptr(layer, 12), dw = ptr(layer, 20);
    let prevA = x;
    if (l > 0) {
      const below = layerAt(plan, l - 1);
      prevA = dropout ? ptr(below, 44) : ptr(below, 32);
    }
    gemm<T>(false, true, units, inputs, m, invM, dz, m, prevA, m, <T>0, dw, inputs);
    if (l2 > <T>0) axpy<T>(units * inputs, l2 * invM, w, dw);
    sumRows<T>(dz, units, m, ptr(layer, 24), invM);
    if (l > 0) {
      const below = layerAt(plan, l - 1);
      const belowUnits = field(below, 0);
      const da = ptr(below, 36);
      gemm<T>(true, false, belowUnits, m, units, <T>1, w, inputs, dz, m, <T>0, da, m);
      if (dropout) mul<T>(belowUnits * m, da, ptr(below, 40), da);
      actBackward<T>(field(below, 8), ptr(below, 28), ptr(below, 32), da, da, belowUnits * m, slope);
    }
  }
}

/** One optimiser update of every W and b from the gradients of the last backward pass. Returns 0 or -1. */
export function planUpdate<T>(plan: usize, kind: i32, lr: T, beta1: T, beta2: T, eps: T, c1: T, c2: T): i32 {
  const L = load<i32>(plan);
  for (let l = 0; l < L; l++) {
    const layer = layerAt(plan, l);
    const units = field(layer, 0), inputs = field(layer, 4);
    if (kind < 0 || kind > 3) return -1;
    // Threads build with a pool: a large W is updated in parallel blocks (elementwise: the same bytes).
    if (!ASC_FEATURE_THREADS || !optimParallel<T>(kind, units * inputs, ptr(layer, 12), ptr(layer, 20), ptr(layer, 48), ptr(layer, 56), lr, beta1, beta2, eps, c1, c2)) {
      optimStep<T>(kind, units * inputs, ptr(layer, 12), ptr(layer, 20), ptr(layer, 48), ptr(layer, 56), lr, beta1, beta2, eps, c1, c2);
    }
    optimStep<T>(kind, units, ptr(layer, 16), ptr(layer, 24), ptr(layer, 52), ptr(layer, 60), lr, beta1, beta2, eps, c1, c2);
  }
  return 0;
}
