/*
 * `pymem run FILE.py [args...]`, `pymem run -c CODE`, `pymem run -` (the
 * program read from stdin, as `<stdin>`) and, with `-i` or no program on a
 * terminal, the interactive loop after it (interactive.ts; `pymem repl`):
 * the program's stdout and stderr as CPython's, its exit status; `--profile NAME`
 * (default cpython311) picks the heap profile, `--stats` prints
 * sys._debugmallocstats() to stderr at exit, `--report` where the live
 * objects are at exit (runReport.ts), `--trace OUT` writes the run's
 * allocation stream from the heap's first allocation as a pymtrace v2 trace
 * (traceWriter.ts; gzip'd when OUT ends in .gz), `--map OUT.svg|OUT.html`
 * the arena map at exit or a page stepping line by line (tools/map/runMap.ts),
 * `--pins` the objects keeping mostly free arenas mapped (tools/pinsPython.ts).
 * The hooks of --report and
 * --trace go in when the heap is built (HeapOptions.onCreate), before the
 * runtime reads the domains' allocators, so they see every allocation.
 * `-X dev`, PYTHONMALLOC and `--gc` are read by runConfig.ts.
 *
 * Invariants: bad usage prints one message and returns 2 before any heap is
 * made; a run's heap is disposed before runCommand / runInteractive return.
 */
import { readFileSync } from 'node:fs';
import { PymemError, UsageError } from '../errors.js';
import { packageVersion } from '../packageRoot.js';
import type { GcPolicyName } from '../objects/gcPolicy.js';
import { type RunConfig, type RunEnv, gcPolicyOption, runConfig } from './runConfig.js';
import { debugmallocstats } from '../objects/sys.js';
import { resolve } from 'node:path';
import { execIn, finalize, newVm } from './run.js';
import { InteractiveLoop, type PushResult } from './interactive.js';
import { sources } from './traceback.js';
import type { Vm, VmIO } from './vm.js';
import type { Heap } from '../allocator/heap.js';
import { type TraceSink, TraceWriter, syncFileSink } from '../tools/traceWriter.js';
import { LiveBlocks, formatRunReport } from './runReport.js';
import { HeapBytes } from '../tools/lineProfile.js';
import { LineTracer } from './lineTracer.js';
import { formatPins } from '../tools/pins.js';
import { programPins } from '../tools/pinsPython.js';
import { RunMap } from '../tools/map/runMap.js';

/** The usage lines of the command. */
export const RUN_USAGE = `  pymem run [OPTIONS] FILE.py [ARGS...]
  pymem run [OPTIONS] -c CODE [ARGS...]
  pymem run [OPTIONS] [-i] [- | FILE.py | -c CODE] [ARGS...]
      Run a Python 3.11 program on pymem's heap: stdout, stderr and exit
      status as CPython's. OPTIONS: --profile NAME; --stats prints
      sys._debugmallocstats() at exit; --report the live objects by type,
      arenas, pools, bytes and RSS at exit (before finalization); --trace
      OUT.trace.gz writes the run's allocation stream as a pymtrace v2 trace
      (pymem replay / compare); -X dev the development mode (the debug
      allocator, DeprecationWarnings shown; PYTHONDEVMODE=1 too);
      --gc 3.11|3.13|3.14 the collector's schedule. PYTHONMALLOC=debug in
      the environment puts the debug hooks on every domain. -i: the
      interactive loop after the program (-q: no banner); - reads the
      program from stdin.
      --lines prints, after the program, memory line by line as
      memory_profiler does (Mem usage, Increment, Occurrences) with the
      pymalloc and raw bytes in use after each line: of the functions
      decorated @profile, or of the whole file if none is; --map OUT.svg
      the arena map at exit, OUT.html a page stepping through the run line
      by line (arenas, names, objects, their blocks); --pins the live
      blocks keeping mostly free arenas mapped, at exit.`;

/** What a caller of runCommand may add (tests). */
export interface RunCommandOptions {
  /** The file name tracebacks show (default the path given). */
  readonly displayName?: string;
  /** Called with the interpreter after it is finalized, before its heap is unmapped. */
  readonly inspect?: (vm: Vm) => void;
  /** The environment (PYTHONMALLOC, PYTHONDEVMODE; default process.env). */
  readonly env?: RunEnv;
  /** Reads all of stdin: the program of `pymem run -`, or of `pymem run` with no program (stdin not a terminal). */
  readonly stdin?: () => string;
}

