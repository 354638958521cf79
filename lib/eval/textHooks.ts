/*
 * The bridge from heap objects to lib/objects/text's value convention
 * (pyValue.ts): ints, bools, floats, strs, None, bytes and tuples become
 * their JavaScript values; anything else an Opaque holding the pointer,
 * which the formatters reach through the ObjectHooks below (the real
 * protocols: str, repr, __index__, __format__, items, attributes).
 *
 * Invariant: an Opaque's pointer is kept alive by `keep` (references the
 * caller releases after formatting) or by the object it came from.
 */
import type { ObjectHooks } from '../objects/text/pyValue.js';
import { getAttr, getItem, id, intValue, isFloat, isInt, isStr, lookupSpecial, callSpecial, repr, str, strValue, typeName, typeOf } from './abstract.js';
import { formatObject } from './format.js';
import type { Vm } from './vm.js';

/** A heap object the formatters cannot see into. */
export class Opaque {
  constructor(readonly ptr: number) {}
}

/** op (borrowed) in the text layer's convention. */
export function toValue(vm: Vm, op: number): unknown {
  const { interp } = vm;
  if (op === interp.singletons.None) return null;
  if (op === interp.long.True) return true;
  if (op === interp.long.False) return false;
  const t = typeOf(vm, op);
  if (t === interp.long.type) return intValue(vm, op);
  if (t === interp.float.type) return interp.float.value(op);
  if (isStr(vm, op)) return strValue(vm, op);
  if (t === interp.bytes.type) return interp.bytes.data(op).slice();
  if (t === interp.complex.type) return interp.complex.parts(op);
  if (t === interp.tuple.type) return interp.tuple.items(op).map((x) => toValue(vm, x));
  return new Opaque(op);
}

/** The ObjectHooks over vm; new references made while formatting go to keep. */
export function objectHooks(vm: Vm, keep: number[]): ObjectHooks {
  const ptr = (v: unknown): number => {
    if (v instanceof Opaque) return v.ptr;
    throw new TypeError('not an opaque object');
  };
  const number = (v: unknown, names: string[]): number | undefined => {
    const p = ptr(v);
    for (const n of names) {
      const m = lookupSpecial(vm, p, n);
      if (m !== 0) {
        const r = callSpecial(vm, m, p, []);
        keep.push(r);
        return r;
      }
    }
    return undefined;
  };
  return {
    str: (v) => str(vm, ptr(v)),
    repr: (v) => repr(vm, ptr(v)),
    typeName: (v) => typeName(vm, ptr(v)),
    index: (v) => {
      const r = number(v, ['__index__']);
      return r !== undefined && isInt(vm, r) ? intValue(vm, r) : undefined;
    },
    int: (v) => {
      const r = number(v, ['__int__', '__index__']);
      return r !== undefined && isInt(vm, r) ? intValue(vm, r) : undefined;
    },
    float: (v) => {
      const r = number(v, ['__float__']);
      return r !== undefined && isFloat(vm, r) ? vm.interp.float.value(r) : undefined;
    },
    isMapping: (v) => vm.interp.dict.check(ptr(v)) || lookupSpecial(vm, ptr(v), '__getitem__') !== 0,
    getItem: (v, key) => {
      const k = fromValue(vm, key, keep);
      const r = getItem(vm, ptr(v), k);
      keep.push(r);
      return toValue(vm, r);
    },
    getAttr: (v, name) => {
      const r = getAttr(vm, v instanceof Opaque ? v.ptr : fromValue(vm, v, keep), id(vm, name));
      keep.push(r);
      return toValue(vm, r);
    },
    format: (v, spec) => formatObject(vm, ptr(v), spec),
  };
}

/** A text-layer value back as an object (new reference kept in keep; borrowed for the caller). */
export function fromValue(vm: Vm, v: unknown, keep: number[]): number {
  const { interp } = vm;
  if (v instanceof Opaque) return v.ptr;
  let o: number;
  if (v === null) o = (interp.rt.incref(interp.singletons.None), interp.singletons.None);
  else if (typeof v === 'boolean') o = interp.long.fromBool(v);
  else if (typeof v === 'bigint') o = interp.long.fromBigInt(v);
  else if (typeof v === 'number') o = interp.float.fromNumber(v);
  else if (typeof v === 'string') o = interp.str.fromString(v);
  else throw new TypeError(`no object for ${String(v)}`);
  keep.push(o);
  return o;
}
