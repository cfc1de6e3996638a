// WASM memory over many network lifetimes on one shared kernel module.
//
// WebAssembly memory only grows, so a leak shows up as memoryBytes climbing cycle after cycle, and as
// liveTensors (the arena's count of allocated, not yet disposed tensors) not returning to its start.
// Each cycle creates a tiny net, fits it for 10 iterations and disposes it; the cycles rotate through
// configurations that allocate every kind of buffer (optimiser state, dropout masks, mini-batch and
// validation workspaces, a predict() larger than the training workspace, gradientCheck, save/load).
//
// Bound: after a 50-cycle warm-up has created every buffer shape once, the allocator (TLSF) reuses
// freed blocks, so steady state should need no new pages at all. One 64 KiB page of slack is allowed
// for allocator fragmentation. memoryBytes alone is coarse: leaking the smallest block (~32 B with
// TLSF's header) once per cycle is only ~32 KB over 1000 cycles, under one page. So the test also
// checks liveTensors after every cycle, which catches any leaked tensor exactly.
import { describe, expect, it } from 'vitest';
import { Kernels } from '../../src/kernels.js';
import { Network, type NetworkOptions } from '../../src/network.js';
import type { FitOptions } from '../../src/train/options.js';
import { mulberry32, randomRows } from './helpers.js';

const PAGE = 65536;
const CYCLES = 1000;
const WARMUP = 50;

const rng = mulberry32(3);
const X = randomRows(rng, 24, 3);
const Y = X.map((x) => (x[0]! > x[1]! ? 1 : 0));
const Y3 = X.map((_, e) => e % 3);
const bigX = randomRows(rng, 1500, 3);

const CONFIGS: { net: Omit<NetworkOptions, 'kernels'>; fit: FitOptions; y: number[]; extra?: 'gradcheck' | 'saveload' | 'predictBig' }[] = [
  { net: { layers: [3, 4, 1], dtype: 'float32' }, fit: {}, y: Y },
  { net: { layers: [3, 5, 3], dtype: 'float64', hidden: 'tanh' }, fit: { optimizer: 'adam', batchSize: 8 }, y: Y3 },
  { net: { layers: [3, 6, 4, 1], dtype: 'float32', normalize: 'standardize' }, fit: { keepProb: 0.8, optimizer: 'momentum' }, y: Y, extra: 'saveload' },
  { net: { layers: [3, 4, 1], dtype: 'float64' }, fit: { optimizer: 'rmsprop', validation: 0.25, earlyStopping: { patience: 2 }, costEvery: 1 }, y: Y, extra: 'gradcheck' },
  { net: { layers: [3, 8, 1], dtype: 'float32' }, fit: { batchSize: 5, keepProb: 0.5, validation: { X: bigX.slice(0, 40), Y: bigX.slice(0, 40).map(() => 1) } }, y: Y, extra: 'predictBig' },
];

describe('memory over 1000 create / fit / dispose cycles', () => {
  it('memoryBytes stays bounded and liveTensors returns to its start', async () => {
    const kernels = await Kernels.load();
    const startLive = kernels.liveTensors;
    const startBytes = kernels.memoryBytes;
    let afterWarmup = 0;
    let peakLive = 0;
    const started = performance.now();
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const c = CONFIGS[cycle % CONFIGS.length]!;
      const net = await Network.create({ ...c.net, seed: cycle, kernels });
      try {
        await net.fit(X, c.y, { iterations: 10, learningRate: 0.05, ...c.fit });
        peakLive = Math.max(peakLive, kernels.liveTensors);
        if (c.extra === 'gradcheck') net.gradientCheck(X.slice(0, 5), c.y.slice(0, 5));
        if (c.extra === 'predictBig') net.predict(bigX);
        if (c.extra === 'saveload') {
          const copy = await Network.load(net.save(), { kernels });
          copy.predict(X);
          copy.dispose();
        }
        // A rejected call must not leak either.
        if (cycle % 7 === 0) await expect(net.fit(X, c.y, { iterations: 10, keepProb: 2 })).rejects.toThrow(/keepProb/);
      } finally {
        net.dispose();
      }
      expect(kernels.liveTensors).toBe(startLive);
      if (cycle === WARMUP - 1) afterWarmup = kernels.memoryBytes;
    }
    const end = kernels.memoryBytes;
    const ms = performance.now() - started;
    console.log(`memory: start ${startBytes} B, after ${WARMUP} warm-up cycles ${afterWarmup} B, after ${CYCLES} cycles ${end} B ` +
      `(growth after warm-up ${end - afterWarmup} B); peak live tensors ${peakLive}, end ${kernels.liveTensors} (start ${startLive}); ${ms.toFixed(0)} ms`);
    expect(kernels.liveTensors).toBe(startLive);
    expect(end - afterWarmup).toBeLessThanOrEqual(PAGE);
    // Sanity: the tiny nets never needed more than a few pages in all.
    expect(end).toBeLessThanOrEqual(startBytes + 32 * PAGE);
  }, 120_000);
});