/** The command line of a run, parsed. */
export interface RunArgs {
  readonly profile: string;
  readonly stats: boolean;
  readonly report: boolean;
  /** --lines: memory line by line after the program (lineTracer.ts). */
  readonly lines: boolean;
  readonly trace: string | null;
  /** --map OUT.svg|OUT.html (tools/map/runMap.ts). */
  readonly map: string | null;
  /** --pins: what keeps mostly free arenas mapped, at exit (tools/pinsPython.ts). */
  readonly pins: boolean;
  readonly gcPolicy: GcPolicyName;
  readonly xoptions: readonly string[];
  /** -i: the interactive loop after the program. */
  readonly inspect: boolean;
  /** -q: no banner. */
  readonly quiet: boolean;
  /** What to run first: -c's code, a file, stdin (`-`; `implicit` when no program was named), or nothing. */
  readonly program:
    | { readonly kind: 'code'; readonly code: string }
    | { readonly kind: 'file'; readonly path: string }
    | { readonly kind: 'stdin'; readonly implicit: boolean }
    | null;
  /** sys.argv[1:]. */
  readonly rest: readonly string[];
}

/** Parses a run's command line (pymain's option loop: options up to the program, the rest is sys.argv); a UsageError on bad usage. */
export function parseRunArgs(args: readonly string[]): RunArgs {
  let profile = 'cpython311';
  let stats = false;
  let report = false;
  let lines = false;
  let trace: string | null = null;
  let map: string | null = null;
  let pins = false;
  let gcPolicy: GcPolicyName = '3.11';
  const xoptions: string[] = [];
  let inspect = false;
  let quiet = false;
  let program: RunArgs['program'] = null;
  let i = 0;
  const value = (a: string, name: string, what: string): string => {
    const v = a === name ? args[++i] : a.slice(name.length + 1);
    if (v === undefined || v === '') throw new UsageError(`${name} needs ${what}`);
    return v;
  };
  for (; i < args.length && program === null; i++) {
    const a = args[i]!;
    if (a === '--profile' || a.startsWith('--profile=')) profile = value(a, '--profile', 'a profile name');
    else if (a === '--stats') stats = true;
    else if (a === '--report') report = true;
    else if (a === '--lines') lines = true;
    else if (a === '--pins') pins = true;
    else if (a === '--map' || a.startsWith('--map=')) {
      map = value(a, '--map', 'a file name ending in .svg or .html');
      if (!/\.(svg|html)$/.test(map)) throw new UsageError('--map needs a file name ending in .svg or .html');
    } else if (a === '-i') inspect = true;
    else if (a === '-q') quiet = true;
    else if (a === '-X' || (a.startsWith('-X') && a.length > 2)) {
      const x = a === '-X' ? args[++i] : a.slice(2);
      if (x === undefined) throw new UsageError('-X needs an option (-X dev)');
      xoptions.push(x);
    } else if (a === '--gc' || a.startsWith('--gc=')) gcPolicy = gcPolicyOption((a === '--gc' ? args[++i] : a.slice(5)) ?? '');
    else if (a === '--trace' || a.startsWith('--trace=')) trace = value(a, '--trace', 'a file name');
    else if (a === '-c') {
      const code = args[++i];
      if (code === undefined) throw new UsageError('-c needs the code to run');
      program = { kind: 'code', code };
    } else if (a === '-') program = { kind: 'stdin', implicit: false };
    else program = { kind: 'file', path: a };
  }
  return { profile, stats, report, lines, trace, map, pins, gcPolicy, xoptions, inspect, quiet, program, rest: args.slice(i) };
}

/** A run being made: its interpreter and what its end must do. */
interface Session {
  readonly vm: Vm;
  readonly blocks: LiveBlocks | null;
  readonly writer: TraceWriter | null;
  readonly sink: TraceSink | null;
  readonly lineTracer: LineTracer | null;
  readonly map: RunMap | null;
}

/** A program to run: its source, the file name it runs as, and sys.argv[0]. */
interface ProgramSource {
  readonly source: string;
  readonly filename: string;
  readonly argv0: string;
}

