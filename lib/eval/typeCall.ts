/*
 * type_call for classes (Objects/typeobject.c, CPython 3.11): cls(*args)
 * is tp_new — the class's own __new__ (a Python function, which type_new
 * made a staticmethod), else the tp_new of its solid base (object_new, or
 * a built-in base's: long_subtype_new, float_subtype_new,
 * tuple_subtype_new, bytes_subtype_new, frozenset_new, dict_new, and
 * PyType_GenericNew for list and set) — then, when the result is an
 * instance of cls, tp_init: the first __init__ of its MRO (a Python
 * function; list's, dict's or set's; or object_init, which refuses
 * arguments unless __new__ was overridden).
 *
 * The built-in tp_new wrappers are in the type dicts as `__new__`
 * (tp_new_wrapper: `object.__new__(cls)`, `int.__new__(cls, 5)`, with its
 * checks), and list, dict and set have their `__init__`, so `super()`
 * reaches them from a class's own methods.
 *
 * Invariants: every path returns a new reference or raises; an instance of
 * a class deriving from a built-in type is made by subtypeNew.ts only.
 */
import type { CMethod } from '../objects/types/cfunction.js';
import { SubtypeNew } from '../objects/types/subtypeNew.js';
import type { PyTypeObject } from '../objects/type.js';
import { callObject, id, iterate, newRef, none, raise, typeLookup, typeName, typeOf } from './abstract.js';
import { descrGet } from './descriptors.js';
import { isMetatype, typeTpNew } from './metaclass.js';
import type { Vm } from './vm.js';

/** type_new's body (builtins.ts typeNew): a class, an instance of metatype. */
type NewClass = (name: number, bases: number, ns: number, kw: ReadonlyMap<string, number>, metatype: PyTypeObject) => number;

interface TypeCallState {
  /** The built-in types' constructors (type_call of an exact built-in type), by type id. */
  readonly construct: ReadonlyMap<number, CMethod>;
  readonly newClass: NewClass;
  readonly subtypes: SubtypeNew;
  /** Each `__new__` built-in function installed here, and the type whose tp_new it wraps. */
  readonly newOwners: Map<number, PyTypeObject>;
  /** object.__new__ and object.__init__ (borrowed from object's dict). */
  objectNew: number;
}
const states = new WeakMap<Vm, TypeCallState>();

function state(vm: Vm): TypeCallState {
  const s = states.get(vm);
  if (s === undefined) throw new Error('type_call is not installed');
  return s;
}

/** The built-in types a class may derive from here, and whether their tp_new copies a value (the immutable ones). */
function immutableBase(vm: Vm, t: PyTypeObject): boolean {
  const { interp } = vm;
  return t === interp.long.type || t === interp.float.type || t === interp.tuple.type || t === interp.bytes.type || t === interp.set.frozensetType;
}

