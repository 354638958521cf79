/**
 * The JavaScript replayers of `pymem compare`, one per child process so that
 * the process's RSS is the replay's own (measure.ts starts them).
 *
 *   node --expose-gc childReplay.js '{"trace":…,"allocator":…,"touchMax":…,"timelineEvery":…}'
 *
 * prints one {@link RunResult} as JSON on stdout.  Phases, as in
 * native/replayer.cc so the two measure the same thing:
 *   1. load      the binary trace and a pointer table of idSlots entries; a
 *                JIT warm-up on throwaway allocators of the same kind
 *                (warmupTrace, then, in a timed run, the trace itself twice);
 *                then the allocator (a pymem Heap, or glibc through the addon)
 *   2. baseline  gc(), VmRSS, then VmHWM reset to it
 *   3. replay    the timed loop, one allocator call per record; with
 *                `touchMax`, one byte written per 4 KiB page of each new block
 *                of at most that many bytes (what the program would write, so
 *                its pages count in RSS); with `timelineEvery`, VmRSS every
 *                that many records
 *   4. report    VmRSS and VmHWM at the end, minor page faults of the loop,
 *                counts of calls made; for pymem the heap's own stats
 *
 * Only pymalloc blocks are written from here: writing into a glibc block from
 * JavaScript takes the addon's blockBuffer, an external ArrayBuffer per block
 * whose memory is never given back (about 230 bytes per block even after
 * gc(): 800 MiB over test_json), so the addon replayer writes nothing and
 * the native replayer is told the same size limit (measure.ts).
 *
 * pymem is driven through `heap.getAllocator(Domain.OBJ)` by the replay core
 * replay.ts runs too (CPython's PyObject_Malloc & co.); the addon replayer calls native.malloc &
 * co. directly, paying one N-API crossing (and the addon's block registry)
 * per call.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { storeU8 } from '../../allocator/access.js';
import { Domain, type MemAllocator } from '../../allocator/domains.js';
import { Heap } from '../../allocator/heap.js';
import { isSmallPointer } from '../../allocator/pointer.js';
import { resolveProfile } from '../../allocator/profile.js';
import { residentPages } from '../../allocator/region.js';
import { releasePolicyName } from '../../allocator/releasePolicy.js';
import { native } from '../../native.js';
import { InvalidArgumentError, OutOfMemoryError } from '../../errors.js';
import { type BinaryTrace, BinaryTraceBuilder, BinaryTraceError, HEADER_BYTES, NO_ID, OpKind, RECORD_BYTES, readBinaryTrace } from '../binaryTrace.js';
import { ReplayCore } from '../replayCore.js';
import type { AllocatorSpec } from './allocators.js';
import type { OpCounts, PymemHeapStats, RunResult } from './measure.js';

/** What the parent asks a child to do. */
export interface ChildRequest {
  /** Path of the binary trace. */
  trace: string;
  allocator: AllocatorSpec;
  /** Write one byte per page of every new block of 1..touchMax bytes (0: write nothing). */
  touchMax: number;
  /** Sample VmRSS every this many records (0: no timeline). */
  timelineEvery: number;
  /** Warm the JIT up before the baseline (default true; see warmupTrace). */
  warmup?: boolean;
}

const PAGE = 4096;
const WORDS_PER_RECORD = RECORD_BYTES >> 2;
const F64_PER_RECORD = RECORD_BYTES >> 3;

/** Writes one byte per page of the `size` bytes at `p`. */
export type Toucher = (p: number, size: number) => void;

/**
 * The replay loop: every record of `t` through the replay core (replayCore.ts,
 * the one `pymem replay` runs too), its pointer table sized to the trace's
 * slots. Returns the calls made. Sizes of 0 go through as 0: each
 * allocator applies CPython's raw rule (0 is 1) itself, as pymem's raw
 * allocator and the addon do.
 * @throws Error at the first NULL (the trace asks for memory it got in CPython).
 */
