// Vector transcendentals: exp, tanh, log and sigmoid on f32x4 / f64x2, each beside its scalar twin.
//
// Only the f32 vector functions are @inline (the hot path of sigmoid/tanh/softmax in f32); the f64 ones,
// log and the scalar twins are plain functions, so that each exists once in the binary (≤ 64 KiB).
//
// Every vector function here is a sequence of IEEE operations (no fused multiply-add, no relaxed SIMD),
// and its scalar twin performs the same operations in the same order, with selects where the vector
// computes both branches. So each lane of the vector result equals the twin's result bit for bit: the
// simd, relaxed, threads and scalar builds give identical transcendentals (test/kernels/math.test.ts).
//
// Accuracy against the correctly rounded result (measured, see docs/determinism.md and the tests):
//   f32: exp, tanh, sigmoid ≤ 2 ulp (f32 lanes); log ≤ 1 ulp (computed in f64 lanes)
//   f64: exp, tanh, log, sigmoid ≤ 4 ulp
// over the whole range, subnormal results included; ±0, ±Inf and NaN as IEEE/C99 say (tanh(−0) = −0,
// exp(−Inf) = 0, log(0) = −Inf, log(x < 0) = NaN).
//
// exp: x = k·ln2 + r (k = nearest(x/ln2) by the 1.5·2^p shifter, ln2 split Cody–Waite so k·LN2HI is
// exact), e^r by a polynomial, times 2^k applied as two factors 2^(k>>1)·2^(k−(k>>1)) so that subnormal
// results are rounded once and x up to the overflow threshold needs no special case. x is clamped to
// [LO, HI] first (pmax/pmin, a < b ? b : a, one instruction each): below LO the result rounds to 0, above HI
// to +Inf, and NaN passes through (its comparisons are false).

// ---- f32 ----
const F_LO: f32 = -104.0;
const F_HI: f32 = 89.0;
const F_LOG2E: f32 = 1.44269504088896341;
const F_SHIFT: f32 = 12582912.0; // 1.5·2^23: t = y + SHIFT rounds y to an integer held in t's low mantissa bits
const F_SHIFT_BITS: i32 = 0x4b400000;
const F_LN2HI: f32 = 0.693145751953125; // 0x3f317200: 15 significant bits, k·F_LN2HI exact for |k| ≤ 256
const F_LN2LO: f32 = 1.428606765330187045e-6; // 0x35bfbe8e
// e^r ≈ 1 + r + r²·(E1 + r·(E2 + …)) on |r| ≤ ln2/2 (Cephes expf)
const FE1: f32 = 5.0000001201e-1;
const FE2: f32 = 1.6666665459e-1;
const FE3: f32 = 4.1665795894e-2;
const FE4: f32 = 8.3334519073e-3;
const FE5: f32 = 1.3981999507e-3;
const FE6: f32 = 1.9875691500e-4;
// tanh(a) ≈ a + a·z·P(z), z = a², for a < F_TANH_SMALL (Cephes tanhf)
const F_TANH_SMALL: f32 = 0.625;
// Above 9.02, (1 − e^(−2a))/(1 + e^(−2a)) rounds to 1; clamping there keeps e^(−2a) normal (2^k one factor).
const F_TANH_SAT: f32 = 9.125;
const FT0: f32 = -3.33332819422e-1;
const FT1: f32 = 1.33314422036e-1;
const FT2: f32 = -5.37397155531e-2;
const FT3: f32 = 2.06390887954e-2;
const FT4: f32 = -5.70498872745e-3;

