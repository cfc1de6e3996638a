// Quantised inference kernels (model format version 2, docs/edge.md): weights int8 with one f32 scale per
// output unit (symmetric: w ≈ q·scale), activations quantised per example to i16 on the fly (symmetric:
// max |x| ↦ 32767), products summed exactly in integers, then scaled in f64 and rounded to f32:
//
//   y[r] = f32( f64(Σ_j W[r,j]·q[j]) · (f64(scale[r]) · d) ) + b[r]   (the last + in f32),   d = f64(max|x|) / 32767
//
// Each SIMD kernel (int8 weights sign-extended to i16 by v128.load8x8_s, i32x4.dot_i16x8_s) sits beside its
// scalar twin. The
// sums are exact integers in both, so both builds (and the TypeScript twin in test/edge/int8-twin.ts) give the
// same bits. Overflow: |W·q| ≤ 128·32767 < 2^22.1, and an i32 lane takes at most BLOCK/4 = 256 products before
// it is widened to i64, so no partial sum passes 2^30.1.

/** Largest quantised activation magnitude. */
export const Q_MAX: f32 = 32767;
/** Inputs per block summed in i32 lanes (SIMD: 4 products per lane per 16 inputs) before widening to i64. */
const BLOCK: i32 = 1024;
/** Inputs per block summed in one i32 (scalar): 256 products. */
const SCALAR_BLOCK: i32 = 256;

/** Elements of a quantised activation row: k rounded up to a multiple of 16 (the tail is zeros). */
@inline export function padded16(k: i32): i32 {
  return (k + 15) & ~15;
}

/** max |x_i| over k f32 at x; NaNs are skipped (a < b ? b : a, the f32x4.pmax rule). */
export function absMax(x: usize, k: i32): f32 {
  let m: f32 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let v = f32x4.splat(0);
    for (; i + 4 <= k; i += 4) v = f32x4.pmax(v, f32x4.abs(v128.load(x + (<usize>i << 2))));
    const l1 = f32x4.extract_lane(v, 1), l2 = f32x4.extract_lane(v, 2), l3 = f32x4.extract_lane(v, 3);
    m = f32x4.extract_lane(v, 0);
    m = m < l1 ? l1 : m;
    m = m < l2 ? l2 : m;
    m = m < l3 ? l3 : m;
  }
  for (; i < k; i++) {
    const a = abs<f32>(load<f32>(x + (<usize>i << 2)));
    m = m < a ? a : m;
  }
  return m;
}

/** One quantised value: nearest (ties to even), NaN ↦ 0, clamped to ±32767 (as trunc_sat + narrow_s do). */
@inline function quantizeOne(v: f32): i32 {
  const r = nearest<f32>(v);
  if (r != r) return 0;
  return r >= Q_MAX ? 32767 : r <= -Q_MAX ? -32767 : <i32>r;
}

/**
 * Quantises k f32 at x to i16 at q (padded16(k) elements, zeros past k): q = nearest(x · f32(32767 / max|x|)).
 * Returns d = f64(max|x|) / 32767, the factor that turns Σ W·q back into W·x (0 when x is all zeros).
 */
export function quantizeI16(x: usize, k: i32, q: usize): f64 {
  const amax = absMax(x, k);
  const kp = padded16(k);
  if (!(amax > 0)) {
    memory.fill(q, 0, <usize>kp << 1);
    return 0;
  }
  const inv: f32 = Q_MAX / amax; // an infinite max gives inv = 0: finite x ↦ 0, ±inf·0 = NaN ↦ 0
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vi = f32x4.splat(inv);
    for (; i + 8 <= k; i += 8) {
      const p = x + (<usize>i << 2);
      const lo = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v128.load(p), vi)));
      const hi = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v128.load(p, 16), vi)));
      v128.store(q + (<usize>i << 1), i16x8.narrow_i32x4_s(lo, hi));
    }
  }
  for (; i < k; i++) store<i16>(q + (<usize>i << 1), <i16>quantizeOne(load<f32>(x + (<usize>i << 2)) * inv));
  for (; i < kp; i++) store<i16>(q + (<usize>i << 1), 0);
  return <f64>amax / 32767.0;
}

/** The four i32 lanes of v added in i64. */
@inline function lanes(v: v128): i64 {
  return <i64>i32x4.extract_lane(v, 0) + <i64>i32x4.extract_lane(v, 1) + <i64>i32x4.extract_lane(v, 2) + <i64>i32x4.extract_lane(v, 3);
}

/** Σ_j w[j]·q[j] over 16 int8 weights at w and 16 i16 at q, as 4 i32 lanes (each 8 weights sign-extended by its load). */
@inline function dot16(w: usize, qlo: v128, qhi: v128): v128 {
  return i32x4.add(i32x4.dot_i16x8_s(v128.load8x8_s(w), qlo), i32x4.dot_i16x8_s(v128.load8x8_s(w, 8), qhi));
}

