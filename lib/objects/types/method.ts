/*
 * method (Objects/classobject.c, CPython 3.11): a Python function bound to
 * an instance, what `obj.f` gives when f is a function in the class.
 *
 * PyMethodObject, 48 bytes:
 *    0  16  PyObject        ob_base         the object header
 *   16  8   PyObject *      im_func         the function; owned
 *   24  8   PyObject *      im_self         the instance; owned
 *   32  8   PyObject *      im_weakreflist  weakrefs; not owned
 *   40  8   vectorcallfunc  vectorcall      0
 *
 * Invariants: im_func and im_self are never NULL and hold one reference each.
 */
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, PyObject } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_HAVE_GC, type PyTypeObject, type Visit } from '../type.js';

/** PyMethodObject (3.11). */
export const PyMethodObject = declareObjectStruct({
  name: 'PyMethodObject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'im_func', type: 'ptr', ctype: 'PyObject *', meaning: 'the function; owned' },
    { name: 'im_self', type: 'ptr', ctype: 'PyObject *', meaning: 'the instance; owned' },
    { name: 'im_weakreflist', type: 'ptr', ctype: 'PyObject *', meaning: 'weakrefs; not owned' },
    { name: 'vectorcall', type: 'ptr', ctype: 'vectorcallfunc', unchecked: true, meaning: '0' },
  ],
  size: 48,
});
const imFunc = PyMethodObject.field('im_func');
const imSelf = PyMethodObject.field('im_self');
const imWeakreflist = PyMethodObject.field('im_weakreflist');
const imVectorcall = PyMethodObject.field('vectorcall');

/** Bound methods: their type and PyMethod_New. */
export class MethodModule {
  /** PyMethod_Type. */
  readonly type: PyTypeObject;
  private readonly rt: Runtime;

  constructor(readonly interp: Interpreter) {
    this.rt = interp.rt;
    this.type = this.rt.registerType({
      name: 'method',
      basicsize: PyMethodObject.size,
      itemsize: 0,
      flags: Py_TPFLAGS_HAVE_GC,
      layout: PyMethodObject,
      weaklistoffset: imWeakreflist.offset,
      dealloc: (_r, op) => this.methodDealloc(op),
      traverse: (_r, op, visit) => this.methodTraverse(op, visit),
      hash: (r, op) => (r.typeOf(imSelf.get(op)).hash?.(r, imSelf.get(op)) ?? 0) ^ (r.typeOf(imFunc.get(op)).hash?.(r, imFunc.get(op)) ?? 0),
    });
  }

  /** PyMethod_Check. */
  check(op: number): boolean {
    return this.rt.typeOrNull(op) === this.type;
  }

  /** PyMethod_New(func, self): both borrowed. New reference. */
  new(func: number, self: number): number {
    const op = this.rt.gcNew(this.type);
    this.rt.incref(func);
    imFunc.set(op, func);
    this.rt.incref(self);
    imSelf.set(op, self);
    imWeakreflist.set(op, 0);
    imVectorcall.set(op, 0);
    this.rt.gcTrack(op);
    return op;
  }

  /** im_func, im_self (borrowed). */
  func(op: number): number {
    return imFunc.get(op);
  }
  self(op: number): number {
    return imSelf.get(op);
  }

  /** method_dealloc. */
  private methodDealloc(op: number): void {
    this.rt.gcUntrack(op);
    if (imWeakreflist.get(op) !== 0) this.interp.weakref.clearWeakrefs(op);
    this.rt.decref(imFunc.get(op));
    this.rt.decref(imSelf.get(op));
    this.rt.gcDel(op);
  }

  /** method_traverse: im_func, im_self. */
  private methodTraverse(op: number, visit: Visit): number {
    const r = visit(imFunc.get(op));
    return r !== 0 ? r : visit(imSelf.get(op));
  }
}
