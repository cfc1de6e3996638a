// simdnet train --stream: trains on a CSV file in chunks (Network.fitDataset), so the file never has to
// fit in memory. A first pass reads only the labels (the classes and the row count); then every epoch
// reads the file again. Chosen automatically for CSV files of STREAM_BYTES or more.
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { Network, type NetworkOptions, type OutputActivation } from '../network.js';
import { decodeModel, encodeModel } from '../io/format.js';
import { csvChunks } from '../data/csv-stream.js';
import type { OptimizerKind } from '../kernels.js';
import type { NormalizeKind } from '../data/normalize.js';
import { choice, num, parse, str, UsageError, type Specs } from './args.js';
import { DEFAULT_MODEL, TRAIN_SPECS, parseHidden, parseLayers, type Io } from './commands.js';
import { classIndices, writeFileAtomic } from './data.js';
import { formatSeconds } from './progress.js';

/** CSV files at least this large are streamed even without --stream. */
export const STREAM_BYTES = 256 * 2 ** 20;

const pick = (...names: string[]): Specs => Object.fromEntries(names.map((n) => [n, TRAIN_SPECS[n]!]));

export const STREAM_SPECS: Specs = {
  ...pick('data', 'label', 'layers', 'hidden', 'output', 'dtype', 'epochs', 'batch-size', 'lr', 'optimizer', 'l2', 'keep-prob', 'normalize', 'seed', 'save', 'no-save', 'json', 'quiet', 'help',
    'stream', 'chunk-rows'),
};

/** True when `simdnet train argv` should stream: --stream, or a CSV --data file of STREAM_BYTES or more. */
export async function wantsStream(argv: string[]): Promise<boolean> {
  if (argv.includes('--stream')) return true;
  const i = argv.findIndex((a) => a === '--data' || a.startsWith('--data='));
  if (i < 0) return false;
  const file = argv[i]!.startsWith('--data=') ? argv[i]!.slice(7) : argv[i + 1];
  if (file === undefined || extname(file).toLowerCase() !== '.csv') return false;
  try {
    return (await stat(file)).size >= STREAM_BYTES;
  } catch {
    return false;
  }
}

/** Sorted class names, numerically when every label is a number (as the in-memory path orders them). */
function sortedClasses(seen: Set<string>): string[] {
  const unique = [...seen];
  const numeric = unique.every((s) => s.trim() !== '' && Number.isFinite(Number(s)));
  return numeric ? unique.sort((a, b) => Number(a) - Number(b)) : unique.sort();
}

