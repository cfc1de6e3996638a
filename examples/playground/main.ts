// The playground page: reads the controls, trains off the main thread with simdnet/worker's fitInWorker,
// and draws each progress snapshot: the decision boundary with the points, and the cost curve.
import { Kernels, Network } from 'simdnet';
import { fitInWorker } from 'simdnet/worker';
import { boundsOf, makeDataset, setFootball, type DatasetName } from './datasets.js';
import type { Bounds, TrainConfig } from './protocol.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const form = $<HTMLFormElement>('controls');
const trainButton = $<HTMLButtonElement>('train');
const stopButton = $<HTMLButtonElement>('stop');
const saveButton = $<HTMLButtonElement>('save');
const status = $<HTMLParagraphElement>('status');
const errorBox = $<HTMLParagraphElement>('error');
const boundary = $<HTMLCanvasElement>('boundary');
const costCanvas = $<HTMLCanvasElement>('cost');
const noise = $<HTMLInputElement>('noise');

/** Class colours (ColorBrewer Spectral, as the course's plots): red, blue, green. */
const COLORS: [number, number, number][] = [[213, 62, 79], [50, 136, 189], [102, 194, 165]];
const GRID = 80;

/** The page's own kernels: they evaluate and draw the snapshots the worker sends. */
const kernels = Kernels.load();
let points: { x: Float64Array; y: Float64Array; labels: number[]; bounds: Bounds } | null = null;
let costs: { iteration: number; cost: number }[] = [];
let total = 1;
let controller: AbortController | null = null;
let lastModel: Uint8Array | null = null;

function setState(state: 'idle' | 'training' | 'done' | 'error', text: string): void {
  status.dataset.state = state;
  status.textContent = text;
  trainButton.disabled = state === 'training';
  stopButton.disabled = state !== 'training';
}

/** Reads and checks the controls; throws an Error naming the bad field. */
function readConfig(): TrainConfig {
  const value = (id: string): string => ($<HTMLInputElement>(id)).value.trim();
  const layers = value('layers') === '' ? [] : value('layers').split(',').map((s) => Number(s.trim()));
  if (layers.some((n) => !Number.isInteger(n) || n < 1 || n > 256)) throw new Error('Hidden layers: whole numbers from 1 to 256, separated by commas');
  const lr = Number(value('lr'));
  if (!(lr > 0 && Number.isFinite(lr))) throw new Error('Learning rate: a positive number');
  const iterations = Number(value('iterations'));
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > 1_000_000) throw new Error('Iterations: a whole number from 1 to 1000000');
  const batch = value('batch');
  const batchSize = batch === '' ? null : Number(batch);
  if (batchSize !== null && (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 400)) throw new Error('Batch size: empty (all) or 1 to 400');
  const seed = Number(value('seed'));
  if (!Number.isInteger(seed) || seed < 0) throw new Error('Seed: a whole number ≥ 0');
  const l2 = value('l2') === '' ? 0 : Number(value('l2'));
  if (!(l2 >= 0 && Number.isFinite(l2))) throw new Error('L2 λ: a number ≥ 0');
  const keepProb = value('keep') === '' ? 1 : Number(value('keep'));
  if (!(keepProb > 0 && keepProb <= 1)) throw new Error('Keep probability: a number in (0, 1]');
  return {
    dataset: value('dataset') as DatasetName, noise: Number(noise.value), layers,
    activation: value('activation') as TrainConfig['activation'], init: value('init') as TrainConfig['init'],
    optimizer: value('optimizer') as TrainConfig['optimizer'], learningRate: lr, iterations, batchSize, seed, l2, keepProb, grid: GRID,
  };
}

function toCanvas(b: Bounds, x: number, y: number): [number, number] {
  return [((x - b.x0) / (b.x1 - b.x0)) * boundary.width, (1 - (y - b.y0) / (b.y1 - b.y0)) * boundary.height];
}

/** The class regions (tinted by confidence) from the grid, then the points on top. */
function drawBoundary(gridClass: Uint8Array | null, gridConfidence: Float32Array | null): void {
  const ctx = boundary.getContext('2d')!;
  const { width, height } = boundary;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  if (gridClass && gridConfidence) {
    const image = ctx.createImageData(GRID, GRID);
    for (let row = 0; row < GRID; row++) {
      for (let col = 0; col < GRID; col++) {
        const i = row * GRID + col;
        // Row 0 of the grid is the bottom of the plane; image rows go down.
        const o = ((GRID - 1 - row) * GRID + col) * 4;
        const [r, g, b] = COLORS[gridClass[i]! % COLORS.length]!;
        const strength = 0.15 + 0.45 * Math.min(1, Math.max(0, (gridConfidence[i]! - 0.5) * 2));
        image.data[o] = 255 - (255 - r) * strength;
        image.data[o + 1] = 255 - (255 - g) * strength;
        image.data[o + 2] = 255 - (255 - b) * strength;
        image.data[o + 3] = 255;
      }
    }
    const off = new OffscreenCanvas(GRID, GRID);
    off.getContext('2d')!.putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(off, 0, 0, width, height);
  }
  if (points) {
    for (let i = 0; i < points.x.length; i++) {
      const [cx, cy] = toCanvas(points.bounds, points.x[i]!, points.y[i]!);
      const [r, g, b] = COLORS[points.labels[i]! % COLORS.length]!;
      ctx.beginPath();
      ctx.arc(cx, cy, 3.5, 0, 2 * Math.PI);
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fill();
      ctx.lineWidth = 0.7;
      ctx.strokeStyle = '#222';
      ctx.stroke();
    }
  }
}

