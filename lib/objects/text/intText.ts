/*
 * int ↔ text (Objects/longobject.c): str()/repr() with 3.11's limit on
 * decimal digits (long_to_decimal_string_internal, _PY_LONG_MAX_STR_DIGITS),
 * bin/oct/hex (long_format_binary), and int(str, base) (PyLong_FromString
 * behind PyLong_FromUnicodeObject): whitespace, sign, base prefixes, one
 * underscore between digits or after the prefix, the old-octal rule for
 * base 0, and the limit for non-power-of-two bases. Errors carry CPython's
 * words; the "invalid literal" message shows the original str's repr cut to
 * 200 characters (%.200R).
 */
import { bitLength } from './bigMath.js';
import { stripAsciiSpace, transformDecimalAndSpaceToAscii } from './floatParse.js';
import { raise } from './pyException.js';
import { strRepr } from './strRepr.js';

/** sys.get_int_max_str_digits() default in 3.11 (_PY_LONG_DEFAULT_MAX_STR_DIGITS). */
export const INT_MAX_STR_DIGITS = 4300;
/** _PY_LONG_MAX_STR_DIGITS_THRESHOLD: below this many digits the limit is never checked. */
const THRESHOLD = 640;
const LOG10_2 = Math.log10(2);
/** Below 10**600 (fewer than THRESHOLD digits) no limit check is needed. */
const TEN_600 = 10n ** 600n;

/** long_to_decimal_string: str(n), ValueError past `maxStrDigits` digits (0: no limit). */
export function intToString(n: bigint, maxStrDigits: number = INT_MAX_STR_DIGITS): string {
  if (maxStrDigits > 0 && (n >= TEN_600 || n <= -TEN_600)) {
    const limitMsg = `Exceeds the limit (${maxStrDigits} digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit`;
    // cheap rejection first, as CPython does from the number of 30-bit digits
    if (Math.floor((bitLength(n) - 1) * LOG10_2) + 1 > maxStrDigits + 1) raise('ValueError', limitMsg);
    const s = n.toString();
    if (s.length - (n < 0n ? 1 : 0) > maxStrDigits) raise('ValueError', limitMsg);
    return s;
  }
  return n.toString();
}

/** bin(n) / oct(n) / hex(n): '-0b101', '0o17', '0xff' (long_format_binary with a prefix). */
export function intToBase(n: bigint, base: 2 | 8 | 16): string {
  const prefix = base === 2 ? '0b' : base === 8 ? '0o' : '0x';
  return n < 0n ? '-' + prefix + (-n).toString(base) : prefix + n.toString(base);
}

/** _PyLong_DigitValue: the value of an ASCII digit or letter, 37 for anything else. */
function digitValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 122) return c - 87;
  if (c >= 65 && c <= 90) return c - 55;
  return 37;
}

/** The digits (no underscores) in `base` as a bigint. */
function digitsToBigInt(d: string, base: number): bigint {
  if (base === 10) return BigInt(d);
  if (base === 16) return BigInt('0x' + d);
  if (base === 8) return BigInt('0o' + d);
  if (base === 2) return BigInt('0b' + d);
  let chunk = 1;
  let chunkBase = base;
  while (chunkBase * base < 2 ** 48) { chunkBase *= base; chunk++; }
  const cb = BigInt(chunkBase);
  let i: number;
  const first = d.length % chunk || chunk;
  let z = BigInt(parseInt(d.slice(0, first), base));
  for (i = first; i < d.length; i += chunk) z = z * cb + BigInt(parseInt(d.slice(i, i + chunk), base));
  return z;
}

/** int(s, base) for a str s: CPython's value or its ValueError. */
export function intFromString(s: string, base: number = 10, maxStrDigits: number = INT_MAX_STR_DIGITS): bigint {
  if ((base !== 0 && base < 2) || base > 36) raise('ValueError', 'int() base must be >= 2 and <= 36, or 0');
  const invalid = (): never => {
    const r = strRepr(s);
    return raise('ValueError', `invalid literal for int() with base ${base}: ${r.length > 200 ? r.slice(0, 200) : r}`);
  };
  const t = stripAsciiSpace(transformDecimalAndSpaceToAscii(s));
  let i = 0;
  let negative = false;
  if (t[i] === '+') i++;
  else if (t[i] === '-') { i++; negative = true; }
  let b = base;
  let errorIfNonzero = false;
  const c1 = t.charCodeAt(i + 1) | 0x20;
  if (b === 0) {
    if (t[i] !== '0') b = 10;
    else if (c1 === 0x78) b = 16;
    else if (c1 === 0x6f) b = 8;
    else if (c1 === 0x62) b = 2;
    else { errorIfNonzero = true; b = 10; }
  }
  if (t[i] === '0' && ((b === 16 && c1 === 0x78) || (b === 8 && c1 === 0x6f) || (b === 2 && c1 === 0x62))) {
    i += 2;
    if (t[i] === '_') i++;
  }
  if (t[i] === '_') invalid();
  const start = i;
  let prev = 0;
  let digits = 0;
  const parts: string[] = [];
  let runStart = i;
  for (; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 95) {
      if (prev === 95) invalid();
      parts.push(t.slice(runStart, i));
      runStart = i + 1;
    } else if (digitValue(c) < b) digits++;
    else break;
    prev = c;
  }
  if (prev === 95) invalid();
  parts.push(t.slice(runStart, i));
  if ((b & (b - 1)) !== 0 && digits > THRESHOLD && maxStrDigits > 0 && digits > maxStrDigits) {
    raise('ValueError', `Exceeds the limit (${maxStrDigits} digits) for integer string conversion: value has ${digits} digits; use sys.set_int_max_str_digits() to increase the limit`);
  }
  if (i === start || i !== t.length) invalid();
  const z = digitsToBigInt(parts.join(''), b);
  if (errorIfNonzero && z !== 0n) invalid();
  return negative ? -z : z;
}