// ---- f64 ----
const D_LO: f64 = -746.0;
const D_HI: f64 = 710.0;
const D_LOG2E: f64 = 1.4426950408889634;
const D_SHIFT: f64 = 6755399441055744.0; // 1.5·2^52
const D_SHIFT_BITS: i64 = 0x4338000000000000;
const D_LN2HI: f64 = 6.93147180369123816490e-01; // 0x3fe62e42fee00000: k·D_LN2HI exact for |k| < 2^11
const D_LN2LO: f64 = 1.90821492927058770002e-10; // 0x3dea39ef35793c76
// e^r ≈ 1 + r + r²·(1/2! + r/3! + … + r^11/13!) on |r| ≤ ln2/2 (Taylor; the first omitted term < 2^-55)
const DE2: f64 = 1.0 / 2.0;
const DE3: f64 = 1.0 / 6.0;
const DE4: f64 = 1.0 / 24.0;
const DE5: f64 = 1.0 / 120.0;
const DE6: f64 = 1.0 / 720.0;
const DE7: f64 = 1.0 / 5040.0;
const DE8: f64 = 1.0 / 40320.0;
const DE9: f64 = 1.0 / 362880.0;
const DE10: f64 = 1.0 / 3628800.0;
const DE11: f64 = 1.0 / 39916800.0;
const DE12: f64 = 1.0 / 479001600.0;
const DE13: f64 = 1.0 / 6227020800.0;
// tanh(a) ≈ a + a·z·P(z)/Q(z), z = a², for a < D_TANH_SMALL (Cephes tanh)
const D_TANH_SMALL: f64 = 0.625;
const DP0: f64 = -9.64399179425052238628e-1;
const DP1: f64 = -9.92877231001918586564e1;
const DP2: f64 = -1.61468768441708447952e3;
const DQ0: f64 = 1.12811678491632931402e2;
const DQ1: f64 = 2.23548839060100448583e3;
const DQ2: f64 = 4.84406305325125486048e3;
// log(1 + f) = f − f²/2 + s·(f²/2 + R(s²)), s = f/(2 + f) (fdlibm/musl log)
const LG1: f64 = 6.666666666666735130e-01;
const LG2: f64 = 3.999999999940941908e-01;
const LG3: f64 = 2.857142874366239149e-01;
const LG4: f64 = 2.222219843214978396e-01;
const LG5: f64 = 1.818357216161805012e-01;
const LG6: f64 = 1.531383769920937332e-01;
const LG7: f64 = 1.479819860511658591e-01;
const SUBNORMAL_LIMIT: f64 = 2.2250738585072014e-308; // 2^-1022
const TWO54: f64 = 18014398509481984.0;


