/*
 * Replay of the shared CPython traces: pymem against glibc-native, and the
 * end-to-end rate.
 *
 *   × glibc-native   `pymem compare`'s measurement (lib/tools/compare): each
 *                    trace replayed from its binary form in fresh processes,
 *                    by a pymem Heap and by the C++ replayer on glibc; the
 *                    ratio of median times (the same numbers `pymem compare`
 *                    prints).
 *   events/s         replayTrace on test_json: gunzip, parse and replay with
 *                    every placement check, as `pymem replay` runs it; the
 *                    median of `runs` runs in this process.
 *
 * Traces are looked up in fixtures/traces, then ../shared/cpython/traces.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replayTrace } from '../lib/index.js';
import { runComparison } from '../lib/tools/compare/compare.js';
import { fmtRatio, markdownTable } from './table.js';
import { median } from './timing.js';

/** The shared traces, in table order. */
export const TRACES = ['startup', 'compile', 'gc_heavy', 'test_json'] as const;

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

/** The path of trace `name`, or null when neither folder has it. */
export function tracePath(name: string): string | null {
  const root = packageRoot();
  for (const dir of [join(root, 'fixtures/traces'), join(root, '../shared/cpython/traces')]) {
    const p = join(dir, `${name}.trace.gz`);
    if (existsSync(p)) return p;
  }
  return null;
}

/** Replays every trace found; returns pymem ÷ glibc-native per trace, the test_json rate, and the markdown section. */
export async function runReplayBench(
  runs: number,
  onDone?: (done: number, total: number) => void,
): Promise<{ xGlibc: Record<string, number>; eventsPerS: number; markdown: string }> {
  const traces: [string, string][] = [];
  for (const t of TRACES) {
    const p = tracePath(t);
    if (p !== null) traces.push([t, p]);
  }
  const total = traces.length + runs;
  let done = 0;
  const cmp = await runComparison({
    traces: traces.map(([, p]) => p),
    synthetic: [],
    allocators: ['glibc', 'pymem'],
    runs,
    memoryRuns: 1,
    onWorkloadDone: () => onDone?.(++done, total),
  });
  const xGlibc: Record<string, number> = {};
  const rows: string[][] = [];
  for (const w of cmp.workloads) {
    const ms = (name: string): number | undefined => w.measures.find((m) => m.allocator === name)?.medianMs;
    const glibc = ms('glibc');
    const pymem = ms('pymem');
    if (glibc === undefined || pymem === undefined) continue;
    xGlibc[w.workload.name] = pymem / glibc;
    rows.push([w.workload.name, w.workload.header.records.toLocaleString('en-US'), glibc.toFixed(1), pymem.toFixed(1), fmtRatio(pymem / glibc)]);
  }
  const json = traces.find(([t]) => t === 'test_json')?.[1];
  const rates: number[] = [];
  let events = 0;
  if (json !== undefined) {
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      const result = await replayTrace(json);
      events = result.events;
      rates.push(result.events / ((performance.now() - t0) / 1000));
      onDone?.(++done, total);
    }
  }
  const eventsPerS = rates.length > 0 ? median(rates) : 0;
  return {
    xGlibc,
    eventsPerS,
    markdown: [
      '### Replay of the shared traces',
      '',
      `pymem (profile cpython311, checked heap) against the C++ replayer on glibc, as \`pymem compare --allocators glibc,pymem --runs ${runs}\` measures them (median ms of ${runs} timed runs, fresh processes).`,
      '',
      markdownTable(['trace', 'records', 'glibc-native ms', 'pymem ms', 'pymem ÷ glibc'], rows),
      '',
      json === undefined
        ? '- test_json not found: no end-to-end rate.'
        : `- End to end on test_json (gunzip, parse, replay with every placement check; replayTrace, median of ${runs}): ${(eventsPerS / 1e6).toFixed(2)}M events/s (${events.toLocaleString('en-US')} events).`,
    ].join('\n'),
  };
}
