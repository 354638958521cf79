/*
 * Searching a str (Objects/unicodeobject.c any_find_slice, unicode_count,
 * tailmatch, replace; Objects/stringlib/fastsearch.h): find, rfind, index,
 * rindex, count, startswith, endswith, replace, `in`. start/end are code
 * point indices adjusted as ADJUST_INDICES does (negative from the end, end
 * clipped to the length, start never clipped upward), results are code point
 * indices. A match must start and end on code point boundaries (a lone
 * surrogate never matches half of a pair).
 */
import { isBmpOnly, strLength, unitOffsets } from './codePoints.js';
import { raise } from './pyException.js';

/** A str with a code point ↔ UTF-16 index map (identity for strings without surrogates). */
interface Indexed {
  readonly s: string;
  readonly length: number;
  /** UTF-16 offset of code point i (i may be length). */
  unit(i: number): number;
  /** Code point index of UTF-16 offset u (a boundary), or -1 when u splits a pair. */
  point(u: number): number;
}

function indexed(s: string): Indexed {
  if (isBmpOnly(s)) return { s, length: s.length, unit: (i) => i, point: (u) => u };
  const offs = unitOffsets(s);
  return {
    s,
    length: offs.length - 1,
    unit: (i) => offs[i],
    point: (u) => {
      let lo = 0;
      let hi = offs.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (offs[mid] === u) return mid;
        if (offs[mid] < u) lo = mid + 1;
        else hi = mid - 1;
      }
      return -1;
    },
  };
}

/** ADJUST_INDICES(start, end, len) with None as undefined. */
export function adjustIndices(len: number, start: number | undefined, end: number | undefined): [number, number] {
  let st = start ?? 0;
  let en = end ?? len;
  if (en > len) en = len;
  else if (en < 0) { en += len; if (en < 0) en = 0; }
  if (st < 0) { st += len; if (st < 0) st = 0; }
  return [st, en];
}

/** First match of sub in x between code points [st, en), as a code point index, or -1. */
function findIn(x: Indexed, sub: string, st: number, en: number): number {
  const lo = x.unit(st);
  const hi = x.unit(en);
  let u = x.s.indexOf(sub, lo);
  while (u !== -1 && u + sub.length <= hi) {
    const p = x.point(u);
    if (p !== -1 && x.point(u + sub.length) !== -1) return p;
    u = x.s.indexOf(sub, u + 1);
  }
  return -1;
}

/** Last match of sub in x between code points [st, en), or -1. */
function rfindIn(x: Indexed, sub: string, st: number, en: number): number {
  const lo = x.unit(st);
  let u = x.s.lastIndexOf(sub, x.unit(en) - sub.length);
  while (u !== -1 && u >= lo) {
    const p = x.point(u);
    if (p !== -1 && x.point(u + sub.length) !== -1) return p;
    if (u === 0) break;
    u = x.s.lastIndexOf(sub, u - 1);
  }
  return -1;
}

/** str.find(sub[, start[, end]]). */
export function strFind(s: string, sub: string, start?: number, end?: number): number {
  const x = indexed(s);
  const [st, en] = adjustIndices(x.length, start, end);
  if (en - st < strLength(sub)) return -1;
  return sub.length === 0 ? st : findIn(x, sub, st, en);
}

/** str.rfind(sub[, start[, end]]). */
export function strRfind(s: string, sub: string, start?: number, end?: number): number {
  const x = indexed(s);
  const [st, en] = adjustIndices(x.length, start, end);
  if (en - st < strLength(sub)) return -1;
  return sub.length === 0 ? en : rfindIn(x, sub, st, en);
}

/** str.index: find, or ValueError "substring not found". */
export function strIndex(s: string, sub: string, start?: number, end?: number): number {
  const i = strFind(s, sub, start, end);
  if (i < 0) raise('ValueError', 'substring not found');
  return i;
}

/** str.rindex: rfind, or ValueError "substring not found". */
export function strRindex(s: string, sub: string, start?: number, end?: number): number {
  const i = strRfind(s, sub, start, end);
  if (i < 0) raise('ValueError', 'substring not found');
  return i;
}

/** `sub in s`. */
export function strContains(s: string, sub: string): boolean {
  return strFind(s, sub) >= 0;
}

/** str.count(sub[, start[, end]]): non-overlapping occurrences. */
export function strCount(s: string, sub: string, start?: number, end?: number): number {
  const x = indexed(s);
  const [st, en] = adjustIndices(x.length, start, end);
  const subLen = strLength(sub);
  if (en - st < subLen) return 0;
  if (subLen === 0) return en - st + 1;
  let n = 0;
  let i = findIn(x, sub, st, en);
  while (i >= 0) {
    n++;
    i = findIn(x, sub, i + subLen, en);
  }
  return n;
}

/** tailmatch: whether s[start:end] starts (direction -1) or ends (+1) with sub. */
function tailmatch(s: string, sub: string, start: number | undefined, end: number | undefined, direction: -1 | 1): boolean {
  const x = indexed(s);
  let [st, en] = adjustIndices(x.length, start, end);
  const subLen = strLength(sub);
  en -= subLen;
  if (en < st) return false;
  if (subLen === 0) return true;
  return s.startsWith(sub, x.unit(direction > 0 ? en : st));
}

/** str.startswith(prefix or tuple of prefixes[, start[, end]]). */
export function strStartswith(s: string, prefix: string | readonly string[], start?: number, end?: number): boolean {
  if (typeof prefix === 'string') return tailmatch(s, prefix, start, end, -1);
  return prefix.some((p) => tailmatch(s, p, start, end, -1));
}

/** str.endswith(suffix or tuple of suffixes[, start[, end]]). */
export function strEndswith(s: string, suffix: string | readonly string[], start?: number, end?: number): boolean {
  if (typeof suffix === 'string') return tailmatch(s, suffix, start, end, 1);
  return suffix.some((p) => tailmatch(s, p, start, end, 1));
}

/** The TypeError of startswith/endswith for a non-str argument (`inTuple`: an item of the tuple). */
export function tailmatchTypeError(method: 'startswith' | 'endswith', typeName: string, inTuple: boolean): never {
  return raise('TypeError', inTuple
    ? `tuple for ${method} must only contain str, not ${typeName}`
    : `${method} first arg must be str or a tuple of str, not ${typeName}`);
}

/** str.replace(old, new[, count]): at most count replacements (count < 0: all). */
export function strReplace(s: string, old: string, repl: string, count = -1): string {
  if (count < 0) count = Number.MAX_SAFE_INTEGER;
  if (count === 0) return s;
  if (old.length === 0) {
    const out: string[] = [];
    let n = 0;
    for (const ch of s) {
      if (n < count) { out.push(repl); n++; }
      out.push(ch);
    }
    if (n < count) out.push(repl);
    return out.join('');
  }
  const x = indexed(s);
  const out: string[] = [];
  let last = 0;
  let n = 0;
  let i = findIn(x, old, 0, x.length);
  const oldLen = strLength(old);
  while (i >= 0 && n < count) {
    out.push(s.slice(x.unit(last), x.unit(i)), repl);
    last = i + oldLen;
    n++;
    i = findIn(x, old, last, x.length);
  }
  if (n === 0) return s;
  out.push(s.slice(x.unit(last)));
  return out.join('');
}
