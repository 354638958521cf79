/*
 * Coroutines (Objects/genobject.c, CPython 3.11) driven without an event
 * loop: `await` (GET_AWAITABLE, _PyCoro_GetAwaitableIter) on a coroutine
 * or on an object whose class defines __await__; `async for` and `async
 * with` over classes with __aiter__/__anext__ and __aenter__/__aexit__
 * (Python/ceval.c's GET_AITER, GET_ANEXT, BEFORE_ASYNC_WITH); a
 * coroutine's send(), which is a generator's (gen_send_ex2)
 * with the coroutine's messages.
 *
 * Invariants: what getAwaitableIter returns is a new reference to an
 * iterator the SEND loop can drive (a coroutine, a generator, or an
 * iterator __await__ returned); errors are raised before anything changes.
 */
import type { CMethod } from '../objects/types/cfunction.js';
import { callObject, callSpecial, getAttr, getIter, id, iterNext, lookupSpecial, newRef, raise, strValue, toPyErr, typeName, typeOf } from './abstract.js';
import { asyncAwaitableSend } from './asyncGenerators.js';
import { genSend } from './ceval.js';
import { PyErr } from './pyerr.js';
import type { Vm } from './vm.js';

/** Whether op is an iterator (its type has tp_iternext): a generator, a built-in iterator, or a class with __next__. */
function isIterator(vm: Vm, op: number): boolean {
  if (vm.gen.check(op) && !vm.gen.isCoroutine(op)) return true;
  if (lookupSpecial(vm, op, '__next__') !== 0) return true;
  // A built-in iterator is its own iterator.
  try {
    const it = getIter(vm, op);
    vm.interp.rt.decref(it);
    return it === op;
  } catch {
    return false;
  }
}

/**
 * GET_AWAITABLE's _PyCoro_GetAwaitableIter plus its checks (oparg 1: after
 * __aenter__, 2: after __aexit__, for the message). New reference.
 */
export function getAwaitableIter(vm: Vm, obj: number, oparg: number): number {
  // A coroutine, and the asend / athrow awaitables (their am_await is themselves).
  if (vm.gen.isCoroutine(obj) || vm.asyncGen.kindOf(obj) !== null) return newRef(vm, obj);
  const m = lookupSpecial(vm, obj, '__await__');
  if (m === 0) {
    if (oparg === 1) raise(vm, 'TypeError', `'async with' received an object from __aenter__ that does not implement __await__: ${typeName(vm, obj)}`);
    if (oparg === 2) raise(vm, 'TypeError', `'async with' received an object from __aexit__ that does not implement __await__: ${typeName(vm, obj)}`);
    raise(vm, 'TypeError', `object ${typeName(vm, obj)} can't be used in 'await' expression`);
  }
  const res = callSpecial(vm, m, obj, []);
  if (vm.gen.isCoroutine(res)) {
    vm.interp.rt.decref(res);
    raise(vm, 'TypeError', '__await__() returned a coroutine');
  }
  if (!isIterator(vm, res)) {
    const name = typeName(vm, res);
    vm.interp.rt.decref(res);
    raise(vm, 'TypeError', `__await__() returned non-iterator of type '${name}'`);
  }
  return res;
}

/** GET_AITER: obj.__aiter__(), which must have __anext__. New reference. */
export function getAsyncIter(vm: Vm, obj: number): number {
  // An async generator is its own async iterator (PyObject_SelfIter).
  if (vm.gen.isAsyncGen(obj)) return newRef(vm, obj);
  const m = lookupSpecial(vm, obj, '__aiter__');
  if (m === 0) raise(vm, 'TypeError', `'async for' requires an object with __aiter__ method, got ${typeName(vm, obj)}`);
  const it = callSpecial(vm, m, obj, []);
  if (lookupSpecial(vm, it, '__anext__') === 0) {
    const name = typeName(vm, it);
    vm.interp.rt.decref(it);
    raise(vm, 'TypeError', `'async for' received an object from __aiter__ that does not implement __anext__: ${name}`);
  }
  return it;
}

