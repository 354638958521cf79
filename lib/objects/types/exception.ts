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
 * OSError and its subclasses, and StopIteration and its, extend it
 * (Include/cpython/pyerrors.h; OSError_init's and StopIteration_init's
 * fields):
 *
 * PyOSErrorObject, 112 bytes:
 *     0  72  PyBaseExceptionObject  base       the BaseException fields
 *    72  8   PyObject *             myerrno    errno, or NULL; owned
 *    80  8   PyObject *             strerror   or NULL; owned
 *    88  8   PyObject *             filename   or NULL; owned
 *    96  8   PyObject *             filename2  or NULL; owned
 *   104  8   Py_ssize_t             written    characters_written of a BlockingIOError, -1 otherwise
 *
 * PyStopIterationObject, 80 bytes:
 *    0  72  PyBaseExceptionObject  base   the BaseException fields
 *   72  8   PyObject *             value  the generator's return value (args[0] or None); owned
 *
 * A class deriving from one of them (heap set) adds __weakref__ after
 * the built-in layout it derives from (type_new's add_weak):
 *
 * PyBaseExceptionObject+__weakref__, 80 bytes:
 *    0  72  PyBaseExceptionObject  base      the built-in exception's fields
 *   72  8   PyObject *             weaklist  weakrefs to it (__weakref__); not owned
 *
 * (PyOSErrorObject+__weakref__, 120 bytes, and
 * PyStopIterationObject+__weakref__, 88 bytes, the same way.)
 *
 * Invariants: every object field holds one reference (or NULL);
 * BaseException_dealloc untracks, clears, frees.
 */
import { fillBytes } from '../../allocator/access.js';
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, PyObject } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_BASETYPE, Py_TPFLAGS_HAVE_GC, Py_TPFLAGS_HEAPTYPE, type PyTypeObject, type Visit, visitFields } from '../type.js';
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
/** The instance of a class deriving from an exception class (type_new adds __weakref__ after the base's layout). */
export const HeapExceptionObject = declareObjectStruct({
  name: 'PyBaseExceptionObject+__weakref__',
  fields: [
    { name: 'base', type: PyBaseExceptionObject, meaning: "the built-in exception's fields" },
    { name: 'weaklist', type: 'ptr', ctype: 'PyObject *', meaning: 'weakrefs to it (__weakref__); not owned' },
  ],
  size: 80,
});
/** PyOSErrorObject (Linux: no winerror). */
export const PyOSErrorObject = declareObjectStruct({
  name: 'PyOSErrorObject',
  fields: [
    { name: 'base', type: PyBaseExceptionObject, meaning: 'the BaseException fields' },
    { name: 'myerrno', type: 'ptr', ctype: 'PyObject *', meaning: 'errno, or NULL; owned' },
    { name: 'strerror', type: 'ptr', ctype: 'PyObject *', meaning: 'or NULL; owned' },
    { name: 'filename', type: 'ptr', ctype: 'PyObject *', meaning: 'or NULL; owned' },
    { name: 'filename2', type: 'ptr', ctype: 'PyObject *', meaning: 'or NULL; owned' },
    { name: 'written', type: 'i64', ctype: 'Py_ssize_t', meaning: 'characters_written of a BlockingIOError, -1 otherwise' },
  ],
  size: 112,
});
/** PyStopIterationObject. */
export const PyStopIterationObject = declareObjectStruct({
  name: 'PyStopIterationObject',
  fields: [
    { name: 'base', type: PyBaseExceptionObject, meaning: 'the BaseException fields' },
    { name: 'value', type: 'ptr', ctype: 'PyObject *', meaning: "the generator's return value (args[0] or None); owned" },
  ],
  size: 80,
});
const heapLayout = (base: typeof PyBaseExceptionObject, size: number): typeof HeapExceptionObject =>
  declareObjectStruct({
    name: `${base.name}+__weakref__`,
    fields: [
      { name: 'base', type: base, meaning: "the built-in exception's fields" },
      { name: 'weaklist', type: 'ptr', ctype: 'PyObject *', meaning: 'weakrefs to it (__weakref__); not owned' },
    ],
    size,
  });

