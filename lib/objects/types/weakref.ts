/*
 * weakref.ref (Objects/weakrefobject.c, CPython 3.11), the callables that
 * serve as weakref callbacks (errors they throw go to Runtime.unraisable).
 *
 * PyWeakReference (Include/cpython/weakrefobject.h): 64 bytes after its
 * PyGC_Head, one PyObject_GC_New block, tracked from birth (new_weakref):
 *
 *    0  ob_refcnt
 *    8  ob_type      ReferenceType
 *   16  wr_object    PyObject*          the referent, not counted; Py_None once cleared
 *   24  wr_callback  PyObject*          owned reference, or NULL
 *   32  hash         Py_hash_t          -1 until hash(ref) caches the referent's hash
 *   40  wr_prev      PyWeakReference*   neighbours in the referent's list (not counted)
 *   48  wr_next      PyWeakReference*
 *   56  vectorcall   vectorcallfunc     NULL: a C function pointer has no meaning here
 *
 * The referent's list: a pointer field at its type's tp_weaklistoffset holds
 * the head, the refs are linked through wr_prev / wr_next:
 *
 *   referent                 basic ref           refs with callbacks, newest first
 *   [ .. | weaklist ] ---> [ cb NULL ] <-> [ cb3 ] <-> [ cb2 ] <-> [ cb1 ] -> NULL
 *
 * Invariants: a ref is on its referent's list iff wr_object is not None;
 * the list holds no references and no ref holds one to its referent; at
 * most one ref without a callback (exact ReferenceType, the "basic ref")
 * and it is the head — weakref.ref(o) without a callback returns it again
 * (get_basic_refs / insert_head); refs with callbacks go right after it
 * (insert_after), so callbacks run newest first.
 *
 * Callbacks are Python callables; here the only callables are
 * builtin_function_or_method objects (PyCFunctionObject, 56 bytes + GC head,
 * as CPython's built-in functions) whose C function is a JavaScript function,
 * made by newCallback; a Python function (function.ts) has no code to run,
 * so calling one fails as for any non-callable. A callback that throws is
 * reported through writeUnraisable (PyErr_WriteUnraisable) and the others
 * still run.
 */
import type { Memory } from '../../allocator/memory.js';
import { InvalidArgumentError } from '../../errors.js';
import type { Interpreter } from '../interpreter.js';

import type { Runtime, Unraisable } from '../runtime.js';
import { Py_TPFLAGS_HAVE_GC, type PyTypeObject, type Visit } from '../type.js';
import { clearHashField, readHashField } from './unicode.js';

/** Offsets in PyWeakReference. */
export const WR_OBJECT = 16;
export const WR_CALLBACK = 24;
export const WR_HASH = 32;
export const WR_PREV = 40;
export const WR_NEXT = 48;
export const WR_VECTORCALL = 56;
/** sizeof(PyWeakReference). */
export const SIZEOF_PYWEAKREFERENCE = 64;

/** Offsets in PyCFunctionObject. */
export const M_ML = 16;
export const M_SELF = 24;
export const M_MODULE = 32;
export const M_WEAKREFLIST = 40;
export const M_VECTORCALL = 48;
/** sizeof(PyCFunctionObject). */
export const SIZEOF_PYCFUNCTIONOBJECT = 56;

/** A weakref callback as JavaScript: called with the (dead) weakref, a borrowed reference. */
export type WeakCallback = (ref: number) => void;

/** weakref.ref and its callbacks. */
export class WeakrefModule {
  /** _PyWeakref_RefType. */
  readonly type: PyTypeObject;
  /** PyCFunction_Type: the callables made by newCallback. */
  readonly cfunctionType: PyTypeObject;
  private readonly rt: Runtime;
  private readonly mem: Memory;
  /** The "PyMethodDef"s: the JavaScript body of each live callback object, by the id in its m_ml. */
  private readonly methods = new Map<number, WeakCallback>();
  private nextMethodId = 1;

