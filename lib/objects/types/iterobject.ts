/*
 * iterator and callable_iterator (Objects/iterobject.c, CPython 3.11): what
 * iter(o) returns for an object that has __getitem__ but no __iter__ (the
 * old sequence protocol, PySeqIter_New) and what iter(callable, sentinel)
 * returns (PyCallIter_New). Their next() calls back into the evaluation
 * loop (lib/eval/bltinIter.ts); this module owns the layouts and types.
 *
 * Each after its PyGC_Head, tracked from birth:
 *
 * seqiterobject, 32 bytes:
 *    0  16  PyObject    ob_base   the object header
 *   16  8   Py_ssize_t  it_index  the next index to ask for
 *   24  8   PyObject *  it_seq    the sequence; owned, NULL once exhausted
 *
 * calliterobject, 32 bytes:
 *    0  16  PyObject    ob_base      the object header
 *   16  8   PyObject *  it_callable  called with no arguments; owned, NULL once exhausted
 *   24  8   PyObject *  it_sentinel  the value that ends it; owned, NULL once exhausted
 *
 * Invariants: once exhausted an iterator holds nothing and stays exhausted;
 * it_index only grows.
 */
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, PyObject } from '../layout.js';
import type { PyTypeObject } from '../type.js';
import { registerIterType } from './iterContainer.js';

/** seqiterobject. */
export const seqiterobject = declareObjectStruct({
  name: 'seqiterobject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'it_index', type: 'i64', meaning: 'the next index to ask for' },
    { name: 'it_seq', type: 'ptr', ctype: 'PyObject *', meaning: 'the sequence; owned, NULL once exhausted' },
  ],
});
/** calliterobject. */
export const calliterobject = declareObjectStruct({
  name: 'calliterobject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'it_callable', type: 'ptr', ctype: 'PyObject *', meaning: 'called with no arguments; owned, NULL once exhausted' },
    { name: 'it_sentinel', type: 'ptr', ctype: 'PyObject *', meaning: 'the value that ends it; owned, NULL once exhausted' },
  ],
});

/** seqiterobject's fields. */
export const seqiterFields = { itIndex: seqiterobject.field('it_index'), itSeq: seqiterobject.field('it_seq') };
/** calliterobject's fields. */
export const calliterFields = { itCallable: calliterobject.field('it_callable'), itSentinel: calliterobject.field('it_sentinel') };

/** The iterator and callable_iterator types. */
export class IterObjectModule {
  /** PySeqIter_Type. */
  readonly seqIterType: PyTypeObject;
  /** PyCallIter_Type. */
  readonly callIterType: PyTypeObject;

  constructor(readonly interp: Interpreter) {
    const rt = interp.rt;
    this.seqIterType = registerIterType(rt, { name: 'iterator', layout: seqiterobject, owned: [seqiterFields.itSeq] });
    this.callIterType = registerIterType(rt, { name: 'callable_iterator', layout: calliterobject, owned: [calliterFields.itCallable, calliterFields.itSentinel] });
  }
}
