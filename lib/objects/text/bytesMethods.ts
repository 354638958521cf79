/*
 * Methods of bytes and bytearray (Objects/bytesobject.c,
 * Objects/bytearrayobject.c, Objects/bytes_methods.c, Objects/stringlib/*):
 * hex / fromhex, split / rsplit / splitlines / partition / join, strip
 * family, find family with start/end, count, startswith / endswith,
 * replace, the ASCII-only case mappings and predicates, padding, zfill,
 * expandtabs, removeprefix / removesuffix, indexing and slicing. Values are
 * Uint8Array; the result of a bytes method is a new Uint8Array (bytearray's
 * methods return the same shapes). Where bytes and str agree byte for
 * character, the str algorithms run over the latin-1 string of the bytes
 * (one char per byte, no surrogates, so indices are byte offsets); where
 * they differ — whitespace is ASCII's " \t\n\r\x0b\x0c", lines end only at
 * \n \r \r\n, case is ASCII only — this module has its own loops.
 */
import { memoryError, raise } from './pyException.js';

/** The largest Uint8Array pymem makes for a bytes result (beyond: MemoryError). */
const MAX_BYTES = 2 ** 31 - 1;
import { adjustSlice } from './strLayout.js';
import {
  strCount, strEndswith, strFind, strReplace, strRfind, strStartswith,
} from './strSearch.js';
import { strPartition, strRpartition } from './strSplit.js';

/** The bytes as a latin-1 string (byte i is char i). */
export function toLatin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode(...b.subarray(i, i + 4096));
  return s;
}

/** A latin-1 string (chars < 256) as bytes. */
export function fromLatin1(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

/** Py_ISSPACE for bytes. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** A bytes method's `sub` argument: bytes, or an int byte value (ValueError outside 0..255). */
export type BytesSub = Uint8Array | bigint;

function subString(sub: BytesSub): string {
  if (typeof sub === 'bigint') {
    if (sub < 0n || sub > 255n) raise('ValueError', 'byte must be in range(0, 256)');
    return String.fromCharCode(Number(sub));
  }
  return toLatin1(sub);
}

/** bytes.hex([sep[, bytes_per_sep]]). */
export function bytesHex(b: Uint8Array, sep?: string, bytesPerSep = 1): string {
  const hex = Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
  if (sep !== undefined) {
    if (sep.length !== 1) raise('ValueError', 'sep must be length 1.');
    if (sep.charCodeAt(0) > 127) raise('ValueError', 'sep must be ASCII.');
  }
  if (sep === undefined || b.length === 0 || bytesPerSep === 0) return hex;
  const group = Math.abs(bytesPerSep);
  const parts: string[] = [];
  if (bytesPerSep > 0) {
    // groups are counted from the right
    let end = b.length;
    while (end > 0) {
      const start = Math.max(0, end - group);
      parts.unshift(hex.slice(2 * start, 2 * end));
      end = start;
    }
  } else {
    for (let start = 0; start < b.length; start += group) parts.push(hex.slice(2 * start, 2 * Math.min(b.length, start + group)));
  }
  return parts.join(sep);
}

/** bytes.fromhex(s): pairs of hex digits, ASCII whitespace between pairs. */
export function bytesFromHex(s: string): Uint8Array {
  const out: number[] = [];
  const n = s.length;
  const hexValue = (i: number): number => {
    if (i >= n) return 37;
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) return c - 48;
    if (c >= 97 && c <= 102) return c - 87;
    if (c >= 65 && c <= 70) return c - 55;
    return 37;
  };
  const bad = (i: number): never => raise('ValueError', `non-hexadecimal number found in fromhex() arg at position ${i}`);
  let i = 0;
  while (i < n) {
    if (isSpace(s.charCodeAt(i))) {
      while (i < n && isSpace(s.charCodeAt(i))) i++;
      if (i >= n) break;
    }
    const top = hexValue(i);
    if (top >= 16) bad(i);
    i++;
    const bot = hexValue(i);
    if (bot >= 16) bad(i);
    i++;
    out.push((top << 4) + bot);
  }
  return Uint8Array.from(out);
}

/** bytes.split(sep=None, maxsplit=-1). */
export function bytesSplit(b: Uint8Array, sep?: Uint8Array, maxsplit = -1): Uint8Array[] {
  let maxcount = maxsplit < 0 ? Number.MAX_SAFE_INTEGER : maxsplit;
  const out: Uint8Array[] = [];
  const n = b.length;
  if (sep === undefined) {
    let i = 0;
    while (maxcount-- > 0) {
      while (i < n && isSpace(b[i])) i++;
      if (i === n) break;
      const j = i++;
      while (i < n && !isSpace(b[i])) i++;
      out.push(b.slice(j, i));
    }
    if (i < n) {
      while (i < n && isSpace(b[i])) i++;
      if (i !== n) out.push(b.slice(i));
    }
    return out;
  }
  if (sep.length === 0) raise('ValueError', 'empty separator');
  const s = toLatin1(b);
  const p = toLatin1(sep);
  let j = 0;
  while (maxcount-- > 0) {
    const i = s.indexOf(p, j);
    if (i < 0) break;
    out.push(b.slice(j, i));
    j = i + p.length;
  }
  out.push(b.slice(j));
  return out;
}

