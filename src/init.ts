// Weight initialisers, drawing W row-major in (n_l, n_{l-1}) order, layer after layer, as the course does.
import type { Random } from './rng.js';

/** The named weight initialisers: the first course's and the second course's. */
export type InitName = 'zeros' | 'small' | 'course' | 'he' | 'xavier';

/**
 * A weight initialiser: a name, or `{ scale: s }` for W = randn·s (the second course's Initialization notebook
 * "random" init is `{ scale: 10 }` with `rng: 'numpy', seed: 3`). Biases always start at 0.
 */
export type InitKind = InitName | { scale: number };

const NAMES: readonly InitName[] = ['zeros', 'small', 'course', 'he', 'xavier'];

/** Throws unless kind is a known initialiser name or `{ scale }` with a finite scale. Returns it (a copy for objects). */
export function checkInit(kind: unknown): InitKind {
  if (typeof kind === 'object' && kind !== null && !Array.isArray(kind)) {
    const keys = Object.keys(kind);
    const unknown = keys.find((k) => k !== 'scale');
    if (unknown !== undefined) throw new Error(`simdnet: unknown init option '${unknown}'; expected { scale: number }`);
    const scale = (kind as { scale?: unknown }).scale;
    if (typeof scale !== 'number' || !Number.isFinite(scale)) throw new Error(`simdnet: init.scale must be a finite number, got ${String(scale)}`);
    return { scale };
  }
  if (typeof kind !== 'string' || !(NAMES as readonly string[]).includes(kind)) {
    throw new Error(`simdnet: unknown init '${String(kind)}'; expected one of ${NAMES.join(', ')} or { scale: number }`);
  }
  return kind as InitName;
}

/**
 * Fills W (rows = n_l, cols = n_{l-1}) the way the notebooks write it, so numpy's rounding is reproduced:
 * zeros; small = randn·0.01; course = randn / √n_prev; he = randn·√(2/n_prev); xavier = randn·√(1/n_prev);
 * { scale: s } = randn·s.
 */
export function initWeights(kind: InitKind, rng: Random, rows: number, cols: number): Float64Array {
  const w = new Float64Array(rows * cols);
  if (kind === 'zeros') return w;
  rng.randnFill(w);
  if (typeof kind === 'object') {
    for (let q = 0; q < w.length; q++) w[q] = w[q]! * kind.scale;
    return w;
  }
  const sqrtPrev = Math.sqrt(cols);
  const he = Math.sqrt(2 / cols);
  const xavier = Math.sqrt(1 / cols);
  for (let q = 0; q < w.length; q++) {
    const r = w[q]!;
    w[q] = kind === 'small' ? r * 0.01 : kind === 'course' ? r / sqrtPrev : kind === 'he' ? r * he : r * xavier;
  }
  return w;
}
