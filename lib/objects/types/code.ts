/*
 * code (Objects/codeobject.c, CPython 3.11): PyCodeObject materialised in
 * the heap from the compiler's CodeObject value (lib/frontend/code.ts), as
 * _PyCode_New does from a code constructor's arguments: co_consts a real
 * tuple of real constant objects (nested code objects included), co_names
 * and co_localsplusnames tuples of interned strs, co_localspluskinds,
 * co_linetable and co_exceptiontable bytes, the wordcode copied into
 * co_code_adaptive.
 *
 * PyCodeObject, 184 bytes + the variable part:
 *     0  24   PyVarObject   ob_base                   ob_size: code units
 *    24  8    PyObject *    co_consts                 a tuple; owned
 *    32  8    PyObject *    co_names                  a tuple of str; owned
 *    40  8    PyObject *    co_exceptiontable         bytes; owned
 *    48  4    int           co_flags                  CO_*
 *    52  2    short         co_warmup                 quickening counter (not modelled: 0)
 *    54  2    short         _co_linearray_entry_size  0
 *    56  4    int           co_argcount               positional parameters
 *    60  4    int           co_posonlyargcount        positional-only parameters
 *    64  4    int           co_kwonlyargcount         keyword-only parameters
 *    68  4    int           co_stacksize              deepest value stack
 *    72  4    int           co_firstlineno            first source line
 *    76  4    int           co_nlocalsplus            locals + cells + free variables
 *    80  4    int           co_nlocals                plain locals
 *    84  4    int           co_nplaincellvars         cells that are not arguments
 *    88  4    int           co_ncellvars              cells
 *    92  4    int           co_nfreevars              free variables
 *    96  8    PyObject *    co_localsplusnames        a tuple of str; owned
 *   104  8    PyObject *    co_localspluskinds        bytes; owned
 *   112  8    PyObject *    co_filename               str; owned
 *   120  8    PyObject *    co_name                   str; owned
 *   128  8    PyObject *    co_qualname               str; owned
 *   136  8    PyObject *    co_linetable              bytes; owned
 *   144  8    PyObject *    co_weakreflist            weakrefs; not owned
 *   152  8    PyObject *    _co_code                  NULL (co_code made on demand)
 *   160  8    char *        _co_linearray             NULL
 *   168  4    int           _co_firsttraceable        index of the first traceable unit
 *   176  8    void *        co_extra                  NULL
 *   184  2*n  _Py_CODEUNIT  co_code_adaptive[]        the wordcode
 *
 * The evaluation loop reads a code object's instructions from the
 * CodeObject value it was made from (the same bytes, kept beside it by
 * pointer) rather than from co_code_adaptive: a JavaScript Uint8Array is
 * what V8 reads fastest.
 *
 * Invariants: every object field but co_weakreflist holds one reference;
 * a code object is immutable once made.
 */
import { InvalidArgumentError } from '../../errors.js';
import type { CodeConst, CodeObject } from '../../frontend/code.js';
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, obSize, PyVarObject, roundUpPtr } from '../layout.js';
import type { Runtime } from '../runtime.js';
import type { PyTypeObject } from '../type.js';
import { hashPointer } from './singletons.js';

const int = (name: string, meaning: string) => ({ name, type: 'i32' as const, meaning });
const obj = (name: string, meaning: string) => ({ name, type: 'ptr' as const, ctype: 'PyObject *', meaning });

