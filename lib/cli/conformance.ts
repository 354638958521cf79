/*
 * `pymem conformance [DIR]`: every NAME.trace.gz of a directory replayed
 * under cpython311 and judged against NAME.stats.txt, as one table.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { MallocStats } from '../allocator/stats.js';
import { UsageError } from '../errors.js';
import { packageRoot } from '../packageRoot.js';
import { diffLines } from '../tools/statsDiff.js';
import type { Command } from './command.js';
import { DEFAULT_REPLAY_PROFILE, replayWithBar, statsFileFor, verdictLines } from './replayReport.js';

/** One trace's verdict, as `--json` prints it. */
interface ConformanceRow {
  trace: string;
  events: number;
  elapsedMs: number;
  statsFile: string | null;
  /** null when there is no stats file to compare with. */
  statsLinesDiffering: number | null;
  placementsChecked: number;
  placementMismatches: number;
  arenaMismatches: number;
  conforms: boolean;
  /** The replay's malloc stats (schema/malloc-stats.schema.json). */
  stats: MallocStats;
}

/** The conformance command. */
export const conformanceCommand: Command = {
  name: 'conformance',
  summary: "replay every trace of a directory and compare each with CPython's stats",
  usage: 'pymem conformance [DIR]',
  description:
    `Replays every NAME.trace.gz in DIR (default: fixtures/traces of the package) under profile\n` +
    `${DEFAULT_REPLAY_PROFILE} and compares its stats with NAME.stats.txt, block placements and arena\n` +
    'events with the trace; prints one table row per trace.\n' +
    'Exit status: 0 when every trace conforms, 1 when any differs, 2 on bad usage.',
  options: {
    json: { type: 'boolean', help: 'print one object per trace (and whether all conform) as JSON instead of the table' },
  },
  examples: ['pymem conformance', 'pymem conformance ../shared/cpython/traces --json'],
  async run(args) {
    if (args.positionals.length > 1) throw new UsageError(`conformance takes at most one directory, got ${args.positionals.length}`);
    const dir = resolve(args.positionals[0] ?? join(packageRoot(), 'fixtures/traces'));
    if (!existsSync(dir)) throw new UsageError(`no trace directory at ${dir}`);
    const traces = readdirSync(dir).filter((f) => f.endsWith('.trace.gz')).sort();
    if (traces.length === 0) throw new UsageError(`no NAME.trace.gz in ${dir}`);
    let failed = 0;
    const results: ConformanceRow[] = [];
    const rows: string[] = ['| trace | events | seconds | stats lines differing | placement mismatches | arena mismatches |', '|---|---:|---:|---:|---:|---:|'];
    for (const t of traces) {
      const file = join(dir, t);
      const statsFile = statsFileFor(file);
      const r = await replayWithBar(file, DEFAULT_REPLAY_PROFILE);
      const differing = statsFile ? diffLines(r.statsText, readFileSync(statsFile, 'utf8')).filter((l) => !l.same).length : NaN;
      const conforms = differing === 0 && r.placementMismatches === 0 && r.arenaMismatches === 0;
      if (!conforms) failed++;
      results.push({
        trace: file,
        events: r.events,
        elapsedMs: r.elapsedMs,
        statsFile: statsFile ?? null,
        statsLinesDiffering: statsFile ? differing : null,
        placementsChecked: r.placementsChecked,
        placementMismatches: r.placementMismatches,
        arenaMismatches: r.arenaMismatches,
        conforms,
        stats: r.stats,
      });
      rows.push(`| ${t} | ${r.events} | ${(r.elapsedMs / 1000).toFixed(1)} | ${statsFile ? differing : 'no stats file'} | ${r.placementMismatches} of ${r.placementsChecked} | ${r.arenaMismatches} |`);
      if (r.mismatches.length) process.stderr.write(`${t}:\n${verdictLines(r)}`);
    }
    if (args.values['json'] === true) {
      process.stdout.write(`${JSON.stringify({ profile: DEFAULT_REPLAY_PROFILE, traces: results, allConform: failed === 0 }, null, 2)}\n`);
      return failed === 0 ? 0 : 1;
    }
    process.stdout.write(`${rows.join('\n')}\n\n${failed === 0 ? 'all traces conform' : `${failed} trace(s) differ`}\n`);
    return failed === 0 ? 0 : 1;
  },
};
