// Tuples and lists as CPython 3.11 lays them out: every getsizeof case of
// golden.json's catalog of type list and tuple, built the way CPython builds
// each expression; the four list growth sequences (200 steps each); the free
// lists (80 lists, 2000 tuples per size 1..20, 20-item tuples parked but
// never reused); _PyTuple_MaybeUntrack; tuple_hash against hard-coded
// CPython values; deep structures freed through the trashcan; a 10,000,000
// item list; and a fast-check model of list operations (contents, item
// refcounts, `allocated` after CPython's list_resize formula; extended slice
// deletion and assignment, l *= n). Items are a
// test-only non-GC int type (hash(n) = n as CPython's small ints), so these
// tests need no other type module.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../lib/errors.js';
import { Interpreter, UnhashableError } from '../lib/objects/interpreter.js';
import { declareObjectStruct, obSize, PyObject } from '../lib/objects/layout.js';
import { PyList_MAXFREELIST, PyListObject } from '../lib/objects/types/list.js';
import { PyTuple_MAXFREELIST, PyTupleObject } from '../lib/objects/types/tuple.js';
import type { PyTypeObject } from '../lib/objects/type.js';
import { type GoldenCase, loadGolden } from './support/golden.js';

const MEMORIES = ['fake', 'native'] as const;
const golden = loadGolden<Golden>();

interface Growth {
  sizes: number[];
}
interface Golden {
  getsizeof: { cases: GoldenCase[] };
  list_growth: { append: Growth; iadd: Growth; insert0: Growth; pop_from_200: Growth };
}

/** A test-only int: the header and an i64 value. */
const TInt = declareObjectStruct({
  name: 'TInt',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'value', type: 'i64', meaning: 'the value' },
  ],
});
const tintValue = TInt.field('value');

/** An interpreter with a test-only int type `tint` (TInt). */
class Fixture {
  readonly interp: Interpreter;
  readonly tint: PyTypeObject;
  constructor(memory: 'fake' | 'native') {
    this.interp = new Interpreter({ memory });
    const tint: PyTypeObject = this.interp.rt.registerType({
      name: 'tint',
      basicsize: TInt.size,
      itemsize: 0,
      flags: 0,
      dealloc: (rt, op) => rt.objectDel(op),
      hash: (_rt, op) => {
        const v = tintValue.get(op);
        return v === -1 ? -2 : v;
      },
      eq: (rt, a, b) => rt.typeOf(b) === tint && tintValue.get(a) === tintValue.get(b),
      toJS: (_rt, op) => tintValue.get(op),
    });
    this.tint = tint;
  }
  get rt() {
    return this.interp.rt;
  }
  /** A new tint object (new reference). */
  int(v: number): number {
    const op = this.rt.newObject(this.tint);
    tintValue.set(op, v);
    return op;
  }
  /** A generator of new ints 0..n-1 (each a new reference, as range's iterator yields). */
  *range(n: number): Generator<number> {
    for (let i = 0; i < n; i++) yield this.int(i);
  }
  /** Blocks in use per block size (pymalloc classes, and raw blocks under -1), minus the objects parked on free lists. */
  usage(): Map<number, number> {
    const s = this.rt.heap.debugMallocStats();
    const m = new Map<number, number>();
    for (const c of s.classes) if (c.blocksInUse > 0) m.set(c.size, c.blocksInUse);
    if (s.rawAllocatedBlocks > 0) m.set(-1, s.rawAllocatedBlocks);
    const sizes = s.classes.map((c) => c.size).sort((a, b) => a - b);
    const unpark = (bytes: number, count: number): void => {
      if (count === 0) return;
      const size = sizes.find((z) => z >= bytes)!;
      const left = (m.get(size) ?? 0) - count;
      if (left === 0) m.delete(size);
      else m.set(size, left);
    };
    unpark(56, this.interp.list.freeListSize());
    this.interp.tuple.freeListSizes().forEach((count, i) => unpark(16 + 24 + 8 * (i + 1), count));
    return m;
  }
  dispose(): void {
    this.interp.dispose();
  }
}

let fixtures: Fixture[] = [];
const open = (memory: 'fake' | 'native'): Fixture => {
  const f = new Fixture(memory);
  fixtures.push(f);
  return f;
};
afterEach(() => {
  for (const f of fixtures) f.dispose();
  fixtures = [];
});

/**
 * Builds a catalog expression the way CPython 3.11's compiler and runtime
 * do. Returns a new reference, or null for an expression this file does not
 * know (the test fails on it: every list and tuple case must be built).
 */
