// GEMM never touches memory past the last element of A, B or C. Each operand in turn is placed so that
// it ends exactly at the end of the module's linear memory, where any access past it traps
// ("memory access out of bounds"), while the other two sit inside a region this file grew and owns.
// A fourth placement puts every operand inside the region with a guard right after its last element and
// in its row padding (ld > cols): NaN after A and B, a finite sentinel after C. The result must match
// the TS twin, be byte-identical in all four placements, and leave every guard untouched. The extra columns a partial panel or tile reads in
// place would be discarded, so only the trap catches them (that bug once passed every other test).
// Builds: simd, scalar, and the threads build with a pool that splits every product into blocks that
// only its workers compute (each block ends where its part of B or C ends).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernels } from '../../src/kernels.js';
import { gemm as refGemm } from '../../src/reference/index.js';
import type { DType } from '../../src/runtime/arena.js';
import { DTYPES, TINY, accTol, mulberry32 } from './helpers.js';

/** Pages this file grows each module by; the allocator never hands them out (it only adds pages it grew itself). */
const REGION_PAGES = 160;
const PAGE = 65536;

interface Module { name: string; K: Kernels; base: number; end: number }
const modules: Module[] = [];

/**
 * SIMDNET_TEST_WASM_DIR=dir runs this file on dir/simdnet.{simd,scalar,threads}.wasm instead of the
 * bundled build/ (for checking that it fails on a kernel built with a bug put in on purpose).
 */
function source(build: string): { source?: Uint8Array } {
  const dir = process.env.SIMDNET_TEST_WASM_DIR;
  return dir ? { source: new Uint8Array(readFileSync(`${dir}/simdnet.${build}.wasm`)) } : {};
}

beforeAll(async () => {
  const loaded: [string, Kernels][] = [
    ['simd', await Kernels.load({ build: 'simd', ...source('simd') })],
    ['scalar', await Kernels.load({ build: 'scalar', ...source('scalar') })],
    ['threads', await Kernels.load({ threads: 3, threadTuning: { minWork: 1, spinMs: 0.2, callerComputes: false }, ...source('threads') })],
  ];
  for (const [name, K] of loaded) {
    const memory = K.exports.memory;
    const base = memory.grow(REGION_PAGES) * PAGE;
    modules.push({ name, K, base, end: base + REGION_PAGES * PAGE });
  }
  expect(modules[2]!.K.threads, modules[2]!.K.threadsFallback ?? '').toBe(3);
});

afterAll(async () => {
  await Promise.all(modules.map((m) => m.K.dispose()));
});

interface Case {
  tA: boolean; tB: boolean; m: number; n: number; k: number;
  /** Extra elements per row beyond the stored column count (0: ld = cols). */
  pad: number;
  alpha: number; beta: number;
}

interface Operand { rows: number; cols: number; ld: number; data: Float64Array }

/** Bytes from the first to just past the last element of a rows×cols operand with leading dimension ld. */
function span(o: Operand, size: number): number {
  return ((o.rows - 1) * o.ld + o.cols) * size;
}

/** Guard elements after each operand in the padded placement. */
const GUARD = 16;

type Where = 'padded' | 'A' | 'B' | 'C';

/**
 * Fill of the padding and guards: NaN after A and B (a value read from there would poison C), and
 * after C a finite value that any write (beta·g + alpha·sum) would change.
 */
const C_FILL = 1234.5;

/** Writes o at ptr, its padding and (when guard) GUARD elements after its last one set to fill. */
function put(mem: ArrayBuffer | SharedArrayBuffer, ptr: number, o: Operand, dtype: DType, guard: boolean, fill: number): void {
  const count = span(o, dtype === 'float32' ? 4 : 8) / (dtype === 'float32' ? 4 : 8);
  const view = dtype === 'float32' ? new Float32Array(mem, ptr, count + (guard ? GUARD : 0)) : new Float64Array(mem, ptr, count + (guard ? GUARD : 0));
  view.fill(fill);
  for (let i = 0; i < o.rows; i++) for (let j = 0; j < o.cols; j++) view[i * o.ld + j] = o.data[i * o.cols + j]!;
}

/** Reads an operand from ptr; checks that its padding and guard still hold the fill written there. */
function take(mem: ArrayBuffer | SharedArrayBuffer, ptr: number, o: Operand, dtype: DType, guard: boolean, fill: number, what: string): Float64Array {
  const size = dtype === 'float32' ? 4 : 8;
  const count = span(o, size) / size + (guard ? GUARD : 0);
  const view = dtype === 'float32' ? new Float32Array(mem, ptr, count) : new Float64Array(mem, ptr, count);
  const out = new Float64Array(o.rows * o.cols);
  for (let q = 0; q < count; q++) {
    const i = Math.floor(q / o.ld), j = q % o.ld;
    if (i < o.rows && j < o.cols) out[i * o.cols + j] = view[q]!;
    else if (!Object.is(view[q], fill)) throw new Error(`${what}: element ${q} (${i < o.rows ? 'row padding' : 'past the end'}) was written (${view[q]})`);
  }
  return out;
}

