/**
 * Recording a Python program's allocator calls: `pymem record` and its API.
 *
 *   record(['my_script.py', 'arg'])
 *     ├─ buildRecorder   native/recorder.c compiled once with cc against the
 *     │                  headers and libpython of python3 (cached under
 *     │                  node_modules/.cache/pymem/recorder-HASH/)
 *     ├─ run             setarch -R pymem_record … with PYTHONHASHSEED=0: the
 *     │                  program runs as `python3 my_script.py arg` would, with
 *     │                  PEP 445 hooks installed before Py_Initialize
 *     └─ finish          my_script.trace.gz (gzip'd when the name ends in .gz)
 *                        and my_script.stats.txt beside it: CPython's
 *                        _PyObject_DebugMallocStats where the trace ends
 *
 * The trace is the pymtrace v2 format of ../shared/cpython/traces/FORMAT.md;
 * it ends when the interpreter starts finalizing (after the script, after
 * threading's shutdown and the program's own atexit callbacks; see
 * native/recorder.c), so `pymem replay` checks it against the stats file and
 * `pymem compare` replays it.
 *
 * Invariants: nothing is written at the output paths unless the recording is
 * complete (a program that ends without finalizing, by os._exit or a
 * signal, leaves no trace and gets a RecordingError); whatever is missing to
 * build the recorder is a RecorderSetupError naming the Debian package that
 * brings it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync } from 'node:fs';
import { machine } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { InvalidArgumentError, PymemError } from '../errors.js';
import { packageRoot } from '../packageRoot.js';
import { defaultCacheDir } from './binaryTrace.js';
import { DEBIAN, type PythonInstall, findLibpython, is311, pythonInstall } from './libpython.js';

/** What the recorder needs and did not find. */
export type RecorderNeed = 'python' | 'cc' | 'headers' | 'libpython' | 'build';

/** The recorder cannot be built here: no CPython 3.11, no C compiler, no headers, no libpython, or cc failed. */
export class RecorderSetupError extends PymemError {
  constructor(
    message: string,
    /** Which part is missing. */
    readonly need: RecorderNeed,
    /** The Debian package that brings it, when one does. */
    readonly debianPackage?: string,
  ) {
    super(message);
  }
}

/** The program ran but left no complete trace (it ended without finalizing: os._exit, a signal, a crash). */
export class RecordingError extends PymemError {
  constructor(
    message: string,
    /** The recorder's exit status (null: killed by a signal). */
    readonly exitCode: number | null,
  ) {
    super(message);
  }
}

/** Options of {@link record}. */
export interface RecordOptions {
  /** The trace to write (default: the script's name with .trace.gz, in the working directory). */
  out?: string;
  /** The CPython 3.11 interpreter whose library is embedded (default `python3`). */
  python?: string;
  /** The C compiler (default $CC, else `cc`). */
  cc?: string;
  /** Where the built recorder is kept (default node_modules/.cache/pymem). */
  cacheDir?: string;
  /** The program's stdin/stdout/stderr: the caller's (default) or captured in the result. */
  stdio?: 'inherit' | 'pipe';
  /** Run under `setarch -R` (no address randomization) when it works here (default true). */
  fixedAddresses?: boolean;
}

/** What a recording produced. */
export interface RecordResult {
  trace: string;
  stats: string;
  /** Events of the trace (its `# end events=` field). */
  events: number;
  /** The program's exit status. */
  exitCode: number;
  /** Whether addresses were fixed with setarch -R (else they vary from run to run; the trace is as valid). */
  fixedAddresses: boolean;
  /** The interpreter embedded, e.g. 3.11.7. */
  python: string;
  /** The program's output, when `stdio: 'pipe'`. */
  stdout?: string;
  stderr?: string;
}

/** The built recorder and what it embeds. */
export interface Recorder {
  path: string;
  python: PythonInstall;
  libpython: string;
  /** Whether it was built now (else found in the cache). */
  built: boolean;
}