function build(f: Fixture, x: number, expr: string): number | null {
  const { list, tuple } = f.interp;
  const rt = f.rt;
  let m: RegExpMatchArray | null;
  if ((m = /^tuple\(range\((\d+)\)\)$/.exec(expr))) {
    // tuple_vectorcall -> PySequence_Tuple: range has a length hint.
    const n = Number(m[1]);
    return tuple.fromIterable(f.range(n), n);
  }
  if ((m = /^list\(range\((\d+)\)\)$/.exec(expr))) {
    const n = Number(m[1]);
    return list.vectorcall(f.range(n), n);
  }
  if ((m = /^\[i for i in range\((\d+)\)\]$/.exec(expr))) {
    // BUILD_LIST 0, then LIST_APPEND for each item.
    const l = list.new(0);
    for (const i of f.range(Number(m[1]))) {
      list.append(l, i);
      rt.decref(i);
    }
    return l;
  }
  if ((m = /^\[None\] \* (\d+)$/.exec(expr))) {
    // BUILD_LIST 1 of the constant, then list_repeat.
    const one = list.new(1);
    rt.incref(x);
    list.setItem(one, 0, x);
    const r = list.repeat(one, Number(m[1]));
    rt.decref(one);
    return r;
  }
  if ((m = /^\[(x(, x)*)?\]$/.exec(expr))) {
    // BUILD_LIST n of n loaded names: PyList_New(n), items stolen from the stack.
    const n = m[1] === undefined ? 0 : m[1].split(', ').length;
    const l = list.new(n);
    for (let i = 0; i < n; i++) {
      rt.incref(x);
      list.setItem(l, i, x);
    }
    return l;
  }
  if ((m = /^\[(\d+(, \d+)*)\]$/.exec(expr))) {
    const values = m[1]!.split(', ').map(Number);
    if (values.length <= 2) {
      // Fewer than 3 constants: LOAD_CONST each, BUILD_LIST n.
      const l = list.new(values.length);
      values.forEach((v, i) => list.setItem(l, i, f.int(v)));
      return l;
    }
    // 3 or more constants: BUILD_LIST 0, then LIST_EXTEND from the constant tuple.
    const consts = tuple.fromIterable(values.map((v) => f.int(v)), values.length);
    const l = list.new(0);
    list.extend(l, consts);
    rt.decref(consts);
    return l;
  }
  return null;
}

