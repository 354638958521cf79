/*
 * module (Objects/moduleobject.c, CPython 3.11): what `import` binds and
 * what a script runs in (__main__). A module is its namespace, a real dict
 * (md_dict) that functions defined in it share as func_globals.
 *
 * PyModuleObject, 56 bytes:
 *    0  16  PyObject       ob_base      the object header
 *   16  8   PyObject *     md_dict      the namespace, a dict; owned
 *   24  8   PyModuleDef *  md_def       NULL (no C extension modules here)
 *   32  8   void *         md_state     NULL
 *   40  8   PyObject *     md_weaklist  head of the weakrefs to it; not owned
 *   48  8   PyObject *     md_name      __name__, a str; owned
 *
 * Invariants: md_dict and md_name hold one reference each; module_dealloc
 * untracks, clears the weakrefs, then drops them.
 */
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, PyObject } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_BASETYPE, Py_TPFLAGS_HAVE_GC, type PyTypeObject, type Visit } from '../type.js';
import { hashPointer } from './singletons.js';

/** PyModuleObject (3.11). */
export const PyModuleObject = declareObjectStruct({
  name: 'PyModuleObject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'md_dict', type: 'ptr', ctype: 'PyObject *', meaning: 'the namespace, a dict; owned' },
    { name: 'md_def', type: 'ptr', ctype: 'PyModuleDef *', meaning: 'NULL (no C extension modules here)' },
    { name: 'md_state', type: 'ptr', ctype: 'void *', meaning: 'NULL' },
    { name: 'md_weaklist', type: 'ptr', ctype: 'PyObject *', meaning: 'head of the weakrefs to it; not owned' },
    { name: 'md_name', type: 'ptr', ctype: 'PyObject *', meaning: '__name__, a str; owned' },
  ],
  size: 56,
});
const mdDict = PyModuleObject.field('md_dict');
const mdDef = PyModuleObject.field('md_def');
const mdState = PyModuleObject.field('md_state');
const mdWeaklist = PyModuleObject.field('md_weaklist');
const mdName = PyModuleObject.field('md_name');

/** module objects: their type and PyModule_New. */
export class ModuleObjectModule {
  /** PyModule_Type. */
  readonly type: PyTypeObject;
  private readonly rt: Runtime;

  constructor(readonly interp: Interpreter) {
    this.rt = interp.rt;
    this.type = this.rt.registerType({
      name: 'module',
      basicsize: PyModuleObject.size,
      itemsize: 0,
      flags: Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE,
      layout: PyModuleObject,
      weaklistoffset: mdWeaklist.offset,
      dictoffset: mdDict.offset,
      dealloc: (_r, op) => this.moduleDealloc(op),
      traverse: (_r, op, visit) => this.moduleTraverse(op, visit),
      clear: (_r, op) => this.moduleClear(op),
      hash: (_r, op) => hashPointer(op),
    });
    interp.function.moduleDict = (op) => (this.check(op) ? mdDict.get(op) : 0);
  }

  /** PyModule_Check. */
  check(op: number): boolean {
    return this.rt.typeOrNull(op) === this.type;
  }

  /**
   * PyModule_NewObject(name): a module with a fresh dict holding __name__,
   * __doc__ (None), __package__ (None), __loader__ (None) and __spec__
   * (None), as module_init_dict does. name is borrowed. New reference.
   */
  new(name: number): number {
    const { rt, interp } = this;
    const d = interp.dict.new();
    const none = interp.singletons.None;
    const set = (k: string, v: number): void => {
      const key = interp.str.internFromString(k);
      interp.dict.setItem(d, key, v);
      rt.decref(key);
    };
    set('__name__', name);
    set('__doc__', none);
    set('__package__', none);
    set('__loader__', none);
    set('__spec__', none);
    const op = rt.gcNew(this.type);
    mdDict.set(op, d);
    mdDef.set(op, 0);
    mdState.set(op, 0);
    mdWeaklist.set(op, 0);
    rt.incref(name);
    mdName.set(op, name);
    rt.gcTrack(op);
    return op;
  }

  /** The module's namespace (PyModule_GetDict): borrowed. */
  dict(op: number): number {
    return mdDict.get(op);
  }

  /** The module's __name__ (borrowed). */
  name(op: number): number {
    return mdName.get(op);
  }

  /** module_dealloc. */
  private moduleDealloc(op: number): void {
    const rt = this.rt;
    rt.gcUntrack(op);
    if (mdWeaklist.get(op) !== 0) this.interp.weakref.clearWeakrefs(op);
    rt.xdecref(mdDict.get(op));
    rt.xdecref(mdName.get(op));
    rt.gcDel(op);
  }

  /** module_traverse: md_dict (md_state has no objects here). */
  private moduleTraverse(op: number, visit: Visit): number {
    const d = mdDict.get(op);
    return d !== 0 ? visit(d) : 0;
  }

  /** module_clear: Py_CLEAR(md_dict). */
  private moduleClear(op: number): void {
    const d = mdDict.get(op);
    if (d !== 0) {
      mdDict.set(op, 0);
      this.rt.decref(d);
    }
  }
}
