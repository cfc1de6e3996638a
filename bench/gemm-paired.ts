// One GEMM shape after another, each held to the tile loop and the mul+add ceiling call by call
// (bench/lib/ceiling.ts pairedFraction): how far a shape is from what its inner loop can do, on a VM
// whose speed drifts in phases. Includes the cat net's W·X at depths 1024, 4096 and 12288 (X in L2,
// in L3, beyond) to show what streaming X costs. f32, simd build, one thread.
// Usage: npx tsx bench/gemm-paired.ts [pairs=31] [shape ...]   (shapes: the keys of SHAPES)
import os from 'node:os';
import { Kernels } from '../src/kernels.js';
import { ceilingKernel, pairedFraction, tileLoopKernel } from './lib/ceiling.js';

/** transA, transB, m, n, k. */
const SHAPES: Record<string, [boolean, boolean, number, number, number]> = {
  'NN-256': [false, false, 256, 256, 256],
  'NN-512': [false, false, 512, 512, 512],
  'NN-mlp': [false, false, 128, 128, 784],
  'NN-cat-k1024': [false, false, 20, 209, 1024],
  'NN-cat-k4096': [false, false, 20, 209, 4096],
  'NN-cat': [false, false, 20, 209, 12288],
  'NT-cat-n1024': [false, true, 20, 1024, 209],
  'NT-cat': [false, true, 20, 12288, 209],
};

const args = process.argv.slice(2);
const pairs = args[0] !== undefined && /^\d+$/.test(args[0]) ? Number(args.shift()) : 31;
const names = args.length > 0 ? args : Object.keys(SHAPES);
for (const name of names) if (!(name in SHAPES)) throw new Error(`unknown shape '${name}' (expected one of ${Object.keys(SHAPES).join(', ')})`);

const K = await Kernels.load({ build: 'simd' });
const tile = await tileLoopKernel(3);
const ceiling = await ceilingKernel('f32x4', 12, 3);
console.log(`${new Date().toISOString()} · ${os.cpus()[0]?.model ?? 'cpu'} · load average ${os.loadavg()[0]!.toFixed(2)} · ${pairs} pairs per reference`);
for (const name of names) {
  const [tA, tB, m, n, k] = SHAPES[name]!;
  const a = K.tensor(tA ? k : m, tA ? m : k, 'float32', Float32Array.from({ length: m * k }, (_, i) => Math.sin(i) * 0.5));
  const b = K.tensor(tB ? n : k, tB ? k : n, 'float32', Float32Array.from({ length: k * n }, (_, i) => Math.cos(i) * 0.5));
  const c = K.tensor(m, n, 'float32');
  const one = (): void => { K.gemm(tA, tB, 1, a, b, 0, c); };
  one();
  const t0 = performance.now();
  one();
  const reps = Math.max(1, Math.ceil(3 / (performance.now() - t0)));
  const call = (): void => { for (let r = 0; r < reps; r++) one(); };
  const flops = reps * 2 * m * n * k;
  const ofTile = pairedFraction(tile, call, flops, pairs);
  const ofCeiling = pairedFraction(ceiling, call, flops, pairs);
  const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
  console.log(`${name.padEnd(13)} ${`${m}×${k}·${k}×${n}${tB ? ' (Bᵀ)' : ''}`.padEnd(22)} ${pct(ofTile.median).padStart(7)} of the tile loop (${pct(ofTile.min)}–${pct(ofTile.max)}; loop ${ofTile.refGflops.toFixed(1)} GFLOP/s)  ${pct(ofCeiling.median).padStart(7)} of the ceiling (${ofCeiling.refGflops.toFixed(1)} GFLOP/s)`);
  a.dispose(); b.dispose(); c.dispose();
}
K.dispose();
