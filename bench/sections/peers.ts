// Peers section of `npm run bench`: simdnet against other JavaScript neural-network libraries on the
// course's workloads, f32, all in ONE process with alternating rounds.
//
// Workloads: (1) one full-batch gradient-descent step of the cat L-layer net [12288,20,7,5,1]
// (relu hidden, sigmoid out, BCE, m = 209, lr 0.0075); (2) one Adam step of an MLP [784,128,64,10]
// (relu, softmax, cross-entropy, batch 128); (3) one example through [2,4,1] (tanh, sigmoid);
// (4) one example through [784,128,64,10]. Contenders: simdnet (simd, relaxed, scalar and threads
// variants, see peers/simdnet.ts), the pure-TS twin (peers/twin.ts), tfjs-core on its wasm and cpu
// backends through autodiff (optimizer.minimize), tfjs wasm written by hand (peers/tfjs.ts
// tfjsManualTrainer; as the issue wrote it, and untransposed: every matMul without transpose flags), brain.js (predict only, on all-sigmoid nets — see peers/brain.ts), and numpy as a
// reference from bench/numpy/cat_step.py: one python3 subprocess per round, in the alternating
// rotation like the others (it used to run once before the JS rounds and read 30 % slow against a
// standalone run; bench/numpy-disturbance.ts showed this process idle meanwhile, so it was the
// machine's load drift, which alternating rounds share out).
//
// Every contender starts from the same parameters (seeded, f32) and data; the first costs must agree
// to 1e-3 relative and the predictions to 1e-4 absolute, or the run aborts before timing anything.
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatDataset } from '../../src/data/hdf5.js';
import { alternate, type RoundConfig, type Timed } from '../lib/rounds.js';
import { ratioCells, type SectionContext, type SectionReport } from '../lib/section.js';
import { fmtMs, haveNumpy, isPromise, log, oneThreadEnv, sink, spawnReference } from '../lib/util.js';
import {
  fingerprint, makeParams, maxAbsDiff, randomOneHot, relDiff, stats, uniformArray,
  type NetSpec, type PredictContender, type Stats, type TrainContender, type TrainProblem,
} from '../peers/common.js';
import {
  simdnetPredictor, simdnetTrainer, VARIANT_LABEL, VariantUnavailable, type SimdnetTrain, type SimdnetPredict, type Variant,
} from '../peers/simdnet.js';
import { twinPredictor, twinTrainer } from '../peers/twin.js';
import { tfjsManualTrainer, tfjsPredictor, tfjsTrainer, tfjsWasmMemory } from '../peers/tfjs.js';
import { brainPredictor } from '../peers/brain.js';

// ---------------------------------------------------------------------------------------------
// Configuration

interface PeersConfig extends RoundConfig {
  /** Predict calls: one timed sample runs enough calls to last about this long; latency = sample / calls. */
  predictSampleMs: number;
  /** Predict calls: warm-up and probe duration that size the calls per sample. */
  probeMs: number;
}

function peersConfig(quick: boolean): PeersConfig {
  return {
    rounds: quick ? 2 : 5,
    fastRoundMs: quick ? 150 : 500,
    slowCallMs: 100,
    slowRoundMs: quick ? 300 : 1500,
    maxSlowSamples: 3,
    // No cap: the slowest step (tfjs cpu, the twin: ≈ 0.5 s) keeps its samples in every round.
    cappedCallMs: Infinity,
    cappedRounds: 0,
    predictSampleMs: 0.2,
    probeMs: quick ? 30 : 50,
  };
}

let cfg = peersConfig(false);

/** First costs (before any update) must agree to this, relative, or the run aborts. */
const FIRST_COST_TOL = 1e-3;
/** Costs after the first step are compared with this tolerance (a warning, not an abort). */
const AFTER_STEP_TOL = 1e-3;
/** Predictions of one example must agree to this, absolute, or the run aborts. */
const PREDICT_TOL = 1e-4;

const SEED = 20240404;
const CAT_DIR = new URL('../../../shared/data/catvnoncat/', import.meta.url);

