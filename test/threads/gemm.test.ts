// The threaded GEMM (threads build, pool of workers) against the simd build on one thread: the same
// bytes for every shape, transpose, dtype, alpha and beta, because each element of C is summed in
// the same order whichever thread computes its column (or row) block.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernels } from '../../src/kernels.js';
import type { DType, Tensor } from '../../src/runtime/arena.js';
import { bytesOf, firstDifference, mulberry32, values } from './helpers.js';

let single: Kernels;
/**
 * Pools that split every product: 2 threads sharing the blocks as timing has it, and 3 threads on
 * these 2 cores where the caller leaves every block to the two workers (so they surely compute).
 */
const pools: Kernels[] = [];
let workersOnly: Kernels;

beforeAll(async () => {
  single = await Kernels.load({ build: 'simd' });
  // build: 'simd' by name: 'auto' takes the relaxed threads build where the host has relaxed SIMD (Node 22 and
  // later), whose fused multiply-adds round differently (test/relaxed/threads-relaxed.test.ts holds that one).
  pools.push(await Kernels.load({ build: 'simd', threads: 2, threadTuning: { minWork: 1, spinMs: 0.2 } }));
  workersOnly = await Kernels.load({ build: 'simd', threads: 3, threadTuning: { minWork: 1, spinMs: 0.2, callerComputes: false } });
  pools.push(workersOnly);
  for (const k of pools) {
    expect(k.threads, k.threadsFallback ?? '').toBeGreaterThan(1);
    expect(k.build).toBe('simd');
  }
});

afterAll(async () => {
  await Promise.all(pools.map((k) => k.dispose()));
});

interface Case { m: number; n: number; k: number; transA: boolean; transB: boolean; alpha: number; beta: number }

/** C = alpha·op(A)·op(B) + beta·C on one module; returns C's bytes and frees everything. */
function run(K: Kernels, c: Case, dtype: DType, seed: number): Uint8Array {
  const rng = mulberry32(seed);
  const [ar, ac] = c.transA ? [c.k, c.m] : [c.m, c.k];
  const [br, bc] = c.transB ? [c.n, c.k] : [c.k, c.n];
  const A = K.tensor(ar, ac, dtype, values(rng, ar * ac));
  const B = K.tensor(br, bc, dtype, values(rng, br * bc));
  const C = K.tensor(c.m, c.n, dtype, values(rng, c.m * c.n));
  try {
    K.gemm(c.transA, c.transB, c.alpha, A, B, c.beta, C);
    return bytesOf(C);
  } finally {
    for (const t of [A, B, C] as Tensor[]) t.dispose();
  }
}

function expectSame(c: Case, dtype: DType, seed: number): void {
  const want = run(single, c, dtype, seed);
  for (const K of pools) {
    const got = run(K, c, dtype, seed);
    const at = firstDifference(got, want);
    expect(at, `${K.threads} threads, ${dtype} ${JSON.stringify(c)}: first differing byte ${at}`).toBe(-1);
  }
}

/** Runs body and checks that the workers-only pool's workers computed blocks in it (the products were split). */
function withWorkers(body: () => void): () => void {
  return () => {
    const before = workersOnly.workerParts;
    body();
    expect(workersOnly.workerParts, 'no product was split').toBeGreaterThan(before);
  };
}

const TRANSPOSES = [[false, false], [false, true], [true, false], [true, true]] as const;

describe('threaded GEMM is byte-identical to the single-thread simd build', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`${dtype}: awkward shapes, every transpose, alpha and beta`, withWorkers(() => {
      const dims = [1, 3, 7, 8, 9, 15, 16, 17, 33, 47, 48, 49, 65];
      let seed = 1;
      for (const [transA, transB] of TRANSPOSES) {
        for (const m of dims) {
          for (const n of [1, 9, 16, 17, 24, 33, 47, 65, 130]) {
            const k = dims[(m + n) % dims.length]!;
            const alpha = seed % 3 === 0 ? 1 : -0.7;
            const beta = seed % 4 === 0 ? 0 : seed % 4 === 1 ? 1 : 0.3;
            expectSame({ m, n, k, transA, transB, alpha, beta }, dtype, seed++);
          }
        }
      }
    }));

    it(`${dtype}: row blocks (few columns, many rows), incl. A·Bᵀ on each side of the dot-product threshold`, withWorkers(() => {
      let seed = 1000;
      for (const [transA, transB] of TRANSPOSES) {
        for (const m of [44, 48, 90, 96, 100, 203]) {
          for (const n of [1, 2, 5, 7, 9]) {
            expectSame({ m, n, k: 37, transA, transB, alpha: 1.3, beta: 0.5 }, dtype, seed++);
          }
        }
      }
    }));

    it(`${dtype}: k across several k blocks`, withWorkers(() => {
      let seed = 2000;
      for (const [transA, transB] of TRANSPOSES) {
        expectSame({ m: 21, n: 67, k: 777, transA, transB, alpha: 1, beta: 0 }, dtype, seed++);
        expectSame({ m: 64, n: 40, k: 513, transA, transB, alpha: 0.5, beta: 1 }, dtype, seed++);
      }
    }));
  }

  it('the course shapes (cat L-layer forward and backward, planar) and 256³', withWorkers(() => {
    const shapes: Case[] = [
      { m: 20, n: 209, k: 12288, transA: false, transB: false, alpha: 1, beta: 0 }, // Z1 = W1·X
      { m: 20, n: 12288, k: 209, transA: false, transB: true, alpha: 1 / 209, beta: 0 }, // dW1 = dZ1·Xᵀ/m
      { m: 7, n: 209, k: 20, transA: false, transB: false, alpha: 1, beta: 0 }, // Z2
      { m: 20, n: 209, k: 7, transA: true, transB: false, alpha: 1, beta: 0 }, // dA1 = W2ᵀ·dZ2
      { m: 7, n: 20, k: 209, transA: false, transB: true, alpha: 1 / 209, beta: 0 }, // dW2
      { m: 1, n: 209, k: 12288, transA: false, transB: false, alpha: 1, beta: 0 }, // logistic regression
      { m: 1, n: 12288, k: 209, transA: false, transB: true, alpha: 1 / 209, beta: 0 },
      { m: 4, n: 400, k: 2, transA: false, transB: false, alpha: 1, beta: 0 }, // planar
      { m: 256, n: 256, k: 256, transA: false, transB: false, alpha: 1, beta: 0 },
    ];
    let seed = 3000;
    for (const c of shapes) for (const dtype of ['float32', 'float64'] as const) expectSame(c, dtype, seed++);
  }));
});
