// WASM SIMD ceiling microkernel: what GEMM's inner loop can at best sustain in this engine, measured
// in the same process as the GEMMs it is compared with.
//
// A loop of vector multiplies and adds with no loads or stores. Each accumulator is one chain
// acc = acc·m + c (f32x4.mul then f32x4.add, or one f32x4.relaxed_madd: 8 f32 flops per iteration
// either way), so one chain is latency-bound; enough independent chains hide that latency and fill
// every FP pipe, and too many spill out of the 16 XMM registers V8 allocates on x64, so several
// counts are tried and the best is the ceiling. m and c come in as parameters (nothing to
// constant-fold); with m < 1 the chains converge to c/(1−m) = 1, so no overflow or denormals;
// returning lane 0 of the sum of all accumulators keeps every chain live, so no engine can drop the work.
import { Bench, type BenchOptions } from 'tinybench';
import { log } from './util.js';

/** f32x4 / f64x2 with separate mul and add; relaxed: f32x4.relaxed_madd (fused where the CPU has FMA). */
export type Lanes = 'f32x4' | 'f64x2' | 'f32x4-relaxed';
const LANE_COUNT: Record<Lanes, number> = { 'f32x4': 4, 'f64x2': 2, 'f32x4-relaxed': 4 };

export interface Latency {
  /** All in milliseconds. */
  mean: number;
  median: number;
  min: number;
  max: number;
  p75: number;
  p99: number;
  sd: number;
  /** Relative margin of error of the mean, in percent. */
  rme: number;
  samplesCount: number;
  samples: number[];
}

/** Times fn in its own Bench (so warm-up directly precedes sampling) and returns its latency stats. */
export async function measure(name: string, fn: () => void, options: BenchOptions): Promise<Latency> {
  const bench = new Bench({ ...options, retainSamples: true, throws: true });
  bench.add(name, fn, { async: false });
  await bench.run();
  const result = bench.tasks[0]!.result;
  if (result.state !== 'completed') {
    throw new Error(`${name}: tinybench task ended in state '${result.state}'`, { cause: 'error' in result ? result.error : undefined });
  }
  const l = result.latency;
  return {
    mean: l.mean, median: l.p50, min: l.min, max: l.max, p75: l.p75, p99: l.p99, sd: l.sd, rme: l.rme,
    samplesCount: l.samplesCount, samples: l.samples ? [...l.samples] : [],
  };
}

/** WAT of `run(n, m, c) → lane 0 of Σ acc` with `accumulators` independent chains. */
export function ceilingWat(lanes: Lanes, accumulators: number): string {
  const shape = lanes === 'f64x2' ? 'f64x2' : 'f32x4';
  const scalar = lanes === 'f64x2' ? 'f64' : 'f32';
  const accs = Array.from({ length: accumulators }, (_, i) => `$a${i}`);
  const init = accs.map((a, i) => `(local.set ${a} (${shape}.splat (${scalar}.const ${1 + i / 64})))`);
  const step = accs.map((a) => lanes === 'f32x4-relaxed'
    ? `(local.set ${a} (f32x4.relaxed_madd (local.get ${a}) (local.get $m) (local.get $c)))`
    : `(local.set ${a} (${shape}.add (${shape}.mul (local.get ${a}) (local.get $m)) (local.get $c)))`);
  const sum = accs.slice(1).reduce((acc, a) => `(${shape}.add ${acc} (local.get ${a}))`, `(local.get ${accs[0]})`);
  return `(module
  (func (export "run") (param $n i32) (param $mul ${scalar}) (param $add ${scalar}) (result ${scalar})
    (local $m v128) (local $c v128) ${accs.map((a) => `(local ${a} v128)`).join(' ')}
    (local.set $m (${shape}.splat (local.get $mul)))
    (local.set $c (${shape}.splat (local.get $add)))
    ${init.join('\n    ')}
    (loop $body
      ${step.join('\n      ')}
      (br_if $body (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (${shape}.extract_lane 0 ${sum})))`;
}