describe.each(MEMORIES)('tuple and list sizes as CPython 3.11 (%s memory)', (memory) => {
  it('reproduces every list and tuple getsizeof case of golden.json, in catalog order', () => {
    if (golden === null) return;
    const f = open(memory);
    const x = f.int(12345);
    const baseline = f.usage();
    const cases = golden.getsizeof.cases.filter((c) => c.type === 'list' || c.type === 'tuple');
    expect(cases.length).toBe(95);
    for (const c of cases) {
      const op = build(f, x, c.expr);
      expect(op, `no builder for ${c.expr}`).not.toBeNull();
      expect({ expr: c.expr, size: f.interp.getsizeof(op!), sizeof: f.interp.sizeofObject(op!), tracked: f.rt.gc.isTracked(op!), len: obSize.get(op!) }).toEqual({
        expr: c.expr,
        size: c.size,
        sizeof: c.__sizeof__,
        tracked: c.gc_tracked,
        len: c.len,
      });
      f.rt.decref(op!);
    }
    expect(f.rt.refcnt(x)).toBe(1);
    expect(f.usage()).toEqual(baseline);
  });

  it('gives the key sizes (hard-coded from CPython 3.11.7)', () => {
    const f = open(memory);
    const x = f.int(1);
    const expected: [string, number, boolean][] = [
      ['[]', 56, true],
      ['[0]', 64, true],
      ['[0, 1]', 72, true],
      ['[0, 1, 2]', 88, true], // list_extend on a list without an array: list_preallocate_exact(3) -> 4
      ['[x, x, x]', 80, true], // PyList_New(3): exact
      ['[0, 1, 2, 3, 4]', 104, true],
      ['list(range(1))', 72, true],
      ['list(range(100))', 856, true],
      ['[None] * 5', 96, true],
      ['[None] * 0', 56, true],
      ['[i for i in range(1)]', 88, true],
      ['[i for i in range(20)]', 248, true],
      ['tuple(range(0))', 40, false],
      ['tuple(range(1))', 48, true],
      ['tuple(range(100))', 840, true],
    ];
    for (const [expr, size, tracked] of expected) {
      const op = build(f, x, expr)!;
      expect([expr, f.interp.getsizeof(op), f.rt.gc.isTracked(op)]).toEqual([expr, size, tracked]);
      f.rt.decref(op);
    }
  });

  it('grows and shrinks as golden list_growth: append, +=, insert(0), pop from 200', () => {
    const f = open(memory);
    const { list } = f.interp;
    const rt = f.rt;
    const baseline = f.usage();
    const sizes = (build: (l: number, i: number) => void, start: number, steps: number, first: boolean): number[] => {
      const l = start;
      const out = first ? [f.interp.getsizeof(l)] : [];
      for (let i = 0; i < steps; i++) {
        build(l, i);
        out.push(f.interp.getsizeof(l));
      }
      rt.decref(l);
      return out;
    };
    const append = sizes((l, i) => {
      const v = f.int(i);
      list.append(l, v);
      rt.decref(v);
    }, list.new(0), 200, false);
    const iadd = sizes((l, i) => {
      const one = list.new(1); // [i]: BUILD_LIST 1
      list.setItem(one, 0, f.int(i));
      list.extend(l, one); // list_inplace_concat
      rt.decref(one);
    }, list.new(0), 200, false);
    const insert0 = sizes((l, i) => {
      const v = f.int(i);
      list.insert(l, 0, v);
      rt.decref(v);
    }, list.new(0), 200, false);
    const pop = sizes((l) => rt.decref(list.pop(l)), list.vectorcall(f.range(200), 200), 200, true);

    expect(append.slice(0, 12)).toEqual([88, 88, 88, 88, 120, 120, 120, 120, 184, 184, 184, 184]);
    expect(iadd.slice(0, 12)).toEqual([72, 72, 120, 120, 120, 120, 120, 120, 184, 184, 184, 184]);
    expect(insert0.at(-1)).toBe(1656);
    expect(pop.slice(0, 3)).toEqual([1656, 1656, 1656]);
    expect(pop.slice(-3)).toEqual([120, 88, 56]);
    const caps = [...new Set(append.map((s) => (s - 56) / 8))];
    expect(caps).toEqual([4, 8, 16, 24, 32, 40, 52, 64, 76, 92, 108, 128, 148, 172, 200]);
    if (golden !== null) {
      const g = golden.list_growth;
      expect(append).toEqual(g.append.sizes);
      expect(iadd).toEqual(g.iadd.sizes);
      expect(insert0).toEqual(g.insert0.sizes);
      expect(pop).toEqual(g.pop_from_200.sizes);
    }
    expect(f.usage()).toEqual(baseline);
  });

  it('follows list_resize, list_preallocate_exact and list_ass_slice where they differ (CPython 3.11.7 values)', () => {
    const f = open(memory);
    const { list } = f.interp;
    const rt = f.rt;
    const cap = (l: number): number => (f.interp.getsizeof(l) - 56) / 8;
    // l = [1]; l.pop(): list_resize(0) keeps the array (allocated 1 >= 0 >= 0).
    let l = build(f, 0, '[0]')!;
    rt.decref(list.pop(l));
    expect(cap(l)).toBe(1);
    // del l[0:0] on the empty list: size + d == 0 -> _list_clear frees the array.
    list.setSlice(l, 0, 0, 0);
    expect(cap(l)).toBe(0);
    expect(PyListObject.field('ob_item').get(l)).toBe(0);
    // list_extend from an iterator on a list without an array: preallocate 1 -> 2.
    list.extendFromIterable(l, f.range(1), 1);
    expect(cap(l)).toBe(2);
    rt.decref(l);
    // The same after pop() alone: the array is kept, list_resize(1) fits.
    l = build(f, 0, '[0]')!;
    rt.decref(list.pop(l));
    list.extendFromIterable(l, f.range(1), 1);
    expect(cap(l)).toBe(1);
    rt.decref(l);
    // A generator without a hint: PyObject_LengthHint's default 8, then cut back.
    l = list.vectorcall(f.range(1));
    expect(cap(l)).toBe(4);
    rt.decref(l);
    l = list.vectorcall(f.range(9));
    expect(cap(l)).toBe(16);
    rt.decref(l);
    // Slices: l[2:4] = [] fits; del l[0:15] of 20 shrinks to 8; l[1:2] = l grows to 12.
    l = list.vectorcall(f.range(10), 10);
    list.setSlice(l, 2, 4, 0);
    expect([cap(l), list.items(l).map((i) => tintValue.get(i))]).toEqual([10, [0, 1, 4, 5, 6, 7, 8, 9]]);
    rt.decref(l);
    l = list.vectorcall(f.range(20), 20);
    list.setSlice(l, 0, 15, 0); // more than 8 removed: recycled through a PyMem_Malloc'd array
    expect([cap(l), list.items(l).map((i) => tintValue.get(i))]).toEqual([8, [15, 16, 17, 18, 19]]);
    rt.decref(l);
    l = list.vectorcall(f.range(4), 4);
    list.setSlice(l, 1, 2, l);
    expect([cap(l), list.items(l).map((i) => tintValue.get(i))]).toEqual([12, [0, 0, 1, 2, 3, 2, 3]]);
    rt.decref(l);
    // tuple(generator): PyTuple_New(10), grown to (10 + 10) * 1.25 = 25, cut back each time.
    for (const [n, size] of [[25, 240], [11, 128], [3, 64]] as const) {
      const t = f.interp.tuple.fromIterable(f.range(n));
      expect(f.interp.getsizeof(t)).toBe(size);
      expect(f.interp.tuple.items(t).map((i) => tintValue.get(i))).toEqual([...Array(n).keys()]);
      rt.decref(t);
    }
  });
});

