// The training loop of fit: cost records, validation, early stopping, progress, abort and divergence.
import type { FeaturesFirst } from '../data/input.js';
import type { ProgressInfo, ResolvedFit } from '../train/options.js';
import type { FloatArray } from '../runtime/arena.js';
import { DivergenceError, type Session } from './session.js';
import type { CostRecord, History } from './types.js';

/** What the loop needs from its network. */
export interface FitHost {
  getWeights(): { W: FloatArray; b: FloatArray }[];
  setWeights(weights: { W: FloatArray; b: FloatArray }[]): void;
  /** Cost (without L2) of normalised features-first data. */
  costOf(X: FeaturesFirst, Y: FeaturesFirst): number;
}

/** Loop settings that are not fit options of the kernels. */
export interface LoopSettings {
  onProgress?: (info: ProgressInfo) => void | boolean | Promise<void | boolean>;
  signal?: AbortSignal;
}

type Snapshot = { W: FloatArray; b: FloatArray }[];

/** Tracks the best validation cost for early stopping. */
class EarlyStopper {
  best: { cost: number; record: CostRecord; weights: Snapshot | null } | null = null;
  #since = 0;
  constructor(readonly o: NonNullable<ResolvedFit['earlyStopping']>) {}

  /** Returns true when training should stop. */
  observe(record: CostRecord, host: FitHost): boolean {
    const cost = record.validationCost!;
    if (this.best === null || cost < this.best.cost - this.o.minDelta) {
      this.best = { cost, record, weights: this.o.restoreBest ? host.getWeights() : null };
      this.#since = 0;
      return false;
    }
    return ++this.#since >= this.o.patience;
  }
}

/** An empty history for a call that starts at the session's counters. */
export function newHistory(session: { iteration: number; epoch: number }): History {
  return { costs: [], iterations: session.iteration, epochs: session.epoch, steps: 0, stopped: null, timeMs: 0 };
}

/** Marks a history as diverged with the error's message. */
export function markDiverged(history: History, e: DivergenceError): void {
  history.stopped = 'diverged';
  history.message = e.message;
}

/** Records a cost, runs validation, early stopping and onProgress; returns false when training must stop. */
export async function checkpoint(history: History, record: CostRecord, learningRate: number, totalIterations: number, started: number,
  host: FitHost, validation: { X: FeaturesFirst; Y: FeaturesFirst } | null, stopper: EarlyStopper | null, settings: LoopSettings): Promise<boolean> {
  history.costs.push(record);
  if (!Number.isFinite(record.cost)) {
    history.stopped = 'diverged';
    history.message = `simdnet: training diverged: the cost at step ${record.iteration} is ${record.cost}; the weights of that step were kept; try a smaller learningRate than ${learningRate}`;
    return false;
  }
  if (validation !== null) {
    record.validationCost = host.costOf(validation.X, validation.Y);
    if (stopper !== null && stopper.observe(record, host)) history.stopped = 'earlyStopping';
  }
  if (settings.onProgress) {
    const go = await settings.onProgress({ ...record, learningRate, totalIterations, elapsedMs: performance.now() - started });
    if (go === false) history.stopped = 'callback';
  }
  return history.stopped === null;
}

/** Puts back the best weights when early stopping ended the run. */
export function finishEarlyStopping(history: History, stopper: EarlyStopper | null, host: FitHost): void {
  const best = stopper?.best ?? null;
  if (history.stopped === 'earlyStopping' && best !== null) {
    history.bestCheck = best.record;
    if (best.weights !== null) host.setWeights(best.weights);
  }
}

export function earlyStopper(o: ResolvedFit): EarlyStopper | null {
  return o.earlyStopping === null ? null : new EarlyStopper(o.earlyStopping);
}

/** Target length of one chunk of steps when fit has a signal (the Yielder lets the event loop run between chunks). */
const CHUNK_MS = 40;