/** bytes.rsplit(sep=None, maxsplit=-1). */
export function bytesRsplit(b: Uint8Array, sep?: Uint8Array, maxsplit = -1): Uint8Array[] {
  let maxcount = maxsplit < 0 ? Number.MAX_SAFE_INTEGER : maxsplit;
  const out: Uint8Array[] = [];
  if (sep === undefined) {
    let i = b.length - 1;
    while (maxcount-- > 0) {
      while (i >= 0 && isSpace(b[i])) i--;
      if (i < 0) break;
      const j = i--;
      while (i >= 0 && !isSpace(b[i])) i--;
      out.push(b.slice(i + 1, j + 1));
    }
    if (i >= 0) {
      while (i >= 0 && isSpace(b[i])) i--;
      if (i >= 0) out.push(b.slice(0, i + 1));
    }
    return out.reverse();
  }
  if (sep.length === 0) raise('ValueError', 'empty separator');
  const s = toLatin1(b);
  const p = toLatin1(sep);
  let j = s.length;
  while (maxcount-- > 0 && j >= p.length) {
    const i = s.lastIndexOf(p, j - p.length);
    if (i < 0) break;
    out.push(b.slice(i + p.length, j));
    j = i;
  }
  out.push(b.slice(0, j));
  return out.reverse();
}

/** bytes.splitlines(keepends=False): lines end at \n, \r and \r\n only. */
export function bytesSplitlines(b: Uint8Array, keepends = false): Uint8Array[] {
  const out: Uint8Array[] = [];
  const n = b.length;
  let i = 0;
  let j = 0;
  while (i < n) {
    while (i < n && b[i] !== 10 && b[i] !== 13) i++;
    let eol = i;
    if (i < n) {
      if (b[i] === 13 && i + 1 < n && b[i + 1] === 10) i += 2;
      else i++;
      if (keepends) eol = i;
    }
    out.push(b.slice(j, eol));
    j = i;
  }
  return out;
}

/** bytes.partition(sep). */
export function bytesPartition(b: Uint8Array, sep: Uint8Array): [Uint8Array, Uint8Array, Uint8Array] {
  return strPartition(toLatin1(b), toLatin1(sep)).map(fromLatin1) as [Uint8Array, Uint8Array, Uint8Array];
}

/** bytes.rpartition(sep). */
export function bytesRpartition(b: Uint8Array, sep: Uint8Array): [Uint8Array, Uint8Array, Uint8Array] {
  return strRpartition(toLatin1(b), toLatin1(sep)).map(fromLatin1) as [Uint8Array, Uint8Array, Uint8Array];
}

/** bytes.join(iterable): TypeError "sequence item i: expected a bytes-like object, T found". */
export function bytesJoin(sep: Uint8Array, items: readonly unknown[], typeNameOf: (item: unknown) => string): Uint8Array {
  let total = 0;
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (!(it instanceof Uint8Array)) raise('TypeError', `sequence item ${i}: expected a bytes-like object, ${typeNameOf(it).slice(0, 80)} found`);
    total += it.length + (i > 0 ? sep.length : 0);
  }
  const out = new Uint8Array(total);
  let k = 0;
  items.forEach((it, i) => {
    if (i > 0) { out.set(sep, k); k += sep.length; }
    out.set(it as Uint8Array, k);
    k += (it as Uint8Array).length;
  });
  return out;
}

/** do_xstrip / do_strip for bytes: ends 1 left, 2 right, 3 both; chars undefined for ASCII whitespace. */
function strip(b: Uint8Array, chars: Uint8Array | undefined, ends: number): Uint8Array {
  const set = chars ? new Set(chars) : undefined;
  const pred = (c: number) => (set ? set.has(c) : isSpace(c));
  let i = 0;
  let j = b.length;
  if (ends & 1) while (i < j && pred(b[i])) i++;
  if (ends & 2) while (j > i && pred(b[j - 1])) j--;
  return b.slice(i, j);
}
/** bytes.strip([chars]). */
export const bytesStrip = (b: Uint8Array, chars?: Uint8Array): Uint8Array => strip(b, chars, 3);
/** bytes.lstrip([chars]). */
export const bytesLstrip = (b: Uint8Array, chars?: Uint8Array): Uint8Array => strip(b, chars, 1);
/** bytes.rstrip([chars]). */
export const bytesRstrip = (b: Uint8Array, chars?: Uint8Array): Uint8Array => strip(b, chars, 2);

