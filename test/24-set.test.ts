// set and frozenset as CPython 3.11 (lib/objects/types/set.ts): the
// 200-byte PySetObject with its 8-entry smalltable, larger tables from
// PyMem_Malloc, runs of linear probes, dummies reused by later adds, the
// resize rule (fill*5 >= mask*3 -> used*4), set_merge's fast paths and
// frozenset_hash — checked against golden.json (every set and frozenset
// getsizeof case, built as CPython builds it, and the set_growth
// sequences), against sizes, iteration orders and hashes recorded from
// CPython 3.11.7 (hard-coded below), and against a JS Set with fast-check.
// Everything built is dropped and the allocator returns to its baseline.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../lib/errors.js';
import { Interpreter, UnhashableError } from '../lib/objects/interpreter.js';
import { RefcountError } from '../lib/objects/runtime.js';
import { KeyError } from '../lib/objects/types/dict.js';
import { PySetObject, SO_SMALLTABLE } from '../lib/objects/types/set.js';
import { type GoldenCase, loadGolden } from './support/golden.js';
import { footprint, withInterp } from './support/footprint.js';

interface Growth {
  code: string;
  sizes: number[];
}
interface Golden {
  getsizeof: { cases: GoldenCase[] };
  set_growth: { getsizeof_empty: number; add_int: Growth; add_str: Growth };
  gc: { is_tracked: Array<{ name: string; result: boolean }> };
}

const golden = loadGolden<Golden>();

const MEMORIES = ['fake', 'native'] as const;

/** New references to ints and strs, dropped together by `drop`. */
function helpers(interp: Interpreter) {
  const { long, str, set, rt } = interp;
  const made: number[] = [];
  const keep = (op: number) => (made.push(op), op);
  return {
    int: (n: number) => keep(long.fromNumber(n)),
    s: (x: string) => keep(str.fromString(x)),
    ints: (from: number, to: number) => Array.from({ length: to - from }, (_, i) => keep(long.fromNumber(from + i))),
    drop: () => made.splice(0).forEach((o) => rt.decref(o)),
    js: (so: number) => set.items(so).map((k) => rt.typeOf(k).toJS!(rt, k)),
    size: (op: number) => interp.getsizeof(op),
  };
}

/** Builds a golden set or frozenset expression as CPython 3.11 evaluates it (a new reference). */
function buildSet(interp: Interpreter, expr: string): number {
  const { set, rt, singletons } = interp;
  const h = helpers(interp);
  let m: RegExpExecArray | null;
  let op: number;
  if ((m = /^set\(range\((\d+)\)\)$/.exec(expr))) op = set.new(h.ints(0, Number(m[1]))); // set_update_internal over an iterator
  else if ((m = /^frozenset\(range\((\d+)\)\)$/.exec(expr))) op = set.newFrozen(h.ints(0, Number(m[1])));
  else if (expr === '{1, 2, 3}') {
    // BUILD_SET 0, then SET_UPDATE with the constant frozenset({1, 2, 3}): set_merge.
    const constant = set.newFrozen(h.ints(1, 4));
    op = set.new();
    set.update(op, constant);
    rt.decref(constant);
  } else if (expr === '{x}') {
    // x = None; BUILD_SET 1: PySet_New(NULL), then PySet_Add.
    op = set.new();
    set.add(op, singletons.None);
  } else throw new Error(`not a set expression: ${expr}`);
  h.drop();
  return op;
}