describe.each(MEMORIES)('free lists (%s memory)', (memory) => {
  it('parks up to 80 lists and PyList_New reuses the last one parked; list() does not', () => {
    const f = open(memory);
    const { list } = f.interp;
    const rt = f.rt;
    const baseline = f.usage();
    const a = list.new(0);
    rt.decref(a);
    expect(list.freeListSize()).toBe(1);
    const b = list.new(3);
    expect(b).toBe(a);
    expect([list.size(b), list.allocated(b), rt.refcnt(b), rt.gc.isTracked(b)]).toEqual([3, 3, 1, true]);
    rt.decref(b);
    // list(iterable) is PyType_GenericAlloc: a fresh block, parked when dropped.
    const c = list.vectorcall([], 0);
    expect(c).not.toBe(a);
    expect(list.freeListSize()).toBe(1);
    rt.decref(c);
    expect(list.freeListSize()).toBe(2);
    const many = Array.from({ length: 100 }, () => list.new(2));
    for (const l of many) rt.decref(l);
    expect(list.freeListSize()).toBe(PyList_MAXFREELIST);
    expect(list.new(0)).toBe(many[PyList_MAXFREELIST - 1]);
    expect(list.freeListSize()).toBe(PyList_MAXFREELIST - 1);
    rt.decref(many[PyList_MAXFREELIST - 1]!);
    expect(f.usage()).toEqual(baseline);
  });

  it('parks tuples per size through ob_item[0], reuses sizes 1..19 but never 20', () => {
    const f = open(memory);
    const { tuple } = f.interp;
    const rt = f.rt;
    const baseline = f.usage();
    const x = f.int(5);
    const fill = (t: number): number => {
      for (let i = 0; i < tuple.size(t); i++) {
        rt.incref(x);
        tuple.setItem(t, i, x);
      }
      return t;
    };
    for (let n = 1; n <= 20; n++) {
      const t1 = fill(tuple.new(n));
      const t2 = fill(tuple.new(n));
      rt.decref(t1);
      rt.decref(t2);
      expect(tuple.freeListSizes()[n - 1]).toBe(2);
      expect(PyTupleObject.array('ob_item').get(t2, 0)).toBe(t1); // the chain
      const u = tuple.new(n);
      const v = tuple.new(n);
      if (n < 20) {
        expect([u, v]).toEqual([t2, t1]);
        expect([rt.refcnt(u), rt.gc.isTracked(u), tuple.items(u).every((i) => i === 0)]).toEqual([1, true, true]);
      } else {
        expect([u, v]).not.toContain(t1);
        expect([u, v]).not.toContain(t2);
      }
      rt.decref(u);
      rt.decref(v);
    }
    expect(tuple.freeListSizes()).toEqual([...Array(19).fill(2), 4]);
    expect(rt.refcnt(x)).toBe(1);
    const ones = Array.from({ length: PyTuple_MAXFREELIST + 100 }, () => tuple.pack([x]));
    expect(rt.refcnt(x)).toBe(1 + ones.length);
    for (const t of ones) rt.decref(t);
    expect(tuple.freeListSizes()[0]).toBe(PyTuple_MAXFREELIST);
    expect(rt.refcnt(x)).toBe(1);
    rt.decref(x);
    expect(f.usage()).toEqual(baseline);
  });

  it('keeps the empty tuple static, untracked and shared', () => {
    const f = open(memory);
    const { tuple } = f.interp;
    const rt = f.rt;
    const before = rt.refcnt(tuple.empty);
    const e = [tuple.new(0), tuple.pack([]), tuple.fromIterable([], 0), tuple.fromIterable([])];
    expect(e.every((t) => t === tuple.empty)).toBe(true);
    expect(rt.isStatic(tuple.empty)).toBe(true);
    expect(rt.gc.isTracked(tuple.empty)).toBe(false);
    expect(f.interp.getsizeof(tuple.empty)).toBe(40);
    expect(rt.refcnt(tuple.empty)).toBe(before + 4);
    for (const t of e) rt.decref(t);
    expect(rt.refcnt(tuple.empty)).toBe(before);
  });
});

