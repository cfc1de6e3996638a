// Activations: the fused bias-add + forward and the backward of each kind, side by side.
// Matrices are (rows × cols) row-major with one bias per row: the course's (units × examples).
// Every kind runs on v128 under ASC_FEATURE_SIMD; sigmoid, tanh and softmax use the vector
// transcendentals of math.ts, whose scalar twins (used by the tails and the scalar build) give the same bits.
import { expT, expV, tanhT, sigmoidT, mathMap, MATH_SIGMOID, MATH_TANH } from "./math";

export const LINEAR: i32 = 0;
export const SIGMOID: i32 = 1;
export const TANH: i32 = 2;
export const RELU: i32 = 3;
export const LEAKY_RELU: i32 = 4;

/** Z[i,:] += bias[i] when bias ≠ 0, then A = f(Z); A may alias Z. Returns 0, or -1 for an unknown kind. */
export function actForward<T>(kind: i32, z: usize, bias: usize, a: usize, rows: i32, cols: i32, slope: T): i32 {
  if (kind < LINEAR || kind > LEAKY_RELU) return -1;
  const size = <usize>sizeof<T>();
  const rowBytes = <usize>cols * size;
  for (let i = 0; i < rows; i++) {
    const zr = z + <usize>i * rowBytes;
    const ar = a + <usize>i * rowBytes;
    const bv: T = bias ? load<T>(bias + <usize>i * size) : <T>0;
    let q: usize = 0;
    if (ASC_FEATURE_SIMD) {
      const vb = v128.splat<T>(bv);
      const vs = v128.splat<T>(slope);
      const zero = v128.splat<T>(0);
      if (kind == SIGMOID || kind == TANH) {
        // Bias add, then the vector transcendental over the row (math.ts; one copy of its code).
        for (; q + 16 <= rowBytes; q += 16) v128.store(zr + q, v128.add<T>(v128.load(zr + q), vb));
        for (; q < rowBytes; q += size) store<T>(zr + q, load<T>(zr + q) + bv);
        mathMap<T>(kind == SIGMOID ? MATH_SIGMOID : MATH_TANH, zr, ar, cols);
        continue;
      } else {
        for (; q + 16 <= rowBytes; q += 16) {
          const v = v128.add<T>(v128.load(zr + q), vb);
          v128.store(zr + q, v);
          let out = v;
          if (kind == RELU) out = v128.max<T>(v, zero);
          else if (kind == LEAKY_RELU) out = v128.bitselect(v, v128.mul<T>(v, vs), v128.gt<T>(v, zero));
          v128.store(ar + q, out);
        }
      }
    }
    for (; q < rowBytes; q += size) {
      const v = load<T>(zr + q) + bv;
      store<T>(zr + q, v);
      store<T>(ar + q, activate<T>(kind, v, slope));
    }
  }
  return 0;
}

/** f(z) for one element. */
@inline function activate<T>(kind: i32, v: T, slope: T): T {
  if (kind == SIGMOID) return sigmoidT<T>(v);
  if (kind == TANH) return tanhT<T>(v);
  if (kind == RELU) return max<T>(v, <T>0); // NaN-propagating, like f32x4.max in the SIMD loop
  if (kind == LEAKY_RELU) return v > <T>0 ? v : v * slope;
  return v;
}

/** dZ = dA ⊙ f'(Z) over n elements, using A for sigmoid/tanh and Z for the relus. dZ may alias dA. Returns 0, or -1 for an unknown kind. */
export function actBackward<T>(kind: i32, z: usize, a: usize, da: usize, dz: usize, n: i32, slope: T): i32 {
  if (kind < LINEAR || kind > LEAKY_RELU) return -1;
  const size = <usize>sizeof<T>();
  const bytes = <usize>n * size;
  let q: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const one = v128.splat<T>(1);
    const zero = v128.splat<T>(0);
    const vs = v128.splat<T>(slope);
    for (; q + 16 <= bytes; q += 16) {
      const g = v128.load(da + q);
      let out = g;
      if (kind == SIGMOID) {
        const av = v128.load(a + q);
        out = v128.mul<T>(v128.mul<T>(g, av), v128.sub<T>(one, av));
      } else if (kind == TANH) {
        const av = v128.load(a + q);
        out = v128.mul<T>(g, v128.mul<T>(v128.sub<T>(one, av), v128.add<T>(one, av))); // (1−a)(1+a): no cancellation near |a| = 1
      } else if (kind == RELU) {
        out = v128.and(g, v128.gt<T>(v128.load(z + q), zero));
      } else if (kind == LEAKY_RELU) {
        out = v128.bitselect(g, v128.mul<T>(g, vs), v128.gt<T>(v128.load(z + q), zero));
      }
      v128.store(dz + q, out);
    }
  }
  for (; q < bytes; q += size) {
    store<T>(dz + q, load<T>(da + q) * derivative<T>(kind, load<T>(z + q), load<T>(a + q), slope));
  }
  return 0;
}

/** f'(z) for one element, from z or a = f(z). */
@inline function derivative<T>(kind: i32, zv: T, av: T, slope: T): T {
  if (kind == SIGMOID) return av * (<T>1 - av);
  if (kind == TANH) return (<T>1 - av) * (<T>1 + av);
  if (kind == RELU) return zv > <T>0 ? <T>1 : <T>0;
  if (kind == LEAKY_RELU) return zv > <T>0 ? <T>1 : slope;
  return <T>1;
}

