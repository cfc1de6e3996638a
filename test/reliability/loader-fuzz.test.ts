// A fast slice of the loader fuzzing (test/reliability/loader-fuzz.ts explains the properties); the soak run
// (npm run soak) sends 100,000 inputs through the same harness. Fixed seed: the same inputs on every run.
import { describe, expect, it } from 'vitest';
import { describeReport, fuzzLoaders } from './loader-fuzz.js';

describe('model loaders under fuzzing (fast slice)', () => {
  it('decodeModel, Network.load and model_load (simd and scalar) on 5,000 random, mutated and oversized inputs', async () => {
    const report = await fuzzLoaders({ numRuns: 5000, seed: 20261121 });
    console.log(describeReport(report));
    expect(report.cases).toBe(5000);
    expect(report.accepted.ts).toBeGreaterThan(0);
    for (const m of Object.values(report.memory)) expect(m.end).toBeLessThanOrEqual(m.start + (8 << 20));
  }, 60_000);
});