/** The program's source; a string (the message) when it cannot be read. */
function programSource(parsed: RunArgs, options: RunCommandOptions): ProgramSource | string {
  const p = parsed.program!;
  if (p.kind === 'code') return { source: p.code, filename: '<string>', argv0: '-c' };
  if (p.kind === 'stdin') return { source: options.stdin?.() ?? '', filename: '<stdin>', argv0: p.implicit ? '' : '-' };
  try {
    // CPython names the script by its absolute path in tracebacks.
    const filename = options.displayName ?? resolve(p.path);
    return { source: readFileSync(p.path, 'utf8'), filename, argv0: filename };
  } catch {
    return `can't open file '${p.path}': [Errno 2] No such file or directory`;
  }
}

/** A new interpreter for the run, with the hooks of --report and --trace; a message when it cannot be made. */
function startSession(parsed: RunArgs, filename: string, argv0: string, source: string, io: VmIO, options: RunCommandOptions): Session | string {
  const argv = [argv0, ...parsed.rest];
  let sink: TraceSink | null = null;
  let config: RunConfig;
  try {
    config = runConfig(parsed.xoptions, parsed.gcPolicy, options.env ?? process.env);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return e.message;
  }
  if (parsed.trace !== null) {
    try {
      sink = syncFileSink(parsed.trace);
    } catch (e) {
      return `can't write the trace to '${parsed.trace}': ${(e as Error).message}`;
    }
  }
  let blocks: LiveBlocks | null = null;
  let writer: TraceWriter | null = null;
  let bytes: HeapBytes | null = null;
  const onCreate = (heap: Heap): void => {
    if (parsed.report) blocks = new LiveBlocks(heap);
    if (parsed.lines) bytes = new HeapBytes(heap);
    if (sink !== null) {
      writer = new TraceWriter(heap, sink, filename);
      writer.start();
    }
  };
  try {
    const map = parsed.map === null ? null : new RunMap(parsed.map, filename, source);
    const vm = newVm({
      profile: parsed.profile as 'cpython311',
      filename,
      argv,
      io: map === null ? io : map.tee(io),
      onCreate,
      debug: config.debugMalloc,
      gcPolicy: config.gcPolicy,
      devMode: config.devMode,
    });
    const lineTracer = bytes !== null ? new LineTracer(vm, bytes, filename) : null;
    vm.lineTracer = lineTracer;
    map?.attach(vm);
    (blocks as LiveBlocks | null)?.markProgram();
    return { vm, blocks, writer, sink, lineTracer, map };
  } catch (e) {
    if (!(e instanceof PymemError)) throw e;
    return e.message;
  }
}

/** The end of a run: --lines, --report, Py_Finalize, --stats, the trace's end, then the caller's inspect. */
function endSession(s: Session, parsed: RunArgs, options: RunCommandOptions): void {
  const { vm } = s;
  vm.lineTracer = null;
  s.map?.finish();
  if (s.lineTracer !== null) vm.io.stdout(s.lineTracer.format());
  if (s.blocks !== null) vm.io.stderr(formatRunReport(vm.interp, s.blocks));
  if (parsed.pins) vm.io.stderr(formatPins(programPins(vm)));
  finalize(vm);
  if (parsed.stats) vm.io.stderr(debugmallocstats(vm.interp));
  if (s.writer !== null) {
    s.writer.finish();
    void s.sink!.end();
  }
  options.inspect?.(vm);
}

/** Runs the program of `parsed` in the session's __main__; its exit status. */
function runProgram(s: Session, source: string, filename: string): number {
  // (Tracebacks leave out the lines of `<string>` and `<stdin>`, as CPython's; --lines shows them.)
  sources.set(s.vm, new Map([[filename, source.split('\n')]]));
  return execIn(s.vm, source, filename);
}

/** Parses args, printing a usage error; null when it did. */
function parseOrReport(args: readonly string[], io: VmIO): RunArgs | null {
  try {
    return parseRunArgs(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`pymem run: ${e.message}\nsee \`pymem run --help\`\n`);
    return null;
  }
}

