/*
 * gc.callbacks for Python programs (Modules/gcmodule.c invoke_gc_callback):
 * a list object in the gc module, its callables called around every
 * collection with ("start" | "stop", info) — info a dict of generation,
 * collected and uncollectable. A callback that raises is reported as
 * CPython's PyErr_WriteUnraisable does ("Exception ignored in: <repr>",
 * then the traceback, on stderr) and the collection goes on.
 *
 * Invariants: the list the collector reads is the one the module held at
 * start-up (gcstate->callbacks): rebinding gc.callbacks does not change it;
 * its length is read before each call, as CPython does, so a callback may
 * edit it. Finalization collects without them (_PyGC_CollectNoFail):
 * clearGcCallbacks empties the list first.
 */
import { id, newInt, newStr, repr, callObject } from './abstract.js';
import { PyErr } from './pyerr.js';
import { writeUnraisable } from './traceback.js';
import type { Vm } from './vm.js';

/** gcstate->callbacks of each interpreter (borrowed: the gc module's dict holds it). */
const callbackLists = new WeakMap<Vm, number>();

/** Puts gc.callbacks in the gc module and has the collector call its entries. */
export function installGcCallbacks(vm: Vm): void {
  const { interp } = vm;
  const rt = interp.rt;
  const callbacks = interp.list.new(0);
  callbackLists.set(vm, callbacks);
  interp.dict.setItem(vm.module.dict(vm.modules.get('gc')!), id(vm, 'callbacks'), callbacks);
  rt.decref(callbacks);
  vm.gc.callbacks.push((phase, info) => {
    if (interp.list.size(callbacks) === 0) return;
    const phaseObj = newStr(vm, phase);
    const infoObj = interp.dict.new();
    for (const key of ['generation', 'collected', 'uncollectable'] as const) {
      const v = newInt(vm, info[key]);
      interp.dict.setItem(infoObj, id(vm, key), v);
      rt.decref(v);
    }
    try {
      for (let i = 0; i < interp.list.size(callbacks); i++) {
        const cb = interp.list.getItem(callbacks, i);
        rt.incref(cb);
        try {
          rt.decref(callObject(vm, cb, [phaseObj, infoObj], 0));
        } catch (e) {
          if (!(e instanceof PyErr)) throw e;
          writeUnraisable(vm, e.exc, `in: ${repr(vm, cb)}`);
        } finally {
          rt.decref(cb);
        }
      }
    } finally {
      rt.decref(phaseObj);
      rt.decref(infoObj);
    }
  });
}

/** Empties gc.callbacks (Py_FinalizeEx: the collections of finalization call no callbacks). */
export function clearGcCallbacks(vm: Vm): void {
  const callbacks = callbackLists.get(vm);
  if (callbacks !== undefined) vm.interp.list.clear(callbacks);
}
