// exportEdgeWasm: a standalone .wasm with the model baked in, instantiated with {} and called directly.
import { beforeAll, describe, expect, it } from 'vitest';
import { bakeEdgeModule, exportEdgeWasm, edgeLastError, type EdgeExports } from '../../src/io/edge.js';
import {
  BUILDS, CASE_OPTIONS, bits, craftModel, edgeTemplate, fixCrc, inputs, instantiateRaw, kernelBinary, lastError, reference,
  rng, runPredict, trainCase,
} from './helpers.js';

const EXPORTS = ['alloc', 'free', 'input_size', 'last_error', 'malloc', 'memory', 'model_info', 'output_size', 'predict'];
const cases: { name: string; bytes: Uint8Array; layers: number[] }[] = [];

beforeAll(async () => {
  for (const [i, c] of CASE_OPTIONS.entries()) cases.push({ name: c.name, bytes: await trainCase(c.options, i), layers: c.options.layers });
  for (const b of BUILDS) {
    kernelBinary(b); // fresh kernels for the Network references
    edgeTemplate(b); // and the templates exportEdgeWasm reads from build/
  }
});

describe.each(BUILDS)('edge module (%s build)', (build) => {
  it('the template: no imports, ≤ 64 KB, no SIMD in the scalar build, E_NO_MODEL without a model', async () => {
    const bytes = edgeTemplate(build);
    const mod = new WebAssembly.Module(bytes);
    expect(WebAssembly.Module.imports(mod)).toEqual([]);
    console.log(`simdnet.edge.${build}.wasm (template): ${bytes.length} bytes`);
    expect(bytes.length).toBeLessThanOrEqual(64 * 1024);
    if (build === 'scalar') {
      const wabt = await (await import('wabt')).default();
      const m = wabt.readWasm(bytes, { simd: false });
      expect(() => m.validate()).not.toThrow();
      m.destroy();
    }
    const ex = await instantiateRaw<EdgeExports>(bytes);
    expect(ex.input_size()).toBe(-20);
    expect(ex.predict(0, 1, 0)).toBe(-20);
    expect(lastError(ex)).toMatch(/has no model baked in/);
  });

  it('bakes every model kind; predictions equal Network.predict exactly for m = 1, 3, 17, 300', async () => {
    for (const c of cases) {
      const wasm = await exportEdgeWasm(c.bytes, { build });
      expect(WebAssembly.validate(wasm)).toBe(true);
      const mod = new WebAssembly.Module(wasm);
      expect(WebAssembly.Module.imports(mod)).toEqual([]);
      expect(WebAssembly.Module.exports(mod).map((e) => e.name).sort()).toEqual(EXPORTS);
      if (build === 'scalar') {
        const wabt = await (await import('wabt')).default();
        const m = wabt.readWasm(wasm, { simd: false });
        expect(() => m.validate()).not.toThrow();
        m.destroy();
      }
      const ex = await instantiateRaw<EdgeExports>(wasm);
      const n0 = c.layers[0]!;
      const ny = c.layers[c.layers.length - 1]!;
      expect(ex.input_size()).toBe(n0);
      expect(ex.output_size()).toBe(ny);
      for (const m of [1, 3, 17, 300]) {
        const { rows, flat } = inputs(m, n0, 2000 + m);
        const want = await reference(c.bytes, build, rows);
        const got = runPredict(ex, ex.predict, flat, m, ny);
        expect(bits(got), `${c.name}, m = ${m}`).toEqual(bits(want));
      }
      if (c === cases[6]) console.log(`${build}: ${c.name} (${c.bytes.length}-byte model) baked: ${wasm.length} bytes`);
    }
  });

  it('the first call may be alloc, and memory stays bounded over many predict calls', async () => {
    const c = cases[0]!;
    const ex = await instantiateRaw<EdgeExports>(await exportEdgeWasm(c.bytes, { build }));
    const { rows, flat } = inputs(300, 4, 31);
    const want = await reference(c.bytes, build, rows);
    const want1 = await reference(c.bytes, build, rows.slice(0, 1)); // m = 1: the SIMD GEMM's matrix-vector path
    const first = ex.alloc(16); // before any predict: the baked bytes must survive it
    let size = 0;
    for (let i = 0; i < 2000; i++) {
      const m = 1 + ((i * 37) % 300);
      const got = runPredict(ex, ex.predict, flat.subarray(0, m * 4), m, 3);
      if (i % 250 === 0) expect(bits(got), `m = ${m}`).toEqual(bits(m === 1 ? want1 : want.subarray(0, m * 3)));
      if (i === 100) size = ex.memory.buffer.byteLength;
    }
    ex.free(first);
    console.log(`${build}: memory after 2,000 predict calls: ${ex.memory.buffer.byteLength} bytes`);
    expect(ex.memory.buffer.byteLength).toBe(size);
  });

  it('exports malloc (i32 → i32) and free (i32 → ()) as WAMR looks for them, so WAMR adds no app heap', async () => {
    const wasm = await exportEdgeWasm(cases[0]!.bytes, { build });
    const wabt = await (await import('wabt')).default();
    const m = wabt.readWasm(wasm, { simd: true });
    const wat = m.toText({});
    m.destroy();
    // WAMR's loader (wasm_loader.c) takes an export named malloc with one i32 parameter and one i32 result,
    // and free with one i32 parameter and no result; with both, memory_instantiate sets heap_size to 0.
    const signature = (name: string): string => {
      const index = new RegExp(`\\(export "${name}" \\(func (\\d+)\\)\\)`).exec(wat)?.[1];
      if (index === undefined) throw new Error(`no export ${name}`);
      const type = new RegExp(`\\(func \\(;${index};\\) \\(type (\\d+)\\)`).exec(wat)?.[1];
      return new RegExp(`\\(type \\(;${type};\\) \\(func(.*)\\)\\)$`, 'm').exec(wat)?.[1] ?? '';
    };
    expect(signature('malloc')).toBe(' (param i32) (result i32)');
    expect(signature('free')).toBe(' (param i32)');
    const ex = await instantiateRaw<EdgeExports & { malloc(n: number): number }>(wasm);
    const p = ex.malloc(1000);
    const q = ex.alloc(1000);
    expect(p % 16).toBe(0);
    expect(Math.abs(q - p)).toBeGreaterThanOrEqual(1000); // one allocator: the two blocks do not overlap
    ex.free(p);
    ex.free(q);
  });

  it('errors are codes, not traps: bad buffers, huge allocations', async () => {
    const ex = await instantiateRaw<EdgeExports>(await exportEdgeWasm(cases[2]!.bytes, { build }));
    const top = ex.memory.buffer.byteLength;
    expect(ex.predict(top - 4, 1, 0)).toBe(-1);
    expect(edgeLastError(ex)).toMatch(/^simdnet: the input \(12 bytes at \d+\) lies outside/);
    expect(ex.predict(0, -1, 0)).toBe(-19);
    expect(ex.predict(16, 2 ** 31 - 1, 16)).toBe(-1);
    expect(ex.alloc(2 ** 31)).toBe(0);
    expect(ex.alloc(-1)).toBe(0);
    expect(ex.last_error(top)).toBe(-1);
    const out = ex.alloc(8);
    expect(ex.predict(out, 0, out)).toBe(0);
    ex.free(out);
  });

  it('a large model (8 MiB, 2^18 hidden units) bakes and predicts exactly', async () => {
    const model = craftModel([2, 1 << 18, 1], ['relu', 'linear'], 'float32', 11, { kind: 'minmax', shift: Float64Array.of(1, 2), scale: Float64Array.of(3, 4) });
    const wasm = await exportEdgeWasm(model, { build });
    const ex = await instantiateRaw<EdgeExports>(wasm);
    const { rows, flat } = inputs(40, 2, 12);
    const got = runPredict(ex, ex.predict, flat, 40, 1);
    expect(bits(got)).toEqual(bits(await reference(model, build, rows)));
  });
});

