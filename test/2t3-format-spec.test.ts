// format(value, spec) — the format-spec mini-language of
// Python/formatter_unicode.c — against CPython 3.11.7 on generated specs
// ([[fill]align][sign][z][#][0][width][grouping][.precision][type]) applied
// to int, float, str, bool and complex, errors included; complex repr.
import { describe, expect, it } from 'vitest';
import type { Complex } from '../lib/objects/text/floatArith.js';
import { insertThousandsGrouping } from '../lib/objects/text/formatSpec.js';
import { complexRepr, formatBool, formatComplex, formatFloat, formatInt, formatStr } from '../lib/objects/text/formatValue.js';
import { decode, loadCases, mismatches } from './fixtures/pylogic/fixtures.js';

const cases = loadCases('format');
const complexOf = (v: unknown): Complex => v as Complex;

describe('format(value, spec)', () => {
  it(`int: ${cases.int.length} specs`, () => {
    expect(mismatches(cases.int, ([n, s]) => formatInt(n as bigint, s as string))).toEqual([]);
  });
  it(`float: ${cases.float.length} specs`, () => {
    expect(mismatches(cases.float, ([x, s]) => formatFloat(x as number, s as string))).toEqual([]);
  });
  it(`str: ${cases.str.length} specs`, () => {
    expect(mismatches(cases.str, ([v, s]) => formatStr(v as string, s as string))).toEqual([]);
  });
  it(`bool: ${cases.bool.length} specs`, () => {
    expect(mismatches(cases.bool, ([v, s]) => formatBool(v as boolean, s as string))).toEqual([]);
  });
  it(`complex: ${cases.complex.length} specs`, () => {
    expect(mismatches(cases.complex, ([c, s]) => formatComplex(complexOf(c), s as string))).toEqual([]);
  });
  it(`complex repr: ${cases.complex_repr.length} values`, () => {
    const bad = cases.complex_repr.filter(([c, r]) => complexRepr(complexOf(decode(c))) !== r);
    expect(bad).toEqual([]);
  });
  it('groups zero padding under = as CPython does', () => {
    expect(formatInt(1234n, '010,')).toBe('00,001,234');
    expect(insertThousandsGrouping('1234567', 0, 3, ',')).toBe('1,234,567');
    expect(formatInt(0xdeadbeefn, '#_x')).toBe('0xdead_beef');
  });
});
