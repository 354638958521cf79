/*
 * filter, map and zip (Python/bltinmodule.c, CPython 3.11): the lazy
 * iterators of the builtins of those names. Their next() (filter_next,
 * map_next, zip_next) calls back into the evaluation loop
 * (lib/eval/bltinIter.ts); this module owns the layouts and types.
 *
 * Each after its PyGC_Head, tracked from birth (PyType_GenericAlloc):
 *
 * filterobject, 32 bytes:
 *    0  16  PyObject    ob_base  the object header
 *   16  8   PyObject *  func     the predicate (None or bool: the items' truth); owned
 *   24  8   PyObject *  it       the underlying iterator; owned
 *
 * mapobject, 32 bytes:
 *    0  16  PyObject    ob_base  the object header
 *   16  8   PyObject *  iters    a tuple of the underlying iterators; owned
 *   24  8   PyObject *  func     called with one item of each; owned
 *
 * zipobject, 48 bytes:
 *    0  16  PyObject    ob_base    the object header
 *   16  8   Py_ssize_t  tuplesize  the number of iterables
 *   24  8   PyObject *  ittuple    a tuple of their iterators; owned
 *   32  8   PyObject *  result     the result tuple reused while only zip holds it; owned
 *   40  4   int         strict     zip(strict=True): unequal lengths raise ValueError
 *
 * Invariants: every pointer field is set from construction on; the
 * iterators are never released before the object (an exhausted zip or map
 * stays exhausted only as far as its iterators do, as in CPython).
 */
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, PyObject } from '../layout.js';
import type { PyTypeObject } from '../type.js';
import { registerIterType } from './iterContainer.js';

/** filterobject. */
export const filterobject = declareObjectStruct({
  name: 'filterobject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'func', type: 'ptr', ctype: 'PyObject *', meaning: "the predicate (None or bool: the items' truth); owned" },
    { name: 'it', type: 'ptr', ctype: 'PyObject *', meaning: 'the underlying iterator; owned' },
  ],
});
/** mapobject. */
export const mapobject = declareObjectStruct({
  name: 'mapobject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'iters', type: 'ptr', ctype: 'PyObject *', meaning: 'a tuple of the underlying iterators; owned' },
    { name: 'func', type: 'ptr', ctype: 'PyObject *', meaning: 'called with one item of each; owned' },
  ],
});
/** zipobject. */
export const zipobject = declareObjectStruct({
  name: 'zipobject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'tuplesize', type: 'i64', meaning: 'the number of iterables' },
    { name: 'ittuple', type: 'ptr', ctype: 'PyObject *', meaning: 'a tuple of their iterators; owned' },
    { name: 'result', type: 'ptr', ctype: 'PyObject *', meaning: 'the result tuple reused while only zip holds it; owned' },
    { name: 'strict', type: 'i32', meaning: 'zip(strict=True): unequal lengths raise ValueError' },
  ],
});

/** filterobject's fields. */
export const filterFields = { func: filterobject.field('func'), it: filterobject.field('it') };
/** mapobject's fields. */
export const mapFields = { iters: mapobject.field('iters'), func: mapobject.field('func') };
/** zipobject's fields. */
export const zipFields = {
  tuplesize: zipobject.field('tuplesize'),
  ittuple: zipobject.field('ittuple'),
  result: zipobject.field('result'),
  strict: zipobject.field('strict'),
};

/** The filter, map and zip types. */
export class BltinIteratorsModule {
  /** PyFilter_Type. */
  readonly filterType: PyTypeObject;
  /** PyMap_Type. */
  readonly mapType: PyTypeObject;
  /** PyZip_Type. */
  readonly zipType: PyTypeObject;

  constructor(readonly interp: Interpreter) {
    const rt = interp.rt;
    this.filterType = registerIterType(rt, { name: 'filter', layout: filterobject, owned: [filterFields.it, filterFields.func], baseType: true });
    this.mapType = registerIterType(rt, { name: 'map', layout: mapobject, owned: [mapFields.iters, mapFields.func], baseType: true });
    this.zipType = registerIterType(rt, { name: 'zip', layout: zipobject, owned: [zipFields.ittuple, zipFields.result], baseType: true });
  }
}
