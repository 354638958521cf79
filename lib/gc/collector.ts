/*
 * The cyclic collector of CPython 3.11 (Modules/gcmodule.c, gc_collect_main
 * and its phases), over the generation lists GcState keeps in real memory.
 *
 * A collection of generation g, in order:
 *
 *   merge gens 0..g-1 into g ("young"); "old" is g+1 (g itself for the oldest)
 *   deduce_unreachable(young, unreachable)
 *     update_refs          gc_refs := ob_refcnt, COLLECTING set       (in _gc_prev)
 *     subtract_refs        gc_refs -= references from inside young    (tp_traverse)
 *     move_unreachable     gc_refs == 0 and not reachable from a gc_refs > 0
 *                          object -> unreachable (NEXT_MASK_UNREACHABLE in
 *                          _gc_next); young is doubly linked again after it
 *   untrack_tuples(young)  _PyTuple_MaybeUntrack on every survivor
 *   young -> old           (full collections: untrack_dicts, long_lived_total)
 *   move_legacy_finalizers, move_legacy_finalizer_reachable
 *                          objects with tp_del, and all they reach -> finalizers
 *   handle_weakrefs        clear weakrefs to the unreachable; call the callbacks
 *                          of weakrefs that are not garbage themselves
 *   finalize_garbage       tp_finalize once per object (PEP 442; FINALIZED bit)
 *   handle_resurrected_objects
 *                          deduce_unreachable again: what a finalizer revived
 *                          -> old, the rest -> final_unreachable
 *   delete_garbage         tp_clear (or gc.garbage under DEBUG_SAVEALL);
 *                          survivors -> old
 *   handle_legacy_finalizers
 *                          finalizers -> gc.garbage and old
 *   clear_freelists        full collections only
 *
 * Nothing here recurses: every phase walks a list, and a traversal visits one
 * level of references (the visit procedures only mark and move heads), so a
 * million-object ring or chain costs no JavaScript stack. What the objects
 * run (finalizers, weakref callbacks, tp_clear) may throw: it is reported as
 * unraisable (errors of what the objects layer already reports are caught
 * there) and the collection goes on.
 *
 * Invariants between collections: no object carries COLLECTING or
 * NEXT_MASK_UNREACHABLE; every tracked object is on exactly one of the four
 * lists (validate.ts checks it). The scratch list heads below are static
 * blocks of the runtime; collections never nest (GcState.collecting), so
 * one set of them serves every collection.
 */
import { asGc, fromGc, gcNext, gcPrev, obRefcnt, obType } from '../objects/layout.js';
import * as layout from '../objects/layout.js';
import { NUM_GENERATIONS, type GcState } from '../objects/gcState.js';
import * as gcState from '../objects/gcState.js';
import type { Interpreter } from '../objects/interpreter.js';
import type { Runtime } from '../objects/runtime.js';
import { type PyTypeObject, type Visit } from '../objects/type.js';
import * as typeDefs from '../objects/type.js';
import { GcList, maskFlags } from './gcList.js';
import * as gcList from './gcList.js';

// V8 loads an imported binding from its module cell, with a TDZ check, at every use; a module's
// own top-level consts it folds into the optimized code. So the phases' constants are local copies.
const { GC_HEAD_SIZE } = layout;
const { PREV_MASK_COLLECTING, PREV_MASK_FINALIZED } = gcState;
const { Py_TPFLAGS_HAVE_GC } = typeDefs;
const { NEXT_MASK_UNREACHABLE, REFS_UNIT } = gcList;

/** gc.DEBUG_STATS: print statistics of each collection. */
export const DEBUG_STATS = 1 << 0;
/** gc.DEBUG_COLLECTABLE: print the collectable objects found. */
export const DEBUG_COLLECTABLE = 1 << 1;
/** gc.DEBUG_UNCOLLECTABLE: print the uncollectable objects found. */
export const DEBUG_UNCOLLECTABLE = 1 << 2;
/** gc.DEBUG_SAVEALL: keep every unreachable object in gc.garbage instead of freeing it. */
export const DEBUG_SAVEALL = 1 << 5;
/** gc.DEBUG_LEAK. */
export const DEBUG_LEAK = DEBUG_COLLECTABLE | DEBUG_UNCOLLECTABLE | DEBUG_SAVEALL;


