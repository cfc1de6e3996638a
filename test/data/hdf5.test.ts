import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatDataset, readHdf5Datasets, type CatDataset } from '../../src/data/hdf5.js';

// shared/ sits beside the repository root (test/data/ -> repo root -> its parent).
const catDir = new URL('../../../shared/data/catvnoncat/', import.meta.url);
const catFilesExist = ['train_catvnoncat.h5', 'test_catvnoncat.h5'].every((file) => existsSync(new URL(file, catDir)));
if (!catFilesExist) {
  console.warn(`cat-vs-non-cat tests skipped: HDF5 files not found in ${fileURLToPath(catDir)} (shared data absent)`);
}

/** Builds a small HDF5 file in h5wasm's memory and returns its bytes, so these tests need no data files. */
async function makeHdf5Bytes(): Promise<Uint8Array> {
  const h5wasm = await import('h5wasm');
  await h5wasm.ready;
  const fs = h5wasm.FS!;
  const path = '/hdf5-test-fixture.h5';
  const file = new h5wasm.File(path, 'w');
  file.create_dataset({ name: 'matrix', data: new Float64Array([1.5, -2, 3.25, 4, 5, 6]), shape: [2, 3] });
  file.create_dataset({ name: 'scalar_int', data: 7, dtype: '<i' });
  file.create_dataset({ name: 'scalar_text', data: 'hello' });
  file.create_dataset({ name: 'names', data: ['non-cat', 'cat'] });
  file.create_dataset({ name: 'big', data: new BigInt64Array([-1n, 2n ** 40n]) });
  file.create_dataset({ name: 'compressed', data: new Uint8Array(1000).fill(9), chunks: [100], compression: 'gzip' });
  file.create_group('group').create_dataset({ name: 'inner', data: new Int16Array([-3, 4]) });
  file.close();
  const bytes = fs.readFile(path) as Uint8Array;
  fs.unlink(path);
  return bytes;
}

/** Files left in h5wasm's in-memory root directory. */
async function memoryFsEntries(): Promise<string[]> {
  const h5wasm = await import('h5wasm');
  await h5wasm.ready;
  return (h5wasm.FS!.readdir('/') as string[]).filter((entry) => entry.endsWith('.h5'));
}

describe('readHdf5Datasets', () => {
  let bytes: Uint8Array;
  beforeAll(async () => {
    bytes = await makeHdf5Bytes();
  });

  it('reads numeric, string, scalar, nested and compressed datasets with shape and dtype', async () => {
    const read = await readHdf5Datasets(bytes, [
      'matrix',
      'scalar_int',
      'scalar_text',
      'names',
      'big',
      'compressed',
      'group/inner',
      '/group/inner',
    ]);
    expect(read['matrix']).toEqual({ data: new Float64Array([1.5, -2, 3.25, 4, 5, 6]), shape: [2, 3], dtype: 'float64' });
    expect(read['scalar_int']).toEqual({ data: new Int32Array([7]), shape: [], dtype: 'int32' });
    expect(read['scalar_text']).toEqual({ data: ['hello'], shape: [], dtype: 'string' });
    expect(read['names']).toEqual({ data: ['non-cat', 'cat'], shape: [2], dtype: 'string' });
    expect(read['big']).toEqual({ data: new BigInt64Array([-1n, 2n ** 40n]), shape: [2], dtype: 'int64' });
    expect(read['compressed']!.data).toEqual(new Uint8Array(1000).fill(9));
    expect(read['group/inner']).toEqual({ data: new Int16Array([-3, 4]), shape: [2], dtype: 'int16' });
    expect(read['/group/inner']).toEqual(read['group/inner']);
  });

  it('names every missing dataset, and a group asked for as a dataset', async () => {
    await expect(readHdf5Datasets(bytes, ['matrix', 'nope', 'group'])).rejects.toThrow(
      /"nope" not found, "group" is not a dataset/,
    );
    await expect(readHdf5Datasets(bytes, ['train_set_x'])).rejects.toThrow(Error);
    await expect(readHdf5Datasets(bytes, ['train_set_x'])).rejects.toThrow('"train_set_x" not found');
  });

  it('rejects an empty dataset name', async () => {
    await expect(readHdf5Datasets(bytes, [''])).rejects.toThrow('invalid HDF5 dataset name ""');
  });

  it('rejects bytes that are not HDF5 with a clear Error', async () => {
    const noise = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 255);
    await expect(readHdf5Datasets(noise, ['x'])).rejects.toThrow(/not an HDF5 file/);
    await expect(readHdf5Datasets(new Uint8Array(0), ['x'])).rejects.toThrow(/not an HDF5 file/);
  });

  it('rejects a file that has the signature but no valid superblock', async () => {
    // HDF5 itself rejects this one (and prints its error stack to stderr).
    const corrupt = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 255);
    corrupt.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
    await expect(readHdf5Datasets(corrupt, ['x'])).rejects.toThrow(/not an HDF5 file/);
  });

  it('leaves no files behind, whether calls succeed or fail', async () => {
    const before = await memoryFsEntries();
    await Promise.all(Array.from({ length: 40 }, () => readHdf5Datasets(bytes, ['matrix'])));
    for (let i = 0; i < 10; i++) await expect(readHdf5Datasets(bytes, ['missing'])).rejects.toThrow();
    expect(await memoryFsEntries()).toEqual(before);
  });
});

