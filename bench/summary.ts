/*
 * The bench summary: the numbers issue 9 sets targets for, from one run of
 * run.ts, as one flat JSON object (`node dist/bench/run.js --json FILE`;
 * a full run writes bench/results/summary.json). The keys, documented in
 * bench/RESULTS.md ("The summary"), and nothing else:
 *
 *   p1_64_x_floor, p1_512_x_floor     p1, pymem cpython311 OBJ allocator ÷ C++ loop
 *   p2_10k_x_floor, p2_100k_x_floor   p2, the same
 *   per_call_glibc_speedup_p1         p1, glibc per call ÷ pymem (the smaller of 64 and 512 B)
 *   thing_malloc_speedup_p1           p1, @thi.ng/malloc ÷ pymem (the smaller of 64 and 512 B)
 *   objects_x_cpython                 workload → C-API level ÷ CPython (n as run)
 *   gc_x_cpython                      case → pymem ÷ CPython
 *   replay_x_glibc                    trace → pymem replay ÷ glibc-native replay (pymem compare)
 *   replay_events_per_s               test_json, gunzip + parse + checked replay (replayTrace)
 *   rss_after_free_mib                RSS after freeing 100 MiB of 64 B blocks, above the start
 */
import { writeFileSync } from 'node:fs';
import { PY311_OBJ, NATIVE_PER_CALL, THING } from './contestants.js';
import type { PairsResults } from './pairs.js';
import type { MixedResults } from './mixed.js';
import type { RssReport } from './rssChild.js';

/** The summary's keys, exactly. */
export interface BenchSummary {
  p1_64_x_floor: number;
  p1_512_x_floor: number;
  p2_10k_x_floor: number;
  p2_100k_x_floor: number;
  per_call_glibc_speedup_p1: number;
  thing_malloc_speedup_p1: number;
  objects_x_cpython: Record<string, number>;
  gc_x_cpython: Record<string, number>;
  replay_x_glibc: Record<string, number>;
  replay_events_per_s: number;
  rss_after_free_mib: number;
}

/** What the summary is made from. */
export interface SummaryInputs {
  pairs: PairsResults;
  mixed: MixedResults;
  rss: readonly RssReport[];
  objects: Record<string, number>;
  gc: Record<string, number>;
  replayXGlibc: Record<string, number>;
  replayEventsPerS: number;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** The summary of one run. */
export function benchSummary(i: SummaryInputs): BenchSummary {
  const pair = (size: number, name: string): { ratio: number; median: number } => {
    const r = i.pairs.get(size)?.find((x) => x.name === name);
    if (r === undefined) throw new Error(`bench summary: no p1 result for ${name} at ${size} B`);
    return r;
  };
  const mixed = (n: number): number => {
    const r = i.mixed.get(n)?.results.find((x) => x.name === PY311_OBJ);
    if (r === undefined) throw new Error(`bench summary: no p2 result at ${n}`);
    return r.ratio;
  };
  const speedup = (name: string): number =>
    Math.min(...[64, 512].map((s) => pair(s, name).median / pair(s, PY311_OBJ).median));
  const rss = i.rss.find((r) => r.allocator === 'cpython311');
  if (rss === undefined) throw new Error('bench summary: no cpython311 RSS report');
  const mapValues = (o: Record<string, number>): Record<string, number> =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round3(v)]));
  return {
    p1_64_x_floor: round3(pair(64, PY311_OBJ).ratio),
    p1_512_x_floor: round3(pair(512, PY311_OBJ).ratio),
    p2_10k_x_floor: round3(mixed(10_000)),
    p2_100k_x_floor: round3(mixed(100_000)),
    per_call_glibc_speedup_p1: round3(speedup(NATIVE_PER_CALL)),
    thing_malloc_speedup_p1: round3(speedup(THING)),
    objects_x_cpython: mapValues(i.objects),
    gc_x_cpython: mapValues(i.gc),
    replay_x_glibc: mapValues(i.replayXGlibc),
    replay_events_per_s: Math.round(i.replayEventsPerS),
    rss_after_free_mib: round3((rss.after - rss.before) / 2 ** 20),
  };
}

/** Writes the summary as JSON (two-space indented, one trailing newline). */
export function writeSummary(path: string, s: BenchSummary): void {
  writeFileSync(path, `${JSON.stringify(s, null, 2)}\n`);
}
