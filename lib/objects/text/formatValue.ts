/*
 * format(value, spec) for the built-in types (Python/formatter_unicode.c
 * format_string_internal, format_long_internal, format_float_internal,
 * format_complex_internal and the _Py*_FormatAdvancedWriter dispatchers),
 * plus complex's repr (Objects/complexobject.c complex_repr). An empty spec
 * is str(value); bool is an int subclass, so only its empty spec differs
 * ('True'); 'e f g %' on an int go through float(int).
 */
import { intToFloat, type Complex } from './floatArith.js';
import { doubleToString, DTSF_ADD_DOT_0, DTSF_ALT, DTSF_NO_NEG_0, DTSF_SIGN, floatRepr, type DoubleFormatCode } from './floatRepr.js';
import { calcPadding, fillNumber, fillString, parseFormatSpec, unknownPresentationType, type InternalFormatSpec } from './formatSpec.js';
import { intToString } from './intText.js';
import { raise } from './pyException.js';
import { strLength } from './codePoints.js';

/** INT_MAX: float and complex precisions must fit a C int. */
const INT_MAX = 2 ** 31 - 1;

/** format_string_internal / _PyUnicode_FormatAdvancedWriter: format(s, spec) for a str. */
export function formatStr(s: string, spec: string, typeName = 'str'): string {
  if (spec === '') return s;
  const f = parseFormatSpec(spec, 's', '<', typeName);
  if (f.type !== 's') unknownPresentationType(f.type, typeName);
  if (f.sign === ' ') raise('ValueError', 'Space not allowed in string format specifier');
  if (f.sign !== '') raise('ValueError', 'Sign not allowed in string format specifier');
  if (f.noNeg0) raise('ValueError', 'Negative zero coercion (z) not allowed in string format specifier');
  if (f.alternate) raise('ValueError', 'Alternate form (#) not allowed in string format specifier');
  if (f.align === '=') raise('ValueError', "'=' alignment not allowed in string format specifier");
  let len = strLength(s);
  let value = s;
  if (f.precision >= 0 && len > f.precision) {
    value = Array.from(s).slice(0, f.precision).join('');
    len = f.precision;
  }
  const [l, r] = calcPadding(len, f.width, f.align);
  return fillString(f.fill, l) + value + fillString(f.fill, r);
}

/** format_long_internal for the types b c d o x X n (spec already parsed). */
function formatLongInternal(n: bigint, f: Readonly<InternalFormatSpec>): string {
  if (f.precision !== -1) raise('ValueError', 'Precision not allowed in integer format specifier');
  if (f.noNeg0) raise('ValueError', 'Negative zero coercion (z) not allowed in integer format specifier');
  if (f.type === 'c') {
    if (f.sign !== '') raise('ValueError', "Sign not allowed with integer format specifier 'c'");
    if (f.alternate) raise('ValueError', "Alternate form (#) not allowed with integer format specifier 'c'");
    if (n < -(2n ** 63n) || n >= 2n ** 63n) raise('OverflowError', 'Python int too large to convert to C long');
    if (n < 0n || n > 0x10ffffn) raise('OverflowError', '%c arg not in range(0x110000)');
    return fillNumber(f, false, '', '', false, String.fromCodePoint(Number(n)), false);
  }
  const t = f.type;
  const base = t === 'b' ? 2 : t === 'o' ? 8 : t === 'x' || t === 'X' ? 16 : 10;
  const negative = n < 0n;
  const a = negative ? -n : n;
  const digits = base === 10 ? intToString(a) : a.toString(base);
  const prefix = f.alternate && base !== 10 ? (base === 2 ? '0b' : base === 8 ? '0o' : '0x') : '';
  return fillNumber(f, negative, prefix, digits, false, '', t === 'X');
}

/** format_float_internal (spec already parsed; type '' is the "none" form). */
function formatFloatInternal(val: number, f: Readonly<InternalFormatSpec>): string {
  if (f.precision > INT_MAX) raise('ValueError', 'precision too big');
  let type = f.type;
  let precision = f.precision;
  let defaultPrecision = 6;
  let flags = 0;
  if (f.alternate) flags |= DTSF_ALT;
  if (f.noNeg0) flags |= DTSF_NO_NEG_0;
  if (type === '\0') { flags |= DTSF_ADD_DOT_0; type = 'r'; defaultPrecision = 0; }
  if (type === 'n') type = 'g';
  let addPct = false;
  if (type === '%') { type = 'f'; val *= 100; addPct = true; }
  if (precision < 0) precision = defaultPrecision;
  else if (type === 'r') type = 'g';
  let buf = doubleToString(val, type as DoubleFormatCode, precision, flags);
  if (addPct) buf += '%';
  return layoutFloat(buf, f);
}

