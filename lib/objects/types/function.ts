/*
 * function (Objects/funcobject.c, CPython 3.11): what `def` and `lambda`
 * make. Only the object is modelled — its block, its references and its
 * place in the gc — not calling it: there are no code objects or frames
 * here, so func_code is NULL or any object that stands in for the code.
 *
 * PyFunctionObject (Include/cpython/funcobject.h, 3.11): PyObject_HEAD,
 * the eight COMMON_FIELDS(func_) it shares with PyFrameConstructor, then
 * its own, after its PyGC_Head in one PyObject_GC_New block,
 * tracked from birth:
 *
 * PyFunctionObject, 136 bytes:
 *     0  16  PyObject        ob_base               the object header
 *    16  8   PyObject *      func_globals          the module namespace, a dict; owned
 *    24  8   PyObject *      func_builtins         globals['__builtins__'] or interp->builtins; owned
 *    32  8   PyObject *      func_name             __name__, a str; owned, never NULL
 *    40  8   PyObject *      func_qualname         __qualname__, a str; owned, never NULL
 *    48  8   PyObject *      func_code             __code__; owned (NULL here when no stand-in is given)
 *    56  8   PyObject *      func_defaults         NULL or a tuple; owned
 *    64  8   PyObject *      func_kwdefaults       NULL or a dict; owned
 *    72  8   PyObject *      func_closure          NULL or a tuple of cells; owned
 *    80  8   PyObject *      func_doc              __doc__, anything (None without a docstring); owned
 *    88  8   PyObject *      func_dict             __dict__, NULL until first used (tp_dictoffset); owned
 *    96  8   PyObject *      func_weakreflist      head of the weakrefs to it (tp_weaklistoffset); not owned
 *   104  8   PyObject *      func_module           globals['__name__'] or NULL; owned
 *   112  8   PyObject *      func_annotations      NULL, MAKE_FUNCTION's (name, value, ...) tuple, or the dict made of it; owned
 *   120  8   vectorcallfunc  vectorcall            NULL: a C function pointer has no meaning here
 *   128  4   uint32_t        func_version          0: set by the specializer, which is not modelled
 *   132  4   padding         func_version_padding  to pointer alignment (0)
 *
 * Invariants: func_name and func_qualname are never NULL — func_clear
 * replaces them by the empty string instead of clearing them, and leaves
 * func_code alone (gh-91636), so only func_dealloc releases those three;
 * every other non-NULL field but func_weakreflist holds one reference.
 *
 * Builtins: CPython's interpreter has its builtins dict from startup. pymem
 * has no builtins module, so the dict that stands for it is made, empty,
 * the first time a function needs it (globals without '__builtins__'), and
 * is kept until dispose; so are the two identifier strings '__name__' and
 * '__builtins__' (CPython's static _Py_ID strings), interned on first use.
 */
import { InvalidArgumentError, describe } from '../../errors.js';
import { type Field } from '../../struct.js';
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, PyObject } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_HAVE_GC, type PyTypeObject, type Visit } from '../type.js';
import { hashPointer } from './singletons.js';

