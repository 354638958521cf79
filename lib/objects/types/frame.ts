/*
 * Frames (Include/internal/pycore_frame.h, Python/frame.c,
 * Python/pystate.c's data stack, CPython 3.11): a Python call's frame is a
 * _PyInterpreterFrame pushed on the thread's data stack — chunks of memory
 * outside pymalloc (CPython: _PyObject_VirtualAlloc; here: static blocks
 * the heap maps, kept for reuse) — not a heap object. Its localsplus (the
 * fast locals, cells, free variables, then the value stack) are owned
 * references.
 *
 * _PyInterpreterFrame, 72 bytes + the variable part:
 *    0  8    PyFunctionObject *     f_func        the function; owned
 *    8  8    PyObject *             f_globals     borrowed
 *   16  8    PyObject *             f_builtins    borrowed
 *   24  8    PyObject *             f_locals      owned, NULL for function frames
 *   32  8    PyCodeObject *         f_code        owned
 *   40  8    PyFrameObject *        frame_obj     its frame object (frameobject.ts) once one is asked for, or NULL; owned
 *   48  8    _PyInterpreterFrame *  previous      the caller's frame, or NULL
 *   56  8    _Py_CODEUNIT *         prev_instr    byte offset of the unit before the next instruction
 *   64  4    int                    stacktop      slots of localsplus in use
 *   68  1    bool                   is_entry      whether this frame was entered from JavaScript
 *   69  1    char                   owner         FRAME_OWNED_BY_THREAD, _GENERATOR or _FRAME_OBJECT
 *   72  8*n  PyObject *             localsplus[]  owned references or NULL
 *
 * _PyStackChunk, 24 bytes:
 *    0  8  _PyStackChunk *  previous  the chunk before, or NULL
 *    8  8  size_t           size      bytes of the chunk
 *   16  8  Py_ssize_t       top       bytes in use (from the chunk start)
 *
 * Invariants: frames are pushed and popped in LIFO order; a frame never
 * spans two chunks; stacktop counts the slots that hold references.
 */
import { OutOfMemoryError } from '../../errors.js';
import { declareStruct } from '../../struct.js';
import { heapAccess } from '../layout.js';
import type { Runtime } from '../runtime.js';

/** _PyInterpreterFrame (3.11). */
export const PyInterpreterFrame = declareStruct({
  access: heapAccess,
  name: '_PyInterpreterFrame',
  fields: [
    { name: 'f_func', type: 'ptr', ctype: 'PyFunctionObject *', meaning: 'the function; owned' },
    { name: 'f_globals', type: 'ptr', ctype: 'PyObject *', meaning: 'borrowed' },
    { name: 'f_builtins', type: 'ptr', ctype: 'PyObject *', meaning: 'borrowed' },
    { name: 'f_locals', type: 'ptr', ctype: 'PyObject *', meaning: 'owned, NULL for function frames' },
    { name: 'f_code', type: 'ptr', ctype: 'PyCodeObject *', meaning: 'owned' },
    { name: 'frame_obj', type: 'ptr', ctype: 'PyFrameObject *', meaning: 'its frame object (frameobject.ts) once one is asked for, or NULL; owned' },
    { name: 'previous', type: 'ptr', ctype: '_PyInterpreterFrame *', meaning: "the caller's frame, or NULL" },
    { name: 'prev_instr', type: 'i64', ctype: '_Py_CODEUNIT *', meaning: 'byte offset of the unit before the next instruction' },
    { name: 'stacktop', type: 'i32', meaning: 'slots of localsplus in use' },
    { name: 'is_entry', type: 'u8', ctype: 'bool', meaning: 'whether this frame was entered from JavaScript' },
    { name: 'owner', type: 'u8', ctype: 'char', meaning: 'FRAME_OWNED_BY_THREAD, _GENERATOR or _FRAME_OBJECT' },
  ],
  tail: { name: 'localsplus', type: 'ptr', ctype: 'PyObject *', meaning: 'owned references or NULL', length: (f: number): number => stacktopOf(f) },
});
export const fFunc = PyInterpreterFrame.field('f_func');
export const fGlobals = PyInterpreterFrame.field('f_globals');
export const fBuiltins = PyInterpreterFrame.field('f_builtins');
export const fLocals = PyInterpreterFrame.field('f_locals');
export const fCode = PyInterpreterFrame.field('f_code');
export const fPrevious = PyInterpreterFrame.field('previous');
export const fPrevInstr = PyInterpreterFrame.field('prev_instr');
export const stacktop = PyInterpreterFrame.field('stacktop');
function stacktopOf(f: number): number {
  return stacktop.get(f);
}
export const fFrameObj = PyInterpreterFrame.field('frame_obj');
const fIsEntry = PyInterpreterFrame.field('is_entry');
export const fOwner = PyInterpreterFrame.field('owner');
/** localsplus[i] of a frame. */
export const localsplus = PyInterpreterFrame.array('localsplus');
/** Byte offset of localsplus in a frame. */
export const LOCALSPLUS_OFFSET = PyInterpreterFrame.size;

