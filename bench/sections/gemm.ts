// GEMM section of `npm run bench`: C = op(A)·op(B), f32, alpha 1, beta 0, on square shapes and the
// shapes the course's nets run, timed in alternating rounds for simdnet (simd, relaxed, scalar, threads, relaxed threads),
// the pure-TS twin, tfjs (wasm and cpu backends, tf.matMul with transposeA/transposeB) and numpy
// (a python3 subprocess, OPENBLAS_NUM_THREADS=1, run before the JS rounds), against a WASM SIMD
// ceiling microkernel measured in the same process.
//
// Every contender gets the same A and B (deterministic values exactly representable in f32; numpy
// reads them from files) and must produce the same C as simdnet simd (max |ΔC| ≤ 1e-4·max |C|) before
// anything is timed.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kernels } from '../../src/kernels.js';
import { gemm as twinGemm } from '../../src/reference/index.js';
import { ceilingFor, ceilingKernel, ceilingLine, ceilingSink, DEFAULT_CEILING, pairedFraction, tileLoopFor, tileLoopKernel, type Ceiling, type CeilingOptions, type PairedFraction, type RefKernel } from '../lib/ceiling.js';
import { alternate, isCapped, type RoundConfig, type Timed } from '../lib/rounds.js';
import { ratioCells, type SectionContext, type SectionReport } from '../lib/section.js';
import { fmt3, fmtMs, haveNumpy, log, oneThreadEnv, sink, spawnReference, uniformF32 } from '../lib/util.js';
import { stats, type Stats } from '../peers/common.js';
import { buildSnapshots, disposeKernels, loadVariant, THREADS, VARIANT_LABEL, VariantUnavailable, type Variant } from '../peers/simdnet.js';
import { tfjsGemm } from '../peers/tfjs.js';

// ---------------------------------------------------------------------------------------------
// Configuration

type Op = 'NN' | 'NT' | 'TN';
type Contender = Variant | 'twin' | 'tfjs-wasm' | 'tfjs-cpu' | 'numpy';

const LABEL: Record<Contender, string> = {
  ...VARIANT_LABEL, twin: 'pure TS twin', 'tfjs-wasm': 'tfjs wasm', 'tfjs-cpu': 'tfjs cpu', numpy: 'numpy (reference, separate process)',
};
/** Timed in this process, in this order (the rounds rotate it). */
const IN_PROCESS: Contender[] = ['simd', 'relaxed', 'scalar', 'threads', 'threads-relaxed', 'twin', 'tfjs-wasm', 'tfjs-cpu'];
/** One ratio column per contender here. */
const RATIO_COLUMNS: Contender[] = ['simd', 'twin', 'tfjs-wasm', 'tfjs-cpu', 'numpy'];

/** One timed GEMM: C(m×n) = op(A)(m×k) · op(B)(k×n). */
export interface GemmCase {
  id: string;
  op: Op;
  /** Display label of the shape. */
  shape: string;
  m: number;
  n: number;
  k: number;
}

const square = (size: number, op: Op): GemmCase => ({ id: `${op}-${size}`, op, shape: `${size}³`, m: size, n: size, k: size });

const CASES: GemmCase[] = [
  square(256, 'NN'), square(256, 'NT'), square(256, 'TN'),
  square(512, 'NN'), square(512, 'NT'), square(512, 'TN'),
  square(1024, 'NN'),
  { id: 'NN-mlp', op: 'NN', shape: 'MLP (128×784)·(784×128)', m: 128, n: 128, k: 784 },
  // Cat classifier (course 1 week 4): 20 hidden units, 12288 = 64·64·3 inputs, 209 training examples.
  { id: 'NN-cat', op: 'NN', shape: 'cat W·X (20×12288)·(12288×209)', m: 20, n: 209, k: 12288 },
  { id: 'NT-cat', op: 'NT', shape: 'cat dZ·Xᵀ (20×209)·(12288×209)ᵀ', m: 20, n: 12288, k: 209 },
];

function roundConfig(quick: boolean): RoundConfig {
  return quick
    ? { rounds: 2, fastRoundMs: 100, slowCallMs: 60, slowRoundMs: 250, maxSlowSamples: 3, cappedCallMs: 250, cappedRounds: 1 }
    : { rounds: 5, fastRoundMs: 300, slowCallMs: 100, slowRoundMs: 1000, maxSlowSamples: 3, cappedCallMs: 1000, cappedRounds: 2 };
}

