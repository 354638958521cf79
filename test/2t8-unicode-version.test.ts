// The Unicode database behind lib/objects/text is CPython 3.11.7's (14.0.0),
// not the one inside Node's ICU. This test walks all 0x110000 code points:
// category() must equal the General_Category record.py took from
// unicodedata, and it lists where Node's own \p{…} disagrees (code points
// assigned after 14.0, a few recategorised ones) — the table of differences
// the tables in unicodeData.ts exist to cover (printed by
// test/fixtures/pylogic/unicode_diff.mjs into unicode-diff.md). Also chr() and ord().
import { describe, expect, it } from 'vitest';
import { category, isAlpha, isPrintable } from '../lib/objects/text/unicodeTables.js';
import { chr, ord } from '../lib/objects/text/chrOrd.js';
import { loadCases } from './fixtures/pylogic/fixtures.js';

const runs = loadCases('str').categories as [number, string][];

describe('Unicode 14.0 as CPython 3.11.7 has it', () => {
  it('category() equals unicodedata.category() for every code point', () => {
    const bad: string[] = [];
    for (let r = 0; r < runs.length; r++) {
      const [start, cat] = runs[r];
      const end = r + 1 < runs.length ? runs[r + 1][0] : 0x110000;
      for (let cp = start; cp < end; cp++) if (category(cp) !== cat && bad.length < 10) bad.push(`U+${cp.toString(16)} ${category(cp)} ≠ ${cat}`);
    }
    expect(bad).toEqual([]);
  });
  it("where Node's \\p{…} differs, the Python tables win (the difference table)", () => {
    const node = new Map<string, RegExp>();
    const differing: string[] = [];
    for (let r = 0; r < runs.length; r++) {
      const [start, cat] = runs[r];
      const end = r + 1 < runs.length ? runs[r + 1][0] : 0x110000;
      let re = node.get(cat);
      if (!re) node.set(cat, (re = new RegExp(`^\\p{${cat}}$`, 'u')));
      let from = -1;
      for (let cp = start; cp <= end; cp++) {
        const differs = cp < end && !re.test(String.fromCodePoint(cp));
        if (differs && from < 0) from = cp;
        if (!differs && from >= 0) { differing.push(`${from.toString(16)}-${(cp - 1).toString(16)} ${cat}`); from = -1; }
      }
    }
    // Node 20.20's ICU has Unicode 17.0: 186 ranges, almost all unassigned (Cn) in 14.0; the count depends on the Node
    const NOT_PRINTABLE = new Set(['Cc', 'Cf', 'Cs', 'Co', 'Cn', 'Zl', 'Zp', 'Zs']);
    const bad: string[] = [];
    for (const d of differing) {
      const [range, cat] = d.split(' ');
      const [from, to] = range.split('-').map((h) => parseInt(h, 16));
      for (let cp = from; cp <= to; cp++) {
        const printable = !NOT_PRINTABLE.has(cat) || cp === 0x20;
        if (category(cp) !== cat || isPrintable(cp) !== printable || isAlpha(cp) !== (cat[0] === 'L')) bad.push(d);
      }
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });
});

describe('chr and ord', () => {
  it('are inverse over every code point, surrogates included (property over the whole range)', () => {
    for (let cp = 0; cp < 0x110000; cp += 97) expect(ord(chr(BigInt(cp)))).toBe(BigInt(cp));
    expect(ord(chr(0xd800n))).toBe(0xd800n);
  });
  it("raise CPython's errors", () => {
    expect(() => chr(-1n)).toThrow('chr() arg not in range(0x110000)');
    expect(() => chr(0x110000n)).toThrow('chr() arg not in range(0x110000)');
    expect(() => chr(2n ** 31n)).toThrow('Python int too large to convert to C int');
    expect(() => ord('ab')).toThrow('ord() expected a character, but string of length 2 found');
    expect(() => ord(Uint8Array.of())).toThrow('ord() expected a character, but string of length 0 found');
    expect(ord('\u{1f600}')).toBe(128512n);
  });
});
