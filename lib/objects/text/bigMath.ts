/*
 * Exact conversions between big integers and doubles, the common core of
 * float(int) (PyLong_AsDouble), int / int (Objects/longobject.c
 * long_true_divide) and float.fromhex (float_fromhex): a value q × 2**e
 * (plus "a little more" when `sticky`) rounded once to the nearest double,
 * ties to even, with gradual underflow. Invariant: the result is the double
 * CPython computes, or Infinity where CPython raises OverflowError.
 */

/** The number of bits of |n| (int.bit_length). */
export function bitLength(n: bigint): number {
  if (n < 0n) n = -n;
  if (n === 0n) return 0;
  const h = n.toString(16);
  const top = parseInt(h[0], 16);
  return (h.length - 1) * 4 + (32 - Math.clz32(top));
}

/** (q + ε) × 2**e rounded to a double (ε > 0 tiny when `sticky`), q ≥ 0; Infinity when it overflows. */
export function roundToDouble(q: bigint, e: number, sticky: boolean): number {
  if (q === 0n) return 0;
  const n = bitLength(q);
  const msbExp = n - 1 + e;
  if (msbExp > 1023) return Infinity;
  if (msbExp < -1076) return 0;
  const lsbExp = Math.max(msbExp - 52, -1074);
  const drop = lsbExp - e;
  let m: bigint;
  if (drop <= 0) m = q << BigInt(-drop);
  else {
    const d = BigInt(drop);
    m = q >> d;
    const rem = q & ((1n << d) - 1n);
    const half = 1n << (d - 1n);
    if (rem > half || (rem === half && (sticky || (m & 1n) === 1n))) m += 1n;
  }
  return Number(m) * 2 ** lsbExp;
}

/** a / b × 2**e2 correctly rounded (b ≠ 0); ±Infinity when it overflows a double. */
export function divideToDouble(a: bigint, b: bigint, e2 = 0): number {
  const negative = (a < 0n) !== (b < 0n);
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  let v: number;
  if (a === 0n) v = 0;
  else {
    const diff = bitLength(a) - bitLength(b);
    if (diff + e2 > 1025) v = Infinity;
    else if (diff + e2 < -1080) v = 0;
    else {
      const s = 55 - diff;
      let q: bigint;
      let r: bigint;
      if (s >= 0) { const n = a << BigInt(s); q = n / b; r = n - q * b; }
      else { const d = b << BigInt(-s); q = a / d; r = a - q * d; }
      v = roundToDouble(q, e2 - s, r !== 0n);
    }
  }
  return negative ? -v : v;
}
