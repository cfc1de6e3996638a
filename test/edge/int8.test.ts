// The int8 kernels of assembly/int8.ts, compiled on their own in both builds, against the plain-TS twin
// (test/edge/int8-twin.ts): bit for bit on sizes 1, 3, 4k−1, 4k, 4k+1 (and 16k±1, blocks of 1024 and past them),
// extreme weights (−128, 127) and inputs (0, NaN, ±Infinity, ties), for GEMV (four rows at a time + the rest)
// and GEMM (four examples at a time + the rest).
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILDS, int8KernelBinary, instantiateRaw, rng } from './helpers.js';
import { absMax, gemv, padded16, quantize } from './int8-twin.js';

interface Int8Kernels {
  memory: WebAssembly.Memory;
  absMax(x: number, k: number): number;
  quantizeI16(x: number, k: number, q: number): number;
  gemvI8(n: number, k: number, w: number, scale: number, bias: number, q: number, d: number, y: number): void;
  gemmI8(n: number, k: number, m: number, w: number, scale: number, bias: number, q: number, d: number, y: number, ldy: number): void;
}

const K_SIZES = [1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1023, 1024, 1025, 1040, 2049];
const N_SIZES = [1, 3, 4, 5, 7, 8, 9];

/** A bump allocator over memory grown past the module's data (the kernels' module has no allocator). */
class Arena {
  private top: number;
  constructor(private readonly ex: Int8Kernels) {
    this.top = ex.memory.buffer.byteLength;
  }
  alloc(bytes: number): number {
    const p = this.top;
    this.top += Math.ceil(bytes / 16) * 16 + 16;
    const need = this.top - this.ex.memory.buffer.byteLength;
    if (need > 0) this.ex.memory.grow(Math.ceil(need / 65536));
    return p;
  }
  f32(values: ArrayLike<number>): number {
    const p = this.alloc(values.length * 4);
    new Float32Array(this.ex.memory.buffer, p, values.length).set(values);
    return p;
  }
  i8(values: Int8Array): number {
    const p = this.alloc(values.length);
    new Int8Array(this.ex.memory.buffer, p, values.length).set(values);
    return p;
  }
}

const bitsOf = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

function randomInt8(n: number, r: () => number): Int8Array {
  const w = new Int8Array(n);
  for (let i = 0; i < n; i++) w[i] = Math.floor(r() * 256) - 128;
  return w;
}

