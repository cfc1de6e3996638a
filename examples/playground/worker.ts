// The training worker: simdnet runs here, off the main thread, and posts progress (cost, accuracy and
// the decision-boundary grid) at every cost check. A 'stop' message is seen between checks.
import { Network, Kernels } from 'simdnet';
import { boundsOf, makeDataset } from './datasets.js';
import type { FromWorker, ToWorker, TrainConfig } from './protocol.js';

const post = (message: FromWorker, transfer: Transferable[] = []): void => (self as unknown as Worker).postMessage(message, transfer);

let net: Network | null = null;
let stopRequested = false;
let kernels: Kernels | null = null;

async function train(config: TrainConfig): Promise<void> {
  kernels ??= await Kernels.load();
  net?.dispose();
  net = null;
  stopRequested = false;
  const data = makeDataset(config.dataset, config.noise, 400, config.seed);
  const bounds = boundsOf(data, config.dataset);
  post({ type: 'data', x: data.x, y: data.y, labels: data.labels, classes: data.classes, bounds });
  const m = data.x.length;
  const X = { data: new Float64Array([...data.x, ...data.y]), shape: [2, m] };
  const nY = data.classes === 2 ? 1 : data.classes;
  const model = await Network.create({
    layers: [2, ...config.layers, nY], hidden: config.activation, output: nY === 1 ? 'sigmoid' : 'softmax',
    init: config.init, seed: config.seed, rng: 'numpy', kernels,
  });
  net = model;

  // The grid's cell centres, examples-first (cells² × 2), predicted at every check.
  const g = config.grid;
  const centres = new Float64Array(g * g * 2);
  for (let row = 0; row < g; row++) {
    for (let col = 0; col < g; col++) {
      const i = row * g + col;
      centres[2 * i] = bounds.x0 + ((col + 0.5) / g) * (bounds.x1 - bounds.x0);
      centres[2 * i + 1] = bounds.y0 + ((row + 0.5) / g) * (bounds.y1 - bounds.y0);
    }
  }
  const gridOf = (): { gridClass: Uint8Array; gridConfidence: Float32Array } => {
    const out = model.predict({ data: centres, shape: [g * g, 2] }).data;
    const gridClass = new Uint8Array(g * g);
    const gridConfidence = new Float32Array(g * g);
    for (let i = 0; i < g * g; i++) {
      if (nY === 1) {
        const p = out[i]!;
        gridClass[i] = p > 0.5 ? 1 : 0;
        gridConfidence[i] = p > 0.5 ? p : 1 - p;
      } else {
        let best = 0;
        for (let c = 1; c < nY; c++) if (out[i * nY + c]! > out[i * nY + best]!) best = c;
        gridClass[i] = best;
        gridConfidence[i] = out[i * nY + best]!;
      }
    }
    return { gridClass, gridConfidence };
  };

  const t0 = performance.now();
  const costEvery = Math.max(1, Math.round(config.iterations / 100));
  const history = await model.fit(X, data.labels, {
    iterations: config.iterations, learningRate: config.learningRate, optimizer: config.optimizer,
    ...(config.batchSize ? { batchSize: config.batchSize } : {}),
    layout: 'features-first', costEvery,
    onProgress: async (p) => {
      const { accuracy } = model.evaluate(X, data.labels, { layout: 'features-first' });
      const grid = gridOf();
      post({ type: 'progress', iteration: p.iteration, total: p.totalIterations, cost: p.cost, accuracy, elapsedMs: performance.now() - t0, ...grid },
        [grid.gridClass.buffer, grid.gridConfidence.buffer]);
      // Let the worker's event loop run, so that a 'stop' can arrive.
      await new Promise((resolve) => setTimeout(resolve, 0));
      return !stopRequested;
    },
  });
  const final = model.evaluate(X, data.labels, { layout: 'features-first' });
  const grid = gridOf();
  post({ type: 'progress', iteration: history.iterations, total: config.iterations, cost: final.cost, accuracy: final.accuracy, elapsedMs: performance.now() - t0, ...grid },
    [grid.gridClass.buffer, grid.gridConfidence.buffer]);
  post({ type: 'done', iteration: history.iterations, cost: final.cost, accuracy: final.accuracy, elapsedMs: performance.now() - t0, stopped: history.stopped === 'callback' });
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const msg = event.data;
  if (msg.type === 'stop') stopRequested = true;
  else if (msg.type === 'save') {
    if (net !== null) {
      const bytes = net.save();
      post({ type: 'model', bytes }, [bytes.buffer]);
    }
  } else if (msg.type === 'train') {
    train(msg.config).catch((e: unknown) => post({ type: 'error', message: e instanceof Error ? e.message : String(e) }));
  }
};

Kernels.load().then((k) => {
  kernels = k;
  post({ type: 'ready', build: k.build });
}).catch((e: unknown) => post({ type: 'error', message: e instanceof Error ? e.message : String(e) }));
