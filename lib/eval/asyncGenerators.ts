/*
 * Async generators driven without an event loop (Objects/genobject.c,
 * CPython 3.11): async_generator's __aiter__, __anext__, asend, athrow and
 * aclose; the asend and athrow awaitables' send, throw, close, __next__
 * and __await__ (async_gen_asend_send, async_gen_athrow_send, ...), with
 * async_gen_unwrap_value telling a value the generator yielded (wrapped by
 * ASYNC_GEN_WRAP: the await ends with StopIteration carrying it) from one
 * an `await` inside passed up (handed on to whoever drives the
 * coroutine); and generator.throw / coroutine.throw (gen_throw), which
 * athrow and aclose rest on, and their close() (gen_close).
 *
 * Invariants: an asend or athrow moves INIT -> ITER -> CLOSED and a closed
 * one only raises RuntimeError; ag_running_async is set while one of them
 * is being awaited and cleared when it finishes; ag_closed once aclose()
 * ran or the generator finished.
 */
import type { CMethod } from '../objects/types/cfunction.js';
import { AWAITABLE_STATE_CLOSED, AWAITABLE_STATE_INIT, AWAITABLE_STATE_ITER } from '../objects/types/asyncGen.js';
import { FRAME_CLEARED, FRAME_COMPLETED, FRAME_CREATED, FRAME_EXECUTING } from '../objects/types/generator.js';
import { callObject, getAttrOrNull, id, newErr, newRef, raise, raiseStopIteration, repr, toPyErr, typeName, typeOf } from './abstract.js';
import { genSend, genThrow, genYieldFrom } from './ceval.js';
import { writeUnraisable } from './traceback.js';
import type { Vm } from './vm.js';

type Step = ['yield' | 'return', number];

/**
 * _gen_throw's throw_here: the exception athrow / throw(typ[, val[, tb]])
 * raises — typ a class (called with val, or val itself when it is an
 * instance of typ) or an instance (then val must be None); tb, when given,
 * a traceback. New reference.
 */
function thrownException(vm: Vm, typ: number, val: number, tb: number): number {
  const { interp } = vm;
  const None = interp.singletons.None;
  if (tb !== 0 && tb !== None && !vm.traceback.check(tb)) raise(vm, 'TypeError', 'throw() third argument must be a traceback object');
  let exc: number;
  const cls = vm.typeobj.typeOfObject(typ);
  if (cls !== undefined && vm.isSubtype(cls, vm.excType('BaseException'))) {
    if (val !== 0 && val !== None && vm.exc.check(val) && vm.isSubtype(typeOf(vm, val), cls)) exc = newRef(vm, val);
    else {
      const args = val === 0 || val === None ? [] : interp.tuple.check(val) ? interp.tuple.items(val) : [val];
      exc = callObject(vm, typ, args, 0);
    }
  } else if (vm.exc.check(typ)) {
    if (val !== 0 && val !== None) raise(vm, 'TypeError', 'instance exception may not have a separate value');
    exc = newRef(vm, typ);
  } else raise(vm, 'TypeError', `exceptions must be classes or instances deriving from BaseException, not ${typeName(vm, typ)}`);
  if (tb !== 0 && tb !== None) vm.exc.set(exc, 'traceback', tb);
  return exc;
}

/** The (typ, val, tb) arguments of throw() / athrow(): 1 to 3 (PyArg_UnpackTuple's messages). */
function throwArgs(vm: Vm, name: string, args: readonly number[]): [number, number, number] {
  if (args.length < 1) raise(vm, 'TypeError', `${name} expected at least 1 argument, got ${args.length}`);
  if (args.length > 3) raise(vm, 'TypeError', `${name} expected at most 3 arguments, got ${args.length}`);
  return [args[0]!, args[1] ?? 0, args[2] ?? 0];
}

/** gen_send's result as a method returns it: the yielded value, or StopIteration with the returned one. */
function stepResult(vm: Vm, [status, v]: Step): number {
  if (status === 'yield') return v;
  return raiseStopIteration(vm, v);
}

