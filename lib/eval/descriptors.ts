/*
 * The descriptor protocol (CPython 3.11): tp_descr_get / tp_descr_set of
 * functions, method descriptors, property (Objects/descrobject.c),
 * classmethod and staticmethod (Objects/funcobject.c) and of instances of
 * classes that define __get__ / __set__ / __delete__ (slot_tp_descr_get,
 * slot_tp_descr_set in Objects/typeobject.c); the data / non-data
 * distinction PyObject_GenericGetAttr makes; the builtins property,
 * classmethod and staticmethod with their methods and members;
 * mappingproxy's reading side; member_descriptor (a __slots__ name's
 * descriptor, Objects/descrobject.c member_get / member_set) and
 * getset_descriptor (a class's __dict__ and __weakref__); and what type_new does with a class's
 * namespace after making it (type_new_set_names, init_subclass).
 *
 * Invariants: every function returns new references (0 only where it says
 * "or 0"); arguments are borrowed.
 */
import type { CMethod } from '../objects/types/cfunction.js';
import type { PyTypeObject } from '../objects/type.js';
import { callObject, getAttrOrNull, getItem, id, isHeapType, lookupSpecial, newRef, newStr, none, raise, repr, strValue, typeLookup, typeOf } from './abstract.js';
import { exceptionDict } from './exceptionAttrs.js';
import type { Vm } from './vm.js';

/** 0 as None (borrowed in, borrowed out). */
function orNone(vm: Vm, op: number): number {
  return op === 0 ? vm.interp.singletons.None : op;
}

/** The qualname of obj's class, as property's messages quote it. */
function typeQualname(vm: Vm, obj: number): string {
  return typeOf(vm, obj).name;
}

/** Whether a class attribute is a data descriptor (its type defines tp_descr_set): property, or a class with __set__ or __delete__. */
export function isDataDescriptor(vm: Vm, attr: number): boolean {
  const t = typeOf(vm, attr);
  if (t === vm.descr.property || t === vm.descr.member || t === vm.descr.getset) return true;
  if (!isHeapType(vm, t)) return false;
  return lookupSpecial(vm, attr, '__set__') !== 0 || lookupSpecial(vm, attr, '__delete__') !== 0;
}

/**
 * tp_descr_get(attr, obj, cls) for a class attribute found on cls (obj 0:
 * looked up on the class itself, as type_getattro passes NULL). New
 * reference, or 0 when attr is no descriptor.
 */
export function descrGet(vm: Vm, attr: number, obj: number, cls: number): number {
  const { interp } = vm;
  const t = typeOf(vm, attr);
  if (t === interp.function.type) return obj === 0 ? newRef(vm, attr) : vm.method.new(attr, obj);
  // classmethod_descriptor (dict.fromkeys): bound to the class, from an instance too.
  if (vm.classMethodDescrs.has(attr)) return vm.cfunc.bind(attr, cls);
  if (t === vm.cfunc.descrType) return obj === 0 ? newRef(vm, attr) : vm.cfunc.bind(attr, obj);
  if (t === vm.descr.staticmethod) return newRef(vm, vm.descr.wrapped(attr));
  if (t === vm.descr.classmethod) {
    // cm_descr_get (3.11): a wrapped descriptor is bound with the class as its object.
    const callable = vm.descr.wrapped(attr);
    const bound = descrGet(vm, callable, cls, cls);
    return bound !== 0 ? bound : vm.method.new(callable, cls);
  }
  if (t === vm.descr.property) return propertyGet(vm, attr, obj);
  if (t === vm.descr.member) return memberGet(vm, attr, obj);
  if (t === vm.descr.getset) return getsetGet(vm, attr, obj);
  const get = lookupSpecial(vm, attr, '__get__');
  if (get === 0) return 0;
  return callObject(vm, get, [attr, orNone(vm, obj), cls], 0);
}

/** property_descr_get. */
function propertyGet(vm: Vm, prop: number, obj: number): number {
  if (obj === 0) return newRef(vm, prop);
  const { fget, name } = vm.descr.propertyParts(prop);
  if (fget === 0) {
    const what = name !== 0 ? `property ${repr(vm, name)} of` : 'property of';
    raise(vm, 'AttributeError', `${what} '${typeQualname(vm, obj)}' object has no getter`);
  }
  return callObject(vm, fget, [obj], 0);
}

