// The relaxed-SIMD threads build (build/simdnet.threads.relaxed.wasm): chosen by threads > 1 with build 'auto' or
// 'relaxed' where the host validates relaxed SIMD (this project runs with --experimental-wasm-relaxed-simd), and
// byte-identical to the relaxed build on one thread, as the SIMD threads build is to the simd build: the pool
// splits C into blocks, and every element keeps its summation order (and its fused or unfused madd).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernels } from '../../src/kernels.js';
import { Network } from '../../src/network.js';
import { bytesOf, firstDifference, mulberry32, wasmBytes } from '../threads/helpers.js';

let single: Kernels;
let splitAll: Kernels;

beforeAll(async () => {
  single = await Kernels.load({ build: 'relaxed' });
  // Every product split, every block computed by a worker.
  splitAll = await Kernels.load({ threads: 2, threadTuning: { minWork: 1, spinMs: 0.2, callerComputes: false } });
});

afterAll(async () => {
  await splitAll.dispose();
});

describe('relaxed-SIMD threads build', () => {
  it('is what threads: 2 loads for build auto and relaxed; build simd keeps the SIMD threads build', async () => {
    expect(splitAll.build).toBe('relaxed');
    expect(splitAll.threads, splitAll.threadsFallback ?? '').toBe(2);
    const relaxed = await Kernels.load({ threads: 2, build: 'relaxed' });
    expect([relaxed.build, relaxed.threads]).toEqual(['relaxed', 2]);
    await relaxed.dispose();
    const simd = await Kernels.load({ threads: 2, build: 'simd' });
    expect([simd.build, simd.threads]).toEqual(['simd', 2]);
    await simd.dispose();
    await expect(Kernels.load({ threads: 2, build: 'relaxed', source: wasmBytes('threads') })).rejects.toThrow(/asked for the relaxed build but the given module is the simd threads build/);
  });

  it('imports only its shared memory, is ≤ 64 KiB and uses relaxed_madd', () => {
    const bytes = wasmBytes('threads.relaxed');
    console.log(`build/simdnet.threads.relaxed.wasm: ${bytes.byteLength} bytes`);
    expect(bytes.byteLength).toBeLessThanOrEqual(64 * 1024);
    expect(WebAssembly.Module.imports(new WebAssembly.Module(bytes))).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    expect(readFileSync(new URL('../../build/simdnet.threads.relaxed.wat', import.meta.url), 'utf8')).toMatch(/relaxed_madd/);
  });

  it('GEMMs split over the workers give the relaxed build\'s bytes (tiles, thin k, dot products, transposes)', () => {
    const rng = mulberry32(41);
    const shapes: [boolean, boolean, number, number, number][] = [
      [false, false, 20, 209, 300], [false, true, 20, 300, 209], [true, false, 64, 129, 33], [false, false, 17, 400, 2],
      [true, false, 4, 403, 1], [false, true, 10, 70, 257], [true, true, 33, 47, 19],
    ];
    const before = splitAll.workerParts;
    for (const dtype of ['float32', 'float64'] as const) {
      for (const [tA, tB, m, n, k] of shapes) {
        const a = Float64Array.from({ length: m * k }, () => rng() * 2 - 1);
        const b = Float64Array.from({ length: k * n }, () => rng() * 2 - 1);
        const c = Float64Array.from({ length: m * n }, () => rng() * 2 - 1);
        const out = [single, splitAll].map((K) => {
          const A = tA ? K.tensor(k, m, dtype, a) : K.tensor(m, k, dtype, a);
          const B = tB ? K.tensor(n, k, dtype, b) : K.tensor(k, n, dtype, b);
          const C = K.tensor(m, n, dtype, c);
          K.gemm(tA, tB, -0.7, A, B, 0.5, C);
          const got = bytesOf(C.data);
          K.disposeAll();
          return got;
        });
        expect(firstDifference(out[0]!, out[1]!), `${dtype} ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} ${m}×${n}×${k}`).toBe(-1);
      }
    }
    expect(splitAll.workerParts, 'no product was split over the workers').toBeGreaterThan(before);
  });

  it('a network trains to the relaxed build\'s bytes (Adam, L2, dropout, shuffled mini-batches)', async () => {
    const rng = mulberry32(7);
    const n = 37, m = 300;
    const X = { data: Float32Array.from({ length: n * m }, () => rng()), shape: [n, m] as [number, number] };
    const Y = { data: Float32Array.from({ length: m }, () => (rng() < 0.5 ? 0 : 1)), shape: [1, m] as [number, number] };
    const saved = [];
    for (const kernels of [single, splitAll]) {
      const net = await Network.create({ layers: [n, 24, 9, 1], seed: 3, kernels });
      await net.fit(X, Y, { layout: 'features-first', epochs: 3, batchSize: 64, optimizer: 'adam', learningRate: 0.01, l2: 0.1, keepProb: 0.8 });
      saved.push(net.save());
      net.dispose();
    }
    expect(firstDifference(saved[0]!, saved[1]!)).toBe(-1);
  });
});
