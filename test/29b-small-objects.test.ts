// The small object kinds of CPython 3.11 that the getsizeof catalog needs
// besides the containers: object() (16 bytes, no GC head), range (four int
// pointers, 48 bytes) with range_iterator (four C longs) and
// longrange_iterator (four ints), slice (40 + 16, tracked, with 3.11's
// one-slice cache) and list_iterator (32 + 16, tracked). Sizes, the
// references each holds and gives back, the values they produce (checked
// against CPython 3.11.7, hard-coded), and the allocator back at its
// baseline once everything is dropped.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../lib/errors.js';
import { Interpreter, UnhashableError } from '../lib/objects/interpreter.js';
import { isGcType } from '../lib/objects/type.js';
import { listiterobject } from '../lib/objects/types/listiter.js';
import { OBJECT } from '../lib/objects/types/object.js';
import { longrangeiterobject, rangeiterobject, rangeobject } from '../lib/objects/types/range.js';
import { PySliceObject } from '../lib/objects/types/slice.js';

const MEMORIES = ['fake', 'native'] as const;

/** pymalloc blocks in use per size and raw blocks, less what the free lists and the slice cache keep. */
function footprint(interp: Interpreter): string {
  interp.float.clearFreeList();
  interp.dict.clearFreeList();
  interp.slice.clearCache();
  const s = interp.rt.heap.debugMallocStats();
  const align = interp.rt.heap.profile.alignment;
  const parked = new Map<number, number>();
  const park = (bytes: number, n: number) => {
    const size = Math.ceil(bytes / align) * align;
    parked.set(size, (parked.get(size) ?? 0) + n);
  };
  park(16 + 40, interp.list.freeListSize());
  interp.tuple.freeListSizes().forEach((n, i) => park(16 + 24 + 8 * (i + 1), n));
  const classes = s.classes.map((c) => [c.size, c.blocksInUse - (parked.get(c.size) ?? 0)]).filter(([, n]) => n !== 0);
  return JSON.stringify([classes, s.rawAllocatedBlocks]);
}

/** Runs body on a fresh interpreter and checks that it leaves the allocator as it found it. */
function withInterp(memory: 'fake' | 'native', body: (interp: Interpreter) => void): void {
  const interp = new Interpreter({ memory });
  try {
    const before = footprint(interp);
    body(interp);
    expect(footprint(interp)).toBe(before);
  } finally {
    interp.dispose();
  }
}

/** [getsizeof, __sizeof__, gc.is_tracked] of op. */
function sizes(interp: Interpreter, op: number): [number, number, boolean] {
  const t = interp.rt.typeOf(op);
  return [interp.getsizeof(op), interp.sizeofObject(op), isGcType(t) && interp.rt.gc.isTracked(op)];
}

/** Blocks in use of the class holding n-byte requests. */
function blocksOf(interp: Interpreter, n: number): number {
  const align = interp.rt.heap.profile.alignment;
  const size = Math.ceil(n / align) * align;
  return interp.rt.heap.debugMallocStats().classes.find((c) => c.size === size)?.blocksInUse ?? 0;
}

/** range(*args) of new ints from JavaScript values (released after the call). New reference. */
function range(interp: Interpreter, ...args: Array<number | bigint>): number {
  const ints = args.map((a) => interp.long.fromBigInt(BigInt(a)));
  try {
    return interp.range.vectorcall(ints);
  } finally {
    for (const o of ints) interp.rt.decref(o);
  }
}

/** Every value of iter(r), as bigints (each item released once read). */
function values(interp: Interpreter, it: number): bigint[] {
  const out: bigint[] = [];
  for (let v = interp.range.next(it); v !== 0; v = interp.range.next(it)) {
    out.push(interp.long.toBigInt(v));
    interp.rt.decref(v);
  }
  return out;
}

