/**
 * Measures of one allocator on one workload: each run is a fresh process
 * (the mimalloc-bench method), started here, reporting one {@link RunResult};
 * runs are then reduced to a {@link Measure}.
 *
 *   timed runs   × N   no writes into blocks, no sampling: the wall time of the
 *                       replay loop alone (median of N)
 *   memory runs  × M   one byte written per page of every new block of at most
 *                       `touchMax` bytes (what the program would do), VmRSS
 *                       sampled along the way: peak and end RSS, the timeline
 *                       (of the run with the median peak)
 *   check run    × 1   cpython only, untimed (runPlacementCheck): CPython's
 *                       obmalloc with arenas at the recorded alignment, every
 *                       block's place against the recording, its stats at the end
 *
 * Why writes at all: a C allocator like jemalloc touches so little of its
 * slabs that unwritten blocks cost it almost no RSS (test_json: 7.7 MiB above
 * baseline unwritten, 41.7 MiB written), which says nothing about a program
 * that uses its memory.  Why only blocks up to `touchMax` (512: what pymalloc
 * serves): the JavaScript replayers cannot write into glibc's blocks without
 * an addon view per block that is never given back (childReplay.ts), so
 * larger blocks stay as each allocator leaves them, in every replayer alike;
 * the addon replayer writes nothing.  Why separate runs: the writes are the
 * program's cost, not the allocator's.
 *
 * RSS is always reported above the baseline the child read after loading the
 * trace and before replaying (the trace's records and, for the node
 * children, the runtime itself are in the baseline), so replayers in C++ and
 * in Node are compared on what the replay added.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BinaryTrace, NO_ID, OpKind, recordSize, recordWord } from '../binaryTrace.js';
import { type AllocatorSpec, replayerPath } from './allocators.js';
import { PymemError } from '../../errors.js';
import { packageRoot } from '../../packageRoot.js';

/** Allocator calls a replayer made. */
export interface OpCounts {
  malloc: number;
  calloc: number;
  realloc: number;
  free: number;
}

/** A pymem heap's figures at the end of a replay (from heap.debugMallocStats()). */
export interface PymemHeapStats {
  arenasHighwater: number;
  arenasAtEnd: number;
  arenasAllocatedTotal: number;
  bytesLostToQuantization: number;
  bytesLostToPoolHeaders: number;
  bytesLostToArenaAlignment: number;
  bytesInAvailableBlocks: number;
  unusedPoolBytes: number;
  /** Resident bytes of the mapped arenas at the end (mincore): the heap's own RSS, free of V8's noise; what release policies lower. */
  residentArenaBytes: number;
  /** Live pymalloc blocks + live raw blocks: must equal the trace's live blocks at the end. */
  liveBlocks: number;
}

/** What one child process reports (both replayers print this shape). */
export interface RunResult {
  /** Wall time of the replay loop alone. */
  replayMs: number;
  /** Minor page faults during the replay loop (fresh pages touched: the kernel's share of the time). */
  minorFaults: number;
  /** VmRSS after loading, before replaying (VmHWM was reset to it). */
  baselineRss: number;
  /** VmHWM at the end. */
  peakRss: number;
  /** VmRSS at the end (the trace's live blocks still allocated). */
  endRss: number;
  /** Whether VmHWM could be reset; if not, peakRss may include the load. */
  peakReset: boolean;
  counts: OpCounts;
  /** [records replayed, VmRSS] pairs, from [0, baseline]; empty unless asked. */
  timeline: [number, number][];
  /** The shared object malloc came from (native replayer only). */
  mallocLibrary?: string;
  /** The version of the libpython replayed through (cpython only). */
  python?: string;
  /** What the check run found (cpython with a placement file only). */
  placement?: PlacementCheck;
  /** Growth of V8's heap (heapTotal) over the replay: part of the RSS that is the runtime's, not the allocator's (node children only). */
  jsHeapGrowth?: number;
  pymem?: PymemHeapStats;
}