/** Which built-in struct an exception class's instances have. */
export type ExceptionLayout = 'BaseException' | 'OSError' | 'StopIteration';
const LAYOUTS: Record<ExceptionLayout, { builtin: typeof PyBaseExceptionObject; heap: typeof HeapExceptionObject }> = {
  BaseException: { builtin: PyBaseExceptionObject, heap: HeapExceptionObject },
  OSError: { builtin: PyOSErrorObject as unknown as typeof PyBaseExceptionObject, heap: heapLayout(PyOSErrorObject as unknown as typeof PyBaseExceptionObject, 120) },
  StopIteration: { builtin: PyStopIterationObject as unknown as typeof PyBaseExceptionObject, heap: heapLayout(PyStopIterationObject as unknown as typeof PyBaseExceptionObject, 88) },
};
const osMyerrno = PyOSErrorObject.field('myerrno');
const osStrerror = PyOSErrorObject.field('strerror');
const osFilename = PyOSErrorObject.field('filename');
const osFilename2 = PyOSErrorObject.field('filename2');
const osWritten = PyOSErrorObject.field('written');
const OS_OWNED = [osMyerrno, osStrerror, osFilename, osFilename2];
const stopValue = PyStopIterationObject.field('value');

/** The object fields of PyOSErrorObject (as OSError_members name them). */
export type OSErrorField = 'errno' | 'strerror' | 'filename' | 'filename2';
const OS_FIELD = { errno: osMyerrno, strerror: osStrerror, filename: osFilename, filename2: osFilename2 };
const exDict = PyBaseExceptionObject.field('dict');
const exArgs = PyBaseExceptionObject.field('args');
const exNotes = PyBaseExceptionObject.field('notes');
const exTraceback = PyBaseExceptionObject.field('traceback');
const exContext = PyBaseExceptionObject.field('context');
const exCause = PyBaseExceptionObject.field('cause');
const exSuppress = PyBaseExceptionObject.field('suppress_context');
const OWNED = [exDict, exArgs, exNotes, exTraceback, exContext, exCause];
const OS_AND_BASE = [...OS_OWNED, ...OWNED];
const STOP_AND_BASE = [stopValue, ...OWNED];

/** The object fields of an exception a program can set. */
export type ExceptionField = 'args' | 'traceback' | 'context' | 'cause' | 'dict';
const FIELD = { args: exArgs, traceback: exTraceback, context: exContext, cause: exCause, dict: exDict };

/** Exception objects: their types and BaseException_new. */
export class ExceptionModule {
  private readonly rt: Runtime;
  /** Each exception class and its layout. */
  private readonly types = new Map<PyTypeObject, ExceptionLayout>();
  /** Called with each exception object as it is deallocated (before its memory is freed): what keeps data beside it forgets it. */
  onDealloc: ((op: number) => void) | null = null;

  constructor(readonly interp: Interpreter) {
    this.rt = interp.rt;
  }

  /**
   * Registers an exception class whose instances have `kind`'s layout
   * (PyBaseExceptionObject, PyOSErrorObject or PyStopIterationObject): a
   * built-in one, or with heap set the class of a `class` statement
   * (Py_TPFLAGS_HEAPTYPE: its dunders are looked up; __weakref__ after the
   * built-in fields).
   */
  newExceptionType(name: string, heap = false, kind: ExceptionLayout = 'BaseException'): PyTypeObject {
    const layout = heap ? LAYOUTS[kind].heap : LAYOUTS[kind].builtin;
    const t = this.rt.registerType({
      name,
      basicsize: layout.size,
      itemsize: 0,
      flags: Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE | (heap ? Py_TPFLAGS_HEAPTYPE : 0),
      layout,
      dictoffset: exDict.offset,
      weaklistoffset: heap ? LAYOUTS[kind].heap.field('weaklist').offset : 0,
      dealloc: (_r, op) => this.exceptionDealloc(op),
      traverse: (_r, op, visit) => this.exceptionTraverse(op, visit),
      clear: (_r, op) => this.exceptionClear(op),
      hash: (_r, op) => hashPointer(op),
    });
    this.types.set(t, kind);
    return t;
  }

  /** Whether op is an exception object. */
  check(op: number): boolean {
    const t = this.rt.typeOrNull(op);
    return t !== null && this.types.has(t);
  }

  /** The layout of an exception class's instances. */
  layoutOf(t: PyTypeObject): ExceptionLayout {
    return this.types.get(t) ?? 'BaseException';
  }

  /**
   * BaseException_new(type, args), then the fields of its layout as
   * OSError_new / StopIteration_init set them from args (a tuple, borrowed).
   * New reference.
   */
  new(type: PyTypeObject, args: number): number {
    const op = this.rt.gcNew(type);
    fillBytes(op + 16, type.basicsize - 16, 0);
    this.rt.xincref(this.rt.heapTypeObject(type));
    this.rt.incref(args);
    exArgs.set(op, args);
    this.initFields(op);
    this.rt.gcTrack(op);
    return op;
  }

