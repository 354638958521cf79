/*
 * Clocks and statistics for the benchmarks.
 *
 * Machines are noisy, so nothing here is a single timing: every contestant
 * runs once per round next to its baseline, in the same process, the order
 * of the contestants rotating from round to round so that none always runs
 * first (cold caches) or last (after the others' garbage). A result is the
 * median over the rounds of ns per operation, and the median over the rounds
 * of the ratio to the baseline measured in that same round: a slow round
 * slows both sides of its ratio.
 */
import { hrtime } from 'node:process';

const origin = hrtime.bigint();

/** Nanoseconds since this module loaded (a double: exact for 104 days). Never call it inside a timed loop. */
export function nowNs(): number {
  return Number(hrtime.bigint() - origin);
}

/** The median of `xs` (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of no samples');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** One contestant: `run()` does one round of its workload and returns ns per operation. */
export interface Trial {
  readonly name: string;
  run(): number;
}

/** The samples of one trial and their summary. */
export interface TrialResult {
  readonly name: string;
  /** ns per operation, one per timed round. */
  readonly samples: number[];
  /** Median ns per operation. */
  readonly median: number;
  /** Median over rounds of (this trial / the baseline in the same round); 1 for the baseline. */
  readonly ratio: number;
}

/** How many rounds to run, and a hook called after each (for a progress bar). */
export interface RoundOptions {
  readonly rounds: number;
  /** Untimed rounds first, for the JIT to settle (default 1). */
  readonly warmup?: number;
  readonly onRound?: (done: number, total: number) => void;
}

/**
 * Runs `baseline` and `trials` side by side for `rounds` timed rounds after
 * `warmup` untimed ones, rotating their order each round. Returns the
 * baseline's result first, then the trials' in the order given.
 */
export function compare(baseline: Trial, trials: readonly Trial[], options: RoundOptions): TrialResult[] {
  const all = [baseline, ...trials];
  const warmup = options.warmup ?? 1;
  const total = warmup + options.rounds;
  const samples = all.map(() => [] as number[]);
  for (let r = 0; r < total; r++) {
    const ns = new Array<number>(all.length);
    for (let k = 0; k < all.length; k++) {
      const i = (k + r) % all.length;
      ns[i] = all[i]!.run();
    }
    if (r >= warmup) for (let i = 0; i < all.length; i++) samples[i]!.push(ns[i]!);
    options.onRound?.(r + 1, total);
  }
  const base = samples[0]!;
  return all.map((t, i) => ({
    name: t.name,
    samples: samples[i]!,
    median: median(samples[i]!),
    ratio: median(samples[i]!.map((x, k) => x / base[k]!)),
  }));
}