/** A contender whose call is expected (from its rate on an earlier shape) to take longer than this is not run. */
const skipCallMs = (quick: boolean): number => (quick ? 400 : 8000);

const CEILING_QUICK: CeilingOptions = { accumulators: [10, 12, 14], callMs: 10, timeMs: 250 };

/** |C − C_simd| ≤ this · max |C_simd| for every contender, or the run aborts. */
const RESULT_TOL = 1e-4;

// ---------------------------------------------------------------------------------------------
// Inputs and contenders

/** Stored (row-major) shapes: A is k×m when transposed, B is n×k when transposed. */
function stored(c: GemmCase): { aRows: number; aCols: number; bRows: number; bCols: number; transA: boolean; transB: boolean } {
  const transA = c.op[0] === 'T';
  const transB = c.op[1] === 'T';
  return {
    transA, transB,
    aRows: transA ? c.k : c.m, aCols: transA ? c.m : c.k,
    bRows: transB ? c.n : c.k, bCols: transB ? c.k : c.n,
  };
}

function inputs(c: GemmCase, index: number): { a: Float32Array; b: Float32Array } {
  const s = stored(c);
  return { a: uniformF32(s.aRows * s.aCols, 1000 + 10 * index), b: uniformF32(s.bRows * s.bCols, 1001 + 10 * index) };
}

interface Runner {
  call(): void;
  /** C of the last call (a copy or a view that the next call may overwrite). */
  result(): ArrayLike<number>;
  activate?(): Promise<void>;
  dispose(): void;
}

function kernelRunner(kernels: Kernels, c: GemmCase, a: Float32Array, b: Float32Array): Runner {
  const s = stored(c);
  const A = kernels.tensor(s.aRows, s.aCols, 'float32', a);
  const B = kernels.tensor(s.bRows, s.bCols, 'float32', b);
  const C = kernels.tensor(c.m, c.n, 'float32');
  return {
    call: () => { kernels.gemm(s.transA, s.transB, 1, A, B, 0, C); },
    result: () => C.toArray(),
    dispose: () => { A.dispose(); B.dispose(); C.dispose(); },
  };
}

function twinRunner(c: GemmCase, a: Float32Array, b: Float32Array): Runner {
  const s = stored(c);
  const C = new Float32Array(c.m * c.n);
  return {
    call: () => { twinGemm(s.transA, s.transB, c.m, c.n, c.k, 1, a, s.aCols, b, s.bCols, 0, C, c.n); },
    result: () => C,
    dispose: () => {},
  };
}

async function makeRunner(who: Contender, c: GemmCase, a: Float32Array, b: Float32Array, kernels: Partial<Record<Variant, Kernels>>): Promise<Runner> {
  const s = stored(c);
  switch (who) {
    case 'twin': return twinRunner(c, a, b);
    case 'tfjs-wasm':
    case 'tfjs-cpu':
      return tfjsGemm(who === 'tfjs-wasm' ? 'wasm' : 'cpu', s.transA, s.transB, a, s.aRows, s.aCols, b, s.bRows, s.bCols);
    case 'numpy': throw new Error('numpy runs in its own process');
    default: return kernelRunner(kernels[who]!, c, a, b);
  }
}