/** gen_throw / coro_throw: throw(typ[, val[, tb]]) into a generator or coroutine. */
export function generatorThrow(vm: Vm): CMethod {
  return (self, args) => {
    const [typ, val, tb] = throwArgs(vm, 'throw', args);
    return stepResult(vm, genThrow(vm, self, thrownException(vm, typ, val, tb)));
  };
}

/**
 * gen_close: a delegate (`yield from` / `await`) closed first
 * (gen_close_iter: its close(), when it has one), then GeneratorExit
 * thrown in where the generator (or coroutine) stopped, so its finally
 * blocks and handlers run; its finishing, or raising StopIteration or
 * GeneratorExit, is a quiet None; a value yielded instead is RuntimeError
 * ("ignored GeneratorExit"). A generator not started, or finished, just
 * closes. Returns None (new reference).
 */
export function genClose(vm: Vm, gen: number): number {
  const rt = vm.interp.rt;
  const None = vm.interp.singletons.None;
  const state = vm.gen.state(gen);
  if (state === FRAME_CREATED || state === FRAME_COMPLETED || state === FRAME_CLEARED) {
    vm.gen.clearFrame(gen);
    return newRef(vm, None);
  }
  const yf = genYieldFrom(vm, gen);
  let exc = 0;
  if (yf !== 0) {
    // gen_close_iter, with the frame marked running meanwhile.
    vm.gen.setState(gen, FRAME_EXECUTING);
    try {
      if (vm.gen.check(yf)) rt.decref(genClose(vm, yf));
      else {
        const close = getAttrOrNull(vm, yf, id(vm, 'close'));
        if (close !== 0) {
          try {
            rt.decref(callObject(vm, close, [], 0));
          } finally {
            rt.decref(close);
          }
        }
      }
    } catch (e) {
      exc = toPyErr(vm, e).exc;
    } finally {
      vm.gen.setState(gen, state);
    }
  }
  let step: Step;
  try {
    step = genThrow(vm, gen, exc !== 0 ? exc : newErr(vm, 'GeneratorExit', null).exc, true);
  } catch (e) {
    const err = toPyErr(vm, e);
    if (!isA(vm, err.exc, 'StopIteration') && !isA(vm, err.exc, 'GeneratorExit')) throw err;
    rt.decref(err.exc);
    return newRef(vm, None);
  }
  rt.decref(step[1]);
  if (step[0] === 'return') return newRef(vm, None);
  return raise(vm, 'RuntimeError', `${vm.gen.isCoroutine(gen) ? 'coroutine' : vm.gen.isAsyncGen(gen) ? 'async generator' : 'generator'} ignored GeneratorExit`);
}

/** close() of generators and coroutines (gen_close). */
export function generatorClose(vm: Vm): CMethod {
  return (self) => genClose(vm, self);
}

/** _PyGen_Finalize for the generator module: close, what that raises reported as unraisable ("Exception ignored in: <generator ...>"). */
export function installGenFinalizer(vm: Vm): void {
  vm.gen.finalizer = (gen) => {
    try {
      vm.interp.rt.decref(genClose(vm, gen));
    } catch (e) {
      // PyErr_WriteUnraisable(self), printed as the default sys.unraisablehook does.
      const err = toPyErr(vm, e);
      writeUnraisable(vm, err.exc, `in: ${repr(vm, gen)}`);
    }
  };
}

/** Whether exc is (a subclass instance of) the named built-in class. */
function isA(vm: Vm, exc: number, name: string): boolean {
  return vm.isSubtype(typeOf(vm, exc), vm.excType(name));
}

/**
 * async_gen_unwrap_value over one step of the generator: a wrapped value
 * ends the await (StopIteration with it); anything else yielded is passed
 * up; a return is StopAsyncIteration. A StopAsyncIteration or
 * GeneratorExit out of it closes the generator; any end clears
 * ag_running_async. New reference.
 */
