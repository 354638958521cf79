/*
 * What a program sees of frames and tracebacks (Objects/frameobject.c's
 * frame_getsetlist and frame_memberlist, Python/traceback.c's
 * tb_getsetters and tb_memberlist, Python/sysmodule.c's exc_info and
 * _getframe, CPython 3.11): f_back, f_code, f_lineno, f_lasti, f_locals,
 * f_globals, f_builtins, f_trace; tb_next, tb_frame, tb_lasti, tb_lineno;
 * frame_repr.
 *
 * A frame object's instruction is the running one while its frame is on
 * the loop's stack, else the frame's prev_instr (set when it suspended or
 * finished). Invariants: every getter returns a new reference; nothing
 * here changes a frame but f_locals' dict (made and refreshed on read, as
 * PyFrame_FastToLocalsWithError does).
 */
import { fBuiltins, fCode, fGlobals, fPrevInstr, fPrevious } from '../objects/types/frame.js';
import { fastToLocals } from './bltinExec.js';
import { codeInfo, currentFrames } from './ceval.js';
import { newInt, newRef, none, raise, repr } from './abstract.js';
import type { Vm } from './vm.js';

/** _PyInterpreterFrame_LASTI * sizeof(_Py_CODEUNIT): the byte offset of the frame's running or last instruction. */
function frameLasti(vm: Vm, iframe: number): number {
  const frs = currentFrames(vm);
  for (let i = frs.length - 1; i >= 0; i--) if (frs[i]!.f === iframe) return frs[i]!.lasti;
  return fPrevInstr.get(iframe);
}

/** PyCode_Addr2Line(f_code, lasti). */
function lineAt(vm: Vm, code: number, lasti: number): number {
  return codeInfo(vm, code).lines[lasti >> 1] ?? -1;
}

/** PyFrame_GetLineNumber. */
function frameLineno(vm: Vm, f: number): number {
  const iframe = vm.frameobj.iframe(f);
  return lineAt(vm, fCode.get(iframe), frameLasti(vm, iframe));
}

/** PyFrame_GetBack: the stored f_back, else the caller's frame object (made on first use); new reference, None at the bottom. */
function frameBack(vm: Vm, f: number): number {
  const back = vm.frameobj.storedBack(f);
  if (back !== 0) return newRef(vm, back);
  const prev = fPrevious.get(vm.frameobj.iframe(f));
  return prev === 0 ? none(vm) : newRef(vm, vm.frameobj.frameObjectOf(prev));
}

/** frame_getsetlist and frame_memberlist. */
function frameGetsets(vm: Vm): Record<string, (self: number) => number> {
  const { interp } = vm;
  const iframe = (f: number): number => vm.frameobj.iframe(f);
  return {
    f_back: (f) => frameBack(vm, f),
    f_code: (f) => newRef(vm, fCode.get(iframe(f))),
    f_lineno: (f) => newInt(vm, frameLineno(vm, f)),
    f_lasti: (f) => newInt(vm, frameLasti(vm, iframe(f))),
    f_locals: (f) => newRef(vm, fastToLocals(vm, iframe(f), codeInfo(vm, fCode.get(iframe(f))))),
    f_globals: (f) => newRef(vm, fGlobals.get(iframe(f))),
    f_builtins: (f) => newRef(vm, fBuiltins.get(iframe(f))),
    f_trace: () => none(vm),
    f_trace_lines: () => newRef(vm, interp.long.True),
    f_trace_opcodes: () => newRef(vm, interp.long.False),
  };
}

/** tb_getsetters and tb_memberlist: tb_lineno computed from tb_lasti on first read (tb_lineno_get). */
function tracebackGetsets(vm: Vm): Record<string, (self: number) => number> {
  const tb = vm.traceback;
  return {
    tb_next: (t) => (tb.next(t) === 0 ? none(vm) : newRef(vm, tb.next(t))),
    tb_frame: (t) => newRef(vm, tb.frame(t)),
    tb_lasti: (t) => newInt(vm, tb.lasti(t)),
    tb_lineno: (t) => {
      if (tb.storedLineno(t) < 0) tb.setLineno(t, lineAt(vm, fCode.get(vm.frameobj.iframe(tb.frame(t))), tb.lasti(t)));
      return newInt(vm, tb.storedLineno(t));
    },
  };
}

/** Installs the getters of frame and traceback objects. */
export function installFrameAttrs(vm: Vm): void {
  vm.typeGetsets.set(vm.frameobj.type.id, new Map(Object.entries(frameGetsets(vm))));
  vm.typeGetsets.set(vm.traceback.type.id, new Map(Object.entries(tracebackGetsets(vm))));
}

/** frame_repr: `<frame at 0x…, file '…', line N, code NAME>`. */
export function frameRepr(vm: Vm, f: number, address: string): string {
  const info = codeInfo(vm, fCode.get(vm.frameobj.iframe(f)));
  return `<frame at ${address}, file ${repr(vm, vm.code.filename(info.ptr))}, line ${frameLineno(vm, f)}, code ${info.co.name}>`;
}

/** sys.exc_info(): (type, value, traceback) of the exception being handled, or three Nones. New reference. */
export function sysExcInfo(vm: Vm): number {
  const exc = vm.excInfo;
  if (exc === 0) {
    const None = vm.interp.singletons.None;
    return vm.tupleOf([None, None, None]);
  }
  const tb = vm.exc.get(exc, 'traceback');
  return vm.tupleOf([vm.typeObject(vm.interp.rt.typeOf(exc)), exc, tb === 0 ? vm.interp.singletons.None : tb]);
}

/** sys._getframe([depth]): the frame object of the caller `depth` frames up (a negative depth is 0; ValueError past the bottom). New reference. */
export function sysGetframe(vm: Vm, depth: number): number {
  const frs = currentFrames(vm);
  const d = Math.max(depth, 0);
  if (d >= frs.length) raise(vm, 'ValueError', 'call stack is not deep enough');
  return newRef(vm, vm.frameobj.frameObjectOf(frs[frs.length - 1 - d]!.f));
}