describe.each(MEMORIES)('object() (%s memory)', (memory) => {
  it('is a 16-byte PyObject_Malloc block without GC head, hashed by address, equal only to itself', () => {
    withInterp(memory, (interp) => {
      const { rt } = interp;
      const before = blocksOf(interp, 16);
      const a = interp.object.new();
      const b = interp.object.new();
      expect(blocksOf(interp, 16)).toBe(before + 2);
      expect(sizes(interp, a)).toEqual([16, 16, false]);
      expect([rt.typeOf(a).name, rt.refcnt(a), isGcType(rt.typeOf(a))]).toEqual(['object', 1, false]);
      expect(interp.hash(a)).toBe(a / 16);
      expect([interp.eq(a, a), interp.eq(a, b)]).toEqual([true, false]);
      expect(interp.object.checkExact(a)).toBe(true);
      expect(interp.object.checkExact(interp.singletons.None)).toBe(false);
      expect(rt.typeOf(a).toJS!(rt, a)).toBe(OBJECT);
      // A container holds it like any object.
      const l = interp.list.new(0);
      interp.list.append(l, a);
      expect(rt.refcnt(a)).toBe(2);
      rt.decref(l);
      expect(rt.refcnt(a)).toBe(1);
      rt.decref(a);
      rt.decref(b);
      expect(blocksOf(interp, 16)).toBe(before);
    });
  });
});

