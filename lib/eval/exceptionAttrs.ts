/*
 * The attributes of exception objects (Objects/exceptions.c's
 * BaseException_getset and members, CPython 3.11): args, __traceback__,
 * __context__, __cause__, __suppress_context__, StopIteration.value,
 * OSError's errno / strerror / filename (with OSError_str and the errno
 * to subclass map of OSError_new), the instance __dict__ (made on first
 * use) and the __notes__ add_note keeps there, read and written.
 *
 * Invariants: setting __cause__ sets __suppress_context__ (as `raise ...
 * from` does); each setter type-checks its value as CPython does and
 * changes nothing on error.
 */
import type { PyTypeObject } from '../objects/type.js';
import { intValue, isInt, isStr, iterate, newBool, newRef, none, raise, repr, str } from './abstract.js';
import type { Vm } from './vm.js';

/** Makes the exception's __dict__ when it has none. Borrowed. */
export function exceptionDict(vm: Vm, exc: number): number {
  let d = vm.exc.get(exc, 'dict');
  if (d === 0) {
    d = vm.interp.dict.new();
    vm.exc.set(exc, 'dict', d);
    vm.interp.rt.decref(d);
  }
  return d;
}

/** BaseException_getset (and StopIteration's value member): new reference, or 0 when key is none of them. */
export function exceptionGetattr(vm: Vm, exc: number, key: string): number {
  const field = (f: 'traceback' | 'context' | 'cause'): number => {
    const v = vm.exc.get(exc, f);
    return v === 0 ? none(vm) : newRef(vm, v);
  };
  switch (key) {
    case 'args':
      return newRef(vm, vm.exc.get(exc, 'args'));
    case '__traceback__':
      return field('traceback');
    case '__context__':
      return field('context');
    case '__cause__':
      return field('cause');
    case '__suppress_context__':
      return newBool(vm, vm.exc.suppressContext(exc));
    case '__dict__':
      return newRef(vm, exceptionDict(vm, exc));
    case 'errno':
    case 'strerror':
    case 'filename':
    case 'filename2': {
      // OSError_init: errno, strerror (, filename, winerror, filename2) from 2 to 5 arguments.
      if (!vm.isSubtype(vm.interp.rt.typeOf(exc), vm.excType('OSError'))) return 0;
      const args = osErrorArgs(vm, exc);
      const i = { errno: 0, strerror: 1, filename: 2, filename2: 4 }[key];
      return args !== null && args[i] !== undefined ? newRef(vm, args[i]!) : none(vm);
    }
    case 'value': {
      // StopIteration_init: value is args[0], or None.
      if (!vm.isSubtype(vm.interp.rt.typeOf(exc), vm.excType('StopIteration'))) return 0;
      const args = vm.interp.tuple.items(vm.exc.get(exc, 'args'));
      return args.length > 0 ? newRef(vm, args[0]!) : none(vm);
    }
    default:
      return 0;
  }
}

/** BaseException_set_args / set_cause / set_context / set_tb and __suppress_context__: whether key is one of them (value 0: del). */
export function exceptionSetattr(vm: Vm, exc: number, key: string, value: number): boolean {
  const { interp } = vm;
  const None = interp.singletons.None;
  const chained = (f: 'context' | 'cause', what: string): void => {
    if (value === 0) raise(vm, 'TypeError', `__${what}__ may not be deleted`);
    if (value !== None && !vm.exc.check(value)) raise(vm, 'TypeError', `exception ${what} must be None or derive from BaseException`);
    vm.exc.set(exc, f, value === None ? 0 : value);
  };
  switch (key) {
    case 'args': {
      if (value === 0) raise(vm, 'TypeError', 'args may not be deleted');
      // PySequence_Tuple(value).
      let t: number;
      if (interp.tuple.check(value)) t = newRef(vm, value);
      else {
        const items = iterate(vm, value);
        t = vm.tupleOf(items);
        for (const x of items) interp.rt.decref(x);
      }
      vm.exc.set(exc, 'args', t);
      interp.rt.decref(t);
      return true;
    }
    case '__cause__':
      chained('cause', 'cause');
      vm.exc.setSuppressContext(exc, true);
      return true;
    case '__context__':
      chained('context', 'context');
      return true;
    case '__traceback__':
      if (value === 0) raise(vm, 'TypeError', '__traceback__ may not be deleted');
      if (value !== None && !vm.traceback.check(value)) raise(vm, 'TypeError', '__traceback__ must be a traceback or None');
      vm.exc.set(exc, 'traceback', value === None ? 0 : value);
      return true;
    case '__suppress_context__':
      if (value === 0) raise(vm, 'TypeError', "can't delete __suppress_context__ attribute");
      if (value !== interp.long.True && value !== interp.long.False) raise(vm, 'TypeError', 'attribute value type must be bool');
      vm.exc.setSuppressContext(exc, value === interp.long.True);
      return true;
    default:
      return false;
  }
}