type CeilingFn = (n: number, mul: number, add: number) => number;

/** Compiles one ceiling kernel; throws when the host cannot validate it (relaxed SIMD without the flag). */
async function compileCeiling(lanes: Lanes, accumulators: number): Promise<CeilingFn> {
  const wabt = await (await import('wabt')).default();
  const parsed = wabt.parseWat(`ceiling-${lanes}-${accumulators}.wat`, ceilingWat(lanes, accumulators),
    { simd: true, relaxed_simd: lanes === 'f32x4-relaxed' });
  try {
    parsed.validate();
    const bytes = new Uint8Array(parsed.toBinary({}).buffer); // copy: a plain ArrayBuffer-backed BufferSource
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    return instance.exports.run as CeilingFn;
  } finally {
    parsed.destroy();
  }
}

export interface CeilingRun {
  lanes: Lanes;
  accumulators: number;
  /** Loop iterations per call. */
  iterations: number;
  flopsPerCall: number;
  latency: Latency;
  gflops: number;
}

export interface Ceiling {
  lanes: Lanes;
  gflops: number;
  accumulators: number;
  runs: CeilingRun[];
}

export interface CeilingOptions {
  /** Accumulator counts tried; the best is the ceiling. */
  accumulators: number[];
  /** Target duration of one call. */
  callMs: number;
  /** tinybench sampling time per accumulator count. */
  timeMs: number;
}

export const DEFAULT_CEILING: CeilingOptions = { accumulators: [8, 10, 12, 14, 16], callMs: 20, timeMs: 1000 };

/** Values returned by the ceiling calls, kept so they are observably used. */
export const ceilingSink = { value: 0 };

async function measureCeiling(lanes: Lanes, accumulators: number, o: CeilingOptions): Promise<CeilingRun> {
  const run = await compileCeiling(lanes, accumulators);
  const flopsPerIteration = 2 * LANE_COUNT[lanes] * accumulators;
  // Calibrate the loop count so one call takes about callMs (after tier-up).
  for (let i = 0; i < 3; i++) ceilingSink.value += run(1e6, 0.9999, 1e-4);
  const t0 = performance.now();
  ceilingSink.value += run(1e6, 0.9999, 1e-4);
  const perIterationMs = (performance.now() - t0) / 1e6;
  const iterations = Math.max(1e5, Math.round(o.callMs / perIterationMs));
  const latency = await measure(`ceiling ${lanes}×${accumulators}`, () => { ceilingSink.value += run(iterations, 0.9999, 1e-4); },
    { time: o.timeMs, iterations: 10, warmupTime: 100, warmupIterations: 3 });
  const flopsPerCall = flopsPerIteration * iterations;
  return { lanes, accumulators, iterations, flopsPerCall, latency, gflops: flopsPerCall / (latency.median * 1e6) };
}

/** The best of the accumulator counts tried. */
export async function ceilingFor(lanes: Lanes, options: CeilingOptions = DEFAULT_CEILING): Promise<Ceiling> {
  const runs: CeilingRun[] = [];
  for (const accumulators of options.accumulators) {
    const r = await measureCeiling(lanes, accumulators, options);
    log(`  ceiling ${lanes} × ${accumulators} accumulators: ${r.gflops.toFixed(1)} GFLOP/s`);
    runs.push(r);
  }
  const best = runs.reduce((x, y) => (y.gflops > x.gflops ? y : x));
  return { lanes, gflops: best.gflops, accumulators: best.accumulators, runs };
}

/** "51.4 GFLOP/s f32x4 (best of 8 acc: 40.1, 10 acc: 48.0, …)". */
export function ceilingLine(c: Ceiling): string {
  return `${c.gflops.toFixed(1)} GFLOP/s ${c.lanes} (best of ${c.runs.map((r) => `${r.accumulators} acc: ${r.gflops.toFixed(1)}`).join(', ')})`;
}

