/*
 * Decimal digits of a double, as Python/dtoa.c's _Py_dg_dtoa gives them:
 * mode 0 the shortest string that round-trips, mode 2 `ndigits` significant
 * digits, mode 3 `ndigits` digits after the decimal point (negative: to the
 * left of it), both correctly rounded from the double's exact binary value,
 * ties to even. Invariant of every result: value = 0.d1d2d3… × 10**decpt,
 * no trailing zeros in `digits`; a finite x that rounds to zero in mode 3
 * gives "" with decpt = -ndigits (dtoa's "no digits, fcvt style").
 *
 * Mode 0 uses Number.prototype.toExponential(), which ECMAScript defines as
 * the shortest round-tripping digits, closest to x when several qualify —
 * dtoa's mode 0. Modes 2 and 3 scale the exact rational with BigInt.
 */

/** A digit string and the decimal point's position, as _Py_dg_dtoa returns them. */
export interface Digits {
  /** The significant digits, no leading or trailing zeros ("" when rounded to zero). */
  readonly digits: string;
  /** value = 0.digits × 10**decpt. */
  readonly decpt: number;
  /** True for a negative x (including -0.0). */
  readonly negative: boolean;
}

const bits = new DataView(new ArrayBuffer(8));

/** x = mantissa × 2**exponent exactly, for a finite x ≥ 0 (frexp with an integer mantissa). */
export function decompose(x: number): { mantissa: bigint; exponent: number } {
  bits.setFloat64(0, x);
  const hi = bits.getUint32(0);
  const lo = bits.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased === 0) return { mantissa, exponent: -1074 };
  mantissa |= 1n << 52n;
  return { mantissa, exponent: biased - 1075 };
}

const POW10: bigint[] = [1n];
/** 10n ** n, cached. */
export function pow10(n: number): bigint {
  while (POW10.length <= Math.min(n, 400)) POW10.push(POW10[POW10.length - 1] * 10n);
  return n < POW10.length ? POW10[n] : 10n ** BigInt(n);
}

/** round(n / d) with ties to even, n ≥ 0, d > 0. */
function divRoundHalfEven(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r2 = (n - q * d) * 2n;
  if (r2 > d || (r2 === d && (q & 1n) === 1n)) return q + 1n;
  return q;
}

/** The exact value of |x| as num / den. */
function rational(x: number): { num: bigint; den: bigint } {
  const { mantissa, exponent } = decompose(x);
  return exponent >= 0 ? { num: mantissa << BigInt(exponent), den: 1n } : { num: mantissa, den: 1n << BigInt(-exponent) };
}

/** num/den × 10**k exactly, as a fraction. */
function scale(num: bigint, den: bigint, k: number): { num: bigint; den: bigint } {
  return k >= 0 ? { num: num * pow10(k), den } : { num, den: den * pow10(-k) };
}

function stripZeros(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 48) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** floor(log10(|x|)) exactly, for a finite nonzero x. */
function decimalExponent(x: number, num: bigint, den: bigint): number {
  const s = x.toExponential();
  let e = Number(s.slice(s.indexOf('e') + 1));
  // the shortest digits may have rounded across a power of ten: settle it exactly
  for (;;) {
    const lower = scale(1n, 1n, e);
    if (num * lower.den < lower.num * den) { e--; continue; }
    const upper = scale(1n, 1n, e + 1);
    if (num * upper.den >= upper.num * den) { e++; continue; }
    return e;
  }
}

/** _Py_dg_dtoa(x, mode, ndigits) for a finite x; mode 0 ignores ndigits, mode 2 needs ndigits ≥ 1. */
export function dtoa(x: number, mode: 0 | 2 | 3, ndigits: number): Digits {
  const negative = x < 0 || Object.is(x, -0);
  if (x === 0) return { digits: '0', decpt: 1, negative };
  const ax = Math.abs(x);
  if (mode === 0) {
    const s = ax.toExponential();
    const ePos = s.indexOf('e');
    const digits = s.charCodeAt(1) === 46 ? s[0] + s.slice(2, ePos) : s.slice(0, ePos);
    return { digits, decpt: Number(s.slice(ePos + 1)) + 1, negative };
  }
  const { num, den } = rational(ax);
  if (mode === 2) {
    const e = decimalExponent(ax, num, den);
    const f = scale(num, den, ndigits - 1 - e);
    const q = divRoundHalfEven(f.num, f.den);
    if (q === pow10(ndigits)) return { digits: '1', decpt: e + 2, negative };
    return { digits: stripZeros(q.toString()), decpt: e + 1, negative };
  }
  const f = scale(num, den, ndigits);
  const q = divRoundHalfEven(f.num, f.den);
  if (q === 0n) return { digits: '', decpt: -ndigits, negative };
  const s = q.toString();
  return { digits: stripZeros(s), decpt: s.length - ndigits, negative };
}
