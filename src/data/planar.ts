/**
 * The "planar flower" data set of deeplearning.ai Course 1, week 3
 * (`load_planar_dataset()`), regenerated from numpy's legacy random stream.
 */
import { NumpyRandom, correctlyRoundedCos, correctlyRoundedSin } from '../rng.js';

/** A dense row-major matrix; the course's layout puts features in rows, examples in columns. */
export interface DataMatrix {
  data: Float64Array;
  shape: [rows: number, cols: number];
}

/** The flower data: X is (2, 400) with row 0 = x1 of every point, Y is (1, 400) of 0/1 labels. */
export interface PlanarDataset {
  X: DataMatrix;
  Y: DataMatrix;
}

/** numpy's seed in the course's generator. */
const SEED = 1;
/** Points per class (the course's N); m = 2N points in all. */
const POINTS_PER_CLASS = 200;
/** Petal length (the course's `a`). */
const PETAL_RADIUS = 4;
/** Standard deviation of the noise added to the angle and the radius. */
const NOISE = 0.2;
/** Angle span of each class's petals. */
const CLASS_ANGLE_SPAN = 3.12;
const NUM_CLASSES = 2;

/**
 * `np.linspace(start, stop, num)` with numpy's arithmetic: `start + i*step`
 * with step = (stop - start)/(num - 1), and the last element set to `stop`.
 */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  if (num === 0) return out;
  if (num === 1) {
    out[0] = start;
    return out;
  }
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

/** Generates the course's 400-point, 2-class planar flower data set (same numbers as numpy's). */
export function loadPlanarDataset(): PlanarDataset {
  const rng = new NumpyRandom(SEED);
  const m = NUM_CLASSES * POINTS_PER_CLASS;
  const X = new Float64Array(2 * m);
  const Y = new Float64Array(m);
  const angleNoise = new Float64Array(POINTS_PER_CLASS);
  const radiusNoise = new Float64Array(POINTS_PER_CLASS);
  for (let label = 0; label < NUM_CLASSES; label++) {
    const baseAngles = linspace(label * CLASS_ANGLE_SPAN, (label + 1) * CLASS_ANGLE_SPAN, POINTS_PER_CLASS);
    // numpy draws all angle noise for the class, then all radius noise.
    rng.randnFill(angleNoise);
    rng.randnFill(radiusNoise);
    for (let i = 0; i < POINTS_PER_CLASS; i++) {
      const t = baseAngles[i]! + angleNoise[i]! * NOISE;
      // Correctly rounded sin/cos, not Math's: they agree with the glibc
      // functions numpy calls on all but a rare argument (see rng.ts).
      const r = PETAL_RADIUS * correctlyRoundedSin(4 * t) + radiusNoise[i]! * NOISE;
      const column = label * POINTS_PER_CLASS + i;
      X[column] = r * correctlyRoundedSin(t);
      X[m + column] = r * correctlyRoundedCos(t);
      Y[column] = label;
    }
  }
  return {
    X: { data: X, shape: [2, m] },
    Y: { data: Y, shape: [1, m] },
  };
}
