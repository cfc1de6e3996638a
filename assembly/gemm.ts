// GEMM: C = alpha·op(A)·op(B) + beta·C over row-major matrices in linear memory, op ∈ {N, T}.
// One driver for every transpose combination. When several panels read op(A), its MC×KC block is packed
// once into contiguous row tiles: in the SIMD builds always (the packed tile then loads its four rows at
// immediate offsets of one pointer, where four strided rows cost V8 an address computation each), in the
// scalar build when A is transposed (read in place, it walks a column with a stride of lda, a power of two
// in most nets, which maps a whole k block onto a few L1 sets); otherwise op(A) is read through (row,
// column) byte strides in place. op(B) is packed one KC×NR panel
// at a time into static scratch, reused by every row tile of the block, when it is transposed, a
// partial panel, or its rows sit a multiple of 256 bytes apart; otherwise it is read in place.
// The register tile is 4 rows × 2 vectors (f32: 4×8, f64: 4×4) under ASC_FEATURE_SIMD and
// 4×4 scalars in the scalar twin; both accumulate each KC block in registers. Under SIMD an f32 product only
// 1–4 deep with B untransposed (gemmThinK: the planar net's layers) skips packing and tiles: each row of C
// streams B's k rows, summing every element in the tile's order (test/kernels/gemm-order.test.ts).
//
// Every element of C is summed in an order that depends only on its own row and column, k and the
// path (gemv, dot products, register tiles): never on which tile or sub-block it was computed in.
// So C may be split into column or row blocks, each computed by gemmSerial on its own, and the bytes
// match the whole product. The threads build does exactly that (assembly/pool.ts).
//
// Bounds: every load stays inside the operands it reads: op(A) and op(B) rows up to k, columns up to
// m and n, C up to m×n (a partial panel or tile is packed, or its rows re-read the last valid row).
// test/kernels/gemm-bounds.test.ts places each operand at the very end of memory to check it.
//
// This file is serial and imports nothing; assembly/dispatch.ts picks the pool or gemmSerial.

/** Rows of C per register tile. */
export const MR: i32 = 4;
/**
 * Depth of one k block of the tile path: the packed op(A) block's row tiles plus one KC×NR panel of op(B) stay
 * in L1. 128, not 256: with the cat net's 20 rows, a 256-deep block (20 KiB of A, and B's panel rows spread
 * over 256 cache lines when read in place) overflowed the 32 KiB L1 and ran 14 % slower on a Zen 3 EPYC.
 */
const KC: i32 = 128;
/** Depth of one k block of the dot-product path (its lane sums are reduced once per block, so deeper is cheaper). */
const KC_DOT: i32 = 256;
/** Largest panel width in elements (f32 SIMD: 8). */
const NR_MAX: i32 = 8;
/**
 * Bytes of one packed block of op(A): MC = A_BLOCK_BYTES / (KC·size) rows (f32: 128, f64: 64); fits L2 beside
 * the panels. The edge templates (built with --use SIMDNET_EDGE=1) do not reserve the 64 KiB: with no block
 * to pack into, their forward passes read op(A) in place (tileSimd), at no cost to the bits.
 */
const A_BLOCK_BYTES: i32 = isDefined(SIMDNET_EDGE) ? 16 : 64 * 1024;

/**
 * Below this many rows of C, A·Bᵀ runs as dot products (no packing); packing pays off for taller A. At 20 rows
 * (the cat net's dW¹ = dZ¹·Xᵀ, 20×12288 over k = 209) the packed tile path measured 14 % faster once k blocks
 * were 128 deep (2.6 % in a second A/B); at 10 rows and below, and for B with fewer rows than a panel, the dot products win.
 */
const DOT_MAX_ROWS: i32 = 16;
/** Below this many columns of C (rows of B), A·Bᵀ runs as dot products too. Not above 8 = the thread pool's column unit, so a column block never changes path. */
export const DOT_MAX_COLS: i32 = 8;
/**
 * B of at least this many bytes is touched ahead (gemmSerial): it cannot stay in L2 between products, so every
 * product streams it in from L3 or memory. WebAssembly has no prefetch instruction; a byte load per k step,
 * TOUCH_STEP bytes further each time along what the next panels will read, stands in for one. Spread that
 * thin, each miss overlaps the arithmetic instead of stalling it (the same loads bunched per panel or
 * per k block gained nothing). Smaller B (the MLP's 400 KiB) skip it: the extra load and adds cost 2–3 %.
 */
const TOUCH_MIN_BYTES: u64 = 4 << 20;
/**
 * Bytes the touch moves per k step: for an untransposed B, 8 (the cat net's W·X: 5 row tiles × 27 panels × 128
 * steps × 8 bytes = 138 KB ≥ the next k block's 107 KB; 16 measured slower); for a transposed B, 16 (dZ·Xᵀ:
 * 5 × 128 × 16 = 10 KB ≥ the next panel's 6.4 KB).
 */
const TOUCH_STEP_N: usize = 8;
const TOUCH_STEP_T: usize = 16;
/** Deepest product the thin-k path takes (gemmThinK): k + 2 vectors of B per step and k splats of A stay in registers. */
const THIN_K_MAX: i32 = 4;
/** The thin-k path is left out of the edge templates, whose size counts more. */
const THIN_K: bool = !isDefined(SIMDNET_EDGE);
/** Rows of B per block of the dot-product path: the block (≤ 64 rows × KC_DOT) stays in L1/L2 across row tiles of A. */
const DOT_NB: i32 = 64;

/** Bytes of the packed-panel scratch: KC×NR_MAX elements of the widest type, so 2·KC panel rows of 32 bytes (the deepest k block). */
export const PANEL_BYTES: usize = <usize>(KC * NR_MAX * 8);
/** Bytes of the spill space for a partial register tile: MR rows of 32 bytes. */
export const SPILL_BYTES: usize = <usize>(MR * 32);
/** Bytes of the packed block of op(A). */
export const ABLOCK_BYTES: usize = <usize>A_BLOCK_BYTES;
/** Bytes of one thread's GEMM scratch: the packed panel, then the spill space, then the packed block of op(A). */
export const SCRATCH_BYTES: usize = PANEL_BYTES + SPILL_BYTES + ABLOCK_BYTES;
/** This instance's scratch, static so kernels never grow memory; laid out as setGemmScratch lays out a worker's. */
const scratchStatic: usize = memory.data(<i32>SCRATCH_BYTES, 16);
/** Threads build: this instance's scratch. Each worker instance gets its own block (setGemmScratch). */
let panelThread: usize = scratchStatic;
let spillThread: usize = scratchStatic + PANEL_BYTES;
let aBlockThread: usize = scratchStatic + PANEL_BYTES + SPILL_BYTES;

