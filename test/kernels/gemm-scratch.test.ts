// GEMM writes nothing but C and its own scratch. Every byte of the module's memory is copied before a
// product and compared after it: outside C's elements and the gemm_scratch() block, not one may change.
// gemm-bounds.test.ts traps reads and writes past the operands; this file catches writes that stay inside
// memory but leave the scratch (a packed op(A) block sized for KC rows when a transposed B with k ≤ 256
// takes all of k in one block overflowed into the constants that follow it, and every other test passed).
// The shapes fill the packed block (m > 64 f32 rows at k = 256) and cross every k-block boundary.
// Builds: simd and scalar (the relaxed build differs only in its multiply-add; the threads build's workers
// use scratch the runtime allocates, each its own; gemm-bounds.test.ts covers the ends of their blocks).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernels } from '../../src/kernels.js';
import { gemm as refGemm } from '../../src/reference/index.js';
import type { DType } from '../../src/runtime/arena.js';
import { DTYPES, accTol, mulberry32 } from './helpers.js';

const BUILDS = ['simd', 'scalar'] as const;
const loaded = new Map<string, Kernels>();

/** SIMDNET_TEST_WASM_DIR=dir runs this file on dir/simdnet.<build>.wasm (a kernel built with a bug put in on purpose). */
function source(build: string): { source?: Uint8Array } {
  const dir = process.env.SIMDNET_TEST_WASM_DIR;
  return dir ? { source: new Uint8Array(readFileSync(`${dir}/simdnet.${build}.wasm`)) } : {};
}

beforeAll(async () => {
  for (const build of BUILDS) loaded.set(build, await Kernels.load({ build, ...source(build) }));
});

afterAll(async () => {
  await Promise.all([...loaded.values()].map((K) => K.dispose()));
});

interface Case { tA: boolean; tB: boolean; m: number; n: number; k: number }

/** Tall A (one or two packed blocks of rows), depths on both sides of 128 and 256, a partial panel, all transposes. */
const CASES: Case[] = [];
for (const tA of [false, true]) {
  for (const tB of [false, true]) {
    for (const [m, n, k] of [[130, 19, 256], [67, 9, 200], [131, 17, 257], [66, 33, 129], [5, 3, 1], [200, 12, 64]] as const) {
      CASES.push({ tA, tB, m, n, k });
    }
  }
}

/** First and last byte offsets (and count) where a and b differ, outside the skipped ranges. */
function changed(a: Uint8Array, b: Uint8Array, skip: [number, number][]): { first: number; last: number; count: number } {
  let first = -1, last = -1, count = 0;
  for (let q = 0; q < a.length; q++) {
    if (a[q] === b[q]) continue;
    if (skip.some(([lo, hi]) => q >= lo && q < hi)) continue;
    if (first < 0) first = q;
    last = q;
    count++;
  }
  return { first, last, count };
}

describe.each(BUILDS)('gemm writes only C and its scratch (%s build)', (build) => {
  it.each(DTYPES)('%s: every other byte of memory is unchanged, and C is right', (dtype: DType) => {
    const K = loaded.get(build)!;
    const ex = K.exports;
    const size = dtype === 'float32' ? 4 : 8;
    const scratch = ex.gemm_scratch() >>> 0;
    const scratchBytes = ex.gemm_scratch_bytes() >>> 0;
    expect(scratchBytes).toBeGreaterThan(0);
    const rng = mulberry32(0x5c2a7c4);
    for (const cs of CASES) {
      const { tA, tB, m, n, k } = cs;
      const A = Float64Array.from({ length: m * k }, () => rng() * 2 - 1);
      const B = Float64Array.from({ length: k * n }, () => rng() * 2 - 1);
      const pa = ex.alloc(A.length * size) >>> 0, pb = ex.alloc(B.length * size) >>> 0, pc = ex.alloc(m * n * size) >>> 0;
      const Arr = dtype === 'float32' ? Float32Array : Float64Array;
      const mem = () => ex.memory.buffer;
      new Arr(mem(), pa, A.length).set(A);
      new Arr(mem(), pb, B.length).set(B);
      new Arr(mem(), pc, m * n).fill(0.5);
      const before = new Uint8Array(mem().slice(0));
      const label = `${build} ${dtype} ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} m=${m} n=${n} k=${k}`;
      const fn = dtype === 'float32' ? ex.gemm_f32 : ex.gemm_f64;
      fn(tA ? 1 : 0, tB ? 1 : 0, m, n, k, 1, pa, tA ? m : k, pb, tB ? k : n, 1, pc, n);
      const after = new Uint8Array(mem());
      expect(after.length, `${label}: memory grew`).toBe(before.length);
      const d = changed(before, after, [[pc, pc + m * n * size], [scratch, scratch + scratchBytes]]);
      if (d.count > 0) {
        throw new Error(`${label}: ${d.count} bytes outside C and the scratch [${scratch}, ${scratch + scratchBytes}) changed, from ${d.first} to ${d.last}`);
      }
      // C = 0.5 + A·B (A stored m×k or k×m, B k×n or n×k, each as op() says).
      const ref = new Float64Array(m * n).fill(0.5);
      refGemm(tA, tB, m, n, k, 1, A.map((v) => (dtype === 'float32' ? Math.fround(v) : v)), tA ? m : k,
        B.map((v) => (dtype === 'float32' ? Math.fround(v) : v)), tB ? k : n, 1, ref, n);
      const got = new Arr(mem(), pc, m * n);
      const tol = accTol(dtype, k) * (k + 1);
      for (let q = 0; q < m * n; q++) {
        if (!(Math.abs(got[q]! - ref[q]!) <= tol)) throw new Error(`${label}: C[${q}] = ${got[q]}, expected ${ref[q]}`);
      }
      ex.free(pa); ex.free(pb); ex.free(pc);
    }
  });
});
