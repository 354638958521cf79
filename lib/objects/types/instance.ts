/*
 * Instances of user classes whose only base is object (CPython 3.11:
 * Objects/typeobject.c type_new, object_new, subtype_dealloc,
 * subtype_traverse, subtype_clear, subtype_dict / subtype_setdict /
 * subtype_getweakref; Objects/object.c PyObject_GenericGetAttr /
 * PyObject_GenericSetAttr; Objects/dictobject.c for the shared keys).
 *
 * The instance layout (type_new_descriptors): the 16-byte PyObject header,
 * one pointer per __slots__ name (mangled, then sorted, as type_new_copy_slots
 * does), then the weakref list if the class has __weakref__. A __dict__
 * takes no slot: 3.11 gives such a class Py_TPFLAGS_MANAGED_DICT, and the
 * dict (or, before there is one, the values array) hangs off a 16-byte
 * pre-header in front of the PyGC_Head:
 *
 *   [pre-header: values, dict][PyGC_Head][PyObject][slot0 .. slotN-1][weaklist]
 *
 * (PyManagedDictPreHeader and PyGC_Head in layout.ts: values holds the
 * attribute values over the class's shared keys, NULL once a dict exists;
 * dict the materialised __dict__ (owned), or NULL; bit 0 of _gc_prev is
 * FINALIZED once __del__ has run.) Each class declares its instance struct
 * (defineClass): the slots are owned references or NULL (T_OBJECT_EX
 * members), the weaklist heads the weakref list (weakref.ts).
 *
 *   class P: pass                                weaklist@16   basicsize 24, getsizeof 56
 *   class S2: __slots__ = ('a', 'b')             a@16 b@24     basicsize 32, getsizeof 48
 *   class S1W: __slots__ = ('a', '__weakref__')  a@16 wl@24    basicsize 32, getsizeof 48
 *   class S1D: __slots__ = ('a', '__dict__')     a@16          basicsize 24, getsizeof 56
 *
 * Every class is a heap type with Py_TPFLAGS_HAVE_GC and its instances are
 * tracked from birth (PyType_GenericAlloc). A class with a managed dict owns
 * shared keys (ht_cached_keys) from its creation; each new instance gets a
 * values array sized from them (init_inline_values, which takes one off the
 * keys' dk_usable while more than one is left), so later instances get
 * smaller arrays, and mkP(n).__dict__ sizes depend on what came before.
 *
 * Invariants: at most one of values and dict is non-NULL, and values is
 * non-NULL from birth until the dict is materialised (obj.__dict__, a name
 * the shared keys cannot take) or replaced; the class's shared keys never
 * shrink and live as long as the class (classes are never freed); __del__
 * runs at most once per object (PEP 442), and an object it resurrects stays
 * tracked and intact.
 */
import { fillBytes } from '../../allocator/access.js';
import { InvalidArgumentError, describe } from '../../errors.js';
import type { Interpreter } from '../interpreter.js';
import { asGc, declareObjectStruct, gcPrev, managedDict, managedValues, pointerSlot, PyObject, PYOBJECT_SIZE, SIZEOF_VOID_P } from '../layout.js';
import { PREV_MASK_FINALIZED } from '../gcState.js';
import type { Runtime } from '../runtime.js';
import {
  Py_TPFLAGS_BASETYPE,
  Py_TPFLAGS_HAVE_GC,
  Py_TPFLAGS_HEAPTYPE,
  Py_TPFLAGS_MANAGED_DICT,
  type PyTypeObject,
  type Visit,
} from '../type.js';
import { KeyError } from './dict.js';
import { hashPointer } from './singletons.js';

/** An attribute that is not there, or cannot be set: Python's AttributeError. */
export class AttributeError extends InvalidArgumentError {}

