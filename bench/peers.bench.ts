// `npm run bench:peers`: the peers section of the whole benchmark alone (bench/sections/peers.ts);
// results in bench/results/bench-peers-<ISO date>.json and bench-peers-latest.json.
//
//   node --import tsx bench/peers.bench.ts [--quick] [--no-numpy]   (lib/relaxed-flag.ts: relaxed SIMD on Node 20)
import './lib/relaxed-flag.js';
import { runBench } from './run.js';

await runBench(process.argv.slice(2), ['peers']);
