/*
 * tuple (Objects/tupleobject.c, CPython 3.11): a GC var object whose items
 * follow the header in the same block.
 *
 * PyTupleObject, 24 bytes + the variable part:
 *    0  24   PyVarObject  ob_base    ob_size: number of items, fixed for the tuple's life
 *   24  8*n  PyObject *   ob_item[]  the items, one owned reference each
 *
 * tp_basicsize 24, tp_itemsize 8: a tuple of n items is a PyObject_Malloc
 * block of 16 (PyGC_Head) + 24 + 8n bytes.
 *
 * Invariants:
 *   - the empty tuple is one static, untracked singleton; PyTuple_New(0)
 *     returns it (a new reference) and no other tuple has size 0;
 *   - free lists: freeList[i] heads a chain of dead tuples of size i + 1,
 *     linked through ob_item[0] (0 ends it), numFree[i] long (at most
 *     PyTuple_MAXFREELIST). Their blocks stay allocated, untracked, with
 *     ob_type and ob_size intact. 3.11's asymmetry is kept: tupledealloc
 *     pushes sizes 1..20 (index < PyTuple_NFREELISTS), tuple_alloc pops
 *     only sizes 1..19 (size < PyTuple_MAXSAVESIZE), so 20-item tuples
 *     are parked for good once pushed;
 *   - a live tuple holds one reference to each non-NULL item; items are
 *     NULL only while it is being filled.
 */
import { InvalidArgumentError, describe } from '../../errors.js';
import { MAX_REQUEST } from '../../allocator/heap.js';
import type { Interpreter } from '../interpreter.js';
import { fillBytes } from '../../allocator/access.js';
import * as pointer from '../../allocator/pointer.js';
import { declareObjectStruct, type ObjectValidationContext, obSize, PyVarObject } from '../layout.js';
import * as layout from '../layout.js';
import type { Runtime } from '../runtime.js';
import {
  Py_TPFLAGS_BASETYPE,
  Py_TPFLAGS_HAVE_GC,
  Py_TPFLAGS_TUPLE_SUBCLASS,
  type PyTypeObject,
  type Visit,
  isGcType,
} from '../type.js';

// V8 loads an imported binding from its module cell, with a TDZ check, at every use; a module's
// own top-level consts it folds into the optimized code. So the hot paths' constants are local copies.
const { SMALL_LIMIT } = pointer;
const { SIZEOF_VOID_P } = layout;

/** PyTuple_MAXSAVESIZE: tuples smaller than this are taken from the free lists. */
// MAXSAVESIZE and the like: local consts, as an exported const is a module cell V8 loads at every use.
const MAXSAVESIZE = 20;
export const PyTuple_MAXSAVESIZE = MAXSAVESIZE;
/** PyTuple_NFREELISTS: number of free lists (one per size 1..20). */
const NFREELISTS = MAXSAVESIZE;
export const PyTuple_NFREELISTS = NFREELISTS;
/** PyTuple_MAXFREELIST: dead tuples kept per size. */
const MAXFREELIST = 2000;
export const PyTuple_MAXFREELIST = MAXFREELIST;
/** PyTupleObject. */
export const PyTupleObject = declareObjectStruct({
  name: 'PyTupleObject',
  fields: [{ name: 'ob_base', type: PyVarObject, meaning: "ob_size: number of items, fixed for the tuple's life" }],
  tail: { name: 'ob_item', type: 'ptr', ctype: 'PyObject *', meaning: 'the items, one owned reference each', length: (op) => obSize.get(op) },
  check: (op, _ctx: ObjectValidationContext, fail) => {
    const n = obSize.get(op);
    if (n < 0) fail('ob_size', `${n} is negative`);
  },
});
const obItem = PyTupleObject.array('ob_item');
/** offsetof(PyTupleObject, ob_item). */
export const TUPLE_OB_ITEM = obItem.offset;
/** ob_item[0] as an f64 word offset from the object's (as layout.ts's word constants). */
const OB_ITEM_F64 = TUPLE_OB_ITEM >>> 3;
/** Largest size PyTuple_New accepts (its block must stay a valid request). */
const MAX_TUPLE_SIZE = Math.floor((MAX_REQUEST - TUPLE_OB_ITEM) / SIZEOF_VOID_P);

