// Soak: 10,000 model loads through each loader — Network.load on a shared kernel module, and model_load in
// raw simd and scalar instances — each followed by a prediction checked against the first one's bits and
// a dispose/model_free. WASM memory must stop growing after a warm-up (one page of slack), the JS heap
// after a full GC must grow by at most 4 MiB, and nothing may stay allocated.
import { describe, expect, it } from 'vitest';
import { Kernels } from '../../src/kernels.js';
import { Network } from '../../src/network.js';
import { instantiateRaw, lastError, type ModelAbi } from '../edge/helpers.js';
import { modelPool, rawKernelBinary } from '../reliability/loader-fuzz.js';
import { mulberry32, randomRows } from '../network/helpers.js';
import { MemoryLog, MiB } from './memory.js';

const LOADS = 10_000;
const WARMUP = 500;
const PAGE = 65536;

/** The pool of test/reliability/loader-fuzz.ts plus a trained model with a normaliser, labels and training metadata. */
async function models(): Promise<Uint8Array[]> {
  const r = mulberry32(4);
  const X = randomRows(r, 60, 4, -3, 3);
  const net = await Network.create({ layers: [4, 7, 3], hidden: 'tanh', normalize: 'minmax', labels: ['a', 'b', 'c'], seed: 2 });
  await net.fit(X, X.map((x) => (x[0]! > 1 ? 2 : x[1]! > 0 ? 1 : 0)), { epochs: 3, batchSize: 16, optimizer: 'adam' });
  const bytes = net.save();
  net.dispose();
  return [...modelPool(), bytes];
}

const inputsFor = (n0: number) => randomRows(mulberry32(n0), 5, n0, -2, 2);

describe('soak: model loads', () => {
  it(`${LOADS} Network.load + predict + dispose`, async () => {
    const pool = await models();
    const kernels = await Kernels.load();
    const first = new Map<number, Buffer>();
    const log = new MemoryLog();
    const startLive = kernels.liveTensors;
    log.sample('start', kernels.memoryBytes);
    let warm = { wasm: 0, heap: 0 };
    const started = performance.now();
    for (let i = 0; i < LOADS; i++) {
      const k = i % pool.length;
      const net = await Network.load(pool[k]!, { kernels });
      const p = Buffer.from(net.predict(inputsFor(net.layerSizes[0]!)).data.buffer);
      net.dispose();
      if (!first.has(k)) first.set(k, p);
      else if (!first.get(k)!.equals(p)) throw new Error(`load ${i}: model ${k} predicts differently`);
      if (kernels.liveTensors !== startLive) throw new Error(`load ${i}: tensors leaked`);
      if (i === WARMUP - 1) warm = log.sample(`after ${WARMUP} loads`, kernels.memoryBytes);
      else if ((i + 1) % 2500 === 0) log.sample(`after ${i + 1} loads`, kernels.memoryBytes);
    }
    const end = log.samples.at(-1)!;
    console.log(log.table(`soak Network.load: ${LOADS} loads of ${pool.length} models in ${((performance.now() - started) / 1000).toFixed(1)} s`));
    console.log(`  WASM growth after warm-up ${end.wasm - warm.wasm} B; JS heap growth after warm-up ${MiB(end.heap - warm.heap)}`);
    expect(end.wasm - warm.wasm).toBeLessThanOrEqual(PAGE);
    expect(end.heap - warm.heap).toBeLessThanOrEqual(4 * 2 ** 20);
  });

  for (const build of ['simd', 'scalar'] as const) {
    it(`${LOADS} model_load + model_predict + model_free (${build}, raw instance)`, async () => {
      const pool = await models();
      const ex = await instantiateRaw<ModelAbi>(rawKernelBinary(build));
      const first = new Map<number, Buffer>();
      const log = new MemoryLog();
      log.sample('start', ex.memory.buffer.byteLength);
      let warm = { wasm: 0, heap: 0 };
      const started = performance.now();
      for (let i = 0; i < LOADS; i++) {
        const k = i % pool.length;
        const bytes = pool[k]!;
        const p = ex.alloc(bytes.length);
        new Uint8Array(ex.memory.buffer, p, bytes.length).set(bytes);
        const h = ex.model_load(p, bytes.length);
        ex.free(p);
        if (h <= 0) throw new Error(`load ${i}: model_load returned ${h}: ${lastError(ex)}`);
        const n0 = ex.model_input_size(h);
        const ny = ex.model_output_size(h);
        const x = Float32Array.from(inputsFor(n0).flat());
        const ip = ex.alloc(x.length * 4);
        const op = ex.alloc(5 * ny * 4);
        new Float32Array(ex.memory.buffer, ip, x.length).set(x);
        if (ex.model_predict(h, ip, 5, op) !== 0) throw new Error(`load ${i}: model_predict failed: ${lastError(ex)}`);
        const out = Buffer.from(new Uint8Array(ex.memory.buffer, op, 5 * ny * 4));
        ex.free(ip);
        ex.free(op);
        if (ex.model_free(h) !== 0) throw new Error(`load ${i}: model_free failed`);
        if (!first.has(k)) first.set(k, out);
        else if (!first.get(k)!.equals(out)) throw new Error(`load ${i}: model ${k} predicts differently`);
        if (i === WARMUP - 1) warm = log.sample(`after ${WARMUP} loads`, ex.memory.buffer.byteLength);
        else if ((i + 1) % 2500 === 0) log.sample(`after ${i + 1} loads`, ex.memory.buffer.byteLength);
      }
      const end = log.samples.at(-1)!;
      console.log(log.table(`soak model_load (${build}): ${LOADS} loads of ${pool.length} models in ${((performance.now() - started) / 1000).toFixed(1)} s`));
      console.log(`  WASM growth after warm-up ${end.wasm - warm.wasm} B; JS heap growth after warm-up ${MiB(end.heap - warm.heap)}`);
      expect(end.wasm - warm.wasm).toBeLessThanOrEqual(PAGE);
      expect(end.heap - warm.heap).toBeLessThanOrEqual(4 * 2 ** 20);
    });
  }
});