/** descr_check: the member's class must be obj's (a TypeError in CPython's words otherwise). */
function memberCheck(vm: Vm, descr: number, obj: number): { cls: number; name: number } {
  const parts = vm.descr.memberParts(descr);
  const owner = vm.typeobj.typeOfObject(parts.cls)!;
  if (!vm.isSubtype(typeOf(vm, obj), owner)) {
    raise(vm, 'TypeError', `descriptor '${strValue(vm, parts.name)}' for '${owner.name}' objects doesn't apply to a '${typeOf(vm, obj).name}' object`);
  }
  return parts;
}

/** member_get (PyMember_GetOne of a T_OBJECT_EX slot): AttributeError while the slot is empty. */
function memberGet(vm: Vm, descr: number, obj: number): number {
  if (obj === 0) return newRef(vm, descr);
  const { name } = memberCheck(vm, descr, obj);
  const v = vm.interp.instance.getAttr(obj, name);
  if (v === 0) raise(vm, 'AttributeError', `'${typeOf(vm, obj).name}' object has no attribute '${strValue(vm, name)}'`);
  return newRef(vm, v);
}

/** getset_get of subtype_dict / subtype_getweakref: the instance's __dict__, or its first weakref (None for none). */
function getsetGet(vm: Vm, descr: number, obj: number): number {
  if (obj === 0) return newRef(vm, descr);
  const { name } = memberCheck(vm, descr, obj);
  const { interp } = vm;
  if (strValue(vm, name) === '__weakref__') {
    const head = interp.weakref.listHead(obj);
    return newRef(vm, head !== 0 ? head : interp.singletons.None);
  }
  if (vm.exc.check(obj)) return newRef(vm, exceptionDict(vm, obj));
  return interp.instance.dictOf(obj);
}

/**
 * tp_descr_set(attr, obj, value) of a data descriptor (value 0: delete):
 * whether attr was one (then it has done the assignment).
 */
export function descrSet(vm: Vm, attr: number, obj: number, value: number): boolean {
  const t = typeOf(vm, attr);
  const { rt } = vm.interp;
  if (t === vm.descr.property) {
    // property_descr_set.
    const { fset, fdel, name } = vm.descr.propertyParts(attr);
    const func = value === 0 ? fdel : fset;
    if (func === 0) {
      const what = name !== 0 ? `property ${repr(vm, name)} of` : 'property of';
      raise(vm, 'AttributeError', `${what} '${typeQualname(vm, obj)}' object has no ${value === 0 ? 'deleter' : 'setter'}`);
    }
    rt.decref(callObject(vm, func, value === 0 ? [obj] : [obj, value], 0));
    return true;
  }
  if (t === vm.descr.member) {
    // member_set (PyMember_SetOne): deleting an empty slot is an AttributeError naming it.
    const { name } = memberCheck(vm, attr, obj);
    if (value !== 0) vm.interp.instance.setAttr(obj, name, value);
    else if (vm.interp.instance.getAttr(obj, name) === 0) raise(vm, 'AttributeError', strValue(vm, name));
    else vm.interp.instance.delAttr(obj, name);
    return true;
  }
  if (t === vm.descr.getset) {
    // subtype_setdict (through the instance's own __dict__ handling); __weakref__ is read-only.
    const { cls, name } = memberCheck(vm, attr, obj);
    if (strValue(vm, name) === '__weakref__') raise(vm, 'AttributeError', `attribute '__weakref__' of '${vm.typeobj.typeOfObject(cls)!.name}' objects is not writable`);
    if (value !== 0) vm.interp.instance.setAttr(obj, name, value);
    else vm.interp.instance.delAttr(obj, name);
    return true;
  }
  if (!isDataDescriptor(vm, attr)) return false;
  // slot_tp_descr_set: __delete__ or __set__, AttributeError naming the one missing.
  const meth = lookupSpecial(vm, attr, value === 0 ? '__delete__' : '__set__');
  if (meth === 0) raise(vm, 'AttributeError', value === 0 ? '__delete__' : '__set__');
  rt.decref(callObject(vm, meth, value === 0 ? [attr, obj] : [attr, obj, value], 0));
  return true;
}

