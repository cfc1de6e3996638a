// Shared pieces of the edge tests: binaries (rebuilt when older than assembly/), trained models, raw ABI calls.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Network, type NetworkOptions } from '../../src/network.js';
import { Kernels } from '../../src/kernels.js';
import type { Build } from '../../src/runtime/load.js';
import type { ModelExports } from '../../src/runtime/abi.js';
import { crc32, encodeModel, type LayerActivation, type ModelRecord } from '../../src/io/format.js';
import type { Normalizer } from '../../src/data/normalize.js';

export const BUILDS: Build[] = ['simd', 'scalar'];
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ASC = join(ROOT, 'node_modules/assemblyscript/bin/asc.js');

/** The asc arguments of an edge template (the same as the asbuild:edge:* scripts). */
export function edgeAscArgs(build: Build, outFile: string): string[] {
  return ['edge.ts', '--baseDir', 'assembly', '--runtime', 'minimal', '--use', 'abort=edge/trap', '--use', 'SIMDNET_EDGE=1', '--initialMemory', '2',
    '--noAssert', '--uncheckedBehavior', 'always', '-O3', '--converge', build === 'simd' ? '--enable' : '--disable', 'simd', '-o', outFile];
}

function newestSource(): number {
  const dir = join(ROOT, 'assembly');
  return Math.max(...readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => statSync(join(dir, f)).mtimeMs));
}

/** Returns `file` (relative to the repo), compiling it first when it is missing or older than any assembly/*.ts. */
function ensureBinary(file: string, args: (out: string) => string[]): Uint8Array<ArrayBuffer> {
  const path = join(ROOT, file);
  if (!existsSync(path) || statSync(path).mtimeMs < newestSource()) {
    // Compiled to a private name and renamed: parallel test files never read a half-written binary.
    const tmp = `${path}.${process.pid}.tmp`;
    execFileSync(process.execPath, [ASC, ...args(tmp)], { cwd: ROOT, stdio: 'pipe' });
    renameSync(tmp, path);
    rmSync(`${tmp}.wat`, { force: true });
  }
  return new Uint8Array(readFileSync(path));
}

/** The kernel module of a build (as `npm run asbuild` writes it). */
export function kernelBinary(build: Build): Uint8Array<ArrayBuffer> {
  return ensureBinary(`build/simdnet.${build}.wasm`, (out) => ['assembly/index.ts', '--target', build, '-o', out, '-t', `${out}.wat`]);
}

/** The edge template of a build. */
export function edgeTemplate(build: Build): Uint8Array<ArrayBuffer> {
  return ensureBinary(`build/simdnet.edge.${build}.wasm`, (out) => edgeAscArgs(build, out));
}

/**
 * The int8-only edge template (asc --use SIMDNET_INT8_ONLY=1: no float forward pass), under build/test/ until the
 * package builds it; pass it to exportEdgeWasm as `template`.
 */
export function edgeInt8Template(build: Build): Uint8Array<ArrayBuffer> {
  mkdirSync(join(ROOT, 'build/test'), { recursive: true });
  return ensureBinary(`build/test/simdnet.edge.int8.${build}.wasm`, (out) => {
    const args = edgeAscArgs(build, out);
    args.splice(args.indexOf('SIMDNET_EDGE=1') + 1, 0, '--use', 'SIMDNET_INT8_ONLY=1');
    return args;
  });
}

/** assembly/int8.ts compiled on its own (its exports: absMax, quantizeI16, gemvI8, gemmI8), for the kernel tests. */
export function int8KernelBinary(build: Build): Uint8Array<ArrayBuffer> {
  mkdirSync(join(ROOT, 'build/test'), { recursive: true }); // not build/*.wasm: those are packed for npm
  return ensureBinary(`build/test/simdnet.int8-kernels.${build}.wasm`, (out) => ['int8.ts', '--baseDir', 'assembly', '--runtime', 'stub', '--use', 'abort=',
    '--noAssert', '--uncheckedBehavior', 'always', '-O3', build === 'simd' ? '--enable' : '--disable', 'simd', '-o', out]);
}

/** Exports of the kernel module that the edge ABI uses (typed once, in src/runtime/abi.ts). */
export type ModelAbi = ModelExports;
/** The allocator and memory both the kernel module and a baked edge module export. */
type Heap = Pick<ModelExports, 'memory' | 'alloc' | 'free'>;

