// Writes the course's preprocessed cat training set (simdnet's HDF5 reader) as raw little-endian float64
// for bench/numpy/cat_deep_run.py on machines without h5py. Usage: npx tsx bench/numpy/dump_cat.ts OUT_DIR
import { mkdir, writeFile } from 'node:fs/promises';
import { loadCatDataset } from '../../src/data/hdf5.js';

const out = process.argv[2] ?? '/tmp/simdnet-cat';
const d = await loadCatDataset(new URL('../../../shared/data/catvnoncat/', import.meta.url));
await mkdir(out, { recursive: true });
await writeFile(`${out}/train_x.f64`, new Uint8Array(d.trainX.data.buffer));
await writeFile(`${out}/train_y.f64`, new Uint8Array(d.trainY.data.buffer));
console.log(`wrote ${out}/train_x.f64 (${d.trainX.shape.join('×')}) and train_y.f64`);