/** bytes.find(sub[, start[, end]]). */
export function bytesFind(b: Uint8Array, sub: BytesSub, start?: number, end?: number): number {
  return strFind(toLatin1(b), subString(sub), start, end);
}
/** bytes.rfind(sub[, start[, end]]). */
export function bytesRfind(b: Uint8Array, sub: BytesSub, start?: number, end?: number): number {
  return strRfind(toLatin1(b), subString(sub), start, end);
}
/** bytes.index: find, or ValueError "subsection not found". */
export function bytesIndex(b: Uint8Array, sub: BytesSub, start?: number, end?: number): number {
  const i = bytesFind(b, sub, start, end);
  if (i < 0) raise('ValueError', 'subsection not found');
  return i;
}
/** bytes.rindex: rfind, or ValueError "subsection not found". */
export function bytesRindex(b: Uint8Array, sub: BytesSub, start?: number, end?: number): number {
  const i = bytesRfind(b, sub, start, end);
  if (i < 0) raise('ValueError', 'subsection not found');
  return i;
}
/** bytes.count(sub[, start[, end]]). */
export function bytesCount(b: Uint8Array, sub: BytesSub, start?: number, end?: number): number {
  return strCount(toLatin1(b), subString(sub), start, end);
}
/** `sub in b` (sub bytes or an int 0..255). */
export function bytesContains(b: Uint8Array, sub: BytesSub): boolean {
  return bytesFind(b, sub) >= 0;
}
/** bytes.startswith(prefix or tuple of prefixes[, start[, end]]). */
export function bytesStartswith(b: Uint8Array, prefix: Uint8Array | readonly Uint8Array[], start?: number, end?: number): boolean {
  return strStartswith(toLatin1(b), prefix instanceof Uint8Array ? toLatin1(prefix) : prefix.map(toLatin1), start, end);
}
/** bytes.endswith(suffix or tuple of suffixes[, start[, end]]). */
export function bytesEndswith(b: Uint8Array, suffix: Uint8Array | readonly Uint8Array[], start?: number, end?: number): boolean {
  return strEndswith(toLatin1(b), suffix instanceof Uint8Array ? toLatin1(suffix) : suffix.map(toLatin1), start, end);
}
/** bytes.replace(old, new[, count]). */
export function bytesReplace(b: Uint8Array, old: Uint8Array, repl: Uint8Array, count = -1): Uint8Array {
  return fromLatin1(strReplace(toLatin1(b), toLatin1(old), toLatin1(repl), count));
}

const isLowerB = (c: number) => c >= 97 && c <= 122;
const isUpperB = (c: number) => c >= 65 && c <= 90;
const isAlphaB = (c: number) => isLowerB(c) || isUpperB(c);
const isDigitB = (c: number) => c >= 48 && c <= 57;

/** bytes.upper() (ASCII only). */
export const bytesUpper = (b: Uint8Array): Uint8Array => b.map((c) => (isLowerB(c) ? c - 32 : c));
/** bytes.lower() (ASCII only). */
export const bytesLower = (b: Uint8Array): Uint8Array => b.map((c) => (isUpperB(c) ? c + 32 : c));
/** bytes.swapcase() (ASCII only). */
export const bytesSwapcase = (b: Uint8Array): Uint8Array => b.map((c) => (isLowerB(c) ? c - 32 : isUpperB(c) ? c + 32 : c));
/** bytes.capitalize(): first byte upper, the rest lower (ASCII only). */
export const bytesCapitalize = (b: Uint8Array): Uint8Array => b.map((c, i) => (i === 0 ? (isLowerB(c) ? c - 32 : c) : isUpperB(c) ? c + 32 : c));
/** bytes.title() (ASCII only). */
export function bytesTitle(b: Uint8Array): Uint8Array {
  let previousIsCased = false;
  return b.map((c) => {
    const r = previousIsCased ? (isUpperB(c) ? c + 32 : c) : isLowerB(c) ? c - 32 : c;
    previousIsCased = isAlphaB(c);
    return r;
  });
}

