/*
 * The atexit module (Modules/atexitmodule.c, CPython 3.11): register,
 * unregister, _run_exitfuncs, _clear, _ncallbacks; Py_FinalizeEx calls the
 * registered functions last registered first (atexit_callfuncs), each
 * error reported as "Exception ignored in atexit callback" and the rest
 * still run.
 *
 * Invariants: the callbacks (function, argument tuple, keyword dict or 0)
 * are owned references, kept per interpreter (interp->atexit.callbacks);
 * a callback is removed before it runs.
 */
import { callObject, isCallable, newInt, none, raise, repr, richCompareBool, toPyErr } from './abstract.js';
import { writeUnraisable } from './traceback.js';
import type { Vm } from './vm.js';

interface Callback {
  readonly func: number;
  readonly args: number;
  readonly kwargs: number;
}

const callbacks = new WeakMap<Vm, Callback[]>();

function listOf(vm: Vm): Callback[] {
  let l = callbacks.get(vm);
  if (l === undefined) callbacks.set(vm, (l = []));
  return l;
}

function release(vm: Vm, cb: Callback): void {
  const { rt } = vm.interp;
  rt.decref(cb.func);
  rt.decref(cb.args);
  rt.xdecref(cb.kwargs);
}

/** atexit_callfuncs: every callback, newest first, removed as it runs; errors printed. */
export function runAtexit(vm: Vm): void {
  const l = listOf(vm);
  while (l.length > 0) {
    const cb = l.pop()!;
    const { interp } = vm;
    const kwItems = cb.kwargs !== 0 ? interp.dict.items(cb.kwargs) : [];
    const args = [...interp.tuple.items(cb.args), ...kwItems.map(([, v]) => v)];
    const kwnames = kwItems.length > 0 ? vm.tupleOf(kwItems.map(([k]) => k)) : 0;
    try {
      interp.rt.decref(callObject(vm, cb.func, args, kwnames));
    } catch (e) {
      const err = toPyErr(vm, e);
      // _PyErr_WriteUnraisableMsg("in atexit callback", func).
      writeUnraisable(vm, err.exc, `in atexit callback: ${repr(vm, cb.func)}`);
    } finally {
      interp.rt.xdecref(kwnames);
      release(vm, cb);
    }
  }
}

/** Makes the atexit module (a module object; borrowed by sys.modules' owner). */
export function installAtexit(vm: Vm, def: (name: string, meth: (self: number, args: readonly number[], kwnames: number) => number) => void): void {
  const { interp } = vm;
  def('register', (_s, args, kwnames) => {
    if (args.length === 0) raise(vm, 'TypeError', 'register() takes at least 1 argument (0 given)');
    const names = kwnames === 0 ? [] : interp.tuple.items(kwnames);
    const npos = args.length - names.length;
    const func = args[0]!;
    if (!isCallable(vm, func)) raise(vm, 'TypeError', 'the first argument must be callable');
    let kwargs = 0;
    if (names.length > 0) {
      kwargs = interp.dict.new();
      names.forEach((n, i) => interp.dict.setItem(kwargs, n, args[npos + i]!));
    }
    interp.rt.incref(func);
    listOf(vm).push({ func, args: vm.tupleOf(args.slice(1, npos)), kwargs });
    interp.rt.incref(func);
    return func;
  });
  def('unregister', (_s, args) => {
    const l = listOf(vm);
    for (let i = l.length - 1; i >= 0; i--) {
      if (richCompareBool(vm, l[i]!.func, args[0]!, 2)) {
        const [cb] = l.splice(i, 1);
        release(vm, cb!);
      }
    }
    return none(vm);
  });
  def('_run_exitfuncs', () => {
    runAtexit(vm);
    return none(vm);
  });
  def('_clear', () => {
    for (const cb of listOf(vm).splice(0)) release(vm, cb);
    return none(vm);
  });
  def('_ncallbacks', () => newInt(vm, listOf(vm).length));
}
