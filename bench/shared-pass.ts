// What sharing passes over X between full-batch steps gains (assembly/net.ts prepareNext), by the size of X.
// For each shape, one trainer takes trainer.steps(10) with sharing on and off (sessionInternals.prepareMinBytes
// 0 or Infinity) in back-to-back pairs, the order alternating; the ratio is the median of the pairs' ratios
// (< 1: sharing is faster), with its interquartile range. f32, simd build, one thread, [n, u, 7, 1] GD.
// Run: npx tsx bench/shared-pass.ts [pairs]   (a shape: n features, m examples, u hidden units)
import { loadavg } from 'node:os';
import { Network } from '../src/network.js';
import { sessionInternals } from '../src/network/session.js';

const PAIRS = Number(process.argv[2] ?? 21);
const K = 10;
const SHAPES: [number, number, number][] = [
  [300, 209, 20], [784, 128, 128], [2000, 100, 20], [784, 400, 128], [12288, 50, 20], [784, 1000, 64],
  [12288, 100, 20], [3000, 800, 20], [4096, 600, 20], [8192, 300, 64], [12288, 209, 20], [4096, 1000, 128],
];

const sorted = (v: number[]): number[] => [...v].sort((a, b) => a - b);
const at = (v: number[], q: number): number => sorted(v)[Math.floor(q * (v.length - 1))]!;

console.log(`${new Date().toISOString()} trainer.steps(${K}) with and without shared passes, ${PAIRS} pairs per shape, load average ${loadavg()[0]!.toFixed(2)}`);
console.log('| X | net | m | shared ms/step | separate ms/step | shared ÷ separate (IQR) |');
console.log('| ---: | --- | ---: | ---: | ---: | ---: |');
const saved = sessionInternals.prepareMinBytes;
for (const [n, m, u] of SHAPES) {
  const data = new Float32Array(m * n);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 2654435761) % 1000) / 1000;
  const Y = Array.from({ length: m }, (_, i) => i % 2);
  const net = await Network.create({ layers: [n, u, 7, 1], seed: 1, dtype: 'float32', kernels: { build: 'simd' } });
  const t = net.trainer({ data, shape: [m, n] }, Y, { learningRate: 1e-4 });
  const run = (share: boolean): number => {
    sessionInternals.prepareMinBytes = share ? 0 : Infinity;
    const t0 = performance.now();
    t.steps(K);
    return (performance.now() - t0) / K;
  };
  for (let i = 0; i < 3; i++) { run(true); run(false); }
  const shared: number[] = [], separate: number[] = [], ratio: number[] = [];
  for (let p = 0; p < PAIRS; p++) {
    let a: number, b: number;
    if (p % 2 === 0) { a = run(true); b = run(false); } else { b = run(false); a = run(true); }
    shared.push(a); separate.push(b); ratio.push(a / b);
  }
  const mb = (n * m * 4) / 2 ** 20;
  console.log(`| ${mb.toFixed(2)} MiB | [${n},${u},7,1] | ${m} | ${at(shared, 0.5).toFixed(3)} | ${at(separate, 0.5).toFixed(3)} | ${at(ratio, 0.5).toFixed(3)} (${at(ratio, 0.25).toFixed(3)}–${at(ratio, 0.75).toFixed(3)}) |`);
  t.dispose();
  net.dispose();
}
sessionInternals.prepareMinBytes = saved;
console.log(`load average at the end ${loadavg()[0]!.toFixed(2)}; the library shares from ${saved / 2 ** 20} MiB of X (sessionInternals.prepareMinBytes)`);
