// Turns user data (rows of examples, or flat row-major matrices) into the features-first
// (features × examples) Float64Array layout the kernels use, validating shape and values.

/** A row-major matrix: `shape` is [rows, cols]. */
export interface MatrixLike {
  data: Float32Array | Float64Array | number[];
  shape: readonly [number, number] | number[];
}

/** Inputs: a row per example, or a row-major matrix (examples × features unless layout says otherwise). */
export type Inputs = number[][] | MatrixLike;
/** One label per example as a typed array (class indices or 0/1 targets). */
export type LabelArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;
/** Targets: one label per example (an array or a typed array), a row per example, or a row-major matrix. */
export type Targets = number[] | LabelArray | number[][] | MatrixLike;

/** How a matrix is laid out: 'examples-first' (m × n, the default) or the course's 'features-first' (n × m). */
export type Layout = 'examples-first' | 'features-first';

/** A features-first matrix ready to copy into WASM memory. */
export interface FeaturesFirst {
  /** (rows × cols) row-major: rows = features, cols = examples. */
  data: Float64Array;
  rows: number;
  cols: number;
}

function checkLayout(layout: unknown): Layout {
  if (layout === undefined) return 'examples-first';
  if (layout !== 'examples-first' && layout !== 'features-first') {
    throw new Error(`simdnet: unknown layout '${String(layout)}'; expected 'examples-first' or 'features-first'`);
  }
  return layout;
}

function isMatrixLike(x: unknown): x is MatrixLike {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && 'data' in x && 'shape' in x;
}

/** The largest finite float32, for nets whose memory holds float32. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Reads a matrix in the given layout and returns it features-first; `what` names it in errors.
 * With `limit`, values beyond ±limit are rejected too (FLOAT32_MAX for a float32 network: they would overflow).
 */
export function toFeaturesFirst(x: unknown, what: string, layoutOption?: unknown, limit = Infinity): FeaturesFirst {
  const layout = checkLayout(layoutOption);
  let m: number;
  let n: number;
  let get: (example: number, feature: number) => unknown;
  if (Array.isArray(x)) {
    if (x.length === 0) throw new Error(`simdnet: ${what} is empty`);
    if (!Array.isArray(x[0])) throw new Error(`simdnet: ${what} must be an array of rows (number[][]) or { data, shape }`);
    const outer = x.length;
    const inner = (x[0] as unknown[]).length;
    if (inner === 0) throw new Error(`simdnet: ${what} row 0 is empty`);
    x.forEach((row, i) => {
      if (!Array.isArray(row)) throw new Error(`simdnet: ${what} row ${i} is not an array`);
      if (row.length !== inner) throw new Error(`simdnet: ${what} is ragged: row ${i} has ${row.length} values, row 0 has ${inner}`);
    });
    const rows = x as unknown[][];
    if (layout === 'examples-first') {
      m = outer; n = inner; get = (e, f) => rows[e]![f];
    } else {
      n = outer; m = inner; get = (e, f) => rows[f]![e];
    }
  } else if (isMatrixLike(x) && (x.data instanceof Float32Array || x.data instanceof Float64Array) && validShape(x.shape) && x.data.length === x.shape[0]! * x.shape[1]!) {
    return typedFeaturesFirst(x.data, x.shape[0]!, x.shape[1]!, layout, what, limit);
  } else if (isMatrixLike(x)) {
    const shape = x.shape;
    if (!Array.isArray(shape)) throw new Error(`simdnet: ${what}.shape must be [rows, cols]`);
    if (shape.length !== 2 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new Error(`simdnet: ${what}.shape must be two positive integers, got [${Array.from(shape).join(', ')}]`);
    }
    const [r, c] = shape as [number, number];
    if (!(x.data instanceof Float32Array || x.data instanceof Float64Array || Array.isArray(x.data))) {
      throw new Error(`simdnet: ${what}.data must be a Float32Array, Float64Array or number[]`);
    }
    if (x.data.length !== r * c) throw new Error(`simdnet: ${what}.data has ${x.data.length} values but shape [${r}, ${c}] needs ${r * c}`);
    const data = x.data;
    if (layout === 'examples-first') {
      m = r; n = c; get = (e, f) => data[e * c + f];
    } else {
      n = r; m = c; get = (e, f) => data[f * c + e];
    }
  } else {
    throw new Error(`simdnet: ${what} must be number[][] or { data, shape }`);
  }
  const out = new Float64Array(n * m);
  for (let e = 0; e < m; e++) {
    for (let f = 0; f < n; f++) {
      const v = get(e, f);
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new Error(`simdnet: ${what} example ${e} feature ${f} is ${typeof v === 'number' ? String(v) : typeof v}; values must be finite numbers`);
      }
      if (Math.abs(v) > limit) {
        throw new Error(`simdnet: ${what} example ${e} feature ${f} is ${v}, beyond the float32 range (±3.4e38) of this network; rescale the data or use dtype 'float64'`);
      }
      out[f * m + e] = v;
    }
  }
  return { data: out, rows: n, cols: m };
}