/** What defineClass needs: the class statement's name, __slots__ and __del__. */
export interface ClassSpec {
  /** __name__ (tp_name). */
  name: string;
  /** __slots__; absent: a class without __slots__ (a __dict__ and a __weakref__). */
  slots?: readonly string[];
  /** Whether instances have a __dict__: default true without slots, else whether slots name '__dict__'. */
  dict?: boolean;
  /** Whether instances can be weakly referenced: default true without slots, else whether slots name '__weakref__'. */
  weakref?: boolean;
  /** __del__ (tp_finalize): called at most once per object with a borrowed reference; increfing it resurrects the object. */
  del?: (op: number) => void;
  /** tp_hash (slot_tp_hash: the class's __hash__); default the object's address (object.__hash__). */
  hash?: (op: number) => number;
  /** tp_richcompare for == (slot_tp_richcompare: the class's __eq__); default identity. */
  eq?: (a: number, b: number) => boolean;
}

/** A PyMemberDef of a slot: its (mangled) name and offset in the instance. */
export interface Member {
  readonly name: string;
  readonly offset: number;
}

/** What a class keeps beyond its PyTypeObject (PyHeapTypeObject's ht_* fields). */
interface ClassInfo {
  readonly type: PyTypeObject;
  /** The members in offset order (_PyHeapType_GET_MEMBERS, Py_SIZE(type) of them). */
  readonly members: readonly Member[];
  /** The class dict's member descriptors: name -> offset (a repeated name: the last one). */
  readonly memberOffsets: ReadonlyMap<string, number>;
  /** ht_cached_keys: the shared keys of a managed-dict class, else 0. */
  readonly cachedKeys: number;
  readonly hasDict: boolean;
  readonly hasWeakref: boolean;
  readonly del: ((op: number) => void) | undefined;
}

/** Identifiers as str.isidentifier() accepts them (XID_Start or '_', then XID_Continue). */
const IDENTIFIER = /^[_\p{XID_Start}]\p{XID_Continue}*$/u;

/** Python's str ordering: by code point (JavaScript's < compares UTF-16 units). */
function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < x.length && i < y.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** _Py_Mangle(privateobj, ident): __name inside class C becomes _C__name. */
function mangle(className: string, ident: string): string {
  if (!ident.startsWith('__') || ident.endsWith('__') || ident.includes('.')) return ident;
  const stripped = className.replace(/^_+/, '');
  return stripped === '' ? ident : `_${stripped}${ident}`;
}

/** The error for something that is no class made by defineClass (out of line: V8 inlines by bytecode size). */
function notAClass(cls: unknown): InvalidArgumentError {
  const c = cls as PyTypeObject | null;
  return new InvalidArgumentError(`expected a class made by defineClass, got ${typeof c === 'object' && c !== null ? `type '${c.name}'` : describe(cls)}`);
}

/** User classes and their instances. */
export class InstanceModule {
  private readonly rt: Runtime;
  /** Each user class's info, by type id. */
  private readonly classes: Array<ClassInfo | undefined> = [];

  constructor(readonly interp: Interpreter) {
    this.rt = interp.rt;
  }

  // --- classes -------------------------------------------------------------------------------

