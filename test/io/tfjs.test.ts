// tfjsToSnet on files TensorFlow.js's own model.save() wrote (test/fixtures/tfjs/make_tfjs_fixtures.ts): the
// imported network predicts what tfjs computed within 1e-5; unsupported models are clear Errors.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Network } from '../../src/network.js';
import { tfjsToSnet } from '../../src/io/tfjs.js';

const DIR = new URL('../fixtures/tfjs/', import.meta.url);
const EXPECTED = JSON.parse(readFileSync(new URL('expected.json', DIR), 'utf8')) as Record<string, { input: number[][]; output: number[][] }>;
const NAMES = Object.keys(EXPECTED).filter((k) => !k.startsWith('_'));
const modelJson = (name: string): string => readFileSync(new URL(`${name}/model.json`, DIR), 'utf8');
const weights = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`${name}/weights.bin`, DIR)));
const nets: Network[] = [];
afterAll(() => nets.forEach((n) => n.dispose()));

describe('tfjsToSnet', () => {
  it('has the fixtures the script makes', () => {
    expect(NAMES.sort()).toEqual(['relu_sigmoid', 'sigmoid_linear', 'tanh_leaky_softmax']);
  });
  for (const name of NAMES) {
    it(`${name}: outputs equal tfjs's within 1e-5`, async () => {
      const net = await Network.load(tfjsToSnet(modelJson(name), weights(name)));
      nets.push(net);
      const got = net.predict(EXPECTED[name]!.input).data;
      const want = EXPECTED[name]!.output.flat();
      expect(got.length).toBe(want.length);
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!), `${name}[${i}]`).toBeLessThanOrEqual(1e-5);
    });
  }
  it('reads the architecture: Dropout dropped, LeakyReLU folded into the Dense before it, kernels transposed', async () => {
    const net = await Network.load(tfjsToSnet(JSON.parse(modelJson('tanh_leaky_softmax')) as object, [weights('tanh_leaky_softmax').buffer as ArrayBuffer]));
    nets.push(net);
    expect([net.layerSizes, net.activations, net.leakySlope]).toEqual([[3, 6, 5, 3], ['tanh', 'leakyRelu', 'softmax'], 0.25]);
    const json = JSON.parse(modelJson('relu_sigmoid')) as { weightsManifest: { weights: { name: string; shape: number[] }[] }[] };
    const [k] = json.weightsManifest[0]!.weights;
    expect(k!.shape).toEqual([4, 8]);
    const kernel = new Float32Array(weights('relu_sigmoid').slice(0, 4 * 32).buffer);
    const relu = await Network.load(tfjsToSnet(modelJson('relu_sigmoid'), weights('relu_sigmoid')));
    nets.push(relu);
    const W1 = relu.getWeights()[0]!;
    expect(W1.shape).toEqual([8, 4]);
    for (let o = 0; o < 8; o++) for (let i = 0; i < 4; i++) expect(W1.W[o * 4 + i]).toBe(kernel[i * 8 + o]);
  });
  it('unsupported layers, activations and broken files are Errors that say what is wrong', () => {
    const edit = (name: string, f: (j: { modelTopology: { class_name: string; config: { layers: { class_name: string; config: Record<string, unknown> }[] } } }) => void): string => {
      const j = JSON.parse(modelJson(name));
      f(j);
      return JSON.stringify(j);
    };
    const w = weights('relu_sigmoid');
    expect(() => tfjsToSnet(edit('relu_sigmoid', (j) => { j.modelTopology.config.layers[0]!.class_name = 'Conv2D'; }), w)).toThrow(/layer 'dense_Dense\d+' \(Conv2D\) is not supported/);
    expect(() => tfjsToSnet(edit('relu_sigmoid', (j) => { j.modelTopology.config.layers[0]!.config.activation = 'elu'; }), w)).toThrow(/activation 'elu'/);
    expect(() => tfjsToSnet(edit('relu_sigmoid', (j) => { j.modelTopology.class_name = 'Model'; }), w)).toThrow(/the model is a Model; simdnet imports Sequential/);
    expect(() => tfjsToSnet(edit('relu_sigmoid', (j) => { j.modelTopology.config.layers[2]!.config.activation = 'relu'; }), w)).toThrow(/last layer's activation is relu/);
    expect(() => tfjsToSnet(modelJson('relu_sigmoid'), w.subarray(0, 100))).toThrow(/has 100 bytes, fewer than the manifest lists/);
    expect(() => tfjsToSnet(modelJson('relu_sigmoid'), new Uint8Array(400))).toThrow(/has 400 bytes but the manifest lists 196/);
    expect(() => tfjsToSnet('{"modelTopology": ', w)).toThrow(/model.json does not parse/);
    expect(() => tfjsToSnet({ format: 'graph-model' }, w)).toThrow(/no modelTopology/);
    expect(() => tfjsToSnet(modelJson('relu_sigmoid'), 'weights' as never)).toThrow(/weight data must be/);
  });
  it('5,000 random edits of model.json and the weights: each an Error that starts with "simdnet: " or a valid model', () => {
    let seed = 99;
    const u = (n: number): number => Math.floor(((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) * n);
    const junk = (): unknown => [null, 0, -1, 1.5, 1e9, 'x', 'relu', 'Dense', [], [null, 3], {}, true][u(12)];
    const base = JSON.parse(modelJson('tanh_leaky_softmax')) as unknown;
    let accepted = 0;
    for (let k = 0; k < 5000; k++) {
      const j = structuredClone(base) as Record<string, unknown>;
      for (let edits = 1 + u(3); edits > 0; edits--) {
        // Walk to a random object or array inside and replace or delete one of its entries.
        let node: Record<string, unknown> = j;
        for (let depth = u(7); depth > 0; depth--) {
          const keys = Object.keys(node).filter((key) => typeof node[key] === 'object' && node[key] !== null);
          if (keys.length === 0) break;
          node = node[keys[u(keys.length)]!] as Record<string, unknown>;
        }
        const keys = Object.keys(node);
        if (keys.length === 0) continue;
        const key = keys[u(keys.length)]!;
        if (u(4) === 0 && !Array.isArray(node)) delete node[key];
        else node[key] = junk();
      }
      let w: Uint8Array = weights('tanh_leaky_softmax');
      if (u(4) === 0) w = w.subarray(0, u(w.length));
      try {
        tfjsToSnet(u(10) === 0 ? JSON.stringify(j).slice(0, u(500)) : j, w);
        accepted++;
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        if (!/^simdnet: /.test((e as Error).message)) throw new Error(`edit ${k}: an unexplained ${(e as Error).name}: ${(e as Error).message}`);
      }
    }
    expect(accepted).toBeGreaterThan(0);
  });
});
