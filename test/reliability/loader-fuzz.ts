// Differential fuzzing of the three model loaders with fast-check: the TypeScript reader (decodeModel and
// Network.load) and the WASM ABI's model_load in the simd and scalar kernel modules, each instantiated raw
// (WebAssembly.instantiate(bytes, {}) of build/simdnet.<build>.wasm, no loader or glue).
//
// Every generated input goes to all of them. Properties, per input:
//   - TS: returns, or throws an Error (never a TypeError/RangeError from a stray DataView read) whose message
//     starts with "simdnet: not a valid simdnet model file: ".
//   - WASM: never traps (a RuntimeError fails the case), returns a handle or a negative code, and on a code
//     last_error gives an ASCII message of at most 256 bytes with the same prefix; model_load does not write
//     into the input bytes.
//   - Nothing stray: a 64 KiB sentinel block allocated before the run keeps its 0xa5 bytes, and a model loaded
//     before the run still predicts the same bits, checked after every input.
//   - No hang: each input's loads take under CASE_LIMIT_MS (the worst time is reported).
//   - Agreement: whatever Network.load accepts, model_load accepts too, and both builds' model_predict equal
//     Network.predict on that build bit for bit (Math.fround for f64 models, as docs/edge.md promises).
//     model_load may accept what the TS reader refuses only for reasons it does not check: the JSON header
//     (parse, agreement with the binary fields) and the loss named in it.
//
// Inputs: random bytes, bit flips, truncations, appended bytes, header fields overwritten with edge values,
// weights/normaliser values overwritten (NaN, ±Infinity, 0, huge), splices of two models, oversized inputs
// (64 KiB .. 1 MiB), and unmodified valid models; mutations recompute the CRC half of the time so that the
// checks behind it are reached. Used by test/reliability/loader-fuzz.test.ts (a fast slice) and
// test/soak/loader.soak.ts (≥ 100,000 inputs).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Kernels } from '../../src/kernels.js';
import { Network } from '../../src/network.js';
import { decodeModel } from '../../src/io/format.js';
import type { Build } from '../../src/runtime/load.js';
import { craftModel, fixCrc, instantiateRaw, lastError, type ModelAbi } from '../edge/helpers.js';

const BUILDS = ['simd', 'scalar'] as const satisfies readonly Build[];
const PREFIX = 'simdnet: not a valid simdnet model file: ';
/** Reasons the TS reader may refuse a file that model_load accepts (model_load does not read the JSON header). */
const TS_ONLY = /JSON header|the JSON header disagrees|loss '/;
const CASE_LIMIT_MS = 2000;
const SENTINEL_BYTES = 1 << 16;

