/*
 * list (Objects/listobject.c, CPython 3.11): a GC object whose items live in
 * a separate PyMem_Malloc'd array (MEM domain) that list_resize
 * over-allocates.
 *
 * PyListObject, 40 bytes:
 *    0  24  PyVarObject  ob_base    ob_size: items in use
 *   24  8   PyObject **  ob_item    the item array (MEM domain, PyObjectArray), or NULL
 *   32  8   Py_ssize_t   allocated  slots in ob_item
 *
 * tp_basicsize 40 (a 56-byte PyObject_Malloc block with its PyGC_Head);
 * __sizeof__ is 40 + 8 * allocated.
 *
 * Invariants:
 *   - 0 <= ob_size <= allocated; ob_item == NULL implies allocated == 0
 *     (the converse does not hold: list_resize(0) reallocs to 0 bytes and
 *     keeps the pointer, which changes what a later list_extend does);
 *   - items [0, ob_size) are owned references (NULL only inside PyList_New's
 *     fresh lists until they are filled), slots past ob_size are garbage;
 *   - growth goes through list_resize, whose over-allocation is
 *     (newsize + (newsize >> 3) + 6) & ~3, or exact for list_preallocate_exact
 *     (rounded up to even), PyList_New and list_repeat;
 *   - free list: up to PyList_MAXFREELIST dead exact lists, a stack (LIFO)
 *     in interpreter state; their 56-byte blocks stay allocated, untracked.
 */
import { InvalidArgumentError, OutOfMemoryError, describe } from '../../errors.js';
import { MAX_REQUEST } from '../../allocator/heap.js';
import type { Interpreter } from '../interpreter.js';
import { fillBytes, viewBytes } from '../../allocator/access.js';
import { declareObjectStruct, itemArray, type ObjectValidationContext, obSize, PyVarObject } from '../layout.js';
import * as layout from '../layout.js';
import * as pointer from '../../allocator/pointer.js';
import type { Runtime } from '../runtime.js';
import {
  Py_TPFLAGS_BASETYPE,
  Py_TPFLAGS_HAVE_GC,
  Py_TPFLAGS_TUPLE_SUBCLASS,
  type PyTypeObject,
  type Visit,
} from '../type.js';
import * as typeDefs from '../type.js';
import { PyTupleObject } from './tuple.js';

// V8 loads an imported binding from its module cell, with a TDZ check, at every use; a module's
// own top-level consts it folds into the optimized code. So the hot paths' constants are local copies.
const { OB_SIZE_U32, SIZEOF_VOID_P } = layout;
const { Py_TPFLAGS_LIST_SUBCLASS } = typeDefs;
const { SMALL_LIMIT } = pointer;

/** PyList_MAXFREELIST. */
// MAXFREELIST and the like: local consts, as an exported const is a module cell V8 loads at every use.
const MAXFREELIST = 80;
export const PyList_MAXFREELIST = MAXFREELIST;
/** PyListObject. */
export const PyListObject = declareObjectStruct({
  name: 'PyListObject',
  fields: [
    { name: 'ob_base', type: PyVarObject, meaning: 'ob_size: items in use' },
    { name: 'ob_item', type: 'ptr', ctype: 'PyObject **', meaning: 'the item array (MEM domain, PyObjectArray), or NULL' },
    { name: 'allocated', type: 'i64', meaning: 'slots in ob_item' },
  ],
  check: (op, ctx: ObjectValidationContext, fail) => {
    const n = obSize.get(op);
    const allocated = listAllocated.get(op);
    const items = listObItem.get(op);
    if (!(n >= 0 && n <= allocated)) fail('allocated', `${allocated} < ob_size ${n}`);
    if (items === 0 && allocated !== 0) fail('ob_item', `NULL with allocated ${allocated}`);
    for (let i = 0; i < n && items !== 0; i++) {
      const v = itemArray.get(items, i);
      if (v !== 0 && !ctx.isPointer(v)) fail(`ob_item[${i}]`, `${v} is not a pointer to a live block`);
    }
  },
});
/** PyListObject.ob_item (the list iterator reads it too). */
export const listObItem = PyListObject.field('ob_item');
const listAllocated = PyListObject.field('allocated');
const tupleItem = PyTupleObject.array('ob_item');
/** ob_item and allocated as word offsets from the object's (as layout.ts's word constants). */
const LIST_OB_ITEM_F64 = PyListObject.offsets.ob_item >>> 3;
const LIST_ALLOCATED_U32 = PyListObject.offsets.allocated >>> 2;
/** sizeof(PyListObject). */
export const LIST_BASICSIZE = PyListObject.size;
/** Largest item count whose array is still a valid request. */
const MAX_LIST_SIZE = Math.floor(MAX_REQUEST / SIZEOF_VOID_P);
/** PyList_New's error for a bad size. */
function badSize(n: unknown): InvalidArgumentError {
  return new InvalidArgumentError(`PyList_New: size must be an integer from 0 to ${MAX_LIST_SIZE}, got ${describe(n)}`);
}
/** The error for an item that is no object. */
function notAnObject(op: unknown, fn: string): InvalidArgumentError {
  return new InvalidArgumentError(`${fn}: expected an object, got ${op === 0 ? 'NULL' : describe(op)}`);
}
/** The error for an index outside [0, n). */
function indexOutOfRange(i: unknown, n: number, message: string): InvalidArgumentError {
  return new InvalidArgumentError(`${message}: ${describe(i)} not in [0, ${n})`);
}