  /**
   * type_new for `class <name>: __slots__ = ...` with object as the only
   * base: validates and lays out the slots (type_new_visit_slots,
   * type_new_copy_slots, type_new_descriptors), registers the type, and
   * gives a managed-dict class its shared keys (_PyDict_NewKeysForClass).
   */
  defineClass(spec: ClassSpec): PyTypeObject {
    const { name, slots, del } = spec;
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError(`a class needs a non-empty name, got ${describe(name)}`);
    if (del !== undefined && typeof del !== 'function') throw new InvalidArgumentError(`del must be a function, got ${describe(del)}`);
    let addDict = slots === undefined;
    let addWeak = slots === undefined;
    const names: string[] = [];
    if (slots !== undefined) {
      if (!Array.isArray(slots)) throw new InvalidArgumentError(`__slots__ must be an array of names, got ${describe(slots)}`);
      // type_new_visit_slots.
      for (const s of slots as readonly unknown[]) {
        if (typeof s !== 'string' || !IDENTIFIER.test(s)) throw new InvalidArgumentError('TypeError: __slots__ must be identifiers');
        if (s === '__dict__') {
          if (addDict) throw new InvalidArgumentError('TypeError: __dict__ slot disallowed: we already got one');
          addDict = true;
        } else if (s === '__weakref__') {
          if (addWeak) throw new InvalidArgumentError('TypeError: __weakref__ slot disallowed: either we already got one, or __itemsize__ != 0');
          addWeak = true;
        } else {
          names.push(mangle(name, s));
        }
      }
      // type_new_copy_slots: mangled names, sorted.
      names.sort(compareCodePoints);
    }
    if (spec.dict !== undefined) {
      if (spec.dict === false && slots?.includes('__dict__')) throw new InvalidArgumentError(`class ${name}: dict: false but __slots__ names '__dict__'`);
      addDict = spec.dict;
    }
    if (spec.weakref !== undefined) {
      if (spec.weakref === false && slots?.includes('__weakref__')) throw new InvalidArgumentError(`class ${name}: weakref: false but __slots__ names '__weakref__'`);
      addWeak = spec.weakref;
    }
    // type_new_descriptors: the instance struct, declared for this class.
    const layout = declareObjectStruct({
      name,
      fields: [
        { name: 'ob_base', type: PyObject, meaning: 'the object header' },
        ...names.map((n, i) => ({ name: `slot${i}`, type: 'ptr' as const, ctype: 'PyObject *', meaning: `the __slots__ member ${n}: owned, or NULL` })),
        ...(addWeak ? [{ name: '__weakref__', type: 'ptr' as const, ctype: 'PyObject *', meaning: 'head of the weakrefs to it' }] : []),
      ],
    });
    const members: Member[] = names.map((n, i) => ({ name: n, offset: layout.offsets[`slot${i}`]! }));
    const weaklistoffset = addWeak ? layout.offsets['__weakref__']! : 0;
    const slotoffset = layout.size;
    let flags = Py_TPFLAGS_HEAPTYPE | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC;
    let dictoffset = 0;
    if (addDict) {
      flags |= Py_TPFLAGS_MANAGED_DICT;
      // 3.11 marks a managed dict with this negative offset (never dereferenced).
      dictoffset = -slotoffset - 3 * SIZEOF_VOID_P;
    }
    const basicsize = slotoffset;
    let info: ClassInfo | undefined;
    const type = this.rt.registerType({
      name,
      basicsize,
      itemsize: 0,
      flags,
      weaklistoffset,
      dictoffset,
      layout,
      dealloc: (_r, op) => this.subtypeDealloc(info!, op),
      traverse: (_r, op, visit) => this.subtypeTraverse(info!, op, visit),
      clear: (_r, op) => this.subtypeClear(info!, op),
      ...(del !== undefined ? { finalize: (_r: Runtime, op: number) => this.slotTpFinalize(info!, op) } : {}),
      hash: spec.hash !== undefined ? (_r, op) => spec.hash!(op) : (_r, op) => hashPointer(op),
      ...(spec.eq !== undefined ? { eq: (_r: Runtime, a: number, b: number) => spec.eq!(a, b) } : {}),
    });
    const memberOffsets = new Map<string, number>();
    for (const m of members) memberOffsets.set(m.name, m.offset);
    info = {
      type,
      members,
      memberOffsets,
      cachedKeys: addDict ? this.interp.sharedKeys.newKeysForClass() : 0,
      hasDict: addDict,
      hasWeakref: addWeak,
      del,
    };
    this.classes[type.id] = info;
    return type;
  }

  /** tp_members of a class: each slot's name and offset, in offset order. */
  members(cls: PyTypeObject): readonly Member[] {
    return this.classInfo(cls).members;
  }

