/*
 * STUB — to be written (issue 3). weakref.ref (Objects/weakrefobject.c): 64-byte PyWeakReference (+GC head), the referent's weakref list, callbacks,
 * clearing when the referent dies (the gc layer will also call handle_weakrefs). Expected API: type; newRef(obj, callback?): number; get(ref): borrowed or None;
 * clearWeakrefs(obj) (PyObject_ClearWeakRefs, called by deallocs of weakrefable types).
 */
import type { Interpreter } from '../interpreter.js';

export class WeakrefModule {
  constructor(readonly interp: Interpreter) {}
}