/** Start of the scratch gemm uses on this instance: the only memory it writes besides C (SCRATCH_BYTES long). */
export function gemmScratch(): usize { return ASC_FEATURE_THREADS ? panelThread : scratchStatic; }
/** The packed-panel scratch of this thread. */
@inline function panelPtr(): usize { return ASC_FEATURE_THREADS ? panelThread : scratchStatic; }
/** The spill space of this thread. */
@inline function spillPtr(): usize { return ASC_FEATURE_THREADS ? spillThread : scratchStatic + PANEL_BYTES; }
/** The packed op(A) block of this thread. */
@inline function aBlockPtr(): usize { return ASC_FEATURE_THREADS ? aBlockThread : scratchStatic + PANEL_BYTES + SPILL_BYTES; }

/** Threads build: points this instance's GEMM scratch at SCRATCH_BYTES bytes (16-aligned) of its own. */
export function setGemmScratch(scratch: usize): void {
  panelThread = scratch;
  spillThread = scratch + PANEL_BYTES;
  aBlockThread = scratch + PANEL_BYTES + SPILL_BYTES;
}

/** The three ways the driver computes a product; each sums every element in its own fixed order. */
export const PATH_GEMV: i32 = 0;
export const PATH_DOT: i32 = 1;
export const PATH_TILE: i32 = 2;

/** Which path gemm takes for these arguments (k > 0, alpha ≠ 0). */
@inline export function gemmPath(transA: bool, transB: bool, m: i32, n: i32, ldb: i32): i32 {
  // Matrix × vector (one example through a layer): dot products of A's rows with the contiguous vector.
  if (ASC_FEATURE_SIMD && n == 1 && !transA && (transB || ldb == 1)) return PATH_GEMV;
  // A·Bᵀ with few rows of A: dot products along k stream B once, where packing op(B) would copy all of B.
  if (ASC_FEATURE_SIMD && transB && !transA && (m < DOT_MAX_ROWS || n < DOT_MAX_COLS)) return PATH_DOT;
  return PATH_TILE;
}

/**
 * Depth of the tile path's k blocks. Each block is summed in registers and then added to C (stored, for the
 * first block with beta = 0), so a caller that splits k at these boundaries, beta = 0 for the first part and 1
 * after, gets the bytes of the whole product: assembly/net.ts does, to share one pass over x between steps.
 */
@inline export function tileDepth(transB: bool, k: i32): i32 { return transB && k <= 2 * KC ? k : KC; }

/** acc + x·y: one fused multiply-add in the relaxed-SIMD build (rounding may differ), mul then add otherwise. */
@inline function madd<T>(acc: v128, x: v128, y: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return v128.relaxed_madd<T>(x, y, acc);
  return v128.add<T>(acc, v128.mul<T>(x, y));
}

/** Panel width in elements for T in this build. */
@inline function panelWidth<T>(): i32 {
  if (ASC_FEATURE_SIMD) return 32 / sizeof<T>();
  return 4;
}

