// The CLI's data sources: the built-in planar set, the second course's circles, moons and football sets, HDF5 files (named datasets or the course's *_x / *_y
// convention, images flattened and scaled as loadCatDataset does) and CSV files with a header.
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { loadPlanarDataset } from '../data/planar.js';
import { loadCircles, loadFootball, loadMoons, type CourseDataset } from '../data/course2.js';
import { flattenImages, labelRow, listHdf5Datasets, readHdf5Datasets, type Hdf5Dataset } from '../data/hdf5.js';
import { csvDataset } from '../data/csv.js';
import { UsageError } from './args.js';

/** A data set as the CLI uses it: features-first X (n × m) and a text label per example (or none). */
export interface CliData {
  /** Features-first (n, m), row-major: X.data[f * m + e]. */
  X: { data: Float64Array; shape: [number, number] };
  /** The label of each example as text ('0', '1', 'cat', ...), or null when the data has no labels. */
  labels: string[] | null;
  /** Class names in their natural order when the file says (HDF5 list_classes), else null. */
  classOrder: string[] | null;
  /** Feature names (CSV header), or null. */
  features: string[] | null;
  /** How the data was read, for the model's metadata and messages. */
  source: { kind: 'planar' | 'circles' | 'moons' | 'football' | 'hdf5' | 'csv'; file: string | null; x?: string; y?: string; label?: string };
  /** A human description: "planar flower set", "train.h5 (train_set_x, train_set_y)". */
  description: string;
}

/** How to pick the data out of a file. */
export interface DataOptions {
  /** HDF5: dataset of the inputs, and of the labels. */
  x?: string;
  y?: string;
  /** CSV: the label column (name or 0-based index). */
  label?: string;
  /** Which pair of *_x / *_y datasets to prefer in an HDF5 file holding several: 'train' or 'test'. */
  role?: 'train' | 'test';
  /** Whether the data must carry labels (train, evaluate) or may lack them (predict). */
  needLabels: boolean;
  /** CSV feature columns the model was trained on, to select and order them (predict/evaluate). */
  features?: string[] | null;
}

/** Reads a whole file, turning "no such file" and friends into one-line usage errors. */
export async function readUserFile(path: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new UsageError(`cannot read ${what} '${path}': ${why}`);
  }
}

/** Writes bytes atomically: a temporary file in the same directory, then rename over the target. */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    // Data reaches the disk before the rename makes it visible, so a power cut cannot leave an empty model.
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such directory' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new UsageError(`cannot write '${path}': ${why}`);
  }
}

/** The second course's data sets, by the name --data takes. */
const COURSE2 = {
  circles: { load: async () => loadCircles(), what: "the Initialization notebook's circles (sklearn make_circles, seeds 1 / 2)" },
  moons: { load: async () => loadMoons(), what: "the Optimization notebook's moons (sklearn make_moons, seed 3)" },
  football: { load: () => loadFootball(), what: "the Regularization notebook's football data (../shared/data/course2/football.json)" },
} as const satisfies Record<string, { load: () => Promise<CourseDataset>; what: string }>;
type Course2Name = keyof typeof COURSE2;
const isCourse2 = (spec: string): spec is Course2Name => Object.hasOwn(COURSE2, spec);

/** The kind of a --data argument: a built-in set by name, else a file by its extension. */
export function dataKind(spec: string): 'planar' | Course2Name | 'hdf5' | 'csv' {
  if (spec === 'planar' || isCourse2(spec)) return spec;
  const ext = extname(spec).toLowerCase();
  if (ext === '.h5' || ext === '.hdf5' || ext === '.he5') return 'hdf5';
  if (ext === '.csv') return 'csv';
  throw new UsageError(`--data must be 'planar', an HDF5 file (.h5, .hdf5) or a CSV file (.csv), or the second course's 'circles', 'moons' or 'football'; got '${spec}'`);
}

/** Loads --data (or --test) as features-first data with text labels. */
export async function loadData(spec: string, options: DataOptions): Promise<CliData> {
  const kind = dataKind(spec);
  if (kind === 'planar') {
    if (options.x || options.y || options.label) throw new UsageError('--x, --y and --label do not apply to the built-in planar data');
    const { X, Y } = loadPlanarDataset();
    return {
      X: { data: X.data, shape: [X.shape[0], X.shape[1]] },
      labels: Array.from(Y.data, (v) => String(v)),
      classOrder: ['0', '1'],
      features: ['x1', 'x2'],
      source: { kind: 'planar', file: null },
      description: "the course's planar flower set",
    };
  }
  if (isCourse2(kind)) return loadCourse2(kind, options);
  const bytes = await readUserFile(spec, 'data file');
  return kind === 'csv' ? loadCsv(spec, bytes, options) : loadHdf5(spec, bytes, options);
}

