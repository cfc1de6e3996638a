// Messages between fitInWorker (client.ts) and the worker (serve.ts). Only structured-clonable data.
import type { History, NetworkOptions } from '../index.js';
import type { FitOptions, ProgressInfo } from '../train/options.js';
import type { LoadOptions } from '../runtime/load.js';
import type { Inputs, Targets } from '../data/input.js';

/** Fit options that can cross to a worker: no callbacks, no signal (fitInWorker takes its own). */
export type WorkerFitOptions = Omit<FitOptions, 'onProgress' | 'signal'>;

/** To the worker. */
export type ToWorker =
  | { type: 'fit'; spec: NetworkOptions; X: Inputs; Y: Targets; options: WorkerFitOptions; kernels: LoadOptions | null; snapshots: boolean }
  | { type: 'abort' };

/** From the worker. */
export type FromWorker =
  | { type: 'progress'; info: ProgressInfo; model?: Uint8Array }
  | { type: 'done'; bytes: Uint8Array; history: History; build: string }
  | { type: 'error'; message: string };

/** One end of the channel, whatever the worker kind. */
export interface Port {
  post(message: FromWorker | ToWorker, transfer?: Transferable[]): void;
  listen(handler: (message: any) => void): void;
}