/** C = alpha·op(A)·op(B) + beta·C on this thread alone; op(A) is m×k, op(B) is k×n, leading dimensions in elements. */
export function gemmSerial<T>(
  transA: bool, transB: bool, m: i32, n: i32, k: i32,
  alpha: T, a: usize, lda: i32, b: usize, ldb: i32,
  beta: T, c: usize, ldc: i32,
): void {
  if (m <= 0 || n <= 0) return;
  const size = <usize>sizeof<T>();
  const ldcBytes = <usize>ldc * size;
  const work = k > 0 && alpha != <T>0;
  // With beta = 0 the SIMD tiles store their first k block's sums (+ 0, the bits of 0 + sum) instead of adding
  // them to a zeroed C: C is then not filled, read back and written, but written once (for the cat net's
  // dW¹ = dZ¹·Xᵀ, 960 KiB of C in rows 48 KiB apart).
  const path = ASC_FEATURE_SIMD ? gemmPath(transA, transB, m, n, ldb) : PATH_TILE;
  const tilesOverwrite = ASC_FEATURE_SIMD && work && beta == <T>0 && path == PATH_TILE;
  if (!tilesOverwrite) scaleMatrix<T>(m, n, beta, c, ldcBytes);
  if (!work) return;

  if (ASC_FEATURE_SIMD) {
    if (path == PATH_GEMV) {
      gemv<T>(m, k, alpha, a, lda, b, c, ldc);
      return;
    }
    if (path == PATH_DOT) {
      gemmDotNT<T>(m, n, k, alpha, a, lda, b, ldb, c, ldc);
      return;
    }
  }
  const nr = panelWidth<T>();
  if (ASC_FEATURE_SIMD && THIN_K && sizeof<T>() == 4 && !transB && k <= THIN_K_MAX && n >= nr) {
    // A depth of 1–4 (a first layer over 2-D inputs, a 4-unit hidden layer): each row of C streams B's k rows
    // in place; whole panels here, the last n mod nr columns through the tiles below. f32 only: the f64 twin
    // (planar f64 0.89×) does not fit the module's 64 KiB beside the f64 half tile (cat f64 step 1.03× without it).
    const done = n / nr * nr;
    gemmThinK<T>(transA, m, done, k, alpha, a, lda, b, ldb, tilesOverwrite, c, ldcBytes);
    if (done < n) gemmSerial<T>(transA, false, m, n - done, k, alpha, a, lda, b + <usize>done * size, ldb, tilesOverwrite ? <T>0 : <T>1, c + <usize>done * size, ldc);
    return;
  }
  // Byte strides of op(A) and op(B) along their rows and columns.
  const aRow: usize = transA ? size : <usize>lda * size;
  const aCol: usize = transA ? <usize>lda * size : size;
  const bRow: usize = transB ? size : <usize>ldb * size;
  const bCol: usize = transB ? <usize>ldb * size : size;

  // op(A) is packed when more than one panel reads it: always under SIMD, where the packed tile loads its four
  // rows at immediate offsets of one pointer (in V8 the address arithmetic of four strided rows, not the
  // multiplies, bounds the loop); only a transposed A in the scalar build. Packing never changes the summation order.
  const packA = A_BLOCK_BYTES >= KC * <i32>size * MR && (transA || ASC_FEATURE_SIMD) && n > nr;
  // A B too large to stay in L2 streams in from memory once per product: its tiles touch what comes next.
  const touchB = ASC_FEATURE_SIMD && packA && <u64>k * <u64>n * <u64>size >= TOUCH_MIN_BYTES;
  let touch = 0;
  // Rows of op(A) per block: a multiple of MR that fits the packed block; unpacked, all rows (each panel is packed once).
  // k blocks: KC deep, except that a transposed B (packed a panel at a time, so no strided reads) with k ≤ 2·KC
  // takes all of k in one block: C is then read and written once, not twice. For the cat net's dW¹ = dZ¹·Xᵀ
  // (k = 209, C 20×12288 = 960 KiB, beyond L2's reach per tile) that measured 0.86–0.89× the time of two blocks.
  const kb = tileDepth(transB, k);
  const mcMax = packA ? max(MR, A_BLOCK_BYTES / (kb * <i32>size * MR) * MR) : m;
  for (let pc = 0; pc < k; pc += kb) {
    const kc = min(kb, k - pc);
    const overwrite = tilesOverwrite && pc == 0;
    for (let ic = 0; ic < m; ic += mcMax) {
      const mb = min(mcMax, m - ic);
      let aBlock = a + <usize>ic * aRow + <usize>pc * aCol;
      let aTile = aRow * MR;
      let tRow = aRow, tCol = aCol;
      if (packA) {
        packBlockA<T>(kc, mb, aBlock, aRow, aCol);
        aBlock = aBlockPtr();
        aTile = <usize>kc * <usize>MR * size;
        tRow = size;
        tCol = <usize>MR * size;
      }
      // An untransposed B is read in place unless several row tiles reuse a panel whose rows are a multiple
      // of 256 bytes apart: those rows fall into at most 16 of the 64 L1 sets and evict each other.
      const bInPlace = !transB && (mb <= MR || (bRow & 255) != 0);
      // The bytes the tiles touch: B's rows of the next k block (an untransposed B, whose panels read it down
      // a stride), or the rows of B that make the next panel (a transposed one, packed a panel at a time).
      let tCur: usize = 0, tEnd: usize = 0;
      if (touchB && !transB && ic == 0 && pc + kb < k) {
        tCur = b + <usize>(pc + kb) * bRow;
        tEnd = b + <usize>(min(pc + 2 * kb, k) - 1) * bRow + <usize>n * size;
      }
      for (let j = 0; j < n; j += nr) {
        const nc = min(nr, n - j);
        if (touchB && transB && j + 2 * nr <= n) {
          tCur = b + <usize>(j + nr) * bCol + <usize>pc * size;
          tEnd = b + <usize>(j + 2 * nr - 1) * bCol + <usize>(pc + kc) * size;
        }
        const bBase = b + <usize>pc * bRow + <usize>j * bCol;
        let bp = bBase;
        let bStride = bRow;
        if (!bInPlace || nc < nr) {
          packPanel<T>(kc, nc, nr, bBase, bRow, bCol);
          bp = panelPtr();
          bStride = <usize>nr * size;
        }
        for (let i = 0; i < mb; i += MR) {
          const mc = min(MR, mb - i);
          const aBase = aBlock + <usize>(i / MR) * aTile;
          const cp = c + <usize>(ic + i) * ldcBytes + <usize>j * size;
          if (ASC_FEATURE_SIMD && touchB) {
            // Past the end of what there is to touch, the tile touches its own A tile (kc·MR elements ≥ kc·16 bytes).
            const step = transB ? TOUCH_STEP_T : TOUCH_STEP_N;
            const span = <usize>kc * step;
            let tp = aBase;
            if (tCur + span <= tEnd) {
              tp = tCur;
              tCur += span;
            }
            if (nc <= nr / 2) touch = tileSimdPackedHalf<T>(kc, aBase, mc, bp, bStride, nc, cp, ldcBytes, alpha, overwrite, tp, step, touch);
            else touch = tileSimdPacked<T>(kc, aBase, mc, bp, bStride, nc, cp, ldcBytes, alpha, overwrite, true, tp, step, touch);
          } else if (ASC_FEATURE_SIMD && packA) {
            if (nc <= nr / 2) tileSimdPackedHalf<T>(kc, aBase, mc, bp, bStride, nc, cp, ldcBytes, alpha, overwrite, aBase, 0, 0);
            else tileSimdPacked<T>(kc, aBase, mc, bp, bStride, nc, cp, ldcBytes, alpha, overwrite, false, 0, 0, 0);
          } else if (ASC_FEATURE_SIMD) {
            tileSimd<T>(kc, aBase, tRow, tCol, mc, bp, bStride, nc, cp, ldcBytes, alpha, overwrite);
          } else {
            tileScalar<T>(kc, aBase, tRow, tCol, mc, bp, bStride, nc, cp, ldcBytes, alpha);
          }
        }
      }
    }
  }
  // Keeps the touching loads alive: their sum is stored, never read.
  if (touchB) store<i32>(spillPtr(), touch);
}

/**
 * C[:, 0:n] (n a multiple of the panel width) = alpha·op(A)·B + keep·C for k ≤ THIN_K_MAX, where keep = 0 when
 * overwriting (setRow's bits: 0 + x = x + 0) and 1 otherwise (addRow's): one row of C at a time, two vectors per
 * step, each element summed 0 + a₀b₀ + a₁b₁ + … like the register tile, so the bytes are the tile path's.
 * The k loop is unrolled (thinRow's constant K): a loop over p ran 1.3–1.5× slower at k = 1 and 2. f32 only (see gemmSerial).
 */
function gemmThinK<T>(transA: bool, m: i32, n: i32, k: i32, alpha: T, a: usize, lda: i32, b: usize, ldb: i32, overwrite: bool, c: usize, ldcBytes: usize): void {
  const size = <usize>sizeof<T>();
  const aRow: usize = transA ? size : <usize>lda * size;
  const aCol: usize = transA ? <usize>lda * size : size;
  const bRow = <usize>ldb * size;
  const rowBytes = <usize>n * size;
  const keep = i32x4.splat(overwrite ? 0 : -1);
  for (let i = 0; i < m; i++) {
    const ap = a + <usize>i * aRow;
    const cp = c + <usize>i * ldcBytes;
    if (k == 1) thinRow<T>(1, ap, aCol, b, bRow, rowBytes, cp, alpha, keep);
    else if (k == 2) thinRow<T>(2, ap, aCol, b, bRow, rowBytes, cp, alpha, keep);
    else if (k == 3) thinRow<T>(3, ap, aCol, b, bRow, rowBytes, cp, alpha, keep);
    else thinRow<T>(4, ap, aCol, b, bRow, rowBytes, cp, alpha, keep);
  }
}