/** The outcome of one gc_collect_main. */
export interface CollectionResult {
  /** m: objects found unreachable and collected (freed, or saved under DEBUG_SAVEALL). */
  collected: number;
  /** n: unreachable objects that could not be collected (legacy finalizers and what they reach). */
  uncollectable: number;
}

/** gc_collect_main and its phases, for one interpreter. */
export class Collector {
  /** Whether this collection ran object code (a tp_finalize or a weakref callback): only then can objects be revived. */
  private ranObjectCode = false;
  /** gc.garbage: a list object (set by the gc module). */
  garbage = 0;
  /** Where DEBUG_* output goes (PySys_WriteStderr). */
  write: (text: string) => void = (text) => process.stderr.write(text);

  private readonly rt: Runtime;
  /**
   * The runtime's first ob_type word: types[(word - typeBase) | 0] is an
   * object's type. The index is made an int32 (a double one was measured the
   * top cost of the traversals); the collector reads only the words of live
   * objects (members of its lists and what their traverse visits), as
   * CPython's Py_TYPE there checks nothing.
   */
  private readonly typeBase: number;
  private readonly state: GcState;
  private readonly lists: GcList;
  private readonly types: PyTypeObject[];
  /** The runtime's tp_flags and tp_traverse by type id (no megamorphic load from the type objects in the visits). */
  private readonly flags: number[];
  private readonly traverses: Runtime['typeTraverse'];
  private readonly clears: Runtime['typeClear'];
  private readonly finalizes: Runtime['typeFinalize'];
  private readonly dels: Runtime['typeDel'];
  /** Scratch list heads (the PyGC_Heads gc_collect_main keeps on the C stack). */
  private readonly unreachable: number;
  private readonly finalizers: number;
  private readonly finalUnreachable: number;
  private readonly wrcbToCall: number;
  private readonly seen: number;
  /** visit_reachable's `reachable` argument: the young list of the running move_unreachable. */
  private young = 0;
  /** Objects examined by update_refs over the collector's life (the first deduce_unreachable of each collection). */
  candidates = 0;

  constructor(private readonly interp: Interpreter) {
    this.rt = interp.rt;
    this.typeBase = this.rt.typeBase;
    this.state = this.rt.gc;
    this.types = this.rt.types;
    this.flags = this.rt.typeFlags;
    this.traverses = this.rt.typeTraverse;
    this.clears = this.rt.typeClear;
    this.finalizes = this.rt.typeFinalize;
    this.dels = this.rt.typeDel;
    this.lists = new GcList();
    const head = (): number => {
      const g = this.rt.staticAlloc(GC_HEAD_SIZE);
      this.lists.init(g);
      return g;
    };
    this.unreachable = head();
    this.finalizers = head();
    this.finalUnreachable = head();
    this.wrcbToCall = head();
    this.seen = head();
  }

  /** The GcList helpers over this heap (for the gc module and validation). */
  get gcList(): GcList {
    return this.lists;
  }

  /** Py_TYPE(op). */
  private typeOf(op: number): PyTypeObject {
    return this.types[(obType.get(op) - this.typeBase) | 0]!;
  }
  /** The id of Py_TYPE(op) (op a live object): the index of the runtime's tables by type. */
  private typeIdOf(op: number): number {
    return (obType.get(op) - this.typeBase) | 0;
  }

  /** _PyObject_IS_GC. */
  isGc(op: number): boolean {
    return (this.flags[(obType.get(op) - this.typeBase) | 0]! & Py_TPFLAGS_HAVE_GC) !== 0;
  }

  // --- deduce_unreachable --------------------------------------------------------------------

  /**
   * update_refs: gc_refs := ob_refcnt and PREV_MASK_COLLECTING on every
   * object of containers. After it, _gc_prev holds no pointer: containers is
   * singly linked until move_unreachable relinks it. Returns the number of
   * objects (3.14's `candidates`).
   */
  private updateRefs(containers: number): number {
    let candidates = 0;
    for (let g = gcNext.get(containers); g !== containers; g = gcNext.get(g)) {
      // gc_reset_refs(gc, Py_REFCNT(op)): FINALIZED kept, COLLECTING set.
      gcPrev.set(g, obRefcnt.get(fromGc(g)) * REFS_UNIT + (gcPrev.get(g) & PREV_MASK_FINALIZED) + PREV_MASK_COLLECTING);
      candidates++;
    }
    return candidates;
  }

