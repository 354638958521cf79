/*
 * float(str) (Objects/floatobject.c PyFloat_FromString and
 * float_from_string_inner; Python/pystrtod.c _PyOS_ascii_strtod,
 * _Py_parse_inf_or_nan; Python/pystrtod.c
 * _Py_string_to_number_with_underscores). The str is first made ASCII as
 * _PyUnicode_TransformDecimalAndSpaceToASCII does (Unicode spaces → ' ',
 * Unicode decimal digits → '0'…'9', anything else non-ASCII → '?'), then
 * stripped of ASCII whitespace; underscores may only stand between digits;
 * what is left must be entirely a decimal literal or inf / infinity / nan
 * (any case, optional sign). The digits are converted by Number(), which
 * ECMAScript and V8 round correctly, as _Py_dg_strtod does.
 */
import { raise } from './pyException.js';
import { strRepr } from './strRepr.js';
import { decimalValue, isSpace } from './unicodeTables.js';

const DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const INF_OR_NAN = /^([+-]?)(inf|infinity|nan)$/i;
const ASCII_ONLY = /^[\x00-\x7e]*$/;

/** _PyUnicode_TransformDecimalAndSpaceToASCII: s with Unicode spaces and decimal digits made ASCII. */
export function transformDecimalAndSpaceToAscii(s: string): string {
  if (ASCII_ONLY.test(s)) return s;
  const out: string[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 127) out.push(ch);
    else if (isSpace(cp)) out.push(' ');
    else {
      const d = decimalValue(cp);
      if (d < 0) { out.push('?'); break; }
      out.push(String.fromCharCode(48 + d));
    }
  }
  return out.join('');
}

/** Py_ISSPACE: the ASCII whitespace of pyctype.h. */
export function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Strips ASCII whitespace from both ends, as PyFloat_FromString and PyLong_FromUnicodeObject do. */
export function stripAsciiSpace(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isAsciiSpace(s.charCodeAt(a))) a++;
  while (b > a && isAsciiSpace(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** _Py_string_to_number_with_underscores' check: s without its underscores, or null if one is misplaced. */
export function removeUnderscores(s: string): string | null {
  if (!s.includes('_')) return s;
  let prev = 0;
  const out: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 95) {
      if (!(prev >= 48 && prev <= 57)) return null;
    } else {
      if (prev === 95 && !(c >= 48 && c <= 57)) return null;
      out.push(s[i]);
    }
    prev = c;
  }
  return prev === 95 ? null : out.join('');
}

/** _Py_parse_inf_or_nan over the whole of s, or undefined if s is not one. */
export function parseInfOrNan(s: string): number | undefined {
  const m = INF_OR_NAN.exec(s);
  if (!m) return undefined;
  const v = m[2].length === 3 && (m[2][0] === 'n' || m[2][0] === 'N') ? NaN : Infinity;
  return m[1] === '-' ? -v : v;
}

/** float(s) for a str s: CPython's value, or ValueError "could not convert string to float: …". */
export function floatFromString(s: string): number {
  const t = removeUnderscores(stripAsciiSpace(transformDecimalAndSpaceToAscii(s)));
  if (t !== null) {
    if (DECIMAL.test(t)) return Number(t);
    const special = parseInfOrNan(t);
    if (special !== undefined) return special;
  }
  return raise('ValueError', `could not convert string to float: ${strRepr(s)}`);
}
