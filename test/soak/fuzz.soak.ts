// Soak: 100,000 fuzzed model files through decodeModel, Network.load and model_load in raw simd and scalar
// instances (properties in test/reliability/loader-fuzz.ts). The seed is random unless SIMDNET_FUZZ_SEED is
// set; it is printed so that a failure can be replayed (fast-check also prints the counterexample).
import { describe, expect, it } from 'vitest';
import { describeReport, fuzzLoaders } from '../reliability/loader-fuzz.js';
import { MiB, heapAfterGc } from './memory.js';

const RUNS = Number(process.env.SIMDNET_FUZZ_RUNS ?? 100_000);

describe('soak: loader fuzzing', () => {
  it(`${RUNS} inputs: no trap, no stray write, no hang, TS and WASM agree`, async () => {
    const seed = process.env.SIMDNET_FUZZ_SEED !== undefined ? Number(process.env.SIMDNET_FUZZ_SEED) : (Math.random() * 2 ** 31) | 0;
    console.log(`loader fuzz seed ${seed} (replay: SIMDNET_FUZZ_SEED=${seed} npm run soak)`);
    const heap0 = heapAfterGc();
    const report = await fuzzLoaders({ numRuns: RUNS, seed, log: (s) => console.log(s) });
    const heap1 = heapAfterGc();
    console.log(`${describeReport(report)}\n  JS heap ${MiB(heap0)} → ${MiB(heap1)}`);
    expect(report.cases).toBe(RUNS);
    for (const m of Object.values(report.memory)) expect(m.end).toBeLessThanOrEqual(m.start + (8 << 20));
    expect(heap1 - heap0).toBeLessThanOrEqual(16 * 2 ** 20);
  });
});