describe.each(MEMORIES)('range and its iterators (%s memory)', (memory) => {
  it('holds four ints (48 bytes, not tracked) and gives them back', () => {
    withInterp(memory, (interp) => {
      const { rt, long } = interp;
      const start = long.fromNumber(1000);
      const stop = long.fromNumber(1000000);
      const step = long.fromNumber(700);
      const r = interp.range.vectorcall([start, stop, step]);
      expect(sizes(interp, r)).toEqual([48, 48, false]);
      expect([rt.refcnt(start), rt.refcnt(stop), rt.refcnt(step), rt.refcnt(r)]).toEqual([2, 2, 2, 1]);
      const f = interp.range.fields(r);
      expect([f.start, f.stop, f.step]).toEqual([start, stop, step]);
      expect([rangeobject.field('start').get(r), rangeobject.field('stop').get(r), rangeobject.field('step').get(r), rangeobject.field('length').get(r)]).toEqual([
        start,
        stop,
        step,
        f.length,
      ]);
      expect([long.toNumber(f.length), interp.range.length(r), rt.refcnt(f.length)]).toEqual([1428, 1428, 1]);
      rt.decref(r);
      expect([rt.refcnt(start), rt.refcnt(stop), rt.refcnt(step)]).toEqual([1, 1, 1]);
      for (const o of [start, stop, step]) rt.decref(o);
    });
  });

  it('computes len as compute_range_length for every sign and size', () => {
    withInterp(memory, (interp) => {
      const cases: Array<[Array<number | bigint>, bigint]> = [
        [[0], 0n],
        [[10], 10n],
        [[-5], 0n],
        [[1, 100, 7], 15n],
        [[10, -10, -3], 7n],
        [[-5, 5, 3], 4n],
        [[5, 5], 0n],
        [[2n ** 100n], 2n ** 100n],
        [[-(2n ** 70n), 2n ** 70n, 3n ** 30n], (2n ** 71n - 1n) / 3n ** 30n + 1n],
        [[2n ** 64n, 2n ** 64n + 3n], 3n],
      ];
      for (const [args, len] of cases) {
        const r = range(interp, ...args);
        expect([args, interp.long.toBigInt(interp.range.fields(r).length)]).toEqual([args, len]);
        expect(interp.getsizeof(r)).toBe(48);
        interp.rt.decref(r);
      }
      const big = range(interp, 2n ** 100n);
      expect(() => interp.range.length(big)).toThrow('OverflowError');
      interp.rt.decref(big);
    });
  });

  it('takes a start of 0 and a step of 1, copies a bool to an int, refuses what CPython refuses without leaking', () => {
    withInterp(memory, (interp) => {
      const { rt, long } = interp;
      const ten = long.fromNumber(1000);
      const r = interp.range.vectorcall([ten]);
      const f = interp.range.fields(r);
      expect([f.start, f.step]).toEqual([long.fromNumber(0), long.fromNumber(1)]);
      rt.decref(f.start);
      rt.decref(f.step);
      expect(f.stop).toBe(ten);
      const t = interp.range.vectorcall([long.True, ten]);
      expect(interp.range.fields(t).start).toBe(f.step); // PyNumber_Index(True): the int 1
      rt.decref(t);
      rt.decref(r);
      const flt = interp.float.fromNumber(1.5);
      const zero = long.fromNumber(0);
      expect(() => interp.range.vectorcall([])).toThrow('range expected at least 1 argument, got 0');
      expect(() => interp.range.vectorcall([ten, ten, ten, ten])).toThrow('range expected at most 3 arguments, got 4');
      expect(() => interp.range.vectorcall([flt])).toThrow("'float' object cannot be interpreted as an integer");
      expect(() => interp.range.vectorcall([ten, flt])).toThrow(InvalidArgumentError);
      expect(() => interp.range.vectorcall([ten, ten, zero])).toThrow('range() arg 3 must not be zero');
      expect(rt.refcnt(ten)).toBe(1);
      for (const o of [ten, flt, zero]) rt.decref(o);
    });
  });

  it('hashes and compares as range_hash and range_equals (values from CPython 3.11.7)', () => {
    withInterp(memory, (interp) => {
      // (Empty and one-item ranges hash a tuple holding None, whose 3.11 hash is its address.)
      const hashes: Array<[Array<number | bigint>, bigint]> = [
        [[10], -7546101314042312252n],
        [[1, 100, 7], -4433106588008061378n],
        [[2n ** 100n], 4898468661318417753n],
      ];
      for (const [args, h] of hashes) {
        const r = range(interp, ...args);
        expect(interp.hash64(r)).toBe(h);
        interp.rt.decref(r);
      }
      const eq = (a: number[], b: number[]): boolean => {
        const x = range(interp, ...a);
        const y = range(interp, ...b);
        try {
          return interp.eq(x, y);
        } finally {
          interp.rt.decref(x);
          interp.rt.decref(y);
        }
      };
      expect([eq([1, 2], [1, 3, 5]), eq([0], [5, 5]), eq([0, 10, 2], [0, 9, 2]), eq([0, 10, 2], [0, 10, 3])]).toEqual([true, true, true, false]);
      const r = range(interp, 3);
      const l = interp.list.new(0);
      expect(interp.eq(r, l)).toBe(false);
      interp.rt.decref(r);
      interp.rt.decref(l);
    });
  });

  it('iterates with a range_iterator of C longs (48 bytes) while they fit, else a longrange_iterator of ints', () => {
    withInterp(memory, (interp) => {
      const { rt } = interp;
      const L = 2n ** 63n;
      const cases: Array<[Array<number | bigint>, string, bigint[]]> = [
        [[10, -10, -3], 'range_iterator', [10n, 7n, 4n, 1n, -2n, -5n, -8n]],
        [[0], 'range_iterator', []],
        [[L - 3n, L - 1n], 'range_iterator', [L - 3n, L - 2n]],
        [[-L, -L + 2n], 'range_iterator', [-L, -L + 1n]],
        [[2n ** 53n - 1n, 2n ** 53n + 2n], 'range_iterator', [2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n]],
        [[0, L - 1n, 2n ** 62n], 'longrange_iterator', [0n, 2n ** 62n]],
        [[2n ** 64n, 2n ** 64n + 3n], 'longrange_iterator', [2n ** 64n, 2n ** 64n + 1n, 2n ** 64n + 2n]],
      ];
      for (const [args, type, want] of cases) {
        const r = range(interp, ...args);
        const it = interp.range.iter(r);
        expect([args, rt.typeOf(it).name, sizes(interp, it)]).toEqual([args, type, [48, 48, false]]);
        expect(interp.range.lengthHint(it)).toBe(want.length);
        expect(values(interp, it)).toEqual(want);
        expect([interp.range.next(it), interp.range.lengthHint(it)]).toEqual([0, 0]);
        rt.decref(it);
        expect(rt.refcnt(r)).toBe(1);
        rt.decref(r);
      }
    });
  });

  it('a range_iterator keeps nothing alive; a longrange_iterator owns its ints and swaps its index', () => {
    withInterp(memory, (interp) => {
      const { rt, long } = interp;
      const r = range(interp, 1000, 1003);
      const it = interp.range.iter(r);
      rt.decref(r); // GET_ITER: the range goes, the iterator stays
      expect(rangeiterobject.field('len').get(it)).toBe(3);
      const first = interp.range.next(it);
      expect([long.toNumber(first), rangeiterobject.field('index').get(it), interp.range.lengthHint(it)]).toEqual([1000, 1, 2]);
      rt.decref(first);
      rt.decref(it);

      const big = range(interp, 2n ** 70n, 2n ** 70n + 2n);
      const f = interp.range.fields(big);
      const counts = () => [rt.refcnt(f.start), rt.refcnt(f.step), rt.refcnt(f.length)];
      const before = counts();
      const lit = interp.range.iter(big);
      expect(counts()).toEqual(before.map((n) => n + 1));
      const v = interp.range.next(lit);
      expect(long.toBigInt(v)).toBe(2n ** 70n);
      expect(long.toNumber(longrangeiterobject.field('index').get(lit))).toBe(1);
      rt.decref(v);
      rt.decref(lit);
      expect(counts()).toEqual(before);
      rt.decref(big);
    });
  });
});

