// Kernels.load: build selection, loading from bytes / a compiled Module, and clear errors for
// mismatched or foreign binaries.
import { readFileSync } from 'node:fs';
import createWabt from 'wabt';
import { describe, expect, it } from 'vitest';
import { Kernels } from '../../src/kernels.js';
import { hostHasRelaxedSimd, hostHasSimd, loadModule, type Build } from '../../src/runtime/load.js';
import { autoBuild, relaxedHost } from './host.js';

const bytes = (build: Build) => readFileSync(new URL(`../../build/simdnet.${build}.wasm`, import.meta.url));

/** Asserts the kernels are usable: a 2×2 gemm with a known result. */
function smoke(K: Kernels): void {
  const A = K.tensor(2, 2, 'float64', [1, 2, 3, 4]);
  const B = K.tensor(2, 2, 'float64', [5, 6, 7, 8]);
  const C = K.tensor(2, 2, 'float64');
  K.gemm(false, false, 1, A, B, 0, C);
  expect(Array.from(C.data)).toEqual([19, 22, 43, 50]);
  K.disposeAll();
}

/** A valid module in text form, as binary (wabt). */
async function wat(text: string): Promise<Uint8Array<ArrayBuffer>> {
  const wabt = await createWabt();
  const mod = wabt.parseWat('foreign.wat', text);
  try {
    return new Uint8Array(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}

describe('Kernels.load build selection', () => {
  it(`auto picks '${autoBuild}' here: 'relaxed' on Node 21 and later (or Node 20 with the flag), else 'simd'`, async () => {
    expect(await hostHasSimd()).toBe(true);
    expect(await hostHasRelaxedSimd()).toBe(relaxedHost);
    const K = await Kernels.load();
    expect(K.build).toBe(autoBuild);
    expect(K.exports.simd_enabled()).toBe(1);
    expect(K.exports.relaxed_enabled?.() ?? 0).toBe(relaxedHost ? 1 : 0);
    smoke(K);
    expect((await Kernels.load({ build: 'auto' })).build).toBe(autoBuild);
  });

  it('explicit builds load the matching bundled file', async () => {
    for (const build of ['simd', 'scalar'] as const) {
      const K = await Kernels.load({ build });
      expect(K.build).toBe(build);
      expect(K.exports.simd_enabled()).toBe(build === 'simd' ? 1 : 0);
      smoke(K);
    }
  });

  it('an unknown build name throws', async () => {
    await expect(Kernels.load({ build: 'avx512' as Build })).rejects.toThrow(/unknown build 'avx512'; expected 'auto', 'simd', 'relaxed' or 'scalar'/);
    await expect(Kernels.load({ build: 'SIMD' as Build, source: bytes('simd') })).rejects.toThrow(/unknown build 'SIMD'/);
  });
});

describe('Kernels.load from a source', () => {
  it('raw bytes (Buffer, Uint8Array, ArrayBuffer) of either build; the build is read from the module', async () => {
    for (const build of ['simd', 'scalar'] as const) {
      const buf = bytes(build);
      const u8 = new Uint8Array(buf);
      for (const source of [buf, u8, u8.buffer.slice(u8.byteOffset, u8.byteOffset + u8.byteLength)]) {
        const K = await Kernels.load({ source });
        expect(K.build).toBe(build);
        smoke(K);
      }
      expect((await Kernels.load({ source: buf, build })).build).toBe(build);
    }
  });

  it('a precompiled WebAssembly.Module; two loads of one Module get separate memories', async () => {
    const module = new WebAssembly.Module(bytes('scalar'));
    const K1 = await Kernels.load({ source: module });
    const K2 = await Kernels.load({ source: module, build: 'scalar' });
    expect(K1.build).toBe('scalar');
    expect(K1.exports.memory).not.toBe(K2.exports.memory);
    const t = K1.tensor(2, 2, 'float32', [1, 2, 3, 4]);
    const u = K2.tensor(2, 2, 'float32', [9, 9, 9, 9]);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4]);
    expect(() => K2.scale(2, t)).toThrow(/x belongs to another kernel module/);
    expect(() => K1.axpy(1, t, u)).toThrow(/y belongs to another kernel module/);
    smoke(K1);
    smoke(K2);
    const simdModule = new WebAssembly.Module(bytes('simd'));
    expect((await Kernels.load({ source: simdModule })).build).toBe('simd');
  });

  it('asking for one build with the other build’s binary throws', async () => {
    await expect(Kernels.load({ build: 'simd', source: bytes('scalar') }))
      .rejects.toThrow(/asked for the simd build but the given module is the scalar build/);
    await expect(Kernels.load({ build: 'scalar', source: new WebAssembly.Module(bytes('simd')) }))
      .rejects.toThrow(/asked for the scalar build but the given module is the simd build/);
  });

  it('foreign bytes throw a clear Error', async () => {
    // The smallest valid module: header only, no exports at all.
    const empty = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    await expect(Kernels.load({ source: empty })).rejects.toThrow(/not a simdnet kernel module \(missing exports\)/);
    // A valid module with a memory and a function, but not ours.
    const other = await wat('(module (memory (export "memory") 1) (func (export "gemm") (result i32) i32.const 0))');
    await expect(Kernels.load({ source: other })).rejects.toThrow(/not a simdnet kernel module/);
    await expect(Kernels.load({ source: new WebAssembly.Module(other) })).rejects.toThrow(/not a simdnet kernel module/);
    // A module that needs an import we do not provide.
    const needsImport = await wat('(module (import "host" "f" (func)))');
    await expect(Kernels.load({ source: needsImport })).rejects.toThrow(/kernel module failed to instantiate/);
    // Garbage, a truncated kernel binary, and an empty buffer.
    const garbage = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const source of [garbage, bytes('simd').subarray(0, 1000), new Uint8Array(0)]) {
      const err = await Kernels.load({ source }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/^simdnet: the kernel module failed to instantiate: /);
      expect((err as Error).cause).toBeInstanceOf(Error); // the CompileError is kept as the cause
    }
  });

  it('loadModule returns the same exports shape Kernels wraps', async () => {
    const { build, exports } = await loadModule({ source: bytes('scalar') });
    expect(build).toBe('scalar');
    expect(exports.memory).toBeInstanceOf(WebAssembly.Memory);
    for (const name of ['alloc', 'free', 'gemm_f32', 'gemm_f64', 'act_forward_f32', 'softmax_forward_f64', 'dot_f32', 'axpy_f64', 'scale_f32'] as const) {
      expect(typeof exports[name], name).toBe('function');
    }
  });
});