const NUMPY = 'numpy (reference, separate process)';
/** numpy the usual way: glibc's malloc as the process starts (bench/numpy/common.py: SIMDNET_NUMPY_SETTLE=0). */
const NUMPY_PLAIN = 'numpy, malloc as started (separate process)';
/** One ratio column per contender here (rows whose workload lacks it show —). */
const TFJS_HAND = 'tfjs wasm, by hand';
/** simdnet simd timed the way fit runs between records: trainer.steps(10), per step. */
const SIMD_STEPS = 'simdnet simd, steps(10)';
const TFJS_HAND_XT = 'tfjs wasm, by hand, untransposed';
const RATIO_COLUMNS = ['simdnet simd', 'pure TS twin', 'tfjs wasm', TFJS_HAND, TFJS_HAND_XT, 'tfjs cpu', 'brain.js', NUMPY];
const RATIO_HEADER = ['vs simdnet simd', 'vs pure TS', 'vs tfjs wasm (autodiff)', 'vs tfjs wasm by hand', 'vs tfjs by hand, untransposed', 'vs tfjs cpu', 'vs brain.js', 'vs numpy'];

// ---------------------------------------------------------------------------------------------
// Problems

interface Problems {
  cat: TrainProblem;
  catData: 'real' | 'random';
  catDataNote: string;
  mlp: TrainProblem;
  tiny: NetSpec;
  tinySigmoid: NetSpec;
  mnist: NetSpec;
  mnistSigmoid: NetSpec;
  tinyInput: Float32Array;
  mnistInput: Float32Array;
}

async function catData(m: number, nX: number): Promise<{ X: Float32Array; Y: Float32Array; kind: 'real' | 'random'; note: string }> {
  const dir = fileURLToPath(CAT_DIR);
  try {
    await access(path.join(dir, 'train_catvnoncat.h5'));
    const d = await loadCatDataset(CAT_DIR);
    if (d.trainX.shape[0] !== nX || d.trainX.shape[1] !== m) throw new Error(`unexpected shape [${d.trainX.shape.join(', ')}]`);
    return { X: Float32Array.from(d.trainX.data), Y: Float32Array.from(d.trainY.data), kind: 'real', note: `${path.relative(process.cwd(), dir)}/train_catvnoncat.h5, /255` };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    log(`cat data not used (${why}); random data of the same shape instead`);
    const Y = uniformArray(m, SEED + 3).map((v) => (v < 0.35 ? 1 : 0));
    return { X: uniformArray(nX * m, SEED + 2), Y, kind: 'random', note: `random (${why})` };
  }
}

export async function makeProblems(): Promise<Problems> {
  const catLayers = [12288, 20, 7, 5, 1];
  const cd = await catData(209, 12288);
  const cat: TrainProblem = {
    spec: { layers: catLayers, hidden: 'relu', output: 'sigmoid', params: makeParams(catLayers, 'relu', SEED) },
    X: cd.X, Y: cd.Y, m: 209, optimizer: 'gd', learningRate: 0.0075, beta1: 0.9, beta2: 0.999, epsilon: 1e-8,
  };
  const mlpLayers = [784, 128, 64, 10];
  const mlp: TrainProblem = {
    spec: { layers: mlpLayers, hidden: 'relu', output: 'softmax', params: makeParams(mlpLayers, 'relu', SEED + 10) },
    X: uniformArray(784 * 128, SEED + 11), Y: randomOneHot(10, 128, SEED + 12).Y, m: 128,
    optimizer: 'adam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8,
  };
  const tinyParams = makeParams([2, 4, 1], 'tanh', SEED + 20);
  const mnistParams = makeParams(mlpLayers, 'relu', SEED + 30);
  // The all-sigmoid [2,4,1] (for brain.js) keeps the tanh net's parameters; only the activations differ.
  return {
    cat, catData: cd.kind, catDataNote: cd.note, mlp,
    tiny: { layers: [2, 4, 1], hidden: 'tanh', output: 'sigmoid', params: tinyParams },
    tinySigmoid: { layers: [2, 4, 1], hidden: 'sigmoid', output: 'sigmoid', params: tinyParams },
    mnist: { layers: mlpLayers, hidden: 'relu', output: 'softmax', params: mnistParams },
    mnistSigmoid: { layers: mlpLayers, hidden: 'sigmoid', output: 'sigmoid', params: makeParams(mlpLayers, 'sigmoid', SEED + 40) },
    tinyInput: uniformArray(2, SEED + 21, -1, 1),
    mnistInput: uniformArray(784, SEED + 31),
  };
}

