// fitInWorker's calling side, for any worker kind: sends the spec, the data and the options, relays
// progress, forwards an abort, and resolves with the trained network's bytes.
import type { History, NetworkOptions } from '../index.js';
import type { Inputs, Targets } from '../data/input.js';
import type { FitOptions, ProgressInfo } from '../train/options.js';
import type { LoadOptions } from '../runtime/load.js';
import type { FromWorker, Port, ToWorker, WorkerFitOptions } from './protocol.js';

/** Options of fitInWorker: fit's options plus the worker's. */
export interface FitInWorkerOptions extends Omit<FitOptions, 'onProgress' | 'signal'> {
  /** Called (on the calling thread) at every cost check with the worker's progress (and, with snapshots, the network's bytes then). */
  onProgress?: (info: ProgressInfo, model?: Uint8Array) => void;
  /** Send the network's saved bytes with every progress event (Network.load them to draw the model as it trains); default false. */
  snapshots?: boolean;
  /** Aborting stops training at the next step; the promise then resolves with history.stopped = 'aborted' and the weights so far. */
  signal?: AbortSignal;
  /** How the worker loads its kernels (e.g. `{ wasmUrl }`, `{ build: 'scalar' }`); default: as Network.create does. */
  kernels?: LoadOptions;
}

/** What fitInWorker resolves with: the saved network (give it to Network.load) and the training history. */
export interface FitInWorkerResult {
  /** net.save() of the trained network. */
  bytes: Uint8Array;
  history: History;
  /** The kernel build the worker ran. */
  build: string;
}

/** A started worker: its message port and how to end it. */
export interface WorkerHandle {
  port: Port;
  terminate(): void;
}

const NOT_CLONABLE = (v: unknown) => typeof v === 'function' || typeof v === 'symbol';

/** Sends one fit request to a started worker. */
export function runInWorker(handle: WorkerHandle, spec: NetworkOptions, X: Inputs, Y: Targets, options: FitInWorkerOptions = {}): Promise<FitInWorkerResult> {
  if (options === null || typeof options !== 'object') throw new Error('simdnet: fitInWorker options must be an object');
  const { onProgress, signal, kernels, snapshots, ...fitOptions } = options;
  if (snapshots !== undefined && typeof snapshots !== 'boolean') throw new Error('simdnet: fitInWorker snapshots must be true or false');
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new Error('simdnet: fitInWorker onProgress must be a function');
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || typeof signal.aborted !== 'boolean')) {
    throw new Error('simdnet: fitInWorker signal must be an AbortSignal');
  }
  for (const [key, value] of Object.entries({ ...fitOptions, ...spec })) {
    if (NOT_CLONABLE(value)) throw new Error(`simdnet: fitInWorker cannot send the option ${key} (a ${typeof value}) to a worker`);
  }
  if (spec !== null && typeof spec === 'object' && 'kernels' in spec && spec.kernels !== undefined) {
    throw new Error('simdnet: fitInWorker takes kernels as an option ({ kernels: LoadOptions }), not in the network spec');
  }
  return new Promise<FitInWorkerResult>((resolve, reject) => {
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      handle.terminate();
      f();
    };
    const onAbort = () => handle.port.post({ type: 'abort' } satisfies ToWorker);
    handle.port.listen((m: FromWorker | { type: 'crash'; message: string }) => {
      if (m.type === 'progress') {
        try {
          onProgress?.(m.info, m.model);
        } catch (e) {
          onAbort();
          finish(() => reject(e));
        }
      } else if (m.type === 'done') {
        finish(() => resolve({ bytes: m.bytes, history: m.history, build: m.build }));
      } else if (m.type === 'error' || m.type === 'crash') {
        finish(() => reject(new Error(m.message.startsWith('simdnet:') ? m.message : `simdnet: the training worker failed: ${m.message}`)));
      }
    });
    signal?.addEventListener('abort', onAbort);
    const request: ToWorker = { type: 'fit', spec, X, Y, options: fitOptions as WorkerFitOptions, kernels: kernels ?? null, snapshots: snapshots ?? false };
    try {
      handle.port.post(request);
    } catch (e) {
      finish(() => reject(new Error(`simdnet: fitInWorker could not send the data to the worker: ${(e as Error).message}`, { cause: e })));
      return;
    }
    if (signal?.aborted) onAbort();
  });
}
