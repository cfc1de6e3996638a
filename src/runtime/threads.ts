// Threads (opt-in): a threads build (build/simdnet.threads.wasm: SIMD + atomics, or its relaxed-SIMD twin
// simdnet.threads.relaxed.wasm; one shared imported memory) instantiated once on the calling thread and
// once in each worker — worker_threads in Node, Web Workers in browsers. The main instance splits large GEMMs over the pool
// (assembly/pool.ts); between jobs a worker busy-waits briefly, then parks in Atomics.wait.
//
// Where SharedArrayBuffer is missing (a browser page without cross-origin isolation) or workers
// cannot be started, loading falls back to one thread and says why (Kernels.threadsFallback).
import type { KernelExports } from './abi.js';
import { host, type WasmBytes } from './host.js';
import { uleb, WasmReader } from './wasm-binary.js';

/** Exports the threads build adds (assembly/threads.ts). */
export interface ThreadExports {
  threads_enabled(): number;
  thread_ctl_bytes(): number;
  thread_scratch_bytes(): number;
  thread_setup(scratch: number): void;
  pool_configure(ctl: number, threads: number, block: number, minWork: number, spin: number, takes: number): void;
  pool_quit(): void;
  worker_job(ctl: number, generation: number): number;
}

/** Byte offsets in the control block (assembly/pool.ts). */
const CTL_DONE = 128;
const CTL_DEAD = 192;
const CTL_WORKED = 200;

/** Pages of the shared memory: the module's initial size, and the most it may grow to (2 GiB). */
const INITIAL_PAGES = 2;
const DEFAULT_MAXIMUM_PAGES = 32768;
/**
 * How long an idle worker keeps watching for the next job before it parks: long enough to bridge the
 * gaps between the GEMMs of a training step (tens of microseconds), short enough not to steal much
 * CPU from other processes; a worker that parked just joins the next job late (it claims what is left).
 */
const DEFAULT_SPIN_MS = 0.5;

/** Tuning of the pool (defaults suit the course nets; exposed for benchmarks). */
export interface ThreadTuning {
  /** Smallest m·n·k a GEMM must have to be split (default 2^18). */
  minWork?: number;
  /** Milliseconds an idle worker keeps watching for the next job before it parks (default 0.5; 0 when there are more threads than cores). */
  spinMs?: number;
  /** false: the calling thread only hands out the blocks and waits, the workers compute all of them (for tests; default true). */
  callerComputes?: boolean;
  /** Largest size of the shared memory in 64 KiB pages (default 32768 = 2 GiB; at most 65536). */
  maximumPages?: number;
}

/** Throws unless every given tuning value is in range. */
export function checkTuning(tuning: ThreadTuning | undefined): void {
  if (tuning === undefined) return;
  if (typeof tuning !== 'object' || tuning === null) throw new Error('simdnet: threadTuning must be an object');
  const { minWork, spinMs, maximumPages, callerComputes } = tuning;
  if (minWork !== undefined && !(typeof minWork === 'number' && minWork >= 1 && Number.isFinite(minWork))) {
    throw new Error(`simdnet: threadTuning.minWork must be a number ≥ 1, got ${String(minWork)}`);
  }
  if (spinMs !== undefined && !(typeof spinMs === 'number' && spinMs >= 0 && spinMs <= 1000)) {
    throw new Error(`simdnet: threadTuning.spinMs must be in [0, 1000], got ${String(spinMs)}`);
  }
  if (maximumPages !== undefined && !(Number.isInteger(maximumPages) && maximumPages >= INITIAL_PAGES && maximumPages <= 65536)) {
    throw new Error(`simdnet: threadTuning.maximumPages must be an integer in [${INITIAL_PAGES}, 65536], got ${String(maximumPages)}`);
  }
  if (callerComputes !== undefined && typeof callerComputes !== 'boolean') {
    throw new Error(`simdnet: threadTuning.callerComputes must be a boolean, got ${String(callerComputes)}`);
  }
}

/**
 * threads: 'auto' splits only nets whose largest weight matrix (units × inputs) has at least this many
 * parameters. Below it a step's GEMMs last a few microseconds, shorter than handing blocks to a worker
 * and waiting for them; the planar [2,4,1] (8) and [4,64,64,1] (4096) stay on one thread, the MNIST-sized
 * [784,128,64,10] (100 352) and the cat [12288,20,7,5,1] (245 760) get threads.
 */
export const AUTO_MIN_LAYER_PARAMS = 32768;
/** 'auto' never uses more threads than this (the course nets' GEMMs stop scaling beyond). */
export const AUTO_MAX_THREADS = 4;