describe('layout', () => {
  it.each(MEMORIES)('an empty set and frozenset: 200 bytes + GC head, smalltable inside, tracked (%s)', (memory) => {
    withInterp(memory, (interp) => {
      const { set, rt } = interp;
      for (const so of [set.new(), set.newFrozen()]) {
        expect([interp.getsizeof(so), interp.sizeofObject(so), rt.gc.isTracked(so), set.size(so)]).toEqual([216, 200, true, 0]);
        expect(PySetObject.field('table').get(so)).toBe(so + SO_SMALLTABLE);
        expect(set.violations(so)).toEqual([]);
        rt.decref(so);
      }
    });
  });

  it('a larger table is a PyMem_Malloc block of (mask + 1) * 16 bytes, freed when the set shrinks back or dies', () => {
    withInterp('fake', (interp) => {
      const { set, rt } = interp;
      const h = helpers(interp);
      const so = set.new(h.ints(0, 5));
      const table = PySetObject.field('table').get(so);
      expect(table).not.toBe(so + SO_SMALLTABLE);
      expect(rt.heap.usableSize(table)).toBeGreaterThanOrEqual(32 * 16);
      expect(interp.sizeofObject(so)).toBe(200 + 32 * 16);
      set.clear(so);
      expect([PySetObject.field('table').get(so), interp.sizeofObject(so), set.size(so)]).toEqual([so + SO_SMALLTABLE, 200, 0]);
      set.update(so, h.ints(100, 300));
      expect(interp.getsizeof(so)).toBe(216 + 512 * 16); // a raw block, past pymalloc's threshold
      expect(set.violations(so)).toEqual([]);
      rt.decref(so);
      h.drop();
    });
  });
});

describe.each(MEMORIES)('golden.json, %s memory', (memory) => {
  it.skipIf(golden === null)('every set and frozenset getsizeof case of the catalog, built as CPython builds it', () => {
    withInterp(memory, (interp) => {
      const cases = golden!.getsizeof.cases.filter((c) => c.type === 'set' || c.type === 'frozenset');
      expect(cases.length).toBe(44);
      for (const c of cases) {
        const so = buildSet(interp, c.expr);
        expect([c.expr, interp.rt.typeOf(so).name, interp.getsizeof(so), interp.sizeofObject(so), interp.rt.gc.isTracked(so), interp.set.size(so)]).toEqual([
          c.expr,
          c.type,
          c.size,
          c.__sizeof__,
          c.gc_tracked,
          c.len,
        ]);
        expect(interp.set.violations(so)).toEqual([]);
        interp.rt.decref(so);
      }
    });
  });

  it.skipIf(golden === null)('set_growth: add_int and add_str, every step', () => {
    withInterp(memory, (interp) => {
      const { set, rt } = interp;
      const h = helpers(interp);
      const g = golden!.set_growth;
      for (const [name, key] of [
        ['add_int', (i: number) => h.int(i)],
        ['add_str', (i: number) => h.s(`k${i}`)],
      ] as const) {
        const so = set.new();
        expect(h.size(so)).toBe(g.getsizeof_empty);
        const sizes: number[] = [];
        for (let i = 0; i < 200; i++) {
          set.add(so, key(i));
          sizes.push(h.size(so));
        }
        expect(sizes, name).toEqual(g[name].sizes);
        expect(set.violations(so)).toEqual([]);
        rt.decref(so);
        h.drop();
      }
    });
  });

  it('the hard-coded values: set(range(n)) and set growth change at 5, 19 and 77 items', () => {
    withInterp(memory, (interp) => {
      const { set, rt } = interp;
      const h = helpers(interp);
      const at = (n: number) => {
        const so = set.new(h.ints(0, n));
        const size = h.size(so);
        rt.decref(so);
        return size;
      };
      expect([0, 4, 5, 18, 19, 20].map(at)).toEqual([216, 216, 728, 728, 2264, 2264]);
      const so = set.new();
      const sizes: number[] = [];
      for (let i = 1; i <= 200; i++) {
        set.add(so, h.int(i));
        if ([4, 5, 18, 19, 76, 77, 200].includes(i)) sizes.push(h.size(so));
      }
      expect(sizes).toEqual([216, 728, 728, 2264, 2264, 8408, 8408]);
      rt.decref(so);
      h.drop();
    });
  });
});