  /** ht_cached_keys: the shared keys of a class with a __dict__ (borrowed), else 0. */
  cachedKeys(cls: PyTypeObject): number {
    return this.classInfo(cls).cachedKeys;
  }

  // --- instances -------------------------------------------------------------------------------

  /**
   * cls() — object_new: tp_alloc (PyType_GenericAlloc: a zeroed block of
   * pre-header, PyGC_Head and tp_basicsize, tracked at once), then
   * _PyObject_InitializeDict (the values array of a managed-dict class).
   * New reference.
   */
  new(cls: PyTypeObject): number {
    // The type's id read once (types have many shapes: each property load from one is megamorphic),
    // then the runtime's tables by id.
    const id = typeof cls === 'object' && cls !== null ? cls.id : -1;
    const info = this.classes[id];
    if (info === undefined || info.type !== cls) throw notAClass(cls);
    const rt = this.rt;
    const basicsize = rt.typeBasicsize[id]!;
    const op = rt.initWord(rt.gcAllocId(id, basicsize), rt.typeBase + id);
    fillBytes(op + PYOBJECT_SIZE, basicsize - PYOBJECT_SIZE, 0);
    // PyType_GenericAlloc: an instance of a heap type holds a reference to it.
    rt.xincref(rt.heapTypeObject(cls));
    rt.gcTrack(op);
    if (info.cachedKeys !== 0) {
      try {
        this.interp.sharedKeys.initInlineValues(op, info.cachedKeys);
      } catch (e) {
        this.rt.decref(op);
        throw e;
      }
    }
    return op;
  }

  /** Whether op is an instance of a class made by defineClass. */
  check(op: number): boolean {
    return typeof op === 'number' && op > 0 && this.classes[this.rt.typeOrNull(op)?.id ?? -1] !== undefined;
  }

