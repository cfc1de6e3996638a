// Wall time of the course's week-4 run with simdnet (the figure issue 3 compares with numpy):
// [12288, 20, 7, 5, 1], init 'course', rng numpy seed 1, 2500 iterations, lr 0.0075. Usage: npx tsx bench/cat-run.ts [float32|float64] [threads=1]
import os from 'node:os';
import { Network } from '../src/network.js';
import { loadCatDataset } from '../src/data/hdf5.js';

const dtype = (process.argv[2] ?? 'float32') as 'float32' | 'float64';
const threads = Number(process.argv[3] ?? 1);
const d = await loadCatDataset(new URL('../../shared/data/catvnoncat/', import.meta.url));
const mat = (x: { data: Float64Array; shape: readonly number[] }) => ({ data: x.data, shape: [x.shape[0]!, x.shape[1]!] });
const net = await Network.create({ layers: [12288, 20, 7, 5, 1], init: 'course', rng: 'numpy', seed: 1, dtype, kernels: { threads } });
const started = performance.now();
const h = await net.fit(mat(d.trainX), mat(d.trainY), { iterations: 2500, learningRate: 0.0075, layout: 'features-first' });
const seconds = (performance.now() - started) / 1000;
const ff = { layout: 'features-first' as const };
console.log(`simdnet ${net.kernels.build}${threads > 1 ? ` × ${threads} threads` : ''} ${dtype}: 2500 iterations in ${seconds.toFixed(2)} s (cost0 ${h.costs[0]!.cost.toFixed(6)}, ` +
  `train ${net.evaluate(mat(d.trainX), mat(d.trainY), ff).accuracy.toFixed(4)}, test ${net.evaluate(mat(d.testX), mat(d.testY), ff).accuracy}); ` +
  `load average ${os.loadavg()[0]!.toFixed(2)}`);
net.dispose();
net.kernels.dispose?.();
