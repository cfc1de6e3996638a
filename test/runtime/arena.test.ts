// The arena: tensor allocation in WASM memory, live views across memory.grow, dispose semantics,
// and bounded memory under alloc/free churn.
import { beforeAll, describe, expect, it } from 'vitest';
import { Kernels } from '../../src/kernels.js';
import { expectWritesOnly } from '../kernels/helpers.js';

const MiB = 1 << 20;
let simd: Kernels;
let scalar: Kernels;

beforeAll(async () => {
  [simd, scalar] = await Promise.all([Kernels.load({ build: 'simd' }), Kernels.load({ build: 'scalar' })]);
});

describe('tensor views across memory.grow', () => {
  it('views are re-created after growing memory by 64 MiB; old views are detached, data survives', async () => {
    const K = await Kernels.load({ build: 'simd' });
    const t32 = K.tensor(3, 5, 'float32', Array.from({ length: 15 }, (_, q) => q + 0.5));
    const t64 = K.tensor(2, 3, 'float64', [Math.PI, Math.E, -1, 1e300, -0, 7]);
    const old32 = t32.data;
    const old64 = t64.data;
    expect(t32.data).toBe(old32); // cached while the buffer is unchanged
    const before = K.memoryBytes;

    const big = K.tensor(4096, 4096, 'float32'); // 64 MiB forces memory.grow
    expect(K.memoryBytes).toBeGreaterThanOrEqual(before + 64 * MiB);
    // memory.grow detached the old ArrayBuffer: stale views read as empty, fresh ones are live.
    expect(old32.length).toBe(0);
    expect(old64.length).toBe(0);
    expect(t32.data === old32).toBe(false);
    expect(t32.data.buffer).toBe(K.exports.memory.buffer);
    expect(t32.data.length).toBe(15);
    expect(Array.from(t32.data)).toEqual(Array.from({ length: 15 }, (_, q) => q + 0.5));
    expect(Array.from(t64.data)).toEqual([Math.PI, Math.E, -1, 1e300, -0, 7]);

    // Writes through fresh views land in WASM memory and kernels see them (and vice versa).
    big.data[big.length - 1] = 3;
    t32.set(Array.from({ length: 15 }, () => 2));
    K.scale(1.5, t32);
    expect(Array.from(t32.data)).toEqual(new Array(15).fill(3));
    expect(K.dot(big, big)).toBe(9);
    const C = K.tensor(3, 3, 'float32');
    K.gemm(false, true, 1, t32, t32, 0, C);
    expect(Array.from(C.data)).toEqual(new Array(9).fill(45));
    K.disposeAll();
  });
});

describe('tensor arguments and lifecycle', () => {
  it('set with the wrong length throws; set/toArray copy in and out', () => {
    const t = simd.tensor(3, 5);
    expect(() => t.set([1, 2, 3, 4])).toThrow(/cannot set 4 values into a 3×5 tensor \(15 elements\)/);
    expect(() => t.set(new Float32Array(16))).toThrow(/cannot set 16 values/);
    expect(() => simd.tensor(2, 2, 'float32', [1, 2, 3])).toThrow(/cannot set 3 values into a 2×2 tensor/);
    t.set(Array.from({ length: 15 }, (_, q) => q));
    const copy = t.toArray();
    t.data[0] = 99;
    expect(copy[0]).toBe(0);
    expect(copy).toBeInstanceOf(Float32Array);
    expect(t.shape).toEqual([3, 5]);
    expect(t.byteLength).toBe(60);
    expect(simd.tensor(2, 2, 'float64').byteLength).toBe(32);
    simd.disposeAll();
  });

  it('non-integer, zero, negative or non-finite dims and unknown dtypes throw', () => {
    for (const [r, c] of [[0, 3], [3, 0], [1.5, 2], [2, 2.5], [-1, 2], [NaN, 1], [Infinity, 1], [1, -0.5]]) {
      expect(() => simd.tensor(r!, c!), `${r}×${c}`).toThrow(/a tensor needs positive integer dimensions/);
    }
    expect(() => simd.tensor(2, 2, 'int32' as 'float32')).toThrow(/unknown dtype 'int32'; expected 'float32' or 'float64'/);
    expect(() => simd.tensor(70_000, 70_000)).toThrow(/exceeds the 2 GiB WASM address space/);
    expect(simd.liveTensors).toBe(0);
  });

  it('dispose twice is fine; use after dispose throws', () => {
    const before = simd.liveTensors;
    const t = simd.tensor(2, 3);
    expect(t.disposed).toBe(false);
    t.dispose();
    expect(t.disposed).toBe(true);
    expect(() => t.dispose()).not.toThrow();
    expect(simd.liveTensors).toBe(before);
    expect(() => t.data).toThrow(/this tensor was disposed/);
    expect(() => t.set([1, 2, 3, 4, 5, 6])).toThrow(/disposed/);
    expect(() => t.toArray()).toThrow(/disposed/);
    expect(() => simd.scale(2, t)).toThrow(/disposed/);
    const u = simd.tensor(2, 3);
    expect(() => simd.axpy(1, t, u)).toThrow(/disposed/);
    simd.disposeAll();
  });

  it('liveTensors counts allocations; disposeAll frees every one', () => {
    const K = simd;
    K.disposeAll();
    const ts = Array.from({ length: 10 }, (_, i) => K.tensor(i + 1, 3, i % 2 ? 'float64' : 'float32'));
    expect(K.liveTensors).toBe(10);
    ts[3]!.dispose();
    ts[3]!.dispose();
    expect(K.liveTensors).toBe(9);
    K.disposeAll();
    expect(K.liveTensors).toBe(0);
    for (const t of ts) expect(t.disposed).toBe(true);
    K.disposeAll(); // idempotent
    expect(K.liveTensors).toBe(0);
  });

  it('a tensor from one Kernels instance used in another throws', () => {
    const a = simd.tensor(2, 2), b = simd.tensor(2, 2);
    const x = scalar.tensor(2, 2);
    expect(() => scalar.scale(2, a)).toThrow(/x belongs to another kernel module/);
    expect(() => simd.gemm(false, false, 1, a, x, 0, b)).toThrow(/B belongs to another kernel module/);
    expect(() => simd.activationForward('relu', x, null, a)).toThrow(/Z belongs to another kernel module/);
    expect(() => simd.sumRows(a, scalar.tensor(2, 1))).toThrow(/out belongs to another kernel module/);
    expect(() => simd.scale(2, {} as never)).toThrow(/x must be a Tensor/);
    simd.disposeAll();
    scalar.disposeAll();
  });
});

