/*
 * The command line's dispatch: `pymem CMD [args]`, `pymem help [CMD]`,
 * `pymem CMD --help`, `pymem --version`.
 *
 * Exit status: what the command returns (0 all matched, 1 a difference), 2
 * on bad usage, 1 on bad data. Errors are told apart with instanceof: a
 * UsageError prints one line and "see `pymem CMD --help`"; any other
 * PymemError (a malformed trace, a failed run, out of memory) prints its
 * message on one line; anything else is a bug in pymem and keeps its stack.
 */
import { PymemError, UsageError } from '../errors.js';
import { packageVersion } from '../packageRoot.js';
import { type Command, formatHelp, parseCommandArgs } from './command.js';
import { COMMANDS, findCommand } from './commands.js';

/** Where the CLI writes: stdout and stderr (tests pass their own). */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

const processOutput: CliOutput = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/** The overview `pymem help` prints. */
export function overview(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return (
    'usage: pymem COMMAND [options]\n\n' +
    "pymem is CPython 3.11's memory manager (pymalloc, object layouts, refcounts, the cyclic GC)\n" +
    'rebuilt in TypeScript on real memory. Commands:\n\n' +
    COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}\n`).join('') +
    '\n  pymem help COMMAND    (or pymem COMMAND --help) for its options and an example\n' +
    '  pymem --version\n'
  );
}

/** Whether the words after the command ask for its help (for a rawArgs command, only as its first word). */
const wantsHelp = (cmd: Command, args: string[]): boolean =>
  cmd.rawArgs === true ? args[0] === '--help' || args[0] === '-h' : args.includes('--help') || args.includes('-h');

/** Runs one command line (the words after `pymem`); resolves with the exit status. */
export async function runCli(argv: string[], io: CliOutput = processOutput): Promise<number> {
  const [name, ...rest] = argv;
  let cmd: Command | undefined;
  try {
    if (name === undefined) {
      io.err(overview());
      return 2;
    }
    if (name === '--version' || name === '-V') {
      io.out(`pymem ${packageVersion()}\n`);
      return 0;
    }
    if (name === 'help' || name === '--help' || name === '-h') {
      const topic = rest[0];
      if (topic === undefined) {
        io.out(overview());
        return 0;
      }
      const c = findCommand(topic);
      if (c === undefined) throw new UsageError(`unknown command ${JSON.stringify(topic)}: the commands are ${COMMANDS.map((x) => x.name).join(', ')}`);
      io.out(formatHelp(c));
      return 0;
    }
    cmd = findCommand(name);
    if (cmd === undefined) throw new UsageError(`unknown command ${JSON.stringify(name)}: the commands are ${COMMANDS.map((x) => x.name).join(', ')}`);
    if (wantsHelp(cmd, rest)) {
      io.out(formatHelp(cmd));
      return 0;
    }
    return await cmd.run(parseCommandArgs(cmd, rest));
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`pymem${cmd ? ` ${cmd.name}` : ''}: ${e.message}\nsee \`pymem ${cmd ? `${cmd.name} --help` : 'help'}\`\n`);
      return 2;
    }
    if (e instanceof PymemError) {
      io.err(`pymem${cmd ? ` ${cmd.name}` : ''}: ${e.message.split('\n')[0]}\n`);
      return 1;
    }
    throw e;
  }
}
