// The C-API fuzzer (lib/tools/fuzz/capiFuzz.ts): short seeded runs find no
// disagreement on either memory, and the bugs it found stay fixed — each
// reproducer is the smallest form of what the fuzzer hit: a container
// function given a freed or foreign pointer must refuse it before it changes
// the container or takes a reference.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, PymemError } from '../lib/errors.js';
import { Interpreter } from '../lib/objects/interpreter.js';
import { fuzzCapi } from '../lib/tools/fuzz/capiFuzz.js';
import { footprint } from './support/footprint.js';

describe.each(['native', 'fake'] as const)('C-API fuzz (%s memory)', (memory) => {
  it.each([1, 2])('seed %i: 6,000 calls, a quarter invalid, no disagreement', (seed) => {
    const report = fuzzCapi({ seed, ops: 6000, memory });
    expect(report.failure).toBeNull();
    expect(report.invalid).toBeGreaterThan(1000);
    for (const kind of ['InvalidArgumentError', 'InvalidPointerError', 'RefcountError', 'UnhashableError']) expect(report.errors[kind]).toBeGreaterThan(0);
  });
});

it('the same seed makes the same run, and a small population reaches other states', () => {
  expect(fuzzCapi({ seed: 5, ops: 2000, memory: 'fake' })).toEqual(fuzzCapi({ seed: 5, ops: 2000, memory: 'fake' }));
  const small = fuzzCapi({ seed: 6, ops: 4000, memory: 'fake', maxLive: 20 });
  expect(small.failure).toBeNull();
  expect(small.peakLive).toBeLessThanOrEqual(21);
});

/** A freed str and another interpreter's object: the pointers the fuzzer passed. */
function badPointers(interp: Interpreter, other: Interpreter): number[] {
  const freed = interp.str.fromString('freed before use');
  interp.rt.decref(freed);
  return [freed, other.str.fromString('foreign'), 5e-324 as number];
}

describe('found by the C-API fuzzer', () => {
  it('PyList_Insert refuses a dead pointer before it grows the list (it resized first, leaving a garbage slot)', () => {
    using interp = new Interpreter({ memory: 'fake' });
    using other = new Interpreter({ memory: 'fake' });
    const l = interp.list.new(0);
    interp.list.append(l, interp.singletons.None);
    const before = [footprint(interp), interp.list.size(l), interp.list.allocated(l)];
    for (const p of badPointers(interp, other)) expect(() => interp.list.insert(l, 0, p)).toThrow(PymemError);
    expect([footprint(interp), interp.list.size(l), interp.list.allocated(l)]).toEqual(before);
    interp.rt.decref(l);
  });

  it('PyDict_SetItem refuses a dead value before it increfs the key (the key leaked a reference)', () => {
    using interp = new Interpreter({ memory: 'fake' });
    using other = new Interpreter({ memory: 'fake' });
    const d = interp.dict.new();
    const k = interp.str.fromString('a key of its own');
    for (const p of badPointers(interp, other)) {
      expect(() => interp.dict.setItem(d, k, p)).toThrow(PymemError);
      expect(() => interp.dict.setItem(d, p, k)).toThrow(PymemError);
    }
    expect([interp.rt.refcnt(k), interp.dict.size(d)]).toEqual([1, 0]);
    interp.rt.decref(k);
    interp.rt.decref(d);
  });

  it('PySet_Add refuses a dead key, and names a non-number key plainly (it said "[object Object]")', () => {
    using interp = new Interpreter({ memory: 'fake' });
    using other = new Interpreter({ memory: 'fake' });
    const s = interp.set.new();
    for (const p of badPointers(interp, other)) expect(() => interp.set.add(s, p)).toThrow(PymemError);
    expect(interp.set.size(s)).toBe(0);
    expect(() => interp.set.add(s, {} as unknown as number)).toThrow(new InvalidArgumentError('PySet_Add: the key must be an object, got an object'));
    interp.rt.decref(s);
  });
});

describe('found while widening the C-API fuzzer to every setter', () => {
  it('PyTuple_SetItem refuses a dead item (it stored a freed pointer, and the next set decref’d it)', () => {
    using interp = new Interpreter({ memory: 'fake' });
    using other = new Interpreter({ memory: 'fake' });
    const t = interp.tuple.new(1);
    for (const p of badPointers(interp, other)) expect(() => interp.tuple.setItem(t, 0, p)).toThrow(PymemError);
    expect(interp.tuple.items(t)).toEqual([0]);
    interp.rt.decref(t);
  });

  it('setattr refuses a dead value before it touches the instance', () => {
    using interp = new Interpreter({ memory: 'fake' });
    const cls = interp.instance.defineClass({ name: 'C' });
    const o = interp.instance.new(cls);
    interp.instance.setAttr(o, 'a', interp.singletons.None);
    const freed = interp.str.fromString('freed before use');
    interp.rt.decref(freed);
    expect(() => interp.instance.setAttr(o, 'a', freed)).toThrow(PymemError);
    expect(() => interp.instance.setAttr(o, 'b', freed)).toThrow(PymemError);
    expect([interp.instance.getAttr(o, 'a'), interp.instance.getAttr(o, 'b')]).toEqual([interp.singletons.None, 0]);
    interp.rt.decref(o);
  });
});