/** PyFunctionObject (3.11). */
export const PyFunctionObject = declareObjectStruct({
  name: 'PyFunctionObject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'func_globals', type: 'ptr', ctype: 'PyObject *', meaning: 'the module namespace, a dict; owned' },
    { name: 'func_builtins', type: 'ptr', ctype: 'PyObject *', meaning: 'globals[\'__builtins__\'] or interp->builtins; owned' },
    { name: 'func_name', type: 'ptr', ctype: 'PyObject *', meaning: '__name__, a str; owned, never NULL' },
    { name: 'func_qualname', type: 'ptr', ctype: 'PyObject *', meaning: '__qualname__, a str; owned, never NULL' },
    { name: 'func_code', type: 'ptr', ctype: 'PyObject *', meaning: '__code__; owned (NULL here when no stand-in is given)' },
    { name: 'func_defaults', type: 'ptr', ctype: 'PyObject *', meaning: 'NULL or a tuple; owned' },
    { name: 'func_kwdefaults', type: 'ptr', ctype: 'PyObject *', meaning: 'NULL or a dict; owned' },
    { name: 'func_closure', type: 'ptr', ctype: 'PyObject *', meaning: 'NULL or a tuple of cells; owned' },
    { name: 'func_doc', type: 'ptr', ctype: 'PyObject *', meaning: '__doc__, anything (None without a docstring); owned' },
    { name: 'func_dict', type: 'ptr', ctype: 'PyObject *', meaning: '__dict__, NULL until first used (tp_dictoffset); owned' },
    { name: 'func_weakreflist', type: 'ptr', ctype: 'PyObject *', meaning: 'head of the weakrefs to it (tp_weaklistoffset); not owned' },
    { name: 'func_module', type: 'ptr', ctype: 'PyObject *', meaning: 'globals[\'__name__\'] or NULL; owned' },
    { name: 'func_annotations', type: 'ptr', ctype: 'PyObject *', meaning: "NULL, MAKE_FUNCTION's (name, value, ...) tuple, or the dict made of it; owned" },
    { name: 'vectorcall', type: 'ptr', ctype: 'vectorcallfunc', meaning: 'NULL: a C function pointer has no meaning here' },
    { name: 'func_version', type: 'u32', ctype: 'uint32_t', meaning: '0: set by the specializer, which is not modelled' },
    { name: 'func_version_padding', type: 'u32', ctype: 'padding', meaning: 'to pointer alignment (0)' },
  ],
});
const funcGlobals = PyFunctionObject.field('func_globals');
const funcBuiltins = PyFunctionObject.field('func_builtins');
const funcName = PyFunctionObject.field('func_name');
const funcQualname = PyFunctionObject.field('func_qualname');
const funcCode = PyFunctionObject.field('func_code');
const funcDefaults = PyFunctionObject.field('func_defaults');
const funcKwdefaults = PyFunctionObject.field('func_kwdefaults');
const funcClosure = PyFunctionObject.field('func_closure');
const funcDoc = PyFunctionObject.field('func_doc');
const funcDict = PyFunctionObject.field('func_dict');
const funcWeakreflist = PyFunctionObject.field('func_weakreflist');
const funcModule = PyFunctionObject.field('func_module');
const funcAnnotations = PyFunctionObject.field('func_annotations');
const funcVectorcall = PyFunctionObject.field('vectorcall');
const funcVersion = PyFunctionObject.field('func_version');
const funcVersionPadding = PyFunctionObject.field('func_version_padding');
/** sizeof(PyFunctionObject) in 3.11. */
export const SIZEOF_PYFUNCTIONOBJECT = PyFunctionObject.size;

/** What a new function is made of (all borrowed; the function takes its own references). */
export interface FunctionSpec {
  /** __name__ (co_name): a str. */
  name: number;
  /** __qualname__ (co_qualname): a str; default `name`. */
  qualname?: number;
  /** __globals__: the module namespace, a dict. */
  globals: number;
  /** __code__: any object standing in for the code object, or 0 (NULL, the default). */
  code?: number;
  /** __doc__: co_consts[0] when the body starts with a docstring; default None. */
  doc?: number;
  /** __defaults__ (MAKE_FUNCTION 0x01): a tuple, or 0 for none. */
  defaults?: number;
  /** __kwdefaults__ (MAKE_FUNCTION 0x02): a dict, or 0 for none. */
  kwdefaults?: number;
  /** __closure__ (MAKE_FUNCTION 0x08): a tuple of cells, or 0 for none. */
  closure?: number;
  /** func_annotations (MAKE_FUNCTION 0x04): 3.11's flat tuple of names and values, or 0 for none. */
  annotations?: number;
}