function problemFingerprint(p: TrainProblem): string {
  return fingerprint([p.X, p.Y, ...p.spec.params.flatMap((l) => [l.W, l.b])]);
}

// ---------------------------------------------------------------------------------------------
// numpy reference (bench/numpy/cat_step.py), run before the JS rounds so it never overlaps them

interface NumpyEntry {
  median_ms: number;
  min_ms: number;
  max_ms: number;
  samples: number;
  first_cost: number;
  cost_after_step: number;
  fingerprint: string | null;
}
interface NumpyReport {
  date: string;
  numpy: string;
  python: string;
  blas: string;
  threads_env: Record<string, string | null>;
  cat: NumpyEntry;
  mlp: NumpyEntry;
}

export async function dumpInputs(dir: string, problems: Problems): Promise<void> {
  const manifest: Record<string, unknown> = {};
  for (const [name, p] of [['cat', problems.cat], ['mlp', problems.mlp]] as const) {
    const files: Record<string, string> = {};
    const put = async (key: string, a: Float32Array): Promise<void> => {
      files[key] = `${name}_${key}.f32`;
      await writeFile(path.join(dir, files[key]!), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    };
    await put('X', p.X);
    await put('Y', p.Y);
    for (const [l, w] of p.spec.params.entries()) {
      await put(`W${l + 1}`, w.W);
      await put(`b${l + 1}`, w.b);
    }
    manifest[name] = {
      layers: p.spec.layers, hidden: p.spec.hidden, output: p.spec.output, m: p.m, optimizer: p.optimizer,
      learningRate: p.learningRate, beta1: p.beta1, beta2: p.beta2, epsilon: p.epsilon, files, fingerprint: problemFingerprint(p),
    };
  }
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
}

async function numpyReference(problems: Problems, ctx: SectionContext): Promise<{ report: NumpyReport | null; how: string; dir: string | null }> {
  if (!ctx.numpy) return { report: null, how: 'not run (--no-numpy)', dir: null };
  if (!haveNumpy()) return { report: null, how: 'skipped: python3 with numpy is not available', dir: null };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'simdnet-peers-'));
  await dumpInputs(dir, problems);
  const out = path.join(dir, 'report.json');
  log('numpy reference: python3 bench/numpy/cat_step.py (OPENBLAS_NUM_THREADS=1), first costs…');
  const { result: r } = await spawnReference('python3', [NUMPY_SCRIPT, '--inputs', dir, '--out', out, '--rounds', '1', '--seconds', '0.2'], {
    stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000, env: oneThreadEnv(),
  });
  if (r.status !== 0) {
    await rm(dir, { recursive: true, force: true });
    return { report: null, how: `failed (status ${r.status}${r.error ? `, ${r.error.message}` : ''})`, dir: null };
  }
  const report = JSON.parse(await readFile(out, 'utf8')) as NumpyReport;
  return {
    report, dir,
    how: `numpy ${report.numpy} (${report.blas}), OPENBLAS_NUM_THREADS=1, a separate process per round, alternating with the JS contenders`,
  };
}

const NUMPY_SCRIPT = fileURLToPath(new URL('../numpy/cat_step.py', import.meta.url));

/**
 * numpy as one more contender of the alternating rounds: each round spawns cat_step.py for one timing
 * round of `name` (after quiesce(); spawnReference notes any CPU this process used meanwhile), so numpy
 * sees the same drift of the shared machine's load as the JS contenders, instead of one burst before them.
 */
