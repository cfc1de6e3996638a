// Edge export: a trained model baked into a small, self-contained .wasm with no imports, for runtimes
// without JavaScript (wasmtime, WAMR, wasm3, wasmer, ...). The ABI is in docs/edge.md.
//
// The template build/simdnet.edge.{simd,scalar}.wasm (assembly/edge.ts) has two i32 globals MODEL_PTR and
// MODEL_LEN, both 0. Baking copies the template and, with a small section reader/writer (LEB128, no
// dependency): appends an active data segment with the model bytes at MODEL_PTR = (the first address the
// template's heap hands out) + 16, sets the two globals' initialisers, drops their exports, and raises the
// memory minimum so the bytes fit with slack. At run time the module's first allocation covers exactly
// those bytes, so they are never reused, and the model runs from them in place.
import { decodeModel, encodeModel, quantizeInt8 } from './format.js';
import { bundledUrl, readBundled, type Build, type WasmFile } from '../runtime/load.js';
import type { WasmBytes } from '../runtime/host.js';
import { uleb, WasmReader } from '../runtime/wasm-binary.js';

/** Options of exportEdgeWasm. */
export interface EdgeExportOptions {
  /** Which template: 'scalar' (default: runs on interpreters without SIMD such as wasm3 and WAMR classic) or 'simd'. */
  build?: Build;
  /** Template bytes to use instead of the bundled build/simdnet.edge.<build>.wasm. */
  template?: BufferSource | Uint8Array;
  /**
   * 'int8': bake the model with int8 weights (one f32 scale per output unit; format version 2, about a quarter
   * of the float32 size; it runs in integers, see docs/edge.md). 'none' (default): bake the model as it is saved
   * (an int8 file stays int8).
   */
  quantize?: 'none' | 'int8';
}

const EDGE_OPTIONS = ['build', 'template', 'quantize'];

/** The version written into baked modules' model_info (the package.json version; a test compares them). */
export const SIMDNET_VERSION = '0.1.0';
/** Name of the custom section that holds a baked module's model_info JSON. */
export const MODEL_INFO_SECTION = 'simdnet.model_info';

// The exports of a baked edge module are typed once, with the kernel module's model_* ABI, in runtime/abi.ts.
import type { EdgeExports } from '../runtime/abi.js';
export type { EdgeExports };

/** The bundled template of a build: the int8-only ones (no float kernels, smaller) for int8 models. */
function templateFile(build: Build, int8: boolean): WasmFile {
  if (int8) return build === 'scalar' ? 'edge.int8.scalar' : 'edge.int8.simd';
  return build === 'scalar' ? 'edge.scalar' : 'edge.simd';
}

/** URL of a bundled edge template (one literal URL per file in runtime/load.ts, which bundlers see). */
export function edgeTemplateUrl(build: Build, int8 = false): URL {
  return bundledUrl(templateFile(build, int8));
}

function readTemplate(build: Build, int8: boolean): Promise<Uint8Array> {
  return readBundled(templateFile(build, int8));
}

function toBytes(source: BufferSource | Uint8Array): Uint8Array {
  if (source instanceof Uint8Array) return source;
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  return new Uint8Array(source);
}

// ---- a minimal WebAssembly binary reader/writer ----

/** One section: its id and payload. */
interface Section {
  id: number;
  payload: Uint8Array;
}

