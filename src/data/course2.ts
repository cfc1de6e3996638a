/**
 * The second course's data sets: the Initialization notebook's circles and the Optimization notebook's moons,
 * regenerated from numpy's legacy stream exactly as sklearn's make_circles / make_moons draw them (1 shuffle of the
 * example indices, then normal noise for x and y of each example in turn), and the Regularization notebook's
 * football data, read from a file (it is not redistributable, so it is not shipped).
 */
import { host } from '../runtime/host.js';
import { NumpyRandom, correctlyRoundedCos, correctlyRoundedSin, type Random } from '../rng.js';
import { linspace, type DataMatrix } from './planar.js';

/** A course data set in the notebooks' layout: X (2, m), Y (1, m); the test pair when the notebook has one. */
export interface CourseDataset {
  trainX: DataMatrix;
  trainY: DataMatrix;
  testX?: DataMatrix;
  testY?: DataMatrix;
}

/** Shuffles the (n, 2) points and labels (sklearn's util_shuffle), adds N(0, noise²) to each coordinate, returns (2, n) and (1, n). */
function shuffleAndNoise(rng: Random, xs: Float64Array, ys: Float64Array, labels: Float64Array, noise: number): { X: DataMatrix; Y: DataMatrix } {
  const n = xs.length;
  const order = rng.permutation(n);
  const X = new Float64Array(2 * n);
  const Y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // generator.normal(scale=noise, size=(n, 2)): row-major, so x then y of each example; loc 0 + scale·gauss.
    X[i] = xs[order[i]!]! + (0 + noise * rng.randn());
    X[n + i] = ys[order[i]!]! + (0 + noise * rng.randn());
    Y[i] = labels[order[i]!]!;
  }
  return { X: { data: X, shape: [2, n] }, Y: { data: Y, shape: [1, n] } };
}

/** sklearn make_circles(n, shuffle=True, noise, factor) drawing from `rng` (the notebook's global np.random). */
export function makeCircles(n: number, noise: number, rng: Random, factor = 0.8): { X: DataMatrix; Y: DataMatrix } {
  if (!Number.isInteger(n) || n < 2) throw new Error(`simdnet: makeCircles needs at least 2 samples, got ${n}`);
  const nOut = Math.floor(n / 2), nIn = n - nOut;
  const xs = new Float64Array(n), ys = new Float64Array(n), labels = new Float64Array(n);
  // np.linspace(0, 2π, k, endpoint=False) = i·(2π / k).
  const stepOut = (2 * Math.PI) / nOut, stepIn = (2 * Math.PI) / nIn;
  for (let i = 0; i < nOut; i++) {
    xs[i] = correctlyRoundedCos(i * stepOut);
    ys[i] = correctlyRoundedSin(i * stepOut);
  }
  for (let i = 0; i < nIn; i++) {
    xs[nOut + i] = correctlyRoundedCos(i * stepIn) * factor;
    ys[nOut + i] = correctlyRoundedSin(i * stepIn) * factor;
    labels[nOut + i] = 1;
  }
  return shuffleAndNoise(rng, xs, ys, labels, noise);
}

/** sklearn make_moons(n, shuffle=True, noise) drawing from `rng`. */
export function makeMoons(n: number, noise: number, rng: Random): { X: DataMatrix; Y: DataMatrix } {
  if (!Number.isInteger(n) || n < 2) throw new Error(`simdnet: makeMoons needs at least 2 samples, got ${n}`);
  const nOut = Math.floor(n / 2), nIn = n - nOut;
  const xs = new Float64Array(n), ys = new Float64Array(n), labels = new Float64Array(n);
  const tOut = linspace(0, Math.PI, nOut), tIn = linspace(0, Math.PI, nIn);
  for (let i = 0; i < nOut; i++) {
    xs[i] = correctlyRoundedCos(tOut[i]!);
    ys[i] = correctlyRoundedSin(tOut[i]!);
  }
  for (let i = 0; i < nIn; i++) {
    xs[nOut + i] = 1 - correctlyRoundedCos(tIn[i]!);
    ys[nOut + i] = 1 - correctlyRoundedSin(tIn[i]!) - 0.5;
    labels[nOut + i] = 1;
  }
  return shuffleAndNoise(rng, xs, ys, labels, noise);
}