describe('sequences recorded from CPython 3.11.7', () => {
  /** The 31-bit LCG both sides use: x = (x * 1103515245 + 12345) mod 2**31, yielding x >> 8. */
  function* lcg(seed: number): Generator<number> {
    let x = BigInt(seed);
    for (;;) {
      x = (x * 1103515245n + 12345n) % 2147483648n;
      yield Number(x >> 8n);
    }
  }
  const unRle = (runs: Array<[number, number]>): number[] => runs.flatMap(([v, n]) => new Array<number>(n).fill(v));
  const M = 2 ** 33 + 1;

  it('400 random adds and discards of keys k * (2**33 + 1): every size, and the iteration order every 100 steps', () => {
    // for step in range(400): r, k = next(g), (next(g) % 120 - 60) * (2**33 + 1); s.discard(k) if r % 3 == 2 else s.add(k)
    const sizes = unRle([
      [216, 6],
      [728, 29],
      [2264, 157],
      [4312, 208],
    ]);
    // list(s) after steps 99, 199, 299, 399, as multiples of 2**33 + 1
    const orders = [
      [5,  7,  12,  13,  14,  26,  31,  35,  37,  39,  41,  49,  50,  54,  57,  -60,  -59,  -55,  -52,  -49,  -47,  -34,  -33,  -31,  -28,  -27,  -22,  -15,  -12,  -11,  -9,  -7,  -2],
      [0,  5,  7,  8,  11,  12,  13,  19,  22,  27,  29,  30,  31,  32,  33,  36,  37,  38,  42,  45,  46,  49,  50,  54,  56,  57,  -60,  -59,  -58,  -56,  -55,  -53,  -52,  -51,  -50,  -49,  -48,  -47,  -45,  -42,  -41,  -40,  -38,  -36,  -34,  -32,  -31,  -30,  -28,  -24,  -22,  -20,  -15,  -13,  -12,  -11,  -9,  -8,  -7,  -6,  -2],
      [0,  4,  5,  7,  8,  11,  12,  13,  18,  22,  24,  27,  29,  30,  31,  32,  33,  36,  37,  38,  39,  42,  44,  48,  49,  50,  54,  55,  56,  57,  -60,  -59,  -58,  -57,  -56,  -53,  -51,  -50,  -48,  -47,  -46,  -45,  -41,  -40,  -38,  -35,  -34,  -32,  -31,  -30,  -28,  -22,  -21,  -20,  -19,  -16,  -15,  -13,  -12,  -11,  -8,  -6,  -2,  -1],
      [0,  4,  5,  6,  7,  8,  10,  11,  12,  14,  18,  22,  23,  24,  25,  27,  29,  30,  31,  34,  36,  39,  42,  46,  49,  50,  51,  54,  56,  57,  58,  -60,  -59,  -58,  -57,  -56,  -53,  -51,  -46,  -45,  -44,  -47,  -43,  -41,  -40,  -39,  -38,  -42,  -35,  -34,  -31,  -30,  -29,  -28,  -27,  -22,  -21,  -20,  -19,  -16,  -15,  -14,  -13,  -12,  -11,  -9,  -8,  -6,  -4,  -2,  -1],
    ];
    withInterp('fake', (interp) => {
      const { set, rt } = interp;
      const h = helpers(interp);
      const so = set.new();
      const g = lcg(7);
      const got: number[] = [];
      const gotOrders: number[][] = [];
      for (let step = 0; step < 400; step++) {
        const r = g.next().value as number;
        const k = h.int((((g.next().value as number) % 120) - 60) * M);
        if (r % 3 === 2) set.discard(so, k);
        else set.add(so, k);
        got.push(h.size(so));
        if (step % 100 === 99) gotOrders.push(h.js(so).map((v) => (v as number) / M));
      }
      expect(got).toEqual(sizes);
      expect(gotOrders).toEqual(orders);
      expect(set.violations(so)).toEqual([]);
      rt.decref(so);
      h.drop();
    });
  });

  it('dummies reused, rebuilds in place, pops from the finger, negative hashes, merges and dict sources', () => {
    withInterp('fake', (interp) => {
      const { set, dict, rt } = interp;
      const h = helpers(interp);
      const drop = (...ops: number[]) => ops.forEach((o) => rt.decref(o));
      // s = set(range(100)); remove the evens; add range(100, 150) -> 8408, odds then 100..149
      let so = set.new(h.ints(0, 100));
      for (let i = 0; i < 100; i += 2) set.remove(so, h.int(i));
      set.update(so, h.ints(100, 150));
      expect(h.size(so)).toBe(8408);
      expect(h.js(so)).toEqual([...Array.from({ length: 50 }, (_, i) => 2 * i + 1), ...Array.from({ length: 50 }, (_, i) => 100 + i)]);
      drop(so);
      // set(range(-20, 20)) -> 0..19, then -20..-1
      so = set.new(h.ints(-20, 20));
      expect(h.js(so)).toEqual([...Array.from({ length: 20 }, (_, i) => i), ...Array.from({ length: 20 }, (_, i) => i - 20)]);
      drop(so);
      // s = set(range(10)); four pops -> 0, 1, 2, 3; left 4..9
      so = set.new(h.ints(0, 10));
      const popped = [0, 1, 2, 3].map(() => {
        const k = set.pop(so);
        const v = rt.typeOf(k).toJS!(rt, k);
        rt.decref(k);
        return v;
      });
      expect([popped, h.js(so)]).toEqual([[0, 1, 2, 3], [4, 5, 6, 7, 8, 9]]);
      drop(so);
      // set(range(8)); discard 3, 4; add 100, 3 -> 728, [0, 1, 2, 3, 100, 5, 6, 7]
      so = set.new(h.ints(0, 8));
      set.discard(so, h.int(3));
      set.discard(so, h.int(4));
      set.add(so, h.int(100));
      set.add(so, h.int(3));
      expect([h.size(so), h.js(so)]).toEqual([728, [0, 1, 2, 3, 100, 5, 6, 7]]);
      drop(so);
      // set(range(4)); discard all; add 10..13: the first adds take dummies, the third finds an unused
      // entry with fill at 5 and resizes to 16 -> 472, [10, 11, 12, 13]
      so = set.new(h.ints(0, 4));
      for (let i = 0; i < 4; i++) set.discard(so, h.int(i));
      for (let i = 10; i < 14; i++) set.add(so, h.int(i));
      expect([h.size(so), h.js(so)]).toEqual([472, [10, 11, 12, 13]]);
      expect(set.violations(so)).toEqual([]);
      drop(so);
      // set({i: i for i in range(10)}) -> 728, 0..9 (one resize for the dict's size, stored hashes)
      const d = dict.new();
      for (const k of h.ints(0, 10)) dict.setItem(d, k, k);
      so = set.new(d);
      expect([h.size(so), h.js(so)]).toEqual([728, Array.from({ length: 10 }, (_, i) => i)]);
      drop(so, d);
      // set(set(range(10))) -> 728; set(frozenset(range(30))) -> 1240
      let other = set.new(h.ints(0, 10));
      so = set.new(other);
      expect(h.size(so)).toBe(728);
      drop(so, other);
      other = set.newFrozen(h.ints(0, 30));
      so = set.new(other);
      expect(h.size(so)).toBe(1240);
      drop(so, other);
      // s = set(range(5)); s.update(set(range(3, 30))) -> 2264, 0..29
      so = set.new(h.ints(0, 5));
      other = set.new(h.ints(3, 30));
      set.update(so, other);
      expect([h.size(so), h.js(so)]).toEqual([2264, Array.from({ length: 30 }, (_, i) => i)]);
      expect(set.violations(so)).toEqual([]);
      drop(so, other);
      h.drop();
    });
  });

  it('frozenset hashes, exact (nested frozensets, str and tuple keys included), cached, and -1 for sets', () => {
    withInterp('fake', (interp) => {
      const { set, tuple, rt } = interp;
      const h = helpers(interp);
      const drop = (...ops: number[]) => ops.forEach((o) => rt.decref(o));
      const f12 = set.newFrozen([h.int(1), h.int(2)]);
      const fa = set.newFrozen([h.s('a')]);
      const empty = set.newFrozen();
      const t = tuple.pack([h.int(1), h.int(2)]);
      // PYTHONHASHSEED=0 (str hashes are siphash13 with a zero key)
      const cases: Array<[number, bigint]> = [
        [empty, 133146708735736n],
        [set.newFrozen(h.ints(0, 5)), -6574606388428675546n],
        [set.newFrozen([h.int(-1), h.int(-2), h.int(2 ** 40)]), 3974723563849769005n],
        [set.newFrozen(h.ints(0, 100)), 4411996150312757951n],
        [f12, -1826646154956904602n],
        [set.newFrozen([f12, h.int(3)]), 7688596162017575578n],
        [set.newFrozen([h.s('a'), h.s('b'), h.s('k0')]), -8506469215712169293n],
        [set.newFrozen([t, h.s('x')]), 7491579167299452608n],
        [set.newFrozen([fa, empty]), -3524178764971037819n],
      ];
      for (const [fs, want] of cases) {
        expect(set.hash64(fs)).toBe(want);
        expect(interp.hash(fs)).toBe(Number(want));
        expect(set.hash64(fs)).toBe(want); // cached
      }
      const s = set.new(h.ints(0, 3));
      expect(() => interp.hash(s)).toThrow(UnhashableError);
      // equality across set and frozenset
      const f = set.newFrozen(h.ints(0, 3));
      expect([interp.eq(s, f), interp.eq(f, s), interp.eq(s, f12)]).toEqual([true, true, false]);
      drop(...cases.map((c) => c[0]).filter((o) => o !== f12 && o !== empty && o !== fa), f12, fa, empty, t, s, f);
      h.drop();
    });
  });
});

