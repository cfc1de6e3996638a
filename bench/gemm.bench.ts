// Kernels-only GEMM benchmark (`npm run bench:gemm`, fast): simdnet's simd, relaxed and scalar
// builds vs the pure-TypeScript twin, f32 and f64, on the shapes a small fully-connected network
// actually runs, measured against a WASM SIMD ceiling taken in the same process. The whole comparison
// (threads, tfjs, numpy, alternating rounds) is `npm run bench` (bench/bench.ts).
//
// stdout: header lines, the correctness check, and one markdown table.
// stderr: progress. Raw results: bench/results/gemm-<ISO date>.json and bench/results/gemm-latest.json.
import './lib/relaxed-flag.js';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import type { BenchOptions } from 'tinybench';
import { Kernels } from '../src/kernels.js';
import { hostHasRelaxedSimd } from '../src/runtime/load.js';
import { gemm as twinGemm, type FloatArray } from '../src/reference/index.js';
import type { DType } from '../src/runtime/arena.js';
import { ceilingFor, ceilingKernel, ceilingLine, ceilingSink, DEFAULT_CEILING, measure, pairedFraction, type Ceiling, type Latency, type RefKernel } from './lib/ceiling.js';
import { clamp, uniformF32 } from './lib/util.js';

// ---------------------------------------------------------------------------------------------
// Configuration

/** Op combinations: NN = A·B, NT = A·Bᵀ, TN = Aᵀ·B. */
type Op = 'NN' | 'NT' | 'TN' | 'TT';
type Contender = 'simd' | 'relaxed' | 'scalar' | 'twin';
type Build = Exclude<Contender, 'twin'>;

const CONTENDER_LABEL: Record<Contender, string> = {
  simd: 'simdnet simd',
  relaxed: 'simdnet relaxed',
  scalar: 'simdnet scalar',
  twin: 'pure TS twin',
};

/** One timed GEMM: C(m×n) = op(A)(m×k) · op(B)(k×n), alpha = 1, beta = 0. */
interface GemmCase {
  op: Op;
  /** Display label of the shape (without dtype). */
  shape: string;
  m: number;
  n: number;
  k: number;
  dtype: DType;
}

function square(size: number, op: Op, dtype: DType = 'float32'): GemmCase {
  return { op, shape: `${size}³`, m: size, n: size, k: size, dtype };
}

/** Cat classifier (course 1 week 4): 20 hidden units, 12288 = 64·64·3 inputs, 209 training examples. */
const catForward = (dtype: DType): GemmCase =>
  ({ op: 'NN', shape: 'cat W·X (20×12288)·(12288×209)', m: 20, n: 209, k: 12288, dtype });
const catDW: GemmCase = { op: 'NT', shape: 'cat dZ·Xᵀ (20×209)·(12288×209)ᵀ', m: 20, n: 12288, k: 209, dtype: 'float32' };
const mlp: GemmCase = { op: 'NN', shape: 'MLP (128×784)·(784×128)', m: 128, n: 128, k: 784, dtype: 'float32' };

const CASES: GemmCase[] = [
  ...(['NN', 'NT', 'TN'] as const).map((op) => square(256, op)),
  ...(['NN', 'NT', 'TN'] as const).map((op) => square(512, op)),
  catForward('float32'),
  catDW,
  mlp,
  square(256, 'NN', 'float64'),
  catForward('float64'),
];

/** The relaxed build joins when the host validates relaxed SIMD (`npm run bench` passes Node 20's flag). */
let CONTENDERS: Contender[] = ['simd', 'scalar', 'twin'];

/** Calls faster than this get a time budget; slower ones a fixed, small number of samples. */
const SLOW_CALL_MS = 100;
/** Fast tasks: sample for at least this long and at least FAST_MIN_SAMPLES times. */
const FAST_TIME_MS = 2000;
const FAST_MIN_SAMPLES = 10;
/** Slow tasks: about this much sampling time, between SLOW_MIN_SAMPLES and SLOW_MAX_SAMPLES samples. */
const SLOW_TOTAL_MS = 2500;
const SLOW_MIN_SAMPLES = 5;
const SLOW_MAX_SAMPLES = 20;
/** A 1-minute load average above this fraction of the logical cores at start gets a warning in the header. */
const BUSY_LOAD = 0.5;
/** A contender whose single probe call takes longer than this is not timed ("skipped: too slow"). */
const SKIP_CALL_MS = 5000;

