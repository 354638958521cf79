// str.format and str.format_map (Objects/stringlib/unicode_format.h)
// against CPython 3.11.7 on generated format strings: auto and manual
// numbering, names, .attr and [key] chains, !r !s !a, nested specs,
// "{{" "}}", and every parse and lookup error in CPython's order; the
// exposed parser (markupIterator, fieldNameSplit) on its own.
import { describe, expect, it } from 'vitest';
import { PyException } from '../lib/objects/text/pyException.js';
import { primitiveHooks, pyRepr, type ObjectHooks } from '../lib/objects/text/pyValue.js';
import { fieldNameSplit, markupIterator, strFormat, strFormatMap } from '../lib/objects/text/strFormat.js';
import { decode, loadCases, mismatches } from './fixtures/pylogic/fixtures.js';

const cases = loadCases('strformat');

/** A dict as the evaluation loop would hand it in: an opaque mapping. */
class Dict {
  constructor(readonly items: Map<string, unknown>) {}
}

const hooks: ObjectHooks = {
  ...primitiveHooks,
  typeName: () => 'dict',
  getItem: (v, key) => {
    const d = v as Dict;
    if (!d.items.has(key as string)) throw new PyException('KeyError', [pyRepr(key, hooks)]);
    return d.items.get(key as string);
  },
};

function kwargsOf(spec: unknown): Dict {
  const s = spec as { dict: [string, unknown][] };
  return new Dict(new Map(s.dict.map(([k, v]) => [k, decode(v)])));
}

describe('str.format', () => {
  it(`matches CPython on ${cases.format.length} generated format strings`, () => {
    expect(mismatches(cases.format, ([fmt, args, kw]) => (args === null
      ? strFormatMap(fmt as string, kwargsOf(kw), hooks)
      : strFormat(fmt as string, args as unknown[], kwargsOf(kw), hooks)))).toEqual([]);
  });
  it('exposes the parse: literal text, fields, conversions, specs', () => {
    expect([...markupIterator('a{{b}}{0.x[1]!r:>{w}}c')]).toEqual([
      { literal: 'a{' }, { literal: 'b}' },
      { literal: '', field: { fieldName: '0.x[1]', conversion: 'r', formatSpec: '>{w}', formatSpecNeedsExpanding: true } },
      { literal: 'c' },
    ]);
    const { first, rest } = fieldNameSplit('0.x[1][k]');
    expect([first, ...rest]).toEqual([0n, { attr: 'x' }, { item: 1n }, { item: 'k' }]);
    expect(() => [...markupIterator('a}b')]).toThrow("Single '}' encountered in format string");
  });
});
