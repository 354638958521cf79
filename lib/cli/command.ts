/*
 * What a pymem command is: a name, a usage line, its options, an example and
 * a run function. bin/pymem.ts finds commands in the registry (commands.ts),
 * prints their help from these fields, parses their options with
 * node:util's parseArgs, and turns a UsageError into one line plus
 * "see `pymem CMD --help`".
 *
 * Invariants: every option a command accepts is declared here with its help
 * text (the help and the parser are made from the same declaration); a run
 * function reports bad input by throwing (UsageError for the command line,
 * another PymemError for the data) and returns its exit status otherwise.
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';

/** One option of a command: `--name VALUE` (string) or `--name` (boolean). */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** What the value is, in the help: `--profile NAME`. Strings only. */
  value?: string;
  /** One line: what it does and its default. */
  help: string;
  /** A one-letter alias: `-o` for `--out`. */
  short?: string;
}

/** The parsed command line handed to a command's run function. */
export interface CommandArgs {
  /** Option values by name (strings, or true for a boolean flag given). */
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** The arguments as given, after the command's name. */
  argv: string[];
}

/** A pymem command. Add one by writing a module that exports one of these and listing it in commands.ts. */
export interface Command {
  /** The word after `pymem`. */
  name: string;
  /** One line for `pymem help`. */
  summary: string;
  /** The usage line without options: `pymem replay FILE`. */
  usage: string;
  /** More lines of help: what it does, what the exit status means. */
  description: string;
  options: Record<string, OptionSpec>;
  /**
   * The command reads its own arguments (in `argv`; `values` is empty): for
   * commands that pass the rest of the line on, as `record` passes it to
   * python3. Only a first argument of --help asks for the command's help.
   */
  rawArgs?: boolean;
  /** A command line to copy, with what it shows. */
  examples: string[];
  /** Runs the command; resolves with the exit status. */
  run(args: CommandArgs): Promise<number>;
}

/** Parses `argv` against the command's options; unknown options and missing values become UsageErrors. */
export function parseCommandArgs(cmd: Command, argv: string[]): CommandArgs {
  if (cmd.rawArgs === true) return { values: {}, positionals: [], argv };
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, o] of Object.entries(cmd.options)) options[name] = o.short === undefined ? { type: o.type } : { type: o.type, short: o.short };
  try {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options });
    return { values: values as CommandArgs['values'], positionals, argv };
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option ${/'([^']*)'/.exec((e as Error).message)?.[1] ?? ''}`.trim());
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) throw new UsageError((e as Error).message);
    throw e;
  }
}

/** The help text of a command: usage line, description, options, examples. */
export function formatHelp(cmd: Command): string {
  const opts = Object.entries(cmd.options).map(([name, o]) => [`${o.short === undefined ? '' : `-${o.short}, `}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`, o.help] as const);
  const w = Math.max(0, ...opts.map(([flag]) => flag.length));
  let out = `usage: ${cmd.usage}${opts.length > 0 && !cmd.usage.includes('[options]') ? ' [options]' : ''}\n\n${cmd.description.replace(/\n?$/, '\n')}`;
  out += `\noptions:\n${opts.map(([flag, help]) => `  ${flag.padEnd(w)}  ${help}\n`).join('')}`;
  out += `  ${'--help'.padEnd(w)}  this text\n`;
  out += `\nexample${cmd.examples.length > 1 ? 's' : ''}:\n${cmd.examples.map((e) => `  ${e}\n`).join('')}`;
  return out;
}

/** A string option's value, or undefined. */
export function stringOption(args: CommandArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A positive number option (an integer when `integer`), or `dflt` when absent; anything else is a UsageError. */
export function positiveOption(args: CommandArgs, name: string, dflt: number, integer: boolean): number {
  const v = stringOption(args, name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!(n > 0) || (integer && !Number.isInteger(n))) throw new UsageError(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got ${v}`);
  return n;
}
