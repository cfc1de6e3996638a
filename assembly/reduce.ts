// Reductions: row/column sums (db), losses from probabilities, sums of squares and dots.
// Losses and norms accumulate in f64 whatever T is, so f32 costs do not drift with m.
import { logF64, logF64x2 } from "./math";

/** out[i] = scale·Σ_j X[i,j] for an (rows × cols) matrix: db in the (units × examples) layout. */
export function sumRows<T>(x: usize, rows: i32, cols: i32, out: usize, scale: T): void {
  const size = <usize>sizeof<T>();
  const rowBytes = <usize>cols * size;
  for (let i = 0; i < rows; i++) {
    const r = x + <usize>i * rowBytes;
    let q: usize = 0;
    let s: T = 0;
    if (ASC_FEATURE_SIMD) {
      let acc = v128.splat<T>(0);
      for (; q + 16 <= rowBytes; q += 16) acc = v128.add<T>(acc, v128.load(r + q));
      s = horizontalSum<T>(acc);
    }
    for (; q < rowBytes; q += size) s += load<T>(r + q);
    store<T>(out + <usize>i * size, s * scale);
  }
}

/** Sum of the lanes of a v128 of T. */
@inline function horizontalSum<T>(v: v128): T {
  if (sizeof<T>() == 4) {
    return <T>(v128.extract_lane<f32>(v, 0) + v128.extract_lane<f32>(v, 1) + v128.extract_lane<f32>(v, 2) + v128.extract_lane<f32>(v, 3));
  }
  return <T>(v128.extract_lane<f64>(v, 0) + v128.extract_lane<f64>(v, 1));
}

/** out[j] = scale·Σ_i X[i,j] for an (rows × cols) matrix. */
export function sumCols<T>(x: usize, rows: i32, cols: i32, out: usize, scale: T): void {
  const size = <usize>sizeof<T>();
  const rowBytes = <usize>cols * size;
  memory.fill(out, 0, rowBytes);
  for (let i = 0; i < rows; i++) {
    const r = x + <usize>i * rowBytes;
    let q: usize = 0;
    if (ASC_FEATURE_SIMD) {
      for (; q + 16 <= rowBytes; q += 16) v128.store(out + q, v128.add<T>(v128.load(out + q), v128.load(r + q)));
    }
    for (; q < rowBytes; q += size) store<T>(out + q, load<T>(out + q) + load<T>(r + q));
  }
  if (scale != <T>1) {
    for (let q: usize = 0; q < rowBytes; q += size) store<T>(out + q, load<T>(out + q) * scale);
  }
}

// The two log losses sum in two compensated (Kahan) f64 accumulators, even-indexed elements in one and
// odd in the other (the f64x2 lanes), added at the end; the scalar loop keeps the same two sums, so both
// builds agree bit for bit, and the sum's error stays near one rounding of the total whatever n is.

/** Loads elements q/size and q/size + 1 of T as an f64x2. */
@inline function loadPairF64<T>(p: usize): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(v128.load64_zero(p));
  return v128.load(p);
}

/** Σ −[y·ln a + (1−y)·ln(1−a)] over n elements, a clipped to [eps, 1−eps]. */
export function bceLoss<T>(a: usize, y: usize, n: i32, eps: f64): f64 {
  const size = <usize>sizeof<T>();
  const bytes = <usize>n * size;
  const hi = 1.0 - eps;
  let s0: f64 = 0, s1: f64 = 0, c0: f64 = 0, c1: f64 = 0;
  let q: usize = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = f64x2.splat(0), comp = f64x2.splat(0);
    const vlo = f64x2.splat(eps), vhi = f64x2.splat(hi), one = f64x2.splat(1);
    for (; q + 2 * size <= bytes; q += 2 * size) {
      let av = loadPairF64<T>(a + q);
      // av < eps ? eps : av > hi ? hi : av (a NaN stays NaN)
      av = v128.bitselect(vlo, v128.bitselect(vhi, av, f64x2.gt(av, vhi)), f64x2.lt(av, vlo));
      const yv = loadPairF64<T>(y + q);
      const term = f64x2.neg(f64x2.add(f64x2.mul(yv, logF64x2(av)), f64x2.mul(f64x2.sub(one, yv), logF64x2(f64x2.sub(one, av)))));
      const yk = f64x2.sub(term, comp);
      const t = f64x2.add(acc, yk);
      comp = f64x2.sub(f64x2.sub(t, acc), yk);
      acc = t;
    }
    s0 = f64x2.extract_lane(acc, 0); s1 = f64x2.extract_lane(acc, 1);
    c0 = f64x2.extract_lane(comp, 0); c1 = f64x2.extract_lane(comp, 1);
  }
  for (; q < bytes; q += size) {
    let av = <f64>load<T>(a + q);
    av = av < eps ? eps : av > hi ? hi : av;
    const yv = <f64>load<T>(y + q);
    const term = -(yv * logF64(av) + (1.0 - yv) * logF64(1.0 - av));
    if ((q / size) & 1) { const yk = term - c1, t = s1 + yk; c1 = (t - s1) - yk; s1 = t; }
    else { const yk = term - c0, t = s0 + yk; c0 = (t - s0) - yk; s0 = t; }
  }
  return (s0 + s1) - (c0 + c1);
}

