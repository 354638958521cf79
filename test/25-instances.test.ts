// Instances of user classes as CPython 3.11 lays them out
// (lib/objects/types/instance.ts): the managed __dict__ with its pre-header
// and the class's shared keys, __slots__ (sorted, mangled), __weakref__ and
// __dict__ slots; every golden.json getsizeof case of a user class or an
// instance dict, replayed in catalog order in one interpreter (the shared
// keys grow as they go); attribute refcounts; __del__ once per object,
// resurrection, errors reported as unraisable; traverse and clear; the
// trashcan; and the blocks behind it all in the allocator's stats.
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../lib/errors.js';
import { Interpreter } from '../lib/objects/interpreter.js';
import { PREV_MASK_FINALIZED } from '../lib/objects/gcState.js';
import { asGc, gcPrev, managedDict, managedValues } from '../lib/objects/layout.js';
import { PyDictKeysObject } from '../lib/objects/types/dictKeys.js';
import {
  Py_TPFLAGS_BASETYPE,
  Py_TPFLAGS_HAVE_GC,
  Py_TPFLAGS_HEAPTYPE,
  Py_TPFLAGS_MANAGED_DICT,
  type PyTypeObject,
  preHeaderBytes,
} from '../lib/objects/type.js';
import { AttributeError } from '../lib/objects/types/instance.js';
import { type GoldenCase, loadGolden } from './support/golden.js';
import { footprint } from './support/footprint.js';

interface Golden {
  getsizeof: { setup: string; cases: GoldenCase[] };
}

const golden = loadGolden<Golden>();

const MEMORIES = ['fake', 'native'] as const;

/** The golden catalog's user-class cases, as recorded from CPython 3.11.7 (used when golden.json is absent). */
const CLASS_CASES: GoldenCase[] = [
  { expr: 'P()', size: 56, type: 'P', __sizeof__: 24, gc_tracked: true },
  { expr: 'mkP(1)', size: 56, type: 'P', __sizeof__: 24, gc_tracked: true },
  { expr: 'mkP(2)', size: 56, type: 'P', __sizeof__: 24, gc_tracked: true },
  { expr: 'mkP(3)', size: 56, type: 'P', __sizeof__: 24, gc_tracked: true },
  { expr: 'mkP(4)', size: 56, type: 'P', __sizeof__: 24, gc_tracked: true },
  { expr: 'mkP(5)', size: 56, type: 'P', __sizeof__: 24, gc_tracked: true },
  { expr: 'mkP(0).__dict__', size: 240, type: 'dict', __sizeof__: 224, gc_tracked: false, len: 0 },
  { expr: 'mkP(1).__dict__', size: 232, type: 'dict', __sizeof__: 216, gc_tracked: false, len: 1 },
  { expr: 'mkP(2).__dict__', size: 224, type: 'dict', __sizeof__: 208, gc_tracked: false, len: 2 },
  { expr: 'mkP(3).__dict__', size: 216, type: 'dict', __sizeof__: 200, gc_tracked: false, len: 3 },
  { expr: 'mkP(5).__dict__', size: 208, type: 'dict', __sizeof__: 192, gc_tracked: false, len: 5 },
  { expr: 'mkP(10).__dict__', size: 200, type: 'dict', __sizeof__: 184, gc_tracked: false, len: 10 },
  { expr: 'mkP(30).__dict__', size: 832, type: 'dict', __sizeof__: 816, gc_tracked: false, len: 30 },
  { expr: 'S1()', size: 40, type: 'S1', __sizeof__: 24, gc_tracked: true },
  { expr: 'S2()', size: 48, type: 'S2', __sizeof__: 32, gc_tracked: true },
  { expr: 'S3()', size: 56, type: 'S3', __sizeof__: 40, gc_tracked: true },
  { expr: 'S4()', size: 64, type: 'S4', __sizeof__: 48, gc_tracked: true },
  { expr: 'S5()', size: 72, type: 'S5', __sizeof__: 56, gc_tracked: true },
  { expr: 'S1W()', size: 48, type: 'S1W', __sizeof__: 32, gc_tracked: true },
  { expr: 'S1D()', size: 56, type: 'S1D', __sizeof__: 24, gc_tracked: true },
];