describe('references and lifetime', () => {
  it('adds incref each new key once, discards and dealloc drop them; frozenset(f) returns f itself', () => {
    withInterp('fake', (interp) => {
      const { set, rt } = interp;
      const k = interp.str.fromString('key');
      const so = set.new();
      set.add(so, k);
      set.add(so, k);
      expect([rt.refcnt(k), set.size(so), set.contains(so, k)]).toEqual([2, 1, true]);
      expect(set.discard(so, k)).toBe(true);
      expect([rt.refcnt(k), set.discard(so, k), set.contains(so, k)]).toEqual([1, false, false]);
      set.add(so, k);
      const f = set.newFrozen(so);
      expect([rt.refcnt(k), rt.refcnt(f)]).toEqual([3, 1]);
      expect(set.newFrozen(f)).toBe(f);
      expect(rt.refcnt(f)).toBe(2);
      expect(() => set.add(f, k)).toThrow(InvalidArgumentError); // only while being built
      rt.decref(f);
      rt.decref(f);
      rt.decref(so);
      expect(rt.refcnt(k)).toBe(1);
      rt.decref(k);
    });
  });

  it('weak references to a set are cleared, and their callbacks called, when it dies (set_dealloc)', () => {
    withInterp('fake', (interp) => {
      const { set, weakref, rt, singletons } = interp;
      const so = set.new();
      const seen: number[] = [];
      const r = weakref.newRef(so);
      const withCallback = weakref.newRef(so, (ref) => void seen.push(ref));
      expect([weakref.get(r), weakref.weakrefCount(so)]).toEqual([so, 2]);
      rt.decref(so);
      expect([weakref.get(r), weakref.get(withCallback), seen]).toEqual([singletons.None, singletons.None, [withCallback]]);
      rt.decref(r);
      rt.decref(withCallback);
    });
  });

  it('frozensets nested 100,000 deep deallocate through the trashcan', () => {
    withInterp('fake', (interp) => {
      const { set, rt } = interp;
      let f = set.newFrozen();
      for (let i = 0; i < 100_000; i++) {
        const outer = set.newFrozen([f]);
        rt.decref(f);
        f = outer;
      }
      rt.decref(f);
    });
  });

  it('bad input: typed errors, and the heap unchanged', () => {
    withInterp('fake', (interp) => {
      const { set, list, dict, rt } = interp;
      const h = helpers(interp);
      const so = set.new(h.ints(0, 3));
      const l = list.new(0);
      const k = h.int(1000);
      const snapshot = footprint(interp);
      expect(() => set.add(so, l)).toThrow(UnhashableError);
      expect(() => set.contains(so, l)).toThrow(UnhashableError);
      expect(() => set.new([k, l])).toThrow(UnhashableError);
      expect(() => set.update(so, [k, l])).toThrow(UnhashableError);
      expect(() => set.new(k)).toThrow(InvalidArgumentError);
      expect(() => set.add(l, k)).toThrow(/expected a set or frozenset, got a list object/);
      expect(() => set.add(so, 0)).toThrow(InvalidArgumentError);
      expect(() => set.remove(so, k)).toThrow(KeyError);
      const empty = set.new();
      const snapshot2 = footprint(interp);
      expect(() => set.pop(empty)).toThrow(KeyError);
      expect(() => dict.fromKeys([k, l])).toThrow(UnhashableError);
      expect(footprint(interp)).toBe(snapshot2);
      rt.decref(empty);
      expect(footprint(interp)).toBe(snapshot);
      expect([rt.refcnt(k), set.size(so)]).toEqual([1, 3]);
      expect(set.violations(so)).toEqual([]);
      rt.decref(so);
      expect(() => rt.decref(so)).toThrow(RefcountError);
      expect(() => rt.decref(set.dummy)).toThrow(RefcountError);
      rt.decref(l);
      h.drop();
    });
  });
});

