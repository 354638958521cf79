/*
 * STUB — to be written (issue 3). int and bool (Objects/longobject.c, boolobject.c): PyLongObject = PyVarObject + 30-bit digits
 * (u32 each), sign in ob_size, at least one digit allocated; small ints -5..256 static and cached.
 * Expected API: type, boolType; True, False (static); fromNumber(n: number): number (exact integer or throws);
 * fromBigInt(b: bigint): number; toBigInt(op): bigint; toNumber(op): number; fromBool(b): number (new ref);
 * hash as CPython (value mod 2**61-1, -1 -> -2); eq with other ints.
 */
import type { Interpreter } from '../interpreter.js';

export class LongModule {
  constructor(readonly interp: Interpreter) {}
}
