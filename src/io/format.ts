// The model file: one self-contained little-endian binary that Node, browsers and the edge ABI read.
//
//   0  "SNET"                      magic
//   4  u16 version (1)             6  u8 dtype (1 f32, 2 f64)     7  u8 normaliser (0 none, 1 standardize, 2 minmax)
//   8  u32 L (weight layers)       12 u32 JSON header length      16 f64 leaky relu slope
//   24 u32 sizes[L+1], u8 activation codes[L], zero padding to 8
//      JSON header (utf-8: architecture, labels, training config), zero padding to 8
//      f64 shift[n0], f64 scale[n0]                      (only with a normaliser)
//      per layer l: W_l (n_l × n_{l-1}), b_l (n_l)         (in the dtype)
//   end-4 u32 CRC-32 of every byte before it
// The binary fields are what a reader needs; the JSON repeats them for people and must agree.
//
// Version 2 (int8 quantised weights, dtype code 3; written by quantizeInt8 + encodeModel): the same header and
// JSON (whose dtype is "int8"), then
//      f32 shift[n0], f32 scale[n0]                      (only with a normaliser)
//      per layer l: f32 scale[n_l], f32 b[n_l], i8 W_l (n_l × n_{l-1}) zero-padded to 4 bytes
//   end-4 u32 CRC-32
// where W_l[r, j] ≈ q[r, j] · scale[r] (symmetric, one scale per output unit, |q| ≤ 127). decodeModel returns such
// a file dequantised (dtype float32, W = f32(q · scale)) with the int8 values in `quantized`, so Network.load
// runs it in float32; the edge ABI (assembly/model.ts) runs it in integers (assembly/int8.ts).

import { ACTIVATION_CODE } from '../runtime/plan.js';
import type { DType } from '../runtime/arena.js';
import type { Normalizer } from '../data/normalize.js';

/** Activation codes of the file (0–4 match the kernels; 5 is softmax). */
/** The file stores the plan's activation codes (src/runtime/plan.ts). */
export const LAYER_CODE = ACTIVATION_CODE;
export type LayerActivation = keyof typeof LAYER_CODE;

export const MAGIC = 0x54454e53; // "SNET" read as a little-endian u32
export const FORMAT_VERSION = 1;
/** The version of int8 files (dtype code 3). */
export const FORMAT_VERSION_INT8 = 2;
const DTYPE_INT8 = 3;
/** Upper bounds that keep a hostile header from asking for absurd allocations. */
export const MAX_LAYERS = 256;
export const MAX_UNITS = 1 << 24;
export const MAX_PARAMETERS = 1 << 28;

/** Everything a saved model holds. */
export interface ModelRecord {
  dtype: DType;
  layers: number[];
  activations: LayerActivation[];
  leakySlope: number;
  normalizer: Normalizer | null;
  /** Free-form metadata: loss, labels, training config. */
  meta: Record<string, unknown>;
  /** Per layer: W row-major then b. */
  weights: { W: Float64Array | Float32Array; b: Float64Array | Float32Array }[];
  /**
   * int8 models only: per layer the weights as int8 (row-major) and one f32 scale per output unit. `weights`
   * then holds W = f32(q · scale) and the f32 biases, `dtype` is float32, and encodeModel writes version 2.
   */
  quantized?: { q: Int8Array; scale: Float32Array }[];
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, as zlib) of bytes. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// Not `(n + 7) & ~7`: the bitwise form wraps at 2^31, and n comes from an untrusted u32 JSON length.
const pad8 = (n: number): number => Math.ceil(n / 8) * 8;