/** One row of gemmThinK: rowBytes of C at cp from K rows of B bRow bytes apart. */
@inline function thinRow<T>(K: i32, ap: usize, aCol: usize, b: usize, bRow: usize, rowBytes: usize, cp: usize, alpha: T, keep: v128): void {
  const zero = v128.xor(keep, keep); // +0 in every lane, from a local: a v128.const costs 18 bytes at each use
  const va = v128.splat<T>(alpha);
  const x0 = v128.load_splat<T>(ap);
  const x1 = K > 1 ? v128.load_splat<T>(ap + aCol) : zero;
  const x2 = K > 2 ? v128.load_splat<T>(ap + aCol * 2) : zero;
  const x3 = K > 3 ? v128.load_splat<T>(ap + aCol * 3) : zero;
  const b1 = b + bRow, b2 = b + bRow * 2, b3 = b + bRow * 3;
  for (let q: usize = 0; q < rowBytes; q += 32) {
    let lo = madd<T>(zero, x0, v128.load(b + q));
    let hi = madd<T>(zero, x0, v128.load(b + q, 16));
    if (K > 1) { lo = madd<T>(lo, x1, v128.load(b1 + q)); hi = madd<T>(hi, x1, v128.load(b1 + q, 16)); }
    if (K > 2) { lo = madd<T>(lo, x2, v128.load(b2 + q)); hi = madd<T>(hi, x2, v128.load(b2 + q, 16)); }
    if (K > 3) { lo = madd<T>(lo, x3, v128.load(b3 + q)); hi = madd<T>(hi, x3, v128.load(b3 + q, 16)); }
    v128.store(cp + q, v128.add<T>(v128.and(v128.load(cp + q), keep), v128.mul<T>(va, lo)));
    v128.store(cp + q, v128.add<T>(v128.and(v128.load(cp + q, 16), keep), v128.mul<T>(va, hi)), 16);
  }
}

/** Copies an mb×kc block of op(A) into the A scratch as row tiles: tile t holds kc groups of MR elements (rows MR·t … MR·t + MR − 1 at one p). */
function packBlockA<T>(kc: i32, mb: i32, src: usize, aRow: usize, aCol: usize): void {
  const size = <usize>sizeof<T>();
  const tileBytes = <usize>MR * size;
  let d = aBlockPtr();
  for (let i = 0; i < mb; i += MR) {
    const mc = min(MR, mb - i);
    let s = src + <usize>i * aRow;
    if (ASC_FEATURE_SIMD && mc == MR && aRow == size) {
      // Transposed A: the MR elements of one p are contiguous.
      for (let p = 0; p < kc; p++) {
        v128.store(d, v128.load(s));
        if (sizeof<T>() == 8) v128.store(d, v128.load(s, 16), 16);
        s += aCol;
        d += tileBytes;
      }
    } else if (ASC_FEATURE_SIMD && sizeof<T>() == 4 && mc == MR && aCol == size) {
      // Untransposed f32 A: four rows, contiguous along p, transposed 4 p at a time.
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        transpose4x4(s, aRow, d, 16);
        s += 16;
        d += 64;
      }
      for (; p < kc; p++) {
        for (let r = 0; r < MR; r++) store<T>(d + <usize>r * size, load<T>(s + <usize>r * aRow));
        s += size;
        d += tileBytes;
      }
    } else {
      // Rows past mc repeat the last row (the packed tile reads all MR rows and discards those sums).
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < MR; r++) store<T>(d + <usize>r * size, load<T>(s + <usize>min(r, mc - 1) * aRow));
        s += aCol;
        d += tileBytes;
      }
    }
  }
}

/** C = beta·C over an m×n block; beta = 0 overwrites (NaN in C does not survive), beta = 1 is free. */
function scaleMatrix<T>(m: i32, n: i32, beta: T, c: usize, ldcBytes: usize): void {
  if (beta == <T>1) return;
  const rowBytes = <usize>n * sizeof<T>();
  for (let i = 0; i < m; i++) {
    const row = c + <usize>i * ldcBytes;
    if (beta == <T>0) {
      memory.fill(row, 0, rowBytes);
    } else {
      for (let q: usize = 0; q < rowBytes; q += sizeof<T>()) store<T>(row + q, load<T>(row + q) * beta);
    }
  }
}

/** Copies a kc×nc block of op(B) into `panel` as kc rows of nr elements, zero-padding columns ≥ nc. */
function packPanel<T>(kc: i32, nc: i32, nr: i32, src: usize, bRow: usize, bCol: usize): void {
  const size = <usize>sizeof<T>();
  const dstRow = <usize>nr * size;
  const panel = panelPtr();
  if (ASC_FEATURE_SIMD && nc == nr && bCol == size) {
    // Untransposed B: one row of the panel is 32 contiguous bytes.
    let s = src;
    let d = panel;
    for (let p = 0; p < kc; p++) {
      v128.store(d, v128.load(s));
      v128.store(d, v128.load(s, 16), 16);
      s += bRow;
      d += dstRow;
    }
    return;
  }
  if (ASC_FEATURE_SIMD && nc == nr && bRow == size) {
    // Transposed B: each column of the panel is a contiguous row of B; transpose it in 4×4 (f32) or 2×2 (f64) blocks.
    if (sizeof<T>() == 4) packPanelT32(kc, src, bCol, panel);
    else packPanelT64(kc, src, bCol, panel);
    return;
  }
  if (nc < nr) memory.fill(panel, 0, <usize>kc * dstRow);
  // Column-outer order: for a transposed B each column of op(B) is a contiguous row of B.
  for (let q = 0; q < nc; q++) {
    let s = src + <usize>q * bCol;
    let d = panel + <usize>q * size;
    for (let p = 0; p < kc; p++) {
      store<T>(d, load<T>(s));
      s += bRow;
      d += dstRow;
    }
  }
}

