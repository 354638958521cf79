/*
 * The `with` statement's protocol (Python/ceval.c, CPython 3.11.7):
 * BEFORE_WITH looks __enter__ and __exit__ up on the manager's type
 * (_PyObject_LookupSpecial) and says in a TypeError which one is missing;
 * WITH_EXCEPT_START calls the bound __exit__ with the exception's type,
 * the exception and its traceback.
 *
 * Invariants: on a missing method nothing is called and nothing is
 * allocated; the values returned are new references.
 */
import { callObject, id, raise, typeLookup, typeName, typeOf } from './abstract.js';
import type { Vm } from './vm.js';

/** BEFORE_WITH: [the bound __exit__, the result of __enter__()], new references. */
export function beforeWith(vm: Vm, mgr: number): [number, number] {
  const t = typeOf(vm, mgr);
  const enter = typeLookup(vm, t, id(vm, '__enter__'));
  if (enter === 0) raise(vm, 'TypeError', `'${typeName(vm, mgr)}' object does not support the context manager protocol`);
  const exit = typeLookup(vm, t, id(vm, '__exit__'));
  if (exit === 0) raise(vm, 'TypeError', `'${typeName(vm, mgr)}' object does not support the context manager protocol (missed __exit__ method)`);
  const boundExit = vm.method.new(exit, mgr);
  try {
    return [boundExit, callObject(vm, enter, [mgr], 0)];
  } catch (e) {
    vm.interp.rt.decref(boundExit);
    throw e;
  }
}

/** WITH_EXCEPT_START: exit(type(val), val, val.__traceback__ or None). New reference. */
export function withExceptStart(vm: Vm, exit: number, val: number): number {
  const tb = vm.exc.check(val) ? vm.exc.get(val, 'traceback') : 0;
  return callObject(vm, exit, [vm.typeObject(typeOf(vm, val)), val, tb === 0 ? vm.interp.singletons.None : tb], 0);
}
