/*
 * `pymem demo` (npm start): replay CPython 3.11.7's own start-up, recorded
 * in fixtures/traces, and print pymem's stats beside CPython's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { processMemory, resetPeakMemory } from '../allocator/osMemory.js';
import { packageRoot } from '../packageRoot.js';
import { diffLines, sideBySide } from '../tools/statsDiff.js';
import type { Command } from './command.js';
import { DEFAULT_REPLAY_PROFILE, mib, replayWithBar, verdictLines } from './replayReport.js';

/** The demo command. */
export const demoCommand: Command = {
  name: 'demo',
  summary: "replay CPython's recorded start-up and show pymem's stats beside CPython's",
  usage: 'pymem demo',
  description:
    "Replays every allocator call CPython 3.11.7 made while starting up (an empty script,\n" +
    'fixtures/traces/startup.trace.gz) into a fresh heap with profile cpython311, and prints\n' +
    'sys._debugmallocstats() as pymem computes it beside what CPython printed.\n' +
    'Exit status: 0 when every line, block placement and arena event matched, 1 otherwise.',
  options: {
    json: { type: 'boolean', help: 'print the verdict, the differing lines, the RSS and the stats as JSON instead of the side-by-side text' },
  },
  examples: ['pymem demo        # the same as npm start', 'pymem demo --json'],
  async run(args) {
    const trace = join(packageRoot(), 'fixtures/traces/startup.trace.gz');
    const stats = join(packageRoot(), 'fixtures/traces/startup.stats.txt');
    const before = processMemory().rss;
    resetPeakMemory();
    const r = await replayWithBar(trace, DEFAULT_REPLAY_PROFILE);
    const peak = processMemory().peakRss;
    const after = processMemory().rss;
    const diff = diffLines(r.statsText, readFileSync(stats, 'utf8'));
    const differing = diff.filter((l) => !l.same).length;
    const ok = differing === 0 && r.placementMismatches === 0 && r.arenaMismatches === 0;
    if (args.values['json'] === true) {
      const differingLines = diff.flatMap((l, i) => (l.same ? [] : [{ line: i + 1, pymem: l.ours, cpython: l.theirs }]));
      const out = {
        trace,
        events: r.events,
        profile: r.profile,
        elapsedMs: r.elapsedMs,
        statsLines: diff.length,
        differingLines,
        placementsChecked: r.placementsChecked,
        placementMismatches: r.placementMismatches,
        arenaMismatches: r.arenaMismatches,
        matches: ok,
        rss: { before, peak, after },
        stats: r.stats,
      };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return ok ? 0 : 1;
    }
    process.stdout.write(`pymem replayed CPython 3.11.7's own start-up (${r.events} allocator calls of an empty script)\n`);
    process.stdout.write(`into a fresh heap with profile ${r.profile}, in ${(r.elapsedMs / 1000).toFixed(2)} s.\n\n`);
    process.stdout.write(sideBySide(diff, 'pymem', 'CPython 3.11.7 (recorded)'));
    process.stdout.write(`\nlines differing: ${differing} of ${diff.length}\n`);
    process.stdout.write(verdictLines(r));
    process.stdout.write(`process RSS: before ${mib(before)}, peak ${mib(peak)}, after ${mib(after)}\n`);
    return ok ? 0 : 1;
  },
};