function unwrap(vm: Vm, gen: number, step: () => Step): number {
  const rt = vm.interp.rt;
  let result: Step;
  try {
    result = step();
  } catch (e) {
    const err = toPyErr(vm, e);
    if (isA(vm, err.exc, 'StopAsyncIteration') || isA(vm, err.exc, 'GeneratorExit')) vm.gen.setClosed(gen, true);
    vm.gen.setRunningAsync(gen, false);
    throw err;
  }
  const [status, v] = result;
  if (status === 'return') {
    rt.decref(v);
    vm.gen.setClosed(gen, true);
    vm.gen.setRunningAsync(gen, false);
    raise(vm, 'StopAsyncIteration', null);
  }
  if (vm.asyncGen.isWrappedValue(v)) {
    const inner = newRef(vm, vm.asyncGen.wrappedValue(v));
    rt.decref(v);
    vm.gen.setRunningAsync(gen, false);
    return raiseStopIteration(vm, inner);
  }
  return v;
}

/** A step of an asend / athrow that ends (raises) closes it. */
function closingOnEnd(vm: Vm, o: number, f: () => number): number {
  try {
    return f();
  } catch (e) {
    vm.asyncGen.setState(o, AWAITABLE_STATE_CLOSED);
    throw e;
  }
}

/** async_gen_asend_send: the first step sends the asend's value (or v when one is given), later ones v. */
function asendSend(vm: Vm, o: number, arg: number): number {
  const None = vm.interp.singletons.None;
  const gen = vm.asyncGen.gen(o);
  const state = vm.asyncGen.state(o);
  if (state === AWAITABLE_STATE_CLOSED) raise(vm, 'RuntimeError', 'cannot reuse already awaited __anext__()/asend()');
  let v = arg;
  if (state === AWAITABLE_STATE_INIT) {
    if (vm.gen.runningAsync(gen)) raise(vm, 'RuntimeError', 'anext(): asynchronous generator is already running');
    if (arg === None) v = vm.asyncGen.arg(o) !== 0 ? vm.asyncGen.arg(o) : None;
    vm.asyncGen.setState(o, AWAITABLE_STATE_ITER);
  }
  vm.gen.setRunningAsync(gen, true);
  return closingOnEnd(vm, o, () => unwrap(vm, gen, () => genSend(vm, gen, v)));
}

/** async_gen_asend_throw. */
function asendThrow(vm: Vm, o: number, args: readonly number[]): number {
  if (vm.asyncGen.state(o) === AWAITABLE_STATE_CLOSED) raise(vm, 'RuntimeError', 'cannot reuse already awaited __anext__()/asend()');
  const [typ, val, tb] = throwArgs(vm, 'throw', args);
  const gen = vm.asyncGen.gen(o);
  return closingOnEnd(vm, o, () => unwrap(vm, gen, () => genThrow(vm, gen, thrownException(vm, typ, val, tb))));
}

/**
 * async_gen_athrow_send: the first step throws (athrow's exception, or
 * GeneratorExit for aclose(), which also marks the generator closed);
 * later ones send v. For aclose(), the generator yielding a value is
 * RuntimeError ("ignored GeneratorExit"), and its ending with
 * StopAsyncIteration or GeneratorExit is the StopIteration that finishes
 * the await.
 */
