/*
 * weakref.ref and weakref.proxy (Objects/weakrefobject.c, CPython 3.11), the callables that
 * serve as weakref callbacks (errors they throw go to Runtime.unraisable).
 *
 * PyWeakReference (Include/cpython/weakrefobject.h): after its PyGC_Head, one
 * PyObject_GC_New block, tracked from birth (new_weakref):
 *
 * PyWeakReference, 64 bytes:
 *    0  16  PyObject           ob_base      the object header
 *   16  8   PyObject *         wr_object    the referent, not counted; Py_None once cleared
 *   24  8   PyObject *         wr_callback  owned reference, or NULL
 *   32  8   Py_hash_t          hash         -1 until hash(ref) caches the referent's hash
 *   40  8   PyWeakReference *  wr_prev      neighbours in the referent's list (not counted)
 *   48  8   PyWeakReference *  wr_next      the next in that list
 *   56  8   vectorcallfunc     vectorcall   NULL: a C function pointer has no meaning here
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
 * (get_basic_refs / insert_head); at most one proxy without a callback
 * (the "basic proxy", weakref.proxy's ProxyType or CallableProxyType, the
 * same layout), right after the basic ref; refs and proxies with
 * callbacks go after those two (insert_after), so callbacks run newest
 * first.
 *
 * Callbacks are Python callables; here the only callables are
 * builtin_function_or_method objects (PyCFunctionObject + GC head, as
 * CPython's built-in functions) whose C function is a JavaScript function,
 * made by newCallback; a Python function (function.ts) has no code to run,
 * so calling one fails as for any non-callable. A callback that throws is
 * reported through writeUnraisable (PyErr_WriteUnraisable) and the others
 * still run.
 *
 * PyCFunctionObject, 56 bytes:
 *    0  16  PyObject        ob_base        the object header
 *   16  8   PyMethodDef *   m_ml           the id of its JavaScript body in WeakrefModule's methods
 *   24  8   PyObject *      m_self         NULL
 *   32  8   PyObject *      m_module       NULL
 *   40  8   PyObject *      m_weakreflist  head of the weakrefs to it (tp_weaklistoffset)
 *   48  8   vectorcallfunc  vectorcall     NULL
 */
import { InvalidArgumentError } from '../../errors.js';
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, pointerSlot, PyObject } from '../layout.js';
import type { Runtime, Unraisable } from '../runtime.js';
import { Py_TPFLAGS_HAVE_GC, type PyTypeObject, type Visit } from '../type.js';
import { clearHashField, readHashField } from './unicode.js';

/** PyWeakReference. */
export const PyWeakReference = declareObjectStruct({
  name: 'PyWeakReference',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'wr_object', type: 'ptr', ctype: 'PyObject *', meaning: 'the referent, not counted; Py_None once cleared' },
    { name: 'wr_callback', type: 'ptr', ctype: 'PyObject *', meaning: 'owned reference, or NULL' },
    { name: 'hash', type: 'i64', ctype: 'Py_hash_t', meaning: "-1 until hash(ref) caches the referent's hash" },
    { name: 'wr_prev', type: 'ptr', ctype: 'PyWeakReference *', meaning: "neighbours in the referent's list (not counted)" },
    { name: 'wr_next', type: 'ptr', ctype: 'PyWeakReference *', meaning: 'the next in that list' },
    { name: 'vectorcall', type: 'ptr', ctype: 'vectorcallfunc', meaning: 'NULL: a C function pointer has no meaning here' },
  ],
});
/** PyCFunctionObject: a builtin_function_or_method. */
export const PyCFunctionObject = declareObjectStruct({
  name: 'PyCFunctionObject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'm_ml', type: 'ptr', ctype: 'PyMethodDef *', unchecked: true, meaning: "the id of its JavaScript body in WeakrefModule's methods" },
    { name: 'm_self', type: 'ptr', ctype: 'PyObject *', meaning: 'NULL' },
    { name: 'm_module', type: 'ptr', ctype: 'PyObject *', meaning: 'NULL' },
    { name: 'm_weakreflist', type: 'ptr', ctype: 'PyObject *', meaning: 'head of the weakrefs to it (tp_weaklistoffset)' },
    { name: 'vectorcall', type: 'ptr', ctype: 'vectorcallfunc', meaning: 'NULL' },
  ],
});
const wrObject = PyWeakReference.field('wr_object');
const wrCallback = PyWeakReference.field('wr_callback');
const wrHash = PyWeakReference.words('hash');
const wrHashValue = PyWeakReference.field('hash');
const wrPrev = PyWeakReference.field('wr_prev');
const wrNext = PyWeakReference.field('wr_next');
const wrVectorcall = PyWeakReference.field('vectorcall');
const mMl = PyCFunctionObject.field('m_ml');
const mSelf = PyCFunctionObject.field('m_self');
const mModule = PyCFunctionObject.field('m_module');
const mWeakreflist = PyCFunctionObject.field('m_weakreflist');
const mVectorcall = PyCFunctionObject.field('vectorcall');
/** sizeof(PyWeakReference). */
export const SIZEOF_PYWEAKREFERENCE = PyWeakReference.size;
/** sizeof(PyCFunctionObject). */
export const SIZEOF_PYCFUNCTIONOBJECT = PyCFunctionObject.size;