/** A function's fields (borrowed; 0 for NULL). */
export interface FunctionFields {
  globals: number;
  builtins: number;
  name: number;
  qualname: number;
  code: number;
  defaults: number;
  kwdefaults: number;
  closure: number;
  doc: number;
  dict: number;
  weakreflist: number;
  module: number;
  annotations: number;
}

/** function: its type, MAKE_FUNCTION, and the fields' accessors. */
export class FunctionModule {
  /** PyFunction_Type. */
  readonly type: PyTypeObject;
  private readonly rt: Runtime;
  /** interp->builtins: the stand-in builtins dict, 0 until a function first needs it. */
  private builtinsDict = 0;
  /** &_Py_ID(__name__), &_Py_ID(__builtins__): 0 until first used. */
  private idName = 0;
  private idBuiltins = 0;

  constructor(readonly interp: Interpreter) {
    this.rt = interp.rt;
    this.type = this.rt.registerType({
      name: 'function',
      basicsize: SIZEOF_PYFUNCTIONOBJECT,
      itemsize: 0,
      flags: Py_TPFLAGS_HAVE_GC,
      layout: PyFunctionObject,
      weaklistoffset: funcWeakreflist.offset,
      dictoffset: funcDict.offset,
      dealloc: (_r, op) => this.funcDealloc(op),
      traverse: (_r, op, visit) => this.funcTraverse(op, visit),
      clear: (_r, op) => this.funcClear(op),
      // object.__hash__, inherited: _Py_HashPointer.
      hash: (_r, op) => hashPointer(op),
    });
  }

  /** PyFunction_Check. */
  check(op: number): boolean {
    return typeof op === 'number' && op !== 0 && Number.isInteger(op) && this.rt.typeOrNull(op) === this.type;
  }

  /**
   * MAKE_FUNCTION: PyFunction_NewWithQualName(code, globals, qualname) —
   * func_module from globals['__name__'], func_builtins from
   * _PyEval_BuiltinsFromGlobals, func_doc None unless given — then the
   * defaults, kwdefaults and closure the opcode's flags ask for.
   * PyObject_GC_New, then tracked. New reference.
   */
  newFunction(spec: FunctionSpec): number {
    const { name, globals, code = 0, defaults = 0, kwdefaults = 0, closure = 0, annotations = 0 } = spec;
    const qualname = spec.qualname ?? name;
    const doc = spec.doc ?? this.interp.singletons.None;
    const { str, dict, tuple } = this.interp;
    const fn = 'PyFunction_New';
    if (!this.isObject(name) || !str.checkExact(name)) throw new InvalidArgumentError(`${fn}: name must be a str, got ${this.describeObject(name)}`);
    if (!this.isObject(qualname) || !str.checkExact(qualname)) throw new InvalidArgumentError(`${fn}: qualname must be a str, got ${this.describeObject(qualname)}`);
    if (!this.isObject(globals) || !dict.check(globals)) throw new InvalidArgumentError(`${fn}: globals must be a dict, got ${this.describeObject(globals)}`);
    if (code !== 0 && !this.isObject(code)) throw new InvalidArgumentError(`${fn}: code must be an object or 0, got ${describe(code)}`);
    if (!this.isObject(doc)) throw new InvalidArgumentError(`${fn}: doc must be an object, got ${describe(doc)}`);
    if (defaults !== 0 && (!this.isObject(defaults) || !tuple.check(defaults))) {
      throw new InvalidArgumentError(`${fn}: defaults must be a tuple or 0, got ${this.describeObject(defaults)}`);
    }
    if (kwdefaults !== 0 && (!this.isObject(kwdefaults) || !dict.check(kwdefaults))) {
      throw new InvalidArgumentError(`${fn}: kwdefaults must be a dict or 0, got ${this.describeObject(kwdefaults)}`);
    }
    if (annotations !== 0 && (!this.isObject(annotations) || !tuple.check(annotations) || tuple.size(annotations) % 2 !== 0)) {
      throw new InvalidArgumentError(`${fn}: annotations must be a tuple of names and values or 0, got ${this.describeObject(annotations)}`);
    }
    if (closure !== 0) {
      if (!this.isObject(closure) || !tuple.check(closure)) throw new InvalidArgumentError(`${fn}: closure must be a tuple or 0, got ${this.describeObject(closure)}`);
      for (const c of tuple.items(closure)) {
        if (!this.interp.cell.check(c)) throw new InvalidArgumentError(`${fn}: closure expected cell, found ${this.describeObject(c)}`);
      }
    }

    const module = dict.getItem(globals, this.identifier('__name__'));
    const builtins = this.builtinsFromGlobals(globals);
    const rt = this.rt;
    const op = rt.gcNew(this.type);
    const fields: ReadonlyArray<readonly [Field, number]> = [
      [funcGlobals, globals],
      [funcBuiltins, builtins],
      [funcName, name],
      [funcQualname, qualname],
      [funcCode, code],
      [funcDefaults, defaults],
      [funcKwdefaults, kwdefaults],
      [funcClosure, closure],
      [funcDoc, doc],
      [funcDict, 0],
      [funcWeakreflist, 0],
      [funcModule, module],
      [funcAnnotations, annotations],
      [funcVectorcall, 0],
    ];
    for (const [f, o] of fields) {
      rt.xincref(o);
      f.set(op, o);
    }
    funcVersion.set(op, 0);
    funcVersionPadding.set(op, 0);
    rt.gcTrack(op);
    return op;
  }