/** Exact Σ_j w[j]·q[j], j < k (one int8 row against one i16 row). SIMD on 16 at a time, scalar tail. */
function dotRow(w: usize, q: usize, k: i32): i64 {
  let s: i64 = 0;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const k16 = k & ~15;
    while (j < k16) {
      const end = min(j + BLOCK, k16);
      let acc = i32x4.splat(0);
      for (; j < end; j += 16) {
        const qp = q + (<usize>j << 1);
        acc = i32x4.add(acc, dot16(w + <usize>j, v128.load(qp), v128.load(qp, 16)));
      }
      s += lanes(acc);
    }
  }
  while (j < k) {
    const end = min(j + SCALAR_BLOCK, k);
    let acc: i32 = 0;
    for (; j < end; j++) acc += <i32>load<i8>(w + <usize>j) * <i32>load<i16>(q + (<usize>j << 1));
    s += <i64>acc;
  }
  return s;
}

/** y = f32(sum · (scale · d)) in f64, then + b in f32. */
@inline function dequant(sum: i64, scale: usize, bias: usize, r: i32, d: f64): f32 {
  return <f32>(<f64>sum * (<f64>load<f32>(scale + (<usize>r << 2)) * d)) + load<f32>(bias + (<usize>r << 2));
}

/**
 * GEMV: y[r] = f32(f64(Σ_j W[r,j]·q[j]) · (f64(scale[r]) · d)) + b[r] for r < n. W is int8 row-major n×k (row
 * stride k bytes, no padding), scale and bias n f32, q the output of quantizeI16 (padded16(k) i16), y n f32.
 * SIMD: four rows at a time share each load of q; the scalar twin keeps four i32 sums in flight the same way.
 * The bias is added here (not by the activation) so that an activation can run over whole rows of examples.
 */
export function gemvI8(n: i32, k: i32, w: usize, scale: usize, bias: usize, q: usize, d: f64, y: usize): void {
  const stride = <usize>k;
  let r = 0;
  if (ASC_FEATURE_SIMD) {
    const k16 = k & ~15;
    for (; r + 4 <= n; r += 4) {
      const w0 = w + <usize>r * stride, w1 = w0 + stride, w2 = w1 + stride, w3 = w2 + stride;
      let s0: i64 = 0, s1: i64 = 0, s2: i64 = 0, s3: i64 = 0;
      let j = 0;
      while (j < k16) {
        const end = min(j + BLOCK, k16);
        let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
        for (; j < end; j += 16) {
          const qp = q + (<usize>j << 1);
          const qlo = v128.load(qp), qhi = v128.load(qp, 16);
          const o = <usize>j;
          a0 = i32x4.add(a0, dot16(w0 + o, qlo, qhi));
          a1 = i32x4.add(a1, dot16(w1 + o, qlo, qhi));
          a2 = i32x4.add(a2, dot16(w2 + o, qlo, qhi));
          a3 = i32x4.add(a3, dot16(w3 + o, qlo, qhi));
        }
        s0 += lanes(a0);
        s1 += lanes(a1);
        s2 += lanes(a2);
        s3 += lanes(a3);
      }
      for (; j < k; j++) {
        const qv = <i32>load<i16>(q + (<usize>j << 1));
        const o = <usize>j;
        s0 += <i64>(<i32>load<i8>(w0 + o) * qv);
        s1 += <i64>(<i32>load<i8>(w1 + o) * qv);
        s2 += <i64>(<i32>load<i8>(w2 + o) * qv);
        s3 += <i64>(<i32>load<i8>(w3 + o) * qv);
      }
      store<f32>(y + (<usize>r << 2), dequant(s0, scale, bias, r, d));
      store<f32>(y + (<usize>r << 2), dequant(s1, scale, bias, r + 1, d), 4);
      store<f32>(y + (<usize>r << 2), dequant(s2, scale, bias, r + 2, d), 8);
      store<f32>(y + (<usize>r << 2), dequant(s3, scale, bias, r + 3, d), 12);
    }
  } else {
    for (; r + 4 <= n; r += 4) {
      const w0 = w + <usize>r * stride, w1 = w0 + stride, w2 = w1 + stride, w3 = w2 + stride;
      let s0: i64 = 0, s1: i64 = 0, s2: i64 = 0, s3: i64 = 0;
      let j = 0;
      while (j < k) {
        const end = min(j + SCALAR_BLOCK, k);
        let a0: i32 = 0, a1: i32 = 0, a2: i32 = 0, a3: i32 = 0;
        for (; j < end; j++) {
          const qv = <i32>load<i16>(q + (<usize>j << 1));
          const o = <usize>j;
          a0 += <i32>load<i8>(w0 + o) * qv;
          a1 += <i32>load<i8>(w1 + o) * qv;
          a2 += <i32>load<i8>(w2 + o) * qv;
          a3 += <i32>load<i8>(w3 + o) * qv;
        }
        s0 += <i64>a0;
        s1 += <i64>a1;
        s2 += <i64>a2;
        s3 += <i64>a3;
      }
      store<f32>(y + (<usize>r << 2), dequant(s0, scale, bias, r, d));
      store<f32>(y + (<usize>r << 2), dequant(s1, scale, bias, r + 1, d), 4);
      store<f32>(y + (<usize>r << 2), dequant(s2, scale, bias, r + 2, d), 8);
      store<f32>(y + (<usize>r << 2), dequant(s3, scale, bias, r + 3, d), 12);
    }
  }
  for (; r < n; r++) store<f32>(y + (<usize>r << 2), dequant(dotRow(w + <usize>r * stride, q, k), scale, bias, r, d));
}

