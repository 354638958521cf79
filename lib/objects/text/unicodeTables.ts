/*
 * Character properties as CPython 3.11's Objects/unicodectype.c answers them
 * (Unicode 14.0.0), decoded from unicodeData.ts (generated from CPython's own
 * database). Node's \p{…} follows the ICU it ships (Unicode 17.0 in Node
 * 20.20: 186 ranges of General_Category differ from 14.0, nearly all code
 * points unassigned in 14.0; the table is test/fixtures/pylogic/
 * unicode-diff.md, made by unicode_diff.mjs), so only Case_Ignorable —
 * used for the final sigma — comes from Node. Range tables are sorted [lo, hi] pairs in one
 * Uint32Array, searched by bisection; Latin-1 has a flag table.
 */
import * as D from './unicodeData.js';

/** Decodes "gap,length-1" pairs into sorted [lo, hi, lo, hi …]. */
function decodeRanges(enc: string): Uint32Array {
  const parts = enc.split(',');
  const out = new Uint32Array(parts.length);
  let prev = 0;
  for (let i = 0; i < parts.length; i += 2) {
    const lo = prev + parseInt(parts[i], 36);
    const hi = lo + parseInt(parts[i + 1], 36);
    out[i] = lo;
    out[i + 1] = hi;
    prev = hi;
  }
  return out;
}

/** Whether cp lies in one of the sorted ranges. */
function inRanges(r: Uint32Array, cp: number): boolean {
  let lo = 0;
  let hi = (r.length >> 1) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < r[2 * mid]) hi = mid - 1;
    else if (cp > r[2 * mid + 1]) lo = mid + 1;
    else return true;
  }
  return false;
}

const DIGIT = decodeRanges(D.DIGIT_RANGES);
const NUMERIC = decodeRanges(D.NUMERIC_RANGES);
const SPACE = decodeRanges(D.SPACE_RANGES);
const UPPER = decodeRanges(D.UPPER_RANGES);
const LOWER = decodeRanges(D.LOWER_RANGES);
const XID_START = decodeRanges(D.XID_START_RANGES);
const XID_CONTINUE = decodeRanges(D.XID_CONTINUE_RANGES);
const PRINTABLE = decodeRanges(D.PRINTABLE_RANGES);
const DECIMAL_ZEROS = Uint32Array.from(D.DECIMAL_ZEROS.split(','), (s) => parseInt(s, 36));

const catStarts: number[] = [];
const catNames: string[] = [];
{
  let last = 0;
  for (const run of D.CATEGORY_RUNS.split(' ')) {
    last += parseInt(run.slice(0, -2), 36);
    catStarts.push(last);
    catNames.push(run.slice(-2));
  }
}
const CAT_STARTS = Uint32Array.from(catStarts);

/** unicodedata.category(chr(cp)): the two-letter General_Category in Unicode 14.0. */
export function category(cp: number): string {
  let lo = 0;
  let hi = CAT_STARTS.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (CAT_STARTS[mid] <= cp) lo = mid;
    else hi = mid - 1;
  }
  return catNames[lo];
}

const F_ALPHA = 1, F_SPACE = 2, F_DIGIT = 4, F_NUMERIC = 8, F_UPPER = 16, F_LOWER = 32, F_PRINT = 64, F_DECIMAL = 128, F_TITLE = 256;
const LATIN1 = new Uint16Array(256);
for (let c = 0; c < 256; c++) {
  const cat = category(c);
  LATIN1[c] =
    (cat[0] === 'L' ? F_ALPHA : 0) | (inRanges(SPACE, c) ? F_SPACE : 0) | (inRanges(DIGIT, c) ? F_DIGIT : 0) |
    (inRanges(NUMERIC, c) ? F_NUMERIC : 0) | (inRanges(UPPER, c) ? F_UPPER : 0) | (inRanges(LOWER, c) ? F_LOWER : 0) |
    (inRanges(PRINTABLE, c) ? F_PRINT : 0) | (cat === 'Nd' ? F_DECIMAL : 0) | (cat === 'Lt' ? F_TITLE : 0);
}

