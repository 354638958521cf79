/*
 * Arithmetic of float as Objects/floatobject.c defines it: floor division
 * and modulo with the sign of the divisor (float_divmod, float_rem,
 * float_floor_div), float_pow's special cases and errors, round() through
 * the correctly rounded decimal string (double_round), as_integer_ratio,
 * is_integer, hex / fromhex, and the conversions to and from int
 * (PyLong_FromDouble, PyLong_AsDouble). Every function takes and returns JS
 * numbers (ints as bigint) and raises PyException where CPython raises.
 */
import { bitLength, roundToDouble } from './bigMath.js';
import { decompose, dtoa } from './dtoa.js';
import { floatRepr } from './floatRepr.js';
import { libmPow } from './libmPow.js';
import { isAsciiSpace, parseInfOrNan } from './floatParse.js';
import { raise, rangeError } from './pyException.js';

/** A complex value (Py_complex). */
export interface Complex {
  readonly real: number;
  readonly imag: number;
}

/** float_div: x / y, ZeroDivisionError "float division by zero". */
export function floatTrueDivide(x: number, y: number): number {
  if (y === 0) raise('ZeroDivisionError', 'float division by zero');
  return x / y;
}

/** The (floor quotient, modulo) pair of float_divmod, for y ≠ 0. */
function divmodCore(vx: number, wx: number): [number, number] {
  let mod = vx % wx;
  let div = (vx - mod) / wx;
  if (mod !== 0) {
    if ((wx < 0) !== (mod < 0)) { mod += wx; div -= 1.0; }
  } else mod = wx < 0 || Object.is(wx, -0) ? -0 : 0;
  let floordiv: number;
  if (div !== 0) {
    floordiv = Math.floor(div);
    if (div - floordiv > 0.5) floordiv += 1.0;
  } else floordiv = Math.sign(vx / wx) < 0 || Object.is(vx / wx, -0) ? -0 : 0;
  return [floordiv, mod];
}

/** float_divmod: divmod(x, y), ZeroDivisionError "float divmod()". */
export function floatDivmod(x: number, y: number): [number, number] {
  if (y === 0) raise('ZeroDivisionError', 'float divmod()');
  return divmodCore(x, y);
}

/** float_floor_div: x // y, ZeroDivisionError "float floor division by zero". */
export function floatFloorDivide(x: number, y: number): number {
  if (y === 0) raise('ZeroDivisionError', 'float floor division by zero');
  return divmodCore(x, y)[0];
}

/** float_rem: x % y with the sign of y, ZeroDivisionError "float modulo". */
export function floatModulo(x: number, y: number): number {
  if (y === 0) raise('ZeroDivisionError', 'float modulo');
  let mod = x % y;
  if (mod !== 0) {
    if ((y < 0) !== (mod < 0)) mod += y;
  } else mod = y < 0 || Object.is(y, -0) ? -0 : 0;
  return mod;
}

/** DOUBLE_IS_ODD_INTEGER. */
function isOddInteger(x: number): boolean {
  return Math.abs(x % 2.0) === 1.0;
}

/** _Py_c_pow: a ** b for complex values (errno EDOM for 0 to a negative or complex power). */
export function complexPowRaw(a: Complex, b: Complex): { value: Complex; edom: boolean } {
  if (b.real === 0 && b.imag === 0) return { value: { real: 1, imag: 0 }, edom: false };
  if (a.real === 0 && a.imag === 0) return { value: { real: 0, imag: 0 }, edom: b.imag !== 0 || b.real < 0 };
  const vabs = Math.hypot(a.real, a.imag);
  let len = Math.pow(vabs, b.real);
  const at = Math.atan2(a.imag, a.real);
  let phase = at * b.real;
  if (b.imag !== 0) {
    len /= Math.exp(at * b.imag);
    phase += b.imag * Math.log(vabs);
  }
  return { value: { real: len * Math.cos(phase), imag: len * Math.sin(phase) }, edom: false };
}

/**
 * float_pow: x ** y for floats. A negative x to a non-integer power gives a
 * complex (as CPython hands it to complex_pow). Errors: ZeroDivisionError
 * "0.0 cannot be raised to a negative power", OverflowError (34, 'Numerical
 * result out of range').
 */
