// Node's host services through ordinary imports. The Node entry (package.json exports "node" →
// dist/runtime/node.js) and bin/simdnet.js import this file; the browser entry never does.
import { readFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { fetchBytes, setHost, type Host, type NodeWorkerConstructor } from './host.js';

/** Reads file: URLs from disk and fetches the rest; worker_threads for the thread pool and fitInWorker. */
export const nodeHost: Host = {
  name: 'node',
  async readFile(url) {
    return url.protocol === 'file:' ? new Uint8Array(await readFile(url)) : fetchBytes(url);
  },
  pathToUrl(path) {
    return pathToFileURL(path);
  },
  hardwareThreads() {
    return typeof availableParallelism === 'function' ? availableParallelism() : cpus().length;
  },
  nodeWorker() {
    return Worker as unknown as NodeWorkerConstructor;
  },
};

setHost(nodeHost);