describe.each(MEMORIES)('slice (%s memory)', (memory) => {
  it('is 40 bytes + PyGC_Head, tracked, owning start, stop and step (None for NULL)', () => {
    withInterp(memory, (interp) => {
      const { rt, long, singletons } = interp;
      const one = long.fromNumber(1000);
      const two = long.fromNumber(2000);
      const noneRefs = rt.refcnt(singletons.None);
      const s = interp.slice.new(one, two);
      expect(sizes(interp, s)).toEqual([56, 40, true]);
      expect([PySliceObject.field('start').get(s), PySliceObject.field('stop').get(s), PySliceObject.field('step').get(s)]).toEqual([one, two, singletons.None]);
      expect([rt.refcnt(one), rt.refcnt(two), rt.refcnt(singletons.None)]).toEqual([2, 2, noneRefs + 1]);
      expect(rt.typeOf(s).toJS!(rt, s)).toEqual({ start: 1000, stop: 2000, step: null });
      const seen: number[] = [];
      rt.typeOf(s).traverse!(rt, s, (o) => (seen.push(o), 0));
      expect(seen).toEqual([one, two, singletons.None]);
      expect(() => interp.hash(s)).toThrow(UnhashableError);
      const same = interp.slice.new(one, two);
      const other = interp.slice.new(one, one);
      expect([interp.eq(s, same), interp.eq(s, other), interp.eq(s, one)]).toEqual([true, false, false]);
      for (const o of [same, other, s]) rt.decref(o);
      expect([rt.refcnt(one), rt.refcnt(two), rt.refcnt(singletons.None)]).toEqual([1, 1, noneRefs]);
      rt.decref(one);
      rt.decref(two);
      expect(() => interp.slice.new(-1, 0)).toThrow(InvalidArgumentError);
    });
  });

  it('keeps one dead slice in slice_cache and reuses it; a second is freed; _PySlice_Fini frees the cached one', () => {
    withInterp(memory, (interp) => {
      const { rt } = interp;
      interp.slice.clearCache();
      const gen0 = interp.rt.gc.generations[0]!;
      const blocks = blocksOf(interp, 56);
      const count = gen0.count;
      const a = interp.slice.new(0, 0, 0);
      const b = interp.slice.new(0, 0, 0);
      expect([blocksOf(interp, 56), gen0.count]).toEqual([blocks + 2, count + 2]);
      rt.decref(a);
      // a is parked: its block stays, untracked, refcount 0; gen 0's count is unchanged.
      expect([interp.slice.cached(), rt.refcnt(a), rt.gc.isTracked(a), blocksOf(interp, 56), gen0.count]).toEqual([a, 0, false, blocks + 2, count + 2]);
      rt.decref(b);
      // The cache is full: b is freed (PyObject_GC_Del).
      expect([interp.slice.cached(), blocksOf(interp, 56), gen0.count]).toEqual([a, blocks + 1, count + 1]);
      const c = interp.slice.new(0, 0, 0);
      expect([c, interp.slice.cached(), rt.refcnt(c), rt.gc.isTracked(c), gen0.count]).toEqual([a, 0, 1, true, count + 1]);
      rt.decref(c);
      interp.slice.clearCache();
      expect([interp.slice.cached(), blocksOf(interp, 56), gen0.count]).toEqual([0, blocks, count]);
    });
  });
});

