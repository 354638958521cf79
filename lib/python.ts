/*
 * The JavaScript-facing object API, the top layer: a Python object space
 * (objects and their cyclic collector) you drive from JavaScript with handles. Below it is the C-API level (Interpreter and its
 * modules: pointers, new/borrowed/stolen references); here every value is a
 * PyHandle that owns exactly one reference and gives it back on release() or
 * at the end of a `using` block.
 *
 * Invariants: a live handle's reference is counted in the object's
 * ob_refcnt; a released handle throws ReleasedHandleError on any use (and a
 * second release); conversions from JavaScript build objects with the same
 * C-API calls CPython's constructors make.
 */
import { PymemError } from './errors.js';
import type { MallocStats } from './allocator/stats.js';
import { Interpreter } from './objects/interpreter.js';
import type { RuntimeOptions } from './objects/runtime.js';
import { debugmallocstats, getrefcount, getsizeof } from './objects/sys.js';
import { type PyTypeObject, isGcType, preHeaderBytes } from './objects/type.js';
import { AttributeError, type ClassSpec } from './objects/types/instance.js';
import { type GcModule, installGc } from './gc/gcModule.js';

/** A handle was used (or released) after it was released. */
export class ReleasedHandleError extends PymemError {}

/** A JavaScript value `Python.from` can convert. */
export type JSValue =
  | null
  | undefined
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyHandle
  | JSValue[]
  | Set<JSValue>
  | Map<JSValue, JSValue>
  | { [key: string]: JSValue };

/** Where an object lives: its block in the heap. */
export interface BlockInfo {
  /** The object's pointer (what PyObject* holds). */
  pointer: number;
  /** Real address of the block (arena base + offset, or glibc's address). */
  address: number;
  /** Bytes of the block: its pymalloc class size, or the raw request. */
  blockSize: number;
  /** pymalloc size class, or -1 for a raw (large) block, or -2 for a static object. */
  sizeClass: number;
  /** Ordinal of the arena holding it (pymalloc blocks only). */
  arena?: number;
  /** Offset of the block in its arena. */
  offset?: number;
}

/** One owned reference to a Python object. */
export class PyHandle {
  #ptr: number;

  constructor(
    /** The object space the object lives in. */
    readonly py: Python,
    ptr: number,
  ) {
    this.#ptr = ptr;
  }

