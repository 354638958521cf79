/*
 * list_iterator (Objects/listobject.c, listiterobject, CPython 3.11): what
 * iter(a_list) returns.
 *
 * listiterobject, after its PyGC_Head (PyObject_GC_New), tracked from birth:
 *
 * listiterobject, 32 bytes:
 *    0  16  PyObject        ob_base   the object header
 *   16  8   Py_ssize_t      it_index  the next item's index
 *   24  8   PyListObject *  it_seq    owned; NULL once the iterator is exhausted
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
import { declareObjectStruct, itemArray, obSize, PyObject } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_HAVE_GC, type PyTypeObject, type Visit } from '../type.js';
import { listObItem } from './list.js';

/** listiterobject. */
export const listiterobject = declareObjectStruct({
  name: 'listiterobject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'it_index', type: 'i64', meaning: "the next item's index" },
    { name: 'it_seq', type: 'ptr', ctype: 'PyListObject *', meaning: 'owned; NULL once the iterator is exhausted' },
  ],
});
const itIndex = listiterobject.field('it_index');
const itSeq = listiterobject.field('it_seq');
/** sizeof(listiterobject). */
export const SIZEOF_LISTITEROBJECT = listiterobject.size;

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
      layout: listiterobject,
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
    itIndex.set(it, 0);
    rt.incref(l);
    itSeq.set(it, l);
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
    const seq = itSeq.get(it);
    if (seq === 0) return 0;
    const index = itIndex.get(it);
    if (index < obSize.get(seq)) {
      const item = itemArray.get(listObItem.get(seq), index);
      itIndex.set(it, index + 1);
      rt.incref(item);
      return item;
    }
    itSeq.set(it, 0);
    rt.decref(seq);
    return 0;
  }

  /** it.__length_hint__() (listiter_len): the items left, 0 once exhausted. */
  lengthHint(it: number): number {
    this.checkIter(it, '__length_hint__');
    const seq = itSeq.get(it);
    if (seq === 0) return 0;
    return Math.max(0, obSize.get(seq) - itIndex.get(it));
  }

  /** it_seq: the list being iterated (borrowed), or 0 once exhausted. */
  seq(it: number): number {
    this.checkIter(it, 'it_seq');
    return itSeq.get(it);
  }

  /** listiter_dealloc: untrack, release the list, PyObject_GC_Del. */
  private listiterDealloc(op: number): void {
    const rt = this.rt;
    rt.gcUntrack(op);
    rt.xdecref(itSeq.get(op));
    rt.gcDel(op);
  }

  /** listiter_traverse: Py_VISIT(it_seq). */
  private listiterTraverse(op: number, visit: Visit): number {
    const seq = itSeq.get(op);
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
