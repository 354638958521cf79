/*
 * Case mappings and character-class predicates of str (Objects/
 * unicodeobject.c do_upper, do_lower, do_casefold, do_capitalize, do_title,
 * do_swapcase with lower_ucs4 / handle_capital_sigma; unicode_isupper_impl,
 * unicode_islower_impl, unicode_istitle_impl, unicode_isalpha_impl …). Full
 * mappings of Unicode 14.0 ('ß'.upper() == 'SS', 'ﬁ'.title() == 'Fi'); a
 * capital sigma lowers to 'ς' at the end of a word. ASCII strings take a
 * fast path through String.prototype methods, which agree there.
 */
import { codePointAt } from './codePoints.js';
import {
  getCaseMaps, isAlpha, isCased, isCaseIgnorable, isDecimal, isDigit, isLower, isNumeric, isPrintable, isSpace, isTitle,
  isUpper, isXidContinue, isXidStart,
} from './unicodeTables.js';

const ASCII = /^[\x00-\x7f]*$/;

/** handle_capital_sigma: 'ς' when the sigma at cps[i] ends a cased word, else 'σ'. */
function capitalSigma(cps: number[], i: number): string {
  let j = i - 1;
  while (j >= 0 && isCaseIgnorable(cps[j])) j--;
  let finalSigma = j >= 0 && isCased(cps[j]);
  if (finalSigma) {
    j = i + 1;
    while (j < cps.length && isCaseIgnorable(cps[j])) j++;
    finalSigma = j === cps.length || !isCased(cps[j]);
  }
  return finalSigma ? '\u03c2' : '\u03c3';
}

function codePointsOf(s: string): number[] {
  return Array.from(s, (c) => c.codePointAt(0)!);
}

/** lower_ucs4: the full lowercase of cps[i] in its context. */
function lowerAt(cps: number[], i: number): string {
  const c = cps[i];
  if (c === 0x3a3) return capitalSigma(cps, i);
  return getCaseMaps().lower.get(c) ?? String.fromCodePoint(c);
}

function mapEach(s: string, map: Map<number, string>): string {
  const out: string[] = [];
  for (const ch of s) out.push(map.get(ch.codePointAt(0)!) ?? ch);
  return out.join('');
}

/** str.upper(). */
export function strUpper(s: string): string {
  return ASCII.test(s) ? s.toUpperCase() : mapEach(s, getCaseMaps().upper);
}

/** str.lower() (with the final-sigma rule). */
export function strLower(s: string): string {
  if (ASCII.test(s)) return s.toLowerCase();
  const cps = codePointsOf(s);
  const out: string[] = [];
  for (let i = 0; i < cps.length; i++) out.push(lowerAt(cps, i));
  return out.join('');
}

/** str.casefold(). */
export function strCasefold(s: string): string {
  return ASCII.test(s) ? s.toLowerCase() : mapEach(s, getCaseMaps().fold);
}

/** str.swapcase(): upper of lowercase characters, lower of uppercase ones. */
export function strSwapcase(s: string): string {
  const cps = codePointsOf(s);
  const { upper } = getCaseMaps();
  const out: string[] = [];
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i];
    if (isUpper(c)) out.push(lowerAt(cps, i));
    else if (isLower(c)) out.push(upper.get(c) ?? String.fromCodePoint(c));
    else out.push(String.fromCodePoint(c));
  }
  return out.join('');
}

/** str.capitalize() (3.8+): title case of the first character, lower case of the rest. */
export function strCapitalize(s: string): string {
  if (s.length === 0) return s;
  const cps = codePointsOf(s);
  const out: string[] = [getCaseMaps().title.get(cps[0]) ?? String.fromCodePoint(cps[0])];
  for (let i = 1; i < cps.length; i++) out.push(lowerAt(cps, i));
  return out.join('');
}

/** str.title(): title case after an uncased character, lower case after a cased one. */
export function strTitle(s: string): string {
  const cps = codePointsOf(s);
  const { title } = getCaseMaps();
  const out: string[] = [];
  let previousIsCased = false;
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i];
    out.push(previousIsCased ? lowerAt(cps, i) : title.get(c) ?? String.fromCodePoint(c));
    previousIsCased = isCased(c);
  }
  return out.join('');
}

/** Whether every code point of a non-empty s satisfies pred. */
function all(s: string, pred: (c: number) => boolean): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = codePointAt(s, i);
    if (c > 0xffff) i++;
    if (!pred(c)) return false;
  }
  return true;
}

/** str.isalpha(). */
export const strIsAlpha = (s: string): boolean => all(s, isAlpha);
/** str.isdecimal(). */
export const strIsDecimal = (s: string): boolean => all(s, isDecimal);
/** str.isdigit(). */
export const strIsDigit = (s: string): boolean => all(s, isDigit);
/** str.isnumeric(). */
export const strIsNumeric = (s: string): boolean => all(s, isNumeric);
/** str.isalnum(): every character alpha, decimal, digit or numeric. */
export const strIsAlnum = (s: string): boolean => all(s, (c) => isAlpha(c) || isDecimal(c) || isDigit(c) || isNumeric(c));
/** str.isspace(). */
export const strIsSpace = (s: string): boolean => all(s, isSpace);
/** str.isascii() (true for ""). */
export const strIsAscii = (s: string): boolean => ASCII.test(s);
/** str.isprintable() (true for ""). */
export const strIsPrintable = (s: string): boolean => s.length === 0 || all(s, isPrintable);

/** str.isidentifier(): XID_Start or '_' first, XID_Continue after. */
export function strIsIdentifier(s: string): boolean {
  if (s.length === 0) return false;
  const first = codePointAt(s, 0);
  if (!isXidStart(first)) return false;
  for (let i = first > 0xffff ? 2 : 1; i < s.length; i++) {
    const c = codePointAt(s, i);
    if (c > 0xffff) i++;
    if (!isXidContinue(c)) return false;
  }
  return true;
}

/** str.isupper(): some cased character, none lowercase or titlecase. */
export function strIsUpper(s: string): boolean {
  let cased = false;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (isLower(c) || isTitle(c)) return false;
    if (!cased && isUpper(c)) cased = true;
  }
  return cased;
}

/** str.islower(): some cased character, none uppercase or titlecase. */
export function strIsLower(s: string): boolean {
  let cased = false;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (isUpper(c) || isTitle(c)) return false;
    if (!cased && isLower(c)) cased = true;
  }
  return cased;
}

/** str.istitle(): uppercase/titlecase only after uncased, lowercase only after cased characters. */
export function strIsTitle(s: string): boolean {
  let cased = false;
  let previousIsCased = false;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (isUpper(c) || isTitle(c)) {
      if (previousIsCased) return false;
      previousIsCased = true;
      cased = true;
    } else if (isLower(c)) {
      if (!previousIsCased) return false;
      previousIsCased = true;
      cased = true;
    } else previousIsCased = false;
  }
  return cased;
}
