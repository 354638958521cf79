/*
 * Metaclasses (CPython 3.11: Python/bltinmodule.c builtin___build_class__;
 * Objects/typeobject.c _PyType_CalculateMetaclass, type_new's metatype
 * winner, type_call through a metaclass's __call__, type_init,
 * type_prepare). A class statement's metaclass is its `metaclass=`
 * keyword or the type of its first base, made the most derived of its
 * bases' types (else "metaclass conflict"); __prepare__ makes the
 * namespace the body runs in; the metaclass is then called with (name,
 * bases, namespace, **kwds) — its __call__ (type_call unless a metaclass
 * overrides it), its __new__ (type.__new__ makes the class an instance of
 * the metaclass) and its __init__.
 *
 * The namespace may be any mapping: STORE_NAME, LOAD_NAME and DELETE_NAME
 * use PyObject_SetItem / GetItem / DelItem on one that is no exact dict
 * (a dict subclass's __setitem__ runs), and type.__new__ then wants a dict.
 *
 * Invariants: every class a metaclass makes has that metaclass as ob_type
 * and holds a reference to it (typeobject.ts newHeap); what is returned is
 * a new reference.
 */
import type { CMethod } from '../objects/types/cfunction.js';
import type { PyTypeObject } from '../objects/type.js';
import { callObject, getAttrOrNull, getItem, id, isStr, newRef, none, raise, setItem, toPyErr, typeLookup, typeName, typeOf } from './abstract.js';
import { descrGet } from './descriptors.js';
import type { Vm } from './vm.js';

/** What installMetaclass keeps: type_call without the metaclass's __call__, and type's own methods. */
interface MetaState {
  readonly typeCall: (cls: number, args: readonly number[], kwnames: number) => number;
  /** The bodies of type.__call__ and type.__new__ (a class inheriting them overrides neither). */
  readonly typeMethods: Set<CMethod>;
}
const states = new WeakMap<Vm, MetaState>();

/** _PyType_CalculateMetaclass: the most derived of meta and the bases' types; TypeError on a conflict. */
export function calculateMetaclass(vm: Vm, meta: PyTypeObject, baseTypes: readonly PyTypeObject[]): PyTypeObject {
  let winner = meta;
  for (const t of baseTypes) {
    if (vm.isSubtype(winner, t)) continue;
    if (vm.isSubtype(t, winner)) {
      winner = t;
      continue;
    }
    raise(vm, 'TypeError', 'metaclass conflict: the metaclass of a derived class must be a (non-strict) subclass of the metaclasses of all its bases');
  }
  return winner;
}

/** kwnames for the keyword arguments in kw (0 for none; new reference). */
function kwTuple(vm: Vm, kw: ReadonlyMap<string, number>): number {
  return kw.size > 0 ? vm.tupleOf([...kw.keys()].map((k) => id(vm, k))) : 0;
}

/**
 * builtin___build_class__(func, name, *bases, metaclass=..., **kwds): the
 * metaclass, the namespace from its __prepare__, the class body run in it,
 * then metaclass(name, bases, namespace, **kwds). New reference.
 */