function drawCost(): void {
  const ctx = costCanvas.getContext('2d')!;
  const { width, height } = costCanvas;
  const pad = { l: 44, r: 10, t: 10, b: 24 };
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.strokeStyle = '#999';
  ctx.lineWidth = 1;
  ctx.strokeRect(pad.l, pad.t, width - pad.l - pad.r, height - pad.t - pad.b);
  if (costs.length === 0) return;
  const maxCost = Math.max(...costs.map((c) => c.cost)) * 1.05 || 1;
  const sx = (it: number): number => pad.l + (it / Math.max(1, total)) * (width - pad.l - pad.r);
  const sy = (c: number): number => pad.t + (1 - c / maxCost) * (height - pad.t - pad.b);
  ctx.fillStyle = '#444';
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'right';
  for (const f of [0, 0.5, 1]) ctx.fillText((maxCost * f).toFixed(2), pad.l - 4, sy(maxCost * f) + 4);
  ctx.textAlign = 'center';
  ctx.fillText('0', sx(0), height - 8);
  ctx.fillText(String(total), sx(total) - 12, height - 8);
  ctx.beginPath();
  costs.forEach((c, i) => (i === 0 ? ctx.moveTo(sx(c.iteration), sy(c.cost)) : ctx.lineTo(sx(c.iteration), sy(c.cost))));
  ctx.strokeStyle = '#1f77b4';
  ctx.lineWidth = 2;
  ctx.stroke();
}

const describe = (m: { iteration: number; cost: number; accuracy: number; elapsedMs: number }): string =>
  `iteration ${m.iteration} / ${total} · cost ${m.cost.toFixed(4)} · accuracy ${(m.accuracy * 100).toFixed(2)} % · ${(m.elapsedMs / 1000).toFixed(1)} s`;

/** Predicts the grid's cell centres (examples-first, cells² × 2): class and confidence per cell. */
function gridOf(net: Network, bounds: Bounds, classes: number): { gridClass: Uint8Array; gridConfidence: Float32Array } {
  const g = GRID;
  const centres = new Float64Array(g * g * 2);
  for (let row = 0; row < g; row++) {
    for (let col = 0; col < g; col++) {
      const i = row * g + col;
      centres[2 * i] = bounds.x0 + ((col + 0.5) / g) * (bounds.x1 - bounds.x0);
      centres[2 * i + 1] = bounds.y0 + ((row + 0.5) / g) * (bounds.y1 - bounds.y0);
    }
  }
  const out = net.predict({ data: centres, shape: [g * g, 2] }).data;
  const nY = classes === 2 ? 1 : classes;
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
}

/** Trains in a worker; every progress event carries the network's bytes, drawn here. */
async function train(config: TrainConfig): Promise<void> {
  const data = makeDataset(config.dataset, config.noise, 400, config.seed);
  const bounds = boundsOf(data, config.dataset);
  points = { x: data.x, y: data.y, labels: data.labels, bounds };
  drawBoundary(null, null);
  const m = data.x.length;
  const X = { data: new Float64Array([...data.x, ...data.y]), shape: [2, m] };
  const nY = data.classes === 2 ? 1 : data.classes;
  const k = await kernels;
  const t0 = performance.now();
  const show = async (bytes: Uint8Array, iteration: number): Promise<{ cost: number; accuracy: number }> => {
    const net = await Network.load(bytes, { kernels: k });
    try {
      const { cost, accuracy } = net.evaluate(X, data.labels, { layout: 'features-first' });
      const grid = gridOf(net, bounds, data.classes);
      status.dataset.accuracy = String(accuracy);
      status.textContent = describe({ iteration, cost, accuracy, elapsedMs: performance.now() - t0 });
      drawBoundary(grid.gridClass, grid.gridConfidence);
      return { cost, accuracy };
    } finally {
      net.dispose();
    }
  };
  let drawing: Promise<void> = Promise.resolve();
  let pending: { model: Uint8Array; iteration: number } | null = null;
  controller = new AbortController();
  const result = await fitInWorker({
    layers: [2, ...config.layers, nY], hidden: config.activation, output: nY === 1 ? 'sigmoid' : 'softmax',
    init: config.init === 'scale10' ? { scale: 10 } : config.init, seed: config.seed, rng: 'numpy',
  }, X, data.labels, {
    iterations: config.iterations, learningRate: config.learningRate, optimizer: config.optimizer,
    ...(config.batchSize ? { batchSize: config.batchSize } : {}),
    ...(config.l2 > 0 ? { l2: config.l2 } : {}), ...(config.keepProb < 1 ? { keepProb: config.keepProb } : {}),
    layout: 'features-first', costEvery: Math.max(1, Math.round(config.iterations / 100)),
    signal: controller.signal, snapshots: true,
    onProgress: (p, model) => {
      if (costs.length === 0 || p.iteration > costs[costs.length - 1]!.iteration) costs.push({ iteration: p.iteration, cost: p.cost });
      drawCost();
      // One snapshot drawn at a time, in order; while one draws, newer ones replace the waiting one.
      if (model) {
        pending = { model, iteration: p.iteration };
        drawing = drawing.then(() => {
          const next = pending;
          pending = null;
          return next === null ? undefined : show(next.model, next.iteration).then(() => undefined);
        });
      }
    },
  });
  controller = null;
  lastModel = result.bytes;
  pending = null;
  await drawing;
  const final = await show(result.bytes, result.history.iterations);
  drawCost();
  setState('done', `${result.history.stopped === 'aborted' ? 'stopped' : 'done'}: ${describe({ iteration: result.history.iterations, ...final, elapsedMs: performance.now() - t0 })}`);
  saveButton.disabled = false;
}

