/*
 * dict views (Objects/dictobject.c, CPython 3.11): what d.keys(),
 * d.values() and d.items() return — live views of the dict, each a
 * _PyDictViewObject of its own type (dict_keys, dict_values, dict_items).
 *
 * Each after its PyGC_Head, tracked:
 *
 * _PyDictViewObject, 24 bytes:
 *    0  16  PyObject        ob_base  the object header
 *   16  8   PyDictObject *  dv_dict  the dict; owned
 *
 * Invariant: dv_dict holds one reference to the dict.
 */
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, PyObject } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_HAVE_GC, type PyTypeObject } from '../type.js';

/** _PyDictViewObject (3.11). */
export const PyDictViewObject = declareObjectStruct({
  name: '_PyDictViewObject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'dv_dict', type: 'ptr', ctype: 'PyDictObject *', meaning: 'the dict; owned' },
  ],
  size: 24,
});
const dvDict = PyDictViewObject.field('dv_dict');

/** The kinds of view. */
export type DictViewKind = 'keys' | 'values' | 'items';

/** dict_keys, dict_values, dict_items. */
export class DictViewModule {
  readonly types: Readonly<Record<DictViewKind, PyTypeObject>>;
  private readonly rt: Runtime;

  constructor(readonly interp: Interpreter) {
    const rt = (this.rt = interp.rt);
    const make = (name: string): PyTypeObject =>
      rt.registerType({
        name,
        basicsize: PyDictViewObject.size,
        itemsize: 0,
        flags: Py_TPFLAGS_HAVE_GC,
        layout: PyDictViewObject,
        dealloc: (_r, op) => {
          rt.gcUntrack(op);
          rt.xdecref(dvDict.get(op));
          rt.gcDel(op);
        },
        traverse: (_r, op, visit) => (dvDict.get(op) !== 0 ? visit(dvDict.get(op)) : 0),
      });
    this.types = { keys: make('dict_keys'), values: make('dict_values'), items: make('dict_items') };
  }

  /** _PyDictView_New(dict, type): dict borrowed. New reference. */
  new(dict: number, kind: DictViewKind): number {
    const op = this.rt.gcNew(this.types[kind]);
    this.rt.incref(dict);
    dvDict.set(op, dict);
    this.rt.gcTrack(op);
    return op;
  }

  /** The view's kind, or null when op is no view. */
  kindOf(op: number): DictViewKind | null {
    const t = this.rt.typeOrNull(op);
    for (const k of ['keys', 'values', 'items'] as const) if (this.types[k] === t) return k;
    return null;
  }

  /** dv_dict (borrowed). */
  dict(op: number): number {
    return dvDict.get(op);
  }
}
