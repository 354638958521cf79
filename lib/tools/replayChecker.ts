/*
 * The checks `pymem replay` makes as it goes (replay.ts drives them, event
 * by event, around the replay core):
 *
 *   ids        a new block's id is not live and at most the number of events
 *              before it (the recorder hands out max_id + 1 at most); a
 *              freed or resized block's id is live — else TraceFormatError
 *   placement  each block CPython put in an arena lands in the arena of the
 *              same ordinal (arenas counted in order of mapping) at the same
 *              offset; each block CPython gave to libc is a raw block here
 *   arenas     this heap maps (unmaps) an arena exactly where the trace has
 *              an `A` (`U`) line
 *
 * Invariants: a request is begun (beginRequest) before its block is placed
 * (placed), and the trace's `A`/`U` lines that follow it are counted before
 * the next request begins, which settles the previous one (its placement is
 * checked once its `A` line, if any, is known). CPython's live arenas are
 * kept by ordinal (their base address in `cpyBase`, NaN once unmapped) and
 * found by the 1 MiB bucket their base lies in (two live arenas never share
 * one: they would overlap); this heap's live arenas by the same ordinal
 * (`ourBase`, a region offset, NaN when not live). A block matches when its
 * pointer is ourBase[k] + (its CPython address - cpyBase[k]) for CPython's
 * arena k: the pointer lies in our arena k at CPython's offset. Nothing is
 * allocated per event; a mismatch takes the slow path that describes it.
 */
import type { PyMalloc } from '../allocator/pymalloc.js';
import { SMALL_LIMIT } from '../allocator/pointer.js';
import type { ReplayCore } from './replayCore.js';
import { TraceFormatError } from './traceReader.js';

/** Arena size of the traces' recorder (64-bit CPython 3.11). */
export const TRACE_ARENA_SIZE = 1 << 20;

/** One point where the replay and CPython disagree. */
export interface Mismatch {
  /** 0-based event index in the trace (non-comment lines). */
  event: number;
  /** 1-based line in the trace file. */
  line: number;
  what: string;
}

/** The checks of one replay of the trace at `path` into `pm`. */
export class ReplayChecker {
  placementsChecked = 0;
  placementMismatches = 0;
  arenaMismatches = 0;
  /** Whether any request carried CPython's address (format v2). */
  sawAddresses = false;
  /** The first mismatches of each kind (at most 20 each). */
  readonly mismatches: Mismatch[] = [];
  /** Whether the heap's arenas are the trace's size (placement is checked only then). */
  readonly sameArenas: boolean;

  /** CPython's arena of each ordinal: its base address (NaN once unmapped). */
  private cpyBase: Float64Array = new Float64Array(64).fill(Number.NaN);
  /** Ordinal of CPython's live arena whose base lies in each 1 MiB bucket (address / 2^20, an integer below 2^28). */
  private readonly cpyByBucket = new Map<number, number>();
  private cpyOrdinal = 0;
  /** This heap's arena of each ordinal: its region offset (NaN when not live). */
  private ourBase: Float64Array = new Float64Array(64).fill(Number.NaN);
  /** The CPython arena the last lookup found (-1: none): consecutive blocks mostly share one. */
  private lastCpy = -1;
  // Arena events of this heap during the current request, and of CPython after it.
  private ourMaps = 0;
  private ourUnmaps = 0;
  private theirMaps = 0;
  private theirUnmaps = 0;
  private requestEvent = -1;
  private requestLine = 0;
  // The block of the current request, placed once its A line (if any) is seen.
  private pendingPtr = 0;
  private pendingAddr = Number.NaN;
  private pendingSize = 0;
  /** Mismatches reported so far, by kind (at most 20 of each are kept). */
  private reported = { placement: 0, arena: 0 };

  constructor(
    private readonly path: string,
    private readonly pm: PyMalloc,
    private readonly core: ReplayCore,
  ) {
    this.sameArenas = pm.profile.arenaSize === TRACE_ARENA_SIZE;
    pm.arenaListeners.push((e, arena) => {
      if (e === 'map') {
        this.ourMaps++;
        this.ourBase = setAt(this.ourBase, arena.ordinal, arena.vbase);
      } else {
        this.ourUnmaps++;
        this.ourBase[arena.ordinal] = Number.NaN;
      }
    });
  }

  /** Refuses the id of a new block unless it is free and could have been handed out by `event`. */
  fresh(id: number, event: number, line: number): void {
    if (id > event) throw new TraceFormatError(this.path, line, `id ${id}`, `id ${id} is larger than any recorder could have handed out by event ${event}`);
    if (this.core.ptr(id) !== 0) throw new TraceFormatError(this.path, line, `id ${id}`, `id ${id} is already the id of a live block`);
  }