/** list_ass_slice's recycle_on_stack: up to 8 removed items are kept on the C stack, more in a PyMem_Malloc'd array. */
const RECYCLE_ON_STACK = 8;

/**
 * The new allocation of list_resize(newsize) on a list of `size` items (when
 * it does reallocate): mild over-allocation rounded to 4, exact (rounded to
 * 4) when the jump is larger than the padding, 0 for an empty list.
 */
export function listResizeAllocation(size: number, newsize: number): number {
  if (newsize === 0) return 0;
  const g = newsize + Math.floor(newsize / 8) + 6;
  const newAllocated = g - (g % 4);
  if (newsize - size > newAllocated - newsize) return newsize + 3 - ((newsize + 3) % 4);
  return newAllocated;
}

/** The list type, its free list, and its C API. */
export class ListModule {
  /** PyList_Type. */
  readonly type: PyTypeObject;
  private readonly rt: Runtime;
  /** interp->list.free_list[0 .. numfree). */
  private readonly freeList: number[] = [];
  /** The list type's id and ob_type word (what the hot paths use instead of loads from the type object). */
  private readonly typeId: number;
  private readonly typeWord: number;

  constructor(readonly interp: Interpreter) {
    this.rt = interp.rt;
    this.type = this.rt.registerType({
      name: 'list',
      basicsize: LIST_BASICSIZE,
      itemsize: 0,
      flags: Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_LIST_SUBCLASS,
      layout: PyListObject,
      dealloc: (rt, op) => this.listDealloc(rt, op),
      traverse: (rt, op, visit) => this.listTraverse(rt, op, visit),
      clear: (_rt, op) => this.clear(op),
      sizeof: (_rt, op) => LIST_BASICSIZE + listAllocated.get(op) * SIZEOF_VOID_P,
      eq: (_rt, a, b) => this.eq(a, b),
      toJS: (rt, op) => this.items(op).map((item) => (item === 0 ? null : rt.typeOf(item).toJS?.(rt, item))),
    });
    this.typeId = this.type.id;
    this.typeWord = this.rt.typeWord(this.type);
  }

  /** PyList_Check. */
  check(op: number): boolean {
    return (this.rt.typeOf(op).flags & Py_TPFLAGS_LIST_SUBCLASS) !== 0;
  }

  // --- construction ------------------------------------------------------------------------

  /**
   * PyList_New(n): a tracked list of n NULL items with exactly n slots
   * (PyMem_Calloc; no array for 0), its object from the free list when one
   * is parked. Fill it with setItem. New reference.
   */
  new(n: number): number {
    if (!Number.isInteger(n) || n < 0 || n > MAX_LIST_SIZE) throw badSize(n);
    const rt = this.rt;
    let op: number;
    if (this.freeList.length > 0) {
      op = this.freeList.pop()!;
      rt.newReference(op);
    } else {
      op = rt.initWord(rt.gcAllocId(this.typeId, LIST_BASICSIZE), this.typeWord);
    }
    this.setFields(op, 0, 0, 0);
    if (n > 0) {
      let items: number;
      try {
        items = rt.memCalloc(n, SIZEOF_VOID_P);
      } catch (e) {
        rt.decref(op);
        throw e;
      }
      this.setFields(op, items, n, n);
    }
    rt.gcTrack(op);
    return op;
  }

  /**
   * list_vectorcall + list___init__: `list(iterable)`. A fresh object from
   * PyType_GenericAlloc (not the free list: a zeroed 56-byte block), then
   * list_extend's iterator path with `lengthHint` (len(iterable) or its
   * __length_hint__; PyObject_LengthHint's default is 8). When the iterable
   * has a len, __init__ first preallocates exactly that many slots; list_extend
   * then finds them (list_resize to the same length changes nothing), so
   * both routes are this one. Takes over each yielded item's reference.
   * New reference.
   */
  vectorcall(items: Iterable<number>, lengthHint = 8): number {
    const rt = this.rt;
    const op = rt.gcNew(this.type);
    fillBytes(op + obSize.offset, LIST_BASICSIZE - obSize.offset, 0);
    rt.gcTrack(op);
    try {
      this.extendFromIterable(op, items, lengthHint);
    } catch (e) {
      rt.decref(op);
      throw e;
    }
    return op;
  }

