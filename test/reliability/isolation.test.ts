// Networks sharing one kernel module do not disturb each other (test/reliability/isolation.ts explains the
// set-up); the soak run repeats it with more networks and rounds.
import { describe, expect, it } from 'vitest';
import { interleaved, isolationCases, mismatches, solo } from './isolation.js';

describe('several networks in one memory', () => {
  it('6 networks trained interleaved on a shared Kernels, with churn and memory growth, equal their solo runs byte for byte', async () => {
    const cases = isolationCases(6);
    const alone = await Promise.all(cases.map(solo));
    const before = Date.now();
    const { outcomes, kernels, churned, grewFrom } = await interleaved(cases);
    console.log(`isolation: ${cases.length} networks interleaved (${cases.map((c) => c.steps).join('/')} steps + 12 concurrent fit steps each), ` +
      `${churned} churn networks; shared memory grew ${grewFrom} → ${kernels.memoryBytes} B during training; ${Date.now() - before} ms`);
    expect(kernels.memoryBytes).toBeGreaterThan(grewFrom);
    expect(mismatches(outcomes, alone)).toEqual([]);
    expect(kernels.liveTensors).toBe(0);
  });
});
