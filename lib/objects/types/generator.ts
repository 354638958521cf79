/*
 * generator, coroutine and async_generator (Objects/genobject.c, CPython
 * 3.11): what calling a generator function (a genexp too), an `async def`
 * function, or an `async def` function with `yield` in it returns
 * (PyGenObject, PyCoroObject, PyAsyncGenObject: one layout, the prefix of
 * the field names aside). The generator owns its frame: 3.11
 * copies the _PyInterpreterFrame (frame.ts) into the generator object's
 * tail (gi_iframe) at RETURN_GENERATOR, and every resumption runs that
 * frame in place.
 *
 * PyGenObject, 80 bytes:
 *    0  16  PyObject            ob_base                 the object header
 *   16  8   PyCodeObject *      gi_code                 the code; owned
 *   24  8   PyObject *          gi_weakreflist          weakrefs; not owned
 *   32  8   PyObject *          gi_name                 a str; owned
 *   40  8   PyObject *          gi_qualname             a str; owned
 *   48  8   PyObject *          gi_exc_value            the exception it is handling, or NULL; owned
 *   56  8   _PyErr_StackItem *  gi_exc_previous         NULL while not running
 *   64  8   PyObject *          gi_origin_or_finalizer  NULL
 *   72  1   char                gi_hooks_inited         0
 *   73  1   char                gi_closed               whether close() ran (ag_closed: an async generator's aclose() ran, or it finished)
 *   74  1   char                gi_running_async        ag_running_async: an async generator's asend / athrow is in progress
 *   75  1   int8_t              gi_frame_state          FRAME_CREATED .. FRAME_CLEARED
 *
 * Invariants: the frame's references are owned until gi_frame_state is
 * FRAME_CLEARED; a running generator is not resumed again.
 */
import { fillBytes } from '../../allocator/access.js';
import type { Interpreter } from '../interpreter.js';
import { asGc, declareObjectStruct, gcPrev, PyObject } from '../layout.js';
import { PREV_MASK_FINALIZED } from '../gcState.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_HAVE_GC, type PyTypeObject, type Visit } from '../type.js';
import { fCode, fFrameObj, fFunc, fLocals, localsplus, LOCALSPLUS_OFFSET, stacktop } from './frame.js';
import type { FrameObjectModule } from './frameobject.js';
import { codeFrameSlots } from './code.js';
import { hashPointer } from './singletons.js';

/** PyGenObject (3.11), without its frame. */
export const PyGenObject = declareObjectStruct({
  name: 'PyGenObject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'gi_code', type: 'ptr', ctype: 'PyCodeObject *', meaning: 'the code; owned' },
    { name: 'gi_weakreflist', type: 'ptr', ctype: 'PyObject *', meaning: 'weakrefs; not owned' },
    { name: 'gi_name', type: 'ptr', ctype: 'PyObject *', meaning: 'a str; owned' },
    { name: 'gi_qualname', type: 'ptr', ctype: 'PyObject *', meaning: 'a str; owned' },
    { name: 'gi_exc_value', type: 'ptr', ctype: 'PyObject *', meaning: 'the exception it is handling, or NULL; owned' },
    { name: 'gi_exc_previous', type: 'ptr', ctype: '_PyErr_StackItem *', unchecked: true, meaning: 'NULL while not running' },
    { name: 'gi_origin_or_finalizer', type: 'ptr', ctype: 'PyObject *', meaning: 'NULL' },
    { name: 'gi_hooks_inited', type: 'u8', ctype: 'char', meaning: '0' },
    { name: 'gi_closed', type: 'u8', ctype: 'char', meaning: "whether close() ran (ag_closed: an async generator's aclose() ran, or it finished)" },
    { name: 'gi_running_async', type: 'u8', ctype: 'char', meaning: "ag_running_async: an async generator's asend / athrow is in progress" },
    { name: 'gi_frame_state', type: 'u8', ctype: 'int8_t', meaning: 'FRAME_CREATED .. FRAME_CLEARED' },
  ],
});
/** offsetof(PyGenObject, gi_iframe). */
export const GI_IFRAME_OFFSET = 80;
const giCode = PyGenObject.field('gi_code');
const giWeakreflist = PyGenObject.field('gi_weakreflist');
const giName = PyGenObject.field('gi_name');
const giQualname = PyGenObject.field('gi_qualname');
const giExcValue = PyGenObject.field('gi_exc_value');
const giFrameState = PyGenObject.field('gi_frame_state');
const giClosed = PyGenObject.field('gi_closed');
const giRunningAsync = PyGenObject.field('gi_running_async');