describe.each(BUILDS)('int8 kernels (%s build)', (build) => {
  let ex: Int8Kernels;
  beforeAll(async () => {
    ex = await instantiateRaw<Int8Kernels>(int8KernelBinary(build));
  });

  it('imports nothing; the scalar build holds no v128 instruction', async () => {
    const bytes = int8KernelBinary(build);
    expect(WebAssembly.Module.imports(new WebAssembly.Module(bytes))).toEqual([]);
    const wabt = await (await import('wabt')).default();
    const m = wabt.readWasm(bytes, { simd: build === 'simd' });
    if (build === 'scalar') expect(() => m.validate()).not.toThrow();
    const text = m.toText({});
    m.destroy();
    if (build === 'scalar') expect(text).not.toMatch(/v128|i32x4|i16x8|f32x4/);
    else expect(text).toMatch(/i32x4\.dot_i16x8_s/);
  });

  it('absMax and quantizeI16 equal the twin on every size, with zeros, NaN, ±Infinity and ties', () => {
    const r = rng(1);
    for (const k of K_SIZES) {
      for (const kind of ['random', 'ties', 'nan', 'zeros', 'inf', 'one-big'] as const) {
        const x = new Float32Array(k);
        for (let i = 0; i < k; i++) x[i] = (r() * 2 - 1) * 7;
        if (kind === 'ties') for (let i = 0; i < k; i++) x[i] = ((i % 9) - 4) * 0.5; // max 2: inv·x hits .5 exactly
        if (kind === 'nan') x[Math.floor(r() * k)] = NaN;
        if (kind === 'zeros') x.fill(0);
        if (kind === 'inf') x[k - 1] = -Infinity;
        if (kind === 'one-big') x[0] = 1e30;
        const arena = new Arena(ex);
        const px = arena.f32(x);
        const pq = arena.alloc(padded16(k) * 2);
        new Int16Array(ex.memory.buffer, pq, padded16(k)).fill(0x5555); // the padding must be written as zeros
        expect(ex.absMax(px, k), `absMax k=${k} ${kind}`).toBe(Math.fround(absMax(x)));
        const d = ex.quantizeI16(px, k, pq);
        const want = quantize(x);
        expect(d, `d k=${k} ${kind}`).toBe(want.d);
        expect(Array.from(new Int16Array(ex.memory.buffer, pq, padded16(k))), `q k=${k} ${kind}`).toEqual(Array.from(want.q));
      }
    }
  });

  it('gemvI8 equals the twin bit for bit for every n, k (random, extreme and zero-scale rows)', () => {
    const r = rng(2);
    for (const k of K_SIZES) {
      for (const n of N_SIZES) {
        const arena = new Arena(ex);
        const W = randomInt8(n * k, r);
        if (n > 1) W.fill(-128, 0, k); // row 0 at the extreme: the i32 lanes must not overflow
        const scale = Float32Array.from({ length: n }, (_, i) => (i === n - 1 && n > 2 ? 0 : Math.fround(r() * 0.02 + 1e-4)));
        const x = Float32Array.from({ length: k }, (_, i) => (i % 2 ? 1 : -1) * (r() * 3 + (n > 1 ? 1e6 : 0)));
        const { q, d } = quantize(x);
        const pq = arena.alloc(q.length * 2);
        new Int16Array(ex.memory.buffer, pq, q.length).set(q);
        const pw = arena.i8(W);
        const ps = arena.f32(scale);
        const bias = Float32Array.from({ length: n }, () => Math.fround(r() - 0.5));
        const py = arena.alloc(n * 4);
        ex.gemvI8(n, k, pw, ps, arena.f32(bias), pq, d, py);
        const got = new Float32Array(ex.memory.buffer, py, n).slice();
        expect(bitsOf(got), `n=${n} k=${k}`).toEqual(bitsOf(gemv(n, k, W, scale, bias, q, d)));
      }
    }
  });

  it('the integer sums are exact past 2^31: all weights −128 against all q = −32767, k = 5000', () => {
    const arena = new Arena(ex);
    const k = 5000;
    const n = 5;
    const W = new Int8Array(n * k).fill(-128);
    const x = new Float32Array(k).fill(-3);
    const { q, d } = quantize(x);
    expect(q[0]).toBe(-32767);
    const pq = arena.alloc(q.length * 2);
    new Int16Array(ex.memory.buffer, pq, q.length).set(q);
    const py = arena.alloc(n * 4);
    ex.gemvI8(n, k, arena.i8(W), arena.f32(new Float32Array(n).fill(1)), arena.f32(new Float32Array(n)), pq, d, py);
    const got = new Float32Array(ex.memory.buffer, py, n);
    expect(got[0]).toBe(Math.fround(k * 128 * 32767 * d)); // 2.1e10 before scaling
    expect(got[4]).toBe(got[0]);
    const one = got[0]!; // (got is a view: growing memory below detaches it)
    // The GEMM's tiles (SIMD: 4 examples; scalar: 4 rows × 4 examples) on the same extremes, m = 4 and 5.
    const m = 5;
    const kp = padded16(k);
    const qs = new Int16Array(m * kp);
    for (let e = 0; e < m; e++) qs.set(q, e * kp);
    const pqs = arena.alloc(qs.length * 2);
    new Int16Array(ex.memory.buffer, pqs, qs.length).set(qs);
    const pd = arena.alloc(m * 8);
    new Float64Array(ex.memory.buffer, pd, m).fill(d);
    const pY = arena.alloc(m * n * 4);
    ex.gemmI8(n, k, m, arena.i8(W), arena.f32(new Float32Array(n).fill(1)), arena.f32(new Float32Array(n)), pqs, pd, pY, n);
    expect(Array.from(new Float32Array(ex.memory.buffer, pY, m * n))).toEqual(new Array(m * n).fill(one));
  });

  it('gemmI8 over m examples equals gemvI8 per example and the twin (m = 1, 3, 4, 5, 8, 9)', () => {
    const r = rng(3);
    for (const k of [1, 3, 15, 16, 17, 33, 1025]) {
      for (const n of [1, 3, 4, 5]) {
        for (const m of [1, 3, 4, 5, 8, 9]) {
          const arena = new Arena(ex);
          const W = randomInt8(n * k, r);
          const scale = Float32Array.from({ length: n }, () => Math.fround(r() * 0.05));
          const bias = Float32Array.from({ length: n }, () => Math.fround(r() - 0.5));
          const kp = padded16(k);
          const qs = new Int16Array(m * kp);
          const ds = new Float64Array(m);
          const want = new Float32Array(m * (n + 2));
          for (let e = 0; e < m; e++) {
            const { q, d } = quantize(Float32Array.from({ length: k }, () => r() * 4 - 2));
            qs.set(q, e * kp);
            ds[e] = d;
            want.set(gemv(n, k, W, scale, bias, q, d), e * (n + 2));
          }
          const pq = arena.alloc(qs.length * 2);
          new Int16Array(ex.memory.buffer, pq, qs.length).set(qs);
          const pd = arena.alloc(m * 8);
          new Float64Array(ex.memory.buffer, pd, m).set(ds);
          const py = arena.alloc(want.length * 4);
          ex.gemmI8(n, k, m, arena.i8(W), arena.f32(scale), arena.f32(bias), pq, pd, py, n + 2); // ldy > n: the gaps stay untouched (0)
          const got = new Float32Array(ex.memory.buffer, py, want.length).slice();
          expect(bitsOf(got), `n=${n} k=${k} m=${m}`).toEqual(bitsOf(want));
        }
      }
    }
  });
});
