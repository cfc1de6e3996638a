// fit's cost per call before its first step (issue 15: validation, layout and copy of the cat data), in one
// process with tinybench. 'open and dispose a trainer' is exactly that work (fit's open() and the session's
// copy into WASM memory, then its release); fit(iterations 1) adds one step, timed alone as 'one step'.
// Run: npx tsx bench/fit-overhead.ts [float32|float64]
import { loadavg } from 'node:os';
import { Bench } from 'tinybench';
import { Network } from '../src/network.js';

const dtype = (process.argv[2] ?? 'float32') as 'float32' | 'float64';
const m = 209, n = 12288;
const data = new Float32Array(m * n);
for (let i = 0; i < data.length; i++) data[i] = ((i * 2654435761) % 1000) / 1000;
const typed = { data, shape: [m, n] as [number, number] };
const rows = Array.from({ length: m }, (_, e) => Array.from(data.subarray(e * n, (e + 1) * n)));
const Y = Array.from({ length: m }, (_, i) => i % 2);
const net = await Network.create({ layers: [n, 20, 7, 5, 1], seed: 1, dtype });
const fit = { learningRate: 1e-4 };
const bench = new Bench({ time: 6000, warmupTime: 500, retainSamples: true });
bench
  .add('open and dispose a trainer (X typed)', () => { net.trainer(typed, Y, fit).dispose(); })
  .add('open and dispose a trainer (X number[][])', () => { net.trainer(rows, Y, fit).dispose(); })
  .add('open, one step, dispose (X typed)', () => { const t = net.trainer(typed, Y, fit); t.step(); t.dispose(); })
  .add('fit(X typed, iterations 1)', async () => { await net.fit(typed, Y, { ...fit, iterations: 1 }); })
  .add('fit(X number[][], iterations 1)', async () => { await net.fit(rows, Y, { ...fit, iterations: 1 }); });
await bench.run();
console.log(`${new Date().toISOString()} ${dtype}, cat-shaped data 209×12288, ${net.kernels.build} build, load average ${loadavg()[0]!.toFixed(2)}`);
for (const task of bench.tasks) {
  const r = task.result as unknown as { state: string; latency: { p50: number; min: number; max: number; samplesCount?: number; samples?: number[] }; error?: Error };
  if (r.state !== 'completed') throw new Error(`${task.name}: ${r.error?.message ?? r.state}`);
  console.log(`${task.name.padEnd(42)} median ${r.latency.p50.toFixed(2)} ms  (min ${r.latency.min.toFixed(2)}, ${r.latency.samples?.length ?? r.latency.samplesCount} samples)`);
}
net.dispose();
