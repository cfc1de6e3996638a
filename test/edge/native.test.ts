// The baked scalar module (float and int8) outside JavaScript: wasm2c turns it into C, gcc builds native hosts, and their output
// must equal Network.predict bit for bit: test/edge/wasm2c/host.c (batches, a rejected call's last_error) and
// the documented example examples/edge/wasm2c-host.c (one example from the command line).
// Needs wasm2c with its runtime (Debian/Ubuntu package `wabt`, which .ci/run installs) and gcc. Elsewhere the
// test is skipped with the reason printed; under CI (CI=true) a missing tool fails it instead.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exportEdgeWasm, type EdgeExports } from '../../src/io/edge.js';
import { decodeModel, quantizeModel } from '../../src/io/format.js';
import { CASE_OPTIONS, bits, craftModel, edgeTemplate, inputs, instantiateRaw, reference, runPredict, trainCase } from './helpers.js';
import { predictInt8 } from './int8-twin.js';

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
const missing = [
  existsSync(WASM2C) ? null : `${WASM2C} (apt-get install wabt)`,
  has('gcc') ? null : 'gcc',
  RUNTIME === undefined ? 'the wasm2c runtime wasm-rt-impl.c (apt-get install wabt)' : null,
].filter((m): m is string => m !== null);
const reason = missing.length === 0 ? null : `native edge test skipped: missing ${missing.join(', ')}`;
if (reason !== null && !process.env.CI) console.warn(reason);

/** Translates model.wasm in dir to C and checks the naming this file's hosts are written for. */
function translate(dir: string): void {
  execFileSync(WASM2C, ['model.wasm', '-n', 'edge', '-o', 'model.c'], { cwd: dir, stdio: 'pipe' });
  const header = readFileSync(join(dir, 'model.h'), 'utf8');
  if (!header.includes('Z_edgeZ_predict')) throw new Error(`the hosts are written for wabt 1.0.32's naming (Z_edgeZ_*); ${WASM2C} names differently`);
}

describe('edge module as native code via wasm2c (no JavaScript, no engine)', () => {
  it.runIf(reason !== null && !!process.env.CI)('has wasm2c and gcc under CI (.ci/run installs wabt)', () => {
    throw new Error(`${reason}: .ci/run should have installed it`);
  });

  it.skipIf(reason !== null)('a baked model predicts bit-identically to Network.predict', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simdnet-edge-'));
    try {
      for (const index of [0, 1, 2]) {
        const c = CASE_OPTIONS[index]!;
        const model = await trainCase(c.options, index);
        edgeTemplate('scalar');
        writeFileSync(join(dir, 'model.wasm'), await exportEdgeWasm(model, { build: 'scalar' }));
        translate(dir);
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

  it.skipIf(reason !== null)('int8 modules as C: the same bits as the TS twin (relu/linear) and as the module run by V8 (softmax)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simdnet-edge-'));
    try {
      const std = { kind: 'standardize' as const, shift: Float64Array.from({ length: 37 }, (_, i) => i * 0.1), scale: Float64Array.from({ length: 37 }, (_, i) => 1 + i / 8) };
      for (const [i, model] of [
        craftModel([37, 70, 33, 10], ['relu', 'leakyRelu', 'linear'], 'float32', 31, std),
        craftModel([37, 20, 10], ['tanh', 'softmax'], 'float32', 32),
      ].entries()) {
        const wasm = await exportEdgeWasm(model, { build: 'scalar', quantize: 'int8' });
        writeFileSync(join(dir, 'model.wasm'), wasm);
        translate(dir);
        copyFileSync(fileURLToPath(new URL('./wasm2c/host.c', import.meta.url)), join(dir, 'host.c'));
        execFileSync('gcc', ['-O1', '-ffp-contract=off', '-o', 'host', 'host.c', 'model.c', RUNTIME!, '-lm'], { cwd: dir, stdio: 'pipe' });
        const m = 23;
        const { flat } = inputs(m, 37, 60 + i);
        writeFileSync(join(dir, 'input.bin'), new Uint8Array(flat.buffer));
        const stdout = execFileSync(join(dir, 'host'), [String(m)], { cwd: dir, encoding: 'utf8' });
        expect(stdout).toContain('status=0');
        const got = new Float32Array(new Uint8Array(readFileSync(join(dir, 'output.bin'))).buffer);
        const ex = await instantiateRaw<EdgeExports>(wasm);
        expect(bits(got), 'wasm2c vs V8').toEqual(bits(runPredict(ex, ex.predict, flat, m, 10)));
        if (i === 0) expect(bits(got), 'wasm2c vs the TS twin').toEqual(bits(predictInt8(decodeModel(quantizeModel(model)), flat, m)));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(reason !== null)('the example host examples/edge/wasm2c-host.c builds as documented and prints Network.predict', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simdnet-edge-'));
    try {
      const c = CASE_OPTIONS[6]!; // [37, 70, 33, 10] relu → softmax, standardised
      const model = await trainCase(c.options, 6);
      edgeTemplate('scalar');
      writeFileSync(join(dir, 'model.wasm'), await exportEdgeWasm(model, { build: 'scalar' }));
      translate(dir);
      copyFileSync(fileURLToPath(new URL('../../examples/edge/wasm2c-host.c', import.meta.url)), join(dir, 'wasm2c-host.c'));
      execFileSync('gcc', ['-O2', '-ffp-contract=off', '-o', 'predict', 'wasm2c-host.c', 'model.c', RUNTIME!, '-lm'], { cwd: dir, stdio: 'pipe' });
      const { rows, flat } = inputs(1, c.options.layers[0]!, 77);
      // %.9g round-trips every f32, and strtof reads the printed inputs back exactly.
      const stdout = execFileSync(join(dir, 'predict'), Array.from(flat, (v) => v.toPrecision(9)), { cwd: dir, encoding: 'utf8' });
      const got = Float32Array.from(stdout.trim().split(' '), Number);
      expect(bits(got)).toEqual(bits(await reference(model, 'scalar', rows)));
      let wrong = '';
      try {
        execFileSync(join(dir, 'predict'), ['1', '2'], { cwd: dir, stdio: 'pipe' });
      } catch (e) {
        wrong = String((e as { stderr: Buffer }).stderr);
      }
      expect(wrong).toContain('the model wants 37 features, got 2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
