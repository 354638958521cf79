/*
 * The shape most of CPython's lazy iterators share (enumobject, reversedobject,
 * seqiterobject, calliterobject, filterobject, mapobject, zipobject,
 * listreviterobject): a GC object born tracked (PyType_GenericAlloc /
 * PyObject_GC_New + _PyObject_GC_TRACK) whose pointer fields are owned
 * references or NULL. Its tp_dealloc untracks, releases every owned field
 * (Py_XDECREF) and frees (PyObject_GC_Del); its tp_traverse visits them
 * (Py_VISIT). None has a tp_clear: what an iterator holds breaks any cycle
 * through it when cleared, as in CPython.
 *
 * Invariants: the owned fields are the only references the object holds;
 * each is 0 or a live object.
 */
import type { Field } from '../../struct.js';
import { fillBytes } from '../../allocator/access.js';
import { PYOBJECT_SIZE, type ObjectStruct } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_BASETYPE, Py_TPFLAGS_HAVE_GC, type PyTypeObject } from '../type.js';
import { hashPointer } from './singletons.js';

/** What registerIterType needs: the name, the struct, and the owned pointer fields in visiting order. */
export interface IterTypeSpec {
  readonly name: string;
  readonly layout: ObjectStruct;
  readonly owned: readonly Field[];
  /** Py_TPFLAGS_BASETYPE (enumerate, reversed, filter, map, zip may be subclassed in CPython). */
  readonly baseType?: boolean;
}

/** Registers an iterator type of that shape: dealloc and traverse over its owned fields, object's pointer hash. */
export function registerIterType(rt: Runtime, spec: IterTypeSpec): PyTypeObject {
  const owned = spec.owned;
  return rt.registerType({
    name: spec.name,
    basicsize: spec.layout.size,
    itemsize: 0,
    flags: Py_TPFLAGS_HAVE_GC | (spec.baseType === true ? Py_TPFLAGS_BASETYPE : 0),
    layout: spec.layout,
    dealloc: (r, op) => {
      r.gcUntrack(op);
      for (const f of owned) r.xdecref(f.get(op));
      r.gcDel(op);
    },
    traverse: (_r, op, visit) => {
      for (const f of owned) {
        const v = f.get(op);
        if (v !== 0) {
          const e = visit(v);
          if (e !== 0) return e;
        }
      }
      return 0;
    },
    hash: (_r, op) => hashPointer(op),
  });
}

/** PyType_GenericAlloc for such a type: every field past the header zeroed, then tracked. New reference. */
export function allocIter(rt: Runtime, type: PyTypeObject): number {
  const op = rt.gcNew(type);
  fillBytes(op + PYOBJECT_SIZE, type.basicsize - PYOBJECT_SIZE, 0);
  rt.gcTrack(op);
  return op;
}