/** Blocks in use per size class. */
function blocksBySize(interp: Interpreter): Map<number, number> {
  const m = new Map<number, number>();
  for (const c of interp.rt.heap.debugMallocStats().classes) if (c.blocksInUse > 0) m.set(c.size, c.blocksInUse);
  return m;
}
/** b - a per size class (non-zero entries). */
function delta(a: Map<number, number>, b: Map<number, number>): Record<number, number> {
  const out: Record<number, number> = {};
  for (const size of new Set([...a.keys(), ...b.keys()])) {
    const d = (b.get(size) ?? 0) - (a.get(size) ?? 0);
    if (d !== 0) out[size] = d;
  }
  return out;
}

let open: Interpreter[] = [];
function interpreter(memory: 'fake' | 'native'): Interpreter {
  const interp = new Interpreter({ memory });
  open.push(interp);
  return interp;
}
afterEach(() => {
  for (const i of open) i.dispose();
  open = [];
});

/** The classes of golden.json's getsizeof setup. */
function setupClasses(interp: Interpreter) {
  const inst = interp.instance;
  return {
    P: inst.defineClass({ name: 'P' }),
    S1: inst.defineClass({ name: 'S1', slots: ['a'] }),
    S2: inst.defineClass({ name: 'S2', slots: ['a', 'b'] }),
    S3: inst.defineClass({ name: 'S3', slots: ['a', 'b', 'c'] }),
    S4: inst.defineClass({ name: 'S4', slots: ['a', 'b', 'c', 'd'] }),
    S5: inst.defineClass({ name: 'S5', slots: ['a', 'b', 'c', 'd', 'e'] }),
    S1W: inst.defineClass({ name: 'S1W', slots: ['a', '__weakref__'] }),
    S1D: inst.defineClass({ name: 'S1D', slots: ['a', '__dict__'] }),
  };
}

/** mkP(n): o = P(); setattr(o, "a%d" % i, i) for i in range(n). New reference. */
function mkP(interp: Interpreter, P: PyTypeObject, n: number): number {
  const { instance, str, long, rt } = interp;
  const o = instance.new(P);
  for (let i = 0; i < n; i++) {
    // "a%d" % i is a new str each time; setattr interns it in place.
    const name = str.fromString(`a${i}`);
    const v = long.fromNumber(i);
    instance.setAttr(o, name, v);
    rt.decref(name);
    rt.decref(v);
  }
  return o;
}

