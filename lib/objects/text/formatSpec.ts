/*
 * The format-spec mini-language (Python/formatter_unicode.c, 3.11):
 *
 *   [[fill]align][sign][z][#][0][width][grouping][.precision][type]
 *
 * parse_internal_render_format_spec as a pure parser, with 3.11's errors in
 * its words ("Invalid format specifier '…' for object of type '…'",
 * "Cannot specify ',' with 's'.", "Format specifier missing precision", …),
 * and the layout routines every numeric formatter shares: calc_padding,
 * calc_number_widths + fill_number, and _PyUnicode_InsertThousandsGrouping
 * (zero padding under '=' is grouped too: format(1234, '010,') is
 * '00,001,234'). Widths and precisions may be written in any script's
 * decimal digits (Py_UNICODE_TODECIMAL), and fill may be any code point.
 */
import { raise } from './pyException.js';
import { codePointAt, repeatStr, strLength } from './codePoints.js';
import { decimalValue } from './unicodeTables.js';

/** A parsed spec (InternalFormatSpec). */
export interface InternalFormatSpec {
  /** The fill character (one code point), ' ' unless given. */
  fill: string;
  /** '<', '>', '=' or '^' (the formatter's default when not given). */
  align: string;
  /** The '#' flag. */
  alternate: boolean;
  /** '+', '-', ' ' or '' (not given). */
  sign: string;
  /** The 'z' flag (3.11): negative zero is printed as zero. */
  noNeg0: boolean;
  /** Minimum width, -1 when not given. */
  width: number;
  /** '' (none), ',' or '_' (PEP 378 / PEP 515). */
  thousandsSeparators: '' | ',' | '_';
  /** Precision, -1 when not given. */
  precision: number;
  /** The presentation type, or the formatter's default; '\0' is "none" (as in C, a NUL typed in the spec is none too). */
  type: string;
  /** Whether fill was written explicitly (fill_char_specified). */
  fillSpecified: boolean;
}

const PY_SSIZE_T_MAX = 2 ** 63 - 1;

/** get_integer: decimal digits of any script from `pos`; [value, next position, digits consumed]. */
function getInteger(cps: number[], pos: number): [number, number, number] {
  let acc = 0;
  let n = 0;
  for (; pos < cps.length; pos++, n++) {
    const d = decimalValue(cps[pos]);
    if (d < 0) break;
    if (acc > (PY_SSIZE_T_MAX - d) / 10) raise('ValueError', 'Too many decimal digits in format string');
    acc = acc * 10 + d;
  }
  return [acc, pos, n];
}

/** A presentation type or separator as the error messages print it ('%c', or '\x%x' outside 33..127). */
function codeForMessage(t: string): string {
  const c = t.codePointAt(0)!;
  return c > 32 && c < 128 ? t : `\\x${c.toString(16)}`;
}

/** unknown_presentation_type: ValueError "Unknown format code 'x' for object of type 'T'". */
export function unknownPresentationType(type: string, typeName: string): never {
  return raise('ValueError', `Unknown format code '${codeForMessage(type)}' for object of type '${typeName}'`);
}

/**
 * Parsed specs by (spec, defaults, type): specs are mostly literals of the
 * program, parsed again at every execution of the f-string or format call;
 * only successful parses are kept (frozen), errors are raised every time.
 */
const specCache = new Map<string, Readonly<InternalFormatSpec>>();
const SPEC_CACHE_MAX = 512;

/** parse_internal_render_format_spec(spec, default_type, default_align) for an object of type `typeName`. */
export function parseFormatSpec(spec: string, defaultType: string, defaultAlign: string, typeName: string): Readonly<InternalFormatSpec> {
  const key = `${defaultType}${defaultAlign}${typeName}\u0000${spec}`;
  let f = specCache.get(key);
  if (f === undefined) {
    f = Object.freeze(parseUncached(spec, defaultType, defaultAlign, typeName));
    if (specCache.size >= SPEC_CACHE_MAX) specCache.clear();
    specCache.set(key, f);
  }
  return f;
}

