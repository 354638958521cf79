/*
 * `pymem dis FILE.py`: the bytecode pymem's compiler makes of a file, as
 * `python3 -m dis FILE.py` prints CPython's (lib/frontend/disCommand.ts does
 * the work; a SyntaxError is printed as CPython prints it, exit status 1).
 */
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { disCommand as runDis } from '../frontend/disCommand.js';
import type { Command } from './command.js';

/** The dis command. */
export const disCommand: Command = {
  name: 'dis',
  summary: "compile a Python file with pymem's compiler and print its bytecode as python3 -m dis does",
  usage: 'pymem dis FILE.py',
  description:
    "Compiles FILE.py with pymem's compiler (CPython 3.11's: tokenizer, parser, symbol table,\n" +
    'compiler, assembler) and prints the bytecode as `python3 -m dis FILE.py` prints CPython\'s.\n' +
    'Code objects are shown at made-up addresses, one per code object.\n' +
    'Exit status: 0, or 1 on a SyntaxError (printed as CPython prints it), 2 on bad usage.',
  options: {},
  examples: ['pymem dis fixtures/snippets/seed_cycle.py'],
  async run(args) {
    if (args.positionals.length !== 1) throw new UsageError(`dis takes one Python file, got ${args.positionals.length}`);
    const file = args.positionals[0]!;
    if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
    return runDis([file], { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
  },
};