describe('tuple hash, equality and _PyTuple_MaybeUntrack', () => {
  it('hashes as CPython 3.11 (hard-coded values of python3.11 hash())', () => {
    const f = open('fake');
    const { tuple } = f.interp;
    const rt = f.rt;
    type Nest = number | Nest[];
    const t = (...vs: Nest[]): number => {
      const items = vs.map((v) => (typeof v === 'number' ? f.int(v) : t(...v)));
      const r = tuple.pack(items);
      for (const i of items) rt.decref(i);
      return r;
    };
    const cases: [number, bigint][] = [
      [t(), 5740354900026072187n],
      [t(0), -8753497827991233192n],
      [t(1), -6644214454873602895n],
      [t(1, 2), -3550055125485641917n],
      [t(1, 2, 3), 529344067295497451n],
      [t(-1), 8078679518589016365n],
      [t(-2), 8078679518589016365n],
      [t(0, 0), -8458139203682520985n],
      [t(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), -2040549277248155741n],
      [t(2 ** 40, -5), -5083251619067352872n],
      [t([1, 2], [3]), -8303551883679707139n],
      [t([[]]), 4510597632111149919n],
    ];
    for (const [op, h] of cases) {
      expect(tuple.hash64(op)).toBe(h);
      expect(f.interp.hash(op)).toBe(Number(h));
      rt.decref(op);
    }
    const withList = tuple.pack([f.interp.list.new(0)]);
    rt.decref(tuple.getItem(withList, 0));
    expect(() => f.interp.hash(withList)).toThrow(UnhashableError);
    rt.decref(withList);
  });

  it('compares tuples and lists item by item, identity first; lists are unhashable', () => {
    const f = open('fake');
    const { tuple, list } = f.interp;
    const rt = f.rt;
    const [a, b, a2] = [f.int(1), f.int(2), f.int(1)];
    const t1 = tuple.pack([a, b]);
    const t2 = tuple.pack([a2, b]);
    const t3 = tuple.pack([a]);
    const l1 = list.vectorcall([a, b].map((o) => (rt.incref(o), o)), 2);
    const l2 = list.new(0);
    list.extendFromArray(l2, [a2, b]);
    expect([f.interp.eq(t1, t2), f.interp.eq(t1, t3), f.interp.eq(t1, l1), f.interp.eq(l1, l2), f.interp.eq(l1, t1)]).toEqual([true, false, false, true, false]);
    list.append(l2, a);
    expect(f.interp.eq(l1, l2)).toBe(false);
    expect(() => f.interp.hash(l1)).toThrow(UnhashableError);
    expect(f.interp.rt.typeOf(l1).toJS!(rt, l1)).toEqual([1, 2]);
    expect(f.interp.rt.typeOf(t1).toJS!(rt, t1)).toEqual([1, 2]);
    for (const o of [t1, t2, t3, l1, l2]) rt.decref(o);
    expect([rt.refcnt(a), rt.refcnt(b), rt.refcnt(a2)]).toEqual([1, 1, 1]);
  });

  it('untracks a tuple only when no item can be in a cycle', () => {
    const f = open('fake');
    const { tuple, list } = f.interp;
    const rt = f.rt;
    const x = f.int(1);
    const atoms = tuple.pack([x, x]);
    const withEmpty = tuple.pack([x, tuple.empty]);
    const l = list.new(0);
    const withList = tuple.pack([l]);
    const inner = tuple.pack([x]);
    const outer = tuple.pack([inner]);
    const unfilled = tuple.new(2);
    rt.incref(x);
    tuple.setItem(unfilled, 0, x);
    for (const t of [atoms, withEmpty, withList, outer, unfilled]) tuple.maybeUntrack(t);
    expect([atoms, withEmpty, withList, outer, unfilled].map((t) => rt.gc.isTracked(t))).toEqual([false, false, true, true, true]);
    tuple.maybeUntrack(inner);
    tuple.maybeUntrack(outer);
    expect([rt.gc.isTracked(inner), rt.gc.isTracked(outer)]).toEqual([false, false]);
    tuple.maybeUntrack(tuple.empty);
    tuple.maybeUntrack(l);
    expect(rt.gc.isTracked(l)).toBe(true);
    for (const o of [atoms, withEmpty, withList, outer, inner, unfilled, l]) rt.decref(o);
    expect(rt.refcnt(x)).toBe(1);
  });

  it('resizes a tuple as _PyTuple_Resize: releases cut items, NULLs new ones, consumes it', () => {
    const f = open('fake');
    const { tuple } = f.interp;
    const rt = f.rt;
    const baseline = f.usage();
    const x = f.int(3);
    let t = tuple.pack([x, x, x]);
    t = tuple.resize(t, 1);
    expect([tuple.size(t), rt.refcnt(x), rt.gc.isTracked(t)]).toEqual([1, 2, true]);
    t = tuple.resize(t, 4);
    expect(tuple.items(t)).toEqual([x, 0, 0, 0]);
    t = tuple.resize(t, 0);
    expect(t).toBe(tuple.empty);
    expect(rt.refcnt(x)).toBe(1);
    t = tuple.resize(t, 2);
    expect(tuple.items(t)).toEqual([0, 0]);
    rt.incref(t);
    expect(() => tuple.resize(t, 3)).toThrow(InvalidArgumentError); // shared: consumed, not resized
    expect([rt.refcnt(t), tuple.size(t)]).toEqual([1, 2]);
    rt.decref(t);
    rt.decref(x);
    expect(f.usage()).toEqual(baseline);
  });
});