/** The _PyFrameState values (Include/internal/pycore_frame.h, 3.11). */
export const FRAME_CREATED = -2 & 0xff;
export const FRAME_SUSPENDED = -1 & 0xff;
export const FRAME_EXECUTING = 0;
export const FRAME_COMPLETED = 1;
export const FRAME_CLEARED = 4;

/** Generators and coroutines (PyCoroObject: the same head and frame): their types and _Py_MakeCoro's allocation. */
export class GeneratorModule {
  /** PyGen_Type. */
  readonly type: PyTypeObject;
  /** PyCoro_Type: what calling an `async def` function returns. */
  readonly coroType: PyTypeObject;
  /** PyAsyncGen_Type: what calling an `async def` function that yields returns. */
  readonly asyncGenType: PyTypeObject;
  /**
   * tp_finalize (_PyGen_Finalize) as the evaluation loop gives it: closes a
   * suspended generator (its finally blocks run), reporting what that
   * raises as unraisable. Null until the builtins install it.
   */
  finalizer: ((op: number) => void) | null = null;
  private readonly rt: Runtime;

  constructor(
    readonly interp: Interpreter,
    private readonly frameObjects: FrameObjectModule,
  ) {
    this.rt = interp.rt;
    this.type = this.genType('generator');
    this.coroType = this.genType('coroutine');
    this.asyncGenType = this.genType('async_generator');
  }

  private genType(name: string): PyTypeObject {
    return this.rt.registerType({
      name,
      basicsize: GI_IFRAME_OFFSET + LOCALSPLUS_OFFSET,
      itemsize: 8,
      flags: Py_TPFLAGS_HAVE_GC,
      layout: PyGenObject,
      weaklistoffset: giWeakreflist.offset,
      dealloc: (_r, op) => this.genDealloc(op),
      traverse: (_r, op, visit) => this.genTraverse(op, visit),
      finalize: (_r, op) => this.genFinalize(op),
      hash: (_r, op) => hashPointer(op),
      sizeof: (_r, op) => this.genSizeof(op),
    });
  }

  /** Whether op is a generator, a coroutine or an async generator (the objects that own a frame). */
  check(op: number): boolean {
    const t = this.rt.typeOrNull(op);
    return t === this.type || t === this.coroType || t === this.asyncGenType;
  }

  /** PyAsyncGen_CheckExact. */
  isAsyncGen(op: number): boolean {
    return this.rt.typeOrNull(op) === this.asyncGenType;
  }

  /** PyCoro_CheckExact. */
  isCoroutine(op: number): boolean {
    return this.rt.typeOrNull(op) === this.coroType;
  }

  /**
   * make_gen: a generator (or of `type`, a coroutine or async generator) with room for a
   * frame of `slots` localsplus slots (code, name, qualname borrowed). New
   * reference, untracked.
   */
  new(code: number, name: number, qualname: number, slots: number, type: PyTypeObject = this.type): number {
    const op = this.rt.gcNewVar(type, slots);
    fillBytes(op + 16, GI_IFRAME_OFFSET + LOCALSPLUS_OFFSET + 8 * slots - 16, 0);
    for (const [f, v] of [
      [giCode, code],
      [giName, name],
      [giQualname, qualname],
    ] as const) {
      this.rt.incref(v);
      f.set(op, v);
    }
    giFrameState.set(op, FRAME_CREATED);
    return op;
  }

  /** The address of the generator's frame. */
  frame(op: number): number {
    return op + GI_IFRAME_OFFSET;
  }

  /** ag_closed: an async generator's aclose() ran or it finished (async_gen_unwrap_value). */
  closed(op: number): boolean {
    return giClosed.get(op) !== 0;
  }
  setClosed(op: number, v: boolean): void {
    giClosed.set(op, v ? 1 : 0);
  }

  /** ag_running_async: an asend / athrow of the async generator is in progress. */
  runningAsync(op: number): boolean {
    return giRunningAsync.get(op) !== 0;
  }
  setRunningAsync(op: number, v: boolean): void {
    giRunningAsync.set(op, v ? 1 : 0);
  }