// ---------------------------------------------------------------------------------------------
// Small helpers

const DTYPE_SHORT: Record<DType, string> = { float32: 'f32', float64: 'f64' };

/** The shared f32-exact inputs, widened to f64 so every dtype sees the same values. */
function uniform(length: number, seed: number): Float64Array {
  return Float64Array.from(uniformF32(length, seed));
}

function typedArray(dtype: DType, values: ArrayLike<number>): FloatArray {
  return dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values);
}

/** max |x − ref| and max |ref|. */
function maxAbsDiff(x: ArrayLike<number>, ref: ArrayLike<number>): { diff: number; scale: number } {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(x[i]! - ref[i]!));
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  return { diff, scale };
}

/** Relative tolerance of a result against the twin (which accumulates in f64). */
function tolerance(dtype: DType): number {
  return dtype === 'float32' ? 1e-4 : 1e-10;
}

function flopsOf(c: { m: number; n: number; k: number }): number {
  return 2 * c.m * c.n * c.k;
}

function timeOnce(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** 3 significant digits, no exponent. */
function fmt(x: number): string {
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  if (x >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

// ---------------------------------------------------------------------------------------------
// Contenders: each prepares its own copy of the inputs and exposes one call to time

/** Stored (row-major) shapes of A and B for a case: A is k×m when transposed, B is n×k. */
function storedShapes(c: GemmCase): { aRows: number; aCols: number; bRows: number; bCols: number; transA: boolean; transB: boolean } {
  const transA = c.op[0] === 'T';
  const transB = c.op[1] === 'T';
  return {
    transA, transB,
    aRows: transA ? c.k : c.m, aCols: transA ? c.m : c.k,
    bRows: transB ? c.n : c.k, bCols: transB ? c.k : c.n,
  };
}

interface Runner {
  /** One C = op(A)·op(B) call. */
  call(): void;
  /** A copy of C. */
  result(): FloatArray;
  dispose(): void;
}

function kernelRunner(kernels: Kernels, c: GemmCase, a: ArrayLike<number>, b: ArrayLike<number>): Runner {
  const s = storedShapes(c);
  const A = kernels.tensor(s.aRows, s.aCols, c.dtype, a);
  const B = kernels.tensor(s.bRows, s.bCols, c.dtype, b);
  const C = kernels.tensor(c.m, c.n, c.dtype);
  return {
    call: () => { kernels.gemm(s.transA, s.transB, 1, A, B, 0, C); },
    result: () => C.toArray(),
    dispose: () => { A.dispose(); B.dispose(); C.dispose(); },
  };
}

function twinRunner(c: GemmCase, a: ArrayLike<number>, b: ArrayLike<number>): Runner {
  const s = storedShapes(c);
  const A = typedArray(c.dtype, a);
  const B = typedArray(c.dtype, b);
  const C = typedArray(c.dtype, new Float64Array(c.m * c.n));
  return {
    call: () => { twinGemm(s.transA, s.transB, c.m, c.n, c.k, 1, A, s.aCols, B, s.bCols, 0, C, c.n); },
    result: () => C.slice(),
    dispose: () => {},
  };
}

// ---------------------------------------------------------------------------------------------
// Timing with tinybench

/** tinybench options for a call that took probeMs once: a time budget when fast, a few samples when slow. */
function budgetFor(probeMs: number): BenchOptions {
  if (probeMs < SLOW_CALL_MS) {
    return { time: FAST_TIME_MS, iterations: FAST_MIN_SAMPLES, warmupTime: 250, warmupIterations: 5 };
  }
  const iterations = clamp(Math.floor(SLOW_TOTAL_MS / probeMs), SLOW_MIN_SAMPLES, SLOW_MAX_SAMPLES);
  // Time 0 disables the time budget: exactly `iterations` samples after one warm-up call.
  return { time: 0, iterations, warmupTime: 0, warmupIterations: 1 };
}

// ---------------------------------------------------------------------------------------------
// Correctness: both builds against the twin on small, ragged shapes before anything is timed

interface CheckResult {
  build: 'simd' | 'relaxed' | 'scalar';
  dtype: DType;
  maxAbsDiff: number;
  maxRelDiff: number;
}

/** Ragged shapes hit partial register tiles; k = 300 crosses the kernel's 256-deep k block. */
const CHECK_SHAPES = [{ m: 37, n: 29, k: 53 }, { m: 13, n: 19, k: 300 }];

function checkBuild(kernels: Kernels, dtype: DType): CheckResult {
  let diff = 0;
  let rel = 0;
  for (const [si, shape] of CHECK_SHAPES.entries()) {
    for (const op of ['NN', 'NT', 'TN', 'TT'] as const) {
      const c: GemmCase = { op, shape: '', ...shape, dtype };
      const a = uniform(c.m * c.k, 11 + si);
      const b = uniform(c.k * c.n, 23 + si);
      const wasm = kernelRunner(kernels, c, a, b);
      const twin = twinRunner(c, a, b);
      wasm.call();
      twin.call();
      const d = maxAbsDiff(wasm.result(), twin.result());
      wasm.dispose();
      diff = Math.max(diff, d.diff);
      rel = Math.max(rel, d.diff / d.scale);
    }
  }
  if (!(rel <= tolerance(dtype))) {
    throw new Error(`correctness: ${kernels.build} ${dtype} gemm differs from the twin by ${rel} (relative); refusing to time it`);
  }
  return { build: kernels.build, dtype, maxAbsDiff: diff, maxRelDiff: rel };
}

// ---------------------------------------------------------------------------------------------
// The run

interface Row {
  op: Op;
  shape: string;
  dtype: DType;
  m: number;
  n: number;
  k: number;
  flops: number;
  contender: Contender;
  /** 'skipped' when the contender's single probe call exceeded SKIP_CALL_MS. */
  status: 'ok' | 'skipped';
  note?: string;
  probeMs: number;
  latency?: Latency;
  /** From the median latency. */
  gflops?: number;
  percentOfCeiling?: number;
  /** scalar median / this median (> 1: faster than the scalar build). */
  vsScalar?: number;
  /** twin median / this median (> 1: faster than the pure-TS twin). */
  vsTwin?: number;
  /** simd median / this median (> 1: faster than the simd build). */
  vsSimd?: number;
  /** Max |C − C_simd| / max |C_simd| on this shape, from the probe calls. */
  relDiffVsSimd: number;
}

/** Reference kernels the simd and relaxed rows are paired with, call by call (bench/lib/ceiling.ts pairedFraction). */
interface PairRefs { float32: RefKernel; float64: RefKernel; relaxed: RefKernel | null }
/** Pairs per paired fraction, and the length of one reference call and of one timed group of GEMM calls. */
const PAIRS = 15;
const PAIR_MS = 3;

async function runCase(c: GemmCase, builds: Partial<Record<Build, Kernels>>, ceilings: Record<DType, Ceiling>, refs: PairRefs, seed: number): Promise<Row[]> {
  const s = storedShapes(c);
  const a = uniform(s.aRows * s.aCols, seed);
  const b = uniform(s.bRows * s.bCols, seed + 1);
  const rows: Row[] = [];
  let simdResult: FloatArray | undefined;
  for (const contender of CONTENDERS) {
    const runner = contender === 'twin' ? twinRunner(c, a, b) : kernelRunner(builds[contender]!, c, a, b);
    const base = { op: c.op, shape: c.shape, dtype: c.dtype, m: c.m, n: c.n, k: c.k, flops: flopsOf(c), contender };
    const name = `${c.op} ${c.shape} ${DTYPE_SHORT[c.dtype]} ${CONTENDER_LABEL[contender]}`;
    try {
      // The probe call sizes the time budget and cross-checks this contender against the simd result.
      const probeMs = timeOnce(runner.call);
      const out = runner.result();
      simdResult ??= out;
      const d = maxAbsDiff(out, simdResult);
      const relDiffVsSimd = d.scale === 0 ? d.diff : d.diff / d.scale;
      if (!(relDiffVsSimd <= tolerance(c.dtype))) throw new Error(`${name}: result differs from simd by ${relDiffVsSimd} (relative)`);
      if (probeMs > SKIP_CALL_MS) {
        log(`${name}: skipped (one call took ${probeMs.toFixed(0)} ms)`);
        rows.push({ ...base, status: 'skipped', note: 'skipped: too slow', probeMs, relDiffVsSimd });
        continue;
      }
      const latency = await measure(name, runner.call, budgetFor(probeMs));
      const gflops = base.flops / (latency.median * 1e6);
      log(`${name}: median ${fmt(latency.median)} ms, ${gflops.toFixed(2)} GFLOP/s (${latency.samplesCount} samples)`);
      // simd and relaxed rows: the fraction of the ceiling measured paired (a slow phase of the VM slows both sides
      // of a pair); scalar and twin rows: of the ceiling measured apart.
      let percentOfCeiling = (100 * gflops) / ceilings[c.dtype].gflops;
      if (contender === 'simd' || contender === 'relaxed') {
        const ref = contender === 'relaxed' && c.dtype === 'float32' ? refs.relaxed ?? refs.float32 : refs[c.dtype];
        const reps = Math.max(1, Math.ceil(PAIR_MS / latency.median));
        const paired = pairedFraction(ref, () => { for (let r = 0; r < reps; r++) runner.call(); }, reps * base.flops, PAIRS);
        percentOfCeiling = 100 * paired.median;
      }
      rows.push({ ...base, status: 'ok', probeMs, latency, gflops, percentOfCeiling, relDiffVsSimd });
    } finally {
      runner.dispose();
    }
  }
  // Speed-ups against the scalar build and the twin, from medians.
  const median = (who: Contender): number | undefined => rows.find((r) => r.contender === who)?.latency?.median;
  for (const r of rows) {
    if (!r.latency) continue;
    const scalar = median('scalar');
    const twin = median('twin');
    const simd = median('simd');
    if (simd !== undefined) r.vsSimd = simd / r.latency.median;
    if (scalar !== undefined) r.vsScalar = scalar / r.latency.median;
    if (twin !== undefined) r.vsTwin = twin / r.latency.median;
  }
  return rows;
}

function markdownTable(rows: Row[]): string {
  const header = ['op', 'shape', 'contender', 'median ms', 'min–max ms', 'GFLOP/s', '% of ceiling', 'ratio vs simd', 'ratio vs scalar', 'ratio vs pure TS'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i < 3 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const r of rows) {
    const shape = `${r.shape} ${DTYPE_SHORT[r.dtype]}`;
    const who = CONTENDER_LABEL[r.contender];
    const l = r.latency;
    const cells = l === undefined
      ? [r.op, shape, who, `—, ${r.note ?? 'skipped'}`, '—', '—', '—', '—', '—', '—']
      : [
          r.op, shape, who, fmt(l.median), `${fmt(l.min)}–${fmt(l.max)}`, r.gflops!.toFixed(2), `${r.percentOfCeiling!.toFixed(1)}%`,
          r.vsSimd === undefined ? '—' : `${r.vsSimd.toFixed(2)}×`,
          r.vsScalar === undefined ? '—' : `${r.vsScalar.toFixed(2)}×`,
          r.vsTwin === undefined ? '—' : `${r.vsTwin.toFixed(2)}×`,
        ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

async function tinybenchVersion(): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(new URL('../node_modules/tinybench/package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

/** Writes via a .tmp file (ignored by git) and a rename, so a crashed run never leaves half a JSON. */
async function writeJson(url: URL, value: unknown): Promise<void> {
  const tmp = new URL(`${url.href}.tmp`);
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
  await rename(tmp, url);
}

async function main(): Promise<void> {
  const started = performance.now();
  const date = new Date();
  const loadAtStart = os.loadavg()[0]!;
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown';
  const builds: Partial<Record<Build, Kernels>> = {
    simd: await Kernels.load({ build: 'simd' }),
    scalar: await Kernels.load({ build: 'scalar' }),
  };
  if (await hostHasRelaxedSimd()) {
    builds.relaxed = await Kernels.load({ build: 'relaxed' });
    CONTENDERS = ['simd', 'relaxed', 'scalar', 'twin'];
  } else {
    log('relaxed SIMD is not available on this host (Node 20: --experimental-wasm-relaxed-simd); the relaxed build is not measured');
  }

  log('correctness check (small ragged shapes, all four op combinations, vs the twin)…');
  const checks: CheckResult[] = [];
  for (const dtype of ['float32', 'float64'] as const) {
    for (const build of ['simd', 'relaxed', 'scalar'] as const) if (builds[build]) checks.push(checkBuild(builds[build]!, dtype));
  }

  log('ceiling microkernel…');
  const ceilings: Record<DType, Ceiling> = { float32: await ceilingFor('f32x4'), float64: await ceilingFor('f64x2') };
  let relaxedRef: RefKernel | null = null;
  if (builds.relaxed) {
    try {
      relaxedRef = await ceilingKernel('f32x4-relaxed', ceilings.float32.accumulators, PAIR_MS);
    } catch {
      relaxedRef = null; // the host cannot compile relaxed SIMD: the relaxed rows are then held to the mul+add ceiling
    }
  }
  const refs: PairRefs = {
    float32: await ceilingKernel('f32x4', ceilings.float32.accumulators, PAIR_MS),
    float64: await ceilingKernel('f64x2', ceilings.float64.accumulators, PAIR_MS),
    relaxed: relaxedRef,
  };

  const rows: Row[] = [];
  for (const [i, c] of CASES.entries()) rows.push(...(await runCase(c, builds, ceilings, refs, 1000 + 10 * i)));

  const wallSeconds = (performance.now() - started) / 1000;
  // Other processes on the machine (concurrent test runs) slow every contender unevenly; say so.
  const load = { start: loadAtStart, end: os.loadavg()[0]! };
  const busy = load.start > BUSY_LOAD * os.cpus().length;
  const out = [
    '# simdnet GEMM benchmark',
    '',
    `- node: ${process.version} (V8 ${process.versions.v8}), tinybench ${await tinybenchVersion()}`,
    `- CPU: ${cpu} (${os.cpus().length} logical cores)`,
    `- date: ${date.toISOString()}`,
    `- load average (1 min) at start / end: ${load.start.toFixed(2)} / ${load.end.toFixed(2)}${busy ? ' — WARNING: the machine was busy before the run; timings are noisy' : ''}`,
    `- ceiling f32: ${ceilingLine(ceilings.float32)}`,
    `- ceiling f64: ${ceilingLine(ceilings.float64)} — f64 rows use this one`,
    `- % of ceiling, simd and relaxed rows: paired, ${PAIRS} back-to-back pairs of one ceiling call (≈ ${PAIR_MS} ms, the best accumulator count above; relaxed f32 rows: relaxed_madd${refs.relaxed ? '' : ', not available here: mul+add'}; relaxed f64 rows: the f64x2 mul+add one, no relaxed f64 ceiling is measured) and GEMM calls (≈ ${PAIR_MS} ms), the order alternating, median of the pairs' fractions; scalar and twin rows: of the ceiling above`,
    `- correctness (vs pure TS twin, before timing): ${checks.map((c) => `${c.build} ${DTYPE_SHORT[c.dtype]} max abs diff ${c.maxAbsDiff.toExponential(2)}`).join('; ')}`,
    `- C = op(A)·op(B), alpha 1, beta 0; GFLOP/s = 2mnk / median; ratios = other median / this median (> 1: this is faster)`,
    '',
    markdownTable(rows),
    '',
    `total wall time: ${wallSeconds.toFixed(1)} s`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);

  const report = {
    meta: {
      date: date.toISOString(),
      node: process.version,
      v8: process.versions.v8,
      tinybench: await tinybenchVersion(),
      cpu,
      logicalCores: os.cpus().length,
      platform: `${os.platform()} ${os.arch()} ${os.release()}`,
      wallSeconds,
      loadAverage1m: load,
      config: { CEILING: DEFAULT_CEILING, FAST_TIME_MS, FAST_MIN_SAMPLES, SLOW_CALL_MS, SLOW_TOTAL_MS, SLOW_MIN_SAMPLES, SLOW_MAX_SAMPLES, SKIP_CALL_MS },
    },
    ceilings,
    correctness: checks,
    results: rows,
    sink: ceilingSink.value,
  };
  const dir = new URL('./results/', import.meta.url);
  await mkdir(dir, { recursive: true });
  const stamp = date.toISOString().replace(/[:.]/g, '-');
  await writeJson(new URL(`gemm-${stamp}.json`, dir), report);
  await writeJson(new URL('gemm-latest.json', dir), report);
  log(`wrote bench/results/gemm-${stamp}.json and bench/results/gemm-latest.json`);
}

await main();
