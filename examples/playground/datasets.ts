// 2-D data sets for the playground: the course's planar flower (from simdnet), the second course's circles and
// moons (simdnet/course: the notebooks' own points), and a few generated ones.
import { loadPlanarDataset } from 'simdnet';
import { loadCircles, loadMoons } from 'simdnet/course';

export type DatasetName = 'planar' | 'circles2' | 'moons2' | 'football' | 'moons' | 'circles' | 'blobs' | 'xor' | 'spiral';

/**
 * The Regularization notebook's football data (its datasets/data.mat as JSON: train_X (2, m), train_Y (1, m)) is not
 * redistributable, so the page never ships it: the user picks their own copy, which is kept here.
 */
let football: { x: Float64Array; y: Float64Array; labels: number[] } | null = null;

/** Reads a football.json the user chose; throws an Error naming what is wrong with it. */
export function setFootball(json: unknown): number {
  const j = json as { train_X?: unknown; train_Y?: unknown };
  const rows = j?.train_X, labels = j?.train_Y;
  const isRow = (r: unknown): r is number[] => Array.isArray(r) && r.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (!Array.isArray(rows) || rows.length !== 2 || !rows.every(isRow) || !Array.isArray(labels) || labels.length !== 1 || !isRow(labels[0])
    || rows[0].length !== rows[1].length || rows[0].length !== labels[0].length || rows[0].length === 0) {
    throw new Error('football.json: expected train_X as 2 rows and train_Y as 1 row of the same length (the course layout)');
  }
  football = { x: Float64Array.from(rows[0]), y: Float64Array.from(rows[1]), labels: labels[0].map((v) => (v > 0.5 ? 1 : 0)) };
  return rows[0].length;
}

/** Features-first points (x = row 0, y = row 1) and a class per point. */
export interface Dataset2D {
  x: Float64Array;
  y: Float64Array;
  labels: number[];
  classes: number;
}

/** mulberry32 plus Box–Muller: seeded, so a data set looks the same on every run. */
function rng(seed: number): { uniform: () => number; normal: () => number } {
  let s = seed >>> 0;
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

/** Builds one of the data sets; `noise` is the standard deviation of the jitter (generated sets only). */
export function makeDataset(name: DatasetName, noise = 0.15, m = 400, seed = 1): Dataset2D {
  if (name === 'planar') {
    const { X, Y } = loadPlanarDataset();
    const n = X.shape[1];
    return { x: X.data.slice(0, n), y: X.data.slice(n, 2 * n), labels: Array.from(Y.data), classes: 2 };
  }
  if (name === 'football') {
    if (football === null) throw new Error('Data: choose your copy of the Regularization notebook\'s football.json first (it is not shipped)');
    return { x: football.x.slice(), y: football.y.slice(), labels: [...football.labels], classes: 2 };
  }
  if (name === 'circles2' || name === 'moons2') {
    // The Initialization / Optimization notebooks' training sets (300 points; noise and seed are theirs).
    const { trainX, trainY } = name === 'circles2' ? loadCircles() : loadMoons();
    const n = trainX.shape[1];
    return { x: trainX.data.slice(0, n), y: trainX.data.slice(n, 2 * n), labels: Array.from(trainY.data), classes: 2 };
  }
  const r = rng(seed);
  const x = new Float64Array(m);
  const y = new Float64Array(m);
  const labels: number[] = [];
  let classes = 2;
  for (let i = 0; i < m; i++) {
    const c = i % 2;
    let px = 0, py = 0;
    switch (name) {
      case 'moons': {
        const t = Math.PI * r.uniform();
        [px, py] = c === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
        break;
      }
      case 'circles': {
        const t = 2 * Math.PI * r.uniform();
        const radius = c === 0 ? 1 : 0.5;
        [px, py] = [radius * Math.cos(t), radius * Math.sin(t)];
        break;
      }
      case 'blobs': {
        classes = 3;
        const k = i % 3;
        const centres = [[-1.5, -1], [1.5, -1], [0, 1.6]] as const;
        [px, py] = [centres[k]![0] + 3 * noise * r.normal(), centres[k]![1] + 3 * noise * r.normal()];
        labels.push(k);
        x[i] = px;
        y[i] = py;
        continue;
      }
      case 'xor': {
        px = 2 * r.uniform() - 1;
        py = 2 * r.uniform() - 1;
        labels.push(px * py > 0 ? 1 : 0);
        x[i] = px + noise * 0.3 * r.normal();
        y[i] = py + noise * 0.3 * r.normal();
        continue;
      }
      case 'spiral': {
        const t = 0.25 + 3.5 * Math.PI * (Math.floor(i / 2) / (m / 2));
        const sign = c === 0 ? 1 : -1;
        [px, py] = [sign * t * Math.cos(t) / 11, sign * t * Math.sin(t) / 11];
        break;
      }
    }
    labels.push(c);
    x[i] = px + noise * r.normal();
    y[i] = py + noise * r.normal();
  }
  return { x, y, labels, classes };
}

/** The plotting window: the notebooks' axes for their sets, else the points' bounding box widened by 1 for planar (as the course) or by 15 %. */
export function boundsOf(d: Dataset2D, name: DatasetName): { x0: number; x1: number; y0: number; y1: number } {
  if (name === 'circles2') return { x0: -1.5, x1: 1.5, y0: -1.5, y1: 1.5 }; // axes.set_xlim([-1.5, 1.5]), set_ylim([-1.5, 1.5])
  if (name === 'moons2') return { x0: -1.5, x1: 2.5, y0: -1, y1: 1.5 }; // axes.set_xlim([-1.5, 2.5]), set_ylim([-1, 1.5])
  if (name === 'football') return { x0: -0.75, x1: 0.4, y0: -0.75, y1: 0.65 }; // axes.set_xlim([-0.75, 0.40]), set_ylim([-0.75, 0.65])
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < d.x.length; i++) {
    x0 = Math.min(x0, d.x[i]!); x1 = Math.max(x1, d.x[i]!);
    y0 = Math.min(y0, d.y[i]!); y1 = Math.max(y1, d.y[i]!);
  }
  const padX = name === 'planar' ? 1 : 0.15 * (x1 - x0);
  const padY = name === 'planar' ? 1 : 0.15 * (y1 - y0);
  return { x0: x0 - padX, x1: x1 + padX, y0: y0 - padY, y1: y1 + padY };
}