// ---- splatted constants, loaded from static tables ----
// V8 rematerialises a v128.const at every use (three instructions: movq, vmovq, vpunpcklqdq); a load from
// memory is one. fc(i) is the i-th f32 constant of F32C on four lanes, and so on. (Order: the lists below.)
const F32C: usize = memory.data<f32>([
  F_LO, F_LO, F_LO, F_LO,
  F_HI, F_HI, F_HI, F_HI,
  F_LOG2E, F_LOG2E, F_LOG2E, F_LOG2E,
  F_SHIFT, F_SHIFT, F_SHIFT, F_SHIFT,
  F_LN2HI, F_LN2HI, F_LN2HI, F_LN2HI,
  F_LN2LO, F_LN2LO, F_LN2LO, F_LN2LO,
  FE1, FE1, FE1, FE1,
  FE2, FE2, FE2, FE2,
  FE3, FE3, FE3, FE3,
  FE4, FE4, FE4, FE4,
  FE5, FE5, FE5, FE5,
  FE6, FE6, FE6, FE6,
  <f32>1, <f32>1, <f32>1, <f32>1,
  FT0, FT0, FT0, FT0,
  FT1, FT1, FT1, FT1,
  FT2, FT2, FT2, FT2,
  FT3, FT3, FT3, FT3,
  FT4, FT4, FT4, FT4,
  <f32>-2, <f32>-2, <f32>-2, <f32>-2,
  F_TANH_SMALL, F_TANH_SMALL, F_TANH_SMALL, F_TANH_SMALL,
  <f32>0, <f32>0, <f32>0, <f32>0,
  F_TANH_SAT, F_TANH_SAT, F_TANH_SAT, F_TANH_SAT,
], 16);
const I32C: usize = memory.data<i32>([
  F_SHIFT_BITS, F_SHIFT_BITS, F_SHIFT_BITS, F_SHIFT_BITS,
  127, 127, 127, 127,
  <i32>0x80000000, <i32>0x80000000, <i32>0x80000000, <i32>0x80000000,
], 16);
const F64C: usize = memory.data<f64>([
  D_LO, D_LO,
  D_HI, D_HI,
  D_LOG2E, D_LOG2E,
  D_SHIFT, D_SHIFT,
  D_LN2HI, D_LN2HI,
  D_LN2LO, D_LN2LO,
  DE2, DE2,
  DE3, DE3,
  DE4, DE4,
  DE5, DE5,
  DE6, DE6,
  DE7, DE7,
  DE8, DE8,
  DE9, DE9,
  DE10, DE10,
  DE11, DE11,
  DE12, DE12,
  DE13, DE13,
  1.0, 1.0,
  DP0, DP0,
  DP1, DP1,
  DP2, DP2,
  DQ0, DQ0,
  DQ1, DQ1,
  DQ2, DQ2,
  -2.0, -2.0,
  D_TANH_SMALL, D_TANH_SMALL,
  0.0, 0.0,
  2.0, 2.0,
  0.5, 0.5,
  LG1, LG1,
  LG2, LG2,
  LG3, LG3,
  LG4, LG4,
  LG5, LG5,
  LG6, LG6,
  LG7, LG7,
  SUBNORMAL_LIMIT, SUBNORMAL_LIMIT,
  TWO54, TWO54,
  -Infinity, -Infinity,
  NaN, NaN,
  Infinity, Infinity,
], 16);
const I64C: usize = memory.data<i64>([
  D_SHIFT_BITS, D_SHIFT_BITS,
  1023, 1023,
  <i64>0x8000000000000000, <i64>0x8000000000000000,
  <i64>(0x3ff00000 - 0x3fe6a09e) << 32, <i64>(0x3ff00000 - 0x3fe6a09e) << 32,
  0x000fffffffffffff, 0x000fffffffffffff,
  <i64>0x3fe6a09e << 32, <i64>0x3fe6a09e << 32,
  54, 54,
  0x3ff, 0x3ff,
], 16);
@inline function fc(i: i32): v128 { return v128.load(F32C + (<usize>i << 4)); }
@inline function ic(i: i32): v128 { return v128.load(I32C + (<usize>i << 4)); }
@inline function dc(i: i32): v128 { return v128.load(F64C + (<usize>i << 4)); }
@inline function lc(i: i32): v128 { return v128.load(I64C + (<usize>i << 4)); }