/** A weakref callback as JavaScript: called with the (dead) weakref, a borrowed reference. */
export type WeakCallback = (ref: number) => void;

/** weakref.ref and its callbacks. */
export class WeakrefModule {
  /** _PyWeakref_RefType. */
  readonly type: PyTypeObject;
  /** _PyWeakref_ProxyType and _PyWeakref_CallableProxyType: weakref.proxy's objects (the same layout). */
  readonly proxyType: PyTypeObject;
  readonly callableProxyType: PyTypeObject;
  /** PyCFunction_Type: the callables made by newCallback. */
  readonly cfunctionType: PyTypeObject;
  private readonly rt: Runtime;
  /** The "PyMethodDef"s: the JavaScript body of each live callback object, by the id in its m_ml. */
  private readonly methods = new Map<number, WeakCallback>();
  private nextMethodId = 1;

  constructor(readonly interp: Interpreter) {
    const rt = (this.rt = interp.rt);
    this.type = rt.registerType({
      name: 'weakref.ReferenceType',
      basicsize: SIZEOF_PYWEAKREFERENCE,
      itemsize: 0,
      flags: Py_TPFLAGS_HAVE_GC,
      layout: PyWeakReference,
      dealloc: (_r, op) => this.weakrefDealloc(op),
      traverse: (_r, op, visit) => this.gcTraverse(op, visit),
      clear: (_r, op) => this.clearWeakref(op),
      hash: (_r, op) => this.weakrefHash(op),
      eq: (_r, a, b) => this.weakrefRichcompareEq(a, b),
    });
    // proxy_dealloc is weakref_dealloc; a proxy has no tp_hash (unhashable).
    const proxySlots = (name: string): PyTypeObject =>
      rt.registerType({
        name,
        basicsize: SIZEOF_PYWEAKREFERENCE,
        itemsize: 0,
        flags: Py_TPFLAGS_HAVE_GC,
        layout: PyWeakReference,
        dealloc: (_r, op) => this.weakrefDealloc(op),
        traverse: (_r, op, visit) => this.gcTraverse(op, visit),
        clear: (_r, op) => this.clearWeakref(op),
      });
    this.proxyType = proxySlots('weakref.ProxyType');
    this.callableProxyType = proxySlots('weakref.CallableProxyType');
    this.cfunctionType = rt.registerType({
      name: 'builtin_function_or_method',
      basicsize: SIZEOF_PYCFUNCTIONOBJECT,
      itemsize: 0,
      flags: Py_TPFLAGS_HAVE_GC,
      weaklistoffset: mWeakreflist.offset,
      layout: PyCFunctionObject,
      // No tp_traverse: m_self and m_module, all meth_traverse visits, are always NULL here.
      dealloc: (_r, op) => this.methDealloc(op),
    });
  }

  // --- weak references ------------------------------------------------------------------------

  /** PyWeakref_Check: a ref or a proxy. */
  check(op: number): boolean {
    if (typeof op !== 'number' || op === 0) return false;
    // By type id: a load from the type object is megamorphic, and the collector asks this of every object it frees.
    const id = this.rt.typeIdOf(op);
    return id >= 0 && (id === this.type.id || id === this.proxyType.id || id === this.callableProxyType.id);
  }

  /** PyWeakref_CheckProxy. */
  isProxy(op: number): boolean {
    if (typeof op !== 'number' || op === 0) return false;
    const t = this.rt.typeOrNull(op);
    return t === this.proxyType || t === this.callableProxyType;
  }