  constructor(readonly interp: Interpreter) {
    const rt = (this.rt = interp.rt);
    this.mem = rt.mem;
    this.type = rt.registerType({
      name: 'weakref.ReferenceType',
      basicsize: SIZEOF_PYWEAKREFERENCE,
      itemsize: 0,
      flags: Py_TPFLAGS_HAVE_GC,
      dealloc: (_r, op) => this.weakrefDealloc(op),
      traverse: (_r, op, visit) => this.gcTraverse(op, visit),
      clear: (_r, op) => this.clearWeakref(op),
      hash: (_r, op) => this.weakrefHash(op),
      eq: (_r, a, b) => this.weakrefRichcompareEq(a, b),
    });
    this.cfunctionType = rt.registerType({
      name: 'builtin_function_or_method',
      basicsize: SIZEOF_PYCFUNCTIONOBJECT,
      itemsize: 0,
      flags: Py_TPFLAGS_HAVE_GC,
      weaklistoffset: M_WEAKREFLIST,
      // No tp_traverse: m_self and m_module, all meth_traverse visits, are always NULL here.
      dealloc: (_r, op) => this.methDealloc(op),
    });
  }

  // --- weak references ------------------------------------------------------------------------

  /** PyWeakref_Check (there are no subclasses here, so also PyWeakref_CheckRefExact). */
  check(op: number): boolean {
    return typeof op === 'number' && op !== 0 && this.rt.typeOrNull(op) === this.type;
  }

  /** _PyType_SUPPORTS_WEAKREFS(Py_TYPE(op)). */
  supportsWeakrefs(op: number): boolean {
    return this.rt.typeOf(op).weaklistoffset > 0;
  }

  /**
   * PyWeakref_NewRef(ob, callback) — weakref.ref(ob[, callback]): a new
   * reference to a weakref to `ob` (borrowed). Without a callback (or with
   * None) the existing basic ref is returned if there is one. A JavaScript
   * callback is wrapped in a new callable (newCallback) the ref then owns
   * alone, as the lambda of `weakref.ref(o, lambda r: ...)`; an object
   * callback is borrowed (the ref takes its own reference). Throws
   * InvalidArgumentError when ob's type does not support weak references.
   */
  newRef(ob: number, callback?: number | WeakCallback): number {
    this.checkReferent(ob);
    if (typeof callback === 'function') {
      const cb = this.newCallback(callback);
      try {
        return this.newRef(ob, cb);
      } finally {
        this.rt.decref(cb);
      }
    }
    let cb = callback ?? 0;
    if (cb !== 0) this.checkObject(cb, 'the callback');
    if (cb === this.interp.singletons.None) cb = 0;
    const [ref] = this.getBasicRefs(this.listHead(ob));
    if (cb === 0 && ref !== 0) {
      // Return the existing weak reference.
      this.rt.incref(ref);
      return ref;
    }
    // new_weakref can trigger a collection that changes ob's list: look again after it.
    let result = this.newWeakref(ob, cb);
    const [basic] = this.getBasicRefs(this.listHead(ob));
    if (cb === 0) {
      if (basic === 0) {
        this.insertHead(result, ob);
      } else {
        // Someone else added a ref without a callback during the collection: return theirs.
        this.rt.decref(result);
        this.rt.incref(basic);
        result = basic;
      }
    } else if (basic === 0) {
      this.insertHead(result, ob);
    } else {
      this.insertAfter(result, basic);
    }
    return result;
  }

  /** PyWeakref_GetObject / PyWeakref_GET_OBJECT: the referent while it lives, else None. Borrowed. */
  get(ref: number): number {
    this.checkRef(ref, 'PyWeakref_GetObject');
    const obj = this.mem.f64At(ref, WR_OBJECT);
    return this.rt.refcnt(obj) > 0 ? obj : this.interp.singletons.None;
  }

  /** weakref_vectorcall — ref(): the referent, or None once it is gone. New reference. */
  call(ref: number): number {
    const obj = this.get(ref);
    this.rt.incref(obj);
    return obj;
  }

  /** wr_callback: the ref's callback, or 0 (borrowed). */
  callbackOf(ref: number): number {
    this.checkRef(ref, 'wr_callback');
    return this.mem.f64At(ref, WR_CALLBACK);
  }

  /** *GET_WEAKREFS_LISTPTR(obj): the first weakref to obj, or 0 (borrowed); 0 for types without weakrefs. */
  listHead(obj: number): number {
    const off = this.rt.typeOf(obj).weaklistoffset;
    return off > 0 ? this.mem.f64At(obj, off) : 0;
  }

