// Mini-batch gathers: gatherRowsTransposed (examples-first rows → features-first batch, what the trainer
// uses) and gatherColumns (features-first columns) on both builds × both dtypes against the TS twin.
// Both are pure copies, so "equal" means bit for bit: SIMD build, scalar build and twin must agree exactly,
// and every destination element must hold the very bytes of its source element (NaN payloads, −0,
// subnormals and infinities included).
import { describe, expect, it } from 'vitest';
import * as ref from '../../src/reference/index.js';
import type { DType, FloatArray, Tensor } from '../../src/runtime/arena.js';
import type { Build } from '../../src/runtime/load.js';
import { BUILDS, DTYPES, expectWritesOnly, useBuilds, mulberry32, typed, uniform } from './helpers.js';

const K = useBuilds();

/** Features per example: every SIMD tail (4 f32 / 2 f64 per vector, 16 / 8 per cache-line block) and MNIST's 784. */
const FEATURES = [1, 3, 4, 5, 7, 8, 9, 17, 784];
/** Examples per batch: the 4-example blocks and their tails, and a typical batch. */
const BATCHES = [1, 3, 4, 5, 9, 128];
/** Examples in the source set (odd, larger than every batch). */
const SRC_ROWS = 131;

/**
 * count indices in 0..srcRows−1, out of order, with repeats: random, then (when there is room) the
 * first and last rows, and the first index repeated right after itself and at the end.
 */
function awkwardIndices(rng: () => number, count: number, srcRows: number): Int32Array {
  const idx = Int32Array.from({ length: count }, () => Math.floor(rng() * srcRows));
  if (count >= 3) { idx[0] = srcRows - 1; idx[1] = srcRows - 1; idx[2] = 0; }
  if (count >= 5) idx[count - 1] = idx[0]!;
  return idx;
}

/** Random values with special bit patterns sprinkled in: −0, ±∞, a subnormal, and a NaN with a payload. */
function awkwardValues(rng: () => number, n: number, dtype: DType): FloatArray {
  const x = uniform(rng, n, dtype, -3, 3);
  const specials = [-0, Infinity, -Infinity, dtype === 'float32' ? 2 ** -140 : 2 ** -1060, 0];
  for (let q = 0; q < n; q += 7) x[q] = specials[(q / 7) % specials.length]!;
  return x;
}

/** Puts a NaN with a non-canonical payload at every 11th element (bytes, so JS never touches it as a number). */
function plantNaNs(t: Tensor): void {
  const buf = t.arena.exports.memory.buffer;
  if (t.dtype === 'float32') {
    const u = new Uint32Array(buf, t.ptr, t.length);
    for (let q = 5; q < t.length; q += 11) u[q] = 0x7fa0_1234 + q;
  } else {
    const u = new BigUint64Array(buf, t.ptr, t.length);
    for (let q = 5; q < t.length; q += 11) u[q] = 0xfff4_0000_0000_0abcn + BigInt(q);
  }
}

/** The bytes of one element. */
function elementBytes(t: Tensor, q: number): string {
  const size = t.dtype === 'float32' ? 4 : 8;
  return Buffer.from(new Uint8Array(t.arena.exports.memory.buffer, t.ptr + q * size, size)).toString('hex');
}

function bytesOf(t: Tensor): Buffer {
  return Buffer.from(new Uint8Array(t.arena.exports.memory.buffer, t.ptr, t.byteLength));
}

