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

import type { DType } from '../runtime/arena.js';
import type { Normalizer } from '../data/normalize.js';

/** Activation codes of the file (0–4 match the kernels; 5 is softmax). */
export const LAYER_CODE = { linear: 0, sigmoid: 1, tanh: 2, relu: 3, leakyRelu: 4, softmax: 5 } as const;
export type LayerActivation = keyof typeof LAYER_CODE;

export const MAGIC = 0x54454e53; // "SNET" read as a little-endian u32
export const FORMAT_VERSION = 1;
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

/** Serialises a model record. */
export function encodeModel(rec: ModelRecord): Uint8Array {
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
  if (version !== FORMAT_VERSION) throw corrupt(`format version ${version} is not supported (this simdnet reads version ${FORMAT_VERSION})`);
  const stored = dv.getUint32(bytes.length - 4, true);
  const actual = crc32(bytes.subarray(0, bytes.length - 4));
  if (stored !== actual) throw corrupt(`checksum mismatch (stored ${stored.toString(16)}, computed ${actual.toString(16)}): the bytes are corrupt or truncated`);
  const dtypeCode = dv.getUint8(6);
  if (dtypeCode !== 1 && dtypeCode !== 2) throw corrupt(`unknown dtype code ${dtypeCode}`);
  const dtype: DType = dtypeCode === 1 ? 'float32' : 'float64';
  const elem = dtypeCode === 1 ? 4 : 8;
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
  const normBytes = normCode === 0 ? 0 : 16 * layers[0]!;
  const expected = jsonEnd + normBytes + parameters * elem + 4;
  if (expected !== bytes.length) throw corrupt(`the header describes ${expected} bytes but there are ${bytes.length}`);
  let meta: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(archEnd, archEnd + jsonLength)));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    meta = parsed as Record<string, unknown>;
  } catch (e) {
    throw corrupt(`the JSON header does not parse (${(e as Error).message})`);
  }
  if (meta.dtype !== dtype || JSON.stringify(meta.layers) !== JSON.stringify(layers) || JSON.stringify(meta.activations) !== JSON.stringify(activations)) {
    throw corrupt('the JSON header disagrees with the binary architecture');
  }
  let off = jsonEnd;
  let normalizer: Normalizer | null = null;
  if (normCode !== 0) {
    const n0 = layers[0]!;
    const shift = new Float64Array(n0);
    const scale = new Float64Array(n0);
    for (let i = 0; i < n0; i++) shift[i] = dv.getFloat64(off + 8 * i, true);
    for (let i = 0; i < n0; i++) scale[i] = dv.getFloat64(off + 8 * (n0 + i), true);
    if (!shift.every(Number.isFinite) || !scale.every((s) => Number.isFinite(s) && s !== 0)) throw corrupt('normaliser values are not finite');
    normalizer = { kind: normCode === 1 ? 'standardize' : 'minmax', shift, scale };
    off += normBytes;
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
  const { format: _f, version: _v, dtype: _d, layers: _l, activations: _a, leakySlope: _s, normalize: _n, ...rest } = meta;
  return { dtype, layers, activations, leakySlope, normalizer, meta: rest, weights };
}
