// The pool's life: fallback without SharedArrayBuffer, workers that end on dispose (and never keep
// a process alive), a failing worker, worker instantiation that cannot clobber live memory, and the
// binaries: only the threads build imports anything (its shared memory).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
// Loaded before any test stubs SharedArrayBuffer: Node's worker module reads that global once, when it
// is first loaded, and its workers cannot start if it was missing then.
import 'node:worker_threads';
import createWabt from 'wabt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Kernels } from '../../src/kernels.js';
import { Network } from '../../src/network.js';
import { threadsUnavailableReason, withPassiveData } from '../../src/runtime/threads.js';
import { bytesOf, firstDifference, mulberry32, osThreads, wasmBytes } from './helpers.js';
import { autoBuild } from '../runtime/host.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

/** Trains a small net for a few steps and returns its weights' bytes. */
async function train(kernels: Kernels | { threads: number }): Promise<Uint8Array[]> {
  const rng = mulberry32(11);
  const X = { data: Float64Array.from({ length: 30 * 60 }, () => rng()), shape: [30, 60] as [number, number] };
  const Y = { data: Float64Array.from({ length: 60 }, (_, i) => i % 2), shape: [1, 60] as [number, number] };
  const net = await Network.create({ layers: [30, 10, 1], seed: 4, kernels });
  await net.fit(X, Y, { iterations: 20, learningRate: 0.1, layout: 'features-first' });
  const w = net.getWeights().flatMap((l) => [bytesOf(l.W), bytesOf(l.b)]);
  net.dispose();
  return w;
}

describe('fallback to one thread', () => {
  it('without SharedArrayBuffer (a page without cross-origin isolation): one thread, the reason, a working net', async () => {
    vi.stubGlobal('SharedArrayBuffer', undefined);
    expect(threadsUnavailableReason()).toMatch(/SharedArrayBuffer is not available .*cross-origin isolation/);
    const k = await Kernels.load({ threads: 2 });
    expect(k.threads).toBe(1);
    expect(k.threadsFallback).toMatch(/SharedArrayBuffer/);
    // The build the threads would have run: 'auto' takes relaxed SIMD where the host has it (Node 21 and later).
    expect(k.build).toBe(autoBuild);
    const fallback = await train(k);
    vi.unstubAllGlobals();
    const reference = await train(await Kernels.load({ build: autoBuild }));
    fallback.forEach((w, i) => expect(firstDifference(w, reference[i]!)).toBe(-1));
    await k.dispose(); // nothing to end, still fine
  });

  it('a browser page that is not cross-origin isolated', async () => {
    vi.stubGlobal('crossOriginIsolated', false);
    expect(threadsUnavailableReason()).toMatch(/not cross-origin isolated/);
    const net = await Network.create({ layers: [4, 1], kernels: { threads: 4 } });
    expect(net.kernels.threads).toBe(1);
    expect(net.kernels.threadsFallback).toMatch(/cross-origin/);
    net.dispose();
  });

  it('threads: 1 is the ordinary single-thread module; bad counts and builds are refused', async () => {
    const k = await Kernels.load({ threads: 1 });
    expect(k.threads).toBe(1);
    expect(k.threadsFallback).toBeNull();
    await expect(Kernels.load({ threads: 0 })).rejects.toThrow(/threads must be an integer from 1 to 64, got 0/);
    await expect(Kernels.load({ threads: 2.5 })).rejects.toThrow(/threads must be an integer/);
    await expect(Kernels.load({ threads: 2, build: 'scalar' })).rejects.toThrow(/no scalar threads build/);
    await expect(Kernels.load({ threads: 2, source: new WebAssembly.Module(wasmBytes('threads')) })).rejects.toThrow(/bytes of a threads build/);
    await expect(Kernels.load({ threads: 2, source: wasmBytes('simd') })).rejects.toThrow(/not the threads build/);
    await expect(Kernels.load({ threads: 2, threadTuning: { spinMs: -1 } })).rejects.toThrow(/spinMs must be in \[0, 1000\], got -1/);
    await expect(Kernels.load({ threads: 2, threadTuning: { minWork: 0 } })).rejects.toThrow(/minWork must be a number ≥ 1/);
    await expect(Kernels.load({ threads: 2, threadTuning: { maximumPages: 1 << 20 } })).rejects.toThrow(/maximumPages must be an integer in \[2, 65536\]/);
  });
});

