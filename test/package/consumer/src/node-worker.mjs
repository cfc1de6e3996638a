// simdnet/worker in Node (a worker_threads Worker started from the package's dist/worker/node-main.js).
import { Network, loadPlanarDataset } from 'simdnet';
import { fitInWorker } from 'simdnet/worker';

const X = [[0, 0], [0, 1], [1, 0], [1, 1]];
const Y = [0, 1, 1, 0];
const xor = await fitInWorker({ layers: [2, 4, 1], hidden: 'tanh', seed: 1 }, X, Y, { iterations: 2000, learningRate: 1 });
const p = loadPlanarDataset();
const planar = await fitInWorker({ layers: [2, 4, 1], hidden: 'tanh', init: 'small', rng: 'numpy', seed: 2 }, p.X, p.Y,
  { iterations: 10000, learningRate: 1.2, layout: 'features-first' });
console.log(JSON.stringify({
  xor: (await Network.load(xor.bytes)).evaluate(X, Y).accuracy,
  planar: (await Network.load(planar.bytes)).evaluate(p.X, p.Y, { layout: 'features-first' }).accuracy,
  build: `${planar.build} (worker_threads)`,
}));