describe.each(MEMORIES)('list_iterator (%s memory)', (memory) => {
  it('is 32 bytes + PyGC_Head, tracked, holding the list until it is exhausted', () => {
    withInterp(memory, (interp) => {
      const { rt, long, list, listiter } = interp;
      const l = list.new(0);
      const items = [long.fromNumber(1000), long.fromNumber(2000)];
      for (const o of items) {
        list.append(l, o);
        rt.decref(o);
      }
      const it = listiter.iter(l);
      expect(sizes(interp, it)).toEqual([48, 32, true]);
      expect([rt.refcnt(l), listiter.seq(it), listiterobject.field('it_seq').get(it), listiterobject.field('it_index').get(it)]).toEqual([2, l, l, 0]);
      const seen: number[] = [];
      rt.typeOf(it).traverse!(rt, it, (o) => (seen.push(o), 0));
      expect(seen).toEqual([l]);
      expect(listiter.lengthHint(it)).toBe(2);
      const a = listiter.next(it);
      expect([a, rt.refcnt(a), listiter.lengthHint(it)]).toEqual([items[0], 2, 1]);
      rt.decref(a);
      // The list may grow under the iterator: next() reads its size each time.
      const three = long.fromNumber(3000);
      list.append(l, three);
      rt.decref(three);
      expect(listiter.lengthHint(it)).toBe(2);
      const got: number[] = [];
      for (let v = listiter.next(it); v !== 0; v = listiter.next(it)) {
        got.push(long.toNumber(v));
        rt.decref(v);
      }
      expect(got).toEqual([2000, 3000]);
      // Exhausted: it_seq is NULL and the list has only its own reference.
      expect([listiter.seq(it), rt.refcnt(l), listiter.lengthHint(it), listiter.next(it)]).toEqual([0, 1, 0, 0]);
      rt.decref(it);
      rt.decref(l);
    });
  });

  it('releases the list when dropped before the end; iter() of a non-list is refused', () => {
    withInterp(memory, (interp) => {
      const { rt, list, listiter } = interp;
      const l = list.new(0);
      list.append(l, interp.singletons.None);
      const it = listiter.iter(l);
      rt.decref(l); // iter([...]): the stack lets go of the list, the iterator keeps it
      expect(rt.refcnt(l)).toBe(1);
      const v = listiter.next(it);
      expect(v).toBe(interp.singletons.None);
      rt.decref(v);
      rt.decref(it); // frees the list too
      const t = interp.tuple.new(0);
      expect(() => listiter.iter(t)).toThrow('list_iter: expected a list, got a tuple object');
      expect(() => listiter.next(t)).toThrow(InvalidArgumentError);
      rt.decref(t);
    });
  });
});
