// The CLI's commands: train, predict, evaluate, info.
import { stat } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { Network, type NetworkOptions, type HiddenActivation, type OutputActivation } from '../network.js';
import type { FitOptions } from '../train/options.js';
import type { InitKind } from '../init.js';
import type { NormalizeKind } from '../data/normalize.js';
import type { OptimizerKind } from '../kernels.js';
import { decodeModel, encodeModel } from '../io/format.js';
import { boundaryGrid, trainingPlotSvg, type TrainingPlot } from '../plot.js';
import { choice, num, optionHelp, parse, str, UsageError, type Specs } from './args.js';
import { edgeModelInfo, exportEdgeWasm } from '../io/edge.js';
import { isMissingPackage } from '../runtime/optional.js';
import { classesOf, classIndices, loadData, readUserFile, writeFileAtomic, type CliData } from './data.js';
import { Progress, formatSeconds } from './progress.js';
import { svgToPng } from './png.js';

/** Where the command writes: stdout for results, stderr for progress and notes. */
export interface Io {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown; isTTY?: boolean; columns?: number };
}

const HIDDEN = ['relu', 'tanh', 'sigmoid', 'leakyRelu', 'linear'] as const;
const OUTPUTS = ['sigmoid', 'softmax', 'linear'] as const;
const INITS = ['zeros', 'small', 'course', 'he', 'xavier'] as const;
const OPTIMIZERS = ['gd', 'momentum', 'rmsprop', 'adam'] as const;
const BUILDS = ['auto', 'simd', 'relaxed', 'scalar'] as const;

/** Default model file of train. */
export const DEFAULT_MODEL = 'simdnet-model.snet';

const DATA_SPECS: Specs = {
  data: { type: 'string', value: 'planar|FILE', help: "the data: 'planar', 'circles', 'moons', 'football' (built in), FILE.h5 or FILE.csv" },
  x: { type: 'string', value: 'NAME', help: 'HDF5: dataset of the inputs (default: the *_x of a *_x/*_y pair)' },
  y: { type: 'string', value: 'NAME', help: 'HDF5: dataset of the labels (default: the matching *_y)' },
  label: { type: 'string', value: 'COLUMN', help: 'CSV: the label column (name or 0-based index)' },
};

