// Elementwise updates that the optimisers build on.

/** y += alpha·x over n elements. */
export function axpy<T>(n: i32, alpha: T, x: usize, y: usize): void {
  const size = <usize>sizeof<T>();
  const bytes = <usize>n * size;
  let q: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const va = v128.splat<T>(alpha);
    for (; q + 16 <= bytes; q += 16) v128.store(y + q, v128.add<T>(v128.load(y + q), v128.mul<T>(va, v128.load(x + q))));
  }
  for (; q < bytes; q += size) store<T>(y + q, load<T>(y + q) + alpha * load<T>(x + q));
}

/** x *= alpha over n elements. */
export function scale<T>(n: i32, alpha: T, x: usize): void {
  const size = <usize>sizeof<T>();
  const bytes = <usize>n * size;
  let q: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const va = v128.splat<T>(alpha);
    for (; q + 16 <= bytes; q += 16) v128.store(x + q, v128.mul<T>(va, v128.load(x + q)));
  }
  for (; q < bytes; q += size) store<T>(x + q, alpha * load<T>(x + q));
}
