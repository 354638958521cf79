/*
 * The part of CPython's GC state (Include/internal/pycore_gc.h,
 * struct _gc_runtime_state) that objects touch when they are created,
 * tracked, untracked and deleted: the generation lists, whose PyGC_Heads live
 * in real memory, and generation 0's allocation count that triggers a
 * collection. The collector itself is the gc layer's; it installs
 * `collectGenerations`. Which collection that is, and the thresholds, are the
 * GcPolicy's (gcPolicy.ts); under 3.14's incremental policy `generations` are
 * young, old[0] and old[1], and IncrementalState keeps the rest of its state.
 *
 *   generation head (a PyGC_Head of its own, layout.ts, in a static block)
 *   +-----------+-----------+
 *   | _gc_next  | _gc_prev  |   circular doubly linked list of PyGC_Heads
 *   +-----------+-----------+   (addresses of the heads, i.e. object - 16)
 *
 * Invariants: an object is tracked iff its _gc_next != 0; a tracked object is
 * on exactly one list; _gc_prev's low 2 bits are flags (FINALIZED = 1,
 * COLLECTING = 2) and the rest the previous head's address. The words are
 * f64 (pointers up to 2^53); `w & 3` reads the flags exactly, since ToInt32
 * keeps the low 32 bits of an integer-valued double.
 *
 * track, untrack and isTracked run for every container made and freed: they
 * index the region's f64 view for heads at small addresses (layout.ts's word
 * constants) and use the declared accessors only for a head in a raw block.
 */
import { type GcPolicy, gcPolicyOf } from './gcPolicy.js';
import { heapViews } from '../allocator/access.js';
import * as pointer from '../allocator/pointer.js';
import { asGc, gcNext, gcPrev } from './layout.js';
import * as layout from './layout.js';

// V8 loads an imported binding from its module cell, with a TDZ check, at every use; a module's
// own top-level consts it folds into the optimized code. So the hot paths' constants are local copies.
const { GC_HEAD_SIZE, GC_NEXT_F64, HEAD_NEXT_F64, HEAD_PREV_F64 } = layout;
const { SMALL_LIMIT } = pointer;

/** NUM_GENERATIONS. */
export const NUM_GENERATIONS = 3;
/** _PyGC_PREV_MASK_FINALIZED. */
// FINALIZED and the like: local consts, as an exported const is a module cell V8 loads at every use.
const FINALIZED = 1;
export const PREV_MASK_FINALIZED = FINALIZED;
/** _PyGC_PREV_MASK_COLLECTING. */
export const PREV_MASK_COLLECTING = 2;

/** One generation: its list head (address of a PyGC_Head), threshold and count. */
export interface Generation {
  readonly head: number;
  threshold: number;
  count: number;
}

/** Per-generation statistics (struct gc_generation_stats). */
export interface GenerationStats {
  collections: number;
  collected: number;
  uncollectable: number;
}

/**
 * The state of 3.14's incremental collector beyond the generations
 * (struct _gc_runtime_state: visited_space, work_to_do, phase) and the
 * old-space bit CPython keeps in bit 0 of each _gc_next
 * (_PyGC_NEXT_MASK_OLD_SPACE_1).
 *
 * pymem's _gc_next has no spare bit for it (every list walk reads the word
 * as a pointer), so the bit lives beside the heap: `visited` holds the old
 * objects whose bit equals visitedSpace, `permanent` the permanent
 * generation's (always visited). Everything else tracked is in the pending
 * space: the pending half of the old generation, and the young generation
 * (_PyObject_GC_TRACK and completed_scavenge give young objects the
 * not-visited bit). Flipping visited_space, which relabels every visited
 * object pending at once, is `visited.clear()`. An untracked object has no
 * bit (GcState.untrack forgets it).
 */
