// Conversions between JavaScript values and Python objects (lib/jsConvert.ts,
// issue 11's messages): cycles convert to cycles and sharing stays sharing in
// both directions, any depth converts (no "Maximum call stack size
// exceeded"), what has no Python value is refused with a typed error that
// names it and leaves the heap as it was, and a handle of another space is
// refused.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidPointerError, PymemError } from '../lib/errors.js';
import { Python } from '../lib/python.js';
import { footprint } from './support/footprint.js';

let py: Python;
beforeEach(() => {
  py = new Python({ memory: 'fake' });
});
afterEach(() => py.dispose());

it('toJS of a list that holds itself is an array that holds itself', () => {
  using l = py.list([1, 'two']);
  py.append(l, l);
  const js = l.toJS() as unknown[];
  expect(js.length).toBe(3);
  expect(js.slice(0, 2)).toEqual([1, 'two']);
  expect(js[2]).toBe(js);
});

it('toJS of a dict that holds itself is a Map that holds itself, and a shared list stays shared', () => {
  using d = py.dict({ a: 1 });
  using shared = py.list([]);
  py.setitem(d, 'self', d);
  py.setitem(d, 'x', shared);
  py.setitem(d, 'y', shared);
  const m = d.toJS() as Map<string, unknown>;
  expect(m.get('a')).toBe(1);
  expect(m.get('self')).toBe(m);
  expect(m.get('x')).toBe(m.get('y'));
});

it('from and toJS of an array nested 20,000 deep', () => {
  let deep: unknown[] = [];
  for (let i = 0; i < 20_000; i++) deep = [deep];
  using h = py.from(deep as never);
  let x = h.toJS() as unknown[];
  let n = 0;
  for (; x.length > 0; n++) x = x[0] as unknown[];
  expect(n).toBe(20_000);
});

it('from of a cyclic array and Map builds cyclic objects, which the collector frees', () => {
  const blocks = py.getallocatedblocks();
  const a: unknown[] = [1];
  a.push(a);
  const m = new Map<unknown, unknown>([['k', a]]);
  m.set('m', m);
  const h = py.from(m as never);
  using inner = py.getitem(h, 'k');
  using again = py.getitem(inner, 1);
  using self = py.getitem(h, 'm');
  expect([py.is(inner, again), py.is(self, h), py.len(inner)]).toEqual([true, true, 2]);
  for (const x of [h, inner, again, self]) x.release();
  expect(py.gc.collect()).toBe(2);
  py.interp.list.clearFreeList();
  py.interp.dict.clearFreeList();
  expect(py.getallocatedblocks()).toBeLessThanOrEqual(blocks);
});

it.each([
  ['a symbol', Symbol('s'), 'no Python value for Symbol(s)'],
  ['a function', () => 1, 'no Python value for a function'],
  ['a Date', new Date(0), 'no Python value for an object of class Date'],
])('refuses %s (it became an empty dict), nested too, and frees what it built', (_n, bad, message) => {
  const before = footprint(py.interp);
  expect(() => py.from(bad as never)).toThrow(message);
  expect(() => py.from([1, [2, 'three', bad]] as never)).toThrow(InvalidArgumentError);
  expect(() => py.list([1.5, new Map([['k', bad]])] as never)).toThrow(InvalidArgumentError);
  expect(footprint(py.interp)).toBe(before);
});

it("refuses another space's handle with a message that says so", () => {
  using other = new Python({ memory: 'fake' });
  using foreign = other.str('elsewhere');
  using l = py.list([]);
  expect(() => py.append(l, foreign)).toThrow('a handle of another Python space');
  expect(() => py.from([foreign])).toThrow(InvalidArgumentError);
  expect(py.len(l)).toBe(0);
});

it.each([
  [5e-324, 'not an integer'],
  [Number.NaN, 'not a finite number'],
  [2 ** 53 + 8, 'beyond 2^53'],
  [-8, 'not positive'],
  [4100, 'not a multiple of 8'],
])('a non-pointer (%s) is refused with what is wrong with it: %s', (p, why) => {
  let err: unknown;
  try {
    py.interp.rt.incref(p);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(InvalidPointerError);
  expect((err as PymemError).message).toContain(why);
  expect((err as PymemError).message).not.toMatch(/is not a live object/);
});