/** e^x on four f32 lanes. */
@inline export function expF32x4(x: v128): v128 {
  const xc = f32x4.pmin(f32x4.pmax(x, fc(0)), fc(1)); // pmax(a, b) = a < b ? b : a: NaN stays
  const t = f32x4.add(f32x4.mul(xc, fc(2)), fc(3));
  const kf = f32x4.sub(t, fc(3));
  const k = i32x4.sub(t, ic(0));
  const r = f32x4.sub(f32x4.sub(xc, f32x4.mul(kf, fc(4))), f32x4.mul(kf, fc(5)));
  const z = f32x4.mul(r, r);
  let q = f32x4.add(f32x4.mul(fc(11), r), fc(10));
  q = f32x4.add(f32x4.mul(q, r), fc(9));
  q = f32x4.add(f32x4.mul(q, r), fc(8));
  q = f32x4.add(f32x4.mul(q, r), fc(7));
  q = f32x4.add(f32x4.mul(q, r), fc(6));
  const p = f32x4.add(f32x4.add(f32x4.mul(q, z), r), fc(12));
  const k1 = i32x4.shr_s(k, 1);
  const k2 = i32x4.sub(k, k1);
  const s1 = i32x4.shl(i32x4.add(k1, ic(1)), 23);
  const s2 = i32x4.shl(i32x4.add(k2, ic(1)), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/** Scalar twin of expF32x4 (the same operations). */
@inline export function expF32(x: f32): f32 {
  let xc = x < F_LO ? F_LO : x; // f32x4.pmax, then pmin
  xc = F_HI < xc ? F_HI : xc;
  const t = xc * F_LOG2E + F_SHIFT;
  const kf = t - F_SHIFT;
  const k = reinterpret<i32>(t) - F_SHIFT_BITS;
  const r = (xc - kf * F_LN2HI) - kf * F_LN2LO;
  const z = r * r;
  let q = FE6 * r + FE5;
  q = q * r + FE4;
  q = q * r + FE3;
  q = q * r + FE2;
  q = q * r + FE1;
  const p = (q * z + r) + <f32>1;
  const k1 = k >> 1;
  const k2 = k - k1;
  return (p * reinterpret<f32>((k1 + 127) << 23)) * reinterpret<f32>((k2 + 127) << 23);
}

/** tanh on four f32 lanes: the odd polynomial below 0.625, (1 − e^(−2a))/(1 + e^(−2a)) above; the sign of x restored last. */
@inline export function tanhF32x4(x: v128): v128 {
  const sign = ic(2);
  const a = v128.andnot(x, sign);
  const z = f32x4.mul(a, a);
  let p = f32x4.add(f32x4.mul(fc(17), z), fc(16));
  p = f32x4.add(f32x4.mul(p, z), fc(15));
  p = f32x4.add(f32x4.mul(p, z), fc(14));
  p = f32x4.add(f32x4.mul(p, z), fc(13));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), a), a);
  // u = e^(−2a) as expF32x4 computes it, for −2a in [−18.25, 0] only: no clamp below, one scale factor.
  const xe = f32x4.mul(f32x4.pmin(a, fc(21)), fc(18)); // pmin(a, b) = b < a ? b : a: NaN stays
  const t = f32x4.add(f32x4.mul(xe, fc(2)), fc(3));
  const kf = f32x4.sub(t, fc(3));
  const r = f32x4.sub(f32x4.sub(xe, f32x4.mul(kf, fc(4))), f32x4.mul(kf, fc(5)));
  let q = f32x4.add(f32x4.mul(fc(11), r), fc(10));
  q = f32x4.add(f32x4.mul(q, r), fc(9));
  q = f32x4.add(f32x4.mul(q, r), fc(8));
  q = f32x4.add(f32x4.mul(q, r), fc(7));
  q = f32x4.add(f32x4.mul(q, r), fc(6));
  const one = fc(12);
  const pe = f32x4.add(f32x4.add(f32x4.mul(q, f32x4.mul(r, r)), r), one);
  const u = f32x4.mul(pe, i32x4.shl(i32x4.add(i32x4.sub(t, ic(0)), ic(1)), 23));
  const large = f32x4.div(f32x4.sub(one, u), f32x4.add(one, u));
  const y = v128.bitselect(small, large, f32x4.lt(a, fc(19)));
  return v128.or(y, v128.and(x, sign));
}