  /** The function's fields (borrowed; 0 for NULL). */
  fields(op: number): FunctionFields {
    this.checkFunction(op, 'function fields');
    const at = (f: Field): number => f.get(op);
    return {
      globals: at(funcGlobals),
      builtins: at(funcBuiltins),
      name: at(funcName),
      qualname: at(funcQualname),
      code: at(funcCode),
      defaults: at(funcDefaults),
      kwdefaults: at(funcKwdefaults),
      closure: at(funcClosure),
      doc: at(funcDoc),
      dict: at(funcDict),
      weakreflist: at(funcWeakreflist),
      module: at(funcModule),
      annotations: at(funcAnnotations),
    };
  }

  /** f.__dict__ (PyObject_GenericGetDict on tp_dictoffset): an empty dict made on first use. New reference. */
  dictOf(op: number): number {
    this.checkFunction(op, '__dict__');
    return this.interp.sharedKeys.genericGetDict(op, 0);
  }

  /**
   * interp->builtins: the dict functions get as func_builtins when their
   * globals have no '__builtins__' (made, empty, on first use). Borrowed.
   */
  builtins(): number {
    if (this.builtinsDict === 0) this.builtinsDict = this.interp.dict.new();
    return this.builtinsDict;
  }

  // --- internals ----------------------------------------------------------------------------------

  /**
   * _PyEval_BuiltinsFromGlobals: globals['__builtins__'] (a module's dict in
   * CPython; there are no modules here, so whatever object is there), else
   * the interpreter's builtins. Borrowed.
   */
  private builtinsFromGlobals(globals: number): number {
    const b = this.interp.dict.getItem(globals, this.identifier('__builtins__'));
    if (b === 0) return this.builtins();
    const d = this.moduleDict?.(b) ?? 0;
    return d !== 0 ? d : b;
  }

  /** PyModule_GetDict for a module in globals['__builtins__'] (installed by module.ts); 0 for what is no module. */
  moduleDict: ((op: number) => number) | null = null;

  /** _Py_ID(name): the interned identifier, kept for the interpreter's life. Borrowed. */
  private identifier(name: '__name__' | '__builtins__'): number {
    if (name === '__name__') return this.idName || (this.idName = this.interp.str.internFromString(name));
    return this.idBuiltins || (this.idBuiltins = this.interp.str.internFromString(name));
  }