/** The members and getsets of property, classmethod, staticmethod objects: new reference, or 0 when key is none. */
export function descrMember(vm: Vm, op: number, key: string): number {
  const t = typeOf(vm, op);
  const { interp } = vm;
  if (t === vm.descr.property) {
    const p = vm.descr.propertyParts(op);
    if (key === 'fget' || key === 'fset' || key === 'fdel') return newRef(vm, orNone(vm, p[key]));
    if (key === '__doc__') return newRef(vm, orNone(vm, p.doc));
    if (key === '__isabstractmethod__') return newRef(vm, interp.long.False);
    return 0;
  }
  if (t === vm.descr.member || t === vm.descr.getset) {
    const { cls, name } = vm.descr.memberParts(op);
    if (key === '__name__') return newRef(vm, name);
    if (key === '__objclass__') return newRef(vm, cls);
    if (key === '__qualname__') return newStr(vm, `${vm.typeobj.typeOfObject(cls)!.name}.${strValue(vm, name)}`);
    return 0;
  }
  if (t === vm.descr.classmethod || t === vm.descr.staticmethod) {
    const f = vm.descr.wrapped(op);
    if (key === '__func__' || key === '__wrapped__') return newRef(vm, f);
    if (key === '__isabstractmethod__') return newRef(vm, interp.long.False);
    const d = vm.descr.wrapperDict(op);
    if (key === '__dict__') {
      if (d === 0) {
        const made = interp.dict.new();
        vm.descr.setWrapperDict(op, made);
        interp.rt.decref(made);
      }
      return newRef(vm, vm.descr.wrapperDict(op));
    }
    const v = d !== 0 ? interp.dict.getItem(d, id(vm, key)) : 0;
    return v !== 0 ? newRef(vm, v) : 0;
  }
  return 0;
}

/** repr of property, classmethod, staticmethod and mappingproxy objects, or null for others. */
export function descrRepr(vm: Vm, op: number, address: string): string | null {
  const t = typeOf(vm, op);
  if (t === vm.descr.property) return `<property object at ${address}>`;
  if (t === vm.descr.classmethod || t === vm.descr.staticmethod) return `<${t.name}(${repr(vm, vm.descr.wrapped(op))})>`;
  if (t === vm.descr.mappingproxy) return `mappingproxy(${repr(vm, vm.descr.mapping(op))})`;
  if (t === vm.descr.member || t === vm.descr.getset) {
    const { cls, name } = vm.descr.memberParts(op);
    return `<${t === vm.descr.member ? 'member' : 'attribute'} '${strValue(vm, name)}' of '${vm.typeobj.typeOfObject(cls)!.name}' objects>`;
  }
  return null;
}

/** Arguments by position and keyword for a constructor with the given parameter names. */
function bindParams(vm: Vm, fname: string, params: readonly string[], args: readonly number[], kwnames: number): number[] {
  const names = kwnames === 0 ? [] : vm.interp.tuple.items(kwnames).map((n) => strValue(vm, n));
  const npos = args.length - names.length;
  if (npos > params.length) raise(vm, 'TypeError', `${fname}() takes at most ${params.length} arguments (${npos} given)`);
  const out = params.map((_, i) => (i < npos ? args[i]! : 0));
  names.forEach((n, i) => {
    const k = params.indexOf(n);
    if (k < 0) raise(vm, 'TypeError', `'${n}' is an invalid keyword argument for ${fname}()`);
    out[k] = args[npos + i]!;
  });
  return out;
}

/** property_init: the parts, None as NULL; the doc from fget when none is given. New reference. */
function newProperty(vm: Vm, fget: number, fset: number, fdel: number, doc: number, name: number): number {
  const None = vm.interp.singletons.None;
  const part = (v: number): number => (v === None ? 0 : v);
  let getterDoc = false;
  let d = part(doc);
  if (d === 0 && part(fget) !== 0 && typeOf(vm, fget) === vm.interp.function.type) {
    const fdoc = vm.interp.function.fields(fget).doc;
    if (fdoc !== None) {
      d = fdoc;
      getterDoc = true;
    }
  }
  return vm.descr.newProperty({ fget: part(fget), fset: part(fset), fdel: part(fdel), doc: d, name: part(name) }, getterDoc);
}

/** functools_wraps (cm_init / sm_init): __module__, __name__, __qualname__, __doc__, __annotations__ of the callable copied into the wrapper's __dict__. */
function functoolsWraps(vm: Vm, wrapper: number, wrapped: number): void {
  const { interp } = vm;
  const d = interp.dict.new();
  vm.descr.setWrapperDict(wrapper, d);
  interp.rt.decref(d);
  for (const name of ['__module__', '__name__', '__qualname__', '__doc__', '__annotations__']) {
    const v = getAttrOrNull(vm, wrapped, id(vm, name));
    if (v === 0) continue;
    interp.dict.setItem(d, id(vm, name), v);
    interp.rt.decref(v);
  }
}

