/*
 * object's own methods (Objects/typeobject.c, CPython 3.11: object_methods
 * and the slots of PyBaseObject_Type as methods): __init__, the generic
 * attribute protocol (__getattribute__, __setattr__, __delattr__),
 * __hash__ (the address), __repr__ (object_repr), __str__ (object_str:
 * the repr), the rich comparisons (object_richcompare: identity for ==,
 * the inverse of __eq__ for !=, NotImplemented otherwise) and
 * __init_subclass__, so `object.__repr__(self)` and `__hash__ =
 * object.__hash__` work as in CPython.
 *
 * Invariants: lookupSpecial does not report these (a class that inherits
 * them behaves as the built-in slot does); each method returns a new
 * reference.
 */
import type { CMethod } from '../objects/types/cfunction.js';
import { hashPointer } from '../objects/types/singletons.js';
import { attributeErrorMessage, genericGetAttr, genericSetAttr, id, isTrue, newBool, newInt, newRef, newStr, none, objectRepr, raise, repr, richCompare, typeOf } from './abstract.js';
import type { Vm } from './vm.js';

/** object_methods and object's slots, by name. */
export function objectMethods(vm: Vm): Record<string, CMethod> {
  const { interp } = vm;
  const NotImpl = interp.singletons.NotImplemented;
  const notImplemented: CMethod = () => newRef(vm, NotImpl);
  return {
    __init__: (self, args) => {
      if (args.length > 0 && vm.classes.has(typeOf(vm, self).id)) raise(vm, 'TypeError', 'object.__init__() takes exactly one argument (the instance to initialize)');
      return none(vm);
    },
    __getattribute__: (self, args) => {
      const v = genericGetAttr(vm, self, args[0]!);
      if (v === 0) raise(vm, 'AttributeError', attributeErrorMessage(vm, self, args[0]!));
      return v;
    },
    __setattr__: (self, args) => (genericSetAttr(vm, self, args[0]!, args[1]!), none(vm)),
    __delattr__: (self, args) => (genericSetAttr(vm, self, args[0]!, 0), none(vm)),
    __hash__: (self) => newInt(vm, hashPointer(self)),
    __repr__: (self) => newStr(vm, objectRepr(vm, self)),
    __str__: (self) => newStr(vm, repr(vm, self)),
    __eq__: (self, args) => newRef(vm, self === args[0] ? interp.long.True : NotImpl),
    __ne__: (self, args) => {
      // object_richcompare(Py_NE): the inverse of __eq__ unless that is NotImplemented.
      const r = richCompare(vm, self, args[0]!, 2);
      if (r === NotImpl) return r;
      const v = !isTrue(vm, r);
      interp.rt.decref(r);
      return newBool(vm, v);
    },
    __lt__: notImplemented,
    __le__: notImplemented,
    __gt__: notImplemented,
    __ge__: notImplemented,
  };
}

/** object.__init_subclass__: a classmethod in object's dict that takes no arguments. */
export function installObjectInitSubclass(vm: Vm): void {
  const { interp } = vm;
  const f = vm.cfunc.newFunction(vm.cfunc.define({ name: '__init_subclass__', meth: () => none(vm) }), 0, 0);
  const cm = vm.descr.newWrapper(vm.descr.classmethod, f);
  vm.typeCache.modified(interp.object.type);
  interp.dict.setItem(vm.typeobj.dict(vm.typeObject(interp.object.type)), id(vm, '__init_subclass__'), cm);
  interp.rt.decref(cm);
  interp.rt.decref(f);
}