function sleb32(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function concat(parts: (Uint8Array | number[])[]): Uint8Array<ArrayBuffer> {
  const total = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function parseSections(bytes: Uint8Array): Section[] {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d || bytes[4] !== 1) {
    throw new Error('simdnet: the edge template is not a WebAssembly binary (version 1)');
  }
  const r = new WasmReader(bytes, 'the edge template');
  r.pos = 8;
  const sections: Section[] = [];
  while (!r.done) {
    const id = r.byte();
    const size = r.u32();
    sections.push({ id, payload: r.take(size) });
  }
  return sections;
}

function writeModule(sections: Section[]): Uint8Array<ArrayBuffer> {
  const parts: (Uint8Array | number[])[] = [[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]];
  for (const s of sections) parts.push([s.id], uleb(s.payload.length), s.payload);
  return concat(parts);
}

const SECTION = { import: 2, memory: 5, global: 6, export: 7, code: 10, data: 11, dataCount: 12 } as const;

interface ExportEntry {
  name: string;
  kind: number;
  index: number;
  raw: Uint8Array;
}

function parseExports(payload: Uint8Array): ExportEntry[] {
  const r = new WasmReader(payload, 'the edge template');
  const count = r.u32();
  const out: ExportEntry[] = [];
  for (let i = 0; i < count; i++) {
    const start = r.pos;
    const name = new TextDecoder().decode(r.take(r.u32()));
    const kind = r.byte();
    const index = r.u32();
    out.push({ name, kind, index, raw: payload.subarray(start, r.pos) });
  }
  return out;
}

/** Rewrites the global section with new i32.const initialisers for the given global indices. */
function patchGlobals(payload: Uint8Array, values: Map<number, number>): Uint8Array {
  const r = new WasmReader(payload, 'the edge template');
  const count = r.u32();
  const parts: (Uint8Array | number[])[] = [uleb(count)];
  for (let i = 0; i < count; i++) {
    const type = r.byte();
    const mut = r.byte();
    const initStart = r.pos;
    // Constant expressions of this module are one instruction + `end`; walk to the end opcode.
    for (;;) {
      const op = r.byte();
      if (op === 0x0b) break;
      if (op === 0x41 || op === 0x42) { while (r.byte() & 0x80); } // i32/i64.const (s)LEB
      else if (op === 0x43) r.take(4);
      else if (op === 0x44) r.take(8);
      else if (op === 0x23) r.u32(); // global.get
      else throw new Error(`simdnet: the edge template has an unexpected global initialiser (opcode 0x${op.toString(16)})`);
    }
    const value = values.get(i);
    if (value === undefined) {
      parts.push([type, mut], payload.subarray(initStart, r.pos));
    } else {
      if (type !== 0x7f) throw new Error('simdnet: the edge template\'s MODEL_PTR/MODEL_LEN are not i32 globals');
      parts.push([type, mut, 0x41, ...sleb32(value), 0x0b]);
    }
  }
  return concat(parts);
}

/** Raises the (single) memory's minimum to at least `pages`. */
function patchMemory(payload: Uint8Array, pages: number): Uint8Array {
  const r = new WasmReader(payload, 'the edge template');
  if (r.u32() !== 1) throw new Error('simdnet: the edge template must define exactly one memory');
  const flags = r.byte();
  if (flags !== 0 && flags !== 1) throw new Error(`simdnet: the edge template's memory has unsupported limits (flags ${flags})`);
  const min = r.u32();
  const newMin = Math.max(min, pages);
  if (flags === 1) {
    const max = r.u32();
    if (max < newMin) throw new Error(`simdnet: the model needs ${newMin} memory pages but the template allows at most ${max}`);
    return concat([[1, 1], uleb(newMin), uleb(max)]);
  }
  return concat([[1, 0], uleb(newMin)]);
}

/** The data section with one more active segment holding `bytes` at `address`. */
function appendSegment(payload: Uint8Array | null, address: number, bytes: Uint8Array): Uint8Array {
  let count = 0;
  let rest: Uint8Array = new Uint8Array(0);
  if (payload !== null) {
    const r = new WasmReader(payload, 'the edge template');
    count = r.u32();
    rest = payload.subarray(r.pos);
  }
  const segment = concat([[0x00, 0x41, ...sleb32(address), 0x0b], uleb(bytes.length), bytes]);
  return concat([uleb(count + 1), rest, segment]);
}

/** Instantiates with an empty import object (the edge modules import nothing). */
async function instantiate(bytes: Uint8Array): Promise<WebAssembly.Instance> {
  const { instance } = await WebAssembly.instantiate(bytes as Uint8Array<ArrayBuffer>, {});
  return instance;
}

/** Heap address of the template's first allocation: what a fresh instance's alloc returns. */
async function firstHeapAddress(template: Uint8Array): Promise<number> {
  let instance: WebAssembly.Instance;
  try {
    instance = await instantiate(template);
  } catch (cause) {
    throw new Error(`simdnet: the edge template does not instantiate with no imports: ${(cause as Error).message}`, { cause });
  }
  const ex = instance.exports as unknown as EdgeExports;
  if (typeof ex.alloc !== 'function' || typeof ex.predict !== 'function' || typeof ex.input_size !== 'function') {
    throw new Error('simdnet: the given template is not a simdnet edge template (missing exports)');
  }
  if (ex.input_size() !== -20) throw new Error('simdnet: the given edge template already holds a model');
  const address = ex.alloc(1) >>> 0;
  if (address === 0 || address % 16 !== 0) throw new Error('simdnet: the edge template\'s heap did not start as expected');
  return address;
}

/** A copy of a module with one more custom section at the end. */
function appendCustomSection(module: Uint8Array, name: string, data: Uint8Array): Uint8Array<ArrayBuffer> {
  const nameBytes = new TextEncoder().encode(name);
  const payload = concat([uleb(nameBytes.length), nameBytes, data]);
  return concat([module, [0], uleb(payload.length), payload]);
}

/**
 * The model_info of a baked edge module, read from its custom section (no instantiation): the JSON header of
 * the baked model (layers, activations, normalize, labels, loss, dtype — "int8" for quantised weights, with a
 * `quantization` entry —, the `simdnet` version and `edge.build`). Null for a module without the section
 * (the template, or one baked by bakeEdgeModule alone); an Error for bytes that are not a WebAssembly module.
 */
export function edgeModelInfo(wasm: Uint8Array): Record<string, unknown> | null {
  let sections: Section[];
  try {
    sections = parseSections(wasm);
  } catch (cause) {
    throw new Error('simdnet: not a WebAssembly module (version 1)', { cause });
  }
  for (const s of sections) {
    if (s.id !== 0) continue;
    const r = new WasmReader(s.payload, 'the edge template');
    const name = new TextDecoder().decode(r.take(r.u32()));
    if (name !== MODEL_INFO_SECTION) continue;
    const parsed: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(s.payload.subarray(r.pos)));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`simdnet: the ${MODEL_INFO_SECTION} section does not hold a JSON object`);
    return parsed as Record<string, unknown>;
  }
  return null;
}

