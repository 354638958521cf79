/*
 * Padding and reshaping a str (Objects/unicodeobject.c pad, unicode_center,
 * ljust, rjust, zfill, expandtabs, removeprefix, removesuffix; str * n),
 * and indexing by code point (unicode_getitem, unicode_subscript with
 * PySlice_AdjustIndices). Widths count code points.
 */
import { fromCodePoints, isBmpOnly, repeatStr, strLength, toCodePoints } from './codePoints.js';
import { raise } from './pyException.js';

/** The fillchar check of center/ljust/rjust. */
function fillChar(fill: string): string {
  if (strLength(fill) !== 1) raise('TypeError', 'The fill character must be exactly one character long');
  return fill;
}

/** str.center(width[, fillchar]) with CPython's odd-width rule (left = marg/2 + (marg & width & 1)). */
export function strCenter(s: string, width: number, fill = ' '): string {
  fillChar(fill);
  const len = strLength(s);
  if (len >= width) return s;
  const marg = width - len;
  const left = Math.floor(marg / 2) + (marg & width & 1);
  return repeatStr(fill, left) + s + repeatStr(fill, marg - left);
}

/** str.ljust(width[, fillchar]). */
export function strLjust(s: string, width: number, fill = ' '): string {
  fillChar(fill);
  const len = strLength(s);
  return len >= width ? s : s + repeatStr(fill, width - len);
}

/** str.rjust(width[, fillchar]). */
export function strRjust(s: string, width: number, fill = ' '): string {
  fillChar(fill);
  const len = strLength(s);
  return len >= width ? s : repeatStr(fill, width - len) + s;
}

/** str.zfill(width): zeros after a leading sign. */
export function strZfill(s: string, width: number): string {
  const len = strLength(s);
  if (len >= width) return s;
  const zeros = repeatStr('0', width - len);
  const c = s.charCodeAt(0);
  return c === 43 || c === 45 ? s[0] + zeros + s.slice(1) : zeros + s;
}

/** str.expandtabs(tabsize=8): columns reset after \n and \r. */
export function strExpandtabs(s: string, tabsize = 8): string {
  if (!s.includes('\t')) return s;
  const out: string[] = [];
  let col = 0;
  for (const ch of s) {
    if (ch === '\t') {
      if (tabsize > 0) {
        const incr = tabsize - (col % tabsize);
        col += incr;
        out.push(repeatStr(' ', incr));
      }
    } else {
      col++;
      out.push(ch);
      if (ch === '\n' || ch === '\r') col = 0;
    }
  }
  return out.join('');
}

/** str.removeprefix(prefix). */
export function strRemoveprefix(s: string, prefix: string): string {
  return prefix.length > 0 && s.startsWith(prefix) ? s.slice(prefix.length) : s;
}

/** str.removesuffix(suffix). */
export function strRemovesuffix(s: string, suffix: string): string {
  return suffix.length > 0 && s.endsWith(suffix) ? s.slice(0, s.length - suffix.length) : s;
}

/** str * n (n ≤ 0 gives ""); MemoryError past what a JS string can hold. */
export function strRepeat(s: string, n: number): string {
  return repeatStr(s, n);
}

/** s[i] by code point, IndexError "string index out of range". */
export function strGetItem(s: string, i: number): string {
  if (isBmpOnly(s)) {
    if (i < 0) i += s.length;
    if (i < 0 || i >= s.length) raise('IndexError', 'string index out of range');
    return s[i];
  }
  const cps = toCodePoints(s);
  if (i < 0) i += cps.length;
  if (i < 0 || i >= cps.length) raise('IndexError', 'string index out of range');
  return String.fromCodePoint(cps[i]);
}

/** PySlice_Unpack + PySlice_AdjustIndices: [start, stop, step, slicelength] for a sequence of `length`. */
export function adjustSlice(length: number, start: number | undefined, stop: number | undefined, step: number | undefined): [number, number, number, number] {
  const st = step ?? 1;
  if (st === 0) raise('ValueError', 'slice step cannot be zero');
  let a: number;
  let b: number;
  if (start === undefined) a = st < 0 ? length - 1 : 0;
  else {
    a = start;
    if (a < 0) { a += length; if (a < 0) a = st < 0 ? -1 : 0; }
    else if (a >= length) a = st < 0 ? length - 1 : length;
  }
  if (stop === undefined) b = st < 0 ? -1 : length;
  else {
    b = stop;
    if (b < 0) { b += length; if (b < 0) b = st < 0 ? -1 : 0; }
    else if (b >= length) b = st < 0 ? length - 1 : length;
  }
  let n = 0;
  if (st < 0) { if (b < a) n = Math.floor((a - b - 1) / -st) + 1; }
  else if (a < b) n = Math.floor((b - a - 1) / st) + 1;
  return [a, b, st, n];
}

/** s[start:stop:step] by code point. */
export function strSlice(s: string, start?: number, stop?: number, step?: number): string {
  const bmp = isBmpOnly(s);
  const cps = bmp ? null : toCodePoints(s);
  const len = bmp ? s.length : cps!.length;
  const [a, , st, n] = adjustSlice(len, start, stop, step);
  if (st === 1) return bmp ? s.slice(a, a + n) : fromCodePoints(cps!.slice(a, a + n));
  const out: number[] = [];
  for (let k = 0, i = a; k < n; k++, i += st) out.push(bmp ? s.charCodeAt(i) : cps![i]);
  return fromCodePoints(out);
}
