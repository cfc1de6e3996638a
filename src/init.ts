// Weight initialisers, drawing W row-major in (n_l, n_{l-1}) order, layer after layer, as the course does.
import type { Random } from './rng.js';

/** Weight initialisers: the course's and the second course's. */
export type InitKind = 'zeros' | 'small' | 'course' | 'he' | 'xavier';

const KINDS: readonly InitKind[] = ['zeros', 'small', 'course', 'he', 'xavier'];

/** Throws unless kind is a known initialiser. */
export function checkInit(kind: unknown): InitKind {
  if (typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind)) {
    throw new Error(`simdnet: unknown init '${String(kind)}'; expected one of ${KINDS.join(', ')}`);
  }
  return kind as InitKind;
}

/**
 * Fills W (rows = n_l, cols = n_{l-1}) the way the notebooks write it, so numpy's rounding is reproduced:
 * zeros; small = randn·0.01; course = randn / √n_prev; he = randn·√(2/n_prev); xavier = randn·√(1/n_prev).
 */
export function initWeights(kind: InitKind, rng: Random, rows: number, cols: number): Float64Array {
  const w = new Float64Array(rows * cols);
  if (kind === 'zeros') return w;
  rng.randnFill(w);
  const sqrtPrev = Math.sqrt(cols);
  const he = Math.sqrt(2 / cols);
  const xavier = Math.sqrt(1 / cols);
  for (let q = 0; q < w.length; q++) {
    const r = w[q]!;
    w[q] = kind === 'small' ? r * 0.01 : kind === 'course' ? r / sqrtPrev : kind === 'he' ? r * he : r * xavier;
  }
  return w;
}
