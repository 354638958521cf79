/*
 * The interpreter and thread state the evaluation loop runs in
 * (PyInterpreterState and PyThreadState of CPython 3.11, one thread): the
 * object space (an Interpreter over one heap) with the object kinds the
 * loop adds (code, module, type objects, exceptions, built-in callables,
 * bound methods), the gc module, the type objects of every registered type
 * with their MRO, the built-in exception hierarchy, the modules (builtins,
 * sys, gc, __main__), the data stack and the handled-exception state.
 *
 * Invariants: every registered type a program can reach has a type object
 * (ensureTypeObject); `mro[t.id]` lists type ids from t to object;
 * excInfo is an owned reference (0: none being handled).
 */
import type { Interpreter } from '../objects/interpreter.js';
import { CFunctionModule, type CMethod } from '../objects/types/cfunction.js';
import { CodeModule } from '../objects/types/code.js';
import { ExceptionModule } from '../objects/types/exception.js';
import { DataStack } from '../objects/types/frame.js';
import { MethodModule } from '../objects/types/method.js';
import { ModuleObjectModule } from '../objects/types/module.js';
import { GeneratorModule } from '../objects/types/generator.js';
import { FrameObjectModule } from '../objects/types/frameobject.js';
import { TracebackModule } from '../objects/types/traceback.js';
import { AsyncGenModule } from '../objects/types/asyncGen.js';
import { SuperModule } from '../objects/types/superobject.js';
import { DictViewModule } from '../objects/types/dictview.js';
import { EnumModule } from '../objects/types/enumobject.js';
import { IterObjectModule } from '../objects/types/iterobject.js';
import { BltinIteratorsModule } from '../objects/types/bltinIterators.js';
import { ListRevIterModule } from '../objects/types/listreviter.js';
import { ContainerItersModule } from '../objects/types/containerIters.js';
import { TypeObjectModule } from '../objects/types/typeobject.js';
import type { PyTypeObject } from '../objects/type.js';
import { installGc, type GcModule } from '../gc/gcModule.js';
import { declareObjectStruct, PyObject } from '../objects/layout.js';
import { Py_TPFLAGS_HAVE_GC } from '../objects/type.js';
import { DescrObjectModule } from '../objects/types/descrobject.js';
import type { LineEvents } from './lineTracer.js';
import { TypeCache } from './typeCache.js';

/** seqiterobject (Objects/iterobject.c): an iterator over a tuple of the items (a snapshot for str, dict, set). */
const SeqIterObject = declareObjectStruct({
  name: 'seqiterobject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'it_index', type: 'i64', meaning: 'the next index' },
    { name: 'it_seq', type: 'ptr', ctype: 'PyObject *', meaning: 'a tuple of the items; owned, NULL once exhausted' },
  ],
});
const itIndex = SeqIterObject.field('it_index');
const itSeq = SeqIterObject.field('it_seq');

