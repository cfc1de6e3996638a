// The playground page: reads the controls, runs training in a Worker, and draws what it posts:
// the decision boundary with the points, and the cost curve.
import type { Bounds, FromWorker, ToWorker, TrainConfig } from './protocol.js';
import type { DatasetName } from './datasets.js';

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

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (msg: ToWorker): void => worker.postMessage(msg);

let points: Extract<FromWorker, { type: 'data' }> | null = null;
let costs: { iteration: number; cost: number }[] = [];
let total = 1;

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
  return {
    dataset: value('dataset') as DatasetName, noise: Number(noise.value), layers,
    activation: value('activation') as TrainConfig['activation'], init: value('init') as TrainConfig['init'],
    optimizer: value('optimizer') as TrainConfig['optimizer'], learningRate: lr, iterations, batchSize, seed, grid: GRID,
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

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const msg = event.data;
  switch (msg.type) {
    case 'ready':
      $('build').textContent = msg.build;
      setState('idle', 'Press Train.');
      break;
    case 'data':
      points = msg;
      drawBoundary(null, null);
      break;
    case 'progress':
      if (costs.length === 0 || msg.iteration > costs[costs.length - 1]!.iteration) costs.push({ iteration: msg.iteration, cost: msg.cost });
      status.dataset.accuracy = String(msg.accuracy);
      status.textContent = describe(msg);
      drawBoundary(msg.gridClass, msg.gridConfidence);
      drawCost();
      break;
    case 'done':
      status.dataset.accuracy = String(msg.accuracy);
      setState('done', `${msg.stopped ? 'stopped' : 'done'}: ${describe(msg)}`);
      saveButton.disabled = false;
      break;
    case 'model': {
      const url = URL.createObjectURL(new Blob([msg.bytes as BlobPart], { type: 'application/octet-stream' }));
      const a = Object.assign(document.createElement('a'), { href: url, download: 'playground.snet' });
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      break;
    }
    case 'error':
      errorBox.textContent = msg.message;
      setState('error', 'Training failed.');
      break;
  }
};

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
  send({ type: 'train', config });
});
stopButton.addEventListener('click', () => send({ type: 'stop' }));
saveButton.addEventListener('click', () => send({ type: 'save' }));
noise.addEventListener('input', () => { $('noise-value').textContent = Number(noise.value).toFixed(2); });
drawBoundary(null, null);
drawCost();
