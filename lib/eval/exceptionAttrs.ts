/*
 * The attributes of exception objects (Objects/exceptions.c's
 * BaseException_getset and members, CPython 3.11): args, __traceback__,
 * __context__, __cause__, __suppress_context__, StopIteration.value and
 * the instance __dict__ (made on first use), read and written.
 *
 * Invariants: setting __cause__ sets __suppress_context__ (as `raise ...
 * from` does); each setter type-checks its value as CPython does and
 * changes nothing on error.
 */
import { iterate, newBool, newRef, none, raise, typeName } from './abstract.js';
import type { Vm } from './vm.js';

/** Makes the exception's __dict__ when it has none. Borrowed. */
export function exceptionDict(vm: Vm, exc: number): number {
  let d = vm.exc.get(exc, 'dict');
  if (d === 0) {
    d = vm.interp.dict.new();
    vm.exc.set(exc, 'dict', d);
    vm.interp.rt.decref(d);
  }
  return d;
}

/** BaseException_getset (and StopIteration's value member): new reference, or 0 when key is none of them. */
export function exceptionGetattr(vm: Vm, exc: number, key: string): number {
  const field = (f: 'traceback' | 'context' | 'cause'): number => {
    const v = vm.exc.get(exc, f);
    return v === 0 ? none(vm) : newRef(vm, v);
  };
  switch (key) {
    case 'args':
      return newRef(vm, vm.exc.get(exc, 'args'));
    case '__traceback__':
      return field('traceback');
    case '__context__':
      return field('context');
    case '__cause__':
      return field('cause');
    case '__suppress_context__':
      return newBool(vm, vm.exc.suppressContext(exc));
    case '__dict__':
      return newRef(vm, exceptionDict(vm, exc));
    case 'value': {
      // StopIteration_init: value is args[0], or None.
      if (!vm.isSubtype(vm.interp.rt.typeOf(exc), vm.excType('StopIteration'))) return 0;
      const args = vm.interp.tuple.items(vm.exc.get(exc, 'args'));
      return args.length > 0 ? newRef(vm, args[0]!) : none(vm);
    }
    default:
      return 0;
  }
}

/** BaseException_set_args / set_cause / set_context / set_tb and __suppress_context__: whether key is one of them (value 0: del). */
export function exceptionSetattr(vm: Vm, exc: number, key: string, value: number): boolean {
  const { interp } = vm;
  const None = interp.singletons.None;
  const chained = (f: 'context' | 'cause', what: string): void => {
    if (value === 0) raise(vm, 'TypeError', `${what} may not be deleted`);
    if (value !== None && !vm.exc.check(value)) raise(vm, 'TypeError', `exception ${what} must be None or derive from BaseException`);
    vm.exc.set(exc, f, value === None ? 0 : value);
  };
  switch (key) {
    case 'args': {
      if (value === 0) raise(vm, 'TypeError', 'args may not be deleted');
      // PySequence_Tuple(value).
      let t: number;
      if (interp.tuple.check(value)) t = newRef(vm, value);
      else {
        const items = iterate(vm, value);
        t = vm.tupleOf(items);
        for (const x of items) interp.rt.decref(x);
      }
      vm.exc.set(exc, 'args', t);
      interp.rt.decref(t);
      return true;
    }
    case '__cause__':
      chained('cause', 'cause');
      vm.exc.setSuppressContext(exc, true);
      return true;
    case '__context__':
      chained('context', 'context');
      return true;
    case '__traceback__':
      if (value === 0) raise(vm, 'TypeError', '__traceback__ may not be deleted');
      if (value !== None) raise(vm, 'TypeError', '__traceback__ must be a traceback or None');
      vm.exc.set(exc, 'traceback', 0);
      return true;
    case '__suppress_context__':
      if (value === 0) raise(vm, 'TypeError', "can't delete __suppress_context__ attribute");
      if (value !== interp.long.True && value !== interp.long.False) raise(vm, 'TypeError', `attribute value type must be bool, not '${typeName(vm, value)}'`);
      vm.exc.setSuppressContext(exc, value === interp.long.True);
      return true;
    default:
      return false;
  }
}
