/*
 * The allocator benchmarks: `npm run bench` (node dist/bench/run.js), or
 * `node dist/bench/run.js --quick` for a smoke run with few rounds.
 * Markdown tables on stdout (bench/RESULTS.md is made from them), a progress
 * bar on stderr only when it is a terminal, and the summary (summary.ts) as
 * JSON to `--json FILE` (a full run without --json: bench/results/summary.json).
 *
 *   p1         allocate and free at once, 64 B and 512 B          pairs.ts
 *   p2         10k and 100k live blocks of 1..512 B, random order mixed.ts
 *   checkFree  what pointer validation on free costs               checkCost.ts
 *   RSS        100 MiB of 64-byte blocks, one child per allocator  rss.ts
 *   V8         typed arrays before and after the first detach     detach.ts
 *   aims       the targets, next to the numbers                   aims.ts
 *   objects    object workloads against CPython 3.11 (python3)    objects.ts
 *   gc         the cyclic collector against CPython 3.11           gc.ts
 *   replay     shared traces against glibc-native; test_json rate  replay.ts
 *   run        `pymem run` against python3 on bench/run/*.py       runPrograms.ts
 *
 * Every time is a median over rounds, every ratio one against a baseline
 * timed in the same rounds of the same process (timing.ts).
 *
 * Before timing anything, pymem unmaps arenas a user holds views of (v8.ts):
 * their views are detached, and the first detach in a process slows every
 * typed-array access afterwards; that is the state a long-running program
 * with views is in.
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { progressBar } from '../lib/tools/progress.js';
import { aimsTable } from './aims.js';
import { runCheckCost } from './checkCost.js';
import { runDetach } from './detach.js';
import { runMixed } from './mixed.js';
import { runGcBench } from './gc.js';
import { runObjects } from './objects.js';
import { runPairs } from './pairs.js';
import { runReplayBench } from './replay.js';
import { runProgramsBench } from './runPrograms.js';
import { runRss } from './rss.js';
import { benchSummary, writeSummary } from './summary.js';
import { nowNs } from './timing.js';
import { cycleArenas } from './v8.js';

const quick = process.argv.includes('--quick');
const jsonAt = process.argv.indexOf('--json');
const jsonPath = jsonAt >= 0 ? process.argv[jsonAt + 1] : quick ? undefined : 'bench/results/summary.json';
if (jsonAt >= 0 && (jsonPath === undefined || jsonPath.startsWith('--'))) {
  process.stderr.write('usage: node dist/bench/run.js [--quick] [--json FILE]\n');
  process.exit(2);
}
const config = quick
  ? { pairN: 50_000, rounds: 3, warmup: 1, mixedRounds: 3, memPoolBudgetNs: 1e9, detachPairs: 1, objects: { n: 100_000, runs: 1, rounds: 1, warmup: 1 }, gc: { n: 100_000, runs: 1, rounds: 1, warmup: 1, profile: false }, replayRuns: 1, runRounds: 1 }
  : { pairN: 300_000, rounds: 11, warmup: 2, mixedRounds: 15, memPoolBudgetNs: 10e9, detachPairs: 3, objects: { n: 1_000_000, runs: 3, rounds: 1, warmup: 1 }, gc: { n: 1_000_000, runs: 3, rounds: 3, warmup: 1 }, replayRuns: 3, runRounds: 5 };

/** Runs `f` under a progress bar labelled `label`. */
async function section<T>(label: string, f: (onRound: (done: number, total: number) => void) => T | Promise<T>): Promise<T> {
  const bar = progressBar(label.padEnd(10));
  try {
    return await f((done, total) => bar.update(done, total));
  } finally {
    bar.done();
  }
}

async function main(): Promise<void> {
  const start = nowNs();
  const out = (s: string): void => void process.stdout.write(`${s}\n\n`);
  const unmapped = cycleArenas(true);
  out(
    [
      '## pymem allocator benchmarks',
      '',
      `- date: ${new Date().toISOString()}`,
      `- machine: ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, ${process.platform}-${process.arch}`,
      `- load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (1, 5, 15 min; other processes share the CPUs)`,
      `- mode: ${quick ? 'quick (smoke run; numbers are rough)' : 'full'}`,
      `- before any timing, pymem unmapped ${unmapped} arena(s) holding users' views, detaching the views: every table below is timed in that state (see the V8 section).`,
    ].join('\n'),
  );

  const pairs = await section('p1', (onRound) =>
    runPairs({ sizes: [64, 512], n: config.pairN, rounds: config.rounds, warmup: config.warmup, onRound }),
  );
  out(pairs.markdown);

  const mixed = await section('p2', (onRound) =>
    runMixed(
      [
        { n: 10_000, rounds: config.rounds, warmup: config.warmup },
        { n: 100_000, rounds: config.mixedRounds, warmup: 1, memPoolBudgetNs: config.memPoolBudgetNs },
      ],
      onRound,
    ),
  );
  out(mixed.markdown);

  const check = await section('checkFree', (onRound) =>
    runCheckCost({
      pairSizes: [64, 512],
      pairN: config.pairN,
      pairRounds: config.rounds,
      mixedN: 100_000,
      mixedRounds: config.mixedRounds,
      warmup: config.warmup,
      onRound,
    }),
  );
  out(check.markdown);

  const rss = await section('RSS', (onDone) => runRss(onDone));
  out(rss.markdown);

  const detach = await section('V8', (onDone) => runDetach(config.pairN, config.rounds, config.detachPairs, onDone));
  out(detach.markdown);

  out(aimsTable(pairs.results, mixed.results, rss.reports));

  const objects = await section('objects', (onDone) => runObjects(config.objects, onDone));
  out(objects.markdown);

  const gcb = await section('gc', (onDone) => runGcBench({ ...config.gc, onDone }));
  out(gcb.markdown);

  const replay = await section('replay', (onDone) => runReplayBench(config.replayRuns, onDone));
  out(replay.markdown);

  const programs = await section('run', (onDone) => runProgramsBench({ rounds: config.runRounds, onDone }));
  out(programs.markdown);

  if (jsonPath !== undefined) {
    const summary = benchSummary({
      pairs: pairs.results,
      mixed: mixed.results,
      rss: rss.reports,
      objects: objects.capiXCpython,
      gc: gcb.xCpython,
      replayXGlibc: replay.xGlibc,
      replayEventsPerS: replay.eventsPerS,
    });
    writeSummary(jsonPath, summary);
    out(`Summary written to ${jsonPath}:\n\n\`\`\`json\n${JSON.stringify(summary, null, 2)}\n\`\`\``);
  }
  out(`Ran in ${((nowNs() - start) / 1e9).toFixed(0)} s; load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}.`);
}

await main();