function athrowSend(vm: Vm, o: number, arg: number): number {
  const { interp } = vm;
  const None = interp.singletons.None;
  const ag = vm.asyncGen;
  const gen = ag.gen(o);
  const args = ag.arg(o);
  const closeMode = args === 0;
  if (ag.state(o) === AWAITABLE_STATE_CLOSED) raise(vm, 'RuntimeError', 'cannot reuse already awaited aclose()/athrow()');
  const st = vm.gen.state(gen);
  if (st === FRAME_COMPLETED || st === FRAME_CLEARED) {
    ag.setState(o, AWAITABLE_STATE_CLOSED);
    raise(vm, 'StopIteration', null);
  }
  const yieldClose = (): never => {
    vm.gen.setRunningAsync(gen, false);
    ag.setState(o, AWAITABLE_STATE_CLOSED);
    raise(vm, 'RuntimeError', 'async generator ignored GeneratorExit');
  };
  const checkError = (e: unknown): never => {
    vm.gen.setRunningAsync(gen, false);
    ag.setState(o, AWAITABLE_STATE_CLOSED);
    const err = toPyErr(vm, e);
    if (closeMode && (isA(vm, err.exc, 'StopAsyncIteration') || isA(vm, err.exc, 'GeneratorExit'))) {
      interp.rt.decref(err.exc);
      raise(vm, 'StopIteration', null);
    }
    throw err;
  };
  if (ag.state(o) === AWAITABLE_STATE_INIT) {
    if (vm.gen.runningAsync(gen)) {
      ag.setState(o, AWAITABLE_STATE_CLOSED);
      raise(vm, 'RuntimeError', `${closeMode ? 'aclose' : 'athrow'}(): asynchronous generator is already running`);
    }
    if (vm.gen.closed(gen)) {
      ag.setState(o, AWAITABLE_STATE_CLOSED);
      raise(vm, 'StopAsyncIteration', null);
    }
    if (arg !== None) raise(vm, 'RuntimeError', "can't send non-None value to a just-started coroutine");
    ag.setState(o, AWAITABLE_STATE_ITER);
    vm.gen.setRunningAsync(gen, true);
    if (closeMode) {
      vm.gen.setClosed(gen, true);
      let step: Step;
      try {
        step = genThrow(vm, gen, newErr(vm, 'GeneratorExit', null).exc);
      } catch (e) {
        return checkError(e);
      }
      if (step[0] === 'return') {
        interp.rt.decref(step[1]);
        return checkError(newErr(vm, 'StopAsyncIteration', null));
      }
      if (ag.isWrappedValue(step[1])) {
        interp.rt.decref(step[1]);
        return yieldClose();
      }
      return step[1];
    }
    const [typ, val, tb] = throwArgs(vm, 'athrow', interp.tuple.items(args));
    try {
      return unwrap(vm, gen, () => genThrow(vm, gen, thrownException(vm, typ, val, tb)));
    } catch (e) {
      return checkError(e);
    }
  }
  if (!closeMode) {
    try {
      return unwrap(vm, gen, () => genSend(vm, gen, arg));
    } catch (e) {
      return checkError(e);
    }
  }
  let step: Step;
  try {
    step = genSend(vm, gen, arg);
  } catch (e) {
    return checkError(e);
  }
  if (step[0] === 'return') {
    interp.rt.decref(step[1]);
    return checkError(newErr(vm, 'StopAsyncIteration', null));
  }
  if (ag.isWrappedValue(step[1])) {
    interp.rt.decref(step[1]);
    return yieldClose();
  }
  return step[1];
}

/** async_gen_athrow_throw: in aclose() mode a yielded value is "ignored GeneratorExit"; an end as in athrowSend. */
function athrowThrow(vm: Vm, o: number, args: readonly number[]): number {
  const ag = vm.asyncGen;
  if (ag.state(o) === AWAITABLE_STATE_CLOSED) raise(vm, 'RuntimeError', 'cannot reuse already awaited aclose()/athrow()');
  const [typ, val, tb] = throwArgs(vm, 'throw', args);
  const gen = ag.gen(o);
  const closeMode = ag.arg(o) === 0;
  try {
    if (!closeMode) return unwrap(vm, gen, () => genThrow(vm, gen, thrownException(vm, typ, val, tb)));
    const step = genThrow(vm, gen, thrownException(vm, typ, val, tb));
    if (step[0] === 'return') {
      vm.interp.rt.decref(step[1]);
      throw newErr(vm, 'StopAsyncIteration', null);
    }
    if (ag.isWrappedValue(step[1])) {
      vm.interp.rt.decref(step[1]);
      vm.gen.setRunningAsync(gen, false);
      ag.setState(o, AWAITABLE_STATE_CLOSED);
      raise(vm, 'RuntimeError', 'async generator ignored GeneratorExit');
    }
    return step[1];
  } catch (e) {
    vm.gen.setRunningAsync(gen, false);
    ag.setState(o, AWAITABLE_STATE_CLOSED);
    const err = toPyErr(vm, e);
    if (closeMode && (isA(vm, err.exc, 'StopAsyncIteration') || isA(vm, err.exc, 'GeneratorExit'))) {
      vm.interp.rt.decref(err.exc);
      raise(vm, 'StopIteration', null);
    }
    throw err;
  }
}