/** Scalar twin of tanhF32x4. */
export function tanhF32(x: f32): f32 {
  const a = abs<f32>(x);
  let y: f32;
  if (a < F_TANH_SMALL) {
    const z = a * a;
    let p = FT4 * z + FT3;
    p = p * z + FT2;
    p = p * z + FT1;
    p = p * z + FT0;
    y = (p * z) * a + a;
  } else {
    // e^(−2a) as in tanhF32x4: a clamped to F_TANH_SAT, one scale factor.
    const xe = (F_TANH_SAT < a ? F_TANH_SAT : a) * <f32>-2;
    const t = xe * F_LOG2E + F_SHIFT;
    const kf = t - F_SHIFT;
    const r = (xe - kf * F_LN2HI) - kf * F_LN2LO;
    let q = FE6 * r + FE5;
    q = q * r + FE4;
    q = q * r + FE3;
    q = q * r + FE2;
    q = q * r + FE1;
    const u = ((q * (r * r) + r) + <f32>1) * reinterpret<f32>(((reinterpret<i32>(t) - F_SHIFT_BITS) + 127) << 23);
    y = (<f32>1 - u) / (<f32>1 + u);
  }
  return reinterpret<f32>(reinterpret<u32>(y) | (reinterpret<u32>(x) & 0x80000000));
}

/** σ(x) = 1/(1 + e^−x) for x ≥ 0, e^x/(1 + e^x) below: exp only sees −|x|, so nothing overflows. */
@inline export function sigmoidF32x4(x: v128): v128 {
  const e = expF32x4(f32x4.neg(f32x4.abs(x)));
  const d = f32x4.add(fc(12), e);
  return v128.bitselect(f32x4.div(fc(12), d), f32x4.div(e, d), f32x4.ge(x, fc(20)));
}

/** Scalar twin of sigmoidF32x4. */
export function sigmoidF32(x: f32): f32 {
  const e = expF32(-abs<f32>(x));
  const d = <f32>1 + e;
  return x >= <f32>0 ? <f32>1 / d : e / d;
}

/** ln x on four f32 lanes, computed in f64 lanes (≤ 1 ulp of f32). */
function logF32x4(x: v128): v128 {
  const lo = logF64x2(f64x2.promote_low_f32x4(x));
  const hi = logF64x2(f64x2.promote_low_f32x4(i64x2.shuffle(x, x, 1, 0)));
  return i64x2.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 2);
}

/** Scalar twin of logF32x4. */
export function logF32(x: f32): f32 {
  return <f32>logF64(<f64>x);
}

/** e^x on two f64 lanes. */
function expF64x2(x: v128): v128 {
  const xc = f64x2.pmin(f64x2.pmax(x, dc(0)), dc(1));
  const t = f64x2.add(f64x2.mul(xc, dc(2)), dc(3));
  const kf = f64x2.sub(t, dc(3));
  const k = i64x2.sub(t, lc(0));
  const r = f64x2.sub(f64x2.sub(xc, f64x2.mul(kf, dc(4))), f64x2.mul(kf, dc(5)));
  let q = f64x2.add(f64x2.mul(dc(17), r), dc(16));
  q = f64x2.add(f64x2.mul(q, r), dc(15));
  q = f64x2.add(f64x2.mul(q, r), dc(14));
  q = f64x2.add(f64x2.mul(q, r), dc(13));
  q = f64x2.add(f64x2.mul(q, r), dc(12));
  q = f64x2.add(f64x2.mul(q, r), dc(11));
  q = f64x2.add(f64x2.mul(q, r), dc(10));
  q = f64x2.add(f64x2.mul(q, r), dc(9));
  q = f64x2.add(f64x2.mul(q, r), dc(8));
  q = f64x2.add(f64x2.mul(q, r), dc(7));
  q = f64x2.add(f64x2.mul(q, r), dc(6));
  const p = f64x2.add(f64x2.add(f64x2.mul(q, f64x2.mul(r, r)), r), dc(18));
  const k1 = i64x2.shr_s(k, 1);
  const k2 = i64x2.sub(k, k1);
  const s1 = i64x2.shl(i64x2.add(k1, lc(1)), 52);
  const s2 = i64x2.shl(i64x2.add(k2, lc(1)), 52);
  return f64x2.mul(f64x2.mul(p, s1), s2);
}