function numpyTimed(dir: string, name: 'cat' | 'mlp', ctx: SectionContext, settle = true): Timed {
  const out = path.join(dir, `round-${name}${settle ? '' : '-plain'}.json`);
  const env = { ...oneThreadEnv(), ...(settle ? {} : { SIMDNET_NUMPY_SETTLE: '0' }) };
  const external = async (): Promise<number[]> => {
    const { result: r } = await spawnReference('python3', [NUMPY_SCRIPT, '--inputs', dir, '--out', out, '--only', name, '--rounds', '1',
      '--seconds', ctx.quick ? '0.3' : '1.0'], { stdio: ['ignore', 'ignore', 'ignore'], timeout: 300_000, env });
    if (r.status !== 0) throw new Error(`numpy ${name} round failed (status ${r.status})`);
    const rep = JSON.parse(await readFile(out, 'utf8')) as Record<string, NumpyEntry & { samples_ms: number[] }>;
    return rep[name]!.samples_ms;
  };
  return { fn: () => undefined, async: false, reps: 1, probeMs: 0, samples: [], roundMedians: [], external };
}

// ---------------------------------------------------------------------------------------------
// Workloads

interface Row {
  workload: string;
  contender: string;
  api?: string;
  stats?: Stats;
  roundMedians?: number[];
  /** Column contender median ÷ this median. */
  ratios?: Record<string, number>;
  note?: string;
  firstCost?: number;
  costAfterStep?: number;
}

interface WorkloadResult {
  id: string;
  title: string;
  rows: Row[];
  checks: string[];
  warnings: string[];
}

type Maker<T> = () => Promise<T>;

function addRatios(rows: Row[]): void {
  for (const r of rows) {
    if (r.stats === undefined) continue;
    r.ratios = {};
    for (const col of RATIO_COLUMNS) {
      const m = rows.find((x) => x.contender === col)?.stats?.median;
      if (m !== undefined) r.ratios[col] = m / r.stats.median;
    }
  }
}

/** Creates every contender; a simdnet variant the host cannot run becomes an n/a row. */
async function makeAll<T>(makers: [string, Maker<T>][], title: string): Promise<{ contenders: Map<string, T>; unavailable: Row[] }> {
  const contenders = new Map<string, T>();
  const unavailable: Row[] = [];
  for (const [name, make] of makers) {
    try {
      contenders.set(name, await make());
    } catch (e) {
      if (!(e instanceof VariantUnavailable)) throw e;
      unavailable.push({ workload: title, contender: name, note: e.message });
    }
  }
  return { contenders, unavailable };
}