  /**
   * PyWeakref_NewProxy(ob, callback) — weakref.proxy(ob[, callback]): a
   * CallableProxyType when ob is callable, else a ProxyType. Without a
   * callback the existing basic proxy is returned if there is one; a new
   * one goes after the basic ref (callback-less) or after the basic proxy.
   * ob and callback borrowed; new reference.
   */
  newProxy(ob: number, callback: number, callable: boolean): number {
    this.checkReferent(ob);
    let cb = callback;
    if (cb !== 0) this.checkObject(cb, 'the callback');
    if (cb === this.interp.singletons.None) cb = 0;
    const [, proxy] = this.getBasicRefs(this.listHead(ob));
    if (cb === 0 && proxy !== 0) {
      this.rt.incref(proxy);
      return proxy;
    }
    let result = this.newWeakref(ob, cb, callable ? this.callableProxyType : this.proxyType);
    const [ref, basicProxy] = this.getBasicRefs(this.listHead(ob));
    let prev: number;
    if (cb === 0) {
      if (basicProxy !== 0) {
        // Someone else added a proxy without a callback during a collection: return theirs.
        this.rt.decref(result);
        this.rt.incref(basicProxy);
        return basicProxy;
      }
      prev = ref;
    } else prev = basicProxy === 0 ? ref : basicProxy;
    if (prev === 0) this.insertHead(result, ob);
    else this.insertAfter(result, prev);
    return result;
  }

  /** _PyType_SUPPORTS_WEAKREFS(Py_TYPE(op)). */
  supportsWeakrefs(op: number): boolean {
    const id = this.rt.typeIdOf(op);
    if (id < 0) this.rt.typeOf(op);
    return this.rt.typeWeaklistoffset[id]! > 0;
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
    const [basic, proxy] = this.getBasicRefs(this.listHead(ob));
    if (cb === 0) {
      if (basic === 0) {
        this.insertHead(result, ob);
      } else {
        // Someone else added a ref without a callback during the collection: return theirs.
        this.rt.decref(result);
        this.rt.incref(basic);
        result = basic;
      }
    } else {
      // A ref with a callback goes after the basic proxy, else after the basic ref.
      const prev = proxy === 0 ? basic : proxy;
      if (prev === 0) this.insertHead(result, ob);
      else this.insertAfter(result, prev);
    }
    return result;
  }

  /** PyWeakref_GetObject / PyWeakref_GET_OBJECT: the referent while it lives, else None. Borrowed. */
  get(ref: number): number {
    this.checkRef(ref, 'PyWeakref_GetObject');
    const obj = wrObject.get(ref);
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
    return wrCallback.get(ref);
  }

  /** *GET_WEAKREFS_LISTPTR(obj): the first weakref to obj, or 0 (borrowed); 0 for types without weakrefs. */
  listHead(obj: number): number {
    const off = this.rt.typeOf(obj).weaklistoffset;
    return off > 0 ? pointerSlot.get(obj, off) : 0;
  }

  /** weakref.getweakrefcount(obj) (_PyWeakref_GetWeakrefCount of its list). */
  weakrefCount(obj: number): number {
    let count = 0;
    for (let r = this.listHead(obj); r !== 0; r = wrNext.get(r)) count++;
    return count;
  }

