/**
 * The course's two pictures as standalone SVG: the cost curve of a training run, and, for
 * two-feature data, the decision boundary (filled class regions over a grid) with the points.
 * Pure string building with no DOM and no node: modules, so it runs in Node and browsers.
 */

/** One recorded cost. */
export interface CostPoint {
  iteration: number;
  cost: number;
}

/** A grid of predicted classes over a rectangle of the (x1, x2) plane, row 0 at the bottom (x2 = y0). */
export interface BoundaryGrid {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  /** Cells across and up. */
  nx: number;
  ny: number;
  /** Predicted class of each cell, row-major from the bottom row: classes[row * nx + col]. */
  classes: ArrayLike<number>;
}

/** The data points: features-first coordinates and a class per point. */
export interface PlotPoints {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  classes: ArrayLike<number>;
}

/** What trainingPlotSvg draws. */
export interface TrainingPlot {
  /** The cost history; null draws the decision boundary alone. */
  costs: readonly CostPoint[] | null;
  /** Title of the cost panel (default "Cost"); the course writes the learning rate here. */
  title?: string;
  /** Decision-boundary panel, drawn beside the cost curve when given. */
  boundary?: { grid: BoundaryGrid; points: PlotPoints; title?: string; labels?: readonly string[] };
}

/** Class colours, from ColorBrewer's Spectral scheme as in the course's matplotlib plots (red, blue first). */
export const CLASS_COLORS = ['#d53e4f', '#3288bd', '#66c2a5', '#fdae61', '#5e4fa2', '#f46d43', '#abdda4', '#fee08b', '#9e0142', '#e6f598'];

const PANEL_W = 480;
const PANEL_H = 400;
const MARGIN = { left: 64, right: 20, top: 36, bottom: 52 };

/** Escapes text for XML character data and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** A class colour mixed with white (alpha of the colour), for the filled regions: opaque, so touching cells never darken. */
function tint(hex: string, alpha: number): string {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `#${c.map((v) => Math.round(255 - (255 - v) * alpha).toString(16).padStart(2, '0')).join('')}`;
}

/** A number written compactly for coordinates. */
const f = (v: number): string => (Math.round(v * 100) / 100).toString();

/** About `count` "nice" tick values (1, 2, 5 × 10^k steps) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/** A tick label with no floating-point noise (0.30000000000000004 → 0.3). */
function tickLabel(v: number): string {
  const s = Number(v.toPrecision(6)).toString();
  return Math.abs(v) >= 1e5 ? v.toExponential(0) : s;
}

interface Frame {
  sx: (v: number) => number;
  sy: (v: number) => number;
  svg: string[];
}

/** Axes, ticks, labels and title of one panel at (ox, 0); returns scales into the plot area. */
function frame(ox: number, xr: [number, number], yr: [number, number], title: string, xlabel: string, ylabel: string): Frame {
  const w = PANEL_W - MARGIN.left - MARGIN.right;
  const h = PANEL_H - MARGIN.top - MARGIN.bottom;
  const left = ox + MARGIN.left;
  const top = MARGIN.top;
  const sx = (v: number): number => left + ((v - xr[0]) / (xr[1] - xr[0] || 1)) * w;
  const sy = (v: number): number => top + h - ((v - yr[0]) / (yr[1] - yr[0] || 1)) * h;
  const svg: string[] = [];
  svg.push(`<rect class="plot-area" x="${f(left)}" y="${f(top)}" width="${f(w)}" height="${f(h)}" fill="#ffffff" stroke="#444" stroke-width="1"/>`);
  const ticks: string[] = [];
  for (const t of niceTicks(xr[0], xr[1])) {
    const x = sx(t);
    ticks.push(`<line x1="${f(x)}" y1="${f(top + h)}" x2="${f(x)}" y2="${f(top + h + 5)}" stroke="#444"/>`);
    ticks.push(`<text x="${f(x)}" y="${f(top + h + 18)}" text-anchor="middle">${tickLabel(t)}</text>`);
  }
  for (const t of niceTicks(yr[0], yr[1])) {
    const y = sy(t);
    ticks.push(`<line x1="${f(left - 5)}" y1="${f(y)}" x2="${f(left)}" y2="${f(y)}" stroke="#444"/>`);
    ticks.push(`<text x="${f(left - 8)}" y="${f(y + 4)}" text-anchor="end">${tickLabel(t)}</text>`);
  }
  const labels = [
    `<text class="title" x="${f(left + w / 2)}" y="${f(top - 14)}" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
    `<text class="xlabel" x="${f(left + w / 2)}" y="${f(PANEL_H - 12)}" text-anchor="middle">${escapeXml(xlabel)}</text>`,
    `<text class="ylabel" transform="translate(${f(ox + 16)} ${f(top + h / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(ylabel)}</text>`,
  ];
  return { sx, sy, svg: [...svg, `<g class="ticks" font-size="11" fill="#222">${ticks.join('')}</g>`, ...labels] };
}

