/*
 * printf-style formatting of str, `format % args` (Objects/unicodeobject.c
 * PyUnicode_Format: unicode_format_arg_parse, unicode_format_getnextarg,
 * unicode_format_arg_format, mainformatlong / _PyUnicode_FormatLong,
 * formatfloat, formatchar, unicode_format_arg_output).
 *
 * args follow pyValue.ts: an Array is a tuple of arguments, anything else
 * one argument; a mapping (hooks.isMapping) also serves %(key)s. As in
 * CPython: '%%' right after '%' is a literal percent; any other conversion
 * takes its argument first ("not enough arguments for format string"
 * before "unsupported format character"); leftover arguments are "not all
 * arguments converted during string formatting" unless args is a mapping.
 */
import { fromCodePoints, isBmpOnly, repeatStr, toCodePoints } from './codePoints.js';
import { floatToInt, intToFloat } from './floatArith.js';
import { doubleToString, DTSF_ALT, type DoubleFormatCode } from './floatRepr.js';
import { intToString } from './intText.js';
import { raise } from './pyException.js';
import { isComplex, isPrimitive, primitiveHooks, pyAscii, pyRepr, pyStr, pyTypeName, type ObjectHooks } from './pyValue.js';

const F_LJUST = 1, F_SIGN = 2, F_BLANK = 4, F_ALT = 8, F_ZERO = 16;

/** PyNumber_Long / _PyNumber_Index of v for the integer conversions, or undefined (→ "wrongtype"). */
function toInteger(v: unknown, type: string, hooks: ObjectHooks): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  const index = type === 'o' || type === 'x' || type === 'X';
  if (typeof v === 'number') return index ? undefined : floatToInt(v);
  if (typeof v === 'string' || v === null || v instanceof Uint8Array || Array.isArray(v) || isComplex(v)) return undefined;
  return index ? hooks.index(v) : hooks.int(v);
}

/** _PyUnicode_FormatLong: sign, optional 0x/0o prefix (alt), digits zero-padded to prec. */
function formatLong(val: bigint, alt: boolean, prec: number, type: string): string {
  const negative = val < 0n;
  const a = negative ? -val : val;
  let digits = type === 'x' || type === 'X' ? a.toString(16) : type === 'o' ? a.toString(8) : intToString(a);
  if (prec > digits.length) digits = repeatStr('0', prec - digits.length) + digits;
  const prefix = alt && (type === 'x' || type === 'X') ? '0x' : alt && type === 'o' ? '0o' : '';
  const s = (negative ? '-' : '') + prefix + digits;
  return type === 'X' ? s.toUpperCase() : s;
}

/** PyFloat_AsDouble for formatfloat: TypeError "must be real number, not T". */
function toDouble(v: unknown, hooks: ObjectHooks): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return intToFloat(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  const f = typeof v === 'string' || v === null || v instanceof Uint8Array || Array.isArray(v) || isComplex(v) ? undefined : hooks.float(v);
  if (f === undefined) raise('TypeError', `must be real number, not ${pyTypeName(v, hooks)}`);
  return f;
}

/** formatchar: a one-character str or an int in range(0x110000). */
function formatChar(v: unknown, hooks: ObjectHooks): string {
  if (typeof v === 'string') {
    const cps = toCodePoints(v);
    if (cps.length === 1) return v;
    return raise('TypeError', '%c requires int or char');
  }
  let x: bigint | undefined;
  if (typeof v === 'bigint') x = v;
  else if (typeof v === 'boolean') x = v ? 1n : 0n;
  else if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array) && !isComplex(v)) x = hooks.index(v);
  if (x === undefined) return raise('TypeError', '%c requires int or char');
  if (x < 0n || x > 0x10ffffn) raise('OverflowError', '%c arg not in range(0x110000)');
  return String.fromCodePoint(Number(x));
}

/** unicode_format_arg_output: sign, prefix, padding and the text of one conversion. */
function output(out: string[], str: string, flags: number, width: number, ch: string, numeric: boolean): void {
  const fill = numeric && (flags & F_ZERO) !== 0 ? '0' : ' ';
  const cps = toCodePoints(str);
  let len = cps.length;
  let pindex = 0;
  let sign = '';
  if (numeric) {
    if (str[0] === '-' || str[0] === '+') { sign = str[0]; len--; pindex = 1; }
    else if (flags & F_SIGN) sign = '+';
    else if (flags & F_BLANK) sign = ' ';
  }
  if (width < len) width = len;
  if (sign) {
    if (fill !== ' ') out.push(sign);
    if (width > len) width--;
  }
  const alt = (flags & F_ALT) !== 0 && (ch === 'x' || ch === 'X' || ch === 'o');
  if (alt) {
    if (fill !== ' ') { out.push(str.slice(pindex, pindex + 2)); pindex += 2; }
    width -= 2;
    if (width < 0) width = 0;
    len -= 2;
  }
  if (width > len && !(flags & F_LJUST)) { out.push(repeatStr(fill, width - len)); width = len; }
  if (fill === ' ') {
    if (sign) out.push(sign);
    if (alt) { out.push(str.slice(pindex, pindex + 2)); pindex += 2; }
  }
  if (len) out.push(pindex === 0 ? str : str.slice(pindex));  // what precedes pindex is ASCII (sign, 0x)
  if (width > len) out.push(repeatStr(' ', width - len));
}