/** Runs the case on one module with the operands placed as `where` says; returns C's values. */
function run(mod: Module, cs: Case, dtype: DType, A: Operand, B: Operand, C: Operand, where: Where): Float64Array {
  const { K, base, end } = mod;
  const size = dtype === 'float32' ? 4 : 8;
  const mem = K.exports.memory.buffer;
  if (mem.byteLength !== end) throw new Error(`${mod.name}: memory grew to ${mem.byteLength} bytes; the test region no longer ends it`);
  const bytes = [A, B, C].map((o) => span(o, size));
  const gap = GUARD * size + 64;
  // Operands not at the end go from the region's start, each followed by its guard and a gap.
  const ptrs: number[] = [];
  let next = base;
  ['A', 'B', 'C'].forEach((name, i) => {
    if (name === where) {
      ptrs[i] = end - bytes[i]!;
    } else {
      ptrs[i] = next;
      next += bytes[i]! + gap;
    }
  });
  if (next > end - Math.max(...bytes) - gap) throw new Error('test region too small');
  const guarded = (i: number): boolean => ['A', 'B', 'C'][i] !== where;
  const fills = [NaN, NaN, C_FILL];
  [A, B, C].forEach((o, i) => put(mem, ptrs[i]!, o, dtype, guarded(i), fills[i]!));
  const fn = dtype === 'float32' ? K.exports.gemm_f32 : K.exports.gemm_f64;
  const label = `${mod.name} ${dtype} ${cs.tA ? 'T' : 'N'}${cs.tB ? 'T' : 'N'} m=${cs.m} n=${cs.n} k=${cs.k} pad=${cs.pad} α=${cs.alpha} β=${cs.beta}, ${where === 'padded' ? 'a guard after every operand' : `${where} at the end of memory`}`;
  try {
    fn(cs.tA ? 1 : 0, cs.tB ? 1 : 0, cs.m, cs.n, cs.k, cs.alpha, ptrs[0]!, A.ld, ptrs[1]!, B.ld, cs.beta, ptrs[2]!, C.ld);
  } catch (e) {
    throw new Error(`${label}: ${(e as Error).message}`);
  }
  // A and B must be unchanged too (their guards included).
  for (const i of [0, 1]) {
    const o = [A, B][i]!;
    const got = take(mem, ptrs[i]!, o, dtype, guarded(i), NaN, `${label}: ${'AB'[i]}`);
    for (let q = 0; q < got.length; q++) {
      if (!Object.is(got[q], o.data[q])) throw new Error(`${label}: ${'AB'[i]} element ${q} changed`);
    }
  }
  return take(mem, ptrs[2]!, C, dtype, guarded(2), C_FILL, `${label}: C`);
}

function operand(rng: () => number, rows: number, cols: number, pad: number, dtype: DType): Operand {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = 2 * (rng() + rng() * 2 ** -32) - 1;
  return { rows, cols, ld: cols + pad, data: dtype === 'float32' ? Float64Array.from(Float32Array.from(data)) : data };
}

/** The case on one module in all four placements: twin-exact within the accumulation bound, and the same bytes each time. */
function check(mod: Module, cs: Case, dtype: DType, seed: number): void {
  const rng = mulberry32(seed);
  const { tA, tB, m, n, k, pad } = cs;
  const A = tA ? operand(rng, k, m, pad, dtype) : operand(rng, m, k, pad, dtype);
  const B = tB ? operand(rng, n, k, pad, dtype) : operand(rng, k, n, pad, dtype);
  const C = operand(rng, m, n, pad, dtype);
  const padded = run(mod, cs, dtype, A, B, C, 'padded');
  const ref = Float64Array.from(C.data);
  refGemm(tA, tB, m, n, k, cs.alpha, A.data, A.cols, B.data, B.cols, cs.beta, ref, n);
  const mag = new Float64Array(m * n);
  refGemm(tA, tB, m, n, k, Math.abs(cs.alpha), A.data.map(Math.abs), A.cols, B.data.map(Math.abs), B.cols, 0, mag, n);
  const tol = accTol(dtype, k);
  for (let q = 0; q < m * n; q++) {
    const bound = tol * (mag[q]! + Math.abs(cs.beta * C.data[q]!) + TINY[dtype]);
    if (!(Math.abs(padded[q]! - ref[q]!) <= bound)) {
      throw new Error(`${mod.name} ${dtype} ${JSON.stringify(cs)}: C[${q}] = ${padded[q]} but the twin gives ${ref[q]}`);
    }
  }
  for (const where of ['A', 'B', 'C'] as const) {
    const got = run(mod, cs, dtype, A, B, C, where);
    for (let q = 0; q < m * n; q++) {
      if (!Object.is(got[q], padded[q])) throw new Error(`${mod.name} ${dtype} ${JSON.stringify(cs)}: ${where} at the end gives C[${q}] = ${got[q]}, padded ${padded[q]}`);
    }
  }
}