/**
 * The thread count `threads: 'auto'` means: 1 when this host cannot run the threads build
 * (threadsUnavailableReason), has one hardware thread, or the net is small (largestLayer <
 * AUTO_MIN_LAYER_PARAMS); else min(hardware threads, AUTO_MAX_THREADS). largestLayer undefined
 * (kernels loaded without a net in view) counts as large. It does not look at the load of the machine:
 * on a shared, busy host the workers compete with other processes. Measured (bench/threads-auto.ts and
 * the bench's peers section, 2-core VM shared by other jobs, 2 December 2026), one step with auto's 2
 * threads against one thread: load 2.1 — cat GD 1.75×, MLP Adam 1.20×, planar forced to 2 threads 0.96×;
 * load ≈ 6 (`npm run bench:quick -- --only=peers`) — cat 0.99×, MLP 0.67×: under contention a second
 * thread can cost more than it gains, and `threads: 1` is the safe choice there.
 */
export function autoThreads(largestLayer?: number, cores: number = host().hardwareThreads()): number {
  if (largestLayer !== undefined && !(typeof largestLayer === 'number' && largestLayer >= 0 && Number.isFinite(largestLayer))) {
    throw new Error(`simdnet: autoLayerParams must be a non-negative number, got ${String(largestLayer)}`);
  }
  if (threadsUnavailableReason() !== null || !(cores > 1)) return 1;
  if (largestLayer !== undefined && largestLayer < AUTO_MIN_LAYER_PARAMS) return 1;
  return Math.min(Math.floor(cores), AUTO_MAX_THREADS);
}

/**
 * Why threads cannot run on this host, or null when they can: SharedArrayBuffer (browsers: only on a
 * cross-origin-isolated page), shared WebAssembly memory and a way to start workers.
 */
export function threadsUnavailableReason(): string | null {
  const g = globalThis as { SharedArrayBuffer?: unknown; crossOriginIsolated?: boolean; Worker?: unknown };
  if (typeof g.SharedArrayBuffer !== 'function') {
    return 'SharedArrayBuffer is not available (a browser page needs cross-origin isolation: COOP/COEP headers)';
  }
  if (g.crossOriginIsolated === false) {
    return 'the page is not cross-origin isolated, so memory cannot be shared with workers (serve it with COOP/COEP headers)';
  }
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true } as WebAssembly.MemoryDescriptor);
  } catch {
    return 'this host cannot create shared WebAssembly memory';
  }
  if (!isNode() && typeof g.Worker !== 'function') return 'this host has no Worker';
  return null;
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** Hardware threads of this host (1 when unknown). */
async function hardwareThreads(): Promise<number> {
  return host().hardwareThreads();
}

/** Whether the calling thread may block in Atomics.wait: Node (any thread) and Web Workers may, a page's main thread may not. */
function callerMayBlock(): boolean {
  if (isNode()) return true;
  const g = globalThis as { WorkerGlobalScope?: unknown };
  return typeof g.WorkerGlobalScope === 'function' && globalThis instanceof (g.WorkerGlobalScope as new () => object);
}

/**
 * A copy of a module whose data segments are all passive: instantiating it writes nothing to memory.
 * Workers use it, so their instantiation cannot re-apply the static data (GEMM scratch, the edge
 * loader's tables) over the live memory the main instance already uses.
 */
export function withPassiveData(bytes: Uint8Array): WasmBytes {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new Error('simdnet: not a WebAssembly binary');
  }
  const out: number[] = Array.from(bytes.subarray(0, 8));
  const r = new WasmReader(bytes, 'the threads kernel module', 8);
  while (!r.done) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    if (id !== 11) {
      out.push(id, ...uleb(size));
      for (const b of r.take(size)) out.push(b);
      continue;
    }
    if (end > bytes.length) throw new Error('simdnet: the threads kernel module is truncated');
    const body: number[] = [];
    const count = r.u32();
    body.push(...uleb(count));
    for (let s = 0; s < count; s++) {
      const flags = r.u32();
      if (flags === 0 || flags === 2) {
        if (flags === 2) r.u32(); // memory index
        // Constant offset expression: i32.const / i64.const / global.get, then end.
        const op = r.byte();
        if (op === 0x41 || op === 0x42 || op === 0x23) r.skipLeb();
        else throw new Error(`simdnet: unsupported data segment offset (opcode 0x${op.toString(16)})`);
        if (r.byte() !== 0x0b) throw new Error('simdnet: unsupported data segment offset expression');
      } else if (flags !== 1) {
        throw new Error(`simdnet: unknown data segment kind ${flags}`);
      }
      const length = r.u32();
      if (r.pos + length > end) throw new Error('simdnet: malformed data section');
      body.push(1, ...uleb(length));
      for (const b of r.take(length)) body.push(b);
    }
    if (r.pos !== end) throw new Error('simdnet: malformed data section');
    out.push(11, ...uleb(body.length));
    for (const b of body) out.push(b);
  }
  return new Uint8Array(out);
}

