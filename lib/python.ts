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
 * C-API calls CPython's constructors make; a constructor or helper that
 * throws has released every reference it took (the heap is as before).
 * A Python object space uses profile cpython311 unless told otherwise (its
 * object layouts are 3.11's); a bare Heap keeps classic.
 */
import { InvalidArgumentError, PymemError, describe } from './errors.js';
import { Domain, type MemAllocator } from './allocator/domains.js';
import type { MallocStats } from './allocator/stats.js';
import { Interpreter } from './objects/interpreter.js';
import type { RuntimeOptions } from './objects/runtime.js';
import { debugmallocstats, getrefcount, getsizeof } from './objects/sys.js';
import { type PyTypeObject, isGcType, preHeaderBytes } from './objects/type.js';
import { AttributeError, type ClassSpec } from './objects/types/instance.js';
import { KeyError } from './objects/types/dict.js';
import { type GcModule, installGc } from './gc/gcModule.js';
import { fromJS, toJS } from './jsConvert.js';

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

/** What {@link Python.memoryUsage} measures, in bytes. */
export interface MemoryUsage {
  /** The process's resident set size now (VmRSS): everything, this object space being one part. */
  rss: number;
  /** The highest RSS the process reached (VmHWM). */
  peakRss: number;
  /** pymalloc's arenas mapped now: arenas × arena size (what `# arenas allocated current` counts). */
  arenaBytes: number;
  /** Of those, the bytes in blocks in use (`# bytes in allocated blocks`). */
  blockBytes: number;
  /** Bytes of the live blocks handed to the raw allocator (requests of 0 or more than 512 bytes, and item arrays, dict tables …). */
  rawBytes: number;
  /** How many such raw blocks are live. */
  rawBlocks: number;
  /** V8's own heap in use (JavaScript objects: handles, the interpreter's tables), not Python memory. */
  v8HeapUsed: number;
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

  /** sys.getrefcount(obj): ob_refcnt plus the call's own argument (the same as `py.getrefcount(h)`). */
  getrefcount(): number {
    return this.py.getrefcount(this);
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
 * using py = new Python();           // profile cpython311
 * using xs = py.list([1, 2, 3]);
 * xs.sizeof;                         // 80: sys.getsizeof([x, y, z]) (BUILD_LIST 3)
 * py.len(xs);                        // 3
 * ```
 */
export class Python {
  /** The C-API level underneath. */
  readonly interp: Interpreter;

  /** The `gc` module: the cyclic collector on the schedule of `options.gcPolicy` ('3.11' by default, '3.13', '3.14'), installed and enabled as at interpreter start. */
  readonly gc: GcModule;

  /** Bytes of the live blocks pymalloc gave to the raw allocator, by pointer (see memoryUsage). */
  readonly #rawBlocks = new Map<number, number>();
  #rawBytes = 0;

  /** A fresh object space: profile cpython311 unless `options.profile` names another; memory native unless 'fake'. */
  constructor(options: RuntimeOptions = {}) {
    this.interp = new Interpreter({ ...options, profile: options.profile ?? 'cpython311' });
    try {
      this.gc = installGc(this.interp);
      const heap = this.interp.rt.heap;
      heap.setAllocator(Domain.RAW, this.#countingRaw(heap.getAllocator(Domain.RAW)));
    } catch (e) {
      this.interp.dispose();
      throw e;
    }
  }

  /** A RAW-domain allocator over `below` that keeps #rawBytes (a hook, as tracemalloc's, under any hook set later). */
  #countingRaw(below: MemAllocator): MemAllocator {
    const blocks = this.#rawBlocks;
    const add = (p: number, n: number): number => {
      if (p !== 0) {
        blocks.set(p, n);
        this.#rawBytes += n;
      }
      return p;
    };
    const drop = (p: number): void => {
      this.#rawBytes -= blocks.get(p) ?? 0;
      blocks.delete(p);
    };
    return {
      malloc: (n) => add(below.malloc(n), Math.max(n, 1)),
      calloc: (n, e) => add(below.calloc(n, e), Math.max(n * e, 1)),
      realloc: (p, n) => {
        const q = below.realloc(p, n);
        if (q !== 0 && p !== 0) drop(p);
        return add(q, Math.max(n, 1));
      },
      free: (p) => {
        below.free(p);
        if (p !== 0) drop(p);
      },
    };
  }

  /** PyMem_GetAllocator(domain): the allocator the domain uses now. */
  getAllocator(domain: Domain): MemAllocator {
    return this.interp.rt.heap.getAllocator(domain);
  }

  /**
   * PyMem_SetAllocator(domain, allocator): from the next allocation on, every
   * object of this space is allocated through it (wrap what getAllocator
   * returned to make a hook). Takes effect at once.
   */
  setAllocator(domain: Domain, allocator: MemAllocator): void {
    this.interp.rt.heap.setAllocator(domain, allocator);
    this.interp.rt.refreshAllocators();
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

  /** A tuple of exactly these items (PyTuple_New + PyTuple_SET_ITEM, as BUILD_TUPLE). */
  tuple(items: JSValue[]): PyHandle {
    const refs = this.refs(items);
    let t: number;
    try {
      t = this.interp.tuple.new(refs.length);
    } catch (e) {
      for (const r of refs) this.interp.rt.decref(r);
      throw e;
    }
    refs.forEach((r, i) => this.interp.tuple.setItem(t, i, r));
    return this.own(t);
  }
  /**
   * A list of exactly these items: PyList_New(n) + PyList_SET_ITEM, what
   * BUILD_LIST n does for `[x, y, z]` (names or expressions): no
   * over-allocation, so `py.list([1, 2, 3]).sizeof` is 80. (A display of
   * constants only, `[1, 2, 3]`, compiles to BUILD_LIST 0 + LIST_EXTEND of a
   * constant tuple and over-allocates: 88 in CPython.)
   */
  list(items: JSValue[]): PyHandle {
    if (!Array.isArray(items)) throw new InvalidArgumentError(`list takes an array, got ${describe(items)}`);
    return this.from(items);
  }
  /** A dict from a Map or a plain object (PyDict_New + PyDict_SetItem for each entry). */
  dict(entries: Map<JSValue, JSValue> | { [key: string]: JSValue } = {}): PyHandle {
    if (typeof entries !== 'object' || entries === null || Array.isArray(entries) || entries instanceof Set) {
      throw new InvalidArgumentError(`dict takes a Map or a plain object, got ${describe(entries)}`);
    }
    return this.from(entries);
  }
  /** A set (PySet_New + PySet_Add). */
  set(items: Iterable<JSValue> = []): PyHandle {
    return this.from(items instanceof Set ? items : new Set(items));
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

  /** getattr(obj, name) as a new handle (AttributeError when missing), on an instance of a defineClass class. */
  getattr(h: PyHandle, name: string): PyHandle {
    const v = this.interp.instance.getAttr(h.ptr, name);
    if (v === 0) throw new AttributeError(`'${h.type}' object has no attribute '${name}'`);
    return this.borrow(v);
  }

  /** setattr(obj, name, value), on an instance of a defineClass class. */
  setattr(h: PyHandle, name: string, value: JSValue): void {
    const r = this.ref(value);
    try {
      this.interp.instance.setAttr(h.ptr, name, r);
    } finally {
      this.interp.rt.decref(r);
    }
  }

  /** hasattr(obj, name), on an instance of a defineClass class. */
  hasattr(h: PyHandle, name: string): boolean {
    return this.interp.instance.getAttr(h.ptr, name) !== 0;
  }

  /** `a is b`: the two handles hold the same object. */
  is(a: PyHandle, b: PyHandle): boolean {
    return a.ptr === b.ptr;
  }

  /** len(obj) (PyObject_Size): of a str, bytes, bytearray, tuple, list, dict, set, frozenset or range. */
  len(h: PyHandle): number {
    const i = this.interp;
    const p = h.ptr;
    if (i.list.check(p)) return i.list.size(p);
    if (i.tuple.check(p)) return i.tuple.size(p);
    if (i.dict.check(p)) return i.dict.size(p);
    if (i.set.check(p)) return i.set.size(p);
    if (i.str.checkExact(p)) return i.str.length(p);
    if (i.bytes.checkExact(p)) return i.bytes.size(p);
    if (i.bytearray.checkExact(p)) return i.bytearray.size(p);
    if (i.range.check(p)) return i.range.length(p);
    throw new InvalidArgumentError(`object of type '${h.type}' has no len()`);
  }

  /** Index `i` of a sequence of `n` items, negative counting from the end (as PySequence_GetItem adds len). */
  #index(i: JSValue, n: number, what: string): number {
    if (typeof i !== 'number' || !Number.isInteger(i)) throw new InvalidArgumentError(`${what} indices must be integers, got ${describe(i)}`);
    return i < 0 ? i + n : i;
  }

  /**
   * obj[key] as a new handle (PyObject_GetItem): a list, tuple or str with an
   * integer index (negative counts from the end), a dict with any key
   * (KeyError when absent).
   */
  getitem(h: PyHandle, key: JSValue): PyHandle {
    const i = this.interp;
    const p = h.ptr;
    if (i.list.check(p)) return this.borrow(i.list.getItem(p, this.#index(key, i.list.size(p), 'list')));
    if (i.tuple.check(p)) return this.borrow(i.tuple.getItem(p, this.#index(key, i.tuple.size(p), 'tuple')));
    if (i.str.checkExact(p)) {
      const n = i.str.length(p);
      const k = this.#index(key, n, 'string');
      if (k < 0 || k >= n) throw new InvalidArgumentError('string index out of range');
      return this.str(String.fromCodePoint(i.str.readChar(p, k)));
    }
    if (i.dict.check(p)) {
      const k = this.ref(key);
      try {
        const v = i.dict.getItem(p, k);
        if (v === 0) throw new KeyError(`KeyError: ${describe(key)}`);
        return this.borrow(v);
      } finally {
        i.rt.decref(k);
      }
    }
    throw new InvalidArgumentError(`'${h.type}' object is not subscriptable`);
  }

  /** obj[key] = value (PyObject_SetItem): a list with an integer index (negative counts from the end), a dict with any key. */
  setitem(h: PyHandle, key: JSValue, value: JSValue): void {
    const i = this.interp;
    const p = h.ptr;
    if (i.list.check(p)) {
      const k = this.#index(key, i.list.size(p), 'list');
      i.list.setItem(p, k, this.ref(value)); // steals the new reference, even when it throws
      return;
    }
    if (i.dict.check(p)) {
      this.setItem(p, key, value);
      return;
    }
    throw new InvalidArgumentError(`'${h.type}' object does not support item assignment`);
  }

  /** list.append(value) (PyList_Append). */
  append(list: PyHandle, value: JSValue): void {
    const r = this.ref(value);
    try {
      this.interp.list.append(list.ptr, r);
    } finally {
      this.interp.rt.decref(r);
    }
  }

  /**
   * list.extend(items) (list_extend): from a list or tuple handle, or from a
   * JavaScript array (converted first, as the list or tuple Python would
   * pass).
   */
  extend(list: PyHandle, items: PyHandle | JSValue[]): void {
    if (items instanceof PyHandle) {
      this.interp.list.extend(list.ptr, items.ptr);
      return;
    }
    const refs = this.refs(items);
    try {
      this.interp.list.extendFromArray(list.ptr, refs);
    } finally {
      for (const r of refs) this.interp.rt.decref(r);
    }
  }

  /** `seq * n` as a new list (list_repeat: exactly len * n slots). */
  repeat(list: PyHandle, n: number): PyHandle {
    if (!this.interp.list.check(list.ptr)) throw new InvalidArgumentError(`repeat takes a list, got a ${list.type}`);
    return this.own(this.interp.list.repeat(list.ptr, n));
  }

  /**
   * Converts a JavaScript value: null → None, boolean → bool, integer → int,
   * other number → float, string → str, array → list, Set → set, Map or
   * plain object → dict, handle → the same object. Any depth converts, and a
   * cyclic array or Map becomes a cyclic list or dict (jsConvert.ts).
   */
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

  /** A new reference to the object for v (fromJS). */
  private ref(v: JSValue): number {
    return fromJS(this.interp, v, this.#handleRef);
  }

  /** A new reference to a handle's object (undefined for anything else); refuses another space's handle. */
  readonly #handleRef = (v: unknown): number | undefined => {
    if (!(v instanceof PyHandle)) return undefined;
    if (v.py !== this) throw new InvalidArgumentError('a handle of another Python space: objects cannot move between spaces');
    this.interp.rt.incref(v.ptr);
    return v.ptr;
  };

  /** The value of an object as JavaScript (jsConvert.ts: cycles and any depth convert). */
  toJS(p: number): unknown {
    return toJS(this.interp, p);
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

  /** sys._debugmallocstats() as CPython 3.11 prints it, as text: the allocator section, then the free lists (the Heap's formatDebugMallocStats plus the free lists). */
  formatDebugMallocStats(): string {
    return debugmallocstats(this.interp);
  }

  /** The numbers behind the allocator section of sys._debugmallocstats() (Heap.debugMallocStats). */
  debugMallocStats(): MallocStats {
    return this.interp.rt.heap.debugMallocStats();
  }

  /** sys.getallocatedblocks(): pymalloc blocks in use now (objects parked on free lists included, as in CPython). */
  getallocatedblocks(): number {
    return this.debugMallocStats().classes.reduce((n, c) => n + c.blocksInUse, 0);
  }

  /** Where this process's memory is: see {@link MemoryUsage}. */
  memoryUsage(): MemoryUsage {
    const s = this.debugMallocStats();
    const node = process.memoryUsage();
    return {
      rss: node.rss,
      peakRss: process.resourceUsage().maxRSS * 1024,
      arenaBytes: s.arenasAllocatedCurrent * s.arenaSize,
      blockBytes: s.bytesInAllocatedBlocks,
      rawBytes: this.#rawBytes,
      rawBlocks: this.#rawBlocks.size,
      v8HeapUsed: node.heapUsed,
    };
  }

  /** Frees everything and unmaps the heap. */
  dispose(): void {
    this.interp.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