export class IncrementalState {
  /** gcstate->visited_space: which of old[0] / old[1] is the visited half. */
  visitedSpace = 0;
  /** gcstate->work_to_do: objects still to scan before the old generation has been scavenged. */
  workToDo = 0;
  /** gcstate->phase: GC_PHASE_MARK (the next increment marks from the roots) or GC_PHASE_COLLECT. */
  phase: 'mark' | 'collect' = 'mark';
  /** Old objects whose space bit is visitedSpace. */
  readonly visited = new Set<number>();
  /** The permanent generation's objects (visited, never collected). */
  readonly permanent = new Set<number>();

  /** gc_old_space(gc) == visited_space, for a tracked object op. */
  isVisited(op: number): boolean {
    return this.visited.has(op) || this.permanent.has(op);
  }
  /** The bit goes with the object when it is untracked. */
  forget(op: number): void {
    this.visited.delete(op);
    this.permanent.delete(op);
  }
}

/** gc state of one runtime. */
export class GcState {
  enabled = true;
  debug = 0;
  collecting = false;
  longLivedTotal = 0;
  longLivedPending = 0;
  /** gcstate->heap_size (3.14): containers allocated less those deleted; counted under every policy, read by 3.14's. */
  heapSize = 0;
  /** The schedule (gcPolicy.ts). */
  readonly policy: GcPolicy;
  /** 3.14's incremental state; null under the generational policies. */
  readonly incremental: IncrementalState | null;
  readonly generations: Generation[];
  readonly permanentGeneration: Generation;
  readonly stats: GenerationStats[] = [0, 1, 2].map(() => ({ collections: 0, collected: 0, uncollectable: 0 }));
  /** Installed by the gc layer: gc_collect_generations(). Null while no collector is installed. */
  collectGenerations: (() => void) | null = null;
  /** generations[0], and its list head. */
  private readonly gen0: Generation;
  private readonly gen0Head: number;
  /** The region's f64 view (heapViews.f64). */
  private readonly f64: Float64Array;

  constructor(
    /** Allocates a zeroed static block (for a list head). */
    staticAlloc: (n: number) => number,
    policy: GcPolicy = gcPolicyOf(),
  ) {
    this.policy = policy;
    this.incremental = policy.collector === 'incremental' ? new IncrementalState() : null;
    const mk = (threshold: number): Generation => {
      const head = staticAlloc(GC_HEAD_SIZE);
      this.listInit(head);
      return { head, threshold, count: 0 };
    };
    const [t0, t1, t2] = policy.thresholds;
    this.generations = [mk(t0), mk(t1), mk(t2)];
    this.permanentGeneration = mk(0);
    this.gen0 = this.generations[0]!;
    this.gen0Head = this.gen0.head;
    this.f64 = heapViews.f64;
  }

  /** gc_list_init. */
  listInit(head: number): void {
    gcNext.set(head, head);
    gcPrev.set(head, head);
  }
  /** _PyGCHead_NEXT. */
  next(g: number): number {
    return gcNext.get(g);
  }
  /** _PyGCHead_PREV (flags masked off). */
  prev(g: number): number {
    const v = gcPrev.get(g);
    return v - (v & 3);
  }
  /** _PyGCHead_SET_NEXT. */
  setNext(g: number, next: number): void {
    gcNext.set(g, next);
  }
  /** _PyGCHead_SET_PREV: keeps g's flag bits. */
  setPrev(g: number, prev: number): void {
    const v = gcPrev.get(g);
    gcPrev.set(g, prev + (v & 3));
  }
  /** The raw _gc_prev word (flags and all). */
  prevWord(g: number): number {
    return gcPrev.get(g);
  }
  setPrevWord(g: number, v: number): void {
    gcPrev.set(g, v);
  }

  /** _PyObject_GC_IS_TRACKED. */
  isTracked(op: number): boolean {
    return (op < SMALL_LIMIT ? this.f64[(op >>> 3) + GC_NEXT_F64]! : gcNext.get(asGc(op))) !== 0;
  }