/** The constructors of property, classmethod, staticmethod (type_call's tp_new + tp_init for them). */
export function descriptorConstructors(vm: Vm): Array<[PyTypeObject, CMethod]> {
  const wrapper =
    (t: PyTypeObject): CMethod =>
    (_s, args, kwnames) => {
      if (kwnames !== 0 && vm.interp.tuple.size(kwnames) > 0) raise(vm, 'TypeError', `${t.name}() takes no keyword arguments`);
      if (args.length !== 1) raise(vm, 'TypeError', `${t.name} expected 1 argument, got ${args.length}`);
      const op = vm.descr.newWrapper(t, args[0]!);
      try {
        functoolsWraps(vm, op, args[0]!);
      } catch (e) {
        vm.interp.rt.decref(op);
        throw e;
      }
      return op;
    };
  return [
    [
      vm.descr.property,
      (_s, args, kwnames) => {
        const [fget, fset, fdel, doc] = bindParams(vm, 'property', ['fget', 'fset', 'fdel', 'doc'], args, kwnames);
        return newProperty(vm, fget!, fset!, fdel!, doc!, 0);
      },
    ],
    [vm.descr.classmethod, wrapper(vm.descr.classmethod)],
    [vm.descr.staticmethod, wrapper(vm.descr.staticmethod)],
  ];
}

/** The methods of property (getter / setter / deleter, __get__, __set__, __delete__, __set_name__) and mappingproxy. */
export function descriptorMethods(vm: Vm): Array<[PyTypeObject, Record<string, CMethod>]> {
  const None = vm.interp.singletons.None;
  // property_copy: a new property with one function replaced; a doc taken from the old getter is taken anew.
  const copyWith =
    (which: 'fget' | 'fset' | 'fdel'): CMethod =>
    (self, args) => {
      const p = vm.descr.propertyParts(self);
      const parts = { ...p, [which]: args[0]! };
      const doc = vm.descr.getterDoc(self) && which === 'fget' ? 0 : p.doc;
      return newProperty(vm, orNone(vm, parts.fget), orNone(vm, parts.fset), orNone(vm, parts.fdel), orNone(vm, doc), p.name);
    };
  const mapping = (self: number): number => vm.descr.mapping(self);
  // mappingproxy_methods: the mapping's own method, called.
  const dictMethod =
    (name: string): CMethod =>
    (self, args, kwnames) => {
      const bound = vm.cfunc.bind(typeLookup(vm, vm.interp.dict.type, id(vm, name)), mapping(self));
      try {
        return callObject(vm, bound, args, kwnames);
      } finally {
        vm.interp.rt.decref(bound);
      }
    };
  return [
    [
      vm.descr.property,
      {
        getter: copyWith('fget'),
        setter: copyWith('fset'),
        deleter: copyWith('fdel'),
        __get__: (self, args) => propertyGet(vm, self, args[0] === None ? 0 : args[0]!),
        __set__: (self, args) => (descrSet(vm, self, args[0]!, args[1]!), none(vm)),
        __delete__: (self, args) => (descrSet(vm, self, args[0]!, 0), none(vm)),
        __set_name__: (self, args) => {
          vm.descr.setPropertyName(self, args[1]!);
          return none(vm);
        },
      },
    ],
    [
      vm.descr.classmethod,
      { __get__: (self, args) => descrGet(vm, self, args[0] === None ? 0 : args[0]!, args[1] ?? vm.typeObject(typeOf(vm, args[0]!))) },
    ],
    [vm.descr.staticmethod, { __get__: (self) => newRef(vm, vm.descr.wrapped(self)) }],
    [
      vm.descr.getset,
      {
        __get__: (self, args) => getsetGet(vm, self, args[0] === None ? 0 : args[0]!),
        __set__: (self, args) => (descrSet(vm, self, args[0]!, args[1]!), none(vm)),
        __delete__: (self, args) => (descrSet(vm, self, args[0]!, 0), none(vm)),
      },
    ],
    [
      vm.descr.member,
      {
        __get__: (self, args) => memberGet(vm, self, args[0] === None ? 0 : args[0]!),
        __set__: (self, args) => (descrSet(vm, self, args[0]!, args[1]!), none(vm)),
        __delete__: (self, args) => (descrSet(vm, self, args[0]!, 0), none(vm)),
      },
    ],
    [
      vm.descr.mappingproxy,
      {
        keys: dictMethod('keys'),
        values: dictMethod('values'),
        items: dictMethod('items'),
        get: dictMethod('get'),
        copy: dictMethod('copy'),
        __getitem__: (self, args) => getItem(vm, mapping(self), args[0]!),
      },
    ],
  ];
}