// xxHash constants of tuple_hash (64-bit Py_uhash_t).
const XXPRIME_1 = 11400714785074694791n;
const XXPRIME_2 = 14029467366897019727n;
const XXPRIME_5 = 2870177450012600261n;
const U64 = (x: bigint): bigint => BigInt.asUintN(64, x);

/** The error for a tuple item that is no object (out of line: it would spend the inlining budget of the hot callers). */
function notAnItem(fn: string, item: unknown): InvalidArgumentError {
  return new InvalidArgumentError(`${fn}: items must be objects, got ${describe(item)}`);
}

/** The tuple type, its empty singleton and free lists, and its C API. */
export class TupleModule {
  /** PyTuple_Type. */
  readonly type: PyTypeObject;
  /** _Py_SINGLETON(tuple_empty): static, never tracked. Borrowed; PyTuple_New(0) returns it as a new reference. */
  readonly empty: number;
  private readonly rt: Runtime;
  /** The tuple type's id and ob_type word (what the hot paths use instead of loads from the type object). */
  private readonly typeId: number;
  private readonly typeWord: number;
  /** interp->tuple.free_list: head of each size's chain (0: empty). */
  private readonly freeList: number[] = new Array<number>(NFREELISTS).fill(0);
  /** interp->tuple.numfree. */
  private readonly numFree: number[] = new Array<number>(NFREELISTS).fill(0);

  constructor(readonly interp: Interpreter) {
    this.rt = interp.rt;
    this.type = this.rt.registerType({
      name: 'tuple',
      basicsize: TUPLE_OB_ITEM,
      itemsize: SIZEOF_VOID_P,
      flags: Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_TUPLE_SUBCLASS,
      layout: PyTupleObject,
      dealloc: (rt, op) => this.tupleDealloc(rt, op),
      traverse: (rt, op, visit) => this.tupleTraverse(rt, op, visit),
      hash: (_rt, op) => Number(this.hash64(op)),
      hash64: (_rt, op) => this.hash64(op),
      eq: (_rt, a, b) => this.eq(a, b),
      toJS: (rt, op) => this.items(op).map((item) => (item === 0 ? null : rt.typeOf(item).toJS?.(rt, item))),
    });
    this.typeId = this.type.id;
    this.typeWord = this.rt.typeWord(this.type);
    this.empty = this.rt.staticObject(this.type, TUPLE_OB_ITEM, 0);
  }

  /** PyTuple_Check. */
  check(op: number): boolean {
    return (this.rt.typeOf(op).flags & Py_TPFLAGS_TUPLE_SUBCLASS) !== 0;
  }

  /** PyTuple_New(n): a new, tracked tuple of n NULL items (the empty singleton for 0). New reference. */
  new(n: number): number {
    if (!Number.isInteger(n) || n < 0 || n > MAX_TUPLE_SIZE) {
      throw new InvalidArgumentError(`PyTuple_New: size must be an integer from 0 to ${MAX_TUPLE_SIZE}, got ${describe(n)}`);
    }
    if (n === 0) return this.getEmpty();
    const op = this.tupleAlloc(n);
    fillBytes(obItem.at(op, 0), n * SIZEOF_VOID_P, 0);
    this.rt.gcTrack(op);
    return op;
  }

  /** PyTuple_Pack / _PyTuple_FromArray: a new tracked tuple holding a new reference to each item. New reference. */
  pack(items: readonly number[]): number {
    const n = items.length;
    for (let i = 0; i < n; i++) this.checkItem(items[i], 'PyTuple_Pack');
    if (n === 0) return this.getEmpty();
    const rt = this.rt;
    const op = this.tupleAlloc(n);
    if (op < SMALL_LIMIT) {
      const f = rt.f64;
      const base = (op >>> 3) + OB_ITEM_F64;
      for (let i = 0; i < n; i++) {
        const o = items[i]!;
        rt.incref(o);
        f[base + i] = o;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const o = items[i]!;
        rt.incref(o);
        obItem.set(op, i, o);
      }
    }
    rt.gcTrack(op);
    return op;
  }

