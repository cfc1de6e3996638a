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

/** Features per block of gatherRowsT: one 64-byte cache line of a source row. */
const GATHER_BLOCK_BYTES: i32 = 64;

/**
 * dst[c, j] = src[idx[j], c] for c < cols, j < count: a mini-batch of examples-first rows (src: srcRows×cols,
 * one example per row) written features-first (dst: cols×count), columns in idx order. A pure copy, bit for bit.
 * Every index is checked first: returns 0, or -1 without writing anything when one is outside 0..srcRows−1.
 * The features go in blocks of one cache line per source row, so every source line is read once and the
 * block's destination rows (≤ 16 × count elements) stay in L1 while they fill. SIMD: 4 examples at a time,
 * each 16-byte piece of their rows (4 f32 / 2 f64 features) transposed with v128.shuffle into 16 contiguous
 * bytes of a destination row; the scalar twin (and the tails) copy one element at a time.
 */
export function gatherRowsT<T>(src: usize, srcRows: i32, cols: i32, idx: usize, count: i32, dst: usize): i32 {
  for (let j = 0; j < count; j++) {
    if (<u32>load<i32>(idx + (<usize>j << 2)) >= <u32>srcRows) return -1;
  }
  const size = <usize>sizeof<T>();
  const srcRow = <usize>cols * size;
  const dstRow = <usize>count * size;
  const block = GATHER_BLOCK_BYTES / sizeof<T>();
  for (let c0 = 0; c0 < cols; c0 += block) {
    const c1 = min(c0 + block, cols);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 4 <= count; j += 4) {
        const ip = idx + (<usize>j << 2);
        const s0 = src + <usize>load<i32>(ip) * srcRow;
        const s1 = src + <usize>load<i32>(ip, 4) * srcRow;
        const s2 = src + <usize>load<i32>(ip, 8) * srcRow;
        const s3 = src + <usize>load<i32>(ip, 12) * srcRow;
        const d = dst + <usize>j * size;
        let c = c0;
        if (sizeof<T>() == 4) {
          for (; c + 4 <= c1; c += 4) {
            const o = <usize>c << 2;
            const v0 = v128.load(s0 + o), v1 = v128.load(s1 + o), v2 = v128.load(s2 + o), v3 = v128.load(s3 + o);
            const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
            const t2 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
            const dc = d + <usize>c * dstRow;
            v128.store(dc, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
            v128.store(dc + dstRow, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
            v128.store(dc + dstRow * 2, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
            v128.store(dc + dstRow * 3, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
          }
        } else {
          for (; c + 2 <= c1; c += 2) {
            const o = <usize>c << 3;
            const v0 = v128.load(s0 + o), v1 = v128.load(s1 + o), v2 = v128.load(s2 + o), v3 = v128.load(s3 + o);
            const dc = d + <usize>c * dstRow;
            v128.store(dc, v128.shuffle<f64>(v0, v1, 0, 2));
            v128.store(dc, v128.shuffle<f64>(v2, v3, 0, 2), 16);
            v128.store(dc + dstRow, v128.shuffle<f64>(v0, v1, 1, 3));
            v128.store(dc + dstRow, v128.shuffle<f64>(v2, v3, 1, 3), 16);
          }
        }
        for (; c < c1; c++) {
          const o = <usize>c * size;
          const dc = d + <usize>c * dstRow;
          store<T>(dc, load<T>(s0 + o));
          store<T>(dc + size, load<T>(s1 + o));
          store<T>(dc + size * 2, load<T>(s2 + o));
          store<T>(dc + size * 3, load<T>(s3 + o));
        }
      }
    }
    for (; j < count; j++) {
      const s = src + <usize>load<i32>(idx + (<usize>j << 2)) * srcRow;
      const d = dst + <usize>j * size;
      for (let c = c0; c < c1; c++) store<T>(d + <usize>c * dstRow, load<T>(s + <usize>c * size));
    }
  }
  return 0;
}
