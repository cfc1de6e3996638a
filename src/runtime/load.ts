// Finds, compiles and instantiates the kernel module: bundled file, bytes or a precompiled Module.
// Nothing here imports a `node:` module (host.ts reads files); nothing is fetched until a load needs it.
import { instantiate } from '@assemblyscript/loader';
import { relaxedSimd, simd } from 'wasm-feature-detect';
import type { KernelExports } from './abi.js';
import { host, HttpError } from './host.js';
import { autoThreads, checkTuning, instantiateThreaded, threadsUnavailableReason, ThreadPool, type ThreadTuning } from './threads.js';

/** Which kernel binary: v128 SIMD, SIMD with relaxed_madd, or the scalar twin for hosts without SIMD. */
export type Build = 'simd' | 'relaxed' | 'scalar';

/** Where the kernel module comes from. */
export interface LoadOptions {
  /** 'auto' (default) picks relaxed where the host validates relaxed SIMD, else simd, else scalar. */
  build?: Build | 'auto';
  /** Compiled module or raw bytes of either build; overrides the bundled file. With threads > 1: a threads build's bytes. */
  source?: WebAssembly.Module | BufferSource;
  /**
   * Where to fetch the kernel module instead of the bundled file: a URL (relative to the page) for the build
   * it holds, or a function from the build ('simd' | 'relaxed' | 'scalar' | 'threads' | 'threads.relaxed') to its URL, e.g.
   * `(build) => \`/wasm/simdnet.\${build}.wasm\`` after copying node_modules/simdnet/build/*.wasm there.
   */
  wasmUrl?: string | URL | ((build: WasmFile) => string | URL);
  /**
   * Threads that share the large GEMMs, the calling one included (default 1). Above 1, a threads
   * build (shared memory; relaxed SIMD where the host has it and build is 'auto' or 'relaxed', else SIMD)
   * runs on threads − 1 workers (worker_threads / Web Workers) plus the caller, with results
   * byte-identical to the relaxed or simd build on one thread; `Kernels.dispose()` ends the workers.
   * Where SharedArrayBuffer is missing (a page without cross-origin isolation) or workers cannot
   * start, it falls back to one thread (on the build the threads would have run: the same results)
   * and `Kernels.threadsFallback` says why.
   */
  threads?: number | 'auto';
  /**
   * With threads: 'auto': the parameters of the largest weight matrix (units × inputs) of the net these
   * kernels are for (Network.create passes it); below AUTO_MIN_LAYER_PARAMS the kernels stay on one thread.
   */
  autoLayerParams?: number;
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

/** Every binary the package ships: the kernel builds, the two threads builds (SIMD, relaxed SIMD) and the edge templates. */
export type WasmFile = Build | 'threads' | 'threads.relaxed' | 'edge.simd' | 'edge.scalar' | 'edge.int8.simd' | 'edge.int8.scalar';

/**
 * URL of a shipped binary; the same relative path works from src/runtime and dist/runtime. One literal
 * `new URL('…', import.meta.url)` per file, so that bundlers (Vite, webpack, Rollup plugins) see each file,
 * emit it and rewrite its URL; only the build picked at run time is fetched.
 */
export function bundledUrl(file: WasmFile): URL {
  switch (file) {
    case 'simd': return new URL('../../build/simdnet.simd.wasm', import.meta.url);
    case 'relaxed': return new URL('../../build/simdnet.relaxed.wasm', import.meta.url);
    case 'scalar': return new URL('../../build/simdnet.scalar.wasm', import.meta.url);
    case 'threads': return new URL('../../build/simdnet.threads.wasm', import.meta.url);
    case 'threads.relaxed': return new URL('../../build/simdnet.threads.relaxed.wasm', import.meta.url);
    case 'edge.simd': return new URL('../../build/simdnet.edge.simd.wasm', import.meta.url);
    case 'edge.scalar': return new URL('../../build/simdnet.edge.scalar.wasm', import.meta.url);
    case 'edge.int8.simd': return new URL('../../build/simdnet.edge.int8.simd.wasm', import.meta.url);
    case 'edge.int8.scalar': return new URL('../../build/simdnet.edge.int8.scalar.wasm', import.meta.url);
    default: throw new Error(`simdnet: no bundled binary '${String(file)}'`);
  }
}

/** Binaries embedded in the JS by `simdnet/inline`: base64 of the gzipped .wasm, decoded on first use. */
const embedded = new Map<WasmFile, string | Promise<Uint8Array>>();

/** Registers embedded binaries (dist/inline-wasm.js calls this); they win over the bundled URLs. */
export function embedWasm(files: Partial<Record<WasmFile, string>>): void {
  for (const [file, base64] of Object.entries(files)) embedded.set(file as WasmFile, base64);
}

async function gunzipBase64(base64: string): Promise<Uint8Array> {
  const binary = atob(base64);
  const gz = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) gz[i] = binary.charCodeAt(i);
  const stream = new Blob([gz]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Where a build is fetched from, when `wasmUrl` overrides the bundled location. */
function overrideUrl(file: WasmFile, wasmUrl: LoadOptions['wasmUrl']): URL | null {
  if (wasmUrl === undefined) return null;
  const chosen = typeof wasmUrl === 'function' ? wasmUrl(file) : wasmUrl;
  if (typeof chosen !== 'string' && !(chosen instanceof URL)) {
    throw new Error(`simdnet: wasmUrl must be a string, a URL or a function (build) => string | URL; got ${typeof chosen}`);
  }
  const base = (globalThis as { location?: { href?: string } }).location?.href;
  return base === undefined ? new URL(chosen) : new URL(chosen, base);
}

/**
 * The bytes of a shipped binary: embedded (`simdnet/inline`), else from `wasmUrl`, else from the URL the
 * bundler or package gives it (disk in Node, fetch elsewhere). A 404 says how to make the file reachable.
 */
export async function readBundled(file: WasmFile, wasmUrl?: LoadOptions['wasmUrl']): Promise<Uint8Array> {
  const url = overrideUrl(file, wasmUrl);
  if (url === null) {
    const held = embedded.get(file);
    if (held !== undefined) {
      const bytes = typeof held === 'string' ? gunzipBase64(held) : held;
      embedded.set(file, bytes);
      return bytes;
    }
  }
  const where = url ?? bundledUrl(file);
  try {
    return await host().readFile(where);
  } catch (cause) {
    throw new Error(missingMessage(file, where, cause, url !== null), { cause });
  }
}

function missingMessage(file: WasmFile, url: URL, cause: unknown, overridden: boolean): string {
  const name = `simdnet.${file}.wasm`;
  const status = cause instanceof HttpError ? `HTTP ${cause.status}` : (cause as Error).message;
  if (url.protocol === 'file:' && !(cause instanceof HttpError)) {
    return `simdnet: cannot read the ${file} kernel module at ${url.pathname} (${status}); in a source checkout run \`npm run asbuild\``;
  }
  const head = `simdnet: fetching the ${file} kernel module from ${url.href} failed (${status}).`;
  if (overridden) return `${head} Check the wasmUrl option: serve node_modules/simdnet/build/${name} at that URL.`;
  return `${head} The page's bundler did not serve simdnet's .wasm files. Fix one of: ` +
    `import from 'simdnet/inline' (kernels embedded in the JS, no .wasm to serve; use it with esbuild and CDNs); ` +
    `or copy node_modules/simdnet/build/*.wasm next to your page and pass { kernels: { wasmUrl: (build) => \`/simdnet.\${build}.wasm\` } } ` +
    `to Network.create ({ wasmUrl } to Kernels.load). Vite and webpack 5 emit them without configuration.`;
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
  // 'auto': from the host's hardware threads and the net's size (runtime/threads.ts autoThreads).
  const threads = options.threads === 'auto' ? autoThreads(options.autoLayerParams) : options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new Error(`simdnet: threads must be an integer from 1 to ${MAX_THREADS}, got ${String(threads)}`);
  }
  checkTuning(options.threadTuning);
  if (threads > 1) {
    if (wanted === 'scalar') {
      throw new Error("simdnet: threads > 1 runs a threads build (SIMD or relaxed SIMD); there is no scalar threads build: load with build: 'auto', 'simd' or 'relaxed'");
    }
    if (options.source instanceof WebAssembly.Module) {
      throw new Error('simdnet: with threads > 1, source must be the bytes of a threads build (build/simdnet.threads.wasm or simdnet.threads.relaxed.wasm), not a compiled Module');
    }
    const simdHost = await hostHasSimd();
    const relaxedHost = simdHost && await hostHasRelaxedSimd();
    if (wanted === 'relaxed' && !relaxedHost) {
      throw new Error('simdnet: this host does not support relaxed SIMD (Node 20: run with --experimental-wasm-relaxed-simd); load with build: "simd" or "auto"');
    }
    // 'auto' takes relaxed SIMD where the host has it, as on one thread.
    const build: Build = wanted === 'auto' ? (relaxedHost ? 'relaxed' : 'simd') : wanted;
    const reason = threadsUnavailableReason() ?? (simdHost ? null : 'this host has no WebAssembly SIMD');
    if (reason === null) return loadThreaded(options, threads, build, wanted);
    // One thread after all, on the build the threads would have run (the same bytes); the threads bytes, if given
    // as source, cannot run without shared memory, so the bundled file is used.
    const single = await loadModule({ build: simdHost ? build : 'scalar', ...(options.wasmUrl === undefined ? {} : { wasmUrl: options.wasmUrl }) });
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
    source = await readBundled(build, options.wasmUrl);
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

/** A threads build on a shared memory plus threads − 1 workers; a worker failure leaves the main instance on one thread. */
async function loadThreaded(options: LoadOptions, threads: number, wantedBuild: Build, wanted: Build | 'auto'): Promise<LoadedModule> {
  const file: WasmFile = wantedBuild === 'relaxed' ? 'threads.relaxed' : 'threads';
  const bytes = options.source !== undefined ? toBytes(options.source as BufferSource) : await readBundled(file, options.wasmUrl);
  let loaded;
  try {
    loaded = await instantiateThreaded(bytes, options.threadTuning);
  } catch (cause) {
    throw new Error(`simdnet: the threads kernel module failed to instantiate: ${(cause as Error).message.replace(/^simdnet: /, '')}`, { cause });
  }
  const { exports, memory, workerModule } = loaded;
  const build: Build = exports.relaxed_enabled?.() === 1 ? 'relaxed' : 'simd';
  if (wanted !== 'auto' && wanted !== build) {
    throw new Error(`simdnet: asked for the ${wanted} build but the given module is the ${build} threads build`);
  }
  try {
    const pool = await ThreadPool.start(exports, workerModule, memory, threads, options.threadTuning);
    return { build, exports, pool, threadsFallback: null };
  } catch (e) {
    return { build, exports, pool: null, threadsFallback: (e as Error).message.replace(/^simdnet: /, '') };
  }
}

function toBytes(source: BufferSource): Uint8Array {
  if (source instanceof Uint8Array) return source;
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  return new Uint8Array(source);
}