/** Scalar twin of expF64x2. */
export function expF64(x: f64): f64 {
  let xc = x < D_LO ? D_LO : x;
  xc = D_HI < xc ? D_HI : xc;
  const t = xc * D_LOG2E + D_SHIFT;
  const kf = t - D_SHIFT;
  const k = reinterpret<i64>(t) - D_SHIFT_BITS;
  const r = (xc - kf * D_LN2HI) - kf * D_LN2LO;
  let q = DE13 * r + DE12;
  q = q * r + DE11;
  q = q * r + DE10;
  q = q * r + DE9;
  q = q * r + DE8;
  q = q * r + DE7;
  q = q * r + DE6;
  q = q * r + DE5;
  q = q * r + DE4;
  q = q * r + DE3;
  q = q * r + DE2;
  const p = (q * (r * r) + r) + 1.0;
  const k1 = k >> 1;
  const k2 = k - k1;
  return (p * reinterpret<f64>((k1 + 1023) << 52)) * reinterpret<f64>((k2 + 1023) << 52);
}

/** tanh on two f64 lanes: the rational form below 0.625, (1 − e^(−2a))/(1 + e^(−2a)) above; the sign of x restored last. */
@inline export function tanhF64x2(x: v128): v128 {
  const a = f64x2.abs(x);
  const z = f64x2.mul(a, a);
  let p = f64x2.add(f64x2.mul(dc(19), z), dc(20));
  p = f64x2.add(f64x2.mul(p, z), dc(21));
  let q = f64x2.add(z, dc(22));
  q = f64x2.add(f64x2.mul(q, z), dc(23));
  q = f64x2.add(f64x2.mul(q, z), dc(24));
  const small = f64x2.add(f64x2.mul(f64x2.mul(a, z), f64x2.div(p, q)), a);
  const u = expF64x2(f64x2.mul(a, dc(25)));
  const one = dc(18);
  const large = f64x2.div(f64x2.sub(one, u), f64x2.add(one, u));
  const y = v128.bitselect(small, large, f64x2.lt(a, dc(26)));
  return v128.or(y, v128.and(x, lc(2)));
}

/** Scalar twin of tanhF64x2. */
export function tanhF64(x: f64): f64 {
  const a = abs<f64>(x);
  let y: f64;
  if (a < D_TANH_SMALL) {
    const z = a * a;
    let p = DP0 * z + DP1;
    p = p * z + DP2;
    let q = z + DQ0;
    q = q * z + DQ1;
    q = q * z + DQ2;
    y = (a * z) * (p / q) + a;
  } else {
    const u = expF64(a * -2.0);
    y = (1.0 - u) / (1.0 + u);
  }
  return reinterpret<f64>(reinterpret<u64>(y) | (reinterpret<u64>(x) & 0x8000000000000000));
}

/** σ on two f64 lanes (as sigmoidF32x4). */
@inline export function sigmoidF64x2(x: v128): v128 {
  const e = expF64x2(f64x2.neg(f64x2.abs(x)));
  const d = f64x2.add(dc(18), e);
  return v128.bitselect(f64x2.div(dc(18), d), f64x2.div(e, d), f64x2.ge(x, dc(27)));
}

/** Scalar twin of sigmoidF64x2. */
export function sigmoidF64(x: f64): f64 {
  const e = expF64(-abs<f64>(x));
  const d = 1.0 + e;
  return x >= 0 ? 1.0 / d : e / d;
}

