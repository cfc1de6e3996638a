// Does this process disturb the numpy reference it spawns? The peers section prepares its problems
// (HDF5 cat data through h5wasm, 2.6 M-value arrays) and then runs bench/numpy/cat_step.py at once.
// Alternating rounds in one process: (a) spawn right after preparing, as the bench did; (b) the same
// after quiesce() (wait until this process's own threads idle). For each run: numpy's cat-step median
// and the CPU time this process used while numpy ran (its main thread is blocked in spawnSync, so that
// CPU is background work — GC, compilation, workers — competing for the two cores).
// Usage: npx tsx bench/numpy-disturbance.ts [rounds=3]
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { oneThreadEnv, processCpuMs, quiesce } from './lib/util.js';
import { dumpInputs, makeProblems } from './sections/peers.js';

const rounds = Number(process.argv[2] ?? 3);
const script = fileURLToPath(new URL('./numpy/cat_step.py', import.meta.url));
const out: Record<string, { cat: number[]; mlp: number[]; ourCpuMs: number[] }> = {};
for (let r = 0; r < rounds; r++) {
  for (const mode of ['immediately', 'after quiesce'] as const) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'simdnet-disturb-'));
    await dumpInputs(dir, await makeProblems());
    if (mode === 'after quiesce') await quiesce();
    const c0 = processCpuMs();
    const res = spawnSync('python3', [script, '--inputs', dir, '--out', path.join(dir, 'r.json'), '--quick'], { stdio: ['ignore', 'ignore', 'ignore'], env: oneThreadEnv() });
    const ours = processCpuMs() - c0;
    if (res.status !== 0) throw new Error(`cat_step.py failed: ${res.status}`);
    const rep = JSON.parse(await readFile(path.join(dir, 'r.json'), 'utf8')) as { cat: { median_ms: number }; mlp: { median_ms: number } };
    const o = (out[mode] ??= { cat: [], mlp: [], ourCpuMs: [] });
    o.cat.push(rep.cat.median_ms); o.mlp.push(rep.mlp.median_ms); o.ourCpuMs.push(ours);
    console.error(`round ${r + 1} ${mode}: numpy cat ${rep.cat.median_ms.toFixed(2)} ms, mlp ${rep.mlp.median_ms.toFixed(2)} ms; this process used ${ours.toFixed(0)} ms CPU meanwhile; load ${os.loadavg()[0]!.toFixed(2)}`);
    await rm(dir, { recursive: true, force: true });
  }
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
for (const [mode, o] of Object.entries(out)) {
  console.log(`${mode.padEnd(14)} numpy cat median of medians ${med(o.cat).toFixed(2)} ms, mlp ${med(o.mlp).toFixed(2)} ms; our CPU during numpy ${o.ourCpuMs.map((x) => x.toFixed(0)).join(', ')} ms`);
}
