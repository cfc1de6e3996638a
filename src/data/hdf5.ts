/**
 * Reading HDF5 files (such as the course's cat-vs-non-cat data) with h5wasm,
 * the HDF5 C library compiled to WebAssembly.
 *
 * h5wasm is imported lazily so that importing this module costs nothing (and
 * does not break browser bundles) until a file is actually read. We use its
 * default entry `h5wasm`, not `h5wasm/node`: the default build keeps files in
 * Emscripten's in-memory file system in Node and browsers alike, whereas the
 * Node build maps the file system onto the host disk (NODERAWFS), where writing
 * the caller's bytes would create real files.
 */
import type { DataMatrix } from './planar.js';
import { host } from '../runtime/host.js';
import { optionalImportFailed } from '../runtime/optional.js';

/** Numeric typed arrays an HDF5 integer or float dataset can be read into. */
export type NumericArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/** One dataset read from an HDF5 file: row-major data, its shape, and a numpy-style dtype name. */
export interface Hdf5Dataset {
  /** Elements in C (row-major) order; strings for HDF5 string datasets. */
  data: NumericArray | string[];
  /** Dimensions; [] for a scalar dataset. */
  shape: number[];
  /** 'int8' ... 'uint64', 'float32', 'float64' or 'string'. */
  dtype: string;
}

type H5wasm = typeof import('h5wasm');
const H5WASM = 'h5wasm';

/** HDF5 datatype classes (H5T_class_t) that we can turn into arrays. */
const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_STRING = 3;

/** The 8-byte HDF5 superblock signature, "\x89HDF\r\n\x1a\n". */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** The superblock sits at 0 or, after a user block, at 512, 1024, 2048, ... */
const FIRST_USER_BLOCK_OFFSET = 512;

let h5wasmModule: Promise<H5wasm> | undefined;
/** Makes every in-memory file name unique, so overlapping calls never collide. */
let fileCounter = 0;

/** Loads and initialises h5wasm once, on first use. */
function loadH5wasm(): Promise<H5wasm> {
  // The name in a variable: bundlers leave the import alone, so a page that never reads HDF5 builds without
  // h5wasm installed (it is an optional dependency); Node resolves it as usual.
  h5wasmModule ??= (import(/* webpackIgnore: true */ /* @vite-ignore */ H5WASM) as Promise<H5wasm>).then(async (h5wasm) => {
    await h5wasm.ready;
    return h5wasm;
  }, (e: unknown) => optionalImportFailed(e, 'h5wasm', 'reading HDF5 files'));
  return h5wasmModule;
}

/** Whether `bytes` carries the HDF5 signature at one of the places a superblock may start. */
function hasHdf5Signature(bytes: Uint8Array): boolean {
  const matchesAt = (offset: number): boolean =>
    offset + HDF5_SIGNATURE.length <= bytes.length && HDF5_SIGNATURE.every((byte, i) => bytes[offset + i] === byte);
  if (matchesAt(0)) return true;
  for (let offset = FIRST_USER_BLOCK_OFFSET; offset + HDF5_SIGNATURE.length <= bytes.length; offset *= 2) {
    if (matchesAt(offset)) return true;
  }
  return false;
}

/** numpy-style name of an HDF5 integer/float/string type, or undefined for other classes. */
function dtypeName(typeClass: number, size: number, signed: boolean): string | undefined {
  if (typeClass === H5T_INTEGER && [1, 2, 4, 8].includes(size)) return `${signed ? 'int' : 'uint'}${size * 8}`;
  if (typeClass === H5T_FLOAT && (size === 4 || size === 8)) return `float${size * 8}`;
  if (typeClass === H5T_STRING) return 'string';
  return undefined;
}

/** Typed-array constructors by dtype name, to rebuild scalar datasets as 1-element arrays. */
const NUMERIC_ARRAY_TYPES = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  float32: Float32Array,
  float64: Float64Array,
} as const;