export function buildClass(vm: Vm, pos: readonly number[], kwargs: ReadonlyMap<string, number>, evalBody: (func: number, ns: number) => void): number {
  const { interp } = vm;
  const rt = interp.rt;
  if (pos.length < 2) raise(vm, 'TypeError', '__build_class__: not enough arguments');
  const [func, name] = [pos[0]!, pos[1]!];
  if (!interp.function.check(func)) raise(vm, 'TypeError', '__build_class__: func must be a function');
  if (!isStr(vm, name)) raise(vm, 'TypeError', '__build_class__: name is not a string');
  const kw = new Map(kwargs);
  const explicit = kw.get('metaclass');
  kw.delete('metaclass');
  const baseObjs = pos.slice(2);
  let meta = explicit ?? (baseObjs.length > 0 ? vm.typeObject(typeOf(vm, baseObjs[0]!)) : vm.typeObject(vm.typeobj.type));
  const isClass = vm.typeobj.check(meta);
  if (isClass) meta = vm.typeObject(calculateMetaclass(vm, vm.typeobj.typeOfObject(meta)!, baseObjs.map((b) => typeOf(vm, b))));
  const bases = vm.tupleOf(baseObjs);
  const kwnames = kwTuple(vm, kw);
  let ns = 0;
  try {
    const prep = getAttrOrNull(vm, meta, id(vm, '__prepare__'));
    if (prep === 0) ns = interp.dict.new();
    else {
      try {
        ns = callObject(vm, prep, [name, bases, ...kw.values()], kwnames);
      } finally {
        rt.decref(prep);
      }
    }
    if (!interp.dict.check(ns) && !lookupMapping(vm, ns)) {
      const who = isClass ? vm.typeobj.typeOfObject(meta)!.name : '<metaclass>';
      raise(vm, 'TypeError', `${who}.__prepare__() must return a mapping, not ${typeName(vm, ns)}`);
    }
    evalBody(func, ns);
    return callObject(vm, meta, [name, bases, ns, ...kw.values()], kwnames);
  } finally {
    rt.xdecref(ns);
    rt.decref(bases);
    rt.xdecref(kwnames);
  }
}

/** LOAD_NAME from a namespace that is no exact dict: PyObject_GetItem, 0 on KeyError. New reference. */
export function namespaceGet(vm: Vm, ns: number, name: number): number {
  try {
    return getItem(vm, ns, name);
  } catch (e) {
    const err = toPyErr(vm, e);
    if (!vm.isSubtype(typeOf(vm, err.exc), vm.excType('KeyError'))) throw err;
    vm.interp.rt.decref(err.exc);
    return 0;
  }
}

/** DELETE_NAME from a namespace that is no exact dict: PyObject_DelItem, NameError on KeyError. */
export function namespaceDel(vm: Vm, ns: number, name: number, text: string): void {
  try {
    setItem(vm, ns, name, 0);
  } catch (e) {
    const err = toPyErr(vm, e);
    if (!vm.isSubtype(typeOf(vm, err.exc), vm.excType('KeyError'))) throw err;
    vm.interp.rt.decref(err.exc);
    raise(vm, 'NameError', `name '${text}' is not defined`);
  }
}

/** PyMapping_Check: the type has __getitem__. */
function lookupMapping(vm: Vm, op: number): boolean {
  return typeLookup(vm, typeOf(vm, op), id(vm, '__getitem__')) !== 0;
}

/**
 * Installs type.__call__, __init__ and __prepare__, and makes vm.callType
 * go through a metaclass's own __call__. typeTpNew is type.__new__ (the
 * wrapper typeCall.ts installs calls it for metaclasses).
 */
export function installMetaclass(vm: Vm): void {
  const { interp } = vm;
  const rt = interp.rt;
  const typeCall = vm.callType;
  const typeObj = vm.typeObject(vm.typeobj.type);
  const dict = vm.typeobj.dict(typeObj);
  const s: MetaState = { typeCall, typeMethods: new Set() };
  states.set(vm, s);
  const method = (name: string, meth: CMethod): void => {
    s.typeMethods.add(meth);
    const d = vm.cfunc.newDescr(typeObj, id(vm, name), vm.cfunc.define({ name, meth }));
    interp.dict.setItem(dict, id(vm, name), d);
    rt.decref(d);
  };
  // type_call: tp_new then tp_init, without looking for a metaclass's __call__ again.
  method('__call__', (self, args, kwnames) => typeCall(self, args, kwnames));
  // type_init: 1 or 3 arguments, no keywords with 1.
  method('__init__', (_self, args, kwnames) => {
    const nkw = kwnames !== 0 ? interp.tuple.size(kwnames) : 0;
    const n = args.length - nkw;
    if (n === 1 && nkw > 0) raise(vm, 'TypeError', 'type.__init__() takes no keyword arguments');
    if (n !== 1 && n !== 3) raise(vm, 'TypeError', 'type.__init__() takes 1 or 3 arguments');
    return none(vm);
  });
  // type_prepare: a new dict, whatever the arguments.
  const prep = vm.cfunc.newFunction(vm.cfunc.define({ name: '__prepare__', meth: () => interp.dict.new() }), typeObj, 0);
  interp.dict.setItem(dict, id(vm, '__prepare__'), prep);
  rt.decref(prep);
  vm.callType = (cls, args, kwnames) => {
    const meta = typeOf(vm, cls);
    if (meta !== vm.typeobj.type) {
      // slot_tp_call: a metaclass's own __call__.
      const call = typeLookup(vm, meta, id(vm, '__call__'));
      if (call !== 0 && !(typeOf(vm, call) === vm.cfunc.descrType && s.typeMethods.has(vm.cfunc.def(call).meth))) {
        const bound = descrGet(vm, call, cls, vm.typeObject(meta));
        const f = bound !== 0 ? bound : newRef(vm, call);
        try {
          return callObject(vm, f, bound !== 0 ? args : [cls, ...args], kwnames);
        } finally {
          rt.decref(f);
        }
      }
    }
    return typeCall(cls, args, kwnames);
  };
}