  /** weakref.getweakrefcount(obj) (_PyWeakref_GetWeakrefCount of its list). */
  weakrefCount(obj: number): number {
    let count = 0;
    for (let r = this.listHead(obj); r !== 0; r = this.mem.f64At(r, WR_NEXT)) count++;
    return count;
  }

  /** weakref.getweakrefs(obj): the weakrefs to obj in list order (borrowed references). */
  getWeakrefs(obj: number): number[] {
    const out: number[] = [];
    for (let r = this.listHead(obj); r !== 0; r = this.mem.f64At(r, WR_NEXT)) out.push(r);
    return out;
  }

  /**
   * PyObject_ClearWeakRefs(object): called by the dealloc of a weakrefable
   * type while object's count is 0. The callback-less refs at the head are
   * cleared first; then every other ref is cleared and, if it is still alive,
   * its callback called with it (newest first). With more than one ref, the
   * live refs and their callbacks are first moved into a tuple, as CPython
   * does, so callbacks that drop refs cannot break the walk.
   */
  clearWeakrefs(object: number): void {
    if (object === 0 || !this.supportsWeakrefs(object) || this.rt.refcnt(object) !== 0) {
      throw new InvalidArgumentError('PyObject_ClearWeakRefs: needs a weakly referenceable object whose count is 0');
    }
    const mem = this.mem;
    const off = this.rt.typeOf(object).weaklistoffset;
    // Remove the callback-less basic and proxy references.
    let head = mem.f64At(object, off);
    if (head !== 0 && mem.f64At(head, WR_CALLBACK) === 0) {
      this.clearWeakref(head);
      head = mem.f64At(object, off);
      if (head !== 0 && mem.f64At(head, WR_CALLBACK) === 0) this.clearWeakref(head);
    }
    let current = mem.f64At(object, off);
    if (current === 0) return;
    const count = this.weakrefCount(object);
    if (count === 1) {
      const callback = mem.f64At(current, WR_CALLBACK);
      mem.setF64(current, WR_CALLBACK, 0);
      this.clearWeakref(current);
      if (callback !== 0) {
        if (this.rt.refcnt(current) > 0) this.handleCallback(current, callback);
        this.rt.decref(callback);
      }
      return;
    }
    const tuple = this.interp.tuple;
    const t = tuple.new(count * 2);
    for (let i = 0; i < count; i++) {
      const next = mem.f64At(current, WR_NEXT);
      const callback = mem.f64At(current, WR_CALLBACK);
      if (this.rt.refcnt(current) > 0) {
        this.rt.incref(current);
        tuple.setItem(t, i * 2, current);
        tuple.setItem(t, i * 2 + 1, callback);
      } else {
        this.rt.xdecref(callback);
      }
      mem.setF64(current, WR_CALLBACK, 0);
      this.clearWeakref(current);
      current = next;
    }
    for (let i = 0; i < count; i++) {
      // The tuple may have slots left NULL.
      const callback = tuple.getItem(t, i * 2 + 1);
      if (callback !== 0) this.handleCallback(tuple.getItem(t, i * 2), callback);
    }
    this.rt.decref(t);
  }

  /**
   * _PyWeakref_ClearRef: unlinks ref from its referent's list and sets
   * wr_object to None, keeping the callback (the gc's handle_weakrefs
   * decides whether to call it).
   */
  clearRef(ref: number): void {
    this.checkRef(ref, '_PyWeakref_ClearRef');
    const callback = this.mem.f64At(ref, WR_CALLBACK);
    this.mem.setF64(ref, WR_CALLBACK, 0);
    this.clearWeakref(ref);
    this.mem.setF64(ref, WR_CALLBACK, callback);
  }

  /**
   * handle_callback: callback(ref); a throw is reported (writeUnraisable
   * with the callback as the object) and swallowed. ref and callback are
   * borrowed.
   */
  handleCallback(ref: number, callback: number): void {
    try {
      this.callOneArg(callback, ref);
    } catch (e) {
      this.writeUnraisable(e, callback);
    }
  }

  // --- callables ------------------------------------------------------------------------------------