/** The real obmalloc's placement against the recording (native/replayer.cc --placement). */
export interface PlacementCheck {
  /** Blocks in an arena in the recording or the replay (raw in both is not counted). */
  checked: number;
  /** Blocks at another (arena ordinal, offset) than recorded. */
  mismatches: number;
  /** Records after which the replay mapped/unmapped other arenas than recorded. */
  arenaMismatches: number;
  arenasMapped: number;
  /** The first disagreements, described (at most 10). */
  first: string[];
}

/** Options of one run. */
export interface RunOptions {
  /** Write one byte per page of every new block of 1..touchMax bytes (0: none). */
  touchMax: number;
  timelineEvery: number;
}

/** A run that could not be made or whose result cannot be trusted. */
export class RunError extends PymemError {}

/**
 * The JavaScript child's entry point.  From dist/ it is the compiled sibling
 * of this file; from the TypeScript sources (under vitest) it is the same
 * file under dist/, so the library must have been built (npm run build).
 */
export function childEntryPath(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return join(dirname(here), 'childReplay.js');
  return join(packageRoot(), 'dist', 'lib', 'tools', 'compare', 'childReplay.js');
}

function collect(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

/**
 * Replays the binary trace at `tracePath` once, in a fresh process.
 * @throws RunError if the child fails, prints no result, or (preloaded
 *   allocator) its malloc did not come from the library asked for.
 */
export async function runOnce(spec: AllocatorSpec, tracePath: string, opts: RunOptions): Promise<RunResult> {
  let cmd: string;
  let args: string[];
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['LD_PRELOAD'];
  if (spec.kind === 'native' || spec.kind === 'cpython') {
    cmd = replayerPath();
    args = [tracePath, ...(opts.touchMax > 0 ? ['--touch', String(opts.touchMax)] : []), ...(opts.timelineEvery > 0 ? ['--timeline', String(opts.timelineEvery)] : [])];
    if (spec.kind === 'native' && spec.preload !== undefined) env['LD_PRELOAD'] = spec.preload;
    if (spec.kind === 'cpython') args.push(...libpythonArgs(spec));
  } else {
    const entry = childEntryPath();
    if (!existsSync(entry)) throw new RunError(`${entry} is missing: build the library first (npm run build)`);
    cmd = process.execPath;
    args = ['--expose-gc', entry, JSON.stringify({ trace: tracePath, allocator: spec, ...opts })];
  }
  const { code, stdout, stderr } = await collect(cmd, args, env);
  const line = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || !line.startsWith('{')) {
    throw new RunError(`${spec.name}: replayer exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ') || '(no output)'}`);
  }
  const r = JSON.parse(line) as RunResult;
  if (spec.kind === 'native' && spec.preload !== undefined && !sameLibrary(r.mallocLibrary ?? '', spec.preload)) {
    const why = stderr.includes('cannot be preloaded') ? stderr.trim().split('\n')[0] : `malloc came from ${r.mallocLibrary}`;
    throw new RunError(`${spec.name}: LD_PRELOAD=${spec.preload} was ignored (${why})`);
  }
  return r;
}

function libpythonArgs(spec: AllocatorSpec & { kind: 'cpython' }): string[] {
  if (spec.libpython === undefined) throw new RunError(`${spec.name}: no libpython (checkAvailable finds it)`);
  return ['--libpython', spec.libpython];
}

/**
 * The check run of the `cpython` contestant (untimed): CPython's obmalloc
 * over the trace with arenas at the recorded alignment, every block's place
 * compared with the placement file (placement.ts; null: a trace without
 * addresses, only the stats are taken), and CPython's own
 * _debugmallocstats at the end.
 * @throws RunError if the replayer fails.
 */
export async function runPlacementCheck(
  spec: AllocatorSpec & { kind: 'cpython' },
  tracePath: string,
  placementPath: string | null,
  statsOut: string,
): Promise<RunResult> {
  const args = [tracePath, ...libpythonArgs(spec), '--stats-out', statsOut, ...(placementPath !== null ? ['--placement', placementPath] : [])];
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['LD_PRELOAD'];
  const { code, stdout, stderr } = await collect(replayerPath(), args, env);
  const line = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || !line.startsWith('{')) {
    throw new RunError(`${spec.name} (placement check): replayer exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ') || '(no output)'}`);
  }
  return JSON.parse(line) as RunResult;
}

