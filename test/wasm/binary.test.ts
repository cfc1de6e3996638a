// The two shipped binaries: import-free, small, and the scalar one provably free of SIMD.
import { readFileSync } from 'node:fs';
import createWabt from 'wabt';
import { beforeAll, describe, expect, it } from 'vitest';

const KiB = 1024;
const read = (build: 'simd' | 'scalar'): Uint8Array<ArrayBuffer> =>
  new Uint8Array(readFileSync(new URL(`../../build/simdnet.${build}.wasm`, import.meta.url)));

type Wabt = Awaited<ReturnType<typeof createWabt>>;
let wabt: Wabt;

beforeAll(async () => {
  wabt = await createWabt();
});

/** Reads and validates with the given SIMD feature flag; throws (from readWasm or validate) when invalid. */
function validate(bytes: Uint8Array, simd: boolean): void {
  const mod = wabt.readWasm(bytes, { readDebugNames: false, simd });
  try {
    mod.validate();
  } finally {
    mod.destroy();
  }
}

describe('kernel binaries', () => {
  for (const build of ['simd', 'scalar'] as const) {
    it(`${build}: instantiates with an empty import object, imports nothing, ≤ 64 KiB`, async () => {
      const bytes = read(build);
      console.log(`build/simdnet.${build}.wasm: ${bytes.byteLength} bytes (${(bytes.byteLength / KiB).toFixed(1)} KiB)`);
      expect(bytes.byteLength).toBeLessThanOrEqual(64 * KiB);
      expect(WebAssembly.validate(bytes)).toBe(true);
      const { module, instance } = await WebAssembly.instantiate(bytes, {});
      expect(WebAssembly.Module.imports(module)).toEqual([]);
      const exports = WebAssembly.Module.exports(module);
      expect(exports).toContainEqual({ name: 'memory', kind: 'memory' });
      for (const name of ['simd_enabled', 'alloc', 'free', 'gemm_f32', 'gemm_f64', 'act_forward_f32', 'act_backward_f64', 'softmax_forward_f32', 'dot_f64', 'axpy_f32', 'scale_f64']) {
        expect(exports, name).toContainEqual({ name, kind: 'function' });
      }
      expect((instance.exports.simd_enabled as () => number)()).toBe(build === 'simd' ? 1 : 0);
    });
  }

  it('scalar: validates with SIMD disabled and its disassembly has no v128 / f32x4 / f64x2 / i32x4 token', () => {
    const bytes = read('scalar');
    expect(() => validate(bytes, false)).not.toThrow();
    const mod = wabt.readWasm(bytes, { readDebugNames: false, simd: false });
    const text = mod.toText({});
    mod.destroy();
    expect(text).toMatch(/\(func/); // really a disassembly
    expect(text).toMatch(/f32\.mul/);
    expect(text.match(/\b(v128|f32x4|f64x2|i32x4|i64x2|i16x8|i8x16)\b/g)).toBeNull();
  });

  it('simd: does NOT validate with SIMD disabled (the check can fail) but validates with SIMD enabled', () => {
    const bytes = read('simd');
    expect(() => validate(bytes, false)).toThrow();
    expect(() => validate(bytes, true)).not.toThrow();
    const mod = wabt.readWasm(bytes, { readDebugNames: false, simd: true });
    const text = mod.toText({});
    mod.destroy();
    expect(text).toMatch(/\bf32x4\.mul\b/); // the f32 GEMM tile
    expect(text).toMatch(/\bf64x2\.mul\b/); // the f64 GEMM tile
  });
});