/** max |x − ref| / max |ref|. */
function relDiff(x: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (x.length !== ref.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(x[i]! - ref[i]!));
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

const flopsOf = (c: GemmCase): number => 2 * c.m * c.n * c.k;

// ---------------------------------------------------------------------------------------------
// numpy (bench/numpy/gemm.py), run before the JS rounds so it never overlaps them

interface NumpyCase { median_ms: number; min_ms: number; max_ms: number; samples: number }
interface NumpyReport { date: string; numpy: string; python: string; blas: string; cases: Record<string, NumpyCase> }

interface NumpyRun {
  report: NumpyReport | null;
  /** How it ran, or why not. */
  how: string;
  /** Holds the inputs and numpy's C per case until the section ends. */
  dir: string | null;
}

async function runNumpy(ctx: SectionContext): Promise<NumpyRun> {
  if (!ctx.numpy) return { report: null, how: 'not run (--no-numpy)', dir: null };
  if (!haveNumpy()) return { report: null, how: 'skipped: python3 with numpy is not available', dir: null };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'simdnet-gemm-'));
  const cases = [];
  for (const [i, c] of CASES.entries()) {
    const { a, b } = inputs(c, i);
    const s = stored(c);
    await writeFile(path.join(dir, `${c.id}_A.f32`), new Uint8Array(a.buffer));
    await writeFile(path.join(dir, `${c.id}_B.f32`), new Uint8Array(b.buffer));
    cases.push({ id: c.id, op: c.op, m: c.m, n: c.n, k: c.k, a: `${c.id}_A.f32`, aShape: [s.aRows, s.aCols], b: `${c.id}_B.f32`, bShape: [s.bRows, s.bCols] });
  }
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ cases }, null, 2));
  const out = path.join(dir, 'report.json');
  const script = fileURLToPath(new URL('../numpy/gemm.py', import.meta.url));
  log('numpy GEMM reference: python3 bench/numpy/gemm.py (OPENBLAS_NUM_THREADS=1)…');
  const { result: r } = await spawnReference('python3', [script, '--inputs', dir, '--out', out, ...(ctx.quick ? ['--quick'] : [])], {
    stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000, env: oneThreadEnv(),
  });
  if (r.status !== 0) return { report: null, how: `failed (status ${r.status}${r.error ? `, ${r.error.message}` : ''})`, dir };
  const report = JSON.parse(await readFile(out, 'utf8')) as NumpyReport;
  return { report, how: `numpy ${report.numpy} (${report.blas}, python ${report.python}), run by this bench before the JS rounds, OPENBLAS_NUM_THREADS=1`, dir };
}

