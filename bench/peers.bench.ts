// Peers benchmark (issue 4): simdnet against other JavaScript neural-network libraries on the
// course's workloads, f32, one core, all in ONE process with alternating rounds.
//
//   npx tsx bench/peers.bench.ts            (after `npm run asbuild`)
//   npx tsx bench/peers.bench.ts --quick    (smoke run: fewer, shorter rounds)
//   npx tsx bench/peers.bench.ts --no-numpy (do not spawn python3 for the numpy reference)
//
// Workloads: (1) one full-batch gradient-descent step of the cat L-layer net [12288,20,7,5,1]
// (relu hidden, sigmoid out, BCE, m = 209, lr 0.0075); (2) one Adam step of an MLP [784,128,64,10]
// (relu, softmax, cross-entropy, batch 128); (3) one example through [2,4,1] (tanh, sigmoid);
// (4) one example through [784,128,64,10]. Contenders: simdnet (SIMD and scalar builds), the pure-TS
// twin (bench/peers/twin.ts), tfjs-core on its wasm and cpu backends, brain.js (predict only, on
// all-sigmoid nets — see bench/peers/brain.ts), and numpy as a reference from bench/numpy/cat_step.py.
//
// Every contender starts from the same parameters (seeded, f32) and data; the first costs must agree
// to 1e-3 relative and the predictions to 1e-4 absolute, or the run aborts before timing anything.
//
// stdout: header lines and one markdown table. stderr: progress.
// Raw results: bench/results/peers-<ISO date>.json and bench/results/peers-latest.json.
import { spawnSync } from 'node:child_process';
import { access, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bench, type BenchOptions } from 'tinybench';
import { loadCatDataset } from '../src/data/hdf5.js';
import {
  fingerprint, makeParams, maxAbsDiff, randomOneHot, relDiff, stats, uniformArray,
  type NetSpec, type PredictContender, type Stats, type TrainContender, type TrainProblem,
} from './peers/common.js';
import { buildSnapshots, simdnetPredictor, simdnetTrainer, type SimdnetPredict, type SimdnetTrain } from './peers/simdnet.js';
import { twinPredictor, twinTrainer } from './peers/twin.js';
import { initTfjs, tfjsInfo, tfjsPredictor, tfjsTrainer, tfjsWasmMemory } from './peers/tfjs.js';
import { brainPredictor } from './peers/brain.js';

// ---------------------------------------------------------------------------------------------
// Configuration

const ARGS = new Set(process.argv.slice(2));
const QUICK = ARGS.has('--quick');
const SPAWN_NUMPY = !ARGS.has('--no-numpy') && process.env.PEERS_NUMPY !== '0';

/** Rounds per workload; each round times every contender once, in a rotating order. */
const ROUNDS = QUICK ? 2 : 5;
/** Sampling time per contender per round for calls under SLOW_CALL_MS. */
const FAST_ROUND_MS = QUICK ? 150 : 500;
/** Calls at least this slow get a fixed number of samples per round instead of a time budget. */
const SLOW_CALL_MS = 100;
/** About this much sampling per slow contender per round, between 1 and 3 samples. */
const SLOW_ROUND_MS = QUICK ? 300 : 1500;
/** Predict calls: one timed sample runs enough calls to last about this long; latency = sample / calls. */
const PREDICT_SAMPLE_MS = 0.2;
/** Predict calls: warm-up and probe duration that size the calls per sample. */
const PROBE_MS = 50;
/** First costs (before any update) must agree to this, relative, or the run aborts. */
const FIRST_COST_TOL = 1e-3;
/** Costs after the first step are compared with this tolerance (a warning, not an abort). */
const AFTER_STEP_TOL = 1e-3;
/** Predictions of one example must agree to this, absolute, or the run aborts. */
const PREDICT_TOL = 1e-4;
const BUSY_LOAD = 0.5;

const SEED = 20240404;
const CAT_DIR = new URL('../../shared/data/catvnoncat/', import.meta.url);

// ---------------------------------------------------------------------------------------------
// Helpers

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  if (ms >= 0.01) return `${(ms * 1000).toFixed(1)} µs`;
  return `${(ms * 1000).toFixed(3)} µs`;
}

function fmtRatio(r: number | undefined): string {
  if (r === undefined || !Number.isFinite(r)) return '—';
  return r >= 100 ? `${r.toFixed(0)}×` : r >= 10 ? `${r.toFixed(1)}×` : `${r.toFixed(2)}×`;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function isPromise(x: unknown): x is Promise<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';
}

