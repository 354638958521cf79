/*
 * An interpreter's object space: the runtime (allocation, refcounts, gc
 * lists, trashcan) plus every built-in type's module, constructed in
 * dependency order. Each module owns its PyTypeObject(s), its caches and free
 * lists, and the C-API functions of its type (camelCase names after CPython's:
 * PyList_Append -> interp.list.append).
 *
 * Conventions shared by every module (as in the C API):
 *   - objects are pointers (numbers); 0 is NULL;
 *   - "new reference" results are owned by the caller, "borrowed" ones not;
 *   - functions that "steal" a reference say so in their TSDoc;
 *   - errors are thrown (typed: errors.ts, RefcountError), never returned as NULL.
 *
 * Modules (lib/objects/types/): singletons (None, Ellipsis, NotImplemented),
 * long (int, bool, small-int cache), float, complex, unicode (str, interning),
 * bytes, bytearray, tuple, list, dict, set (set, frozenset), weakref,
 * instance (user classes: managed __dict__, __slots__, __weakref__),
 * object (object()), range (range, range_iterator, longrange_iterator),
 * slice (and its one-slice cache), listiter (list_iterator), cell (closure
 * cells), function (Python functions, without code objects), memoryobject
 * (memoryview and its managed buffer).
 */
import { InvalidArgumentError } from '../errors.js';
import { Runtime, type RuntimeOptions } from './runtime.js';
import { obSize } from './layout.js';
import { preHeaderBytes } from './type.js';
import { Singletons } from './types/singletons.js';
import { LongModule } from './types/long.js';
import { FloatModule } from './types/float.js';
import { ComplexModule } from './types/complex.js';
import { UnicodeModule } from './types/unicode.js';
import { BytesModule } from './types/bytes.js';
import { ByteArrayModule } from './types/bytearray.js';
import { MemoryViewModule } from './types/memoryobject.js';
import { TupleModule } from './types/tuple.js';
import { ListModule } from './types/list.js';
import { DictModule } from './types/dict.js';
import { SharedKeysModule } from './types/sharedKeys.js';
import { SetModule } from './types/set.js';
import { WeakrefModule } from './types/weakref.js';
import { InstanceModule } from './types/instance.js';
import { ObjectModule } from './types/object.js';
import { RangeModule } from './types/range.js';
import { SliceModule } from './types/slice.js';
import { ListIterModule } from './types/listiter.js';
import { CellModule } from './types/cell.js';
import { FunctionModule } from './types/function.js';

/** One interpreter's objects over one heap. */
export class Interpreter {
  readonly rt: Runtime;
  readonly singletons: Singletons;
  readonly long: LongModule;
  readonly float: FloatModule;
  readonly complex: ComplexModule;
  readonly str: UnicodeModule;
  readonly bytes: BytesModule;
  readonly bytearray: ByteArrayModule;
  readonly tuple: TupleModule;
  readonly list: ListModule;
  readonly dict: DictModule;
  readonly sharedKeys: SharedKeysModule;
  readonly set: SetModule;
  readonly weakref: WeakrefModule;
  readonly memoryview: MemoryViewModule;
  readonly instance: InstanceModule;
  readonly object: ObjectModule;
  readonly range: RangeModule;
  readonly slice: SliceModule;
  readonly listiter: ListIterModule;
  readonly cell: CellModule;
  readonly function: FunctionModule;

  constructor(options: RuntimeOptions = {}) {
    this.rt = new Runtime(options);
    this.singletons = new Singletons(this);
    this.long = new LongModule(this);
    this.float = new FloatModule(this);
    this.complex = new ComplexModule(this);
    this.str = new UnicodeModule(this);
    this.bytes = new BytesModule(this);
    this.bytearray = new ByteArrayModule(this);
    this.tuple = new TupleModule(this);
    this.list = new ListModule(this);
    this.dict = new DictModule(this);
    this.sharedKeys = new SharedKeysModule(this);
    this.set = new SetModule(this);
    this.weakref = new WeakrefModule(this);
    this.instance = new InstanceModule(this);
    this.object = new ObjectModule(this);
    this.range = new RangeModule(this);
    this.slice = new SliceModule(this);
    this.listiter = new ListIterModule(this);
    this.cell = new CellModule(this);
    this.function = new FunctionModule(this);
    this.memoryview = new MemoryViewModule(this);
  }

  /** PyObject_Hash: throws TypeError-like InvalidArgumentError for unhashable objects. */
  hash(op: number): number {
    const t = this.rt.typeOf(op);
    if (!t.hash) throw new UnhashableError(`unhashable type: '${t.name}'`);
    return t.hash(this.rt, op);
  }

  /** PyObject_Hash as the exact 64-bit Py_hash_t. */
  hash64(op: number): bigint {
    const t = this.rt.typeOf(op);
    if (t.hash64) return t.hash64(this.rt, op);
    return BigInt(this.hash(op));
  }

  /** PyObject_RichCompareBool(a, b, Py_EQ): identity first, then the type's eq. */
  eq(a: number, b: number): boolean {
    if (a === b) return true;
    const t = this.rt.typeOf(a);
    return t.eq ? t.eq(this.rt, a, b) : false;
  }

  /** object.__sizeof__ (without the PyGC_Head). */
  sizeofObject(op: number): number {
    const t = this.rt.typeOf(op);
    if (t.sizeof) return t.sizeof(this.rt, op);
    const n = t.itemsize !== 0 ? Math.abs(obSize.get(op)) : 0;
    return t.basicsize + n * t.itemsize;
  }

  /** sys.getsizeof (_PySys_GetSizeOf): __sizeof__ plus _PyType_PreHeaderSize (the PyGC_Head and any managed-dict pre-header). */
  getsizeof(op: number): number {
    return this.sizeofObject(op) + preHeaderBytes(this.rt.typeOf(op));
  }

  /** sys.getrefcount: the count including the reference of the call's own argument. */
  getrefcount(op: number): number {
    return this.rt.refcnt(op) + 1;
  }

  /** Frees everything the interpreter holds and unmaps the heap. */
  dispose(): void {
    this.rt.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** An object that cannot be hashed was used as a dict key or set element (Python's TypeError). */
export class UnhashableError extends InvalidArgumentError {}