async function trainWorkload(id: string, title: string, makers: [string, Maker<TrainContender>][],
  skipped: Row[], externals: [string, Timed][] = []): Promise<WorkloadResult & { contenders: Map<string, TrainContender>; externals: Map<string, Timed> }> {
  log(`\n${title}`);
  const { contenders, unavailable } = await makeAll(makers, title);
  const checks: string[] = [];
  const warnings: string[] = [];
  const rows: Row[] = [];

  // Identical start: the cost of the shared initial parameters, then one step and the cost after it.
  const first = new Map<string, number>();
  const after = new Map<string, number>();
  const asyncStep = new Map<string, boolean>();
  for (const [name, c] of contenders) {
    await c.activate?.();
    first.set(name, c.cost());
    const r = c.step();
    asyncStep.set(name, isPromise(r));
    const reported = isPromise(r) ? await r : r;
    if (Number.isFinite(reported) && relDiff(reported, first.get(name)!) > FIRST_COST_TOL) {
      warnings.push(`${name}: the step reported cost ${reported} but cost() gave ${first.get(name)} before it`);
    }
    after.set(name, c.cost());
    log(`  ${name}: first cost ${first.get(name)!.toPrecision(7)}, after one step ${after.get(name)!.toPrecision(7)}`);
  }
  const [refName] = [...contenders.keys()];
  const bad = [...first].filter(([, v]) => !(relDiff(v, first.get(refName!)!) <= FIRST_COST_TOL));
  if (bad.length > 0) {
    const list = [...first].map(([n, v]) => `${n} ${v}`).join(', ');
    throw new Error(`${title}: first costs disagree by more than ${FIRST_COST_TOL} relative (${list}); refusing to time different computations`);
  }
  checks.push(`first cost ${[...first].map(([n, v]) => `${n} ${v.toPrecision(7)}`).join(', ')}`);
  checks.push(`cost after one step ${[...after].map(([n, v]) => `${n} ${v.toPrecision(7)}`).join(', ')}`);
  for (const [n, v] of after) {
    const d = relDiff(v, after.get(refName!)!);
    if (!(d <= AFTER_STEP_TOL)) warnings.push(`${title}: ${n}'s cost after one step differs from ${refName}'s by ${d.toExponential(2)} relative`);
  }

  const timed = new Map<string, Timed>();
  for (const [name, c] of contenders) {
    await c.activate?.();
    const isAsync = asyncStep.get(name)!;
    const fn = isAsync ? async () => { await c.step(); } : () => c.step();
    const t0 = performance.now();
    await fn();
    const probeMs = performance.now() - t0;
    timed.set(name, { fn, async: isAsync, activate: c.activate?.bind(c), reps: c.stepsPerCall ?? 1, probeMs, samples: [], roundMedians: [] });
  }
  for (const [name, t] of externals) timed.set(name, t);
  await alternate(id, timed, cfg);
  for (const [name] of externals) timed.delete(name);
  for (const name of makers.map(([n]) => n)) {
    const t = timed.get(name);
    if (t === undefined) {
      rows.push(unavailable.find((r) => r.contender === name)!);
      continue;
    }
    const c = contenders.get(name)!;
    rows.push({
      workload: title, contender: name, api: (c as Partial<SimdnetTrain>).api, stats: stats(t.samples), roundMedians: t.roundMedians,
      firstCost: first.get(name), costAfterStep: after.get(name),
    });
  }
  rows.push(...skipped.map((r) => ({ ...r, workload: title })));
  return { id, title, rows, checks, warnings, contenders, externals: new Map(externals) };
}

async function predictWorkload(id: string, title: string, input: Float32Array, makers: [string, Maker<PredictContender>][]): Promise<WorkloadResult> {
  log(`\n${title}`);
  const { contenders, unavailable } = await makeAll(makers, title);
  const checks: string[] = [];
  const outputs = new Map<string, number[]>();
  for (const [name, c] of contenders) {
    await c.activate?.();
    outputs.set(name, Array.from(c.predictOne(input)));
  }
  const [refName] = [...contenders.keys()];
  const ref = outputs.get(refName!)!;
  const diffs = [...outputs].map(([n, o]) => [n, maxAbsDiff(o, ref)] as const);
  const bad = diffs.filter(([, d]) => !(d <= PREDICT_TOL));
  if (bad.length > 0) {
    throw new Error(`${title}: predictions disagree with ${refName} (${[...outputs].map(([n, o]) => `${n} [${o.map((v) => v.toPrecision(6)).join(', ')}]`).join('; ')})`);
  }
  checks.push(`${refName} output [${ref.slice(0, 4).map((v) => v.toPrecision(6)).join(', ')}${ref.length > 4 ? ', …' : ''}]; max |Δ| vs it: ${diffs.filter(([n]) => n !== refName).map(([n, d]) => `${n} ${d.toExponential(1)}`).join(', ')}`);

  const timed = new Map<string, Timed>();
  for (const [name, c] of contenders) {
    await c.activate?.();
    // Probe: calls per millisecond over ~probeMs after a warm-up of the same length (JIT tier-up),
    // to size the calls per timed sample.
    const burst = (ms: number): number => {
      let calls = 0;
      const t0 = performance.now();
      do {
        for (let i = 0; i < 10; i++) sink.value += c.predictOne(input)[0]!;
        calls += 10;
      } while (performance.now() - t0 < ms);
      return (performance.now() - t0) / calls;
    };
    burst(cfg.probeMs);
    const perCall = burst(cfg.probeMs);
    const reps = Math.max(1, Math.ceil(cfg.predictSampleMs / Math.max(perCall, 1e-6)));
    const fn = (): void => {
      for (let i = 0; i < reps; i++) sink.value += c.predictOne(input)[0]!;
    };
    timed.set(name, { fn, async: false, activate: c.activate?.bind(c), reps, probeMs: perCall * reps, samples: [], roundMedians: [] });
  }
  await alternate(id, timed, cfg);
  const rows: Row[] = [];
  for (const name of makers.map(([n]) => n)) {
    const t = timed.get(name);
    if (t === undefined) {
      rows.push(unavailable.find((r) => r.contender === name)!);
      continue;
    }
    rows.push({ workload: title, contender: name, api: (contenders.get(name) as Partial<SimdnetPredict>).api, stats: stats(t.samples), roundMedians: t.roundMedians,
      note: t.reps > 1 ? `${t.reps} calls per sample` : undefined });
  }
  for (const c of contenders.values()) c.dispose();
  return { id, title, rows, checks, warnings: [] };
}

