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
  // With `inspect`: where each live block was made (event, line, size by id).
  const track = options.inspect !== undefined;
  let made = new Float64Array(track ? 3 << 16 : 0);
  const setMade = (id: number, event: number, line: number, size: number): void => {
    while (3 * id + 2 >= made.length) {
      const bigger = new Float64Array(made.length * 2);
      bigger.set(made);
      made = bigger;
    }
    made[3 * id] = event;
    made[3 * id + 1] = line;
    made[3 * id + 2] = size;
  };
  const at = options.at ?? Infinity;

  // The carried event (the last of the previous batch, stepped once its successor is known).
  const carry = { has: false, kind: 0, id: 0, newId: 0, size: 0, nelem: 0, elsize: 0, address: NaN, line: 0, event: 0 };

  const step = (
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
  ): void => {
    if (kind === EventKind.ArenaMap) {
      check.arenaMapped(address);
      return;
    }
    if (kind === EventKind.ArenaUnmap) {
      check.arenaUnmapped(address);
      return;
    }
    if (event > at) throw new StopReplay();
    check.beginRequest(event, line);
    arenas.nextAddress = check.sameArenas && nextKind === EventKind.ArenaMap ? nextAddress : NaN;
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
    if (track) setMade(kind === EventKind.Realloc ? newId : id, event, line, kind === EventKind.Calloc ? nelem * elsize : size);
    check.placed(p, address, size);
  };

  const onBatch = (b: TraceBatch): void => {
    const n = b.length;
    if (n === 0) return;
    if (carry.has) {
      step(carry.kind, carry.id, carry.newId, carry.size, carry.nelem, carry.elsize, carry.address, carry.line, carry.event, b.kind[0]!, b.address[0]!);
    }
    for (let i = 0; i < n - 1; i++) {
      step(b.kind[i]!, b.id[i]!, b.newId[i]!, b.size[i]!, b.nelem[i]!, b.elsize[i]!, b.address[i]!, b.line[i]!, b.eventIndex[i]!, b.kind[i + 1]!, b.address[i + 1]!);
    }
    const j = n - 1;
    Object.assign(carry, {
      has: true,
      kind: b.kind[j]!,
      id: b.id[j]!,
      newId: b.newId[j]!,
      size: b.size[j]!,
      nelem: b.nelem[j]!,
      elsize: b.elsize[j]!,
      address: b.address[j]!,
      line: b.line[j]!,
      event: b.eventIndex[j]!,
    });
  };

  const progress = options.onProgress;
  const readOptions = progress ? { onProgress: (parsed: number, total: number) => progress(carry.event, total > 0 ? Math.min(1, parsed / total) : 1) } : {};
  let events: number;
  try {
    ({ events } = await readTrace(path, onBatch, readOptions));
    if (carry.has) step(carry.kind, carry.id, carry.newId, carry.size, carry.nelem, carry.elsize, carry.address, carry.line, carry.event, -1, NaN);
  } catch (e) {
    if (!(e instanceof StopReplay)) throw e;
    events = at + 1;
  }
  check.settle();
  if (options.inspect !== undefined) {
    const live: LiveBlock[] = [];
    for (let id = 0; id < core.slots; id++) {
      const p = core.ptr(id);
      if (p !== 0) live.push({ ptr: p, id, event: made[3 * id]!, line: made[3 * id + 1]!, size: made[3 * id + 2]! });
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