  /**
   * PyCFunction_New: a builtin_function_or_method object whose C function is
   * `fn` (m_self and m_module NULL); PyObject_GC_New, then tracked. New reference.
   */
  newCallback(fn: WeakCallback): number {
    if (typeof fn !== 'function') throw new InvalidArgumentError(`a callback must be a function, got ${typeof fn}`);
    const op = this.rt.gcNew(this.cfunctionType);
    const id = this.nextMethodId++;
    this.methods.set(id, fn);
    const mem = this.mem;
    mem.setF64(op, M_ML, id);
    mem.setF64(op, M_SELF, 0);
    mem.setF64(op, M_MODULE, 0);
    mem.setF64(op, M_WEAKREFLIST, 0);
    mem.setF64(op, M_VECTORCALL, 0);
    this.rt.gcTrack(op);
    return op;
  }

  /**
   * PyErr_WriteUnraisable(object): records an error that cannot propagate
   * (a weakref callback's, a __del__'s) and returns; object is borrowed.
   */
  writeUnraisable(error: unknown, object: number, objectRepr = this.repr(object)): void {
    this.rt.writeUnraisable(error, object, objectRepr);
  }

  /** The runtime's unraisable-error log (Runtime.unraisable). */
  get unraisable(): readonly Unraisable[] {
    return this.rt.unraisable;
  }

  // --- internals ------------------------------------------------------------------------------------

  /** PyObject_CallOneArg(callable, arg) for the callables that exist here; the result (None) is dropped. */
  private callOneArg(callable: number, arg: number): void {
    const fn = this.rt.typeOrNull(callable) === this.cfunctionType ? this.methods.get(this.mem.f64At(callable, M_ML)) : undefined;
    if (fn === undefined) throw new InvalidArgumentError(`TypeError: '${this.rt.typeOf(callable).name}' object is not callable`);
    fn(arg);
  }

  /** A short repr of an object for error reports. */
  private repr(op: number): string {
    if (this.rt.typeOrNull(op) === this.cfunctionType) return `<built-in function ${this.methods.get(this.mem.f64At(op, M_ML))?.name || 'callback'}>`;
    return `<${this.rt.typeOf(op).name} object at 0x${op.toString(16)}>`;
  }

  /** new_weakref: PyObject_GC_New, init_weakref, PyObject_GC_Track. Not yet on ob's list. */
  private newWeakref(ob: number, callback: number): number {
    const self = this.rt.gcNew(this.type);
    const mem = this.mem;
    // init_weakref.
    clearHashField(mem, self, WR_HASH);
    mem.setF64(self, WR_OBJECT, ob);
    mem.setF64(self, WR_PREV, 0);
    mem.setF64(self, WR_NEXT, 0);
    this.rt.xincref(callback);
    mem.setF64(self, WR_CALLBACK, callback);
    mem.setF64(self, WR_VECTORCALL, 0);
    this.rt.gcTrack(self);
    return self;
  }

  /** get_basic_refs(head): [the basic ref, the basic proxy] at the head of a list (0 when absent; no proxies here). */
  private getBasicRefs(head: number): [number, number] {
    if (head !== 0 && this.mem.f64At(head, WR_CALLBACK) === 0 && this.check(head)) return [head, 0];
    return [0, 0];
  }

  /** insert_head: newref becomes the first of ob's list. */
  private insertHead(newref: number, ob: number): void {
    const mem = this.mem;
    const off = this.rt.typeOf(ob).weaklistoffset;
    const next = mem.f64At(ob, off);
    mem.setF64(newref, WR_PREV, 0);
    mem.setF64(newref, WR_NEXT, next);
    if (next !== 0) mem.setF64(next, WR_PREV, newref);
    mem.setF64(ob, off, newref);
  }

  /** insert_after: newref goes right after prev in its list. */
  private insertAfter(newref: number, prev: number): void {
    const mem = this.mem;
    const next = mem.f64At(prev, WR_NEXT);
    mem.setF64(newref, WR_PREV, prev);
    mem.setF64(newref, WR_NEXT, next);
    if (next !== 0) mem.setF64(next, WR_PREV, newref);
    mem.setF64(prev, WR_NEXT, newref);
  }