/** The CPython 3.11 to embed, or the RecorderSetupError that says what is missing. */
function pythonFor(command: string): PythonInstall {
  const py = pythonInstall(command);
  if (typeof py === 'string') throw new RecorderSetupError(`pymem record needs CPython 3.11: ${py}`, 'python', DEBIAN.python);
  if (!is311(py.version)) {
    throw new RecorderSetupError(`pymem record needs CPython 3.11, but ${command} is ${py.version} (apt-get install ${DEBIAN.python}, then --python python3.11)`, 'python', DEBIAN.python);
  }
  return py;
}

/**
 * Builds the recorder for the interpreter `opts.python` (once: the binary is
 * cached, keyed by the source, the compiler, the headers and the library).
 * @throws RecorderSetupError naming what is missing (and its Debian package), or cc's complaint.
 */
export function buildRecorder(opts: Pick<RecordOptions, 'python' | 'cc' | 'cacheDir'> = {}): Recorder {
  const python = pythonFor(opts.python ?? 'python3');
  const header = join(python.includeDir, 'Python.h');
  if (!existsSync(header)) {
    throw new RecorderSetupError(`no ${header}: the CPython ${python.version} headers are not installed (apt-get install ${DEBIAN.headers})`, 'headers', DEBIAN.headers);
  }
  const lib = findLibpython(undefined, python, true);
  if ('missing' in lib) {
    throw new RecorderSetupError(
      `pymem record cannot embed CPython: ${python.command} (${python.executable}, ${python.version}) has no libpython3.11 shared library in ${python.libDir} ` +
        `(it was built without --enable-shared); use a python3.11 that has one (Debian: apt-get install ${DEBIAN.libpython} ${DEBIAN.python}-dev, then --python /usr/bin/python3.11)`,
      'libpython',
      DEBIAN.libpython,
    );
  }
  const cc = opts.cc ?? process.env['CC'] ?? 'cc';
  const probe = spawnSync(cc, ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new RecorderSetupError(`no C compiler: ${cc} ${probe.error ? 'was not found' : 'failed'} (apt-get install ${DEBIAN.cc})`, 'cc', DEBIAN.cc);
  }
  const source = join(packageRoot(), 'native', 'recorder.c');
  const key = createHash('sha256')
    .update([readFileSync(source, 'utf8'), cc, probe.stdout, python.includeDir, lib.path, python.version].join('\0'))
    .digest('hex')
    .slice(0, 16);
  const dir = join(opts.cacheDir ?? defaultCacheDir(), `recorder-${key}`);
  const path = join(dir, 'pymem_record');
  if (existsSync(path)) return { path, python, libpython: lib.path, built: false };
  mkdirSync(dir, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const args = ['-O2', '-Wall', `-I${python.includeDir}`, source, lib.path, `-Wl,-rpath,${dirname(lib.path)}`, '-o', tmp];
  const r = spawnSync(cc, args, { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(tmp, { force: true });
    const why = (r.stderr || r.stdout || String(r.error)).trim().split('\n').slice(-5).join('\n');
    throw new RecorderSetupError(`${cc} could not build the recorder:\n${cc} ${args.join(' ')}\n${why}`, 'build');
  }
  renameSync(tmp, path);
  return { path, python, libpython: lib.path, built: true };
}

/** Python options that take a value (the next argument, when not attached). */
const OPTIONS_WITH_VALUE = new Set(['-W', '-X', '--check-hash-based-pycs']);

/**
 * What the python arguments run: the script as given, `-c` or `-m MOD`,
 * and the default trace name for it (`my_script.trace.gz`).
 * @throws InvalidArgumentError if they name nothing to run.
 */
export function programOf(pythonArgs: string[]): { label: string; name: string } {
  for (let i = 0; i < pythonArgs.length; i++) {
    const a = pythonArgs[i]!;
    if (a.startsWith('-c')) return { label: '-c', name: 'command' };
    if (a === '-m' && i + 1 < pythonArgs.length) return { label: `-m ${pythonArgs[i + 1]}`, name: pythonArgs[i + 1]! };
    if (a.startsWith('-m') && a.length > 2 && !a.startsWith('--')) return { label: `-m ${a.slice(2)}`, name: a.slice(2) };
    if (OPTIONS_WITH_VALUE.has(a)) {
      i++;
      continue;
    }
    if (a === '-' || !a.startsWith('-')) {
      if (a === '-') break;
      return { label: a, name: basename(a).replace(/\.pyw?$/, '') || 'program' };
    }
  }
  throw new InvalidArgumentError(`pymem record needs a program to run: a script, -c CMD or -m MOD (got ${JSON.stringify(pythonArgs.join(' '))})`);
}

/**
 * NAME.stats.txt beside NAME.trace(.gz), where `pymem replay` and `pymem
 * compare` look for it.
 * @throws InvalidArgumentError if the name does not end in .trace or .trace.gz.
 */
export function statsPathFor(trace: string): string {
  if (!/\.trace(\.gz)?$/.test(trace)) throw new InvalidArgumentError(`a trace's name must end in .trace.gz or .trace, got ${JSON.stringify(trace)}`);
  return trace.replace(/\.trace(\.gz)?$/, '.stats.txt');
}

let setarchWorks: boolean | undefined;

/** Whether `setarch MACHINE -R` can run a program here (a container may forbid personality(2)). */
function canFixAddresses(): boolean {
  setarchWorks ??= spawnSync('setarch', [machine(), '-R', 'true']).status === 0;
  return setarchWorks;
}

/** The `# end` line of a trace file, read from its last bytes; undefined if it has none. */
function trailerOf(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const n = Math.min(size, 512);
    const tail = Buffer.alloc(n);
    readSync(fd, tail, 0, n, size - n);
    const last = tail.toString('latin1').trimEnd().split('\n').pop() ?? '';
    return last.startsWith('# end ') ? last : undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Runs `python3 PYTHON_ARGS…` under the recorder and writes its trace and
 * stats (see the module note).
 * @throws InvalidArgumentError if the arguments name no program, or the trace cannot be written there;
 *   RecorderSetupError if the recorder cannot be built here;
 *   RecordingError if the program left no complete trace.
 */
export async function record(pythonArgs: string[], opts: RecordOptions = {}): Promise<RecordResult> {
  const program = programOf(pythonArgs);
  const recorder = buildRecorder(opts);
  const out = resolve(opts.out ?? `${program.name}.trace.gz`);
  const stats = statsPathFor(out);
  const text = `${out}.${process.pid}.recording`;
  const statsTmp = `${stats}.${process.pid}.recording`;
  const fixed = (opts.fixedAddresses ?? true) && canFixAddresses();
  const argv = [text, statsTmp, recorder.python.executable, program.label, ...pythonArgs];
  const [cmd, args] = fixed ? ['setarch', [machine(), '-R', recorder.path, ...argv]] : [recorder.path, argv];
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONHASHSEED: '0' };
  delete env['PYTHONMALLOC'];
  try {
    mkdirSync(dirname(out), { recursive: true });
    closeSync(openSync(text, 'w'));
  } catch (e) {
    throw new InvalidArgumentError(`cannot write the trace at ${out}: ${(e as Error).message}`);
  }
  const pipe = opts.stdio === 'pipe';
  const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolveRun, reject) => {
    const child = spawn(cmd, args, { env, stdio: pipe ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
  try {
    const trailer = trailerOf(text);
    if (trailer === undefined || !existsSync(statsTmp)) {
      const why = pipe && run.stderr.trim() !== '' ? `: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}` : '';
      throw new RecordingError(
        `the program ended without finalizing the interpreter (os._exit, a signal or a crash; exit status ${run.code}), so the trace is incomplete${why}`,
        run.code,
      );
    }
    if (out.endsWith('.gz')) await pipeline(createReadStream(text), createGzip(), createWriteStream(out));
    else renameSync(text, out);
    renameSync(statsTmp, stats);
    return {
      trace: out,
      stats,
      events: Number(/events=(\d+)/.exec(trailer)?.[1] ?? NaN),
      exitCode: run.code ?? 1,
      fixedAddresses: fixed,
      python: recorder.python.version,
      ...(pipe ? { stdout: run.stdout, stderr: run.stderr } : {}),
    };
  } finally {
    rmSync(text, { force: true });
    rmSync(statsTmp, { force: true });
  }
}