export const TRAIN_SPECS: Specs = {
  ...DATA_SPECS,
  data: { ...DATA_SPECS.data!, help: "training data: 'planar' (default), 'circles', 'moons', 'football', FILE.h5 or FILE.csv" },
  test: { type: 'string', value: 'FILE', help: 'test data, same format; its accuracy and cost are reported' },
  layers: { type: 'string', value: 'N,N,...', help: "hidden layer sizes, e.g. 20,7,5 ('none' for logistic regression); n_x and n_y come from the data" },
  hidden: { type: 'string', value: 'ACT', help: 'hidden activation, or one per layer: relu, tanh, sigmoid, leakyRelu, linear' },
  output: { type: 'string', value: 'ACT', help: 'output: sigmoid (2 classes), softmax (more), linear (regression)' },
  init: { type: 'string', value: 'KIND', help: 'weights: zeros, small, course, he, xavier' },
  dtype: { type: 'string', value: 'TYPE', help: 'float32 or float64' },
  iterations: { type: 'string', value: 'N', help: 'optimiser steps' },
  epochs: { type: 'string', value: 'N', help: 'passes over the data (instead of --iterations)' },
  'batch-size': { type: 'string', value: 'N', help: 'examples per step (default: all)' },
  lr: { type: 'string', value: 'RATE', help: 'learning rate' },
  optimizer: { type: 'string', value: 'NAME', help: 'gd, momentum, rmsprop or adam' },
  l2: { type: 'string', value: 'LAMBDA', help: 'L2 regularisation λ' },
  'keep-prob': { type: 'string', value: 'P', help: 'dropout keep probability on hidden layers (1 = off)' },
  normalize: { type: 'string', value: 'KIND', help: 'input normaliser saved with the model: none, standardize, minmax' },
  seed: { type: 'string', value: 'N', help: 'random seed' },
  rng: { type: 'string', value: 'KIND', help: "numpy (np.random.seed + randn, bit for bit) or fast" },
  'cost-every': { type: 'string', value: 'N', help: 'record the cost every N iterations (epochs with --epochs)' },
  stream: { type: 'boolean', help: 'CSV: read the file in chunks while training (Network.fitDataset; automatic from 256 MiB)' },
  'chunk-rows': { type: 'string', value: 'N', help: 'CSV with --stream: rows per chunk (default 65536, a multiple of --batch-size)' },
  build: { type: 'string', value: 'BUILD', help: 'kernel binary: auto, simd, relaxed, scalar' },
  save: { type: 'string', value: 'FILE', help: `where to save the model (default ./${DEFAULT_MODEL})` },
  'no-save': { type: 'boolean', help: 'do not save the model' },
  plot: { type: 'string', value: 'FILE', help: 'draw the cost curve (and the decision boundary for 2-D data) to FILE.svg or FILE.png' },
  json: { type: 'boolean', help: 'print the result as JSON on stdout (and nothing else there)' },
  quiet: { type: 'boolean', short: 'q', help: 'no progress output' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

export const PREDICT_SPECS: Specs = {
  model: { type: 'string', value: 'FILE', help: `model file (default ./${DEFAULT_MODEL})` },
  ...DATA_SPECS,
  build: TRAIN_SPECS.build!,
  json: { type: 'boolean', help: 'print JSON instead of CSV' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

export const EVALUATE_SPECS: Specs = {
  model: PREDICT_SPECS.model!,
  ...DATA_SPECS,
  build: TRAIN_SPECS.build!,
  plot: { type: 'string', value: 'FILE', help: 'for 2-D data, draw the decision boundary with the points to FILE.svg or FILE.png' },
  json: { type: 'boolean', help: 'print the result as JSON' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

export const INFO_SPECS: Specs = {
  model: PREDICT_SPECS.model!,
  json: { type: 'boolean', help: 'print the model description as JSON' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

export const EXPORT_SPECS: Specs = {
  model: PREDICT_SPECS.model!,
  edge: { type: 'boolean', help: 'write a self-contained .wasm with the weights baked in and predict(in_ptr, m, out_ptr)' },
  onnx: { type: 'boolean', help: 'write an ONNX model (Gemm + activation per layer, the normaliser in front; see docs/serving.md)' },
  opset: { type: 'string', value: 'N', help: 'with --onnx: the ONNX opset to declare, 13 (default) to 21' },
  out: { type: 'string', value: 'FILE', help: 'where to write it (default: the model path with .wasm or .onnx)' },
  build: { type: 'string', value: 'scalar|simd', help: 'scalar (default: runs on interpreters without SIMD, e.g. wasm3) or simd' },
  quantize: { type: 'string', value: 'none|int8', help: 'with --edge: int8 bakes int8 weights (one scale per unit; about a quarter of the size, see docs/edge.md)' },
  json: { type: 'boolean', help: 'print the result as JSON' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

/** What the CLI keeps in the model file beside the library's metadata, so predict reads data the same way. */
interface CliMeta {
  data: CliData['source']['kind'];
  features?: string[];
  label?: string;
  x?: string;
  y?: string;
}

/** The course's planar settings: the default job. */
const PLANAR_DEFAULTS = { layers: [4], hidden: 'tanh' as HiddenActivation, init: 'small' as InitKind, rng: 'numpy' as const, seed: 2, lr: 1.2, iterations: 10000 };
/** Any other data: the course's L-layer model (relu, randn/√n init, lr 0.0075, 2500 iterations). */
const GENERAL_DEFAULTS = { layers: [20, 7, 5], hidden: 'relu' as HiddenActivation, init: 'course' as InitKind, rng: 'numpy' as const, seed: 1, lr: 0.0075, iterations: 2500 };

export function parseLayers(raw: string | undefined, fallback: number[]): number[] {
  if (raw === undefined) return fallback;
  if (raw.trim().toLowerCase() === 'none') return [];
  return raw.split(',').map((s) => {
    const v = Number(s.trim());
    if (!Number.isInteger(v) || v < 1 || v > 1 << 24) throw new UsageError(`--layers takes positive integers separated by commas (e.g. 20,7,5), got '${raw}'`);
    return v;
  });
}

export function parseHidden(raw: string | undefined, hiddenLayers: number, fallback: HiddenActivation): HiddenActivation | HiddenActivation[] {
  if (raw === undefined) return fallback;
  const list = raw.split(',').map((s) => s.trim());
  for (const a of list) if (!HIDDEN.includes(a as HiddenActivation)) throw new UsageError(`--hidden must be one of ${HIDDEN.join(', ')} (or one per layer, comma-separated); got '${a}'`);
  if (list.length === 1) return list[0] as HiddenActivation;
  if (list.length !== hiddenLayers) throw new UsageError(`--hidden lists ${list.length} activations but --layers has ${hiddenLayers} hidden layers`);
  return list as HiddenActivation[];
}

/** Reads and decodes a model file; bad files are usage errors. */
async function openModel(path: string, build: (typeof BUILDS)[number] | undefined): Promise<{ net: Network; cli: CliMeta | null; bytes: Uint8Array }> {
  const bytes = await readUserFile(path, 'model file');
  let net: Network;
  let meta: Record<string, unknown>;
  try {
    meta = decodeModel(bytes).meta;
    net = await Network.load(bytes, build && build !== 'auto' ? { kernels: { build } } : {});
  } catch (e) {
    const msg = (e as Error).message.replace(/^simdnet: /, '');
    throw new UsageError(`'${path}' is not a usable simdnet model: ${msg}`);
  }
  const cli = typeof meta.cli === 'object' && meta.cli !== null ? (meta.cli as CliMeta) : null;
  return { net, cli, bytes };
}

/** Class names of a loaded model: its labels, or '0'..'K-1'. */
function modelClasses(net: Network): string[] | null {
  const output = net.activations[net.activations.length - 1];
  if (output === 'linear') return null;
  const nY = net.layerSizes[net.layerSizes.length - 1]!;
  return net.labels ?? Array.from({ length: Math.max(2, nY) }, (_, i) => String(i));
}

/** Targets for the network from text labels: class indices, or values for a linear output. */
function targetsFor(data: CliData, classes: string[] | null, where: string): number[] {
  const labels = data.labels!;
  if (classes !== null) return classIndices(labels, classes, where);
  return labels.map((s, e) => {
    const v = Number(s);
    if (s.trim() === '' || !Number.isFinite(v)) throw new UsageError(`${where}: example ${e} has target '${s}', not a number (a linear output does regression)`);
    return v;
  });
}

/** Predicted class per example from the network's outputs (m × nY, row-major). */
function predictedClasses(out: ArrayLike<number>, m: number, nY: number): Int32Array {
  const cls = new Int32Array(m);
  for (let e = 0; e < m; e++) {
    if (nY === 1) {
      cls[e] = out[e]! > 0.5 ? 1 : 0;
      continue;
    }
    let best = 0;
    for (let r = 1; r < nY; r++) if (out[e * nY + r]! > out[e * nY + best]!) best = r;
    cls[e] = best;
  }
  return cls;
}

/** The decision-boundary panel for 2-D data, or undefined when the data is not 2-D or the output is linear. */
function boundaryOf(net: Network, data: CliData, classes: string[] | null, title: string): TrainingPlot['boundary'] {
  const [n, m] = data.X.shape;
  if (n !== 2 || classes === null) return undefined;
  const x = data.X.data.subarray(0, m);
  const y = data.X.data.subarray(m, 2 * m);
  const { grid, centres } = boundaryGrid(x, y, 200, 1);
  const nY = net.layerSizes[net.layerSizes.length - 1]!;
  const out = net.predict(centres).data;
  const points = data.labels ? Int32Array.from(classIndices(data.labels, classes, 'plot')) : predictedClasses(net.predict(data.X, { layout: 'features-first' }).data, m, nY);
  return { grid: { ...grid, classes: predictedClasses(out, grid.nx * grid.ny, nY) }, points: { x, y, classes: points }, title, labels: classes };
}

/** Writes a plot as SVG, or PNG when the file name says so. */
async function writePlot(path: string, svg: string, io: Io): Promise<void> {
  const ext = extname(path).toLowerCase();
  if (ext === '.svg') return writeFileAtomic(path, svg);
  if (ext === '.png') return writeFileAtomic(path, await svgToPng(svg, (w) => io.stderr.write(`simdnet: ${w}\n`)));
  throw new UsageError(`--plot writes .svg or .png files; got '${path}'`);
}

/** Throws a usage error when the directory that would hold `path` does not exist. */
async function checkWritableDir(path: string): Promise<void> {
  const dir = dirname(path);
  const info = await stat(dir).catch(() => null);
  if (info === null || !info.isDirectory()) throw new UsageError(`cannot write '${path}': no such directory '${dir}'`);
}

function checkPlotPath(path: string | undefined): void {
  if (path !== undefined && !['.svg', '.png'].includes(extname(path).toLowerCase())) throw new UsageError(`--plot writes .svg or .png files; got '${path}'`);
}

const pct = (a: number): string => `${(a * 100).toFixed(2)} %`;

/** simdnet train */
export async function train(argv: string[], io: Io): Promise<number> {
  const { values: v } = parse('train', argv, TRAIN_SPECS);
  if (v.help) return help(io, 'train');
  const dataSpec = str(v, 'data') ?? 'planar';
  const planar = dataSpec === 'planar';
  const d = planar ? PLANAR_DEFAULTS : GENERAL_DEFAULTS;
  // Every option is checked before any data is read or any training starts.
  const layers = parseLayers(str(v, 'layers'), d.layers);
  const hidden = parseHidden(str(v, 'hidden'), layers.length, d.hidden);
  const outputOpt = choice(v, 'output', OUTPUTS);
  const init = choice(v, 'init', INITS) ?? d.init;
  const dtype = choice(v, 'dtype', ['float32', 'float64'] as const) ?? 'float32';
  const iterations = num(v, 'iterations', 'positive-int');
  const epochs = num(v, 'epochs', 'positive-int');
  if (iterations !== undefined && epochs !== undefined) throw new UsageError('give --iterations or --epochs, not both');
  const batchSize = num(v, 'batch-size', 'positive-int');
  const lr = num(v, 'lr', 'positive') ?? d.lr;
  const optimizer = choice(v, 'optimizer', OPTIMIZERS) as OptimizerKind | undefined;
  const l2 = num(v, 'l2', 'nonnegative');
  const keepProb = num(v, 'keep-prob', 'probability');
  const normalize = choice(v, 'normalize', ['none', 'standardize', 'minmax'] as const) as NormalizeKind | undefined;
  const seed = num(v, 'seed', 'int') ?? d.seed;
  const rng = choice(v, 'rng', ['numpy', 'fast'] as const) ?? d.rng;
  const costEvery = num(v, 'cost-every', 'positive-int');
  const build = choice(v, 'build', BUILDS);
  const savePath = v['no-save'] ? null : (str(v, 'save') ?? `./${DEFAULT_MODEL}`);
  if (v['no-save'] && v.save !== undefined) throw new UsageError('give --save FILE or --no-save, not both');
  const plotPath = str(v, 'plot');
  checkPlotPath(plotPath);
  const json = v.json === true;
  const note = (s: string): void => { if (!json) io.stdout.write(`${s}\n`); };

  const dataOpts = { x: str(v, 'x'), y: str(v, 'y'), label: str(v, 'label'), needLabels: true };
  const data = await loadData(dataSpec, { ...dataOpts, role: 'train' });
  const testSpec = str(v, 'test');
  const test = testSpec === undefined ? null : await loadData(testSpec, { ...dataOpts, role: 'test', features: data.features });
  const [nX, m] = data.X.shape;
  if (test !== null && test.X.shape[0] !== nX) throw new UsageError(`the test data has ${test.X.shape[0]} features but the training data has ${nX}`);

  // The task follows the labels: two classes → one sigmoid unit, more → softmax, --output linear → regression.
  let output: OutputActivation;
  let classes: string[] | null;
  if (outputOpt === 'linear') {
    output = 'linear';
    classes = null;
  } else {
    classes = classesOf(data);
    if (test !== null) for (const c of classesOf(test)) if (!classes.includes(c)) classes.push(c);
    if (classes.length < 2) throw new UsageError(`the labels hold a single class ('${classes[0]}'); classification needs at least two`);
    output = outputOpt ?? (classes.length === 2 ? 'sigmoid' : 'softmax');
    if (output === 'sigmoid' && classes.length > 2) throw new UsageError(`a sigmoid output separates two classes; the labels hold ${classes.length} (use --output softmax)`);
  }
  const nY = output === 'sigmoid' || output === 'linear' ? 1 : classes!.length;
  if (batchSize !== undefined && batchSize > m) throw new UsageError(`--batch-size ${batchSize} is larger than the ${m} training examples`);
  // Fail before training, not after it, when the model or the plot cannot be written.
  for (const path of [savePath, plotPath]) if (path) await checkWritableDir(path);
  const Y = targetsFor(data, classes, 'training data');
  const testY = test === null ? null : targetsFor(test, classes, 'test data');

  const netOptions: NetworkOptions = {
    layers: [nX, ...layers, nY], hidden, output, init, dtype, seed, rng,
    ...(classes ? { labels: classes } : {}), ...(normalize ? { normalize } : {}),
    ...(build && build !== 'auto' ? { kernels: { build } } : {}),
  };
  const net = await Network.create(netOptions);
  try {
    const total = epochs !== undefined ? epochs * Math.ceil(m / (batchSize ?? m)) : (iterations ?? d.iterations);
    const arch = [nX, ...layers.map((u) => `${u}`), `${nY}`].join(' → ');
    const hiddenDesc = layers.length === 0 ? '' : ` ${Array.isArray(hidden) ? hidden.join('/') : hidden},`;
    note(`simdnet: training ${arch} (${hiddenDesc} ${output} output, ${dtype}, ${net.kernels.build} kernels) on ${data.description}`.replace('( ', '('));
    note(`         ${m} examples, ${epochs !== undefined ? `${epochs} epochs (${total} steps)` : `${total} iterations`}, ${optimizer ?? 'gd'}, lr ${lr}`);
    const progress = v.quiet ? null : new Progress(io.stderr);
    const fitOptions: FitOptions = {
      learningRate: lr, layout: 'features-first',
      ...(epochs !== undefined ? { epochs } : { iterations: iterations ?? d.iterations }),
      ...(batchSize !== undefined ? { batchSize } : {}), ...(optimizer ? { optimizer } : {}),
      ...(l2 !== undefined ? { l2 } : {}), ...(keepProb !== undefined ? { keepProb } : {}),
      ...(costEvery !== undefined ? { costEvery } : {}),
      onProgress: progress ? (p) => progress.update({ iteration: p.iteration, total: p.totalIterations, cost: p.cost, elapsedMs: p.elapsedMs }) : undefined,
    };
    if (fitOptions.onProgress === undefined) delete fitOptions.onProgress;
    const history = await net.fit(data.X, Y, fitOptions);
    const trainEval = net.evaluate(data.X, Y, { layout: 'features-first' });
    progress?.update({ iteration: history.iterations, total: history.iterations, cost: trainEval.cost, elapsedMs: history.timeMs }, true);
    progress?.finish();
    const testEval = test === null ? null : net.evaluate(test.X, testY!, { layout: 'features-first' });
    const seconds = history.timeMs / 1000;

    let saved: string | null = null;
    if (savePath !== null) {
      const rec = decodeModel(net.save());
      const cli: CliMeta = { data: data.source.kind };
      if (data.features) cli.features = data.features;
      if (data.source.label) cli.label = data.source.label;
      if (data.source.x) cli.x = data.source.x;
      if (data.source.y) cli.y = data.source.y;
      rec.meta.cli = cli;
      await writeFileAtomic(savePath, encodeModel(rec));
      saved = savePath;
    }
    let plotted: string | null = null;
    if (plotPath !== undefined) {
      const plot: TrainingPlot = { costs: history.costs, title: `Learning rate = ${lr}` };
      const boundary = boundaryOf(net, data, classes, `Decision boundary, ${layers.length ? `hidden ${layers.join(',')}` : 'logistic regression'}`);
      if (boundary) plot.boundary = boundary;
      await writePlot(plotPath, trainingPlotSvg(plot), io);
      plotted = plotPath;
    }

    if (json) {
      const metric = (e: { accuracy: number; cost: number }) => ({ accuracy: Number.isNaN(e.accuracy) ? null : e.accuracy, cost: e.cost });
      io.stdout.write(`${JSON.stringify({
        costs: history.costs.map((c) => ({ iteration: c.iteration, cost: c.cost })),
        train: metric(trainEval),
        test: testEval === null ? null : metric(testEval),
        seconds, model: saved,
        iterations: history.iterations, epochs: history.epochs,
        layers: [...net.layerSizes], dtype, build: net.kernels.build, plot: plotted,
      })}\n`);
      return 0;
    }
    const acc = (e: { accuracy: number; cost: number }) => (Number.isNaN(e.accuracy) ? `cost ${e.cost.toFixed(6)}` : `accuracy ${pct(e.accuracy)}  (cost ${e.cost.toFixed(6)})`);
    note(`train ${acc(trainEval)}`);
    if (testEval !== null) note(`test  ${acc(testEval)}`);
    note(`time  ${formatSeconds(seconds)} (${history.iterations} iterations, ${(history.iterations / Math.max(seconds, 1e-9)).toFixed(0)} it/s)`);
    if (saved !== null) note(`saved model to ${saved}`);
    if (plotted !== null) note(`plot written to ${plotted}`);
    return 0;
  } finally {
    net.dispose();
  }
}

/** Loads the data for predict/evaluate the way the model was trained, checking its width. */
async function dataForModel(v: Record<string, string | boolean | undefined>, cli: CliMeta | null, net: Network, needLabels: boolean): Promise<CliData> {
  const spec = str(v, 'data');
  if (spec === undefined) throw new UsageError('name the data with --data FILE (or --data planar)');
  const kind = spec === 'planar' ? 'planar' : extname(spec).toLowerCase() === '.csv' ? 'csv' : 'hdf5';
  const label = str(v, 'label') ?? (kind === 'csv' && needLabels ? cli?.label : undefined);
  const data = await loadData(spec, {
    x: str(v, 'x'), y: str(v, 'y'), label, needLabels, role: 'test',
    features: kind === 'csv' && cli?.features ? cli.features : null,
  });
  const nX = net.layerSizes[0]!;
  if (data.X.shape[0] !== nX) throw new UsageError(`the data has ${data.X.shape[0]} features per example but the model expects ${nX}`);
  return data;
}

/** simdnet predict */
export async function predict(argv: string[], io: Io): Promise<number> {
  const { values: v, positionals } = parse('predict', argv, PREDICT_SPECS, 1);
  if (v.help) return help(io, 'predict');
  const modelPath = str(v, 'model') ?? positionals[0] ?? `./${DEFAULT_MODEL}`;
  const build = choice(v, 'build', BUILDS);
  const { net, cli } = await openModel(modelPath, build);
  try {
    const data = await dataForModel(v, cli, net, false);
    const out = net.predict(data.X, { layout: 'features-first' });
    const [m, nY] = out.shape;
    const classes = modelClasses(net);
    const rows: number[][] = [];
    for (let e = 0; e < m; e++) rows.push(Array.from(out.data.subarray(e * nY, (e + 1) * nY)));
    if (classes === null) {
      if (v.json) io.stdout.write(`${JSON.stringify({ predictions: rows.map((r) => (nY === 1 ? r[0] : r)), probabilities: null, labels: null })}\n`);
      else io.stdout.write(`prediction\n${rows.map((r) => r.join(' ')).join('\n')}\n`);
      return 0;
    }
    const cls = predictedClasses(out.data, m, nY);
    // One probability per class: for a sigmoid unit, [1 − p, p].
    const probs = rows.map((r) => (nY === 1 ? [1 - r[0]!, r[0]!] : r));
    if (v.json) {
      io.stdout.write(`${JSON.stringify({ predictions: Array.from(cls, (c) => classes[c]), probabilities: probs, labels: classes })}\n`);
      return 0;
    }
    const lines = [`prediction,${classes.map((c) => `p(${c.replace(/[",\n]/g, '_')})`).join(',')}`];
    for (let e = 0; e < m; e++) lines.push(`${csvField(classes[cls[e]!]!)},${probs[e]!.map((p) => p.toPrecision(6)).join(',')}`);
    io.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    net.dispose();
  }
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** simdnet evaluate */
export async function evaluate(argv: string[], io: Io): Promise<number> {
  const { values: v, positionals } = parse('evaluate', argv, EVALUATE_SPECS, 1);
  if (v.help) return help(io, 'evaluate');
  const modelPath = str(v, 'model') ?? positionals[0] ?? `./${DEFAULT_MODEL}`;
  const build = choice(v, 'build', BUILDS);
  const plotPath = str(v, 'plot');
  checkPlotPath(plotPath);
  const { net, cli } = await openModel(modelPath, build);
  try {
    const data = await dataForModel(v, cli, net, true);
    const classes = modelClasses(net);
    const Y = targetsFor(data, classes, 'data');
    const result = net.evaluate(data.X, Y, { layout: 'features-first' });
    let plotted: string | null = null;
    if (plotPath !== undefined) {
      const boundary = boundaryOf(net, data, classes, 'Decision boundary');
      if (boundary === undefined) throw new UsageError('--plot draws a decision boundary, which needs 2-feature data and a classifier');
      await writePlot(plotPath, trainingPlotSvg({ costs: null, boundary }), io);
      plotted = plotPath;
    }
    const accuracy = Number.isNaN(result.accuracy) ? null : result.accuracy;
    if (v.json) {
      io.stdout.write(`${JSON.stringify({ examples: data.X.shape[1], accuracy, cost: result.cost, confusion: result.confusion, labels: classes, plot: plotted })}\n`);
      return 0;
    }
    const lines = [`examples  ${data.X.shape[1]}`];
    if (accuracy !== null) lines.push(`accuracy  ${pct(accuracy)}`);
    lines.push(`cost      ${result.cost.toFixed(6)}`);
    if (result.confusion && classes) {
      const names = result.confusion.length === classes.length ? classes : result.confusion.map((_, i) => String(i));
      const w = Math.max(8, ...names.map((s) => s.length + 2));
      lines.push('confusion (rows: actual, columns: predicted)');
      lines.push(`${''.padEnd(w)}${names.map((s) => s.padStart(w)).join('')}`);
      result.confusion.forEach((row, i) => lines.push(`${names[i]!.padEnd(w)}${row.map((c) => String(c).padStart(w)).join('')}`));
    }
    if (plotted) lines.push(`plot written to ${plotted}`);
    io.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    net.dispose();
  }
}

/** simdnet info */
export async function info(argv: string[], io: Io): Promise<number> {
  const { values: v, positionals } = parse('info', argv, INFO_SPECS, 1);
  if (v.help) return help(io, 'info');
  const path = str(v, 'model') ?? positionals[0];
  if (path === undefined) throw new UsageError("name the model: 'simdnet info FILE'");
  const bytes = await readUserFile(path, 'model file');
  if (extname(path).toLowerCase() === '.wasm') {
    // A baked edge module describes itself (custom section simdnet.model_info): no .snet needed.
    const described = edgeModelInfo(bytes);
    if (described === null) throw new UsageError(`'${path}' is a WebAssembly file without a simdnet.model_info section (not a baked simdnet edge module)`);
    if (v.json) {
      io.stdout.write(`${JSON.stringify({ file: path, bytes: bytes.length, ...described })}\n`);
      return 0;
    }
    io.stdout.write(`${path}: simdnet edge module, ${bytes.length} bytes\n${Object.entries(described).map(([k, x]) => `${k.padEnd(11)} ${typeof x === 'object' ? JSON.stringify(x) : String(x)}`).join('\n')}\n`);
    return 0;
  }
  let rec;
  try {
    rec = decodeModel(bytes);
  } catch (e) {
    throw new UsageError(`'${path}' is not a usable simdnet model: ${(e as Error).message.replace(/^simdnet: /, '')}`);
  }
  const size = (await stat(path)).size;
  const parameters = rec.weights.reduce((a, w) => a + w.W.length + w.b.length, 0);
  const meta = rec.meta;
  const training = (meta.training ?? {}) as Record<string, unknown>;
  const description = {
    file: path, bytes: size, dtype: rec.dtype, layers: rec.layers, activations: rec.activations, loss: meta.loss ?? null,
    parameters, normalize: rec.normalizer?.kind ?? 'none', labels: meta.labels ?? null, seed: meta.seed ?? null, rng: meta.rng ?? null,
    training, data: meta.cli ?? null,
  };
  if (v.json) {
    io.stdout.write(`${JSON.stringify(description)}\n`);
    return 0;
  }
  const arch = rec.layers.map((n, i) => (i === 0 ? `${n}` : `${n} (${rec.activations[i - 1]})`)).join(' → ');
  const lines = [
    `${path}: simdnet model, ${size} bytes`,
    `layers      ${arch}`,
    `loss        ${String(meta.loss ?? '?')}`,
    `dtype       ${rec.dtype}`,
    `parameters  ${parameters}`,
    `normalize   ${description.normalize}`,
  ];
  if (Array.isArray(meta.labels)) lines.push(`labels      ${(meta.labels as string[]).join(', ')}`);
  if (Object.keys(training).length > 0) {
    lines.push(`trained     ${Object.entries(training).map(([k, x]) => `${k} ${String(x)}`).join(', ')}`);
  }
  if (meta.seed !== undefined) lines.push(`init        seed ${String(meta.seed)}, rng ${String(meta.rng)}`);
  const cli = meta.cli as CliMeta | undefined;
  if (cli) {
    const parts = [cli.data, cli.x && `x ${cli.x}`, cli.y && `y ${cli.y}`, cli.label && `label column "${cli.label}"`, cli.features && `features ${cli.features.join(', ')}`].filter(Boolean);
    lines.push(`data        ${parts.join(', ')}`);
  }
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** simdnet export --edge */
export async function exportModel(argv: string[], io: Io): Promise<number> {
  const { values: v, positionals } = parse('export', argv, EXPORT_SPECS, 1);
  if (v.help) return help(io, 'export');
  if (v.onnx && v.edge) throw new UsageError('export one kind at a time: --edge or --onnx');
  if (v.onnx && v.quantize !== undefined) throw new UsageError('--quantize goes with --edge (ONNX export writes float weights)');
  if (v.onnx) return exportOnnx(v, positionals, io);
  if (!v.edge) throw new UsageError("say what to export: 'simdnet export --edge MODEL.snet' (a baked .wasm) or 'simdnet export --onnx MODEL.snet'");
  const path = str(v, 'model') ?? positionals[0];
  if (path === undefined) throw new UsageError("name the model: 'simdnet export --edge FILE'");
  const build = choice(v, 'build', ['scalar', 'simd'] as const) ?? 'scalar';
  const quantize = choice(v, 'quantize', ['none', 'int8'] as const) ?? 'none';
  const bytes = await readUserFile(path, 'model file');
  let wasm: Uint8Array;
  try {
    wasm = await exportEdgeWasm(bytes, { build, quantize });
  } catch (e) {
    throw new UsageError(`'${path}' is not a usable simdnet model: ${(e as Error).message.replace(/^simdnet: /, '')}`);
  }
  const out = str(v, 'out') ?? `${path.replace(/\.snet$/, '')}.wasm`;
  await writeFileAtomic(out, wasm);
  if (v.json) io.stdout.write(`${JSON.stringify({ model: path, wasm: out, bytes: wasm.length, build, quantize })}\n`);
  else io.stdout.write(`wrote ${out} (${wasm.length} bytes, ${build} build${quantize === 'int8' ? ', int8 weights' : ''}): instantiate with an empty import object and call predict(in_ptr, m, out_ptr)\n`);
  return 0;
}

/** The ONNX converters, loaded on demand (they need the optional protobufjs package). */
async function onnxConverters(): Promise<typeof import('../io/onnx.js')> {
  try {
    return await import('../io/onnx.js');
  } catch (e) {
    if (isMissingPackage(e, 'protobufjs')) throw new UsageError('ONNX needs the optional package protobufjs, which is not installed: run `npm install protobufjs`');
    throw e;
  }
}

/** simdnet export --onnx */
async function exportOnnx(v: Record<string, string | boolean | undefined>, positionals: string[], io: Io): Promise<number> {
  const path = str(v, 'model') ?? positionals[0];
  if (path === undefined) throw new UsageError("name the model: 'simdnet export --onnx FILE'");
  if (v.build !== undefined) throw new UsageError('--build is for --edge; an ONNX file has no build');
  const opset = num(v, 'opset', 'positive-int');
  const bytes = await readUserFile(path, 'model file');
  const { snetToOnnx } = await onnxConverters();
  let onnx: Uint8Array;
  try {
    onnx = snetToOnnx(bytes, opset === undefined ? {} : { opset });
  } catch (e) {
    const msg = (e as Error).message.replace(/^simdnet: /, '');
    throw new UsageError(/opset/.test(msg) ? msg : `'${path}' is not a usable simdnet model: ${msg}`);
  }
  const out = str(v, 'out') ?? `${path.replace(/\.snet$/, '')}.onnx`;
  await writeFileAtomic(out, onnx);
  if (v.json) io.stdout.write(`${JSON.stringify({ model: path, onnx: out, bytes: onnx.length, opset: opset ?? 13 })}\n`);
  else io.stdout.write(`wrote ${out} (${onnx.length} bytes, ONNX opset ${opset ?? 13}): input 'input' [batch, features], output 'output'\n`);
  return 0;
}

export const IMPORT_SPECS: Specs = {
  out: { type: 'string', value: 'FILE', help: 'where to write the simdnet model (default: the input path with .snet)' },
  weights: { type: 'string', value: 'FILE', help: "TensorFlow.js: the weights file (default: the paths in model.json's weightsManifest)" },
  json: { type: 'boolean', help: 'print the result as JSON' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

/** simdnet import: an ONNX file, or a TensorFlow.js layers model (model.json + weights), into a .snet model. */
export async function importModel(argv: string[], io: Io): Promise<number> {
  const { values: v, positionals } = parse('import', argv, IMPORT_SPECS, 1);
  if (v.help) return help(io, 'import');
  const path = positionals[0];
  if (path === undefined) throw new UsageError("name the model: 'simdnet import FILE.onnx' or 'simdnet import model.json'");
  const tfjs = extname(path).toLowerCase() === '.json';
  if (!tfjs && v.weights !== undefined) throw new UsageError('--weights is for TensorFlow.js model.json files');
  const bytes = await readUserFile(path, tfjs ? 'model.json' : 'ONNX file');
  let snet: Uint8Array;
  try {
    if (tfjs) {
      const { tfjsToSnet } = await import('../io/tfjs.js');
      const text = new TextDecoder().decode(bytes);
      let files = [str(v, 'weights')].filter((f): f is string => f !== undefined);
      if (files.length === 0) {
        try {
          const manifest = (JSON.parse(text) as { weightsManifest?: { paths?: string[] }[] }).weightsManifest ?? [];
          files = manifest.flatMap((g) => g.paths ?? []).map((p) => join(dirname(path), p));
        } catch { /* tfjsToSnet reports the parse error */ }
      }
      snet = tfjsToSnet(text, await Promise.all(files.map((f) => readUserFile(f, 'weights file'))));
    } else {
      snet = (await onnxConverters()).onnxToSnet(bytes);
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`'${path}' cannot be imported: ${(e as Error).message.replace(/^simdnet: /, '')}`);
  }
  const rec = decodeModel(snet);
  const out = str(v, 'out') ?? `${path.replace(/(\.onnx|\.json)$/i, '')}.snet`;
  await writeFileAtomic(out, snet);
  const arch = rec.layers.map((n, i) => (i === 0 ? `${n}` : `${n} (${rec.activations[i - 1]})`)).join(' → ');
  if (v.json) {
    io.stdout.write(`${JSON.stringify({ from: path, model: out, bytes: snet.length, dtype: rec.dtype, layers: rec.layers, activations: rec.activations, normalize: rec.normalizer?.kind ?? 'none' })}\n`);
  } else {
    io.stdout.write(`wrote ${out} (${snet.length} bytes): ${arch}, ${rec.dtype}${rec.normalizer ? ', with an input normaliser' : ''}\n`);
  }
  return 0;
}

const USAGE: Record<string, [string, string, Specs]> = {
  train: ['simdnet train [options]', 'Train a network and save it. With no options: the course\'s planar flower set, one hidden layer of 4 tanh units, 10000 iterations at lr 1.2.', TRAIN_SPECS],
  predict: ['simdnet predict --model FILE --data FILE [--json]', 'Print the predicted class (and class probabilities) of every example, as CSV or JSON.', PREDICT_SPECS],
  evaluate: ['simdnet evaluate --model FILE --data FILE [--json]', 'Print accuracy, cost and the confusion matrix of a model on labelled data.', EVALUATE_SPECS],
  info: ['simdnet info FILE [--json]', 'Describe a saved model (.snet): architecture, dtype, parameters, labels, training settings; or a baked edge module (.wasm) from its model_info section.', INFO_SPECS],
  export: ['simdnet export --edge FILE [--out FILE.wasm] [--build scalar|simd] [--quantize int8] | --onnx FILE [--out FILE.onnx] [--opset N]', 'Write one self-contained .wasm with the weights baked in, for standalone runtimes (see docs/edge.md), or an ONNX model for ONNX Runtime and other engines (see docs/serving.md).', EXPORT_SPECS],
  import: ['simdnet import FILE.onnx|model.json [--out FILE.snet]', 'Convert an ONNX MLP (PyTorch, scikit-learn, Keras via tf2onnx, ...) or a TensorFlow.js layers model into a simdnet model.', IMPORT_SPECS],
};

/** The overall help, or one command's. */
export function help(io: Io, command?: string): number {
  const entry = command === undefined ? undefined : USAGE[command];
  if (entry !== undefined) {
    const [usage, about, specs] = entry;
    io.stdout.write(`usage: ${usage}\n\n${about}\n\noptions:\n${optionHelp(specs)}\n`);
    return 0;
  }
  io.stdout.write(`usage: simdnet <command> [options]

commands:
  train      train a network (default: the course's planar flower set) and save it
  predict    predict classes for data with a saved model
  evaluate   accuracy, cost and confusion matrix of a saved model on labelled data
  info       describe a saved model
  export     write a self-contained .wasm with the weights baked in (--edge), or an ONNX file (--onnx)
  import     convert an ONNX or TensorFlow.js model into a simdnet model

'simdnet <command> --help' lists a command's options; 'simdnet --version' prints the version.
`);
  return 0;
}
