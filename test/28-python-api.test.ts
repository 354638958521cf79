import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttributeError, Domain, Heap, InvalidArgumentError, InvalidPointerError, KeyError, OutOfMemoryError, PymemError, Python, ReleasedHandleError, RefcountError, UnhashableError, type JSValue } from '../lib/index.js';
import { pymallocViolations } from '../lib/allocator/validate.js';

/** pymalloc blocks in use, less those parked on the free lists (float, list, tuple, dict, dict keys). */
function inUse(py: Python): number {
  const i = py.interp;
  const parked =
    i.float.freeListSize() +
    i.list.freeListSize() +
    i.tuple.freeListSizes().reduce((a, b) => a + b, 0) +
    i.dict.freeListSize() +
    i.dict.keysFreeListSize();
  return py.debugMallocStats().classes.reduce((n, c) => n + c.blocksInUse, 0) - parked;
}

describe.each(['fake', 'native'] as const)('the handle API over %s memory', (memory) => {
  it('builds objects with CPython 3.11 sizes and reads them back', () => {
    using py = new Python({ memory, profile: 'cpython311' });
    using xs = py.list([1, 2, 3]);
    expect(xs.type).toBe('list');
    expect(xs.sizeof).toBe(80); // [x, y, z]: PyList_New(3), exact
    expect(xs.toJS()).toEqual([1, 2, 3]);
    using d = py.dict({ a: 1, b: 'two', c: [null, true, 2.5] });
    expect(d.toJS()).toEqual(new Map<unknown, unknown>([['a', 1], ['b', 'two'], ['c', [null, true, 2.5]]]));
    using s = py.str('héllo');
    expect(s.sizeof).toBe(72 + 6); // compact latin-1: 72 + (5 + 1)
    using big = py.int(2n ** 100n);
    expect(big.sizeof).toBe(40);
    expect(big.toJS()).toBe(2n ** 100n);
    using t = py.tuple([1, 'a']);
    expect(t.sizeof).toBe(56);
    using st = py.set([1, 2, 3]);
    expect(st.sizeof).toBe(216);
    expect(st.toJS()).toEqual(new Set([1, 2, 3]));
  });

  it('counts references as CPython does and frees at zero', () => {
    using py = new Python({ memory });
    const before = inUse(py);
    const item = py.str('an item that is not interned or cached');
    expect(py.getrefcount(item)).toBe(2); // the handle's reference + the argument
    const xs = py.list([item, item]);
    expect(item.refcnt).toBe(3);
    xs.release();
    expect(item.refcnt).toBe(1);
    item.release();
    expect(inUse(py)).toBe(before);
  });

  it('says where an object lives', () => {
    using py = new Python({ memory, profile: 'cpython311' });
    using f = py.float(1.5);
    const b = f.block();
    expect(b.sizeClass).toBe(1); // 24 bytes -> the 32-byte class
    expect(b.blockSize).toBe(32);
    expect(b.arena).toBe(0);
    using small = py.int(5);
    expect(small.block().sizeClass).toBe(-2); // a static small int
    using l = py.list(new Array(100).fill(0));
    expect(py.interp.rt.heap.pymalloc.arenaOf(py.interp.list.getItem(l.ptr, 0))).toBeNull(); // static 0
  });

  it('defines classes with a dict or __slots__ and a finalizer, with CPython sizes', () => {
    using py = new Python({ memory, profile: 'cpython311' });
    const deleted: number[] = [];
    const P = py.defineClass({ name: 'P', del: (op) => deleted.push(op) });
    const S2 = py.defineClass({ name: 'S2', slots: ['a', 'b'] });
    // The class's shared keys keep the attribute names it has seen, as in CPython: warm them up.
    py.instance(P, { x: 0, name: '' }).release();
    deleted.length = 0;
    const before = inUse(py);
    const p = py.instance(P, { x: 1, name: 'pymem' });
    expect(p.sizeof).toBe(56);
    const s2 = py.instance(S2);
    expect(s2.sizeof).toBe(48);
    s2.release();
    using x = py.getattr(p, 'x');
    expect(x.toJS()).toBe(1);
    py.setattr(p, 'x', [1, 2]);
    using x2 = py.getattr(p, 'x');
    expect(x2.toJS()).toEqual([1, 2]);
    expect(() => py.getattr(p, 'missing')).toThrow(/has no attribute 'missing'/);
    const ptr = p.ptr;
    x2.release();
    p.release();
    expect(deleted).toEqual([ptr]);
    expect(inUse(py)).toBe(before);
  });

  it('prints sys._debugmallocstats() as CPython: the allocator section, then the free lists in its format', () => {
    using py = new Python({ memory, profile: 'cpython311' });
    for (const f of [py.float(0.5), py.float(1.5), py.float(2.5)]) f.release(); // three floats parked on the free list
    py.list([]).release(); // one list parked
    const text = py.formatDebugMallocStats();
    expect(text.startsWith('Small block threshold = 512, in 32 size classes.\n')).toBe(true);
    const all = text.split('\n');
    const start = all.findIndex((l) => l.includes('free PyDictObjects'));
    expect(all[start - 1]).toBe(''); // a blank line after the allocator section's last Total
    expect(all[start - 2]).toMatch(/^Total +=/);
    const lines = all.slice(start);
    expect(lines[0]).toMatch(/^ +\d+ free PyDictObjects \* 48 bytes each = +[\d,]+$/);
    expect(lines[1]).toBe('           3 free PyFloatObjects * 24 bytes each =                   72');
    expect(lines[2]).toBe('            1 free PyListObjects * 40 bytes each =                   40');
    expect(lines[3]).toBe('   0 free 1-sized PyTupleObjects * 32 bytes each =                    0');
    expect(lines[22]).toBe(' 0 free 20-sized PyTupleObjects * 184 bytes each =                    0');
  });

  it('allocates every object through the OBJ and MEM domains, so hooks set with py.setAllocator see them at once', () => {
    using py = new Python({ memory, profile: 'cpython311' });
    const seen: string[] = [];
    for (const d of [Domain.OBJ, Domain.MEM]) {
      const below = py.getAllocator(d);
      py.setAllocator(d, {
        malloc: (n) => (seen.push(`${Domain[d]} malloc ${n}`), below.malloc(n)),
        calloc: (n, e) => (seen.push(`${Domain[d]} calloc ${n * e}`), below.calloc(n, e)),
        realloc: (p, n) => (seen.push(`${Domain[d]} realloc ${n}`), below.realloc(p, n)),
        free: (p) => below.free(p),
      });
    }
    py.list([1.5, 'a string of some length']).release(); // at once: no refresh step
    // The float (24 bytes), the str (48 + 24), the list object with its GC head (56) via OBJ;
    // the list's item array (2 pointers) via MEM, as PyMem_Calloc in PyList_New.
    expect(seen).toEqual(expect.arrayContaining(['OBJ malloc 24', 'OBJ malloc 72', 'OBJ malloc 56', 'MEM calloc 16']));
  });

  it('refuses, at the C-API level, pointers that are no object, with typed errors', () => {
    using py = new Python({ memory });
    const { rt, list } = py.interp;
    const before = inUse(py);
    for (const p of [0, 123456789, 2 ** 31 + 16, -16]) {
      expect(() => rt.incref(p)).toThrow(InvalidPointerError);
      expect(() => rt.decref(p)).toThrow(InvalidPointerError);
      expect(() => rt.typeOf(p)).toThrow(InvalidPointerError);
      expect(() => list.append(p, py.interp.singletons.None)).toThrow(PymemError); // InvalidArgumentError (expected a list) or InvalidPointerError
    }
    expect(inUse(py)).toBe(before);
    expect(pymallocViolations(py.interp.rt.heap.pymalloc)).toEqual([]);
  });

  it('refuses a released handle, a double release and a decref below zero, changing nothing', () => {
    using py = new Python({ memory });
    const h = py.list([1]);
    h.release();
    const before = inUse(py);
    expect(() => h.ptr).toThrow(ReleasedHandleError);
    expect(() => h.release()).toThrow(ReleasedHandleError);
    expect(() => h.toJS()).toThrow(ReleasedHandleError);
    const none = py.None;
    expect(() => {
      for (;;) py.interp.rt.decref(none.ptr);
    }).toThrow(RefcountError);
    expect(inUse(py)).toBe(before);
    expect(() => py.set([[1]])).toThrow(UnhashableError);
    expect(inUse(py)).toBe(before);
    expect(pymallocViolations(py.interp.rt.heap.pymalloc)).toEqual([]);
  });

  it('returns the allocator to its baseline after random acyclic object graphs are dropped', () => {
    const leaf = fc.oneof(
      fc.integer({ min: -1000, max: 100000 }),
      fc.double({ noNaN: true }),
      fc.string({ maxLength: 40 }),
      fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
      fc.boolean(),
      fc.constant(null),
    );
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small' }, leaf, tie('list'), tie('dict')),
      list: fc.array(tie('tree'), { maxLength: 8 }),
      dict: fc.dictionary(fc.string({ maxLength: 6 }), tie('tree'), { maxKeys: 6 }),
    }));
    fc.assert(
      fc.property(fc.array(tree, { maxLength: 6 }), (values) => {
        using py = new Python({ memory, profile: 'cpython311' });
        const before = inUse(py);
        const handles = values.map((v) => py.from(v as JSValue));
        for (const h of handles) {
          // An object in one block (no separate buffer) fits in it: the block holds getsizeof's bytes.
          const b = h.block();
          if (b.sizeClass >= 0 && ['int', 'float', 'str', 'tuple', 'bytes'].includes(h.type)) {
            expect(b.blockSize).toBeGreaterThanOrEqual(h.sizeof);
          }
        }
        for (const h of handles.reverse()) h.release();
        expect(inUse(py)).toBe(before);
        expect(pymallocViolations(py.interp.rt.heap.pymalloc)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('uses profile cpython311 unless told otherwise (a bare Heap keeps classic)', () => {
    using py = new Python({ memory });
    expect(py.interp.rt.heap.profile.name).toBe('cpython311');
    using heap = new Heap({ memory });
    expect(heap.profile.name).toBe('classic');
    using classic = new Python({ memory, profile: 'classic' });
    expect(classic.interp.rt.heap.profile.name).toBe('classic');
  });

  it('handle helpers: is, len, getitem/setitem, append/extend, repeat, with CPython 3.11 sizes', () => {
    using py = new Python({ memory });
    using xs = py.list([1, 2, 3]);
    using same = xs.dup();
    using other = py.list([1, 2, 3]);
    expect([py.is(xs, same), py.is(xs, other)]).toEqual([true, false]);
    expect(py.len(xs)).toBe(3);
    using last = py.getitem(xs, -1);
    expect(last.toJS()).toBe(3);
    py.setitem(xs, 0, 'zero');
    using first = py.getitem(xs, 0);
    expect(first.toJS()).toBe('zero');
    expect(() => py.getitem(xs, 3)).toThrow(/list index out of range/);
    expect(() => py.getitem(xs, 1.5)).toThrow(InvalidArgumentError);
    py.append(xs, 4);
    expect(xs.sizeof).toBe(120); // l = [x, y, z]; l.append(4)
    using ys = py.list([1, 2, 3]);
    py.extend(ys, [5, 6]);
    expect([ys.sizeof, py.len(ys)]).toEqual([120, 5]); // l.extend([5, 6])
    using zs = py.repeat(other, 4);
    expect([zs.sizeof, py.len(zs)]).toEqual([152, 12]); // [x, y, z] * 4
    using d = py.dict({ a: 1 });
    py.setitem(d, 'b', [2]);
    expect(py.len(d)).toBe(2);
    using b = py.getitem(d, 'b');
    expect(b.toJS()).toEqual([2]);
    expect(() => py.getitem(d, 'c')).toThrow(KeyError);
    using s = py.str('héllo');
    using e = py.getitem(s, 1);
    expect([py.len(s), e.toJS()]).toEqual([5, 'é']);
    using t = py.tuple([1, 'a']);
    using set = py.set([1, 2, 2]);
    using bs = py.bytes(new Uint8Array([1, 2, 3, 4]));
    expect([py.len(t), py.len(set), py.len(bs)]).toEqual([2, 2, 4]);
    using n = py.int(5);
    expect(() => py.len(n)).toThrow("object of type 'int' has no len()");
    expect(() => py.getitem(n, 0)).toThrow("'int' object is not subscriptable");
  });

  it('getattr, setattr and hasattr on an instance', () => {
    using py = new Python({ memory });
    const P = py.defineClass({ name: 'P' });
    using p = py.instance(P, { x: 1 });
    expect([py.hasattr(p, 'x'), py.hasattr(p, 'y')]).toEqual([true, false]);
    py.setattr(p, 'y', 'why');
    using y = py.getattr(p, 'y');
    expect([py.hasattr(p, 'y'), y.toJS()]).toEqual([true, 'why']);
    expect(() => py.getattr(p, 'z')).toThrow(AttributeError);
  });

  it('getrefcount is a method on both the handle and the object space', () => {
    using py = new Python({ memory });
    using item = py.str('not interned, not cached');
    expect(item.getrefcount()).toBe(2);
    expect(py.getrefcount(item)).toBe(2);
  });

  it('memoryUsage and getallocatedblocks follow what is allocated', () => {
    using py = new Python({ memory });
    const blocks = py.getallocatedblocks();
    const u0 = py.memoryUsage();
    const f = py.float(1.25);
    expect(py.getallocatedblocks()).toBe(blocks + 1);
    const big = py.list(new Array(10_000).fill(null)); // the item array: 80,000 bytes from the raw allocator
    const u1 = py.memoryUsage();
    expect(u1.rawBytes - u0.rawBytes).toBe(80_000);
    expect(u1.rawBlocks - u0.rawBlocks).toBe(1);
    expect(u1.arenaBytes % (1 << 20)).toBe(0);
    expect(u1.blockBytes).toBeGreaterThan(u0.blockBytes);
    expect(u1.rss).toBeGreaterThan(0);
    expect(u1.peakRss).toBeGreaterThanOrEqual(u1.rss);
    expect(u1.v8HeapUsed).toBeGreaterThan(0);
    big.release();
    f.release();
    expect(py.memoryUsage().rawBytes).toBe(u0.rawBytes);
  });

  it('a list, tuple or set whose allocation fails releases the items it had converted', () => {
    for (const make of ['list', 'tuple', 'set'] as const) {
      using py = new Python({ memory });
      const before = inUse(py);
      const below = py.getAllocator(Domain.OBJ);
      let calls = 0;
      // The two strs are the first two OBJ mallocs; the container, the third, fails.
      py.setAllocator(Domain.OBJ, {
        malloc: (n) => (++calls > 2 ? 0 : below.malloc(n)),
        calloc: (n, e) => below.calloc(n, e),
        realloc: (p, n) => below.realloc(p, n),
        free: (p) => below.free(p),
      });
      expect(() => py[make](['a str that is not cached 1', 'a str that is not cached 2'])).toThrow(OutOfMemoryError);
      expect(calls).toBe(3);
      py.setAllocator(Domain.OBJ, below);
      expect(inUse(py)).toBe(before);
    }
  });
});