const TRANS = [[false, false], [false, true], [true, false], [true, true]] as const;
/** 1, 3 and 4k−1, 4k, 4k+1 around the tile height (4), the f32 panel width (8) and 16. */
const DIMS = [1, 3, 4, 5, 7, 8, 9, 15, 16, 17];
/** Columns: also 23, 24, 25, where the 3-thread pool first splits C into column blocks (8-column units). */
const N_DIMS = [...DIMS, 23, 24, 25];

/**
 * Shapes past the small sweep: tall and wide (many tiles, row and column splits), k over several
 * 128-deep blocks (and A·Bᵀ's single block up to k = 256), op(A) over more rows than one packed block holds (f32: 128, f64: 64), A·Bᵀ on
 * both sides of the 16-row and 8-column dot-product thresholds, and matrix × vector (n = 1).
 */
const LARGE: [number, number, number][] = [
  [203, 3, 9], [203, 17, 5], [3, 203, 9], [17, 131, 7], [9, 17, 257], [5, 9, 513], [70, 17, 33], [65, 33, 19],
  [47, 23, 31], [48, 23, 31], [49, 23, 31], [15, 23, 31], [16, 23, 31], [17, 23, 31], [20, 7, 31], [20, 8, 31], [20, 9, 131], [33, 1, 17], [64, 1, 67], [1, 1, 33], [1, 65, 9],
  // A·Bᵀ with 128 < k ≤ 256 runs as one k block; 203 rows need several packed blocks of op(A) at that depth.
  [203, 17, 200], [21, 33, 256], [21, 33, 257],
];

/**
 * B of 4 MiB or more (f32: k·n ≥ 2^20 elements, f64: 2^19), where the SIMD tiles touch the next k block of an
 * untransposed B, or the next panel's rows of a transposed one, ahead of use (assembly/gemm.ts, TOUCH_MIN_BYTES):
 * those touches run to the end of B, so B at the end of memory traps on one byte too far. k (or n) is not a
 * multiple of the 128-deep block nor of the panel; 21 rows make enough tiles for the touches to reach the end.
 */
const BIG_B: Record<DType, [number, number, number][]> = {
  float32: [[21, 211, 4973], [21, 4973, 211]],
  float64: [[21, 105, 4999], [21, 4999, 105]],
};

for (const name of ['simd', 'scalar', 'threads']) {
  describe(`gemm ${name}: no access past the end of A, B or C`, () => {
    const mod = (): Module => modules.find((x) => x.name === name)!;
    for (const dtype of DTYPES) {
      it(`${dtype}: m, k ∈ {${DIMS.join(',')}}, n ∈ {${N_DIMS.join(',')}}, every transpose, ld = cols`, () => {
        const before = mod().K.workerParts;
        let seed = 1;
        for (const [tA, tB] of TRANS) {
          for (const m of DIMS) for (const n of N_DIMS) for (const k of DIMS) {
            const alpha = seed % 3 === 0 ? 1 : -0.7, beta = seed % 4 === 0 ? 0 : seed % 4 === 1 ? 1 : 0.3;
            check(mod(), { tA, tB, m, n, k, pad: 0, alpha, beta }, dtype, seed++);
          }
        }
        if (name === 'threads') expect(mod().K.workerParts, 'no product was split over the workers').toBeGreaterThan(before);
      });

      it(`${dtype}: tall, wide, deep, packed-A, dot-product and vector shapes; ld = cols and ld = cols + 3`, () => {
        let seed = 5000;
        for (const [tA, tB] of TRANS) {
          for (const [m, n, k] of LARGE) {
            for (const pad of [0, 3]) check(mod(), { tA, tB, m, n, k, pad, alpha: 0.5, beta: pad === 0 ? 0 : 1 }, dtype, seed++);
          }
        }
      });

      it(`${dtype}: B of 4 MiB and more (touched ahead), every transpose, ld = cols and ld = cols + 3`, () => {
        let seed = 7000;
        for (const [tA, tB] of TRANS) {
          const [m, n, k] = BIG_B[dtype][tB ? 1 : 0]!;
          for (const pad of [0, 3]) check(mod(), { tA, tB, m, n, k, pad, alpha: 1, beta: pad === 0 ? 0 : 0.5 }, dtype, seed++);
        }
      });

      it(`${dtype}: a few sizes with row padding (ld = cols + 1, + 5)`, () => {
        let seed = 9000;
        for (const [tA, tB] of TRANS) {
          for (const m of [1, 4, 9]) for (const n of [1, 8, 17]) for (const k of [3, 16]) {
            for (const pad of [1, 5]) check(mod(), { tA, tB, m, n, k, pad, alpha: -1.5, beta: 0.3 }, dtype, seed++);
          }
        }
      });
    }
  });
}