/** The Initialization notebook's load_dataset(): np.random.seed(1), 300 circles (noise .05); np.random.seed(2), 100 for test. */
export function loadCircles(): Required<CourseDataset> {
  const train = makeCircles(300, 0.05, new NumpyRandom(1));
  const test = makeCircles(100, 0.05, new NumpyRandom(2));
  return { trainX: train.X, trainY: train.Y, testX: test.X, testY: test.Y };
}

/** The Optimization notebook's load_dataset(): np.random.seed(3), 300 moons (noise .2); no test set. */
export function loadMoons(): CourseDataset {
  const train = makeMoons(300, 0.2, new NumpyRandom(3));
  return { trainX: train.X, trainY: train.Y };
}

/**
 * Where loadFootball looks by default: the project's shared data folder, ../shared/data/course2/ beside the repository.
 * Built at call time from parts, so that bundlers (Vite's `new URL(literal, import.meta.url)` asset handling) never
 * find and copy the non-redistributable file into a build.
 */
export function footballDefaultUrl(): URL {
  return new URL(['..', '..', '..', 'shared', 'data', 'course2', 'football.json'].join('/'), import.meta.url);
}

function rowsToMatrix(rows: unknown, name: string): DataMatrix {
  if (!Array.isArray(rows) || rows.length === 0 || !rows.every((r) => Array.isArray(r) && r.length === (rows[0] as unknown[]).length)) {
    throw new Error(`simdnet: football data: ${name} must be a non-empty list of equal-length rows`);
  }
  const flat = (rows as unknown[][]).flat();
  if (!flat.every((v) => typeof v === 'number' && Number.isFinite(v))) throw new Error(`simdnet: football data: ${name} holds a non-number`);
  return { data: Float64Array.from(flat as number[]), shape: [rows.length, (rows[0] as unknown[]).length] };
}

/**
 * The Regularization notebook's load_2D_dataset() (datasets/data.mat: X, y train; Xval, yval test), from the JSON
 * form in ../shared/data/course2/football.json ({ train_X, train_Y, test_X, test_Y } as (2, m) / (1, m) rows). Give a
 * path or URL to read another copy (Node), or the parsed JSON object itself (any runtime).
 */
export async function loadFootball(source: string | URL | Record<string, unknown> = footballDefaultUrl()): Promise<Required<CourseDataset>> {
  let json: Record<string, unknown>;
  if (typeof source === 'string' || source instanceof URL) {
    // Through the host (runtime/host.ts), so the browser entry reaches no node: module.
    let text: string;
    try {
      const url = source instanceof URL ? source : host().pathToUrl(source);
      text = new TextDecoder().decode(await host().readFile(url));
    } catch (e) {
      const where = source instanceof URL ? source.pathname : source;
      throw new Error(`simdnet: cannot read the football data '${where}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); it is not shipped with simdnet: pass the path of the Regularization notebook's data as JSON`);
    }
    json = JSON.parse(text) as Record<string, unknown>;
  } else {
    json = source;
  }
  const out = {
    trainX: rowsToMatrix(json.train_X, 'train_X'), trainY: rowsToMatrix(json.train_Y, 'train_Y'),
    testX: rowsToMatrix(json.test_X, 'test_X'), testY: rowsToMatrix(json.test_Y, 'test_Y'),
  };
  if (out.trainX.shape[1] !== out.trainY.shape[1] || out.testX.shape[1] !== out.testY.shape[1]) throw new Error('simdnet: football data: X and Y have different numbers of examples');
  return out;
}