/** Σ −y·ln max(a, eps) over n elements (elements with y = 0 add nothing): categorical cross-entropy of softmax outputs. */
export function crossEntropyLoss<T>(a: usize, y: usize, n: i32, eps: f64): f64 {
  const size = <usize>sizeof<T>();
  const bytes = <usize>n * size;
  let s0: f64 = 0, s1: f64 = 0, c0: f64 = 0, c1: f64 = 0;
  let q: usize = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = f64x2.splat(0), comp = f64x2.splat(0);
    const ve = f64x2.splat(eps), zero = f64x2.splat(0);
    for (; q + 2 * size <= bytes; q += 2 * size) {
      const yv = loadPairF64<T>(y + q);
      const term = f64x2.neg(f64x2.mul(yv, logF64x2(f64x2.max(loadPairF64<T>(a + q), ve))));
      const yk = f64x2.sub(v128.bitselect(zero, term, f64x2.eq(yv, zero)), comp);
      const t = f64x2.add(acc, yk);
      comp = f64x2.sub(f64x2.sub(t, acc), yk);
      acc = t;
    }
    s0 = f64x2.extract_lane(acc, 0); s1 = f64x2.extract_lane(acc, 1);
    c0 = f64x2.extract_lane(comp, 0); c1 = f64x2.extract_lane(comp, 1);
  }
  for (; q < bytes; q += size) {
    const yv = <f64>load<T>(y + q);
    const term = yv != 0 ? -(yv * logF64(max(<f64>load<T>(a + q), eps))) : 0;
    if ((q / size) & 1) { const yk = term - c1, t = s1 + yk; c1 = (t - s1) - yk; s1 = t; }
    else { const yk = term - c0, t = s0 + yk; c0 = (t - s0) - yk; s0 = t; }
  }
  return (s0 + s1) - (c0 + c1);
}

/** Σ (a − y)² over n elements. */
export function squaredError<T>(a: usize, y: usize, n: i32): f64 {
  const size = <usize>sizeof<T>();
  let s: f64 = 0;
  for (let q: usize = 0, bytes = <usize>n * size; q < bytes; q += size) {
    const d = <f64>load<T>(a + q) - <f64>load<T>(y + q);
    s += d * d;
  }
  return s;
}

/** Σ x·y over n elements, accumulated in f64 (two f64x2 lanes under SIMD). */
export function dot<T>(x: usize, y: usize, n: i32): f64 {
  const size = <usize>sizeof<T>();
  const bytes = <usize>n * size;
  let q: usize = 0;
  let s: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = f64x2.splat(0);
    if (sizeof<T>() == 4) {
      for (; q + 16 <= bytes; q += 16) {
        const xv = v128.load(x + q), yv = v128.load(y + q);
        acc = f64x2.add(acc, f64x2.mul(f64x2.promote_low_f32x4(xv), f64x2.promote_low_f32x4(yv)));
        const xh = i64x2.shuffle(xv, xv, 1, 0), yh = i64x2.shuffle(yv, yv, 1, 0);
        acc = f64x2.add(acc, f64x2.mul(f64x2.promote_low_f32x4(xh), f64x2.promote_low_f32x4(yh)));
      }
    } else {
      for (; q + 16 <= bytes; q += 16) acc = f64x2.add(acc, f64x2.mul(v128.load(x + q), v128.load(y + q)));
    }
    s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  }
  for (; q < bytes; q += size) s += <f64>load<T>(x + q) * <f64>load<T>(y + q);
  return s;
}