/**
 * Code each worker runs (Node: eval'd CommonJS; browsers: a blob URL), plain ES2017 on purpose.
 * Between jobs it watches the job generation (i32 at ctl): busy for spinMs after the last job, so a
 * training loop's next GEMM starts at once, then parked in Atomics.wait (an idle pool costs nothing).
 */
const WORKER_SOURCE = `
'use strict';
var node = typeof process !== 'undefined' && process.versions && typeof process.versions.node === 'string';
var port = node ? require('node:worker_threads').parentPort : self;
function start(d) {
  var i32 = new Int32Array(d.memory.buffer);
  var exports;
  try {
    exports = new WebAssembly.Instance(d.module, { env: { memory: d.memory } }).exports;
    exports.thread_setup(d.scratch);
  } catch (e) {
    port.postMessage({ type: 'error', tid: d.tid, message: String(e && e.message || e) });
    return;
  }
  port.postMessage({ type: 'ready', tid: d.tid });
  var seq = d.ctl >> 2, seen = 0, s, until;
  try {
    for (;;) {
      s = Atomics.load(i32, seq);
      if (s === seen) {
        until = performance.now() + d.spinMs;
        while ((s = Atomics.load(i32, seq)) === seen && performance.now() < until) {}
        while (s === seen) {
          Atomics.wait(i32, seq, seen);
          s = Atomics.load(i32, seq);
        }
      }
      seen = s;
      if (exports.worker_job(d.ctl, s) !== 0) break;
    }
    port.postMessage({ type: 'exit', tid: d.tid });
  } catch (e) {
    // The main thread may be waiting for this worker's block: mark the pool dead and wake it.
    Atomics.store(i32, (d.ctl + ${CTL_DEAD}) >> 2, 1);
    Atomics.notify(i32, (d.ctl + ${CTL_DONE}) >> 2);
    port.postMessage({ type: 'error', tid: d.tid, message: String(e && e.message || e) });
  }
}
if (node) port.once('message', start);
else self.onmessage = function (e) { self.onmessage = null; start(e.data); };
`;

