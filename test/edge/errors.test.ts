// Hostile model bytes through model_load: every single-bit flip, every truncation, lying and overflowing
// headers, foreign files, out-of-bounds pointers and exhausted memory all give a negative code and a message,
// never a trap, never a stray write (a sentinel block and a live model are checked afterwards).
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../../src/io/format.js';
import {
  BUILDS, bits, craftModel, fixCrc, inputs, instantiateRaw, kernelBinary, lastError, load, put, reference, rng, runPredict,
  withMemoryMaximum, type ModelAbi,
} from './helpers.js';

const E = {
  BOUNDS: -1, TRUNCATED: -2, MAGIC: -3, VERSION: -4, DTYPE: -5, NORMALIZER: -6, LAYERS: -7, SLOPE: -8, UNITS: -9,
  ACTIVATION: -10, PARAMETERS: -11, LENGTH: -12, CHECKSUM: -13, NORMALIZER_VALUES: -14, WEIGHTS: -15, OUT_OF_MEMORY: -16,
} as const;
const PREFIX = 'simdnet: not a valid simdnet model file: ';

const norm = { kind: 'standardize' as const, shift: Float64Array.of(0.5, -1), scale: Float64Array.of(2, 3) };
/** [2, 3, 1] tanh → sigmoid, f32, standardised: 48 parameters of file around the JSON header. */
const small = craftModel([2, 3, 1], ['tanh', 'sigmoid'], 'float32', 1, norm);
const small64 = craftModel([2, 4, 3, 2], ['relu', 'leakyRelu', 'softmax'], 'float64', 2);

const edit = (src: Uint8Array, f: (dv: DataView, b: Uint8Array) => void, crc = false): Uint8Array => {
  const b = src.slice();
  f(new DataView(b.buffer), b);
  return crc ? fixCrc(b) : b;
};
const jsonLength = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset).getUint32(12, true);
const dataOffset = (b: Uint8Array, L: number): number => Math.ceil((Math.ceil((24 + 4 * (L + 1) + L) / 8) * 8 + jsonLength(b)) / 8) * 8;

