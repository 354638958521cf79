/*
 * Trace replay: every MEM/OBJ allocator call of a real CPython 3.11 program
 * (traces/FORMAT.md), run through a fresh pymem heap by the replay core
 * (replayCore.ts, shared with `pymem compare`), checked as it goes by a
 * ReplayChecker (replayChecker.ts: ids, placement, arena events).
 * When the profile's arena size is the trace's, each arena takes the address
 * CPython's arena had (so an arena not aligned to POOL_SIZE loses its first
 * partial pool, as in CPython) and the arena map counters follow CPython's.
 *
 * Invariants: the trace's `A`/`U` lines follow the request that caused them,
 * so every request is stepped with the next event in view (one event is carried
 * across batch boundaries).
 */
import { Domain } from '../allocator/domains.js';
import { Heap, type MemorySource } from '../allocator/heap.js';
import type { ArenaAllocator, MappedArena } from '../allocator/osMemory.js';
import { fakeArenaAllocator, fakeRawMemory, nativeArenaAllocator, nativeRawMemory } from '../allocator/osMemory.js';
import type { Profile } from '../allocator/profile.js';
import type { MallocStats } from '../allocator/stats.js';
import { pymallocViolations } from '../allocator/validate.js';
import { OutOfMemoryError } from '../errors.js';
import { EventKind, type TraceBatch, readTrace } from './traceReader.js';
import { ReplayCore } from './replayCore.js';
import { type Mismatch, ReplayChecker } from './replayChecker.js';

export type { Mismatch } from './replayChecker.js';

/** Requests pymalloc serves (1..512 bytes) in CPython 3.11. */
const TRACE_THRESHOLD = 512;

/** What a replay found. */
export interface ReplayResult {
  profile: string;
  events: number;
  /** Small-block placements compared with CPython's addresses. */
  placementsChecked: number;
  placementMismatches: number;
  /** Arena map/unmap points where the two differ. */
  arenaMismatches: number;
  /** The first mismatches of each kind, for the report (at most 20 each). */
  mismatches: Mismatch[];
  /** Whether the trace carries block addresses (format v2) and the arena size matches, so placement was checked. */
  placementCheckable: boolean;
  /** Broken heap invariants found at the end (only with `validate`). */
  violations?: string[];
  stats: MallocStats;
  statsText: string;
  elapsedMs: number;
}

/** Options of replayTrace. */
export interface ReplayOptions {
  /** Profile of the heap (default cpython311, the traces' own). */
  profile?: Profile | string;
  /** Memory source (default native). */
  memory?: 'native' | 'fake';
  /** Walk the whole heap at the end and report broken invariants in `violations` (slow on big heaps). */
  validate?: boolean;
  /** Stop after the request at this 0-based event index (and the arena lines it caused); default: the whole trace. */
  at?: number;
  /** Called once where the replay stops, with the heap and every block live there (their trace ids, allocation events and sizes). */
  inspect?: (heap: Heap, live: LiveBlock[]) => void;
  /**
   * Called after each request event but the last one replayed (with the arena
   * lines it caused), with the heap, the event's 0-based index and its line;
   * `inspect` sees the state after the last one.
   */
  onStep?: (heap: Heap, event: number, line: number) => void;
  /** Called as the replay advances with the events replayed so far and the share of the trace they make (0 to 1), for a progress bar. */
  onProgress?: (eventsReplayed: number, fraction: number) => void;
}

/** A block live where a replay stopped, with where the trace allocated it. */
export interface LiveBlock {
  /** The block's pointer in the replaying heap. */
  ptr: number;
  /** Its id in the trace. */
  id: number;
  /** The 0-based event index and 1-based line of the request that made it (its last realloc, if it moved or grew). */
  event: number;
  line: number;
  /** The size that request asked for. */
  size: number;
}

/** Thrown inside the reader to stop a replay at `at`. */
class StopReplay extends Error {}

/** An ArenaAllocator that gives each arena the address the trace recorded for it, when there is one. */
class RecordedAddressArenas implements ArenaAllocator {
  /** Address of the `A` line that follows the request being stepped, or NaN. */
  nextAddress = NaN;
  constructor(private readonly base: ArenaAllocator) {}
  alloc(offset: number, size: number): MappedArena | null {
    const mapped = this.base.alloc(offset, size);
    if (mapped === null || Number.isNaN(this.nextAddress)) return mapped;
    return { ...mapped, address: this.nextAddress };
  }
  free(arena: MappedArena): void {
    this.base.free(arena);
  }
}