/** Reads a baked module's last_error message. */
export function edgeLastError(ex: Pick<EdgeExports, 'memory' | 'last_error'>): string {
  const len = ex.last_error(0);
  if (len <= 0) return '';
  // Borrows the top 256 bytes of memory (restored below): no allocation, so it also works when memory is full.
  const ptr = ex.memory.buffer.byteLength - 256;
  const saved = new Uint8Array(ex.memory.buffer, ptr, 256).slice();
  const n = ex.last_error(ptr);
  const text = new TextDecoder().decode(new Uint8Array(ex.memory.buffer, ptr, Math.max(0, n)));
  new Uint8Array(ex.memory.buffer, ptr, 256).set(saved);
  return text;
}

/**
 * Bakes a saved model (the bytes net.save() writes) into a standalone .wasm with no imports and the exports
 * predict(in_ptr, m, out_ptr), input_size(), output_size(), alloc(bytes), free(ptr), last_error(ptr_out) and
 * memory. The model is validated first (decodeModel), and the result is checked by instantiating it.
 */
export async function exportEdgeWasm(modelBytes: Uint8Array, options: EdgeExportOptions = {}): Promise<WasmBytes> {
  if (!(modelBytes instanceof Uint8Array)) throw new Error('simdnet: exportEdgeWasm needs the model bytes as a Uint8Array');
  if (typeof options !== 'object' || options === null) throw new Error('simdnet: exportEdgeWasm options must be an object');
  const unknown = Object.keys(options).filter((k) => !EDGE_OPTIONS.includes(k));
  if (unknown.length > 0) throw new Error(`simdnet: exportEdgeWasm got unknown option(s) ${unknown.join(', ')}; expected ${EDGE_OPTIONS.join(', ')}`);
  const build = options.build ?? 'scalar';
  if (build !== 'simd' && build !== 'scalar') throw new Error(`simdnet: unknown build '${String(build)}'; expected 'simd' or 'scalar'`);
  const quantize = options.quantize ?? 'none';
  if (quantize !== 'none' && quantize !== 'int8') throw new Error(`simdnet: unknown quantize '${String(quantize)}'; expected 'none' or 'int8'`);
  let rec = decodeModel(modelBytes);
  if (quantize === 'int8' && rec.quantized === undefined) rec = quantizeInt8(rec);
  // The model's JSON header doubles as the module's self-description (model_info): stamp who baked it.
  rec = { ...rec, meta: { ...rec.meta, simdnet: SIMDNET_VERSION, edge: { build } } };
  modelBytes = encodeModel(rec);
  const output = rec.activations[rec.activations.length - 1]!;
  if (output !== 'linear' && output !== 'sigmoid' && output !== 'softmax') {
    throw new Error(`simdnet: an edge module needs a linear, sigmoid or softmax output, not ${output}`);
  }
  const template = options.template === undefined ? await readTemplate(build, rec.quantized !== undefined) : toBytes(options.template);
  const dv = new DataView(modelBytes.buffer, modelBytes.byteOffset, modelBytes.byteLength);
  const L = dv.getUint32(8, true);
  const jsonStart = Math.ceil((24 + 4 * (L + 1) + L) / 8) * 8;
  const info = modelBytes.slice(jsonStart, jsonStart + dv.getUint32(12, true));
  const baked = appendCustomSection(await bakeEdgeModule(template, modelBytes), MODEL_INFO_SECTION, info);
  const ex = (await instantiate(baked)).exports as unknown as EdgeExports;
  const n0 = ex.input_size();
  if (n0 < 0) throw new Error(`simdnet: the baked edge module rejects the model (${n0}): ${edgeLastError(ex)}`);
  if (n0 !== rec.layers[0] || ex.output_size() !== rec.layers[rec.layers.length - 1]) {
    throw new Error('simdnet: the baked edge module reports sizes that differ from the model');
  }
  return baked;
}

