/*
 * Unicode character names for the \N{...} escape, as CPython 3.11's
 * unicodedata _getcode looks them up: case-insensitive, Hangul syllables and
 * CJK unified ideographs by their algorithmic names, every other name and
 * the formal aliases from the table unicodeNames.gen.ts holds (Unicode
 * 14.0.0, generated from CPython's own unicodedata). Named sequences are not
 * characters and are not found. The table is unpacked on the first lookup.
 */

import { gunzipSync } from 'node:zlib';
import { CJK_UNIFIED_RANGES, NAMES_GZ_BASE64 } from './unicodeNames.gen.js';

let byName: Map<string, number> | null = null;

function table(): Map<string, number> {
  if (byName !== null) return byName;
  const text = gunzipSync(Buffer.from(NAMES_GZ_BASE64, 'base64')).toString('ascii');
  const [names, aliases] = text.split('\n\n');
  const map = new Map<string, number>();
  let cp = 0;
  for (const line of names.split('\n')) {
    const sp = line.indexOf(' ');
    cp += parseInt(line.slice(0, sp), 16);
    map.set(line.slice(sp + 1), cp);
  }
  for (const line of aliases.split('\n')) {
    if (line === '') continue;
    const sp = line.indexOf(' ');
    map.set(line.slice(sp + 1), parseInt(line.slice(0, sp), 16));
  }
  byName = map;
  return map;
}

// unicodedata.c: the jamo short names of Hangul syllables (L, V, T parts).
const JAMO_L = ['G', 'GG', 'N', 'D', 'DD', 'R', 'M', 'B', 'BB', 'S', 'SS', '', 'J', 'JJ', 'C', 'K', 'T', 'P', 'H'];
const JAMO_V = ['A', 'AE', 'YA', 'YAE', 'EO', 'E', 'YEO', 'YE', 'O', 'WA', 'WAE', 'OE', 'YO', 'U', 'WEO', 'WE', 'WI', 'YU', 'EU', 'YI', 'I'];
const JAMO_T = ['', 'G', 'GG', 'GS', 'N', 'NJ', 'NH', 'D', 'L', 'LG', 'LM', 'LB', 'LS', 'LT', 'LP', 'LH', 'M', 'B', 'BS', 'S', 'SS', 'NG', 'J', 'C', 'K', 'T', 'P', 'H'];

/** find_syllable: the longest jamo name of `table` at the start of `s`, as [index, length]. */
function findSyllable(s: string, table: string[]): [number, number] {
  let best = -1;
  let len = -1;
  table.forEach((name, i) => {
    if (name.length > len && s.startsWith(name)) {
      best = i;
      len = name.length;
    }
  });
  return [best, len];
}

/** _getcode: the code point named `name` (any case), or null. */
export function lookupUnicodeName(nameIn: string): number | null {
  const name = nameIn.toUpperCase();
  if (name.startsWith('HANGUL SYLLABLE ')) {
    let rest = name.slice(16);
    const [l, ll] = findSyllable(rest, JAMO_L);
    rest = rest.slice(Math.max(ll, 0));
    const [v, vl] = findSyllable(rest, JAMO_V);
    rest = rest.slice(Math.max(vl, 0));
    const [t, tl] = findSyllable(rest, JAMO_T);
    rest = rest.slice(Math.max(tl, 0));
    if (l >= 0 && v >= 0 && t >= 0 && rest === '') return 0xac00 + (l * 21 + v) * 28 + t;
    return null;
  }
  if (name.startsWith('CJK UNIFIED IDEOGRAPH-')) {
    const hex = nameIn.slice(22);
    if (!/^[0-9A-F]{4,5}$/.test(hex)) return null;
    const cp = parseInt(hex, 16);
    return CJK_UNIFIED_RANGES.some(([a, b]) => cp >= a && cp <= b) ? cp : null;
  }
  return table().get(name) ?? null;
}