/** A raw instance: WebAssembly.instantiate(bytes, {}) — no loader, no glue. */
export async function instantiateRaw<T>(bytes: Uint8Array): Promise<T> {
  const { instance } = await WebAssembly.instantiate(bytes as Uint8Array<ArrayBuffer>, {});
  return instance.exports as unknown as T;
}

/** Reads last_error through a scratch block from alloc. */
export function lastError(ex: Heap & Pick<ModelExports, 'last_error'>): string {
  const len = ex.last_error(0);
  const p = ex.alloc(256);
  const n = ex.last_error(p);
  if (n !== len) throw new Error(`last_error length changed: ${len} vs ${n}`);
  const s = new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(ex.memory.buffer, p, n));
  ex.free(p);
  return s;
}

/** Copies bytes into a fresh block. */
export function put(ex: Pick<Heap, 'memory' | 'alloc'>, bytes: Uint8Array): number {
  const p = ex.alloc(Math.max(bytes.length, 1));
  new Uint8Array(ex.memory.buffer, p, bytes.length).set(bytes);
  return p;
}

/** model_load of bytes copied in (and freed again: the model keeps its own copy). */
export function load(ex: ModelAbi, bytes: Uint8Array): number {
  const p = put(ex, bytes);
  const h = ex.model_load(p, bytes.length);
  ex.free(p);
  return h;
}

/** Runs m examples through a predict-shaped function; returns the m×n_y f32 output. */
export function runPredict(ex: Heap,
  predict: (inPtr: number, m: number, outPtr: number) => number, X: Float32Array, m: number, ny: number): Float32Array {
  const inPtr = ex.alloc(X.length * 4);
  const outPtr = ex.alloc(m * ny * 4);
  new Float32Array(ex.memory.buffer, inPtr, X.length).set(X);
  const status = predict(inPtr, m, outPtr);
  if (status !== 0) throw new Error(`predict returned ${status}`);
  const out = new Float32Array(ex.memory.buffer, outPtr, m * ny).slice();
  ex.free(inPtr);
  ex.free(outPtr);
  return out;
}

/** A seeded uniform generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** m×n inputs whose values are exact f32s (so the f32 ABI input equals what Network.predict sees). */
export function inputs(m: number, n: number, seed: number, spread = 3): { rows: number[][]; flat: Float32Array } {
  const r = rng(seed);
  const flat = new Float32Array(m * n);
  for (let i = 0; i < flat.length; i++) flat[i] = (r() * 2 - 1) * spread + (i % n);
  const rows = Array.from({ length: m }, (_, e) => Array.from(flat.subarray(e * n, (e + 1) * n)));
  return { rows, flat };
}

/** One trained model of each interesting kind. */
export interface ModelCase {
  name: string;
  options: NetworkOptions;
  bytes: Uint8Array;
}

export const CASE_OPTIONS: { name: string; options: NetworkOptions }[] = [
  { name: 'f32 tanh→softmax, standardize', options: { layers: [4, 6, 3], hidden: 'tanh', output: 'softmax', dtype: 'float32', seed: 1, normalize: 'standardize' } },
  { name: 'f64 relu→sigmoid, minmax', options: { layers: [5, 7, 4, 1], hidden: 'relu', output: 'sigmoid', dtype: 'float64', seed: 2, normalize: 'minmax' } },
  { name: 'f32 leakyRelu→linear, none', options: { layers: [3, 9, 2], hidden: 'leakyRelu', output: 'linear', dtype: 'float32', seed: 3, leakySlope: 0.05 } },
  { name: 'f64 sigmoid→softmax, none', options: { layers: [6, 8, 8, 4], hidden: 'sigmoid', output: 'softmax', dtype: 'float64', seed: 4 } },
  { name: 'f32 linear→sigmoid, standardize', options: { layers: [2, 3, 1], hidden: 'linear', output: 'sigmoid', dtype: 'float32', seed: 5, normalize: 'standardize' } },
  { name: 'f64 leakyRelu→linear, standardize', options: { layers: [7, 5, 3], hidden: 'leakyRelu', output: 'linear', dtype: 'float64', seed: 6, normalize: 'standardize' } },
  { name: 'f32 relu→softmax, wide', options: { layers: [37, 70, 33, 10], hidden: 'relu', output: 'softmax', dtype: 'float32', seed: 7, normalize: 'standardize' } },
  { name: 'f32 sigmoid, no hidden layer', options: { layers: [9, 1], output: 'sigmoid', dtype: 'float32', seed: 8 } },
];

