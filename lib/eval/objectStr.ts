/*
 * PyObject_Str and PyObject_Repr as str objects (Objects/object.c, CPython
 * 3.11), where which object comes back shows: an exact str is its own
 * str(); True and False give the static 'True' / 'False'; an int's digits
 * are a new str every time (long_to_decimal_string's PyUnicode_New, never
 * a one-character singleton, so str(5) is not str(5)); anything else is
 * its text as a new str. And PyObject_Format's fast paths: an exact str
 * with an empty spec is itself, an exact int is str(int).
 *
 * Invariants: every function returns a new reference to an exact str.
 */
import { intToString } from '../objects/text/intText.js';
import { strAscii } from '../objects/text/strRepr.js';
import { id, intValue, newRef, newStr, repr, str } from './abstract.js';
import { formatObject } from './format.js';
import type { Vm } from './vm.js';

/** The static str of a bool's name (the interned 'True' / 'False'), else 0. */
function boolName(vm: Vm, v: number): number {
  const { long } = vm.interp;
  return v === long.True ? id(vm, 'True') : v === long.False ? id(vm, 'False') : 0;
}

/** PyObject_Str(v). New reference. */
export function objectStr(vm: Vm, v: number): number {
  const { interp } = vm;
  const t = interp.rt.typeOf(v);
  if (t === interp.str.type) return newRef(vm, v);
  const b = boolName(vm, v);
  if (b !== 0) return newRef(vm, b);
  if (t === interp.long.type) return interp.str.fromAsciiFresh(intToString(intValue(vm, v)));
  return newStr(vm, str(vm, v));
}

/** PyObject_Repr(v). New reference. */
export function objectRepr(vm: Vm, v: number): number {
  const { interp } = vm;
  const b = boolName(vm, v);
  if (b !== 0) return newRef(vm, b);
  if (interp.rt.typeOf(v) === interp.long.type) return interp.str.fromAsciiFresh(intToString(intValue(vm, v)));
  return newStr(vm, repr(vm, v));
}

/** PyObject_Format(v, spec) with its fast paths for an empty spec. New reference. */
export function objectFormat(vm: Vm, v: number, spec: string): number {
  const { interp } = vm;
  const t = interp.rt.typeOf(v);
  if (spec === '' && (t === interp.str.type || t === interp.long.type)) return objectStr(vm, v);
  return newStr(vm, formatObject(vm, v, spec));
}

/** FORMAT_VALUE: the conversion (1 str, 2 repr, 3 ascii) as an object, then format() unless it is an exact str and no spec was given. New reference. */
export function formatValueObject(vm: Vm, v: number, conv: number, spec: number): number {
  const { interp } = vm;
  const value = conv === 1 ? objectStr(vm, v) : conv === 2 ? objectRepr(vm, v) : conv === 3 ? newStr(vm, strAscii(repr(vm, v))) : newRef(vm, v);
  try {
    if (spec === 0 && interp.rt.typeOf(value) === interp.str.type) return newRef(vm, value);
    return objectFormat(vm, value, spec === 0 ? '' : interp.str.toString(spec));
  } finally {
    interp.rt.decref(value);
  }
}
