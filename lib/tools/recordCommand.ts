/**
 * `pymem record [--out FILE] [--python CMD] [--random-addresses] [--] PYTHON_ARGS…`:
 * the command-line face of record.ts.  pymem's own options come first; the
 * first argument that is not one of them (or everything after `--`) is what
 * `python3` would be given.  Prints where the trace went and how to use it
 * (on stderr, since stdout is the program's; with --json, as one JSON
 * object); exits with the program's own exit status.
 */
import { InvalidArgumentError } from '../errors.js';
import { type RecordOptions, record } from './record.js';

/** The usage lines of `pymem record`, for the command's help. */
export const RECORD_USAGE = `  pymem record [--out NAME.trace.gz] [--python CMD] [--random-addresses] [--json] [--] SCRIPT [ARG...]
      Run a Python program (python3 SCRIPT ARG..., or -c CMD, -m MOD) under CPython
      3.11 with PEP 445 hooks and write its allocator trace (default SCRIPT.trace.gz)
      and CPython's stats at its end (SCRIPT.stats.txt), ready for replay and compare.
      Builds a small recorder with cc once (needs python3.11-dev, gcc).
`;

/** Splits pymem's options from the python arguments. */
export function parseRecordArgs(args: string[]): { opts: RecordOptions; pythonArgs: string[]; json: boolean } {
  const opts: RecordOptions = {};
  let json = false;
  let i = 0;
  const value = (name: string): string => {
    const v = args[++i];
    if (v === undefined) throw new InvalidArgumentError(`${name} needs a value`);
    return v;
  };
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      i++;
      break;
    } else if (a === '--out' || a === '-o') opts.out = value(a);
    else if (a === '--python') opts.python = value(a);
    else if (a === '--random-addresses') opts.fixedAddresses = false;
    else if (a === '--json') json = true;
    else break;
  }
  return { opts, pythonArgs: args.slice(i), json };
}

/** Runs `pymem record` with the arguments after `record`; resolves with the exit status. */
export async function recordCommand(args: string[]): Promise<number> {
  const { opts, pythonArgs, json } = parseRecordArgs(args);
  const r = await record(pythonArgs, opts);
  if (json) {
    process.stderr.write(`${JSON.stringify(r)}\n`);
    return r.exitCode;
  }
  const addresses = r.fixedAddresses ? 'addresses fixed with setarch -R' : 'addresses randomized (setarch -R unavailable or off)';
  process.stderr.write(
    `pymem record: ${r.events.toLocaleString('en-US')} events of CPython ${r.python} in ${r.trace} (${addresses}), stats in ${r.stats}\n` +
      `  npx pymem replay ${r.trace}     # pymem's pymalloc against CPython's\n` +
      `  npx pymem compare ${r.trace}    # CPython's obmalloc, pymem and the C allocators\n`,
  );
  return r.exitCode;
}