  /** visit_decref: one reference from inside the collected generation. */
  private readonly visitDecref: Visit = (op) => {
    if ((this.flags[(obType.get(op) - this.typeBase) | 0]! & Py_TPFLAGS_HAVE_GC) !== 0) {
      // gc_decref, on the objects of the generation being collected (only
      // they carry COLLECTING). The floor at 0 keeps a traverse that
      // over-visits (a type's bug; CPython asserts) from corrupting the flags.
      const w = gcPrev.get(asGc(op));
      if ((w & PREV_MASK_COLLECTING) !== 0 && w >= REFS_UNIT) gcPrev.set(asGc(op), w - REFS_UNIT);
    }
    return 0;
  };

  /**
   * subtract_refs: gc_refs -= each reference from an object of containers.
   * After it, gc_refs > 0 exactly for the objects referenced from outside.
   */
  private subtractRefs(containers: number): void {
    const rt = this.rt;
    const traverses = this.traverses;
    const visit = this.visitDecref;
    for (let g = gcNext.get(containers); g !== containers; g = gcNext.get(g)) {
      const op = fromGc(g);
      traverses[(obType.get(op) - this.typeBase) | 0]?.(rt, op, visit);
    }
  }

  /**
   * visit_reachable: op is referenced by an object known to be reachable.
   * Tentatively unreachable: back to the end of young, gc_refs 1. Not yet
   * scanned with gc_refs 0: gc_refs 1. Anything else (other generations,
   * objects already scanned, untracked ones) has no COLLECTING bit.
   */
  private readonly visitReachable: Visit = (op) => {
    if ((this.flags[(obType.get(op) - this.typeBase) | 0]! & Py_TPFLAGS_HAVE_GC) === 0) return 0;
    const g = asGc(op);
    const prevWord = gcPrev.get(g);
    if ((prevWord & PREV_MASK_COLLECTING) === 0) return 0;
    const nextWord = gcNext.get(g);
    if ((nextWord & NEXT_MASK_UNREACHABLE) !== 0) {
      // Unlink from unreachable by hand (its _gc_next words carry the flag),
      // then gc_list_append(gc, young) and gc_set_refs(gc, 1).
      const prev = maskFlags(prevWord);
      const next = nextWord - NEXT_MASK_UNREACHABLE;
      gcNext.set(prev, nextWord);
      this.lists.setPrev(next, prev);
      const young = this.young;
      const last = gcPrev.get(young);
      gcNext.set(last, g);
      gcNext.set(g, young);
      gcPrev.set(young, g);
      gcPrev.set(g, REFS_UNIT + (prevWord & 3));
    } else if (prevWord < REFS_UNIT) {
      // gc_set_refs(gc, 1): not scanned yet, and now known reachable.
      gcPrev.set(g, REFS_UNIT + prevWord);
    }
    return 0;
  };

  /**
   * move_unreachable: objects of young not reachable from one with
   * gc_refs > 0 move to unreachable. Before: young singly linked, gc_refs in
   * _gc_prev. After: young doubly linked, its objects without COLLECTING;
   * unreachable doubly linked, its objects with COLLECTING and
   * NEXT_MASK_UNREACHABLE.
   */
  private moveUnreachable(young: number, unreachable: number): void {
    const rt = this.rt;
    const traverses = this.traverses;
    const visit = this.visitReachable;
    this.young = young;
    let prev = young;
    let g = gcNext.get(young);
    while (g !== young) {
      if (gcPrev.get(g) >= REFS_UNIT) {
        // Reachable from outside: scan it (this may append to young, and
        // change g's _gc_next if g is young's last object: read it after).
        const op = fromGc(g);
        traverses[(obType.get(op) - this.typeBase) | 0]?.(rt, op, visit);
        // _PyGCHead_SET_PREV(gc, prev) and gc_clear_collecting(gc): only FINALIZED stays.
        gcPrev.set(g, prev + (gcPrev.get(g) & PREV_MASK_FINALIZED));
        prev = g;
      } else {
        // Maybe unreachable: assume so; visit_reachable moves it back if not.
        gcNext.set(prev, gcNext.get(g));
        const last = gcPrev.get(unreachable);
        gcNext.set(last, g + NEXT_MASK_UNREACHABLE);
        gcPrev.set(g, last + (gcPrev.get(g) & 3));
        gcNext.set(g, unreachable + NEXT_MASK_UNREACHABLE);
        gcPrev.set(unreachable, g);
      }
      g = gcNext.get(prev);
    }
    gcPrev.set(young, prev);
    // The head's next word took the flag along with the first object moved.
    const first = gcNext.get(unreachable);
    if ((first & NEXT_MASK_UNREACHABLE) !== 0) gcNext.set(unreachable, first - 1);
  }