function parseUncached(spec: string, defaultType: string, defaultAlign: string, typeName: string): InternalFormatSpec {
  const cps: number[] = [];
  for (let i = 0; i < spec.length; i++) {
    const c = codePointAt(spec, i);
    if (c > 0xffff) i++;
    cps.push(c);
  }
  const end = cps.length;
  const isAlign = (c: number) => c === 60 || c === 62 || c === 61 || c === 94;
  const f: InternalFormatSpec = {
    fill: ' ', align: defaultAlign, alternate: false, sign: '', noNeg0: false, width: -1,
    thousandsSeparators: '', precision: -1, type: defaultType, fillSpecified: false,
  };
  let pos = 0;
  let alignSpecified = false;
  if (end - pos >= 2 && isAlign(cps[pos + 1])) {
    f.align = String.fromCharCode(cps[pos + 1]);
    f.fill = String.fromCodePoint(cps[pos]);
    f.fillSpecified = alignSpecified = true;
    pos += 2;
  } else if (end - pos >= 1 && isAlign(cps[pos])) {
    f.align = String.fromCharCode(cps[pos]);
    alignSpecified = true;
    pos++;
  }
  if (end - pos >= 1 && (cps[pos] === 32 || cps[pos] === 43 || cps[pos] === 45)) f.sign = String.fromCharCode(cps[pos++]);
  if (end - pos >= 1 && cps[pos] === 122) { f.noNeg0 = true; pos++; }
  if (end - pos >= 1 && cps[pos] === 35) { f.alternate = true; pos++; }
  if (!f.fillSpecified && end - pos >= 1 && cps[pos] === 48) {
    f.fill = '0';
    if (!alignSpecified && defaultAlign === '>') f.align = '=';
    pos++;
  }
  let consumed: number;
  [f.width, pos, consumed] = getInteger(cps, pos);
  if (consumed === 0) f.width = -1;
  if (end - pos > 0 && cps[pos] === 44) { f.thousandsSeparators = ','; pos++; }
  if (end - pos > 0 && cps[pos] === 95) {
    if (f.thousandsSeparators !== '') raise('ValueError', "Cannot specify both ',' and '_'.");
    f.thousandsSeparators = '_';
    pos++;
  }
  if (end - pos > 0 && cps[pos] === 44 && f.thousandsSeparators === '_') raise('ValueError', "Cannot specify both ',' and '_'.");
  if (end - pos > 0 && cps[pos] === 46) {
    pos++;
    [f.precision, pos, consumed] = getInteger(cps, pos);
    if (consumed === 0) raise('ValueError', 'Format specifier missing precision');
  }
  if (end - pos > 1) raise('ValueError', `Invalid format specifier '${spec}' for object of type '${typeName}'`);
  if (end - pos === 1) f.type = String.fromCodePoint(cps[pos]);
  if (f.thousandsSeparators !== '') {
    const t = f.type;
    const ok = t === 'd' || t === 'e' || t === 'f' || t === 'g' || t === 'E' || t === 'G' || t === '%' || t === 'F' || t === '\0' ||
      (f.thousandsSeparators === '_' && (t === 'b' || t === 'o' || t === 'x' || t === 'X'));
    if (!ok) raise('ValueError', `Cannot specify '${f.thousandsSeparators}' with '${codeForMessage(t)}'.`);
  }
  return f;
}

/** calc_padding: [left, right] padding for `nchars` characters in `width`. */
export function calcPadding(nchars: number, width: number, align: string): [number, number] {
  const total = width >= 0 && width > nchars ? width : nchars;
  const left = align === '>' ? total - nchars : align === '^' ? Math.floor((total - nchars) / 2) : 0;
  return [left, total - nchars - left];
}

/** `fill` repeated n times. */
export function fillString(fill: string, n: number): string {
  return repeatStr(fill, n);
}

/**
 * _PyUnicode_InsertThousandsGrouping: `digits` with `sep` every `group`
 * digits from the right (group 0: none), zero-padded to `minWidth`
 * characters counting separators.
 */
export function insertThousandsGrouping(digits: string, minWidth: number, group: number, sep: string): string {
  minWidth = Math.max(0, minWidth);
  const parts: string[] = [];
  let remaining = digits.length;
  let useSeparator = false;
  let broken = false;
  const take = (len: number) => {
    const nZeros = Math.max(0, len - remaining);
    const nChars = Math.max(0, Math.min(remaining, len));
    if (useSeparator) parts.push(sep);
    parts.push(digits.slice(remaining - nChars, remaining));
    if (nZeros > 0) parts.push(repeatStr('0', nZeros));
    remaining -= nChars;
  };
  if (group > 0) {
    for (;;) {
      const len = Math.min(group, Math.max(remaining, minWidth, 1));
      take(len);
      useSeparator = true;
      minWidth -= len;
      if (remaining <= 0 && minWidth <= 0) { broken = true; break; }
      minWidth -= sep.length;
    }
  }
  if (!broken) take(Math.max(remaining, minWidth, 1));
  // parts were produced right to left, each already in reading order
  let out = '';
  for (let i = parts.length - 1; i >= 0; i--) out += parts[i];
  return out;
}

/**
 * calc_number_widths + fill_number: lays out
 * <lpad><sign><prefix><spad><grouped digits><decimal><remainder><rpad>.
 * `digits` are the integer digits, `remainder` what follows the decimal
 * point (or all of a 'c' character, inf, nan), `negative` the number's sign.
 */
export function fillNumber(
  f: Readonly<InternalFormatSpec>, negative: boolean, prefix: string, digits: string, hasDecimal: boolean, remainder: string,
  toUpper: boolean,
): string {
  let sign = '';
  if (f.sign === '+') sign = negative ? '-' : '+';
  else if (f.sign === ' ') sign = negative ? '-' : ' ';
  else if (negative) sign = '-';
  const nRemainder = strLength(remainder);
  const nNonDigit = sign.length + prefix.length + (hasDecimal ? 1 : 0) + nRemainder;
  const minWidth = f.fill === '0' && f.align === '=' ? f.width - nNonDigit : 0;
  const t = f.type;
  const binary = t === 'b' || t === 'o' || t === 'x' || t === 'X';
  const group = f.thousandsSeparators === '' ? 0 : f.thousandsSeparators === '_' && binary ? 4 : 3;
  let grouped = digits.length === 0 ? '' : insertThousandsGrouping(digits, minWidth, group, f.thousandsSeparators);
  if (toUpper) { grouped = grouped.toUpperCase(); prefix = prefix.toUpperCase(); }
  const nPadding = f.width - (nNonDigit + grouped.length);
  let lpad = 0, spad = 0, rpad = 0;
  if (nPadding > 0) {
    if (f.align === '<') rpad = nPadding;
    else if (f.align === '^') { lpad = Math.floor(nPadding / 2); rpad = nPadding - lpad; }
    else if (f.align === '=') spad = nPadding;
    else lpad = nPadding;
  }
  return fillString(f.fill, lpad) + sign + prefix + fillString(f.fill, spad) + grouped + (hasDecimal ? '.' : '') + remainder + fillString(f.fill, rpad);
}