  /**
   * The fields beyond BaseException's, from the exception's args as they
   * stand (what was there first released): OSError_init's
   * oserror_parse_args + oserror_init (2 to 5 args: errno, strerror,
   * filename, winerror, filename2; a filename cuts args to the first two;
   * a BlockingIOError's numeric third is characters_written), or
   * StopIteration_init's value (args[0], else None).
   */
  initFields(op: number): void {
    const kind = this.layoutOf(this.rt.typeOf(op));
    if (kind === 'BaseException') return;
    const rt = this.rt;
    const { tuple, singletons } = this.interp;
    const args = exArgs.get(op);
    const items = tuple.items(args);
    if (kind === 'StopIteration') {
      const old = stopValue.get(op);
      const v = items.length > 0 ? items[0]! : singletons.None;
      rt.incref(v);
      stopValue.set(op, v);
      rt.xdecref(old);
      return;
    }
    const old = OS_OWNED.map((f) => f.get(op));
    for (const f of OS_OWNED) f.set(op, 0);
    osWritten.set(op, -1);
    if (items.length >= 2 && items.length <= 5) {
      const [myerrno, strerror, filename, , filename2] = items;
      const None = singletons.None;
      if (filename !== undefined && filename !== None) {
        if (this.rt.typeOf(op).name === 'BlockingIOError' && this.interp.long.check(filename)) {
          osWritten.set(op, this.interp.long.toNumber(filename));
        } else {
          rt.incref(filename);
          osFilename.set(op, filename);
          if (filename2 !== undefined && filename2 !== None) {
            rt.incref(filename2);
            osFilename2.set(op, filename2);
          }
          const sliced = tuple.pack(items.slice(0, 2));
          exArgs.set(op, sliced);
          rt.decref(args);
        }
      }
      rt.incref(myerrno!);
      osMyerrno.set(op, myerrno!);
      rt.incref(strerror!);
      osStrerror.set(op, strerror!);
    }
    for (const v of old) rt.xdecref(v);
  }

  /** A PyOSErrorObject field (borrowed; 0 for NULL). */
  osErrorGet(op: number, f: OSErrorField): number {
    return OS_FIELD[f].get(op);
  }

  /** Sets a PyOSErrorObject field (OSError_members are plain T_OBJECT members): value borrowed, 0 clears. */
  osErrorSet(op: number, f: OSErrorField, value: number): void {
    const field = OS_FIELD[f];
    const old = field.get(op);
    this.rt.xincref(value);
    field.set(op, value);
    this.rt.xdecref(old);
  }

  /** PyOSErrorObject.written (-1: none). */
  osErrorWritten(op: number): number {
    return osWritten.get(op);
  }

  /** PyStopIterationObject.value (borrowed; 0 for NULL). */
  stopIterationValue(op: number): number {
    return stopValue.get(op);
  }

  /** Sets StopIteration's value (a T_OBJECT member): value borrowed, 0 clears. */
  setStopIterationValue(op: number, value: number): void {
    const old = stopValue.get(op);
    this.rt.xincref(value);
    stopValue.set(op, value);
    this.rt.xdecref(old);
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
    // subtype_dealloc of a class: its weakrefs are cleared first.
    const t = this.rt.typeOf(op);
    if (t.weaklistoffset > 0 && LAYOUTS[this.layoutOf(t)].heap.field('weaklist').get(op) !== 0) this.interp.weakref.clearWeakrefs(op);
    this.onDealloc?.(op);
    this.exceptionClear(op);
    const type = this.rt.heapTypeObject(this.rt.typeOf(op));
    this.rt.gcDel(op);
    // subtype_dealloc of an exception class a program made: its reference to the class goes last.
    this.rt.xdecref(type);
  }

  /** BaseException_traverse (OSError_traverse, StopIteration_traverse): their own fields, then dict, args, notes, traceback, context, cause. */
  private exceptionTraverse(op: number, visit: Visit): number {
    // subtype_traverse visits a class's heap type before BaseException_traverse runs.
    const type = this.rt.heapTypeObject(this.rt.typeOf(op));
    if (type !== 0) {
      const r = visit(type);
      if (r !== 0) return r;
    }
    return visitFields(op, this.ownedFields(op), visit);
  }

  /** The owned fields of op's layout: OSError_traverse's and StopIteration_traverse's first, then BaseException's. */
  private ownedFields(op: number): readonly (typeof exArgs)[] {
    const kind = this.layoutOf(this.rt.typeOf(op));
    return kind === 'OSError' ? OS_AND_BASE : kind === 'StopIteration' ? STOP_AND_BASE : OWNED;
  }

  /** BaseException_clear (after OSError_clear's / StopIteration_clear's own fields). */
  private exceptionClear(op: number): void {
    for (const f of this.ownedFields(op)) {
      const v = f.get(op);
      if (v !== 0) {
        f.set(op, 0);
        this.rt.decref(v);
      }
    }
  }
}