/** Replays a trace file into a fresh heap and reports the stats and every disagreement with CPython. */
export async function replayTrace(path: string, options: ReplayOptions = {}): Promise<ReplayResult> {
  const memory = options.memory ?? 'native';
  const arenas = new RecordedAddressArenas(memory === 'fake' ? fakeArenaAllocator() : nativeArenaAllocator());
  const source: MemorySource = { arenas, raw: memory === 'fake' ? fakeRawMemory() : nativeRawMemory() };
  const heap = new Heap({ profile: options.profile ?? 'cpython311', memory: source });
  try {
    return await runReplay(path, heap, arenas, options);
  } finally {
    heap.dispose();
  }
}

/**
 * The per-event part of one replay: steps each request with the event after
 * it in view (its `A` line, if any, gives the arena its address), carrying
 * the last event of a batch until the next batch shows its successor. A
 * class, not closures made per replay, so that V8's optimized code for the
 * loop is shared by every replay of the process (closures made anew start
 * cold each time: measured with --trace-opt, `onBatch` ran in baseline code
 * for most of a replay of compile).
 */
class Replayer {
  /** With `inspect`: where each live block was made (event, line, size by id). */
  made: Float64Array;
  private readonly track: boolean;
  private readonly at: number;
  private readonly onStep: ReplayOptions['onStep'];
  /** The request onStep reports next: the one stepped before the current one. */
  private stepEvent = -1;
  private stepLine = 0;
  // The carried event (the last of the previous batch, stepped once its successor is known).
  private hasCarry = false;
  private cKind = 0;
  private cId = 0;
  private cNewId = 0;
  private cSize = 0;
  private cNelem = 0;
  private cElsize = 0;
  private cAddress = NaN;
  private cLine = 0;
  /** Event index of the carried event (the events replayed so far, for progress). */
  cEvent = 0;

  constructor(
    private readonly heap: Heap,
    private readonly arenas: RecordedAddressArenas,
    readonly core: ReplayCore,
    private readonly check: ReplayChecker,
    options: ReplayOptions,
  ) {
    this.track = options.inspect !== undefined;
    this.made = new Float64Array(this.track ? 3 << 16 : 0);
    this.at = options.at ?? Infinity;
    this.onStep = options.onStep;
  }

  /** Steps every event of b but the last, which is carried. */
  batch(b: TraceBatch): void {
    const n = b.length;
    if (n === 0) return;
    const kind = b.kind;
    const address = b.address;
    if (this.hasCarry) {
      this.step(this.cKind, this.cId, this.cNewId, this.cSize, this.cNelem, this.cElsize, this.cAddress, this.cLine, this.cEvent, kind[0]!, address[0]!);
    }
    const id = b.id;
    const newId = b.newId;
    const size = b.size;
    const nelem = b.nelem;
    const elsize = b.elsize;
    const line = b.line;
    const eventIndex = b.eventIndex;
    for (let i = 0; i < n - 1; i++) {
      this.step(kind[i]!, id[i]!, newId[i]!, size[i]!, nelem[i]!, elsize[i]!, address[i]!, line[i]!, eventIndex[i]!, kind[i + 1]!, address[i + 1]!);
    }
    const j = n - 1;
    this.hasCarry = true;
    this.cKind = kind[j]!;
    this.cId = id[j]!;
    this.cNewId = newId[j]!;
    this.cSize = size[j]!;
    this.cNelem = nelem[j]!;
    this.cElsize = elsize[j]!;
    this.cAddress = address[j]!;
    this.cLine = line[j]!;
    this.cEvent = eventIndex[j]!;
  }

  /** Steps the carried event, the last of the trace. */
  finish(): void {
    if (this.hasCarry) this.step(this.cKind, this.cId, this.cNewId, this.cSize, this.cNelem, this.cElsize, this.cAddress, this.cLine, this.cEvent, -1, NaN);
  }