function validShape(shape: unknown): shape is [number, number] {
  return Array.isArray(shape) && shape.length === 2 && shape.every((d) => Number.isInteger(d) && d > 0);
}

/** The message of a value that is not finite or beyond ±limit (the same words as the general path). */
function badValue(what: string, e: number, f: number, v: number): Error {
  if (!Number.isFinite(v)) return new Error(`simdnet: ${what} example ${e} feature ${f} is ${String(v)}; values must be finite numbers`);
  return new Error(`simdnet: ${what} example ${e} feature ${f} is ${v}, beyond the float32 range (±3.4e38) of this network; rescale the data or use dtype 'float64'`);
}

/**
 * The fast path of toFeaturesFirst for typed arrays: a checked copy, or a checked transpose, without the
 * per-element closure of the general path.
 */
function typedFeaturesFirst(src: Float32Array | Float64Array, r: number, c: number, layout: Layout, what: string, limit: number): FeaturesFirst {
  const out = new Float64Array(r * c);
  if (layout === 'features-first') {
    for (let q = 0; q < src.length; q++) {
      const v = src[q]!;
      // v − v is NaN for ±Infinity and NaN.
      if (v - v !== 0 || v > limit || v < -limit) throw badValue(what, q % c, Math.floor(q / c), v);
      out[q] = v;
    }
    return { data: out, rows: r, cols: c };
  }
  const m = r, n = c;
  // Feature-major: the writes are sequential and the strided reads hit every cache line n times in a row
  // of 209-wide data less often than the other order's strided writes (measured: 12 vs 26 ms on the cat set).
  for (let f = 0; f < n; f++) {
    const o = f * m;
    for (let e = 0; e < m; e++) {
      const v = src[e * n + f]!;
      if (v - v !== 0 || v > limit || v < -limit) throw badValue(what, e, f, v);
      out[o + e] = v;
    }
  }
  return { data: out, rows: n, cols: m };
}

/** Reads targets for `m` examples and `outputs` units (features-first); labels become one-hot for softmax. */
export function toTargets(y: unknown, m: number, outputs: number, oneHot: boolean, layoutOption?: unknown, limit = Infinity): FeaturesFirst {
  if (ArrayBuffer.isView(y) && !(y instanceof DataView) && !(typeof BigInt64Array !== 'undefined' && (y instanceof BigInt64Array || y instanceof BigUint64Array))) {
    y = Array.from(y as unknown as ArrayLike<number>);
  }
  if (Array.isArray(y) && (y.length === 0 || !Array.isArray(y[0]))) {
    if (y.length !== m) throw new Error(`simdnet: Y has ${y.length} labels but X has ${m} examples`);
    const out = new Float64Array(outputs * m);
    y.forEach((label, e) => {
      if (typeof label !== 'number' || !Number.isFinite(label)) throw new Error(`simdnet: Y label ${e} is ${String(label)}; labels must be finite numbers`);
      if (Math.abs(label) > limit) throw new Error(`simdnet: Y label ${e} is ${label}, beyond the float32 range (±3.4e38) of this network`);
      if (oneHot) {
        if (!Number.isInteger(label) || label < 0 || label >= outputs) {
          throw new Error(`simdnet: Y label ${e} is ${label}; class labels must be integers in 0..${outputs - 1}`);
        }
        out[label * m + e] = 1;
      } else {
        if (outputs !== 1) throw new Error(`simdnet: plain labels need one output unit, the network has ${outputs}; pass one row of ${outputs} targets per example`);
        out[e] = label;
      }
    });
    return { data: out, rows: outputs, cols: m };
  }
  const t = toFeaturesFirst(y, 'Y', layoutOption, limit);
  if (t.cols !== m) throw new Error(`simdnet: Y has ${t.cols} examples but X has ${m}`);
  if (t.rows !== outputs) throw new Error(`simdnet: Y has ${t.rows} values per example but the network has ${outputs} outputs`);
  return t;
}

/** Returns the (m × cols) examples-first copy of a features-first matrix. */
export function toExamplesFirst(data: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  return out;
}
