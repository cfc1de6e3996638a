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

/** out = x ⊙ y over n elements (dropout masks); out may alias x or y. */
export function mul<T>(n: i32, x: usize, y: usize, out: usize): void {
  const size = <usize>sizeof<T>();
  const bytes = <usize>n * size;
  let q: usize = 0;
  if (ASC_FEATURE_SIMD) {
    for (; q + 16 <= bytes; q += 16) v128.store(out + q, v128.mul<T>(v128.load(x + q), v128.load(y + q)));
  }
  for (; q < bytes; q += size) store<T>(out + q, load<T>(x + q) * load<T>(y + q));
}

/** dst[r, j] = src[r, idx[j]] for r < rows, j < count: a mini-batch's columns; idx is i32 and must be < srcCols. */
export function gatherCols<T>(src: usize, rows: i32, srcCols: i32, idx: usize, count: i32, dst: usize): void {
  const size = <usize>sizeof<T>();
  for (let r = 0; r < rows; r++) {
    const s = src + <usize>r * <usize>srcCols * size;
    const d = dst + <usize>r * <usize>count * size;
    for (let j = 0; j < count; j++) {
      store<T>(d + <usize>j * size, load<T>(s + <usize>load<i32>(idx + (<usize>j << 2)) * size));
    }
  }
}
