// Products only 1–4 deep (assembly/gemm.ts gemmThinK) against another simd binary, in one process: 22
// alternating rounds per shape, the median of the last 20 per module, and the ratio. f32, one thread.
// Usage: npx tsx bench/thin-k.ts other.simd.wasm (e.g. a build of the commit before gemmThinK)
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { Kernels } from '../src/kernels.js';

const other = process.argv[2];
if (!other) throw new Error('usage: npx tsx bench/thin-k.ts other.simd.wasm');
const mods = { old: await Kernels.load({ build: 'simd', source: readFileSync(other) }), new: await Kernels.load({ build: 'simd' }) };
console.log(`old = ${other}, new = build/simdnet.simd.wasm; load average ${os.loadavg()[0]!.toFixed(2)}`);
const values = (c: number) => Float32Array.from({ length: c }, (_, i) => Math.sin(i * 0.7));
/** [transA, m, n, k]: the planar net's three thin products, then wider and taller ones. */
const shapes: [boolean, number, number, number][] = [[false, 4, 400, 2], [false, 1, 400, 4], [true, 4, 400, 1], [false, 64, 60000, 2], [false, 128, 100000, 4], [true, 128, 100000, 1], [false, 20, 209, 3], [false, 1000, 64, 4], [false, 7, 1000000, 2]];
for (const [tA, m, n, k] of shapes) {
  const res: Record<string, number[]> = { old: [], new: [] };
  const ops = Object.fromEntries(Object.entries(mods).map(([name, K]) => {
    const A = tA ? K.tensor(k, m, 'float32', values(m * k)) : K.tensor(m, k, 'float32', values(m * k));
    const B = K.tensor(k, n, 'float32', values(k * n)); const C = K.tensor(m, n, 'float32');
    return [name, () => K.gemm(tA, false, 1, A, B, 0, C)];
  }));
  const reps = Math.max(1, Math.round(3e6 / (m * n)));
  for (let r = 0; r < 22; r++) for (const name of r % 2 ? ['new', 'old'] : ['old', 'new']) {
    const t = performance.now(); for (let i = 0; i < reps; i++) ops[name]!(); res[name]!.push((performance.now() - t) / reps * 1000);
  }
  const med = (a: number[]) => a.slice(2).sort((x, y) => x - y)[10]!;
  console.log(`${tA ? 'T' : 'N'}N m=${m} n=${n} k=${k}: old ${med(res.old!).toFixed(2)} µs, new ${med(res.new!).toFixed(2)} µs, new/old ${(med(res.new!) / med(res.old!)).toFixed(3)}`);
  for (const K of Object.values(mods)) K.disposeAll();
}