// ---------------------------------------------------------------------------------------------
// Report

function markdownTable(results: WorkloadResult[]): string {
  const header = ['workload', 'contender', 'median', 'min–max', 'samples', ...RATIO_HEADER];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const w of results) {
    for (const r of w.rows) {
      const who = r.api && r.api !== 'trainer' && r.api !== 'predictOne' ? `${r.contender} (${r.api})` : r.contender;
      const s = r.stats;
      const cells = s === undefined
        ? [w.title, who, `— ${r.note ?? 'skipped'}`, '—', '—', ...RATIO_COLUMNS.map(() => '—')]
        : [w.title, who, fmtMs(s.median), `${fmtMs(s.min)}–${fmtMs(s.max)}`, String(s.samples),
            ...ratioCells(s.median, RATIO_COLUMNS.map((c) => w.rows.find((x) => x.contender === c)?.stats?.median))];
      lines.push(`| ${cells.join(' | ')} |`);
    }
  }
  return lines.join('\n');
}

function numpyRow(title: string, entry: NumpyEntry, fp: string, timed: Timed, contender: string): Row {
  const match = entry.fingerprint === fp;
  return {
    workload: title, contender, stats: stats(timed.samples), roundMedians: timed.roundMedians,
    firstCost: entry.first_cost, costAfterStep: entry.cost_after_step,
    note: match ? 'same inputs' : 'DIFFERENT inputs (random, fingerprint mismatch)',
  };
}

/** Adds numpy's rows (fastest, then usual way: their per-round samples) to a training workload after checking that its first cost agrees with simdnet's. */
function addNumpy(w: WorkloadResult, entry: NumpyEntry | undefined, fp: string, how: string, externals: Map<string, Timed>): void {
  const timed = externals.get(NUMPY);
  if (entry === undefined || timed === undefined || timed.samples.length === 0) {
    w.rows.push({ workload: w.title, contender: NUMPY, note: how });
    return;
  }
  const ref = w.rows.find((r) => r.firstCost !== undefined)!;
  if (entry.fingerprint === fp) {
    const d = relDiff(entry.first_cost, ref.firstCost!);
    if (!(d <= FIRST_COST_TOL)) throw new Error(`${w.title}: numpy's first cost ${entry.first_cost} differs from ${ref.contender}'s ${ref.firstCost} by ${d} relative`);
    w.checks.push(`numpy first cost ${entry.first_cost.toPrecision(7)}, after one step ${entry.cost_after_step.toPrecision(7)}`);
  } else {
    w.warnings.push(`${w.title}: numpy ran on different inputs (fingerprint mismatch); its row is timing only`);
  }
  w.rows.push(numpyRow(w.title, entry, fp, timed, NUMPY));
  const plain = externals.get(NUMPY_PLAIN);
  if (plain !== undefined && plain.samples.length > 0) w.rows.push(numpyRow(w.title, entry, fp, plain, NUMPY_PLAIN));
}

// ---------------------------------------------------------------------------------------------
// The section

const SIMDNET: Variant[] = ['simd', 'relaxed', 'scalar', 'threads'];
/** Training also times the relaxed threads build ('auto' with threads where the host has relaxed SIMD). */
const SIMDNET_TRAIN: Variant[] = [...SIMDNET, 'threads-relaxed'];