describe.each(BUILDS)('hostile bytes baked in (%s build, no validation before baking)', (build) => {
  const template = (): Uint8Array => edgeTemplate(build);
  const expectRejectedBaked = async (bytes: Uint8Array, what: string): Promise<number> => {
    const ex = await instantiateRaw<EdgeExports>(await bakeEdgeModule(template(), bytes));
    const code = ex.input_size();
    if (!(code < 0)) throw new Error(`${what}: loaded`);
    expect(ex.output_size()).toBe(code);
    expect(ex.predict(0, 1, 0)).toBe(code);
    const message = edgeLastError(ex);
    expect(message, what).toMatch(/^simdnet: not a valid simdnet model file: /);
    expect(message.length).toBeLessThanOrEqual(256);
    const p = ex.alloc(64); // alloc keeps working
    expect(p).toBeGreaterThan(0);
    ex.free(p);
    return code;
  };

  it('every truncation, sampled bit flips, lying headers and foreign files', async () => {
    const model = craftModel([3, 4, 2], ['tanh', 'softmax'], 'float32', 21, { kind: 'standardize', shift: Float64Array.of(0, 1, 2), scale: Float64Array.of(1, 2, 3) });
    for (let n = 1; n < model.length; n++) await expectRejectedBaked(model.subarray(0, n), `prefix ${n}`);
    const r = rng(5);
    for (let k = 0; k < 300; k++) {
      const bytes = model.slice();
      const i = Math.floor(r() * bytes.length * 8);
      bytes[i >> 3]! ^= 1 << (i & 7);
      await expectRejectedBaked(bytes, `bit ${i}`);
    }
    const lie = (f: (dv: DataView) => void, crc = false): Uint8Array => {
      const b = model.slice();
      f(new DataView(b.buffer));
      return crc ? fixCrc(b) : b;
    };
    expect(await expectRejectedBaked(lie((dv) => dv.setUint32(8, 2 ** 31, true)), 'L = 2^31')).toBe(-7);
    expect(await expectRejectedBaked(lie((dv) => dv.setUint32(12, 2 ** 32 - 1, true)), 'JSON length')).toBe(-12);
    expect(await expectRejectedBaked(lie((dv) => { dv.setUint32(24, 65536, true); dv.setUint32(28, 65536, true); dv.setUint32(32, 65536, true); }), 'sizes')).toBe(-11);
    expect(await expectRejectedBaked(lie((dv) => dv.setFloat32(model.length - 8, Infinity, true), true), 'weight')).toBe(-15);
    const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Uint8Array(40));
    expect(await expectRejectedBaked(png, 'PNG')).toBe(-3);
    expect(await expectRejectedBaked(new Uint8Array(4096), 'zeros')).toBe(-3);
    await expectRejectedBaked(Uint8Array.from({ length: 3000 }, () => Math.floor(r() * 256)), 'random');
  });

  it('exportEdgeWasm refuses invalid models up front', async () => {
    await expect(exportEdgeWasm(new Uint8Array(10), { build })).rejects.toThrow(/not a valid simdnet model file/);
    await expect(exportEdgeWasm(cases[0]!.bytes, { build: 'gpu' as never })).rejects.toThrow(/unknown build/);
    await expect(exportEdgeWasm(cases[0]!.bytes, { build, template: new Uint8Array(8) })).rejects.toThrow(/not a WebAssembly binary/);
    await expect(exportEdgeWasm(cases[0]!.bytes, { build, template: kernelBinary(build) })).rejects.toThrow(/MODEL_PTR/);
  });
});