  /** The object's pointer (the handle keeps it alive). */
  get ptr(): number {
    if (this.#ptr === 0) throw new ReleasedHandleError('this handle was released');
    return this.#ptr;
  }

  /** Whether release() was called. */
  get released(): boolean {
    return this.#ptr === 0;
  }

  /** The object's type name (tp_name). */
  get type(): string {
    return this.py.interp.rt.typeOf(this.ptr).name;
  }

  /** ob_refcnt, this handle's reference included. */
  get refcnt(): number {
    return this.py.interp.rt.refcnt(this.ptr);
  }

  /** sys.getrefcount(obj): ob_refcnt plus the call's own argument. */
  get getrefcount(): number {
    return this.py.interp.getrefcount(this.ptr);
  }

  /** sys.getsizeof(obj). */
  get sizeof(): number {
    return this.py.interp.getsizeof(this.ptr);
  }

  /** The value as JavaScript (ints as number or bigint, list as array, dict as Map …). */
  toJS(): unknown {
    return this.py.toJS(this.ptr);
  }

  /** Where the object's block lives in the heap. */
  block(): BlockInfo {
    return this.py.blockOf(this.ptr);
  }

  /** A second handle to the same object (Py_NewRef). */
  dup(): PyHandle {
    this.py.interp.rt.incref(this.ptr);
    return new PyHandle(this.py, this.#ptr);
  }

  /** Gives the reference back (Py_DECREF); the object is freed when it was the last. */
  release(): void {
    const p = this.ptr;
    this.#ptr = 0;
    this.py.interp.rt.decref(p);
  }

  /** Hands the reference over to C-API code (the handle is released without a decref). */
  steal(): number {
    const p = this.ptr;
    this.#ptr = 0;
    return p;
  }

  [Symbol.dispose](): void {
    if (this.#ptr !== 0) this.release();
  }
}

/**
 * A Python object space in real memory, for JavaScript: build objects,
 * watch their refcounts and sizes, see their blocks.
 *
 * @example
 * ```ts
 * using py = new Python({ profile: 'cpython311' });
 * using xs = py.list([1, 2, 3]);
 * xs.sizeof;   // 88, as sys.getsizeof([1, 2, 3]) in CPython 3.11
 * ```
 */
export class Python {
  /** The C-API level underneath. */
  readonly interp: Interpreter;

  /** The `gc` module: the cyclic collector on the schedule of `options.gcPolicy` ('3.11' by default, '3.13', '3.14'), installed and enabled as at interpreter start. */
  readonly gc: GcModule;

  constructor(options: RuntimeOptions = {}) {
    this.interp = new Interpreter(options);
    this.gc = installGc(this.interp);
  }

  /** Wraps a new reference in a handle. */
  own(ptr: number): PyHandle {
    return new PyHandle(this, ptr);
  }

  /** Wraps a borrowed reference (increfs it). */
  borrow(ptr: number): PyHandle {
    this.interp.rt.incref(ptr);
    return new PyHandle(this, ptr);
  }

  /** None. */
  get None(): PyHandle {
    return this.borrow(this.interp.singletons.None);
  }
  /** True. */
  get True(): PyHandle {
    return this.borrow(this.interp.long.True);
  }
  /** False. */
  get False(): PyHandle {
    return this.borrow(this.interp.long.False);
  }

  /** An int (PyLong_FromLong / from a bigint). */
  int(v: number | bigint): PyHandle {
    return this.own(typeof v === 'bigint' ? this.interp.long.fromBigInt(v) : this.interp.long.fromNumber(v));
  }
  /** A float (PyFloat_FromDouble). */
  float(v: number): PyHandle {
    return this.own(this.interp.float.fromNumber(v));
  }
  /** A complex. */
  complex(real: number, imag: number): PyHandle {
    return this.own(this.interp.complex.fromParts(real, imag));
  }
  /** A str (PyUnicode_FromString). */
  str(s: string): PyHandle {
    return this.own(this.interp.str.fromString(s));
  }
  /** sys.intern(s). */
  intern(s: string): PyHandle {
    return this.own(this.interp.str.internFromString(s));
  }
  /** A bytes object. */
  bytes(b: Uint8Array): PyHandle {
    return this.own(this.interp.bytes.fromBytes(b));
  }
  /** A bytearray. */
  bytearray(b: Uint8Array): PyHandle {
    return this.own(this.interp.bytearray.fromBytes(b));
  }
  /** New references to the objects for `items`; none leak if one conversion throws. */
  private refs(items: Iterable<JSValue>): number[] {
    const out: number[] = [];
    try {
      for (const v of items) out.push(this.ref(v));
    } catch (e) {
      for (const r of out) this.interp.rt.decref(r);
      throw e;
    }
    return out;
  }

  /** A tuple of exactly these items (PyTuple_New + PyTuple_SET_ITEM). */
  tuple(items: JSValue[]): PyHandle {
    const refs = this.refs(items);
    const t = this.interp.tuple.new(refs.length);
    refs.forEach((r, i) => this.interp.tuple.setItem(t, i, r));
    return this.own(t);
  }
  /** A list of exactly these items (PyList_New(n) + PyList_SET_ITEM: no over-allocation, as [x, y, z]). */
  list(items: JSValue[]): PyHandle {
    const refs = this.refs(items);
    const l = this.interp.list.new(refs.length);
    refs.forEach((r, i) => this.interp.list.setItem(l, i, r));
    return this.own(l);
  }
  /** A dict from a Map or a plain object (PyDict_New + PyDict_SetItem for each entry). */
  dict(entries: Map<JSValue, JSValue> | { [key: string]: JSValue } = {}): PyHandle {
    const d = this.interp.dict.new();
    const pairs = entries instanceof Map ? [...entries] : Object.entries(entries);
    try {
      for (const [k, v] of pairs) this.setItem(d, k, v);
    } catch (e) {
      this.interp.rt.decref(d);
      throw e;
    }
    return this.own(d);
  }
  /** A set (PySet_New + PySet_Add). */
  set(items: Iterable<JSValue> = []): PyHandle {
    const refs = this.refs(items);
    const s = this.interp.set.new();
    try {
      for (const r of refs) this.interp.set.add(s, r);
    } catch (e) {
      this.interp.rt.decref(s);
      throw e;
    } finally {
      for (const r of refs) this.interp.rt.decref(r);
    }
    return this.own(s);
  }

  /** Defines a user class (type_new): with a managed __dict__ by default, or __slots__, __weakref__ and a __del__ finalizer. */
  defineClass(spec: ClassSpec): PyTypeObject {
    return this.interp.instance.defineClass(spec);
  }

  /** An instance of a class made with defineClass, with these attributes set (cls(); obj.k = v …). */
  instance(cls: PyTypeObject, attrs: { [name: string]: JSValue } = {}): PyHandle {
    const op = this.interp.instance.new(cls);
    try {
      for (const [k, v] of Object.entries(attrs)) {
        const r = this.ref(v);
        try {
          this.interp.instance.setAttr(op, k, r);
        } finally {
          this.interp.rt.decref(r);
        }
      }
    } catch (e) {
      this.interp.rt.decref(op);
      throw e;
    }
    return this.own(op);
  }

  /** getattr(obj, name) as a new handle (AttributeError when missing). */
  getattr(h: PyHandle, name: string): PyHandle {
    const v = this.interp.instance.getAttr(h.ptr, name);
    if (v === 0) throw new AttributeError(`'${h.type}' object has no attribute '${name}'`);
    return this.borrow(v);
  }

  /** setattr(obj, name, value). */
  setattr(h: PyHandle, name: string, value: JSValue): void {
    const r = this.ref(value);
    try {
      this.interp.instance.setAttr(h.ptr, name, r);
    } finally {
      this.interp.rt.decref(r);
    }
  }

  /** Converts a JavaScript value: null → None, boolean → bool, integer → int, other number → float, string → str, array → list, Set → set, Map or object → dict, handle → the same object. */
  from(v: JSValue): PyHandle {
    return this.own(this.ref(v));
  }

  private setItem(d: number, k: JSValue, v: JSValue): void {
    const kr = this.ref(k);
    try {
      const vr = this.ref(v);
      try {
        this.interp.dict.setItem(d, kr, vr);
      } finally {
        this.interp.rt.decref(vr);
      }
    } finally {
      this.interp.rt.decref(kr);
    }
  }

  /** A new reference to the object for v. */
  private ref(v: JSValue): number {
    const i = this.interp;
    if (v instanceof PyHandle) {
      i.rt.incref(v.ptr);
      return v.ptr;
    }
    if (v === null || v === undefined) return this.newRef(i.singletons.None);
    if (typeof v === 'boolean') return i.long.fromBool(v);
    if (typeof v === 'bigint') return i.long.fromBigInt(v);
    if (typeof v === 'number') return Number.isInteger(v) && !Object.is(v, -0) ? i.long.fromNumber(v) : i.float.fromNumber(v);
    if (typeof v === 'string') return i.str.fromString(v);
    if (v instanceof Uint8Array) return i.bytes.fromBytes(v);
    if (Array.isArray(v)) return this.list(v).steal();
    if (v instanceof Set) return this.set(v).steal();
    if (v instanceof Map) return this.dict(v).steal();
    return this.dict(v).steal();
  }

  private newRef(p: number): number {
    this.interp.rt.incref(p);
    return p;
  }

  /** The value of an object as JavaScript. */
  toJS(p: number): unknown {
    const t = this.interp.rt.typeOf(p);
    if (t.toJS) return t.toJS(this.interp.rt, p);
    throw new PymemError(`no JavaScript value for a ${t.name} object`);
  }

  /** Where the object at p lives. */
  blockOf(p: number): BlockInfo {
    const rt = this.interp.rt;
    const t = rt.typeOf(p);
    if (rt.isStatic(p)) return { pointer: p, address: rt.heap.addressOf(p - preHeaderBytes(t)), blockSize: 0, sizeClass: -2 };
    const block = p - preHeaderBytes(t);
    const at = rt.heap.pymalloc.arenaOf(block);
    const sizeClass = at ? rt.heap.pymalloc.sizeClassOf(block) : -1;
    return {
      pointer: p,
      address: rt.heap.addressOf(block),
      blockSize: rt.heap.usableSize(block),
      sizeClass,
      ...(at ? { arena: at.arena.ordinal, offset: at.offset } : {}),
    };
  }

  /** Whether the object is a GC container (has a PyGC_Head). */
  isGc(h: PyHandle): boolean {
    return isGcType(this.interp.rt.typeOf(h.ptr));
  }

  /** sys.getsizeof(obj). */
  getsizeof(h: PyHandle): number {
    return getsizeof(this.interp, h.ptr);
  }

  /** sys.getrefcount(obj): the count including the call's own argument (a handle's reference counts as a variable's would). */
  getrefcount(h: PyHandle): number {
    return getrefcount(this.interp, h.ptr);
  }

  /** sys._debugmallocstats() as CPython 3.11 prints it: the allocator section, then the free lists. */
  debugmallocstats(): string {
    return debugmallocstats(this.interp);
  }

  /** The allocator's stats (sys._debugmallocstats, allocator section) as numbers. */
  debugMallocStats(): MallocStats {
    return this.interp.rt.heap.debugMallocStats();
  }

  /** Frees everything and unmaps the heap. */
  dispose(): void {
    this.interp.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
