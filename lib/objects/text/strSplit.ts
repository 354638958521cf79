/*
 * Splitting, joining and stripping a str (Objects/stringlib/split.h
 * split_whitespace, split, rsplit_whitespace, rsplit, splitlines;
 * Objects/stringlib/partition.h; Objects/unicodeobject.c _PyUnicode_JoinArray,
 * do_strip / _PyUnicode_XStrip). Whitespace is str.isspace's (Unicode
 * 14.0); line boundaries are \n \r \r\n \v \f \x1c \x1d \x1e \x85 \u2028
 * \u2029. Whitespace and line breaks are all BMP characters, so scanning by
 * UTF-16 unit is scanning by code point there.
 */
import { codePointAt } from './codePoints.js';
import { raise } from './pyException.js';
import { isSpace } from './unicodeTables.js';

const MAX = Number.MAX_SAFE_INTEGER;

/** str.split(sep=None, maxsplit=-1). */
export function strSplit(s: string, sep?: string, maxsplit = -1): string[] {
  let maxcount = maxsplit < 0 ? MAX : maxsplit;
  const out: string[] = [];
  const n = s.length;
  if (sep === undefined) {
    let i = 0;
    while (maxcount-- > 0) {
      while (i < n && isSpace(s.charCodeAt(i))) i++;
      if (i === n) break;
      const j = i++;
      while (i < n && !isSpace(s.charCodeAt(i))) i++;
      out.push(s.slice(j, i));
    }
    if (i < n) {
      while (i < n && isSpace(s.charCodeAt(i))) i++;
      if (i !== n) out.push(s.slice(i));
    }
    return out;
  }
  if (sep.length === 0) raise('ValueError', 'empty separator');
  let j = 0;
  while (maxcount-- > 0) {
    const i = s.indexOf(sep, j);
    if (i < 0) break;
    out.push(s.slice(j, i));
    j = i + sep.length;
  }
  out.push(s.slice(j));
  return out;
}

/** str.rsplit(sep=None, maxsplit=-1). */
export function strRsplit(s: string, sep?: string, maxsplit = -1): string[] {
  let maxcount = maxsplit < 0 ? MAX : maxsplit;
  const out: string[] = [];
  if (sep === undefined) {
    let i = s.length - 1;
    while (maxcount-- > 0) {
      while (i >= 0 && isSpace(s.charCodeAt(i))) i--;
      if (i < 0) break;
      const j = i--;
      while (i >= 0 && !isSpace(s.charCodeAt(i))) i--;
      out.push(s.slice(i + 1, j + 1));
    }
    if (i >= 0) {
      while (i >= 0 && isSpace(s.charCodeAt(i))) i--;
      if (i >= 0) out.push(s.slice(0, i + 1));
    }
    return out.reverse();
  }
  if (sep.length === 0) raise('ValueError', 'empty separator');
  let j = s.length;
  while (maxcount-- > 0 && j >= sep.length) {
    const i = s.lastIndexOf(sep, j - sep.length);
    if (i < 0) break;
    out.push(s.slice(i + sep.length, j));
    j = i;
  }
  out.push(s.slice(0, j));
  return out.reverse();
}

/** Py_UNICODE_ISLINEBREAK. */
function isLineBreak(c: number): boolean {
  return c === 10 || c === 13 || c === 11 || c === 12 || c === 0x1c || c === 0x1d || c === 0x1e || c === 0x85 || c === 0x2028 || c === 0x2029;
}

/** str.splitlines(keepends=False). */
export function strSplitlines(s: string, keepends = false): string[] {
  const out: string[] = [];
  const n = s.length;
  let i = 0;
  let j = 0;
  while (i < n) {
    while (i < n && !isLineBreak(s.charCodeAt(i))) i++;
    let eol = i;
    if (i < n) {
      if (s.charCodeAt(i) === 13 && i + 1 < n && s.charCodeAt(i + 1) === 10) i += 2;
      else i++;
      if (keepends) eol = i;
    }
    out.push(s.slice(j, eol));
    j = i;
  }
  return out;
}

/** str.partition(sep). */
export function strPartition(s: string, sep: string): [string, string, string] {
  if (sep.length === 0) raise('ValueError', 'empty separator');
  const i = s.indexOf(sep);
  return i < 0 ? [s, '', ''] : [s.slice(0, i), sep, s.slice(i + sep.length)];
}

/** str.rpartition(sep). */
export function strRpartition(s: string, sep: string): [string, string, string] {
  if (sep.length === 0) raise('ValueError', 'empty separator');
  const i = s.lastIndexOf(sep);
  return i < 0 ? ['', '', s] : [s.slice(0, i), sep, s.slice(i + sep.length)];
}

/**
 * str.join(iterable): the items must all be str (JS strings); otherwise
 * TypeError "sequence item i: expected str instance, T found", T from typeNameOf.
 */
export function strJoin(sep: string, items: readonly unknown[], typeNameOf: (item: unknown) => string): string {
  for (let i = 0; i < items.length; i++) {
    if (typeof items[i] !== 'string') raise('TypeError', `sequence item ${i}: expected str instance, ${typeNameOf(items[i]).slice(0, 80)} found`);
  }
  return (items as readonly string[]).join(sep);
}

/** do_strip / _PyUnicode_XStrip: which ends (1 left, 2 right, 3 both), chars undefined for whitespace. */
function strip(s: string, chars: string | undefined, ends: number): string {
  let pred: (c: number) => boolean;
  if (chars === undefined) pred = isSpace;
  else {
    const set = new Set<number>();
    for (const ch of chars) set.add(ch.codePointAt(0)!);
    pred = (c) => set.has(c);
  }
  let i = 0;
  let j = s.length;
  if (ends & 1) {
    while (i < j) {
      const c = codePointAt(s, i);
      if (!pred(c)) break;
      i += c > 0xffff ? 2 : 1;
    }
  }
  if (ends & 2) {
    while (j > i) {
      const lo = s.charCodeAt(j - 1);
      const k = lo >= 0xdc00 && lo <= 0xdfff && j - 2 >= i && codePointAt(s, j - 2) > 0xffff ? j - 2 : j - 1;
      if (!pred(codePointAt(s, k))) break;
      j = k;
    }
  }
  return i === 0 && j === s.length ? s : s.slice(i, j);
}

/** str.strip([chars]). */
export function strStrip(s: string, chars?: string): string {
  return strip(s, chars, 3);
}
/** str.lstrip([chars]). */
export function strLstrip(s: string, chars?: string): string {
  return strip(s, chars, 1);
}
/** str.rstrip([chars]). */
export function strRstrip(s: string, chars?: string): string {
  return strip(s, chars, 2);
}
