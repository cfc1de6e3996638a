// The baked scalar module outside JavaScript: wasm2c turns it into C, gcc builds a native host
// (test/edge/wasm2c/host.c), and its output must equal Network.predict bit for bit. Skipped unless wasm2c
// (Debian/Ubuntu package `wabt`, which also ships the wasm2c runtime) and gcc are installed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exportEdgeWasm } from '../../src/io/edge.js';
import { CASE_OPTIONS, bits, edgeTemplate, inputs, reference, trainCase } from './helpers.js';

const has = (cmd: string): boolean => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
};
// The system wasm2c with its own runtime (node_modules/.bin has the npm wabt's newer wasm2c, without one).
const WASM2C = '/usr/bin/wasm2c';
const RUNTIME = ['/usr/share/wabt/wasm2c/wasm-rt-impl.c', '/usr/src/wasm2c/wasm-rt-impl.c'].find((p) => existsSync(p));
const available = existsSync(WASM2C) && has('gcc') && RUNTIME !== undefined;

describe.skipIf(!available)('edge module as native code via wasm2c (no JavaScript, no engine)', () => {
  it('a baked model predicts bit-identically to Network.predict', async (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), 'simdnet-edge-'));
    try {
      for (const index of [0, 1, 2]) {
        const c = CASE_OPTIONS[index]!;
        const model = await trainCase(c.options, index);
        edgeTemplate('scalar');
        writeFileSync(join(dir, 'model.wasm'), await exportEdgeWasm(model, { build: 'scalar' }));
        execFileSync(WASM2C, ['model.wasm', '-n', 'edge', '-o', 'model.c'], { cwd: dir, stdio: 'pipe' });
        if (!readFileSync(join(dir, 'model.h'), 'utf8').includes('Z_edgeZ_predict')) ctx.skip('host.c is written for the naming of wabt 1.0.32 (Z_edgeZ_*)');
        copyFileSync(fileURLToPath(new URL('./wasm2c/host.c', import.meta.url)), join(dir, 'host.c'));
        execFileSync('gcc', ['-O1', '-ffp-contract=off', '-o', 'host', 'host.c', 'model.c', RUNTIME!, '-lm'], { cwd: dir, stdio: 'pipe' });
        const n0 = c.options.layers[0]!;
        const ny = c.options.layers[c.options.layers.length - 1]!;
        const m = 17;
        const { rows, flat } = inputs(m, n0, 40 + index);
        writeFileSync(join(dir, 'input.bin'), new Uint8Array(flat.buffer));
        const stdout = execFileSync(join(dir, 'host'), [String(m)], { cwd: dir, encoding: 'utf8' });
        console.log(`native (${c.name}): ${stdout.trim()}`);
        expect(stdout).toContain(`n0=${n0} ny=${ny} status=0 bad=-19 error=simdnet: m = -1 examples`);
        const got = new Float32Array(new Uint8Array(readFileSync(join(dir, 'output.bin'))).buffer);
        expect(bits(got)).toEqual(bits(await reference(model, 'scalar', rows)));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