/** PyCodeObject (3.11). */
export const PyCodeObject = declareObjectStruct({
  name: 'PyCodeObject',
  fields: [
    { name: 'ob_base', type: PyVarObject, meaning: 'ob_size: code units' },
    obj('co_consts', 'a tuple; owned'),
    obj('co_names', 'a tuple of str; owned'),
    obj('co_exceptiontable', 'bytes; owned'),
    int('co_flags', 'CO_*'),
    { name: 'co_warmup', type: 'u16', ctype: 'short', meaning: 'quickening counter (not modelled: 0)' },
    { name: '_co_linearray_entry_size', type: 'u16', ctype: 'short', meaning: '0' },
    int('co_argcount', 'positional parameters'),
    int('co_posonlyargcount', 'positional-only parameters'),
    int('co_kwonlyargcount', 'keyword-only parameters'),
    int('co_stacksize', 'deepest value stack'),
    int('co_firstlineno', 'first source line'),
    int('co_nlocalsplus', 'locals + cells + free variables'),
    int('co_nlocals', 'plain locals'),
    int('co_nplaincellvars', 'cells that are not arguments'),
    int('co_ncellvars', 'cells'),
    int('co_nfreevars', 'free variables'),
    obj('co_localsplusnames', 'a tuple of str; owned'),
    obj('co_localspluskinds', 'bytes; owned'),
    obj('co_filename', 'str; owned'),
    obj('co_name', 'str; owned'),
    obj('co_qualname', 'str; owned'),
    obj('co_linetable', 'bytes; owned'),
    obj('co_weakreflist', 'weakrefs; not owned'),
    obj('_co_code', 'NULL (co_code made on demand)'),
    { name: '_co_linearray', type: 'ptr', ctype: 'char *', meaning: 'NULL' },
    int('_co_firsttraceable', 'index of the first traceable unit'),
    { name: 'co_extra', type: 'ptr', ctype: 'void *', meaning: 'NULL' },
  ],
  tail: { name: 'co_code_adaptive', type: 'u16', ctype: '_Py_CODEUNIT', meaning: 'the wordcode', length: () => 0 },
});

const OWNED = ['co_consts', 'co_names', 'co_exceptiontable', 'co_localsplusnames', 'co_localspluskinds', 'co_filename', 'co_name', 'co_qualname', 'co_linetable'] as const;
const ownedFields = OWNED.map((n) => PyCodeObject.field(n));
const coConsts = PyCodeObject.field('co_consts');
const coNames = PyCodeObject.field('co_names');
const coName = PyCodeObject.field('co_name');
const coQualname = PyCodeObject.field('co_qualname');
const coFilename = PyCodeObject.field('co_filename');
const coLocalsplusnames = PyCodeObject.field('co_localsplusnames');
const coCodeAdaptive = PyCodeObject.array('co_code_adaptive');
const coNlocalsplus = PyCodeObject.field('co_nlocalsplus');
const coStacksize = PyCodeObject.field('co_stacksize');

/** co_nlocalsplus + co_stacksize: the slots a frame of this code holds after its header. */
export function codeFrameSlots(code: number): number {
  return coNlocalsplus.get(code) + coStacksize.get(code);
}

/** The objects made for one compilation's constants, by constCacheKey (borrowed: the code objects hold them). */
export type ConstObjects = Map<unknown, number>;

/**
 * Per compilation (its ConstObjects): the strs whose interning, when
 * intern_string_constants runs, gives back another object — names of the
 * source of two characters or more (the parser interned each identifier, a
 * new object, before compiling; a one-character one is the latin-1 string the
 * constant is too) and strings whose equal was interned when the constant was
 * first made. Only all_name_chars strs are interned there.
 */
const replacedByInterning = new WeakMap<ConstObjects, Set<string>>();

/** all_name_chars (Objects/codeobject.c) of a non-empty text: ASCII letters, digits and '_'. */
export const ALL_NAME_CHARS = /^[A-Za-z0-9_]+$/;

/** Every identifier (of two characters or more) of a code object and the code objects nested in its constants. */
export function identifiersOf(co: CodeObject, out = new Set<string>()): Set<string> {
  for (const n of [co.name, ...co.names, ...co.localsplusnames]) if (n.length > 1 && ALL_NAME_CHARS.test(n)) out.add(n);
  for (const c of co.consts) if (c !== null && typeof c === 'object' && !Array.isArray(c) && c.kind === 'code') identifiersOf(c, out);
  return out;
}

/**
 * The key of a constant among one compilation's objects: a primitive by
 * type and value (-0.0 apart from 0.0), anything else by identity (the
 * compiler merged equal constants into one value).
 */
export function constCacheKey(c: CodeConst): unknown {
  switch (typeof c) {
    case 'number':
      return Object.is(c, -0) ? 'f:-0' : `f:${c}`;
    case 'bigint':
      return `i:${c}`;
    case 'string':
      return `s:${c}`;
    case 'boolean':
      return `b:${c}`;
    default:
      return c;
  }
}