describe.skipIf(!catFilesExist)('loadCatDataset (course cat-vs-non-cat files)', () => {
  let scaled: CatDataset;
  let raw: CatDataset;
  beforeAll(async () => {
    [scaled, raw] = await Promise.all([loadCatDataset(catDir), loadCatDataset(fileURLToPath(catDir), { scale: false })]);
  });

  it('has the course shapes and classes', () => {
    expect(scaled.trainX.shape).toEqual([12288, 209]);
    expect(scaled.trainY.shape).toEqual([1, 209]);
    expect(scaled.testX.shape).toEqual([12288, 50]);
    expect(scaled.testY.shape).toEqual([1, 50]);
    expect(scaled.trainX.data).toBeInstanceOf(Float64Array);
    expect(scaled.trainX.data.length).toBe(12288 * 209);
    expect(scaled.classes).toEqual(['non-cat', 'cat']);
  });

  it('passes the course sanity check train_set_x_flatten[0:5, 0] == [17, 31, 56, 22, 33]', () => {
    const examples = raw.trainX.shape[1];
    const firstFeatures = [0, 1, 2, 3, 4].map((feature) => raw.trainX.data[feature * examples]);
    expect(firstFeatures).toEqual([17, 31, 56, 22, 33]);
    // Scaled values are numpy's X / 255., bit for bit.
    expect([0, 1, 2, 3, 4].map((feature) => scaled.trainX.data[feature * examples]! * 255)).toEqual([
      17, 31, 56, 22, 33,
    ]);
    expect(scaled.trainX.data[0]).toBe(17 / 255);
  });

  it('has the course labels', () => {
    expect(Array.from(scaled.trainY.data.subarray(0, 10))).toEqual([0, 0, 1, 0, 0, 0, 0, 1, 0, 0]);
    expect(scaled.trainY.data.reduce((a, b) => a + b, 0)).toBe(72);
    expect(Array.from(scaled.testY.data.subarray(0, 10))).toEqual([1, 1, 1, 1, 1, 0, 1, 1, 1, 1]);
    expect(scaled.testY.data.reduce((a, b) => a + b, 0)).toBe(33);
    expect(raw.trainY.data).toEqual(scaled.trainY.data);
  });

  it('matches pixel sums computed independently (h5dump + numpy)', () => {
    // h5py is not installed here, so these come from the HDF5 command-line tools
    // (h5dump 1.10.8, Debian hdf5-tools) dumping the raw arrays, summed with numpy:
    //   x = np.fromfile(dump, np.uint8).reshape(m, 64, 64, 3); flat = x.reshape(m, -1).T
    const sum = (values: ArrayLike<number>): number => Array.from(values).reduce((a, b) => a + b, 0);
    const column = (X: CatDataset['trainX'], example: number): number[] =>
      Array.from({ length: X.shape[0] }, (_, feature) => X.data[feature * X.shape[1] + example]!);
    const row = (X: CatDataset['trainX'], feature: number): Float64Array =>
      X.data.subarray(feature * X.shape[1], (feature + 1) * X.shape[1]);
    const pixel = (X: CatDataset['trainX'], example: number, r: number, c: number): number[] =>
      [0, 1, 2].map((channel) => X.data[((r * 64 + c) * 3 + channel) * X.shape[1] + example]!);

    expect(sum(raw.trainX.data)).toBe(264542077);
    expect(sum(column(raw.trainX, 0))).toBe(838615);
    expect(sum(column(raw.trainX, 208))).toBe(750620);
    expect(sum(row(raw.trainX, 0))).toBe(20462);
    expect(sum(row(raw.trainX, 12287))).toBe(14581);
    expect(pixel(raw.trainX, 7, 31, 40)).toEqual([226, 207, 179]);

    expect(sum(raw.testX.data)).toBe(65969547);
    expect(Array.from({ length: 5 }, (_, feature) => raw.testX.data[feature * 50])).toEqual([158, 104, 83, 161, 106]);
    expect(sum(column(raw.testX, 0))).toBe(1283788);
    expect(sum(column(raw.testX, 49))).toBe(1327118);
    expect(sum(row(raw.testX, 0))).toBe(6166);
    expect(sum(row(raw.testX, 12287))).toBe(3973);
    expect(pixel(raw.testX, 7, 31, 40)).toEqual([121, 101, 82]);

    // numpy's (X_flat / 255.)[100, 3]
    expect(scaled.trainX.data[100 * 209 + 3]).toBe(0.2784313725490196);
    expect(scaled.testX.data[100 * 50 + 3]).toBe(0.24313725490196078);
  });

  it('scales every value as raw / 255', () => {
    const mismatches = scaled.trainX.data.filter((value, i) => value !== raw.trainX.data[i]! / 255).length;
    expect(mismatches).toBe(0);
  });

  it('reads the raw datasets as stored', async () => {
    const bytes = await readFile(new URL('train_catvnoncat.h5', catDir));
    const read = await readHdf5Datasets(bytes, ['train_set_x', 'train_set_y', 'list_classes']);
    expect(read['train_set_x']!.shape).toEqual([209, 64, 64, 3]);
    expect(read['train_set_x']!.dtype).toBe('uint8');
    expect(read['train_set_y']!.dtype).toBe('int64');
    expect(read['list_classes']).toEqual({ data: ['non-cat', 'cat'], shape: [2], dtype: 'string' });
  });
});
