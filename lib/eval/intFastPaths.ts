/*
 * The int fast paths of BINARY_OP and COMPARE_OP: CPython 3.11's
 * specialisations (BINARY_OP_ADD_INT, BINARY_OP_SUBTRACT_INT,
 * BINARY_OP_MULTIPLY_INT, COMPARE_OP_INT_JUMP) and long_add / long_sub /
 * long_mul / l_divmod's medium-value fast paths (IS_MEDIUM_VALUE: |ob_size|
 * <= 1, values below 2**30), on JavaScript doubles instead of BigInts.
 *
 * Invariants: a fast path answers exactly what the BigInt path answers, or
 * declines (0 / null) and the caller takes the general path: sums and
 * differences of medium values are exact doubles; a product or a shift is
 * taken only when the result is a safe integer; // and % floor as Python's
 * (for |x|, |y| < 2**30, Math.floor(x / y) is exact); & | ^ of two bools
 * stay bools (the general path). Errors (division by
 * zero) are left to the general path, so their messages are said once.
 */
import type { Vm } from './vm.js';

/** BINARY_OP of two ints a, b (their types just read) for oparg op (not inplace-shifted); 0 when it declines. New reference. */
export function intBinaryFast(vm: Vm, a: number, b: number, op: number): number {
  const long = vm.interp.long;
  const x = long.mediumValue(a);
  const y = long.mediumValue(b);
  // NaN (a big int) fails every comparison below and declines.
  if (!(x === x && y === y)) return 0;
  let r: number;
  switch (op) {
    case 0: // +
      r = x + y;
      break;
    case 10: // -
      r = x - y;
      break;
    case 5: // *
      r = x * y;
      if (!Number.isSafeInteger(r)) return 0;
      r += 0; // -0: an int product is 0
      break;
    case 2: // //
      if (y === 0) return 0;
      r = Math.floor(x / y) + 0;
      break;
    case 6: {
      // %: the sign of the divisor (l_mod)
      if (y === 0) return 0;
      r = x % y;
      if (r !== 0 && r < 0 !== y < 0) r += y;
      r += 0;
      break;
    }
    case 1: // &
    case 7: // |
    case 12: // ^ — of two bools a bool (bool_and ...): the general path
      if ((a === long.True || a === long.False) && (b === long.True || b === long.False)) return 0;
      // Medium values are below 2**30 in magnitude: int32 bitwise operations are exact (two's complement, as Python's).
      r = op === 1 ? x & y : op === 7 ? x | y : x ^ y;
      break;
    case 3: // <<
      if (y < 0) return 0;
      r = y < 53 ? x * 2 ** y : Number.NaN;
      if (!Number.isSafeInteger(r)) return 0;
      break;
    case 9: // >> (floors, as Python's)
      if (y < 0) return 0;
      r = y < 31 ? Math.floor(x / 2 ** y) : x < 0 ? -1 : 0;
      break;
    default:
      return 0;
  }
  return long.fromNumber(r);
}

/** COMPARE_OP of two ints (their types just read): the answer for Py_LT..Py_GE (0..5), or null when one is big. */
export function intCompareFast(vm: Vm, a: number, b: number, op: number): boolean | null {
  const long = vm.interp.long;
  const x = long.mediumValue(a);
  const y = long.mediumValue(b);
  if (!(x === x && y === y)) return null;
  return compareNumbers(x, y, op);
}

/** Py_LT..Py_GE (0..5) of two numbers exact as doubles (float_richcompare's and the medium ints' comparison). */
export function compareNumbers(x: number, y: number, op: number): boolean {
  switch (op) {
    case 0:
      return x < y;
    case 1:
      return x <= y;
    case 2:
      return x === y;
    case 3:
      return x !== y;
    case 4:
      return x > y;
    default:
      return x >= y;
  }
}