describe.each(MEMORIES)('user classes as CPython 3.11 (%s memory)', (memory) => {
  it('lays classes out as type_new does: basicsize, flags, weaklist offset, sorted and mangled slots', () => {
    const interp = interpreter(memory);
    const c = setupClasses(interp);
    const { instance } = interp;
    const managed = Py_TPFLAGS_HEAPTYPE | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_MANAGED_DICT;
    const plain = Py_TPFLAGS_HEAPTYPE | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC;
    // CPython 3.11.7: (__basicsize__, __dictoffset__, __weakrefoffset__, __flags__ & these bits).
    const expected: Record<string, [number, number, number, number]> = {
      P: [24, -48, 16, managed],
      S1: [24, 0, 0, plain],
      S2: [32, 0, 0, plain],
      S5: [56, 0, 0, plain],
      S1W: [32, 0, 24, plain],
      S1D: [24, -48, 0, managed],
    };
    for (const [name, want] of Object.entries(expected)) {
      const t = c[name as keyof typeof c];
      expect([t.basicsize, t.dictoffset, t.weaklistoffset, t.flags], name).toEqual(want);
    }
    expect(preHeaderBytes(c.P)).toBe(32);
    expect(preHeaderBytes(c.S1)).toBe(16);
    // class __Y: __slots__ = ('b', '__x', '__y__', '_z', '__weakref__'): mangled, then sorted by code point.
    const Y = instance.defineClass({ name: '__Y', slots: ['b', '__x', '__y__', '_z', '__weakref__'] });
    expect(instance.members(Y)).toEqual([
      { name: '_Y__x', offset: 16 },
      { name: '__y__', offset: 24 },
      { name: '_z', offset: 32 },
      { name: 'b', offset: 40 },
    ]);
    expect([Y.basicsize, Y.weaklistoffset]).toEqual([56, 48]);
    // class SD: __slots__ = ('__dict__',): a managed dict and no weakrefs.
    const SD = instance.defineClass({ name: 'SD', slots: ['__dict__'] });
    expect([SD.basicsize, SD.dictoffset, SD.weaklistoffset, interp.getsizeof(instance.new(SD))]).toEqual([16, -40, 0, 48]);
    // A repeated slot name takes two slots (3.11 accepts it); the last descriptor wins.
    const X = instance.defineClass({ name: 'X', slots: ['a', 'a'] });
    expect(X.basicsize).toBe(32);
    // Options instead of names: dict and weakref flags.
    const E = instance.defineClass({ name: 'E', slots: [] });
    expect([E.basicsize, E.flags, interp.getsizeof(instance.new(E))]).toEqual([16, plain, 32]);
    const W = instance.defineClass({ name: 'W', slots: ['a'], weakref: true });
    expect([W.basicsize, W.weaklistoffset]).toEqual([32, 24]);
    const ND = instance.defineClass({ name: 'ND', dict: false });
    expect([ND.basicsize, ND.weaklistoffset, ND.flags]).toEqual([24, 16, plain]);
  });

  it("reproduces golden.json's getsizeof cases of user classes and instance dicts, in catalog order", () => {
    const interp = interpreter(memory);
    const { instance, dict, rt } = interp;
    const c = setupClasses(interp);
    // Setup: wr_target = P() (the first instance of P, kept).
    const wrTarget = instance.new(c.P);
    const catalog = golden?.getsizeof.cases ?? CLASS_CASES;
    const cases = catalog.filter((k) => k.type in c || /^mkP\(\d+\)\.__dict__$/.test(k.expr));
    expect(cases.map((k) => k.expr)).toEqual(CLASS_CASES.map((k) => k.expr));
    for (const k of cases) {
      let m: RegExpMatchArray | null;
      let op: number;
      if ((m = /^mkP\((\d+)\)\.__dict__$/.exec(k.expr))) {
        const o = mkP(interp, c.P, Number(m[1]));
        op = instance.dictOf(o);
        rt.decref(o);
      } else if ((m = /^mkP\((\d+)\)$/.exec(k.expr))) {
        op = mkP(interp, c.P, Number(m[1]));
      } else {
        op = instance.new(c[k.expr.slice(0, -2) as keyof typeof c]);
      }
      // object.__sizeof__ is tp_basicsize; sys.getsizeof adds the PyGC_Head and the managed-dict pre-header.
      expect({
        expr: k.expr,
        size: interp.getsizeof(op),
        sizeof: interp.sizeofObject(op),
        tracked: rt.gc.isTracked(op),
        type: rt.typeOf(op).name,
        ...(k.len !== undefined ? { len: dict.size(op) } : {}),
      }).toEqual({
        expr: k.expr,
        size: k.size,
        sizeof: k.__sizeof__,
        tracked: k.gc_tracked,
        type: k.type,
        ...(k.len !== undefined ? { len: k.len } : {}),
      });
      rt.decref(op);
    }
    rt.decref(wrTarget);
  });

  it("grows the class's shared keys: dk_usable shrinks with each instance, names fill the keys, the 31st goes to a combined dict", () => {
    const interp = interpreter(memory);
    const { instance, dict, rt } = interp;
    const P = instance.defineClass({ name: 'P' });
    const keys = instance.cachedKeys(P);
    const usable = () => dict.sharedKeysUsableSize(keys);
    expect(usable()).toBe(30);
    const a = instance.new(P);
    expect(usable()).toBe(29);
    const b = mkP(interp, P, 3);
    expect([usable(), PyDictKeysObject.field('dk_nentries').get(keys)]).toEqual([28, 3]);
    // Attributes still live in b's values array: no dict yet.
    expect(managedDict.get(b)).toBe(0);
    expect(managedValues.get(b)).not.toBe(0);
    const big = mkP(interp, P, 31);
    // Its values array has 27 slots; the keys fill up at a26, and a27 materialises a dict that turns combined.
    const d = managedDict.get(big);
    expect(d).not.toBe(0);
    expect(managedValues.get(big)).toBe(0);
    expect(dict.size(d)).toBe(31);
    expect(dict.layout(d).values).toBe(0);
    for (let i = 0; i < 31; i++) expect(interp.long.toNumber(instance.getAttr(big, `a${i}`))).toBe(i);
    for (const o of [a, b, big]) rt.decref(o);
  });

  it('keeps attribute values counted: set, replace, delete, materialise, drop', () => {
    const interp = interpreter(memory);
    const { instance, long, str, rt, singletons } = interp;
    const P = instance.defineClass({ name: 'P' });
    const S = instance.defineClass({ name: 'S', slots: ['x', 'y'] });
    const v = long.fromNumber(10 ** 6);
    const w = long.fromNumber(10 ** 7);
    for (const cls of [P, S]) {
      const o = instance.new(cls);
      expect(instance.getAttr(o, 'x')).toBe(0);
      instance.setAttr(o, 'x', v);
      expect(rt.refcnt(v)).toBe(2);
      expect(instance.getAttr(o, 'x')).toBe(v);
      expect(rt.refcnt(v)).toBe(2);
      instance.setAttr(o, 'x', w);
      expect([rt.refcnt(v), rt.refcnt(w)]).toEqual([1, 2]);
      instance.setAttr(o, 'y', v);
      instance.delAttr(o, 'x');
      expect([rt.refcnt(v), rt.refcnt(w)]).toEqual([2, 1]);
      expect(() => instance.delAttr(o, 'x')).toThrow(AttributeError);
      expect(instance.getAttr(o, 'x')).toBe(0);
      rt.decref(o);
      expect([rt.refcnt(v), rt.refcnt(w)]).toEqual([1, 1]);
    }
    // Through a materialised __dict__: the dict holds the values, the instance the dict.
    const o = instance.new(P);
    instance.setAttr(o, 'x', v);
    const d = instance.dictOf(o);
    expect(rt.refcnt(d)).toBe(2);
    expect(instance.getAttr(o, '__dict__')).toBe(d);
    expect(managedValues.get(o)).toBe(0);
    instance.setAttr(o, 'y', w);
    expect(interp.dict.getItem(d, str.internFromString('y'))).toBe(w);
    expect([rt.refcnt(v), rt.refcnt(w)]).toEqual([2, 2]);
    rt.decref(o);
    // The dict outlives the instance, with the values.
    expect([rt.refcnt(d), rt.refcnt(v), rt.refcnt(w)]).toEqual([1, 2, 2]);
    rt.decref(d);
    expect([rt.refcnt(v), rt.refcnt(w)]).toEqual([1, 1]);
    // __dict__ assignment and deletion (subtype_setdict).
    const q = instance.new(P);
    const nd = interp.dict.new();
    interp.dict.setItem(nd, str.internFromString('z'), v);
    instance.setAttr(q, '__dict__', nd);
    expect(instance.getAttr(q, 'z')).toBe(v);
    instance.delAttr(q, '__dict__');
    expect(rt.refcnt(nd)).toBe(1);
    expect(instance.getAttr(q, 'z')).toBe(0);
    const fresh = instance.getAttr(q, '__dict__');
    expect(interp.dict.size(fresh)).toBe(0);
    expect(() => instance.setAttr(q, '__dict__', v)).toThrow("__dict__ must be set to a dictionary, not a 'int'");
    expect(instance.getAttr(q, '__weakref__')).toBe(singletons.None);
    rt.decref(q);
    rt.decref(nd);
    rt.decref(v);
    rt.decref(w);
  });

  it('calls __del__ exactly once; a resurrecting __del__ keeps the object alive and tracked', () => {
    const interp = interpreter(memory);
    const { instance, long, rt } = interp;
    const calls: number[] = [];
    const saved: number[] = [];
    const F = instance.defineClass({
      name: 'F',
      del: (op) => {
        calls.push(op);
        if (calls.length === 1) {
          // saved.append(self): resurrect, the first time only.
          rt.incref(op);
          saved.push(op);
        }
      },
    });
    const before = footprint(interp);
    const v = long.fromNumber(123456);
    const a = instance.new(F);
    instance.setAttr(a, 'v', v);
    rt.decref(a);
    expect(calls).toEqual([a]);
    // Resurrected: same object, count 1, tracked, attributes intact, finalized.
    expect(saved).toEqual([a]);
    expect([rt.refcnt(a), rt.gc.isTracked(a), instance.isFinalized(a)]).toEqual([1, true, true]);
    expect(instance.getAttr(a, 'v')).toBe(v);
    // Dropped again: freed without a second __del__.
    rt.decref(saved.pop()!);
    expect(calls).toEqual([a]);
    expect(rt.refcnt(v)).toBe(1);
    // A second object: its own single call.
    const b = instance.new(F);
    rt.decref(b);
    expect(calls).toEqual([a, b]);
    rt.decref(v);
    expect(footprint(interp)).toBe(before);
  });

  it('reports a __del__ that throws as unraisable and frees the object anyway', () => {
    const interp = interpreter(memory);
    const { instance, rt } = interp;
    const D = instance.defineClass({
      name: 'D',
      del: () => {
        throw new Error('KeyError: 1');
      },
    });
    const before = footprint(interp);
    const d = instance.new(D);
    rt.decref(d);
    expect(interp.weakref.unraisable).toHaveLength(1);
    expect(interp.weakref.unraisable[0]).toMatchObject({ errMsg: null, object: d, objectRepr: '<function D.__del__>' });
    expect(String(interp.weakref.unraisable[0]!.error)).toContain('KeyError: 1');
    expect(footprint(interp)).toBe(before);
  });

  it('runs the finalizer slot once for the gc (PEP 442); a weakref made by __del__ still gets its callback', () => {
    const interp = interpreter(memory);
    const { instance, rt, weakref } = interp;
    let calls = 0;
    const refs: number[] = [];
    const ran: number[] = [];
    const F = instance.defineClass({
      name: 'F',
      del: (op) => {
        calls++;
        // keep.append(weakref.ref(self, lambda r: ran.append(r)))
        refs.push(weakref.newRef(op, (r) => ran.push(r)));
      },
    });
    const f = instance.new(F);
    // What the gc's finalize_garbage does: tp_finalize once, then the FINALIZED bit.
    F.finalize!(rt, f);
    gcPrev.set(asGc(f), gcPrev.get(asGc(f)) + PREV_MASK_FINALIZED);
    expect([calls, instance.isFinalized(f)]).toEqual([1, true]);
    rt.decref(f);
    // No second __del__; the weakref made by the first one is cleared and called back.
    expect(calls).toBe(1);
    expect(ran).toEqual([refs[0]]);
    const g = instance.new(F);
    rt.decref(g);
    expect(calls).toBe(2);
    expect(ran).toEqual(refs);
    for (const r of refs) {
      expect(weakref.get(r)).toBe(interp.singletons.None);
      rt.decref(r);
    }
    expect(weakref.unraisable).toHaveLength(0);
  });

  it('traverses and clears slots, values and the dict (subtype_traverse, subtype_clear)', () => {
    const interp = interpreter(memory);
    const { instance, long, rt } = interp;
    const P = instance.defineClass({ name: 'P' });
    const S = instance.defineClass({ name: 'S', slots: ['b', 'a', '__dict__'] });
    const x = long.fromNumber(1000);
    const y = long.fromNumber(2000);
    const z = long.fromNumber(3000);
    const visited = (op: number): number[] => {
      const out: number[] = [];
      rt.typeOf(op).traverse!(rt, op, (child) => {
        out.push(child);
        return 0;
      });
      return out;
    };
    const s = instance.new(S);
    instance.setAttr(s, 'b', y);
    instance.setAttr(s, 'a', x);
    instance.setAttr(s, 'c', z);
    // Slots in member order (a, b), then the values.
    expect(visited(s)).toEqual([x, y, z]);
    const d = instance.dictOf(s);
    expect(visited(s)).toEqual([x, y, d]);
    rt.decref(d);
    // A visit that returns non-zero stops the traversal with that value.
    expect(rt.typeOf(s).traverse!(rt, s, () => 7)).toBe(7);
    rt.typeOf(s).clear!(rt, s);
    expect(visited(s)).toEqual([]);
    expect([rt.refcnt(x), rt.refcnt(y), rt.refcnt(z)]).toEqual([1, 1, 1]);
    rt.decref(s);
    const p = instance.new(P);
    instance.setAttr(p, 'self', p);
    expect(visited(p)).toEqual([p]);
    rt.typeOf(p).clear!(rt, p);
    expect(rt.refcnt(p)).toBe(1);
    rt.decref(p);
    for (const o of [x, y, z]) rt.decref(o);
  });

  it('frees a 100,000-deep chain of instances through the trashcan', () => {
    const interp = interpreter(memory);
    const { instance, rt } = interp;
    const Node = instance.defineClass({ name: 'Node', slots: ['next'] });
    const P = instance.defineClass({ name: 'P' });
    // P's shared keys keep the name 'next' once it is used.
    const warm = instance.new(P);
    instance.setAttr(warm, 'next', interp.singletons.None);
    rt.decref(warm);
    const before = footprint(interp);
    for (const cls of [Node, P]) {
      let head = instance.new(cls);
      for (let i = 0; i < 100_000; i++) {
        const n = instance.new(cls);
        instance.setAttr(n, 'next', head);
        rt.decref(head);
        head = n;
      }
      rt.decref(head);
      expect(footprint(interp)).toBe(before);
    }
  });

  it('shows slots versus a dict in the allocator: one block for a slotted instance, an instance block and a values array for a plain one', () => {
    const interp = interpreter(memory);
    const { instance, long, rt } = interp;
    const S2 = instance.defineClass({ name: 'S2', slots: ['a', 'b'] });
    const P = instance.defineClass({ name: 'P' });
    const one = long.fromNumber(1);
    // Warm up: intern the names and enter them into P's shared keys.
    const warm = instance.new(P);
    instance.setAttr(warm, 'a', one);
    instance.setAttr(warm, 'b', one);
    const align = interp.rt.heap.profile.alignment;
    const block = (n: number) => Math.ceil(n / align) * align;
    const b0 = blocksBySize(interp);
    const s = instance.new(S2);
    instance.setAttr(s, 'a', one);
    instance.setAttr(s, 'b', one);
    // 16 (GC head) + 32: one block.
    expect(delta(b0, blocksBySize(interp))).toEqual({ [block(48)]: 1 });
    const b1 = blocksBySize(interp);
    const p = instance.new(P);
    instance.setAttr(p, 'a', one);
    instance.setAttr(p, 'b', one);
    // 16 (pre-header) + 16 (GC head) + 24, and new_values(28): prefix round_up(30, 8) = 32 + 28 pointers.
    const size = interp.dict.sharedKeysUsableSize(instance.cachedKeys(P));
    expect(size).toBe(28);
    const valuesBytes = Math.ceil((size + 2) / 8) * 8 + 8 * size;
    const want: Record<number, number> = { [block(56)]: 1 };
    want[block(valuesBytes)] = (want[block(valuesBytes)] ?? 0) + 1;
    expect(delta(b1, blocksBySize(interp))).toEqual(want);
    // Materialising __dict__ adds a dict (free list empty: a 64-byte block); the values move, not copied.
    const b2 = blocksBySize(interp);
    interp.dict.clearFreeList();
    const d = instance.dictOf(p);
    expect(delta(b2, blocksBySize(interp))).toEqual({ [block(64)]: 1 });
    rt.decref(d);
    for (const o of [s, p, warm]) rt.decref(o);
    rt.decref(one);
  });

  it('returns the allocator to its baseline after instances, attributes, dicts and slots are dropped', () => {
    const interp = interpreter(memory);
    const { instance, long, str, rt } = interp;
    const c = setupClasses(interp);
    const run = (): void => {
      const objs: number[] = [];
      for (let i = 0; i < 200; i++) {
        const cls = [c.P, c.S1, c.S2, c.S3, c.S1W, c.S1D][i % 6]!;
        const managed = cls === c.P || cls === c.S1D;
        const o = instance.new(cls);
        const v = i % 3 === 0 ? str.fromString(`value ${i}`) : long.fromNumber(i * 1000);
        instance.setAttr(o, 'a', v);
        if (managed) instance.setAttr(o, `a${i % 40}`, v);
        if (i % 7 === 0 && objs.length > 0) instance.setAttr(o, managed ? 'prev' : 'a', objs[objs.length - 1]!);
        if (i % 11 === 0 && managed) rt.decref(instance.dictOf(o));
        rt.decref(v);
        objs.push(o);
      }
      for (const o of objs.reverse()) rt.decref(o);
      interp.dict.clearFreeList();
    };
    // The first run enters the names into the classes' shared keys, which keep them (as in CPython).
    run();
    const before = footprint(interp);
    run();
    expect(footprint(interp)).toBe(before);
  });

  it('rejects bad input with typed errors and leaves the heap as it was', () => {
    const interp = interpreter(memory);
    const { instance, long, rt } = interp;
    const S = instance.defineClass({ name: 'S', slots: ['a'] });
    const W = instance.defineClass({ name: 'W', slots: ['__weakref__'] });
    const before = footprint(interp);
    const s = instance.new(S);
    const w = instance.new(W);
    const one = long.fromNumber(10 ** 6);
    expect([instance.check(s), instance.check(w), instance.check(one)]).toEqual([true, true, false]);
    expect(() => instance.setAttr(s, 'b', one)).toThrow("'S' object has no attribute 'b'");
    expect(() => instance.setAttr(s, 'b', one)).toThrow(AttributeError);
    expect(() => instance.delAttr(s, 'a')).toThrow(AttributeError);
    expect(() => instance.dictOf(s)).toThrow("'S' object has no attribute '__dict__'");
    expect(() => instance.setAttr(w, '__weakref__', one)).toThrow("attribute '__weakref__' of 'W' objects is not writable");
    expect(() => instance.setAttr(s, one, one)).toThrow("attribute name must be string, not 'int'");
    expect(() => instance.getAttr(s, one)).toThrow(InvalidArgumentError);
    expect(() => instance.setAttr(s, 'a', 0)).toThrow(InvalidArgumentError);
    expect(() => instance.getAttr(one, 'a')).toThrow('expected an instance of a user class, got a int object');
    expect(() => instance.new(interp.long.type)).toThrow(InvalidArgumentError);
    expect(() => instance.defineClass({ name: 'B', slots: ['1a'] })).toThrow('__slots__ must be identifiers');
    expect(() => instance.defineClass({ name: 'B', slots: ['__dict__', '__dict__'] })).toThrow('__dict__ slot disallowed: we already got one');
    expect(() => instance.defineClass({ name: 'B', slots: ['__weakref__', '__weakref__'] })).toThrow('__weakref__ slot disallowed');
    expect(() => instance.defineClass({ name: 'B', slots: ['__dict__'], dict: false })).toThrow(InvalidArgumentError);
    expect(() => instance.defineClass({ name: '' })).toThrow(InvalidArgumentError);
    expect(instance.getAttr(s, 'a')).toBe(0);
    expect(rt.refcnt(one)).toBe(1);
    for (const o of [s, w, one]) rt.decref(o);
    expect(footprint(interp)).toBe(before);
  });
});
