// Finds, compiles and instantiates the kernel module: bundled file, bytes or a precompiled Module.
// Nothing here touches `fs`, `fetch` or `window` until a load actually needs it.
import { instantiate } from '@assemblyscript/loader';
import { relaxedSimd, simd } from 'wasm-feature-detect';
import type { KernelExports } from './abi.js';
import { checkTuning, instantiateThreaded, threadsUnavailableReason, ThreadPool, type ThreadTuning } from './threads.js';

/** Which kernel binary: v128 SIMD, SIMD with relaxed_madd, or the scalar twin for hosts without SIMD. */
export type Build = 'simd' | 'relaxed' | 'scalar';

/** Where the kernel module comes from. */
export interface LoadOptions {
  /** 'auto' (default) picks relaxed where the host validates relaxed SIMD, else simd, else scalar. */
  build?: Build | 'auto';
  /** Compiled module or raw bytes of either build; overrides the bundled file. With threads > 1: the threads build's bytes. */
  source?: WebAssembly.Module | BufferSource;
  /**
   * Threads that share the large GEMMs, the calling one included (default 1). Above 1, the threads
   * build (SIMD, shared memory) runs on threads − 1 workers (worker_threads / Web Workers) plus the
   * caller, with results byte-identical to the simd build; `Kernels.dispose()` ends the workers.
   * Where SharedArrayBuffer is missing (a page without cross-origin isolation) or workers cannot
   * start, it falls back to one thread (the simd build for 'auto': the same results) and
   * `Kernels.threadsFallback` says why.
   */
  threads?: number;
  /** Pool tuning for benchmarks: split threshold, spin before parking, maximum shared memory. */
  threadTuning?: ThreadTuning;
}

/** The instantiated module, the build it turned out to be, and its exports. */
export interface LoadedModule {
  build: Build;
  exports: KernelExports;
  /** The workers, when threads > 1 was asked for and they started. */
  pool?: ThreadPool | null;
  /** Why threads > 1 was asked for but the module runs on one thread. */
  threadsFallback?: string | null;
}

/** Largest thread count accepted. */
const MAX_THREADS = 64;

/** URL of a bundled binary; the same relative path works from src/runtime and dist/runtime. */
export function bundledUrl(build: Build | 'threads'): URL {
  return new URL(`../../build/simdnet.${build}.wasm`, import.meta.url);
}

/** Reads the bundled binary with fs in Node and fetch elsewhere. */
export async function readBundled(build: Build | 'threads'): Promise<Uint8Array> {
  const url = bundledUrl(build);
  if (url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    try {
      return new Uint8Array(await readFile(url));
    } catch (cause) {
      throw new Error(`simdnet: cannot read the ${build} kernel module at ${url.pathname}; run \`npm run asbuild\` in a source checkout`, { cause });
    }
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`simdnet: fetching the ${build} kernel module from ${url} failed with HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** True when this host can compile WASM SIMD. */
export async function hostHasSimd(): Promise<boolean> {
  return simd();
}

/** True when this host can compile relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd). */
export async function hostHasRelaxedSimd(): Promise<boolean> {
  return relaxedSimd();
}

/** The best build this host runs. */
export async function bestBuild(): Promise<Build> {
  if (await hostHasRelaxedSimd()) return 'relaxed';
  return (await hostHasSimd()) ? 'simd' : 'scalar';
}

/** Loads and instantiates the kernel module (with threads > 1: the threads build and its workers). */
export async function loadModule(options: LoadOptions = {}): Promise<LoadedModule> {
  const wanted = options.build ?? 'auto';
  if (wanted !== 'auto' && wanted !== 'simd' && wanted !== 'relaxed' && wanted !== 'scalar') {
    throw new Error(`simdnet: unknown build '${String(wanted)}'; expected 'auto', 'simd', 'relaxed' or 'scalar'`);
  }
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new Error(`simdnet: threads must be an integer from 1 to ${MAX_THREADS}, got ${String(threads)}`);
  }
  checkTuning(options.threadTuning);
  if (threads > 1) {
    if (wanted === 'relaxed' || wanted === 'scalar') {
      throw new Error(`simdnet: threads > 1 runs the threads build (SIMD); there is no ${wanted} threads build: load with build: 'auto' or 'simd'`);
    }
    if (options.source instanceof WebAssembly.Module) {
      throw new Error('simdnet: with threads > 1, source must be the bytes of the threads build (build/simdnet.threads.wasm), not a compiled Module');
    }
    const simdHost = await hostHasSimd();
    const reason = threadsUnavailableReason() ?? (simdHost ? null : 'this host has no WebAssembly SIMD');
    if (reason === null) return loadThreaded(options, threads);
    // One thread after all. 'auto' means the kernels the threads build runs (simd: the same bytes), not relaxed;
    // the threads bytes, if given as source, cannot run without shared memory, so the bundled file is used.
    const single = await loadModule({ build: wanted === 'auto' ? (simdHost ? 'simd' : 'scalar') : wanted });
    return { ...single, pool: null, threadsFallback: reason };
  }
  let source = options.source;
  if (source === undefined) {
    const build: Build = wanted === 'auto' ? await bestBuild() : wanted;
    if (build === 'simd' && !(await hostHasSimd())) {
      throw new Error('simdnet: this host does not support WebAssembly SIMD; load with build: "scalar" or "auto"');
    }
    if (build === 'relaxed' && !(await hostHasRelaxedSimd())) {
      throw new Error('simdnet: this host does not support relaxed SIMD (Node 20: run with --experimental-wasm-relaxed-simd); load with build: "simd" or "auto"');
    }
    source = await readBundled(build);
  }
  let result;
  try {
    result = await instantiate<Record<string, unknown>>(source, {});
  } catch (cause) {
    throw new Error(`simdnet: the kernel module failed to instantiate: ${(cause as Error).message}`, { cause });
  }
  const exports = result.exports as unknown as KernelExports;
  if (typeof exports.simd_enabled !== 'function' || typeof exports.gemm_f32 !== 'function') {
    throw new Error('simdnet: the given WebAssembly module is not a simdnet kernel module (missing exports)');
  }
  const build: Build = exports.relaxed_enabled?.() === 1 ? 'relaxed' : exports.simd_enabled() === 1 ? 'simd' : 'scalar';
  if (wanted !== 'auto' && wanted !== build) {
    throw new Error(`simdnet: asked for the ${wanted} build but the given module is the ${build} build`);
  }
  return { build, exports };
}

/** The threads build on a shared memory plus threads − 1 workers; a worker failure leaves the main instance on one thread. */
async function loadThreaded(options: LoadOptions, threads: number): Promise<LoadedModule> {
  const bytes = options.source !== undefined ? toBytes(options.source as BufferSource) : await readBundled('threads');
  let loaded;
  try {
    loaded = await instantiateThreaded(bytes, options.threadTuning);
  } catch (cause) {
    throw new Error(`simdnet: the threads kernel module failed to instantiate: ${(cause as Error).message.replace(/^simdnet: /, '')}`, { cause });
  }
  const { exports, memory, workerModule } = loaded;
  try {
    const pool = await ThreadPool.start(exports, workerModule, memory, threads, options.threadTuning);
    return { build: 'simd', exports, pool, threadsFallback: null };
  } catch (e) {
    return { build: 'simd', exports, pool: null, threadsFallback: (e as Error).message.replace(/^simdnet: /, '') };
  }
}

function toBytes(source: BufferSource): Uint8Array {
  if (source instanceof Uint8Array) return source;
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  return new Uint8Array(source);
}