/** GET_ANEXT: the awaitable of aiter.__anext__(). New reference. */
export function getAsyncNext(vm: Vm, aiter: number): number {
  // GET_ANEXT: an async generator's am_anext, an asend awaitable as it is.
  if (vm.gen.isAsyncGen(aiter)) return vm.asyncGen.newASend(aiter, 0);
  const m = lookupSpecial(vm, aiter, '__anext__');
  if (m === 0) raise(vm, 'TypeError', `'async for' requires an iterator with __anext__ method, got ${typeName(vm, aiter)}`);
  const next = callSpecial(vm, m, aiter, []);
  try {
    return getAwaitableIter(vm, next, 0);
  } catch (e) {
    const err = toPyErr(vm, e);
    if (!vm.isSubtype(typeOf(vm, err.exc), vm.excType('TypeError'))) throw err;
    vm.interp.rt.decref(err.exc);
    raise(vm, 'TypeError', `'async for' received an invalid object from __anext__: ${typeName(vm, next)}`);
  } finally {
    vm.interp.rt.decref(next);
  }
}

/** BEFORE_ASYNC_WITH: [the bound __aexit__, the result of __aenter__()], new references. */
export function beforeAsyncWith(vm: Vm, mgr: number): [number, number] {
  const enter = lookupSpecial(vm, mgr, '__aenter__');
  if (enter === 0) raise(vm, 'TypeError', `'${typeName(vm, mgr)}' object does not support the asynchronous context manager protocol`);
  const exit = lookupSpecial(vm, mgr, '__aexit__');
  if (exit === 0) raise(vm, 'TypeError', `'${typeName(vm, mgr)}' object does not support the asynchronous context manager protocol (missed __aexit__ method)`);
  const boundExit = vm.method.new(exit, mgr);
  try {
    return [boundExit, callSpecial(vm, enter, mgr, [])];
  } catch (e) {
    vm.interp.rt.decref(boundExit);
    throw e;
  }
}

/**
 * SEND's step for a receiver that is not a generator or coroutine: its
 * tp_iternext when v is None, else its send(v) method; a StopIteration it
 * raises ends the delegation with its value (_PyGen_FetchStopIterationValue).
 * v borrowed; the value returned is new.
 */
export function sendTo(vm: Vm, receiver: number, v: number): ['yield' | 'return', number] {
  const { interp } = vm;
  const None = interp.singletons.None;
  try {
    if (vm.asyncGen.kindOf(receiver) !== null) return ['yield', asyncAwaitableSend(vm, receiver, v)];
    if (v === None) {
      // A class's __next__ is called as it is (its StopIteration may carry a value); a built-in iterator's tp_iternext ends with none.
      const m = lookupSpecial(vm, receiver, '__next__');
      const r = m !== 0 ? callSpecial(vm, m, receiver, []) : iterNext(vm, receiver);
      return r === 0 ? ['return', newRef(vm, None)] : ['yield', r];
    }
    // PyObject_CallMethodOneArg(receiver, "send", v).
    const send = getAttr(vm, receiver, id(vm, 'send'));
    try {
      return ['yield', callObject(vm, send, [v], 0)];
    } finally {
      interp.rt.decref(send);
    }
  } catch (e) {
    const err = toPyErr(vm, e);
    if (!vm.isSubtype(typeOf(vm, err.exc), vm.excType('StopIteration'))) throw err;
    const value = vm.exc.stopIterationValue(err.exc);
    const r = newRef(vm, value === 0 ? None : value);
    interp.rt.decref(err.exc);
    return ['return', r];
  }
}

/** coro_methods' send (gen_send); throw and close are the generator's (asyncGenerators.ts). */
export function coroutineMethods(vm: Vm): Record<string, CMethod> {
  const { interp } = vm;
  const None = interp.singletons.None;
  return {
    send: (self, args) => {
      if (args.length !== 1) raise(vm, 'TypeError', `send() takes exactly one argument (${args.length} given)`);
      const [status, v] = genSend(vm, self, args[0]!);
      if (status === 'yield') return v;
      // _PyGen_SetStopIterationValue: the return value rides on StopIteration.
      const a = vm.tupleOf(v === None ? [] : [v]);
      interp.rt.decref(v);
      const e = vm.exc.new(vm.excType('StopIteration'), a);
      interp.rt.decref(a);
      throw new PyErr(e, 'StopIteration');
    },
  };
}

/** coro_repr. */
export function coroutineRepr(vm: Vm, op: number, address: string): string {
  return `<coroutine object ${strValue(vm, vm.gen.qualname(op))} at ${address}>`;
}