  /**
   * PyObject_SetAttr(op, name, value) (a str name, interned first as
   * CPython does) or PyObject_SetAttrString (a JavaScript name, interned):
   * a slot, __dict__, or an entry of the instance's values or dict. value is
   * borrowed (the instance takes its own reference). Throws AttributeError
   * for a name the instance cannot hold or a read-only one.
   */
  setAttr(op: number, name: number | string, value: number): void {
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new InvalidArgumentError(`setattr: the value must be an object, got ${describe(value)}`);
    }
    this.rt.typeOf(value);
    this.setAttrInterned(op, name, value);
  }

  /** PyObject_DelAttr / PyObject_DelAttrString: del op.name. Throws AttributeError when it is not set. */
  delAttr(op: number, name: number | string): void {
    this.setAttrInterned(op, name, 0);
  }

  /**
   * PyObject_GetAttr(op, name) / PyObject_GetAttrString: the attribute as
   * a borrowed reference (the instance holds it), or 0 where Python raises
   * AttributeError. `__dict__` materialises the dict; `__weakref__` is the
   * first weakref or None.
   */
  getAttr(op: number, name: number | string): number {
    const info = this.instanceInfo(op, 'getattr');
    if (typeof name === 'string') {
      const s = this.interp.str.fromString(name);
      try {
        return this.genericGetAttr(info, op, s);
      } finally {
        this.rt.decref(s);
      }
    }
    this.checkName(name);
    return this.genericGetAttr(info, op, name);
  }

  /** obj.__dict__ (subtype_dict -> PyObject_GenericGetDict): materialised from the values on first use. New reference. */
  dictOf(op: number): number {
    const info = this.instanceInfo(op, '__dict__');
    if (!info.hasDict) throw new AttributeError(`'${info.type.name}' object has no attribute '__dict__'`);
    return this.interp.sharedKeys.genericGetDict(op, info.cachedKeys);
  }

  /** _PyGC_FINALIZED(op): whether __del__ has run on op (gc.is_finalized). */
  isFinalized(op: number): boolean {
    return (gcPrev.get(asGc(op)) & PREV_MASK_FINALIZED) !== 0;
  }

  // --- attributes ---------------------------------------------------------------------------------

  /** PyObject_SetAttr's prologue: intern the name (PyUnicode_InternInPlace), then tp_setattro. */
  private setAttrInterned(op: number, name: number | string, value: number): void {
    const info = this.instanceInfo(op, value === 0 ? 'delattr' : 'setattr');
    const str = this.interp.str;
    let interned: number;
    if (typeof name === 'string') {
      interned = str.internFromString(name);
    } else {
      this.checkName(name);
      this.rt.incref(name);
      interned = str.intern(name);
    }
    try {
      this.genericSetAttr(info, op, interned, value);
    } finally {
      this.rt.decref(interned);
    }
  }

  /**
   * _PyObject_GenericSetAttrWithDict(obj, name, value, NULL): a data
   * descriptor of the class (a slot member, __dict__, __weakref__) first,
   * else the instance's values (_PyObject_StoreInstanceAttribute) or dict
   * (_PyObjectDict_SetItem). value 0 deletes.
   */
  private genericSetAttr(info: ClassInfo, op: number, name: number, value: number): void {
    // The name's text only where it could be a slot, __dict__ or __weakref__ (see genericGetAttr), and for errors.
    const n = this.interp.str.length(name);
    const key = info.memberOffsets.size !== 0 || n === 8 || n === 11 ? this.interp.str.toString(name) : '';
    const off = info.memberOffsets.get(key);
    if (off !== undefined) {
      this.memberSet(op, off, key, value);
      return;
    }
    if (key === '__dict__' && info.hasDict) {
      this.subtypeSetdict(info, op, value);
      return;
    }
    if (key === '__weakref__' && info.hasWeakref) {
      throw new AttributeError(`attribute '__weakref__' of '${info.type.name}' objects is not writable`);
    }
    if (!info.hasDict) throw new AttributeError(`'${info.type.name}' object has no attribute '${this.interp.str.toString(name)}'`);
    const dict = this.interp.dict;
    const values = managedValues.get(op);
    if (values !== 0) {
      if (!this.interp.sharedKeys.storeInstanceAttribute(op, info.cachedKeys, values, name, value)) {
        throw new AttributeError(`'${info.type.name}' object has no attribute '${this.interp.str.toString(name)}'`);
      }
      return;
    }
    // _PyObjectDict_SetItem: a dict over the shared keys if there is none.
    let d = managedDict.get(op);
    if (d === 0) {
      d = this.interp.sharedKeys.newSplitDict(info.cachedKeys);
      managedDict.set(op, d);
    }
    if (value !== 0) {
      dict.setItem(d, name, value);
      return;
    }
    try {
      dict.delItem(d, name);
    } catch (e) {
      if (e instanceof KeyError) throw new AttributeError(`'${info.type.name}' object has no attribute '${this.interp.str.toString(name)}'`);
      throw e;
    }
  }

  /** _PyObject_GenericGetAttrWithDict(obj, name, NULL, 0), with a borrowed result. */
  private genericGetAttr(info: ClassInfo, op: number, name: number): number {
    // The name's text is read only when it could be a slot, __dict__ (8) or __weakref__ (11): a
    // JavaScript string per attribute read was measured the top cost of attribute access.
    const n = this.interp.str.length(name);
    const key = info.memberOffsets.size !== 0 || n === 8 || n === 11 ? this.interp.str.toString(name) : '';
    const off = info.memberOffsets.get(key);
    if (off !== undefined) return pointerSlot.get(op, off);
    if (key === '__dict__' && info.hasDict) {
      const d = this.interp.sharedKeys.genericGetDict(op, info.cachedKeys);
      this.rt.decref(d);
      return d;
    }
    if (key === '__weakref__' && info.hasWeakref) {
      // subtype_getweakref: the head of the list, or None.
      const head = pointerSlot.get(op, info.type.weaklistoffset);
      return head !== 0 ? head : this.interp.singletons.None;
    }
    if (!info.hasDict) return 0;
    const dict = this.interp.dict;
    const values = managedValues.get(op);
    if (values !== 0) {
      const v = this.interp.sharedKeys.getInstanceAttribute(info.cachedKeys, values, name);
      if (v !== 0) this.rt.decref(v);
      return v;
    }
    const d = managedDict.get(op);
    return d !== 0 ? dict.getItem(d, name) : 0;
  }

  /** PyMember_SetOne for a T_OBJECT_EX slot: deleting an unset slot is AttributeError(name). */
  private memberSet(op: number, off: number, key: string, value: number): void {
    const old = pointerSlot.get(op, off);
    if (value === 0 && old === 0) throw new AttributeError(key);
    this.rt.xincref(value);
    pointerSlot.set(op, off, value);
    this.rt.xdecref(old);
  }

  /**
   * subtype_setdict: obj.__dict__ = value (a dict), or del obj.__dict__
   * (value 0). _PyObject_GetDictPtr materialises the values into a dict
   * first; then the dict pointer takes the new value.
   */
  private subtypeSetdict(info: ClassInfo, op: number, value: number): void {
    const dict = this.interp.dict;
    if (value !== 0 && !dict.check(value)) {
      throw new InvalidArgumentError(`TypeError: __dict__ must be set to a dictionary, not a '${this.rt.typeOf(value).name}'`);
    }
    const values = managedValues.get(op);
    if (values !== 0) {
      managedDict.set(op, this.interp.sharedKeys.makeDictFromInstanceAttributes(info.cachedKeys, values));
      managedValues.set(op, 0);
    }
    const old = managedDict.get(op);
    this.rt.xincref(value);
    managedDict.set(op, value);
    this.rt.xdecref(old);
  }

  // --- type slots -------------------------------------------------------------------------------------

  /**
   * subtype_dealloc (the GC branch; object_dealloc is the base's dealloc):
   * untrack; trashcan; __del__ (tracked meanwhile) unless it ran before, and
   * stop there if it resurrected the object; clear weakrefs (callbacks run);
   * clear the slots; drop the managed dict or free the values; PyObject_GC_Del.
   */
  private subtypeDealloc(info: ClassInfo, self: number): void {
    const rt = this.rt;
    rt.gcUntrack(self);
    if (rt.trashcanBegin(self)) return;
    if (info.del !== undefined) {
      rt.gcTrack(self);
      if (this.callFinalizerFromDealloc(info, self)) {
        // Resurrected: it lives on, tracked.
        rt.trashcanEnd();
        return;
      }
      rt.gcUntrack(self);
    }
    const weakref = this.interp.weakref;
    // PyObject_ClearWeakRefs does nothing on an empty list: only a non-empty one is handed to it.
    if (info.hasWeakref && pointerSlot.get(self, rt.typeWeaklistoffset[rt.typeIdOf(self)]!) !== 0) {
      weakref.clearWeakrefs(self);
      if (info.del !== undefined) {
        // Weakrefs made during the finalizer or the callbacks: cleared without their callbacks.
        for (let head = weakref.listHead(self); head !== 0; head = weakref.listHead(self)) weakref.clearRef(head);
      }
    }
    this.clearSlots(info, self);
    if (info.hasDict) {
      const dict = managedDict.get(self);
      if (dict !== 0) {
        managedDict.set(self, 0);
        rt.decref(dict);
      } else {
        this.interp.sharedKeys.freeInstanceAttributes(self, info.cachedKeys);
      }
    }
    const type = rt.heapTypeObject(info.type);
    rt.gcDel(self);
    // subtype_dealloc: the instance's reference to its heap type goes last.
    rt.xdecref(type);
    rt.trashcanEnd();
  }

  /**
   * PyObject_CallFinalizerFromDealloc: revive self to count 1, run the
   * finalizer once (PyObject_CallFinalizer), undo the revival. True when
   * the finalizer resurrected self (someone kept a reference).
   */
  private callFinalizerFromDealloc(info: ClassInfo, self: number): boolean {
    const rt = this.rt;
    rt.setRefcnt(self, 1);
    // PyObject_CallFinalizer: at most once per object.
    if (!this.isFinalized(self)) {
      this.slotTpFinalize(info, self);
      gcPrev.set(asGc(self), gcPrev.get(asGc(self)) + PREV_MASK_FINALIZED);
    }
    const refcnt = rt.refcnt(self) - 1;
    rt.setRefcnt(self, refcnt);
    return refcnt !== 0;
  }

  /** slot_tp_finalize: __del__(self); what it throws is reported (PyErr_WriteUnraisable) and swallowed. */
  private slotTpFinalize(info: ClassInfo, self: number): void {
    try {
      info.del!(self);
    } catch (e) {
      this.interp.weakref.writeUnraisable(e, self, `<function ${info.type.name}.__del__>`);
    }
  }

  /** subtype_traverse: the slots (traverse_slots), the values (_PyObject_VisitInstanceAttributes), the dict. */
  private subtypeTraverse(info: ClassInfo, self: number, visit: Visit): number {
    for (const m of info.members) {
      const v = pointerSlot.get(self, m.offset);
      if (v !== 0) {
        const r = visit(v);
        if (r !== 0) return r;
      }
    }
    if (info.hasDict) {
      const r = this.interp.sharedKeys.visitInstanceAttributes(self, info.cachedKeys, visit);
      if (r !== 0) return r;
      const dict = managedDict.get(self);
      if (dict !== 0) {
        const r = visit(dict);
        if (r !== 0) return r;
      }
    }
    // For a heap type, the instances count as references to the type.
    const type = this.rt.heapTypeObject(info.type);
    return type !== 0 ? visit(type) : 0;
  }

  /** subtype_clear: the slots, the values (_PyObject_ClearInstanceAttributes), then Py_CLEAR of the dict. */
  private subtypeClear(info: ClassInfo, self: number): void {
    this.clearSlots(info, self);
    if (info.hasDict) {
      this.interp.sharedKeys.clearInstanceAttributes(self, info.cachedKeys);
      const dict = managedDict.get(self);
      if (dict !== 0) {
        managedDict.set(self, 0);
        this.rt.decref(dict);
      }
    }
  }

  /** clear_slots: Py_CLEAR of each slot, in member order. */
  private clearSlots(info: ClassInfo, self: number): void {
    for (const m of info.members) {
      const v = pointerSlot.get(self, m.offset);
      if (v !== 0) {
        pointerSlot.set(self, m.offset, 0);
        this.rt.decref(v);
      }
    }
  }

  // --- checks -------------------------------------------------------------------------------------------

  private classInfo(cls: PyTypeObject): ClassInfo {
    const info = typeof cls === 'object' && cls !== null ? this.classes[cls.id] : undefined;
    if (info === undefined || info.type !== cls) throw notAClass(cls);
    return info;
  }

  private instanceInfo(op: number, fn: string): ClassInfo {
    if (typeof op !== 'number' || !Number.isInteger(op) || op <= 0) {
      throw new InvalidArgumentError(`${fn}: expected an instance, got ${op === 0 ? 'NULL' : describe(op)}`);
    }
    const info = this.classes[this.rt.typeOrNull(op)?.id ?? -1];
    if (info === undefined) throw new InvalidArgumentError(`${fn}: expected an instance of a user class, got a ${this.rt.typeOf(op).name} object`);
    return info;
  }

  /** PyObject_SetAttr / GetAttr: "attribute name must be string". */
  private checkName(name: number): void {
    if (!this.interp.str.checkExact(name)) {
      const got = typeof name === 'number' && Number.isInteger(name) && name > 0 ? this.rt.typeOf(name).name : describe(name);
      throw new InvalidArgumentError(`TypeError: attribute name must be string, not '${got}'`);
    }
  }
}
