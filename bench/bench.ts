// `npm run bench`: the whole benchmark (issue 4) in one node process — GEMM, then training and
// prediction against the peers — with alternating rounds, medians, min–max and the ratio to each
// peer; one markdown table per section on stdout, JSON in bench/results/bench-<ISO date>.json and
// bench/results/bench-latest.json. See bench/run.ts for the flags (--quick, --no-numpy, --only=…).
//
//   node --experimental-wasm-relaxed-simd --import tsx bench/bench.ts [--quick]
//
// Node 20 validates the relaxed-SIMD build only with --experimental-wasm-relaxed-simd (the npm
// script passes it); without it the relaxed rows say "n/a (host lacks relaxed SIMD)".
import { runBench } from './run.js';

await runBench(process.argv.slice(2));