  /**
   * clear_weakref (also gc_clear, tp_clear): unlink self from its referent's
   * list, wr_object = None, and drop the callback.
   */
  private clearWeakref(self: number): void {
    const mem = this.mem;
    const None = this.interp.singletons.None;
    const callback = mem.f64At(self, WR_CALLBACK);
    const obj = mem.f64At(self, WR_OBJECT);
    if (obj !== None) {
      const off = this.rt.typeOf(obj).weaklistoffset;
      const prev = mem.f64At(self, WR_PREV);
      const next = mem.f64At(self, WR_NEXT);
      // If self is the head, the list now starts at its successor (NULL if none).
      if (mem.f64At(obj, off) === self) mem.setF64(obj, off, next);
      mem.setF64(self, WR_OBJECT, None);
      if (prev !== 0) mem.setF64(prev, WR_NEXT, next);
      if (next !== 0) mem.setF64(next, WR_PREV, prev);
      mem.setF64(self, WR_PREV, 0);
      mem.setF64(self, WR_NEXT, 0);
    }
    if (callback !== 0) {
      mem.setF64(self, WR_CALLBACK, 0);
      this.rt.decref(callback);
    }
  }

  /** weakref_dealloc: untrack, clear_weakref, tp_free (PyObject_GC_Del). */
  private weakrefDealloc(self: number): void {
    this.rt.gcUntrack(self);
    this.clearWeakref(self);
    this.rt.gcDel(self);
  }

  /** gc_traverse: the callback is the only reference a weakref holds. */
  private gcTraverse(self: number, visit: Visit): number {
    const callback = this.mem.f64At(self, WR_CALLBACK);
    return callback !== 0 ? visit(callback) : 0;
  }

  /** weakref_hash: the referent's hash, cached; TypeError once the referent is gone and none was cached. */
  private weakrefHash(self: number): number {
    const cached = readHashField(this.mem, self, WR_HASH);
    if (cached !== null) return cached;
    const obj = this.get(self);
    if (obj === this.interp.singletons.None) throw new InvalidArgumentError('TypeError: weak object has gone away');
    const h = this.interp.hash(obj);
    this.mem.setI64(self, WR_HASH, h);
    return h;
  }

  /** weakref_richcompare(self, other, Py_EQ): the referents compared while both live, else identity. */
  private weakrefRichcompareEq(self: number, other: number): boolean {
    if (!this.check(other)) return false;
    const None = this.interp.singletons.None;
    const a = this.get(self);
    const b = this.get(other);
    if (a === None || b === None) return self === other;
    return this.interp.eq(a, b);
  }

  /** meth_dealloc: untrack, clear weakrefs to it, forget its JavaScript body, PyObject_GC_Del (inside the trashcan). */
  private methDealloc(m: number): void {
    this.rt.gcUntrack(m);
    if (this.rt.trashcanBegin(m)) return;
    if (this.mem.f64At(m, M_WEAKREFLIST) !== 0) this.clearWeakrefs(m);
    this.methods.delete(this.mem.f64At(m, M_ML));
    this.rt.gcDel(m);
    this.rt.trashcanEnd();
  }

  private checkRef(ref: number, fn: string): void {
    if (!this.check(ref)) throw new InvalidArgumentError(`${fn}: expected a weakref, got ${this.describe(ref)}`);
  }

  private checkObject(op: number, what: string): void {
    if (typeof op !== 'number' || !Number.isInteger(op) || op <= 0) {
      throw new InvalidArgumentError(`weakref: ${what} must be an object, got ${String(op)}`);
    }
  }

  /** The check of PyWeakref_NewRef: "cannot create weak reference to '%s' object". */
  private checkReferent(ob: number): void {
    this.checkObject(ob, 'the referent');
    if (!this.supportsWeakrefs(ob)) {
      throw new InvalidArgumentError(`TypeError: cannot create weak reference to '${this.rt.typeOf(ob).name}' object`);
    }
  }

  private describe(op: number): string {
    if (typeof op !== 'number' || !Number.isInteger(op) || op <= 0) return String(op);
    const t = this.rt.typeOrNull(op);
    return t ? `a ${t.name} object` : `${op} (not an object)`;
  }
}
