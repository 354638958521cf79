/*
 * function (Objects/funcobject.c, CPython 3.11): what `def` and `lambda`
 * make. Only the object is modelled — its block, its references and its
 * place in the gc — not calling it: there are no code objects or frames
 * here, so func_code is NULL or any object that stands in for the code.
 *
 * PyFunctionObject (Include/cpython/funcobject.h, 3.11): PyObject_HEAD,
 * the eight COMMON_FIELDS(func_) it shares with PyFrameConstructor, then
 * its own; 136 bytes after its PyGC_Head, one PyObject_GC_New block,
 * tracked from birth:
 *
 *   -16  PyGC_Head
 *     0  ob_refcnt
 *     8  ob_type           function
 *    16  func_globals      PyObject*   the module namespace, a dict; owned
 *    24  func_builtins     PyObject*   globals['__builtins__'] or interp->builtins; owned
 *    32  func_name         PyObject*   __name__, a str; owned, never NULL
 *    40  func_qualname     PyObject*   __qualname__, a str; owned, never NULL
 *    48  func_code         PyObject*   __code__; owned (NULL here when no stand-in is given)
 *    56  func_defaults     PyObject*   NULL or a tuple; owned
 *    64  func_kwdefaults   PyObject*   NULL or a dict; owned
 *    72  func_closure      PyObject*   NULL or a tuple of cells; owned
 *    80  func_doc          PyObject*   __doc__, anything (None without a docstring); owned
 *    88  func_dict         PyObject*   __dict__, NULL until first used (tp_dictoffset); owned
 *    96  func_weakreflist  PyObject*   head of the weakrefs to it (tp_weaklistoffset); not owned
 *   104  func_module       PyObject*   globals['__name__'] or NULL; owned
 *   112  func_annotations  PyObject*   NULL (annotations are not modelled); owned
 *   120  vectorcall        vectorcallfunc  NULL: a C function pointer has no meaning here
 *   128  func_version      uint32_t    0: set by the specializer, which is not modelled
 *   132  (padding to 8)
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
import type { Interpreter } from '../interpreter.js';

import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_HAVE_GC, type PyTypeObject, type Visit } from '../type.js';
import { hashPointer } from './singletons.js';

/** Offsets in PyFunctionObject (3.11). */
export const FUNC_GLOBALS = 16;
export const FUNC_BUILTINS = 24;
export const FUNC_NAME = 32;
export const FUNC_QUALNAME = 40;
export const FUNC_CODE = 48;
export const FUNC_DEFAULTS = 56;
export const FUNC_KWDEFAULTS = 64;
export const FUNC_CLOSURE = 72;
export const FUNC_DOC = 80;
export const FUNC_DICT = 88;
export const FUNC_WEAKREFLIST = 96;
export const FUNC_MODULE = 104;
export const FUNC_ANNOTATIONS = 112;
export const FUNC_VECTORCALL = 120;
export const FUNC_VERSION = 128;
/** sizeof(PyFunctionObject) in 3.11: 132 bytes of fields, rounded up to pointer alignment. */
export const SIZEOF_PYFUNCTIONOBJECT = 136;

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
      weaklistoffset: FUNC_WEAKREFLIST,
      dictoffset: FUNC_DICT,
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
    const { name, globals, code = 0, defaults = 0, kwdefaults = 0, closure = 0 } = spec;
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
    if (closure !== 0) {
      if (!this.isObject(closure) || !tuple.check(closure)) throw new InvalidArgumentError(`${fn}: closure must be a tuple or 0, got ${this.describeObject(closure)}`);
      for (const c of tuple.items(closure)) {
        if (!this.interp.cell.check(c)) throw new InvalidArgumentError(`${fn}: closure expected cell, found ${this.describeObject(c)}`);
      }
    }

    const module = dict.getItem(globals, this.identifier('__name__'));
    const builtins = this.builtinsFromGlobals(globals);
    const rt = this.rt;
    const mem = rt.mem;
    const op = rt.gcNew(this.type);
    const fields: ReadonlyArray<readonly [number, number]> = [
      [FUNC_GLOBALS, globals],
      [FUNC_BUILTINS, builtins],
      [FUNC_NAME, name],
      [FUNC_QUALNAME, qualname],
      [FUNC_CODE, code],
      [FUNC_DEFAULTS, defaults],
      [FUNC_KWDEFAULTS, kwdefaults],
      [FUNC_CLOSURE, closure],
      [FUNC_DOC, doc],
      [FUNC_DICT, 0],
      [FUNC_WEAKREFLIST, 0],
      [FUNC_MODULE, module],
      [FUNC_ANNOTATIONS, 0],
      [FUNC_VECTORCALL, 0],
    ];
    for (const [off, o] of fields) {
      rt.xincref(o);
      mem.setF64(op, off, o);
    }
    mem.setU32(op, FUNC_VERSION, 0);
    mem.setU32(op, FUNC_VERSION + 4, 0);
    rt.gcTrack(op);
    return op;
  }

  /** The function's fields (borrowed; 0 for NULL). */
  fields(op: number): FunctionFields {
    this.checkFunction(op, 'function fields');
    const mem = this.rt.mem;
    const at = (off: number): number => mem.f64At(op, off);
    return {
      globals: at(FUNC_GLOBALS),
      builtins: at(FUNC_BUILTINS),
      name: at(FUNC_NAME),
      qualname: at(FUNC_QUALNAME),
      code: at(FUNC_CODE),
      defaults: at(FUNC_DEFAULTS),
      kwdefaults: at(FUNC_KWDEFAULTS),
      closure: at(FUNC_CLOSURE),
      doc: at(FUNC_DOC),
      dict: at(FUNC_DICT),
      weakreflist: at(FUNC_WEAKREFLIST),
      module: at(FUNC_MODULE),
      annotations: at(FUNC_ANNOTATIONS),
    };
  }

  /** f.__dict__ (PyObject_GenericGetDict on tp_dictoffset): an empty dict made on first use. New reference. */
  dictOf(op: number): number {
    this.checkFunction(op, '__dict__');
    return this.interp.dict.genericGetDict(op, 0);
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
    return b !== 0 ? b : this.builtins();
  }

  /** _Py_ID(name): the interned identifier, kept for the interpreter's life. Borrowed. */
  private identifier(name: '__name__' | '__builtins__'): number {
    if (name === '__name__') return this.idName || (this.idName = this.interp.str.internFromString(name));
    return this.idBuiltins || (this.idBuiltins = this.interp.str.internFromString(name));
  }

  /** func_dealloc: untrack, clear the weakrefs to it, func_clear, then the three fields func_clear keeps; PyObject_GC_Del. */
  private funcDealloc(op: number): void {
    const rt = this.rt;
    const mem = rt.mem;
    rt.gcUntrack(op);
    if (mem.f64At(op, FUNC_WEAKREFLIST) !== 0) this.interp.weakref.clearWeakrefs(op);
    this.funcClear(op);
    rt.xdecref(mem.f64At(op, FUNC_CODE));
    rt.decref(mem.f64At(op, FUNC_NAME));
    rt.decref(mem.f64At(op, FUNC_QUALNAME));
    rt.gcDel(op);
  }

  /**
   * func_traverse (3.11.7, whose gc.get_referents(f) lists these in this
   * order): code, globals, builtins, module, defaults, kwdefaults, doc,
   * name, dict, closure, annotations, qualname.
   */
  private funcTraverse(op: number, visit: Visit): number {
    const mem = this.rt.mem;
    for (const off of TRAVERSE_ORDER) {
      const o = mem.f64At(op, off);
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
    const mem = rt.mem;
    mem.setU32(op, FUNC_VERSION, 0);
    for (const off of CLEARED) {
      const o = mem.f64At(op, off);
      if (o !== 0) {
        mem.setF64(op, off, 0);
        rt.decref(o);
      }
    }
    const empty = this.interp.str.empty;
    for (const off of [FUNC_NAME, FUNC_QUALNAME]) {
      const old = mem.f64At(op, off);
      rt.incref(empty);
      mem.setF64(op, off, empty);
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
  FUNC_CODE,
  FUNC_GLOBALS,
  FUNC_BUILTINS,
  FUNC_MODULE,
  FUNC_DEFAULTS,
  FUNC_KWDEFAULTS,
  FUNC_DOC,
  FUNC_NAME,
  FUNC_DICT,
  FUNC_CLOSURE,
  FUNC_ANNOTATIONS,
  FUNC_QUALNAME,
] as const;

/** The fields func_clear sets to NULL, in its order. */
const CLEARED = [
  FUNC_GLOBALS,
  FUNC_BUILTINS,
  FUNC_MODULE,
  FUNC_DEFAULTS,
  FUNC_KWDEFAULTS,
  FUNC_DOC,
  FUNC_DICT,
  FUNC_CLOSURE,
  FUNC_ANNOTATIONS,
] as const;