/** ln x on two f64 lanes: x = 2^k·m with m in [√½, √2), ln x = k·ln2 + ln m. */
@inline export function logF64x2(x: v128): v128 { return logF64x2Body(x); }
function logF64x2Body(x: v128): v128 {
  const sub = f64x2.lt(x, dc(37));
  const xs = v128.bitselect(f64x2.mul(x, dc(38)), x, sub);
  const ix = i64x2.add(xs, lc(3));
  const k = i64x2.sub(i64x2.sub(i64x2.shr_s(ix, 52), lc(7)), v128.and(sub, lc(6)));
  const m = i64x2.add(v128.and(ix, lc(4)), lc(5));
  // k (|k| < 2^11) to f64 exactly: k + 1.5·2^52 as bits, minus 1.5·2^52.
  const dk = f64x2.sub(i64x2.add(k, lc(0)), dc(3));
  const f = f64x2.sub(m, dc(18));
  const hfsq = f64x2.mul(f64x2.mul(dc(29), f), f);
  const s = f64x2.div(f, f64x2.add(dc(28), f));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const t1 = f64x2.mul(w, f64x2.add(dc(31), f64x2.mul(w, f64x2.add(dc(33), f64x2.mul(w, dc(35))))));
  const t2 = f64x2.mul(z, f64x2.add(dc(30), f64x2.mul(w, f64x2.add(dc(32),
    f64x2.mul(w, f64x2.add(dc(34), f64x2.mul(w, dc(36))))))));
  const R = f64x2.add(t2, t1);
  let y = f64x2.add(f64x2.mul(s, f64x2.add(hfsq, R)), f64x2.mul(dk, dc(5)));
  y = f64x2.add(f64x2.add(f64x2.sub(y, hfsq), f), f64x2.mul(dk, dc(4)));
  // x ≤ 0, +Inf, NaN: log(±0) = −Inf, log(x < 0) = NaN, log(+Inf) = +Inf, NaN stays NaN.
  const special = v128.bitselect(dc(39), v128.bitselect(dc(40), x, f64x2.lt(x, dc(27))), f64x2.eq(x, dc(27)));
  const normal = v128.and(f64x2.gt(x, dc(27)), f64x2.lt(x, dc(41)));
  return v128.bitselect(y, special, normal);
}