/** Whether t is a metaclass (type or a class deriving from it). */
export function isMetatype(vm: Vm, t: PyTypeObject): boolean {
  return vm.isSubtype(t, vm.typeobj.type);
}

/**
 * type_new's argument checks and metatype winner for type.__new__(metatype,
 * name, bases, ns, **kwds) (also type(name, bases, ns)): a winner with a
 * __new__ of its own makes the class instead. newClass is type_new's body
 * (builtins.ts typeNew). New reference.
 */
export function typeTpNew(
  vm: Vm,
  metatype: PyTypeObject,
  args: readonly number[],
  kwargs: ReadonlyMap<string, number>,
  newClass: (name: number, bases: number, ns: number, kw: ReadonlyMap<string, number>, metatype: PyTypeObject) => number,
): number {
  const { interp } = vm;
  if (metatype === vm.typeobj.type && args.length === 1 && kwargs.size === 0) return newRef(vm, vm.typeObject(typeOf(vm, args[0]!)));
  if (args.length !== 3) raise(vm, 'TypeError', metatype === vm.typeobj.type ? 'type() takes 1 or 3 arguments' : 'type.__new__() takes exactly 3 arguments (' + args.length + ' given)');
  const [name, bases, ns] = [args[0]!, args[1]!, args[2]!];
  if (!isStr(vm, name)) raise(vm, 'TypeError', `type.__new__() argument 1 must be str, not ${typeName(vm, name)}`);
  if (typeOf(vm, bases) !== interp.tuple.type) raise(vm, 'TypeError', `type.__new__() argument 2 must be tuple, not ${typeName(vm, bases)}`);
  if (!interp.dict.check(ns)) raise(vm, 'TypeError', `type.__new__() argument 3 must be dict, not ${typeName(vm, ns)}`);
  const baseTypes = interp.tuple.items(bases).map((b) => typeOf(vm, b));
  const winner = calculateMetaclass(vm, metatype, baseTypes);
  if (winner !== metatype) {
    // type_new: the winner's own __new__ makes the class.
    const newm = typeLookup(vm, winner, id(vm, '__new__'));
    const typeNewm = interp.dict.getItem(vm.typeobj.dict(vm.typeObject(vm.typeobj.type)), id(vm, '__new__'));
    if (newm !== typeNewm) {
      const kwnames = kwTuple(vm, kwargs);
      const bound = descrGet(vm, newm, 0, vm.typeObject(winner));
      const f = bound !== 0 ? bound : newRef(vm, newm);
      try {
        return callObject(vm, f, [vm.typeObject(winner), name, bases, ns, ...kwargs.values()], kwnames);
      } finally {
        interp.rt.decref(f);
        interp.rt.xdecref(kwnames);
      }
    }
  }
  return newClass(name, bases, ns, kwargs, winner);
}
