// snetToOnnx checked by a real engine: ONNX Runtime (onnxruntime-node, CPU) runs the exported graph and its
// predictions must equal net.predict within 1e-6 (float32) / 1e-12 (float64) (absolute up to |y| = 1, relative
// above), for every hidden activation ×
// output × with/without normaliser, at batch sizes 1, 7 and 300.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { Network, type HiddenActivation, type OutputActivation } from '../../src/network.js';
import { snetToOnnx } from '../../src/io/onnx.js';
import { quantizeModel } from '../../src/io/format.js';
import { decodeOnnx, int64, ATTR_TYPE, DATA_TYPE, META } from '../../src/io/onnx-wire.js';

const HIDDEN: HiddenActivation[] = ['relu', 'tanh', 'sigmoid', 'leakyRelu', 'linear'];
const OUTPUT: OutputActivation[] = ['sigmoid', 'softmax', 'linear'];
const BATCHES = [1, 7, 300];
const nets: Network[] = [];
afterAll(() => nets.forEach((n) => n.dispose()));

/** Rows with features on very different scales (so a normaliser matters), deterministic. */
function rows(m: number, seed: number): number[][] {
  let s = seed >>> 0;
  const u = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  return Array.from({ length: m }, () => [100 * u(), 10 * u() - 5, 1000 + 10 * u()]);
}

function targets(X: number[][], output: OutputActivation): number[][] {
  return X.map(([a, b]) => {
    const k = (a! > 50 ? 1 : 0) + (b! > 0 ? 1 : 0);
    if (output === 'sigmoid') return [k === 1 ? 1 : 0];
    if (output === 'softmax') return [0, 1, 2].map((c) => (c === k ? 1 : 0));
    return [a! / 100, b! / 5];
  });
}

async function trained(dtype: 'float32' | 'float64', hidden: HiddenActivation, output: OutputActivation, normalize: 'standardize' | 'none'): Promise<Network> {
  const nY = output === 'sigmoid' ? 1 : output === 'softmax' ? 3 : 2;
  const net = await Network.create({ layers: [3, 6, 5, nY], hidden, output, dtype, seed: 7, normalize, leakySlope: 0.05 });
  nets.push(net);
  const X = rows(64, 1);
  // Without a normaliser the raw scales make the net saturate; scaling the data keeps the comparison meaningful.
  const fitX = normalize === 'none' ? X.map((r) => [r[0]! / 100, r[1]! / 5, (r[2]! - 1005) / 5]) : X;
  await net.fit(fitX, targets(X, output), { iterations: 20, learningRate: 0.01, optimizer: 'adam' });
  return net;
}

async function ortPredict(bytes: Uint8Array, dtype: 'float32' | 'float64', X: number[][]): Promise<Float32Array | Float64Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const flat = X.flat();
    const input = new ort.Tensor(dtype, dtype === 'float32' ? Float32Array.from(flat) : Float64Array.from(flat), [X.length, X[0]!.length]);
    const out = (await session.run({ input })).output!;
    expect(out.dims).toEqual([X.length, out.dims[1]]);
    return out.data as Float32Array | Float64Array;
  } finally {
    await session.release();
  }
}

describe('snetToOnnx → ONNX Runtime', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    const tol = dtype === 'float32' ? 1e-6 : 1e-12;
    for (const normalize of ['standardize', 'none'] as const) {
      for (const output of OUTPUT) {
        it(`${dtype}, ${output} output, normalize ${normalize}: every hidden activation, batches ${BATCHES.join(', ')}, within ${tol}`, async () => {
          for (const hidden of HIDDEN) {
            const net = await trained(dtype, hidden, output, normalize);
            const onnx = snetToOnnx(net.save());
            for (const m of BATCHES) {
              const X = rows(m, 100 + m);
              const Xin = normalize === 'none' ? X.map((r) => [r[0]! / 100, r[1]! / 5, (r[2]! - 1005) / 5]) : X;
              // float32 inputs as the network sees them: both sides get the same float32 values.
              const given = dtype === 'float32' ? Xin.map((r) => r.map(Math.fround)) : Xin;
              const want = net.predict(given).data;
              const got = await ortPredict(onnx, dtype, given);
              expect(got.length).toBe(want.length);
              let worst = 0;
              // Absolute for |y| ≤ 1, relative above (a float32 linear output near 10 has an ulp of 9.5e-7).
              for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!)));
              expect(worst, `${hidden}, batch ${m}`).toBeLessThanOrEqual(tol);
              // The outputs vary (a constant output would pass any comparison).
              expect(Math.max(...want) - Math.min(...want), `${hidden}, batch ${m}`).toBeGreaterThan(m > 1 ? 1e-3 : -1);
            }
          }
        });
      }
    }
  }
});