  /**
   * list_repeat: `l * n`, a new list of exactly len(l) * n slots
   * (list_new_prealloc: PyList_New(0) then PyMem_Malloc), each item's
   * count raised by n at once (_Py_RefcntAdd). New reference.
   */
  repeat(l: number, n: number): number {
    this.checkList(l, 'list_repeat');
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`list_repeat: count must be an integer, got ${describe(n)}`);
    const rt = this.rt;
    const inputSize = obSize.get(l);
    if (inputSize === 0 || n <= 0) return this.new(0);
    const outputSize = inputSize * n;
    if (outputSize > MAX_LIST_SIZE) throw new InvalidArgumentError(`list_repeat: ${inputSize} * ${n} items is too many`);
    const np = this.new(0);
    try {
      listObItem.set(np, rt.memMalloc(outputSize * SIZEOF_VOID_P));
    } catch (e) {
      rt.decref(np);
      throw e;
    }
    listAllocated.set(np, outputSize);
    const src = this.slots(l, inputSize);
    const dest = this.slots(np, outputSize);
    for (let i = 0; i < inputSize; i++) rt.setRefcnt(src[i]!, rt.refcnt(src[i]!) + n);
    if (inputSize === 1) dest.fill(src[0]!);
    else for (let k = 0; k < n; k++) dest.set(src, k * inputSize);
    obSize.set(np, outputSize);
    return np;
  }

  /**
   * Py_SET_SIZE(l, n) of a list made by PyList_New whose first n slots were
   * filled and the rest left NULL (stringlib's FIX_PREALLOC_SIZE): the
   * allocation stays as it was.
   */
  fixPreallocSize(l: number, n: number): void {
    this.checkList(l, 'FIX_PREALLOC_SIZE');
    const size = obSize.get(l);
    if (!Number.isInteger(n) || n < 0 || n > size) throw new InvalidArgumentError(`FIX_PREALLOC_SIZE: ${describe(n)} is not a size up to ${size}`);
    const items = listObItem.get(l);
    for (let i = n; i < size; i++) if (itemArray.get(items, i) !== 0) throw new InvalidArgumentError(`FIX_PREALLOC_SIZE: slot ${i} is not NULL`);
    obSize.set(l, n);
  }

  // --- items --------------------------------------------------------------------------------

  /** PyList_Size. */
  size(l: number): number {
    this.checkList(l, 'PyList_Size');
    return obSize.get(l);
  }

  /** The list's `allocated` field: slots in ob_item. */
  allocated(l: number): number {
    this.checkList(l, 'allocated');
    return listAllocated.get(l);
  }

  /** PyList_GetItem: item i (0 <= i < size). Borrowed reference. */
  getItem(l: number, i: number): number {
    this.checkList(l, 'PyList_GetItem');
    this.checkIndex(i, obSize.get(l), 'list index out of range');
    return itemArray.get(listObItem.get(l), i);
  }

  /**
   * PyList_SetItem: stores `v` (may be 0) as item i, releasing the old one.
   * Steals the reference to `v` — even when it throws, as CPython does.
   */
  setItem(l: number, i: number, v: number): void {
    const rt = this.rt;
    if (v !== 0 && rt.typeIdOf(v) < 0) rt.typeOf(v);
    if ((rt.flagsOf(l) & Py_TPFLAGS_LIST_SUBCLASS) === 0 || !Number.isInteger(i) || i < 0 || i >= rt.sizeOf(l)) {
      throw this.setItemRefused(l, i, v);
    }
    const items = this.obItem(l);
    let old: number;
    if (items < SMALL_LIMIT) {
      const f = rt.f64;
      const w = (items >>> 3) + i;
      old = f[w]!;
      f[w] = v;
    } else {
      old = itemArray.get(items, i);
      itemArray.set(items, i, v);
    }
    rt.xdecref(old);
  }
  /** PyList_SetItem's error for a non-list or an index out of range (out of line); releases v, whose reference it steals. */
  private setItemRefused(l: number, i: number, v: number): InvalidArgumentError {
    const e =
      (this.flagsOf(l) & Py_TPFLAGS_LIST_SUBCLASS) === 0
        ? this.notAList(l, 'PyList_SetItem')
        : indexOutOfRange(i, obSize.get(l), 'list assignment index out of range');
    this.rt.xdecref(v);
    return e;
  }

  /** PyList_Append (_PyList_AppendTakeRef on a new reference): list_resize(n + 1) only when every slot is used. Increfs v. */
  append(l: number, v: number): void {
    this.checkList(l, 'PyList_Append');
    this.checkObject(v, 'PyList_Append');
    this.rt.incref(v);
    this.appendTakeRef(l, v);
  }

  /** PyList_Insert (ins1): v before item `where` (negative counts from the end; clamped). Increfs v. */
  insert(l: number, where: number, v: number): void {
    this.checkList(l, 'PyList_Insert');
    this.checkObject(v, 'PyList_Insert');
    if (!Number.isInteger(where)) throw new InvalidArgumentError(`PyList_Insert: index must be an integer, got ${describe(where)}`);
    const n = obSize.get(l);
    this.listResize(l, n + 1);
    if (where < 0) where = Math.max(where + n, 0);
    if (where > n) where = n;
    const items = listObItem.get(l);
    viewBytes(items, (n + 1) * SIZEOF_VOID_P).copyWithin((where + 1) * SIZEOF_VOID_P, where * SIZEOF_VOID_P, n * SIZEOF_VOID_P);
    this.rt.incref(v);
    itemArray.set(items, where, v);
  }

  /**
   * list.pop(index=-1) (list_pop_impl): the last item leaves by
   * list_resize(n - 1), any other by list_ass_slice. New reference.
   */
  pop(l: number, index = -1): number {
    this.checkList(l, 'list.pop');
    const n = obSize.get(l);
    if (n === 0) throw new InvalidArgumentError('pop from empty list');
    if (!Number.isInteger(index)) throw new InvalidArgumentError(`list.pop: index must be an integer, got ${describe(index)}`);
    if (index < 0) index += n;
    if (index < 0 || index >= n) throw new InvalidArgumentError(`pop index out of range: ${index} not in [0, ${n})`);
    const v = itemArray.get(listObItem.get(l), index);
    if (index === n - 1) {
      this.listResize(l, n - 1);
      return v;
    }
    this.rt.incref(v);
    this.listAssSlice(l, index, index + 1, 0);
    return v;
  }

  /**
   * PyList_GetSlice (list_slice): a new list of items [lo, hi) (clamped),
   * exactly sized (list_new_prealloc). New reference.
   */
  getSlice(l: number, lo: number, hi: number): number {
    this.checkList(l, 'PyList_GetSlice');
    const n = obSize.get(l);
    lo = this.clampIndex(lo, n, 'PyList_GetSlice');
    hi = this.clampIndex(hi, n, 'PyList_GetSlice');
    return this.listSlice(l, lo, Math.max(hi, lo));
  }

  /**
   * PyList_SetSlice (list_ass_slice): replaces items [lo, hi) (clamped) with
   * the items of `v` — a list or tuple, or 0 to delete them. Shrinking and
   * growing go through list_resize; emptying the list frees its array
   * (_list_clear). Increfs the new items, releases the old ones last.
   */
  setSlice(l: number, lo: number, hi: number, v: number): void {
    this.checkList(l, 'PyList_SetSlice');
    if (v !== 0 && !this.isSequenceFast(v)) {
      throw new InvalidArgumentError(`PyList_SetSlice: the replacement must be a list, a tuple or NULL, got ${this.describeObject(v)}`);
    }
    const n = obSize.get(l);
    this.listAssSlice(l, this.clampIndex(lo, n, 'PyList_SetSlice'), this.clampIndex(hi, n, 'PyList_SetSlice'), v);
  }

  /**
   * list_inplace_repeat: `l *= n` — l itself, emptied for n < 1, else
   * list_resize(len * n) (its over-allocation) and the items copied n - 1
   * times, each copy increfed. Returns nothing: the caller keeps l.
   */
  inplaceRepeat(l: number, n: number): void {
    this.checkList(l, 'list_inplace_repeat');
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`list_inplace_repeat: count must be an integer, got ${describe(n)}`);
    const size = obSize.get(l);
    if (size === 0 || n === 1) return;
    if (n < 1) {
      this.clear(l);
      return;
    }
    if (size * n > MAX_LIST_SIZE) throw new OutOfMemoryError(`list_inplace_repeat: ${size} * ${n} items is too many`, size * n * SIZEOF_VOID_P);
    this.listResize(l, size * n);
    const items = this.slots(l, size * n);
    for (let p = size; p < size * n; p += size) {
      for (let j = 0; j < size; j++) {
        const o = items[j]!;
        this.rt.incref(o);
        items[p + j] = o;
      }
    }
  }

  /**
   * list_ass_subscript with a step other than 1: `del l[start::step]` (v 0)
   * or `l[start::step] = v` (v a list or tuple of exactly `slicelength`
   * items, other than l). start, step and slicelength are
   * PySlice_AdjustIndices's. The replaced or removed items are kept in a
   * PyMem_Malloc'd array ("garbage") and released once the list is in
   * shape; a deletion closes the gaps in place and then list_resize shrinks.
   */
  assignExtendedSlice(l: number, start: number, step: number, slicelength: number, v: number): void {
    this.checkList(l, 'list_ass_subscript');
    if (v !== 0 && (!this.isSequenceFast(v) || v === l || obSize.get(v) !== slicelength)) {
      throw new InvalidArgumentError(`list_ass_subscript: the replacement must be a list or tuple of ${slicelength} items other than the list, got ${this.describeObject(v)}`);
    }
    if (slicelength <= 0) return;
    const rt = this.rt;
    const garbage = rt.memMalloc(slicelength * SIZEOF_VOID_P);
    try {
      if (v === 0) {
        if (step < 0) {
          const stop = start + 1;
          start = stop + step * (slicelength - 1) - 1;
          step = -step;
        }
        const size = obSize.get(l);
        const items = this.slots(l, size);
        // Each removed item's slot is filled by shifting down what lies before the next one.
        let w = start;
        for (let cur = start, i = 0; i < slicelength; cur += step, i++) {
          itemArray.set(garbage, i, items[cur]!);
          const lim = Math.min(cur + step, size);
          for (let k = cur + 1; k < lim; k++) items[w++] = items[k]!;
        }
        for (let k = start + slicelength * step; k < size; k++) items[w++] = items[k]!;
        obSize.set(l, size - slicelength);
        this.listResize(l, size - slicelength);
      } else {
        const src = this.fastItems(v, slicelength);
        const items = this.slots(l, obSize.get(l));
        for (let cur = start, i = 0; i < slicelength; cur += step, i++) {
          itemArray.set(garbage, i, items[cur]!);
          rt.incref(src[i]!);
          items[cur] = src[i]!;
        }
      }
      for (let i = 0; i < slicelength; i++) rt.decref(itemArray.get(garbage, i));
    } finally {
      rt.memFree(garbage);
    }
  }

  /** list.clear() / tp_clear (_list_clear): empties the list and frees its array (ob_item becomes NULL). */
  clear(l: number): void {
    this.checkList(l, 'list.clear');
    const rt = this.rt;
    const items = listObItem.get(l);
    if (items === 0) return;
    // XDECREF can reach this list again: make it empty first.
    let i = obSize.get(l);
    obSize.set(l, 0);
    listObItem.set(l, 0);
    listAllocated.set(l, 0);
    while (--i >= 0) rt.xdecref(itemArray.get(items, i));
    rt.memFree(items);
  }

  /** The items, in order (borrowed references). */
  items(l: number): number[] {
    this.checkList(l, 'list items');
    return Array.from(this.slots(l, obSize.get(l)));
  }

  // --- list_extend --------------------------------------------------------------------------

  /**
   * list_extend / `l += src` (list_inplace_concat) with a list or tuple
   * `src` (may be l itself): the PySequence_Fast path. Increfs the items.
   */
  extend(l: number, src: number): void {
    this.checkList(l, 'list_extend');
    if (!this.isSequenceFast(src)) {
      throw new InvalidArgumentError(`list_extend: the source must be a list or a tuple (use extendFromIterable), got ${this.describeObject(src)}`);
    }
    const n = obSize.get(src);
    if (n === 0) return;
    this.extendPrepare(l, n);
    // Read the source only now: when src is l, list_resize may have moved it.
    const from = this.fastItems(src, n);
    this.copyIn(l, from);
  }

  /**
   * list_extend over a sequence of known length (a list's or tuple's items,
   * e.g. the constant tuple of `[0, 1, 2]`'s LIST_EXTEND): on a list without
   * an array, list_preallocate_exact(n); otherwise list_resize(len + n).
   * Increfs the items.
   */
  extendFromArray(l: number, items: readonly number[]): void {
    this.checkList(l, 'list_extend');
    for (const item of items) this.checkObject(item, 'list_extend');
    if (items.length === 0) return;
    this.extendPrepare(l, items.length);
    this.copyIn(l, items);
  }

  /**
   * list_extend over an iterator with a length hint (range, map, a
   * generator …): make room for the hint (list_preallocate_exact on a list
   * without an array, else list_resize(len + hint)), store items while
   * slots remain, append past them, and cut back with list_resize if the
   * hint was too large. Takes over each yielded item's reference (as
   * iternext's result); if the iterator throws, the items so far stay.
   */
  extendFromIterable(l: number, items: Iterable<number>, lengthHint = 8): void {
    this.checkList(l, 'list_extend');
    if (!Number.isInteger(lengthHint) || lengthHint < 0 || lengthHint > MAX_LIST_SIZE) {
      throw new InvalidArgumentError(`list_extend: length hint must be an integer from 0 to ${MAX_LIST_SIZE}, got ${describe(lengthHint)}`);
    }
    const m = obSize.get(l);
    if (listObItem.get(l) === 0) {
      if (lengthHint > 0) this.listPreallocateExact(l, lengthHint);
    } else {
      this.listResize(l, m + lengthHint);
      obSize.set(l, m); // make the list sane again
    }
    for (const item of items) {
      this.checkObject(item, 'list_extend');
      const size = obSize.get(l);
      if (size < listAllocated.get(l)) {
        itemArray.set(listObItem.get(l), size, item);
        obSize.set(l, size + 1);
      } else {
        this.appendTakeRef(l, item);
      }
    }
    const size = obSize.get(l);
    if (size < listAllocated.get(l)) this.listResize(l, size);
  }

  // --- comparison, stats ----------------------------------------------------------------------

  /** list_richcompare(a, b, Py_EQ): b a list of the same length whose items are equal (identity first). */
  eq(a: number, b: number): boolean {
    if (!this.check(b)) return false;
    const n = obSize.get(a);
    if (obSize.get(b) !== n) return false;
    // The sizes are read again each step: a comparison may run code that changes either list.
    for (let i = 0; i < obSize.get(a) && i < obSize.get(b); i++) {
      const v = itemArray.get(listObItem.get(a), i);
      const w = itemArray.get(listObItem.get(b), i);
      if (v === w) continue;
      // The items are held across the comparison, which may run arbitrary code.
      this.rt.incref(v);
      this.rt.incref(w);
      const k = this.interp.eq(v, w);
      this.rt.decref(v);
      this.rt.decref(w);
      if (!k) return false;
    }
    return obSize.get(a) === obSize.get(b);
  }

  /** Dead lists parked on the free list (sys._debugmallocstats' `free PyListObjects`). */
  freeListSize(): number {
    return this.freeList.length;
  }

  /** _PyList_ClearFreeList: PyObject_GC_Del every parked list (a full collection does this). */
  clearFreeList(): void {
    while (this.freeList.length > 0) this.rt.gcDel(this.freeList.pop()!);
  }

  // --- internals --------------------------------------------------------------------------------

  /**
   * list_resize: set ob_size to newsize, reallocating ob_item (PyMem_Realloc)
   * unless newsize fits and does not fall below half the allocation.
   */
  private listResize(l: number, newsize: number): void {
    const rt = this.rt;
    const allocated = listAllocated.get(l);
    if (allocated >= newsize && newsize >= Math.floor(allocated / 2)) {
      obSize.set(l, newsize);
      return;
    }
    const newAllocated = listResizeAllocation(obSize.get(l), newsize);
    const items = rt.memRealloc(listObItem.get(l), newAllocated * SIZEOF_VOID_P);
    listObItem.set(l, items);
    obSize.set(l, newsize);
    listAllocated.set(l, newAllocated);
  }

  /** list_preallocate_exact: an array of `size` slots rounded up to even, on a list without one (ob_size unchanged). */
  private listPreallocateExact(l: number, size: number): void {
    size += size % 2;
    listObItem.set(l, this.rt.memMalloc(size * SIZEOF_VOID_P));
    listAllocated.set(l, size);
  }

  /** _PyList_AppendTakeRef: store v (a reference the list takes over) at the end. */
  private appendTakeRef(l: number, v: number): void {
    const rt = this.rt;
    const len = rt.sizeOf(l);
    if (this.allocatedOf(l) > len) {
      const items = this.obItem(l);
      if (items < SMALL_LIMIT) rt.f64[(items >>> 3) + len] = v;
      else itemArray.set(items, len, v);
      obSize.set(l, len + 1);
      return;
    }
    try {
      this.listResize(l, len + 1);
    } catch (e) {
      this.rt.decref(v);
      throw e;
    }
    itemArray.set(listObItem.get(l), len, v);
  }

  /** list_extend's room-making for n > 0 known items: ob_size becomes len + n. */
  private extendPrepare(l: number, n: number): void {
    const m = obSize.get(l);
    if (listObItem.get(l) === 0) {
      this.listPreallocateExact(l, n);
      obSize.set(l, n);
    } else {
      this.listResize(l, m + n);
    }
  }

  /** Stores the given items (increfed) into the last items.length slots in use. */
  private copyIn(l: number, from: ArrayLike<number>): void {
    const n = from.length;
    const size = obSize.get(l);
    const dest = this.slots(l, size);
    for (let i = 0; i < n; i++) {
      const o = from[i]!;
      this.rt.incref(o);
      dest[size - n + i] = o;
    }
  }

  /** list_slice: a new list holding items [lo, hi) (0 <= lo <= hi <= size). */
  private listSlice(l: number, lo: number, hi: number): number {
    return this.fromArray(this.slots(l, hi).subarray(lo));
  }

  /**
   * list_new_prealloc filled with `from`, each item increfed: a new list of
   * exactly from.length slots (list_slice, and list_subscript's other steps).
   * New reference.
   */
  fromArray(from: ArrayLike<number>): number {
    const len = from.length;
    if (len === 0) return this.new(0);
    const np = this.new(0);
    try {
      listObItem.set(np, this.rt.memMalloc(len * SIZEOF_VOID_P));
    } catch (e) {
      this.rt.decref(np);
      throw e;
    }
    listAllocated.set(np, len);
    obSize.set(np, len);
    this.copyIn(np, from);
    return np;
  }

  /**
   * list_ass_slice: a[ilow:ihigh] = v (v a list or tuple other than a, or 0),
   * with 0 <= ilow, ihigh <= size. The removed items are kept aside
   * ("recycled": up to 8 in JS, as on CPython's stack, more in a
   * PyMem_Malloc'd array) and released only once the list is back in shape.
   */
  private listAssSlice(a: number, ilow: number, ihigh: number, v: number): void {
    const rt = this.rt;
    if (v === a) {
      // a[i:j] = a: copy it first.
      const copy = this.listSlice(a, 0, obSize.get(a));
      try {
        this.listAssSlice(a, ilow, ihigh, copy);
      } finally {
        rt.decref(copy);
      }
      return;
    }
    const n = v === 0 ? 0 : obSize.get(v);
    const vitem = v === 0 ? null : this.fastItems(v, n);
    if (ihigh < ilow) ihigh = ilow;
    const size = obSize.get(a);
    const norig = ihigh - ilow;
    const d = n - norig;
    if (size + d === 0) {
      this.clear(a);
      return;
    }
    let item = listObItem.get(a);
    const s = norig * SIZEOF_VOID_P;
    const heapRecycle = norig > RECYCLE_ON_STACK ? rt.memMalloc(s) : 0;
    let recycle: ArrayLike<number> = [];
    if (s > 0) {
      const removed = viewBytes(itemArray.at(item, ilow), s);
      if (heapRecycle !== 0) viewBytes(heapRecycle, s).set(removed);
      else recycle = Array.from(new Float64Array(removed.buffer, removed.byteOffset, norig));
    }
    try {
      if (d < 0) {
        // Delete -d items: close the gap, then shrink (reopening it if the shrink fails).
        const bytes = viewBytes(item, size * SIZEOF_VOID_P);
        bytes.copyWithin((ihigh + d) * SIZEOF_VOID_P, ihigh * SIZEOF_VOID_P);
        try {
          this.listResize(a, size + d);
        } catch (e) {
          bytes.copyWithin(ihigh * SIZEOF_VOID_P, (ihigh + d) * SIZEOF_VOID_P, (size + d) * SIZEOF_VOID_P);
          if (heapRecycle !== 0) bytes.set(viewBytes(heapRecycle, s), ilow * SIZEOF_VOID_P);
          else this.blockSlots(item, size).set(recycle as number[], ilow);
          throw e;
        }
        item = listObItem.get(a);
      } else if (d > 0) {
        // Insert d items: grow, then open the gap.
        this.listResize(a, size + d);
        item = listObItem.get(a);
        viewBytes(item, (size + d) * SIZEOF_VOID_P).copyWithin((ihigh + d) * SIZEOF_VOID_P, ihigh * SIZEOF_VOID_P, size * SIZEOF_VOID_P);
      }
      for (let k = 0; k < n; k++) {
        const w = vitem![k]!;
        rt.xincref(w);
        itemArray.set(item, ilow + k, w);
      }
      if (heapRecycle !== 0) recycle = Array.from(this.blockSlots(heapRecycle, norig));
      for (let k = norig - 1; k >= 0; --k) rt.xdecref(recycle[k]!);
    } finally {
      if (heapRecycle !== 0) rt.memFree(heapRecycle);
    }
  }

  /** list_dealloc: untrack, release the items (last first), free the array, then park or free the object. */
  private listDealloc(rt: Runtime, op: number): void {
    rt.gcUntrack(op);
    if (rt.trashcanBegin(op)) return;
    const items = this.obItem(op);
    if (items !== 0) {
      const n = rt.sizeOf(op);
      if (items < SMALL_LIMIT) {
        const f = rt.f64;
        const base = items >>> 3;
        for (let i = n - 1; i >= 0; i--) rt.xdecref(f[base + i]!);
      } else {
        for (let i = n - 1; i >= 0; i--) rt.xdecref(itemArray.get(items, i));
      }
      rt.memFree(items);
    }
    if (this.freeList.length < MAXFREELIST && rt.typeIdOf(op) === this.typeId) this.freeList.push(op);
    else rt.gcDel(op);
    rt.trashcanEnd();
  }

  /** list_traverse. */
  private listTraverse(rt: Runtime, op: number, visit: Visit): number {
    const n = rt.sizeOf(op);
    // The visit procedures only mark and move GC heads: the item array stays where it is.
    const items = this.obItem(op);
    if (items < SMALL_LIMIT) {
      const f = rt.f64;
      const base = items >>> 3;
      for (let i = 0; i < n; i++) {
        const item = f[base + i]!;
        if (item !== 0) {
          const r = visit(item);
          if (r !== 0) return r;
        }
      }
      return 0;
    }
    for (let i = 0; i < n; i++) {
      const item = itemArray.get(items, i);
      if (item !== 0) {
        const r = visit(item);
        if (r !== 0) return r;
      }
    }
    return 0;
  }

  /** ob_item of the list l (a live object). */
  private obItem(l: number): number {
    return l < SMALL_LIMIT ? this.rt.f64[(l >>> 3) + LIST_OB_ITEM_F64]! : listObItem.get(l);
  }
  /** allocated of the list l (an i64). */
  private allocatedOf(l: number): number {
    if (l < SMALL_LIMIT) {
      const w = (l >>> 2) + LIST_ALLOCATED_U32;
      return this.rt.u32[w]! + (this.rt.u32[w + 1]! | 0) * 4294967296;
    }
    return listAllocated.get(l);
  }
  /** Sets ob_item, ob_size and allocated of the list l. */
  private setFields(l: number, items: number, size: number, allocated: number): void {
    if (l < SMALL_LIMIT && (size | 0) === size && (allocated | 0) === allocated) {
      const rt = this.rt;
      rt.f64[(l >>> 3) + LIST_OB_ITEM_F64] = items;
      const u = rt.u32;
      const w = l >>> 2;
      u[w + OB_SIZE_U32] = size;
      u[w + OB_SIZE_U32 + 1] = 0;
      u[w + LIST_ALLOCATED_U32] = allocated;
      u[w + LIST_ALLOCATED_U32 + 1] = 0;
    } else {
      listObItem.set(l, items);
      obSize.set(l, size);
      listAllocated.set(l, allocated);
    }
  }

  /** The first n item slots of list l as a Float64Array over its array (valid until the array moves or is freed). */
  private slots(l: number, n: number): Float64Array {
    return n === 0 ? new Float64Array(0) : this.blockSlots(listObItem.get(l), n);
  }

  /** n pointer slots at the start of block p. */
  private blockSlots(p: number, n: number): Float64Array {
    const b = viewBytes(p, n * SIZEOF_VOID_P);
    return new Float64Array(b.buffer, b.byteOffset, n);
  }

  /** PySequence_Fast_ITEMS of a list or tuple of n items, copied (the source may move). */
  private fastItems(src: number, n: number): number[] {
    if (n === 0) return [];
    if (this.check(src)) return Array.from(this.slots(src, n));
    const b = viewBytes(tupleItem.at(src, 0), n * SIZEOF_VOID_P);
    return Array.from(new Float64Array(b.buffer, b.byteOffset, n));
  }

  /** PyList_Check || PyTuple_Check: what PySequence_Fast passes through as it is. */
  private isSequenceFast(op: number): boolean {
    return (this.flagsOf(op) & (Py_TPFLAGS_LIST_SUBCLASS | Py_TPFLAGS_TUPLE_SUBCLASS)) !== 0;
  }

  private flagsOf(op: unknown): number {
    return typeof op === 'number' ? this.rt.flagsOf(op) : 0;
  }

  // The checks build their errors out of line: V8 inlines by bytecode size, and a template literal
  // in a check called on every item operation would spend its callers' inlining budget.
  private checkList(op: number, fn: string): void {
    if ((this.flagsOf(op) & Py_TPFLAGS_LIST_SUBCLASS) === 0) throw this.notAList(op, fn);
  }
  private notAList(op: number, fn: string): InvalidArgumentError {
    return new InvalidArgumentError(`${fn}: expected a list, got ${this.describeObject(op)}`);
  }

  /** Refuses anything but a live object of this runtime (before the list is changed). */
  private checkObject(op: unknown, fn: string): void {
    if (typeof op !== 'number' || op === 0) throw notAnObject(op, fn);
    this.rt.typeOf(op);
  }

  private checkIndex(i: number, n: number, message: string): void {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw indexOutOfRange(i, n, message);
  }

  /** A slice bound as list_ass_slice / list_slice clamp it (negative: 0; past the end: size). */
  private clampIndex(i: number, n: number, fn: string): number {
    if (!Number.isInteger(i)) throw new InvalidArgumentError(`${fn}: index must be an integer, got ${describe(i)}`);
    return Math.min(Math.max(i, 0), n);
  }

  private describeObject(op: unknown): string {
    if (typeof op !== 'number') return describe(op);
    if (op === 0) return 'NULL';
    const t = this.rt.typeOrNull(op);
    return t ? `a ${t.name} object` : `${op} (not an object)`;
  }
}