/** The built-in exception classes and their bases (Objects/exceptions.c's hierarchy, the part programs meet). */
export const EXCEPTION_TREE: ReadonlyArray<readonly [string, string | null]> = [
  ['BaseException', null],
  ['SystemExit', 'BaseException'],
  ['KeyboardInterrupt', 'BaseException'],
  ['GeneratorExit', 'BaseException'],
  ['Exception', 'BaseException'],
  ['StopIteration', 'Exception'],
  ['StopAsyncIteration', 'Exception'],
  ['ArithmeticError', 'Exception'],
  ['FloatingPointError', 'ArithmeticError'],
  ['OverflowError', 'ArithmeticError'],
  ['ZeroDivisionError', 'ArithmeticError'],
  ['AssertionError', 'Exception'],
  ['AttributeError', 'Exception'],
  ['BufferError', 'Exception'],
  ['EOFError', 'Exception'],
  ['ImportError', 'Exception'],
  ['ModuleNotFoundError', 'ImportError'],
  ['LookupError', 'Exception'],
  ['IndexError', 'LookupError'],
  ['KeyError', 'LookupError'],
  ['MemoryError', 'Exception'],
  ['NameError', 'Exception'],
  ['UnboundLocalError', 'NameError'],
  ['OSError', 'Exception'],
  ['BlockingIOError', 'OSError'],
  ['ChildProcessError', 'OSError'],
  ['ConnectionError', 'OSError'],
  ['BrokenPipeError', 'ConnectionError'],
  ['ConnectionAbortedError', 'ConnectionError'],
  ['ConnectionRefusedError', 'ConnectionError'],
  ['ConnectionResetError', 'ConnectionError'],
  ['FileExistsError', 'OSError'],
  ['FileNotFoundError', 'OSError'],
  ['InterruptedError', 'OSError'],
  ['IsADirectoryError', 'OSError'],
  ['NotADirectoryError', 'OSError'],
  ['PermissionError', 'OSError'],
  ['ProcessLookupError', 'OSError'],
  ['TimeoutError', 'OSError'],
  ['ReferenceError', 'Exception'],
  ['RuntimeError', 'Exception'],
  ['NotImplementedError', 'RuntimeError'],
  ['RecursionError', 'RuntimeError'],
  ['SyntaxError', 'Exception'],
  ['IndentationError', 'SyntaxError'],
  ['TabError', 'IndentationError'],
  ['SystemError', 'Exception'],
  ['TypeError', 'Exception'],
  ['ValueError', 'Exception'],
  ['UnicodeError', 'ValueError'],
  ['UnicodeDecodeError', 'UnicodeError'],
  ['UnicodeEncodeError', 'UnicodeError'],
  ['UnicodeTranslateError', 'UnicodeError'],
  ['Warning', 'Exception'],
  ['UserWarning', 'Warning'],
  ['DeprecationWarning', 'Warning'],
  ['PendingDeprecationWarning', 'Warning'],
  ['SyntaxWarning', 'Warning'],
  ['RuntimeWarning', 'Warning'],
  ['FutureWarning', 'Warning'],
  ['ImportWarning', 'Warning'],
  ['UnicodeWarning', 'Warning'],
  ['BytesWarning', 'Warning'],
  ['ResourceWarning', 'Warning'],
  ['EncodingWarning', 'Warning'],
];

function notInstalled(): never {
  throw new Error('the builtins are not installed');
}

