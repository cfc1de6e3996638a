// Alternating rounds: every contender of a workload is timed once per round, in an order that rotates
// from round to round, so a burst of outside load (this VM is shared) hits all of them rather than
// one. Each round is its own tinybench run (warm-up right before the samples); the samples of all
// rounds are pooled per contender, and each round's median is kept to show the drift.
import { Bench, type BenchOptions } from 'tinybench';
import { stats } from '../peers/common.js';
import { clamp, fmtMs, log } from './util.js';

export interface RoundConfig {
  /** Rounds per workload. */
  rounds: number;
  /** Sampling time per contender per round for calls under slowCallMs. */
  fastRoundMs: number;
  /** Calls at least this slow get a fixed number of samples per round instead of a time budget. */
  slowCallMs: number;
  /** About this much sampling per slow contender per round, between 1 and maxSlowSamples samples. */
  slowRoundMs: number;
  maxSlowSamples: number;
  /** Calls at least this slow are capped: one sample per round, in at most cappedRounds rounds. */
  cappedCallMs: number;
  cappedRounds: number;
}

export interface Timed {
  /** One call, or `reps` calls for a burst sample. */
  fn: () => unknown;
  async: boolean;
  /** Called before each of its rounds (e.g. to switch the tfjs backend). */
  activate?: () => Promise<void>;
  /** Calls per timed sample; latency per call = sample / reps. */
  reps: number;
  /** Duration of one sample as probed before the rounds (sizes the sampling). */
  probeMs: number;
  samples: number[];
  roundMedians: number[];
  /** A contender timed outside this process (numpy): one round of it, returning its samples in ms. */
  external?: () => Promise<number[]>;
}

/** True when the contender only gets one sample in a few rounds. */
export function isCapped(t: Timed, config: RoundConfig): boolean {
  return t.probeMs >= config.cappedCallMs;
}

async function runRound(name: string, t: Timed, config: RoundConfig): Promise<void> {
  if (t.external) {
    const samples = await t.external();
    t.samples.push(...samples);
    t.roundMedians.push(stats(samples).median);
    return;
  }
  await t.activate?.();
  const capped = isCapped(t, config);
  const slow = t.probeMs >= config.slowCallMs;
  const options: BenchOptions = capped
    ? { time: 0, iterations: 1, warmup: false }
    : slow
      ? { time: 0, iterations: clamp(Math.round(config.slowRoundMs / t.probeMs), 1, config.maxSlowSamples), warmup: false }
      : { time: config.fastRoundMs, iterations: 5, warmupTime: 50, warmupIterations: 3 };
  const bench = new Bench({ ...options, retainSamples: true, throws: true });
  if (t.async) bench.add(name, t.fn as () => Promise<unknown>, { async: true });
  else bench.add(name, t.fn as () => unknown, { async: false });
  await bench.run();
  const result = bench.tasks[0]!.result;
  if (result.state !== 'completed') {
    throw new Error(`${name}: tinybench task ended in state '${result.state}'`, { cause: 'error' in result ? result.error : undefined });
  }
  const samples = (result.latency.samples ?? []).map((s) => s / t.reps);
  t.samples.push(...samples);
  t.roundMedians.push(stats(samples).median);
}

/** Runs config.rounds rounds over every contender (capped ones drop out after cappedRounds). */
export async function alternate(workload: string, timed: Map<string, Timed>, config: RoundConfig): Promise<void> {
  const names = [...timed.keys()];
  for (let round = 0; round < config.rounds; round++) {
    // Rotate the order so no contender always runs first (or right after the same neighbour).
    const order = names.map((_, i) => names[(i + round) % names.length]!);
    const ran: string[] = [];
    for (const name of order) {
      const t = timed.get(name)!;
      if (isCapped(t, config) && t.roundMedians.length >= config.cappedRounds) continue;
      await runRound(`${workload} ${name}`, t, config);
      ran.push(name);
    }
    log(`  ${workload}: round ${round + 1}/${config.rounds} — ${names.filter((n) => ran.includes(n)).map((n) => `${n} ${fmtMs(timed.get(n)!.roundMedians.at(-1)!)}`).join(', ')}`);
  }
}
