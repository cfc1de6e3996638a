// What threads: 'auto' costs or gains here: one training step on one thread against the thread count
// 'auto' picks (src/runtime/threads.ts autoThreads; 2 on this 2-core VM for the cat and MLP nets, 1 for
// planar), forced to 2 for the planar net to show why small nets stay on one. Alternating rounds in one
// process; medians of per-round medians; the load average is printed (the VM is shared).
// Usage: npx tsx bench/threads-auto.ts [rounds=7]
import os from 'node:os';
import { Network } from '../src/network.js';
import { autoThreads } from '../src/runtime/threads.js';

const rounds = Number(process.argv[2] ?? 7);
const values = (count: number, seed: number): Float32Array => Float32Array.from({ length: count }, (_, i) => Math.sin(i * 0.7 + seed) * 0.5 + 0.5);
const nets = [
  { name: 'cat [12288,20,7,5,1] GD, m=209', layers: [12288, 20, 7, 5, 1], m: 209, output: 'sigmoid' as const, optimizer: 'gd' as const, reps: 10 },
  { name: 'MLP [784,128,64,10] Adam, batch 128', layers: [784, 128, 64, 10], m: 128, output: 'softmax' as const, optimizer: 'adam' as const, reps: 60 },
  { name: 'planar [2,4,1] GD, m=400', layers: [2, 4, 1], m: 400, output: 'sigmoid' as const, optimizer: 'gd' as const, reps: 2000 },
];
console.log(`threads: 'auto' vs one thread, ${rounds} alternating rounds; ${os.availableParallelism()} hardware threads; load average ${os.loadavg()[0]!.toFixed(2)}`);
for (const spec of nets) {
  const largest = Math.max(...spec.layers.slice(1).map((u, l) => u * spec.layers[l]!));
  const auto = autoThreads(largest);
  const counts = [...new Set([1, auto, 2])];
  const X = { data: values(spec.layers[0]! * spec.m, 1), shape: [spec.layers[0]!, spec.m] };
  const Y = spec.output === 'softmax' ? Array.from({ length: spec.m }, (_, i) => i % 10)
    : { data: Float32Array.from({ length: spec.m }, (_, i) => i % 2), shape: [1, spec.m] };
  const runs = await Promise.all(counts.map(async (threads) => {
    const net = await Network.create({ layers: spec.layers, output: spec.output, seed: 1, kernels: { threads } });
    const t = net.trainer(X, Y, { optimizer: spec.optimizer, learningRate: 0.001, batchSize: spec.m, layout: 'features-first' });
    for (let i = 0; i < Math.min(spec.reps, 20); i++) t.step(false);
    return { threads, net, t, medians: [] as number[] };
  }));
  for (let r = 0; r < rounds; r++) {
    for (const run of r % 2 ? [...runs].reverse() : runs) {
      const t0 = performance.now();
      for (let i = 0; i < spec.reps; i++) run.t.step(false);
      run.medians.push(((performance.now() - t0) / spec.reps) * 1000);
    }
  }
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
  const one = med(runs[0]!.medians);
  console.log(`${spec.name} (largest layer ${largest} params → auto ${auto} thread${auto > 1 ? 's' : ''}):`);
  for (const run of runs) {
    console.log(`  ${run.threads} thread${run.threads > 1 ? 's' : ' '} ${med(run.medians).toFixed(1).padStart(9)} µs  ${(one / med(run.medians)).toFixed(2)}× one thread`);
    run.t.dispose(); run.net.dispose(); await run.net.kernels.dispose();
  }
}
console.log(`load average at the end ${os.loadavg()[0]!.toFixed(2)}`);