/** A second-course set: its training split, or with role 'test' (--test, predict, evaluate) its test split. */
async function loadCourse2(name: Course2Name, options: DataOptions): Promise<CliData> {
  if (options.x || options.y || options.label) throw new UsageError(`--x, --y and --label do not apply to the built-in ${name} data`);
  let d: CourseDataset;
  try {
    d = await COURSE2[name].load();
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^simdnet: /, ''));
  }
  const test = options.role === 'test';
  if (test && (d.testX === undefined || d.testY === undefined)) throw new UsageError(`the ${name} data has no test split (the notebook trains and evaluates on the same 300 examples)`);
  const X = test ? d.testX! : d.trainX, Y = test ? d.testY! : d.trainY;
  return {
    X: { data: X.data, shape: [X.shape[0], X.shape[1]] },
    labels: Array.from(Y.data, (v) => String(v)),
    classOrder: ['0', '1'],
    features: ['x1', 'x2'],
    source: { kind: name, file: null },
    description: `${COURSE2[name].what}, ${test ? 'test' : 'training'} split (${X.shape[1]} examples)`,
  };
}

function loadCsv(file: string, bytes: Uint8Array, options: DataOptions): CliData {
  if (options.x || options.y) throw new UsageError('--x and --y pick HDF5 datasets; for a CSV file use --label COLUMN');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`'${file}' is not UTF-8 text`);
  }
  let ds;
  try {
    const label = options.label ?? null;
    if (label === null && options.needLabels) throw new UsageError(`'${file}': name the label column with --label COLUMN`);
    ds = csvDataset(text, { label, ...(options.features ? { features: options.features } : {}) });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`'${file}': ${(e as Error).message}`);
  }
  const [m, n] = ds.X.shape;
  const data = new Float64Array(n * m);
  for (let e = 0; e < m; e++) for (let f = 0; f < n; f++) data[f * m + e] = ds.X.data[e * n + f]!;
  return {
    X: { data, shape: [n, m] },
    labels: ds.labels,
    classOrder: null,
    features: ds.features,
    source: { kind: 'csv', file, ...(ds.labelColumn ? { label: ds.labelColumn } : {}) },
    description: `${basename(file)} (${m} rows, ${n} feature columns${ds.labelColumn ? `, label "${ds.labelColumn}"` : ''})`,
  };
}

/** Picks the *_x dataset to use among an HDF5 file's datasets. */
function pickPair(names: string[], file: string, role: 'train' | 'test'): string {
  const xs = names.filter((n) => /_x$/i.test(n) && names.includes(n.replace(/_x$/i, (s) => (s === '_x' ? '_y' : '_Y'))));
  if (xs.length === 0) {
    throw new UsageError(`'${file}': no *_x / *_y dataset pair; name them with --x NAME --y NAME (datasets: ${names.join(', ') || 'none'})`);
  }
  if (xs.length === 1) return xs[0]!;
  const preferred = xs.filter((n) => n.toLowerCase().includes(role));
  if (preferred.length === 1) return preferred[0]!;
  throw new UsageError(`'${file}' holds several *_x / *_y pairs (${xs.join(', ')}); pick one with --x NAME --y NAME`);
}

/** Inputs of an HDF5 dataset, features-first; uint8 images are flattened in C order and scaled /255 (loadCatDataset). */
function hdf5Inputs(ds: Hdf5Dataset, name: string, m: number | null): { data: Float64Array; shape: [number, number] } {
  if (ds.dtype === 'string') throw new UsageError(`HDF5 dataset "${name}" holds strings, not numbers`);
  if (ds.shape.length < 1) throw new UsageError(`HDF5 dataset "${name}" is a scalar, not a data set`);
  if (ds.data instanceof Uint8Array && ds.shape.length >= 2) {
    const { data, shape } = flattenImages(ds, name, true);
    return { data, shape: [shape[0], shape[1]] };
  }
  const values = Float64Array.from(ds.data as ArrayLike<number | bigint>, Number);
  const shape = ds.shape.length === 1 ? [ds.shape[0]!, 1] : ds.shape;
  // Examples along the first axis, as numpy stores them; a 2-D (n, m) whose second axis matches the labels is features-first.
  if (m !== null && shape.length === 2 && shape[0] !== m && shape[1] === m) {
    return { data: values, shape: [shape[0]!, shape[1]!] };
  }
  const examples = shape[0]!;
  const features = values.length / examples;
  const out = new Float64Array(values.length);
  for (let e = 0; e < examples; e++) for (let f = 0; f < features; f++) out[f * examples + e] = values[e * features + f]!;
  return { data: out, shape: [features, examples] };
}