  /**
   * deduce_unreachable: base keeps what is reachable from outside it, the
   * rest goes to unreachable (initialised here), NEXT_MASK_UNREACHABLE set.
   * Returns the number of objects base held.
   */
  private deduceUnreachable(base: number, unreachable: number): number {
    const candidates = this.updateRefs(base);
    this.subtractRefs(base);
    this.lists.init(unreachable);
    this.moveUnreachable(base, unreachable);
    return candidates;
  }

  // --- untracking --------------------------------------------------------------------------

  /** untrack_tuples: _PyTuple_MaybeUntrack on every exact tuple of head. */
  untrackTuples(head: number): void {
    const tuple = this.interp.tuple;
    const word = this.rt.typeWord(tuple.type);
    for (let g = gcNext.get(head); g !== head; ) {
      const next = gcNext.get(g);
      if (obType.get(fromGc(g)) === word) tuple.maybeUntrack(fromGc(g));
      g = next;
    }
  }

  /** untrack_dicts: _PyDict_MaybeUntrack on every exact dict of head (full collections only, issue #14775). */
  private untrackDicts(head: number): void {
    const dict = this.interp.dict;
    const word = this.rt.typeWord(dict.type);
    for (let g = gcNext.get(head); g !== head; ) {
      const next = gcNext.get(g);
      if (obType.get(fromGc(g)) === word) dict.maybeUntrack(fromGc(g));
      g = next;
    }
  }

  // --- legacy finalizers -------------------------------------------------------------------

  /**
   * move_legacy_finalizers: objects of unreachable with tp_del go to
   * finalizers (COLLECTING cleared). Clears NEXT_MASK_UNREACHABLE on the
   * whole list: unreachable is a normal list after it.
   */
  private moveLegacyFinalizers(unreachable: number, finalizers: number): void {
    for (let g = gcNext.get(unreachable); g !== unreachable; ) {
      const next = gcNext.get(g) - NEXT_MASK_UNREACHABLE;
      gcNext.set(g, next);
      // has_legacy_finalizer: tp_del != NULL.
      if (this.dels[this.typeIdOf(fromGc(g))] !== null) {
        this.lists.clearCollecting(g);
        this.lists.move(g, finalizers);
      }
      g = next;
    }
  }

  /** clear_unreachable_mask: clears NEXT_MASK_UNREACHABLE on every object of unreachable. */
  private clearUnreachableMask(unreachable: number): void {
    for (let g = gcNext.get(unreachable); g !== unreachable; ) {
      const next = gcNext.get(g) - NEXT_MASK_UNREACHABLE;
      gcNext.set(g, next);
      g = next;
    }
  }

  /** visit_move: an unreachable object reachable from a legacy finalizer joins finalizers. */
  private readonly visitMove: Visit = (op) => {
    if (this.isGc(op)) {
      const g = asGc(op);
      if (this.lists.isCollecting(g)) {
        this.lists.move(g, this.finalizers);
        this.lists.clearCollecting(g);
      }
    }
    return 0;
  };

  /** move_legacy_finalizer_reachable: everything reachable from finalizers joins it (the list grows as it is walked). */
  private moveLegacyFinalizerReachable(finalizers: number): void {
    for (let g = gcNext.get(finalizers); g !== finalizers; g = gcNext.get(g)) {
      const op = fromGc(g);
      this.traverses[this.typeIdOf(op)]?.(this.rt, op, this.visitMove);
    }
  }

