// What differs between Node and the other hosts (browsers, Deno, Bun, workers): reading a `file:` URL,
// counting hardware threads, and Node's worker_threads. This file imports nothing, so the browser entry
// reaches no `node:` module; the Node entry (package.json exports → dist/runtime/node.js) installs
// host-node.ts, which imports them the ordinary way. Without it (running from source under tsx or
// vitest), Node ≥ 20.16 still works through `process.getBuiltinModule`.

/** Bytes that own an ArrayBuffer: `Uint8Array<ArrayBuffer>` on TypeScript ≥ 5.7, `Uint8Array` before (5.0 has no generic). */
export type WasmBytes = ReturnType<Uint8Array['slice']>;

/** The part of a worker_threads Worker that simdnet uses. */
export interface NodeWorkerLike {
  on(event: 'message', listener: (message: any) => void): unknown;
  once(event: 'error', listener: (error: Error) => void): unknown;
  once(event: 'exit', listener: (code: number) => void): unknown;
  postMessage(message: unknown, transfer?: readonly any[]): void;
  terminate(): Promise<number>;
  unref(): void;
}

/** worker_threads' Worker constructor, as simdnet calls it. */
export type NodeWorkerConstructor = new (
  script: string | URL,
  options?: { eval?: boolean; name?: string; workerData?: unknown; execArgv?: string[] },
) => NodeWorkerLike;

/** The host services simdnet needs. */
export interface Host {
  /** 'node' (host-node.ts), 'node-builtin' (process.getBuiltinModule) or 'web' (fetch). */
  readonly name: string;
  /** Reads a `file:` URL (Node) or fetches any URL. */
  readFile(url: URL): Promise<Uint8Array>;
  /** A file path as a URL: a file: URL in Node, relative to the page elsewhere. */
  pathToUrl(path: string): URL;
  /** Hardware threads (1 when unknown). */
  hardwareThreads(): number;
  /** worker_threads' Worker in Node; null elsewhere. */
  nodeWorker(): NodeWorkerConstructor | null;
}

type BuiltinGetter = (name: string) => any;

function builtin(): BuiltinGetter | null {
  const p = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: BuiltinGetter } }).process;
  return typeof p?.versions?.node === 'string' && typeof p.getBuiltinModule === 'function' ? p.getBuiltinModule.bind(p) : null;
}

/** Any host: Node's modules through process.getBuiltinModule where present, else fetch and navigator. */
export const universalHost: Host = {
  get name() {
    return builtin() === null ? 'web' : 'node-builtin';
  },
  async readFile(url) {
    const get = builtin();
    if (url.protocol === 'file:' && get !== null) {
      const fs = get('node:fs/promises') as { readFile(u: URL): Promise<Uint8Array> };
      return new Uint8Array(await fs.readFile(url));
    }
    return fetchBytes(url);
  },
  pathToUrl(path) {
    const get = builtin();
    if (get !== null) return (get('node:url') as { pathToFileURL(p: string): URL }).pathToFileURL(path);
    const base = (globalThis as { location?: { href?: string } }).location?.href;
    return base === undefined ? new URL(path) : new URL(path, base);
  },
  hardwareThreads() {
    const get = builtin();
    if (get !== null) {
      const os = get('node:os') as { availableParallelism?: () => number; cpus(): unknown[] };
      return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    }
    return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  },
  nodeWorker() {
    const get = builtin();
    return get === null ? null : (get('node:worker_threads') as { Worker: NodeWorkerConstructor }).Worker;
  },
};

let current: Host = universalHost;

/** The host in use. */
export function host(): Host {
  return current;
}

/** Installs a host (the Node entry does; tests may). Returns the previous one. */
export function setHost(next: Host): Host {
  const previous = current;
  current = next;
  return previous;
}

/** fetch() that throws an HttpError (with the status) on a non-2xx answer. */
export async function fetchBytes(url: URL | string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new HttpError(String(url), response.status);
  return new Uint8Array(await response.arrayBuffer());
}

/** A fetch that answered with a non-2xx status. */
export class HttpError extends Error {
  constructor(readonly url: string, readonly status: number) {
    super(`HTTP ${status} for ${url}`);
  }
}
