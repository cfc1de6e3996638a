// The worker_threads script of fitInWorker (the Node entry of simdnet/worker starts it).
import { parentPort } from 'node:worker_threads';
import '../runtime/host-node.js';
import { serve } from './serve.js';

const port = parentPort;
if (port === null) throw new Error('simdnet: node-main.js runs inside a worker_threads Worker (fitInWorker starts it)');
serve({
  post: (message, transfer) => port.postMessage(message, (transfer ?? []) as ArrayBuffer[]),
  listen: (handler) => port.on('message', handler),
});
