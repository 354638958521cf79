/*
 * `pymem replay FILE`: one trace into a fresh heap, its stats printed as
 * CPython prints them, compared line by line with CPython's own output.
 *
 * Invariants: the profile is cpython311 unless one is named, and the report
 * says which; under a profile whose arenas, pools or block sizes are not
 * CPython 3.11's, the stats are printed but not judged (they cannot match),
 * and neither are placements and arena events: the exit status is then 0.
 */
import { existsSync, readFileSync } from 'node:fs';
import { InvalidProfileError, UsageError } from '../errors.js';
import { diffLines } from '../tools/statsDiff.js';
import { type Command, stringOption } from './command.js';
import { DEFAULT_REPLAY_PROFILE, replayWithBar, statsFileFor, verdictLines, whyStatsCannotMatch } from './replayReport.js';

/** One stats line that differs: its 1-based number, pymem's text and CPython's. */
export interface DifferingLine {
  line: number;
  pymem: string;
  cpython: string;
}

/** The replay command. */
export const replayCommand: Command = {
  name: 'replay',
  summary: 'replay a recorded trace into a fresh heap and print its _debugmallocstats',
  usage: 'pymem replay FILE',
  description:
    'Replays a pymtrace file (.trace.gz or text: every malloc, realloc and free a CPython 3.11\n' +
    `program made) into a fresh heap, profile ${DEFAULT_REPLAY_PROFILE} unless --profile names another,\n` +
    "and prints the stats as CPython's sys._debugmallocstats() does, then the stats lines that\n" +
    "differ from CPython's own output (--stats FILE, or NAME.stats.txt beside the trace).\n" +
    'Exit status: 0 when stats, block placements and arena events all match, 1 on a difference\n' +
    "(under a profile that is not CPython 3.11's the stats cannot match and are not judged), 2 on bad usage.",
  options: {
    profile: { type: 'string', value: 'NAME', help: `heap profile: cpython311 (default, what CPython 3.11 ran) or classic` },
    memory: { type: 'string', value: 'native|fake', help: 'real mmap/malloc (default) or plain JavaScript buffers' },
    stats: { type: 'string', value: 'FILE', help: "CPython's recorded stats to compare with (default: NAME.stats.txt beside the trace)" },
    json: { type: 'boolean', help: 'print the result as JSON (differing lines included) instead of text' },
  },
  examples: ['pymem replay fixtures/traces/startup.trace.gz', 'pymem replay fixtures/traces/startup.trace.gz --profile classic --json'],
  async run(args) {
    if (args.positionals.length !== 1) throw new UsageError(`replay takes one trace file, got ${args.positionals.length}`);
    const file = args.positionals[0]!;
    if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
    const memory = stringOption(args, 'memory') ?? 'native';
    if (memory !== 'native' && memory !== 'fake') throw new UsageError(`--memory must be native or fake, got ${memory}`);
    const profile = stringOption(args, 'profile') ?? DEFAULT_REPLAY_PROFILE;
    let cannotMatch: string | undefined;
    try {
      cannotMatch = whyStatsCannotMatch(profile);
    } catch (e) {
      if (e instanceof InvalidProfileError) throw new UsageError(e.message);
      throw e;
    }
    const statsFile = stringOption(args, 'stats') ?? statsFileFor(file);
    if (statsFile !== undefined && !existsSync(statsFile)) throw new UsageError(`no such file: ${statsFile}`);
    const r = await replayWithBar(file, profile, memory);
    const differing: DifferingLine[] | undefined =
      statsFile === undefined
        ? undefined
        : diffLines(r.statsText, readFileSync(statsFile, 'utf8'))
            .map((l, i) => ({ line: i + 1, pymem: l.ours, cpython: l.theirs, same: l.same }))
            .filter((l) => !l.same)
            .map(({ same: _same, ...l }) => l);
    if (args.values['json'] === true) {
      const { statsText: _text, ...rest } = r;
      const out = { ...rest, profileIsDefault: stringOption(args, 'profile') === undefined, statsFile, statsComparable: cannotMatch === undefined, ...(cannotMatch ? { statsCannotMatch: cannotMatch } : {}), differingLines: differing };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } else {
      process.stdout.write(r.statsText);
      const how = stringOption(args, 'profile') === undefined ? `profile ${r.profile} (the default)` : `profile ${r.profile}`;
      process.stdout.write(`\n${r.events} events replayed in ${(r.elapsedMs / 1000).toFixed(2)} s with ${how}\n`);
      if (differing !== undefined) {
        if (cannotMatch !== undefined) process.stdout.write(`stats not compared with ${statsFile}: ${cannotMatch}\n`);
        else {
          process.stdout.write(`stats lines differing from ${statsFile}: ${differing.length}\n`);
          for (const d of differing) process.stdout.write(`  line ${d.line}:\n    pymem:   ${d.pymem}\n    CPython: ${d.cpython}\n`);
        }
      }
      process.stdout.write(verdictLines(r, cannotMatch === undefined));
    }
    if (cannotMatch !== undefined) return 0;
    return differing?.length !== 0 || r.placementMismatches !== 0 || r.arenaMismatches !== 0 ? 1 : 0;
  },
};