/** Labels of an HDF5 dataset as numbers: (m,) integers (labelRow), or (1, m) / (m, 1) of any numeric type. */
function hdf5Labels(ds: Hdf5Dataset, name: string): number[] {
  if (ds.dtype === 'string') return [];
  if (ds.shape.length === 1 && !(ds.data instanceof Float32Array || ds.data instanceof Float64Array)) {
    return Array.from(labelRow(ds, name).data);
  }
  const count = ds.shape.reduce((a, b) => a * b, 1);
  if (ds.shape.length === 2 && ds.shape[0] !== 1 && ds.shape[1] !== 1) {
    throw new UsageError(`HDF5 dataset "${name}" should be one label per example, got shape [${ds.shape.join(', ')}]`);
  }
  return Array.from({ length: count }, (_, i) => Number((ds.data as ArrayLike<number | bigint>)[i]));
}

async function loadHdf5(file: string, bytes: Uint8Array, options: DataOptions): Promise<CliData> {
  if (options.label) throw new UsageError('--label names a CSV column; for an HDF5 file use --x NAME --y NAME');
  let names: string[];
  try {
    names = await listHdf5Datasets(bytes);
  } catch (e) {
    throw new UsageError(`'${file}': ${(e as Error).message}`);
  }
  const xName = options.x ?? pickPair(names, file, options.role ?? 'train');
  let yName: string | undefined = options.y;
  if (yName === undefined && options.x === undefined) yName = xName.replace(/_x$/i, (s) => (s === '_x' ? '_y' : '_Y'));
  if (yName === undefined && options.x !== undefined) {
    const guess = xName.replace(/_x$/i, (s) => (s === '_x' ? '_y' : '_Y'));
    if (guess !== xName && names.includes(guess)) yName = guess;
  }
  if (yName === undefined && options.needLabels) throw new UsageError(`'${file}': name the labels dataset with --y NAME`);
  for (const n of [xName, yName]) {
    if (n !== undefined && !names.includes(n.replace(/^\//, ''))) {
      throw new UsageError(`'${file}' has no dataset "${n}" (datasets: ${names.join(', ')})`);
    }
  }
  const wanted = [xName, ...(yName ? [yName] : []), ...(names.includes('list_classes') ? ['list_classes'] : [])];
  let sets: Record<string, Hdf5Dataset>;
  try {
    sets = await readHdf5Datasets(bytes, wanted);
  } catch (e) {
    throw new UsageError(`'${file}': ${(e as Error).message}`);
  }
  let numeric: number[] | null = null;
  let classOrder: string[] | null = null;
  try {
    if (yName !== undefined) {
      numeric = hdf5Labels(sets[yName]!, yName);
      if (numeric.length === 0) throw new UsageError(`HDF5 dataset "${yName}" holds strings, not labels`);
    }
    const X = hdf5Inputs(sets[xName]!, xName, numeric?.length ?? null);
    if (numeric !== null && numeric.length !== X.shape[1]) {
      throw new UsageError(`"${xName}" has ${X.shape[1]} examples but "${yName}" has ${numeric.length} labels`);
    }
    const classes = sets['list_classes'];
    if (classes !== undefined && typeof classes.data[0] === 'string') {
      const list = Array.from(classes.data as string[], (s) => s.trim());
      if (new Set(list).size === list.length && (numeric ?? []).every((v) => Number.isInteger(v) && v >= 0 && v < list.length)) classOrder = list;
    }
    const labels = numeric === null ? null : numeric.map((v) => (classOrder ? classOrder[v]! : String(v)));
    return {
      X, labels, classOrder, features: null,
      source: { kind: 'hdf5', file, x: xName, ...(yName ? { y: yName } : {}) },
      description: `${basename(file)} (${xName}${yName ? `, ${yName}` : ''}: ${X.shape[1]} examples, ${X.shape[0]} features)`,
    };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`'${file}': ${(e as Error).message}`);
  }
}

/** Class names in the order the model will use: the file's order if it gives one, else sorted (numerically when all are numbers). */
export function classesOf(data: CliData): string[] {
  if (data.classOrder) return data.classOrder;
  const unique = [...new Set(data.labels ?? [])];
  const allNumeric = unique.every((s) => s.trim() !== '' && Number.isFinite(Number(s)));
  return allNumeric ? unique.sort((a, b) => Number(a) - Number(b)) : unique.sort();
}

/** Maps text labels to class indices of `classes`, naming the first unknown one. */
export function classIndices(labels: readonly string[], classes: readonly string[], where: string): number[] {
  const index = new Map(classes.map((c, i) => [c, i]));
  // Numeric labels match numerically too ('1.0' is class '1').
  const numeric = new Map(classes.filter((c) => Number.isFinite(Number(c))).map((c) => [Number(c), index.get(c)!]));
  return labels.map((label, e) => {
    const i = index.get(label) ?? (Number.isFinite(Number(label)) && label.trim() !== '' ? numeric.get(Number(label)) : undefined);
    if (i === undefined) throw new UsageError(`${where}: example ${e} has label '${label}', which is not one of the model's classes (${classes.join(', ')})`);
    return i;
  });
}