/** Whether the library malloc resolved to is the one preloaded (by path, or by file name when symlinks differ). */
function sameLibrary(actual: string, preload: string): boolean {
  const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1).replace(/\.so(\..*)?$/, '');
  return actual === preload || base(actual) === base(preload);
}

/** The median of a non-empty list. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** One allocator on one workload, reduced over its runs. */
export interface Measure {
  allocator: string;
  /** Replay wall time of each timed run, in run order. */
  timesMs: number[];
  medianMs: number;
  /** Minor page faults of the replay loop, median over the timed runs. */
  minorFaults: number;
  /** From the memory run with the median peak; all in bytes. */
  baselineRss: number;
  peakRss: number;
  endRss: number;
  /** peakRss - baselineRss: what the replay added at its peak. */
  peakAboveBaseline: number;
  endAboveBaseline: number;
  /** peakAboveBaseline / the trace's peak live bytes. */
  overhead: number;
  peakReset: boolean;
  counts: OpCounts;
  timeline: [number, number][];
  mallocLibrary?: string;
  python?: string;
  jsHeapGrowth?: number;
  pymem?: PymemHeapStats;
}

/**
 * Reduces timed runs and memory runs of one allocator to its measure: the
 * median time, and the memory run with the median peak (a node child's RSS
 * moves by a MiB or so from run to run with V8's collections).
 */
export function reduce(allocator: string, timed: RunResult[], memoryRuns: RunResult[], peakLiveBytes: number): Measure {
  const byPeak = [...memoryRuns].sort((a, b) => a.peakRss - a.baselineRss - (b.peakRss - b.baselineRss));
  const memory = byPeak[(byPeak.length - 1) >> 1]!;
  const timesMs = timed.map((r) => r.replayMs);
  const peakAboveBaseline = memory.peakRss - memory.baselineRss;
  return {
    allocator,
    timesMs,
    medianMs: median(timesMs),
    minorFaults: median(timed.map((r) => r.minorFaults)),
    baselineRss: memory.baselineRss,
    peakRss: memory.peakRss,
    endRss: memory.endRss,
    peakAboveBaseline,
    endAboveBaseline: memory.endRss - memory.baselineRss,
    overhead: peakLiveBytes > 0 ? peakAboveBaseline / peakLiveBytes : NaN,
    peakReset: memory.peakReset && timed.every((r) => r.peakReset),
    counts: memory.counts,
    timeline: memory.timeline,
    ...(memory.mallocLibrary !== undefined ? { mallocLibrary: memory.mallocLibrary } : {}),
    ...(memory.python !== undefined ? { python: memory.python } : {}),
    ...(memory.jsHeapGrowth !== undefined ? { jsHeapGrowth: memory.jsHeapGrowth } : {}),
    ...(memory.pymem !== undefined ? { pymem: memory.pymem } : {}),
  };
}

/** The trace's own live bytes (sum of live request sizes) after every `every` records, from [0, 0]. */
export function liveBytesTimeline(t: BinaryTrace, every: number): [number, number][] {
  const sizes = new Float64Array(Math.max(1, t.header.idSlots));
  const out: [number, number][] = [[0, 0]];
  let live = 0;
  const n = t.header.records;
  for (let i = 0; i < n; i++) {
    const w = recordWord(i);
    const size = t.f64[recordSize(i)]!;
    const id = t.u32[w + 1]!;
    switch (t.u32[w]!) {
      case OpKind.Malloc:
      case OpKind.Calloc:
        sizes[id] = size;
        live += size;
        break;
      case OpKind.Realloc: {
        const to = t.u32[w + 2]!;
        if (id !== NO_ID) live -= sizes[id]!;
        sizes[to] = size;
        live += size;
        break;
      }
      case OpKind.Free:
        if (id !== NO_ID) live -= sizes[id]!;
        break;
    }
    if (every > 0 && (i + 1) % every === 0) out.push([i + 1, live]);
  }
  return out;
}