/** Scalar twin of logF64x2. */
export function logF64(x: f64): f64 {
  if (!(x > 0 && x < Infinity)) return x == 0 ? -Infinity : x < 0 ? NaN : x;
  const sub = x < SUBNORMAL_LIMIT;
  const xs = sub ? x * TWO54 : x;
  const ix = reinterpret<i64>(xs) + (<i64>(0x3ff00000 - 0x3fe6a09e) << 32);
  const k = ((ix >> 52) - 0x3ff) - (sub ? 54 : 0);
  const m = reinterpret<f64>((ix & 0x000fffffffffffff) + (<i64>0x3fe6a09e << 32));
  const dk = <f64>k;
  const f = m - 1.0;
  const hfsq = (0.5 * f) * f;
  const s = f / (2.0 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  const R = t2 + t1;
  let y = s * (hfsq + R) + dk * D_LN2LO;
  return ((y - hfsq) + f) + dk * D_LN2HI;
}

// ---- generic entry points for the kernels (T = f32 | f64) ----

/** e^x in T's precision, the scalar twin. */
@inline export function expT<T>(x: T): T {
  if (sizeof<T>() == 4) return <T>expF32(<f32>x);
  return <T>expF64(<f64>x);
}
/** e^x on a v128 of T. */
@inline export function expV<T>(v: v128): v128 {
  if (sizeof<T>() == 4) return expF32x4(v);
  return expF64x2(v);
}
/** tanh in T's precision, the scalar twin. */
@inline export function tanhT<T>(x: T): T {
  if (sizeof<T>() == 4) return <T>tanhF32(<f32>x);
  return <T>tanhF64(<f64>x);
}
/** tanh on a v128 of T. */
@inline export function tanhV<T>(v: v128): v128 {
  if (sizeof<T>() == 4) return tanhF32x4(v);
  return tanhF64x2(v);
}
/** σ in T's precision, the scalar twin. */
@inline export function sigmoidT<T>(x: T): T {
  if (sizeof<T>() == 4) return <T>sigmoidF32(<f32>x);
  return <T>sigmoidF64(<f64>x);
}
/** σ on a v128 of T. */
@inline export function sigmoidV<T>(v: v128): v128 {
  if (sizeof<T>() == 4) return sigmoidF32x4(v);
  return sigmoidF64x2(v);
}

export const MATH_EXP: i32 = 0;
export const MATH_TANH: i32 = 1;
export const MATH_LOG: i32 = 2;
export const MATH_SIGMOID: i32 = 3;

/** Whether mathMap runs four vectors per iteration (not in the edge templates: see there). */
const UNROLL: bool = !isDefined(SIMDNET_EDGE);

/** log on one vector of T (f32 lanes are computed in f64). */
@inline function logV<T>(v: v128): v128 {
  return sizeof<T>() == 4 ? logF32x4(v) : logF64x2(v);
}

/** Stores four vectors at d, d+16, d+32, d+48. */
@inline function store4(d: usize, v0: v128, v1: v128, v2: v128, v3: v128): void {
  v128.store(d, v0);
  v128.store(d, v1, 16);
  v128.store(d, v2, 32);
  v128.store(d, v3, 48);
}

/** y[i] = f(x[i]) over n elements (f: MATH_EXP, MATH_TANH, MATH_LOG, MATH_SIGMOID); y may alias x. Returns 0, or -1 for an unknown f. */
export function mathMap<T>(op: i32, x: usize, y: usize, n: i32): i32 {
  if (op < MATH_EXP || op > MATH_SIGMOID) return -1;
  const size = <usize>sizeof<T>();
  const bytes = <usize>n * size;
  let q: usize = 0;
  // One loop per function, so the test of op stays outside the element loop.
  if (ASC_FEATURE_SIMD) {
    // Four vectors per iteration: each is one long chain of dependent operations, and four in flight let the
    // CPU overlap them (tanh f32 on this 2-core EPYC: 2.9 → 1.8 ns per element; eight spill and lose again).
    // Not in the edge templates, where the ≈ 5 KB it costs counts more than the speed.
    // exp and log are not unrolled: the activations map only tanh and sigmoid through here (softmax and the
    // losses call expV and logF64x2 themselves), and their four copies would take the module past 64 KiB.
    if (op == MATH_EXP) {
      for (; q + 16 <= bytes; q += 16) v128.store(y + q, expV<T>(v128.load(x + q)));
    } else if (op == MATH_TANH) {
      for (; UNROLL && q + 64 <= bytes; q += 64) {
        const v0 = tanhV<T>(v128.load(x + q)), v1 = tanhV<T>(v128.load(x + q, 16));
        const v2 = tanhV<T>(v128.load(x + q, 32)), v3 = tanhV<T>(v128.load(x + q, 48));
        store4(y + q, v0, v1, v2, v3);
      }
      for (; q + 16 <= bytes; q += 16) v128.store(y + q, tanhV<T>(v128.load(x + q)));
    } else if (op == MATH_LOG) {
      for (; q + 16 <= bytes; q += 16) v128.store(y + q, logV<T>(v128.load(x + q)));
    } else {
      for (; UNROLL && q + 64 <= bytes; q += 64) {
        const v0 = sigmoidV<T>(v128.load(x + q)), v1 = sigmoidV<T>(v128.load(x + q, 16));
        const v2 = sigmoidV<T>(v128.load(x + q, 32)), v3 = sigmoidV<T>(v128.load(x + q, 48));
        store4(y + q, v0, v1, v2, v3);
      }
      for (; q + 16 <= bytes; q += 16) v128.store(y + q, sigmoidV<T>(v128.load(x + q)));
    }
  }
  for (; q < bytes; q += size) {
    const v = load<T>(x + q);
    let out: T;
    if (op == MATH_EXP) out = expT<T>(v);
    else if (op == MATH_TANH) out = tanhT<T>(v);
    else if (op == MATH_LOG) out = sizeof<T>() == 4 ? <T>logF32(<f32>v) : <T>logF64(<f64>v);
    else out = sigmoidT<T>(v);
    store<T>(y + q, out);
  }
  return 0;
}