/** Crafted files, what they break, and the code they must get. */
function craftedCases(): { name: string; bytes: Uint8Array; code: number; message: RegExp }[] {
  const d0 = dataOffset(small, 2); // shift[2], scale[2] (f64), then W1 (3×2), b1, W2 (1×3), b2 in f32
  const d64 = dataOffset(small64, 3);
  return [
    { name: 'empty', bytes: new Uint8Array(0), code: E.TRUNCATED, message: /only 0 bytes \(truncated or empty\)/ },
    { name: 'magic', bytes: edit(small, (_, b) => { b[0] = 0x50; }), code: E.MAGIC, message: /wrong magic number/ },
    { name: 'version 3', bytes: edit(small, (dv) => dv.setUint16(4, 3, true)), code: E.VERSION, message: /format version 3 is not supported \(this simdnet reads versions 1 and 2\)/ },
    { name: 'version 2 (int8) with a float dtype', bytes: edit(small, (dv) => dv.setUint16(4, 2, true)), code: E.DTYPE, message: /unknown dtype code 1 \(format version 2 holds 3 int8\)/ },
    { name: 'version 1 with the int8 dtype', bytes: edit(small, (dv) => dv.setUint8(6, 3)), code: E.DTYPE, message: /unknown dtype code 3 \(expected 1 float32 or 2 float64\)/ },
    { name: 'dtype 0', bytes: edit(small, (dv) => dv.setUint8(6, 0)), code: E.DTYPE, message: /unknown dtype code 0/ },
    { name: 'dtype 3', bytes: edit(small, (dv) => dv.setUint8(6, 3)), code: E.DTYPE, message: /unknown dtype code 3/ },
    { name: 'normaliser 3', bytes: edit(small, (dv) => dv.setUint8(7, 3)), code: E.NORMALIZER, message: /unknown normaliser code 3/ },
    { name: 'L = 0', bytes: edit(small, (dv) => dv.setUint32(8, 0, true)), code: E.LAYERS, message: /0 layers \(expected 1\.\.256\)/ },
    { name: 'L = 257', bytes: edit(small, (dv) => dv.setUint32(8, 257, true)), code: E.LAYERS, message: /257 layers/ },
    { name: 'L = 2^31', bytes: edit(small, (dv) => dv.setUint32(8, 2 ** 31, true)), code: E.LAYERS, message: /2147483648 layers/ },
    { name: 'L = 2^32 − 1', bytes: edit(small, (dv) => dv.setUint32(8, 2 ** 32 - 1, true)), code: E.LAYERS, message: /4294967295 layers/ },
    { name: 'L = 200 in a small file', bytes: edit(small, (dv) => dv.setUint32(8, 200, true)), code: E.TRUNCATED, message: /architecture block runs past the end/ },
    { name: 'slope NaN', bytes: edit(small, (dv) => dv.setFloat64(16, NaN, true)), code: E.SLOPE, message: /slope is not finite/ },
    { name: 'slope −Infinity', bytes: edit(small, (dv) => dv.setFloat64(16, -Infinity, true)), code: E.SLOPE, message: /slope is not finite/ },
    { name: 'size 0', bytes: edit(small, (dv) => dv.setUint32(28, 0, true)), code: E.UNITS, message: /layer 1 has 0 units/ },
    { name: 'size 2^24 + 1', bytes: edit(small, (dv) => dv.setUint32(24, 2 ** 24 + 1, true)), code: E.UNITS, message: /layer 0 has 16777217 units/ },
    { name: 'size 2^32 − 1', bytes: edit(small, (dv) => dv.setUint32(32, 2 ** 32 - 1, true)), code: E.UNITS, message: /layer 2 has 4294967295 units/ },
    { name: 'activation code 9', bytes: edit(small, (dv) => dv.setUint8(36, 9)), code: E.ACTIVATION, message: /layer 1 has unknown activation code 9/ },
    { name: 'softmax on a hidden layer', bytes: edit(small, (dv) => dv.setUint8(36, 5)), code: E.ACTIVATION, message: /softmax is only allowed on the output layer/ },
    { name: 'tanh output', bytes: edit(small, (dv) => dv.setUint8(37, 2)), code: E.ACTIVATION, message: /output activation code 2 is not supported/ },
    { name: 'relu output', bytes: edit(small, (dv) => dv.setUint8(37, 3)), code: E.ACTIVATION, message: /output activation code 3/ },
    // 65536² wraps to 0 in 32 bits; u64 sees 2^32 + ...
    { name: 'sizes 65536, 65536, 65536', bytes: edit(small, (dv) => { dv.setUint32(24, 65536, true); dv.setUint32(28, 65536, true); dv.setUint32(32, 65536, true); }), code: E.PARAMETERS, message: /8590065664 parameters exceed the limit of 268435456/ },
    { name: 'sizes 2^24, 2^24, 2^24', bytes: edit(small, (dv) => { dv.setUint32(24, 2 ** 24, true); dv.setUint32(28, 2 ** 24, true); dv.setUint32(32, 2 ** 24, true); }), code: E.PARAMETERS, message: /parameters exceed/ },
    { name: '2^28 + 1 parameters', bytes: edit(small, (dv) => { dv.setUint32(24, 2 ** 14, true); dv.setUint32(28, 2 ** 14, true); dv.setUint32(32, 1, true); }), code: E.PARAMETERS, message: /268468225 parameters/ },
    { name: 'JSON length 2^32 − 1', bytes: edit(small, (dv) => dv.setUint32(12, 2 ** 32 - 1, true)), code: E.LENGTH, message: /the header describes \d+ bytes but there are \d+/ },
    {
      // A 32-bit reader would wrap pad8(40 + J) to 0 and accept this length; u64 arithmetic does not.
      name: 'JSON length that wraps a 32-bit total',
      bytes: (() => {
        const total = 32 + 13 * 4 + 4;
        const b = new Uint8Array(total);
        b.set(small.subarray(0, 40));
        new DataView(b.buffer).setUint32(12, 2 ** 32 - 40, true);
        return fixCrc(b);
      })(),
      code: E.LENGTH, message: /the header describes 4294967384 bytes but there are 88/,
    },
    { name: 'one byte appended', bytes: Uint8Array.of(...small, 0), code: E.LENGTH, message: new RegExp(`describes ${small.length} bytes but there are ${small.length + 1}`) },
    { name: 'checksum', bytes: edit(small, (_, b) => { b[b.length - 1]! ^= 0x80; }), code: E.CHECKSUM, message: /checksum mismatch \(stored [0-9a-f]{8}, computed [0-9a-f]{8}\)/ },
    { name: 'JSON byte changed', bytes: edit(small, (_, b) => { b[45]! ^= 1; }), code: E.CHECKSUM, message: /checksum mismatch/ },
    { name: 'shift NaN', bytes: edit(small, (dv) => dv.setFloat64(d0, NaN, true), true), code: E.NORMALIZER_VALUES, message: /normaliser values are not finite/ },
    { name: 'scale 0', bytes: edit(small, (dv) => dv.setFloat64(d0 + 24, 0, true), true), code: E.NORMALIZER_VALUES, message: /normaliser values/ },
    { name: 'scale Infinity', bytes: edit(small, (dv) => dv.setFloat64(d0 + 16, Infinity, true), true), code: E.NORMALIZER_VALUES, message: /normaliser values/ },
    { name: 'W1 Infinity', bytes: edit(small, (dv) => dv.setFloat32(d0 + 32, Infinity, true), true), code: E.WEIGHTS, message: /layer 1 holds a non-finite weight/ },
    { name: 'b2 NaN', bytes: edit(small, (dv) => dv.setFloat32(small.length - 8, NaN, true), true), code: E.WEIGHTS, message: /layer 2 holds a non-finite weight/ },
    { name: 'f64 W3 −Infinity', bytes: edit(small64, (dv) => dv.setFloat64(d64 + 8 * (8 + 4 + 12 + 3), -Infinity, true), true), code: E.WEIGHTS, message: /layer 3 holds a non-finite weight/ },
  ];
}

