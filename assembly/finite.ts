// Finiteness checks the training step uses to refuse a diverged update (assembly/net.ts).

/**
 * max |x_i| over n values at x, as f64; NaN if any value is NaN (wasm's min/max propagate NaN). The scalar
 * build compiles only the tail loop: that loop is the twin (test/kernels/finite.test.ts checks both builds).
 */
export function maxAbs<T>(x: usize, n: i32): f64 {
  const size = <usize>sizeof<T>();
  const bytes = <usize>max(n, 0) * size;
  let q: usize = 0;
  let worst: T = <T>0;
  if (ASC_FEATURE_SIMD) {
    if (sizeof<T>() == 4) {
      // |x| as integers: clearing the sign bit leaves bit patterns that order like the values, NaN above
      // infinity, so i32x4.max_s (one instruction) replaces f32x4.max (V8's NaN-exact sequence of about
      // seven, one long dependent chain: 1 ns per element on the cat net's dW¹). Four chains overlap.
      const mask = i32x4.splat(0x7fffffff);
      let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      for (; q + 64 <= bytes; q += 64) {
        a0 = i32x4.max_s(a0, v128.and(v128.load(x + q), mask));
        a1 = i32x4.max_s(a1, v128.and(v128.load(x + q, 16), mask));
        a2 = i32x4.max_s(a2, v128.and(v128.load(x + q, 32), mask));
        a3 = i32x4.max_s(a3, v128.and(v128.load(x + q, 48), mask));
      }
      for (; q + 16 <= bytes; q += 16) a0 = i32x4.max_s(a0, v128.and(v128.load(x + q), mask));
      const acc = i32x4.max_s(i32x4.max_s(a0, a1), i32x4.max_s(a2, a3));
      const top = max(max(i32x4.extract_lane(acc, 0), i32x4.extract_lane(acc, 1)), max(i32x4.extract_lane(acc, 2), i32x4.extract_lane(acc, 3)));
      worst = <T>reinterpret<f32>(top);
    } else {
      // The same with i64 lanes; wasm has no i64x2.max_s, so a compare and a select.
      const mask = i64x2.splat(0x7fffffffffffffff);
      let a0 = i64x2.splat(0), a1 = a0;
      for (; q + 32 <= bytes; q += 32) {
        const v0 = v128.and(v128.load(x + q), mask), v1 = v128.and(v128.load(x + q, 16), mask);
        a0 = v128.bitselect(v0, a0, i64x2.gt_s(v0, a0));
        a1 = v128.bitselect(v1, a1, i64x2.gt_s(v1, a1));
      }
      for (; q + 16 <= bytes; q += 16) {
        const v0 = v128.and(v128.load(x + q), mask);
        a0 = v128.bitselect(v0, a0, i64x2.gt_s(v0, a0));
      }
      const acc = v128.bitselect(a0, a1, i64x2.gt_s(a0, a1));
      const top = max(i64x2.extract_lane(acc, 0), i64x2.extract_lane(acc, 1));
      worst = <T>reinterpret<f64>(top);
    }
  }
  for (; q < bytes; q += size) worst = max<T>(worst, abs<T>(load<T>(x + q)));
  return <f64>worst;
}
