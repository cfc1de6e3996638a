// `simdnet train --data circles|moons|football`: the second course's sets in the CLI, run as a child process.
// The He run reproduces the Initialization notebook's published accuracies (train 0.9933, test 0.96).
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../cli/helpers.js';
import { haveCourse2, warnIfMissing } from './course2-shared.js';

warnIfMissing('course2-cli');
const { dir, cleanup } = tempDir('course2');
afterAll(cleanup);

describe.skipIf(!haveCourse2)('CLI --data circles | moons | football', () => {
  it('train --data circles --test circles with the notebook He settings: 99.33 % / 96.00 %', async () => {
    const r = await runCli(['train', '--data', 'circles', '--test', 'circles', '--layers', '10,5', '--init', 'he', '--seed', '3', '--lr', '0.01',
      '--iterations', '15000', '--dtype', 'float64', '--no-save', '--json', '-q'], dir);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.train.accuracy).toBe(298 / 300);
    expect(out.test.accuracy).toBe(0.96);
    expect(out.costs[0].cost).toBeCloseTo(0.8830537463419761, 14); // the notebook's "Cost after iteration 0"
  }, 240_000);

  it('football trains and evaluates on its test split; moons has no test split; a bad name lists the choices', async () => {
    const f = await runCli(['train', '--data', 'football', '--test', 'football', '--layers', '20,3', '--seed', '3', '--lr', '0.3',
      '--iterations', '300', '--no-save', '--json', '-q'], dir);
    expect(f.code, f.stderr).toBe(0);
    const fo = JSON.parse(f.stdout);
    expect(fo.layers).toEqual([2, 20, 3, 1]);
    expect(fo.test.accuracy * 200).toBeCloseTo(Math.round(fo.test.accuracy * 200), 9); // 200 test examples (Xval)
    const m = await runCli(['train', '--data', 'moons', '--test', 'moons', '--iterations', '10', '--no-save', '-q'], dir);
    expect(m.code).not.toBe(0);
    expect(m.stderr).toMatch(/the moons data has no test split/);
    const bad = await runCli(['train', '--data', 'circle', '--no-save', '-q'], dir);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/the second course's 'circles', 'moons' or 'football'; got 'circle'/);
  }, 240_000);
});
