/*
 * repr() of constants as CPython 3.11.7 prints them (dis shows constants by
 * repr): floats (shortest round-trip in Python's format), complex numbers,
 * str with CPython's quote choice and escapes, bytes, tuples and frozensets.
 * Floats, complex numbers, strings and bytes are compared with reprs recorded
 * by record.py.
 */

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constRepr, floatRepr, strRepr, bytesRepr } from '../lib/frontend/constRepr.js';
import { compilerFixtures } from './63-compiler-support.js';

interface Reprs {
  floats: [string, string][];
  complexes: [string, string, string][];
  strings: [string, string][];
  bytes: [string, string][];
}

const reprs = JSON.parse(readFileSync(join(compilerFixtures, 'expected/reprs.json'), 'utf8')) as Reprs;

const double = (hex: string): number => Buffer.from(hex, 'hex').readDoubleLE(0);

describe('constant reprs', () => {
  it(`floats: all ${reprs.floats.length} recorded reprs`, () => {
    const wrong = reprs.floats.filter(([bits, r]) => floatRepr(double(bits)) !== r);
    expect(wrong).toEqual([]);
  });

  it('complex numbers', () => {
    for (const [re, im, r] of reprs.complexes) {
      expect(constRepr({ kind: 'complex', real: double(re), imag: double(im) })).toBe(r);
    }
  });

  it(`str: all ${reprs.strings.length} recorded reprs`, () => {
    const wrong = reprs.strings.filter(([s, r]) => strRepr(s) !== r);
    expect(wrong).toEqual([]);
  });

  it('bytes', () => {
    const wrong = reprs.bytes.filter(([h, r]) => bytesRepr(Uint8Array.from(Buffer.from(h, 'hex'))) !== r);
    expect(wrong).toEqual([]);
  });

  it('tuples, None, Ellipsis, bools, ints and frozensets', () => {
    expect(constRepr([])).toBe('()');
    expect(constRepr([1n])).toBe('(1,)');
    expect(constRepr([1n, 'a', null, true, [2.5]])).toBe("(1, 'a', None, True, (2.5,))");
    expect(constRepr({ kind: 'ellipsis' })).toBe('Ellipsis');
    expect(constRepr(-12345678901234567890n)).toBe('-12345678901234567890');
    expect(constRepr({ kind: 'frozenset', items: [] })).toBe('frozenset()');
    expect(constRepr({ kind: 'frozenset', items: [100n, 7n, 33n, 2n, 64n, 1000n, 5n] })).toBe('frozenset({64, 33, 2, 100, 5, 7, 1000})');
  });
});
