/*
 * The representation of str. A Python str is carried as a JavaScript string
 * whose code points are the str's: a surrogate pair is one astral
 * character, an unpaired surrogate is that surrogate code point. Every str
 * CPython can make is representable this way except one shape: a high
 * surrogate code point directly followed by a low one reads back as the
 * astral character they would pair into ('\\ud83d' + '\\ude00' in Python is
 * two code points, here one). Python counts and indexes code points; the
 * helpers here convert between code point indices and UTF-16 units, with a
 * fast path for strings without surrogates (where the two agree).
 */
import { memoryError } from './pyException.js';

const SURROGATE = /[\ud800-\udfff]/;

/** The longest string V8 can make (2**29 - 24 UTF-16 units): longer results are a MemoryError. */
export const MAX_STR_UNITS = 2 ** 29 - 24;

/** s repeated n times (n ≤ 0: ""), MemoryError past MAX_STR_UNITS as CPython's allocation failure. */
export function repeatStr(s: string, n: number): string {
  if (n <= 0) return '';
  if (n * s.length > MAX_STR_UNITS) memoryError();
  return s.repeat(n);
}

/** True when s has no surrogate units: code point index == UTF-16 index. */
export function isBmpOnly(s: string): boolean {
  return !SURROGATE.test(s);
}

/** The code point at s[i] (a surrogate pair as one) — callers advance by 2 when it is > 0xffff. */
export function codePointAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
  }
  return c;
}

/** The number of code points of s: len() of the str. */
export function strLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { n--; i++; }
    }
  }
  return n;
}


/** The code points of s. */
export function toCodePoints(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = codePointAt(s, i);
    if (c > 0xffff) i++;
    out.push(c);
  }
  return out;
}

/** The str of the given code points. */
export function fromCodePoints(cps: readonly number[]): string {
  let out = '';
  for (let i = 0; i < cps.length; i += 4096) out += String.fromCodePoint(...cps.slice(i, i + 4096));
  return out;
}

/** UTF-16 offsets of each code point of s, plus s.length at the end (only needed when !isBmpOnly(s)). */
export function unitOffsets(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    out.push(i);
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  out.push(s.length);
  return out;
}

/** Code point comparison (Python's str ordering; JS < compares UTF-16 units): -1, 0 or 1. */
export function strCompare(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // step back onto a pair's first half, so whole code points are compared
      const j = i > 0 && a.charCodeAt(i - 1) >= 0xd800 && a.charCodeAt(i - 1) <= 0xdbff ? i - 1 : i;
      let cx = codePointAt(a, j);
      let cy = codePointAt(b, j);
      if (cx === cy) { cx = codePointAt(a, i); cy = codePointAt(b, i); }
      return cx < cy ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : 1;
}
