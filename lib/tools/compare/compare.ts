/**
 * `pymem compare`: every chosen allocator replays every workload, each run in
 * a fresh process, and the results are gathered for report.ts.
 *
 *   workloads ──► binary traces (parsed once, cached; synthetic ones generated)
 *       │
 *       └─► for each workload:
 *             timed runs:  run 1: alloc A, alloc B, …   (interleaved, so a slow
 *                          run 2: alloc A, alloc B, …    spell of the machine is
 *                          …                             shared by all)
 *             memory runs: alloc A, alloc B, …  (writes into blocks, RSS timeline;
 *                          × memoryRuns, interleaved too)
 *             checks:      each replayer made exactly the trace's calls; a pymem
 *                          heap ends with exactly the trace's live blocks
 *             cpython:     (recorded traces) one more, untimed run of CPython's obmalloc with arenas
 *                          at the recorded alignment: every block's (arena, offset)
 *                          against the recording (placement.ts), and its own
 *                          _debugmallocstats against NAME.stats.txt beside the trace
 *
 * An allocator that cannot run here (library not installed, replayer not
 * built, preload ignored by the loader) is listed in `missing` and skipped;
 * the comparison goes on without it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { type BinaryTraceHeader, binaryTraceFor, defaultCacheDir, readBinaryTrace, writeBinaryTrace } from '../binaryTrace.js';
import { type AllocatorSpec, type MissingAllocator, checkAvailable, parseAllocator } from './allocators.js';
import { diffLines } from '../statsDiff.js';
import { type Measure, type PlacementCheck, type RunResult, RunError, liveBytesTimeline, reduce, runOnce, runPlacementCheck } from './measure.js';
import { placementFileFor } from './placement.js';
import { type SyntheticName, syntheticTrace } from './synthetic.js';
import { InvalidArgumentError } from '../../errors.js';
import { packageRoot } from '../../packageRoot.js';

/** One workload, ready to replay. */
export interface Workload {
  /** Short name: the trace's base name, or `synthetic:NAME`. */
  name: string;
  /** The trace file, or `synthetic:NAME` with its scale. */
  source: string;
  /** The binary trace the replayers read. */
  binPath: string;
  header: BinaryTraceHeader;
  /** Whether the binary form came from the cache (it was parsed earlier, in header.parseMs). */
  cached: boolean;
}

/** One allocator that failed on one workload. */
export interface Failure {
  allocator: string;
  error: string;
}

/** CPython's own obmalloc against the recording of one workload (the cpython contestant's check run). */
export interface CPythonCheck {
  /** Version of the libpython replayed through, and its path. */
  python: string;
  libpython: string;
  /** Placement against the recorded addresses; null when the trace has none (v1). */
  placement: PlacementCheck | null;
  /** CPython's _debugmallocstats after the replay. */
  statsText: string;
  /** The recorded NAME.stats.txt it was compared with, and how many lines differ (absent: no stats file). */
  statsFile?: string;
  statsLinesDiffering?: number;
}

/** Everything measured on one workload. */
export interface WorkloadResult {
  workload: Workload;
  measures: Measure[];
  failures: Failure[];
  /** Present when the cpython contestant ran on a recorded trace (synthetic workloads have nothing to check against). */
  cpythonCheck?: CPythonCheck;
  /** The trace's own live bytes, sampled where the memory runs sampled RSS. */
  liveTimeline: [number, number][];
}

/** Options of {@link runComparison}. */
export interface CompareOptions {
  /** pymtrace files (text or gzip'd). */
  traces: string[];
  synthetic: SyntheticName[];
  /** Size of the synthetic workloads (1: about two million records each). */
  syntheticScale?: number;
  /** Allocator names (allocators.ts); default DEFAULT_ALLOCATORS. */
  allocators: string[];
  /** The libpython of the cpython contestant (default: found through python3's sysconfig). */
  libpython?: string;
  /** Timed runs per allocator and workload (default 5). */
  runs?: number;
  /** Memory runs per allocator and workload (default 3; the one with the median peak is kept). */
  memoryRuns?: number;
  /** In memory runs, write into every new block of at most this many bytes (default 512). */
  touchMax?: number;
  /** RSS samples per memory run (default 400). */
  timelineSamples?: number;
  cacheDir?: string;
  /** Called after each run: which workload, and runs done / total for it. */
  onProgress?: (workload: string, done: number, total: number) => void;
  /** Called once a workload is finished. */
  onWorkloadDone?: (workload: string) => void;
  /** Where notes go (missing allocators, parse times); default nowhere. */
  log?: (line: string) => void;
}