// ---------------------------------------------------------------------------------------------
// The tile loop: what a GEMM's inner loop reaches once it must also load its operands.
//
// The ceiling above has no loads. A GEMM's 4×2 register tile (assembly/gemm.ts tileSimdPacked) loads, per k
// step, four A values (v128.load32_splat) and two B vectors, then does 8 multiplies and 8 adds. This is that
// loop alone, over a packed A tile (256 steps × 16 bytes) and a B panel (256 × 32 bytes) that stay in L1, so
// no cache miss, packing or write-back counts: on engines and CPUs where loads cost issue slots, it is the
// speed no f32x4 tile of this shape can beat, and GEMM rows are also quoted as a fraction of it.

/** WAT of `run(passes) → lane 0 of Σ acc`: `passes` × 256 k steps of the 4×2 f32x4 tile (mul then add). */
export function tileLoopWat(): string {
  const accs = ['c00', 'c01', 'c10', 'c11', 'c20', 'c21', 'c30', 'c31'];
  const step = [0, 1, 2, 3].flatMap((r) => [
    `(local.set $x (v128.load32_splat offset=${r * 4} (local.get $a)))`,
    `(local.set $c${r}0 (f32x4.add (local.get $c${r}0) (f32x4.mul (local.get $x) (local.get $b0))))`,
    `(local.set $c${r}1 (f32x4.add (local.get $c${r}1) (f32x4.mul (local.get $x) (local.get $b1))))`,
  ]);
  const sum = accs.slice(1).reduce((acc, a) => `(f32x4.add ${acc} (local.get $${a}))`, `(local.get $${accs[0]})`);
  return `(module
  (memory 1)
  (func (export "run") (param $n i32) (result f32)
    (local $a i32) (local $b i32) (local $end i32) (local $x v128) (local $b0 v128) (local $b1 v128)
    ${accs.map((a) => `(local $${a} v128)`).join(' ')}
    (loop $pass
      (local.set $a (i32.const 0))
      (local.set $b (i32.const 8192))
      (local.set $end (i32.const 4096))
      (loop $k
        (local.set $b0 (v128.load (local.get $b)))
        (local.set $b1 (v128.load offset=16 (local.get $b)))
        ${step.join('\n        ')}
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 32)))
        (br_if $k (i32.lt_u (local.get $a) (local.get $end))))
      (br_if $pass (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (f32x4.extract_lane 0 ${sum})))`;
}

/** Compiles the tile loop: run(passes) → lane 0 of its accumulators' sum. */
async function compileTileLoop(): Promise<(n: number) => number> {
  const wabt = await (await import('wabt')).default();
  const parsed = wabt.parseWat('tile-loop.wat', tileLoopWat(), { simd: true });
  try {
    parsed.validate();
    const instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(parsed.toBinary({}).buffer)), {});
    return instance.exports.run as (n: number) => number;
  } finally {
    parsed.destroy();
  }
}

/** Flops of one pass of the tile loop: 256 k steps × 64 (8 multiplies and 8 adds of 4 lanes). */
const TILE_FLOPS_PER_PASS = 256 * 64;

/** The tile loop's GFLOP/s (f32, one thread), timed like the ceiling. */
export async function tileLoopFor(options: CeilingOptions = DEFAULT_CEILING): Promise<{ gflops: number; latency: Latency }> {
  const run = await compileTileLoop();
  for (let i = 0; i < 3; i++) ceilingSink.value += run(1000);
  const t0 = performance.now();
  ceilingSink.value += run(1000);
  const passes = Math.max(100, Math.round(options.callMs / ((performance.now() - t0) / 1000)));
  const latency = await measure('tile loop', () => { ceilingSink.value += run(passes); },
    { time: options.timeMs, iterations: 10, warmupTime: 100, warmupIterations: 3 });
  const gflops = (TILE_FLOPS_PER_PASS * passes) / (latency.median * 1e6);
  log(`  tile loop (4×2 f32x4, operands in L1): ${gflops.toFixed(1)} GFLOP/s`);
  return { gflops, latency };
}

