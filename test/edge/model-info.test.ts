// Modules that describe themselves: a baked module's model_info(ptr_out) export and its "simdnet.model_info"
// custom section hold the same UTF-8 JSON (the baked model's header: architecture, normaliser, labels, dtype,
// quantisation, the simdnet version that baked it), readable without the .snet.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODEL_INFO_SECTION, SIMDNET_VERSION, bakeEdgeModule, edgeModelInfo, exportEdgeWasm, type EdgeExports } from '../../src/io/edge.js';
import { decodeModel, encodeModel } from '../../src/io/format.js';
import { BUILDS, craftModel, edgeTemplate, instantiateRaw } from './helpers.js';

function labelled(): Uint8Array {
  const rec = decodeModel(craftModel([4, 6, 5, 3], ['tanh', 'relu', 'softmax'], 'float32', 5, { kind: 'minmax', shift: new Float64Array(4), scale: Float64Array.of(1, 2, 3, 4) }));
  return encodeModel({ ...rec, meta: { loss: 'crossEntropy', labels: ['setosa', 'versicolor', 'virginica'], training: { epochs: 3 } } });
}

/** model_info through the export: the length first (ptr_out = 0), then the bytes. */
function readInfo(ex: EdgeExports): string {
  const len = ex.model_info(0);
  if (len < 0) throw new Error(`model_info returned ${len}`);
  const p = ex.alloc(len);
  expect(ex.model_info(p)).toBe(len);
  const text = new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(ex.memory.buffer, p, len));
  ex.free(p);
  return text;
}

beforeAll(() => {
  for (const build of BUILDS) edgeTemplate(build); // exportEdgeWasm reads build/: rebuilt first when assembly/ is newer
});

describe.each(BUILDS)('model_info (%s build)', (build) => {
  it('round trip: the export and the custom section hold the same JSON, with what a host needs to label outputs', async () => {
    const model = labelled();
    for (const quantize of ['none', 'int8'] as const) {
      const wasm = await exportEdgeWasm(model, { build, quantize });
      const sections = WebAssembly.Module.customSections(new WebAssembly.Module(wasm), MODEL_INFO_SECTION);
      expect(sections).toHaveLength(1);
      const ex = await instantiateRaw<EdgeExports>(wasm);
      const text = readInfo(ex);
      expect(text).toBe(new TextDecoder().decode(sections[0]!));
      const info = JSON.parse(text) as Record<string, unknown>;
      expect(edgeModelInfo(wasm)).toEqual(info);
      expect(info).toMatchObject({
        format: 'simdnet-model', layers: [4, 6, 5, 3], activations: ['tanh', 'relu', 'softmax'], normalize: 'minmax',
        labels: ['setosa', 'versicolor', 'virginica'], loss: 'crossEntropy', training: { epochs: 3 },
        simdnet: SIMDNET_VERSION, edge: { build }, dtype: quantize === 'int8' ? 'int8' : 'float32', version: quantize === 'int8' ? 2 : 1,
      });
      if (quantize === 'int8') expect(info.quantization).toEqual({ weights: 'int8', scales: 'float32 per output unit, symmetric', activations: 'float32' });
      else expect(info.quantization).toBeUndefined();
      // The module still predicts: model_info is a read-only view of the baked bytes.
      expect(ex.input_size()).toBe(4);
      expect(ex.model_info(ex.memory.buffer.byteLength - 8)).toBe(-1);
    }
  });

  it('the template and hostile baked bytes answer with codes; edgeModelInfo is null without the section', async () => {
    const template = edgeTemplate(build);
    expect(edgeModelInfo(template)).toBeNull();
    const ex = await instantiateRaw<EdgeExports>(template);
    expect(ex.model_info(0)).toBe(-20);
    const bad = await instantiateRaw<EdgeExports>(await bakeEdgeModule(template, new Uint8Array(64)));
    expect(bad.model_info(0)).toBe(-3);
    expect(() => edgeModelInfo(new Uint8Array(12))).toThrow(/not a WebAssembly module/);
  });
});

describe('SIMDNET_VERSION', () => {
  it('is the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(SIMDNET_VERSION).toBe(pkg.version);
  });
});
