// fitDataset on a generated source of 10 million examples × 32 features (≈ 1.3 GB as float32) that never
// exists at once: chunks of 8192 examples are made, trained on and dropped. Prints the peak WASM memory,
// the peak JS heap and the examples per second; checks that memory stays flat and the model learns.
import { describe, expect, it } from 'vitest';
import { Network } from '../../src/network.js';
import { MiB } from './memory.js';

const N = 10_000_000;
const F = 32;
const CHUNK = 8192;

/** Deterministic chunk c: features uniform in [-1, 1) from a per-chunk mulberry32, label = [w·x > 0]. */
function makeChunk(c: number, rows: number): { X: { data: Float32Array; shape: [number, number] }; Y: Uint8Array } {
  let s = (0x9e3779b9 ^ Math.imul(c + 1, 0x85ebca6b)) >>> 0;
  const rand = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const data = new Float32Array(rows * F);
  const Y = new Uint8Array(rows);
  for (let e = 0; e < rows; e++) {
    let z = 0;
    for (let f = 0; f < F; f++) {
      const v = 2 * rand() - 1;
      data[e * F + f] = v;
      z += (f % 3 === 0 ? 1 : f % 3 === 1 ? -0.5 : 0.25) * v;
    }
    Y[e] = z > 0 ? 1 : 0;
  }
  return { X: { data, shape: [rows, F] }, Y };
}

function* source(): Generator<ReturnType<typeof makeChunk>> {
  for (let c = 0, done = 0; done < N; c++, done += CHUNK) yield makeChunk(c, Math.min(CHUNK, N - done));
}

describe('streaming soak', () => {
  it('10M × 32 examples through fitDataset with flat memory', async () => {
    const net = await Network.create({ layers: [F, 16, 1], hidden: 'relu', seed: 1 });
    const memory = net.kernels.exports.memory;
    let peakWasm = 0;
    let peakHeap = 0;
    let peakRss = 0;
    let chunks = 0;
    const sampled = function* (): Generator<ReturnType<typeof makeChunk>> {
      for (const chunk of source()) {
        yield chunk;
        if (++chunks % 64 === 0) {
          const u = process.memoryUsage();
          peakHeap = Math.max(peakHeap, u.heapUsed);
          peakRss = Math.max(peakRss, u.rss);
          peakWasm = Math.max(peakWasm, memory.buffer.byteLength);
        }
      }
    };
    const started = performance.now();
    const h = await net.fitDataset(() => sampled(), { epochs: 1, batchSize: 256, optimizer: 'adam', learningRate: 0.003, costEvery: 1 });
    const seconds = (performance.now() - started) / 1000;
    peakWasm = Math.max(peakWasm, memory.buffer.byteLength);
    const test = makeChunk(999_999, 4096);
    const ev = net.evaluate(test.X, test.Y);
    console.log(`stream soak: ${N.toLocaleString('en')} examples × ${F} features (${MiB(N * F * 4)} as float32) in ${chunks} chunks of ${CHUNK}; ` +
      `${h.steps} Adam steps of 256 in ${seconds.toFixed(1)} s = ${Math.round(N / seconds).toLocaleString('en')} examples/s; ` +
      `peak WASM memory ${MiB(peakWasm)}, peak JS heap ${MiB(peakHeap)}, peak RSS ${MiB(peakRss)}; epoch cost ${h.costs[0]?.cost.toFixed(4)}, held-out accuracy ${ev.accuracy.toFixed(4)}`);
    expect(h.stopped).toBeNull();
    expect(h.steps).toBe(Math.ceil(CHUNK / 256) * Math.floor(N / CHUNK) + Math.ceil((N % CHUNK) / 256));
    expect(ev.accuracy).toBeGreaterThan(0.97);
    // The whole data set is 1.2 GiB: memory that held it would be far above these bounds.
    expect(peakWasm).toBeLessThan(64 * 2 ** 20);
    expect(peakHeap).toBeLessThan(256 * 2 ** 20);
    net.dispose();
  });
});
