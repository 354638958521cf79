/*
 * `pymem repl [options] [FILE.py | -c CODE] [ARG...]`: Python's interactive
 * loop on pymem's heap (lib/eval/interactive.ts), as `python3 -i`: each
 * statement compiled on its own in 'single' mode (so expression values are
 * printed through sys.displayhook, `_` is the last one, and two statements'
 * 1000s are two objects), `>>> ` / `... ` prompts, a traceback and the
 * session goes on, Ctrl-D (end of input) exits. On a terminal it reads with
 * line editing; from a pipe it reads as python3 -i does (prompts on stderr,
 * nothing echoed), so a test or a script can drive it. `%stats`, `%report`
 * and `%help` at the primary prompt are pymem's, not Python.
 *
 * It takes the options of `pymem run` (its arguments are not parsed here:
 * everything after the program is sys.argv).
 */
import { UsageError } from '../errors.js';
import { runInteractive } from '../eval/runCommand.js';
import type { VmIO } from '../eval/vm.js';
import type { Command } from './command.js';
import { pipedLines, terminalLines } from './lineSource.js';

/** The process's stdout / stderr as a run's io. */
export const processIO: VmIO = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

/** The interactive loop over the process's stdin: a terminal's or a pipe's lines. */
export async function interactiveOnStdin(argv: string[]): Promise<number> {
  if (process.stdin.isTTY === true && process.stdout.isTTY === true) {
    const lines = terminalLines(process.stdin, process.stdout);
    try {
      return await runInteractive(argv, processIO, lines);
    } finally {
      lines.close();
    }
  }
  return runInteractive(argv, processIO, pipedLines(process.stdin, processIO.stderr));
}

/** The repl command. */
export const replCommand: Command = {
  name: 'repl',
  summary: "Python's interactive loop on pymem's heap, as python3 -i (%stats, %report: pymem's)",
  usage: 'pymem repl [options] [FILE.py | -c CODE] [ARG...]',
  description:
    "Reads Python statements one at a time and runs each on pymem's heap, compiled on its own as\n" +
    'CPython\'s REPL compiles it: expression values are printed (sys.displayhook; `_` holds the\n' +
    'last), `>>> ` and `... ` prompts, an uncaught exception prints its traceback and the session\n' +
    'goes on, Ctrl-D (end of input) or sys.exit() ends it. A FILE.py or -c CODE runs first, as\n' +
    'python3 -i. From a pipe it reads as python3 -i does: prompts on stderr, nothing echoed.\n' +
    "At the >>> prompt, lines starting with % are pymem's commands, not Python: %stats\n" +
    "(sys._debugmallocstats()), %report (live objects by type; start with --report), %help.\n" +
    "It takes pymem run's options: --profile, --stats, --report, --trace, --gc, -X dev, -q.\n" +
    'Exit status: 0 at end of input, or SystemExit\'s code.',
  options: {
    profile: { type: 'string', value: 'NAME', help: 'heap profile: cpython311 (default) or classic' },
    stats: { type: 'boolean', help: 'print sys._debugmallocstats() to stderr when the session ends' },
    report: { type: 'boolean', help: 'keep the live blocks for %report, and print the report at the end' },
    gc: { type: 'string', value: 'POLICY', help: "the collector's schedule: 3.11 (default), 3.13 or 3.14" },
  },
  rawArgs: true,
  examples: ['pymem repl --report     (then %report at the prompt)', "pymem repl -q < session.py   (as python3 -q -i < session.py: prompts on stderr)"],
  async run(args) {
    if (args.argv.includes('-i')) throw new UsageError('repl is always interactive: -i is for pymem run');
    return interactiveOnStdin(['-i', ...args.argv]);
  },
};
