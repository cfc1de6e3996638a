// onnxToSnet on files real exporters wrote (PyTorch's torch.onnx.export, test/fixtures/make_onnx_fixtures.py):
// predictions equal the ones PyTorch computed within 1e-5; simdnet → ONNX → simdnet is byte-identical; an
// imported model is evaluated, fine-tuned, saved and baked into the edge module; bad files are clear Errors.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Network, type HiddenActivation, type OutputActivation } from '../../src/network.js';
import { onnxToSnet, snetToOnnx } from '../../src/io/onnx.js';
import { decodeOnnx, encodeOnnx, type ModelProto } from '../../src/io/onnx-wire.js';
import { decodeModel } from '../../src/io/format.js';
import { exportEdgeWasm, type EdgeExports } from '../../src/io/edge.js';
import * as ort from 'onnxruntime-node';

const DIR = new URL('../fixtures/onnx/', import.meta.url);
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`${name}.onnx`, DIR)));
interface Expected { dtype: 'float32' | 'float64'; opset: number; input: number[][]; output: number[][] }
const EXPECTED = JSON.parse(readFileSync(new URL('expected.json', DIR), 'utf8')) as Record<string, Expected>;
const NAMES = Object.keys(EXPECTED).filter((k) => !k.startsWith('_'));
const nets: Network[] = [];
afterAll(() => nets.forEach((n) => n.dispose()));

