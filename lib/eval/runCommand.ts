/*
 * `pymem run FILE.py [args...]` and `pymem run -c CODE`: the program's
 * stdout and stderr as CPython's, its exit status; `--profile NAME`
 * (default cpython311) picks the heap profile, `--stats` prints
 * sys._debugmallocstats() to stderr at exit.
 */
import { readFileSync } from 'node:fs';
import { debugmallocstats } from '../objects/sys.js';
import { resolve } from 'node:path';
import { execIn, finalize, newVm } from './run.js';
import { sources } from './traceback.js';
import type { Vm, VmIO } from './vm.js';

/** The usage lines of the command. */
export const RUN_USAGE = `  pymem run [--profile NAME] [--stats] FILE.py [ARGS...]
  pymem run [--profile NAME] [--stats] -c CODE [ARGS...]
      Run a Python 3.11 program on pymem's heap: stdout, stderr and exit
      status as CPython's. --stats prints sys._debugmallocstats() at exit.`;

/** What a caller of runCommand may add (tests). */
export interface RunCommandOptions {
  /** The file name tracebacks show (default the path given). */
  readonly displayName?: string;
  /** Called with the interpreter after it is finalized, before its heap is unmapped. */
  readonly inspect?: (vm: Vm) => void;
}

/** Runs `pymem run ...`; returns the exit status (2 on bad usage). */
export function runCommand(args: string[], io: VmIO, options: RunCommandOptions = {}): number {
  let profile = 'cpython311';
  let stats = false;
  let i = 0;
  let source: string | null = null;
  let filename = '';
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--profile') profile = args[++i] ?? '';
    else if (a.startsWith('--profile=')) profile = a.slice(10);
    else if (a === '--stats') stats = true;
    else if (a === '-c') {
      source = args[++i] ?? null;
      filename = '<string>';
      if (source === null) break;
      i++;
      break;
    } else break;
  }
  if (source === null) {
    const file = args[i];
    if (file === undefined) {
      io.stderr(`usage:\n${RUN_USAGE}\n`);
      return 2;
    }
    try {
      source = readFileSync(file, 'utf8');
    } catch {
      io.stderr(`pymem run: can't open file '${file}': [Errno 2] No such file or directory\n`);
      return 2;
    }
    // CPython names the script by its absolute path in tracebacks.
    filename = options.displayName ?? resolve(file);
    i++;
  }
  const argv = [filename === '<string>' ? '-c' : filename, ...args.slice(i)];
  const vm = newVm({ profile: profile as 'cpython311', filename, argv, io });
  sources.set(vm, new Map([[filename, source.split('\n')]]));
  try {
    const status = execIn(vm, source, filename);
    finalize(vm);
    if (stats) io.stderr(debugmallocstats(vm.interp));
    options.inspect?.(vm);
    return status;
  } finally {
    vm.interp.dispose();
  }
}
