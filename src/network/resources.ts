// What a network is made from: the kernel module it runs on and the model bytes it is loaded from.
import { host } from '../runtime/host.js';
import { Kernels } from '../kernels.js';
import type { LoadOptions } from '../runtime/load.js';

let sharedKernels: Promise<Kernels> | null = null;

/** The process-wide kernel module that networks share unless given their own. */
export function defaultKernels(): Promise<Kernels> {
  sharedKernels ??= Kernels.load().catch((e: unknown) => {
    sharedKernels = null;
    throw e;
  });
  return sharedKernels;
}

/**
 * The kernels a network runs on: shared, given, or loaded from options. With `threads: 'auto'` the network's
 * largest weight matrix (`layerParams`) decides the worker count unless the options say otherwise.
 */
export async function resolveKernels(k: Kernels | LoadOptions | undefined, layerParams = 0): Promise<Kernels> {
  if (k instanceof Kernels) return k;
  if (k === undefined) return defaultKernels();
  if (k !== null && typeof k === 'object' && k.threads === 'auto' && k.autoLayerParams === undefined) return Kernels.load({ ...k, autoLayerParams: layerParams });
  return Kernels.load(k);
}

/** What Network.load reads: the bytes save() wrote, or a URL, Response or Blob/File holding them. */
export type ModelSource = Uint8Array | ArrayBuffer | URL | string | Response | Blob;

/** The model bytes of a ModelSource (file: URLs through the host, so the browser entry reaches no node: module). */
export async function modelBytes(source: ModelSource): Promise<Uint8Array | ArrayBuffer> {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return source;
  if (typeof Blob !== 'undefined' && source instanceof Blob) return new Uint8Array(await source.arrayBuffer());
  if (typeof Response !== 'undefined' && source instanceof Response) {
    if (!source.ok) throw new Error(`simdnet: cannot load a model: the response for ${source.url || 'the model'} is ${source.status} ${source.statusText}`);
    return new Uint8Array(await source.arrayBuffer());
  }
  if (source instanceof URL || typeof source === 'string') {
    let url: URL;
    try {
      url = source instanceof URL ? source : new URL(source, typeof location !== 'undefined' ? location.href : undefined);
    } catch {
      throw new Error(`simdnet: a model must be loaded from a Uint8Array or ArrayBuffer, a URL, a Response or a Blob; the string '${String(source).slice(0, 40)}' is not a URL`);
    }
    // file: URLs through the host (runtime/host.ts): the browser entry reaches no node: module.
    if (url.protocol === 'file:') return host().readFile(url);
    return modelBytes(await fetch(url));
  }
  throw new Error('simdnet: a model must be loaded from a Uint8Array or ArrayBuffer, a URL, a Response or a Blob');
}