/** _PyFrame_Copy: the frame at src (header and `slots` localsplus slots) copied to dst; the references move with it. */
export function copyFrame(src: number, dst: number, slots: number): void {
  for (const f of [fFunc, fGlobals, fBuiltins, fLocals, fCode, fFrameObj, fPrevious, fPrevInstr, stacktop, fIsEntry, fOwner]) f.set(dst, f.get(src));
  for (let i = 0; i < slots; i++) localsplus.set(dst, i, localsplus.get(src, i));
}

/** _PyStackChunk. */
export const PyStackChunk = declareStruct({
  access: heapAccess,
  name: '_PyStackChunk',
  fields: [
    { name: 'previous', type: 'ptr', ctype: '_PyStackChunk *', meaning: 'the chunk before, or NULL' },
    { name: 'size', type: 'i64', ctype: 'size_t', meaning: 'bytes of the chunk' },
    { name: 'top', type: 'i64', meaning: 'bytes in use (from the chunk start)' },
  ],
});
const chunkPrevious = PyStackChunk.field('previous');
const chunkSize = PyStackChunk.field('size');
const chunkTop = PyStackChunk.field('top');

/** DATA_STACK_CHUNK_SIZE. */
const DATA_STACK_CHUNK_SIZE = 16 * 1024;
/** enum _frameowner (Include/internal/pycore_frame.h, 3.11): who owns an interpreter frame. */
export const FRAME_OWNED_BY_THREAD = 0;
export const FRAME_OWNED_BY_GENERATOR = 1;
export const FRAME_OWNED_BY_FRAME_OBJECT = 2;

/** The thread's data stack (tstate->datastack_chunk / top / limit). */
export class DataStack {
  private chunk = 0;
  /** Chunks popped empty, kept for the next push (each mapped once). */
  private readonly spare: number[] = [];

  constructor(private readonly rt: Runtime) {}

  /**
   * _PyThreadState_BumpFramePointer + _PyFrame_InitializeSpecials: a frame
   * of `slots` localsplus slots, all NULL, stacktop at `nlocalsplus`.
   * Takes the references to func (may be 0) and code; globals, builtins
   * borrowed; locals owned (may be 0).
   */
  push(func: number, code: number, globals: number, builtins: number, locals: number, slots: number, nlocalsplus: number, previous: number): number {
    const bytes = LOCALSPLUS_OFFSET + 8 * slots;
    if (this.chunk === 0 || chunkTop.get(this.chunk) + bytes > chunkSize.get(this.chunk)) this.pushChunk(bytes);
    const c = this.chunk;
    const f = c + chunkTop.get(c);
    chunkTop.set(c, chunkTop.get(c) + bytes);
    fFunc.set(f, func);
    fGlobals.set(f, globals);
    fBuiltins.set(f, builtins);
    fLocals.set(f, locals);
    fCode.set(f, code);
    fFrameObj.set(f, 0);
    fPrevious.set(f, previous);
    fPrevInstr.set(f, -2);
    stacktop.set(f, nlocalsplus);
    fIsEntry.set(f, 0);
    fOwner.set(f, FRAME_OWNED_BY_THREAD);
    for (let i = 0; i < slots; i++) localsplus.set(f, i, 0);
    return f;
  }

  /** _PyThreadState_PopFrame: the frame's memory back to its chunk (references already released). */
  pop(f: number): void {
    const c = this.chunk;
    chunkTop.set(c, f - c);
    if (f - c === PyStackChunk.size && chunkPrevious.get(c) !== 0) {
      this.chunk = chunkPrevious.get(c);
      this.spare.push(c);
    }
  }

  /** push_chunk: a new chunk big enough for `bytes`. */
  private pushChunk(bytes: number): void {
    const need = PyStackChunk.size + bytes;
    let c = this.spare.length > 0 && chunkSize.get(this.spare[this.spare.length - 1]!) >= need ? this.spare.pop()! : 0;
    if (c === 0) {
      const size = Math.max(DATA_STACK_CHUNK_SIZE, 2 ** Math.ceil(Math.log2(need)));
      c = this.rt.staticAlloc(size);
      if (c === 0) throw new OutOfMemoryError(`data stack chunk of ${size} bytes`, size);
      chunkSize.set(c, size);
    }
    chunkPrevious.set(c, this.chunk);
    chunkTop.set(c, PyStackChunk.size);
    this.chunk = c;
  }
}
