// The planar job (`npx simdnet train`'s default): [2, 4, 1] tanh, init 'small', rng numpy seed 2, lr 1.2,
// 10000 iterations, f32, one thread. Rounds alternate between the builds in one process; prints the median
// fit time per build, the ratio, the final cost and accuracy, and the load average.
// Usage: npx tsx bench/planar-run.ts [rounds=7] [variants=simd,scalar]; a variant is build or label=build:file.wasm
// (e.g. old=simd:/tmp/old/simdnet.simd.wasm to compare another binary of a build in the same process).
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { Network } from '../src/network.js';
import { loadPlanarDataset } from '../src/data/planar.js';

const rounds = Number(process.argv[2] ?? 7);
const builds = (process.argv[3] ?? 'simd,scalar').split(',');
const kernelsOf = (variant: string) => {
  const [, build, file] = /^(?:[^=]+=)?([a-z]+)(?::(.+))?$/.exec(variant) ?? [];
  return { build: build as 'simd' | 'scalar' | 'relaxed', ...(file ? { source: readFileSync(file) } : {}) };
};
const { X, Y } = loadPlanarDataset();
const times = new Map<string, number[]>(builds.map((b) => [b, []]));
const load0 = os.loadavg()[0]!;
let summary = '';
for (let r = 0; r < rounds + 1; r++) {
  for (const build of r % 2 ? [...builds].reverse() : builds) { // the order alternates between rounds
    const net = await Network.create({ layers: [2, 4, 1], hidden: 'tanh', init: 'small', rng: 'numpy', seed: 2, kernels: kernelsOf(build) });
    const h = await net.fit(X, Y, { iterations: 10000, learningRate: 1.2, layout: 'features-first' });
    if (r > 0) times.get(build)!.push(h.timeMs); // round 0 warms up
    if (r === rounds) summary += `  ${build}: cost ${h.costs.at(-1)!.cost.toFixed(6)}, accuracy ${net.evaluate(X, Y, { layout: 'features-first' }).accuracy}\n`;
    net.dispose();
  }
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
console.log(`planar [2,4,1] tanh, 10000 iterations, f32; ${rounds} alternating rounds; load average ${load0.toFixed(2)} → ${os.loadavg()[0]!.toFixed(2)}`);
for (const b of builds) {
  const t = times.get(b)!;
  console.log(`  ${b.padEnd(8)} fit median ${(med(t) / 1000).toFixed(4)} s (min ${(Math.min(...t) / 1000).toFixed(4)}, max ${(Math.max(...t) / 1000).toFixed(4)})` +
    (b !== builds[0] ? `  ${(med(t) / med(times.get(builds[0]!)!)).toFixed(2)}× ${builds[0]}` : ''));
}
process.stdout.write(summary);
