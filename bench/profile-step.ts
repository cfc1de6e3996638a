// Where one training step's time goes (the profile behind the issue-4 figures): the whole step with
// plain gradient descent and with Adam, then each GEMM of the step alone at its own shape, one thread,
// f32, simd build. Usage: npx tsx bench/profile-step.ts [mlp|cat]
import os from 'node:os';
import { Kernels } from '../src/kernels.js';
import { Network } from '../src/network.js';

const which = process.argv[2] ?? 'mlp';
const layers = which === 'cat' ? [12288, 20, 7, 5, 1] : [784, 128, 64, 10];
const m = which === 'cat' ? 209 : 128;
const output = which === 'cat' ? 'sigmoid' : 'softmax';

/** Median time of `f` in µs over 21 rounds of `n` calls, after a warm-up. */
function median(f: () => void, n: number): number {
  for (let i = 0; i < Math.min(n, 20); i++) f();
  const ts: number[] = [];
  for (let r = 0; r < 21; r++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) f();
    ts.push(((performance.now() - t) / n) * 1000);
  }
  return ts.sort((a, b) => a - b)[10]!;
}

const values = (count: number): Float32Array => Float32Array.from({ length: count }, (_, i) => Math.sin(i * 0.7) * 0.5 + 0.5);
const X = { data: values(layers[0]! * m), shape: [layers[0]!, m] };
const Y = which === 'cat' ? { data: Float32Array.from({ length: m }, (_, i) => i % 2), shape: [1, m] } : Array.from({ length: m }, (_, i) => i % 10);
const reps = which === 'cat' ? 30 : 100;
console.log(`${which} ${JSON.stringify(layers)}, m = ${m}, f32, simd build, one thread; load average ${os.loadavg()[0]!.toFixed(2)}`);
for (const optimizer of ['gd', 'adam'] as const) {
  const net = await Network.create({ layers, output, seed: 1, kernels: { build: 'simd' } });
  const t = net.trainer(X, Y, { optimizer, learningRate: 0.001, batchSize: m, layout: 'features-first' });
  console.log(`whole step, ${optimizer.padEnd(4)} ${median(() => t.step(false), reps).toFixed(1).padStart(8)} µs`);
  t.dispose();
  net.dispose();
}
// The step's products (features-first: Z = W·A, dW = dZ·Aᵀ, dA = Wᵀ·dZ; dA⁰ is never formed).
const k = await Kernels.load({ build: 'simd' });
const tensor = (r: number, c: number) => k.tensor(r, c, 'float32', values(r * c));
let total = 0;
for (let l = 1; l < layers.length; l++) {
  const [n, p] = [layers[l]!, layers[l - 1]!];
  const products: [string, boolean, boolean, number, number, number][] = [
    [`Z${l} = W${l}·A${l - 1}`, false, false, n, m, p],
    [`dW${l} = dZ${l}·A${l - 1}ᵀ`, false, true, n, p, m],
  ];
  if (l > 1) products.push([`dA${l - 1} = W${l}ᵀ·dZ${l}`, true, false, p, m, n]);
  for (const [name, ta, tb, rows, cols, depth] of products) {
    const A = ta ? tensor(depth, rows) : tensor(rows, depth);
    const B = tb ? tensor(cols, depth) : tensor(depth, cols);
    const C = tensor(rows, cols);
    const us = median(() => k.gemm(ta, tb, 1, A, B, 0, C), Math.max(1, Math.round(2e7 / (2 * rows * cols * depth))));
    total += us;
    console.log(`${name.padEnd(22)} ${`${rows}×${depth}·${depth}×${cols}`.padEnd(20)} ${us.toFixed(1).padStart(8)} µs ${(2 * rows * cols * depth / us / 1e3).toFixed(1).padStart(6)} GFLOP/s`);
    A.dispose(); B.dispose(); C.dispose();
  }
}
console.log(`sum of the GEMMs        ${''.padEnd(20)} ${total.toFixed(1).padStart(8)} µs (each called from JS: includes the wrapper's checks)`);
k.dispose?.();