describe('a Set model (fast-check)', () => {
  type Key = number | string;
  type Op = { op: 'add' | 'discard' | 'contains'; k: Key } | { op: 'pop' } | { op: 'clear' } | { op: 'frozen' };
  const key = fc.oneof(
    fc.integer({ min: -50, max: 50 }),
    fc.integer({ min: -30, max: 30 }).map((i) => i * (2 ** 33 + 1)),
    fc.integer({ min: 0, max: 30 }).map((i) => `k${i}`),
  );
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 8, arbitrary: key.map((k) => ({ op: 'add' as const, k })) },
    { weight: 4, arbitrary: key.map((k) => ({ op: 'discard' as const, k })) },
    { weight: 2, arbitrary: key.map((k) => ({ op: 'contains' as const, k })) },
    { weight: 1, arbitrary: fc.constant({ op: 'pop' as const }) },
    { weight: 1, arbitrary: fc.constant({ op: 'frozen' as const }) },
    { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
  );

  it('add / discard / contains / pop / clear / frozenset copies agree with a Set, keep every invariant, and drop back to the baseline', () => {
    const interp = new Interpreter({ memory: 'fake' });
    try {
      const { set, long, str, rt } = interp;
      interp.dict.clearFreeList();
      const baseline = footprint(interp);
      const toJS = (o: number) => rt.typeOf(o).toJS!(rt, o) as Key;
      fc.assert(
        fc.property(fc.array(op, { maxLength: 250, size: 'max' }), (ops) => {
          const model = new Set<Key>();
          const so = set.new();
          for (const o of ops) {
            if (o.op === 'pop') {
              if (model.size === 0) expect(() => set.pop(so)).toThrow(KeyError);
              else {
                const k = set.pop(so);
                expect(model.delete(toJS(k))).toBe(true);
                rt.decref(k);
              }
            } else if (o.op === 'clear') {
              set.clear(so);
              model.clear();
            } else if (o.op === 'frozen') {
              const f = set.newFrozen(so);
              expect(new Set(set.items(f).map(toJS))).toEqual(model);
              expect(interp.eq(f, so)).toBe(true);
              expect(set.violations(f)).toEqual([]);
              rt.decref(f);
            } else {
              const k = typeof o.k === 'number' ? long.fromNumber(o.k) : str.fromString(o.k);
              if (o.op === 'add') {
                set.add(so, k);
                model.add(o.k);
              } else if (o.op === 'discard') {
                expect(set.discard(so, k)).toBe(model.delete(o.k));
              } else {
                expect(set.contains(so, k)).toBe(model.has(o.k));
              }
              rt.decref(k);
            }
            expect(set.size(so)).toBe(model.size);
            expect(set.violations(so)).toEqual([]);
            expect(rt.validateObject(so)).toEqual([]);
          }
          expect(new Set(set.items(so).map(toJS))).toEqual(model);
          rt.decref(so);
          expect(footprint(interp)).toBe(baseline);
        }),
        { numRuns: 50 },
      );
    } finally {
      interp.dispose();
    }
  });
});