describe('workers', () => {
  it('run as OS threads and are gone once dispose() resolves; the kernels keep working on one thread', async () => {
    const before = osThreads();
    const k = await Kernels.load({ threads: 3, source: wasmBytes('threads'), threadTuning: { minWork: 1, callerComputes: false } });
    expect(k.threads).toBe(3);
    const during = osThreads();
    if (before !== null) expect(during!).toBeGreaterThanOrEqual(before + 2);
    const A = k.tensor(24, 64, 'float32', new Float32Array(24 * 64).fill(0.5));
    const C = k.tensor(24, 24, 'float32');
    k.gemm(false, true, 1, A, A, 0, C); // three column blocks of 8, all computed by the two workers
    expect(k.workerParts).toBeGreaterThanOrEqual(2);
    expect(C.data[0]).toBe(16);
    await k.dispose();
    expect(k.threads).toBe(1);
    if (during !== null) expect(osThreads()!).toBeLessThanOrEqual(during - 2); // both worker threads have ended
    const parts = k.workerParts;
    k.gemm(false, true, 2, A, A, 0, C);
    expect(C.data[24 * 24 - 1]).toBe(32);
    expect(k.workerParts).toBe(parts); // no worker took part
    await k.dispose(); // idempotent
  });

  it('never keep a Node process alive: a script that does not dispose still exits', () => {
    const script = fileURLToPath(new URL('./fixtures/no-dispose.ts', import.meta.url));
    const out = execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ threads: 2, c00: 16, workersTookPart: true });
  });

  it('a block that traps fails the call (no hang) and the pool is given up; the module goes on alone', async () => {
    const k = await Kernels.load({ threads: 2, threadTuning: { minWork: 1 } });
    const e = k.exports;
    const a = e.alloc(4 * 64) >>> 0, b = e.alloc(4 * 64 * 64) >>> 0;
    // C is one row of 64 f32 whose last 8 columns lies past the end of memory. Whichever thread
    // takes those columns traps: a worker marks the pool dead and the caller traps on it, or the caller traps itself.
    const c = e.memory.buffer.byteLength - 4 * 56;
    expect(() => e.gemm_f32(0, 0, 1, 64, 64, 1, a, 64, b, 64, 0, c, 64)).toThrow(WebAssembly.RuntimeError);
    const A = k.tensor(4, 64, 'float32', new Float32Array(256).fill(1));
    const C = k.tensor(4, 4, 'float32');
    k.gemm(false, true, 1, A, A, 0, C); // finds the pool unusable and runs on this thread
    expect(Array.from(C.data)).toEqual(new Array(16).fill(64));
    expect(k.threads).toBe(1);
    const parts = k.workerParts;
    k.gemm(false, true, 1, A, A, 0, C);
    expect(k.workerParts).toBe(parts);
    await k.dispose();
  });
});

describe('instantiating a worker writes nothing to the shared memory', () => {
  it('the worker copy of the module has only passive data segments', async () => {
    const bytes = wasmBytes('threads');
    const passive = withPassiveData(bytes);
    expect(WebAssembly.validate(passive)).toBe(true);
    const instantiateOn = async (wasm: Uint8Array<ArrayBuffer>) => {
      const memory = new WebAssembly.Memory({ initial: 2, maximum: 16, shared: true } as WebAssembly.MemoryDescriptor);
      const view = new Uint8Array(memory.buffer);
      view.fill(0xab);
      await WebAssembly.instantiate(wasm, { env: { memory } });
      return view.findIndex((v) => v !== 0xab);
    };
    expect(await instantiateOn(passive)).toBe(-1);
    expect(await instantiateOn(bytes)).toBeGreaterThanOrEqual(0); // the original re-applies its data
  });

  it('the copy is the module with its segments made passive, as wabt reads both; 300 times over (the optimizing tiers)', async () => {
    const wabt = await createWabt();
    const text = (wasm: Uint8Array) => {
      const mod = wabt.readWasm(wasm, { readDebugNames: false, threads: true, simd: true, relaxed_simd: true } as never);
      try {
        return mod.toText({});
      } finally {
        mod.destroy();
      }
    };
    for (const build of ['threads', 'threads.relaxed'] as const) {
      const bytes = wasmBytes(build);
      const original = text(bytes);
      const active = original.split('\n').filter((l) => l.trimStart().startsWith('(data '));
      expect(active.length, build).toBeGreaterThan(100);
      expect(active.every((l) => /^\s*\(data \(;\d+;\) \(i32\.const \d+\) "/.test(l)), build).toBe(true);
      // Node 26 once dropped the cursor's increments in optimized code, a few calls in; every copy must be the first one's bytes.
      const first = withPassiveData(bytes);
      for (let i = 0; i < 300; i++) expect(firstDifference(withPassiveData(bytes), first), `${build}, call ${i}`).toBe(-1);
      expect(text(first), build).toBe(original.replace(/^(\s*\(data \(;\d+;\)) \(i32\.const \d+\)/gm, '$1'));
    }
  });

  it('names a cut or malformed binary instead of reading past its end', () => {
    const bytes = wasmBytes('threads');
    expect(() => withPassiveData(bytes.subarray(0, 4))).toThrow(/not a WebAssembly binary/);
    for (const cut of [9, 100, bytes.length - 1, bytes.length - 300]) {
      expect(() => withPassiveData(bytes.subarray(0, cut)), `cut at ${cut}`).toThrow(/^simdnet: (the threads kernel module (is truncated|has a malformed LEB128)|malformed data section)/);
    }
  });
});

describe('binaries', () => {
  /** Ids of the sections of a module (2 = imports). */
  function sectionIds(bytes: Uint8Array): number[] {
    const ids: number[] = [];
    let pos = 8;
    while (pos < bytes.length) {
      ids.push(bytes[pos++]!);
      let size = 0, shift = 0, byte: number;
      do { byte = bytes[pos++]!; size += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
      pos += size;
    }
    return ids;
  }

  it('simd, scalar and relaxed import nothing; threads imports only its shared memory and exports the thread ABI', () => {
    for (const build of ['simd', 'scalar', 'relaxed'] as const) expect(sectionIds(wasmBytes(build)), build).not.toContain(2);
    const bytes = wasmBytes('threads');
    console.log(`build/simdnet.threads.wasm: ${bytes.byteLength} bytes`);
    expect(bytes.byteLength).toBeLessThanOrEqual(64 * 1024);
    const module = new WebAssembly.Module(bytes);
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    const names = WebAssembly.Module.exports(module).map((x) => x.name);
    for (const name of ['threads_enabled', 'thread_ctl_bytes', 'thread_scratch_bytes', 'thread_setup', 'pool_configure', 'pool_quit', 'worker_job', 'gemm_f32', 'net_train_step_f32', 'memory']) {
      expect(names).toContain(name);
    }
  });
});