  // --- weakrefs ----------------------------------------------------------------------------

  /**
   * handle_weakrefs: clear every weakref to an object of unreachable (and
   * every weakref in it). Weakrefs that are not garbage themselves and have
   * a callback are moved aside and, once all are cleared, called (so no
   * callback can reach an unreachable object through a live weakref);
   * survivors go to old. Returns the weakrefs the callbacks' decrefs freed.
   */
  private handleWeakrefs(unreachable: number, old: number): number {
    const rt = this.rt;
    const lists = this.lists;
    const weakref = this.interp.weakref;
    const wrcbToCall = this.wrcbToCall;
    let numFreed = 0;
    lists.init(wrcbToCall);
    for (let g = gcNext.get(unreachable); g !== unreachable; ) {
      const op = fromGc(g);
      const next = gcNext.get(g);
      // A weakref in the garbage must not call back into it later (bpo-38006).
      if (weakref.check(op)) weakref.clearRef(op);
      if (weakref.supportsWeakrefs(op)) {
        for (let wr = weakref.listHead(op); wr !== 0; wr = weakref.listHead(op)) {
          weakref.clearRef(wr);
          if (weakref.callbackOf(wr) === 0) continue;
          // A weakref that is garbage too: its callback never runs.
          if (lists.isCollecting(asGc(wr))) continue;
          rt.incref(wr);
          lists.move(asGc(wr), wrcbToCall);
        }
      }
      g = next;
    }
    while (!lists.isEmpty(wrcbToCall)) {
      this.ranObjectCode = true;
      const g = gcNext.get(wrcbToCall);
      const wr = fromGc(g);
      weakref.handleCallback(wr, weakref.callbackOf(wr));
      rt.decref(wr);
      if (gcNext.get(wrcbToCall) === g) lists.move(g, old);
      else numFreed++;
    }
    return numFreed;
  }

  // --- finalizers, resurrection, clearing ------------------------------------------------------

  /**
   * finalize_garbage: tp_finalize on each object of collectable not yet
   * finalized, marking it FINALIZED first. A finalizer may free objects of
   * the list: each is moved to `seen` before its finalizer runs.
   */
  private finalizeGarbage(collectable: number): void {
    const lists = this.lists;
    const rt = this.rt;
    const seen = this.seen;
    lists.init(seen);
    while (!lists.isEmpty(collectable)) {
      const g = lists.next(collectable);
      const op = fromGc(g);
      lists.move(g, seen);
      const finalize = this.finalizes[this.typeIdOf(op)]!;
      if (finalize !== null && !lists.isFinalized(g)) {
        this.ranObjectCode = true;
        lists.setFinalized(g);
        rt.incref(op);
        try {
          finalize(rt, op);
        } catch (e) {
          this.unraisable(e, op, null, `<finalizer of ${this.typeOf(op).name} object at 0x${op.toString(16)}>`);
        }
        rt.decref(op);
      }
    }
    lists.merge(seen, collectable);
  }

  /**
   * handle_resurrected_objects: deduce_unreachable over what finalizers left
   * of unreachable; what they revived goes to old, the rest to
   * stillUnreachable (which keeps COLLECTING: it is about to be cleared).
   */
  private handleResurrectedObjects(unreachable: number, stillUnreachable: number, old: number): void {
    if (!this.ranObjectCode) {
      // No finalizer and no weakref callback ran, so nothing can have been
      // revived: the second deduce_unreachable would find every object
      // unreachable again, keep their order and leave them as they are now
      // (COLLECTING set, NEXT_MASK_UNREACHABLE clear). Skip the two walks.
      this.lists.init(stillUnreachable);
      this.lists.merge(unreachable, stillUnreachable);
      return;
    }
    this.lists.clearCollectingAll(unreachable);
    this.deduceUnreachable(unreachable, stillUnreachable);
    this.clearUnreachableMask(stillUnreachable);
    this.lists.merge(unreachable, old);
  }