/**
 * The baking step alone: puts `modelBytes` into a copy of the edge template as they are, without checking
 * them (the module validates them itself on its first call; tests use this to bake hostile bytes).
 */
export async function bakeEdgeModule(template: Uint8Array, modelBytes: Uint8Array): Promise<WasmBytes> {
  const sections = parseSections(template);
  if (sections.some((s) => s.id === SECTION.import)) throw new Error('simdnet: the edge template must not import anything');

  const exportSection = sections.find((s) => s.id === SECTION.export);
  if (!exportSection) throw new Error('simdnet: the edge template has no exports');
  const exports = parseExports(exportSection.payload);
  const ptrExport = exports.find((e) => e.name === 'MODEL_PTR' && e.kind === 3);
  const lenExport = exports.find((e) => e.name === 'MODEL_LEN' && e.kind === 3);
  if (!ptrExport || !lenExport) throw new Error('simdnet: the edge template does not export the MODEL_PTR/MODEL_LEN globals');

  const address = (await firstHeapAddress(template)) + 16;
  const len = modelBytes.length;
  // The allocator rounds the covering block up by at most 1/16 and keeps a tail block: 1/8 + 8 KiB of slack.
  const pages = Math.ceil((address + len + Math.ceil(len / 8) + 8192) / 65536);
  if (pages > 65535 || address + len > 2 ** 30) throw new Error(`simdnet: the model (${len} bytes) is too large for an edge module`);

  const kept = exports.filter((e) => e !== ptrExport && e !== lenExport);
  const out: Section[] = [];
  let sawData = false;
  for (const s of sections) {
    if (s.id === SECTION.export) {
      out.push({ id: s.id, payload: concat([uleb(kept.length), ...kept.map((e) => e.raw)]) });
    } else if (s.id === SECTION.global) {
      out.push({ id: s.id, payload: patchGlobals(s.payload, new Map([[ptrExport.index, address], [lenExport.index, len]])) });
    } else if (s.id === SECTION.memory) {
      out.push({ id: s.id, payload: patchMemory(s.payload, pages) });
    } else if (s.id === SECTION.dataCount) {
      const count = new WasmReader(s.payload, 'the edge template').u32();
      out.push({ id: s.id, payload: new Uint8Array(uleb(count + 1)) });
    } else if (s.id === SECTION.data) {
      out.push({ id: s.id, payload: appendSegment(s.payload, address, modelBytes) });
      sawData = true;
    } else {
      if (!sawData && s.id === 0 && out.some((o) => o.id === SECTION.code)) {
        // A custom section after the code section and no data section yet: the data section goes here.
        out.push({ id: SECTION.data, payload: appendSegment(null, address, modelBytes) });
        sawData = true;
      }
      out.push(s);
    }
  }
  if (!sawData) out.push({ id: SECTION.data, payload: appendSegment(null, address, modelBytes) });
  if (!out.some((s) => s.id === SECTION.memory)) throw new Error('simdnet: the edge template defines no memory');
  const baked = writeModule(out);
  if (!WebAssembly.validate(baked)) throw new Error('simdnet: the baked edge module does not validate (template mismatch?)');
  return baked;
}