/** Where print and sys.stdout / sys.stderr write. */
export interface VmIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** One interpreter with one thread, ready to run code. */
export class Vm {
  readonly code: CodeModule;
  readonly module: ModuleObjectModule;
  readonly typeobj: TypeObjectModule;
  readonly exc: ExceptionModule;
  readonly cfunc: CFunctionModule;
  readonly method: MethodModule;
  readonly gen: GeneratorModule;
  /** frame objects (PyFrameObject), made when a traceback or f_back asks for one. */
  readonly frameobj: FrameObjectModule;
  /** traceback objects (PyTracebackObject). */
  readonly traceback: TracebackModule;
  /** async generators' asend / athrow awaitables and wrapped values. */
  readonly asyncGen: AsyncGenModule;
  readonly super: SuperModule;
  readonly dictview: DictViewModule;
  /** enumerate and reversed. */
  readonly enumobj: EnumModule;
  /** iterator (the __getitem__ protocol) and callable_iterator. */
  readonly iterobj: IterObjectModule;
  /** filter, map and zip. */
  readonly bltinIters: BltinIteratorsModule;
  /** list_reverseiterator. */
  readonly listreviter: ListRevIterModule;
  /** The tuple, str, bytes, bytearray, set and dict iterators. */
  readonly containerIters: ContainerItersModule;
  /** tp_iternext of the iterator types bltinIter.ts installs, by type id: the next item (new reference) or 0. */
  readonly tpIternext = new Map<number, (it: number) => number>();
  readonly descr: DescrObjectModule;
  readonly gc: GcModule;
  readonly dataStack: DataStack;
  /** Type ids from each type to object (tp_mro), by type id. */
  readonly mro: number[][] = [];
  /** The built-in exception classes by name. */
  readonly excTypes = new Map<string, PyTypeObject>();
  /** Methods of built-in types, by type id: name -> body (self first). */
  readonly typeMethods = new Map<number, Map<string, CMethod>>();
  /** Class and static methods of built-in types (dict.fromkeys, str.maketrans), by type id: name -> kind and body (a classmethod's self is the class). */
  readonly typeClassMethods = new Map<number, Map<string, { kind: 'classmethod' | 'staticmethod'; meth: CMethod }>>();
  /** The classmethod descriptors of built-in types (bound to the class, not the instance). */
  readonly classMethodDescrs = new Set<number>();
  /** Data attributes of built-in types (tp_getset / tp_members: slice.start, int.real), by type id: name -> getter (a new reference). */
  readonly typeGetsets = new Map<number, Map<string, (self: number) => number>>();
  /** interp->builtins (borrowed from the builtins module). */
  builtins = 0;
  /** sys.modules entries: name -> module object (owned). */
  readonly modules = new Map<string, number>();
  /** tstate->exc_info->exc_value: the exception being handled (owned), 0 for none. */
  excInfo = 0;
  /**
   * Set once finalize has cleared __main__'s globals: CPython collects the
   * module's objects with its globals still in place (finalize_modules), so a
   * __del__ then finds the names pymem's order has removed; its errors are
   * not reported from there on.
   */
  finalizing = false;
  /** sys.getrecursionlimit(). */
  recursionLimit = 1000;
  /** sys.argv. */
  argv: string[] = [''];
  /** sys.flags.dev_mode (`-X dev`, runConfig.ts): the compiler's DeprecationWarnings are shown. */
  devMode = false;
  /** The iterator type over a tuple (tuple_iterator; snapshots for str, dict and set). */
  readonly seqIterType: PyTypeObject;
  /** The type attribute cache and version tags (_PyType_Lookup's method cache). */
  readonly typeCache = new TypeCache();
  /** The ids of the types `class` statements made. */
  readonly classes = new Set<number>();
  /** type_call: cls(*args) (installed by the builtins). New reference. */
  callType: (cls: number, args: readonly number[], kwnames: number) => number = notInstalled;
  /** tp_new of a class (object_new): the instance before __init__. New reference. */
  newInstance: (cls: number, args: readonly number[], kwnames: number) => number = notInstalled;
  /** RAISE_VARARGS's operand made an exception instance (a class is called). New reference. */
  makeException: (v: number) => number = notInstalled;
  /** IMPORT_NAME: the module (new reference). */
  importModule: (name: string) => number = notInstalled;
  /** len(obj). */
  len: (obj: number) => number = notInstalled;
  /** The tracer the loop tells of each instruction and frame exit (`pymem run --lines`), null when none. */
  lineTracer: LineEvents | null = null;

  constructor(
    readonly interp: Interpreter,
    readonly io: VmIO,
  ) {
    this.code = new CodeModule(interp);
    this.module = new ModuleObjectModule(interp);
    this.typeobj = new TypeObjectModule(interp);
    this.exc = new ExceptionModule(interp);
    this.cfunc = new CFunctionModule(interp);
    this.method = new MethodModule(interp);
    this.frameobj = new FrameObjectModule(interp);
    this.traceback = new TracebackModule(interp);
    this.gen = new GeneratorModule(interp, this.frameobj);
    this.asyncGen = new AsyncGenModule(interp);
    this.super = new SuperModule(interp);
    this.dictview = new DictViewModule(interp);
    this.enumobj = new EnumModule(interp);
    this.iterobj = new IterObjectModule(interp);
    this.bltinIters = new BltinIteratorsModule(interp);
    this.listreviter = new ListRevIterModule(interp);
    this.containerIters = new ContainerItersModule(interp);
    this.descr = new DescrObjectModule(interp);
    this.gc = installGc(interp);
    this.dataStack = new DataStack(interp.rt);
    const objectType = interp.object.type;
    this.mro[objectType.id] = [objectType.id];
    for (const [name, base] of EXCEPTION_TREE) {
      const kind = name === 'OSError' || name === 'StopIteration' ? name : base === null ? 'BaseException' : this.exc.layoutOf(this.excTypes.get(base)!);
      const t = this.exc.newExceptionType(name, false, kind);
      this.excTypes.set(name, t);
      this.mro[t.id] = [t.id, ...this.mro[base === null ? objectType.id : this.excTypes.get(base)!.id]!];
    }
    this.seqIterType = interp.rt.registerType({
      name: 'tuple_iterator',
      basicsize: SeqIterObject.size,
      itemsize: 0,
      flags: Py_TPFLAGS_HAVE_GC,
      layout: SeqIterObject,
      dealloc: (rt, op) => {
        rt.gcUntrack(op);
        rt.xdecref(itSeq.get(op));
        rt.gcDel(op);
      },
      traverse: (_rt, op, visit) => (itSeq.get(op) !== 0 ? visit(itSeq.get(op)) : 0),
    });
    this.mro[interp.long.boolType.id] = [interp.long.boolType.id, interp.long.type.id, objectType.id];
  }