export function floatPow(iv: number, iw: number): number | Complex {
  if (iw === 0) return 1.0;
  if (Number.isNaN(iv)) return iv;
  if (Number.isNaN(iw)) return iv === 1.0 ? 1.0 : iw;
  if (!Number.isFinite(iw)) {
    const av = Math.abs(iv);
    if (av === 1.0) return 1.0;
    if ((iw > 0) === (av > 1.0)) return Math.abs(iw);
    return 0.0;
  }
  if (!Number.isFinite(iv)) {
    const odd = isOddInteger(iw);
    if (iw > 0) return odd ? iv : Math.abs(iv);
    return odd ? (iv < 0 ? -0 : 0) : 0.0;
  }
  if (iv === 0) {
    const odd = isOddInteger(iw);
    if (iw < 0) raise('ZeroDivisionError', '0.0 cannot be raised to a negative power');
    return odd ? iv : 0.0;
  }
  let negate = false;
  if (iv < 0) {
    if (iw !== Math.floor(iw)) return complexPow({ real: iv, imag: 0 }, { real: iw, imag: 0 });
    iv = -iv;
    negate = isOddInteger(iw);
  }
  if (iv === 1.0) return negate ? -1.0 : 1.0;
  let ix = libmPow(iv, iw);
  if (!Number.isFinite(ix)) rangeError();
  if (negate) ix = -ix;
  return ix;
}

/** c_powi / _Py_c_pow as complex_pow chooses them, with its errors. */
export function complexPow(a: Complex, b: Complex): Complex {
  let value: Complex;
  let edom = false;
  if (b.imag === 0 && b.real === Math.floor(b.real) && Math.abs(b.real) <= 100) value = complexPowInt(a, b.real);
  else ({ value, edom } = complexPowRaw(a, b));
  if (edom) raise('ZeroDivisionError', '0.0 to a negative or complex power');
  if (!Number.isFinite(value.real) || !Number.isFinite(value.imag)) raise('OverflowError', 'complex exponentiation');
  return value;
}

function cProd(a: Complex, b: Complex): Complex {
  return { real: a.real * b.real - a.imag * b.imag, imag: a.real * b.imag + a.imag * b.real };
}

/** _Py_c_quot: a / b (b ≠ 0), Smith's algorithm as complexobject.c has it. */
export function complexQuotient(a: Complex, b: Complex): Complex {
  const absBr = Math.abs(b.real);
  const absBi = Math.abs(b.imag);
  if (absBr >= absBi) {
    if (absBr === 0) return { real: NaN, imag: NaN };
    const ratio = b.imag / b.real;
    const denom = b.real + b.imag * ratio;
    return { real: (a.real + a.imag * ratio) / denom, imag: (a.imag - a.real * ratio) / denom };
  }
  if (absBi >= absBr) {
    const ratio = b.real / b.imag;
    const denom = b.real * ratio + b.imag;
    return { real: (a.real * ratio + a.imag) / denom, imag: (a.imag * ratio - a.real) / denom };
  }
  return { real: NaN, imag: NaN };
}

/** c_powi: a ** n for a small integer n (c_powu by squaring; negative n through 1/…). */
function complexPowInt(a: Complex, n: number): Complex {
  const powu = (x: Complex, k: number): Complex => {
    let r: Complex = { real: 1, imag: 0 };
    let p = x;
    for (let mask = 1; mask > 0 && k >= mask; mask <<= 1) {
      if (k & mask) r = cProd(r, p);
      p = cProd(p, p);
    }
    return r;
  };
  if (n > 0) return powu(a, n);
  return complexQuotient({ real: 1, imag: 0 }, powu(a, -n));
}

/** PyLong_FromDouble: int(x) truncating toward zero, with CPython's errors for inf and nan. */
export function floatToInt(x: number): bigint {
  if (Number.isNaN(x)) raise('ValueError', 'cannot convert float NaN to integer');
  if (!Number.isFinite(x)) raise('OverflowError', 'cannot convert float infinity to integer');
  return BigInt(Math.trunc(x));
}

/** PyLong_AsDouble: float(n) correctly rounded, OverflowError "int too large to convert to float". */
export function intToFloat(n: bigint): number {
  const v = Number(n);
  if (!Number.isFinite(v)) raise('OverflowError', 'int too large to convert to float');
  return v;
}

/** float.is_integer(). */
export function floatIsInteger(x: number): boolean {
  return Number.isFinite(x) && Math.floor(x) === x;
}

