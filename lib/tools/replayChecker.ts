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
 * kept by base address in 1 MiB buckets.
 */
import type { PyMalloc } from '../allocator/pymalloc.js';
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

/** A live arena of CPython's. */
interface CpyArena {
  readonly address: number;
  readonly ordinal: number;
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

  private readonly cpyArenas = new Map<number, CpyArena[]>();
  private cpyOrdinal = 0;
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

  constructor(
    private readonly path: string,
    private readonly pm: PyMalloc,
    private readonly core: ReplayCore,
  ) {
    this.sameArenas = pm.profile.arenaSize === TRACE_ARENA_SIZE;
    pm.arenaListeners.push((e) => {
      if (e === 'map') this.ourMaps++;
      else this.ourUnmaps++;
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
    const a = { address, ordinal: this.cpyOrdinal++ };
    for (const k of new Set([Math.floor(address / TRACE_ARENA_SIZE), Math.floor((address + TRACE_ARENA_SIZE - 1) / TRACE_ARENA_SIZE)])) {
      const list = this.cpyArenas.get(k);
      if (list) list.push(a);
      else this.cpyArenas.set(k, [a]);
    }
  }

  /** CPython unmapped the arena at address (a `U` line). */
  arenaUnmapped(address: number): void {
    this.theirUnmaps++;
    for (const [k, list] of this.cpyArenas) {
      const i = list.findIndex((a) => a.address === address);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.cpyArenas.delete(k);
    }
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
    if (Number.isNaN(this.pendingAddr) || this.pendingPtr === 0) return;
    this.sawAddresses = true;
    if (!this.sameArenas) return;
    const addr = this.pendingAddr;
    const theirs = this.cpyArenas.get(Math.floor(addr / TRACE_ARENA_SIZE))?.find((a) => addr >= a.address && addr < a.address + TRACE_ARENA_SIZE);
    const ours = this.pm.arenaOf(this.pendingPtr);
    this.pendingPtr = 0;
    if (theirs === undefined && ours === null) return; // both raw
    this.placementsChecked++;
    if (theirs !== undefined && ours !== null && theirs.ordinal === ours.arena.ordinal && addr - theirs.address === ours.offset) return;
    this.placementMismatches++;
    const t = theirs ? `arena ${theirs.ordinal} +0x${(addr - theirs.address).toString(16)}` : 'raw';
    const o = ours ? `arena ${ours.arena.ordinal} +0x${ours.offset.toString(16)}` : 'raw';
    this.report('placement', `${this.pendingSize}-byte block: CPython ${t}, pymem ${o}`);
  }

  private report(kind: 'placement' | 'arena', what: string): void {
    if (this.mismatches.filter((m) => m.what.startsWith(kind)).length < 20) this.mismatches.push({ event: this.requestEvent, line: this.requestLine, what: `${kind}: ${what}` });
  }
}
