// ns per element of the f32 vector transcendentals (math_f32: exp, tanh, log, sigmoid) and of act_forward's tanh,
// one thread, the simd build or a given simd binary; 15 rounds of about 2·10⁷ elements, medians. For comparing
// engines: run it under each Node (node --import tsx bench/math-map.ts [n=1600] [file.wasm]).
import { Kernels } from '../src/kernels.js';
import { readFileSync } from 'node:fs';
const file = process.argv[3];
const k = await Kernels.load({ build: 'simd', ...(file ? { source: readFileSync(file) } : {}) });
const n = Number(process.argv[2] ?? 1600);
const x = k.tensor(1, n, 'float32', Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 3));
const y = k.tensor(1, n, 'float32');
const ex = k.exports as unknown as { math_f32(f: number, x: number, y: number, n: number): number; act_forward_f32(...a: number[]): number };
const med = (f: () => void) => { const ts: number[] = []; for (let r = 0; r < 15; r++) { const t0 = performance.now(); f(); ts.push(performance.now() - t0); } return ts.sort((a, b) => a - b)[7]!; };
const reps = Math.round(2e7 / n);
const out: string[] = [];
for (const [name, f] of [['exp', 0], ['tanh', 1], ['log', 2], ['sigmoid', 3]] as const) {
  const t = med(() => { for (let i = 0; i < reps; i++) ex.math_f32(f, x.ptr, y.ptr, n); });
  out.push(`${name} ${(t * 1e6 / (reps * n)).toFixed(2)} ns/el`);
}
const t = med(() => { for (let i = 0; i < reps; i++) ex.act_forward_f32(1, x.ptr, 0, y.ptr, 1, n, 0.01); });
out.push(`act tanh ${(t * 1e6 / (reps * n)).toFixed(2)} ns/el`);
console.log(process.version, `n=${n}:`, out.join(', '));
