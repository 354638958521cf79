/*
 * memoryview as a program reaches it (Objects/memoryobject.c, the parts
 * past the object layer): memoryview(obj), its attributes (memory_getsetlist),
 * methods (memory_methods), subscripts (memory_subscript /
 * memory_ass_sub), iteration, == (memory_richcompare) and repr. The views
 * themselves are lib/objects/types/memoryobject.ts.
 *
 * Every body follows the vectorcall convention: arguments borrowed,
 * result a new reference, errors raised as PyErr in CPython's words.
 */
import type { CMethod } from '../objects/types/cfunction.js';
import { hexAddress, intValue, isInt, newBool, newInt, newRef, newStr, none, raise, sliceIndices, toPyErr, typeOf } from './abstract.js';
import type { Vm } from './vm.js';

/** The bytes of a bytes-like object (bytes, bytearray, memoryview), or null for anything else. */
export function bufferBytes(vm: Vm, op: number): Uint8Array | null {
  const { interp } = vm;
  if (interp.bytes.checkExact(op)) return interp.bytes.data(op);
  if (interp.bytearray.checkExact(op)) return interp.bytearray.data(op);
  if (interp.memoryview.check(op)) return guard(vm, () => interp.memoryview.toBytes(op));
  return null;
}

/** Runs an object-layer call, its PyExceptions raised as Python exceptions. */
function guard<T>(vm: Vm, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw toPyErr(vm, e);
  }
}

/** memoryview(object) (memoryview_impl). New reference. */
export function memoryviewNew(vm: Vm, args: readonly number[]): number {
  if (args.length !== 1) raise(vm, 'TypeError', `memoryview() takes exactly one argument (${args.length} given)`);
  return guard(vm, () => vm.interp.memoryview.fromObject(args[0]!));
}

/** A memoryview attribute of memory_getsetlist (new reference), or 0 when name is none of them. */
export function memoryviewAttr(vm: Vm, mv: number, name: string): number {
  const M = vm.interp.memoryview;
  const info = (): ReturnType<typeof M.info> => guard(vm, () => M.info(mv));
  switch (name) {
    case 'obj':
      return newRef(vm, info().obj);
    case 'nbytes':
      return newInt(vm, info().length);
    case 'readonly':
      return newBool(vm, info().readonly);
    case 'itemsize':
      return newInt(vm, (info(), 1));
    case 'format':
      return newStr(vm, (info(), 'B'));
    case 'ndim':
      return newInt(vm, (info(), 1));
    case 'shape':
      return tupleOfInts(vm, [info().length]);
    case 'strides':
      return tupleOfInts(vm, [info().stride]);
    case 'suboffsets':
      return (info(), vm.tupleOf([]));
    case 'c_contiguous':
    case 'f_contiguous':
    case 'contiguous':
      return newBool(vm, guard(vm, () => M.contiguous(mv)));
    default:
      return 0;
  }
}

function tupleOfInts(vm: Vm, values: readonly number[]): number {
  const items = values.map((v) => newInt(vm, v));
  try {
    return vm.tupleOf(items);
  } finally {
    for (const x of items) vm.interp.rt.decref(x);
  }
}

/** memory_methods, by name (self first). */
export function memoryviewMethods(vm: Vm): Record<string, CMethod> {
  const { interp } = vm;
  const M = interp.memoryview;
  return {
    tobytes: (self) => interp.bytes.fromBytes(guard(vm, () => M.toBytes(self))),
    tolist: (self) => {
      const items = Array.from(guard(vm, () => M.toBytes(self)), (b) => newInt(vm, b));
      const l = interp.list.new(0);
      interp.list.extendFromArray(l, items);
      for (const x of items) interp.rt.decref(x);
      return l;
    },
    hex: (self) => newStr(vm, Buffer.from(guard(vm, () => M.toBytes(self))).toString('hex')),
    release: (self) => (M.release(self), none(vm)),
    __enter__: (self) => (guard(vm, () => M.info(self)), newRef(vm, self)),
    __exit__: (self) => (M.release(self), none(vm)),
  };
}

/** memory_subscript: an int index gives the byte, a slice a new view of the same buffer. New reference. */
export function memoryviewGetItem(vm: Vm, mv: number, key: number): number {
  const { interp } = vm;
  const M = interp.memoryview;
  if (isInt(vm, key)) return newInt(vm, guard(vm, () => M.getItem(mv, Number(intValue(vm, key)))));
  if (typeOf(vm, key) === interp.slice.type) {
    const { length } = guard(vm, () => M.info(mv));
    const [start, , step, len] = sliceIndices(vm, key, length);
    return guard(vm, () => M.slice(mv, start, step, len));
  }
  raise(vm, 'TypeError', 'memoryview: invalid slice key');
}

/** memory_ass_sub: a byte at an index, or a bytes-like object of the same length into a slice. */
export function memoryviewSetItem(vm: Vm, mv: number, key: number, value: number): void {
  const { interp } = vm;
  const M = interp.memoryview;
  if (value === 0) raise(vm, 'TypeError', 'cannot delete memory');
  const { length, readonly } = guard(vm, () => M.info(mv));
  if (readonly) raise(vm, 'TypeError', 'cannot modify read-only memory');
  if (isInt(vm, key)) {
    if (!isInt(vm, value)) raise(vm, 'TypeError', "memoryview: invalid type for format 'B'");
    const v = intValue(vm, value);
    guard(vm, () => M.setItem(mv, Number(intValue(vm, key)), v >= 0n && v <= 255n ? Number(v) : -1));
    return;
  }
  if (typeOf(vm, key) === interp.slice.type) {
    const src = bufferBytes(vm, value);
    if (src === null) raise(vm, 'TypeError', `a bytes-like object is required, not '${typeOf(vm, value).name}'`);
    const [start, , step, len] = sliceIndices(vm, key, length);
    guard(vm, () => M.setSlice(mv, start, step, len, src));
    return;
  }
  raise(vm, 'TypeError', 'memoryview: invalid slice key');
}

/** memory_richcompare for == and != with a bytes-like object (null: not comparable, NotImplemented). */
export function memoryviewEq(vm: Vm, a: number, b: number): boolean | null {
  const M = vm.interp.memoryview;
  // A released view equals only itself.
  if ((M.check(a) && M.isReleased(a)) || (M.check(b) && M.isReleased(b))) return a === b;
  const x = bufferBytes(vm, a);
  const y = bufferBytes(vm, b);
  if (x === null || y === null) return null;
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** memory_repr. */
export function memoryviewRepr(vm: Vm, mv: number): string {
  return `<${vm.interp.memoryview.isReleased(mv) ? 'released ' : ''}memory at ${hexAddress(vm, mv)}>`;
}

/** memory_length: shape[0] (ValueError once released). */
export function memoryviewLength(vm: Vm, mv: number): number {
  return guard(vm, () => vm.interp.memoryview.info(mv)).length;
}

/** memory_iter. New reference. */
export function memoryviewIter(vm: Vm, mv: number): number {
  return guard(vm, () => vm.interp.memoryview.iter(mv));
}

/** memoryiter_next: the next item (new reference) or 0 when exhausted. */
export function memoryviewIterNext(vm: Vm, it: number): number {
  const b = guard(vm, () => vm.interp.memoryview.iterNext(it));
  return b < 0 ? 0 : newInt(vm, b);
}