/** code objects: their type and _PyCode_New from a compiled CodeObject. */
export class CodeModule {
  /** PyCode_Type. */
  readonly type: PyTypeObject;
  private readonly rt: Runtime;
  /** The compiled value each live code object was made from. */
  private readonly values = new Map<number, CodeObject>();
  /** Called as a code object is freed (the evaluation loop drops what it decoded of it). */
  onDealloc: ((op: number) => void) | null = null;

  constructor(readonly interp: Interpreter) {
    this.rt = interp.rt;
    this.type = this.rt.registerType({
      name: 'code',
      basicsize: PyCodeObject.size,
      itemsize: 2,
      flags: 0,
      layout: PyCodeObject,
      weaklistoffset: PyCodeObject.offsets.co_weakreflist,
      dealloc: (_r, op) => this.codeDealloc(op),
      hash: (_r, op) => hashPointer(op),
      // code_sizeof: _PyObject_VAR_SIZE, the code units rounded up to a pointer's size.
      sizeof: (_r, op) => roundUpPtr(PyCodeObject.size + 2 * obSize.get(op)),
    });
  }

  /** PyCode_Check. */
  check(op: number): boolean {
    return this.rt.typeOrNull(op) === this.type;
  }

  /** The CodeObject a code object was made from. */
  value(op: number): CodeObject {
    const co = this.values.get(op);
    if (co === undefined) throw new InvalidArgumentError(`${op} is no live code object`);
    return co;
  }

  /** co_consts (borrowed). */
  consts(op: number): number {
    return coConsts.get(op);
  }
  /** co_names (borrowed). */
  names(op: number): number {
    return coNames.get(op);
  }
  /** co_name, co_qualname, co_filename (borrowed). */
  name(op: number): number {
    return coName.get(op);
  }
  qualname(op: number): number {
    return coQualname.get(op);
  }
  filename(op: number): number {
    return coFilename.get(op);
  }
  /** co_localsplusnames (borrowed). */
  localsplusnames(op: number): number {
    return coLocalsplusnames.get(op);
  }

  /**
   * _PyCode_New for a compiled code object (its constants materialised
   * first). `objects` holds what was made for the compilation's constants so
   * far: the code objects of one compilation share each constant (and the
   * filename) as CPython's compiler shares them. New reference.
   */
  fromValue(co: CodeObject, objects: ConstObjects = new Map()): number {
    const { rt, interp } = this;
    const { str, bytes } = interp;
    const made: number[] = [];
    if (!replacedByInterning.has(objects)) replacedByInterning.set(objects, identifiersOf(co));
    try {
      const consts = this.tupleOf(co.consts.map((c) => this.constant(c, objects)));
      made.push(consts);
      const names = this.tupleOf(co.names.map((n) => str.internFromString(n)));
      made.push(names);
      const exc = bytes.fromBytes(co.exceptiontable);
      made.push(exc);
      const lpnames = this.tupleOf(co.localsplusnames.map((n) => str.internFromString(n)));
      made.push(lpnames);
      const kinds = bytes.fromBytes(co.localspluskinds);
      made.push(kinds);
      const filenameKey = `filename:${co.filename}`;
      let filename = objects.get(filenameKey);
      if (filename === undefined) objects.set(filenameKey, (filename = str.fromString(co.filename)));
      else rt.incref(filename);
      made.push(filename);
      const name = str.internFromString(co.name);
      made.push(name);
      const qualname = str.internFromString(co.qualname);
      made.push(qualname);
      const linetable = bytes.fromBytes(co.linetable);
      made.push(linetable);
      const units = co.code.length / 2;
      const op = rt.newVarObject(this.type, units);
      for (let i = 0; i < ownedFields.length; i++) ownedFields[i]!.set(op, made[i]!);
      made.length = 0;
      const kindsArr = co.localspluskinds;
      let nlocals = 0;
      let ncells = 0;
      let nplaincells = 0;
      let nfree = 0;
      for (const k of kindsArr) {
        if (k & 0x20) nlocals++;
        if (k & 0x40) {
          ncells++;
          if (!(k & 0x20)) nplaincells++;
        }
        if (k & 0x80) nfree++;
      }
      const set = (n: Parameters<typeof PyCodeObject.field>[0], v: number): void => PyCodeObject.field(n).set(op, v);
      set('co_flags', co.flags);
      set('co_warmup', 0);
      set('_co_linearray_entry_size', 0);
      set('co_argcount', co.argcount);
      set('co_posonlyargcount', co.posonlyargcount);
      set('co_kwonlyargcount', co.kwonlyargcount);
      set('co_stacksize', co.stacksize);
      set('co_firstlineno', co.firstlineno);
      set('co_nlocalsplus', co.localsplusnames.length);
      set('co_nlocals', nlocals);
      set('co_nplaincellvars', nplaincells);
      set('co_ncellvars', ncells);
      set('co_nfreevars', nfree);
      set('co_weakreflist', 0);
      set('_co_code', 0);
      set('_co_linearray', 0);
      set('_co_firsttraceable', 0);
      set('co_extra', 0);
      for (let i = 0; i < units; i++) coCodeAdaptive.set(op, i, co.code[2 * i]! | (co.code[2 * i + 1]! << 8));
      this.values.set(op, co);
      return op;
    } catch (e) {
      for (const o of made) rt.decref(o);
      throw e;
    }
  }

