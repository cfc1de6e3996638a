// simdnet train --stream: a CSV file read in chunks while training, equal to training on it in memory.
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Network } from '../../src/network.js';
import { runCli, tempDir } from './helpers.js';
import { mulberry32 } from '../network/helpers.js';

const M = 3000;
const rand = mulberry32(17);
const rows = Array.from({ length: M }, () => [rand() * 2 - 1, rand() * 2 - 1, rand() * 2 - 1]);
const names = ['low', 'mid', 'high'];
const label = (r: number[]): string => names[r[0]! + r[1]! > 0.5 ? 2 : r[0]! - r[2]! > 0 ? 1 : 0]!;
const csv = ['a,b,kind,c', ...rows.map((r) => `${r[0]},${r[1]},${label(r)},${r[2]}`)].join('\n');

describe('simdnet train --stream', () => {
  it('trains chunk by chunk exactly as fit trains in memory on the same batches', async () => {
    const { dir, cleanup } = tempDir('stream');
    try {
      const file = join(dir, 'data.csv');
      writeFileSync(file, csv);
      const model = join(dir, 'm.snet');
      const r = await runCli(['train', '--stream', '--data', file, '--label', 'kind', '--layers', '8', '--epochs', '3', '--batch-size', '100',
        '--chunk-rows', '700', '--lr', '0.01', '--seed', '4', '--save', model, '--json'], dir);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as { examples: number; features: number; epochs: number; iterations: number; costs: { epoch: number }[] };
      expect(out).toMatchObject({ examples: M, features: 3, epochs: 3, iterations: 3 * (4 * 7 + 2) });
      expect(out.costs.map((c) => c.epoch)).toEqual([0, 1, 2]);
      // In memory: the same network, fit with the same batches in the same order (chunks of 700 → batches of
      // 100 that restart at every chunk: 700 = 7 batches; the last chunk of 200 = 2).
      const streamed = await Network.load(readFileSync(model));
      const net = await Network.create({ layers: [3, 8, 3], hidden: 'relu', output: 'softmax', seed: 4, labels: ['high', 'low', 'mid'] });
      const classOf = new Map([['high', 0], ['low', 1], ['mid', 2]]);
      await net.fit(rows, rows.map((r) => classOf.get(label(r))!), { epochs: 3, batchSize: 100, learningRate: 0.01, optimizer: 'adam', shuffle: false });
      const a = net.getWeights(), b = streamed.getWeights();
      a.forEach((l, i) => expect(Buffer.from(l.W.buffer).equals(Buffer.from(b[i]!.W.buffer))).toBe(true));
      expect(streamed.evaluate(rows, rows.map((r) => classOf.get(label(r))!)).accuracy).toBeGreaterThan(0.8);
      net.dispose();
      streamed.dispose();
    } finally {
      cleanup();
    }
  });

  it('names the line of a bad value and refuses a chunk size that would split batches', async () => {
    const { dir, cleanup } = tempDir('stream-bad');
    try {
      const file = join(dir, 'bad.csv');
      writeFileSync(file, csv.replace(/\n[^\n]*/g, (line, offset: number) => (offset > 0 && csv.slice(0, offset).split('\n').length === 1500 ? '\n0.1,oops,mid,0.2' : line)));
      const bad = await runCli(['train', '--stream', '--data', file, '--label', 'kind', '--no-save', '--quiet'], dir);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/line 1501, column "b": "oops" is not a number/);
      const split = await runCli(['train', '--stream', '--data', file, '--label', 'kind', '--batch-size', '300', '--chunk-rows', '1000', '--no-save'], dir);
      expect(split.code).not.toBe(0);
      expect(split.stderr).toMatch(/--chunk-rows 1000 must be a multiple of --batch-size 300/);
    } finally {
      cleanup();
    }
  });
});