  /**
   * PySequence_Tuple over an iterator: `tuple(iterable)` for anything but a
   * list or tuple. Starts from PyTuple_New(lengthHint) (PyObject_LengthHint,
   * default 10), grows by (n + 10) * 1.25 when the guess runs out, and cuts
   * back to the count at the end, each through _PyTuple_Resize. Every item
   * the iterator yields is a new reference the tuple takes over (as
   * PyIter_Next's result). New reference.
   */
  fromIterable(items: Iterable<number>, lengthHint = 10): number {
    let n = lengthHint;
    let result = this.new(n);
    let j = 0;
    let pending = 0;
    try {
      for (const item of items) {
        this.checkItem(item, 'PySequence_Tuple');
        pending = item;
        if (j >= n) {
          const newn = n + 10;
          n = newn + Math.floor(newn / 4);
          result = this.resize(result, n);
        }
        obItem.set(result, j, item);
        pending = 0;
        j++;
      }
    } catch (e) {
      this.rt.xdecref(pending);
      this.rt.decref(result);
      throw e;
    }
    return j < n ? this.resize(result, j) : result;
  }

  /**
   * _PyTuple_Resize: the tuple `op` (refcount 1, or the empty tuple) resized
   * to n items: items past n are released, new ones are NULL. Consumes `op`
   * — even when it throws, as CPython does — and returns the (possibly
   * moved) tuple, tracked, as a new reference.
   */
  resize(op: number, n: number): number {
    this.checkTuple(op, '_PyTuple_Resize');
    const oldsize = obSize.get(op);
    if (this.rt.typeOf(op) !== this.type || (oldsize !== 0 && this.rt.refcnt(op) !== 1) || !Number.isInteger(n) || n < 0 || n > MAX_TUPLE_SIZE) {
      const refcnt = this.rt.refcnt(op);
      this.rt.decref(op);
      throw new InvalidArgumentError(
        `_PyTuple_Resize: needs an exact tuple of refcount 1 (got refcount ${refcnt}) and a size from 0 to ${MAX_TUPLE_SIZE} (got ${describe(n)})`,
      );
    }
    if (oldsize === n) return op;
    if (n === 0) {
      this.rt.decref(op);
      return this.getEmpty();
    }
    if (oldsize === 0) {
      // The empty tuple is static: never resized in place.
      this.rt.decref(op);
      return this.new(n);
    }
    this.rt.gcUntrack(op);
    for (let i = n; i < oldsize; i++) {
      const item = obItem.get(op, i);
      obItem.set(op, i, 0);
      this.rt.xdecref(item);
    }
    const sv = this.rt.gcResize(op, n);
    if (n > oldsize) fillBytes(obItem.at(sv, oldsize), (n - oldsize) * SIZEOF_VOID_P, 0);
    this.rt.gcTrack(sv);
    return sv;
  }

  /** PyTuple_Size. */
  size(op: number): number {
    this.checkTuple(op, 'PyTuple_Size');
    return obSize.get(op);
  }

  /** PyTuple_GetItem: item i (0 <= i < size). Borrowed reference (0 while unset). */
  getItem(op: number, i: number): number {
    this.checkTuple(op, 'PyTuple_GetItem');
    this.checkIndex(i, obSize.get(op), 'tuple index out of range');
    return obItem.get(op, i);
  }