/** Py_UNICODE_ISALPHA: categories Lu Ll Lt Lm Lo. */
export function isAlpha(cp: number): boolean {
  return cp < 256 ? (LATIN1[cp] & F_ALPHA) !== 0 : category(cp)[0] === 'L';
}
/** Py_UNICODE_ISSPACE (str.isspace, str.split()). */
export function isSpace(cp: number): boolean {
  return cp < 256 ? (LATIN1[cp] & F_SPACE) !== 0 : inRanges(SPACE, cp);
}
/** Py_UNICODE_ISDIGIT. */
export function isDigit(cp: number): boolean {
  return cp < 256 ? (LATIN1[cp] & F_DIGIT) !== 0 : inRanges(DIGIT, cp);
}
/** Py_UNICODE_ISNUMERIC. */
export function isNumeric(cp: number): boolean {
  return cp < 256 ? (LATIN1[cp] & F_NUMERIC) !== 0 : inRanges(NUMERIC, cp);
}
/** Py_UNICODE_TODECIMAL: the decimal digit value of cp, or -1. */
export function decimalValue(cp: number): number {
  if (cp < 256) return cp >= 48 && cp <= 57 ? cp - 48 : -1;
  let lo = 0;
  let hi = DECIMAL_ZEROS.length - 1;
  if (cp < DECIMAL_ZEROS[0]) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (DECIMAL_ZEROS[mid] <= cp) lo = mid;
    else hi = mid - 1;
  }
  const d = cp - DECIMAL_ZEROS[lo];
  return d < 10 ? d : -1;
}
/** Py_UNICODE_ISDECIMAL. */
export function isDecimal(cp: number): boolean {
  return cp < 256 ? (LATIN1[cp] & F_DECIMAL) !== 0 : decimalValue(cp) >= 0;
}
/** Py_UNICODE_ISUPPER: the Uppercase property. */
export function isUpper(cp: number): boolean {
  return cp < 256 ? (LATIN1[cp] & F_UPPER) !== 0 : inRanges(UPPER, cp);
}
/** Py_UNICODE_ISLOWER: the Lowercase property. */
export function isLower(cp: number): boolean {
  return cp < 256 ? (LATIN1[cp] & F_LOWER) !== 0 : inRanges(LOWER, cp);
}
/** Py_UNICODE_ISTITLE: category Lt. */
export function isTitle(cp: number): boolean {
  return cp < 256 ? (LATIN1[cp] & F_TITLE) !== 0 : category(cp) === 'Lt';
}
/** _PyUnicode_IsCased: Uppercase, Lowercase or Lt. */
export function isCased(cp: number): boolean {
  return isUpper(cp) || isLower(cp) || isTitle(cp);
}
const CASE_IGNORABLE = /^\p{Case_Ignorable}$/u;
/** _PyUnicode_IsCaseIgnorable (from Node's Unicode data: only the final-sigma rule uses it). */
export function isCaseIgnorable(cp: number): boolean {
  return CASE_IGNORABLE.test(String.fromCodePoint(cp));
}
/** Py_UNICODE_ISPRINTABLE: not Cc Cf Cs Co Cn Zl Zp, nor Zs other than ' '. */
export function isPrintable(cp: number): boolean {
  return cp < 256 ? (LATIN1[cp] & F_PRINT) !== 0 : inRanges(PRINTABLE, cp);
}
/** _PyUnicode_IsXidStart, or '_' (the first character of an identifier). */
export function isXidStart(cp: number): boolean {
  return inRanges(XID_START, cp);
}
/** _PyUnicode_IsXidContinue. */
export function isXidContinue(cp: number): boolean {
  return inRanges(XID_CONTINUE, cp);
}

/** Decodes a "delta.count.step.shift" run table plus multi-character maps into one map. */
function decodeMap(runs: string, multi: string): Map<number, string> {
  const m = new Map<number, string>();
  let last = 0;
  for (const run of runs.split(',')) {
    const [d, c, s, sh] = run.split('.');
    const start = last + parseInt(d, 36);
    const count = parseInt(c, 36);
    const step = parseInt(s, 36);
    const shift = sh[0] === '-' ? -parseInt(sh.slice(1), 36) : parseInt(sh, 36);
    for (let k = 0; k < count; k++) m.set(start + k * step, String.fromCodePoint(start + k * step + shift));
    last = start + (count - 1) * step;
  }
  if (multi) {
    for (const entry of multi.split(',')) {
      const [cp, ...chars] = entry.split('.').map((x) => parseInt(x, 36));
      m.set(cp, String.fromCodePoint(...chars));
    }
  }
  return m;
}

/** The four full case mappings of Objects/unicodectype.c, built on first use. */
export interface CaseMaps {
  readonly upper: Map<number, string>;
  readonly lower: Map<number, string>;
  readonly title: Map<number, string>;
  readonly fold: Map<number, string>;
}
let caseMaps: CaseMaps | undefined;
/** _PyUnicode_ToUpperFull / ToLowerFull / ToTitleFull / ToFoldedFull as maps (code point → result). */
export function getCaseMaps(): CaseMaps {
  return (caseMaps ??= {
    upper: decodeMap(D.UPPER_MAP, D.UPPER_MULTI),
    lower: decodeMap(D.LOWER_MAP, D.LOWER_MULTI),
    title: decodeMap(D.TITLE_MAP, D.TITLE_MULTI),
    fold: decodeMap(D.FOLD_MAP, D.FOLD_MULTI),
  });
}
