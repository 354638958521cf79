/*
 * frame objects (Objects/frameobject.c, Python/frame.c, CPython 3.11): the
 * PyFrameObject a running _PyInterpreterFrame (frame.ts) gets only when
 * something asks for it — a traceback entry (PyTraceBack_Here), f_back,
 * sys._getframe, gi_frame. While the interpreter frame runs, the frame
 * object only points at it (f_frame) and the interpreter frame owns the
 * frame object (frame_obj); the frame object is untracked. When the
 * interpreter frame is cleared while someone else still holds the frame
 * object, take_ownership copies the interpreter frame (header and its
 * stacktop slots, the references moving with it) into the frame object's
 * own _f_frame_data, links f_back to the caller's frame object (made if
 * needed), and starts tracking it: a caught exception's traceback keeps
 * the frame's locals alive that way — and when a local is the exception,
 * that is the reference cycle `except E as e:` deletes `e` to avoid.
 *
 * PyFrameObject, 48 bytes:
 *    0  16  PyObject               ob_base           the object header
 *   16  8   PyFrameObject *        f_back            the caller's frame object once owned, or NULL; owned
 *   24  8   _PyInterpreterFrame *  f_frame           the data-stack or generator frame, or _f_frame_data once owned
 *   32  8   PyObject *             f_trace           NULL (no tracing from Python)
 *   40  4   int                    f_lineno          0 (only set while tracing)
 *   44  1   char                   f_trace_lines     1
 *   45  1   char                   f_trace_opcodes   0
 *   46  1   char                   f_fast_as_locals  0
 *   48      PyObject *[]           _f_frame_data     then the interpreter frame once owned (72 + 8 * (co_nlocalsplus + co_stacksize) bytes)
 *
 * Invariants: iframe.frame_obj == f and f.f_frame == iframe while the
 * interpreter frame runs (one reference, the interpreter frame's); after
 * take_ownership f.f_frame == f + 48, its owner FRAME_OWNED_BY_FRAME_OBJECT,
 * its previous NULL, and the frame object tracked.
 */
import { fillBytes } from '../../allocator/access.js';
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, PyObject } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_HAVE_GC, type PyTypeObject, type Visit } from '../type.js';
import { codeFrameSlots } from './code.js';
import { copyFrame, fCode, fFrameObj, fFunc, fLocals, fOwner, fPrevious, FRAME_OWNED_BY_FRAME_OBJECT, localsplus, LOCALSPLUS_OFFSET, stacktop } from './frame.js';
import { hashPointer } from './singletons.js';

/** PyFrameObject (3.11), without its _f_frame_data. */
export const PyFrameObject = declareObjectStruct({
  name: 'PyFrameObject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'f_back', type: 'ptr', ctype: 'PyFrameObject *', meaning: "the caller's frame object once owned, or NULL; owned" },
    { name: 'f_frame', type: 'ptr', ctype: '_PyInterpreterFrame *', unchecked: true, meaning: 'the data-stack or generator frame, or _f_frame_data once owned' },
    { name: 'f_trace', type: 'ptr', ctype: 'PyObject *', meaning: 'NULL (no tracing from Python)' },
    { name: 'f_lineno', type: 'i32', ctype: 'int', meaning: '0 (only set while tracing)' },
    { name: 'f_trace_lines', type: 'u8', ctype: 'char', meaning: '1' },
    { name: 'f_trace_opcodes', type: 'u8', ctype: 'char', meaning: '0' },
    { name: 'f_fast_as_locals', type: 'u8', ctype: 'char', meaning: '0' },
  ],
  size: 48,
});
const fBack = PyFrameObject.field('f_back');
const fFrame = PyFrameObject.field('f_frame');
const fTrace = PyFrameObject.field('f_trace');
const fTraceLines = PyFrameObject.field('f_trace_lines');
/** offsetof(PyFrameObject, _f_frame_data). */
const F_FRAME_DATA_OFFSET = PyFrameObject.size;

/** frame: its type, _PyFrame_GetFrameObject and the frame-object half of _PyFrame_Clear. */
export class FrameObjectModule {
  /** PyFrame_Type. */
  readonly type: PyTypeObject;
  private readonly rt: Runtime;

  constructor(readonly interp: Interpreter) {
    this.rt = interp.rt;
    this.type = this.rt.registerType({
      name: 'frame',
      basicsize: F_FRAME_DATA_OFFSET + LOCALSPLUS_OFFSET,
      itemsize: 8,
      flags: Py_TPFLAGS_HAVE_GC,
      layout: PyFrameObject,
      dealloc: (_r, op) => this.frameDealloc(op),
      traverse: (_r, op, visit) => this.frameTraverse(op, visit),
      clear: (_r, op) => this.frameClear(op),
      hash: (_r, op) => hashPointer(op),
      sizeof: (_r, op) => this.frameSizeof(op),
    });
  }

  /** PyFrame_Check. */
  check(op: number): boolean {
    return this.rt.typeOrNull(op) === this.type;
  }

  /** The interpreter frame the frame object stands for (f->f_frame). */
  iframe(op: number): number {
    return fFrame.get(op);
  }