async function load(bytes: Uint8Array): Promise<Network> {
  const net = await Network.load(onnxToSnet(bytes));
  nets.push(net);
  return net;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('onnxToSnet: PyTorch fixtures', () => {
  it('has the fixtures the script makes', () => {
    expect(NAMES.sort()).toEqual(['double_tanh_linear', 'flatten_dropout', 'leaky_softmax_norm', 'matmul_add', 'relu_sigmoid_norm',
      'sigmoid_linear_muladd', 'softmax_opset11', 'tanh_softmax', 'typed_fields']);
  });
  for (const name of NAMES) {
    it(`${name}: outputs equal PyTorch's within 1e-5`, async () => {
      const exp = EXPECTED[name]!;
      const net = await load(fixture(name));
      expect(net.dtype).toBe(exp.dtype);
      const got = net.predict(exp.input).data;
      expect(maxDiff(got, exp.output.flat())).toBeLessThanOrEqual(1e-5);
    });
  }
  it('reads the architecture the exporters wrote', async () => {
    const arch = async (name: string): Promise<unknown> => {
      const net = await load(fixture(name));
      return [net.layerSizes, net.activations, net.normalizer?.kind ?? null, net.leakySlope];
    };
    expect(await arch('relu_sigmoid_norm')).toEqual([[4, 8, 1], ['relu', 'sigmoid'], 'standardize', 0.01]);
    expect(await arch('tanh_softmax')).toEqual([[3, 6, 5, 3], ['tanh', 'tanh', 'softmax'], null, 0.01]);
    expect(await arch('leaky_softmax_norm')).toEqual([[4, 6, 3], ['leakyRelu', 'softmax'], 'standardize', Math.fround(0.2)]);
    expect(await arch('flatten_dropout')).toEqual([[6, 5, 4, 1], ['relu', 'tanh', 'sigmoid'], null, 0.01]);
    expect(await arch('matmul_add')).toEqual([[4, 6, 1], ['relu', 'sigmoid'], null, 0.01]);
    const norm = (await load(fixture('relu_sigmoid_norm'))).normalizer!;
    expect([...norm.shift]).toEqual([1, -2, 0.5, 10]);
    expect([...norm.scale]).toEqual([2, 0.5, 1.5, 4]);
    const muladd = (await load(fixture('sigmoid_linear_muladd'))).normalizer!;
    // x·a + b = (x − (−b/a)) / (1/a)
    expect([...muladd.scale].map((v, i) => v * [0.5, 2, -1, 0.25, 1][i]!)).toEqual([1, 1, 1, 1, 1]);
    expect([...muladd.shift].map((v, i) => v * [0.5, 2, -1, 0.25, 1][i]! + [0.1, -0.3, 0, 1, 2][i]!).every((v) => Math.abs(v) < 1e-7)).toBe(true);
  });
  it('an imported model is evaluated, fine-tuned with fit, saved, and its edge module predicts what it predicts', async () => {
    const exp = EXPECTED.relu_sigmoid_norm!;
    const net = await load(fixture('relu_sigmoid_norm'));
    let s = 5;
    const u = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const X = Array.from({ length: 200 }, () => [1 + 4 * (u() - 0.5), -2 + (u() - 0.5), 0.5 + 3 * (u() - 0.5), 10 + 8 * (u() - 0.5)]);
    const Y = X.map(([a, b]) => [a! - 1 > 2 * (b! + 2) ? 1 : 0]);
    const before = net.evaluate(X, Y);
    const history = await net.fit(X, Y, { iterations: 300, learningRate: 0.01, optimizer: 'adam' });
    expect(history.costs.at(-1)!.cost).toBeLessThan(history.costs[0]!.cost);
    const after = net.evaluate(X, Y);
    expect(after.cost).toBeLessThan(before.cost);
    // Fine-tuning changed the predictions of the fixture rows; the normaliser is the imported one, not refitted.
    expect(maxDiff(net.predict(exp.input).data, exp.output.flat())).toBeGreaterThan(1e-3);
    expect([...net.normalizer!.shift]).toEqual([1, -2, 0.5, 10]);
    const saved = net.save();
    const reloaded = await Network.load(saved);
    nets.push(reloaded);
    expect(maxDiff(reloaded.predict(X).data, net.predict(X).data)).toBe(0);
    for (const build of ['scalar', 'simd'] as const) {
      const wasm = await exportEdgeWasm(saved, { build });
      const ex = (await WebAssembly.instantiate(wasm, {})).instance.exports as unknown as EdgeExports;
      const m = X.length;
      const inPtr = ex.alloc(4 * 4 * m);
      const outPtr = ex.alloc(4 * m);
      new Float32Array(ex.memory.buffer, inPtr, 4 * m).set(X.flat());
      expect(ex.predict(inPtr, m, outPtr)).toBe(0);
      const edge = new Float32Array(ex.memory.buffer, outPtr, m).slice();
      expect(maxDiff(edge, net.predict(X.map((r) => r.map(Math.fround))).data), build).toBeLessThanOrEqual(1e-6);
    }
  });
});

const HIDDEN: HiddenActivation[] = ['relu', 'tanh', 'sigmoid', 'leakyRelu', 'linear'];
const OUTPUT: OutputActivation[] = ['sigmoid', 'softmax', 'linear'];

describe('simdnet → ONNX → simdnet', () => {
  it('gives back the same bytes (weights, normaliser, slope, labels, training config) for every activation × output × dtype', async () => {
    let checked = 0;
    for (const dtype of ['float32', 'float64'] as const) {
      for (const output of OUTPUT) {
        for (const [i, hidden] of HIDDEN.entries()) {
          const nY = output === 'sigmoid' ? 1 : 3;
          const normalize = (['standardize', 'minmax', 'none'] as const)[i % 3]!;
          const net = await Network.create({ layers: [4, 5, 3, nY], hidden, output, dtype, seed: i, normalize, leakySlope: 0.013,
            labels: output === 'softmax' ? ['x', 'y', 'z'] : undefined });
          nets.push(net);
          const X = Array.from({ length: 30 }, (_, e) => [e, Math.sin(e), 100 - e, e % 3]);
          const Y = X.map(([a]) => (output === 'sigmoid' ? [a! > 15 ? 1 : 0] : [0, 1, 2].map((c) => (c === Math.floor(a! / 10) ? 1 : 0))));
          await net.fit(X, Y, { iterations: 4, learningRate: 0.05 });
          const bytes = net.save();
          const back = onnxToSnet(snetToOnnx(bytes));
          expect(Buffer.from(back).equals(Buffer.from(bytes)), `${dtype} ${hidden} ${output}`).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBe(30);
  });
});

describe('onnxToSnet: Gemm in every arrangement, checked by ONNX Runtime', () => {
  it('transA/transB/alpha/beta with the weight as either operand (features-first in between), scalar and column biases', async () => {
    let s = 3;
    const rnd = (n: number): number[] => Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1);
    const t = (name: string, dims: number[]): { name: string; data_type: number; dims: number[]; float_data: number[] } =>
      ({ name, data_type: 1, dims, float_data: rnd(dims.reduce((a, b) => a * b, 1)) });
    const int = (name: string, i: number) => ({ name, type: 2, i });
    const float = (name: string, f: number) => ({ name, type: 1, f });
    const node = (op_type: string, input: string[], out: string, attribute: object[] = []) => ({ op_type, input, output: [out], name: out, attribute });
    const vi = (name: string, dims: (number | string)[]) => ({ name, type: { tensor_type: { elem_type: 1, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dim_param: d } : { dim_value: d })) } } } });
    // x [batch, 4] → Gemm(x, B1 [4, 5], alpha 0.5, beta 2, C [1, 5]) → Tanh            (examples on rows)
    //   → Gemm(W2 [3, 5], ·, transB 1, C [3, 1]) → Relu                                (features-first: [3, batch])
    //   → Gemm(·, W3 [6, 3], transA 1, transB 1, alpha −1.5, C scalar) → Sigmoid        (back on rows: [batch, 6])
    const model: ModelProto = {
      ir_version: 7, opset_import: [{ domain: '', version: 13 }], producer_name: 'test',
      graph: {
        name: 'g',
        node: [
          node('Gemm', ['x', 'B1', 'C1'], 'z1', [float('alpha', 0.5), float('beta', 2)]),
          node('Tanh', ['z1'], 'a1'),
          node('Gemm', ['W2', 'a1', 'C2'], 'z2', [int('transB', 1)]),
          node('Relu', ['z2'], 'a2'),
          node('Gemm', ['a2', 'W3', 'C3'], 'z3', [int('transA', 1), int('transB', 1), float('alpha', -1.5)]),
          node('Sigmoid', ['z3'], 'y'),
        ],
        initializer: [t('B1', [4, 5]), t('C1', [1, 5]), t('W2', [3, 5]), t('C2', [3, 1]), t('W3', [6, 3]), t('C3', [])],
        input: [vi('x', ['batch', 4])],
        output: [vi('y', ['batch', 6])],
      },
    };
    const bytes = encodeOnnx(model);
    const X = Array.from({ length: 9 }, () => rnd(4).map((v) => Math.fround(3 * v)));
    const session = await ort.InferenceSession.create(bytes);
    const want = (await session.run({ x: new ort.Tensor('float32', Float32Array.from(X.flat()), [9, 4]) })).y!.data as Float32Array;
    await session.release();
    const net = await load(bytes);
    expect([net.layerSizes, net.activations]).toEqual([[4, 5, 3, 6], ['tanh', 'relu', 'sigmoid']]);
    expect(maxDiff(net.predict(X).data, want)).toBeLessThanOrEqual(1e-6);
    expect(Math.max(...want) - Math.min(...want)).toBeGreaterThan(0.1);
  });
});

