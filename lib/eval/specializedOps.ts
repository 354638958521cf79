/*
 * The type-specialised forms of the evaluation loop's operators, as CPython
 * 3.11's specialised instructions (Python/specialize.c, Python/ceval.c):
 * BINARY_OP_{ADD,SUBTRACT,MULTIPLY}_{INT,FLOAT}, COMPARE_OP_{INT,FLOAT,STR}_JUMP,
 * BINARY_SUBSCR_{LIST_INT,TUPLE_INT,DICT}, STORE_SUBSCR_{LIST_INT,DICT},
 * and float_add / float_sub / float_mul / float_div / float_rem's
 * conversion of a medium int operand (PyLong_AsDouble, exact below 2**30).
 * Each is tried first by the loop on the operands' exact types, so the
 * common case computes on JavaScript numbers and allocates nothing but
 * the result (CPython allocates the same).
 *
 * Invariants: a fast path answers exactly what the general path
 * (abstract.ts's binaryOp, richCompare, getItem, setItem) answers for the
 * same operands, or declines (0, null, false) before changing anything;
 * every error (division by zero, an index out of range) is left to the
 * general path, so its message is said once — but a dict lookup that
 * missed raises its KeyError itself, as BINARY_SUBSCR_DICT does (the
 * general path would hash and compare the key again, and a Python
 * __hash__ or __eq__ would run twice). Only exact types are taken (a
 * subclass may override the operator).
 */
import { floatModulo } from '../objects/text/floatArith.js';
import { keyError } from './abstract.js';
import { compareNumbers, intBinaryFast, intCompareFast } from './intFastPaths.js';
import type { Vm } from './vm.js';

/**
 * BINARY_OP of a and b for oparg (NB_*, the in-place ones from 13: ints
 * and floats are immutable, so they compute as the plain ones): the
 * result (a new reference), or 0 when no fast path applies.
 */
export function binaryOpFast(vm: Vm, a: number, b: number, oparg: number): number {
  const { interp } = vm;
  const rt = interp.rt;
  const op = oparg >= 13 ? oparg - 13 : oparg;
  const ta = rt.typeOf(a);
  const tb = rt.typeOf(b);
  const long = interp.long;
  const aInt = ta === long.type || ta === long.boolType;
  const bInt = tb === long.type || tb === long.boolType;
  if (aInt && bInt) {
    if (op !== 11) return intBinaryFast(vm, a, b, op);
    // long_true_divide's fast path: both exact as doubles, so x / y is the correctly rounded quotient.
    const x = long.mediumValue(a);
    const y = long.mediumValue(b);
    return x === x && y === y && y !== 0 ? interp.float.fromNumber(x / y) : 0;
  }
  const fl = interp.float.type;
  if (!((ta === fl || aInt) && (tb === fl || bInt))) return 0;
  // At least one float: float_add ... with a medium int converted exactly.
  const x = aInt ? long.mediumValue(a) : interp.float.value(a);
  const y = bInt ? long.mediumValue(b) : interp.float.value(b);
  if ((aInt && x !== x) || (bInt && y !== y)) return 0;
  switch (op) {
    case 0:
      return interp.float.fromNumber(x + y);
    case 10:
      return interp.float.fromNumber(x - y);
    case 5:
      return interp.float.fromNumber(x * y);
    case 11:
      return y === 0 ? 0 : interp.float.fromNumber(x / y);
    case 6:
      return y === 0 ? 0 : interp.float.fromNumber(floatModulo(x, y));
    default:
      return 0;
  }
}

/**
 * COMPARE_OP of a and b for Py_LT..Py_GE (0..5): the answer, or null when
 * no fast path applies. Ints and floats compare as numbers (a medium int
 * is exact as a double; NaN is unordered, as C's comparisons); two exact
 * strs compare for == and != only (unicode_eq).
 */
export function compareOpFast(vm: Vm, a: number, b: number, op: number): boolean | null {
  const { interp } = vm;
  const rt = interp.rt;
  const ta = rt.typeOf(a);
  const tb = rt.typeOf(b);
  const long = interp.long;
  const aInt = ta === long.type || ta === long.boolType;
  const bInt = tb === long.type || tb === long.boolType;
  if (aInt && bInt) return intCompareFast(vm, a, b, op);
  const fl = interp.float.type;
  if ((ta === fl || aInt) && (tb === fl || bInt)) {
    const x = aInt ? long.mediumValue(a) : interp.float.value(a);
    const y = bInt ? long.mediumValue(b) : interp.float.value(b);
    if ((aInt && x !== x) || (bInt && y !== y)) return null;
    return compareNumbers(x, y, op);
  }
  const st = interp.str.type;
  if (ta === st && tb === st && (op === 2 || op === 3)) return (a === b || interp.str.eq(a, b)) === (op === 2);
  return null;
}

/** The index a medium int key gives into a sequence of n items (negative ones from the end), or -1 when out of range or no medium int. */
function seqIndex(vm: Vm, key: number, n: number): number {
  const long = vm.interp.long;
  const t = vm.interp.rt.typeOf(key);
  if (t !== long.type && t !== long.boolType) return -1;
  let i = long.mediumValue(key);
  if (i !== i) return -1;
  if (i < 0) i += n;
  return i >= 0 && i < n ? i : -1;
}

/**
 * BINARY_SUBSCR of an exact list or tuple by an int in range, or of an
 * exact dict (KeyError when the key is missing): the item (a new
 * reference), or 0.
 */
export function subscrFast(vm: Vm, container: number, key: number): number {
  const { interp } = vm;
  const rt = interp.rt;
  const t = rt.typeOf(container);
  let v = 0;
  if (t === interp.list.type) {
    const i = seqIndex(vm, key, interp.list.size(container));
    if (i >= 0) v = interp.list.getItem(container, i);
  } else if (t === interp.tuple.type) {
    const i = seqIndex(vm, key, interp.tuple.size(container));
    if (i >= 0) v = interp.tuple.getItem(container, i);
  } else if (t === interp.dict.type) {
    v = interp.dict.getItem(container, key);
    if (v === 0) throw keyError(vm, key);
  }
  if (v !== 0) rt.incref(v);
  return v;
}

/** STORE_SUBSCR container[key] = v (v borrowed) for an exact list and an int in range, or an exact dict: whether it was done. */
export function storeSubscrFast(vm: Vm, container: number, key: number, v: number): boolean {
  const { interp } = vm;
  const rt = interp.rt;
  const t = rt.typeOf(container);
  if (t === interp.list.type) {
    const i = seqIndex(vm, key, interp.list.size(container));
    if (i < 0) return false;
    rt.incref(v);
    interp.list.setItem(container, i, v);
    return true;
  }
  if (t === interp.dict.type) {
    interp.dict.setItem(container, key, v);
    return true;
  }
  return false;
}