export function replayLoop(t: BinaryTrace, core: ReplayCore, touch: Toucher | null, timelineEvery: number, timeline: [number, number][]): OpCounts {
  const u32 = t.u32;
  const f64 = t.f64;
  const n = t.header.records;
  let mallocs = 0;
  let callocs = 0;
  let reallocs = 0;
  let frees = 0;
  let w = HEADER_BYTES >> 2;
  let s = (HEADER_BYTES + 16) >> 3;
  let nextSample = timelineEvery > 0 ? timelineEvery : -1;
  for (let i = 0; i < n; i++, w += WORDS_PER_RECORD, s += F64_PER_RECORD) {
    let p = 0;
    let size = 0;
    switch (u32[w]!) {
      case OpKind.Malloc:
        size = f64[s]!;
        p = core.malloc(u32[w + 1]!, size);
        mallocs++;
        break;
      case OpKind.Calloc:
        size = f64[s]!;
        p = core.calloc(u32[w + 1]!, u32[w + 2]!, u32[w + 3]!);
        callocs++;
        break;
      case OpKind.Realloc: {
        const from = u32[w + 1]!;
        size = f64[s]!;
        p = core.realloc(from === NO_ID ? -1 : from, u32[w + 2]!, size);
        reallocs++;
        break;
      }
      case OpKind.Free: {
        const id = u32[w + 1]!;
        core.free(id === NO_ID ? -1 : id);
        frees++;
        p = -1;
        break;
      }
      default:
        throw new BinaryTraceError(`replay: unknown record kind ${u32[w]} at record ${i}`);
    }
    if (p === 0) throw new OutOfMemoryError(`replay: out of memory at record ${i} (${size} bytes)`, size);
    if (touch !== null && p > 0) touch(p, size);
    if (i + 1 === nextSample) {
      timeline.push([i + 1, native.memoryStats().rss]);
      nextSample += timelineEvery;
    }
  }
  return { malloc: mallocs, calloc: callocs, realloc: reallocs, free: frees };
}

/** glibc's malloc & co. called through the addon, one N-API call each. */
function addonAllocator(): MemAllocator {
  return {
    malloc: (size) => native.malloc(size),
    calloc: (nelem, elsize) => native.calloc(nelem, elsize),
    realloc: (p, size) => (p === 0 ? native.malloc(size) : native.realloc(p, size)),
    free: (p) => {
      if (p !== 0) native.free(p);
    },
  };
}

/**
 * A workout for the JIT: every path of the replay loop and of the allocator
 * (each pymalloc class, calloc, realloc in place, to another class and to the
 * raw allocator, raw blocks) until V8 has optimized them, ending with nothing
 * live.  Run before the baseline so that compiling (whose scratch memory
 * glibc keeps: about 5 MiB) is not counted as the allocator's memory, nor its
 * time as replay time.  Its raw blocks are freed at once, so glibc keeps at
 * most a few of them for the measured replay to reuse.
 *
 * It is not enough on its own: measured on startup (--trace-opt), the timed
 * replay after it still compiled 10-20 functions, most of them pieces of the
 * allocator this workout had not taken in the trace's proportions, and each
 * heap's raw-allocator closures, which start cold in every new heap; on a
 * loaded machine V8's concurrent compiler lagged so far behind that most of
 * startup's 124 k records ran unoptimized (startup: 200-340 ms against
 * 12-80 ms after the warm-up below, side by side, load 18). So a timed run
 * then replays the trace itself twice, on two more throwaway heaps (the
 * second also warms what the first heap's disposal and a fresh heap's
 * closures need), freeing what is left live after each. A memory run does
 * not: glibc would keep the trace's freed raw blocks for the measured replay
 * to reuse (test_json: 34 MiB above the baseline at the peak instead of 44).
 * The timed run's page faults drop by that reuse too (test_json 17.4 k →
 * 14.8 k, about 1 % of its time).
 */
export function warmupTrace(rounds = 40): BinaryTrace {
  const b = new BinaryTraceBuilder();
  const live: number[] = [];
  let next = 0;
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < 2000; i++) {
      const id = next++;
      if (i % 4 === 3) b.calloc(id, 1 + (i % 8), 1 + ((i * 7) % 64));
      else b.malloc(id, 1 + ((i * 37) % 512));
      live.push(id);
    }
    for (let i = 0; i < live.length; i += 4) {
      const id = live[i]!;
      const to = next++;
      const size = i % 64 === 0 ? 600 + i : 1 + ((i * 13) % 512);
      b.realloc(id, to, size);
      live[i] = to;
    }
    for (let i = 0; i < 50; i++) {
      const id = next++;
      b.malloc(id, 600 + i * 300);
      b.realloc(id, id, 600 + i * 300);
      b.free(id);
    }
    b.realloc(-1, next, 24);
    live.push(next++);
    b.free(-1);
    for (const id of live) b.free(id);
    live.length = 0;
  }
  return b.finish(0, 0);
}