function all(b: Uint8Array, pred: (c: number) => boolean): boolean {
  if (b.length === 0) return false;
  for (let i = 0; i < b.length; i++) if (!pred(b[i])) return false;
  return true;
}
/** bytes.isalpha(). */
export const bytesIsAlpha = (b: Uint8Array): boolean => all(b, isAlphaB);
/** bytes.isdigit(). */
export const bytesIsDigit = (b: Uint8Array): boolean => all(b, isDigitB);
/** bytes.isalnum(). */
export const bytesIsAlnum = (b: Uint8Array): boolean => all(b, (c) => isAlphaB(c) || isDigitB(c));
/** bytes.isspace(). */
export const bytesIsSpace = (b: Uint8Array): boolean => all(b, isSpace);
/** bytes.isascii() (true for b''). */
export const bytesIsAscii = (b: Uint8Array): boolean => b.every((c) => c < 128);
/** bytes.islower(): some lowercase, no uppercase. */
export const bytesIsLower = (b: Uint8Array): boolean => b.some(isLowerB) && !b.some(isUpperB);
/** bytes.isupper(): some uppercase, no lowercase. */
export const bytesIsUpper = (b: Uint8Array): boolean => b.some(isUpperB) && !b.some(isLowerB);
/** bytes.istitle(). */
export function bytesIsTitle(b: Uint8Array): boolean {
  let cased = false;
  let previousIsCased = false;
  for (const c of b) {
    if (isUpperB(c)) {
      if (previousIsCased) return false;
      previousIsCased = cased = true;
    } else if (isLowerB(c)) {
      if (!previousIsCased) return false;
      previousIsCased = cased = true;
    } else previousIsCased = false;
  }
  return cased;
}

/** The one-byte fill argument of center/ljust/rjust. */
function fillByte(fill: Uint8Array, method: string): number {
  if (fill.length !== 1) raise('TypeError', `${method}() argument 2 must be a byte string of length 1, not bytes`);
  return fill[0];
}

function padded(b: Uint8Array, left: number, right: number, fill: number): Uint8Array {
  if (left + b.length + right > MAX_BYTES) memoryError();
  const out = new Uint8Array(left + b.length + right).fill(fill);
  out.set(b, left);
  return out;
}
/** bytes.center(width[, fillbyte]) (pad(): left = marg/2 + (marg & width & 1)). */
export function bytesCenter(b: Uint8Array, width: number, fill: Uint8Array = Uint8Array.of(32)): Uint8Array {
  const f = fillByte(fill, 'center');
  if (b.length >= width) return b.slice();
  const marg = width - b.length;
  const left = Math.floor(marg / 2) + (marg & width & 1);
  return padded(b, left, marg - left, f);
}
/** bytes.ljust(width[, fillbyte]). */
export function bytesLjust(b: Uint8Array, width: number, fill: Uint8Array = Uint8Array.of(32)): Uint8Array {
  const f = fillByte(fill, 'ljust');
  return b.length >= width ? b.slice() : padded(b, 0, width - b.length, f);
}
/** bytes.rjust(width[, fillbyte]). */
export function bytesRjust(b: Uint8Array, width: number, fill: Uint8Array = Uint8Array.of(32)): Uint8Array {
  const f = fillByte(fill, 'rjust');
  return b.length >= width ? b.slice() : padded(b, width - b.length, 0, f);
}
/** bytes.zfill(width). */
export function bytesZfill(b: Uint8Array, width: number): Uint8Array {
  if (b.length >= width) return b.slice();
  const out = padded(b, width - b.length, 0, 48);
  if (b[0] === 43 || b[0] === 45) { out[0] = b[0]; out[width - b.length] = 48; }
  return out;
}
/** bytes.expandtabs(tabsize=8). */
export function bytesExpandtabs(b: Uint8Array, tabsize = 8): Uint8Array {
  const out: number[] = [];
  let col = 0;
  for (const c of b) {
    if (c === 9) {
      if (tabsize > 0) {
        const incr = tabsize - (col % tabsize);
        col += incr;
        for (let k = 0; k < incr; k++) out.push(32);
      }
    } else {
      col++;
      out.push(c);
      if (c === 10 || c === 13) col = 0;
    }
  }
  return Uint8Array.from(out);
}
/** bytes.removeprefix(prefix). */
export function bytesRemoveprefix(b: Uint8Array, prefix: Uint8Array): Uint8Array {
  return prefix.length > 0 && bytesStartswith(b, prefix) ? b.slice(prefix.length) : b.slice();
}
/** bytes.removesuffix(suffix). */
export function bytesRemovesuffix(b: Uint8Array, suffix: Uint8Array): Uint8Array {
  return suffix.length > 0 && bytesEndswith(b, suffix) ? b.slice(0, b.length - suffix.length) : b.slice();
}
/** b[i]: an int, IndexError "index out of range". */
export function bytesGetItem(b: Uint8Array, i: number): bigint {
  if (i < 0) i += b.length;
  if (i < 0 || i >= b.length) raise('IndexError', 'index out of range');
  return BigInt(b[i]);
}
/** b[start:stop:step]. */
export function bytesSlice(b: Uint8Array, start?: number, stop?: number, step?: number): Uint8Array {
  const [a, , st, n] = adjustSlice(b.length, start, stop, step);
  if (st === 1) return b.slice(a, a + n);
  const out = new Uint8Array(n);
  for (let k = 0, i = a; k < n; k++, i += st) out[k] = b[i];
  return out;
}
