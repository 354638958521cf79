/*
 * traceback (Python/traceback.c, CPython 3.11): one entry per frame an
 * exception passed through as it unwound (PyTraceBack_Here). Each new
 * entry is made for the frame the exception reached and points on
 * (tb_next) to the entry before it, so an exception's __traceback__ starts
 * at the outermost frame it reached and tb_next leads inwards to where it
 * was raised. tb_create_raw allocates it with PyObject_GC_New and tracks it.
 *
 * PyTracebackObject, 40 bytes:
 *    0  16  PyObject             ob_base    the object header
 *   16  8   PyTracebackObject *  tb_next    the entry one frame further in, or NULL; owned
 *   24  8   PyFrameObject *      tb_frame   the frame object; owned
 *   32  4   int                  tb_lasti   byte offset of the instruction that was running
 *   36  4   int                  tb_lineno  -1 until tb_lineno is read (computed from tb_lasti)
 *
 * Invariants: tb_frame is a frame object; tb_next a traceback or NULL.
 */
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, PyObject } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_HAVE_GC, type PyTypeObject, type Visit } from '../type.js';
import { hashPointer } from './singletons.js';

/** PyTracebackObject (3.11). */
export const PyTracebackObject = declareObjectStruct({
  name: 'PyTracebackObject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'tb_next', type: 'ptr', ctype: 'PyTracebackObject *', meaning: 'the entry one frame further in, or NULL; owned' },
    { name: 'tb_frame', type: 'ptr', ctype: 'PyFrameObject *', meaning: 'the frame object; owned' },
    { name: 'tb_lasti', type: 'i32', ctype: 'int', meaning: 'byte offset of the instruction that was running' },
    { name: 'tb_lineno', type: 'i32', ctype: 'int', meaning: '-1 until tb_lineno is read (computed from tb_lasti)' },
  ],
  size: 40,
});
const tbNext = PyTracebackObject.field('tb_next');
const tbFrame = PyTracebackObject.field('tb_frame');
const tbLasti = PyTracebackObject.field('tb_lasti');
const tbLineno = PyTracebackObject.field('tb_lineno');

/** traceback: its type and tb_create_raw. */
export class TracebackModule {
  /** PyTraceBack_Type. */
  readonly type: PyTypeObject;
  private readonly rt: Runtime;

  constructor(readonly interp: Interpreter) {
    this.rt = interp.rt;
    this.type = this.rt.registerType({
      name: 'traceback',
      basicsize: PyTracebackObject.size,
      itemsize: 0,
      flags: Py_TPFLAGS_HAVE_GC,
      layout: PyTracebackObject,
      dealloc: (_r, op) => this.tbDealloc(op),
      traverse: (_r, op, visit) => this.tbTraverse(op, visit),
      clear: (_r, op) => this.tbClear(op),
      hash: (_r, op) => hashPointer(op),
    });
  }

  /** PyTraceBack_Check. */
  check(op: number): boolean {
    return this.rt.typeOrNull(op) === this.type;
  }

  /** tb_create_raw(next, frame, lasti, -1): next and frame borrowed (next may be 0). New reference, tracked. */
  new(next: number, frame: number, lasti: number): number {
    const op = this.rt.gcNew(this.type);
    this.rt.xincref(next);
    tbNext.set(op, next);
    this.rt.incref(frame);
    tbFrame.set(op, frame);
    tbLasti.set(op, lasti);
    tbLineno.set(op, -1);
    this.rt.gcTrack(op);
    return op;
  }

  /** tb_next (borrowed; 0 for none). */
  next(op: number): number {
    return tbNext.get(op);
  }

  /** tb_next's setter (tb_next_set): value borrowed, 0 for None. */
  setNext(op: number, value: number): void {
    const old = tbNext.get(op);
    this.rt.xincref(value);
    tbNext.set(op, value);
    this.rt.xdecref(old);
  }

  /** tb_frame (borrowed). */
  frame(op: number): number {
    return tbFrame.get(op);
  }

  /** tb_lasti. */
  lasti(op: number): number {
    return tbLasti.get(op);
  }

  /** tb_lineno as stored (-1: not computed yet). */
  storedLineno(op: number): number {
    return tbLineno.get(op);
  }
  setLineno(op: number, line: number): void {
    tbLineno.set(op, line);
  }

  /** tb_dealloc: untrack, release tb_next and tb_frame (inside the trashcan: chains are as long as the recursion), free. */
  private tbDealloc(op: number): void {
    this.rt.gcUntrack(op);
    if (this.rt.trashcanBegin(op)) return;
    const next = tbNext.get(op);
    const frame = tbFrame.get(op);
    tbNext.set(op, 0);
    tbFrame.set(op, 0);
    this.rt.xdecref(next);
    this.rt.xdecref(frame);
    this.rt.gcDel(op);
    this.rt.trashcanEnd();
  }

  /** tb_traverse: tb_next, tb_frame. */
  private tbTraverse(op: number, visit: Visit): number {
    for (const v of [tbNext.get(op), tbFrame.get(op)]) {
      if (v !== 0) {
        const r = visit(v);
        if (r !== 0) return r;
      }
    }
    return 0;
  }

  /** tb_clear: Py_CLEAR(tb_next), Py_CLEAR(tb_frame). */
  private tbClear(op: number): void {
    for (const f of [tbNext, tbFrame]) {
      const v = f.get(op);
      f.set(op, 0);
      this.rt.xdecref(v);
    }
  }
}