describe('bad input', () => {
  it('throws typed errors and leaves everything intact', () => {
    const f = open('fake');
    const { tuple, list } = f.interp;
    const rt = f.rt;
    const baseline = f.usage();
    const x = f.int(1);
    const l = list.new(1);
    const t = tuple.new(1);
    const empty = list.new(0);
    const bad: (() => unknown)[] = [
      () => list.new(-1),
      () => list.new(1.5),
      () => tuple.new(-1),
      () => list.getItem(l, 1),
      () => list.getItem(l, -1),
      () => list.getItem(t, 0),
      () => list.append(x, x),
      () => list.append(l, 0),
      () => list.pop(empty),
      () => list.pop(l, 5),
      () => list.extend(l, x),
      () => list.setSlice(l, 0, 1, x),
      () => list.repeat(l, 2 ** 60),
      () => tuple.getItem(t, 1),
      () => tuple.getItem(l, 0),
      () => tuple.size(0),
      () => list.extendFromIterable(l, [], -1),
    ];
    for (const fn of bad) expect(fn).toThrow(InvalidArgumentError);
    rt.decref(empty);
    // setItem steals even on failure.
    rt.incref(x);
    expect(() => list.setItem(l, 3, x)).toThrow(InvalidArgumentError);
    rt.incref(x);
    rt.incref(t);
    expect(() => tuple.setItem(t, 0, x)).toThrow(InvalidArgumentError); // a shared tuple
    rt.decref(t);
    expect(rt.refcnt(x)).toBe(1);
    list.setItem(l, 0, x);
    tuple.setItem(t, 0, list.pop(l));
    expect([list.size(l), rt.refcnt(x)]).toEqual([0, 1]);
    rt.decref(l);
    rt.decref(t);
    expect(f.usage()).toEqual(baseline);
  });
});

describe('deep and large structures (native memory)', () => {
  it('deallocates a list nested 1,000,000 deep and a tuple chain 1,000,000 deep through the trashcan', () => {
    const f = open('native');
    const { tuple, list } = f.interp;
    const rt = f.rt;
    const baseline = f.usage();
    const depth = 1_000_000;
    let l = list.new(0);
    for (let i = 0; i < depth; i++) {
      const outer = list.new(1);
      list.setItem(outer, 0, l);
      l = outer;
    }
    rt.decref(l);
    expect(list.freeListSize()).toBe(PyList_MAXFREELIST);
    expect(f.usage()).toEqual(baseline);
    let t = tuple.new(0);
    for (let i = 0; i < depth; i++) {
      const outer = tuple.new(1);
      tuple.setItem(outer, 0, t);
      t = outer;
    }
    rt.decref(t);
    expect(tuple.freeListSizes()[0]).toBe(PyTuple_MAXFREELIST);
    expect(f.usage()).toEqual(baseline);
  });

  it('allocates and deallocates a 10,000,000-item list of one shared item ([x] * 10**7)', () => {
    const f = open('native');
    const { list } = f.interp;
    const rt = f.rt;
    const baseline = f.usage();
    const n = 10_000_000;
    const x = f.int(42);
    const one = list.new(1);
    rt.incref(x);
    list.setItem(one, 0, x);
    const big = list.repeat(one, n);
    expect([list.size(big), list.allocated(big), f.interp.getsizeof(big)]).toEqual([n, n, 56 + 8 * n]);
    expect(f.interp.getrefcount(x)).toBe(n + 3);
    expect([list.getItem(big, 0), list.getItem(big, n - 1)]).toEqual([x, x]);
    rt.decref(big);
    rt.decref(one);
    expect(f.interp.getrefcount(x)).toBe(2);
    rt.decref(x);
    expect(f.usage()).toEqual(baseline);
  });
});