/** type_add_members: a member_descriptor in the class's dict for each __slots__ name (in offset order). */
export function addMembers(vm: Vm, cls: number): void {
  const { interp } = vm;
  const t = vm.typeobj.typeOfObject(cls)!;
  if (!vm.classes.has(t.id)) return;
  for (const m of interp.instance.members(t)) {
    const name = id(vm, m.name);
    const d = vm.descr.newMember(cls, name, m.offset);
    interp.dict.setItem(vm.typeobj.dict(cls), name, d);
    interp.rt.decref(d);
  }
}

/**
 * type_new_descriptors' subtype_getsets: __dict__ and __weakref__
 * getset_descriptors in the class's dict when the class is the first in its
 * line to add them (its bases' instances have none).
 */
export function addGetsets(vm: Vm, cls: number, bases: readonly PyTypeObject[]): void {
  const { interp } = vm;
  const t = vm.typeobj.typeOfObject(cls)!;
  const addDict = t.dictoffset !== 0 && bases.every((b) => b.dictoffset === 0);
  const addWeak = t.weaklistoffset > 0 && bases.every((b) => b.weaklistoffset === 0);
  for (const [add, n] of [
    [addDict, '__dict__'],
    [addWeak, '__weakref__'],
  ] as const) {
    if (!add) continue;
    const d = vm.descr.newGetset(cls, id(vm, n));
    interp.dict.setItem(vm.typeobj.dict(cls), id(vm, n), d);
    interp.rt.decref(d);
  }
}

/** type_new_set_names: __set_name__(cls, name) of each namespace value whose class has one, in namespace order. */
export function setNames(vm: Vm, cls: number): void {
  const { interp } = vm;
  const items = interp.dict.items(vm.typeobj.dict(cls)).map(([k, v]) => (interp.rt.incref(k), interp.rt.incref(v), [k, v] as const));
  try {
    for (const [k, v] of items) {
      if (typeOf(vm, v) === vm.descr.property) {
        vm.descr.setPropertyName(v, k);
        continue;
      }
      const m = lookupSpecial(vm, v, '__set_name__');
      if (m !== 0) interp.rt.decref(callObject(vm, m, [v, cls, k], 0));
    }
  } finally {
    for (const [k, v] of items) {
      interp.rt.decref(k);
      interp.rt.decref(v);
    }
  }
}

/**
 * init_subclass: super(cls, cls).__init_subclass__(**kwargs), the first
 * __init_subclass__ after cls in its MRO (object's takes no keywords).
 */
export function initSubclass(vm: Vm, cls: number, kwargs: ReadonlyMap<string, number>): void {
  const { interp } = vm;
  const mro = vm.mroOf(vm.typeobj.typeOfObject(cls)!);
  const name = id(vm, '__init_subclass__');
  for (let i = 1; i < mro.length; i++) {
    const owner = vm.typeObject(interp.rt.types[mro[i]!]!);
    const v = interp.dict.getItem(vm.typeobj.dict(owner), name);
    if (v === 0) continue;
    if (mro[i] === interp.object.type.id) {
      if (kwargs.size > 0) raise(vm, 'TypeError', `${vm.typeobj.typeOfObject(cls)!.name}.__init_subclass__() takes no keyword arguments`);
      return;
    }
    const bound = descrGet(vm, v, 0, cls);
    const f = bound !== 0 ? bound : newRef(vm, v);
    const names = [...kwargs.keys()];
    const kwnames = names.length > 0 ? vm.tupleOf(names.map((n) => id(vm, n))) : 0;
    try {
      interp.rt.decref(callObject(vm, f, [...kwargs.values()], kwnames));
    } finally {
      interp.rt.decref(f);
      interp.rt.xdecref(kwnames);
    }
    return;
  }
}

/** type_new_set_attrs: a plain function __init_subclass__ or __class_getitem__ becomes a classmethod. */
export function implicitClassmethods(vm: Vm, ns: number): void {
  const { interp } = vm;
  for (const n of ['__init_subclass__', '__class_getitem__']) {
    const v = interp.dict.getItem(ns, id(vm, n));
    if (v === 0 || typeOf(vm, v) !== interp.function.type) continue;
    const cm = vm.descr.newWrapper(vm.descr.classmethod, v);
    interp.dict.setItem(ns, id(vm, n), cm);
    interp.rt.decref(cm);
  }
}
