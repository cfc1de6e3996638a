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
    let acc = v128.splat<T>(<T>0);
    for (; q + 16 <= bytes; q += 16) acc = v128.max<T>(acc, v128.abs<T>(v128.load(x + q)));
    if (sizeof<T>() == 4) {
      worst = <T>max(max(f32x4.extract_lane(acc, 0), f32x4.extract_lane(acc, 1)), max(f32x4.extract_lane(acc, 2), f32x4.extract_lane(acc, 3)));
    } else {
      worst = <T>max(f64x2.extract_lane(acc, 0), f64x2.extract_lane(acc, 1));
    }
  }
  for (; q < bytes; q += size) worst = max<T>(worst, abs<T>(load<T>(x + q)));
  return <f64>worst;
}
