/*
 * `pymem record [options] [--] PYTHON_ARGS…`: run a Python program under
 * CPython 3.11 with allocator hooks and write its trace (lib/tools/record.ts
 * does the work, lib/tools/recordCommand.ts reads the arguments and reports).
 *
 * Its arguments are not parsed here: pymem's options come first and
 * everything from the first other word on is python3's, so `pymem record
 * script.py --help` passes --help to the script; only `pymem record --help`
 * is this command's help.
 */
import { InvalidArgumentError, UsageError } from '../errors.js';
import { parseRecordArgs, recordCommand as runRecord } from '../tools/recordCommand.js';
import type { Command } from './command.js';

/** The record command. */
export const recordCommand: Command = {
  name: 'record',
  summary: "record a Python program's allocator calls as a trace, with CPython's stats at its end",
  usage: 'pymem record [options] [--] SCRIPT [ARG...]',
  description:
    'Runs a Python program (python3 SCRIPT ARG..., or -c CMD, -m MOD) under CPython 3.11 with\n' +
    'PEP 445 hooks and writes its allocator trace (default SCRIPT.trace.gz) and CPython\'s own\n' +
    '_debugmallocstats at its end (SCRIPT.stats.txt), ready for pymem replay and pymem compare.\n' +
    'Builds a small recorder with cc once (needs gcc and python3.11-dev, and says which is missing).\n' +
    "Exit status: the program's own.",
  options: {
    out: { type: 'string', value: 'NAME.trace.gz', help: 'where the trace goes (default: beside the script, SCRIPT.trace.gz)' },
    python: { type: 'string', value: 'CMD', help: 'the CPython 3.11 to run (default python3)' },
    'random-addresses': { type: 'boolean', help: 'do not fix addresses with setarch -R' },
    json: { type: 'boolean', help: "report the trace, stats file, events and exit status as one JSON line on stderr (stdout is the program's)" },
  },
  rawArgs: true,
  examples: ['pymem record my_script.py arg1 arg2', "pymem record --out loop.trace.gz -- -c 'x = [0] * 10**6'"],
  async run(args) {
    try {
      const { pythonArgs } = parseRecordArgs(args.argv);
      if (pythonArgs.length === 0) throw new UsageError('record needs a program to run: a script, -c CMD or -m MOD');
    } catch (e) {
      if (e instanceof InvalidArgumentError) throw new UsageError(e.message);
      throw e;
    }
    return runRecord(args.argv);
  },
};