  /** _PyObject_GC_TRACK: append op (untracked) to generation 0. */
  track(op: number): void {
    const gc = op - GC_HEAD_SIZE;
    const f = this.f64;
    const h = this.gen0Head >>> 3;
    const lw = f[h + HEAD_PREV_F64]!;
    const last = lw - (lw & 3);
    if (gc < SMALL_LIMIT && last < SMALL_LIMIT) {
      const g = gc >>> 3;
      f[(last >>> 3) + HEAD_NEXT_F64] = gc;
      f[g + HEAD_PREV_F64] = last + (f[g + HEAD_PREV_F64]! & 3);
      f[g + HEAD_NEXT_F64] = this.gen0Head;
      f[h + HEAD_PREV_F64] = gc;
    } else this.trackOther(gc, last);
  }
  /** track with op's head or the last one in a raw block: the same stores through the accessors. */
  private trackOther(gc: number, last: number): void {
    gcNext.set(last, gc);
    gcPrev.set(gc, last + (gcPrev.get(gc) & 3));
    gcNext.set(gc, this.gen0Head);
    gcPrev.set(this.gen0Head, gc);
  }

  /** _PyObject_GC_UNTRACK: unlink op (tracked); keeps only its FINALIZED flag. */
  untrack(op: number): void {
    const gc = op - GC_HEAD_SIZE;
    if (gc < SMALL_LIMIT) {
      const f = this.f64;
      const g = gc >>> 3;
      const w = f[g + HEAD_PREV_F64]!;
      const prev = w - (w & 3);
      const next = f[g + HEAD_NEXT_F64]!;
      if (prev < SMALL_LIMIT && next < SMALL_LIMIT) {
        f[(prev >>> 3) + HEAD_NEXT_F64] = next;
        const n = (next >>> 3) + HEAD_PREV_F64;
        f[n] = prev + (f[n]! & 3);
        f[g + HEAD_NEXT_F64] = 0;
        f[g + HEAD_PREV_F64] = w & FINALIZED;
        if (this.incremental !== null) this.incremental.forget(op);
        return;
      }
    }
    this.untrackOther(op);
  }
  /** untrack with a head involved in a raw block: the same stores through the accessors. */
  private untrackOther(op: number): void {
    const gc = asGc(op);
    const w = gcPrev.get(gc);
    const prev = w - (w & 3);
    const next = gcNext.get(gc);
    gcNext.set(prev, next);
    gcPrev.set(next, prev + (gcPrev.get(next) & 3));
    gcNext.set(gc, 0);
    gcPrev.set(gc, w & FINALIZED);
    if (this.incremental !== null) this.incremental.forget(op);
  }

  /** PyObject_GC_UnTrack: untrack op if it is tracked. */
  untrackIfTracked(op: number): void {
    if (this.isTracked(op)) this.untrack(op);
  }

  /**
   * GEN_HEAD(gcstate, n): generation n's list head. Under the incremental
   * policy 1 is the visited half of the old generation and 2 the pending
   * half (which of old[0] / old[1] each is flips with visited_space).
   */
  genHead(n: number): number {
    const inc = this.incremental;
    if (inc === null || n === 0) return this.generations[n]!.head;
    return this.generations[n === 1 ? 1 + inc.visitedSpace : 2 - inc.visitedSpace]!.head;
  }

  /** The count rule of _PyObject_GC_Link: a new container; collect when gen 0 is over its threshold. */
  linked(): void {
    const g0 = this.gen0;
    const count = ++g0.count;
    this.heapSize++;
    if (count > g0.threshold && this.enabled && g0.threshold !== 0 && !this.collecting && this.collectGenerations !== null) this.collect();
  }

  /** gc_collect_generations as _PyObject_GC_Link calls it (out of line: linked runs for every container made). */
  private collect(): void {
    this.collecting = true;
    try {
      this.collectGenerations!();
    } finally {
      this.collecting = false;
    }
  }

  /** The count rule of PyObject_GC_Del. */
  deleted(): void {
    const g0 = this.gen0;
    if (g0.count > 0) g0.count--;
    this.heapSize--;
  }
}
