/*
 * `pymem map TRACE [--at N] (-o OUT.svg | --html OUT.html)`: the arena map
 * of a recorded trace (lib/tools/map/traceMap.ts) — every arena, its pools
 * (full, partly used, empty, never carved; block size; how full) and their
 * resident pages — as an SVG after event N, or a self-contained HTML page
 * with a slider over the replay's events.
 *
 * Invariants: exactly one output is asked for (or --json: the arenas as data); nothing is written when the
 * trace is bad (the replay fails before the file is opened).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { traceArenas, traceMapPage, traceMapSvg } from '../tools/map/traceMap.js';
import { type Command, positiveOption, stringOption } from './command.js';

/** The map command. */
export const mapCommand: Command = {
  name: 'map',
  summary: 'draw the arena map of a trace: every arena and pool, as SVG or a page with a slider',
  usage: 'pymem map TRACE (-o OUT.svg | --html OUT.html | --json)',
  description:
    'Replays TRACE into a fresh heap and draws every arena it maps: each pool full, partly\n' +
    'used (a bar as high as its share of blocks in use), empty or never carved, the block size\n' +
    'it serves, and its resident pages (mincore). -o writes the map after event N (--at, default\n' +
    'the end) as SVG; --html writes one self-contained page (no network) with a slider over the\n' +
    'replay, arenas appearing and vanishing, at most --steps moments spread evenly over it;\n' +
    '--json prints every arena and pool after event N as JSON.\n' +
    'For a Python program, `pymem run --map OUT.svg|OUT.html FILE.py`.\n' +
    'Exit status: 0, or 1 on a bad trace, 2 on bad usage.',
  options: {
    out: { type: 'string', short: 'o', value: 'OUT.svg', help: 'write the arena map as SVG' },
    html: { type: 'string', value: 'OUT.html', help: 'write a page stepping through the replay' },
    json: { type: 'boolean', help: 'print the arenas and their pools as JSON (arenasView)' },
    at: { type: 'string', value: 'N', help: 'stop after event N (0-based, A/U lines count; default: the end)' },
    steps: { type: 'string', value: 'K', help: 'moments the page keeps, spread over the replay (default 200)' },
  },
  examples: ['pymem map fixtures/traces/startup.trace.gz --at 60000 -o startup.svg', 'pymem map fixtures/traces/startup.trace.gz --html startup.html'],
  async run(args) {
    if (args.positionals.length !== 1) throw new UsageError(`map takes one trace file, got ${args.positionals.length}`);
    const file = args.positionals[0]!;
    if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
    const svg = stringOption(args, 'out');
    const html = stringOption(args, 'html');
    const json = args.values['json'] === true;
    if ([svg, html, json || undefined].filter((o) => o !== undefined).length !== 1) throw new UsageError('map writes one thing: give -o OUT.svg, --html OUT.html or --json');
    const atText = stringOption(args, 'at');
    const at = atText === undefined ? undefined : Number(atText);
    if (at !== undefined && !(atText!.trim() !== '' && Number.isInteger(at) && at >= 0)) throw new UsageError(`--at takes an event number, got ${atText}`);
    const steps = positiveOption(args, 'steps', 200, true);
    if (steps < 2) throw new UsageError(`--steps must be at least 2, got ${steps}`);
    const atOption = at === undefined ? {} : { at };
    if (json) process.stdout.write(`${JSON.stringify(await traceArenas(file, atOption))}\n`);
    else if (svg !== undefined) writeFileSync(svg, await traceMapSvg(file, atOption));
    else writeFileSync(html!, await traceMapPage(file, { ...atOption, maxSteps: steps }));
    return 0;
  },
};