/** Trains a small net on synthetic data and returns its saved bytes. */
export async function trainCase(options: NetworkOptions, seed: number): Promise<Uint8Array> {
  const n0 = options.layers[0]!;
  const ny = options.layers[options.layers.length - 1]!;
  const m = 40;
  const { rows } = inputs(m, n0, seed + 100);
  const r = rng(seed + 200);
  let Y: number[] | number[][];
  if (options.output === 'softmax') Y = rows.map(() => Math.floor(r() * ny));
  else if (options.output === 'sigmoid') Y = rows.map(() => (r() < 0.5 ? 0 : 1));
  else Y = rows.map((row) => Array.from({ length: ny }, (_, k) => row[k % n0]! * 0.5 - k));
  const net = await Network.create(options);
  try {
    await net.fit(rows, Y, { iterations: 50, learningRate: 0.1 });
    return net.save();
  } finally {
    net.dispose();
  }
}

/** net.predict of a model loaded from bytes, with a given kernel build, as exact f32s (f64 models rounded with Math.fround). */
const kernelCache = new Map<Build, Promise<Kernels>>();

export async function reference(bytes: Uint8Array, build: Build, X: number[][]): Promise<Float32Array> {
  kernelBinary(build); // the Network's kernels come from the same (fresh) file as the raw ABI's
  if (!kernelCache.has(build)) kernelCache.set(build, Kernels.load({ build }));
  const net = await Network.load(bytes, { kernels: await kernelCache.get(build)! });
  try {
    const { data } = net.predict(X);
    return Float32Array.from(data, (v) => Math.fround(v));
  } finally {
    net.dispose();
  }
}

/** Bit patterns, so that the comparison is exact (and NaN-safe). */
export function bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

/** A model file with random weights (no training), for shapes too large to train in a test. */
export function craftModel(layers: number[], activations: LayerActivation[], dtype: 'float32' | 'float64', seed: number,
  normalizer: Normalizer | null = null, slope = 0.01): Uint8Array {
  const r = rng(seed);
  const weights: ModelRecord['weights'] = [];
  for (let l = 1; l < layers.length; l++) {
    const n = layers[l]!;
    const k = layers[l - 1]!;
    const W = dtype === 'float32' ? new Float32Array(n * k) : new Float64Array(n * k);
    const b = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
    const s = 2 / Math.sqrt(k);
    for (let i = 0; i < W.length; i++) W[i] = (r() - 0.5) * s;
    for (let i = 0; i < b.length; i++) b[i] = (r() - 0.5) * 0.1;
    weights.push({ W, b });
  }
  return encodeModel({ dtype, layers, activations, leakySlope: slope, normalizer, meta: {}, weights });
}

/** Recomputes the trailing CRC-32 after a deliberate edit, so that the field check behind it is reached. */
export function fixCrc(bytes: Uint8Array): Uint8Array {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(bytes.length - 4, crc32(bytes.subarray(0, bytes.length - 4)), true);
  return bytes;
}

/** A copy of a module whose memory gets a maximum of `maxPages` (to test running out of memory). */
export function withMemoryMaximum(bytes: Uint8Array, maxPages: number): Uint8Array {
  const leb = (v: number): number[] => { const o: number[] = []; do { let b = v & 0x7f; v >>>= 7; if (v) b |= 0x80; o.push(b); } while (v); return o; };
  let pos = 8;
  const readU32 = (): number => { let r = 0, s = 0, b; do { b = bytes[pos++]!; r |= (b & 0x7f) << s; s += 7; } while (b & 0x80); return r >>> 0; };
  while (pos < bytes.length) {
    const start = pos;
    const id = bytes[pos++]!;
    const size = readU32();
    const body = pos;
    if (id === 5) {
      readU32(); // count (1)
      const flags = bytes[pos++]!;
      const min = readU32();
      if (flags !== 0) throw new Error('memory already has a maximum');
      const payload = [1, 1, ...leb(min), ...leb(maxPages)];
      const out = [...bytes.subarray(0, start), 5, ...leb(payload.length), ...payload, ...bytes.subarray(body + size)];
      return Uint8Array.from(out);
    }
    pos = body + size;
  }
  throw new Error('no memory section');
}
