// The Network facade over the converters of src/io: toOnnx, fromOnnx, fromTfjs (the converters themselves
// are tested against ONNX Runtime, PyTorch and tfjs in test/io).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Network } from '../../src/network.js';

const fixture = (p: string): Buffer => readFileSync(new URL(`../fixtures/${p}`, import.meta.url));

describe('Network interop facade', () => {
  it('toOnnx → fromOnnx gives the same weights and predictions', async () => {
    const net = await Network.create({ layers: [4, 6, 3], hidden: 'tanh', seed: 2, normalize: 'standardize' });
    const X = Array.from({ length: 30 }, (_, i) => [Math.sin(i), Math.cos(i), i / 30, (i % 7) - 3]);
    await net.fit(X, X.map((_, i) => i % 3), { iterations: 5 });
    const back = await Network.fromOnnx(await net.toOnnx());
    expect(back.getWeights()).toEqual(net.getWeights());
    expect(Array.from(back.predict(X).data)).toEqual(Array.from(net.predict(X).data));
    net.dispose();
    back.dispose();
  });

  it('fromOnnx reads a PyTorch export; fromTfjs a tfjs model.save(); both predict what their exporters did', async () => {
    const onnx = JSON.parse(fixture('onnx/expected.json').toString()) as Record<string, { input: number[][]; output: number[][] }>;
    const torch = await Network.fromOnnx(fixture('onnx/tanh_softmax.onnx'));
    const p = torch.predict(onnx.tanh_softmax!.input).data;
    onnx.tanh_softmax!.output.flat().forEach((v, i) => expect(Math.abs(p[i]! - v)).toBeLessThan(1e-5));
    torch.dispose();
    const tf = JSON.parse(fixture('tfjs/expected.json').toString()) as Record<string, { input: number[][]; output: number[][] }>;
    const keras = await Network.fromTfjs(fixture('tfjs/relu_sigmoid/model.json').toString(), fixture('tfjs/relu_sigmoid/weights.bin'));
    const q = keras.predict(tf.relu_sigmoid!.input).data;
    tf.relu_sigmoid!.output.flat().forEach((v, i) => expect(Math.abs(q[i]! - v)).toBeLessThan(1e-5));
    keras.dispose();
    await expect(Network.fromOnnx(fixture('onnx/conv.onnx'))).rejects.toThrow(/Conv/);
  });
});