describe('gatherRowsTransposed: dst[c, j] = src[indices[j], c]', () => {
  for (const dtype of DTYPES) {
    it(`SIMD build, scalar build and twin agree bit for bit on awkward sizes (${dtype})`, () => {
      const rng = mulberry32(41);
      let cases = 0;
      for (const cols of FEATURES) {
        for (const count of BATCHES) {
          const values = awkwardValues(rng, SRC_ROWS * cols, dtype);
          const idx = awkwardIndices(rng, count, SRC_ROWS);
          const want = typed(dtype, cols * count);
          ref.gatherRowsTransposed(values, cols, idx, want);
          const got: Record<Build, Buffer> = {} as Record<Build, Buffer>;
          for (const build of BUILDS) {
            const kern = K[build];
            const src = kern.tensor(SRC_ROWS, cols, dtype, values);
            plantNaNs(src);
            const dst = kern.tensor(cols, count, dtype, uniform(rng, cols * count, dtype)); // stale content everywhere
            expect(kern.gatherRowsTransposed(src, idx, dst)).toBe(dst);
            const where = `${build} ${dtype} ${SRC_ROWS}×${cols} → ${cols}×${count}`;
            // Every element is the very bytes of its source element (NaN payloads included).
            for (let c = 0; c < cols; c++) {
              for (let j = 0; j < count; j++) {
                const a = elementBytes(dst, c * count + j), b = elementBytes(src, idx[j]! * cols + c);
                if (a !== b) throw new Error(`${where}: dst[${c}, ${j}] is ${a}, src[${idx[j]}, ${c}] is ${b}`);
              }
            }
            // The twin (on the values without the planted NaNs) agrees wherever no NaN was planted.
            const d = dst.data;
            for (let q = 0; q < want.length; q++) {
              const srcQ = idx[q % count]! * cols + Math.floor(q / count);
              if (srcQ % 11 === 5) continue;
              if (!Object.is(d[q], want[q])) throw new Error(`${where}: element ${q}: ${d[q]} but the twin has ${want[q]}`);
            }
            got[build] = bytesOf(dst);
            src.dispose(); dst.dispose();
          }
          expect(got.simd.equals(got.scalar), `simd vs scalar ${dtype} ${cols}×${count}`).toBe(true);
          cases++;
        }
      }
      expect(cases).toBe(FEATURES.length * BATCHES.length);
    });
  }

  it('a whole permutation of the set, and an unshuffled run of rows, in that exact column order', () => {
    for (const build of BUILDS) {
      for (const dtype of DTYPES) {
        const kern = K[build];
        const rng = mulberry32(43);
        const m = 37, n = 13;
        const values = uniform(rng, m * n, dtype);
        const src = kern.tensor(m, n, dtype, values);
        const perm = Int32Array.from({ length: m }, (_, i) => i);
        for (let i = m - 1; i > 0; i--) { const k = Math.floor(rng() * (i + 1)); [perm[i], perm[k]] = [perm[k]!, perm[i]!]; }
        for (const idx of [perm, perm.subarray(9, 22), Int32Array.from({ length: 10 }, (_, i) => 20 + i)]) {
          const dst = kern.tensor(n, idx.length, dtype);
          kern.gatherRowsTransposed(src, idx, dst);
          const want = typed(dtype, n * idx.length);
          ref.gatherRowsTransposed(values, n, idx, want);
          expect(Array.from(dst.data)).toEqual(Array.from(want));
          // Column j is example idx[j]: transposing back gives the rows in batch order.
          for (let j = 0; j < idx.length; j++) {
            for (let c = 0; c < n; c++) expect(dst.data[c * idx.length + j]).toBe(values[idx[j]! * n + c]);
          }
          dst.dispose();
        }
        src.dispose();
      }
    }
  });

  it('writes nothing outside dst (tensors on both sides, tails of every kind)', () => {
    for (const build of BUILDS) {
      for (const dtype of DTYPES) {
        const kern = K[build];
        const rng = mulberry32(44);
        for (const [cols, count] of [[1, 1], [3, 5], [5, 9], [9, 3], [17, 128], [784, 5]] as const) {
          const before = kern.tensor(3, 3, dtype, uniform(rng, 9, dtype));
          const src = kern.tensor(SRC_ROWS, cols, dtype, uniform(rng, SRC_ROWS * cols, dtype));
          const dst = kern.tensor(cols, count, dtype);
          const after = kern.tensor(3, 3, dtype, uniform(rng, 9, dtype));
          const idx = awkwardIndices(rng, count, SRC_ROWS);
          kern.gatherRowsTransposed(src, idx, dst); // allocates the index scratch, which the next call rewrites with the same bytes
          dst.data.fill(0);
          expectWritesOnly(kern, [before, src, dst, after], [dst], () => kern.gatherRowsTransposed(src, idx, dst));
          for (const t of [before, src, dst, after]) t.dispose();
        }
      }
    }
  });

  it('bad input throws a clear Error and writes nothing', () => {
    for (const build of BUILDS) {
      const kern = K[build];
      const other = K[build === 'simd' ? 'scalar' : 'simd'];
      const src = kern.tensor(10, 6);
      const dst = kern.tensor(6, 4);
      const [flipped, short, wide] = [kern.tensor(4, 6), kern.tensor(5, 4), kern.tensor(6, 4, 'float64')];
      const foreign = other.tensor(6, 4);
      const gone = kern.tensor(6, 4);
      gone.dispose();
      const all = [src, dst, flipped, short, wide];
      const idx = Int32Array.from([0, 9, 3, 3]);
      const rejects = (fn: () => unknown, message: RegExp): void => {
        expectWritesOnly(kern, all, [], () => expect(fn).toThrow(message));
      };
      rejects(() => kern.gatherRowsTransposed(src, Int32Array.from([0, 10, 3, 3]), dst), /gatherRowsTransposed: row index 10 outside 0\.\.9/);
      rejects(() => kern.gatherRowsTransposed(src, Int32Array.from([0, 1, 2, -1]), dst), /row index -1 outside 0\.\.9/);
      rejects(() => kern.gatherRowsTransposed(src, [0, 1.5, 2, 3] as unknown as Int32Array, dst), /row index 1\.5 outside/);
      rejects(() => kern.gatherRowsTransposed(src, Int32Array.from([0, 1, 2]), dst), /dst is 6×4 but needs 6×3 \(src columns × indices\)/);
      rejects(() => kern.gatherRowsTransposed(src, idx, flipped), /dst is 4×6 but needs 6×4/);
      rejects(() => kern.gatherRowsTransposed(src, idx, short), /dst is 5×4 but needs 6×4/);
      rejects(() => kern.gatherRowsTransposed(src, idx, wide), /gatherRowsTransposed: mixes float32 and float64/);
      rejects(() => kern.gatherRowsTransposed(src, idx, src.view(6, 4)), /dst must not share memory with src/);
      rejects(() => kern.gatherRowsTransposed(src, idx, foreign), /dst belongs to another kernel module/);
      rejects(() => kern.gatherRowsTransposed(dst as never, idx, 'x' as never), /dst must be a Tensor/);
      rejects(() => kern.gatherRowsTransposed(src, idx, gone), /disposed/);
      expect(() => kern.gatherRowsTransposed(src, idx, dst)).not.toThrow();
    }
  });

  it('the raw export checks every index itself: −1 and no write for one outside 0..srcRows−1', () => {
    for (const build of BUILDS) {
      for (const dtype of DTYPES) {
        const kern = K[build];
        const src = kern.tensor(10, 6, dtype, uniform(mulberry32(45), 60, dtype));
        const dst = kern.tensor(6, 5, dtype);
        const idxPtr = kern.exports.alloc(5 * 4) >>> 0;
        const fn = dtype === 'float32' ? kern.exports.gather_rows_t_f32 : kern.exports.gather_rows_t_f64;
        try {
          for (const bad of [10, -1, 0x7fffffff, -0x80000000]) {
            new Int32Array(kern.exports.memory.buffer, idxPtr, 5).set([1, 2, 3, 4, bad]); // the bad one last: nothing may be written before it is seen
            expectWritesOnly(kern, [src, dst], [], () => expect(fn(src.ptr, 10, 6, idxPtr, 5, dst.ptr)).toBe(-1));
          }
          new Int32Array(kern.exports.memory.buffer, idxPtr, 5).set([1, 2, 3, 4, 9]);
          expect(fn(src.ptr, 10, 6, idxPtr, 5, dst.ptr)).toBe(0);
          expect(dst.data[4]).toBe(src.data[9 * 6]);
        } finally {
          kern.exports.free(idxPtr);
        }
      }
    }
  });
});