  private step(
    kind: number,
    id: number,
    newId: number,
    size: number,
    nelem: number,
    elsize: number,
    address: number,
    line: number,
    event: number,
    nextKind: number,
    nextAddress: number,
  ): void {
    const check = this.check;
    if (kind === EventKind.ArenaMap) {
      check.arenaMapped(address);
      return;
    }
    if (kind === EventKind.ArenaUnmap) {
      check.arenaUnmapped(address);
      return;
    }
    if (event > this.at) throw new StopReplay();
    if (this.onStep !== undefined) this.stepped(event, line);
    check.beginRequest(event, line);
    this.arenas.nextAddress = check.sameArenas && nextKind === EventKind.ArenaMap ? nextAddress : NaN;
    const core = this.core;
    let p = 0;
    switch (kind) {
      case EventKind.Malloc:
        if (id < 0) return; // CPython's malloc failed: nothing to replay
        check.fresh(id, event, line);
        p = core.malloc(id, size);
        break;
      case EventKind.Calloc:
        if (id < 0) return;
        check.fresh(id, event, line);
        p = core.calloc(id, nelem, elsize);
        break;
      case EventKind.Realloc:
        if (newId < 0) return;
        if (id >= 0) check.live(id, line, 'realloc');
        if (newId !== id) check.fresh(newId, event, line);
        p = core.realloc(id, newId, size);
        break;
      case EventKind.Free:
        if (id >= 0) check.live(id, line, 'free');
        core.free(id);
        return;
    }
    if (p === 0) {
      const bytes = kind === EventKind.Calloc ? nelem * elsize : size;
      throw new OutOfMemoryError(`replay: out of memory at line ${line} (${bytes} bytes)`, bytes);
    }
    if (this.track) this.setMade(kind === EventKind.Realloc ? newId : id, event, line, kind === EventKind.Calloc ? nelem * elsize : size);
    check.placed(p, address, size);
  }

  /** Reports the previous request to onStep and makes this one the next to report. */
  private stepped(event: number, line: number): void {
    if (this.stepEvent >= 0) this.onStep!(this.heap, this.stepEvent, this.stepLine);
    this.stepEvent = event;
    this.stepLine = line;
  }

  private setMade(id: number, event: number, line: number, size: number): void {
    while (3 * id + 2 >= this.made.length) {
      const bigger = new Float64Array(this.made.length * 2);
      bigger.set(this.made);
      this.made = bigger;
    }
    this.made[3 * id] = event;
    this.made[3 * id + 1] = line;
    this.made[3 * id + 2] = size;
  }
}

async function runReplay(
  path: string,
  heap: Heap,
  arenas: RecordedAddressArenas,
  options: ReplayOptions,
): Promise<ReplayResult> {
  const start = performance.now();
  const pm = heap.pymalloc;
  const core = new ReplayCore(heap.getAllocator(Domain.OBJ));
  const check = new ReplayChecker(path, pm, core);
  const r = new Replayer(heap, arenas, core, check, options);
  const at = options.at ?? Infinity;
  const onBatch = (b: TraceBatch): void => r.batch(b);

  const progress = options.onProgress;
  const readOptions = progress ? { onProgress: (parsed: number, total: number) => progress(r.cEvent, total > 0 ? Math.min(1, parsed / total) : 1) } : {};
  let events: number;
  try {
    ({ events } = await readTrace(path, onBatch, readOptions));
    r.finish();
  } catch (e) {
    if (!(e instanceof StopReplay)) throw e;
    events = at + 1;
  }
  check.settle();
  if (options.inspect !== undefined) {
    const live: LiveBlock[] = [];
    for (let id = 0; id < core.slots; id++) {
      const p = core.ptr(id);
      if (p !== 0) live.push({ ptr: p, id, event: r.made[3 * id]!, line: r.made[3 * id + 1]!, size: r.made[3 * id + 2]! });
    }
    options.inspect(heap, live);
  }

  const stats = heap.debugMallocStats();
  return {
    profile: heap.profile.name,
    events,
    placementsChecked: check.placementsChecked,
    placementMismatches: check.placementMismatches,
    arenaMismatches: check.arenaMismatches,
    mismatches: check.mismatches,
    placementCheckable: check.sawAddresses && check.sameArenas && heap.profile.smallRequestThreshold === TRACE_THRESHOLD,
    ...(options.validate ? { violations: pymallocViolations(pm) } : {}),
    stats,
    statsText: heap.formatDebugMallocStats(),
    elapsedMs: performance.now() - start,
  };
}
