import { readFileSync } from 'node:fs';
import { Network } from '../src/network.js';
const layers = [12288, 20, 7, 5, 1], m = 209;
const X = { data: Float64Array.from({ length: 12288 * m }, (_, i) => Math.sin(i * 0.7) * 0.5 + 0.5), shape: [12288, m] };
const Y = { data: Float64Array.from({ length: m }, (_, i) => i % 2), shape: [1, m] };
const res: Record<string, number[]> = { old: [], new: [] };
const tr: Record<string, any> = {};
for (const name of ['old', 'new']) {
  const net = await Network.create({ layers, output: 'sigmoid', seed: 1, dtype: 'float64', kernels: { build: 'simd', ...(name === 'old' ? { source: readFileSync('/tmp/base/simdnet.simd.wasm') } : {}) } });
  tr[name] = net.trainer(X, Y, { optimizer: 'gd', learningRate: 0.0075, batchSize: m, layout: 'features-first' });
}
for (let r = 0; r < 24; r++) for (const name of r % 2 ? ['new', 'old'] : ['old', 'new']) {
  const t = performance.now(); for (let i = 0; i < 5; i++) tr[name].step(false); res[name]!.push((performance.now() - t) / 5);
}
const med = (a: number[]) => a.slice(4).sort((x, y) => x - y)[10]!;
console.log(`cat f64 step: old ${med(res.old!).toFixed(2)} ms, new ${med(res.new!).toFixed(2)} ms, new/old ${(med(res.new!) / med(res.old!)).toFixed(3)}`);