/** Turns h5wasm's value into a flat array; scalars (which h5wasm unwraps) become 1-element arrays. */
function toArray(value: unknown, dtype: string, name: string): NumericArray | string[] {
  if (dtype === 'string') {
    if (typeof value === 'string') return [value];
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  } else if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return value as NumericArray;
  } else if (dtype === 'int64' || dtype === 'uint64') {
    if (typeof value === 'bigint') return dtype === 'int64' ? BigInt64Array.of(value) : BigUint64Array.of(value);
  } else if (typeof value === 'number') {
    const ArrayType = NUMERIC_ARRAY_TYPES[dtype as Exclude<keyof typeof NUMERIC_ARRAY_TYPES, 'int64' | 'uint64'>];
    if (ArrayType !== undefined) return ArrayType.of(value);
  }
  throw new Error(`HDF5 dataset "${name}": could not read its ${dtype} value`);
}

/**
 * Reads the named datasets (paths such as "train_set_x" or "/group/data") out
 * of an HDF5 file held in memory. Throws an Error naming any missing dataset,
 * or saying the bytes are not HDF5.
 */
export async function readHdf5Datasets(
  bytes: Uint8Array,
  names: readonly string[],
): Promise<Record<string, Hdf5Dataset>> {
  const emptyName = names.find((name) => name.replace(/\//g, '') === '');
  if (emptyName !== undefined) throw new Error(`invalid HDF5 dataset name ${JSON.stringify(emptyName)}`);
  return withHdf5File(bytes, (h5wasm, file) => {
    const result: Record<string, Hdf5Dataset> = {};
    // Every name is checked before any data is read, so one error lists them all.
    const problems = names.flatMap((name) => {
      const entity = file.get(name);
      if (entity instanceof h5wasm.Dataset) return [];
      return [entity === null ? `"${name}" not found` : `"${name}" is not a dataset`];
    });
    if (problems.length > 0) {
      throw new Error(`HDF5 dataset ${problems.join(', ')} (top level of the file: ${file.keys().join(', ')})`);
    }
    for (const name of names) {
      const dataset = file.get(name) as InstanceType<H5wasm['Dataset']>;
      const { type, size, signed, shape } = dataset.metadata;
      const dtype = dtypeName(type, size, signed);
      if (dtype === undefined) {
        throw new Error(`HDF5 dataset "${name}" has an unsupported type ${JSON.stringify(dataset.dtype)}`);
      }
      result[name] = { data: toArray(dataset.value, dtype, name), shape: shape ?? [], dtype };
    }
    return result;
  });
}

/** Opens bytes as an HDF5 file in h5wasm's in-memory FS, runs use(), then closes and unlinks it. */
async function withHdf5File<T>(bytes: Uint8Array, use: (h5wasm: H5wasm, file: InstanceType<H5wasm['File']>) => T): Promise<T> {
  // Checked here rather than left to HDF5, which prints a long error stack to
  // stderr and hands back an invalid file id instead of throwing.
  if (!hasHdf5Signature(bytes)) throw new Error(`not an HDF5 file: no HDF5 signature in ${bytes.length} bytes`);
  const h5wasm = await loadH5wasm();
  const fs = h5wasm.FS;
  if (fs === null) throw new Error('h5wasm initialised without a file system');
  const path = `/simdnet-${fileCounter++}.h5`;
  fs.writeFile(path, bytes);
  try {
    const file = new h5wasm.File(path, 'r');
    if (file.file_id < 0n) throw new Error('not an HDF5 file: the HDF5 library could not open it');
    try {
      return use(h5wasm, file);
    } finally {
      file.close();
    }
  } finally {
    fs.unlink(path);
  }
}

/** Paths of every dataset in an HDF5 file held in memory (groups are walked), in the file's order. */
export async function listHdf5Datasets(bytes: Uint8Array): Promise<string[]> {
  return withHdf5File(bytes, (h5wasm, file) => {
    const names: string[] = [];
    const walk = (group: InstanceType<H5wasm['Group']>, prefix: string): void => {
      for (const key of group.keys()) {
        const entity = group.get(key);
        if (entity instanceof h5wasm.Dataset) names.push(prefix + key);
        else if (entity instanceof h5wasm.Group) walk(entity, `${prefix}${key}/`);
      }
    };
    walk(file, '');
    return names;
  });
}

/** The course's cat-vs-non-cat data, preprocessed: X features-first (12288, m), Y (1, m). */
export interface CatDataset {
  trainX: DataMatrix;
  trainY: DataMatrix;
  testX: DataMatrix;
  testY: DataMatrix;
  /** Label names by class index: ['non-cat', 'cat']. */
  classes: string[];
}

/** Options for `loadCatDataset`. */
export interface LoadCatDatasetOptions {
  /** Divide pixels by 255 as the course does (default true); false keeps raw 0..255 values. */
  scale?: boolean;
}

/**
 * Flattens images (m, h, w, c) to the course's features-first matrix
 * X_orig.reshape(m, -1).T (feature index (row*w + col)*c + channel), divided by
 * 255 when `scale` (a division, as numpy's `/ 255.`, so values match bit for bit).
 */
export function flattenImages(images: Hdf5Dataset, name: string, scale: boolean): DataMatrix {
  const { data, shape } = images;
  if (!(data instanceof Uint8Array) || shape.length < 2) {
    throw new Error(`"${name}" should be uint8 images (m, ...), got ${images.dtype} of shape [${shape.join(', ')}]`);
  }
  const examples = shape[0]!;
  const features = shape.slice(1).reduce((a, b) => a * b, 1);
  const out = new Float64Array(features * examples);
  for (let example = 0; example < examples; example++) {
    const source = example * features;
    for (let feature = 0; feature < features; feature++) {
      const pixel = data[source + feature]!;
      out[feature * examples + example] = scale ? pixel / 255 : pixel;
    }
  }
  return { data: out, shape: [features, examples] };
}

/** Labels (m,) of any integer type as the course's (1, m) row of 0/1 doubles. */
export function labelRow(labels: Hdf5Dataset, name: string): DataMatrix {
  const { data, shape } = labels;
  if (typeof data[0] === 'string' || shape.length !== 1) {
    throw new Error(`"${name}" should be integer labels (m,), got ${labels.dtype} of shape [${shape.join(', ')}]`);
  }
  const row = Float64Array.from(data as ArrayLike<number | bigint>, Number);
  return { data: row, shape: [1, row.length] };
}

/**
 * Node only: reads `train_catvnoncat.h5` and `test_catvnoncat.h5` from `dir` and
 * applies the course's preprocessing (flatten, transpose to features-first, /255).
 */
export async function loadCatDataset(dir: string | URL, options: LoadCatDatasetOptions = {}): Promise<CatDataset> {
  const scale = options.scale ?? true;
  // Through the host (runtime/host.ts), so that browser bundles never see node: modules; in a page, dir is a URL.
  const base = dir instanceof URL ? dir : host().pathToUrl(dir.endsWith('/') ? dir : `${dir}/`);
  const [trainBytes, testBytes] = await Promise.all([
    host().readFile(new URL('train_catvnoncat.h5', base)),
    host().readFile(new URL('test_catvnoncat.h5', base)),
  ]);
  const train = await readHdf5Datasets(trainBytes, ['train_set_x', 'train_set_y', 'list_classes']);
  const test = await readHdf5Datasets(testBytes, ['test_set_x', 'test_set_y']);

  const trainX = flattenImages(train['train_set_x']!, 'train_set_x', scale);
  const testX = flattenImages(test['test_set_x']!, 'test_set_x', scale);
  if (trainX.shape[0] !== testX.shape[0]) {
    throw new Error(`train and test images differ in size: ${trainX.shape[0]} vs ${testX.shape[0]} features`);
  }
  const classes = train['list_classes']!.data;
  if (classes.length === 0 || typeof classes[0] !== 'string') {
    throw new Error(`"list_classes" should be strings, got ${train['list_classes']!.dtype}`);
  }
  return {
    trainX,
    trainY: labelRow(train['train_set_y']!, 'train_set_y'),
    testX,
    testY: labelRow(test['test_set_y']!, 'test_set_y'),
    classes: Array.from(classes as string[]),
  };
}
