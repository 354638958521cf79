/*
 * enumerate and reversed (Objects/enumobject.c, CPython 3.11): the lazy
 * iterators enumerate(iterable, start) and reversed(sequence) return. Their
 * next() (enum_next, reversed_next) calls back into the evaluation loop, so
 * it lives in lib/eval/bltinIter.ts; this module owns the layouts and types.
 *
 * Each after its PyGC_Head, tracked from birth (PyType_GenericAlloc):
 *
 * enumobject, 56 bytes:
 *    0  16  PyObject    ob_base       the object header
 *   16  8   Py_ssize_t  en_index      the next count while it fits (below 2**53 here)
 *   24  8   PyObject *  en_sit        the underlying iterator; owned
 *   32  8   PyObject *  en_result     the result tuple reused while only enumerate holds it; owned
 *   40  8   PyObject *  en_longindex  the next count as an int once past en_index; owned or NULL
 *   48  8   PyObject *  one           the int 1 (borrowed, for enum_next_long)
 *
 * reversedobject, 32 bytes:
 *    0  16  PyObject    ob_base  the object header
 *   16  8   Py_ssize_t  index    the next index, -1 once exhausted
 *   24  8   PyObject *  seq      the sequence; owned, NULL once exhausted
 *
 * Invariants: en_sit and en_result are set from construction on; en_index
 * stops at ENUM_INDEX_MAX, from where en_longindex counts. CPython's
 * en_index runs to PY_SSIZE_T_MAX (2**63 - 1); a double is exact only below
 * 2**53, so here the int takes over at 2**53 — the counts yielded are the same.
 */
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, PyObject } from '../layout.js';
import type { PyTypeObject } from '../type.js';
import { registerIterType } from './iterContainer.js';

/** enumobject (3.11). */
export const enumobject = declareObjectStruct({
  name: 'enumobject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'en_index', type: 'i64', meaning: 'the next count while it fits (below 2**53 here)' },
    { name: 'en_sit', type: 'ptr', ctype: 'PyObject *', meaning: 'the underlying iterator; owned' },
    { name: 'en_result', type: 'ptr', ctype: 'PyObject *', meaning: 'the result tuple reused while only enumerate holds it; owned' },
    { name: 'en_longindex', type: 'ptr', ctype: 'PyObject *', meaning: 'the next count as an int once past en_index; owned or NULL' },
    { name: 'one', type: 'ptr', ctype: 'PyObject *', meaning: 'the int 1 (borrowed, for enum_next_long)' },
  ],
});
/** reversedobject. */
export const reversedobject = declareObjectStruct({
  name: 'reversedobject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'index', type: 'i64', meaning: 'the next index, -1 once exhausted' },
    { name: 'seq', type: 'ptr', ctype: 'PyObject *', meaning: 'the sequence; owned, NULL once exhausted' },
  ],
});

/** The count from which en_longindex takes over (PY_SSIZE_T_MAX in CPython; see the opening comment). */
export const ENUM_INDEX_MAX = 2 ** 53;

/** enumobject's fields. */
export const enumFields = {
  enIndex: enumobject.field('en_index'),
  enSit: enumobject.field('en_sit'),
  enResult: enumobject.field('en_result'),
  enLongindex: enumobject.field('en_longindex'),
  one: enumobject.field('one'),
};
/** reversedobject's fields. */
export const reversedFields = {
  index: reversedobject.field('index'),
  seq: reversedobject.field('seq'),
};

/** The enumerate and reversed types. */
export class EnumModule {
  /** PyEnum_Type. */
  readonly enumType: PyTypeObject;
  /** PyReversed_Type. */
  readonly reversedType: PyTypeObject;

  constructor(readonly interp: Interpreter) {
    const rt = interp.rt;
    const e = enumFields;
    this.enumType = registerIterType(rt, { name: 'enumerate', layout: enumobject, owned: [e.enSit, e.enResult, e.enLongindex], baseType: true });
    this.reversedType = registerIterType(rt, { name: 'reversed', layout: reversedobject, owned: [reversedFields.seq], baseType: true });
  }
}
