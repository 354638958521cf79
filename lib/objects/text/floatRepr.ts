/*
 * A double as text (Python/pystrtod.c PyOS_double_to_string and
 * format_float_short; Objects/floatobject.c float_repr). The digits come from
 * dtoa.ts; this lays them out: zero padding on either side, the decimal
 * point, the exponent as "%+.02d" (e+16, e-05, e+308). repr is format code
 * 'r' with Py_DTSF_ADD_DOT_0: exponent form when decpt <= -4 or decpt > 16,
 * else fixed with at least one digit after the point.
 */
import { repeatStr } from './codePoints.js';
import { dtoa } from './dtoa.js';

/** Py_DTSF_SIGN: always a sign, '+' for non-negative values. */
export const DTSF_SIGN = 0x01;
/** Py_DTSF_ADD_DOT_0: integers in fixed form get ".0". */
export const DTSF_ADD_DOT_0 = 0x02;
/** Py_DTSF_ALT: the '#' form (keep the point and trailing zeros). */
export const DTSF_ALT = 0x04;
/** Py_DTSF_NO_NEG_0: a value that rounds to zero loses its minus sign (the 'z' option, 3.11). */
export const DTSF_NO_NEG_0 = 0x08;

/** The format codes PyOS_double_to_string takes. */
export type DoubleFormatCode = 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'r';

/** '0' repeated n times (n ≤ 0 gives ""). */
function zeros(n: number): string {
  return repeatStr('0', n);
}

/** PyOS_double_to_string(val, format_code, precision, flags): CPython's text for a double. */
export function doubleToString(val: number, formatCode: DoubleFormatCode, precision: number, flags: number): string {
  const upper = formatCode === 'E' || formatCode === 'F' || formatCode === 'G';
  const code = upper ? (formatCode.toLowerCase() as 'e' | 'f' | 'g') : formatCode;
  let mode: 0 | 2 | 3;
  if (code === 'e') { mode = 2; precision++; }
  else if (code === 'f') mode = 3;
  else if (code === 'g') { mode = 2; if (precision === 0) precision = 1; }
  else mode = 0;
  const alwaysAddSign = (flags & DTSF_SIGN) !== 0;
  const addDot0 = (flags & DTSF_ADD_DOT_0) !== 0;
  const alt = (flags & DTSF_ALT) !== 0;
  if (!Number.isFinite(val)) {
    const sign = val < 0 ? '-' : alwaysAddSign ? '+' : '';
    const word = Number.isNaN(val) ? 'nan' : 'inf';
    return sign + (upper ? word.toUpperCase() : word);
  }
  const d = dtoa(val, mode, precision);
  const digits = d.digits;
  const digitsLen = digits.length;
  let decpt = d.decpt;
  let negative = d.negative;
  if (negative && (flags & DTSF_NO_NEG_0) !== 0 && (digitsLen === 0 || (digitsLen === 1 && digits === '0'))) negative = false;
  let vdigitsEnd = digitsLen;
  let useExp = false;
  let exp = 0;
  if (code === 'e') { useExp = true; vdigitsEnd = precision; }
  else if (code === 'f') vdigitsEnd = decpt + precision;
  else if (code === 'g') {
    if (decpt <= -4 || decpt > (addDot0 ? precision - 1 : precision)) useExp = true;
    if (alt) vdigitsEnd = precision;
  } else if (decpt <= -4 || decpt > 16) useExp = true;
  if (useExp) { exp = decpt - 1; decpt = 1; }
  const vdigitsStart = decpt <= 0 ? decpt - 1 : 0;
  if (!useExp && addDot0) vdigitsEnd = vdigitsEnd > decpt ? vdigitsEnd : decpt + 1;
  else vdigitsEnd = vdigitsEnd > decpt ? vdigitsEnd : decpt;

  let out = negative ? '-' : alwaysAddSign ? '+' : '';
  if (decpt <= 0) out += zeros(decpt - vdigitsStart) + '.' + zeros(-decpt);
  else out += zeros(-vdigitsStart);
  if (decpt > 0 && decpt <= digitsLen) out += digits.slice(0, decpt) + '.' + digits.slice(decpt);
  else out += digits;
  if (digitsLen < decpt) out += zeros(decpt - digitsLen) + '.' + zeros(vdigitsEnd - decpt);
  else out += zeros(vdigitsEnd - digitsLen);
  if (out.charCodeAt(out.length - 1) === 46 && !alt) out = out.slice(0, -1);
  if (useExp) {
    const a = Math.abs(exp);
    out += (upper ? 'E' : 'e') + (exp < 0 ? '-' : '+') + (a < 10 ? '0' + a : String(a));
  }
  return out;
}

/** float_repr (also float_str in 3.x): repr(x) exactly as CPython prints it. */
export function floatRepr(x: number): string {
  return doubleToString(x, 'r', 0, DTSF_ADD_DOT_0);
}