/** The methods of async_generator, async_generator_asend and async_generator_athrow, by type. */
export function asyncGenMethods(vm: Vm): Array<[number, Record<string, CMethod>]> {
  const { interp } = vm;
  const None = interp.singletons.None;
  const ag = vm.asyncGen;
  // METH_O's check, with the qualified name.
  const arity = (name: string, args: readonly number[]): void => {
    if (args.length !== 1) raise(vm, 'TypeError', `${name}() takes exactly one argument (${args.length} given)`);
  };
  const self: CMethod = (o) => newRef(vm, o);
  const awaitable = (send: (o: number, v: number) => number, thr: (o: number, args: readonly number[]) => number): Record<string, CMethod> => ({
    send: (o, args) => (arity('send', args), send(o, args[0]!)),
    throw: (o, args) => thr(o, args),
    close: (o) => (ag.setState(o, AWAITABLE_STATE_CLOSED), newRef(vm, None)),
    __next__: (o) => send(o, None),
    __iter__: self,
    __await__: self,
  });
  return [
    [
      vm.gen.asyncGenType.id,
      {
        __aiter__: self,
        __anext__: (o) => ag.newASend(o, 0),
        asend: (o, args) => (arity('async_generator.asend', args), ag.newASend(o, args[0]!)),
        // athrow's arguments are unpacked when it is first awaited.
        athrow: (o, args) => withTuple(vm, args, (t) => ag.newAThrow(o, t)),
        aclose: (o) => ag.newAThrow(o, 0),
      },
    ],
    [ag.asendType.id, awaitable((o, v) => asendSend(vm, o, v), (o, a) => asendThrow(vm, o, a))],
    [ag.athrowType.id, awaitable((o, v) => athrowSend(vm, o, v), (o, a) => athrowThrow(vm, o, a))],
  ];
}

/** f of a tuple of the borrowed items (released after). */
function withTuple(vm: Vm, items: readonly number[], f: (t: number) => number): number {
  const t = vm.tupleOf(items);
  try {
    return f(t);
  } finally {
    vm.interp.rt.decref(t);
  }
}

/** tp_iternext of the asend and athrow awaitables (send(None)) as the loop's iterators give it: the value, or 0 once the await ended. */
export function asyncAwaitableIternexts(vm: Vm): Array<[number, (it: number) => number]> {
  const next = (o: number): number => {
    try {
      return asyncAwaitableSend(vm, o, vm.interp.singletons.None);
    } catch (e) {
      const err = toPyErr(vm, e);
      if (!isA(vm, err.exc, 'StopIteration')) throw err;
      vm.interp.rt.decref(err.exc);
      return 0;
    }
  };
  return [
    [vm.asyncGen.asendType.id, next],
    [vm.asyncGen.athrowType.id, next],
  ];
}

/** send(v) of an asend or athrow awaitable (what SEND calls while a coroutine awaits one): the value passed up, or the StopIteration ending the await. New reference. */
export function asyncAwaitableSend(vm: Vm, o: number, v: number): number {
  return vm.asyncGen.kindOf(o) === 'asend' ? asendSend(vm, o, v) : athrowSend(vm, o, v);
}
