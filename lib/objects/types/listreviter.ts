/*
 * list_reverseiterator (Objects/listobject.c, listreviterobject, CPython
 * 3.11): what reversed(a_list) returns (list___reversed__).
 *
 * After its PyGC_Head, tracked from birth:
 *
 * listreviterobject, 32 bytes:
 *    0  16  PyObject        ob_base   the object header
 *   16  8   Py_ssize_t      it_index  the next item's index, -1 once exhausted
 *   24  8   PyListObject *  it_seq    owned; NULL once exhausted
 *
 * Invariants: it_index only falls; the first next() that finds it_index
 * outside the list (which may have shrunk) sets it to -1 and lets go of the
 * list, so an exhausted iterator keeps nothing alive.
 */
import { InvalidArgumentError, describe } from '../../errors.js';
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, itemArray, obSize, PyObject } from '../layout.js';
import type { Runtime } from '../runtime.js';
import type { PyTypeObject } from '../type.js';
import { allocIter, registerIterType } from './iterContainer.js';
import { listObItem } from './list.js';

/** listreviterobject. */
export const listreviterobject = declareObjectStruct({
  name: 'listreviterobject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'it_index', type: 'i64', meaning: "the next item's index, -1 once exhausted" },
    { name: 'it_seq', type: 'ptr', ctype: 'PyListObject *', meaning: 'owned; NULL once exhausted' },
  ],
});
const itIndex = listreviterobject.field('it_index');
const itSeq = listreviterobject.field('it_seq');

/** list_reverseiterator: its type and the reverse iteration over lists. */
export class ListRevIterModule {
  /** PyListRevIter_Type. */
  readonly type: PyTypeObject;
  private readonly rt: Runtime;

  constructor(readonly interp: Interpreter) {
    this.rt = interp.rt;
    this.type = registerIterType(this.rt, { name: 'list_reverseiterator', layout: listreviterobject, owned: [itSeq] });
  }

  /** list___reversed___impl: an iterator at the last index holding a reference to l (a list, borrowed). New reference. */
  reversed(l: number): number {
    if (!this.interp.list.check(l)) throw new InvalidArgumentError(`list___reversed__: expected a list, got ${describe(l)}`);
    const it = allocIter(this.rt, this.type);
    itIndex.set(it, obSize.get(l) - 1);
    this.rt.incref(l);
    itSeq.set(it, l);
    return it;
  }

  /** listreviter_next: the item at it_index (a new reference), or 0 when there is none — then the list is let go. */
  next(it: number): number {
    const seq = itSeq.get(it);
    if (seq === 0) return 0;
    const index = itIndex.get(it);
    if (index >= 0 && index < obSize.get(seq)) {
      const item = itemArray.get(listObItem.get(seq), index);
      itIndex.set(it, index - 1);
      this.rt.incref(item);
      return item;
    }
    itIndex.set(it, -1);
    itSeq.set(it, 0);
    this.rt.decref(seq);
    return 0;
  }

  /** listreviter_len: index + 1 while the list still has that many items, else 0. */
  lengthHint(it: number): number {
    const seq = itSeq.get(it);
    const len = itIndex.get(it) + 1;
    return seq === 0 || obSize.get(seq) < len ? 0 : len;
  }
}