/** Installs the `__new__` wrappers and list / dict / set `__init__` (construct: the exact built-in types' constructors). */
export function installTypeCall(vm: Vm, construct: ReadonlyMap<number, CMethod>, newClass: NewClass): void {
  const { interp } = vm;
  const rt = interp.rt;
  const s: TypeCallState = { construct, newClass, subtypes: new SubtypeNew(interp), newOwners: new Map(), objectNew: 0 };
  states.set(vm, s);
  const owners = [interp.object.type, vm.typeobj.type, interp.long.type, interp.float.type, interp.tuple.type, interp.bytes.type, interp.set.frozensetType, interp.list.type, interp.dict.type, interp.set.type];
  for (const owner of owners) {
    const typeObj = vm.typeObject(owner);
    const ml = vm.cfunc.define({ name: '__new__', meth: (_self, args, kwnames) => tpNewWrapper(vm, owner, args, kwnames) });
    const f = vm.cfunc.newFunction(ml, typeObj, 0);
    interp.dict.setItem(vm.typeobj.dict(typeObj), id(vm, '__new__'), f);
    rt.decref(f);
    s.newOwners.set(f, owner);
    if (owner === interp.object.type) s.objectNew = f;
  }
  const init = (owner: PyTypeObject, meth: CMethod): void => {
    const typeObj = vm.typeObject(owner);
    const d = vm.cfunc.newDescr(typeObj, id(vm, '__init__'), vm.cfunc.define({ name: '__init__', meth }));
    interp.dict.setItem(vm.typeobj.dict(typeObj), id(vm, '__init__'), d);
    rt.decref(d);
  };
  // list___init___impl: cleared, then extended by the iterable.
  init(interp.list.type, (self, args, kwnames) => {
    noKeywords(vm, 'list', kwnames);
    atMostOne(vm, 'list', args);
    interp.list.clear(self);
    if (args.length > 0) extendList(vm, self, args[0]!);
    return none(vm);
  });
  // dict_init: dict_update_common.
  init(interp.dict.type, (self, args, kwnames) => {
    const positional = args.length - (kwnames !== 0 ? interp.tuple.size(kwnames) : 0);
    if (positional > 1) raise(vm, 'TypeError', `dict expected at most 1 argument, got ${positional}`);
    return vm.typeMethods.get(interp.dict.type.id)!.get('update')!(self, args, kwnames);
  });
  // set_init: cleared, then set_update_internal.
  init(interp.set.type, (self, args, kwnames) => {
    noKeywords(vm, 'set', kwnames);
    atMostOne(vm, typeName(vm, self), args);
    interp.set.clear(self);
    if (args.length > 0) {
      const items = iterate(vm, args[0]!);
      try {
        interp.set.update(self, items);
      } finally {
        for (const x of items) rt.decref(x);
      }
    }
    return none(vm);
  });
  s.objectNew = interp.dict.getItem(vm.typeobj.dict(vm.typeObject(interp.object.type)), id(vm, '__new__'));
}

function noKeywords(vm: Vm, name: string, kwnames: number): void {
  if (kwnames !== 0 && vm.interp.tuple.size(kwnames) > 0) raise(vm, 'TypeError', `${name}() takes no keyword arguments`);
}

function atMostOne(vm: Vm, name: string, args: readonly number[]): void {
  if (args.length > 1) raise(vm, 'TypeError', `${name} expected at most 1 argument, got ${args.length}`);
}

function extendList(vm: Vm, l: number, iterable: number): void {
  const items = iterate(vm, iterable);
  vm.interp.list.extendFromArray(l, items);
  for (const x of items) vm.interp.rt.decref(x);
}

/** Whether t's __new__ is object's (then cls() may be inlined as object_new and a Python __init__). */
export function hasObjectNew(vm: Vm, t: PyTypeObject): boolean {
  return typeLookup(vm, t, id(vm, '__new__')) === state(vm).objectNew;
}

/** The built-in type whose tp_new t's instances get (best_base's solid base): a built-in base, or object. */
function solidNewOwner(vm: Vm, t: PyTypeObject): PyTypeObject {
  if (states.get(vm)!.construct.has(t.id) || t === vm.interp.object.type) return t;
  if (isMetatype(vm, t)) return vm.typeobj.type;
  return vm.interp.instance.builtinBase(t) ?? vm.interp.object.type;
}

/** tp_new_wrapper's staticbase: the first type of t's MRO whose tp_new is not slot_tp_new (no __new__ of its own in Python). */
function staticBase(vm: Vm, t: PyTypeObject): PyTypeObject {
  const { interp } = vm;
  for (const tid of vm.mroOf(t)) {
    const ty = interp.rt.types[tid]!;
    if (!vm.classes.has(tid)) return ty;
    const own = interp.dict.getItem(vm.typeobj.dict(vm.typeObject(ty)), id(vm, '__new__'));
    if (own === 0 || state(vm).newOwners.has(own)) return ty;
  }
  return t;
}

/** tp_new_wrapper: `owner.__new__(cls, *args)` with its checks, then owner's tp_new for cls. */
function tpNewWrapper(vm: Vm, owner: PyTypeObject, args: readonly number[], kwnames: number): number {
  const nkw = kwnames !== 0 ? vm.interp.tuple.size(kwnames) : 0;
  if (args.length - nkw < 1) raise(vm, 'TypeError', `${owner.name}.__new__(): not enough arguments`);
  const cls = args[0]!;
  const t = vm.typeobj.typeOfObject(cls);
  if (t === undefined) raise(vm, 'TypeError', `${owner.name}.__new__(X): X is not a type object (${typeName(vm, cls)})`);
  if (!vm.isSubtype(t, owner)) raise(vm, 'TypeError', `${owner.name}.__new__(${t.name}): ${t.name} is not a subtype of ${owner.name}`);
  if (solidNewOwner(vm, t) !== owner) raise(vm, 'TypeError', `${owner.name}.__new__(${t.name}) is not safe, use ${staticBase(vm, t).name}.__new__()`);
  return tpNew(vm, owner, t, cls, args.slice(1), kwnames);
}

