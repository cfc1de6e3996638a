// simdnet/worker from the package: both sets trained in a module Web Worker, the bytes loaded on the page.
import { Network, loadPlanarDataset } from 'simdnet';
import { fitInWorker } from 'simdnet/worker';

async function run() {
  const X = [[0, 0], [0, 1], [1, 0], [1, 1]];
  const Y = [0, 1, 1, 0];
  let progress = 0;
  const xor = await fitInWorker({ layers: [2, 4, 1], hidden: 'tanh', seed: 1 }, X, Y, { iterations: 2000, learningRate: 1, onProgress: () => { progress++; } });
  const p = loadPlanarDataset();
  const planar = await fitInWorker({ layers: [2, 4, 1], hidden: 'tanh', init: 'small', rng: 'numpy', seed: 2 }, p.X, p.Y,
    { iterations: 10000, learningRate: 1.2, layout: 'features-first' });
  const xorNet = await Network.load(xor.bytes);
  const planarNet = await Network.load(planar.bytes);
  return {
    xor: progress > 0 ? xorNet.evaluate(X, Y).accuracy : 0,
    planar: planarNet.evaluate(p.X, p.Y, { layout: 'features-first' }).accuracy,
    build: `${planar.build} (worker)`,
  };
}

run().then((r) => { window.__result = r; }, (e) => { window.__result = { error: String(e?.message ?? e) }; });
