/*
 * Line events (the "line" event of sys.settrace, for tools, not for Python
 * code): a hook the evaluation loop calls before the first instruction of
 * each new source line of a frame, with the frame's state saved, so the hook
 * may read the frame's locals and the whole heap (it must not change them).
 * `pymem run --map` steps through a program with it.
 *
 * Invariants: at most one hook per interpreter; with none set the loop pays
 * one null check per instruction; a line fires again in a frame only after
 * another line ran in it (a return into a caller mid-line fires nothing), and
 * at the start of each new frame.
 */
import type { Vm } from './vm.js';

/** Called with the line about to run, the frame (its _PyInterpreterFrame pointer) and its code's name and file. */
export type LineHook = (line: number, frame: number, code: { readonly name: string; readonly filename: string }) => void;

const hooks = new WeakMap<Vm, LineHook>();

/** Sets (or, with null, removes) the line hook of vm; takes effect for frames entered afterwards. */
export function setLineHook(vm: Vm, hook: LineHook | null): void {
  if (hook === null) hooks.delete(vm);
  else hooks.set(vm, hook);
}

/** The line hook of vm, or null. */
export function lineHookOf(vm: Vm): LineHook | null {
  return hooks.get(vm) ?? null;
}