describe('snetToOnnx: the graph', () => {
  it('states opset 13, FLOAT/DOUBLE by dtype, a dynamic batch, Gemm transB=1 per layer and the metadata', async () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const net = await Network.create({ layers: [3, 4, 3], hidden: 'tanh', dtype, normalize: 'minmax', labels: ['a', 'b', 'c'], seed: 2 });
      nets.push(net);
      const X = rows(20, 3);
      await net.fit(X, targets(X, 'softmax'), { iterations: 3, learningRate: 0.1 });
      const model = decodeOnnx(snetToOnnx(net.save()));
      expect(model.opset_import!.map((o) => [o.domain, int64(o.version, 'v')])).toEqual([['', 13]]);
      expect(int64(model.ir_version, 'ir')).toBe(7);
      const T = dtype === 'float32' ? DATA_TYPE.FLOAT : DATA_TYPE.DOUBLE;
      const graph = model.graph!;
      const [input] = graph.input!;
      expect(input!.type!.tensor_type!.elem_type).toBe(T);
      expect(input!.type!.tensor_type!.shape!.dim!.map((d) => d.dim_param || int64(d.dim_value, 'd'))).toEqual(['batch', 3]);
      expect(graph.output![0]!.type!.tensor_type!.shape!.dim!.map((d) => d.dim_param || int64(d.dim_value, 'd'))).toEqual(['batch', 3]);
      const gemms = graph.node!.filter((n) => n.op_type === 'Gemm');
      expect(gemms).toHaveLength(2);
      for (const g of gemms) expect(g.attribute!.find((a) => a.name === 'transB')).toMatchObject({ type: ATTR_TYPE.INT });
      expect(gemms.every((g) => int64(g.attribute!.find((a) => a.name === 'transB')!.i, 't') === 1)).toBe(true);
      expect(graph.node!.map((n) => n.op_type)).toEqual(dtype === 'float32'
        ? ['Cast', 'Sub', 'Div', 'Cast', 'Gemm', 'Tanh', 'Gemm', 'Softmax']
        : ['Sub', 'Div', 'Gemm', 'Tanh', 'Gemm', 'Softmax']);
      const softmax = graph.node!.find((n) => n.op_type === 'Softmax')!;
      expect(int64(softmax.attribute![0]!.i, 'axis')).toBe(-1);
      for (const t of graph.initializer!.filter((t) => /^[Wb]\d$/.test(t.name!))) expect(t.data_type).toBe(T);
      const props = new Map(model.metadata_props!.map((p) => [p.key, JSON.parse(p.value!) as unknown]));
      expect(props.get(META.labels)).toEqual(['a', 'b', 'c']);
      const norm = props.get(META.normalizer) as { kind: string; shift: number[]; scale: number[] };
      expect(norm.kind).toBe('minmax');
      expect(norm.shift).toEqual([...net.normalizer!.shift]);
      expect(norm.scale).toEqual([...net.normalizer!.scale]);
      expect(props.get(META.training)).toMatchObject({ optimizer: 'gd', learningRate: 0.1, iterations: 3 });
    }
  });

  it('an int8 model goes out with its dequantised float32 weights: ONNX Runtime predicts what Network.load runs', async () => {
    const net = await trained('float32', 'relu', 'softmax', 'standardize');
    const int8 = quantizeModel(net.save());
    const loaded = await Network.load(int8);
    nets.push(loaded);
    const X = rows(50, 77).map((r) => r.map(Math.fround));
    const want = loaded.predict(X).data;
    const got = await ortPredict(snetToOnnx(int8), 'float32', X);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
    expect(worst).toBeLessThanOrEqual(1e-6);
  });

  it('declares the opset asked for and rejects unknown options and opsets it cannot write', async () => {
    const net = await Network.create({ layers: [2, 1], seed: 1 });
    nets.push(net);
    const model = decodeOnnx(snetToOnnx(net.save(), { opset: 17, inputName: 'x', outputName: 'y' }));
    expect(int64(model.opset_import![0]!.version, 'v')).toBe(17);
    expect(model.graph!.input![0]!.name).toBe('x');
    const session = await ort.InferenceSession.create(snetToOnnx(net.save(), { opset: 21 }));
    expect(session.inputNames).toEqual(['input']);
    await session.release();
    expect(() => snetToOnnx(net.save(), { opset: 12 })).toThrow(/opset must be an integer from 13 to 21/);
    expect(() => snetToOnnx(net.save(), { opset: 22 })).toThrow(/opset/);
    expect(() => snetToOnnx(net.save(), { opst: 13 } as never)).toThrow(/unknown ONNX export option 'opst'/);
    expect(() => snetToOnnx(net.save(), { inputName: 'a', outputName: 'a' })).toThrow(/different/);
    expect(() => snetToOnnx(net.save(), { outputName: 'z1' })).toThrow(/the ONNX name 'z1' is used inside the graph/);
    expect(() => snetToOnnx(new Uint8Array(10))).toThrow(/not a valid simdnet model file/);
  });
});

/** The official ONNX checker (python3-onnx, Debian's onnx 1.12, which knows IR versions up to 8), where installed. */
const hasOnnxChecker = ((): boolean => {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import onnx.checker'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('snetToOnnx: the official checker', () => {
  it.skipIf(!hasOnnxChecker)('onnx.checker.check_model(full_check=True) accepts the files (opsets 13 and 17, both dtypes, leaky relu both ways)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simdnet-onnx-check-'));
    try {
      const files: string[] = [];
      for (const dtype of ['float32', 'float64'] as const) {
        const net = await Network.create({ layers: [3, 5, 4, 3], hidden: ['leakyRelu', 'tanh'], output: 'softmax', dtype, normalize: 'standardize', labels: ['a', 'b', 'c'], seed: 4 });
        nets.push(net);
        const X = rows(30, 9);
        await net.fit(X, targets(X, 'softmax'), { iterations: 2, learningRate: 0.1 });
        for (const opset of [13, 17]) {
          const f = join(dir, `${dtype}-${opset}.onnx`);
          writeFileSync(f, snetToOnnx(net.save(), { opset }));
          files.push(f);
        }
      }
      const out = execFileSync('/usr/bin/python3', ['-c', [
        'import sys, onnx',
        'for f in sys.argv[1:]:',
        '    onnx.checker.check_model(onnx.load(f), full_check=True)',
        '    print("ok", f)',
      ].join('\n'), ...files], { encoding: 'utf8' });
      expect(out.trim().split('\n')).toHaveLength(files.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
