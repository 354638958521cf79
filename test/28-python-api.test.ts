import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Domain, InvalidPointerError, PymemError, Python, ReleasedHandleError, RefcountError, UnhashableError, type JSValue } from '../lib/index.js';
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
    const text = py.debugmallocstats();
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

  it('allocates every object through the OBJ and MEM domains, so allocator hooks see them', () => {
    using py = new Python({ memory, profile: 'cpython311' });
    const { heap } = py.interp.rt;
    const seen: string[] = [];
    for (const d of [Domain.OBJ, Domain.MEM]) {
      const below = heap.getAllocator(d);
      heap.setAllocator(d, {
        malloc: (n) => (seen.push(`${Domain[d]} malloc ${n}`), below.malloc(n)),
        calloc: (n, e) => (seen.push(`${Domain[d]} calloc ${n * e}`), below.calloc(n, e)),
        realloc: (p, n) => (seen.push(`${Domain[d]} realloc ${n}`), below.realloc(p, n)),
        free: (p) => below.free(p),
      });
    }
    py.interp.rt.refreshAllocators();
    py.list([1.5, 'a string of some length']).release();
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
});