  /** weakref.getweakrefs(obj): the weakrefs to obj in list order (borrowed references). */
  getWeakrefs(obj: number): number[] {
    const out: number[] = [];
    for (let r = this.listHead(obj); r !== 0; r = wrNext.get(r)) out.push(r);
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
    const off = this.rt.typeOf(object).weaklistoffset;
    // Remove the callback-less basic and proxy references.
    let head = pointerSlot.get(object, off);
    if (head !== 0 && wrCallback.get(head) === 0) {
      this.clearWeakref(head);
      head = pointerSlot.get(object, off);
      if (head !== 0 && wrCallback.get(head) === 0) this.clearWeakref(head);
    }
    let current = pointerSlot.get(object, off);
    if (current === 0) return;
    const count = this.weakrefCount(object);
    if (count === 1) {
      const callback = wrCallback.get(current);
      wrCallback.set(current, 0);
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
      const next = wrNext.get(current);
      const callback = wrCallback.get(current);
      if (this.rt.refcnt(current) > 0) {
        this.rt.incref(current);
        tuple.setItem(t, i * 2, current);
        tuple.setItem(t, i * 2 + 1, callback);
      } else {
        this.rt.xdecref(callback);
      }
      wrCallback.set(current, 0);
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
    const callback = wrCallback.get(ref);
    wrCallback.set(ref, 0);
    this.clearWeakref(ref);
    wrCallback.set(ref, callback);
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
    mMl.set(op, id);
    mSelf.set(op, 0);
    mModule.set(op, 0);
    mWeakreflist.set(op, 0);
    mVectorcall.set(op, 0);
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
    const fn = this.rt.typeOrNull(callable) === this.cfunctionType ? this.methods.get(mMl.get(callable)) : undefined;
    if (fn !== undefined) {
      fn(arg);
      return;
    }
    if (this.callObject === null) throw new InvalidArgumentError(`TypeError: '${this.rt.typeOf(callable).name}' object is not callable`);
    this.callObject(callable, arg);
  }

  /** PyObject_CallOneArg for callables of the layers above (a Python function), installed by the evaluation loop; null: none. */
  callObject: ((callable: number, arg: number) => void) | null = null;

  /** A short repr of an object for error reports. */
  private repr(op: number): string {
    if (this.rt.typeOrNull(op) === this.cfunctionType) return `<built-in function ${this.methods.get(mMl.get(op))?.name || 'callback'}>`;
    return `<${this.rt.typeOf(op).name} object at 0x${op.toString(16)}>`;
  }

  /** new_weakref: PyObject_GC_New, init_weakref, PyObject_GC_Track. Not yet on ob's list. */
  private newWeakref(ob: number, callback: number, type: PyTypeObject = this.type): number {
    const self = this.rt.gcNew(type);
    // init_weakref.
    clearHashField(wrHash, self);
    wrObject.set(self, ob);
    wrPrev.set(self, 0);
    wrNext.set(self, 0);
    this.rt.xincref(callback);
    wrCallback.set(self, callback);
    wrVectorcall.set(self, 0);
    this.rt.gcTrack(self);
    return self;
  }

  /** get_basic_refs(head): [the basic ref, the basic proxy] at the head of a list (0 when absent). */
  private getBasicRefs(head: number): [number, number] {
    let ref = 0;
    let cur = head;
    if (cur !== 0 && wrCallback.get(cur) === 0 && this.rt.typeOrNull(cur) === this.type) {
      ref = cur;
      cur = wrNext.get(cur);
    }
    const proxy = cur !== 0 && wrCallback.get(cur) === 0 && this.isProxy(cur) ? cur : 0;
    return [ref, proxy];
  }

  /** insert_head: newref becomes the first of ob's list. */
  private insertHead(newref: number, ob: number): void {
    const off = this.rt.typeOf(ob).weaklistoffset;
    const next = pointerSlot.get(ob, off);
    wrPrev.set(newref, 0);
    wrNext.set(newref, next);
    if (next !== 0) wrPrev.set(next, newref);
    pointerSlot.set(ob, off, newref);
  }

  /** insert_after: newref goes right after prev in its list. */
  private insertAfter(newref: number, prev: number): void {
    const next = wrNext.get(prev);
    wrPrev.set(newref, prev);
    wrNext.set(newref, next);
    if (next !== 0) wrPrev.set(next, newref);
    wrNext.set(prev, newref);
  }

  /**
   * clear_weakref (also gc_clear, tp_clear): unlink self from its referent's
   * list, wr_object = None, and drop the callback.
   */
  private clearWeakref(self: number): void {
    const None = this.interp.singletons.None;
    const callback = wrCallback.get(self);
    const obj = wrObject.get(self);
    if (obj !== None) {
      const off = this.rt.typeOf(obj).weaklistoffset;
      const prev = wrPrev.get(self);
      const next = wrNext.get(self);
      // If self is the head, the list now starts at its successor (NULL if none).
      if (pointerSlot.get(obj, off) === self) pointerSlot.set(obj, off, next);
      wrObject.set(self, None);
      if (prev !== 0) wrNext.set(prev, next);
      if (next !== 0) wrPrev.set(next, prev);
      wrPrev.set(self, 0);
      wrNext.set(self, 0);
    }
    if (callback !== 0) {
      wrCallback.set(self, 0);
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
    const callback = wrCallback.get(self);
    return callback !== 0 ? visit(callback) : 0;
  }

  /** weakref_hash: the referent's hash, cached; TypeError once the referent is gone and none was cached. */
  private weakrefHash(self: number): number {
    const cached = readHashField(wrHash, self);
    if (cached !== null) return cached;
    const obj = this.get(self);
    if (obj === this.interp.singletons.None) throw new InvalidArgumentError('TypeError: weak object has gone away');
    const h = this.interp.hash(obj);
    wrHashValue.set(self, h);
    return h;
  }

  /** weakref_richcompare(self, other, Py_EQ): the referents compared while both live, else identity. */
  private weakrefRichcompareEq(self: number, other: number): boolean {
    if (this.rt.typeOrNull(other) !== this.type) return false;
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
    if (mWeakreflist.get(m) !== 0) this.clearWeakrefs(m);
    this.methods.delete(mMl.get(m));
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