  /**
   * delete_garbage: tp_clear on each object of collectable (DEBUG_SAVEALL:
   * append it to gc.garbage instead). Clearing frees objects of the list;
   * one still first after its turn survives and goes to old.
   */
  private deleteGarbage(collectable: number, old: number): void {
    const lists = this.lists;
    const rt = this.rt;
    const saveAll = (this.state.debug & DEBUG_SAVEALL) !== 0;
    while (!lists.isEmpty(collectable)) {
      const g = lists.next(collectable);
      const op = fromGc(g);
      if (saveAll) {
        this.interp.list.append(this.garbage, op);
      } else {
        const clear = this.clears[this.typeIdOf(op)]!;
        if (clear !== null) {
          rt.incref(op);
          try {
            clear(rt, op);
          } catch (e) {
            this.unraisable(e, op, 'in tp_clear of', `<class '${this.typeOf(op).name}'>`);
          }
          rt.decref(op);
        }
      }
      if (lists.next(collectable) === g) {
        lists.clearCollecting(g);
        lists.move(g, old);
      }
    }
  }

  /**
   * handle_legacy_finalizers: the objects of finalizers with tp_del (all of
   * them under DEBUG_SAVEALL) go to gc.garbage; the list merges into old.
   */
  private handleLegacyFinalizers(finalizers: number, old: number): void {
    const saveAll = (this.state.debug & DEBUG_SAVEALL) !== 0;
    for (let g = gcNext.get(finalizers); g !== finalizers; g = gcNext.get(g)) {
      const op = fromGc(g);
      if (saveAll || this.dels[this.typeIdOf(op)] !== null) this.interp.list.append(this.garbage, op);
    }
    this.lists.merge(finalizers, old);
  }

  /**
   * clear_freelists: a full collection gives the free lists' blocks back
   * (_PyTuple_, _PyFloat_, _PyList_, _PyDict_ClearFreeList), so arenas they
   * pin can be released.
   */
  clearFreelists(): void {
    const interp = this.interp;
    interp.tuple.clearFreeList();
    interp.float.clearFreeList();
    interp.list.clearFreeList();
    interp.dict.clearFreeList();
  }

  // --- debugging output --------------------------------------------------------------------------

  /** debug_cycle: "gc: collectable <list 0x...>". */
  private debugCycle(msg: string, op: number): void {
    this.write(`gc: ${msg} <${this.typeOf(op).name} 0x${op.toString(16)}>\n`);
  }

  /** The DEBUG_STATS lines a collection starts with: "gc: collecting generation g..." and show_stats_each_generations. */
  debugCollecting(generation: number): void {
    this.write(`gc: collecting generation ${generation}...\n`);
    this.showStatsEachGenerations();
  }

  /** show_stats_each_generations (GEN_HEAD order). */
  private showStatsEachGenerations(): void {
    const sizes = [0, 1, 2].map((i) => ` ${this.lists.size(this.state.genHead(i))}`).join('');
    this.write(`gc: objects in each generation:${sizes}\ngc: objects in permanent generation: ${this.lists.size(this.state.permanentGeneration.head)}\n`);
  }

  /** PyErr_WriteUnraisable / _PyErr_WriteUnraisableMsg into the interpreter's unraisable log. */
  unraisable(error: unknown, object: number, errMsg: string | null, objectRepr: string): void {
    this.interp.rt.writeUnraisable(error, object, objectRepr, errMsg);
  }

  // --- the collection ------------------------------------------------------------------------------