/** f32: panel[p, q] = B[q, p] for 8 rows q of B (bCol bytes apart), p < kc; panel rows are 32 bytes. */
function packPanelT32(kc: i32, src: usize, bCol: usize, panel: usize): void {
  let p = 0;
  for (; p + 4 <= kc; p += 4) {
    const s = src + <usize>p * 4;
    const d = panel + <usize>p * 32;
    transpose4x4(s, bCol, d, 32);
    transpose4x4(s + bCol * 4, bCol, d + 16, 32);
  }
  for (; p < kc; p++) {
    for (let q = 0; q < 8; q++) store<f32>(panel + <usize>p * 32 + <usize>q * 4, load<f32>(src + <usize>q * bCol + <usize>p * 4));
  }
}

/** Stores the 4×4 block at s (rows bCol bytes apart) transposed at d (rows dRow bytes apart; a constant, so the stores take immediate offsets). */
@inline function transpose4x4(s: usize, bCol: usize, d: usize, dRow: usize): void {
  const v0 = v128.load(s), v1 = v128.load(s + bCol), v2 = v128.load(s + bCol * 2), v3 = v128.load(s + bCol * 3);
  const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
  v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(d + dRow, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
  v128.store(d + dRow * 2, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
  v128.store(d + dRow * 3, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
}

/** f64: panel[p, q] = B[q, p] for 4 rows q of B (bCol bytes apart), p < kc; panel rows are 32 bytes. */
function packPanelT64(kc: i32, src: usize, bCol: usize, panel: usize): void {
  let p = 0;
  for (; p + 2 <= kc; p += 2) {
    const s = src + <usize>p * 8;
    const d = panel + <usize>p * 32;
    for (let q: usize = 0; q < 4; q += 2) {
      const v0 = v128.load(s + q * bCol), v1 = v128.load(s + (q + 1) * bCol);
      v128.store(d + q * 8, v128.shuffle<f64>(v0, v1, 0, 2));
      v128.store(d + q * 8, v128.shuffle<f64>(v0, v1, 1, 3), 32);
    }
  }
  for (; p < kc; p++) {
    for (let q = 0; q < 4; q++) store<f64>(panel + <usize>p * 32 + <usize>q * 8, load<f64>(src + <usize>q * bCol + <usize>p * 8));
  }
}

/**
 * C[0:mc, 0:nc] += alpha · A-slice(mc×kc) · panel(kc×nr), with 4×2 vector accumulators. Keep the loop this
 * plain: a fifth row (10 accumulators) or two k steps per iteration measured at 40–60 % of this in V8.
 */
@inline function tileSimd<T>(
  kc: i32, a: usize, aRow: usize, aCol: usize, mc: i32,
  bp: usize, bStride: usize, nc: i32, c: usize, ldcBytes: usize, alpha: T, overwrite: bool,
): void {
  // Rows past mc re-read the last valid row; their sums are discarded on write-back.
  const o1: usize = mc > 1 ? aRow : 0;
  const o2: usize = mc > 2 ? aRow * 2 : o1;
  const o3: usize = mc > 3 ? aRow * 3 : o2;
  let c00 = v128.splat<T>(0), c01 = v128.splat<T>(0);
  let c10 = v128.splat<T>(0), c11 = v128.splat<T>(0);
  let c20 = v128.splat<T>(0), c21 = v128.splat<T>(0);
  let c30 = v128.splat<T>(0), c31 = v128.splat<T>(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    const x0 = v128.load_splat<T>(a);
    c00 = madd<T>(c00, x0, b0);
    c01 = madd<T>(c01, x0, b1);
    const x1 = v128.load_splat<T>(a + o1);
    c10 = madd<T>(c10, x1, b0);
    c11 = madd<T>(c11, x1, b1);
    const x2 = v128.load_splat<T>(a + o2);
    c20 = madd<T>(c20, x2, b0);
    c21 = madd<T>(c21, x2, b1);
    const x3 = v128.load_splat<T>(a + o3);
    c30 = madd<T>(c30, x3, b0);
    c31 = madd<T>(c31, x3, b1);
    a += aCol;
    bp += bStride;
  }
  writeTile<T>(mc, nc, c, ldcBytes, alpha, overwrite, c00, c01, c10, c11, c20, c21, c30, c31);
}

/**
 * tileSimd over a packed A tile (kc groups of MR elements): the four rows are immediate offsets of one pointer
 * and the loop runs on that pointer, so each k step is 6 loads, 8 multiplies, 8 adds and 3 integer ops.
 * Same products in the same order as tileSimd.
 */
@inline function tileSimdPacked<T>(
  kc: i32, a: usize, mc: i32, bp: usize, bStride: usize, nc: i32, c: usize, ldcBytes: usize, alpha: T, overwrite: bool,
  touching: bool, tp: usize, tStep: usize, touch: i32,
): i32 {
  let c00 = v128.splat<T>(0), c01 = v128.splat<T>(0);
  let c10 = v128.splat<T>(0), c11 = v128.splat<T>(0);
  let c20 = v128.splat<T>(0), c21 = v128.splat<T>(0);
  let c30 = v128.splat<T>(0), c31 = v128.splat<T>(0);
  const end = a + <usize>kc * <usize>MR * sizeof<T>();
  // One k step per iteration: unrolled twice, V8 spilled and the loop ran at 70 % of this one.
  while (a < end) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    const x0 = v128.load_splat<T>(a);
    c00 = madd<T>(c00, x0, b0);
    c01 = madd<T>(c01, x0, b1);
    const x1 = v128.load_splat<T>(a, sizeof<T>());
    c10 = madd<T>(c10, x1, b0);
    c11 = madd<T>(c11, x1, b1);
    const x2 = v128.load_splat<T>(a, sizeof<T>() * 2);
    c20 = madd<T>(c20, x2, b0);
    c21 = madd<T>(c21, x2, b1);
    const x3 = v128.load_splat<T>(a, sizeof<T>() * 3);
    c30 = madd<T>(c30, x3, b0);
    c31 = madd<T>(c31, x3, b1);
    if (touching) {
      touch += load<u8>(tp);
      tp += tStep;
    }
    a += <usize>MR * sizeof<T>();
    bp += bStride;
  }
  writeTile<T>(mc, nc, c, ldcBytes, alpha, overwrite, c00, c01, c10, c11, c20, c21, c30, c31);
  return touch;
}

/**
 * tileSimdPacked for a last panel of at most half its width (nc ≤ 4 f32 columns, 2 f64): only the panel's first
 * vector, half the multiplies (the cat net's W·X has 209 = 26·8 + 1 columns). Same products in the same order.
 * Touches like tileSimdPacked (tStep 0 leaves tp on the A tile).
 */
function tileSimdPackedHalf<T>(
  kc: i32, a: usize, mc: i32, bp: usize, bStride: usize, nc: i32, c: usize, ldcBytes: usize, alpha: T, overwrite: bool,
  tp: usize, tStep: usize, touch: i32,
): i32 {
  let c00 = v128.splat<T>(0), c10 = v128.splat<T>(0), c20 = v128.splat<T>(0), c30 = v128.splat<T>(0);
  const zero = v128.splat<T>(0);
  const end = a + <usize>kc * <usize>MR * sizeof<T>();
  while (a < end) {
    const b0 = v128.load(bp);
    c00 = madd<T>(c00, v128.load_splat<T>(a), b0);
    c10 = madd<T>(c10, v128.load_splat<T>(a, sizeof<T>()), b0);
    c20 = madd<T>(c20, v128.load_splat<T>(a, sizeof<T>() * 2), b0);
    c30 = madd<T>(c30, v128.load_splat<T>(a, sizeof<T>() * 3), b0);
    touch += load<u8>(tp);
    tp += tStep;
    a += <usize>MR * sizeof<T>();
    bp += bStride;
  }
  writeTile<T>(mc, nc, c, ldcBytes, alpha, overwrite, c00, zero, c10, zero, c20, zero, c30, zero);
  return touch;
}

/**
 * C[0:mc, 0:nc] += alpha·(the 4×2 vector accumulators), or with overwrite C = alpha·acc + 0 (the same bits as
 * adding to a zeroed C: 0 + x = x + 0, and −0 becomes +0 either way): whole rows directly, a partial tile
 * through the spill space.
 */
@inline function writeTile<T>(
  mc: i32, nc: i32, c: usize, ldcBytes: usize, alpha: T, overwrite: bool,
  c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128,
): void {
  const va = v128.splat<T>(alpha);
  if (nc == 32 / sizeof<T>()) {
    // Whole panel rows: a short tile (the last rows of C, or a one-row C) writes only its mc rows, in vectors;
    // addSpill would compute the same lanes one scalar at a time.
    if (overwrite) {
      setRow<T>(c, c00, c01, va);
      if (mc > 1) setRow<T>(c + ldcBytes, c10, c11, va);
      if (mc > 2) setRow<T>(c + ldcBytes * 2, c20, c21, va);
      if (mc > 3) setRow<T>(c + ldcBytes * 3, c30, c31, va);
      return;
    }
    addRow<T>(c, c00, c01, va);
    if (mc > 1) addRow<T>(c + ldcBytes, c10, c11, va);
    if (mc > 2) addRow<T>(c + ldcBytes * 2, c20, c21, va);
    if (mc > 3) addRow<T>(c + ldcBytes * 3, c30, c31, va);
    return;
  }
  const spill = spillPtr();
  v128.store(spill, c00); v128.store(spill, c01, 16);
  v128.store(spill, c10, 32); v128.store(spill, c11, 48);
  v128.store(spill, c20, 64); v128.store(spill, c21, 80);
  v128.store(spill, c30, 96); v128.store(spill, c31, 112);
  addSpill<T>(mc, nc, c, ldcBytes, alpha, overwrite);
}

/** C[row, 0:2 vectors] += alpha·(lo, hi). */
@inline function addRow<T>(c: usize, lo: v128, hi: v128, va: v128): void {
  v128.store(c, v128.add<T>(v128.load(c), v128.mul<T>(va, lo)));
  v128.store(c, v128.add<T>(v128.load(c, 16), v128.mul<T>(va, hi)), 16);
}

/** C[row, 0:2 vectors] = alpha·(lo, hi) + 0. */
@inline function setRow<T>(c: usize, lo: v128, hi: v128, va: v128): void {
  const zero = v128.splat<T>(0);
  v128.store(c, v128.add<T>(v128.mul<T>(va, lo), zero));
  v128.store(c, v128.add<T>(v128.mul<T>(va, hi), zero), 16);
}

/** C[0:mc, 0:nc] += alpha·spill (overwrite: = alpha·spill + 0), where spill holds MR rows of 32 bytes. */
@inline function addSpill<T>(mc: i32, nc: i32, c: usize, ldcBytes: usize, alpha: T, overwrite: bool): void {
  const size = <usize>sizeof<T>();
  const spill = spillPtr();
  for (let r = 0; r < mc; r++) {
    const row = c + <usize>r * ldcBytes;
    const acc = spill + <usize>r * 32;
    for (let q = 0; q < nc; q++) {
      const off = <usize>q * size;
      const sum = alpha * load<T>(acc + off);
      store<T>(row + off, overwrite ? sum + <T>0 : load<T>(row + off) + sum);
    }
  }
}

/** Scalar twin of tileSimd: a 4×4 tile of scalar accumulators over a panel of width 4. */
@inline function tileScalar<T>(
  kc: i32, a: usize, aRow: usize, aCol: usize, mc: i32,
  bp: usize, bStride: usize, nc: i32, c: usize, ldcBytes: usize, alpha: T,
): void {
  const size = <usize>sizeof<T>();
  const o1: usize = mc > 1 ? aRow : 0;
  const o2: usize = mc > 2 ? aRow * 2 : o1;
  const o3: usize = mc > 3 ? aRow * 3 : o2;
  let c00: T = 0, c01: T = 0, c02: T = 0, c03: T = 0;
  let c10: T = 0, c11: T = 0, c12: T = 0, c13: T = 0;
  let c20: T = 0, c21: T = 0, c22: T = 0, c23: T = 0;
  let c30: T = 0, c31: T = 0, c32: T = 0, c33: T = 0;
  for (let p = 0; p < kc; p++) {
    const b0 = load<T>(bp), b1 = load<T>(bp + size), b2 = load<T>(bp + size * 2), b3 = load<T>(bp + size * 3);
    const x0 = load<T>(a);
    c00 += x0 * b0; c01 += x0 * b1; c02 += x0 * b2; c03 += x0 * b3;
    const x1 = load<T>(a + o1);
    c10 += x1 * b0; c11 += x1 * b1; c12 += x1 * b2; c13 += x1 * b3;
    const x2 = load<T>(a + o2);
    c20 += x2 * b0; c21 += x2 * b1; c22 += x2 * b2; c23 += x2 * b3;
    const x3 = load<T>(a + o3);
    c30 += x3 * b0; c31 += x3 * b1; c32 += x3 * b2; c33 += x3 * b3;
    a += aCol;
    bp += bStride;
  }
  const spill = spillPtr();
  store<T>(spill, c00); store<T>(spill + size, c01); store<T>(spill + size * 2, c02); store<T>(spill + size * 3, c03);
  store<T>(spill + 32, c10); store<T>(spill + 32 + size, c11); store<T>(spill + 32 + size * 2, c12); store<T>(spill + 32 + size * 3, c13);
  store<T>(spill + 64, c20); store<T>(spill + 64 + size, c21); store<T>(spill + 64 + size * 2, c22); store<T>(spill + 64 + size * 3, c23);
  store<T>(spill + 96, c30); store<T>(spill + 96 + size, c31); store<T>(spill + 96 + size * 2, c32); store<T>(spill + 96 + size * 3, c33);
  addSpill<T>(mc, nc, c, ldcBytes, alpha, false);
}

/**
 * C += alpha·A·Bᵀ as dot products along k (SIMD lanes over k): A is m×k, B is n×k, both contiguous in k.
 * Tiles of 2 rows of A × 4 rows of B keep 8 vector accumulators whose lane sums land as one vector per
 * row of C; a leftover row of A uses 1×4 tiles.
 */
function gemmDotNT<T>(m: i32, n: i32, k: i32, alpha: T, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32): void {
  const size = <usize>sizeof<T>();
  const ldaBytes = <usize>lda * size, ldbBytes = <usize>ldb * size, ldcBytes = <usize>ldc * size;
  for (let pc = 0; pc < k; pc += KC_DOT) {
    const kc = min(KC_DOT, k - pc);
    for (let j0 = 0; j0 < n; j0 += DOT_NB) {
      const jEnd = min(n, j0 + DOT_NB);
      let i = 0;
      for (; i + 2 <= m; i += 2) {
        const ap = a + <usize>i * ldaBytes + <usize>pc * size;
        for (let j = j0; j < jEnd; j += 4) {
          const cols = min(4, jEnd - j);
          const bp = b + <usize>j * ldbBytes + <usize>pc * size;
          dotTile2x4<T>(kc, ap, ldaBytes, bp, ldbBytes, cols, c + <usize>i * ldcBytes + <usize>j * size, ldcBytes, alpha);
        }
      }
      for (; i < m; i++) {
        const ap = a + <usize>i * ldaBytes + <usize>pc * size;
        for (let j = j0; j < jEnd; j += 4) {
          const cols = min(4, jEnd - j);
          const bp = b + <usize>j * ldbBytes + <usize>pc * size;
          dotTile1x4<T>(kc, ap, bp, ldbBytes, cols, c + <usize>i * ldcBytes + <usize>j * size, alpha);
        }
      }
    }
  }
}

/** C[r, 0:cols] += alpha·Σ_p A[r, p]·B[q, p] for 2 rows of A (ldaBytes apart) and up to 4 rows of B (ldbBytes apart). */
@inline function dotTile2x4<T>(kc: i32, a: usize, ldaBytes: usize, b: usize, ldbBytes: usize, cols: i32, c: usize, ldcBytes: usize, alpha: T): void {
  const size = <usize>sizeof<T>();
  const lanes = 16 / sizeof<T>();
  // Rows of B past cols re-read row 0; their sums are discarded.
  const o1: usize = cols > 1 ? ldbBytes : 0;
  const o2: usize = cols > 2 ? ldbBytes * 2 : 0;
  const o3: usize = cols > 3 ? ldbBytes * 3 : 0;
  let c00 = v128.splat<T>(0), c01 = v128.splat<T>(0), c02 = v128.splat<T>(0), c03 = v128.splat<T>(0);
  let c10 = v128.splat<T>(0), c11 = v128.splat<T>(0), c12 = v128.splat<T>(0), c13 = v128.splat<T>(0);
  let p = 0;
  let off: usize = 0;
  for (; p + lanes <= kc; p += lanes) {
    const x0 = v128.load(a + off), x1 = v128.load(a + ldaBytes + off);
    const b0 = v128.load(b + off);
    c00 = madd<T>(c00, x0, b0); c10 = madd<T>(c10, x1, b0);
    const b1 = v128.load(b + o1 + off);
    c01 = madd<T>(c01, x0, b1); c11 = madd<T>(c11, x1, b1);
    const b2 = v128.load(b + o2 + off);
    c02 = madd<T>(c02, x0, b2); c12 = madd<T>(c12, x1, b2);
    const b3 = v128.load(b + o3 + off);
    c03 = madd<T>(c03, x0, b3); c13 = madd<T>(c13, x1, b3);
    off += 16;
  }
  if (sizeof<T>() == 4) {
    let r0 = lanesSum4(c00, c01, c02, c03), r1 = lanesSum4(c10, c11, c12, c13);
    for (; p < kc; p++) {
      const bv = gather4(b + off, o1, o2, o3);
      r0 = v128.add<f32>(r0, v128.mul<f32>(v128.splat<f32>(load<f32>(a + off)), bv));
      r1 = v128.add<f32>(r1, v128.mul<f32>(v128.splat<f32>(load<f32>(a + ldaBytes + off)), bv));
      off += 4;
    }
    addLanes<T>(c, r0, v128.splat<T>(0), cols, alpha);
    addLanes<T>(c + ldcBytes, r1, v128.splat<T>(0), cols, alpha);
  } else {
    let r0 = lanesSum2(c00, c01), r0h = lanesSum2(c02, c03);
    let r1 = lanesSum2(c10, c11), r1h = lanesSum2(c12, c13);
    for (; p < kc; p++) {
      const bv = gather2(b + off, o1), bvh = gather2(b + o2 + off, o3 - o2);
      const x0 = v128.splat<f64>(load<f64>(a + off)), x1 = v128.splat<f64>(load<f64>(a + ldaBytes + off));
      r0 = v128.add<f64>(r0, v128.mul<f64>(x0, bv)); r0h = v128.add<f64>(r0h, v128.mul<f64>(x0, bvh));
      r1 = v128.add<f64>(r1, v128.mul<f64>(x1, bv)); r1h = v128.add<f64>(r1h, v128.mul<f64>(x1, bvh));
      off += 8;
    }
    addLanes<T>(c, r0, r0h, cols, alpha);
    addLanes<T>(c + ldcBytes, r1, r1h, cols, alpha);
  }
}

/** C[0, 0:cols] += alpha·Σ_p A[p]·B[q, p] for one row of A and up to 4 rows of B (ldbBytes apart). */
@inline function dotTile1x4<T>(kc: i32, a: usize, b: usize, ldbBytes: usize, cols: i32, c: usize, alpha: T): void {
  const lanes = 16 / sizeof<T>();
  // Rows past cols re-read row 0; their sums are discarded.
  const o1: usize = cols > 1 ? ldbBytes : 0;
  const o2: usize = cols > 2 ? ldbBytes * 2 : 0;
  const o3: usize = cols > 3 ? ldbBytes * 3 : 0;
  let c0 = v128.splat<T>(0), c1 = v128.splat<T>(0), c2 = v128.splat<T>(0), c3 = v128.splat<T>(0);
  let p = 0;
  let off: usize = 0;
  for (; p + lanes <= kc; p += lanes) {
    const x = v128.load(a + off);
    c0 = madd<T>(c0, x, v128.load(b + off));
    c1 = madd<T>(c1, x, v128.load(b + o1 + off));
    c2 = madd<T>(c2, x, v128.load(b + o2 + off));
    c3 = madd<T>(c3, x, v128.load(b + o3 + off));
    off += 16;
  }
  if (sizeof<T>() == 4) {
    let r = lanesSum4(c0, c1, c2, c3);
    for (; p < kc; p++) {
      r = v128.add<f32>(r, v128.mul<f32>(v128.splat<f32>(load<f32>(a + off)), gather4(b + off, o1, o2, o3)));
      off += 4;
    }
    addLanes<T>(c, r, v128.splat<T>(0), cols, alpha);
  } else {
    let r = lanesSum2(c0, c1), rh = lanesSum2(c2, c3);
    for (; p < kc; p++) {
      const x = v128.splat<f64>(load<f64>(a + off));
      r = v128.add<f64>(r, v128.mul<f64>(x, gather2(b + off, o1)));
      rh = v128.add<f64>(rh, v128.mul<f64>(x, gather2(b + o2 + off, o3 - o2)));
      off += 8;
    }
    addLanes<T>(c, r, rh, cols, alpha);
  }
}

/** f32: [Σ lanes of v0, … of v3], each summed as (x0 + x1) + (x2 + x3), like lanesSum. */
@inline function lanesSum4(v0: v128, v1: v128, v2: v128, v3: v128): v128 {
  // [v0₀+v0₁, v1₀+v1₁, v0₂+v0₃, v1₂+v1₃] and the same for v2, v3.
  const s01 = v128.add<f32>(v128.shuffle<f32>(v0, v1, 0, 4, 2, 6), v128.shuffle<f32>(v0, v1, 1, 5, 3, 7));
  const s23 = v128.add<f32>(v128.shuffle<f32>(v2, v3, 0, 4, 2, 6), v128.shuffle<f32>(v2, v3, 1, 5, 3, 7));
  return v128.add<f32>(v128.shuffle<f32>(s01, s23, 0, 1, 4, 5), v128.shuffle<f32>(s01, s23, 2, 3, 6, 7));
}

/** f64: [v0₀ + v0₁, v1₀ + v1₁]. */
@inline function lanesSum2(v0: v128, v1: v128): v128 {
  return v128.add<f64>(v128.shuffle<f64>(v0, v1, 0, 2), v128.shuffle<f64>(v0, v1, 1, 3));
}

/** f32: [b[0], b[o1], b[o2], b[o3]]. */
@inline function gather4(b: usize, o1: usize, o2: usize, o3: usize): v128 {
  let v = v128.splat<f32>(load<f32>(b));
  v = v128.replace_lane<f32>(v, 1, load<f32>(b + o1));
  v = v128.replace_lane<f32>(v, 2, load<f32>(b + o2));
  return v128.replace_lane<f32>(v, 3, load<f32>(b + o3));
}

/** f64: [b[0], b[o1]]. */
@inline function gather2(b: usize, o1: usize): v128 {
  return v128.replace_lane<f64>(v128.splat<f64>(load<f64>(b)), 1, load<f64>(b + o1));
}

/** C[0, 0:cols] += alpha·sums, the sums being the lanes of lo (then hi for f64: 2 lanes each). */
@inline function addLanes<T>(c: usize, lo: v128, hi: v128, cols: i32, alpha: T): void {
  const va = v128.splat<T>(alpha);
  if (cols == 4) {
    v128.store(c, v128.add<T>(v128.load(c), v128.mul<T>(va, lo)));
    if (sizeof<T>() == 8) v128.store(c, v128.add<T>(v128.load(c, 16), v128.mul<T>(va, hi)), 16);
    return;
  }
  const spill = spillPtr();
  v128.store(spill, lo);
  v128.store(spill, hi, 16);
  for (let q = 0; q < cols; q++) addDot<T>(c + <usize>q * sizeof<T>(), load<T>(spill + <usize>q * sizeof<T>()), alpha);
}

/** Sum of the lanes of v. */
@inline function lanesSum<T>(v: v128): T {
  if (sizeof<T>() == 4) {
    return <T>((v128.extract_lane<f32>(v, 0) + v128.extract_lane<f32>(v, 1)) + (v128.extract_lane<f32>(v, 2) + v128.extract_lane<f32>(v, 3)));
  }
  return <T>(v128.extract_lane<f64>(v, 0) + v128.extract_lane<f64>(v, 1));
}

/** *c += alpha·s. */
@inline function addDot<T>(c: usize, s: T, alpha: T): void {
  store<T>(c, load<T>(c) + alpha * s);
}

/** c[i·ldc] += alpha·Σ_p A[i, p]·x[p]: C = A·x for a contiguous vector x, four rows of A per pass. */
function gemv<T>(m: i32, k: i32, alpha: T, a: usize, lda: i32, x: usize, c: usize, ldc: i32): void {
  const size = <usize>sizeof<T>();
  const ldaBytes = <usize>lda * size;
  for (let i = 0; i < m; i += 4) {
    const rows = min(4, m - i);
    if (ldc == 1) {
      dotTile1x4<T>(k, x, a + <usize>i * ldaBytes, ldaBytes, rows, c + <usize>i * size, alpha);
    } else {
      for (let r = 0; r < rows; r++) {
        dotTile1x4<T>(k, x, a + <usize>(i + r) * ldaBytes, 0, 1, c + <usize>(i + r) * <usize>ldc * size, alpha);
      }
    }
  }
}