  /** gi_frame_state. */
  state(op: number): number {
    return giFrameState.get(op);
  }
  setState(op: number, s: number): void {
    giFrameState.set(op, s);
  }

  /** gi_code (borrowed). */
  code(op: number): number {
    return giCode.get(op);
  }

  /** gi_name (borrowed). */
  name(op: number): number {
    return giName.get(op);
  }
  qualname(op: number): number {
    return giQualname.get(op);
  }

  /** Tracks the generator (after its frame is filled). */
  track(op: number): void {
    this.rt.gcTrack(op);
  }

  /**
   * _PyFrame_Clear of the generator's frame: the state FRAME_CLEARED, its
   * references released — or moved into its frame object when something
   * still holds that (a traceback entry).
   */
  clearFrame(op: number): void {
    if (giFrameState.get(op) === FRAME_CLEARED) return;
    giFrameState.set(op, FRAME_CLEARED);
    const f = this.frame(op);
    const rt = this.rt;
    if (this.frameObjects.clearFrameObject(f)) {
      stacktop.set(f, 0);
      for (const fld of [fLocals, fFunc, fCode]) fld.set(f, 0);
      return;
    }
    const n = stacktop.get(f);
    stacktop.set(f, 0);
    for (let i = n - 1; i >= 0; i--) {
      const v = localsplus.get(f, i);
      if (v !== 0) {
        localsplus.set(f, i, 0);
        rt.decref(v);
      }
    }
    for (const fld of [fLocals, fFunc, fCode]) {
      const v = fld.get(f);
      if (v !== 0) {
        fld.set(f, 0);
        rt.decref(v);
      }
    }
  }

  /** _PyGen_Finalize: only a generator suspended at a yield has something to close. */
  private genFinalize(op: number): void {
    const state = giFrameState.get(op);
    if (state === FRAME_SUSPENDED) this.finalizer?.(op);
  }

  /**
   * gen_dealloc: untrack, clear weakrefs; then, tracked meanwhile, the
   * finalizer once (PyObject_CallFinalizerFromDealloc: revived to count
   * 1, and if it resurrected the generator that is all); then the frame,
   * the fields, free.
   */
  private genDealloc(op: number): void {
    const rt = this.rt;
    rt.gcUntrack(op);
    if (giWeakreflist.get(op) !== 0) this.interp.weakref.clearWeakrefs(op);
    if (giFrameState.get(op) === FRAME_SUSPENDED && this.finalizer !== null) {
      rt.gcTrack(op);
      rt.setRefcnt(op, 1);
      if ((gcPrev.get(asGc(op)) & PREV_MASK_FINALIZED) === 0) {
        this.genFinalize(op);
        gcPrev.set(asGc(op), gcPrev.get(asGc(op)) | PREV_MASK_FINALIZED);
      }
      const refcnt = rt.refcnt(op) - 1;
      rt.setRefcnt(op, refcnt);
      if (refcnt !== 0) return;
      rt.gcUntrack(op);
    }
    this.clearFrame(op);
    for (const f of [giCode, giName, giQualname, giExcValue]) rt.xdecref(f.get(op));
    rt.gcDel(op);
  }

  /** gen_sizeof: the object, its frame's header, and co_nlocalsplus + co_stacksize slots (ob_size is gi_code's word, as in CPython). */
  private genSizeof(op: number): number {
    return GI_IFRAME_OFFSET + LOCALSPLUS_OFFSET + 8 * codeFrameSlots(giCode.get(op));
  }

  /** gen_traverse: the code, the name, the frame's frame object, locals and stack (_PyFrame_Traverse), the exception state. */
  private genTraverse(op: number, visit: Visit): number {
    const out = [giCode.get(op), giName.get(op), giQualname.get(op), giExcValue.get(op)];
    if (giFrameState.get(op) !== FRAME_CLEARED) {
      const f = this.frame(op);
      out.push(fFrameObj.get(f), fLocals.get(f), fFunc.get(f), fCode.get(f));
      const n = stacktop.get(f);
      for (let i = 0; i < n; i++) out.push(localsplus.get(f, i));
    }
    for (const v of out) {
      if (v !== 0) {
        const r = visit(v);
        if (r !== 0) return r;
      }
    }
    return 0;
  }
}