/** owner's tp_new for an instance of t (t is owner or derives from it): args without the class. New reference. */
function tpNew(vm: Vm, owner: PyTypeObject, t: PyTypeObject, cls: number, args: readonly number[], kwnames: number): number {
  const { interp } = vm;
  const s = state(vm);
  if (owner === interp.object.type) {
    // object_new: excess arguments are an error unless __new__ is overridden and __init__ is not.
    if (args.length > 0) {
      if (typeLookup(vm, t, id(vm, '__new__')) !== s.objectNew) raise(vm, 'TypeError', 'object.__new__() takes exactly one argument (the type to instantiate)');
      if (isObjectInit(vm, typeLookup(vm, t, id(vm, '__init__')))) raise(vm, 'TypeError', `${t.name}() takes no arguments`);
    }
    return t === interp.object.type ? interp.object.new() : interp.instance.new(t);
  }
  if (owner === vm.typeobj.type) {
    // type.__new__(metatype, name, bases, ns, **kwds).
    const nkw = kwnames !== 0 ? interp.tuple.size(kwnames) : 0;
    const kw = new Map<string, number>();
    if (nkw > 0) interp.tuple.items(kwnames).forEach((k, i) => kw.set(interp.str.toString(k), args[args.length - nkw + i]!));
    return typeTpNew(vm, t, args.slice(0, args.length - nkw), kw, s.newClass);
  }
  const exactNew = s.construct.get(owner.id)!;
  if (t === owner) return exactNew(cls, args, kwnames);
  if (!immutableBase(vm, owner)) return s.subtypes.emptyContainer(t);
  const exact = exactNew(vm.typeObject(owner), args, kwnames);
  try {
    return s.subtypes.fromValue(t, exact);
  } finally {
    interp.rt.decref(exact);
  }
}

/** Whether init (a type-dict entry, or 0) is object.__init__. */
function isObjectInit(vm: Vm, init: number): boolean {
  if (init === 0) return true;
  if (typeOf(vm, init) !== vm.cfunc.descrType) return false;
  return vm.cfunc.def(init).meth === vm.typeMethods.get(vm.interp.object.type.id)!.get('__init__');
}

/**
 * type_call(cls, args, kwnames) for a class: tp_new, then tp_init when the
 * result is an instance of cls. New reference.
 */
export function classCall(vm: Vm, cls: number, args: readonly number[], kwnames: number): number {
  const { interp } = vm;
  const rt = interp.rt;
  const s = state(vm);
  const t = vm.typeobj.typeOfObject(cls)!;
  const newm = typeLookup(vm, t, id(vm, '__new__'));
  const owner = s.newOwners.get(newm);
  let obj: number;
  if (owner !== undefined) obj = tpNew(vm, owner, t, cls, args, kwnames);
  else {
    // slot_tp_new: the class's __new__(cls, *args).
    const bound = descrGet(vm, newm, 0, cls);
    const f = bound !== 0 ? bound : newRef(vm, newm);
    try {
      obj = callObject(vm, f, [cls, ...args], kwnames);
    } finally {
      rt.decref(f);
    }
  }
  const ot = typeOf(vm, obj);
  if (!vm.isSubtype(ot, t)) return obj;
  const init = typeLookup(vm, ot, id(vm, '__init__'));
  // object_init: its excess-argument check is object_new's, made above (tp_new is not object_new otherwise).
  if (isObjectInit(vm, init)) return obj;
  try {
    const r = callObject(vm, init, [obj, ...args], kwnames);
    if (r !== interp.singletons.None) {
      const name = typeName(vm, r);
      rt.decref(r);
      raise(vm, 'TypeError', `__init__() should return None, not '${name}'`);
    }
    rt.decref(r);
  } catch (e) {
    rt.decref(obj);
    throw e;
  }
  return obj;
}