  /** Refuses the id of a block freed or resized unless it is live. */
  live(id: number, line: number, what: string): void {
    if (this.core.ptr(id) === 0) throw new TraceFormatError(this.path, line, `id ${id}`, `${what} of id ${id}, which names no live block`);
  }

  /** CPython mapped an arena at address (an `A` line). */
  arenaMapped(address: number): void {
    this.theirMaps++;
    const k = this.cpyOrdinal++;
    this.cpyBase = setAt(this.cpyBase, k, address);
    this.cpyByBucket.set(Math.floor(address / TRACE_ARENA_SIZE), k);
  }

  /** CPython unmapped the arena at address (a `U` line). */
  arenaUnmapped(address: number): void {
    this.theirUnmaps++;
    const bucket = Math.floor(address / TRACE_ARENA_SIZE);
    const k = this.cpyByBucket.get(bucket);
    if (k === undefined || this.cpyBase[k] !== address) return;
    this.cpyByBucket.delete(bucket);
    this.cpyBase[k] = Number.NaN;
    if (this.lastCpy === k) this.lastCpy = -1;
  }

  /** The ordinal of CPython's live arena holding address, or -1. */
  private cpyArenaOf(address: number): number {
    const last = this.lastCpy;
    if (last >= 0) {
      const base = this.cpyBase[last]!;
      if (address >= base && address < base + TRACE_ARENA_SIZE) return last;
    }
    const bucket = Math.floor(address / TRACE_ARENA_SIZE);
    let k = this.cpyByBucket.get(bucket);
    if (k === undefined || !(this.cpyBase[k]! <= address)) {
      k = this.cpyByBucket.get(bucket - 1);
      if (k === undefined || !(address < this.cpyBase[k]! + TRACE_ARENA_SIZE)) return -1;
    }
    this.lastCpy = k;
    return k;
  }

  /** A request starts: the previous one is settled (placement, arena events). */
  beginRequest(event: number, line: number): void {
    this.settle();
    this.requestEvent = event;
    this.requestLine = line;
  }

  /** The current request's block is at ptr here, at address `address` in CPython (NaN: not recorded). */
  placed(ptr: number, address: number, size: number): void {
    this.pendingPtr = ptr;
    this.pendingAddr = address;
    this.pendingSize = size;
  }

  /** Settles the last request (at the end of the replay). */
  settle(): void {
    this.checkPlacement();
    if (this.requestEvent >= 0 && (this.ourMaps !== this.theirMaps || this.ourUnmaps !== this.theirUnmaps)) {
      this.arenaMismatches++;
      this.report('arena', `pymem mapped ${this.ourMaps} / unmapped ${this.ourUnmaps} arena(s), CPython ${this.theirMaps} / ${this.theirUnmaps}`);
    }
    this.ourMaps = this.ourUnmaps = this.theirMaps = this.theirUnmaps = 0;
  }

  private checkPlacement(): void {
    const p = this.pendingPtr;
    const addr = this.pendingAddr;
    if (Number.isNaN(addr) || p === 0) return;
    this.pendingPtr = 0;
    this.sawAddresses = true;
    if (!this.sameArenas) return;
    const k = this.cpyArenaOf(addr);
    if (k >= 0) {
      if (p === this.ourBase[k]! + (addr - this.cpyBase[k]!)) {
        this.placementsChecked++;
        return;
      }
    } else if (!(p < SMALL_LIMIT)) {
      return; // raw in both
    }
    this.comparePlacement(p, addr, k);
  }

  /** The slow path of a placement that is not the fast match: both sides as arena and offset, counted and described. */
  private comparePlacement(p: number, addr: number, k: number): void {
    const ours = this.pm.arenaOf(p);
    if (k < 0 && ours === null) return; // both raw
    this.placementsChecked++;
    const theirOffset = k >= 0 ? addr - this.cpyBase[k]! : 0;
    if (k >= 0 && ours !== null && k === ours.arena.ordinal && theirOffset === ours.offset) return;
    this.placementMismatches++;
    const t = k >= 0 ? `arena ${k} +0x${theirOffset.toString(16)}` : 'raw';
    const o = ours ? `arena ${ours.arena.ordinal} +0x${ours.offset.toString(16)}` : 'raw';
    this.report('placement', `${this.pendingSize}-byte block: CPython ${t}, pymem ${o}`);
  }

  private report(kind: 'placement' | 'arena', what: string): void {
    if (this.reported[kind]++ < 20) this.mismatches.push({ event: this.requestEvent, line: this.requestLine, what: `${kind}: ${what}` });
  }
}

/** `a` with `a[i] = v`, grown (doubled, new entries NaN) when i is past its end. */
function setAt(a: Float64Array, i: number, v: number): Float64Array {
  if (i >= a.length) {
    let n = a.length * 2;
    while (n <= i) n *= 2;
    const bigger = new Float64Array(n).fill(Number.NaN);
    bigger.set(a);
    a = bigger;
  }
  a[i] = v;
  return a;
}