describe('64-bit hashes and the set algebra', () => {
  // Recorded from CPython 3.11.7 (PYTHONHASHSEED=0): str hashes use all 64 bits, so a slot, a
  // probe and a resize depend on bits a JS number cannot hold; so do ints past 2**53.
  const words = 'the quick brown fox jumps over the lazy dog and then some more words come along'.split(' ');
  const other = ['alpha', 'beta', 'gamma', 'fox', 'dog', 'lazy', 'and'];
  const recorded = {
    words: ['more', 'along', 'and', 'brown', 'come', 'fox', 'then', 'some', 'words', 'the', 'over', 'quick', 'jumps', 'lazy', 'dog'],
    union: ['more', 'along', 'alpha', 'beta', 'brown', 'some', 'words', 'over', 'quick', 'jumps', 'lazy', 'come', 'fox', 'the', 'gamma', 'and', 'then', 'dog'],
    intersection: ['and', 'fox', 'lazy', 'dog'],
    difference: ['more', 'along', 'brown', 'come', 'some', 'words', 'the', 'over', 'quick', 'jumps', 'then'],
    xorAB: ['more', 'along', 'alpha', 'beta', 'brown', 'some', 'words', 'over', 'quick', 'jumps', 'come', 'the', 'gamma', 'then'],
    xorBA: ['more', 'along', 'alpha', 'beta', 'brown', 'come', 'then', 'some', 'words', 'the', 'over', 'gamma', 'quick', 'jumps'],
    intersectionUpdate: ['more', 'fox', 'and', 'lazy', 'dog'],
    mississippi: ['p', 'm', 's', 'i'],
    big: [2305843009213693955n, 7n, 100000000000000000000n, -1n, 12345678901234567890n, -4611686018427387904n],
  };

  it.each(MEMORIES)('str and big-int keys iterate in CPython 3.11.7 order, through union, intersection, difference and symmetric difference (%s)', (memory) => {
    withInterp(memory, (interp) => {
      const { set, str, long, rt } = interp;
      const strs = (xs: string[]) => xs.map((x) => str.fromString(x));
      const js = (so: number) => set.items(so).map((k) => rt.typeOf(k).toJS!(rt, k));
      const made: number[] = [];
      const keep = (o: number) => (made.push(o), o);
      const keys = [...strs(words), ...strs(other), ...strs([...'mississippi', 'more'])];
      const a = keep(set.new(keys.slice(0, words.length)));
      const b = keep(set.new(keys.slice(words.length, words.length + other.length)));
      expect(js(a)).toEqual(recorded.words);
      expect(js(keep(set.union(a, [b])))).toEqual(recorded.union);
      expect(js(keep(set.intersection(a, [b])))).toEqual(recorded.intersection);
      expect(js(keep(set.intersection(b, [a])))).toEqual(recorded.intersection);
      expect(js(keep(set.difference(a, [b])))).toEqual(recorded.difference);
      expect(js(keep(set.symmetricDifference(a, b)))).toEqual(recorded.xorAB);
      expect(js(keep(set.symmetricDifference(b, a)))).toEqual(recorded.xorBA);
      expect(js(keep(set.new(keys.slice(words.length + other.length, -1))))).toEqual(recorded.mississippi);
      const u = keep(set.union(b, [keys.slice(-1)]));
      const s = keep(set.new(a));
      set.intersectionUpdate(s, [u]);
      expect(js(s)).toEqual(recorded.intersectionUpdate);
      expect(set.violations(s)).toEqual([]);
      const bigs = [10n ** 20n, 2n ** 61n + 3n, -(2n ** 62n), 12345678901234567890n, 7n, -1n].map((v) => long.fromBigInt(v));
      const big = keep(set.new(bigs));
      expect(set.items(big).map((k) => long.toBigInt(k))).toEqual(recorded.big);
      for (const o of [...made, ...keys, ...bigs]) rt.decref(o);
    });
  });

  type Key = number | string;
  const key = fc.oneof(
    fc.integer({ min: -40, max: 40 }),
    fc.integer({ min: -20, max: 20 }).map((i) => i * (2 ** 33 + 1)),
    fc.integer({ min: 0, max: 40 }).map((i) => `w${i}`),
  );
  const kind = fc.constantFrom('set', 'frozenset', 'dict', 'array');
  const op = fc.constantFrom(
    'union', 'intersection', 'difference', 'symmetricDifference',
    'update', 'intersectionUpdate', 'differenceUpdate', 'symmetricDifferenceUpdate',
    'isSubset', 'isSuperset', 'isDisjoint',
  );

  it('every operation agrees with a Set model on sets, frozensets, dicts and arrays of keys, keeps every invariant, and drops back to the baseline', () => {
    const interp = new Interpreter({ memory: 'fake' });
    try {
      const { set, long, str, dict, rt, singletons } = interp;
      const toJS = (o: number) => rt.typeOf(o).toJS!(rt, o) as Key;
      const contents = (so: number) => new Set(set.items(so).map(toJS));
      fc.assert(
        fc.property(fc.array(key, { maxLength: 40 }), fc.array(key, { maxLength: 40 }), kind, op, (xs, ys, k, o) => {
          interp.dict.clearFreeList();
          const baseline = footprint(interp);
          const objs = (vs: Key[]) => vs.map((v) => (typeof v === 'number' ? long.fromNumber(v) : str.fromString(v)));
          const xo = objs(xs);
          const yo = objs(ys);
          const so = set.new(xo);
          let operand: number | number[] = yo;
          if (k === 'set') operand = set.new(yo);
          else if (k === 'frozenset') operand = set.newFrozen(yo);
          else if (k === 'dict') {
            operand = dict.new();
            for (const y of yo) dict.setItem(operand, y, singletons.None);
          }
          const A = new Set(xs);
          const B = new Set(ys);
          const union = new Set([...A, ...B]);
          const inter = new Set([...A].filter((x) => B.has(x)));
          const diff = new Set([...A].filter((x) => !B.has(x)));
          const xor = new Set([...diff, ...[...B].filter((y) => !A.has(y))]);
          const results: Record<string, Set<Key>> = { union, intersection: inter, difference: diff, symmetricDifference: xor };
          const updates: Record<string, Set<Key>> = { update: union, intersectionUpdate: inter, differenceUpdate: diff, symmetricDifferenceUpdate: xor };
          if (o in results) {
            const r = o === 'symmetricDifference' ? set.symmetricDifference(so, operand) : set[o as 'union' | 'intersection' | 'difference'](so, [operand]);
            expect(contents(r)).toEqual(results[o]);
            expect(set.violations(r)).toEqual([]);
            rt.decref(r);
          } else if (o in updates) {
            if (o === 'update' || o === 'symmetricDifferenceUpdate') set[o](so, operand);
            else set[o as 'intersectionUpdate' | 'differenceUpdate'](so, [operand]);
            expect(contents(so)).toEqual(updates[o]);
          } else {
            const expected = o === 'isSubset' ? [...A].every((x) => B.has(x)) : o === 'isSuperset' ? [...B].every((y) => A.has(y)) : inter.size === 0;
            expect(set[o as 'isSubset' | 'isSuperset' | 'isDisjoint'](so, operand)).toBe(expected);
          }
          expect(set.violations(so)).toEqual([]);
          expect(rt.validateObject(so)).toEqual([]);
          rt.decref(so);
          if (typeof operand === 'number') rt.decref(operand);
          for (const x of [...xo, ...yo]) rt.decref(x);
          interp.dict.clearFreeList();
          expect(footprint(interp)).toBe(baseline);
        }),
        { numRuns: 300 },
      );
    } finally {
      interp.dispose();
    }
  });
});
