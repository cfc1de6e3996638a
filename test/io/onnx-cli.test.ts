// simdnet export --onnx and simdnet import, run as a user runs them (a child process); the ONNX file is checked
// by ONNX Runtime and the imported model against the exporter's own outputs.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { Network } from '../../src/network.js';
import { runCli, tempDir } from '../cli/helpers.js';

const { dir, cleanup } = tempDir('onnx-cli');
afterAll(cleanup);
const FIXTURES = new URL('../fixtures/', import.meta.url);

describe('simdnet export --onnx / simdnet import', () => {
  it('exports a trained model that ONNX Runtime runs, and imports it back to the same bytes', async () => {
    const trained = await runCli(['train', '--iterations', '50', '--save', 'planar.snet', '--quiet'], dir);
    expect(trained.code, trained.stderr).toBe(0);
    const r = await runCli(['export', '--onnx', 'planar.snet', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ model: 'planar.snet', onnx: 'planar.onnx', opset: 13 });
    const snet = readFileSync(join(dir, 'planar.snet'));
    const net = await Network.load(snet);
    const X = [[0.5, -1.25], [2, 3], [-4, 0.1]];
    const session = await ort.InferenceSession.create(join(dir, 'planar.onnx'));
    const out = await session.run({ input: new ort.Tensor('float32', Float32Array.from(X.flat()), [3, 2]) });
    const want = net.predict(X).data;
    (out.output!.data as Float32Array).forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(1e-6));
    await session.release();
    net.dispose();
    const back = await runCli(['import', 'planar.onnx', '--out', 'back.snet'], dir);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toMatch(/wrote back\.snet \(\d+ bytes\): 2 → 4 \(tanh\) → 1 \(sigmoid\), float32/);
    expect(readFileSync(join(dir, 'back.snet')).equals(snet)).toBe(true);
    const opset = await runCli(['export', '--onnx', 'planar.snet', '--opset', '17', '--out', 'p17.onnx'], dir);
    expect(opset.stdout).toMatch(/wrote p17\.onnx .*opset 17/);
  });

  it('imports a PyTorch ONNX file and a TensorFlow.js model.json (weights found through the manifest)', async () => {
    copyFileSync(new URL('onnx/tanh_softmax.onnx', FIXTURES), join(dir, 'torch.onnx'));
    const r = await runCli(['import', 'torch.onnx', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ model: 'torch.snet', layers: [3, 6, 5, 3], activations: ['tanh', 'tanh', 'softmax'] });
    mkdirSync(join(dir, 'tfjs'));
    for (const f of ['model.json', 'weights.bin']) copyFileSync(new URL(`tfjs/relu_sigmoid/${f}`, FIXTURES), join(dir, 'tfjs', f));
    const t = await runCli(['import', 'tfjs/model.json', '--out', 'tf.snet'], dir);
    expect(t.code, t.stderr).toBe(0);
    const expected = JSON.parse(readFileSync(new URL('tfjs/expected.json', FIXTURES), 'utf8')).relu_sigmoid as { input: number[][]; output: number[][] };
    const net = await Network.load(readFileSync(join(dir, 'tf.snet')));
    net.predict(expected.input).data.forEach((v, i) => expect(Math.abs(v - expected.output.flat()[i]!)).toBeLessThanOrEqual(1e-5));
    net.dispose();
  });

  it('names the problem (exit 2)', async () => {
    writeFileSync(join(dir, 'junk.onnx'), 'not a model');
    copyFileSync(new URL('onnx/conv.onnx', FIXTURES), join(dir, 'conv.onnx'));
    const cases: [string[], RegExp][] = [
      [['export', '--onnx', '--edge', 'planar.snet'], /one kind at a time/],
      [['export', '--onnx', 'planar.snet', '--opset', '9'], /opset must be an integer from 13 to 21/],
      [['export', '--onnx', 'planar.snet', '--build', 'simd'], /--build is for --edge/],
      [['export', '--onnx', 'nope.snet'], /nope\.snet/],
      [['import'], /name the model/],
      [['import', 'junk.onnx'], /'junk\.onnx' cannot be imported: not a valid ONNX model: the protobuf does not decode/],
      [['import', 'conv.onnx'], /'conv\.onnx' cannot be imported: ONNX op Conv in node '\/0\/Conv' is not supported/],
      [['import', 'missing.onnx'], /missing\.onnx/],
    ];
    for (const [args, pattern] of cases) {
      const r = await runCli(args, dir);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(pattern);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    // Without the optional protobufjs package (a resolve hook hides it, as a fresh install of simdnet lacks it).
    writeFileSync(join(dir, 'hide.mjs'), `export function resolve(specifier, context, next) {
  if (specifier.startsWith('protobufjs')) throw Object.assign(new Error(\`Cannot find package 'protobufjs' imported from \${context.parentURL}\`), { code: 'ERR_MODULE_NOT_FOUND' });
  return next(specifier, context);
}`);
    // module.registerHooks (in-thread, Node 22.15+); module.register, which Node 26 deprecates with a warning on stderr, before it.
    writeFileSync(join(dir, 'register.mjs'), `import * as mod from 'node:module';
import { resolve } from './hide.mjs';
if (mod.registerHooks) mod.registerHooks({ resolve });
else mod.register('./hide.mjs', import.meta.url);`);
    for (const args of [['export', '--onnx', 'planar.snet'], ['import', 'torch.onnx']]) {
      const r = await runCli(args, dir, { NODE_OPTIONS: `--import ${join(dir, 'register.mjs')}` });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toBe('simdnet: ONNX needs the optional package protobufjs, which is not installed: run `npm install protobufjs`\n');
    }
    const tfjs = await runCli(['import', 'tfjs/model.json', '--out', 'tf2.snet'], dir, { NODE_OPTIONS: `--import ${join(dir, 'register.mjs')}` });
    expect(tfjs.code, tfjs.stderr).toBe(0); // the TensorFlow.js import needs no protobuf
    const help = await runCli(['--help'], dir);
    expect(help.stdout).toMatch(/import +convert an ONNX or TensorFlow\.js model/);
  });
});