/** The cost-curve panel's elements, at horizontal offset ox. */
function costPanel(costs: readonly CostPoint[], title: string, ox: number): string {
  const finite = costs.filter((c) => Number.isFinite(c.cost));
  const xs = finite.map((c) => c.iteration);
  const ys = finite.map((c) => c.cost);
  const xr: [number, number] = xs.length > 0 ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  if (xr[1] === xr[0]) xr[1] = xr[0] + 1;
  const yMax = ys.length > 0 ? Math.max(...ys) : 1;
  const yMin = ys.length > 0 ? Math.min(0, Math.min(...ys)) : 0;
  const yr: [number, number] = [yMin, yMax > yMin ? yMax * 1.05 : yMin + 1];
  const fr = frame(ox, xr, yr, title, 'iteration', 'cost');
  const d = finite.map((c, i) => `${i === 0 ? 'M' : 'L'}${f(fr.sx(c.iteration))},${f(fr.sy(c.cost))}`).join('');
  const line = d === '' ? '' : `<path class="cost-curve" d="${d}" fill="none" stroke="#1f77b4" stroke-width="2"/>`;
  return `<g class="cost-panel">${fr.svg.join('')}${line}</g>`;
}

/** The decision-boundary panel's elements: class regions as run-length rectangles per grid row, then the points. */
function boundaryPanel(b: NonNullable<TrainingPlot['boundary']>, ox: number): string {
  const { grid, points } = b;
  const fr = frame(ox, [grid.x0, grid.x1], [grid.y0, grid.y1], b.title ?? 'Decision boundary', 'x1', 'x2');
  const cw = (grid.x1 - grid.x0) / grid.nx;
  const ch = (grid.y1 - grid.y0) / grid.ny;
  const rects: string[] = [];
  for (let row = 0; row < grid.ny; row++) {
    let start = 0;
    for (let col = 1; col <= grid.nx; col++) {
      const cls = grid.classes[row * grid.nx + start]!;
      if (col < grid.nx && grid.classes[row * grid.nx + col] === cls) continue;
      const x = fr.sx(grid.x0 + start * cw);
      const y = fr.sy(grid.y0 + (row + 1) * ch);
      const w = fr.sx(grid.x0 + col * cw) - x;
      const h = fr.sy(grid.y0 + row * ch) - y;
      rects.push(`<rect x="${f(x)}" y="${f(y)}" width="${f(w + 0.3)}" height="${f(h + 0.3)}" fill="${tint(CLASS_COLORS[cls % CLASS_COLORS.length]!, 0.4)}"/>`);
      start = col;
    }
  }
  const dots: string[] = [];
  for (let i = 0; i < points.classes.length; i++) {
    const x = points.x[i]!;
    const y = points.y[i]!;
    if (x < grid.x0 || x > grid.x1 || y < grid.y0 || y > grid.y1) continue;
    const cls = points.classes[i]!;
    dots.push(`<circle cx="${f(fr.sx(x))}" cy="${f(fr.sy(y))}" r="3.5" fill="${CLASS_COLORS[cls % CLASS_COLORS.length]}"/>`);
  }
  const classCount = Math.max(0, ...Array.from(points.classes)) + 1;
  const longest = Math.max(4, ...Array.from({ length: classCount }, (_, c) => (b.labels?.[c] ?? `class ${c}`).length));
  const legendW = Math.min(180, 22 + 7 * longest);
  const legendX = ox + PANEL_W - MARGIN.right - legendW - 4;
  const legendBox = `<rect x="${f(legendX)}" y="${f(MARGIN.top + 2)}" width="${legendW}" height="${f(classCount * 16 + 4)}" fill="#ffffff" fill-opacity="0.85" stroke="#999" stroke-width="0.5"/>`;
  const legend = legendBox + Array.from({ length: classCount }, (_, c) => {
    const name = b.labels?.[c] ?? `class ${c}`;
    const y = MARGIN.top + 12 + c * 16;
    const x = legendX + 8;
    return `<circle cx="${f(x)}" cy="${f(y - 4)}" r="4" fill="${CLASS_COLORS[c % CLASS_COLORS.length]}" stroke="#222" stroke-width="0.6"/>`
      + `<text x="${f(x + 8)}" y="${f(y)}" font-size="11">${escapeXml(name)}</text>`;
  }).join('');
  const [area, ticks, ...labels] = fr.svg;
  return `<g class="boundary-panel">${area}`
    + `<g class="regions" shape-rendering="crispEdges">${rects.join('')}</g>`
    + `<g class="points" stroke="#222" stroke-width="0.6">${dots.join('')}</g>`
    + `<rect x="${f(fr.sx(grid.x0))}" y="${f(fr.sy(grid.y1))}" width="${f(fr.sx(grid.x1) - fr.sx(grid.x0))}" height="${f(fr.sy(grid.y0) - fr.sy(grid.y1))}" fill="none" stroke="#444"/>`
    + `${ticks}${labels.join('')}<g class="legend">${legend}</g></g>`;
}

