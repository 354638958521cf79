// float as CPython 3.11.7 computes it, case by case against record.py's
// recording: repr (shortest round-trip digits, Python's exponent rules),
// float(str), // % divmod / **, round (with and without ndigits),
// as_integer_ratio, is_integer, hex, fromhex, int(x) and float(int).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { divideToDouble } from '../lib/objects/text/bigMath.js';
import {
  floatAsIntegerRatio, floatDivmod, floatFloorDivide, floatFromHex, floatHex, floatIsInteger, floatModulo, floatPow,
  floatRound, floatRoundToInt, floatToInt, floatTrueDivide, intToFloat,
} from '../lib/objects/text/floatArith.js';
import { floatFromString } from '../lib/objects/text/floatParse.js';
import { dtoa, dtoaExact } from '../lib/objects/text/dtoa.js';
import { floatRepr } from '../lib/objects/text/floatRepr.js';
import { richCompareIntFloat } from '../lib/objects/text/numberCompare.js';
import { decode, loadCases, mismatches } from './fixtures/pylogic/fixtures.js';

const cases = loadCases('float');
const num = (v: unknown) => v as number;

describe('float repr', () => {
  it(`matches CPython on ${cases.repr.length} floats`, () => {
    const bad = cases.repr.filter(([x, r]) => floatRepr(decode(x) as number) !== r).slice(0, 10);
    expect(bad).toEqual([]);
  });
  it('prints the documented examples', () => {
    expect([1e16, 1e-5, 0.0001, 123456789012345.0, Infinity, NaN, -0.0, 1e22, 0.1 + 0.2].map(floatRepr)).toEqual(
      ['1e+16', '1e-05', '0.0001', '123456789012345.0', 'inf', 'nan', '-0.0', '1e+22', '0.30000000000000004']);
  });
  it('round-trips and is shortest (property)', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
      const r = floatRepr(x);
      expect(Number(r)).toBe(x);
      const digits = r.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
      // no shorter digit string (one digit fewer, correctly rounded) gives x back
      if (digits.length > 1) expect(Number(x.toPrecision(digits.length - 1))).not.toBe(x);
    }), { numRuns: 3000 });
  });
});

describe('float(str)', () => {
  it(`matches CPython on ${cases.parse.length} strings`, () => {
    expect(mismatches(cases.parse, ([s]) => floatFromString(s as string))).toEqual([]);
  });
});

describe('float arithmetic', () => {
  it(`// % divmod / match CPython on ${cases.binop.length} pairs`, () => {
    const rows = cases.binop.map(([a, b, ...outs]) => outs.map((o, k) => [a, b, k, o]));
    const ops = [floatFloorDivide, floatModulo, floatDivmod, floatTrueDivide];
    expect(mismatches(rows.flat(), ([a, b, k]) => ops[Number(k)](num(a), num(b)))).toEqual([]);
  });
  const isComplexOutcome = (c: unknown[]) => {
    const v = (c[2] as unknown[])[1];
    return typeof v === 'object' && v !== null && 'complex' in v;
  };
  const realPow = cases.pow.filter((c) => !isComplexOutcome(c));
  const complexPow = cases.pow.filter(isComplexOutcome);
  it(`** matches CPython exactly on ${realPow.length} pairs with a real result`, () => {
    expect(mismatches(realPow, ([a, b]) => floatPow(num(a), num(b)))).toEqual([]);
  });
  it(`a negative float to a fractional power: CPython's complex within 8 ulps on ${complexPow.length} pairs`, () => {
    // _Py_c_pow goes through hypot, atan2, cos and sin, whose last bits differ between V8 and glibc
    const close = (x: number, y: number) => x === y || Math.abs(x - y) <= 8 * Number.EPSILON * Math.max(Math.abs(x), Math.abs(y));
    const bad = complexPow.filter(([a, b, o]) => {
      const { real: re, imag: im } = decode((o as unknown[])[1]) as { real: number; imag: number };
      const got = floatPow(num(decode(a)), num(decode(b))) as { real: number; imag: number };
      return !close(got.real, re) || !close(got.imag, im);
    });
    expect(complexPow.length).toBeGreaterThan(100);
    expect(bad).toEqual([]);
  });
  it(`round(x, n) matches CPython on ${cases.round.length} cases`, () => {
    expect(mismatches(cases.round, ([x, n]) => floatRound(num(x), Number(n)))).toEqual([]);
  });
  it(`round(x) matches CPython on ${cases.round0.length} cases`, () => {
    expect(mismatches(cases.round0, ([x]) => floatRoundToInt(num(x)))).toEqual([]);
  });
  it(`as_integer_ratio, is_integer, hex, int() match CPython on ${cases.unary.length} floats`, () => {
    const fns = [floatAsIntegerRatio, floatIsInteger, floatHex, floatToInt];
    const rows = cases.unary.flatMap(([x, ...outs]) => outs.map((o, k) => [x, k, o]));
    expect(mismatches(rows, ([x, k]) => fns[Number(k)](num(x)))).toEqual([]);
  });
  it(`float.fromhex matches CPython on ${cases.fromhex.length} strings`, () => {
    expect(mismatches(cases.fromhex, ([s]) => floatFromHex(s as string))).toEqual([]);
  });
  it(`float(int) matches CPython on ${cases.fromint.length} ints`, () => {
    expect(mismatches(cases.fromint, ([n]) => intToFloat(n as bigint))).toEqual([]);
  });
  it('int / int is the correctly rounded quotient (property against float division of exact doubles)', () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 }), fc.integer({ min: 1, max: 2 ** 31 }), (a, b) => {
      expect(divideToDouble(BigInt(a), BigInt(b))).toBe(a / b);
    }), { numRuns: 2000 });
  });
});

describe('dtoa fast path', () => {
  it('agrees with exact BigInt rounding, ties included (property)', () => {
    const tieish = fc.tuple(fc.integer({ min: -1e6, max: 1e6 }), fc.integer({ min: 0, max: 8 }), fc.boolean())
      .map(([k, j, half]) => (k + (half ? 0.5 : 0)) / 2 ** j * (j % 2 ? 5 : 1));
    const x = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }).filter((v) => v !== 0), tieish.filter((v) => v !== 0));
    fc.assert(fc.property(x, fc.integer({ min: 1, max: 25 }), fc.integer({ min: -6, max: 25 }), (v, n2, n3) => {
      expect(dtoa(v, 2, n2)).toEqual(dtoaExact(v, 2, n2));
      expect(dtoa(v, 3, n3)).toEqual(dtoaExact(v, 3, n3));
    }), { numRuns: 5000 });
  });
});

describe('int compared with float', () => {
  it(`is exact, as float_richcompare: ${cases.compare.length} pairs × 8 comparisons`, () => {
    const ops = ['<', '<=', '==', '!=', '>', '>='] as const;
    const bad: unknown[] = [];
    for (const [n, x, ...outs] of cases.compare) {
      const i = decode(n) as bigint;
      const f = decode(x) as number;
      const got = [...ops.map((op) => richCompareIntFloat(i, f, op)), richCompareIntFloat(f, i, '<'), richCompareIntFloat(f, i, '==')];
      if (JSON.stringify(got) !== JSON.stringify(outs)) bad.push({ n, x, outs, got });
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });
});