/**
 * GEMM over m examples: Y[e·ldy + r] = gemvI8's y[r] for example e, whose quantised row is at q + e·padded16(k)·2
 * and whose factor is d[e] (m f64). SIMD: each 16 weights of a row are loaded (and extended) once and dotted
 * with four examples; the remaining examples, and every example in the scalar build, run gemvI8 one by one
 * (a 4 rows × 4 examples scalar tile was measured ≈ 10–15 % faster in batches but adds 1.9 KB to the scalar
 * template: not worth it on the edge). Same bits either way.
 */
export function gemmI8(n: i32, k: i32, m: i32, w: usize, scale: usize, bias: usize, q: usize, d: usize, y: usize, ldy: i32): void {
  const qRow = <usize>padded16(k) << 1;
  const yRow = <usize>ldy << 2;
  let e = 0;
  if (ASC_FEATURE_SIMD) {
    const k16 = k & ~15;
    for (; e + 4 <= m; e += 4) {
      const q0 = q + <usize>e * qRow, q1 = q0 + qRow, q2 = q1 + qRow, q3 = q2 + qRow;
      const d0 = load<f64>(d + (<usize>e << 3)), d1 = load<f64>(d + (<usize>e << 3), 8);
      const d2 = load<f64>(d + (<usize>e << 3), 16), d3 = load<f64>(d + (<usize>e << 3), 24);
      const y0 = y + <usize>e * yRow, y1 = y0 + yRow, y2 = y1 + yRow, y3 = y2 + yRow;
      for (let r = 0; r < n; r++) {
        const wr = w + <usize>r * <usize>k;
        let s0: i64 = 0, s1: i64 = 0, s2: i64 = 0, s3: i64 = 0;
        let j = 0;
        while (j < k16) {
          const end = min(j + BLOCK, k16);
          let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
          for (; j < end; j += 16) {
            const lo = v128.load8x8_s(wr + <usize>j), hi = v128.load8x8_s(wr + <usize>j, 8);
            const o = <usize>j << 1;
            a0 = i32x4.add(a0, i32x4.add(i32x4.dot_i16x8_s(lo, v128.load(q0 + o)), i32x4.dot_i16x8_s(hi, v128.load(q0 + o, 16))));
            a1 = i32x4.add(a1, i32x4.add(i32x4.dot_i16x8_s(lo, v128.load(q1 + o)), i32x4.dot_i16x8_s(hi, v128.load(q1 + o, 16))));
            a2 = i32x4.add(a2, i32x4.add(i32x4.dot_i16x8_s(lo, v128.load(q2 + o)), i32x4.dot_i16x8_s(hi, v128.load(q2 + o, 16))));
            a3 = i32x4.add(a3, i32x4.add(i32x4.dot_i16x8_s(lo, v128.load(q3 + o)), i32x4.dot_i16x8_s(hi, v128.load(q3 + o, 16))));
          }
          s0 += lanes(a0);
          s1 += lanes(a1);
          s2 += lanes(a2);
          s3 += lanes(a3);
        }
        for (; j < k; j++) {
          const wv = <i32>load<i8>(wr + <usize>j);
          const o = <usize>j << 1;
          s0 += <i64>(wv * <i32>load<i16>(q0 + o));
          s1 += <i64>(wv * <i32>load<i16>(q1 + o));
          s2 += <i64>(wv * <i32>load<i16>(q2 + o));
          s3 += <i64>(wv * <i32>load<i16>(q3 + o));
        }
        const ro = <usize>r << 2;
        store<f32>(y0 + ro, dequant(s0, scale, bias, r, d0));
        store<f32>(y1 + ro, dequant(s1, scale, bias, r, d1));
        store<f32>(y2 + ro, dequant(s2, scale, bias, r, d2));
        store<f32>(y3 + ro, dequant(s3, scale, bias, r, d3));
      }
    }
  }
  for (; e < m; e++) gemvI8(n, k, w, scale, bias, q + <usize>e * qRow, load<f64>(d + (<usize>e << 3)), y + <usize>e * yRow);
}