/** The whole picture: the cost curve, and the decision boundary beside it when given. */
export function trainingPlotSvg(plot: TrainingPlot): string {
  const panels = plot.costs === null ? [] : [costPanel(plot.costs, plot.title ?? 'Cost', 0)];
  if (plot.boundary !== undefined) panels.push(boundaryPanel(plot.boundary, PANEL_W * panels.length));
  if (panels.length === 0) throw new Error('simdnet: trainingPlotSvg needs costs or a boundary');
  const width = PANEL_W * panels.length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n`
    + `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${PANEL_H}" viewBox="0 0 ${width} ${PANEL_H}" font-family="DejaVu Sans, Arial, Helvetica, sans-serif" font-size="13">`
    + `<rect width="100%" height="100%" fill="#ffffff"/>${panels.join('')}</svg>\n`;
}

/**
 * The course's plotting grid around 2-D points: the bounding box widened by `pad` (the course
 * uses 1) on each side, split into `cells` × `cells` cells. Returns the grid (without classes)
 * and the cell centres, examples-first (m × 2), ready for a network's predict.
 */
export function boundaryGrid(x: ArrayLike<number>, y: ArrayLike<number>, cells = 200, pad = 1):
  { grid: Omit<BoundaryGrid, 'classes'>; centres: { data: Float64Array; shape: [number, number] } } {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < x.length; i++) {
    x0 = Math.min(x0, x[i]!); x1 = Math.max(x1, x[i]!);
    y0 = Math.min(y0, y[i]!); y1 = Math.max(y1, y[i]!);
  }
  if (!Number.isFinite(x0)) { x0 = y0 = 0; x1 = y1 = 1; }
  const grid = { x0: x0 - pad, x1: x1 + pad, y0: y0 - pad, y1: y1 + pad, nx: cells, ny: cells };
  const data = new Float64Array(cells * cells * 2);
  const cw = (grid.x1 - grid.x0) / cells;
  const ch = (grid.y1 - grid.y0) / cells;
  for (let row = 0; row < cells; row++) {
    for (let col = 0; col < cells; col++) {
      const i = row * cells + col;
      data[2 * i] = grid.x0 + (col + 0.5) * cw;
      data[2 * i + 1] = grid.y0 + (row + 0.5) * ch;
    }
  }
  return { grid, centres: { data, shape: [cells * cells, 2] } };
}
