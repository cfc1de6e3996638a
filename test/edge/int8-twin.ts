// The plain-TypeScript twin of assembly/int8.ts and of the int8 forward pass in assembly/model.ts, written
// from the formulas in their comments (not from the WASM code): f64 and f32 (Math.fround) arithmetic in the
// same order, so that every integer sum and every rounding is the same. Activations with transcendentals
// (sigmoid, tanh, softmax) use Math.exp here and AssemblyScript's own exp there: those agree to a few ulps.
import { roundEven, type ModelRecord } from '../../src/io/format.js';

const f = Math.fround;
export const Q_MAX = 32767;

/** Elements of a quantised row: k rounded up to 16. */
export const padded16 = (k: number): number => Math.ceil(k / 16) * 16;

/** max |x_i|, NaN skipped (m < a ? a : m). */
export function absMax(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]!);
    m = m < a ? a : m;
  }
  return m;
}

/** q = clamp(nearest(f32(x · f32(32767 / max|x|)))), NaN ↦ 0; d = max|x| / 32767 (0 for a zero row). */
export function quantize(x: ArrayLike<number>): { q: Int16Array; d: number } {
  const q = new Int16Array(padded16(x.length));
  const amax = absMax(x);
  if (!(amax > 0)) return { q, d: 0 };
  const inv = f(Q_MAX / amax);
  for (let i = 0; i < x.length; i++) {
    const r = roundEven(f(x[i]! * inv));
    q[i] = Number.isNaN(r) ? 0 : Math.max(-32767, Math.min(32767, r));
  }
  return { q, d: amax / 32767 };
}

/** y[r] = f32(Σ_j W[r,j]·q[j] · (scale[r] · d)) + b[r] in f32: the sum is an exact integer below 2^53. */
export function gemv(n: number, k: number, W: Int8Array, scale: Float32Array, b: Float32Array, q: Int16Array, d: number): Float32Array {
  const y = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    let sum = 0;
    for (let j = 0; j < k; j++) sum += W[r * k + j]! * q[j]!;
    y[r] = f(f(sum * (scale[r]! * d)) + b[r]!);
  }
  return y;
}

function activate(kind: string, z: Float32Array, slope: number): void {
  if (kind === 'softmax') {
    let mx = -Infinity;
    for (const v of z) mx = Math.max(mx, v);
    let sum = 0;
    for (let i = 0; i < z.length; i++) { z[i] = f(Math.exp(f(z[i]! - mx))); sum += z[i]!; }
    const inv = f(1 / sum);
    for (let i = 0; i < z.length; i++) z[i] = f(z[i]! * inv);
    return;
  }
  for (let i = 0; i < z.length; i++) {
    const v = z[i]!;
    z[i] = kind === 'relu' ? Math.max(v, 0) : kind === 'leakyRelu' ? (v > 0 ? v : f(v * slope))
      : kind === 'sigmoid' ? f(1 / (1 + Math.exp(-v))) : kind === 'tanh' ? f(Math.tanh(v)) : v;
  }
}

/** The int8 forward pass of a decoded version-2 record on row-major inputs (m × n0 f32); returns m × n_y. */
export function predictInt8(rec: ModelRecord, X: Float32Array, m: number): Float32Array {
  if (rec.quantized === undefined) throw new Error('not an int8 record');
  const n0 = rec.layers[0]!;
  const ny = rec.layers.at(-1)!;
  const out = new Float32Array(m * ny);
  const slope = f(rec.leakySlope);
  for (let e = 0; e < m; e++) {
    let a = Float32Array.from(X.subarray(e * n0, (e + 1) * n0));
    if (rec.normalizer) {
      const { shift, scale } = rec.normalizer;
      a = a.map((x, i) => f(f(x - shift[i]!) / scale[i]!));
    }
    for (let l = 0; l < rec.layers.length - 1; l++) {
      const n = rec.layers[l + 1]!;
      const k = rec.layers[l]!;
      const { q, d } = quantize(a);
      const z = gemv(n, k, rec.quantized[l]!.q, rec.quantized[l]!.scale, Float32Array.from(rec.weights[l]!.b), q, d);
      activate(rec.activations[l]!, z, slope);
      a = z;
    }
    out.set(a, e * ny);
  }
  return out;
}
