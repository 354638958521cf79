/*
 * `pymem run [--profile NAME] [--stats] [-X dev] [--gc POLICY] ... FILE.py [ARGS...]` (or `-c CODE`):
 * a Python 3.11 program run on pymem's heap, with CPython's stdout, stderr
 * and exit status (lib/eval/runCommand.ts does the work).
 *
 * Its arguments are not parsed here: everything after the file (or -c CODE)
 * is the program's sys.argv, so `pymem run prog.py --help` passes --help to
 * the program; only `pymem run --help` is this command's help.
 */
import { readFileSync } from 'node:fs';
import { parseRunArgs, runCommand as runProgram } from '../eval/runCommand.js';
import type { Command } from './command.js';
import { interactiveOnStdin, processIO } from './repl.js';

/** The run command. */
export const runCommand: Command = {
  name: 'run',
  summary: "run a Python program on pymem's heap, with CPython's output and exit status",
  usage: 'pymem run [options] FILE.py [ARG...]   or   pymem run [options] -c CODE [ARG...]',
  description:
    "Compiles and runs a Python 3.11 program with pymem's compiler and evaluation loop, every\n" +
    "object in pymem's heap: its stdout, stderr and exit status are CPython's.\n" +
    '-X dev (or PYTHONDEVMODE=1) is the development mode: the debug allocator on every domain, as\n' +
    'PYTHONMALLOC=debug in the environment gives, and DeprecationWarnings shown.\n' +
    'With no program, stdin is the program (`<stdin>`), or the interactive loop when it is a\n' +
    'terminal (pymem repl); -i runs the interactive loop after the program; - reads stdin.\n' +
    'Exit status: the program\'s (2 when the file cannot be opened, as python3).',
  options: {
    profile: { type: 'string', value: 'NAME', help: 'heap profile: cpython311 (default) or classic' },
    stats: { type: 'boolean', help: 'print sys._debugmallocstats() to stderr when the program ends' },
    report: { type: 'boolean', help: 'at exit: live objects by type, arenas, pools, bytes and RSS (stderr)' },
    trace: { type: 'string', value: 'OUT', help: "write the run's allocation stream as a pymtrace v2 trace (.gz: gzip'd)" },
    gc: { type: 'string', value: 'POLICY', help: "the collector's schedule: 3.11 (default), 3.13 or 3.14" },
    lines: {
      type: 'boolean',
      help: "memory line by line at the end (memory_profiler's report + pymalloc and raw bytes), of @profile functions or the file",
    },
    map: { type: 'string', value: 'OUT', help: 'OUT.svg: the arena map at exit (and OUT-N.svg at each breakpoint()); OUT.html: a page stepping line by line' },
    pins: { type: 'boolean', help: 'at exit, print the objects keeping mostly free arenas mapped, with a path from a name to each' },
  },
  rawArgs: true,
  examples: [
    'pymem run fixtures/snippets/seed_cycle.py',
    "pymem run --stats -c 'x = [0] * 1000'",
    "pymem run --lines -c 'x = [0] * 10**7'",
    'pymem run --map steps.html --pins prog.py',
    "pymem run -X dev --gc 3.14 -c 'import gc; print(gc.get_threshold())'",
  ],
  async run(args) {
    // As python3: -i, or no program with stdin a terminal, is the interactive loop; no program
    // with stdin a pipe or file reads the program from it.
    const parsed = parseRunArgs(args.argv);
    if (parsed.inspect || (parsed.program === null && process.stdin.isTTY === true)) return interactiveOnStdin(args.argv);
    return runProgram(args.argv, processIO, { stdin: () => readFileSync(0, 'utf8') });
  },
};
