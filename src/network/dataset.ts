// fitDataset: training from chunks that are never all in memory, with fit's optimisers, validation,
// early stopping, progress, abort and divergence handling.
import type { FeaturesFirst, Inputs, Layout, Targets } from '../data/input.js';
import { resolveFitOptions, type FitOptions, type ResolvedFit } from '../train/options.js';
import { checkOptions } from './options.js';
import { checkpoint, divergedOrThrow, earlyStopper, finishHistory, newHistory, Yielder, type FitHost } from './fit.js';
import type { Session, TrainingState } from './session.js';
import type { CostRecord, History } from './types.js';

/** One chunk of a streamed data set. */
export interface DatasetChunk {
  X: Inputs;
  Y: Targets;
}

/** Chunks of one epoch. */
export type ChunkIterable = Iterable<DatasetChunk> | AsyncIterable<DatasetChunk>;

/** A function called once per epoch that returns that epoch's chunks, or an iterable that can be iterated again. */
export type DatasetSource = ((epoch: number) => ChunkIterable | Promise<ChunkIterable>) | ChunkIterable;

/** Options of fitDataset: fit's, without `iterations` and with `validation` as { X, Y } only. */
export interface DatasetOptions extends Omit<FitOptions, 'iterations' | 'validation'> {
  validation?: { X: Inputs; Y: Targets };
}

/** What runDataset needs from its network. */
export interface DatasetHost {
  host: FitHost;
  state(): TrainingState;
  prepare(X: Inputs, Y: Targets, layout: Layout | undefined): { X: FeaturesFirst; Y: FeaturesFirst };
  validation(v: { X: Inputs; Y: Targets }, layout: Layout | undefined): { X: FeaturesFirst; Y: FeaturesFirst };
  open(X: FeaturesFirst, Y: FeaturesFirst, o: ResolvedFit, chunkSeed: number): Session;
  seed: number;
  record(o: ResolvedFit): void;
}

const KNOWN = ['epochs', 'learningRate', 'batchSize', 'shuffle', 'seed', 'optimizer', 'beta1', 'beta2', 'epsilon', 'l2', 'keepProb', 'decay',
  'validation', 'earlyStopping', 'costEvery', 'onProgress', 'layout', 'reset', 'signal'];

function chunksOf(source: DatasetSource, epoch: number): ChunkIterable | Promise<ChunkIterable> {
  if (typeof source === 'function') return source(epoch);
  if (source !== null && typeof source === 'object' && (Symbol.asyncIterator in source || Symbol.iterator in source)) return source;
  throw new Error('simdnet: fitDataset needs a function returning an (async) iterable of { X, Y } chunks, or such an iterable');
}

/** The chunk's own seed for a shuffle inside it: one stream per (epoch, chunk). */
function chunkSeed(seed: number, epoch: number, index: number): number {
  return (Math.imul(seed ^ 0x2545f491, 0x9e3779b1) + Math.imul(epoch + 1, 0x85ebca6b) + Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
}

/** Trains `epochs` more passes over the source. */
export async function runDataset(d: DatasetHost, source: DatasetSource, options: DatasetOptions, started: number): Promise<History> {
  checkOptions(options, 'fitDataset', KNOWN);
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw new Error('simdnet: onProgress must be a function');
  const state = d.state();
  if (state.busy) throw new Error('simdnet: this network is already training (an open trainer, or a fit that has not finished); dispose the trainer or await the fit first');
  // Validation data is normalised with the normaliser the first chunk fits, so it is prepared after that chunk.
  let validation: { X: FeaturesFirst; Y: FeaturesFirst } | null = null;
  const epochs = options.epochs ?? 1;
  const history = newHistory(state);
  const startIteration = state.iteration;
  const startEpoch = state.epoch;
  const yielder = new Yielder();
  let stopper: ReturnType<typeof earlyStopper> = null;
  let resolved: ResolvedFit | null = null;
  try {
    for (let e = 0; e < epochs && history.stopped === null; e++) {
      const epoch = state.epoch;
      let epochCost = 0;
      let examples = 0;
      let index = 0;
      let lr = NaN;
      for await (const chunk of await chunksOf(source, epoch)) {
        if (options.signal?.aborted) {
          history.stopped = 'aborted';
          history.message = 'simdnet: training was aborted; the weights of the last step were kept';
          break;
        }
        if (typeof chunk !== 'object' || chunk === null || !('X' in chunk) || !('Y' in chunk)) throw new Error(`simdnet: fitDataset chunk ${index} of epoch ${epoch} is not { X, Y }`);
        const { X, Y } = d.prepare(chunk.X, chunk.Y, options.layout);
        // Options are resolved against the chunk: batchSize defaults to (and is capped at) its size.
        const o = resolveFitOptions({ ...options, epochs: 1, reset: undefined, shuffle: options.shuffle ?? false } as FitOptions, X.cols, d.seed);
        if (resolved === null) {
          resolved = o;
          stopper = earlyStopper(o);
          if (options.validation !== undefined) validation = d.validation(options.validation, options.layout);
        }
        const session = d.open(X, Y, o, chunkSeed(state.seed, epoch, index));
        try {
          lr = session.learningRate;
          while (!session.chunkDone) {
            const cost = session.step(true);
            epochCost += cost * session.lastBatch;
            examples += session.lastBatch;
            await yielder.maybe(options.signal);
            if (options.signal?.aborted) break;
          }
        } finally {
          session.dispose();
        }
        index++;
      }
      if (history.stopped !== null) break;
      if (index === 0) throw new Error(`simdnet: fitDataset's source gave no chunks in epoch ${epoch}`);
      state.epoch++;
      const record: CostRecord = { iteration: state.iteration, epoch, cost: epochCost / examples };
      const every = resolved?.costEvery ?? 1;
      if ((epoch - startEpoch) % every === 0 && !(await checkpoint(history, record, lr, NaN, started, d.host, validation, stopper, { onProgress: options.onProgress }))) break;
    }
  } catch (e) {
    divergedOrThrow(history, e);
  }
  if (resolved !== null) d.record(resolved);
  return finishHistory(history, state, startIteration, stopper, d.host, started);
}