async function pkgVersion(name: string): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

async function writeJson(url: URL, value: unknown): Promise<void> {
  const tmp = new URL(`${url.href}.tmp`);
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
  await rename(tmp, url);
}

let gitHeadCache: string | undefined;

/** HEAD commit and whether tracked files have changes (read-only; GIT_OPTIONAL_LOCKS=0 takes no index lock). */
function gitHead(): string {
  if (gitHeadCache !== undefined) return gitHeadCache;
  const env = { ...process.env, GIT_OPTIONAL_LOCKS: '0' };
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', env });
  if (head.status !== 0) return (gitHeadCache = 'unknown');
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', env });
  gitHeadCache = `${head.stdout.trim()}${dirty.status === 0 && dirty.stdout.trim() !== '' ? ' + uncommitted changes' : ''}`;
  return gitHeadCache;
}

/** Keeps results observably used. */
let sink = 0;

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

async function makeProblems(): Promise<Problems> {
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

async function dumpInputs(dir: string, problems: Problems): Promise<void> {
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

async function numpyReference(problems: Problems, resultsDir: URL): Promise<{ report: NumpyReport | null; how: string }> {
  const out = new URL('numpy-latest.json', resultsDir);
  const script = fileURLToPath(new URL('./numpy/cat_step.py', import.meta.url));
  const haveNumpy = SPAWN_NUMPY && spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore', timeout: 30_000 }).status === 0;
  if (haveNumpy) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'simdnet-peers-'));
    try {
      await dumpInputs(dir, problems);
      log('numpy reference: python3 bench/numpy/cat_step.py (OPENBLAS_NUM_THREADS=1)…');
      const r = spawnSync('python3', [script, '--inputs', dir, '--out', fileURLToPath(out), ...(QUICK ? ['--quick'] : [])], {
        stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000,
        env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
      });
      if (r.status !== 0) log(`numpy reference failed (status ${r.status}${r.error ? `, ${r.error.message}` : ''}); looking for an earlier result`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  try {
    const report = JSON.parse(await readFile(out, 'utf8')) as NumpyReport;
    const fresh = haveNumpy && Date.now() - Date.parse(report.date) < 10 * 60_000;
    return { report, how: fresh ? 'run by this bench' : `from an earlier run (${report.date})` };
  } catch {
    return { report: null, how: haveNumpy ? 'failed' : SPAWN_NUMPY ? 'python3 with numpy not available' : 'not run (--no-numpy)' };
  }
}

// ---------------------------------------------------------------------------------------------
// Timing: alternating rounds, tinybench per round, samples pooled per contender

interface Timed {
  /** One call, or `reps` calls for a predict sample. */
  fn: () => unknown;
  async: boolean;
  activate?: () => Promise<void>;
  /** Calls per timed sample; latency per call = sample / reps. */
  reps: number;
  probeMs: number;
  samples: number[];
  roundMedians: number[];
}

async function runRound(name: string, t: Timed): Promise<void> {
  await t.activate?.();
  const slow = t.probeMs >= SLOW_CALL_MS;
  const options: BenchOptions = slow
    ? { time: 0, iterations: clamp(Math.round(SLOW_ROUND_MS / t.probeMs), 1, 3), warmup: false }
    : { time: FAST_ROUND_MS, iterations: 5, warmupTime: 50, warmupIterations: 3 };
  const bench = new Bench({ ...options, retainSamples: true, throws: true });
  if (t.async) bench.add(name, t.fn as () => Promise<unknown>, { async: true });
  else bench.add(name, t.fn as () => unknown, { async: false });
  await bench.run();
  const result = bench.tasks[0]!.result;
  if (result.state !== 'completed') throw new Error(`${name}: tinybench task ended in state '${result.state}'`);
  const samples = (result.latency.samples ?? []).map((s) => s / t.reps);
  t.samples.push(...samples);
  t.roundMedians.push(stats(samples).median);
}

async function alternate(workload: string, timed: Map<string, Timed>): Promise<void> {
  const names = [...timed.keys()];
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order so no contender always runs first (or right after the same neighbour).
    const order = names.map((_, i) => names[(i + round) % names.length]!);
    for (const name of order) await runRound(`${workload} ${name}`, timed.get(name)!);
    log(`  ${workload}: round ${round + 1}/${ROUNDS} — ${names.map((n) => `${n} ${fmtMs(timed.get(n)!.roundMedians[round]!)}`).join(', ')}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Workloads

interface Row {
  workload: string;
  contender: string;
  api?: string;
  stats?: Stats;
  roundMedians?: number[];
  /** Reference median / this median: how many times faster the reference simdnet row is. */
  ratio?: number;
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

function addRatios(rows: Row[], reference: string): void {
  const ref = rows.find((r) => r.contender === reference)?.stats?.median;
  for (const r of rows) if (r.stats && ref !== undefined) r.ratio = r.stats.median / ref;
}

async function trainWorkload(id: string, title: string, problem: TrainProblem, makers: [string, Maker<TrainContender>][],
  skipped: Row[]): Promise<WorkloadResult & { contenders: Map<string, TrainContender> }> {
  log(`\n${title}`);
  const contenders = new Map<string, TrainContender>();
  for (const [name, make] of makers) contenders.set(name, await make());
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
  const [refName] = makers[0]!;
  const bad = [...first].filter(([, v]) => !(relDiff(v, first.get(refName)!) <= FIRST_COST_TOL));
  if (bad.length > 0) {
    const list = [...first].map(([n, v]) => `${n} ${v}`).join(', ');
    throw new Error(`${title}: first costs disagree by more than ${FIRST_COST_TOL} relative (${list}); refusing to time different computations`);
  }
  checks.push(`first cost ${[...first].map(([n, v]) => `${n} ${v.toPrecision(7)}`).join(', ')}`);
  checks.push(`cost after one step ${[...after].map(([n, v]) => `${n} ${v.toPrecision(7)}`).join(', ')}`);
  for (const [n, v] of after) {
    const d = relDiff(v, after.get(refName)!);
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
    timed.set(name, { fn, async: isAsync, activate: c.activate?.bind(c), reps: 1, probeMs, samples: [], roundMedians: [] });
  }
  await alternate(id, timed);
  for (const [name, t] of timed) {
    const c = contenders.get(name)!;
    rows.push({
      workload: title, contender: name, api: (c as Partial<SimdnetTrain>).api, stats: stats(t.samples), roundMedians: t.roundMedians,
      firstCost: first.get(name), costAfterStep: after.get(name),
    });
  }
  rows.push(...skipped.map((r) => ({ ...r, workload: title })));
  return { id, title, rows, checks, warnings, contenders };
}

async function predictWorkload(id: string, title: string, input: Float32Array, makers: [string, Maker<PredictContender>][]): Promise<WorkloadResult> {
  log(`\n${title}`);
  const contenders = new Map<string, PredictContender>();
  for (const [name, make] of makers) contenders.set(name, await make());
  const checks: string[] = [];
  const outputs = new Map<string, number[]>();
  for (const [name, c] of contenders) {
    await c.activate?.();
    outputs.set(name, Array.from(c.predictOne(input)));
  }
  const [refName] = makers[0]!;
  const ref = outputs.get(refName)!;
  const diffs = [...outputs].map(([n, o]) => [n, maxAbsDiff(o, ref)] as const);
  const bad = diffs.filter(([, d]) => !(d <= PREDICT_TOL));
  if (bad.length > 0) {
    throw new Error(`${title}: predictions disagree with ${refName} (${[...outputs].map(([n, o]) => `${n} [${o.map((v) => v.toPrecision(6)).join(', ')}]`).join('; ')})`);
  }
  checks.push(`${refName} output [${ref.slice(0, 4).map((v) => v.toPrecision(6)).join(', ')}${ref.length > 4 ? ', …' : ''}]; max |Δ| vs it: ${diffs.filter(([n]) => n !== refName).map(([n, d]) => `${n} ${d.toExponential(1)}`).join(', ')}`);

  const timed = new Map<string, Timed>();
  for (const [name, c] of contenders) {
    await c.activate?.();
    // Probe: calls per millisecond over ~PROBE_MS after a warm-up of the same length (JIT tier-up),
    // to size the calls per timed sample.
    const burst = (ms: number): number => {
      let calls = 0;
      const t0 = performance.now();
      do {
        for (let i = 0; i < 10; i++) sink += c.predictOne(input)[0]!;
        calls += 10;
      } while (performance.now() - t0 < ms);
      return (performance.now() - t0) / calls;
    };
    burst(PROBE_MS);
    const perCall = burst(PROBE_MS);
    const reps = Math.max(1, Math.ceil(PREDICT_SAMPLE_MS / Math.max(perCall, 1e-6)));
    const fn = (): void => {
      for (let i = 0; i < reps; i++) sink += c.predictOne(input)[0]!;
    };
    timed.set(name, { fn, async: false, activate: c.activate?.bind(c), reps, probeMs: perCall * reps, samples: [], roundMedians: [] });
  }
  await alternate(id, timed);
  const rows: Row[] = [];
  for (const [name, t] of timed) {
    rows.push({ workload: title, contender: name, api: (contenders.get(name) as Partial<SimdnetPredict>).api, stats: stats(t.samples), roundMedians: t.roundMedians,
      note: t.reps > 1 ? `${t.reps} calls per sample` : undefined });
  }
  for (const c of contenders.values()) c.dispose();
  return { id, title, rows, checks, warnings: [] };
}

// ---------------------------------------------------------------------------------------------
// Report

function markdownTable(results: WorkloadResult[]): string {
  const header = ['workload', 'contender', 'median', 'min–max', 'samples', 'simdnet÷peer'];
  const lines = [`| ${header.join(' | ')} |`, '| --- | --- | ---: | ---: | ---: | ---: |'];
  for (const w of results) {
    for (const r of w.rows) {
      const who = r.api && r.api !== 'trainer' && r.api !== 'predictOne' ? `${r.contender} (${r.api})` : r.contender;
      const s = r.stats;
      const cells = s === undefined
        ? [w.title, who, `—, ${r.note ?? 'skipped'}`, '—', '—', '—']
        : [w.title, who, fmtMs(s.median), `${fmtMs(s.min)}–${fmtMs(s.max)}`, String(s.samples), fmtRatio(r.ratio)];
      lines.push(`| ${cells.join(' | ')} |`);
    }
  }
  return lines.join('\n');
}

function numpyRow(title: string, entry: NumpyEntry, how: string, fp: string): Row {
  const match = entry.fingerprint === fp;
  return {
    workload: title, contender: 'numpy (reference, separate process)',
    stats: { median: entry.median_ms, mean: NaN, min: entry.min_ms, max: entry.max_ms, p25: NaN, p75: NaN, samples: entry.samples },
    firstCost: entry.first_cost, costAfterStep: entry.cost_after_step,
    note: `${how}; ${match ? 'same inputs' : 'DIFFERENT inputs (random, fingerprint mismatch)'}`,
  };
}

// ---------------------------------------------------------------------------------------------
// The run

async function main(): Promise<void> {
  const started = performance.now();
  const date = new Date();
  const loadAtStart = os.loadavg();
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown';
  const resultsDir = new URL('./results/', import.meta.url);
  await mkdir(resultsDir, { recursive: true });

  log('preparing parameters and data…');
  const builds = await buildSnapshots();
  gitHead();
  const problems = await makeProblems();
  await initTfjs();
  const tfInfo = await tfjsInfo();

  const numpy = await numpyReference(problems, resultsDir);
  const catFp = problemFingerprint(problems.cat);
  const mlpFp = problemFingerprint(problems.mlp);
  const globalWarnings: string[] = [];
  if (numpy.report) {
    for (const [name, entry, fp] of [['cat', numpy.report.cat, catFp], ['mlp', numpy.report.mlp, mlpFp]] as const) {
      log(`  numpy ${name}: first cost ${entry.first_cost}, median ${fmtMs(entry.median_ms)}${entry.fingerprint === fp ? '' : ' (different inputs)'}`);
    }
  }

  const results: WorkloadResult[] = [];
  const brainSkip = (why: string): Row => ({ workload: '', contender: 'brain.js', note: `n/a: ${why}` });

  // 1. Cat GD step.
  const catTitle = '1. cat [12288,20,7,5,1] GD step, m=209';
  const cat = await trainWorkload('cat', catTitle, problems.cat, [
    ['simdnet simd', () => simdnetTrainer(problems.cat, 'simd')],
    ['simdnet scalar', () => simdnetTrainer(problems.cat, 'scalar')],
    ['pure TS twin', async () => twinTrainer(problems.cat)],
    ['tfjs wasm', () => tfjsTrainer(problems.cat, 'wasm')],
    ['tfjs cpu', () => tfjsTrainer(problems.cat, 'cpu')],
  ], [brainSkip('one activation for all layers and per-example MSE-delta training; no full-batch BCE step')]);
  const simdCat = cat.contenders.get('simdnet simd') as SimdnetTrain;
  const memory = {
    simdBytes: simdCat.kernels.memoryBytes,
    simdOpenBytes: simdCat.openBytes,
    scalarBytes: (cat.contenders.get('simdnet scalar') as SimdnetTrain).kernels.memoryBytes,
    tfjsWasm: await tfjsWasmMemory(),
    rssBytes: process.memoryUsage().rss,
  };
  for (const c of cat.contenders.values()) c.dispose();
  if (numpy.report) {
    const row = numpyRow(catTitle, numpy.report.cat, numpy.how, catFp);
    if (numpy.report.cat.fingerprint === catFp) {
      const d = relDiff(numpy.report.cat.first_cost, cat.rows[0]!.firstCost!);
      if (!(d <= FIRST_COST_TOL)) throw new Error(`${catTitle}: numpy's first cost ${numpy.report.cat.first_cost} differs from simdnet's ${cat.rows[0]!.firstCost} by ${d} relative`);
      cat.checks.push(`numpy first cost ${numpy.report.cat.first_cost.toPrecision(7)}, after one step ${numpy.report.cat.cost_after_step.toPrecision(7)}`);
    }
    cat.rows.push(row);
  }
  addRatios(cat.rows, 'simdnet simd');
  results.push(cat);

  // 2. MLP Adam step.
  const mlpTitle = '2. MLP [784,128,64,10] Adam step, batch 128';
  const mlp = await trainWorkload('mlp', mlpTitle, problems.mlp, [
    ['simdnet simd', () => simdnetTrainer(problems.mlp, 'simd')],
    ['simdnet scalar', () => simdnetTrainer(problems.mlp, 'scalar')],
    ['pure TS twin', async () => twinTrainer(problems.mlp)],
    ['tfjs wasm', () => tfjsTrainer(problems.mlp, 'wasm')],
    ['tfjs cpu', () => tfjsTrainer(problems.mlp, 'cpu')],
  ], [brainSkip('no softmax output, no batched cross-entropy Adam step')]);
  for (const c of mlp.contenders.values()) c.dispose();
  if (numpy.report) {
    const row = numpyRow(mlpTitle, numpy.report.mlp, numpy.how, mlpFp);
    if (numpy.report.mlp.fingerprint === mlpFp) {
      const d = relDiff(numpy.report.mlp.first_cost, mlp.rows[0]!.firstCost!);
      if (!(d <= FIRST_COST_TOL)) throw new Error(`${mlpTitle}: numpy's first cost ${numpy.report.mlp.first_cost} differs from simdnet's ${mlp.rows[0]!.firstCost} by ${d} relative`);
      mlp.checks.push(`numpy first cost ${numpy.report.mlp.first_cost.toPrecision(7)}, after one step ${numpy.report.mlp.cost_after_step.toPrecision(7)}`);
    }
    mlp.rows.push(row);
  }
  addRatios(mlp.rows, 'simdnet simd');
  results.push(mlp);

  // 3 and 4. Predict latency, as specified, then the all-sigmoid forms brain.js can express.
  const predictMakers = (spec: NetSpec): [string, Maker<PredictContender>][] => [
    ['simdnet simd', () => simdnetPredictor(spec, 'simd')],
    ['simdnet scalar', () => simdnetPredictor(spec, 'scalar')],
    ['pure TS twin', async () => twinPredictor(spec)],
    ['tfjs wasm', () => tfjsPredictor(spec, 'wasm')],
    ['tfjs cpu', () => tfjsPredictor(spec, 'cpu')],
  ];
  const brainMakers = (spec: NetSpec): [string, Maker<PredictContender>][] => [
    ['simdnet simd', () => simdnetPredictor(spec, 'simd')],
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
    addRatios(w.rows, 'simdnet simd');
    results.push(w);
    const b = await predictWorkload(`${id}-sigmoid`, brainTitle, input, brainMakers(brainSpec));
    addRatios(b.rows, 'simdnet simd');
    results.push(b);
  }

  const wallSeconds = (performance.now() - started) / 1000;
  const loadAtEnd = os.loadavg();
  const busy = loadAtStart[0]! > BUSY_LOAD * os.cpus().length;
  const apis = [...new Set(results.flatMap((w) => w.rows.filter((r) => r.api).map((r) => r.api!)))];
  const warnings = [...globalWarnings, ...results.flatMap((w) => w.warnings)];
  const mib = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;
  const out = [
    '# simdnet vs peers',
    '',
    `- node: ${process.version} (V8 ${process.versions.v8}), tinybench ${await pkgVersion('tinybench')}; tfjs-core ${tfInfo.version} (wasm backend: ${tfInfo.wasmThreads} thread, SIMD ${tfInfo.wasmSimd ? 'on' : 'off'}), brain.js ${await pkgVersion('brain.js')}`,
    `- CPU: ${cpu} (${os.cpus().length} logical cores); every contender single-threaded`,
    `- date: ${date.toISOString()}`,
    `- load average (1/5/15 min) at start: ${loadAtStart.map((x) => x.toFixed(2)).join(' / ')}; at end: ${loadAtEnd.map((x) => x.toFixed(2)).join(' / ')}${busy ? ' — WARNING: the machine was busy; timings are noisy (rounds alternate, so the ratios suffer less than the absolute times)' : ''}`,
    `- cat data: ${problems.catData} (${problems.catDataNote}); f32 everywhere; parameters seeded (${SEED}), identical for every contender`,
    `- simdnet APIs used: ${apis.join(', ')}; binaries read once at start: ${Object.values(builds).map((b) => `${b.build} ${b.sha256.slice(0, 12)} (${b.bytes} B, built ${b.mtime})`).join(', ')}; git ${gitHead()}`,
    `- simdnet peak WASM memory after the cat run: ${mib(memory.simdBytes)} (simd module; ${mib(memory.simdOpenBytes)} once the trainer was open, before the bench's evaluate() cost checks), ${mib(memory.scalarBytes)} (scalar module); tfjs wasm heap ${mib(memory.tfjsWasm.heapBytes)} (all tfjs-wasm contenders so far); process RSS ${mib(memory.rssBytes)}`,
    `- numpy reference: ${numpy.report ? `numpy ${numpy.report.numpy}, ${numpy.report.blas}, ${numpy.how}` : numpy.how}`,
    `- ${ROUNDS} alternating rounds per workload; medians and min–max over all samples; predict samples time a burst of calls (latency = sample / calls)`,
    `- simdnet÷peer = peer median / simdnet simd median (> 1: simdnet SIMD is that many times faster); in the b rows the reference is simdnet on the all-sigmoid net`,
    ...results.flatMap((w) => w.checks.map((c) => `- check, ${w.title}: ${c}`)),
    ...warnings.map((wn) => `- WARNING: ${wn}`),
    '',
    markdownTable(results),
    '',
    `total wall time: ${wallSeconds.toFixed(1)} s`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);

  const report = {
    meta: {
      date: date.toISOString(), node: process.version, v8: process.versions.v8, tinybench: await pkgVersion('tinybench'),
      tfjs: tfInfo, brainjs: await pkgVersion('brain.js'), cpu, logicalCores: os.cpus().length,
      platform: `${os.platform()} ${os.arch()} ${os.release()}`, wallSeconds, loadAverage: { start: loadAtStart, end: loadAtEnd },
      catData: problems.catData, catDataNote: problems.catDataNote, seed: SEED, quick: QUICK, simdnetApis: apis, git: gitHead(),
      simdnetBuilds: Object.values(builds).map(({ build, bytes, sha256, mtime }) => ({ build, bytes, sha256, mtime })),
      config: { ROUNDS, FAST_ROUND_MS, SLOW_CALL_MS, SLOW_ROUND_MS, PREDICT_SAMPLE_MS, PROBE_MS, FIRST_COST_TOL, AFTER_STEP_TOL, PREDICT_TOL },
    },
    memory,
    numpy: numpy.report,
    workloads: results,
    warnings,
    sink,
  };
  const stamp = date.toISOString().replace(/[:.]/g, '-');
  await writeJson(new URL(`peers-${stamp}.json`, resultsDir), report);
  await writeJson(new URL('peers-latest.json', resultsDir), report);
  log(`wrote bench/results/peers-${stamp}.json and bench/results/peers-latest.json`);
}

try {
  await main();
} catch (e) {
  // Reported here: tfjs-backend-wasm's Emscripten glue rethrows uncaught errors with its whole source.
  process.stderr.write(`\npeers bench aborted: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
}