  /**
   * The phases after the survivors have moved to old, shared by
   * gc_collect_main (3.11) and gc_collect_region (3.14): legacy finalizers,
   * weakrefs, tp_finalize, resurrection, tp_clear, gc.garbage. unreachable
   * is what deduce_unreachable left; t1 the DEBUG_STATS start time (null:
   * print no "done" line). Returns m (collected) and n (uncollectable).
   */
  private collectUnreachable(unreachable: number, old: number, t1: number | null): { m: number; n: number } {
    const st = this.state;
    const lists = this.lists;
    const debug = st.debug;
    let m = 0;
    let n = 0;
    // All of unreachable is trash, except what legacy finalizers (tp_del) reach.
    const finalizers = this.finalizers;
    lists.init(finalizers);
    this.moveLegacyFinalizers(unreachable, finalizers);
    this.moveLegacyFinalizerReachable(finalizers);

    if ((debug & DEBUG_COLLECTABLE) !== 0) {
      for (let g = lists.next(unreachable); g !== unreachable; g = lists.next(g)) this.debugCycle('collectable', fromGc(g));
    }

    // Clear weakrefs and invoke callbacks as necessary.
    m += this.handleWeakrefs(unreachable, old);

    // Call tp_finalize on the objects that have one.
    this.finalizeGarbage(unreachable);

    // Continue with what the finalizers did not resurrect.
    const finalUnreachable = this.finalUnreachable;
    this.handleResurrectedObjects(unreachable, finalUnreachable, old);

    // tp_clear breaks the cycles; this may free objects of finalizers too.
    m += lists.size(finalUnreachable);
    this.deleteGarbage(finalUnreachable, old);

    for (let g = lists.next(finalizers); g !== finalizers; g = lists.next(g)) {
      n++;
      if ((st.debug & DEBUG_UNCOLLECTABLE) !== 0) this.debugCycle('uncollectable', fromGc(g));
    }
    if (t1 !== null) {
      const d = (performance.now() - t1) / 1000;
      this.write(`gc: done, ${n + m} unreachable, ${n} uncollectable, ${d.toFixed(4)}s elapsed\n`);
    }

    // The uncollectable ones go to gc.garbage, for the programmer to deal with.
    this.handleLegacyFinalizers(finalizers, old);

    return { m, n };
  }

  /**
   * gc_collect_region (3.14): collect `from`, its survivors to `to` (which
   * may be `from` itself), with 3.11's phases. The caller counts the
   * statistics (add_stats) and holds GcState.collecting.
   */
  collectRegion(from: number, to: number): CollectionResult {
    this.rt.checkNotDisposed('gc_collect_region');
    const unreachable = this.unreachable;
    this.ranObjectCode = false;
    this.candidates += this.deduceUnreachable(from, unreachable);
    this.untrackTuples(from);
    // Move the reachable objects to the next generation.
    if (from !== to) this.lists.merge(from, to);
    const { m, n } = this.collectUnreachable(unreachable, to, null);
    return { collected: m, uncollectable: n };
  }

  /**
   * gc_collect_main: collect generation `generation` (and the younger ones).
   * Returns the number collected and the number uncollectable; the caller
   * holds GcState.collecting.
   */
  collectMain(generation: number): CollectionResult {
    this.rt.checkNotDisposed('gc_collect_main');
    const st = this.state;
    const lists = this.lists;
    let t1: number | null = null;
    if ((st.debug & DEBUG_STATS) !== 0) {
      this.debugCollecting(generation);
      t1 = performance.now();
    }

    // Update collection and allocation counters.
    if (generation + 1 < NUM_GENERATIONS) st.generations[generation + 1]!.count += 1;
    for (let i = 0; i <= generation; i++) st.generations[i]!.count = 0;

    // Merge the younger generations into the one being collected.
    const young = st.generations[generation]!.head;
    for (let i = 0; i < generation; i++) lists.merge(st.generations[i]!.head, young);
    const old = generation < NUM_GENERATIONS - 1 ? st.generations[generation + 1]!.head : young;

    const unreachable = this.unreachable;
    this.ranObjectCode = false;
    this.candidates += this.deduceUnreachable(young, unreachable);

    this.untrackTuples(young);
    // Move the reachable objects to the next generation.
    if (young !== old) {
      if (generation === NUM_GENERATIONS - 2) st.longLivedPending += lists.size(young);
      lists.merge(young, old);
    } else {
      // Dicts are untracked in full collections only, to avoid quadratic dict build-up (issue #14775).
      this.untrackDicts(young);
      st.longLivedPending = 0;
      st.longLivedTotal = lists.size(young);
    }

    const { m, n } = this.collectUnreachable(unreachable, old, t1);

    // Free lists are cleared only by collections of the oldest generation.
    if (generation === NUM_GENERATIONS - 1) this.clearFreelists();

    const stats = st.stats[generation]!;
    stats.collections++;
    stats.collected += m;
    stats.uncollectable += n;
    return { collected: m, uncollectable: n };
  }
}