async function numpyC(run: NumpyRun, c: GemmCase): Promise<Float32Array | null> {
  if (run.dir === null) return null;
  try {
    const bytes = await readFile(path.join(run.dir, `${c.id}_C.f32`));
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// The section

export interface GemmRow extends GemmCase {
  flops: number;
  contender: Contender;
  label: string;
  /** 'n/a': the host cannot run it; 'skipped': too slow for this run. */
  status: 'ok' | 'n/a' | 'skipped';
  note?: string;
  stats?: Stats;
  roundMedians?: number[];
  probeMs?: number;
  capped?: boolean;
  gflops?: number;
  /** Of the ceiling this contender is held to (see the section notes): paired for simd, relaxed and threads. */
  percentOfCeiling?: number;
  /** simd and threads rows: of the tile loop (× THREADS for threads), paired. */
  percentOfTileLoop?: number;
  /** The paired measurements behind the two percentages. */
  paired?: { ceiling?: PairedFraction; tileLoop?: PairedFraction };
  /** Max |C − C_simd| / max |C_simd|. */
  relDiffVsSimd?: number;
  /** Column contender median ÷ this median. */
  ratios?: Partial<Record<Contender, number>>;
}

export async function runGemmSection(ctx: SectionContext): Promise<SectionReport> {
  const config = roundConfig(ctx.quick);
  const snaps = await buildSnapshots();
  const warnings: string[] = [];

  const numpy = await runNumpy(ctx);
  try {
    log('\nGEMM: ceiling microkernel…');
    const ceilOpts = ctx.quick ? CEILING_QUICK : DEFAULT_CEILING;
    let ceiling = await ceilingFor('f32x4', ceilOpts);
    let relaxedCeiling: Ceiling | null = null;
    if (snaps.unavailable.relaxed === undefined) {
      try {
        relaxedCeiling = await ceilingFor('f32x4-relaxed', ceilOpts);
      } catch (e) {
        warnings.push(`relaxed_madd ceiling not measured: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    let tileLoop = await tileLoopFor(ceilOpts);
    // The references the simd, relaxed and threads rows are paired with, call by call (bench/lib/ceiling.ts).
    const refMs = ctx.quick ? 2 : 3;
    const refs: { ceiling: RefKernel; relaxed: RefKernel | null; tileLoop: RefKernel } = {
      ceiling: await ceilingKernel('f32x4', ceiling.accumulators, refMs),
      relaxed: relaxedCeiling ? await ceilingKernel('f32x4-relaxed', relaxedCeiling.accumulators, refMs) : null,
      tileLoop: await tileLoopKernel(refMs),
    };
    const pairs = ctx.quick ? 5 : 15;
    const ceilingOf = (who: Contender): number | undefined =>
      who === 'simd' || who === 'scalar' ? ceiling.gflops
        : who === 'relaxed' ? (relaxedCeiling ?? ceiling).gflops
          : who === 'threads' ? THREADS * ceiling.gflops
            : who === 'threads-relaxed' ? THREADS * (relaxedCeiling ?? ceiling).gflops : undefined;

    // One module per simdnet variant for the whole section.
    const kernels: Partial<Record<Variant, Kernels>> = {};
    const unavailable = new Map<Contender, string>();
    for (const v of ['simd', 'relaxed', 'scalar', 'threads', 'threads-relaxed'] as const) {
      try {
        kernels[v] = await loadVariant(v);
      } catch (e) {
        if (!(e instanceof VariantUnavailable)) throw e;
        unavailable.set(v, e.message);
      }
    }
    if (numpy.report === null) unavailable.set('numpy', numpy.how);

    const rows: GemmRow[] = [];
    /** The last GFLOP/s of each contender per op (and on any op), to skip calls that would be far too slow. */
    const rates = new Map<string, { gflops: number; shape: string }>();
    try {
      for (const [i, c] of CASES.entries()) {
        rows.push(...(await runCase(c, i)));
      }
    } finally {
      for (const k of Object.values(kernels)) await disposeKernels(k);
    }
    // The references again after the shapes, keeping the faster of the two: on a shared machine noise only
    // ever lowers a bound, and one measured in a busy minute would flatter every row held to it.
    log('\nGEMM: ceiling and tile loop again…');
    const again = { ...ceilOpts, accumulators: [ceiling.accumulators] };
    const ceiling2 = await ceilingFor('f32x4', again);
    if (ceiling2.gflops > ceiling.gflops) ceiling = { ...ceiling2, runs: [...ceiling.runs, ...ceiling2.runs] };
    const tileLoop2 = await tileLoopFor(again);
    if (tileLoop2.gflops > tileLoop.gflops) tileLoop = tileLoop2;
    if (relaxedCeiling !== null) {
      const relaxed2 = await ceilingFor('f32x4-relaxed', { ...ceilOpts, accumulators: [relaxedCeiling.accumulators] });
      if (relaxed2.gflops > relaxedCeiling.gflops) relaxedCeiling = { ...relaxed2, runs: [...relaxedCeiling.runs, ...relaxed2.runs] };
    }
    for (const row of rows) {
      if (row.gflops === undefined) continue;
      const ceil = ceilingOf(row.contender);
      if (row.paired?.ceiling !== undefined) row.percentOfCeiling = 100 * row.paired.ceiling.median;
      else if (ceil !== undefined) row.percentOfCeiling = (100 * row.gflops) / ceil;
      if (row.paired?.tileLoop !== undefined) row.percentOfTileLoop = 100 * row.paired.tileLoop.median;
    }

    async function runCase(c: GemmCase, index: number): Promise<GemmRow[]> {
      const title = `${c.op} ${c.shape}`;
      log(`\nGEMM ${title}`);
      const { a, b } = inputs(c, index);
      const flops = flopsOf(c);
      const base = { id: c.id, op: c.op, shape: c.shape, m: c.m, n: c.n, k: c.k, flops };
      const out: GemmRow[] = [];
      const runners = new Map<Contender, Runner>();
      const timed = new Map<string, Timed>();
      const byName = new Map<string, Contender>();
      try {
        let reference: ArrayLike<number> | null = null;
        for (const who of IN_PROCESS) {
          const row: GemmRow = { ...base, contender: who, label: LABEL[who], status: 'ok' };
          out.push(row);
          const why = unavailable.get(who);
          if (why !== undefined) {
            Object.assign(row, { status: 'n/a', note: why });
            continue;
          }
          const rate = rates.get(`${who} ${c.op}`) ?? rates.get(who);
          const estimateMs = rate === undefined ? 0 : flops / (rate.gflops * 1e6);
          if (estimateMs > skipCallMs(ctx.quick)) {
            Object.assign(row, { status: 'skipped', note: `skipped: ≈ ${fmtMs(estimateMs)} per call at its ${rate!.gflops.toFixed(2)} GFLOP/s on ${rate!.shape}` });
            log(`  ${LABEL[who]}: ${row.note}`);
            continue;
          }
          const runner = await makeRunner(who, c, a, b, kernels);
          runners.set(who, runner);
          await runner.activate?.();
          // Probe: the first call compiles/tiers up and yields the result to check; the second sizes the sampling.
          const t0 = performance.now();
          runner.call();
          const first = performance.now() - t0;
          const result = runner.result();
          reference ??= Float32Array.from(result);
          row.relDiffVsSimd = relDiff(result, reference);
          if (!(row.relDiffVsSimd <= RESULT_TOL)) {
            throw new Error(`GEMM ${title}: ${LABEL[who]}'s C differs from ${LABEL.simd}'s by ${row.relDiffVsSimd} (relative to max |C|); refusing to time different computations`);
          }
          let probeMs = first;
          if (first < config.cappedCallMs) {
            const t1 = performance.now();
            runner.call();
            probeMs = Math.min(first, performance.now() - t1);
          }
          row.probeMs = probeMs;
          const name = LABEL[who];
          byName.set(name, who);
          timed.set(name, { fn: () => runner.call(), async: false, activate: runner.activate?.bind(runner), reps: 1, probeMs, samples: [], roundMedians: [] });
        }
        const numpyRow: GemmRow = { ...base, contender: 'numpy', label: LABEL.numpy, status: 'ok' };
        const npCase = numpy.report?.cases[c.id];
        const npC = await numpyC(numpy, c);
        if (npCase === undefined || reference === null) {
          Object.assign(numpyRow, { status: 'n/a', note: unavailable.get('numpy') ?? 'no numpy result for this shape' });
        } else {
          numpyRow.relDiffVsSimd = npC === null ? undefined : relDiff(npC, reference);
          if (numpyRow.relDiffVsSimd === undefined || !(numpyRow.relDiffVsSimd <= RESULT_TOL)) {
            throw new Error(`GEMM ${title}: numpy's C differs from ${LABEL.simd}'s by ${numpyRow.relDiffVsSimd ?? 'unknown'} (relative to max |C|)`);
          }
          numpyRow.stats = { median: npCase.median_ms, min: npCase.min_ms, max: npCase.max_ms, samples: npCase.samples, mean: NaN, p25: NaN, p75: NaN };
        }

        await alternate(`GEMM ${c.id}`, timed, config);

        for (const [name, t] of timed) {
          const row = out.find((r) => r.contender === byName.get(name))!;
          row.stats = stats(t.samples);
          row.roundMedians = t.roundMedians;
          row.capped = isCapped(t, config);
        }
        // Fractions of the ceiling and the tile loop, each GEMM call paired with a reference call.
        for (const who of ['simd', 'relaxed', 'threads', 'threads-relaxed'] as const) {
          const runner = runners.get(who);
          const row = out.find((r) => r.contender === who);
          if (runner === undefined || row?.stats === undefined) continue;
          const reps = Math.max(1, Math.ceil(refMs / row.stats.median));
          await runner.activate?.();
          const call = (): void => { for (let r = 0; r < reps; r++) runner.call(); };
          const scale = who === 'threads' || who === 'threads-relaxed' ? THREADS : 1;
          const relaxedRow = who === 'relaxed' || who === 'threads-relaxed';
          const ceilingRef = relaxedRow ? refs.relaxed ?? refs.ceiling : refs.ceiling;
          row.paired = { ceiling: pairedFraction(ceilingRef, call, reps * flops, pairs, scale) };
          if (!relaxedRow) row.paired.tileLoop = pairedFraction(refs.tileLoop, call, reps * flops, pairs, scale);
          const p = row.paired.ceiling!;
          log(`  ${LABEL[who]}: ${(100 * p.median).toFixed(1)} % of the ${ceilingRef.name} (paired, ${p.pairs} pairs, ${(100 * p.min).toFixed(0)}–${(100 * p.max).toFixed(0)} %)${row.paired.tileLoop ? `, ${(100 * row.paired.tileLoop.median).toFixed(1)} % of the tile loop` : ''}`);
        }
        out.push(numpyRow);
        for (const row of out) {
          if (row.stats === undefined) continue;
          row.gflops = flops / (row.stats.median * 1e6);
          if (row.contender !== 'numpy') {
            rates.set(`${row.contender} ${c.op}`, { gflops: row.gflops, shape: `${c.op} ${c.shape}` });
            rates.set(row.contender, { gflops: row.gflops, shape: `${c.op} ${c.shape}` });
          }
        }
        for (const row of out) {
          if (row.stats === undefined) continue;
          row.ratios = {};
          for (const col of RATIO_COLUMNS) {
            const m = out.find((r) => r.contender === col)?.stats?.median;
            if (m !== undefined) row.ratios[col] = m / row.stats.median;
          }
        }
        return out;
      } finally {
        for (const r of runners.values()) {
          sink.value += r.result()[0] ?? 0;
          r.dispose();
        }
      }
    }

    const notes = [
      `C = op(A)·op(B), f32, alpha 1, beta 0; A and B deterministic values in [−1, 1) (exact in f32), the same for every contender; every C checked against simdnet simd's before timing (max |ΔC| ≤ ${RESULT_TOL}·max |C|): worst ${Math.max(...rows.map((r) => r.relDiffVsSimd ?? 0)).toExponential(1)}`,
      `ceiling f32x4 mul+add (the better of a measurement before and one after the shapes): ${ceilingLine(ceiling)}`,
      relaxedCeiling ? `ceiling f32x4.relaxed_madd: ${ceilingLine(relaxedCeiling)}` : `ceiling f32x4.relaxed_madd: not measured (${snaps.unavailable.relaxed ?? 'see warnings'})`,
      `tile loop (the 4×2 f32x4 tile's inner loop alone, its operands in L1; bench/lib/ceiling.ts): ${tileLoop.gflops.toFixed(1)} GFLOP/s = ${(100 * tileLoop.gflops / ceiling.gflops).toFixed(1)} % of the mul+add ceiling; "% of tile loop" is of it (× ${THREADS} for threads)`,
      `% of ceiling: simd and scalar rows of the mul+add ceiling, the relaxed row of the relaxed_madd ceiling${relaxedCeiling ? '' : ' (mul+add here)'}, the threads row of ${THREADS} × the mul+add ceiling, the relaxed threads row of ${THREADS} × the relaxed_madd ceiling (${THREADS} cores)`,
      `% of ceiling and % of tile loop for simd, relaxed and threads are *paired*: ${pairs} back-to-back pairs of one reference call (≈ ${refMs} ms) and GEMM calls (≈ ${refMs} ms), the order alternating, median of the pairs' fractions; a phase of the shared VM then slows both sides of a pair. The scalar row is held to the better ceiling above, measured apart`,
      `tfjs: tf.matMul(A, B, transposeA, transposeB) on tensors made once, result forced with dataSync() (includes copying C out); numpy: ${numpy.how}`,
      `${config.rounds} alternating rounds per shape; contenders slower than ${fmtMs(config.cappedCallMs)} per call are capped (1 sample per round, ${config.cappedRounds} round${config.cappedRounds > 1 ? 's' : ''}); a contender whose earlier rate predicts more than ${fmtMs(skipCallMs(ctx.quick))} per call is skipped`,
      `"vs X" = X's median ÷ this row's median (> 1: this row is that many times faster than X)`,
    ];
    return { title: 'GEMM', notes, warnings, table: markdownTable(rows), json: { ceiling, relaxedCeiling, tileLoop, numpy: numpy.report, numpyHow: numpy.how, config, rows, sink: ceilingSink.value } };
  } finally {
    if (numpy.dir !== null) await rm(numpy.dir, { recursive: true, force: true });
  }
}

function markdownTable(rows: GemmRow[]): string {
  const header = ['op', 'shape', 'contender', 'median', 'min–max', 'samples', 'GFLOP/s', '% of ceiling', '% of tile loop', ...RATIO_COLUMNS.map((c) => `vs ${c === 'simd' ? 'simdnet simd' : c === 'twin' ? 'pure TS' : LABEL[c].replace(/ \(.*/, '')}`)];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i < 3 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const r of rows) {
    const s = r.stats;
    const cells = s === undefined
      ? [r.op, r.shape, r.label, `— ${r.note ?? ''}`.trim(), '—', '—', '—', '—', '—', ...RATIO_COLUMNS.map(() => '—')]
      : [
          r.op, r.shape, r.label, fmtMs(s.median), `${fmtMs(s.min)}–${fmtMs(s.max)}`, `${s.samples}${r.capped ? ' (capped)' : ''}`,
          fmt3(r.gflops!), r.percentOfCeiling === undefined ? '—' : `${r.percentOfCeiling.toFixed(1)}%`,
          r.percentOfTileLoop === undefined ? '—' : `${r.percentOfTileLoop.toFixed(1)}%`,
          ...ratioCells(s.median, RATIO_COLUMNS.map((c) => rows.find((x) => x.id === r.id && x.contender === c)?.stats?.median)),
        ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
