// Determinism (issue 7; docs/determinism.md has the table these tests print):
//   - the same seed and options give the same save() bytes: twice in one process on fresh kernel modules, and
//     in two separate processes, for the simd and the scalar build;
//   - across the simd and scalar builds, results are bit-identical exactly where both sum in the same order,
//     and within measured bounds where they do not (the SIMD GEMM's dot-product path for A·Bᵀ with < 16 rows or < 8 columns
//     and its GEMV path for one column, SIMD row sums and dot products, two elementwise backward kernels);
//   - inference from the same weights is bit-identical across the two builds for batches of 2 or more.
// The relaxed build is compared in test/relaxed/determinism.test.ts (it needs a Node flag).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Network } from '../../src/network.js';
import { Kernels, TRAINING_CASES, compareKernels, compareTraining, formatComparisons, trainOn, type Comparison } from './determinism-probe.js';
import { mulberry32, randomRows } from '../network/helpers.js';

const TSX = createRequire(import.meta.url).resolve('tsx');
const CHILD = fileURLToPath(new URL('./fixtures/train-hashes.ts', import.meta.url));

/** Kernels whose two builds sum in a different order (or differ only in the sign of zero): see docs/determinism.md. */
const ORDER_DIFFERS = /dot products|GEMV|sum_rows|^dot|activation backward sigmoid|activation backward relu$|^train/;

function childHashes(builds: string[]): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', TSX, CHILD, ...builds], { timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as Record<string, string>);
    });
  });
}

describe('same seed, same options → same bytes', () => {
  it('twice in one process (fresh kernel modules) and in two other processes, simd and scalar builds', async () => {
    const children = Promise.all([childHashes(['simd', 'scalar']), childHashes(['scalar', 'simd'])]);
    const here: Record<string, string> = {};
    for (const build of ['simd', 'scalar'] as const) {
      const [k1, k2] = [await Kernels.load({ build }), await Kernels.load({ build })];
      for (const c of TRAINING_CASES) {
        for (const dtype of ['float32', 'float64'] as const) {
          const a = await trainOn(k1, c, dtype);
          const b = await trainOn(k2, c, dtype);
          expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes)), `${build} ${dtype} ${c.name}`).toBe(true);
          here[`${build} ${dtype} ${c.name}`] = createHash('sha256').update(a.bytes).digest('hex');
        }
      }
    }
    const [p1, p2] = await children;
    expect(p1).toEqual(here);
    expect(p2).toEqual(here);
    console.log(`determinism: ${Object.keys(here).length} training runs (${TRAINING_CASES.length} cases × 2 dtypes × 2 builds): identical save() bytes in this process twice and in 2 child processes`);
  }, 120_000);

  it('the same build twice in one process: every kernel bit-identical', async () => {
    for (const build of ['simd', 'scalar'] as const) {
      const rows = compareKernels(await Kernels.load({ build }), await Kernels.load({ build }));
      expect(rows.filter((r) => !r.identical).map((r) => `${r.name} ${r.dtype}`)).toEqual([]);
    }
  });
});

describe('simd vs scalar build', () => {
  let rows: Comparison[];
  beforeAll(async () => {
    const [simd, scalar] = [await Kernels.load({ build: 'simd' }), await Kernels.load({ build: 'scalar' })];
    rows = [...compareKernels(simd, scalar), ...await compareTraining(simd, scalar)];
    console.log(formatComparisons('simd vs scalar (ratio: of the accumulation bound for gemm and sums; relative for the rest)', rows));
  });

  it('bit-identical wherever both builds compute in the same order', () => {
    const same = rows.filter((r) => !ORDER_DIFFERS.test(r.name));
    expect(same.length).toBeGreaterThan(40);
    expect(same.filter((r) => !r.identical).map((r) => `${r.name} ${r.dtype}`)).toEqual([]);
  });

  it('within the measured bounds where the order differs', () => {
    for (const r of rows.filter((x) => ORDER_DIFFERS.test(x.name))) {
      const what = `${r.name} ${r.dtype}`;
      if (/activation backward relu$/.test(r.name)) expect(r.maxAbs, `${what}: only the sign of zero may differ`).toBe(0);
      else if (/activation backward sigmoid/.test(r.name)) expect(r.maxUlps, what).toBeLessThanOrEqual(1);
      else if (/^train/.test(r.name)) expect(r.maxRatio, what).toBeLessThanOrEqual(r.dtype === 'float32' ? 1e-5 : 1e-13);
      else expect(r.maxRatio, `${what}: fraction of the accumulation bound`).toBeLessThanOrEqual(0.1);
    }
  });

  it('inference from the same weights: bit-identical for batches of 2+, one example (GEMV) within 1e-6 / 1e-15', async () => {
    const r = mulberry32(31);
    const X = randomRows(r, 257, 6, -2, 2);
    const Y = X.map((x) => (x[0]! + x[1]! * x[2]! > 0 ? 1 : 0));
    for (const dtype of ['float32', 'float64'] as const) {
      const trained = await Network.create({ layers: [6, 30, 20, 1], hidden: 'tanh', dtype, seed: 9, kernels: { build: 'scalar' } });
      await trained.fit(X, Y, { epochs: 3, batchSize: 16, optimizer: 'adam', learningRate: 0.01 });
      const bytes = trained.save();
      trained.dispose();
      const [simd, scalar] = await Promise.all([Network.load(bytes, { kernels: { build: 'simd' } }), Network.load(bytes, { kernels: { build: 'scalar' } })]);
      try {
        for (const m of [2, 3, 17, 257]) {
          expect(Buffer.from(simd.predict(X.slice(0, m)).data.buffer).equals(Buffer.from(scalar.predict(X.slice(0, m)).data.buffer)), `${dtype} m = ${m}`).toBe(true);
        }
        let worst = 0;
        for (const x of X.slice(0, 50)) worst = Math.max(worst, Math.abs(simd.predictOne(x)[0]! - scalar.predictOne(x)[0]!));
        console.log(`inference ${dtype}: simd = scalar bit for bit for m ≥ 2; one example (GEMV): max |Δ| ${worst.toExponential(2)}`);
        expect(worst).toBeLessThanOrEqual(dtype === 'float32' ? 1e-6 : 1e-15);
      } finally {
        simd.dispose();
        scalar.dispose();
      }
    }
  });
});