/** Frees every block still live in `core` (the end of a warm-up: the measured replay finds nothing of it live). */
function freeLive(core: ReplayCore): void {
  for (let id = 0; id < core.slots; id++) if (core.ptr(id) !== 0) core.free(id);
}

/** A fresh allocator of the kind `spec` names, how to write into its blocks, and (pymem) its heap. */
function makeAllocator(spec: AllocatorSpec, touchMax: number): { a: MemAllocator; touch: Toucher | null; heap: Heap | null } {
  if (spec.kind === 'pymem') {
    const base = resolveProfile(spec.profile);
    const profile = spec.release === undefined ? base : { ...base, name: `${base.name}${releasePolicyName(spec.release)}`, release: spec.release };
    const h = new Heap({ profile, arenaRetention: spec.arenaRetention, checkFree: spec.checkFree });
    let touch: Toucher | null = null;
    if (touchMax > 0) {
      const max = touchMax;
      touch = (p, size) => {
        if (size <= max && isSmallPointer(p)) for (let off = 0; off < size; off += PAGE) storeU8(p + off, 1);
      };
    }
    return { a: h.getAllocator(Domain.OBJ), touch, heap: h };
  }
  if (spec.kind === 'addon') return { a: addonAllocator(), touch: null, heap: null };
  throw new InvalidArgumentError(`childReplay runs pymem and addon allocators, not ${spec.kind} (${spec.name})`);
}

/** Runs one replay in this process (the child's whole job). */
export function runChild(req: ChildRequest): RunResult {
  // 1. load, and warm the JIT up on a throwaway allocator of the same kind
  const t = readBinaryTrace(req.trace);
  const spec = req.allocator;
  const timeline: [number, number][] = [];
  if (req.warmup !== false) {
    // Timed runs warm up on the trace itself as well (see warmupTrace); memory runs do not.
    const timed = req.touchMax === 0 && req.timelineEvery === 0;
    for (const w of timed ? [warmupTrace(), t, t] : [warmupTrace()]) {
      const cold = makeAllocator(spec, req.touchMax);
      const core = new ReplayCore(cold.a, w.header.idSlots);
      replayLoop(w, core, cold.touch, 0, timeline);
      freeLive(core);
      cold.heap?.dispose();
    }
  }
  const { a, touch, heap } = makeAllocator(spec, req.touchMax);
  const core = new ReplayCore(a, t.header.idSlots);

  // 2. baseline
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const peakReset = native.resetPeakRss();
  const baselineRss = native.memoryStats().rss;
  const jsHeapBefore = process.memoryUsage().heapTotal;
  if (req.timelineEvery > 0) timeline.push([0, baselineRss]);

  // 3. replay
  const faults0 = process.resourceUsage().minorPageFault;
  const start = performance.now();
  const counts = replayLoop(t, core, touch, req.timelineEvery, timeline);
  const replayMs = performance.now() - start;
  const minorFaults = process.resourceUsage().minorPageFault - faults0;

  // 4. report
  const end = native.memoryStats();
  const jsHeapGrowth = process.memoryUsage().heapTotal - jsHeapBefore;
  let pymem: PymemHeapStats | undefined;
  if (heap !== null) {
    const st = heap.debugMallocStats();
    pymem = {
      arenasHighwater: st.arenasHighwater,
      arenasAtEnd: st.arenasAllocatedCurrent,
      arenasAllocatedTotal: st.arenasAllocatedTotal,
      bytesLostToQuantization: st.bytesLostToQuantization,
      bytesLostToPoolHeaders: st.bytesLostToPoolHeaders,
      bytesLostToArenaAlignment: st.bytesLostToArenaAlignment,
      bytesInAvailableBlocks: st.bytesInAvailableBlocks,
      unusedPoolBytes: st.unusedPools * st.poolSize,
      residentArenaBytes: heap.pymalloc.arenas.reduce((n, ao) => n + (ao.address === 0 ? 0 : residentPages(ao.vbase, st.arenaSize) * PAGE), 0),
      liveBlocks: st.classes.reduce((n, c) => n + c.blocksInUse, 0) + st.rawAllocatedBlocks,
    };
  }
  return {
    replayMs,
    minorFaults,
    baselineRss,
    peakRss: end.peakRss,
    endRss: end.rss,
    peakReset,
    counts,
    timeline,
    jsHeapGrowth,
    ...(pymem ? { pymem } : {}),
  };
}

/** Whether this module is the process's entry point (not imported by the parent or a test). */
function isMain(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const req = JSON.parse(process.argv[2] ?? '') as ChildRequest;
  const result = runChild(req);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
