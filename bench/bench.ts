// `npm run bench`: the whole benchmark (issue 4) in one node process — GEMM, then training and
// prediction against the peers — with alternating rounds, medians, min–max and the ratio to each
// peer; one markdown table per section on stdout, JSON in bench/results/bench-<ISO date>.json and
// bench/results/bench-latest.json. See bench/run.ts for the flags (--quick, --no-numpy, --only=…).
//
//   node --import tsx bench/bench.ts [--quick]
//
// Node 20 validates the relaxed-SIMD build only with --experimental-wasm-relaxed-simd: lib/relaxed-flag.ts
// sets it in-process (Node 22 and later refuse the flag on the command line and need none).
import './lib/relaxed-flag.js';
import { runBench } from './run.js';

await runBench(process.argv.slice(2));
