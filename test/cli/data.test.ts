// CSV and HDF5 data through train, then predict / evaluate / info on the saved model.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobsCsv, runCli, tempDir } from './helpers.js';

const { dir, cleanup } = tempDir('data');
afterAll(cleanup);

const CENTRES: [number, number][] = [[-2, -2], [2, -2], [0, 2.5]];
const NAMES = ['setosa', 'versicolor', 'virginica'];

describe('CSV data', () => {
  beforeAll(() => {
    writeFileSync(join(dir, 'train.csv'), blobsCsv(CENTRES, NAMES, 60, 1));
    writeFileSync(join(dir, 'test.csv'), blobsCsv(CENTRES, NAMES, 20, 2));
    writeFileSync(join(dir, 'unlabelled.csv'), blobsCsv(CENTRES, NAMES, 5, 3, false));
    // Columns in another order, an extra column, quoted header: features are picked by name.
    const rows = blobsCsv(CENTRES, NAMES, 5, 3).trim().split('\n').slice(1).map((l) => l.split(','));
    writeFileSync(join(dir, 'shuffled.csv'), `"species",id,x2,x1\n${rows.map((r, i) => `${r[2]},${i},${r[1]},${r[0]}`).join('\n')}\n`);
  });

  it('trains a softmax classifier on named classes with --label and --test', async () => {
    const r = await runCli(['train', '--data', 'train.csv', '--label', 'species', '--test', 'test.csv', '--layers', '8', '--hidden', 'tanh',
      '--optimizer', 'adam', '--lr', '0.02', '--iterations', '400', '--normalize', 'standardize', '--save', 'blobs.snet', '--json', '-q'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { train: { accuracy: number }; test: { accuracy: number }; layers: number[] };
    expect(out.layers).toEqual([2, 8, 3]);
    expect(out.train.accuracy).toBeGreaterThan(0.95);
    expect(out.test.accuracy).toBeGreaterThan(0.9);
  });

  it('info describes the saved model', async () => {
    const r = await runCli(['info', 'blobs.snet'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('layers      2 → 8 (tanh) → 3 (softmax)');
    expect(r.stdout).toContain('labels      setosa, versicolor, virginica');
    expect(r.stdout).toContain('normalize   standardize');
    expect(r.stdout).toMatch(/data +csv, label column "species", features x1, x2/);
    const j = await runCli(['info', '--model', 'blobs.snet', '--json'], dir);
    expect(JSON.parse(j.stdout)).toMatchObject({ layers: [2, 8, 3], parameters: 2 * 8 + 8 + 8 * 3 + 3, labels: NAMES, loss: 'crossEntropy' });
  });

  it('predict prints a class and class probabilities per row, as CSV or JSON', async () => {
    const r = await runCli(['predict', '--model', 'blobs.snet', '--data', 'unlabelled.csv'], dir);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('prediction,p(setosa),p(versicolor),p(virginica)');
    expect(lines).toHaveLength(16);
    // blobsCsv cycles through the classes row by row.
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(Array.from({ length: 15 }, (_, i) => NAMES[i % 3]));
    for (const l of lines.slice(1)) expect(l.split(',').slice(1).map(Number).reduce((a, b) => a + b)).toBeCloseTo(1, 4);
    const j = await runCli(['predict', '--model', 'blobs.snet', '--data', 'shuffled.csv', '--json'], dir);
    expect(j.code).toBe(0);
    const out = JSON.parse(j.stdout) as { predictions: string[]; probabilities: number[][]; labels: string[] };
    expect(out.predictions).toEqual(Array.from({ length: 15 }, (_, i) => NAMES[i % 3]));
    expect(out.probabilities[0]).toHaveLength(3);
  });

  it('evaluate reports accuracy and the confusion matrix, remembering the label column', async () => {
    const r = await runCli(['evaluate', '--model', 'blobs.snet', '--data', 'test.csv'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^examples +60$/m);
    expect(Number(/accuracy +([\d.]+) %/.exec(r.stdout)?.[1])).toBeGreaterThan(90);
    expect(r.stdout).toMatch(/^setosa +\d+ +\d+ +\d+$/m);
    const j = await runCli(['evaluate', 'blobs.snet', '--data', 'shuffled.csv', '--label', 'species', '--json'], dir);
    const out = JSON.parse(j.stdout) as { accuracy: number; confusion: number[][]; examples: number };
    expect(out.examples).toBe(15);
    expect(out.confusion.flat().reduce((a, b) => a + b)).toBe(15);
  });

  it('two numeric classes give one sigmoid unit; --output linear does regression', async () => {
    writeFileSync(join(dir, 'two.csv'), blobsCsv([[-2, 0], [2, 0]], ['0', '1'], 40, 4));
    const r = await runCli(['train', '--data', 'two.csv', '--label', '2', '--layers', 'none', '--lr', '0.5', '--iterations', '300',
      '--save', 'two.snet', '--json', '-q'], dir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ layers: [2, 1], train: { accuracy: 1 } });
    const lin = await runCli(['train', '--data', 'two.csv', '--label', 'species', '--output', 'linear', '--layers', '4', '--hidden', 'tanh',
      '--lr', '0.1', '--iterations', '300', '--save', 'lin.snet', '--json', '-q'], dir);
    expect(lin.code).toBe(0);
    const out = JSON.parse(lin.stdout) as { train: { accuracy: number | null; cost: number } };
    expect(out.train.accuracy).toBeNull();
    expect(out.train.cost).toBeLessThan(0.1);
    const p = await runCli(['predict', '--model', 'lin.snet', '--data', 'two.csv', '--json'], dir);
    const pred = JSON.parse(p.stdout) as { predictions: number[] };
    expect(pred.predictions).toHaveLength(80);
    expect(pred.predictions[0]).toBeLessThan(0.5);
    expect(pred.predictions[1]).toBeGreaterThan(0.5);
  });
});

/** Writes a small course-style HDF5 file: uint8 images (m, 2, 2, 3), labels (m,), list_classes. */
async function writeImagesH5(path: string, prefix: string, m: number, seed: number): Promise<void> {
  const h5wasm = await import('h5wasm');
  await h5wasm.ready;
  const fs = h5wasm.FS!;
  const mem = `/cli-${prefix}-${seed}.h5`;
  const file = new h5wasm.File(mem, 'w');
  const images = new Uint8Array(m * 12);
  const labels = new BigInt64Array(m);
  let s = seed;
  for (let e = 0; e < m; e++) {
    labels[e] = BigInt(e % 2);
    for (let f = 0; f < 12; f++) {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      // "Cats" are bright in the red channel.
      images[e * 12 + f] = f % 3 === 0 && e % 2 === 1 ? 180 + (s % 70) : s % 120;
    }
  }
  file.create_dataset({ name: `${prefix}_set_x`, data: images, shape: [m, 2, 2, 3], dtype: '<B' });
  file.create_dataset({ name: `${prefix}_set_y`, data: labels, shape: [m] });
  file.create_dataset({ name: 'list_classes', data: ['non-cat', 'cat'] });
  file.close();
  writeFileSync(path, fs.readFile(mem) as Uint8Array);
  fs.unlink(mem);
}

describe('HDF5 data', () => {
  beforeAll(async () => {
    await writeImagesH5(join(dir, 'train.h5'), 'train', 40, 7);
    await writeImagesH5(join(dir, 'test.h5'), 'test', 20, 9);
  });

  it('finds the *_x / *_y pair, flattens and scales the images, and names the classes from list_classes', async () => {
    const r = await runCli(['train', '--data', 'train.h5', '--test', 'test.h5', '--layers', '5', '--lr', '0.05', '--iterations', '400',
      '--save', 'img.snet', '--json', '-q'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { layers: number[]; train: { accuracy: number }; test: { accuracy: number } };
    expect(out.layers).toEqual([12, 5, 1]);
    expect(out.train.accuracy).toBe(1);
    expect(out.test.accuracy).toBe(1);
    const info = await runCli(['info', 'img.snet', '--json'], dir);
    expect(JSON.parse(info.stdout)).toMatchObject({ labels: ['non-cat', 'cat'], data: { data: 'hdf5', x: 'train_set_x', y: 'train_set_y' } });
    const p = await runCli(['predict', '--model', 'img.snet', '--data', 'test.h5', '--json'], dir);
    const pred = JSON.parse(p.stdout) as { predictions: string[] };
    expect(pred.predictions.slice(0, 4)).toEqual(['non-cat', 'cat', 'non-cat', 'cat']);
    const ev = await runCli(['evaluate', '--model', 'img.snet', '--data', 'test.h5', '--x', 'test_set_x', '--y', 'test_set_y', '--json'], dir);
    expect(JSON.parse(ev.stdout)).toMatchObject({ examples: 20, accuracy: 1 });
  });

  it('the same images as CSV of raw pixels /255 train to the same first cost', async () => {
    // The HDF5 path divides by 255; a CSV of x/255 in numpy's C order must give the same cost at iteration 0.
    const h5wasm = await import('h5wasm');
    await h5wasm.ready;
    const bytes = readFileSync(join(dir, 'train.h5'));
    h5wasm.FS!.writeFile('/read-back.h5', bytes);
    const f = new h5wasm.File('/read-back.h5', 'r');
    const px = (f.get('train_set_x') as InstanceType<typeof h5wasm.Dataset>).value as Uint8Array;
    f.close();
    h5wasm.FS!.unlink('/read-back.h5');
    const header = Array.from({ length: 12 }, (_, i) => `p${i}`).join(',');
    const rows = Array.from({ length: 40 }, (_, e) => `${Array.from(px.subarray(e * 12, e * 12 + 12), (v) => v / 255).join(',')},${e % 2}`);
    writeFileSync(join(dir, 'pixels.csv'), `${header},y\n${rows.join('\n')}\n`);
    const common = ['--layers', '5', '--iterations', '1', '--no-save', '--json', '-q', '--dtype', 'float64'];
    const a = JSON.parse((await runCli(['train', '--data', 'train.h5', ...common], dir)).stdout) as { costs: { cost: number }[] };
    const b = JSON.parse((await runCli(['train', '--data', 'pixels.csv', '--label', 'y', ...common], dir)).stdout) as { costs: { cost: number }[] };
    expect(a.costs[0]!.cost).toBe(b.costs[0]!.cost);
  });
});