/** Serialises a model record (version 2 when it holds `quantized` weights). */
export function encodeModel(rec: ModelRecord): Uint8Array {
  if (rec.quantized !== undefined) return encodeInt8(rec);
  const L = rec.layers.length - 1;
  const elem = rec.dtype === 'float32' ? 4 : 8;
  const json = new TextEncoder().encode(JSON.stringify({
    format: 'simdnet-model', version: FORMAT_VERSION, dtype: rec.dtype, layers: rec.layers,
    activations: rec.activations, leakySlope: rec.leakySlope, normalize: rec.normalizer?.kind ?? 'none', ...rec.meta,
  }));
  const archEnd = pad8(24 + 4 * (L + 1) + L);
  const jsonEnd = pad8(archEnd + json.length);
  const normBytes = rec.normalizer ? 16 * rec.layers[0]! : 0;
  let weightBytes = 0;
  for (let l = 1; l <= L; l++) weightBytes += (rec.layers[l]! * rec.layers[l - 1]! + rec.layers[l]!) * elem;
  const total = jsonEnd + normBytes + weightBytes + 4;
  const bytes = new Uint8Array(total);
  const dv = new DataView(bytes.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint16(4, FORMAT_VERSION, true);
  dv.setUint8(6, rec.dtype === 'float32' ? 1 : 2);
  dv.setUint8(7, rec.normalizer === null ? 0 : rec.normalizer.kind === 'standardize' ? 1 : 2);
  dv.setUint32(8, L, true);
  dv.setUint32(12, json.length, true);
  dv.setFloat64(16, rec.leakySlope, true);
  rec.layers.forEach((n, i) => dv.setUint32(24 + 4 * i, n, true));
  rec.activations.forEach((a, i) => dv.setUint8(24 + 4 * (L + 1) + i, LAYER_CODE[a]));
  bytes.set(json, archEnd);
  let off = jsonEnd;
  if (rec.normalizer) {
    for (const v of rec.normalizer.shift) { dv.setFloat64(off, v, true); off += 8; }
    for (const v of rec.normalizer.scale) { dv.setFloat64(off, v, true); off += 8; }
  }
  for (const { W, b } of rec.weights) {
    for (const arr of [W, b]) {
      for (const v of arr) {
        if (elem === 4) dv.setFloat32(off, v, true); else dv.setFloat64(off, v, true);
        off += elem;
      }
    }
  }
  dv.setUint32(off, crc32(bytes.subarray(0, off)), true);
  return bytes;
}

function corrupt(why: string): Error {
  return new Error(`simdnet: not a valid simdnet model file: ${why}`);
}

/** Parses and validates model bytes; every failure is an Error that says what is wrong. */
export function decodeModel(input: Uint8Array | ArrayBuffer): ModelRecord {
  const bytes = input instanceof Uint8Array ? input : input instanceof ArrayBuffer ? new Uint8Array(input) : null;
  if (bytes === null) throw new Error('simdnet: a model must be loaded from a Uint8Array or ArrayBuffer');
  if (bytes.length < 28) throw corrupt(`only ${bytes.length} bytes (truncated or empty)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== MAGIC) throw corrupt('wrong magic number (expected "SNET")');
  const version = dv.getUint16(4, true);
  if (version !== FORMAT_VERSION && version !== FORMAT_VERSION_INT8) {
    throw corrupt(`format version ${version} is not supported (this simdnet reads versions ${FORMAT_VERSION} and ${FORMAT_VERSION_INT8})`);
  }
  const int8 = version === FORMAT_VERSION_INT8;
  const stored = dv.getUint32(bytes.length - 4, true);
  const actual = crc32(bytes.subarray(0, bytes.length - 4));
  if (stored !== actual) throw corrupt(`checksum mismatch (stored ${stored.toString(16)}, computed ${actual.toString(16)}): the bytes are corrupt or truncated`);
  const dtypeCode = dv.getUint8(6);
  if (int8 ? dtypeCode !== DTYPE_INT8 : dtypeCode !== 1 && dtypeCode !== 2) {
    throw corrupt(`unknown dtype code ${dtypeCode}${int8 ? ' (format version 2 holds 3 int8)' : ''}`);
  }
  const dtype: DType = dtypeCode === 2 ? 'float64' : 'float32';
  const elem = dtypeCode === 2 ? 8 : 4;
  const normCode = dv.getUint8(7);
  if (normCode > 2) throw corrupt(`unknown normaliser code ${normCode}`);
  const L = dv.getUint32(8, true);
  if (L < 1 || L > MAX_LAYERS) throw corrupt(`${L} layers (expected 1..${MAX_LAYERS})`);
  const jsonLength = dv.getUint32(12, true);
  const leakySlope = dv.getFloat64(16, true);
  if (!Number.isFinite(leakySlope)) throw corrupt('leaky relu slope is not finite');
  const archEnd = pad8(24 + 4 * (L + 1) + L);
  if (archEnd > bytes.length - 4) throw corrupt('architecture block runs past the end');
  const layers: number[] = [];
  for (let i = 0; i <= L; i++) {
    const n = dv.getUint32(24 + 4 * i, true);
    if (n < 1 || n > MAX_UNITS) throw corrupt(`layer ${i} has ${n} units (expected 1..${MAX_UNITS})`);
    layers.push(n);
  }
  const names = Object.keys(LAYER_CODE) as LayerActivation[];
  const activations: LayerActivation[] = [];
  for (let i = 0; i < L; i++) {
    const code = dv.getUint8(24 + 4 * (L + 1) + i);
    const name = names[code];
    if (name === undefined) throw corrupt(`layer ${i + 1} has unknown activation code ${code}`);
    if (name === 'softmax' && i !== L - 1) throw corrupt('softmax is only allowed on the output layer');
    activations.push(name);
  }
  const jsonEnd = pad8(archEnd + jsonLength);
  let parameters = 0;
  for (let l = 1; l <= L; l++) parameters += layers[l]! * layers[l - 1]! + layers[l]!;
  if (parameters > MAX_PARAMETERS) throw corrupt(`${parameters} parameters exceed the limit of ${MAX_PARAMETERS}`);
  const normBytes = normCode === 0 ? 0 : (int8 ? 8 : 16) * layers[0]!;
  const expected = jsonEnd + (int8 ? int8DataBytes(layers, normCode !== 0) : normBytes + parameters * elem) + 4;
  if (expected !== bytes.length) throw corrupt(`the header describes ${expected} bytes but there are ${bytes.length}`);
  let meta: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(archEnd, archEnd + jsonLength)));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    meta = parsed as Record<string, unknown>;
  } catch (e) {
    throw corrupt(`the JSON header does not parse (${(e as Error).message})`);
  }
  if (meta.dtype !== (int8 ? 'int8' : dtype) || JSON.stringify(meta.layers) !== JSON.stringify(layers) || JSON.stringify(meta.activations) !== JSON.stringify(activations)) {
    throw corrupt('the JSON header disagrees with the binary architecture');
  }
  let off = jsonEnd;
  let normalizer: Normalizer | null = null;
  if (normCode !== 0) {
    const n0 = layers[0]!;
    const shift = new Float64Array(n0);
    const scale = new Float64Array(n0);
    const width = int8 ? 4 : 8;
    const read = (at: number): number => (int8 ? dv.getFloat32(at, true) : dv.getFloat64(at, true));
    for (let i = 0; i < n0; i++) shift[i] = read(off + width * i);
    for (let i = 0; i < n0; i++) scale[i] = read(off + width * (n0 + i));
    if (!shift.every(Number.isFinite) || !scale.every((s) => Number.isFinite(s) && s !== 0)) throw corrupt('normaliser values are not finite');
    normalizer = { kind: normCode === 1 ? 'standardize' : 'minmax', shift, scale };
    off += normBytes;
  }
  const { format: _f, version: _v, dtype: _d, layers: _l, activations: _a, leakySlope: _s, normalize: _n, ...rest } = meta;
  if (int8) {
    const { quantization: _q, ...meta8 } = rest;
    return { dtype, layers, activations, leakySlope, normalizer, meta: meta8, ...readInt8(dv, off, layers) };
  }
  const weights: ModelRecord['weights'] = [];
  const read = (count: number): Float32Array | Float64Array => {
    const arr = dtype === 'float32' ? new Float32Array(count) : new Float64Array(count);
    for (let i = 0; i < count; i++) {
      arr[i] = elem === 4 ? dv.getFloat32(off, true) : dv.getFloat64(off, true);
      off += elem;
    }
    return arr;
  };
  for (let l = 1; l <= L; l++) {
    const W = read(layers[l]! * layers[l - 1]!);
    const b = read(layers[l]!);
    if (!W.every(Number.isFinite) || !b.every(Number.isFinite)) throw corrupt(`layer ${l} holds a non-finite weight`);
    weights.push({ W, b });
  }
  return { dtype, layers, activations, leakySlope, normalizer, meta: rest, weights };
}

/** Writes the header, architecture block and JSON of a file with `dataBytes` bytes of values; returns the bytes and where the values start. */
function header(rec: ModelRecord, version: number, dtypeCode: number, jsonDtype: string, dataBytes: number, extra: Record<string, unknown> = {}): { bytes: Uint8Array; dv: DataView; off: number } {
  const L = rec.layers.length - 1;
  const json = new TextEncoder().encode(JSON.stringify({
    format: 'simdnet-model', version, dtype: jsonDtype, layers: rec.layers,
    activations: rec.activations, leakySlope: rec.leakySlope, normalize: rec.normalizer?.kind ?? 'none', ...rec.meta, ...extra,
  }));
  const archEnd = pad8(24 + 4 * (L + 1) + L);
  const jsonEnd = pad8(archEnd + json.length);
  const bytes = new Uint8Array(jsonEnd + dataBytes + 4);
  const dv = new DataView(bytes.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint16(4, version, true);
  dv.setUint8(6, dtypeCode);
  dv.setUint8(7, rec.normalizer === null ? 0 : rec.normalizer.kind === 'standardize' ? 1 : 2);
  dv.setUint32(8, L, true);
  dv.setUint32(12, json.length, true);
  dv.setFloat64(16, rec.leakySlope, true);
  rec.layers.forEach((n, i) => dv.setUint32(24 + 4 * i, n, true));
  rec.activations.forEach((a, i) => dv.setUint8(24 + 4 * (L + 1) + i, LAYER_CODE[a]));
  bytes.set(json, archEnd);
  return { bytes, dv, off: jsonEnd };
}

const pad4 = (n: number): number => Math.ceil(n / 4) * 4;

/** The JSON header's `quantization` entry of an int8 file (for people and hosts; decodeModel drops it). */
const INT8_DESCRIPTION = { weights: 'int8', scales: 'float32 per output unit, symmetric', activations: 'float32' };

/** Bytes of the values of an int8 file: f32 normaliser, then per layer f32 scales and biases and padded int8 W. */
function int8DataBytes(layers: number[], normalizer: boolean): number {
  let total = normalizer ? 8 * layers[0]! : 0;
  for (let l = 1; l < layers.length; l++) total += 8 * layers[l]! + pad4(layers[l]! * layers[l - 1]!);
  return total;
}

function encodeInt8(rec: ModelRecord): Uint8Array {
  const q = rec.quantized!;
  const L = rec.layers.length - 1;
  if (q.length !== L) throw new Error(`simdnet: an int8 model needs quantized weights for each of its ${L} layers`);
  const { bytes, dv, off: start } = header(rec, FORMAT_VERSION_INT8, DTYPE_INT8, 'int8', int8DataBytes(rec.layers, rec.normalizer !== null), { quantization: INT8_DESCRIPTION });
  let off = start;
  if (rec.normalizer) {
    for (const v of rec.normalizer.shift) { dv.setFloat32(off, v, true); off += 4; }
    for (const v of rec.normalizer.scale) { dv.setFloat32(off, v, true); off += 4; }
  }
  for (let l = 0; l < L; l++) {
    const n = rec.layers[l + 1]!;
    const k = rec.layers[l]!;
    const { q: W, scale } = q[l]!;
    if (W.length !== n * k || scale.length !== n || rec.weights[l]!.b.length !== n) throw new Error(`simdnet: layer ${l + 1}'s quantized weights do not match its ${n}×${k} shape`);
    for (const v of scale) { dv.setFloat32(off, v, true); off += 4; }
    for (const v of rec.weights[l]!.b) { dv.setFloat32(off, v, true); off += 4; }
    bytes.set(new Uint8Array(W.buffer, W.byteOffset, W.length), off);
    off += pad4(n * k);
  }
  dv.setUint32(off, crc32(bytes.subarray(0, off)), true);
  return bytes;
}

/** Rounds to the nearest integer, ties to even (as WebAssembly's nearest). */
export function roundEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Quantises a model's weights to int8: per output unit r, scale_r = f32(max_j |W[r, j]| / 127) and
 * q[r, j] = roundEven(W[r, j] / scale_r) (|q| ≤ 127; a zero row gets scale 0). Biases stay f32, the normaliser
 * is rounded to f32. Returns the record encodeModel writes as version 2: `quantized` holds q and the scales,
 * `weights` the dequantised f32 values f32(q · scale) that a float network runs.
 */
export function quantizeInt8(rec: ModelRecord): ModelRecord {
  if (rec.quantized !== undefined) return rec;
  const L = rec.layers.length - 1;
  const quantized: NonNullable<ModelRecord['quantized']> = [];
  const weights: ModelRecord['weights'] = [];
  for (let l = 0; l < L; l++) {
    const n = rec.layers[l + 1]!;
    const k = rec.layers[l]!;
    const { W, b } = rec.weights[l]!;
    const q = new Int8Array(n * k);
    const scale = new Float32Array(n);
    const Wd = new Float32Array(n * k);
    for (let r = 0; r < n; r++) {
      let amax = 0;
      for (let j = 0; j < k; j++) amax = Math.max(amax, Math.abs(W[r * k + j]!));
      const s = Math.fround(amax / 127);
      scale[r] = s;
      if (s === 0) continue;
      for (let j = 0; j < k; j++) {
        const v = Math.max(-127, Math.min(127, roundEven(W[r * k + j]! / s)));
        q[r * k + j] = v;
        Wd[r * k + j] = Math.fround(v * s);
      }
    }
    quantized.push({ q, scale });
    weights.push({ W: Wd, b: Float32Array.from(b) });
  }
  const normalizer = rec.normalizer === null ? null
    : { kind: rec.normalizer.kind, shift: Float64Array.from(rec.normalizer.shift, Math.fround), scale: Float64Array.from(rec.normalizer.scale, Math.fround) };
  if (normalizer && !(normalizer.scale.every((v) => v !== 0 && Number.isFinite(v)) && normalizer.shift.every(Number.isFinite))) {
    throw new Error('simdnet: the normaliser does not fit in float32 (a shift or scale rounds to infinity, or a scale to 0)');
  }
  return { ...rec, dtype: 'float32', normalizer, weights, quantized };
}

/** The values of an int8 file from `off` (lengths already checked): quantized weights and their dequantised f32 copy. */
function readInt8(dv: DataView, start: number, layers: number[]): Pick<ModelRecord, 'weights' | 'quantized'> {
  let off = start;
  const weights: ModelRecord['weights'] = [];
  const quantized: NonNullable<ModelRecord['quantized']> = [];
  for (let l = 1; l < layers.length; l++) {
    const n = layers[l]!;
    const k = layers[l - 1]!;
    const scale = new Float32Array(n);
    const b = new Float32Array(n);
    for (let i = 0; i < n; i++) scale[i] = dv.getFloat32(off + 4 * i, true);
    for (let i = 0; i < n; i++) b[i] = dv.getFloat32(off + 4 * (n + i), true);
    off += 8 * n;
    if (!scale.every((v) => Number.isFinite(v) && v >= 0) || !b.every(Number.isFinite)) {
      throw corrupt(`layer ${l} holds a non-finite bias or scale, a negative scale, or nonzero padding`);
    }
    const q = new Int8Array(dv.buffer.slice(dv.byteOffset + off, dv.byteOffset + off + n * k));
    for (let i = n * k; i < pad4(n * k); i++) {
      if (dv.getUint8(off + i) !== 0) throw corrupt(`layer ${l} holds a non-finite bias or scale, a negative scale, or nonzero padding`);
    }
    off += pad4(n * k);
    const W = new Float32Array(n * k);
    for (let r = 0; r < n; r++) for (let j = 0; j < k; j++) W[r * k + j] = Math.fround(q[r * k + j]! * scale[r]!);
    weights.push({ W, b });
    quantized.push({ q, scale });
  }
  return { weights, quantized };
}

/** The bytes of a saved model (version 1) quantised to int8 (version 2, see quantizeInt8); an int8 file is returned as it is. */
export function quantizeModel(bytes: Uint8Array): Uint8Array {
  const rec = decodeModel(bytes);
  return rec.quantized !== undefined ? bytes : encodeModel(quantizeInt8(rec));
}