  /** Whether the frame object owns its interpreter frame (the frame has finished). */
  ownsFrame(op: number): boolean {
    return fOwner.get(fFrame.get(op)) === FRAME_OWNED_BY_FRAME_OBJECT;
  }

  /** f_back as stored (borrowed; 0 until take_ownership linked it). */
  storedBack(op: number): number {
    return fBack.get(op);
  }

  /**
   * _PyFrame_GetFrameObject: the interpreter frame's frame object, made by
   * _PyFrame_MakeAndSetFrameObject (_PyFrame_New_NoTrack: untracked) on
   * first use. Borrowed (the interpreter frame holds it).
   */
  frameObjectOf(iframe: number): number {
    const existing = fFrameObj.get(iframe);
    if (existing !== 0) return existing;
    const slots = codeFrameSlots(fCode.get(iframe));
    const f = this.rt.gcNewVar(this.type, slots);
    fillBytes(f + 16, F_FRAME_DATA_OFFSET - 16, 0);
    fTraceLines.set(f, 1);
    fFrame.set(f, iframe);
    fFrameObj.set(iframe, f);
    return f;
  }

  /**
   * The frame-object part of _PyFrame_Clear(iframe), with `lasti` the byte
   * offset of its last instruction: when a frame object exists and someone
   * else holds it, take_ownership moves the frame into it and this returns
   * true (the interpreter frame's references are gone with it; the caller
   * releases none of them); otherwise the frame object is released and
   * this returns false.
   */
  clearFrameObject(iframe: number): boolean {
    const f = fFrameObj.get(iframe);
    if (f === 0) return false;
    fFrameObj.set(iframe, 0);
    if (this.rt.refcnt(f) > 1) {
      this.takeOwnership(f, iframe);
      this.rt.decref(f);
      return true;
    }
    this.rt.decref(f);
    return false;
  }

  /** take_ownership: the interpreter frame copied into f's _f_frame_data, f_back linked, f tracked. */
  private takeOwnership(f: number, iframe: number): void {
    const data = f + F_FRAME_DATA_OFFSET;
    copyFrame(iframe, data, stacktop.get(iframe));
    fFrame.set(f, data);
    fOwner.set(data, FRAME_OWNED_BY_FRAME_OBJECT);
    const prev = fPrevious.get(iframe);
    if (prev !== 0) {
      const back = this.frameObjectOf(prev);
      this.rt.incref(back);
      fBack.set(f, back);
      fPrevious.set(data, 0);
    }
    if (!this.rt.gc.isTracked(f)) this.rt.gcTrack(f);
  }

  /** frame_dealloc (in the trashcan): untrack; the owned frame's references (the code last), f_back, f_trace; free. */
  private frameDealloc(op: number): void {
    const rt = this.rt;
    rt.gcUntrack(op);
    if (rt.trashcanBegin(op)) return;
    let co = 0;
    if (this.ownsFrame(op)) {
      const data = fFrame.get(op);
      co = fCode.get(data);
      fCode.set(data, 0);
      for (const fld of [fFunc, fLocals]) {
        const v = fld.get(data);
        fld.set(data, 0);
        rt.xdecref(v);
      }
      const n = stacktop.get(data);
      for (let i = 0; i < n; i++) {
        const v = localsplus.get(data, i);
        localsplus.set(data, i, 0);
        rt.xdecref(v);
      }
    }
    for (const fld of [fBack, fTrace]) {
      const v = fld.get(op);
      fld.set(op, 0);
      rt.xdecref(v);
    }
    rt.gcDel(op);
    rt.xdecref(co);
    rt.trashcanEnd();
  }

  /** frame_traverse: f_back, f_trace, and the frame it owns (_PyFrame_Traverse: f_locals, f_func, f_code, the stack). */
  private frameTraverse(op: number, visit: Visit): number {
    const out = [fBack.get(op), fTrace.get(op)];
    if (this.ownsFrame(op)) {
      const data = fFrame.get(op);
      out.push(fLocals.get(data), fFunc.get(data), fCode.get(data));
      const n = stacktop.get(data);
      for (let i = 0; i < n; i++) out.push(localsplus.get(data, i));
    }
    for (const v of out) {
      if (v !== 0) {
        const r = visit(v);
        if (r !== 0) return r;
      }
    }
    return 0;
  }

  /** frame_tp_clear: f_trace, then the locals and stack (stacktop 0). */
  private frameClear(op: number): void {
    const rt = this.rt;
    const t = fTrace.get(op);
    fTrace.set(op, 0);
    rt.xdecref(t);
    if (!this.ownsFrame(op)) return;
    const data = fFrame.get(op);
    const n = stacktop.get(data);
    for (let i = 0; i < n; i++) {
      const v = localsplus.get(data, i);
      localsplus.set(data, i, 0);
      rt.xdecref(v);
    }
    stacktop.set(data, 0);
  }

  /** frame_sizeof: the object, the frame header, co_nlocalsplus + co_stacksize slots. */
  private frameSizeof(op: number): number {
    return F_FRAME_DATA_OFFSET + LOCALSPLUS_OFFSET + 8 * codeFrameSlots(fCode.get(fFrame.get(op)));
  }
}