describe('gatherColumns: dst[r, j] = src[r, indices[j]]', () => {
  it('both builds and the twin agree bit for bit; bad indices and shapes throw', () => {
    const rng = mulberry32(46);
    for (const dtype of DTYPES) {
      for (const rows of [1, 3, 5, 17]) {
        for (const count of BATCHES) {
          const values = awkwardValues(rng, rows * SRC_ROWS, dtype);
          const idx = awkwardIndices(rng, count, SRC_ROWS);
          const want = typed(dtype, rows * count);
          ref.gatherColumns(values, rows, SRC_ROWS, idx, want);
          for (const build of BUILDS) {
            const kern = K[build];
            const src = kern.tensor(rows, SRC_ROWS, dtype, values);
            const dst = kern.tensor(rows, count, dtype);
            kern.gatherColumns(src, idx, dst);
            const d = dst.data;
            for (let q = 0; q < want.length; q++) if (!Object.is(d[q], want[q])) throw new Error(`${build} ${dtype} ${rows}×${count}: element ${q}`);
            src.dispose(); dst.dispose();
          }
        }
      }
    }
    const kern = K.simd;
    const src = kern.tensor(3, 10);
    expect(() => kern.gatherColumns(src, Int32Array.from([10]), kern.tensor(3, 1))).toThrow(/column index 10 outside 0\.\.9/);
    expect(() => kern.gatherColumns(src, Int32Array.from([1, 2]), kern.tensor(3, 1))).toThrow(/dst is 3×1 but needs 3×2/);
  });
});