  /**
   * PyTuple_SetItem: stores `v` (may be 0) as item i, releasing the old one.
   * Steals the reference to `v` — even when it throws (wrong type, a tuple
   * others hold, index out of range), as CPython does.
   */
  setItem(op: number, i: number, v: number): void {
    // A dead or foreign v is refused before anything (it is no reference to steal).
    if (v !== 0 && this.rt.typeOrNull(v) === null) this.rt.typeOf(v);
    try {
      this.checkTuple(op, 'PyTuple_SetItem');
      if (this.rt.refcnt(op) !== 1) {
        throw new InvalidArgumentError(`PyTuple_SetItem: the tuple is shared (refcount ${this.rt.refcnt(op)}); only a new tuple may be filled`);
      }
      this.checkIndex(i, obSize.get(op), 'tuple assignment index out of range');
    } catch (e) {
      this.rt.xdecref(v);
      throw e;
    }
    const old = obItem.get(op, i);
    obItem.set(op, i, v);
    this.rt.xdecref(old);
  }

  /** The items, in order (borrowed references; 0 for unset ones). */
  items(op: number): number[] {
    this.checkTuple(op, 'tuple items');
    const n = obSize.get(op);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = obItem.get(op, i);
    return out;
  }

  /**
   * _PyTuple_MaybeUntrack: untracks an exact, tracked tuple none of whose
   * items can be part of a cycle — every item set and either not a GC
   * object or an untracked tuple (_PyObject_GC_MAY_BE_TRACKED). The gc
   * layer calls it on each tuple it examines.
   */
  maybeUntrack(op: number): void {
    const rt = this.rt;
    if (rt.typeOf(op) !== this.type || !rt.gc.isTracked(op)) return;
    const n = obSize.get(op);
    for (let i = 0; i < n; i++) {
      const elt = obItem.get(op, i);
      if (elt === 0 || this.mayBeTracked(elt)) return;
    }
    rt.gcUntrack(op);
  }

  /**
   * tuple_hash: 3.11's simplified xxHash over the items' hashes, as the
   * exact 64-bit Py_hash_t, over the items' exact hashes (interp.hash64).
   * Throws UnhashableError if an item is unhashable.
   */
  hash64(op: number): bigint {
    const n = this.size(op);
    let acc = XXPRIME_5;
    for (let i = 0; i < n; i++) {
      const item = obItem.get(op, i);
      const lane = U64(this.interp.hash64(item));
      acc = U64(acc + lane * XXPRIME_2);
      acc = U64((acc << 31n) | (acc >> 33n));
      acc = U64(acc * XXPRIME_1);
    }
    // Add the length, mangled to keep the historical value of hash(()).
    acc = U64(acc + (BigInt(n) ^ (XXPRIME_5 ^ 3527539n)));
    if (acc === 0xffffffffffffffffn) return 1546275796n;
    return BigInt.asIntN(64, acc);
  }

  /** tuple_richcompare(a, b, Py_EQ): b a tuple of the same size whose items are equal (identity first). */
  eq(a: number, b: number): boolean {
    if (!this.check(b)) return false;
    const n = obSize.get(a);
    if (obSize.get(b) !== n) return false;
    for (let i = 0; i < n; i++) {
      if (!this.interp.eq(obItem.get(a, i), obItem.get(b, i))) return false;
    }
    return true;
  }

  /** Dead tuples kept per size: entry i counts tuples of size i + 1 (what sys._debugmallocstats prints). */
  freeListSizes(): number[] {
    return this.numFree.slice();
  }

  /** _PyTuple_ClearFreeList: PyObject_GC_Del every parked tuple (a full collection does this). */
  clearFreeList(): void {
    for (let i = 0; i < NFREELISTS; i++) {
      let p = this.freeList[i]!;
      this.freeList[i] = 0;
      this.numFree[i] = 0;
      while (p !== 0) {
        const q = p;
        p = obItem.get(p, 0);
        this.rt.gcDel(q);
      }
    }
  }

  // --- internals ------------------------------------------------------------------------

  /** tuple_get_empty: the empty singleton as a new reference. */
  private getEmpty(): number {
    this.rt.incref(this.empty);
    return this.empty;
  }

