// `simdnet train` on the built-in default and its --json contract.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../../src/io/format.js';
import { runCli, tempDir } from './helpers.js';

const { dir, cleanup } = tempDir('train');
afterAll(cleanup);

describe('simdnet train', () => {
  it('with no arguments trains the planar net to ≥ 90 % and saves ./simdnet-model.snet atomically', async () => {
    const r = await runCli(['train'], dir);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2 → 4 → 1 \(tanh, sigmoid output, float32/);
    const accuracy = Number(/train accuracy ([\d.]+) %/.exec(r.stdout)?.[1]) / 100;
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
    expect(r.stdout).toMatch(/^time +[\d.]+s \(10000 iterations/m);
    expect(r.stdout).toContain('saved model to ./simdnet-model.snet');
    // Not a terminal: plain progress lines on stderr, first and last iteration included.
    expect(r.stderr).toMatch(/^it +0\/10000 +cost 0\.69304\d/m);
    expect(r.stderr).toMatch(/^it 10000\/10000 +cost 0\.2\d+ +time/m);
    expect(r.stderr).not.toContain('\r');
    const rec = decodeModel(readFileSync(join(dir, 'simdnet-model.snet')));
    expect(rec.layers).toEqual([2, 4, 1]);
    expect(rec.activations).toEqual(['tanh', 'sigmoid']);
    expect(rec.meta).toMatchObject({ labels: ['0', '1'], seed: 2, rng: 'numpy', cli: { data: 'planar' } });
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('--json prints only the documented JSON object on stdout', async () => {
    const r = await runCli(['train', '--json', '--iterations', '2000', '--cost-every', '500', '--save', 'j.snet', '--dtype', 'float64'], dir);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(out).toMatchObject({ test: null, model: 'j.snet', iterations: 2000, layers: [2, 4, 1], dtype: 'float64' });
    expect(out.costs).toEqual([0, 500, 1000, 1500].map((iteration) => ({ iteration, cost: expect.any(Number) })));
    expect((out.costs as { cost: number }[])[0]!.cost).toBeCloseTo(0.693048, 6);
    expect(out.train).toEqual({ accuracy: expect.any(Number), cost: expect.any(Number) });
    expect((out.train as { accuracy: number }).accuracy).toBeGreaterThan(0.85);
    expect(typeof out.seconds).toBe('number');
    expect(existsSync(join(dir, 'j.snet'))).toBe(true);
  });

  it('--quiet --no-save prints no progress and writes no model; --test reports test metrics', async () => {
    const r = await runCli(['train', '-q', '--no-save', '--iterations', '300', '--test', 'planar', '--json'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { model: unknown; test: { accuracy: number; cost: number } };
    expect(out.model).toBeNull();
    expect(out.test.accuracy).toBeGreaterThan(0.5);
  });

  it('mini-batch Adam over epochs, with l2 and dropout', async () => {
    const r = await runCli(['train', '--no-save', '--json', '-q', '--epochs', '300', '--batch-size', '64', '--optimizer', 'adam',
      '--lr', '0.01', '--layers', '16,8', '--hidden', 'relu', '--init', 'he', '--l2', '0.01', '--keep-prob', '0.9', '--cost-every', '100',
      '--seed', '3', '--rng', 'fast'], dir);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { costs: { iteration: number }[]; train: { accuracy: number }; iterations: number; epochs: number };
    expect(out.epochs).toBe(300);
    expect(out.iterations).toBe(300 * 7);
    expect(out.costs.map((c) => c.iteration)).toEqual([7, 707, 1407]);
    expect(out.train.accuracy).toBeGreaterThan(0.85);
  });

  it('--help and --version', async () => {
    const help = await runCli(['train', '--help'], dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--keep-prob P');
    const top = await runCli([], dir);
    expect(top.stdout).toContain('commands:');
    const version = await runCli(['--version'], dir);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