/** simdnet train --stream */
export async function trainStream(argv: string[], io: Io): Promise<number> {
  const { values: v } = parse('train', argv, STREAM_SPECS);
  const file = str(v, 'data');
  if (file === undefined || extname(file).toLowerCase() !== '.csv') throw new UsageError('--stream trains on a CSV file: give --data FILE.csv');
  const label = str(v, 'label');
  if (label === undefined) throw new UsageError('--stream needs --label COLUMN (the CSV column holding the labels)');
  const layers = parseLayers(str(v, 'layers'), [16]);
  const hidden = parseHidden(str(v, 'hidden'), layers.length, 'relu');
  const outputOpt = choice(v, 'output', ['sigmoid', 'softmax', 'linear'] as const);
  const dtype = choice(v, 'dtype', ['float32', 'float64'] as const) ?? 'float32';
  const epochs = num(v, 'epochs', 'positive-int') ?? 1;
  const batchSize = num(v, 'batch-size', 'positive-int') ?? 256;
  const lr = num(v, 'lr', 'positive') ?? 0.001;
  const optimizer = (choice(v, 'optimizer', ['gd', 'momentum', 'rmsprop', 'adam'] as const) ?? 'adam') as OptimizerKind;
  const l2 = num(v, 'l2', 'nonnegative');
  const keepProb = num(v, 'keep-prob', 'probability');
  const normalize = choice(v, 'normalize', ['none', 'standardize', 'minmax'] as const) as NormalizeKind | undefined;
  const seed = num(v, 'seed', 'int') ?? 1;
  const chunkRows = num(v, 'chunk-rows', 'positive-int') ?? 65536;
  if (chunkRows % batchSize !== 0) throw new UsageError(`--chunk-rows ${chunkRows} must be a multiple of --batch-size ${batchSize} (batches never span chunks)`);
  const savePath = v['no-save'] ? null : (str(v, 'save') ?? `./${DEFAULT_MODEL}`);
  const json = v.json === true;
  const note = (s: string): void => { if (!json) io.stdout.write(`${s}\n`); };

  // Pass 1: the label set and the shape, without keeping the rows.
  const seen = new Set<string>();
  let m = 0;
  let nX = 0;
  try {
    for await (const chunk of csvChunks(file, { label, chunkRows })) {
      for (const l of chunk.labels!) seen.add(l);
      m += chunk.X.shape[0];
      nX = chunk.X.shape[1];
    }
  } catch (e) {
    throw new UsageError(`'${file}': ${(e as Error).message}`);
  }
  let output: OutputActivation;
  let classes: string[] | null = null;
  if (outputOpt === 'linear') output = 'linear';
  else {
    classes = sortedClasses(seen);
    if (classes.length < 2) throw new UsageError(`the labels hold a single class ('${classes[0]}'); classification needs at least two`);
    output = outputOpt ?? (classes.length === 2 ? 'sigmoid' : 'softmax');
  }
  const nY = output === 'softmax' ? classes!.length : 1;
  const netOptions: NetworkOptions = { layers: [nX, ...layers, nY], hidden, output, dtype, seed, ...(classes ? { labels: classes } : {}), ...(normalize ? { normalize } : {}) };
  const net = await Network.create(netOptions);
  try {
    note(`simdnet: streaming ${file}: ${m} examples × ${nX} features in chunks of ${chunkRows} rows; [${net.layerSizes.join(', ')}], ${optimizer}, lr ${lr}, ${epochs} epoch(s) of ${Math.ceil(m / batchSize)} steps`);
    const memory = net.kernels.exports.memory;
    let peakWasm = memory.buffer.byteLength;
    let peakHeap = process.memoryUsage().heapUsed;
    const epochChunks = async function* (): AsyncGenerator<{ X: { data: Float64Array; shape: [number, number] }; Y: number[] }> {
      for await (const chunk of csvChunks(file, { label, chunkRows })) {
        const Y = classes === null ? chunk.labels!.map(Number) : classIndices(chunk.labels!, classes, `'${file}' rows from ${chunk.firstRow}`);
        yield { X: chunk.X, Y };
        peakWasm = Math.max(peakWasm, memory.buffer.byteLength);
        peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      }
    };
    const history = await net.fitDataset(() => epochChunks(), {
      epochs, batchSize, learningRate: lr, optimizer, costEvery: 1,
      ...(l2 !== undefined ? { l2 } : {}), ...(keepProb !== undefined ? { keepProb } : {}),
      ...(v.quiet || json ? {} : { onProgress: (p) => { io.stderr.write(`epoch ${p.epoch + 1}/${epochs}  cost ${p.cost.toFixed(6)}\n`); } }),
    });
    if (history.stopped !== null) note(history.message ?? `stopped: ${history.stopped}`);
    let saved: string | null = null;
    if (savePath !== null) {
      const rec = decodeModel(net.save());
      rec.meta.cli = { data: 'csv', label };
      await writeFileAtomic(savePath, encodeModel(rec));
      saved = savePath;
    }
    const seconds = history.timeMs / 1000;
    const last = history.costs.at(-1)?.cost ?? NaN;
    if (json) {
      io.stdout.write(`${JSON.stringify({ examples: m, features: nX, epochs: history.epochs, iterations: history.iterations, cost: last, seconds, model: saved,
        peakWasmBytes: peakWasm, peakHeapBytes: peakHeap, stopped: history.stopped, costs: history.costs.map((c) => ({ epoch: c.epoch, cost: c.cost })) })}\n`);
      return history.stopped === 'diverged' ? 1 : 0;
    }
    note(`epoch cost ${last.toFixed(6)}; ${formatSeconds(seconds)} (${Math.round((m * history.epochs) / Math.max(seconds, 1e-9))} examples/s); peak WASM memory ${(peakWasm / 2 ** 20).toFixed(1)} MiB, JS heap ${(peakHeap / 2 ** 20).toFixed(1)} MiB`);
    if (saved !== null) note(`saved model to ${saved}`);
    return history.stopped === 'diverged' ? 1 : 0;
  } finally {
    net.dispose();
  }
}
