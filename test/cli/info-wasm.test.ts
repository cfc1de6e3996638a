// simdnet info model.wasm: a baked edge module describes itself from its simdnet.model_info section.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Network } from '../../src/network.js';
import { exportEdgeWasm } from '../../src/io/edge.js';
import { runCli, tempDir } from './helpers.js';

describe('simdnet info on a baked module', () => {
  it('prints the model header the module carries, and refuses a .wasm without one', async () => {
    const { dir, cleanup } = tempDir('info-wasm');
    const net = await Network.create({ layers: [3, 5, 2], output: 'softmax', labels: ['no', 'yes'], seed: 1 });
    try {
      const wasm = await exportEdgeWasm(net.save(), { quantize: 'int8' });
      writeFileSync(join(dir, 'm.wasm'), wasm);
      const r = await runCli(['info', 'm.wasm', '--json'], dir);
      expect(r.code, r.stderr).toBe(0);
      const info = JSON.parse(r.stdout) as Record<string, unknown>;
      expect(info).toMatchObject({ file: 'm.wasm', bytes: wasm.length, labels: ['no', 'yes'] });
      expect(JSON.stringify(info)).toMatch(/\[3,5,2\]/);
      expect(JSON.stringify(info)).toMatch(/int8/);
      const text = await runCli(['info', 'm.wasm'], dir);
      expect(text.stdout).toMatch(/^m\.wasm: simdnet edge module/);
      // A module with no model_info section: the smallest valid module.
      writeFileSync(join(dir, 'empty.wasm'), new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
      const bad = await runCli(['info', 'empty.wasm'], dir);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/without a simdnet\.model_info section/);
    } finally {
      net.dispose();
      cleanup();
    }
  });
});