/** Runs steps in chunks of about CHUNK_MS, sized from the time per step measured so far (one step at first). */
class Pace {
  #msPerStep = Infinity;
  run(session: { steps(count: number): void }, left: number): void {
    const count = Math.max(1, Math.min(left, Math.floor(CHUNK_MS / this.#msPerStep)));
    const t0 = performance.now();
    session.steps(count);
    this.#msPerStep = (performance.now() - t0) / count;
  }
}

/** Lets the event loop run (abort signals, worker messages) about every 50 ms of training. */
export class Yielder {
  #last = performance.now();
  async maybe(signal: AbortSignal | undefined): Promise<void> {
    if (signal === undefined) return;
    const now = performance.now();
    if (now - this.#last < 50) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
    this.#last = performance.now();
  }
}

/** Runs fit's loop on an open session: `o.count` more iterations or epochs. */
export async function runFit(host: FitHost, session: Session, validation: { X: FeaturesFirst; Y: FeaturesFirst } | null,
  o: ResolvedFit, settings: LoopSettings, started: number): Promise<History> {
  const m = session.m;
  const history = newHistory(session);
  const stopper = earlyStopper(o);
  const perEpoch = o.mode === 'epochs';
  const batchesPerEpoch = Math.ceil(m / o.batchSize);
  const totalIterations = perEpoch ? o.count * batchesPerEpoch : o.count;
  const startIteration = session.iteration;
  const startEpoch = session.epoch;
  const targetEpoch = startEpoch + o.count;
  const yielder = new Yielder();
  const pace = new Pace();
  let epochCost = 0;
  let epochExamples = 0;
  const done = (): boolean => (perEpoch ? session.epoch >= targetEpoch : session.iteration - startIteration >= o.count);
  try {
    while (!done()) {
      if (settings.signal?.aborted) {
        history.stopped = 'aborted';
        history.message = 'simdnet: training was aborted; the weights of the last step were kept';
        break;
      }
      const epoch = session.epoch;
      const learningRate = session.learningRate;
      if (!perEpoch && (session.iteration - startIteration) % o.costEvery === 0) {
        // A check step is split so that validation and onProgress (which may predict) run after backward
        // (they reuse the forward workspace) but before the update (they see the weights the cost belongs to).
        const record: CostRecord = { iteration: session.iteration, epoch, cost: session.forwardBackward() };
        if (!(await checkpoint(history, record, learningRate, totalIterations, started, host, validation, stopper, settings))) {
          session.abandonStep();
          break;
        }
        session.update();
      } else if (!perEpoch) {
        // The steps up to the next record (or the end), without returning to the event loop between them:
        // a fit of tiny steps is otherwise dominated by the loop's own overhead.
        const until = Math.min(startIteration + o.count, session.iteration + o.costEvery - ((session.iteration - startIteration) % o.costEvery));
        // With a signal, chunks of about CHUNK_MS, so that the loop still reaches the event loop (and sees an
        // abort) every 50 ms or so; consecutive steps of a chunk can share their passes over X.
        const left = until - session.iteration;
        if (settings.signal === undefined) session.steps(left);
        else pace.run(session, left);
      } else {
        const cost = session.step(true);
        epochCost += cost * session.lastBatch;
        epochExamples += session.lastBatch;
      }
      if (perEpoch && session.epoch !== epoch) {
        // The epoch's cost: the size-weighted mean of its batches' costs.
        const record: CostRecord = { iteration: session.iteration, epoch, cost: epochCost / epochExamples };
        epochCost = 0;
        epochExamples = 0;
        if ((epoch - startEpoch) % o.costEvery === 0 && !(await checkpoint(history, record, learningRate, totalIterations, started, host, validation, stopper, settings))) break;
      }
      if (settings.signal !== undefined) await yielder.maybe(settings.signal);
    }
  } catch (e) {
    divergedOrThrow(history, e);
  }
  return finishHistory(history, session, startIteration, stopper, host, started);
}

/** A DivergenceError ends training with stopped: 'diverged' and its message; anything else is rethrown. */
export function divergedOrThrow(history: History, e: unknown): void {
  if (!(e instanceof DivergenceError)) throw e;
  markDiverged(history, e);
}

/** The closing counts of a call: absolute counters, this call's steps, the best weights back, the time. */
export function finishHistory(history: History, counters: { iteration: number; epoch: number }, startIteration: number,
  stopper: EarlyStopper | null, host: FitHost, started: number): History {
  history.iterations = counters.iteration;
  history.epochs = counters.epoch;
  history.steps = counters.iteration - startIteration;
  finishEarlyStopping(history, stopper, host);
  history.timeMs = performance.now() - started;
  return history;
}
