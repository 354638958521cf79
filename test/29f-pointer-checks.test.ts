// Pointer checks at the C-API level (issue 11): every pointer Py_INCREF,
// Py_DECREF, Py_TYPE and the containers take is refused in O(1), with a typed
// error and nothing changed, when it is no live object of this runtime — not
// a number, NaN or infinite, fractional, unsafe, interior, freed, another
// runtime's, or of a disposed runtime — and none of these hangs.
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidPointerError, PymemError } from '../lib/errors.js';
import { installGc } from '../lib/gc/index.js';
import { Interpreter } from '../lib/objects/interpreter.js';
import { obType } from '../lib/objects/layout.js';
import { DisposedError } from '../lib/errors.js';
import { RefcountError } from '../lib/objects/runtime.js';
import { footprint } from './support/footprint.js';

const NOT_POINTERS: unknown[] = [Number.NaN, Infinity, -Infinity, undefined, null, '65536', 1.5, -16, 2 ** 53 + 16, 2 ** 60, Symbol('p')];

describe.each(['native', 'fake'] as const)('C-API pointer checks (%s memory)', (memory) => {
  let interp: Interpreter;
  afterEach(() => {
    if (!interp.rt.disposed) interp.dispose();
  });

  it.each(NOT_POINTERS.map((p) => [String(p), p]))('refuses %s in Py_INCREF, Py_DECREF, Py_TYPE and Py_REFCNT', (_name, p) => {
    interp = new Interpreter({ memory });
    const rt = interp.rt;
    const op = p as number;
    expect(() => rt.incref(op)).toThrow(InvalidPointerError);
    expect(() => rt.decref(op)).toThrow(InvalidPointerError);
    expect(() => rt.typeOf(op)).toThrow(InvalidPointerError);
    expect(() => rt.refcnt(op)).toThrow(InvalidPointerError);
    expect(rt.typeOrNull(op)).toBe(null);
  });

  it('refuses interior pointers: decref(list + 8) leaves ob_type alone', () => {
    interp = new Interpreter({ memory });
    const { rt, list } = interp;
    const l = list.new(0);
    list.append(l, interp.singletons.None);
    const type = obType.get(l);
    const base = footprint(interp);
    // A typed error (InvalidPointerError, or RefcountError where the words there read as a dead object).
    for (const off of [8, 16, 24, 32]) {
      expect(() => rt.decref(l + off)).toThrow(PymemError);
      expect(() => rt.incref(l + off)).toThrow(PymemError);
    }
    expect(() => rt.decref(l + 8)).toThrow(InvalidPointerError);
    expect([obType.get(l), rt.refcnt(l), list.size(l), footprint(interp)]).toEqual([type, 1, 1, base]);
    rt.decref(l);
  });

  it('refuses freed objects (ob_type cleared on dealloc, or a free list link), and the heap stays sound', () => {
    interp = new Interpreter({ memory });
    const { rt, long, tuple, str } = interp;
    const big = long.fromNumber(2 ** 40);
    const t = tuple.pack(Array.from({ length: 30 }, () => interp.singletons.None));
    const s = str.fromString('a string that is freed');
    const f = interp.float.fromNumber(2.5);
    const l = interp.list.new(0);
    // Nothing is allocated between the frees and the checks, so no block is reused.
    for (const op of [big, t, s, f]) rt.decref(op);
    for (const op of [big, t, s, f]) {
      expect(() => rt.decref(op)).toThrow(RefcountError);
      expect(() => rt.incref(op)).toThrow(RefcountError);
      expect(() => rt.typeOf(op)).toThrow(RefcountError);
      expect(() => interp.list.append(l, op)).toThrow(RefcountError);
    }
    expect(interp.list.size(l)).toBe(0);
    // The free lists and pymalloc's are intact: what they hand out next are sound objects.
    const again = [long.fromNumber(2 ** 41), interp.float.fromNumber(3.5), str.fromString('another string, not cached')];
    for (const op of again) expect(rt.validateObject(op)).toEqual([]);
    for (const op of [...again, l]) rt.decref(op);
  });

  it("refuses another runtime's objects", () => {
    interp = new Interpreter({ memory });
    using other = new Interpreter({ memory });
    const foreign = other.str.fromString('not from here');
    const l = interp.list.new(0);
    expect(() => interp.rt.incref(foreign)).toThrow(InvalidPointerError);
    expect(() => interp.list.append(l, foreign)).toThrow(InvalidPointerError);
    expect([interp.list.size(l), other.rt.refcnt(foreign)]).toEqual([0, 1]);
    interp.rt.decref(l);
  });

  it('reference counts carry into and borrow from the high word of ob_refcnt', () => {
    interp = new Interpreter({ memory });
    const { rt } = interp;
    const f = interp.float.fromNumber(1);
    rt.setRefcnt(f, 2 ** 32 - 1);
    rt.incref(f);
    expect(rt.refcnt(f)).toBe(2 ** 32);
    rt.incref(f);
    rt.decref(f);
    rt.decref(f);
    expect(rt.refcnt(f)).toBe(2 ** 32 - 1);
    rt.setRefcnt(f, 1);
    rt.decref(f);
    expect(() => rt.refcnt(f)).toThrow(RefcountError);
  });

  it('list.setItem(l, 0, NaN) is refused and the list frees as before', () => {
    interp = new Interpreter({ memory });
    const { rt, list } = interp;
    const base = footprint(interp);
    const l = list.new(1);
    expect(() => list.setItem(l, 0, Number.NaN)).toThrow(InvalidPointerError);
    expect(() => list.setItem(l, 0, 24)).toThrow(InvalidPointerError);
    expect(list.getItem(l, 0)).toBe(0);
    rt.decref(l);
    list.clearFreeList();
    expect(footprint(interp)).toBe(base);
  });

  it('dict.next of something that is no dict is refused', () => {
    interp = new Interpreter({ memory });
    const l = interp.list.new(0);
    const f = interp.float.fromNumber(1);
    for (const op of [l, f, 0, Number.NaN]) expect(() => interp.dict.next(op, 0)).toThrow(InvalidArgumentError);
    interp.rt.decref(l);
    interp.rt.decref(f);
  });

  it('after dispose, the collector and the C-API say so instead of walking unmapped memory', () => {
    interp = new Interpreter({ memory });
    const gc = installGc(interp);
    const l = interp.list.new(0);
    interp.dispose();
    expect(() => gc.collect()).toThrow(DisposedError);
    expect(() => gc.getObjects()).toThrow(DisposedError);
    expect(() => interp.rt.incref(l)).toThrow(DisposedError);
    expect(() => interp.rt.decref(l)).toThrow(DisposedError);
  });
});
