/*
 * The attributes of exception objects (Objects/exceptions.c's
 * BaseException_getset and members, CPython 3.11): args, __traceback__,
 * __context__, __cause__, __suppress_context__, StopIteration's value
 * and OSError's errno / strerror / filename / filename2 /
 * characters_written members (their fields in exception.ts; OSError_str
 * and the errno to subclass map of OSError_new), the instance __dict__ (made on first
 * use) and the __notes__ add_note keeps there, read and written.
 *
 * Invariants: setting __cause__ sets __suppress_context__ (as `raise ...
 * from` does); each setter type-checks its value as CPython does and
 * changes nothing on error.
 */
import type { PyTypeObject } from '../objects/type.js';
import { intValue, isInt, isStr, iterate, newBool, newInt, newRef, none, raise, repr, str } from './abstract.js';
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
      // OSError_members.
      if (vm.exc.layoutOf(vm.interp.rt.typeOf(exc)) !== 'OSError') return 0;
      const v = vm.exc.osErrorGet(exc, key);
      return v === 0 ? none(vm) : newRef(vm, v);
    }
    case 'characters_written': {
      // OSError_written_get: AttributeError unless a BlockingIOError was given the count.
      if (vm.exc.layoutOf(vm.interp.rt.typeOf(exc)) !== 'OSError') return 0;
      const w = vm.exc.osErrorWritten(exc);
      if (w === -1) raise(vm, 'AttributeError', 'characters_written');
      return newInt(vm, w);
    }
    case 'value': {
      // StopIteration_members.
      if (vm.exc.layoutOf(vm.interp.rt.typeOf(exc)) !== 'StopIteration') return 0;
      const v = vm.exc.stopIterationValue(exc);
      return v === 0 ? none(vm) : newRef(vm, v);
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
    case 'errno':
    case 'strerror':
    case 'filename':
    case 'filename2':
      // OSError_members: T_OBJECT, so del stores NULL (read back as None).
      if (vm.exc.layoutOf(interp.rt.typeOf(exc)) !== 'OSError') return false;
      vm.exc.osErrorSet(exc, key, value);
      return true;
    case 'value':
      if (vm.exc.layoutOf(interp.rt.typeOf(exc)) !== 'StopIteration') return false;
      vm.exc.setStopIterationValue(exc, value);
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

/** OSError_str: "[Errno N] message" (with ": 'filename'" and " -> 'filename2'"), or null to use BaseException_str. */
export function osErrorStr(vm: Vm, exc: number): string | null {
  if (vm.exc.layoutOf(vm.interp.rt.typeOf(exc)) !== 'OSError') return null;
  const None = vm.interp.singletons.None;
  const orNone = (v: number): number => (v === 0 ? None : v);
  const myerrno = vm.exc.osErrorGet(exc, 'errno');
  const strerror = vm.exc.osErrorGet(exc, 'strerror');
  const f1 = vm.exc.osErrorGet(exc, 'filename');
  const f2 = vm.exc.osErrorGet(exc, 'filename2');
  if (f1 !== 0) {
    const head = `[Errno ${str(vm, orNone(myerrno))}] ${str(vm, orNone(strerror))}: ${repr(vm, f1)}`;
    return f2 !== 0 ? `${head} -> ${repr(vm, f2)}` : head;
  }
  if (myerrno !== 0 && strerror !== 0) return `[Errno ${str(vm, myerrno)}] ${str(vm, strerror)}`;
  return null;
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
