// printf-style formatting, `format % args`, against CPython 3.11.7 on
// generated formats: every conversion (s r a d i u o x X e E f F g G c %)
// with flags, width, precision, '*', %(key)s mappings, and the errors
// (not enough / not all arguments, incomplete format, unsupported format
// character, wrong argument types).
import { describe, expect, it } from 'vitest';
import { PyException } from '../lib/objects/text/pyException.js';
import { percentFormat } from '../lib/objects/text/printf.js';
import { primitiveHooks, pyRepr, type ObjectHooks } from '../lib/objects/text/pyValue.js';
import { decode, loadCases, mismatches } from './fixtures/pylogic/fixtures.js';

const cases = loadCases('printf');

/** A dict as the evaluation loop would hand it in: an opaque mapping. */
class Dict {
  constructor(readonly items: Map<string, unknown>) {}
}

const hooks: ObjectHooks = {
  ...primitiveHooks,
  isMapping: (v) => v instanceof Dict,
  index: () => undefined,
  int: () => undefined,
  float: () => undefined,
  typeName: (v) => (v instanceof Dict ? 'dict' : primitiveHooks.typeName(v)),
  repr: (v) => (v instanceof Dict ? `{${[...v.items].map(([k, x]) => `${pyRepr(k, hooks)}: ${pyRepr(x, hooks)}`).join(', ')}}` : primitiveHooks.repr(v)),
  str: (v) => hooks.repr(v),
  getItem: (v, key) => {
    const d = v as Dict;
    if (!d.items.has(key as string)) throw new PyException('KeyError', [pyRepr(key, hooks)]);
    return d.items.get(key as string);
  },
};

function args(spec: unknown): unknown {
  const s = spec as { dict?: [string, unknown][]; single?: unknown; tuple?: unknown[] };
  if (s.dict) return new Dict(new Map(s.dict.map(([k, v]) => [k, decode(v)])));
  if ('single' in s) return decode(s.single);
  return decode(s.tuple);
}

describe('format % args', () => {
  it(`matches CPython on ${cases.percent.length} generated formats`, () => {
    expect(mismatches(cases.percent, ([fmt, a]) => percentFormat(fmt as string, args(a), hooks))).toEqual([]);
  });
  it('prints the documented examples', () => {
    expect(percentFormat('%s is %d years, %.2f m, %r', ['Bob', 42n, 1.756, 'x'])).toBe("Bob is 42 years, 1.76 m, 'x'");
    expect(percentFormat('%#010x|%-6d|%+.1e|%c%%', [255n, 7n, 12345.678, 65n])).toBe('0x000000ff|7     |+1.2e+04|A%');
    expect(() => percentFormat('%s %s', ['a'])).toThrow('not enough arguments for format string');
    expect(() => percentFormat('%s', ['a', 'b'])).toThrow('not all arguments converted during string formatting');
  });
});
