// simdnet export --edge --quantize int8: the CLI bakes int8 weights; the module predicts what the int8 twin does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeModel, quantizeModel } from '../../src/io/format.js';
import type { EdgeExports } from '../../src/io/edge.js';
import { runCli, tempDir } from '../cli/helpers.js';
import { bits, instantiateRaw, runPredict } from './helpers.js';
import { predictInt8 } from './int8-twin.js';

const { dir, cleanup } = tempDir('export-int8');
afterAll(cleanup);

describe('simdnet export --edge --quantize int8', () => {
  it('writes an int8 module that predicts what the int8 twin predicts', async () => {
    const trained = await runCli(['train', '--iterations', '200', '--save', 'planar.snet', '--quiet'], dir);
    expect(trained.code, trained.stderr).toBe(0);
    const f = await runCli(['export', '--edge', 'planar.snet', '--out', 'f32.wasm', '--json'], dir);
    const q = await runCli(['export', '--edge', 'planar.snet', '--out', 'int8.wasm', '--quantize', 'int8', '--json'], dir);
    expect(q.code, q.stderr).toBe(0);
    expect(JSON.parse(q.stdout)).toMatchObject({ wasm: 'int8.wasm', build: 'scalar', quantize: 'int8' });
    expect(f.code, f.stderr).toBe(0); // (planar's 17 parameters: int8 saves nothing here; test/edge/int8-model.test.ts measures sizes)
    const ex = await instantiateRaw<EdgeExports>(readFileSync(join(dir, 'int8.wasm')));
    const X = Float32Array.of(0.5, -1.25, 2, 3, -4, 0.1, 0, 0);
    const rec = decodeModel(quantizeModel(readFileSync(join(dir, 'planar.snet'))));
    const got = runPredict(ex, ex.predict, X, 4, 1);
    // The planar model's output is a sigmoid: Math.exp vs AssemblyScript's exp may differ in the last ulps.
    const want = predictInt8(rec, X, 4);
    for (let i = 0; i < 4; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(1e-6);
    expect(bits(got)).toEqual(bits(runPredict(ex, ex.predict, X, 4, 1))); // deterministic
  });

  it('rejects an unknown --quantize value and --quantize with --onnx (exit 2)', async () => {
    const bad = await runCli(['export', '--edge', 'planar.snet', '--quantize', 'int4'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--quantize must be one of none, int8; got 'int4'/);
    const onnx = await runCli(['export', '--onnx', 'planar.snet', '--quantize', 'int8'], dir);
    expect(onnx.code).toBe(2);
    expect(onnx.stderr).toMatch(/--quantize goes with --edge/);
  });
});
