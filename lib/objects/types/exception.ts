/*
 * exceptions (Objects/exceptions.c, CPython 3.11): every exception a
 * program raises is a heap object of its class. The built-in classes of
 * the BaseException hierarchy share PyBaseExceptionObject's layout; each
 * is its own registered type (newExceptionType), so `type(e)` names it.
 *
 * PyBaseExceptionObject, 72 bytes:
 *    0  16  PyObject    ob_base           the object header
 *   16  8   PyObject *  dict              __dict__, NULL until used; owned
 *   24  8   PyObject *  args              a tuple; owned
 *   32  8   PyObject *  notes             __notes__, NULL; owned
 *   40  8   PyObject *  traceback         a traceback object or NULL; owned
 *   48  8   PyObject *  context           __context__ or NULL; owned
 *   56  8   PyObject *  cause             __cause__ or NULL; owned
 *   64  1   char        suppress_context  __suppress_context__
 *
 * Invariants: every object field holds one reference (or NULL);
 * BaseException_dealloc untracks, clears, frees.
 */
import { fillBytes } from '../../allocator/access.js';
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, PyObject } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_BASETYPE, Py_TPFLAGS_HAVE_GC, type PyTypeObject, type Visit } from '../type.js';
import { hashPointer } from './singletons.js';

/** PyBaseExceptionObject (3.11). */
export const PyBaseExceptionObject = declareObjectStruct({
  name: 'PyBaseExceptionObject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'dict', type: 'ptr', ctype: 'PyObject *', meaning: '__dict__, NULL until used; owned' },
    { name: 'args', type: 'ptr', ctype: 'PyObject *', meaning: 'a tuple; owned' },
    { name: 'notes', type: 'ptr', ctype: 'PyObject *', meaning: '__notes__, NULL; owned' },
    { name: 'traceback', type: 'ptr', ctype: 'PyObject *', meaning: 'a traceback object or NULL; owned' },
    { name: 'context', type: 'ptr', ctype: 'PyObject *', meaning: '__context__ or NULL; owned' },
    { name: 'cause', type: 'ptr', ctype: 'PyObject *', meaning: '__cause__ or NULL; owned' },
    { name: 'suppress_context', type: 'u8', ctype: 'char', meaning: '__suppress_context__' },
  ],
  size: 72,
});
const exDict = PyBaseExceptionObject.field('dict');
const exArgs = PyBaseExceptionObject.field('args');
const exNotes = PyBaseExceptionObject.field('notes');
const exTraceback = PyBaseExceptionObject.field('traceback');
const exContext = PyBaseExceptionObject.field('context');
const exCause = PyBaseExceptionObject.field('cause');
const exSuppress = PyBaseExceptionObject.field('suppress_context');
const OWNED = [exDict, exArgs, exNotes, exTraceback, exContext, exCause];

/** The object fields of an exception a program can set. */
export type ExceptionField = 'args' | 'traceback' | 'context' | 'cause' | 'dict';
const FIELD = { args: exArgs, traceback: exTraceback, context: exContext, cause: exCause, dict: exDict };

/** Exception objects: their types and BaseException_new. */
export class ExceptionModule {
  private readonly rt: Runtime;
  private readonly types = new Set<PyTypeObject>();
  /** Called with each exception object as it is deallocated (before its memory is freed): what keeps data beside it forgets it. */
  onDealloc: ((op: number) => void) | null = null;

  constructor(readonly interp: Interpreter) {
    this.rt = interp.rt;
  }

  /** Registers a built-in exception class (its layout is PyBaseExceptionObject's). */
  newExceptionType(name: string): PyTypeObject {
    const t = this.rt.registerType({
      name,
      basicsize: PyBaseExceptionObject.size,
      itemsize: 0,
      flags: Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE,
      layout: PyBaseExceptionObject,
      dictoffset: exDict.offset,
      dealloc: (_r, op) => this.exceptionDealloc(op),
      traverse: (_r, op, visit) => this.exceptionTraverse(op, visit),
      clear: (_r, op) => this.exceptionClear(op),
      hash: (_r, op) => hashPointer(op),
    });
    this.types.add(t);
    return t;
  }

  /** Whether op is an exception object. */
  check(op: number): boolean {
    const t = this.rt.typeOrNull(op);
    return t !== null && this.types.has(t);
  }

  /** BaseException_new(type, args): args (a tuple) is borrowed. New reference. */
  new(type: PyTypeObject, args: number): number {
    const op = this.rt.gcNew(type);
    fillBytes(op + 16, PyBaseExceptionObject.size - 16, 0);
    this.rt.xincref(this.rt.heapTypeObject(type));
    this.rt.incref(args);
    exArgs.set(op, args);
    this.rt.gcTrack(op);
    return op;
  }

  /** A field (borrowed; 0 for NULL). */
  get(op: number, f: ExceptionField): number {
    return FIELD[f].get(op);
  }

  /** Sets a field: value borrowed (0 clears). */
  set(op: number, f: ExceptionField, value: number): void {
    const field = FIELD[f];
    const old = field.get(op);
    this.rt.xincref(value);
    field.set(op, value);
    this.rt.xdecref(old);
  }

  /** __suppress_context__. */
  suppressContext(op: number): boolean {
    return exSuppress.get(op) !== 0;
  }
  setSuppressContext(op: number, v: boolean): void {
    exSuppress.set(op, v ? 1 : 0);
  }

  /** BaseException_dealloc. */
  private exceptionDealloc(op: number): void {
    this.rt.gcUntrack(op);
    this.onDealloc?.(op);
    this.exceptionClear(op);
    const type = this.rt.heapTypeObject(this.rt.typeOf(op));
    this.rt.gcDel(op);
    // subtype_dealloc of an exception class a program made: its reference to the class goes last.
    this.rt.xdecref(type);
  }

  /** BaseException_traverse: dict, args, notes, traceback, context, cause. */
  private exceptionTraverse(op: number, visit: Visit): number {
    // subtype_traverse visits a class's heap type before BaseException_traverse runs.
    const type = this.rt.heapTypeObject(this.rt.typeOf(op));
    if (type !== 0) {
      const r = visit(type);
      if (r !== 0) return r;
    }
    for (const f of OWNED) {
      const v = f.get(op);
      if (v !== 0) {
        const r = visit(v);
        if (r !== 0) return r;
      }
    }
    return 0;
  }

  /** BaseException_clear. */
  private exceptionClear(op: number): void {
    for (const f of OWNED) {
      const v = f.get(op);
      if (v !== 0) {
        f.set(op, 0);
        this.rt.decref(v);
      }
    }
  }
}

