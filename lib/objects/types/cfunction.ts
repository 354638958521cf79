/*
 * Callables implemented by the interpreter rather than by Python code
 * (Objects/methodobject.c and Objects/descrobject.c, CPython 3.11):
 *
 *   builtin_function_or_method  PyCFunctionObject: len, print, a module's
 *                               function, a bound built-in method ([].append)
 *   method_descriptor           PyMethodDescrObject: list.append in the type's dict
 *
 * A PyMethodDef is a JavaScript function here: m_ml / d_method hold its
 * index in this module's table (CPython's pointer to a static PyMethodDef).
 *
 * PyCFunctionObject (declared in weakref.ts, whose callbacks are the same
 * C struct), after its PyGC_Head, tracked: m_ml the index of the method in
 * this module's table, m_self the bound object (a module or an instance) or
 * NULL, m_module NULL; both owned.
 *
 * PyMethodDescrObject, 56 bytes:
 *    0  16  PyObject        ob_base     the object header
 *   16  8   PyTypeObject *  d_type      the type object it belongs to; owned
 *   24  8   PyObject *      d_name      a str; owned
 *   32  8   PyObject *      d_qualname  NULL until asked for; owned
 *   40  8   PyMethodDef *   d_method    index of the method in the table
 *   48  8   vectorcallfunc  vectorcall  0
 *
 * Invariants: a table entry lives as long as the module; object fields
 * hold one reference each.
 */
import { fillBytes } from '../../allocator/access.js';
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, PyObject } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_HAVE_GC, type PyTypeObject, type Visit, visitFields } from '../type.js';
import { hashPointer } from './singletons.js';
import { PyCFunctionObject } from './weakref.js';

const mMl = PyCFunctionObject.field('m_ml');
const mSelf = PyCFunctionObject.field('m_self');
const mModule = PyCFunctionObject.field('m_module');
const mWeakreflist = PyCFunctionObject.field('m_weakreflist');

/** PyMethodDescrObject (3.11). */
export const PyMethodDescrObject = declareObjectStruct({
  name: 'PyMethodDescrObject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'd_type', type: 'ptr', ctype: 'PyTypeObject *', meaning: 'the type object it belongs to; owned' },
    { name: 'd_name', type: 'ptr', ctype: 'PyObject *', meaning: 'a str; owned' },
    { name: 'd_qualname', type: 'ptr', ctype: 'PyObject *', meaning: 'NULL until asked for; owned' },
    { name: 'd_method', type: 'ptr', ctype: 'PyMethodDef *', unchecked: true, meaning: 'index of the method in the table' },
    { name: 'vectorcall', type: 'ptr', ctype: 'vectorcallfunc', unchecked: true, meaning: '0' },
  ],
  size: 56,
});
const dType = PyMethodDescrObject.field('d_type');
const dName = PyMethodDescrObject.field('d_name');
const dQualname = PyMethodDescrObject.field('d_qualname');
const dMethod = PyMethodDescrObject.field('d_method');

/**
 * A PyMethodDef's body: self is m_self (NULL: 0) for a function, the
 * instance for a method; args are borrowed; kwnames a tuple of str or 0.
 * Returns a new reference.
 */
export type CMethod = (self: number, args: readonly number[], kwnames: number) => number;

/** A PyMethodDef: ml_name and ml_meth. */
export interface MethodDef {
  readonly name: string;
  readonly meth: CMethod;
}

/** builtin_function_or_method and method_descriptor. */
export class CFunctionModule {
  /** PyCFunction_Type. */
  readonly type: PyTypeObject;
  /** PyMethodDescr_Type. */
  readonly descrType: PyTypeObject;
  private readonly rt: Runtime;
  private readonly defs: MethodDef[] = [];

  constructor(readonly interp: Interpreter) {
    this.rt = interp.rt;
    this.type = this.rt.registerType({
      name: 'builtin_function_or_method',
      basicsize: PyCFunctionObject.size,
      itemsize: 0,
      flags: Py_TPFLAGS_HAVE_GC,
      layout: PyCFunctionObject,
      weaklistoffset: mWeakreflist.offset,
      dealloc: (_r, op) => this.methDealloc(op),
      traverse: (_r, op, visit) => this.methTraverse(op, visit),
      hash: (_r, op) => hashPointer(op),
    });
    this.descrType = this.rt.registerType({
      name: 'method_descriptor',
      basicsize: PyMethodDescrObject.size,
      itemsize: 0,
      flags: Py_TPFLAGS_HAVE_GC,
      layout: PyMethodDescrObject,
      dealloc: (_r, op) => this.descrDealloc(op),
      traverse: (_r, op, visit) => this.descrTraverse(op, visit),
      hash: (_r, op) => hashPointer(op),
    });
  }

  /** Enters a PyMethodDef; returns its index. */
  define(def: MethodDef): number {
    this.defs.push(def);
    return this.defs.length - 1;
  }

  /** The PyMethodDef of a builtin_function_or_method or a method_descriptor. */
  def(op: number): MethodDef {
    const t = this.rt.typeOf(op);
    return this.defs[t === this.type ? mMl.get(op) : dMethod.get(op)]!;
  }

  /** PyCFunction_NewEx(ml, self, module): self and module borrowed (0: NULL). New reference. */
  newFunction(ml: number, self: number, module: number): number {
    const op = this.rt.gcNew(this.type);
    mMl.set(op, ml);
    this.rt.xincref(self);
    mSelf.set(op, self);
    this.rt.xincref(module);
    mModule.set(op, module);
    mWeakreflist.set(op, 0);
    PyCFunctionObject.field('vectorcall').set(op, 0);
    this.rt.gcTrack(op);
    return op;
  }

  /** m_self (borrowed; 0: NULL). */
  self(op: number): number {
    return mSelf.get(op);
  }

  /** PyDescr_NewMethod(type, ml): typeObj and name borrowed. New reference. */
  newDescr(typeObj: number, name: number, ml: number): number {
    const op = this.rt.gcNew(this.descrType);
    fillBytes(op + 16, PyMethodDescrObject.size - 16, 0);
    this.rt.incref(typeObj);
    dType.set(op, typeObj);
    this.rt.incref(name);
    dName.set(op, name);
    dMethod.set(op, ml);
    this.rt.gcTrack(op);
    return op;
  }

  /** A method descriptor bound to obj: a builtin_function_or_method with m_self obj (method_get). New reference. */
  bind(descr: number, obj: number): number {
    return this.newFunction(dMethod.get(descr), obj, 0);
  }

  /** d_type (borrowed). */
  descrOwner(op: number): number {
    return dType.get(op);
  }

  /** meth_dealloc. */
  private methDealloc(op: number): void {
    this.rt.gcUntrack(op);
    if (mWeakreflist.get(op) !== 0) this.interp.weakref.clearWeakrefs(op);
    this.rt.xdecref(mSelf.get(op));
    this.rt.xdecref(mModule.get(op));
    this.rt.gcDel(op);
  }

  /** meth_traverse: m_self, m_module. */
  private methTraverse(op: number, visit: Visit): number {
    return visitFields(op, [mSelf, mModule], visit);
  }

  /** descr_dealloc. */
  private descrDealloc(op: number): void {
    this.rt.gcUntrack(op);
    this.rt.xdecref(dType.get(op));
    this.rt.xdecref(dName.get(op));
    this.rt.xdecref(dQualname.get(op));
    this.rt.gcDel(op);
  }

  /** descr_traverse: d_type. */
  private descrTraverse(op: number, visit: Visit): number {
    return visit(dType.get(op));
  }
}