/**
 * Z[i,:] += bias[i] when bias ≠ 0, then each column of A is softmax of that column of Z (max-shifted).
 * SIMD: four (f32) or two (f64) adjacent columns at a time; each column's max skips NaNs (pmax: a < b ? b : a)
 * and its sum runs down the rows in f64, as in the scalar loop, so both give the same bits.
 */
export function softmaxForward<T>(z: usize, bias: usize, a: usize, rows: i32, cols: i32): void {
  const size = <usize>sizeof<T>();
  const rowBytes = <usize>cols * size;
  if (bias) {
    for (let i = 0; i < rows; i++) {
      const zr = z + <usize>i * rowBytes;
      const bv = load<T>(bias + <usize>i * size);
      let q: usize = 0;
      if (ASC_FEATURE_SIMD) {
        const vb = v128.splat<T>(bv);
        for (; q + 16 <= rowBytes; q += 16) v128.store(zr + q, v128.add<T>(v128.load(zr + q), vb));
      }
      for (; q < rowBytes; q += size) store<T>(zr + q, load<T>(zr + q) + bv);
    }
  }
  let jb: usize = 0; // byte offset of the current column block
  if (ASC_FEATURE_SIMD) {
    const negInf = v128.splat<T>(-Infinity);
    for (; jb + 16 <= rowBytes; jb += 16) {
      const zc = z + jb, ac = a + jb;
      let mx = negInf;
      for (let i = 0; i < rows; i++) mx = v128.pmax<T>(mx, v128.load(zc + <usize>i * rowBytes));
      // An all -Infinity column would give NaN; treat it as zero mass instead (as the scalar loop does).
      mx = v128.bitselect(v128.splat<T>(0), mx, v128.eq<T>(mx, negInf));
      let sumLo = f64x2.splat(0), sumHi = f64x2.splat(0);
      for (let i = 0; i < rows; i++) {
        const off = <usize>i * rowBytes;
        const e = expV<T>(v128.sub<T>(v128.load(zc + off), mx));
        v128.store(ac + off, e);
        if (sizeof<T>() == 4) {
          sumLo = f64x2.add(sumLo, f64x2.promote_low_f32x4(e));
          sumHi = f64x2.add(sumHi, f64x2.promote_low_f32x4(i64x2.shuffle(e, e, 1, 0)));
        } else {
          sumLo = f64x2.add(sumLo, e);
        }
      }
      const one = f64x2.splat(1);
      const inv = sizeof<T>() == 4
        ? i64x2.shuffle(f32x4.demote_f64x2_zero(f64x2.div(one, sumLo)), f32x4.demote_f64x2_zero(f64x2.div(one, sumHi)), 0, 2)
        : f64x2.div(one, sumLo);
      for (let i = 0; i < rows; i++) {
        const off = <usize>i * rowBytes;
        v128.store(ac + off, v128.mul<T>(v128.load(ac + off), inv));
      }
    }
  }
  for (; jb < rowBytes; jb += size) {
    const zc = z + jb, ac = a + jb;
    let mx: T = -Infinity;
    for (let i = 0; i < rows; i++) { const v = load<T>(zc + <usize>i * rowBytes); mx = mx < v ? v : mx; }
    if (mx == -Infinity) mx = 0;
    let sum: f64 = 0;
    for (let i = 0; i < rows; i++) {
      const off = <usize>i * rowBytes;
      const e = expT<T>(load<T>(zc + off) - mx);
      store<T>(ac + off, e);
      sum += <f64>e;
    }
    const inv = <T>(1.0 / sum);
    for (let i = 0; i < rows; i++) {
      const off = <usize>i * rowBytes;
      store<T>(ac + off, load<T>(ac + off) * inv);
    }
  }
}

/** dZ = scale·(A − Y) over n elements: the gradient of softmax + cross-entropy (and sigmoid + BCE) w.r.t. Z. */
export function probMinusTarget<T>(a: usize, y: usize, dz: usize, n: i32, scale: T): void {
  const size = <usize>sizeof<T>();
  const bytes = <usize>n * size;
  let q: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const vs = v128.splat<T>(scale);
    for (; q + 16 <= bytes; q += 16) {
      v128.store(dz + q, v128.mul<T>(vs, v128.sub<T>(v128.load(a + q), v128.load(y + q))));
    }
  }
  for (; q < bytes; q += size) store<T>(dz + q, scale * (load<T>(a + q) - load<T>(y + q)));
}

// Clipped and evaluated in f64 like bceLoss: in f32, 1 − eps would round (1 − 1e-7 → 1 − 2^-23),
// making the gradient at a = 1 inconsistent with the loss by ~16%.
/** dA = −(Y/A − (1−Y)/(1−A)), the course's dAL of binary cross-entropy, with A clipped to [eps, 1−eps]. */
export function bceGrad<T>(a: usize, y: usize, da: usize, n: i32, eps: T): void {
  const size = <usize>sizeof<T>();
  const lo = <f64>eps;
  const hi = 1.0 - lo;
  for (let q: usize = 0, bytes = <usize>n * size; q < bytes; q += size) {
    let av = <f64>load<T>(a + q);
    av = av < lo ? lo : av > hi ? hi : av;
    const yv = <f64>load<T>(y + q);
    store<T>(da + q, <T>(-(yv / av - (1.0 - yv) / (1.0 - av))));
  }
}
