// A 10-class digits-like data set, generated deterministically (no download): 28×28 grey images of the digits
// 0–9 drawn as seven-segment strokes (plus a diagonal for 1, 4 and 7 so no two glyphs coincide), each with a
// random affine jitter (rotation ±20°, scale 0.85–1.15, shift ±3.5 px), a random stroke width (1.2–2.4 px),
// pixel noise N(0, 0.3²) and a few stray dots, clipped to [0, 1]. Row-major pixels, one row per example.
// Used by the int8 accuracy test (test/edge/int8-accuracy.test.ts); a [784, 128, 64, 10] relu net gets ≈ 95–98 %.
import { rng } from './helpers.js';

type Seg = [number, number, number, number];
// Segment end points on a 0..1 × 0..1 box (x right, y down): a top, b upper right, c lower right, d bottom,
// e lower left, f upper left, g middle; plus diagonals.
const A: Seg = [0, 0, 1, 0], B: Seg = [1, 0, 1, 0.5], C: Seg = [1, 0.5, 1, 1], D: Seg = [0, 1, 1, 1];
const E: Seg = [0, 0.5, 0, 1], F: Seg = [0, 0, 0, 0.5], G: Seg = [0, 0.5, 1, 0.5];
const GLYPHS: Seg[][] = [
  [A, B, C, D, E, F], [B, C, [0.4, 0.2, 1, 0]], [A, B, G, E, D], [A, B, G, C, D], [F, G, B, C, [0, 0.5, 0.6, 0]],
  [A, F, G, C, D], [A, F, G, E, C, D], [A, B, [1, 0, 0.4, 1]], [A, B, C, D, E, F, G], [A, B, F, G, C, D],
];

/** m examples: X row-major m × 784 in [0, 1], labels 0..9 (balanced, in a shuffled order). */
export function digits(m: number, seed: number): { X: Float32Array; labels: number[] } {
  const r = rng(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const X = new Float32Array(m * 784);
  const labels: number[] = [];
  for (let e = 0; e < m; e++) {
    const label = (e * 7 + Math.floor(r() * 10)) % 10;
    labels.push(label);
    const angle = (r() - 0.5) * (40 * Math.PI / 180);
    const scale = 0.85 + r() * 0.3;
    const dx = (r() - 0.5) * 7, dy = (r() - 0.5) * 7;
    const width = 1.2 + r() * 1.2;
    const cos = Math.cos(angle) * scale, sin = Math.sin(angle) * scale;
    // Glyph box 10 × 16 px centred at (14, 14), then rotated, scaled and shifted.
    const place = (x: number, y: number): [number, number] => {
      const u = (x - 0.5) * 10, v = (y - 0.5) * 16;
      return [14 + dx + cos * u - sin * v, 14 + dy + sin * u + cos * v];
    };
    const segs = GLYPHS[label]!.map(([x0, y0, x1, y1]) => [...place(x0, y0), ...place(x1, y1)] as Seg);
    const img = X.subarray(e * 784, (e + 1) * 784);
    for (let py = 0; py < 28; py++) {
      for (let px = 0; px < 28; px++) {
        let dist = Infinity;
        for (const [x0, y0, x1, y1] of segs) {
          const vx = x1 - x0, vy = y1 - y0;
          const t = Math.max(0, Math.min(1, ((px - x0) * vx + (py - y0) * vy) / (vx * vx + vy * vy)));
          const ex = px - x0 - t * vx, ey = py - y0 - t * vy;
          dist = Math.min(dist, ex * ex + ey * ey);
        }
        const ink = Math.max(0, Math.min(1, width - Math.sqrt(dist) + 0.5));
        img[py * 28 + px] = Math.max(0, Math.min(1, ink + 0.3 * gauss()));
      }
    }
    for (let s = 0; s < 3; s++) img[Math.floor(r() * 784)] = r();
  }
  return { X, labels };
}
