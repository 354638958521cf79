// int as CPython 3.11.7 computes it, case by case against record.py's
// recording: str/bin/oct/hex and the 4300-digit limit, int(str, base),
// // % divmod / (correctly rounded), ** and three-argument pow, shifts,
// round(n, -k), bit_length/bit_count, to_bytes/from_bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  intBitCount, intBitLength, intDivmod, intFloorDivide, intFromBytes, intLshift, intModulo, intPow, intRound, intRshift,
  intToBytes, intTrueDivide,
} from '../lib/objects/text/intArith.js';
import { intFromString, intToBase, intToString } from '../lib/objects/text/intText.js';
import { loadCases, mismatches } from './fixtures/pylogic/fixtures.js';

const cases = loadCases('int');
const big = (v: unknown) => v as bigint;

describe('int text', () => {
  it(`str, bin, oct, hex, bit_length, bit_count match CPython on ${cases.str.length} ints`, () => {
    const fns: ((n: bigint) => unknown)[] = [
      intToString, (n) => intToBase(n, 2), (n) => intToBase(n, 8), (n) => intToBase(n, 16), intBitLength, intBitCount,
    ];
    const small = cases.str.filter((c) => c.length === 7);
    const rows = small.flatMap(([n, ...outs]) => outs.map((o, k) => [n, k, o]));
    expect(mismatches(rows, ([n, k]) => fns[Number(k)](big(n)))).toEqual([]);
    const huge = cases.str.filter((c) => c.length === 2);
    expect(mismatches(huge, ([n]) => BigInt(intToString(big(n)).length))).toEqual([]);
  });
  it(`int(str, base) matches CPython on ${cases.parse.length} cases`, () => {
    expect(mismatches(cases.parse, ([s, b]) => intFromString(s as string, Number(b)))).toEqual([]);
  });
  it('str and int(str) are inverse (property)', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(10n ** 80n), max: 10n ** 80n }), (n) => {
      expect(intFromString(intToString(n))).toBe(n);
      expect(intFromString(intToBase(n, 16), 0)).toBe(n);
    }));
  });
});

describe('int arithmetic', () => {
  it(`// % divmod / match CPython on ${cases.binop.length} pairs`, () => {
    const ops = [intFloorDivide, intModulo, intDivmod, intTrueDivide];
    const rows = cases.binop.flatMap(([a, b, ...outs]) => outs.map((o, k) => [a, b, k, o]));
    expect(mismatches(rows, ([a, b, k]) => ops[Number(k)](big(a), big(b)))).toEqual([]);
  });
  it(`** matches CPython on ${cases.pow.length} pairs`, () => {
    expect(mismatches(cases.pow, ([a, b]) => intPow(big(a), big(b)))).toEqual([]);
  });
  it(`pow(a, b, m) matches CPython on ${cases.pow3.length} triples`, () => {
    expect(mismatches(cases.pow3, ([a, b, m]) => intPow(big(a), big(b), big(m)))).toEqual([]);
  });
  it(`<< and >> match CPython on ${cases.shift.length} pairs`, () => {
    const rows = cases.shift.flatMap(([a, n, l, r]) => [[a, n, 0, l], [a, n, 1, r]]);
    expect(mismatches(rows, ([a, n, k]) => (k === 0 ? intLshift : intRshift)(big(a), big(n)))).toEqual([]);
  });
  it(`round(n, k) matches CPython on ${cases.round.length} cases`, () => {
    expect(mismatches(cases.round, ([a, n]) => intRound(big(a), big(n)))).toEqual([]);
  });
  it(`to_bytes matches CPython on ${cases.to_bytes.length} cases, from_bytes on ${cases.from_bytes.length}`, () => {
    expect(mismatches(cases.to_bytes, ([a, len, order, signed]) => intToBytes(big(a), Number(len), order as string, signed as boolean))).toEqual([]);
    expect(mismatches(cases.from_bytes, ([b, order, signed]) => intFromBytes(b as Uint8Array, order as string, signed as boolean))).toEqual([]);
  });
  it('// and % satisfy a == (a // b) * b + a % b with the sign of b (property)', () => {
    fc.assert(fc.property(fc.bigInt(), fc.bigInt().filter((b) => b !== 0n), (a, b) => {
      const q = intFloorDivide(a, b);
      const r = intModulo(a, b);
      expect(q * b + r).toBe(a);
      expect(r === 0n || (r < 0n) === (b < 0n)).toBe(true);
    }));
  });
});