describe('allocator', () => {
  it('1000 alloc/free cycles of 1 MiB tensors keep memory bounded (< 16 MiB growth)', async () => {
    for (const build of ['simd', 'scalar'] as const) {
      const K = await Kernels.load({ build });
      const keep = K.tensor(7, 7); // a long-lived block between the churned ones
      const start = K.memoryBytes;
      for (let i = 0; i < 1000; i++) {
        const t = i % 2 ? K.tensor(512, 512, 'float32') : K.tensor(256, 512, 'float64');
        const small = i % 3 === 0 ? K.tensor(1 + (i % 17), 5) : null; // interleaved odd sizes
        t.data[t.length - 1] = i;
        t.dispose();
        small?.dispose();
      }
      expect(K.memoryBytes - start, build).toBeLessThan(16 * MiB);
      expect(K.liveTensors).toBe(1);
      keep.dispose();
    }
  });

  it('pointers are 16-byte aligned, live tensors never overlap, new tensors are zero-filled', () => {
    const K = scalar;
    const live = [];
    for (let i = 1; i <= 60; i++) {
      const t = K.tensor(i, (i * 7) % 13 + 1, i % 3 ? 'float32' : 'float64');
      expect(t.ptr % 16, `ptr ${t.ptr}`).toBe(0);
      expect(t.data.every((v) => v === 0)).toBe(true);
      t.data.fill(i);
      live.push(t);
      if (i % 4 === 0) live.splice(i % live.length, 1)[0]!.dispose(); // free some, reuse their memory
    }
    const ranges = live.map((t) => [t.ptr, t.ptr + t.byteLength] as const).sort((a, b) => a[0] - b[0]);
    for (let q = 1; q < ranges.length; q++) expect(ranges[q]![0]).toBeGreaterThanOrEqual(ranges[q - 1]![1]);
    for (const t of live) expect(t.data.every((v) => v === t.rows)).toBe(true); // nobody overwrote anybody
    K.disposeAll();
    const again = K.tensor(30, 30, 'float64');
    expect(again.data.every((v) => v === 0)).toBe(true);
    K.disposeAll();
  });

  it('freed memory is reused: same-size churn does not grow memory at all', () => {
    const K = simd;
    const t = K.tensor(300, 300, 'float64');
    t.dispose();
    const size = K.memoryBytes;
    for (let i = 0; i < 50; i++) K.tensor(300, 300, 'float64').dispose();
    expect(K.memoryBytes).toBe(size);
  });

  it('the test helper expectWritesOnly notices a stray write (so its passes mean something)', () => {
    const K = simd;
    const a = K.tensor(4, 4), b = K.tensor(4, 4), c = K.tensor(4, 4);
    expect(() => expectWritesOnly(K, [a, b, c], [b], () => { b.data[3] = 1; })).not.toThrow();
    expect(() => expectWritesOnly(K, [a, b, c], [b], () => { c.data[15] = 1; })).toThrow(/changed outside the output tensors/);
    expect(() => expectWritesOnly(K, [a, b, c], [b], () => { a.data[0] = 1; })).toThrow(/changed outside/);
    K.disposeAll();
  });
});
