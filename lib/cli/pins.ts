/*
 * `pymem pins TRACE [--at N]`: which live blocks keep mostly free arenas
 * mapped at a point of a recorded trace (lib/tools/pins.ts), each with the
 * event and line of the trace that allocated it, and what freeing them
 * would give back.
 *
 * Invariants: the replay stops after event N (default: the trace's end) and
 * nothing after it is read; the report is text, or JSON with --json.
 */
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { formatPins, pins } from '../tools/pins.js';
import { replayTrace } from '../tools/replay.js';
import { type Command, stringOption } from './command.js';

/** The pins command. */
export const pinsCommand: Command = {
  name: 'pins',
  summary: 'name the live blocks that keep mostly free arenas mapped at a point of a trace',
  usage: 'pymem pins TRACE',
  description:
    'Replays TRACE (to event N with --at, else to its end) and, for every arena whose live\n' +
    'blocks fill at most a tenth of it (--max-fill), lists those blocks with the trace event\n' +
    "and line that allocated each, and the memory that freeing them would return: pymalloc\n" +
    'gives an arena back only when every pool in it is empty. For a Python program, `pymem run\n' +
    '--pins FILE.py` names the objects in those blocks and a path from a name to each.\n' +
    'Exit status: 0, or 1 on a bad trace, 2 on bad usage.',
  options: {
    at: { type: 'string', value: 'N', help: 'stop after event N (0-based, A/U lines count; default: the end)' },
    'max-fill': { type: 'string', value: 'SHARE', help: 'report arenas whose live bytes are at most this share (default 0.1)' },
    json: { type: 'boolean', help: 'print the arenas and their blocks as JSON' },
  },
  examples: ['pymem pins fixtures/traces/compile.trace.gz', 'pymem pins fixtures/traces/startup.trace.gz --at 60000 --json'],
  async run(args) {
    if (args.positionals.length !== 1) throw new UsageError(`pins takes one trace file, got ${args.positionals.length}`);
    const file = args.positionals[0]!;
    if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
    const number = (name: string): number | undefined => {
      const v = stringOption(args, name);
      if (v === undefined) return undefined;
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--${name} takes a number, got ${v}`);
      return n;
    };
    const at = number('at');
    if (at !== undefined && !Number.isInteger(at)) throw new UsageError(`--at takes an event number, got ${at}`);
    const maxFill = number('max-fill') ?? 0.1;
    if (maxFill > 1) throw new UsageError(`--max-fill is a share from 0 to 1, got ${maxFill}`);
    let text = '';
    await replayTrace(file, {
      ...(at === undefined ? {} : { at }),
      inspect: (heap, live) => {
        const found = pins(heap, live.map((b) => ({ ptr: b.ptr, size: b.size, label: `event ${b.event} (line ${b.line}), id ${b.id}` })), { maxFill });
        text = args.values['json'] === true ? `${JSON.stringify(found, null, 2)}\n` : formatPins(found);
      },
    });
    process.stdout.write(text);
    return 0;
  },
};
