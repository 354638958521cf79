/*
 * Exact comparison of an int with a float (Objects/floatobject.c
 * float_richcompare): no rounding of the int to a double, so
 * 2**53 + 1 > 2**53 + 0.0 and 10**400 > 1e308 hold as in CPython. A NaN is
 * unordered: every comparison but != is False.
 */

/** The sign of i - x as -1, 0 or 1, or NaN when x is NaN (unordered). */
export function compareIntFloat(i: bigint, x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return -1;
  if (x === -Infinity) return 1;
  if (i > -(2n ** 53n) && i < 2n ** 53n) {
    const v = Number(i);
    return v < x ? -1 : v > x ? 1 : 0;
  }
  const f = Math.floor(x);
  const bf = BigInt(f);
  if (i < bf) return -1;
  if (i > bf) return 1;
  return x === f ? 0 : -1;
}

/** float_richcompare for int (op) float and float (op) int: the six comparisons. */
export function richCompareIntFloat(a: bigint | number, b: bigint | number, op: '<' | '<=' | '==' | '!=' | '>' | '>='): boolean {
  const c = typeof a === 'bigint' ? compareIntFloat(a, b as number) : -compareIntFloat(b as bigint, a);
  if (Number.isNaN(c)) return op === '!=';
  switch (op) {
    case '<': return c < 0;
    case '<=': return c <= 0;
    case '==': return c === 0;
    case '!=': return c !== 0;
    case '>': return c > 0;
    case '>=': return c >= 0;
  }
}