// ---------------------------------------------------------------------------------------------
// Paired fractions. On a shared VM the speed of the same code drifts by 10–40 % in phases seconds long, so a
// GEMM timed in one minute and a ceiling timed in another give a fraction that is mostly the phase. Here a
// reference kernel and the GEMM run back to back, each call a few milliseconds, the pair's order alternating;
// the fraction of each pair is taken and the median reported. A phase then slows both sides of a pair.

/** A reference kernel (ceiling or tile loop) sized to about `ms` per call. */
export interface RefKernel {
  name: string;
  call: () => void;
  /** Flops of one call. */
  flops: number;
}

/** Times one call of fn in ms (performance.now, sub-millisecond resolution in Node). */
function timeOnce(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/** The ceiling kernel of `lanes` with `accumulators` chains, one call ≈ ms milliseconds. */
export async function ceilingKernel(lanes: Lanes, accumulators: number, ms: number): Promise<RefKernel> {
  const run = await compileCeiling(lanes, accumulators);
  for (let i = 0; i < 3; i++) ceilingSink.value += run(1e5, 0.9999, 1e-4);
  const perIteration = Math.min(...[0, 1, 2].map(() => timeOnce(() => { ceilingSink.value += run(1e5, 0.9999, 1e-4); }))) / 1e5;
  const iterations = Math.max(1000, Math.round(ms / perIteration));
  return {
    name: `ceiling ${lanes} × ${accumulators}`,
    call: () => { ceilingSink.value += run(iterations, 0.9999, 1e-4); },
    flops: 2 * LANE_COUNT[lanes] * accumulators * iterations,
  };
}

/** The tile loop, one call ≈ ms milliseconds. */
export async function tileLoopKernel(ms: number): Promise<RefKernel> {
  const run = await compileTileLoop();
  for (let i = 0; i < 3; i++) ceilingSink.value += run(100);
  const perPass = Math.min(...[0, 1, 2].map(() => timeOnce(() => { ceilingSink.value += run(100); }))) / 100;
  const passes = Math.max(10, Math.round(ms / perPass));
  return { name: 'tile loop', call: () => { ceilingSink.value += run(passes); }, flops: TILE_FLOPS_PER_PASS * passes };
}

export interface PairedFraction {
  /** Median over pairs of (GEMM GFLOP/s ÷ reference GFLOP/s), as a fraction. */
  median: number;
  min: number;
  max: number;
  pairs: number;
  /** Median GFLOP/s of the reference over the pairs. */
  refGflops: number;
}

/**
 * `pairs` back-to-back (reference, GEMM) pairs, alternating which goes first, after one warm-up of each.
 * `call` runs `reps` GEMMs of `flops` each (enough for a few milliseconds); `scale` multiplies the reference's
 * rate (the number of threads for a threaded GEMM held to that many single-thread ceilings). Each timed GEMM
 * call follows an untimed one, as in a training loop or the bench's rounds: a thread pool's workers park
 * while the reference runs, and the first call after that would also time their wake-up.
 */
export function pairedFraction(ref: RefKernel, call: () => void, flops: number, pairs: number, scale = 1): PairedFraction {
  ref.call();
  call();
  const fractions: number[] = [];
  const refRates: number[] = [];
  for (let i = 0; i < pairs; i++) {
    let tRef: number, tGemm: number;
    if (i % 2 === 0) {
      tRef = timeOnce(ref.call);
      call();
      tGemm = timeOnce(call);
    } else {
      call();
      tGemm = timeOnce(call);
      tRef = timeOnce(ref.call);
    }
    const refRate = ref.flops / tRef;
    refRates.push(refRate / 1e6);
    fractions.push((flops / tGemm) / (scale * refRate));
  }
  const sorted = [...fractions].sort((a, b) => a - b);
  const rates = [...refRates].sort((a, b) => a - b);
  return { median: sorted[sorted.length >> 1]!, min: sorted[0]!, max: sorted[sorted.length - 1]!, pairs, refGflops: rates[rates.length >> 1]! };
}
