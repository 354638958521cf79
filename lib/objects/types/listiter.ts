/*
 * list_iterator (Objects/listobject.c, listiterobject, CPython 3.11): what
 * iter(a_list) returns.
 *
 * listiterobject: 32 bytes after its PyGC_Head (PyObject_GC_New), tracked
 * from birth:
 *
 *   -16  PyGC_Head
 *     0  ob_refcnt
 *     8  ob_type    list_iterator
 *    16  it_index   Py_ssize_t     the next item's index
 *    24  it_seq     PyListObject*  owned; NULL once the iterator is exhausted
 *
 * Invariants: it_index only grows; while it_seq is set the iterator holds
 * one reference to the list, dropped (and it_seq set to NULL) the first
 * time next() finds it_index >= len(list), so an exhausted iterator keeps
 * nothing alive. The list may change under the iterator: each next()
 * reads its current size. There is no tp_clear: the list's own clear
 * breaks any cycle through the iterator.
 */
import { InvalidArgumentError, describe } from '../../errors.js';
import type { Interpreter } from '../interpreter.js';
import { obSize, SIZEOF_VOID_P } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_HAVE_GC, type PyTypeObject, type Visit } from '../type.js';
import { LIST_OB_ITEM } from './list.js';

/** Offsets in listiterobject. */
export const LISTITER_INDEX = 16;
export const LISTITER_SEQ = 24;
/** sizeof(listiterobject). */
export const SIZEOF_LISTITEROBJECT = 32;

/** list_iterator: its type and the iterator protocol over lists. */
export class ListIterModule {
  /** PyListIter_Type. */
  readonly type: PyTypeObject;
  private readonly rt: Runtime;

  constructor(readonly interp: Interpreter) {
    this.rt = interp.rt;
    this.type = this.rt.registerType({
      name: 'list_iterator',
      basicsize: SIZEOF_LISTITEROBJECT,
      itemsize: 0,
      flags: Py_TPFLAGS_HAVE_GC,
      dealloc: (_r, op) => this.listiterDealloc(op),
      traverse: (_r, op, visit) => this.listiterTraverse(op, visit),
    });
  }

  /** Whether op is a list_iterator. */
  check(op: number): boolean {
    return typeof op === 'number' && op !== 0 && Number.isInteger(op) && this.rt.typeOrNull(op) === this.type;
  }

  /** iter(l) (list_iter): a tracked iterator at index 0 holding a reference to l (borrowed). New reference. */
  iter(l: number): number {
    if (typeof l !== 'number' || l === 0 || !Number.isInteger(l) || !this.interp.list.check(l)) {
      throw new InvalidArgumentError(`list_iter: expected a list, got ${this.describeObject(l)}`);
    }
    const rt = this.rt;
    const it = rt.gcNew(this.type);
    rt.mem.setI64(it, LISTITER_INDEX, 0);
    rt.incref(l);
    rt.mem.setF64(it, LISTITER_SEQ, l);
    rt.gcTrack(it);
    return it;
  }

  /**
   * next(it) (listiter_next): the item at it_index (a new reference), or 0
   * when the list has no more — then the iterator lets go of the list.
   */
  next(it: number): number {
    this.checkIter(it, 'next');
    const rt = this.rt;
    const mem = rt.mem;
    const seq = mem.f64At(it, LISTITER_SEQ);
    if (seq === 0) return 0;
    const index = mem.i64At(it, LISTITER_INDEX);
    if (index < obSize.get(seq)) {
      const item = mem.f64At(mem.f64At(seq, LIST_OB_ITEM), index * SIZEOF_VOID_P);
      mem.setI64(it, LISTITER_INDEX, index + 1);
      rt.incref(item);
      return item;
    }
    mem.setF64(it, LISTITER_SEQ, 0);
    rt.decref(seq);
    return 0;
  }

  /** it.__length_hint__() (listiter_len): the items left, 0 once exhausted. */
  lengthHint(it: number): number {
    this.checkIter(it, '__length_hint__');
    const mem = this.rt.mem;
    const seq = mem.f64At(it, LISTITER_SEQ);
    if (seq === 0) return 0;
    return Math.max(0, obSize.get(seq) - mem.i64At(it, LISTITER_INDEX));
  }

  /** it_seq: the list being iterated (borrowed), or 0 once exhausted. */
  seq(it: number): number {
    this.checkIter(it, 'it_seq');
    return this.rt.mem.f64At(it, LISTITER_SEQ);
  }

  /** listiter_dealloc: untrack, release the list, PyObject_GC_Del. */
  private listiterDealloc(op: number): void {
    const rt = this.rt;
    rt.gcUntrack(op);
    rt.xdecref(rt.mem.f64At(op, LISTITER_SEQ));
    rt.gcDel(op);
  }

  /** listiter_traverse: Py_VISIT(it_seq). */
  private listiterTraverse(op: number, visit: Visit): number {
    const seq = this.rt.mem.f64At(op, LISTITER_SEQ);
    return seq !== 0 ? visit(seq) : 0;
  }

  private checkIter(it: number, fn: string): void {
    if (!this.check(it)) throw new InvalidArgumentError(`${fn}: expected a list_iterator, got ${this.describeObject(it)}`);
  }

  private describeObject(op: unknown): string {
    if (typeof op !== 'number' || !Number.isInteger(op)) return describe(op);
    if (op === 0) return 'NULL';
    const t = this.rt.typeOrNull(op);
    return t ? `a ${t.name} object` : `${op} (not an object)`;
  }
}