kernels.then((k) => {
  $('build').textContent = k.build;
  setState('idle', 'Press Train.');
}, (e: unknown) => {
  errorBox.textContent = e instanceof Error ? e.message : String(e);
  setState('error', 'The kernels failed to load.');
});

form.addEventListener('submit', (event) => {
  event.preventDefault();
  errorBox.textContent = '';
  let config: TrainConfig;
  try {
    config = readConfig();
  } catch (e) {
    errorBox.textContent = (e as Error).message;
    return;
  }
  costs = [];
  total = config.iterations;
  saveButton.disabled = true;
  delete status.dataset.accuracy;
  setState('training', 'training…');
  train(config).catch((e: unknown) => {
    controller = null;
    errorBox.textContent = e instanceof Error ? e.message : String(e);
    setState('error', 'Training failed.');
  });
});
stopButton.addEventListener('click', () => controller?.abort());
saveButton.addEventListener('click', () => {
  if (lastModel === null) return;
  const url = URL.createObjectURL(new Blob([lastModel as BlobPart], { type: 'application/octet-stream' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: 'playground.snet' });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
});
noise.addEventListener('input', () => { $('noise-value').textContent = Number(noise.value).toFixed(2); });
// The second course's pictures: the notebook's settings for each decision boundary (relu, sigmoid output, numpy seed 3).
const PRESETS: Record<string, Record<string, string>> = {
  'init-zeros': { dataset: 'circles2', layers: '10,5', activation: 'relu', init: 'zeros', optimizer: 'gd', lr: '0.01', iterations: '15000', batch: '', seed: '3', l2: '0', keep: '1' },
  'init-random': { dataset: 'circles2', layers: '10,5', activation: 'relu', init: 'scale10', optimizer: 'gd', lr: '0.01', iterations: '15000', batch: '', seed: '3', l2: '0', keep: '1' },
  'init-he': { dataset: 'circles2', layers: '10,5', activation: 'relu', init: 'he', optimizer: 'gd', lr: '0.01', iterations: '15000', batch: '', seed: '3', l2: '0', keep: '1' },
  'opt-adam': { dataset: 'moons2', layers: '5,2', activation: 'relu', init: 'he', optimizer: 'adam', lr: '0.0007', iterations: '25000', batch: '64', seed: '3', l2: '0', keep: '1' },
  'reg-none': { dataset: 'football', layers: '20,3', activation: 'relu', init: 'course', optimizer: 'gd', lr: '0.3', iterations: '30000', batch: '', seed: '3', l2: '0', keep: '1' },
  'reg-l2': { dataset: 'football', layers: '20,3', activation: 'relu', init: 'course', optimizer: 'gd', lr: '0.3', iterations: '30000', batch: '', seed: '3', l2: '0.7', keep: '1' },
  'reg-dropout': { dataset: 'football', layers: '20,3', activation: 'relu', init: 'course', optimizer: 'gd', lr: '0.3', iterations: '30000', batch: '', seed: '3', l2: '0', keep: '0.86' },
};
$<HTMLInputElement>('football').addEventListener('change', (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (!file) return;
  errorBox.textContent = '';
  file.text().then((text) => {
    const m = setFootball(JSON.parse(text));
    $('football-status').textContent = `${m} training points loaded`;
  }).catch((e: unknown) => { errorBox.textContent = e instanceof Error ? e.message : String(e); });
});
$<HTMLSelectElement>('preset').addEventListener('change', (event) => {
  const preset = PRESETS[(event.target as HTMLSelectElement).value];
  if (preset) for (const [id, value] of Object.entries(preset)) ($<HTMLInputElement>(id)).value = value;
});
drawBoundary(null, null);
drawCost();
