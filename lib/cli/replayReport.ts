/*
 * What demo, replay and conformance share: a replay with a progress bar that
 * follows the events replayed, the stats file beside a trace, whether a
 * profile can reproduce a CPython 3.11 trace's stats at all, and the verdict
 * lines under a report.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { cpython311, resolveProfile } from '../allocator/profile.js';
import { progressBar } from '../tools/progress.js';
import { type ReplayResult, replayTrace } from '../tools/replay.js';

/** The profile replay uses when none is named: the one the traces were recorded under. */
export const DEFAULT_REPLAY_PROFILE = 'cpython311';

/** NAME.stats.txt beside NAME.trace.gz (or NAME.trace), when it exists. */
export function statsFileFor(trace: string): string | undefined {
  const f = trace.replace(/\.trace(\.gz)?$/, '.stats.txt');
  return f !== trace && existsSync(f) ? f : undefined;
}

/**
 * Why a profile cannot reproduce the stats of a trace recorded by 64-bit
 * CPython 3.11 (other arena, pool or block sizes give other lines), or
 * undefined when it can.
 */
export function whyStatsCannotMatch(profile: string): string | undefined {
  const p = resolveProfile(profile);
  const same = p.arenaSize === cpython311.arenaSize && p.poolSize === cpython311.poolSize && p.alignment === cpython311.alignment && p.smallRequestThreshold === cpython311.smallRequestThreshold;
  if (same) return undefined;
  const kib = (n: number): string => `${n / 1024} KiB`;
  return (
    `profile ${p.name} (${kib(p.arenaSize)} arenas, ${kib(p.poolSize)} pools, ${p.alignment}-byte blocks) is not the one CPython 3.11 ran this trace with ` +
    `(cpython311: ${kib(cpython311.arenaSize)}, ${kib(cpython311.poolSize)}, ${cpython311.alignment}-byte), so its stats cannot match CPython's; ` +
    'the lines differ by design, not by a fault'
  );
}

/** Replays `file` under `profile` with a progress bar on stderr (a TTY only) that counts events replayed. */
export async function replayWithBar(file: string, profile: string, memory: 'native' | 'fake' = 'native'): Promise<ReplayResult> {
  const bar = progressBar(basename(file));
  try {
    return await replayTrace(file, { profile, memory, onProgress: (events, fraction) => bar.update(fraction, 1, `${events.toLocaleString('en-US')} events`) });
  } finally {
    bar.done();
  }
}

/**
 * The placement and arena verdict of a replay, then its first mismatches; or,
 * when the profile is not the trace's (`comparable` false), one line saying
 * they were not compared.
 */
export function verdictLines(r: ReplayResult, comparable = true): string {
  if (!comparable) return `placement and arena events: not compared (profile ${r.profile} maps arenas of its own size, not CPython's)\n`;
  let out = '';
  if (r.placementCheckable) out += `placement mismatches: ${r.placementMismatches} of ${r.placementsChecked} checked\n`;
  else out += `placement: not checked (${r.profile} arenas are not the trace's, or the trace has no addresses)\n`;
  out += `arena map/unmap mismatches: ${r.arenaMismatches}\n`;
  for (const m of r.mismatches) out += `  event ${m.event} (line ${m.line}): ${m.what}\n`;
  return out;
}

/** Bytes as MiB with one decimal. */
export const mib = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MiB`;