/** Non-model files. */
function foreignFiles(wasm: Uint8Array): { name: string; bytes: Uint8Array }[] {
  const r = rng(99);
  const random = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
  const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0, 0, 0, 1, 0, 8, 6, 0, 0, 0, 0x5c, 0x72, 0xa8, 0x66, 0, 0, 0, 0);
  const out = [
    { name: 'PNG header', bytes: png },
    { name: '1 KiB of zeros', bytes: new Uint8Array(1024) },
    { name: '1 MiB of 0xff', bytes: new Uint8Array(1 << 20).fill(0xff) },
    { name: 'a WebAssembly module', bytes: wasm },
    { name: 'JSON', bytes: new TextEncoder().encode(JSON.stringify({ format: 'simdnet-model', layers: [2, 3, 1] })) },
    { name: '"SNET" + random', bytes: Uint8Array.of(0x53, 0x4e, 0x45, 0x54, ...random(500)) },
    { name: 'SNET v1 header + random', bytes: Uint8Array.of(...small.subarray(0, 8), ...random(2000)) },
  ];
  for (let i = 0; i < 20; i++) out.push({ name: `random ${i}`, bytes: random(1 + Math.floor(r() * 3000)) });
  return out;
}

describe.each(BUILDS)('model_load on hostile bytes (%s build)', (build) => {
  let ex: ModelAbi;
  let good: number;
  let goodOut: Float32Array;
  let sentinel: number;
  const { rows, flat } = inputs(7, 2, 5);
  const SENTINEL_BYTES = 1 << 16;

  beforeAll(async () => {
    ex = await instantiateRaw<ModelAbi>(kernelBinary(build));
    good = load(ex, small);
    expect(good).toBeGreaterThan(0);
    goodOut = runPredict(ex, (i, m, o) => ex.model_predict(good, i, m, o), flat, 7, 1);
    expect(bits(goodOut)).toEqual(bits(await reference(small, build, rows)));
    sentinel = ex.alloc(SENTINEL_BYTES);
    new Uint8Array(ex.memory.buffer, sentinel, SENTINEL_BYTES).fill(0xa5);
  });

  const expectRejected = (bytes: Uint8Array, what: string): { code: number; message: string } => {
    const code = load(ex, bytes);
    const message = lastError(ex);
    if (!(code < 0)) throw new Error(`${what}: loaded (${code})`);
    expect(message.length).toBeLessThanOrEqual(256);
    expect(message.startsWith('simdnet: ')).toBe(true);
    return { code, message };
  };

  it('crafted headers get their own code and message', () => {
    for (const c of craftedCases()) {
      const { code, message } = expectRejected(c.bytes, c.name);
      expect({ name: c.name, code }).toEqual({ name: c.name, code: c.code });
      expect(message.startsWith(PREFIX), message).toBe(true);
      expect(message, c.name).toMatch(c.message);
      expect(() => decodeModel(c.bytes), c.name).toThrow(); // the TS reader rejects them too
    }
  });

  it('rejects every single-bit flip of a small model file', () => {
    const counts = new Map<number, number>();
    for (const [name, file] of [['f32', small], ['f64', small64]] as const) {
      for (let i = 0; i < file.length * 8; i++) {
        const bytes = file.slice();
        bytes[i >> 3]! ^= 1 << (i & 7);
        const { code } = expectRejected(bytes, `${name} bit ${i}`);
        counts.set(code, (counts.get(code) ?? 0) + 1);
      }
    }
    console.log(`${build}: ${(small.length + small64.length) * 8} bit flips rejected; codes ${JSON.stringify(Object.fromEntries([...counts].sort((a, b) => b[0] - a[0])))}`);
  });

  it('rejects every truncation', () => {
    for (const file of [small, small64]) {
      for (let n = 0; n < file.length; n++) {
        const { code } = expectRejected(file.subarray(0, n), `prefix ${n}`);
        expect([E.TRUNCATED, E.LENGTH]).toContain(code);
      }
    }
  });

  it('rejects foreign files', () => {
    for (const f of foreignFiles(kernelBinary(build))) expectRejected(f.bytes, f.name);
    expect(load(ex, new Uint8Array(1024))).toBe(E.MAGIC);
  });

  it('rejects byte ranges outside memory without reading them', () => {
    const top = ex.memory.buffer.byteLength;
    for (const [ptr, len] of [[top - 10, 100], [top, 1], [2 ** 32 - 16, 32], [16, 2 ** 32 - 1], [2 ** 31, 2 ** 31]] as const) {
      expect(ex.model_load(ptr >>> 0, len >>> 0)).toBe(E.BOUNDS);
      expect(lastError(ex)).toMatch(/^simdnet: the model bytes \(\d+ at \d+\) lie outside the module's memory of \d+ bytes$/);
    }
  });

  it('wrote nothing stray: the sentinel, the live model and memory are intact', () => {
    const view = new Uint8Array(ex.memory.buffer, sentinel, SENTINEL_BYTES);
    expect(view.every((v) => v === 0xa5)).toBe(true);
    const again = runPredict(ex, (i, m, o) => ex.model_predict(good, i, m, o), flat, 7, 1);
    expect(bits(again)).toEqual(bits(goodOut));
    console.log(`${build}: memory after all bad loads: ${ex.memory.buffer.byteLength} bytes`);
    expect(ex.memory.buffer.byteLength).toBeLessThanOrEqual(8 << 20);
  });
});

describe.each(BUILDS)('running out of memory (%s build, memory capped)', (build) => {
  it('model_load returns E_OUT_OF_MEMORY instead of trapping, and the module keeps working', async () => {
    const base = kernelBinary(build);
    const pages = 2 + 40; // 2.6 MiB: room for a 1.5 MiB file but not for its copy
    const ex = await instantiateRaw<ModelAbi>(withMemoryMaximum(base, pages));
    const big = craftModel([1, 1 << 17, 1], ['relu', 'linear'], 'float32', 3);
    const p = put(ex, big);
    expect(ex.model_load(p, big.length)).toBe(E.OUT_OF_MEMORY);
    expect(lastError(ex)).toMatch(/^simdnet: out of memory: the model needs \d+ bytes and memory cannot grow that far$/);
    ex.free(p);
    // The heap is consistent: a small model loads and predicts exactly.
    const h = load(ex, small);
    expect(h).toBeGreaterThan(0);
    const { rows, flat } = inputs(9, 2, 8);
    const got = runPredict(ex, (i, m, o) => ex.model_predict(h, i, m, o), flat, 9, 1);
    expect(bits(got)).toEqual(bits(await reference(small, build, rows)));
    // Fill the heap with models until memory runs out: an error, never a trap; freeing them makes room again.
    const mid = craftModel([64, 512, 10], ['tanh', 'softmax'], 'float32', 4);
    const q = put(ex, mid);
    const handles: number[] = [];
    let code = 0;
    for (let i = 0; i < 64; i++) {
      code = ex.model_load(q, mid.length);
      if (code < 0) break;
      handles.push(code);
    }
    expect(code).toBe(E.OUT_OF_MEMORY);
    expect(handles.length).toBeGreaterThan(0);
    for (const x of handles) expect(ex.model_free(x)).toBe(0);
    const again = ex.model_load(q, mid.length);
    expect(again).toBeGreaterThan(0);
    expect(ex.memory.buffer.byteLength).toBeLessThanOrEqual(pages * 65536);
  });

  it('a batch whose workspace cannot grow runs in chunks and still predicts exactly', async () => {
    const model = craftModel([1 << 12, 40, 3], ['sigmoid', 'softmax'], 'float32', 5, {
      kind: 'minmax', shift: new Float64Array(1 << 12).fill(-1), scale: new Float64Array(1 << 12).fill(2),
    });
    // 249 = 4·62 + 1 examples, 4 MiB of input: with it, a 4.2 MiB workspace for all of them cannot fit under
    // the cap, so the workspace keeps its 62 examples and predict runs in chunks (62, 62, 62, 61, 2: no
    // single-example chunk, whose matrix-vector product would round differently from Network's one batch).
    const m = 249;
    const { rows, flat } = inputs(m, 1 << 12, 6);
    const want = await reference(model, build, rows);
    const ex = await instantiateRaw<ModelAbi>(withMemoryMaximum(kernelBinary(build), 2 + 128)); // 8.1 MiB
    const h = load(ex, model);
    expect(h).toBeGreaterThan(0);
    const got = runPredict(ex, (i, mm, o) => ex.model_predict(h, i, mm, o), flat, m, 3);
    expect(bits(got)).toEqual(bits(want));
  });
});

describe.each(BUILDS)('large layers (%s build)', (build) => {
  it('a 2^18-unit hidden layer: the workspace is capped at 64 MiB (31 examples a chunk; 32 = 30 + 2), exact', async () => {
    const model = craftModel([2, 1 << 18, 1], ['relu', 'sigmoid'], 'float32', 7);
    const { rows, flat } = inputs(32, 2, 9);
    const want = await reference(model, build, rows);
    const ex = await instantiateRaw<ModelAbi>(kernelBinary(build));
    const h = load(ex, model);
    expect(h).toBeGreaterThan(0);
    const got = runPredict(ex, (i, m, o) => ex.model_predict(h, i, m, o), flat, 32, 1);
    expect(bits(got)).toEqual(bits(want));
    expect(ex.model_free(h)).toBe(0);
  });
});