/** The part of a Node Worker or a Web Worker this file uses. */
interface AnyWorker {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

/** What a worker reports. */
interface WorkerMessage {
  type: 'ready' | 'exit' | 'error';
  tid: number;
  message?: string;
}

/** Handle of one started worker: its messages and its end. */
interface WorkerHandle {
  worker: AnyWorker;
  ready: Promise<void>;
  exited: Promise<void>;
  unref(): void;
}

async function startWorker(): Promise<{ worker: AnyWorker; onMessage: (f: (m: WorkerMessage) => void) => void; onEnd: (f: (error?: string) => void) => void; unref(): void }> {
  const Worker = isNode() ? host().nodeWorker() : null;
  if (Worker !== null) {
    const worker = new Worker(WORKER_SOURCE, { eval: true, name: 'simdnet-worker' });
    return {
      worker,
      onMessage: (f) => worker.on('message', f),
      onEnd: (f) => {
        worker.once('error', (e) => f(e.message));
        worker.once('exit', () => f());
      },
      unref: () => worker.unref(),
    };
  }
  const g = globalThis as unknown as { Worker: new (url: string, options?: { name?: string }) => AnyWorker & { onmessage: unknown; onerror: unknown } };
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  let worker;
  try {
    worker = new g.Worker(url, { name: 'simdnet-worker' });
  } finally {
    // The worker has fetched (or is fetching) its script; revoking later would leak the blob.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
  let endHandler: ((error?: string) => void) | null = null;
  return {
    worker,
    onMessage: (f) => { worker.onmessage = (e: MessageEvent) => f(e.data as WorkerMessage); },
    onEnd: (f) => {
      endHandler = f;
      worker.onerror = (e: ErrorEvent) => endHandler?.(e.message || 'the worker failed to start');
    },
    unref: () => {},
  };
}

/** The workers of one threads-build kernel module, and the control block they serve. */
export class ThreadPool {
  #handles: WorkerHandle[];
  #exports: KernelExports & ThreadExports;
  #ctl: number;
  #scratch: number[];
  #closed: Promise<void> | null = null;

  private constructor(exports: KernelExports & ThreadExports, ctl: number, scratch: number[], handles: WorkerHandle[]) {
    this.#exports = exports;
    this.#ctl = ctl;
    this.#scratch = scratch;
    this.#handles = handles;
  }

  /**
   * Starts threads − 1 workers on the main instance's module and memory and waits until each is
   * instantiated; then the main instance starts splitting. Throws (having stopped every worker) when
   * a worker cannot start.
   */
  static async start(exports: KernelExports & ThreadExports, workerModule: WebAssembly.Module, memory: WebAssembly.Memory,
    threads: number, tuning: ThreadTuning = {}): Promise<ThreadPool> {
    const spinMs = tuning.spinMs ?? (threads <= (await hardwareThreads()) ? DEFAULT_SPIN_MS : 0);
    const ctl = exports.alloc(exports.thread_ctl_bytes()) >>> 0;
    new Uint8Array(memory.buffer, ctl, exports.thread_ctl_bytes()).fill(0);
    const scratch: number[] = [];
    const handles: WorkerHandle[] = [];
    try {
      for (let tid = 1; tid < threads; tid++) {
        const s = exports.alloc(exports.thread_scratch_bytes()) >>> 0;
        scratch.push(s);
        const started = await startWorker();
        let resolveReady!: () => void, rejectReady!: (e: Error) => void, resolveExit!: () => void;
        const ready = new Promise<void>((res, rej) => { resolveReady = res; rejectReady = rej; });
        const exited = new Promise<void>((res) => { resolveExit = res; });
        started.onMessage((m) => {
          if (m.type === 'ready') resolveReady();
          else if (m.type === 'exit') resolveExit();
          else if (m.type === 'error') {
            rejectReady(new Error(`simdnet: worker ${tid} failed: ${m.message ?? 'unknown error'}`));
            resolveExit();
          }
        });
        started.onEnd((error) => {
          rejectReady(new Error(`simdnet: worker ${tid} ${error ? `failed: ${error}` : 'exited before it was ready'}`));
          resolveExit();
        });
        ready.catch(() => {});
        started.worker.postMessage({ module: workerModule, memory, ctl, tid, scratch: s, spinMs });
        handles.push({ worker: started.worker, ready, exited, unref: started.unref });
      }
      await Promise.all(handles.map((h) => h.ready));
    } catch (e) {
      for (const h of handles) h.worker.terminate();
      // The workers never took a job: the control block and their scratch can go now.
      for (const s of scratch) exports.free(s);
      exports.free(ctl);
      throw e;
    }
    // Idle workers must not keep a Node process alive; dispose() ends them.
    for (const h of handles) h.unref();
    exports.pool_configure(ctl, threads, callerMayBlock() ? 1 : 0, tuning.minWork ?? 0, 0, tuning.callerComputes === false ? 0 : 1);
    return new ThreadPool(exports, ctl, scratch, handles);
  }

  /** Threads that share the work, the calling one included (1 once disposed). */
  get threads(): number {
    return this.#closed === null ? this.#handles.length + 1 : 1;
  }

  /** Blocks of work the workers (not the calling thread) have computed so far. */
  get workerParts(): number {
    return Atomics.load(new Int32Array(this.#exports.memory.buffer), (this.#ctl + CTL_WORKED) >> 2);
  }

  /** True once a worker failed; the module then runs every kernel on the calling thread. */
  get failed(): boolean {
    return Atomics.load(new Int32Array(this.#exports.memory.buffer), (this.#ctl + CTL_DEAD) >> 2) !== 0;
  }

  /** Stops splitting at once, asks every worker to leave its loop, terminates it; resolves when all have ended. */
  dispose(): Promise<void> {
    if (this.#closed !== null) return this.#closed;
    this.#exports.pool_quit();
    const ends = this.#handles.map(async (h) => {
      // A worker in its loop sees the quit job and says 'exit'; terminate covers one that cannot.
      await Promise.race([h.exited, new Promise((res) => setTimeout(res, 1000))]);
      await h.worker.terminate();
    });
    this.#closed = Promise.all(ends).then(() => {
      // Nobody reads the control block or the scratch any more.
      for (const s of this.#scratch) this.#exports.free(s);
      this.#exports.free(this.#ctl);
    });
    return this.#closed;
  }
}

/** Compiles the threads build and instantiates it on a new shared memory: the main instance plus the module workers use. */
export async function instantiateThreaded(bytes: Uint8Array, tuning: ThreadTuning = {}): Promise<{
  exports: KernelExports & ThreadExports; memory: WebAssembly.Memory; workerModule: WebAssembly.Module;
}> {
  checkTuning(tuning);
  const maximum = tuning.maximumPages ?? DEFAULT_MAXIMUM_PAGES;
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum, shared: true } as WebAssembly.MemoryDescriptor);
  const module = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  const imports = WebAssembly.Module.imports(module);
  if (!imports.some((i) => i.module === 'env' && i.name === 'memory' && i.kind === 'memory')) {
    throw new Error('simdnet: the given module is not the threads build (it does not import a shared memory)');
  }
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const exports = instance.exports as unknown as KernelExports & ThreadExports;
  if (typeof exports.threads_enabled !== 'function' || exports.threads_enabled() !== 1 || typeof exports.gemm_f32 !== 'function') {
    throw new Error('simdnet: the given module is not the simdnet threads build');
  }
  const workerModule = await WebAssembly.compile(withPassiveData(bytes));
  return { exports, memory, workerModule };
}