/** Runs `pymem run ...` without the interactive loop; returns the exit status (2 on bad usage). */
export function runCommand(args: string[], io: VmIO, options: RunCommandOptions = {}): number {
  const parsed = parseOrReport(args, io);
  if (parsed === null) return 2;
  const program = parsed.program ?? (options.stdin !== undefined ? ({ kind: 'stdin', implicit: true } as const) : null);
  if (program === null) {
    io.stderr(`usage:\n${RUN_USAGE}\n`);
    return 2;
  }
  const withProgram = { ...parsed, program };
  const src = programSource(withProgram, options);
  if (typeof src === 'string') {
    io.stderr(`pymem run: ${src}\n`);
    return 2;
  }
  const s = startSession(withProgram, src.filename, src.argv0, src.source, io, options);
  if (typeof s === 'string') {
    io.stderr(`pymem run: ${s}\n`);
    return 2;
  }
  try {
    const status = runProgram(s, src.source, src.filename);
    endSession(s, withProgram, options);
    return status;
  } finally {
    s.vm.interp.dispose();
  }
}

/** What a LineSource returns for Ctrl-C at a prompt. */
export const KEYBOARD_INTERRUPT: unique symbol = Symbol('KeyboardInterrupt');

/** Where the interactive loop reads its lines. */
export interface LineSource {
  /**
   * Shows `prompt` and reads one line without its newline; null at end of
   * input (after ending the prompt's line), KEYBOARD_INTERRUPT for Ctrl-C.
   */
  readLine(prompt: string): Promise<string | null | typeof KEYBOARD_INTERRUPT>;
}

/** The banner of the interactive loop (pymain_header), to stderr unless -q. */
export const BANNER =
  `Python 3.11.7 (pymem ${packageVersion()}) on pymem's heap\n` +
  "Type %help for pymem's commands (%stats, %report), Ctrl-D (end of input) to exit.\n";

/** pymem's own commands at the primary prompt: `%name`, never Python (no Python line starts with %). */
function pymemCommand(line: string, s: Session, io: VmIO): void {
  const name = line.trim();
  if (name === '%stats') io.stderr(debugmallocstats(s.vm.interp));
  else if (name === '%report') {
    if (s.blocks === null) io.stderr('pymem: %report needs the session started with --report\n');
    else io.stderr(formatRunReport(s.vm.interp, s.blocks));
  } else if (name === '%help') {
    io.stderr(
      "pymem's commands (not Python; at the >>> prompt only):\n" +
        "  %stats   sys._debugmallocstats(): pymalloc's arenas, pools and size classes, the free lists\n" +
        '  %report  the live objects by type, arenas, pools, bytes and RSS (start with --report)\n' +
        '  %help    this text\n',
    );
  } else io.stderr(`pymem: unknown command ${name} (%help lists them)\n`);
}

/**
 * `pymem run -i ...` / `pymem repl ...`: the program (if any), then the
 * interactive loop over `input` until end of input or SystemExit; returns
 * the exit status (0 at end of input, as python3 -i).
 */
export async function runInteractive(args: string[], io: VmIO, input: LineSource, options: RunCommandOptions = {}): Promise<number> {
  const parsed = parseOrReport(args, io);
  if (parsed === null) return 2;
  let src: ProgramSource | null = null;
  if (parsed.program !== null) {
    const r = programSource(parsed, options);
    if (typeof r === 'string') {
      io.stderr(`pymem run: ${r}\n`);
      return 2;
    }
    src = r;
  }
  const s = startSession(parsed, src?.filename ?? '', src?.argv0 ?? '', src?.source ?? '', io, options);
  if (typeof s === 'string') {
    io.stderr(`pymem run: ${s}\n`);
    return 2;
  }
  try {
    let status = 0;
    if (src !== null) runProgram(s, src.source, src.filename);
    else if (!parsed.quiet) io.stderr(BANNER);
    const loop = new InteractiveLoop(s.vm);
    for (;;) {
      const line = await input.readLine(loop.prompt());
      let r: PushResult;
      if (line === KEYBOARD_INTERRUPT) {
        // PyOS_Readline's interrupt: the statement being read is dropped.
        io.stderr('\nKeyboardInterrupt\n');
        loop.reset();
        continue;
      }
      if (line === null) {
        if (!loop.continuing) break;
        r = loop.finish();
      } else if (!loop.continuing && line.trimStart().startsWith('%')) {
        pymemCommand(line, s, io);
        continue;
      } else r = loop.push(line);
      if (typeof r === 'object') {
        status = r.exit;
        break;
      }
    }
    endSession(s, parsed, options);
    return status;
  } finally {
    s.vm.interp.dispose();
  }
}
