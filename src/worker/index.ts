// `simdnet/worker` for browsers (and Deno, Bun, any host with Web Workers): train off the main thread.
//   const { bytes, history } = await fitInWorker({ layers: [2, 4, 1] }, X, Y, { iterations: 5000, onProgress, signal });
//   const net = await Network.load(bytes);
// The worker is a module worker built from web-main.js; bundlers (Vite, webpack 5) see
// `new Worker(new URL('./web-main.js', import.meta.url), { type: 'module' })` and bundle it. Pass
// `worker` to start your own (e.g. a worker file that imports 'simdnet/worker/serve').
import type { NetworkOptions } from '../index.js';
import type { Inputs, Targets } from '../data/input.js';
import { runInWorker, type FitInWorkerOptions, type FitInWorkerResult } from './client.js';

export type { FitInWorkerOptions, FitInWorkerResult } from './client.js';

/** fitInWorker's options in a browser: those of fit, plus the worker to use. */
export interface WebFitInWorkerOptions extends FitInWorkerOptions {
  /** Starts the worker (default: simdnet's module worker). The worker is terminated when training ends. */
  worker?: () => Worker;
}

/** Trains a new network (`spec` as for Network.create) on X, Y in a Web Worker; resolves with its saved bytes. */
export function fitInWorker(spec: NetworkOptions, X: Inputs, Y: Targets, options: WebFitInWorkerOptions = {}): Promise<FitInWorkerResult> {
  const { worker: start, ...rest } = options ?? {};
  if (start !== undefined && typeof start !== 'function') throw new Error('simdnet: fitInWorker worker must be a function returning a Worker');
  const worker = start !== undefined ? start() : new Worker(new URL('./web-main.js', import.meta.url), { type: 'module', name: 'simdnet-fit' });
  let listener: ((m: unknown) => void) | null = null;
  worker.addEventListener('message', (e: MessageEvent) => listener?.(e.data));
  worker.addEventListener('error', (e: ErrorEvent) => {
    e.preventDefault?.();
    listener?.({ type: 'crash', message: e.message || 'the worker script failed to load' });
  });
  return runInWorker({
    port: { post: (m, t) => worker.postMessage(m, t ?? []), listen: (f) => { listener = f; } },
    terminate: () => worker.terminate(),
  }, spec, X, Y, rest);
}
