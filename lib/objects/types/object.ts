/*
 * object (Objects/typeobject.c, PyBaseObject_Type, CPython 3.11): what
 * `object()` makes — a bare PyObject (layout.ts) in its own
 * PyObject_Malloc block. object is not a GC type, so there is no PyGC_Head
 * before it.
 *
 * Invariants: an object() instance holds no references, so object_dealloc
 * is tp_free (PyObject_Free) alone; it hashes by address (object.__hash__:
 * _Py_HashPointer) and equals only itself (object_richcompare returns
 * NotImplemented for anything but identity).
 */
import { fillBytes } from '../../allocator/access.js';
import type { Interpreter } from '../interpreter.js';
import { PYOBJECT_SIZE } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_BASETYPE, type PyTypeObject } from '../type.js';
import { hashPointer } from './singletons.js';

/** What an object() instance reads back as in JavaScript (toJS). */
export const OBJECT = Symbol.for('pymem.object');

/** object: its type and object(). */
export class ObjectModule {
  /** PyBaseObject_Type. */
  readonly type: PyTypeObject;
  private readonly rt: Runtime;

  constructor(readonly interp: Interpreter) {
    this.rt = interp.rt;
    this.type = this.rt.registerType({
      name: 'object',
      basicsize: PYOBJECT_SIZE,
      itemsize: 0,
      flags: Py_TPFLAGS_BASETYPE,
      // object_dealloc: Py_TYPE(self)->tp_free(self), PyObject_Del.
      dealloc: (r, op) => r.objectDel(op),
      hash: (_r, op) => hashPointer(op),
      toJS: () => OBJECT,
    });
  }

  /**
   * object() — type_call -> object_new: tp_alloc (PyType_GenericAlloc ->
   * _PyType_AllocNoTrack: a zeroed PyObject_Malloc block of tp_basicsize,
   * refcount 1); object_init has nothing to do. New reference.
   */
  new(): number {
    const op = this.rt.objectMalloc(PYOBJECT_SIZE);
    fillBytes(op, PYOBJECT_SIZE, 0);
    return this.rt.initObject(op, this.type);
  }

  /** PyObject_TypeCheck(op, &PyBaseObject_Type) for an exact object() instance. */
  checkExact(op: number): boolean {
    return typeof op === 'number' && op !== 0 && this.rt.typeOrNull(op) === this.type;
  }
}