/** PyUnicode_Format: `format % args`. */
export function percentFormat(format: string, args: unknown, hooks: ObjectHooks = primitiveHooks): string {
  const isTuple = Array.isArray(args);
  let cur = args;
  let arglen = isTuple ? (args as unknown[]).length : -1;
  let argidx = isTuple ? 0 : -2;
  // PyMapping_Check: bytes have mp_subscript too, so `'x' % b'…'` is not an error
  const dict = !isTuple && (args instanceof Uint8Array || (!isPrimitive(args) && hooks.isMapping(args))) ? args : undefined;
  const nextArg = (): unknown => {
    if (argidx < arglen) {
      const i = argidx++;
      return arglen < 0 ? cur : (cur as unknown[])[i];
    }
    return raise('TypeError', 'not enough arguments for format string');
  };
  const getInt = (bits: 32 | 64): number => {
    const v = nextArg();
    if (typeof v !== 'bigint' && typeof v !== 'boolean') raise('TypeError', '* wants int');
    const x = BigInt(v);
    const limit = bits === 32 ? 2n ** 31n : 2n ** 63n;
    if (x >= limit || x < -limit) raise('OverflowError', `Python int too large to convert to C ${bits === 32 ? 'int' : 'ssize_t'}`);
    return Number(x);
  };
  // index by code point only when the format has surrogates (the error message counts code points)
  const cps = isBmpOnly(format) ? null : toCodePoints(format);
  const n = cps ? cps.length : format.length;
  const at = (i: number): string => (cps ? String.fromCodePoint(cps[i]) : format[i]);
  const out: string[] = [];
  let i = 0;
  while (i < n) {
    let j = i;
    while (j < n && at(j) !== '%') j++;
    if (j > i) out.push(cps ? fromCodePoints(cps.slice(i, j)) : format.slice(i, j));
    if (j >= n) break;
    i = j + 1;
    if (i >= n) raise('ValueError', 'incomplete format');
    if (at(i) === '%') { out.push('%'); i++; continue; }
    if (at(i) === '(') {
      if (dict === undefined) raise('TypeError', 'format requires a mapping');
      let depth = 1;
      const start = ++i;
      while (i < n && depth > 0) {
        const c = at(i);
        if (c === ')') depth--;
        else if (c === '(') depth++;
        i++;
      }
      if (depth > 0) raise('ValueError', 'incomplete format key');
      const key = cps ? fromCodePoints(cps.slice(start, i - 1)) : format.slice(start, i - 1);
      // as CPython: the item becomes the argument "tuple" of length -1
      if (dict instanceof Uint8Array) raise('TypeError', 'byte indices must be integers or slices, not str');
      cur = hooks.getItem(dict, key);
      arglen = -1;
      argidx = -2;
    }
    let flags = 0;
    for (; i < n; i++) {
      const c = at(i);
      if (c === '-') flags |= F_LJUST;
      else if (c === '+') flags |= F_SIGN;
      else if (c === ' ') flags |= F_BLANK;
      else if (c === '#') flags |= F_ALT;
      else if (c === '0') flags |= F_ZERO;
      else break;
    }
    let width = -1;
    if (i < n && at(i) === '*') {
      width = getInt(64);
      if (width < 0) { flags |= F_LJUST; width = -width; }
      i++;
    } else {
      for (; i < n && at(i) >= '0' && at(i) <= '9'; i++) {
        width = (width < 0 ? 0 : width) * 10 + (at(i).charCodeAt(0) - 48);
        if (width > 2 ** 63 - 1) raise('ValueError', 'width too big');
      }
    }
    let prec = -1;
    if (i < n && at(i) === '.') {
      prec = 0;
      i++;
      if (i < n && at(i) === '*') {
        prec = getInt(32);
        if (prec < 0) prec = 0;
        i++;
      } else {
        for (; i < n && at(i) >= '0' && at(i) <= '9'; i++) {
          prec = prec * 10 + (at(i).charCodeAt(0) - 48);
          if (prec > 2 ** 31 - 1) raise('ValueError', 'precision too big');
        }
      }
    }
    if (i >= n) raise('ValueError', 'incomplete format');
    const ch = at(i);
    const chIndex = i++;
    const v = nextArg();
    switch (ch) {
      case 's': case 'r': case 'a': {
        let s = ch === 's' ? pyStr(v, hooks) : ch === 'r' ? pyRepr(v, hooks) : pyAscii(v, hooks);
        if (prec >= 0) {
          const sc = toCodePoints(s);
          if (sc.length > prec) s = fromCodePoints(sc.slice(0, prec));
        }
        output(out, s, flags, width, ch, false);
        break;
      }
      case 'i': case 'd': case 'u': case 'o': case 'x': case 'X': {
        const x = toInteger(v, ch, hooks);
        if (x === undefined) {
          raise('TypeError', ch === 'o' || ch === 'x' || ch === 'X'
            ? `%${ch} format: an integer is required, not ${pyTypeName(v, hooks)}`
            : `%${ch} format: a real number is required, not ${pyTypeName(v, hooks)}`);
        }
        output(out, formatLong(x, (flags & F_ALT) !== 0, prec, ch === 'i' || ch === 'u' ? 'd' : ch), flags, width, ch, true);
        break;
      }
      case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': {
        const x = toDouble(v, hooks);
        const s = doubleToString(x, ch as DoubleFormatCode, prec < 0 ? 6 : prec, (flags & F_ALT) !== 0 ? DTSF_ALT : 0);
        output(out, s, flags, width, ch, true);
        break;
      }
      case 'c':
        output(out, formatChar(v, hooks), flags, width, ch, false);
        break;
      default: {
        const c = ch.codePointAt(0)!;
        raise('ValueError', `unsupported format character '${c >= 32 && c <= 126 ? ch : '?'}' (0x${c.toString(16)}) at index ${chIndex}`);
      }
    }
  }
  if (argidx < arglen && dict === undefined) raise('TypeError', 'not all arguments converted during string formatting');
  return out.join('');
}
