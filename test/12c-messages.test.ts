// The messages issue 11 listed, each as pymem says it now: what was passed and
// what is wrong with it, never "undefined undefined", "[object Object]" or a
// crash of the message builder on a Symbol; a disposed space says it was
// disposed.
import { expect, it } from 'vitest';
import { DisposedError, InvalidArgumentError, InvalidPointerError, PymemError } from '../lib/errors.js';
import { Heap } from '../lib/allocator/heap.js';
import { Python } from '../lib/python.js';

/** The error f throws. */
function thrown(f: () => unknown): PymemError {
  try {
    f();
  } catch (e) {
    if (e instanceof PymemError) return e;
    throw e;
  }
  throw new Error('nothing thrown');
}

it.each([
  ['an unsafe size', () => new Heap({ memory: 'fake' }).malloc(2 ** 53), InvalidArgumentError, '9007199254740992 (beyond 2^53: not exact)'],
  ['a Symbol size', () => new Heap({ memory: 'fake' }).malloc(Symbol('n') as never), InvalidArgumentError, 'got Symbol(n)'],
  ['a Symbol pointer', () => new Heap({ memory: 'fake' }).free(Symbol('p') as never), InvalidPointerError, 'got Symbol(p)'],
  ['undefined sizes', () => new Heap({ memory: 'fake' }).calloc(undefined as never, undefined as never), InvalidArgumentError, 'got undefined'],
  ['a tiny float as an object', () => new Python({ memory: 'fake' }).interp.rt.incref(5e-324), InvalidPointerError, '5e-324: not an integer'],
  ['a Symbol as an object', () => new Python({ memory: 'fake' }).borrow(Symbol('o') as never), InvalidPointerError, 'Symbol(o): a pointer is a number'],
  ['a Symbol to convert', () => new Python({ memory: 'fake' }).from(Symbol('v') as never), InvalidArgumentError, 'no Python value for Symbol(v)'],
] as const)('%s', (_name, f, type, text) => {
  const e = thrown(f);
  expect(e).toBeInstanceOf(type);
  expect(e.message).toContain(text);
  expect(e.message).not.toMatch(/undefined undefined|\[object Object\]/);
});

it('a handle of a disposed space says the space was disposed (not "not an object of this runtime")', () => {
  const py = new Python({ memory: 'fake' });
  const l = py.list([1, 2]);
  py.dispose();
  for (const f of [() => l.toJS(), () => l.refcnt, () => py.gc.collect(), () => py.from(1)]) {
    const e = thrown(f);
    expect(e).toBeInstanceOf(DisposedError);
    expect(e.message).toContain('disposed');
  }
  // A handle's own C-API call names the space, as the message asks.
  expect(thrown(() => l.refcnt).message).toContain('this Python space was disposed');
});