/** float.as_integer_ratio(): the exact (numerator, denominator), denominator a power of two. */
export function floatAsIntegerRatio(x: number): [bigint, bigint] {
  if (Number.isNaN(x)) raise('ValueError', 'cannot convert NaN to integer ratio');
  if (!Number.isFinite(x)) raise('OverflowError', 'cannot convert Infinity to integer ratio');
  if (x === 0) return [0n, 1n];
  let { mantissa, exponent } = decompose(Math.abs(x));
  while ((mantissa & 1n) === 0n) { mantissa >>= 1n; exponent++; }
  const num = x < 0 ? -mantissa : mantissa;
  return exponent >= 0 ? [num << BigInt(exponent), 1n] : [num, 1n << BigInt(-exponent)];
}

/** round(x) (float___round___impl without ndigits): nearest int, ties to even. */
export function floatRoundToInt(x: number): bigint {
  let rounded = cRound(x);
  if (Math.abs(x - rounded) === 0.5) rounded = 2.0 * cRound(x / 2.0);
  return floatToInt(rounded);
}

/** C's round(): halves away from zero (Math.round sends them toward +inf). */
function cRound(x: number): number {
  const t = Math.trunc(x);
  return Math.abs(x - t) >= 0.5 ? t + Math.sign(x) : t;
}

const NDIGITS_MAX = Math.trunc((53 - -1021) * 0.30103);
const NDIGITS_MIN = -Math.trunc((1024 + 1) * 0.30103);

/** round(x, ndigits) (float___round___impl / double_round): correctly rounded, ties to even. */
export function floatRound(x: number, ndigits: number): number {
  if (!Number.isFinite(x)) return x;
  if (ndigits > NDIGITS_MAX) return x;
  if (ndigits < NDIGITS_MIN) return 0.0 * x;
  const d = dtoa(x, 3, ndigits);
  const rounded = Number(`${d.negative ? '-' : ''}0${d.digits}e${d.decpt - d.digits.length}`);
  if (!Number.isFinite(rounded)) raise('OverflowError', 'rounded value too large to represent');
  return rounded;
}

const HEX_FLOAT = /^([+-]?)(?:0[xX](?=[0-9a-fA-F.]))?([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?/;
const LETTERS = /^[+-]?[a-zA-Z]+$/;
const HEXDIGITS = '0123456789abcdef';

/** float.hex() (float_hex): 13 hex digits after the point, exponent in binary. */
export function floatHex(x: number): string {
  if (!Number.isFinite(x)) return floatRepr(x);
  if (x === 0) return Object.is(x, -0) ? '-0x0.0p+0' : '0x0.0p+0';
  const { mantissa, exponent } = decompose(Math.abs(x));
  // normalise to a leading digit 1 (normal) or 0 (subnormal), as frexp/ldexp do there
  const subnormal = mantissa < 1n << 52n;
  const e = subnormal ? -1022 : exponent + 52;
  const frac = mantissa & ((1n << 52n) - 1n);
  let digits = '';
  for (let k = 48n; k >= 0n; k -= 4n) digits += HEXDIGITS[Number((frac >> k) & 15n)];
  return `${x < 0 ? '-' : ''}0x${subnormal ? '0' : '1'}.${digits}p${e < 0 ? '-' : '+'}${Math.abs(e)}`;
}

/** float.fromhex(s) (float_fromhex): exactly rounded; ValueError / OverflowError as CPython's. */
export function floatFromHex(s: string): number {
  const bad = (): never => raise('ValueError', 'invalid hexadecimal floating-point string');
  let i = 0;
  const n = s.length;
  while (i < n && isAsciiSpace(s.charCodeAt(i))) i++;
  let j = n;
  while (j > i && isAsciiSpace(s.charCodeAt(j - 1))) j--;
  const body = s.slice(i, j);
  if (LETTERS.test(body)) {
    const special = parseInfOrNan(body);
    if (special !== undefined) return special;
  }
  const m = HEX_FLOAT.exec(body)!;
  const intDigits = m[2];
  const fracDigits = m[3] ?? '';
  if (intDigits.length + fracDigits.length === 0) bad();
  const coeff = BigInt('0x' + (intDigits + fracDigits || '0'));
  const exp = (m[4] !== undefined ? Number(m[4]) : 0) - 4 * fracDigits.length;
  let v: number;
  if (coeff === 0n) v = 0;
  else if (bitLength(coeff) + exp > 1025) v = Infinity;
  else v = roundToDouble(coeff, exp, false);
  // as float_fromhex: overflow is reported before trailing characters are looked at
  if (!Number.isFinite(v)) raise('OverflowError', 'hexadecimal value too large to represent as a float');
  if (m[0].length !== body.length) bad();
  return m[1] === '-' ? -v : v;
}
