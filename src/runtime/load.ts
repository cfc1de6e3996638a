// Finds, compiles and instantiates the kernel module: bundled file, bytes or a precompiled Module.
// Nothing here touches `fs`, `fetch` or `window` until a load actually needs it.
import { instantiate } from '@assemblyscript/loader';
import { relaxedSimd, simd } from 'wasm-feature-detect';
import type { KernelExports } from './abi.js';

/** Which kernel binary: v128 SIMD, SIMD with relaxed_madd, or the scalar twin for hosts without SIMD. */
export type Build = 'simd' | 'relaxed' | 'scalar';

/** Where the kernel module comes from. */
export interface LoadOptions {
  /** 'auto' (default) picks relaxed where the host validates relaxed SIMD, else simd, else scalar. */
  build?: Build | 'auto';
  /** Compiled module or raw bytes of either build; overrides the bundled file. */
  source?: WebAssembly.Module | BufferSource;
}

/** The instantiated module, the build it turned out to be, and its exports. */
export interface LoadedModule {
  build: Build;
  exports: KernelExports;
}

/** URL of a bundled binary; the same relative path works from src/runtime and dist/runtime. */
export function bundledUrl(build: Build): URL {
  return new URL(`../../build/simdnet.${build}.wasm`, import.meta.url);
}

/** Reads the bundled binary with fs in Node and fetch elsewhere. */
export async function readBundled(build: Build): Promise<Uint8Array> {
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

/** Loads and instantiates the kernel module with an empty import object. */
export async function loadModule(options: LoadOptions = {}): Promise<LoadedModule> {
  const wanted = options.build ?? 'auto';
  if (wanted !== 'auto' && wanted !== 'simd' && wanted !== 'relaxed' && wanted !== 'scalar') {
    throw new Error(`simdnet: unknown build '${String(wanted)}'; expected 'auto', 'simd', 'relaxed' or 'scalar'`);
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
