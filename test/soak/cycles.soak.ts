// Soak: 10,000 create/fit/predict/dispose cycles on one shared kernel module, and many networks interleaved
// in one memory over several rounds.
//
// Bounds (after a 500-cycle warm-up that has created every buffer shape): WASM memory grows by at most one
// 64 KiB page (memory only grows, so a leak shows up as growth; the allocator reuses freed blocks), the
// arena's live-tensor count returns to its start after every cycle (exact), and the JS heap after a full GC
// grows by at most 4 MiB over the remaining 9,500 cycles (a leak of 500 bytes per cycle would exceed it).
import { describe, expect, it } from 'vitest';
import { Kernels } from '../../src/kernels.js';
import { Network, type NetworkOptions } from '../../src/network.js';
import type { FitOptions } from '../../src/train/options.js';
import { mulberry32, randomRows } from '../network/helpers.js';
import { interleaved, isolationCases, mismatches, solo } from '../reliability/isolation.js';
import { MemoryLog, MiB } from './memory.js';

const CYCLES = 10_000;
const WARMUP = 500;
const PAGE = 65536;

const rng = mulberry32(11);
const X = randomRows(rng, 32, 3);
const Y = X.map((x) => (x[0]! > x[1]! ? 1 : 0));
const Y3 = X.map((_, e) => e % 3);
const Yr = X.map((x) => [x[0]! + x[2]!]);
const bigX = randomRows(rng, 1300, 3);

const CONFIGS: { net: Omit<NetworkOptions, 'kernels' | 'seed'>; fit: FitOptions; y: number[] | number[][]; extra?: 'saveload' | 'predictBig' | 'predictOne' | 'reject' }[] = [
  { net: { layers: [3, 4, 1], dtype: 'float32' }, fit: {}, y: Y },
  { net: { layers: [3, 6, 3], dtype: 'float64', hidden: 'tanh' }, fit: { optimizer: 'adam', batchSize: 8 }, y: Y3, extra: 'predictOne' },
  { net: { layers: [3, 7, 5, 1], dtype: 'float32', normalize: 'standardize' }, fit: { keepProb: 0.8, optimizer: 'momentum' }, y: Y, extra: 'saveload' },
  { net: { layers: [3, 5, 1], dtype: 'float64', output: 'linear' }, fit: { optimizer: 'rmsprop', validation: 0.25, earlyStopping: { patience: 2 }, costEvery: 1 }, y: Yr, extra: 'reject' },
  { net: { layers: [3, 9, 1], dtype: 'float32', hidden: 'leakyRelu' }, fit: { batchSize: 5, keepProb: 0.5, l2: 0.1 }, y: Y, extra: 'predictBig' },
];

describe('soak: create / fit / predict / dispose', () => {
  it(`${CYCLES} cycles: WASM memory, live tensors and the JS heap stay bounded`, async () => {
    const kernels = await Kernels.load();
    const log = new MemoryLog();
    const startLive = kernels.liveTensors;
    log.sample('start', kernels.memoryBytes);
    let warm = { wasm: 0, heap: 0 };
    let peakWasm = 0;
    const started = performance.now();
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const c = CONFIGS[cycle % CONFIGS.length]!;
      const net = await Network.create({ ...c.net, seed: cycle, kernels });
      try {
        await net.fit(X, c.y, { iterations: 10, learningRate: 0.05, ...c.fit });
        const p = net.predict(X);
        if (!p.data.every(Number.isFinite)) throw new Error(`cycle ${cycle}: a non-finite prediction`);
        if (c.extra === 'predictOne') net.predictOne(X[cycle % X.length]!);
        if (c.extra === 'predictBig') net.predict(bigX);
        if (c.extra === 'saveload') {
          const copy = await Network.load(net.save(), { kernels });
          const q = copy.predict(X);
          copy.dispose();
          if (!Buffer.from(q.data.buffer).equals(Buffer.from(p.data.buffer))) throw new Error(`cycle ${cycle}: a loaded copy predicts differently`);
        }
        if (c.extra === 'reject') {
          // Not expect().rejects: vitest keeps every assertion promise of a test until it ends (~4 KB each),
          // which would show up here as heap growth of the test runner, not of simdnet.
          const e = await net.fit(X, c.y, { iterations: 10, batchSize: 1000 }).then(() => null, (err: unknown) => err);
          if (!(e instanceof Error) || !/batchSize 1000 is larger/.test(e.message)) throw new Error(`cycle ${cycle}: the bad batchSize was not rejected`);
        }
      } finally {
        net.dispose();
      }
      if (kernels.liveTensors !== startLive) throw new Error(`cycle ${cycle}: ${kernels.liveTensors - startLive} tensors leaked`);
      peakWasm = Math.max(peakWasm, kernels.memoryBytes);
      if (cycle === WARMUP - 1) warm = log.sample(`after ${WARMUP} warm-up cycles`, kernels.memoryBytes);
      else if ((cycle + 1) % 2500 === 0) log.sample(`after ${cycle + 1} cycles`, kernels.memoryBytes);
    }
    const end = log.samples.at(-1)!;
    const s = (performance.now() - started) / 1000;
    console.log(log.table(`soak cycles: ${CYCLES} create/fit/predict/dispose cycles in ${s.toFixed(1)} s (${(CYCLES / s).toFixed(0)}/s)`));
    console.log(`  WASM growth after warm-up ${end.wasm - warm.wasm} B (bound ${PAGE}); JS heap growth after warm-up ${MiB(end.heap - warm.heap)} (bound 4 MiB); live tensors back to ${startLive} after every cycle`);
    expect(end.wasm - warm.wasm).toBeLessThanOrEqual(PAGE);
    expect(end.heap - warm.heap).toBeLessThanOrEqual(4 * 2 ** 20);
  });

  it('5 rounds of 12 networks interleaved in one memory equal their solo runs byte for byte', async () => {
    const log = new MemoryLog();
    let total = 0;
    let churned = 0;
    for (let round = 0; round < 5; round++) {
      const cases = isolationCases(12, 1000 + round);
      const alone = await Promise.all(cases.map(solo));
      const run = await interleaved(cases, { churnEvery: 5, bigPredict: 5000 });
      expect(mismatches(run.outcomes, alone), `round ${round}`).toEqual([]);
      expect(run.kernels.liveTensors).toBe(0);
      total += cases.length;
      churned += run.churned;
      log.sample(`round ${round}`, run.kernels.memoryBytes);
    }
    console.log(log.table(`soak isolation: ${total} networks in 5 rounds, ${churned} churn networks, every one equal to its solo run`));
  });
});
