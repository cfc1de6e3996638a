// --plot: the cost curve and, for 2-D data, the decision boundary, as SVG (well-formed XML) or PNG.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { trainingPlotSvg, niceTicks } from '../../src/plot.js';
import { blobsCsv, runCli, tempDir } from './helpers.js';

const { dir, cleanup } = tempDir('plot');
afterAll(cleanup);

type Node = Record<string, unknown>;
/** Every element named `tag` anywhere under `node` (fast-xml-parser's object tree). */
function all(node: unknown, tag: string): Node[] {
  if (Array.isArray(node)) return node.flatMap((n) => all(n, tag));
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node as Node).flatMap(([k, v]) => {
    const here = k === tag ? (Array.isArray(v) ? v : [v]) as Node[] : [];
    return [...here, ...all(v, tag)];
  });
}
const byClass = (nodes: Node[], cls: string): Node[] => nodes.filter((n) => n['@_class'] === cls);

function parseSvg(text: string): Node {
  expect(XMLValidator.validate(text)).toBe(true);
  return new XMLParser({ ignoreAttributes: false }).parse(text) as Node;
}

describe('--plot', () => {
  it('train --plot x.svg draws the cost curve and the decision boundary with every point', async () => {
    const r = await runCli(['train', '--no-save', '--plot', 'planar.svg'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('plot written to planar.svg');
    const doc = parseSvg(readFileSync(join(dir, 'planar.svg'), 'utf8'));
    const svg = doc.svg as Node;
    expect(svg['@_xmlns']).toBe('http://www.w3.org/2000/svg');
    expect(svg['@_width']).toBe('960');
    const groups = all(doc, 'g');
    expect(byClass(groups, 'cost-panel')).toHaveLength(1);
    expect(byClass(groups, 'boundary-panel')).toHaveLength(1);
    const curve = byClass(all(doc, 'path'), 'cost-curve');
    expect(curve).toHaveLength(1);
    // One vertex per recorded cost: 10000 iterations, every 100.
    expect(String(curve[0]!['@_d']).match(/[ML]/g)).toHaveLength(100);
    const regions = byClass(groups, 'regions')[0]!;
    const rects = all(regions, 'rect');
    expect(rects.length).toBeGreaterThan(200);
    expect(new Set(rects.map((x) => x['@_fill'])).size).toBe(2);
    const points = all(byClass(groups, 'points')[0], 'circle');
    expect(points).toHaveLength(400);
    const titles = byClass(all(doc, 'text'), 'title').map((t) => t['#text']);
    expect(titles).toEqual(['Learning rate = 1.2', 'Decision boundary, hidden 4']);
  });

  it('a model with more than 2 inputs gets the cost curve only; evaluate --plot draws the boundary alone', async () => {
    writeFileSync(join(dir, 'three.csv'), 'a,b,c,y\n' + Array.from({ length: 30 }, (_, i) => `${i % 7},${i % 5},${i % 3},${i % 2}`).join('\n'));
    const r = await runCli(['train', '--data', 'three.csv', '--label', 'y', '--iterations', '50', '--no-save', '--plot', 'cost.svg', '-q'], dir);
    expect(r.code).toBe(0);
    const doc = parseSvg(readFileSync(join(dir, 'cost.svg'), 'utf8'));
    expect(byClass(all(doc, 'g'), 'boundary-panel')).toHaveLength(0);
    expect(byClass(all(doc, 'path'), 'cost-curve')).toHaveLength(1);

    writeFileSync(join(dir, 'blobs.csv'), blobsCsv([[-2, 0], [2, 0], [0, 3]], ['a', 'b', 'c'], 20));
    const t = await runCli(['train', '--data', 'blobs.csv', '--label', 'species', '--layers', '6', '--optimizer', 'adam', '--lr', '0.05',
      '--iterations', '200', '--save', 'b.snet', '-q'], dir);
    expect(t.code).toBe(0);
    const e = await runCli(['evaluate', '--model', 'b.snet', '--data', 'blobs.csv', '--plot', 'boundary.svg'], dir);
    expect(e.code).toBe(0);
    const bdoc = parseSvg(readFileSync(join(dir, 'boundary.svg'), 'utf8'));
    expect((bdoc.svg as Node)['@_width']).toBe('480');
    expect(new Set(all(byClass(all(bdoc, 'g'), 'regions')[0], 'rect').map((x) => x['@_fill'])).size).toBe(3);
    expect(all(byClass(all(bdoc, 'g'), 'legend')[0], 'text').map((x) => x['#text'])).toEqual(['a', 'b', 'c']);
  });

  it('train --plot x.png writes a PNG of the same picture (resvg-wasm)', async () => {
    const r = await runCli(['train', '--no-save', '--iterations', '1000', '--plot', 'planar.png', '-q'], dir);
    expect(r.code).toBe(0);
    const png = readFileSync(join(dir, 'planar.png'));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1440, 600]);
  });

  it('escapes text and picks round ticks', () => {
    const svg = trainingPlotSvg({ costs: [{ iteration: 0, cost: 1 }, { iteration: 10, cost: 0.5 }], title: 'a < b & "c"' });
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain('a &lt; b &amp; &quot;c&quot;');
    expect(niceTicks(0, 0.693)).toEqual([0, 0.2, 0.4, 0.6000000000000001]);
    expect(niceTicks(0, 9900)).toEqual([0, 2000, 4000, 6000, 8000]);
  });
});
