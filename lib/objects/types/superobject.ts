/*
 * super (Objects/typeobject.c, CPython 3.11): what `super()` makes — a
 * proxy that looks attributes up along obj's MRO after a given class.
 *
 * superobject, 40 bytes:
 *    0  16  PyObject        ob_base   the object header
 *   16  8   PyTypeObject *  type      the class super() was called in; owned
 *   24  8   PyObject *      obj       the instance (or class); owned
 *   32  8   PyTypeObject *  obj_type  type(obj), or obj when it is a class; owned
 *
 * Invariants: the three fields hold one reference each.
 */
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, PyObject } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_HAVE_GC, type PyTypeObject, type Visit, visitFields } from '../type.js';
import { hashPointer } from './singletons.js';

/** superobject (3.11). */
export const SuperObject = declareObjectStruct({
  name: 'superobject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'type', type: 'ptr', ctype: 'PyTypeObject *', meaning: 'the class super() was called in; owned' },
    { name: 'obj', type: 'ptr', ctype: 'PyObject *', meaning: 'the instance (or class); owned' },
    { name: 'obj_type', type: 'ptr', ctype: 'PyTypeObject *', meaning: 'type(obj), or obj when it is a class; owned' },
  ],
  size: 40,
});
const sType = SuperObject.field('type');
const sObj = SuperObject.field('obj');
const sObjType = SuperObject.field('obj_type');
const FIELDS = [sType, sObj, sObjType];

/** super objects. */
export class SuperModule {
  /** PySuper_Type. */
  readonly type: PyTypeObject;
  private readonly rt: Runtime;

  constructor(readonly interp: Interpreter) {
    this.rt = interp.rt;
    this.type = this.rt.registerType({
      name: 'super',
      basicsize: SuperObject.size,
      itemsize: 0,
      flags: Py_TPFLAGS_HAVE_GC,
      layout: SuperObject,
      dealloc: (_r, op) => {
        this.rt.gcUntrack(op);
        for (const f of FIELDS) this.rt.xdecref(f.get(op));
        this.rt.gcDel(op);
      },
      traverse: (_r, op, visit: Visit) => {
        return visitFields(op, FIELDS, visit);
      },
      hash: (_r, op) => hashPointer(op),
    });
  }

  /** super(type, obj) once checked: the three borrowed. New reference. */
  new(type: number, obj: number, objType: number): number {
    const op = this.rt.gcNew(this.type);
    for (const [f, v] of [
      [sType, type],
      [sObj, obj],
      [sObjType, objType],
    ] as const) {
      this.rt.incref(v);
      f.set(op, v);
    }
    this.rt.gcTrack(op);
    return op;
  }

  /** Whether op is a super object. */
  check(op: number): boolean {
    return this.rt.typeOrNull(op) === this.type;
  }

  /** The fields (borrowed). */
  fields(op: number): { type: number; obj: number; objType: number } {
    return { type: sType.get(op), obj: sObj.get(op), objType: sObjType.get(op) };
  }
}