  /** A constant of co_consts as an object (new reference): the compilation's one object for it. */
  private constant(c: CodeConst, objects: ConstObjects): number {
    if (c !== null && typeof c === 'object' && !Array.isArray(c) && c.kind === 'code') return this.fromValue(c, objects);
    const key = constCacheKey(c);
    const found = objects.get(key);
    if (found !== undefined) {
      this.rt.incref(found);
      return found;
    }
    const op = this.makeConstant(c, objects);
    objects.set(key, op);
    return op;
  }

  /** A new object for a constant (new reference). */
  private makeConstant(c: CodeConst, objects: ConstObjects): number {
    const interp = this.interp;
    const rt = this.rt;
    if (c === null) {
      rt.incref(interp.singletons.None);
      return interp.singletons.None;
    }
    if (typeof c === 'boolean') return interp.long.fromBool(c);
    if (typeof c === 'bigint') return interp.long.fromBigInt(c);
    if (typeof c === 'number') return interp.float.fromNumber(c);
    if (typeof c === 'string') {
      if (ALL_NAME_CHARS.test(c) && interp.str.internWouldReplace(c)) replacedByInterning.get(objects)?.add(c);
      return interp.str.internStringConstant(c);
    }
    if (Array.isArray(c)) return this.tupleOf(c.map((x) => this.constant(x, objects)));
    switch (c.kind) {
      case 'bytes':
        return interp.bytes.fromBytes(c.value);
      case 'complex':
        return interp.complex.fromParts(c.real, c.imag);
      case 'ellipsis':
        rt.incref(interp.singletons.Ellipsis);
        return interp.singletons.Ellipsis;
      case 'frozenset': {
        // PyFrozenSet_New of the items in source order; then made again from its keys in table
        // order by merge_consts_recursive, and once more by intern_string_constants when
        // interning replaced one of its strs.
        const items = c.items.map((x) => this.constant(x, objects));
        let fs: number;
        try {
          fs = interp.set.newFrozen(items);
        } finally {
          for (const i of items) rt.decref(i);
        }
        const replaced = replacedByInterning.get(objects);
        const rebuilds = c.items.some((x) => typeof x === 'string' && replaced?.has(x)) ? 2 : 1;
        for (let i = 0; i < rebuilds; i++) {
          const again = interp.set.newFrozen(interp.set.items(fs));
          rt.decref(fs);
          fs = again;
        }
        return fs;
      }
      case 'code':
        return this.fromValue(c, objects);
    }
    throw new InvalidArgumentError(`unknown constant ${String(c)}`);
  }

  /** A tuple that steals the given new references. */
  private tupleOf(items: number[]): number {
    const t = this.interp.tuple.new(items.length);
    items.forEach((o, i) => this.interp.tuple.setItem(t, i, o));
    return t;
  }

  /** code_dealloc. */
  private codeDealloc(op: number): void {
    this.onDealloc?.(op);
    if (PyCodeObject.field('co_weakreflist').get(op) !== 0) this.interp.weakref.clearWeakrefs(op);
    for (const f of ownedFields) this.rt.xdecref(f.get(op));
    this.values.delete(op);
    this.rt.objectDel(op);
  }
}