  /** A built-in exception class by name. */
  excType(name: string): PyTypeObject {
    return this.excTypes.get(name)!;
  }

  /** The MRO of t (type ids), object alone for a type registered without one. */
  mroOf(t: PyTypeObject): number[] {
    let m = this.mro[t.id];
    if (m === undefined) {
      m = t.id === this.interp.object.type.id ? [t.id] : [t.id, this.interp.object.type.id];
      this.mro[t.id] = m;
    }
    return m;
  }

  /** PyType_IsSubtype(a, b). */
  isSubtype(a: PyTypeObject, b: PyTypeObject): boolean {
    return a === b || this.mroOf(a).includes(b.id);
  }

  /**
   * The type object of t (borrowed), made on first use for a built-in type
   * (a static object: its dict holds the method descriptors of its
   * methods, its bases and MRO are tuples).
   */
  typeObject(t: PyTypeObject): number {
    const existing = this.typeobj.objectOf(t);
    if (existing !== 0) return existing;
    const { interp } = this;
    const dict = interp.dict.new();
    const mro = this.mroOf(t);
    const baseType = mro.length > 1 ? interp.rt.types[mro[1]!]! : null;
    const base = baseType !== null ? this.typeObject(baseType) : 0;
    const bases = baseType !== null ? this.tupleOf([base]) : this.tupleOf([]);
    const op = this.typeobj.newStatic(t, dict, base, bases);
    this.typeobj.setMro(op, this.tupleOf(mro.map((id) => (id === t.id ? op : this.typeObject(interp.rt.types[id]!)))));
    const methods = this.typeMethods.get(t.id);
    if (methods !== undefined) {
      for (const [name, meth] of methods) {
        const key = interp.str.internFromString(name);
        const ml = this.cfunc.define({ name, meth });
        const descr = this.cfunc.newDescr(op, key, ml);
        interp.dict.setItem(dict, key, descr);
        interp.rt.decref(descr);
        interp.rt.decref(key);
      }
    }
    const classMethods = this.typeClassMethods.get(t.id);
    if (classMethods !== undefined) {
      // A classmethod is a method descriptor bound to the class (classmethod_descriptor); a staticmethod a plain builtin.
      for (const [name, { kind, meth }] of classMethods) {
        const key = interp.str.internFromString(name);
        const ml = this.cfunc.define({ name, meth });
        const v = kind === 'classmethod' ? this.cfunc.newDescr(op, key, ml) : this.cfunc.newFunction(ml, 0, 0);
        if (kind === 'classmethod') this.classMethodDescrs.add(v);
        interp.dict.setItem(dict, key, v);
        interp.rt.decref(v);
        interp.rt.decref(key);
      }
    }
    return op;
  }

  /** An iterator over the given borrowed items (over a tuple holding them). New reference. */
  newSeqIter(items: readonly number[]): number {
    const seq = this.tupleOf(items);
    const rt = this.interp.rt;
    const it = rt.gcNew(this.seqIterType);
    itIndex.set(it, 0);
    itSeq.set(it, seq);
    rt.gcTrack(it);
    return it;
  }

  /** tupleiter_next: the next item (new reference), or 0 when exhausted (the tuple let go). */
  seqIterNext(it: number): number {
    const seq = itSeq.get(it);
    if (seq === 0) return 0;
    const i = itIndex.get(it);
    const { tuple, rt } = this.interp;
    if (i < tuple.size(seq)) {
      itIndex.set(it, i + 1);
      const v = tuple.getItem(seq, i);
      rt.incref(v);
      return v;
    }
    itSeq.set(it, 0);
    rt.decref(seq);
    return 0;
  }

  /** A tuple of the given borrowed items. New reference. */
  tupleOf(items: readonly number[]): number {
    return this.interp.tuple.pack(items);
  }
}
