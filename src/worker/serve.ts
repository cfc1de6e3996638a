// The worker's side of fitInWorker: builds the network, trains it with the public API (fit with a signal
// and onProgress), and sends the saved bytes back. Runs in a Web Worker (web-main.ts) or a worker_threads
// Worker (node-main.ts).
import { Network } from '../index.js';
import type { FromWorker, Port, ToWorker } from './protocol.js';

/** Serves one fit request on `port`, then stays idle (the client terminates the worker). */
export function serve(port: Port): void {
  const abort = new AbortController();
  let started = false;
  port.listen((message: ToWorker) => {
    if (message.type === 'abort') {
      abort.abort();
      return;
    }
    if (message.type !== 'fit' || started) return;
    started = true;
    void fit(port, message, abort.signal);
  });
}

async function fit(port: Port, m: Extract<ToWorker, { type: 'fit' }>, signal: AbortSignal): Promise<void> {
  const send = (msg: FromWorker, transfer?: Transferable[]) => port.post(msg, transfer);
  let net: Network | null = null;
  try {
    net = await Network.create(m.kernels === null ? m.spec : { ...m.spec, kernels: m.kernels });
    const history = await net.fit(m.X, m.Y, {
      ...m.options,
      signal,
      onProgress: (info) => {
        if (m.snapshots) {
          const model = net!.save();
          send({ type: 'progress', info, model }, [model.buffer as ArrayBuffer]);
        } else {
          send({ type: 'progress', info });
        }
        return !signal.aborted;
      },
    });
    const bytes = net.save();
    send({ type: 'done', bytes, history, build: net.kernels.build }, [bytes.buffer as ArrayBuffer]);
  } catch (e) {
    send({ type: 'error', message: (e as Error).message ?? String(e) });
  } finally {
    net?.dispose();
  }
}