/** Splits a formatted double into sign, integer digits, decimal point and remainder (parse_number), then lays it out. */
function layoutFloat(buf: string, f: Readonly<InternalFormatSpec>): string {
  const negative = buf.charCodeAt(0) === 45;
  const start = negative ? 1 : 0;
  let i = start;
  while (i < buf.length && buf.charCodeAt(i) >= 48 && buf.charCodeAt(i) <= 57) i++;
  const hasDecimal = buf.charCodeAt(i) === 46;
  return fillNumber(f, negative, '', buf.slice(start, i), hasDecimal, buf.slice(hasDecimal ? i + 1 : i), false);
}

/** _PyLong_FormatAdvancedWriter: format(n, spec) for an int (`typeName` 'bool' for True/False). */
export function formatInt(n: bigint, spec: string, typeName = 'int'): string {
  if (spec === '') return typeName === 'bool' ? (n ? 'True' : 'False') : intToString(n);
  const f = parseFormatSpec(spec, 'd', '>', typeName);
  switch (f.type) {
    case 'b': case 'c': case 'd': case 'o': case 'x': case 'X': case 'n':
      return formatLongInternal(n, f);
    case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case '%':
      return formatFloatInternal(intToFloat(n), f);
    default:
      return unknownPresentationType(f.type, typeName);
  }
}

/** format(b, spec) for a bool: int's formatting, but str(b) for an empty spec. */
export function formatBool(b: boolean, spec: string): string {
  return formatInt(b ? 1n : 0n, spec, 'bool');
}

/** _PyFloat_FormatAdvancedWriter: format(x, spec) for a float. */
export function formatFloat(x: number, spec: string, typeName = 'float'): string {
  if (spec === '') return floatRepr(x);
  const f = parseFormatSpec(spec, '\0', '>', typeName);
  switch (f.type) {
    case '\0': case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'n': case '%':
      return formatFloatInternal(x, f);
    default:
      return unknownPresentationType(f.type, typeName);
  }
}

/** complex_repr (also str): '1j', '(1+2j)', '(-0-0j)', '(nan+infj)'. */
export function complexRepr(c: Complex): string {
  if (c.real === 0 && !Object.is(c.real, -0)) return doubleToString(c.imag, 'r', 0, 0) + 'j';
  return '(' + doubleToString(c.real, 'r', 0, 0) + doubleToString(c.imag, 'r', 0, DTSF_SIGN) + 'j)';
}

/** format_complex_internal / _PyComplex_FormatAdvancedWriter: format(c, spec) for a complex. */
export function formatComplex(c: Complex, spec: string, typeName = 'complex'): string {
  if (spec === '') return complexRepr(c);
  const f = parseFormatSpec(spec, '\0', '>', typeName);
  switch (f.type) {
    case '\0': case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'n': break;
    default: unknownPresentationType(f.type, typeName);
  }
  if (f.precision > INT_MAX) raise('ValueError', 'precision too big');
  if (f.fill === '0') raise('ValueError', 'Zero padding is not allowed in complex format specifier');
  if (f.align === '=') raise('ValueError', "'=' alignment flag is not allowed in complex format specifier");
  let type: string = f.type;
  let precision = f.precision;
  let defaultPrecision = 6;
  let flags = 0;
  let skipRe = false;
  let addParens = false;
  if (f.alternate) flags |= DTSF_ALT;
  if (f.noNeg0) flags |= DTSF_NO_NEG_0;
  if (type === '\0') {
    type = 'r';
    defaultPrecision = 0;
    if (c.real === 0 && !Object.is(c.real, -0)) skipRe = true;
    else addParens = true;
  }
  if (type === 'n') type = 'g';
  if (precision < 0) precision = defaultPrecision;
  else if (type === 'r') type = 'g';
  const inner: InternalFormatSpec = { ...f, fill: '', align: '<', width: -1 };
  const re = skipRe ? '' : layoutFloat(doubleToString(c.real, type as DoubleFormatCode, precision, flags), inner);
  if (!skipRe) inner.sign = '+';
  const im = layoutFloat(doubleToString(c.imag, type as DoubleFormatCode, precision, flags), inner);
  const body = (addParens ? '(' : '') + re + im + 'j' + (addParens ? ')' : '');
  const [l, r] = calcPadding(strLength(body), f.width, f.align);
  return fillString(f.fill, l) + body + fillString(f.fill, r);
}