  /** func_dealloc: untrack, clear the weakrefs to it, func_clear, then the three fields func_clear keeps; PyObject_GC_Del. */
  private funcDealloc(op: number): void {
    const rt = this.rt;
    rt.gcUntrack(op);
    if (funcWeakreflist.get(op) !== 0) this.interp.weakref.clearWeakrefs(op);
    this.funcClear(op);
    rt.xdecref(funcCode.get(op));
    rt.decref(funcName.get(op));
    rt.decref(funcQualname.get(op));
    rt.gcDel(op);
  }

  /**
   * func_get_annotation_dict: the __annotations__ dict, made on first use —
   * from MAKE_FUNCTION's tuple of names and values, or empty — and kept in
   * func_annotations. Borrowed.
   */
  annotationsDict(op: number): number {
    this.checkFunction(op, 'func_get_annotations');
    const { dict, tuple } = this.interp;
    const ann = funcAnnotations.get(op);
    if (ann !== 0 && !tuple.check(ann)) return ann;
    const d = dict.new();
    if (ann !== 0) {
      const items = tuple.items(ann);
      for (let i = 0; i < items.length; i += 2) dict.setItem(d, items[i]!, items[i + 1]!);
      this.rt.decref(ann);
    }
    funcAnnotations.set(op, d);
    return d;
  }

  /**
   * func_traverse (3.11.7, whose gc.get_referents(f) lists these in this
   * order): code, globals, builtins, module, defaults, kwdefaults, doc,
   * name, dict, closure, annotations, qualname.
   */
  private funcTraverse(op: number, visit: Visit): number {
    for (const f of TRAVERSE_ORDER) {
      const o = f.get(op);
      if (o !== 0) {
        const r = visit(o);
        if (r !== 0) return r;
      }
    }
    return 0;
  }

  /**
   * func_clear: func_version = 0; Py_CLEAR of globals, builtins, module,
   * defaults, kwdefaults, doc, dict, closure, annotations; func_code is
   * left alone and func_name / func_qualname are replaced by the empty
   * string (Py_SETREF), since the rest of CPython assumes they are set.
   */
  private funcClear(op: number): void {
    const rt = this.rt;
    funcVersion.set(op, 0);
    for (const f of CLEARED) {
      const o = f.get(op);
      if (o !== 0) {
        f.set(op, 0);
        rt.decref(o);
      }
    }
    const empty = this.interp.str.empty;
    for (const f of [funcName, funcQualname]) {
      const old = f.get(op);
      rt.incref(empty);
      f.set(op, empty);
      rt.decref(old);
    }
  }

  private checkFunction(op: number, fn: string): void {
    if (!this.check(op)) throw new InvalidArgumentError(`${fn}: expected a function, got ${this.describeObject(op)}`);
  }

  private isObject(op: unknown): op is number {
    return typeof op === 'number' && Number.isInteger(op) && op > 0;
  }

  private describeObject(op: unknown): string {
    if (!this.isObject(op)) return op === 0 ? 'NULL' : describe(op);
    const t = this.rt.typeOrNull(op);
    return t ? `a ${t.name} object` : `${op} (not an object)`;
  }
}

/** The fields func_traverse visits, in its order. */
const TRAVERSE_ORDER = [
  funcCode,
  funcGlobals,
  funcBuiltins,
  funcModule,
  funcDefaults,
  funcKwdefaults,
  funcDoc,
  funcName,
  funcDict,
  funcClosure,
  funcAnnotations,
  funcQualname,
] as const;

/** The fields func_clear sets to NULL, in its order. */
const CLEARED = [
  funcGlobals,
  funcBuiltins,
  funcModule,
  funcDefaults,
  funcKwdefaults,
  funcDoc,
  funcDict,
  funcClosure,
  funcAnnotations,
] as const;