// --- the model -------------------------------------------------------------------------------

type ListOp =
  | { op: 'append'; item: number }
  | { op: 'insert'; where: number; item: number }
  | { op: 'pop'; index: number | undefined }
  | { op: 'setItem'; index: number; item: number }
  | { op: 'extend'; items: number[] }
  | { op: 'extendIter'; items: number[]; hint: number }
  | { op: 'delSlice'; lo: number; hi: number }
  | { op: 'delExtended'; start: number; step: number; count: number }
  | { op: 'assignExtended'; start: number; step: number; items: number[] }
  | { op: 'inplaceRepeat'; n: number }
  | { op: 'clear' };

const POOL = 5;
const item = fc.integer({ min: 0, max: POOL - 1 });
const index = fc.integer({ min: -12, max: 40 });
const listOp: fc.Arbitrary<ListOp> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('append' as const), item }), weight: 6 },
  { arbitrary: fc.record({ op: fc.constant('insert' as const), where: index, item }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('pop' as const), index: fc.option(index, { nil: undefined }) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('setItem' as const), index, item }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('extend' as const), items: fc.array(item, { maxLength: 30 }) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('extendIter' as const), items: fc.array(item, { maxLength: 30 }), hint: fc.integer({ min: 0, max: 40 }) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('delSlice' as const), lo: index, hi: index }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('clear' as const) }), weight: 1 },
  // start and count are taken modulo what the list's size allows when the op runs.
  { arbitrary: fc.record({ op: fc.constant('delExtended' as const), start: fc.nat(1000), step: fc.constantFrom(-4, -3, -2, -1, 2, 3, 5), count: fc.nat(1000) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('assignExtended' as const), start: fc.nat(1000), step: fc.constantFrom(-3, -1, 2, 4), items: fc.array(item, { maxLength: 12 }) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('inplaceRepeat' as const), n: fc.integer({ min: -1, max: 4 }) }), weight: 1 },
);

/** The indices of an extended slice of a list of n items: start (mod n), step, and at most `count` (mod what fits) of them. */
function extendedIndices(n: number, startRaw: number, step: number, countRaw: number): number[] {
  if (n === 0) return [];
  const start = startRaw % n;
  const fits = step > 0 ? Math.floor((n - 1 - start) / step) + 1 : Math.floor(start / -step) + 1;
  const count = countRaw % (fits + 1);
  return Array.from({ length: count }, (_, k) => start + k * step);
}

/** A list as CPython 3.11 keeps it: items, `allocated`, and whether ob_item is non-NULL. */
class ListModel {
  items: number[] = [];
  allocated = 0;
  hasArray = false;
  /** list_resize, written out from listobject.c. */
  resize(newsize: number): void {
    if (this.allocated >= newsize && newsize >= this.allocated >> 1) return;
    let a = (newsize + (newsize >> 3) + 6) & ~3;
    if (newsize - this.items.length > a - newsize) a = (newsize + 3) & ~3;
    if (newsize === 0) a = 0;
    this.allocated = a;
    this.hasArray = true;
  }
  preallocateExact(n: number): void {
    this.allocated = (n + 1) & ~1;
    this.hasArray = true;
  }
  clear(): void {
    this.items = [];
    this.allocated = 0;
    this.hasArray = false;
  }
}

describe.each(MEMORIES)('list operations against a model (%s memory)', (memory) => {
  it('keeps contents, item refcounts and allocated as CPython', () => {
    fc.assert(
      fc.property(fc.array(listOp, { maxLength: 60 }), (ops) => {
        // A fresh interpreter per run: a failing run cannot spoil the next ones while fast-check shrinks.
        const f = new Fixture(memory);
        try {
          const pool = Array.from({ length: POOL }, (_, i) => f.int(i));
          const baseline = f.usage();
          const l = f.interp.list.new(0);
          run(f, pool, l, new ListModel(), ops);
          f.rt.decref(l);
          for (const p of pool) expect(f.rt.refcnt(p)).toBe(1);
          expect(f.usage()).toEqual(baseline);
        } finally {
          f.dispose();
        }
      }),
      { numRuns: 150 },
    );
  });
});