export async function runPeersSection(ctx: SectionContext): Promise<SectionReport> {
  cfg = peersConfig(ctx.quick);
  log('\npeers: preparing parameters and data…');
  const problems = await makeProblems();
  const numpy = await numpyReference(problems, ctx);
  const catFp = problemFingerprint(problems.cat);
  const mlpFp = problemFingerprint(problems.mlp);
  if (numpy.report) {
    for (const [name, entry, fp] of [['cat', numpy.report.cat, catFp], ['mlp', numpy.report.mlp, mlpFp]] as const) {
      log(`  numpy ${name}: first cost ${entry.first_cost}, median ${fmtMs(entry.median_ms)}${entry.fingerprint === fp ? '' : ' (different inputs)'}`);
    }
  }

  const results: WorkloadResult[] = [];
  const brainSkip = (why: string): Row => ({ workload: '', contender: 'brain.js', note: `n/a: ${why}` });
  const trainMakers = (p: TrainProblem): [string, Maker<TrainContender>][] => [
    ...SIMDNET_TRAIN.map((v): [string, Maker<TrainContender>] => [VARIANT_LABEL[v], () => simdnetTrainer(p, v)]),
    [SIMD_STEPS, () => simdnetTrainer(p, 'simd', 10)],
    ['pure TS twin', async () => twinTrainer(p)],
    ['tfjs wasm', () => tfjsTrainer(p, 'wasm')],
    [TFJS_HAND, () => tfjsManualTrainer(p, 'wasm')],
    [TFJS_HAND_XT, () => tfjsManualTrainer(p, 'wasm', true)],
    ['tfjs cpu', () => tfjsTrainer(p, 'cpu')],
  ];

  // 1. Cat GD step.
  // numpy twice: at its fastest (malloc settled, the ratio column) and its usual way (malloc as the process starts).
  const numpyIn = (name: 'cat' | 'mlp'): [string, Timed][] => (numpy.dir === null ? []
    : [[NUMPY, numpyTimed(numpy.dir, name, ctx)], [NUMPY_PLAIN, numpyTimed(numpy.dir, name, ctx, false)]]);
  const cat = await trainWorkload('cat', '1. cat [12288,20,7,5,1] GD step, m=209', trainMakers(problems.cat),
    [brainSkip('one activation for all layers and per-example MSE-delta training; no full-batch BCE step')], numpyIn('cat'));
  const simdnetOf = (v: Variant): SimdnetTrain | undefined => cat.contenders.get(VARIANT_LABEL[v]) as SimdnetTrain | undefined;
  const memory = {
    simdBytes: simdnetOf('simd')?.kernels.memoryBytes ?? NaN,
    simdOpenBytes: simdnetOf('simd')?.openBytes ?? NaN,
    relaxedBytes: simdnetOf('relaxed')?.kernels.memoryBytes ?? NaN,
    scalarBytes: simdnetOf('scalar')?.kernels.memoryBytes ?? NaN,
    threadsBytes: simdnetOf('threads')?.kernels.memoryBytes ?? NaN,
    tfjsWasm: await tfjsWasmMemory(),
    rssBytes: process.memoryUsage().rss,
  };
  for (const c of cat.contenders.values()) c.dispose();
  addNumpy(cat, numpy.report?.cat, catFp, numpy.how, cat.externals);
  addRatios(cat.rows);
  results.push(cat);

  // 2. MLP Adam step.
  const mlp = await trainWorkload('mlp', '2. MLP [784,128,64,10] Adam step, batch 128', trainMakers(problems.mlp),
    [brainSkip('no softmax output, no batched cross-entropy Adam step')], numpyIn('mlp'));
  if (numpy.dir !== null) await rm(numpy.dir, { recursive: true, force: true });
  for (const c of mlp.contenders.values()) c.dispose();
  addNumpy(mlp, numpy.report?.mlp, mlpFp, numpy.how, mlp.externals);
  addRatios(mlp.rows);
  results.push(mlp);

  // 3 and 4. Predict latency, as specified, then the all-sigmoid forms brain.js can express.
  const predictMakers = (spec: NetSpec): [string, Maker<PredictContender>][] => [
    ...SIMDNET.map((v): [string, Maker<PredictContender>] => [VARIANT_LABEL[v], () => simdnetPredictor(spec, v)]),
    ['pure TS twin', async () => twinPredictor(spec)],
    ['tfjs wasm', () => tfjsPredictor(spec, 'wasm')],
    ['tfjs cpu', () => tfjsPredictor(spec, 'cpu')],
  ];
  const brainMakers = (spec: NetSpec): [string, Maker<PredictContender>][] => [
    ...(['simd', 'relaxed'] as const).map((v): [string, Maker<PredictContender>] => [VARIANT_LABEL[v], () => simdnetPredictor(spec, v)]),
    ['brain.js', async () => brainPredictor(spec)],
  ];
  for (const [id, title, spec, input, brainTitle, brainSpec] of [
    ['tiny', '3. [2,4,1] tanh→sigmoid predict, 1 example', problems.tiny, problems.tinyInput,
      '3b. [2,4,1] all-sigmoid predict (brain.js form)', problems.tinySigmoid],
    ['mnist', '4. [784,128,64,10] relu→softmax predict, 1 example', problems.mnist, problems.mnistInput,
      '4b. [784,128,64,10] all-sigmoid predict (brain.js form)', problems.mnistSigmoid],
  ] as const) {
    const w = await predictWorkload(id, title, input, predictMakers(spec));
    w.rows.push({ ...brainSkip('cannot express this net (one activation for every layer); see the all-sigmoid row below'), workload: title });
    addRatios(w.rows);
    results.push(w);
    const b = await predictWorkload(`${id}-sigmoid`, brainTitle, input, brainMakers(brainSpec));
    addRatios(b.rows);
    results.push(b);
  }

  const apis = [...new Set(results.flatMap((w) => w.rows.filter((r) => r.api).map((r) => r.api!)))];
  const mib = (b: number): string => (Number.isFinite(b) ? `${(b / 2 ** 20).toFixed(1)} MiB` : 'n/a');
  const notes = [
    `cat data: ${problems.catData} (${problems.catDataNote}); f32 everywhere; parameters seeded (${SEED}), identical for every contender`,
    `simdnet APIs used: ${apis.join(', ')}; the threads variant splits the GEMMs and big optimiser updates of the step over its workers`,
    `simdnet peak WASM memory after the cat run: ${mib(memory.simdBytes)} (simd module; ${mib(memory.simdOpenBytes)} once the trainer was open, before the bench's evaluate() cost checks), ${mib(memory.relaxedBytes)} (relaxed), ${mib(memory.scalarBytes)} (scalar), ${mib(memory.threadsBytes)} (threads, shared); tfjs wasm heap ${mib(memory.tfjsWasm.heapBytes)}; process RSS ${mib(memory.rssBytes)}`,
    `numpy reference: ${numpy.how}`,
    `${cfg.rounds} alternating rounds per workload; medians and min–max over all samples; predict samples time a burst of calls (latency = sample / calls)`,
    `"vs X" = X's median ÷ this row's median (> 1: this row is that many times faster than X); in the b rows brain.js runs the all-sigmoid net, and so do the simdnet rows there`,
    ...results.flatMap((w) => w.checks.map((c) => `check, ${w.title}: ${c}`)),
  ];
  return {
    title: 'Training and prediction vs peers',
    notes,
    warnings: results.flatMap((w) => w.warnings),
    table: markdownTable(results),
    json: {
      catData: problems.catData, catDataNote: problems.catDataNote, seed: SEED, simdnetApis: apis, memory, numpy: numpy.report, numpyHow: numpy.how,
      config: { ...cfg, cappedCallMs: null, FIRST_COST_TOL, AFTER_STEP_TOL, PREDICT_TOL },
      workloads: results.map(({ id, title, rows, checks, warnings }) => ({ id, title, rows, checks, warnings })),
    },
  };
}