/** The arguments OSError_init reads errno and strerror (and filenames) from: 2 to 5 of them, else null. */
function osErrorArgs(vm: Vm, exc: number): readonly number[] | null {
  const args = vm.interp.tuple.items(vm.exc.get(exc, 'args'));
  return args.length >= 2 && args.length <= 5 ? args : null;
}

/** OSError_str: "[Errno N] message" (with ": 'filename'"), or null to use BaseException_str. */
export function osErrorStr(vm: Vm, exc: number): string | null {
  if (!vm.isSubtype(vm.interp.rt.typeOf(exc), vm.excType('OSError'))) return null;
  const args = osErrorArgs(vm, exc);
  if (args === null) return null;
  const None = vm.interp.singletons.None;
  const head = `[Errno ${str(vm, args[0]!)}] ${str(vm, args[1]!)}`;
  const f1 = args[2] !== undefined && args[2] !== None ? args[2] : 0;
  const f2 = args[4] !== undefined && args[4] !== None ? args[4] : 0;
  if (f1 !== 0 && f2 !== 0) return `${head}: ${repr(vm, f1)} -> ${repr(vm, f2)}`;
  if (f1 !== 0) return `${head}: ${repr(vm, f1)}`;
  return head;
}

/** errnomap (Objects/exceptions.c, Linux values): the OSError subclass an errno selects. */
const ERRNO_CLASSES = new Map<number, string>([
  [11, 'BlockingIOError'],
  [114, 'BlockingIOError'],
  [115, 'BlockingIOError'],
  [10, 'ChildProcessError'],
  [32, 'BrokenPipeError'],
  [108, 'BrokenPipeError'],
  [103, 'ConnectionAbortedError'],
  [111, 'ConnectionRefusedError'],
  [104, 'ConnectionResetError'],
  [17, 'FileExistsError'],
  [2, 'FileNotFoundError'],
  [21, 'IsADirectoryError'],
  [20, 'NotADirectoryError'],
  [4, 'InterruptedError'],
  [13, 'PermissionError'],
  [1, 'PermissionError'],
  [3, 'ProcessLookupError'],
  [110, 'TimeoutError'],
]);

/** OSError_new: OSError itself called with an errno of errnomap makes that subclass; any other class is itself. */
export function osErrorSubclass(vm: Vm, t: PyTypeObject, args: readonly number[]): PyTypeObject {
  if (t !== vm.excType('OSError') || args.length < 2 || args.length > 5 || !isInt(vm, args[0]!)) return t;
  const name = ERRNO_CLASSES.get(Number(intValue(vm, args[0]!)));
  return name === undefined ? t : vm.excType(name);
}

/** BaseException_add_note: note (a str) appended to __notes__, a list in the instance's __dict__ made on first use. */
export function addNote(vm: Vm, exc: number, note: number): void {
  const { interp } = vm;
  if (!isStr(vm, note)) raise(vm, 'TypeError', `note must be a str, not '${interp.rt.typeOf(note).name}'`);
  const d = exceptionDict(vm, exc);
  const key = interp.str.internFromString('__notes__');
  let notes = interp.dict.getItem(d, key);
  if (notes === 0) {
    notes = interp.list.new(0);
    interp.dict.setItem(d, key, notes);
    interp.rt.decref(notes);
  }
  interp.rt.decref(key);
  if (!interp.list.check(notes)) raise(vm, 'TypeError', 'Cannot add note: __notes__ is not a list');
  interp.list.append(notes, note);
}

/** print_exception_notes: each note of __notes__ on its own line (str() of one that is no str); the repr of a __notes__ that is no sequence. */
export function exceptionNotes(vm: Vm, exc: number): string {
  const { interp } = vm;
  const d = vm.exc.get(exc, 'dict');
  if (d === 0) return '';
  const key = interp.str.internFromString('__notes__');
  const notes = interp.dict.getItem(d, key);
  interp.rt.decref(key);
  if (notes === 0) return '';
  if (!interp.list.check(notes) && !interp.tuple.check(notes)) return `${repr(vm, notes)}\n`;
  const items = interp.list.check(notes) ? interp.list.items(notes) : interp.tuple.items(notes);
  return items.map((n) => `${str(vm, n)}\n`).join('');
}
