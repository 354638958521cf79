// The object layer's iterators that need no evaluation loop: list_reverseiterator
// (list___reversed__) and the tuple, str, bytes, set and dict iterators of
// containerIters.ts — what they yield, the container reference each holds
// until it is exhausted, the RuntimeError of a set or dict resized under its
// iterator, the item iterator's recycled result tuple, and bad input refused
// with a typed error and no allocation.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../lib/errors.js';
import { Interpreter } from '../lib/objects/interpreter.js';
import { PyException } from '../lib/objects/text/pyException.js';
import { ContainerItersModule } from '../lib/objects/types/containerIters.js';
import { ListRevIterModule } from '../lib/objects/types/listreviter.js';

/** The object as JavaScript (its type's toJS). */
function js(interp: Interpreter, op: number): unknown {
  return interp.rt.typeOf(op).toJS?.(interp.rt, op);
}

function setup() {
  const interp = new Interpreter({ memory: 'fake' });
  return { interp, rt: interp.rt, rev: new ListRevIterModule(interp), ci: new ContainerItersModule(interp) };
}

/** Every item an iterator yields, through its next(), as JS values (each reference released). */
function drain(interp: Interpreter, next: (it: number) => number, it: number): unknown[] {
  const out: unknown[] = [];
  for (let x = next(it); x !== 0; x = next(it)) {
    out.push(js(interp, x));
    interp.rt.decref(x);
  }
  return out;
}

function nextOf(ci: ContainerItersModule, it: number): (it: number) => number {
  const t = ci.interp.rt.typeOf(it);
  return ci.nexts().find(([type]) => type === t)![1];
}

describe('list_reverseiterator', () => {
  it('walks the list backwards, lets go of it when exhausted, and sees it shrink', () => {
    const { interp, rt, rev } = setup();
    const l = interp.list.new(0);
    for (const v of [1, 2, 3, 4]) {
      const x = interp.long.fromNumber(v);
      interp.list.append(l, x);
      rt.decref(x);
    }
    const it = rev.reversed(l);
    expect([rev.lengthHint(it), rt.refcnt(l)]).toEqual([4, 2]);
    const first = rev.next(it);
    expect(js(interp, first)).toBe(4);
    rt.decref(first);
    interp.list.setSlice(l, 1, 4, 0);
    expect(rev.lengthHint(it)).toBe(0);
    expect(rev.next(it)).toBe(0);
    expect(rt.refcnt(l)).toBe(1);
    expect(rev.next(it)).toBe(0);
    rt.decref(it);
    rt.decref(l);
    interp.dispose();
  });
});

describe('container iterators', () => {
  it('tuple, str and bytes iterators yield in place and release their container at the end', () => {
    const { interp, rt, ci } = setup();
    const t = interp.tuple.pack([interp.singletons.None, interp.long.True]);
    const s = interp.str.fromString('hé');
    const b = interp.bytes.fromBytes(Uint8Array.of(7, 255));
    for (const [o, want, type] of [
      [t, [null, true], 'tuple_iterator'],
      [s, ['h', 'é'], 'str_iterator'],
      [b, [7, 255], 'bytes_iterator'],
    ] as const) {
      const it = ci.seqIter(o);
      expect(rt.typeOf(it).name).toBe(type);
      expect(rt.refcnt(o)).toBe(2);
      expect(ci.lengthHint(it)).toBe(2);
      expect(drain(interp, nextOf(ci, it), it)).toEqual(want);
      expect([rt.refcnt(o), ci.lengthHint(it)]).toEqual([1, 0]);
      rt.decref(it);
      rt.decref(o);
    }
    interp.dispose();
  });

  it('a dict or set resized under its iterator raises RuntimeError, and keeps raising', () => {
    const { interp, rt, ci } = setup();
    const d = interp.dict.new();
    const k = interp.str.fromString('k');
    interp.dict.setItem(d, k, interp.singletons.None);
    const it = ci.dictIter(d, 'keys');
    const k2 = interp.str.fromString('k2');
    interp.dict.setItem(d, k2, interp.singletons.None);
    const next = nextOf(ci, it);
    for (let i = 0; i < 2; i++) expect(() => next(it)).toThrow(PyException);
    const so = interp.set.new([k]);
    const sit = ci.setIter(so);
    interp.set.add(so, k2);
    expect(() => nextOf(ci, sit)(sit)).toThrow(/Set changed size during iteration/);
    for (const o of [it, sit, d, so, k, k2]) rt.decref(o);
    interp.dispose();
  });

  it("the item iterator reuses its result tuple while it holds the tuple's only reference", () => {
    const { interp, rt, ci } = setup();
    const d = interp.dict.new();
    for (const name of ['a', 'b', 'c']) {
      const key = interp.str.fromString(name);
      interp.dict.setItem(d, key, key);
      rt.decref(key);
    }
    const it = ci.dictIter(d, 'items');
    const next = nextOf(ci, it);
    const first = next(it);
    rt.decref(first);
    const second = next(it);
    expect(second).toBe(first);
    const third = next(it);
    expect(third).not.toBe(second);
    expect([js(interp, second), js(interp, third)]).toEqual([['b', 'b'], ['c', 'c']]);
    for (const o of [second, third, it, d]) rt.decref(o);
    interp.dispose();
  });

  it('refuses what is not its container with a typed error and allocates nothing', () => {
    const { interp, rt, rev, ci } = setup();
    const x = interp.long.fromNumber(12345);
    const before = rt.heap.debugMallocStats().classes.map((c) => c.blocksInUse);
    expect(() => rev.reversed(x)).toThrow(InvalidArgumentError);
    expect(() => ci.seqIter(x)).toThrow(InvalidArgumentError);
    expect(() => ci.setIter(x)).toThrow(InvalidArgumentError);
    expect(() => ci.dictIter(x, 'items')).toThrow(InvalidArgumentError);
    expect(rt.heap.debugMallocStats().classes.map((c) => c.blocksInUse)).toEqual(before);
    rt.decref(x);
    interp.dispose();
  });
});
