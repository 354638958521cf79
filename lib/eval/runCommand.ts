/*
 * `pymem run FILE.py [args...]` and `pymem run -c CODE`: the program's
 * stdout and stderr as CPython's, its exit status; `--profile NAME`
 * (default cpython311) picks the heap profile, `--stats` prints
 * sys._debugmallocstats() to stderr at exit, `--report` where the live
 * objects are at exit (runReport.ts), `--trace OUT` writes the run's
 * allocation stream from the heap's first allocation as a pymtrace v2 trace
 * (traceWriter.ts; gzip'd when OUT ends in .gz). The hooks of --report and
 * --trace go in when the heap is built (HeapOptions.onCreate), before the
 * runtime reads the domains' allocators, so they see every allocation.
 */
import { readFileSync } from 'node:fs';
import { PymemError, UsageError } from '../errors.js';
import type { GcPolicyName } from '../objects/gcPolicy.js';
import { type RunConfig, type RunEnv, gcPolicyOption, runConfig } from './runConfig.js';
import { debugmallocstats } from '../objects/sys.js';
import { resolve } from 'node:path';
import { execIn, finalize, newVm } from './run.js';
import { sources } from './traceback.js';
import type { Vm, VmIO } from './vm.js';
import type { Heap } from '../allocator/heap.js';
import { type TraceSink, TraceWriter, syncFileSink } from '../tools/traceWriter.js';
import { LiveBlocks, formatRunReport } from './runReport.js';

/** The usage lines of the command. */
export const RUN_USAGE = `  pymem run [OPTIONS] FILE.py [ARGS...]
  pymem run [OPTIONS] -c CODE [ARGS...]
      Run a Python 3.11 program on pymem's heap: stdout, stderr and exit
      status as CPython's. OPTIONS: --profile NAME; --stats prints
      sys._debugmallocstats() at exit; --report the live objects by type,
      arenas, pools, bytes and RSS at exit (before finalization); --trace
      OUT.trace.gz writes the run's allocation stream as a pymtrace v2 trace
      (pymem replay / compare); -X dev the development mode (the debug
      allocator, DeprecationWarnings shown; PYTHONDEVMODE=1 too);
      --gc 3.11|3.13|3.14 the collector's schedule. PYTHONMALLOC=debug in
      the environment puts the debug hooks on every domain.`;

/** What a caller of runCommand may add (tests). */
export interface RunCommandOptions {
  /** The file name tracebacks show (default the path given). */
  readonly displayName?: string;
  /** Called with the interpreter after it is finalized, before its heap is unmapped. */
  readonly inspect?: (vm: Vm) => void;
  /** The environment (PYTHONMALLOC, PYTHONDEVMODE; default process.env). */
  readonly env?: RunEnv;
}

/** Runs `pymem run ...`; returns the exit status (2 on bad usage). */
export function runCommand(args: string[], io: VmIO, options: RunCommandOptions = {}): number {
  let profile = 'cpython311';
  let stats = false;
  let report = false;
  let trace: string | null = null;
  let gcPolicy: GcPolicyName = '3.11';
  const xoptions: string[] = [];
  let i = 0;
  let source: string | null = null;
  let filename = '';
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--profile') profile = args[++i] ?? '';
    else if (a.startsWith('--profile=')) profile = a.slice(10);
    else if (a === '--stats') stats = true;
    else if (a === '--report') report = true;
    else if (a === '-X' || (a.startsWith('-X') && a.length > 2)) {
      const x = a === '-X' ? args[++i] : a.slice(2);
      if (x === undefined) {
        io.stderr(`pymem run: -X needs an option (-X dev)\nusage:\n${RUN_USAGE}\n`);
        return 2;
      }
      xoptions.push(x);
    } else if (a === '--gc' || a.startsWith('--gc=')) {
      try {
        gcPolicy = gcPolicyOption((a === '--gc' ? args[++i] : a.slice(5)) ?? '');
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        io.stderr(`pymem run: ${e.message}\n`);
        return 2;
      }
    }
    else if (a === '--trace' || a.startsWith('--trace=')) {
      trace = a === '--trace' ? (args[++i] ?? '') : a.slice(8);
      if (trace === '') {
        io.stderr(`pymem run: --trace needs a file name\nusage:\n${RUN_USAGE}\n`);
        return 2;
      }
    }
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
  let writer: TraceWriter | null = null;
  let sink: TraceSink | null = null;
  if (trace !== null) {
    try {
      sink = syncFileSink(trace);
    } catch (e) {
      io.stderr(`pymem run: can't write the trace to '${trace}': ${(e as Error).message}\n`);
      return 2;
    }
  }
  let config: RunConfig;
  try {
    config = runConfig(xoptions, gcPolicy, options.env ?? process.env);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`pymem run: ${e.message}\n`);
    return 2;
  }
  let blocks: LiveBlocks | null = null;
  const onCreate = (heap: Heap): void => {
    if (report) blocks = new LiveBlocks(heap);
    if (trace !== null) {
      writer = new TraceWriter(heap, sink!, filename);
      writer.start();
    }
  };
  let vm: Vm;
  try {
    vm = newVm({ profile: profile as 'cpython311', filename, argv, io, onCreate, debug: config.debugMalloc, gcPolicy: config.gcPolicy, devMode: config.devMode });
  } catch (e) {
    if (!(e instanceof PymemError)) throw e;
    io.stderr(`pymem run: ${e.message}\n`);
    return 2;
  }
  // linecache has no `<string>`: CPython's tracebacks of -c show no source lines.
  if (!filename.startsWith('<')) sources.set(vm, new Map([[filename, source.split('\n')]]));
  try {
    const status = execIn(vm, source, filename);
    if (blocks !== null) io.stderr(formatRunReport(vm.interp, blocks));
    finalize(vm);
    if (stats) io.stderr(debugmallocstats(vm.interp));
    if (writer !== null) {
      (writer as TraceWriter).finish();
      void sink!.end();
    }
    options.inspect?.(vm);
    return status;
  } finally {
    vm.interp.dispose();
  }
}
