// simdnet export --edge: one self-contained .wasm that predicts what the saved model predicts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Network } from '../../src/network.js';
import { runCli, tempDir } from './helpers.js';

const { dir, cleanup } = tempDir('export');
afterAll(cleanup);

describe('simdnet export --edge', () => {
  it('writes a baked .wasm that imports nothing and predicts exactly what the model predicts', async () => {
    const trained = await runCli(['train', '--iterations', '200', '--save', 'planar.snet', '--quiet'], dir);
    expect(trained.code, trained.stderr).toBe(0);
    for (const build of ['scalar', 'simd'] as const) {
      const out = `planar-${build}.wasm`;
      const r = await runCli(['export', '--edge', 'planar.snet', '--out', out, '--build', build, '--json'], dir);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ model: 'planar.snet', wasm: out, build });
      const bytes = readFileSync(join(dir, out));
      const module = new WebAssembly.Module(bytes);
      expect(WebAssembly.Module.imports(module)).toEqual([]);
      const ex = (await WebAssembly.instantiate(module, {})).exports as Record<string, CallableFunction> & { memory: WebAssembly.Memory };
      expect(ex.input_size!()).toBe(2);
      const X = [[0.5, -1.25], [2, 3], [-4, 0.1]];
      const inPtr = ex.alloc!(X.length * 2 * 4) as number, outPtr = ex.alloc!(X.length * 4) as number;
      new Float32Array(ex.memory.buffer, inPtr, 6).set(X.flat());
      expect(ex.predict!(inPtr, X.length, outPtr)).toBe(0);
      const got = Array.from(new Float32Array(ex.memory.buffer, outPtr, X.length));
      const net = await Network.load(readFileSync(join(dir, 'planar.snet')), { kernels: { build } });
      expect(got).toEqual(Array.from(net.predict(X).data));
      net.dispose();
    }
  });

  it('names the problem for a missing --edge, a missing file and a file that is not a model (exit 2)', async () => {
    const cases: [string[], RegExp][] = [
      [['export', 'planar.snet'], /say what to export/],
      [['export', '--edge', 'nope.snet'], /nope\.snet/],
      [['export', '--edge', 'junk.snet'], /'junk\.snet' is not a usable simdnet model: .*wrong magic/],
    ];
    writeFileSync(join(dir, 'junk.snet'), 'this is not a model, just text that is long enough');
    for (const [args, message] of cases) {
      const r = await runCli(args, dir);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});