/** The machine and the moment, for the report. */
export interface MachineInfo {
  cpu: string;
  cpus: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  glibc?: string;
  /** 1-minute load average before and after: anything else running skews times. */
  loadBefore: number;
  loadAfter: number;
  /** `git describe --always --dirty` of the package, when it is a checkout. */
  revision?: string;
}

/** A whole comparison. */
export interface Comparison {
  startedAt: string;
  elapsedS: number;
  machine: MachineInfo;
  runs: number;
  memoryRuns: number;
  touchMax: number;
  allocators: string[];
  missing: MissingAllocator[];
  workloads: WorkloadResult[];
}

function machineInfo(): Omit<MachineInfo, 'loadAfter'> {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  let revision: string | undefined;
  try {
    revision = execFileSync('git', ['describe', '--always', '--dirty'], { cwd: packageRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    revision = undefined;
  }
  return {
    cpu: cpus()[0]?.model ?? '?',
    cpus: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    ...(header?.glibcVersionRuntime ? { glibc: header.glibcVersionRuntime } : {}),
    loadBefore: loadavg()[0]!,
    ...(revision ? { revision } : {}),
  };
}

/** Turns trace paths and synthetic names into binary traces on disk. */
async function prepareWorkloads(opts: CompareOptions, log: (s: string) => void): Promise<Workload[]> {
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const out: Workload[] = [];
  for (const trace of opts.traces) {
    const b = await binaryTraceFor(trace, { cacheDir });
    const name = basename(trace).replace(/\.trace(\.gz)?$/, '');
    log(
      b.cached
        ? `${name}: ${b.header.records} records, binary form cached (parsing took ${(b.header.parseMs / 1000).toFixed(2)} s)`
        : `${name}: parsed ${b.header.sourceEvents} events into ${b.header.records} records in ${(b.header.parseMs / 1000).toFixed(2)} s`,
    );
    out.push({ name, source: trace, binPath: b.path, header: b.header, cached: b.cached });
  }
  const scale = opts.syntheticScale ?? 1;
  for (const s of opts.synthetic) {
    const t = syntheticTrace(s, scale);
    const binPath = join(cacheDir, `synthetic-${s}-x${scale}.pymbt`);
    writeBinaryTrace(binPath, t);
    log(`synthetic:${s}: ${t.header.records} records generated in ${(t.header.parseMs / 1000).toFixed(2)} s`);
    out.push({ name: `synthetic:${s}`, source: `synthetic:${s} (scale ${scale})`, binPath, header: t.header, cached: false });
  }
  return out;
}

/** Compares a replayer's calls and (pymem) live blocks with the trace's; returns what differs. */
export function checkRun(r: RunResult, h: BinaryTraceHeader): string[] {
  const bad: string[] = [];
  const want = { malloc: h.mallocs, calloc: h.callocs, realloc: h.reallocs, free: h.frees };
  for (const k of ['malloc', 'calloc', 'realloc', 'free'] as const) {
    if (r.counts[k] !== want[k]) bad.push(`made ${r.counts[k]} ${k} calls, the trace has ${want[k]}`);
  }
  if (r.pymem !== undefined && r.pymem.liveBlocks !== h.liveBlocksAtEnd) {
    bad.push(`ends with ${r.pymem.liveBlocks} live blocks, the trace with ${h.liveBlocksAtEnd}`);
  }
  return bad;
}

/** NAME.stats.txt beside a NAME.trace(.gz), if there is one. */
export function statsFileFor(trace: string): string | undefined {
  const f = trace.replace(/\.trace(\.gz)?$/, '.stats.txt');
  return f !== trace && existsSync(f) ? f : undefined;
}

/** The cpython contestant's check run on one recorded workload (see the module note). */
async function checkCPython(spec: AllocatorSpec & { kind: 'cpython' }, w: Workload, cacheDir: string): Promise<CPythonCheck> {
  const placementPath = await placementFileFor(w.source, w.header.records, cacheDir);
  const statsOut = `${w.binPath}.cpython-stats.txt`;
  const r = await runPlacementCheck(spec, w.binPath, placementPath, statsOut);
  const bad = checkRun(r, w.header);
  if (bad.length > 0) throw new RunError(`${spec.name} on ${w.name} (placement check): ${bad.join('; ')}`);
  const statsText = readFileSync(statsOut, 'utf8');
  const statsFile = statsFileFor(w.source);
  return {
    python: r.python ?? '?',
    libpython: spec.libpython ?? '?',
    placement: r.placement ?? null,
    statsText,
    ...(statsFile !== undefined
      ? { statsFile, statsLinesDiffering: diffLines(statsText, readFileSync(statsFile, 'utf8')).filter((l) => !l.same).length }
      : {}),
  };
}

/** Runs the comparison (see the module note). */
export async function runComparison(opts: CompareOptions): Promise<Comparison> {
  const started = Date.now();
  const log = opts.log ?? (() => {});
  const runs = opts.runs ?? 5;
  if (!Number.isInteger(runs) || runs < 1) throw new InvalidArgumentError(`runs must be a positive integer, got ${runs}`);
  const memoryRuns = opts.memoryRuns ?? 3;
  if (!Number.isInteger(memoryRuns) || memoryRuns < 1) throw new InvalidArgumentError(`memoryRuns must be a positive integer, got ${memoryRuns}`);
  const touchMax = opts.touchMax ?? 512;
  const samples = opts.timelineSamples ?? 400;
  const machine = machineInfo();

  const specs = opts.allocators.map(parseAllocator);
  const { available, missing } = checkAvailable(specs, opts.libpython !== undefined ? { libpython: opts.libpython } : {});
  for (const m of missing) log(`skipping ${m.name}: ${m.why}`);
  const workloads = await prepareWorkloads(opts, log);

  let active: AllocatorSpec[] = available;
  const results: WorkloadResult[] = [];
  for (const w of workloads) {
    const timed = new Map<string, RunResult[]>(active.map((a) => [a.name, []]));
    const failures: Failure[] = [];
    const failed = new Set<string>();
    const total = (runs + memoryRuns) * active.length;
    let done = 0;
    const attempt = async (a: AllocatorSpec, every: number, touch: number): Promise<RunResult | null> => {
      try {
        const r = await runOnce(a, w.binPath, { touchMax: touch, timelineEvery: every });
        const bad = checkRun(r, w.header);
        if (bad.length > 0) throw new RunError(`${a.name} on ${w.name}: ${bad.join('; ')}`);
        return r;
      } catch (e) {
        if (!(e instanceof RunError)) throw e;
        failed.add(a.name);
        if (/LD_PRELOAD=.* was ignored/.test(e.message)) {
          missing.push({ name: a.name, why: e.message });
          active = active.filter((x) => x !== a);
          log(`skipping ${a.name}: ${e.message}`);
        } else {
          failures.push({ allocator: a.name, error: e.message });
          log(`failed: ${e.message}`);
        }
        return null;
      } finally {
        opts.onProgress?.(w.name, ++done, total);
      }
    };
    for (let r = 0; r < runs; r++) {
      for (const a of active) {
        if (failed.has(a.name)) continue;
        const res = await attempt(a, 0, 0);
        if (res !== null) timed.get(a.name)!.push(res);
      }
    }
    const every = Math.max(1, Math.ceil(w.header.records / samples));
    const memory = new Map<string, RunResult[]>(active.map((a) => [a.name, []]));
    for (let r = 0; r < memoryRuns; r++) {
      for (const a of active) {
        if (failed.has(a.name)) continue;
        const res = await attempt(a, every, touchMax);
        if (res !== null) memory.get(a.name)!.push(res);
      }
    }
    const measures: Measure[] = [];
    for (const a of active) {
      if (!failed.has(a.name)) measures.push(reduce(a.name, timed.get(a.name)!, memory.get(a.name)!, w.header.peakLiveBytes));
    }
    const liveTimeline = liveBytesTimeline(readBinaryTrace(w.binPath), every);
    let cpythonCheck: CPythonCheck | undefined;
    const cpy = active.find((a): a is AllocatorSpec & { kind: 'cpython' } => a.kind === 'cpython' && !failed.has(a.name));
    if (cpy !== undefined && !w.name.startsWith('synthetic:')) {
      try {
        cpythonCheck = await checkCPython(cpy, w, opts.cacheDir ?? defaultCacheDir());
      } catch (e) {
        if (!(e instanceof RunError)) throw e;
        failures.push({ allocator: cpy.name, error: e.message });
        log(`failed: ${e.message}`);
      }
    }
    results.push({ workload: w, measures, failures, liveTimeline, ...(cpythonCheck ? { cpythonCheck } : {}) });
    opts.onWorkloadDone?.(w.name);
  }
  return {
    startedAt: new Date(started).toISOString(),
    elapsedS: (Date.now() - started) / 1000,
    machine: { ...machine, loadAfter: loadavg()[0]! },
    runs,
    memoryRuns,
    touchMax,
    allocators: specs.map((s) => s.name),
    missing,
    workloads: results,
  };
}
