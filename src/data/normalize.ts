// Per-feature normalisers, fitted on training data and stored in the saved model.

/** How inputs are scaled before the first layer. */
export type NormalizeKind = 'none' | 'standardize' | 'minmax';

/** A fitted normaliser: x' = (x − shift[f]) / scale[f]. */
export interface Normalizer {
  kind: Exclude<NormalizeKind, 'none'>;
  shift: Float64Array;
  scale: Float64Array;
}

/** Throws unless kind is a known normaliser name. */
export function checkNormalizeKind(kind: unknown): NormalizeKind {
  if (kind === undefined) return 'none';
  if (kind !== 'none' && kind !== 'standardize' && kind !== 'minmax') {
    throw new Error(`simdnet: unknown normalize '${String(kind)}'; expected 'none', 'standardize' or 'minmax'`);
  }
  return kind;
}

/** Fits a normaliser on features-first data (rows = features); constant (or constant up to rounding) features get scale 1. */
export function fitNormalizer(kind: Exclude<NormalizeKind, 'none'>, data: Float64Array, rows: number, cols: number): Normalizer {
  const shift = new Float64Array(rows);
  const scale = new Float64Array(rows);
  for (let f = 0; f < rows; f++) {
    const row = data.subarray(f * cols, (f + 1) * cols);
    if (kind === 'standardize') {
      let mean = 0;
      for (const v of row) mean += v;
      mean /= cols;
      let variance = 0;
      for (const v of row) variance += (v - mean) ** 2;
      variance /= cols;
      shift[f] = mean;
      // A feature is constant when its variance is within the rounding error of computing it (sklearn's
      // _is_constant_feature bound): a column of 0.1s has a naive mean of 0.09999999999999859 and a
      // variance of ~1e-30, which must not become a scale of 1e-15.
      const roundingBound = cols * Number.EPSILON * variance + (cols * mean * Number.EPSILON) ** 2;
      scale[f] = variance > roundingBound ? Math.sqrt(variance) : 1;
    } else {
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of row) { if (v < lo) lo = v; if (v > hi) hi = v; }
      shift[f] = lo;
      scale[f] = hi > lo ? hi - lo : 1;
    }
  }
  return { kind, shift, scale };
}

/** Applies a normaliser in place to features-first data. */
export function applyNormalizer(n: Normalizer, data: Float64Array, rows: number, cols: number): void {
  if (n.shift.length !== rows) throw new Error(`simdnet: the normaliser expects ${n.shift.length} features, the data has ${rows}`);
  for (let f = 0; f < rows; f++) {
    const s = n.shift[f]!;
    const k = n.scale[f]!;
    for (let e = f * cols, end = e + cols; e < end; e++) data[e] = (data[e]! - s) / k;
  }
}
