// The edge ABI of the kernel module, called from a raw WebAssembly.instantiate(bytes, {}): predictions equal
// Network.predict bit for bit in both builds, handles behave, memory stays bounded, the binaries stay lean.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BUILDS, CASE_OPTIONS, bits, inputs, instantiateRaw, kernelBinary, lastError, load, reference, runPredict, trainCase,
  type ModelAbi,
} from './helpers.js';

const cases: { name: string; bytes: Uint8Array; layers: number[] }[] = [];

beforeAll(async () => {
  for (const [i, c] of CASE_OPTIONS.entries()) cases.push({ name: c.name, bytes: await trainCase(c.options, i), layers: c.options.layers });
});

describe.each(BUILDS)('kernel module edge ABI (%s build)', (build) => {
  let ex: ModelAbi;
  beforeAll(async () => {
    ex = await instantiateRaw<ModelAbi>(kernelBinary(build));
  });

  it('has zero imports, the ABI exports, and fits in 64 KB', async () => {
    const bytes = kernelBinary(build);
    const mod = new WebAssembly.Module(bytes);
    expect(WebAssembly.Module.imports(mod)).toEqual([]);
    const names = WebAssembly.Module.exports(mod).map((e) => e.name);
    for (const n of ['alloc', 'free', 'model_load', 'model_input_size', 'model_output_size', 'model_predict', 'model_free', 'last_error', 'memory']) {
      expect(names).toContain(n);
    }
    console.log(`simdnet.${build}.wasm: ${bytes.length} bytes`);
    expect(bytes.length).toBeLessThanOrEqual(64 * 1024);
    if (build === 'scalar') {
      const wabt = await (await import('wabt')).default();
      const m = wabt.readWasm(bytes, { simd: false });
      expect(() => m.validate()).not.toThrow();
      m.destroy();
    }
  });

  it('predicts exactly what Network.predict does, for every model kind and m = 1, 3, 17, 300', async () => {
    for (const c of cases) {
      const h = load(ex, c.bytes);
      expect(h, `${c.name}: ${h < 0 ? lastError(ex) : ''}`).toBeGreaterThan(0);
      const n0 = c.layers[0]!;
      const ny = c.layers[c.layers.length - 1]!;
      expect(ex.model_input_size(h)).toBe(n0);
      expect(ex.model_output_size(h)).toBe(ny);
      for (const m of [1, 3, 17, 300]) {
        const { rows, flat } = inputs(m, n0, 1000 + m);
        const want = await reference(c.bytes, build, rows);
        const got = runPredict(ex, (i, mm, o) => ex.model_predict(h, i, mm, o), flat, m, ny);
        expect(bits(got), `${c.name}, m = ${m}`).toEqual(bits(want));
      }
      expect(ex.model_free(h)).toBe(0);
    }
  });

  it('keeps predicting identically across calls and batch sizes (workspace growth)', async () => {
    const c = cases[6]!;
    const h = load(ex, c.bytes);
    const n0 = c.layers[0]!;
    const ny = c.layers[c.layers.length - 1]!;
    const { rows, flat } = inputs(300, n0, 77);
    const want = await reference(c.bytes, build, rows);
    // m = 1 has its own reference: the SIMD GEMM runs one column as a matrix-vector product (other rounding).
    const want1 = await reference(c.bytes, build, rows.slice(0, 1));
    for (const m of [300, 1, 64, 65, 2, 299, 1, 300]) {
      const got = runPredict(ex, (i, mm, o) => ex.model_predict(h, i, mm, o), flat.subarray(0, m * n0), m, ny);
      expect(bits(got), `m = ${m}`).toEqual(bits(m === 1 ? want1 : want.subarray(0, m * ny)));
    }
    expect(ex.model_predict(h, 0, 0, 0)).toBe(0); // m = 0 does nothing
    expect(ex.model_free(h)).toBe(0);
  });

  it('rejects bad handles with E_HANDLE, also after free and slot reuse', () => {
    const bytes = cases[0]!.bytes;
    for (const bad of [0, -1, 1 << 30, 12345, 2 ** 31 - 1]) {
      expect(ex.model_input_size(bad)).toBe(-18);
      expect(ex.model_output_size(bad)).toBe(-18);
      expect(ex.model_predict(bad, 0, 1, 0)).toBe(-18);
      expect(ex.model_free(bad)).toBe(-18);
    }
    expect(lastError(ex)).toMatch(/^simdnet: handle .* is not a loaded model/);
    const h1 = load(ex, bytes);
    expect(ex.model_free(h1)).toBe(0);
    expect(ex.model_free(h1)).toBe(-18); // double free
    const h2 = load(ex, bytes); // reuses the slot with a new generation
    expect(h2).not.toBe(h1);
    expect(ex.model_input_size(h1)).toBe(-18);
    expect(ex.model_input_size(h2)).toBe(4);
    expect(ex.model_free(h2)).toBe(0);
  });

  it('checks buffers: bounds, negative m, overlap with the model', () => {
    const h = load(ex, cases[0]!.bytes);
    const top = ex.memory.buffer.byteLength;
    const out = ex.alloc(64);
    expect(ex.model_predict(h, top - 8, 1, out)).toBe(-1);
    expect(lastError(ex)).toMatch(/^simdnet: the input \(16 bytes at \d+\) lies outside the module's memory/);
    expect(ex.model_predict(h, out, 1, top - 4)).toBe(-1);
    expect(ex.model_predict(h, out, 2 ** 31 - 1, out)).toBe(-1); // m·n0·4 does not wrap
    expect(ex.model_predict(h, -16 >>> 0, 1, out)).toBe(-1);
    expect(ex.model_predict(h, out, -5, out)).toBe(-19);
    expect(lastError(ex)).toBe('simdnet: m = -5 examples: m must be >= 0');
    expect(ex.last_error(top - 2)).toBe(-1);
    expect(ex.last_error(-1 >>> 0)).toBe(-1);
    ex.free(out);
    expect(ex.model_free(h)).toBe(0);
  });

  it('has 64 model slots', () => {
    const bytes = cases[4]!.bytes;
    const handles: number[] = [];
    for (let i = 0; i < 64; i++) handles.push(load(ex, bytes));
    expect(handles.every((h) => h > 0)).toBe(true);
    expect(new Set(handles).size).toBe(64);
    expect(load(ex, bytes)).toBe(-17);
    expect(lastError(ex)).toMatch(/all 64 model slots are in use/);
    expect(ex.model_free(handles.pop()!)).toBe(0);
    const h = load(ex, bytes);
    expect(h).toBeGreaterThan(0);
    for (const x of [...handles, h]) expect(ex.model_free(x)).toBe(0);
  });

  it('keeps memory bounded over 10,000 load/predict/free cycles', () => {
    const c = cases[1]!;
    const { flat } = inputs(5, 5, 3);
    const first = load(ex, c.bytes);
    const want = runPredict(ex, (i, m, o) => ex.model_predict(first, i, m, o), flat, 5, 1);
    expect(ex.model_free(first)).toBe(0);
    const p = ex.alloc(c.bytes.length);
    new Uint8Array(ex.memory.buffer, p, c.bytes.length).set(c.bytes);
    const inPtr = ex.alloc(flat.length * 4);
    new Float32Array(ex.memory.buffer, inPtr, flat.length).set(flat);
    const outPtr = ex.alloc(5 * 4);
    let after100 = 0;
    const t = performance.now();
    for (let i = 0; i < 10_000; i++) {
      const h = ex.model_load(p, c.bytes.length);
      if (h <= 0) throw new Error(`cycle ${i}: ${h}`);
      if (i % 100 === 0 && ex.model_predict(h, inPtr, 5, outPtr) !== 0) throw new Error('predict failed');
      if (ex.model_free(h) !== 0) throw new Error('free failed');
      if (i === 100) after100 = ex.memory.buffer.byteLength;
    }
    const bytes = ex.memory.buffer.byteLength;
    console.log(`${build}: 10,000 load/free cycles in ${(performance.now() - t).toFixed(0)} ms; memory ${bytes} bytes (${after100} after 100)`);
    expect(bytes).toBe(after100);
    expect(bytes).toBeLessThanOrEqual(4 << 20);
    const got = new Float32Array(ex.memory.buffer, outPtr, 5).slice();
    expect(bits(got)).toEqual(bits(want));
    ex.free(p);
    ex.free(inPtr);
    ex.free(outPtr);
  });
});
