// `simdnet/worker` in Node: the same fitInWorker on a worker_threads Worker (exports "node" condition).
import { host } from '../runtime/host.js';
import '../runtime/host-node.js';
import type { NetworkOptions } from '../index.js';
import type { Inputs, Targets } from '../data/input.js';
import { runInWorker, type FitInWorkerOptions, type FitInWorkerResult } from './client.js';

export type { FitInWorkerOptions, FitInWorkerResult } from './client.js';

/** Trains a new network (`spec` as for Network.create) on X, Y in a worker_threads Worker; resolves with its saved bytes. */
export function fitInWorker(spec: NetworkOptions, X: Inputs, Y: Targets, options: FitInWorkerOptions = {}): Promise<FitInWorkerResult> {
  if (options !== null && typeof options === 'object' && 'worker' in options) {
    throw new Error('simdnet: the worker option is for Web Workers; in Node fitInWorker starts its own worker_threads Worker');
  }
  const Worker = host().nodeWorker()!;
  // From source (tests under tsx/vitest) the script is TypeScript: the worker registers tsx's loader first.
  const fromSource = import.meta.url.endsWith('.ts');
  const script = fromSource ? new URL('./node-main.ts', import.meta.url) : new URL('./node-main.js', import.meta.url);
  const worker = fromSource
    ? new Worker(`import('tsx/esm/api').then((api) => api.tsImport(${JSON.stringify(script.href)}, ${JSON.stringify(script.href)}))`, { eval: true, name: 'simdnet-fit' })
    : new Worker(script, { name: 'simdnet-fit' });
  let listener: ((m: unknown) => void) | null = null;
  worker.on('message', (m) => listener?.(m));
  worker.once('error', (e) => listener?.({ type: 'crash', message: e.message }));
  worker.once('exit', (code) => listener?.({ type: 'crash', message: `the worker exited (code ${code}) before it finished` }));
  return runInWorker({
    port: { post: (m, t) => worker.postMessage(m, t ?? []), listen: (f) => { listener = f; } },
    terminate: () => void worker.terminate(),
  }, spec, X, Y, options);
}
