/*
 * The gc list functions of Modules/gcmodule.c (3.11) over the PyGC_Heads
 * (layout.ts) in real memory. A list is circular and doubly linked through the
 * PyGC_Heads of its objects (addresses of the heads: object - 16); its head
 * is a PyGC_Head of its own (a generation's, or one of the collector's
 * scratch heads) whose words carry no flags.
 *
 *   _gc_next             next head; 0 = untracked. During a collection, bit 0
 *                        is NEXT_MASK_UNREACHABLE on every object of the
 *                        `unreachable` list (move_unreachable sets it;
 *                        visit_reachable, move_legacy_finalizers and
 *                        clear_unreachable_mask clear it): the collector walks
 *                        such a list by stripping the bit, and the list
 *                        functions here are not used on it until it is clear.
 *   _gc_prev             bit 0 PREV_MASK_FINALIZED (tp_finalize has run),
 *                        bit 1 PREV_MASK_COLLECTING (in the generation being
 *                        collected), bits 2.. the previous head — or, between
 *                        update_refs and move_unreachable, gc_refs (a copy of
 *                        ob_refcnt less the references from inside the
 *                        generation), shifted by _PyGC_PREV_SHIFT.
 *
 * Words are f64 like every pointer of pymem. Heads are 16-aligned (pymalloc
 * blocks and the raw blocks glibc returns are), so the two low bits are free
 * in every pointer. pymalloc pointers are Smis, and raw pointers (past 2^48,
 * still exact below 2^53) keep their low bits through ToInt32, so
 * `word & 3` reads the flags of either.
 */
import * as gcState from '../objects/gcState.js';
import { gcNext, gcPrev } from '../objects/layout.js';

/** NEXT_MASK_UNREACHABLE: bit 0 of _gc_next, set on the objects of the unreachable list during a collection. */
export const NEXT_MASK_UNREACHABLE = 1;

// V8 loads an imported binding from its module cell, with a TDZ check, at every use; a module's
// own top-level consts it folds into the optimized code. So the flags tested below are local copies.
const { PREV_MASK_COLLECTING, PREV_MASK_FINALIZED } = gcState;
/** _PyGC_PREV_SHIFT: gc_refs sit above the two flag bits of _gc_prev. */
export const PREV_SHIFT = 2;
/** 1 << _PyGC_PREV_SHIFT: what one reference counts in _gc_prev. */
export const REFS_UNIT = 1 << PREV_SHIFT;

/**
 * A word with its two low bits cleared (_PyGC_PREV_MASK applied). `word & 3`
 * reads the low bits of any integral double (ToInt32 keeps them), so one
 * expression serves pymalloc and raw pointers, and V8 never reaches for
 * fmod (what `%` on a double from a Float64Array costs).
 */
export function maskFlags(word: number): number {
  return word - (word & 3);
}

/** The gc list functions. Heads are addresses of PyGC_Heads. */
export class GcList {
  /** The raw _gc_next word (flag bit and all). */
  nextWord(g: number): number {
    return gcNext.get(g);
  }
  /** The raw _gc_prev word (flags and all). */
  prevWord(g: number): number {
    return gcPrev.get(g);
  }

  /** GC_NEXT / _PyGCHead_NEXT: the next head (on a list without NEXT_MASK_UNREACHABLE). */
  next(g: number): number {
    return gcNext.get(g);
  }
  /** GC_PREV / _PyGCHead_PREV: the previous head, flags masked off. */
  prev(g: number): number {
    return maskFlags(gcPrev.get(g));
  }
  /** _PyGCHead_SET_PREV: keeps g's flag bits. */
  setPrev(g: number, prev: number): void {
    const w = gcPrev.get(g);
    gcPrev.set(g, prev + (w & 3));
  }

  // --- flags (the gc_refs helpers, gc_reset_refs, gc_decref, gc_set_refs, are inlined in the
  // collector's hot loops: update_refs, visit_decref, visit_reachable, move_unreachable) --------

  /** gc_is_collecting. */
  isCollecting(g: number): boolean {
    return (gcPrev.get(g) & PREV_MASK_COLLECTING) !== 0;
  }
  /** gc_clear_collecting. */
  clearCollecting(g: number): void {
    const w = gcPrev.get(g);
    if ((w & PREV_MASK_COLLECTING) !== 0) gcPrev.set(g, w - PREV_MASK_COLLECTING);
  }
  /** _PyGCHead_FINALIZED. */
  isFinalized(g: number): boolean {
    return (gcPrev.get(g) & PREV_MASK_FINALIZED) !== 0;
  }
  /** _PyGCHead_SET_FINALIZED. */
  setFinalized(g: number): void {
    const w = gcPrev.get(g);
    if ((w & PREV_MASK_FINALIZED) === 0) gcPrev.set(g, w + PREV_MASK_FINALIZED);
  }

  // --- lists -----------------------------------------------------------------------------------

  /** gc_list_init. */
  init(list: number): void {
    gcNext.set(list, list);
    gcPrev.set(list, list);
  }
  /** gc_list_is_empty. */
  isEmpty(list: number): boolean {
    return gcNext.get(list) === list;
  }
  /** gc_list_move: node leaves its list for the end of `list`. */
  move(node: number, list: number): void {
    const fromPrev = this.prev(node);
    const fromNext = this.next(node);
    gcNext.set(fromPrev, fromNext);
    this.setPrev(fromNext, fromPrev);
    const toPrev = gcPrev.get(list);
    this.setPrev(node, toPrev);
    gcNext.set(toPrev, node);
    gcPrev.set(list, node);
    gcNext.set(node, list);
  }
  /** gc_list_merge: `from`'s objects go to the end of `to`; `from` becomes empty. */
  merge(from: number, to: number): void {
    if (!this.isEmpty(from)) {
      const toTail = this.prev(to);
      const fromHead = this.next(from);
      const fromTail = this.prev(from);
      gcNext.set(toTail, fromHead);
      this.setPrev(fromHead, toTail);
      gcNext.set(fromTail, to);
      this.setPrev(to, fromTail);
    }
    this.init(from);
  }
  /** gc_list_size. */
  size(list: number): number {
    let n = 0;
    for (let g = this.next(list); g !== list; g = this.next(g)) n++;
    return n;
  }
  /** gc_list_clear_collecting: clears PREV_MASK_COLLECTING on every object of list. */
  clearCollectingAll(list: number): void {
    for (let g = this.next(list); g !== list; g = this.next(g)) this.clearCollecting(g);
  }
}