/** Applies ops to list l and to the model, comparing them after each. */
function run(f: Fixture, pool: number[], l: number, m: ListModel, ops: ListOp[]): void {
  const { list } = f.interp;
  const rt = f.rt;
  for (const o of ops) {
    const n = m.items.length;
    switch (o.op) {
      case 'append':
        list.append(l, pool[o.item]!);
        if (m.allocated <= n) m.resize(n + 1);
        m.items.push(pool[o.item]!);
        break;
      case 'insert': {
        list.insert(l, o.where, pool[o.item]!);
        m.resize(n + 1);
        const w = Math.min(o.where < 0 ? Math.max(o.where + n, 0) : o.where, n);
        m.items.splice(w, 0, pool[o.item]!);
        break;
      }
      case 'pop': {
        const i = o.index ?? -1;
        const at = i < 0 ? i + n : i;
        if (at < 0 || at >= n) {
          expect(() => list.pop(l, i)).toThrow(InvalidArgumentError);
          break;
        }
        const v = list.pop(l, i);
        expect(v).toBe(m.items[at]);
        rt.decref(v);
        m.resize(n - 1); // both list_resize(n - 1) and list_ass_slice (n >= 2 there) end here
        m.items.splice(at, 1);
        break;
      }
      case 'setItem':
        rt.incref(pool[o.item]!); // stolen, even on failure
        if (o.index < 0 || o.index >= n) {
          expect(() => list.setItem(l, o.index, pool[o.item]!)).toThrow(InvalidArgumentError);
          break;
        }
        list.setItem(l, o.index, pool[o.item]!);
        m.items[o.index] = pool[o.item]!;
        break;
      case 'extend': {
        const src = o.items.map((k) => pool[k]!);
        list.extendFromArray(l, src);
        if (src.length === 0) break;
        if (!m.hasArray) m.preallocateExact(src.length);
        else m.resize(n + src.length);
        m.items.push(...src);
        break;
      }
      case 'extendIter': {
        const src = o.items.map((k) => pool[k]!);
        list.extendFromIterable(l, src.map((p) => (rt.incref(p), p)), o.hint);
        if (!m.hasArray) {
          if (o.hint > 0) m.preallocateExact(o.hint);
        } else m.resize(n + o.hint);
        for (const p of src) {
          if (m.items.length >= m.allocated) m.resize(m.items.length + 1);
          m.items.push(p);
        }
        if (m.items.length < m.allocated) m.resize(m.items.length);
        break;
      }
      case 'delSlice': {
        list.setSlice(l, o.lo, o.hi, 0);
        const lo = Math.min(Math.max(o.lo, 0), n);
        const hi = Math.max(Math.min(Math.max(o.hi, 0), n), lo);
        if (n - (hi - lo) === 0) m.clear();
        else if (hi > lo) {
          m.resize(n - (hi - lo));
          m.items.splice(lo, hi - lo);
        }
        break;
      }
      case 'delExtended': {
        // list_ass_subscript's deletion with a step: the gaps closed, then list_resize to the new size.
        const idx = extendedIndices(n, o.start, o.step, o.count);
        list.assignExtendedSlice(l, idx[0] ?? 0, o.step, idx.length, 0);
        if (idx.length === 0) break;
        const gone = new Set(idx);
        m.items = m.items.filter((_, i) => !gone.has(i));
        m.resize(m.items.length);
        break;
      }
      case 'assignExtended': {
        const idx = extendedIndices(n, o.start, o.step, o.items.length);
        const src = o.items.slice(0, idx.length).map((k) => pool[k]!);
        const t = f.interp.tuple.pack(src);
        list.assignExtendedSlice(l, idx[0] ?? 0, o.step, idx.length, t);
        rt.decref(t);
        idx.forEach((i, k) => (m.items[i] = src[k]!));
        break;
      }
      case 'inplaceRepeat': {
        list.inplaceRepeat(l, o.n);
        if (n === 0 || o.n === 1) break;
        if (o.n < 1) {
          m.clear();
          break;
        }
        m.resize(n * o.n);
        m.items = Array.from({ length: o.n }, () => m.items).flat();
        break;
      }
      case 'clear':
        list.clear(l);
        m.clear();
        break;
    }
    expect(list.items(l)).toEqual(m.items);
    expect([list.allocated(l), PyListObject.field('ob_item').get(l) !== 0]).toEqual([m.allocated, m.hasArray]);
    expect(f.interp.getsizeof(l)).toBe(56 + 8 * m.allocated);
    for (const p of pool) expect(rt.refcnt(p)).toBe(1 + m.items.filter((q) => q === p).length);
  }
}