/** The raw kernel module of a build, as npm run asbuild wrote it. */
export function rawKernelBinary(build: Build): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../../build/simdnet.${build}.wasm`, import.meta.url)));
}

/** Valid model files: every dtype, normaliser and output kind, one without a hidden layer, one mid-sized. */
export function modelPool(): Uint8Array[] {
  const std = (n: number) => ({ kind: 'standardize' as const, shift: Float64Array.from({ length: n }, (_, i) => i - 1), scale: Float64Array.from({ length: n }, (_, i) => 1 + i) });
  const minmax = (n: number) => ({ kind: 'minmax' as const, shift: new Float64Array(n).fill(-2), scale: new Float64Array(n).fill(4) });
  return [
    craftModel([2, 3, 1], ['tanh', 'sigmoid'], 'float32', 1, std(2)),
    craftModel([2, 4, 3, 2], ['relu', 'leakyRelu', 'softmax'], 'float64', 2, null, 0.05),
    craftModel([3, 5, 2], ['sigmoid', 'linear'], 'float32', 3, minmax(3)),
    craftModel([4, 1], ['sigmoid'], 'float64', 4),
    craftModel([5, 6, 6, 3], ['leakyRelu', 'linear', 'softmax'], 'float32', 5, std(5)),
    craftModel([16, 96, 8], ['relu', 'softmax'], 'float32', 6),
  ];
}

type Kind = 'random' | 'flip' | 'truncate' | 'append' | 'field' | 'value' | 'splice' | 'oversized' | 'valid';
interface FuzzCase {
  kind: Kind;
  bytes: Uint8Array;
}

/** Interesting u32 values for header fields: the limits, their neighbours, the wrap-around points. */
const u32Edge = fc.oneof(
  fc.constantFrom(0, 1, 2, 3, 5, 7, 8, 255, 256, 257, 65535, 65536, 2 ** 24 - 1, 2 ** 24, 2 ** 24 + 1, 2 ** 28, 2 ** 28 + 1,
    2 ** 31 - 1, 2 ** 31, 2 ** 32 - 40, 2 ** 32 - 8, 2 ** 32 - 1),
  fc.integer({ min: 0, max: 300 }),
  fc.integer({ min: 0, max: 2 ** 32 - 1 }),
);
const floatEdge = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 1e-310, 1e-45, 3.4e38, 3.5e38, 1e300, -1e300, 2 ** -1074),
  fc.double(),
);

/** The fast-check arbitrary of fuzz inputs over a pool of valid models. */
export function fuzzInputs(pool: Uint8Array[]): fc.Arbitrary<FuzzCase> {
  const model = fc.nat({ max: pool.length - 1 }).map((i) => pool[i]!);
  const crcMaybe = (b: Uint8Array, crc: boolean) => (crc && b.length >= 4 ? fixCrc(b) : b);
  return fc.oneof(
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 600 }).map((bytes): FuzzCase => ({ kind: 'random', bytes })) },
    {
      weight: 3,
      arbitrary: fc.record({ m: model, flips: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), crc: fc.boolean() }).map(({ m, flips, crc }): FuzzCase => {
        const b = m.slice();
        for (const f of flips) b[(f >>> 3) % b.length]! ^= 1 << (f & 7);
        return { kind: 'flip', bytes: crcMaybe(b, crc) };
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ m: model, cut: fc.nat(), crc: fc.boolean() }).map(({ m, cut, crc }): FuzzCase =>
        ({ kind: 'truncate', bytes: crcMaybe(m.slice(0, cut % m.length), crc) })),
    },
    {
      weight: 2,
      arbitrary: fc.record({ m: model, extra: fc.uint8Array({ minLength: 1, maxLength: 300 }), crc: fc.boolean() }).map(({ m, extra, crc }): FuzzCase => {
        const b = new Uint8Array(m.length + extra.length);
        b.set(m);
        b.set(extra, m.length);
        return { kind: 'append', bytes: crcMaybe(b, crc) };
      }),
    },
    {
      weight: 4,
      // Header fields: magic, version, dtype, normaliser, L, JSON length, slope, sizes, activation codes.
      arbitrary: fc.record({ m: model, at: fc.nat({ max: 47 }), width: fc.constantFrom(1, 2, 4), value: u32Edge, slope: fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: floatEdge }), crc: fc.nat({ max: 3 }).map((n) => n > 0) })
        .map(({ m, at, width, value, slope, crc }): FuzzCase => {
          const b = m.slice();
          const dv = new DataView(b.buffer);
          if (slope !== null) dv.setFloat64(16, slope, true);
          else if (width === 1) dv.setUint8(at, value & 0xff);
          else if (width === 2) dv.setUint16(Math.min(at, 46), value & 0xffff, true);
          else dv.setUint32(Math.min(at & ~3, 44), value >>> 0, true);
          return { kind: 'field', bytes: crcMaybe(b, crc) };
        }),
    },
    {
      weight: 3,
      // A normaliser value or weight replaced (CRC fixed): NaN, ±Infinity, zero scales, huge or tiny values.
      arbitrary: fc.record({ m: model, at: fc.nat(), value: floatEdge, f32: fc.boolean() }).map(({ m, at, value, f32 }): FuzzCase => {
        const b = m.slice();
        const dv = new DataView(b.buffer);
        const jsonEnd = Math.ceil((Math.ceil((24 + 4 * (dv.getUint32(8, true) + 1) + dv.getUint32(8, true)) / 8) * 8 + dv.getUint32(12, true)) / 8) * 8;
        const span = b.length - 4 - jsonEnd;
        const off = jsonEnd + ((at % Math.max(1, span >> 2)) << 2);
        if (f32 || off + 8 > b.length - 4) dv.setFloat32(Math.min(off, b.length - 8), value, true);
        else dv.setFloat64(off, value, true);
        return { kind: 'value', bytes: fixCrc(b) };
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ a: model, b: model, cutA: fc.nat(), cutB: fc.nat(), crc: fc.boolean() }).map(({ a, b, cutA, cutB, crc }): FuzzCase => {
        const x = a.subarray(0, cutA % a.length);
        const y = b.subarray(cutB % b.length);
        const out = new Uint8Array(x.length + y.length);
        out.set(x);
        out.set(y, x.length);
        return { kind: 'splice', bytes: crcMaybe(out, crc) };
      }),
    },
    {
      weight: 1,
      // Large inputs: a valid header (or none) followed by a fill, up to 1 MiB.
      arbitrary: fc.record({ m: model, len: fc.integer({ min: 1 << 16, max: 1 << 20 }), fill: fc.nat({ max: 255 }), header: fc.boolean(), crc: fc.boolean() })
        .map(({ m, len, fill, header, crc }): FuzzCase => {
          const b = new Uint8Array(len).fill(fill);
          if (header) b.set(m.subarray(0, Math.min(m.length, len)));
          return { kind: 'oversized', bytes: crcMaybe(b, crc) };
        }),
    },
    { weight: 1, arbitrary: model.map((m): FuzzCase => ({ kind: 'valid', bytes: m.slice() })) },
  );
}

interface Instance {
  build: (typeof BUILDS)[number];
  ex: ModelAbi;
  kernels: Kernels;
  good: number;
  goodOut: Uint32Array;
  goodIn: number;
  goodOutPtr: number;
  sentinel: number;
  sentinelCopy: Buffer;
  startBytes: number;
}

/** Statistics of a run. */
export interface FuzzReport {
  cases: number;
  byKind: Record<string, number>;
  /** Inputs each loader accepted. */
  accepted: { ts: number; simd: number; scalar: number };
  /** Accepted by model_load but refused by the TS reader for a JSON-header or loss reason. */
  wasmOnly: number;
  /** model_load codes seen (simd build). */
  codes: Record<string, number>;
  worstCaseMs: number;
  /** WASM memory of each raw instance at the start and the end. */
  memory: Record<string, { start: number; end: number }>;
  ms: number;
}

function f32Bits(a: ArrayLike<number>): Uint32Array {
  return new Uint32Array(Float32Array.from(a, (v) => Math.fround(v)).buffer);
}

/** Same bits, except that any NaN equals any NaN (WASM and JS may produce different NaN payloads). */
function sameF32(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const nanA = (a[i]! & 0x7f800000) === 0x7f800000 && (a[i]! & 0x7fffff) !== 0;
    const nanB = (b[i]! & 0x7f800000) === 0x7f800000 && (b[i]! & 0x7fffff) !== 0;
    if (a[i] !== b[i] && !(nanA && nanB)) return false;
  }
  return true;
}

/** Inputs for a model with n0 features: 5 examples of exact f32 values. */
function probe(n0: number): { rows: number[][]; flat: Float32Array } {
  const flat = Float32Array.from({ length: 5 * n0 }, (_, i) => Math.fround(Math.sin(i * 1.7) * 3 + (i % n0)));
  return { flat, rows: Array.from({ length: 5 }, (_, e) => Array.from(flat.subarray(e * n0, (e + 1) * n0))) };
}

function predictRaw(ex: ModelAbi, h: number, flat: Float32Array, m: number, ny: number): Uint32Array {
  const i = ex.alloc(flat.length * 4);
  const o = ex.alloc(m * ny * 4);
  new Float32Array(ex.memory.buffer, i, flat.length).set(flat);
  const status = ex.model_predict(h, i, m, o);
  if (status !== 0) throw new Error(`model_predict returned ${status}: ${lastError(ex)}`);
  const out = new Uint32Array(new Uint32Array(ex.memory.buffer, o, m * ny));
  ex.free(i);
  ex.free(o);
  return out;
}

async function setUp(build: (typeof BUILDS)[number], good: Uint8Array): Promise<Instance> {
  const ex = await instantiateRaw<ModelAbi>(rawKernelBinary(build));
  const kernels = await Kernels.load({ build });
  const p = ex.alloc(good.length);
  new Uint8Array(ex.memory.buffer, p, good.length).set(good);
  const h = ex.model_load(p, good.length);
  ex.free(p);
  if (h <= 0) throw new Error(`${build}: the reference model did not load (${h}): ${lastError(ex)}`);
  const { flat } = probe(2);
  const goodIn = ex.alloc(flat.length * 4);
  const goodOutPtr = ex.alloc(5 * 4);
  new Float32Array(ex.memory.buffer, goodIn, flat.length).set(flat);
  if (ex.model_predict(h, goodIn, 5, goodOutPtr) !== 0) throw new Error('reference predict failed');
  const goodOut = new Uint32Array(new Uint32Array(ex.memory.buffer, goodOutPtr, 5));
  const sentinel = ex.alloc(SENTINEL_BYTES);
  new Uint8Array(ex.memory.buffer, sentinel, SENTINEL_BYTES).fill(0xa5);
  return { build, ex, kernels, good: h, goodOut, goodIn, goodOutPtr, sentinel, sentinelCopy: Buffer.alloc(SENTINEL_BYTES, 0xa5), startBytes: ex.memory.buffer.byteLength };
}

/** Throws unless e is an Error of the model-file kind. */
function expectModelError(e: unknown, what: string): string {
  if (!(e instanceof Error) || e instanceof TypeError || e instanceof RangeError) throw new Error(`${what} threw ${String(e)} (${(e as Error)?.constructor?.name})`);
  if (!e.message.startsWith(PREFIX)) throw new Error(`${what}: message without the model-file prefix: ${e.message}`);
  return e.message;
}

/** Runs numRuns fuzz inputs through every loader; throws (with fast-check's counterexample) on any violation. */
export async function fuzzLoaders(options: { numRuns: number; seed?: number; log?: (s: string) => void }): Promise<FuzzReport> {
  const pool = modelPool();
  const instances = await Promise.all(BUILDS.map((b) => setUp(b, pool[0]!)));
  const report: FuzzReport = {
    cases: 0, byKind: {}, accepted: { ts: 0, simd: 0, scalar: 0 }, wasmOnly: 0, codes: {}, worstCaseMs: 0, memory: {}, ms: 0,
  };
  const started = performance.now();
  const liveAtStart = instances.map((i) => i.kernels.liveTensors);

  const property = fc.asyncProperty(fuzzInputs(pool), async ({ kind, bytes }) => {
    report.cases++;
    report.byKind[kind] = (report.byKind[kind] ?? 0) + 1;
    const t0 = performance.now();

    // The TypeScript reader.
    let tsError: string | null = null;
    try {
      decodeModel(bytes);
    } catch (e) {
      tsError = expectModelError(e, 'decodeModel');
    }
    let net: Network | null = null;
    try {
      net = await Network.load(bytes, { kernels: instances[0]!.kernels });
    } catch (e) {
      const message = expectModelError(e, 'Network.load');
      if (tsError === null) tsError = message; // output/loss checks of Network.load
    }
    if (net !== null) report.accepted.ts++;
    if (kind === 'valid' && net === null) throw new Error(`a valid model was refused: ${tsError}`);

    try {
      for (const inst of instances) {
        const { ex } = inst;
        const p = ex.alloc(Math.max(bytes.length, 1));
        const view = new Uint8Array(ex.memory.buffer, p, bytes.length);
        view.set(bytes);
        let h: number;
        try {
          h = ex.model_load(p, bytes.length);
        } catch (e) {
          throw new Error(`${inst.build}: model_load trapped (${(e as Error).constructor.name}: ${(e as Error).message}) on ${kind} input of ${bytes.length} bytes`);
        }
        if (!Buffer.from(ex.memory.buffer, p, bytes.length).equals(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length))) {
          throw new Error(`${inst.build}: model_load wrote into its input bytes`);
        }
        ex.free(p);
        if (h < 0) {
          if (inst.build === 'simd') report.codes[h] = (report.codes[h] ?? 0) + 1;
          const message = lastError(ex);
          if (message.length > 256 || !/^[\x20-\x7e]*$/.test(message)) throw new Error(`${inst.build}: bad last_error: ${JSON.stringify(message)}`);
          if (h !== -16 && !message.startsWith(PREFIX)) throw new Error(`${inst.build}: code ${h} with message ${message}`);
          if (net !== null) throw new Error(`${inst.build}: model_load refused (${h}: ${message}) what Network.load accepted`);
        } else {
          report.accepted[inst.build]++;
          if (net === null) {
            if (tsError === null || !TS_ONLY.test(tsError)) throw new Error(`${inst.build}: model_load accepted what the TS reader refused: ${tsError}`);
            if (inst.build === 'simd') report.wasmOnly++;
          } else {
            const n0 = ex.model_input_size(h);
            const ny = ex.model_output_size(h);
            if (n0 !== net.layerSizes[0] || ny !== net.layerSizes.at(-1)) throw new Error(`${inst.build}: sizes ${n0}→${ny} differ from Network.load`);
            const { rows, flat } = probe(n0);
            const got = predictRaw(ex, h, flat, 5, ny);
            let reference = net;
            if (inst.kernels !== net.kernels) reference = await Network.load(bytes, { kernels: inst.kernels });
            try {
              let want: ReturnType<typeof f32Bits> | null = null;
              try {
                want = f32Bits(reference.predict(rows).data);
              } catch (e) {
                // Network.predict refuses to return a non-finite output; model_predict (plain numeric ABI) returns it.
                if (!/the network overflows on this input/.test((e as Error).message)) throw e;
              }
              if (want === null) {
                if (new Float32Array(Uint32Array.from(got).buffer).every(Number.isFinite)) throw new Error(`${inst.build}: Network.predict reported an overflow that model_predict does not show`);
              } else if (!sameF32(got, want)) throw new Error(`${inst.build}: model_predict differs from Network.predict on a ${kind} model`);
            } finally {
              if (reference !== net) reference.dispose();
            }
          }
          if (ex.model_free(h) !== 0) throw new Error(`${inst.build}: model_free failed`);
        }
        // Nothing stray: the sentinel and the model loaded before the run.
        if (!Buffer.from(ex.memory.buffer, inst.sentinel, SENTINEL_BYTES).equals(inst.sentinelCopy)) throw new Error(`${inst.build}: the sentinel block changed`);
        const out = new Uint32Array(ex.memory.buffer, inst.goodOutPtr, 5);
        out.fill(0);
        if (ex.model_predict(inst.good, inst.goodIn, 5, inst.goodOutPtr) !== 0) throw new Error(`${inst.build}: the reference model stopped predicting`);
        if (!sameF32(new Uint32Array(out), inst.goodOut)) throw new Error(`${inst.build}: the reference model's predictions changed`);
      }
    } finally {
      net?.dispose();
    }
    const ms = performance.now() - t0;
    report.worstCaseMs = Math.max(report.worstCaseMs, ms);
    if (ms > CASE_LIMIT_MS) throw new Error(`one ${kind} input of ${bytes.length} bytes took ${ms.toFixed(0)} ms`);
    if (options.log && report.cases % 10000 === 0) options.log(`  ${report.cases} inputs, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });

  await fc.assert(property, { numRuns: options.numRuns, seed: options.seed, endOnFailure: false });
  instances.forEach((inst, i) => {
    report.memory[inst.build] = { start: inst.startBytes, end: inst.ex.memory.buffer.byteLength };
    if (inst.kernels.liveTensors !== liveAtStart[i]) throw new Error(`${inst.build}: Network.load leaked ${inst.kernels.liveTensors - liveAtStart[i]!} tensors`);
  });
  report.ms = performance.now() - started;
  return report;
}

/** One line per statistic, for the test logs. */
export function describeReport(r: FuzzReport): string {
  return [
    `loader fuzz: ${r.cases} inputs in ${(r.ms / 1000).toFixed(1)} s (worst input ${r.worstCaseMs.toFixed(1)} ms)`,
    `  kinds: ${Object.entries(r.byKind).sort().map(([k, n]) => `${k} ${n}`).join(', ')}`,
    `  accepted: Network.load ${r.accepted.ts}, model_load simd ${r.accepted.simd}, scalar ${r.accepted.scalar} (JSON-header-only differences ${r.wasmOnly})`,
    `  model_load codes (simd): ${Object.entries(r.codes).sort((a, b) => Number(b[0]) - Number(a[0])).map(([c, n]) => `${c}:${n}`).join(' ')}`,
    `  WASM memory: ${Object.entries(r.memory).map(([b, m]) => `${b} ${m.start} → ${m.end} B`).join(', ')}`,
  ].join('\n');
}