  /** tuple_alloc: an untracked tuple of size n > 0 (items uninitialised), from the free list when one is parked. */
  private tupleAlloc(n: number): number {
    const op = this.maybeFreelistPop(n);
    if (op !== 0) return op;
    const rt = this.rt;
    return rt.initVarWord(rt.gcAllocId(this.typeId, TUPLE_OB_ITEM + n * SIZEOF_VOID_P), this.typeWord, n);
  }

  /** maybe_freelist_pop: a parked tuple of size n (only n < PyTuple_MAXSAVESIZE), refcount 1; 0 if none. */
  private maybeFreelistPop(n: number): number {
    if (n >= MAXSAVESIZE) return 0;
    const index = n - 1;
    const op = this.freeList[index]!;
    if (op === 0) return 0;
    this.freeList[index] = op < SMALL_LIMIT ? this.rt.f64[(op >>> 3) + OB_ITEM_F64]! : obItem.get(op, 0);
    this.numFree[index]!--;
    this.rt.newReference(op);
    return op;
  }

  /** maybe_freelist_push: parks a dead exact tuple of size 1..20 if its list has room. */
  private maybeFreelistPush(op: number, n: number): boolean {
    if (n === 0) return false;
    const index = n - 1;
    if (index < NFREELISTS && this.numFree[index]! < MAXFREELIST && this.rt.typeIdOf(op) === this.typeId) {
      if (op < SMALL_LIMIT) this.rt.f64[(op >>> 3) + OB_ITEM_F64] = this.freeList[index]!;
      else obItem.set(op, 0, this.freeList[index]!);
      this.freeList[index] = op;
      this.numFree[index]!++;
      return true;
    }
    return false;
  }

  /** tupledealloc: untrack, release the items (last first), then park or free the block. */
  private tupleDealloc(rt: Runtime, op: number): void {
    rt.gcUntrack(op);
    if (rt.trashcanBegin(op)) return;
    const n = rt.sizeOf(op);
    if (op < SMALL_LIMIT) {
      const f = rt.f64;
      const base = (op >>> 3) + OB_ITEM_F64;
      for (let i = n - 1; i >= 0; i--) rt.xdecref(f[base + i]!);
    } else {
      for (let i = n - 1; i >= 0; i--) rt.xdecref(obItem.get(op, i));
    }
    if (!this.maybeFreelistPush(op, n)) rt.gcDel(op);
    rt.trashcanEnd();
  }

  /** tupletraverse. */
  private tupleTraverse(_rt: Runtime, op: number, visit: Visit): number {
    const n = obSize.get(op);
    for (let i = 0; i < n; i++) {
      const item = obItem.get(op, i);
      if (item !== 0) {
        const r = visit(item);
        if (r !== 0) return r;
      }
    }
    return 0;
  }

  /** _PyObject_GC_MAY_BE_TRACKED. */
  private mayBeTracked(op: number): boolean {
    const t = this.rt.typeOf(op);
    if (!isGcType(t)) return false;
    if (t === this.type) return this.rt.gc.isTracked(op);
    return true;
  }

  private checkTuple(op: number, fn: string): void {
    if (typeof op !== 'number' || op === 0 || ((this.rt.typeOrNull(op)?.flags ?? 0) & Py_TPFLAGS_TUPLE_SUBCLASS) === 0) {
      throw new InvalidArgumentError(`${fn}: expected a tuple, got ${op === 0 ? 'NULL' : this.describeObject(op)}`);
    }
  }

  private checkItem(item: unknown, fn: string): void {
    if (typeof item !== 'number' || item === 0) throw notAnItem(fn, item);
  }

  private checkIndex(i: number, n: number, message: string): void {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new InvalidArgumentError(`${message}: ${describe(i)} not in [0, ${n})`);
  }

  private describeObject(op: unknown): string {
    if (typeof op !== 'number') return describe(op);
    const t = this.rt.typeOrNull(op);
    return t ? `a ${t.name} object` : `${op} (not an object)`;
  }
}
