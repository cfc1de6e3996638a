// Fused optimiser updates: one pass over a parameter, its gradient and its state per step.
// kind 0 gradient descent, 1 momentum, 2 RMSprop, 3 Adam (bias-corrected as in the course).

export const GD: i32 = 0;
export const MOMENTUM: i32 = 1;
export const RMSPROP: i32 = 2;
export const ADAM: i32 = 3;

/**
 * Moments (v, s) smaller in magnitude than the smallest normal number are stored as +0. A weight whose
 * gradient stays 0 (a dead relu unit) has its first moment decay by beta1 every step into the subnormal
 * range (f32: after about 800 steps at beta1 = 0.9), and x86 cores take a microcode assist on every
 * subnormal operand: on an Intel Xeon the MLP's Adam step went from 1.6 to 3.4 ms once that happened.
 * Flushing changes a moment by less than 2^-126 (f32) or 2^-1022 (f64); NaN and ±Inf are kept.
 */
@inline function flushSubnormal<T>(x: v128): v128 {
  const smallest = v128.splat<T>(sizeof<T>() == 4 ? <T>1.1754943508222875e-38 : <T>2.2250738585072014e-308);
  return v128.andnot(x, v128.lt<T>(v128.abs<T>(x), smallest));
}

/** Scalar twin of flushSubnormal. */
@inline function flushSubnormalScalar<T>(x: T): T {
  return abs<T>(x) < (sizeof<T>() == 4 ? <T>1.1754943508222875e-38 : <T>2.2250738585072014e-308) ? <T>0 : x;
}

/**
 * Updates n parameters w from gradients g, with first-moment state v and second-moment state s
 * (unused states may be 0). c1 = 1 − beta1^t and c2 = 1 − beta2^t are Adam's bias corrections.
 * Returns 0, or -1 for an unknown kind.
 */
export function optimStep<T>(kind: i32, n: i32, w: usize, g: usize, v: usize, s: usize, lr: T, beta1: T, beta2: T, eps: T, c1: T, c2: T): i32 {
  if (kind < GD || kind > ADAM) return -1;
  const size = <usize>sizeof<T>();
  const bytes = <usize>n * size;
  const m1 = <T>1 - beta1;
  const m2 = <T>1 - beta2;
  // Adam's bias corrections as multiplications: one division per element instead of three (the
  // course's v/c1 and s/c2 differ from v·(1/c1) and s·(1/c2) by at most an ulp each).
  const r1 = <T>1 / c1;
  const r2 = <T>1 / c2;
  let q: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const vlr = v128.splat<T>(lr), vb1 = v128.splat<T>(beta1), vb2 = v128.splat<T>(beta2);
    const vm1 = v128.splat<T>(m1), vm2 = v128.splat<T>(m2), veps = v128.splat<T>(eps);
    const vr1 = v128.splat<T>(r1), vr2 = v128.splat<T>(r2);
    for (; q + 16 <= bytes; q += 16) {
      const gv = v128.load(g + q);
      let step = gv;
      if (kind == MOMENTUM) {
        step = flushSubnormal<T>(v128.add<T>(v128.mul<T>(vb1, v128.load(v + q)), v128.mul<T>(vm1, gv)));
        v128.store(v + q, step);
      } else if (kind == RMSPROP) {
        const sv = flushSubnormal<T>(v128.add<T>(v128.mul<T>(vb2, v128.load(s + q)), v128.mul<T>(vm2, v128.mul<T>(gv, gv))));
        v128.store(s + q, sv);
        step = v128.div<T>(gv, v128.add<T>(v128.sqrt<T>(sv), veps));
      } else if (kind == ADAM) {
        const vv = flushSubnormal<T>(v128.add<T>(v128.mul<T>(vb1, v128.load(v + q)), v128.mul<T>(vm1, gv)));
        const sv = flushSubnormal<T>(v128.add<T>(v128.mul<T>(vb2, v128.load(s + q)), v128.mul<T>(vm2, v128.mul<T>(gv, gv))));
        v128.store(v + q, vv);
        v128.store(s + q, sv);
        step = v128.div<T>(v128.mul<T>(vv, vr1), v128.add<T>(v128.sqrt<T>(v128.mul<T>(sv, vr2)), veps));
      }
      v128.store(w + q, v128.sub<T>(v128.load(w + q), v128.mul<T>(vlr, step)));
    }
  }
  for (; q < bytes; q += size) {
    const gv = load<T>(g + q);
    let step = gv;
    if (kind == MOMENTUM) {
      step = flushSubnormalScalar<T>(beta1 * load<T>(v + q) + m1 * gv);
      store<T>(v + q, step);
    } else if (kind == RMSPROP) {
      const sv = flushSubnormalScalar<T>(beta2 * load<T>(s + q) + m2 * (gv * gv));
      store<T>(s + q, sv);
      step = gv / (<T>sqrt<T>(sv) + eps);
    } else if (kind == ADAM) {
      const vv = flushSubnormalScalar<T>(beta1 * load<T>(v + q) + m1 * gv);
      const sv = flushSubnormalScalar<T>(beta2 * load<T>(s + q) + m2 * (gv * gv));
      store<T>(v + q, vv);
      store<T>(s + q, sv);
      step = (vv * r1) / (<T>sqrt<T>(sv * r2) + eps);
    }
    store<T>(w + q, load<T>(w + q) - lr * step);
  }
  return 0;
}