/** A fixture decoded, changed by `edit`, and encoded again. */
function edited(name: string, edit: (m: ModelProto) => void): Uint8Array {
  const m = decodeOnnx(fixture(name));
  edit(m);
  return encodeOnnx(m);
}

describe('onnxToSnet: bad files are clear Errors', () => {
  const rejects = (bytes: Uint8Array, pattern: RegExp): void => {
    let error: unknown = null;
    try {
      onnxToSnet(bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^simdnet: /);
    expect((error as Error).message).toMatch(pattern);
  };

  it('a graph with a Conv names the op and the node', () => {
    rejects(fixture('conv'), /ONNX op Conv in node '\/0\/Conv' is not supported/);
  });
  it('truncated files, at every length', () => {
    const bytes = fixture('relu_sigmoid_norm');
    for (let n = 0; n < bytes.length; n++) rejects(bytes.subarray(0, n), /ONNX/);
  });
  it('random bytes', () => {
    let s = 1;
    const u = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    for (let k = 0; k < 500; k++) rejects(Uint8Array.from({ length: 1 + Math.floor(u() * 2000) }, () => Math.floor(u() * 256)), /ONNX|simdnet model/);
  });
  it('a cycle', () => {
    rejects(edited('tanh_softmax', (m) => {
      // The first Gemm reads the last Tanh's output, which depends on the first Gemm.
      m.graph!.node![0]!.input![0] = m.graph!.node![3]!.output![0]!;
    }), /cycle through nodes '\/0\/Gemm' \(Gemm\), '\/1\/Tanh' \(Tanh\)/);
  });
  it('a missing initializer', () => {
    rejects(edited('tanh_softmax', (m) => {
      m.graph!.initializer = m.graph!.initializer!.filter((t) => t.name !== '2.weight');
    }), /node '\/2\/Gemm' \(Gemm\) reads '2.weight', which is no graph input, initializer or node output/);
  });
  it('shape mismatches', () => {
    rejects(edited('tanh_softmax', (m) => {
      const w = m.graph!.initializer!.find((t) => t.name === '2.weight')!;
      w.dims = [6, 5]; // was [5, 6]: same element count, wrong orientation
    }), /node '\/2\/Gemm' \(Gemm\): multiplies 6 features by a weight of shape \[6, 5\]/);
    rejects(edited('tanh_softmax', (m) => {
      m.graph!.initializer!.find((t) => t.name === '2.weight')!.dims = [5, 7];
    }), /initializer '2.weight' has 120 bytes of raw_data but its shape \[5, 7\] needs 140/);
    rejects(edited('tanh_softmax', (m) => {
      m.graph!.initializer!.find((t) => t.name === '2.bias')!.dims = [4];
      m.graph!.initializer!.find((t) => t.name === '2.bias')!.raw_data = new Uint8Array(16);
    }), /bias of shape \[4\] does not broadcast to one value per output unit \(5\)/);
    rejects(edited('relu_sigmoid_norm', (m) => {
      const mean = m.graph!.initializer!.find((t) => t.name === '0.mean')!;
      mean.dims = [3];
      mean.raw_data = mean.raw_data!.subarray(0, 12);
    }), /constant of shape \[3\] does not broadcast to one value per feature \(4\)/);
  });
  it('other graphs simdnet cannot run', () => {
    rejects(edited('tanh_softmax', (m) => { m.graph!.node![1]!.op_type = 'Elu'; }), /ONNX op Elu in node '\/1\/Tanh' is not supported/);
    rejects(edited('tanh_softmax', (m) => { m.graph!.node![5]!.op_type = 'Relu'; }), /output layer's activation is relu/);
    rejects(edited('tanh_softmax', (m) => { m.graph!.node![1]!.domain = 'com.microsoft'; }), /domain 'com.microsoft'/);
    rejects(edited('tanh_softmax', (m) => {
      m.graph!.node![2]!.input![0] = m.graph!.node![0]!.output![0]!; // the second Gemm skips the Tanh: a branch
    }), /only one chain of layers/);
    rejects(edited('tanh_softmax', (m) => { m.graph!.initializer![0]!.data_location = 1; }), /external file/);
    rejects(edited('tanh_softmax', (m) => { m.graph!.initializer![0]!.data_type = 10; }), /data type 10/);
    rejects(edited('tanh_softmax', (m) => { m.graph!.initializer![0]!.raw_data!.set([0, 0, 0xc0, 0x7f]); }), /not finite/);
    rejects(edited('tanh_softmax', (m) => { m.graph = null; }), /no graph/);
    rejects(edited('tanh_softmax', (m) => { m.opset_import = []; }), /declares no opset/);
    rejects(edited('tanh_softmax', (m) => {
      m.graph!.node!.find((n) => n.op_type === 'Softmax')!.attribute = [{ name: 'axis', type: 2, i: 0 }];
    }), /softmax over axis 0 is not over the features/);
    rejects(edited('tanh_softmax', (m) => {
      m.graph!.node![0]!.attribute!.push({ name: 'transA', type: 2, i: 1 });
    }), /would sum over the examples/);
    rejects(edited('tanh_softmax', (m) => { m.graph!.output!.push({ name: 'extra' }); }), /2 outputs/);
  });
  it('10,000 fuzzed mutations of a valid file: each an Error or a valid model, none slow', async () => {
    const base = fixture('leaky_softmax_norm');
    let s = 12345;
    const u = (n: number): number => Math.floor(((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * n);
    let accepted = 0;
    let slowest = 0;
    const messages = new Set<string>();
    for (let k = 0; k < 10_000; k++) {
      let b = Uint8Array.from(base);
      for (let edits = 1 + u(4); edits > 0; edits--) {
        const at = u(b.length);
        const kind = u(6);
        if (kind === 0) b[at] = u(256);
        else if (kind === 1) b[at]! ^= 1 << u(8);
        else if (kind === 2) b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + 1 + u(8))]);
        else if (kind === 3) b = Uint8Array.from([...b.subarray(0, at), u(256), ...b.subarray(at)]);
        else if (kind === 4) b[at] = [0x00, 0x7f, 0x80, 0xff][u(4)]!;
        else b = b.subarray(0, at);
      }
      const t0 = performance.now();
      try {
        const snet = onnxToSnet(b);
        decodeModel(snet);
        accepted++;
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        const msg = (e as Error).message;
        if (!/^simdnet: /.test(msg)) throw new Error(`mutation ${k}: an unexplained ${(e as Error).name}: ${msg}`);
        messages.add(msg.replace(/'[^']*'|\d+/g, '…').slice(0, 60));
      }
      slowest = Math.max(slowest, performance.now() - t0);
    }
    expect(slowest).toBeLessThan(1000);
    expect(accepted).toBeGreaterThan(0); // mutations of weights and names still load
    expect(messages.size).toBeGreaterThan(10); // and many different checks fire
  });
});
