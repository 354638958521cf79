/*
 * slice (Objects/sliceobject.c, CPython 3.11).
 *
 * PySliceObject: 40 bytes after its PyGC_Head (PyObject_GC_New), tracked
 * from birth:
 *
 * PySliceObject, 40 bytes:
 *    0  16  PyObject    ob_base  the object header
 *   16  8   PyObject *  start    owned, never NULL (None when omitted)
 *   24  8   PyObject *  stop     owned, never NULL
 *   32  8   PyObject *  step     owned, never NULL
 *
 * The slice cache (interp->slice_cache): slice_dealloc keeps one dead
 * slice instead of freeing it, and PySlice_New takes it back
 * (_Py_NewReference) before it asks PyObject_GC_New. Invariants: the cache
 * is 0 or one slice with ob_refcnt 0, untracked, its block still allocated
 * and its fields stale (released by the dealloc that parked it); parking
 * and reusing it leave generation 0's count alone, as in CPython (only
 * PyObject_GC_New and PyObject_GC_Del move it). Slices are unhashable in
 * 3.11 (tp_hash is PyObject_HashNotImplemented).
 */
import { InvalidArgumentError, describe } from '../../errors.js';
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, PyObject } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_HAVE_GC, type PyTypeObject, type Visit } from '../type.js';

/** PySliceObject. */
export const PySliceObject = declareObjectStruct({
  name: 'PySliceObject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'start', type: 'ptr', ctype: 'PyObject *', meaning: 'owned, never NULL (None when omitted)' },
    { name: 'stop', type: 'ptr', ctype: 'PyObject *', meaning: 'owned, never NULL' },
    { name: 'step', type: 'ptr', ctype: 'PyObject *', meaning: 'owned, never NULL' },
  ],
});
const sliceStart = PySliceObject.field('start');
const sliceStop = PySliceObject.field('stop');
const sliceStep = PySliceObject.field('step');
/** sizeof(PySliceObject). */
export const SIZEOF_PYSLICEOBJECT = PySliceObject.size;

/** A slice's fields (borrowed references). */
export interface SliceFields {
  start: number;
  stop: number;
  step: number;
}

/** slice: its type, the one-slice cache, and PySlice_New. */
export class SliceModule {
  /** PySlice_Type. */
  readonly type: PyTypeObject;
  /** interp->slice_cache: a parked dead slice, or 0. */
  private sliceCache = 0;
  private readonly rt: Runtime;

  constructor(readonly interp: Interpreter) {
    this.rt = interp.rt;
    this.type = this.rt.registerType({
      name: 'slice',
      basicsize: SIZEOF_PYSLICEOBJECT,
      itemsize: 0,
      flags: Py_TPFLAGS_HAVE_GC,
      layout: PySliceObject,
      dealloc: (_r, op) => this.sliceDealloc(op),
      traverse: (_r, op, visit) => this.sliceTraverse(op, visit),
      eq: (_r, a, b) => this.sliceRichcompareEq(a, b),
      toJS: (r, op) => {
        const f = this.fields(op);
        const js = (o: number) => r.typeOf(o).toJS?.(r, o);
        return { start: js(f.start), stop: js(f.stop), step: js(f.step) };
      },
    });
  }

  /** PySlice_Check. */
  check(op: number): boolean {
    return typeof op === 'number' && op !== 0 && Number.isInteger(op) && this.rt.typeOrNull(op) === this.type;
  }

  /**
   * PySlice_New(start, stop, step) — also slice(stop) / slice(start, stop[,
   * step]) through slice_new: the arguments are borrowed, 0 (NULL) stands
   * for None; the object is the cached slice when there is one, else a new
   * PyObject_GC_New block; tracked. New reference.
   */
  new(start: number, stop: number, step = 0): number {
    const rt = this.rt;
    const none = this.interp.singletons.None;
    for (const [what, o] of [['start', start], ['stop', stop], ['step', step]] as const) {
      if (typeof o !== 'number' || !Number.isInteger(o) || o < 0) throw new InvalidArgumentError(`PySlice_New: ${what} must be an object or 0, got ${describe(o)}`);
    }
    if (step === 0) step = none;
    if (start === 0) start = none;
    if (stop === 0) stop = none;
    let obj = this.sliceCache;
    if (obj !== 0) {
      this.sliceCache = 0;
      rt.newReference(obj);
    } else {
      obj = rt.gcNew(this.type);
    }
    rt.incref(step);
    sliceStep.set(obj, step);
    rt.incref(start);
    sliceStart.set(obj, start);
    rt.incref(stop);
    sliceStop.set(obj, stop);
    rt.gcTrack(obj);
    return obj;
  }

  /** The slice's start, stop and step (borrowed). */
  fields(s: number): SliceFields {
    if (!this.check(s)) throw new InvalidArgumentError(`slice fields: expected a slice, got ${describe(s)}`);
    return { start: sliceStart.get(s), stop: sliceStop.get(s), step: sliceStep.get(s) };
  }

  /** The parked slice (interp->slice_cache), or 0. */
  cached(): number {
    return this.sliceCache;
  }

  /** _PySlice_Fini: frees the parked slice (PyObject_GC_Del). */
  clearCache(): void {
    const obj = this.sliceCache;
    if (obj !== 0) {
      this.sliceCache = 0;
      this.rt.gcDel(obj);
    }
  }

  /** slice_dealloc: untrack, release step, start, stop, then park the object in the cache if it is empty, else PyObject_GC_Del. */
  private sliceDealloc(op: number): void {
    const rt = this.rt;
    rt.gcUntrack(op);
    rt.decref(sliceStep.get(op));
    rt.decref(sliceStart.get(op));
    rt.decref(sliceStop.get(op));
    if (this.sliceCache === 0) this.sliceCache = op;
    else rt.gcDel(op);
  }

  /** slice_traverse. */
  private sliceTraverse(op: number, visit: Visit): number {
    return visit(sliceStart.get(op)) || visit(sliceStop.get(op)) || visit(sliceStep.get(op));
  }

  /** slice_richcompare(v, w, Py_EQ): identity, else (start, stop, step) compared as two real 3-tuples. */
  private sliceRichcompareEq(v: number, w: number): boolean {
    if (!this.check(w)) return false;
    if (v === w) return true;
    const { tuple } = this.interp;
    const f = this.fields(v);
    const g = this.fields(w);
    const t1 = tuple.pack([f.start, f.stop, f.step]);
    let t2: number;
    try {
      t2 = tuple.pack([g.start, g.stop, g.step]);
    } catch (e) {
      this.rt.decref(t1);
      throw e;
    }
    try {
      return this.interp.eq(t1, t2);
    } finally {
      this.rt.decref(t1);
      this.rt.decref(t2);
    }
  }
}
