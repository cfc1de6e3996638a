// Edge modules, float32 vs int8 (issue 14): the size of a baked [784,128,64,10] module and the time of one
// single-example predict, in the simd and the scalar build, as a host calls it from Node: copy 784 f32 in,
// predict(in, 1, out), read 10 f32 out. One task = 100 such calls in a row (a 5 µs call is too short to time
// alone); the table gives the median per call (and the fastest task / 100: the least disturbed on a shared
// machine) and the batch time per example at m = 256 (median).
//
//   node --import tsx bench/edge.bench.ts [--time MS] [--normalize]
//
// stdout: a header (date, Node, CPU, load) and a markdown table. Weights are random (speed does not depend on
// them); accuracy is measured by test/edge/int8-accuracy.test.ts.
import os from 'node:os';
import { Bench } from 'tinybench';
import { exportEdgeWasm, type EdgeExports } from '../src/io/edge.js';
import { encodeModel, type ModelRecord } from '../src/io/format.js';

const LAYERS = [784, 128, 64, 10];
const CALLS = 100;
const args = process.argv.slice(2);
const time = Number(args[args.indexOf('--time') + 1] ?? 0) || 1500;
const normalize = args.includes('--normalize');

function model(): Uint8Array {
  let s = 12345;
  const next = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) - 0.5;
  const weights: ModelRecord['weights'] = [];
  for (let l = 1; l < LAYERS.length; l++) {
    const k = LAYERS[l - 1]!;
    weights.push({ W: Float32Array.from({ length: LAYERS[l]! * k }, () => next() * 4 / Math.sqrt(k)), b: Float32Array.from({ length: LAYERS[l]! }, () => next() * 0.1) });
  }
  const n0 = LAYERS[0]!;
  return encodeModel({
    dtype: 'float32', layers: LAYERS, activations: ['relu', 'relu', 'softmax'], leakySlope: 0.01, meta: {}, weights,
    normalizer: normalize ? { kind: 'standardize', shift: Float64Array.from({ length: n0 }, () => next()), scale: Float64Array.from({ length: n0 }, () => 1 + next()) } : null,
  });
}

interface Row { build: 'simd' | 'scalar'; quantize: 'none' | 'int8'; bytes: number; single: number; singleMin: number; batch: number }

async function main(): Promise<void> {
  const bytes = model();
  const X = Float32Array.from({ length: 256 * LAYERS[0]! }, (_, i) => (i * 7919 % 1000) / 1000);
  const rows: Row[] = [];
  const bench = new Bench({ time, warmup: true, warmupTime: 300 });
  const sink = { v: 0 };
  for (const build of ['simd', 'scalar'] as const) {
    for (const quantize of ['none', 'int8'] as const) {
      const wasm = await exportEdgeWasm(bytes, { build, quantize });
      const ex = (await WebAssembly.instantiate(wasm, {})).instance.exports as unknown as EdgeExports;
      const inPtr = ex.alloc(X.byteLength);
      const outPtr = ex.alloc(256 * 10 * 4);
      const row: Row = { build, quantize, bytes: wasm.length, single: 0, singleMin: 0, batch: 0 };
      rows.push(row);
      const one = X.subarray(0, LAYERS[0]!);
      bench.add(`${build} ${quantize} single`, () => {
        for (let c = 0; c < CALLS; c++) {
          new Float32Array(ex.memory.buffer, inPtr, one.length).set(one);
          if (ex.predict(inPtr, 1, outPtr) !== 0) throw new Error('predict failed');
          sink.v += new Float32Array(ex.memory.buffer, outPtr, 10)[c % 10]!;
        }
      });
      bench.add(`${build} ${quantize} batch`, () => {
        new Float32Array(ex.memory.buffer, inPtr, X.length).set(X);
        if (ex.predict(inPtr, 256, outPtr) !== 0) throw new Error('predict failed');
        sink.v += new Float32Array(ex.memory.buffer, outPtr, 10)[0]!;
      });
    }
  }
  const load = os.loadavg()[0]!.toFixed(2);
  await bench.run();
  for (const task of bench.tasks) {
    const [build, quantize, kind] = task.name.split(' ') as [Row['build'], Row['quantize'], string];
    const row = rows.find((r) => r.build === build && r.quantize === quantize)!;
    const latency = task.result && 'latency' in task.result ? task.result.latency : null; // ms
    const median = latency?.p50 ?? NaN;
    if (kind === 'single') {
      row.single = (median * 1000) / CALLS;
      row.singleMin = ((latency?.min ?? NaN) * 1000) / CALLS;
    }
    else row.batch = (median * 1000) / 256;
  }
  console.log(`edge bench ${new Date().toISOString()} · Node ${process.version} · ${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length} · load ${load} → ${os.loadavg()[0]!.toFixed(2)} · [${LAYERS.join(',')}] relu/softmax${normalize ? ', standardize' : ''} · ${time} ms per task`);
  console.log('');
  console.log('| build | weights | baked module | predict, m = 1 (median per call) | m = 1, fastest 100 calls | m = 256 (per example) |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    const base = rows.find((x) => x.build === r.build && x.quantize === 'none')!;
    const ratio = (a: number, b: number): string => (r === base ? '' : ` (${(a / b).toFixed(2)}×)`);
    console.log(`| ${r.build} | ${r.quantize === 'none' ? 'float32' : 'int8'} | ${(r.bytes / 1000).toFixed(1)} KB${ratio(base.bytes, r.bytes)} | ${r.single.toFixed(2)} µs${ratio(base.single, r.single)} | ${r.singleMin.toFixed(2)} µs${ratio(base.singleMin, r.singleMin)} | ${r.batch.toFixed(2)} µs${ratio(base.batch, r.batch)} |`);
  }
  if (sink.v === 42) console.log('');
}

await main();
