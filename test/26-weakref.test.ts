// weakref.ref as CPython 3.11 (lib/objects/types/weakref.ts): the 64-byte
// PyWeakReference behind its GC head, the referent's list at
// tp_weaklistoffset, the basic ref that weakref.ref(o) hands out again,
// callbacks newest first when the referent dies (one that throws reported
// as unraisable, the others still run), _PyWeakref_ClearRef for the gc, and
// a fast-check model: random acyclic object graphs with weakrefs, dropped in
// random order — every weakref to a dead object reads None, every live one
// its object, each callback runs exactly when CPython's would, and the
// allocator returns to its baseline.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../lib/errors.js';
import { Interpreter } from '../lib/objects/interpreter.js';
import { PyWeakReference } from '../lib/objects/types/weakref.js';
import { type GoldenCase, loadGolden } from './support/golden.js';
import { footprint } from './support/footprint.js';
import { pointerSlot } from '../lib/objects/layout.js';

interface Golden {
  getsizeof: { cases: GoldenCase[] };
}

const golden = loadGolden<Golden>();

const MEMORIES = ['fake', 'native'] as const;

/** golden.json's weakref and built-in function cases, as recorded from CPython 3.11.7. */
const WEAKREF_CASES: GoldenCase[] = [
  { expr: 'len', size: 72, type: 'builtin_function_or_method', __sizeof__: 56, gc_tracked: true },
  { expr: 'weakref.ref(wr_target)', size: 80, type: 'ReferenceType', __sizeof__: 64, gc_tracked: true },
  { expr: 'weakref.ref(wr_target, lambda r: None)', size: 80, type: 'ReferenceType', __sizeof__: 64, gc_tracked: true },
];


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

describe.each(MEMORIES)('weakref.ref as CPython 3.11 (%s memory)', (memory) => {
  it("reproduces golden.json's weakref.ref cases (80 bytes, tracked) and lays callbacks out as built-in functions", () => {
    const interp = interpreter(memory);
    const { instance, weakref, rt } = interp;
    const P = instance.defineClass({ name: 'P' });
    const wrTarget = instance.new(P);
    const catalog = golden?.getsizeof.cases ?? WEAKREF_CASES;
    const cases = catalog.filter((c) => WEAKREF_CASES.some((w) => w.expr === c.expr));
    expect(cases.map((c) => c.expr)).toEqual(WEAKREF_CASES.map((c) => c.expr));
    for (const c of cases) {
      const op =
        c.expr === 'len'
          ? weakref.newCallback(() => {})
          : c.expr === 'weakref.ref(wr_target)'
            ? weakref.newRef(wrTarget)
            : weakref.newRef(wrTarget, () => {});
      expect({
        expr: c.expr,
        size: interp.getsizeof(op),
        sizeof: interp.sizeofObject(op),
        tracked: rt.gc.isTracked(op),
        type: rt.typeOf(op).name.split('.').pop(),
      }).toEqual({ expr: c.expr, size: c.size, sizeof: c.__sizeof__, tracked: c.gc_tracked, type: c.type });
      rt.decref(op);
    }
    rt.decref(wrTarget);
  });

  it('lays a weakref out as PyWeakReference and links it into the referent at tp_weaklistoffset', () => {
    const interp = interpreter(memory);
    const { instance, weakref, rt } = interp;
    const P = instance.defineClass({ name: 'P' });
    const o = instance.new(P);
    const r = weakref.newRef(o);
    expect(pointerSlot.get(o, P.weaklistoffset)).toBe(r);
    expect([PyWeakReference.field('wr_object').get(r), PyWeakReference.field('wr_callback').get(r), PyWeakReference.field('wr_prev').get(r), PyWeakReference.field('wr_next').get(r)]).toEqual([o, 0, 0, 0]);
    expect(PyWeakReference.field('hash').get(r)).toBe(-1);
    // hash(ref) caches the referent's hash; == compares referents while they live.
    expect(interp.hash(r)).toBe(interp.hash(o));
    expect(PyWeakReference.field('hash').get(r)).toBe(interp.hash(o));
    const r2 = weakref.newRef(o, () => {});
    expect(interp.eq(r, r2)).toBe(true);
    expect(weakref.callbackOf(r2)).not.toBe(0);
    expect([PyWeakReference.field('wr_next').get(r), PyWeakReference.field('wr_prev').get(r2)]).toEqual([r2, r]);
    // `__weakref__` is the head of the list.
    expect(instance.getAttr(o, '__weakref__')).toBe(r);
    rt.decref(o);
    expect([PyWeakReference.field('wr_object').get(r), PyWeakReference.field('wr_object').get(r2)]).toEqual([interp.singletons.None, interp.singletons.None]);
    expect(interp.eq(r, r2)).toBe(false);
    // The hash stays cached after death; a ref that never hashed cannot any more.
    expect(interp.hash(r)).not.toBe(-1);
    expect(() => interp.hash(r2)).toThrow('weak object has gone away');
    rt.decref(r);
    rt.decref(r2);
  });

  it('reuses the basic ref; refs with callbacks are new and go after it, newest first', () => {
    const interp = interpreter(memory);
    const { instance, weakref, rt, singletons } = interp;
    const P = instance.defineClass({ name: 'P' });
    const o = instance.new(P);
    const r1 = weakref.newRef(o, () => {});
    const r2 = weakref.newRef(o, () => {});
    const r0 = weakref.newRef(o);
    expect(weakref.newRef(o)).toBe(r0);
    expect(weakref.newRef(o, singletons.None)).toBe(r0);
    expect(rt.refcnt(r0)).toBe(3);
    const r3 = weakref.newRef(o, () => {});
    // weakref.getweakrefs(c) == [r0, r3, r2, r1] in CPython 3.11.
    expect(weakref.getWeakrefs(o)).toEqual([r0, r3, r2, r1]);
    expect(weakref.weakrefCount(o)).toBe(4);
    expect(new Set([r0, r1, r2, r3]).size).toBe(4);
    rt.decref(r0);
    rt.decref(r0);
    rt.decref(o);
    for (const r of [r0, r1, r2, r3]) {
      expect(weakref.get(r)).toBe(singletons.None);
      rt.decref(r);
    }
  });

  it('clears every ref when the referent dies and calls the callbacks newest first, each with its ref', () => {
    const interp = interpreter(memory);
    const { instance, weakref, rt, singletons } = interp;
    const P = instance.defineClass({ name: 'P' });
    const before = footprint(interp);
    const o = instance.new(P);
    const ran: Array<[number, number]> = [];
    const r1 = weakref.newRef(o, (r) => ran.push([1, r]));
    const r2 = weakref.newRef(o, (r) => ran.push([2, r]));
    const r0 = weakref.newRef(o);
    const r3 = weakref.newRef(o, (r) => {
      // The ref is already dead when its callback runs.
      expect(weakref.get(r)).toBe(singletons.None);
      ran.push([3, r]);
    });
    expect(weakref.get(r3)).toBe(o);
    const got = weakref.call(r3);
    expect([got, rt.refcnt(o)]).toEqual([o, 2]);
    rt.decref(got);
    rt.decref(o);
    // CPython 3.11: [3, 2, 1].
    expect(ran).toEqual([
      [3, r3],
      [2, r2],
      [1, r1],
    ]);
    for (const r of [r0, r1, r2, r3]) {
      expect(weakref.get(r)).toBe(singletons.None);
      expect(weakref.callbackOf(r)).toBe(0);
      const none = weakref.call(r);
      expect(none).toBe(singletons.None);
      rt.decref(none);
      rt.decref(r);
    }
    // The callbacks' objects went with their refs.
    expect(footprint(interp)).toBe(before);
  });

  it('reports a callback that throws as unraisable while the others still run', () => {
    const interp = interpreter(memory);
    const { instance, weakref, rt } = interp;
    const C = instance.defineClass({ name: 'C' });
    const c = instance.new(C);
    const ran: string[] = [];
    const bad = weakref.newCallback(function bad() {
      throw new Error('ValueError: x');
    });
    const ra = weakref.newRef(c, () => ran.push('a'));
    const rb = weakref.newRef(c, bad);
    const rc = weakref.newRef(c, () => ran.push('c'));
    expect(rt.refcnt(bad)).toBe(2);
    rt.decref(c);
    // CPython 3.11: ran == ['c', 'a'], one unraisable error whose object is `bad`.
    expect(ran).toEqual(['c', 'a']);
    expect(weakref.unraisable).toHaveLength(1);
    expect(weakref.unraisable[0]).toMatchObject({ errMsg: null, object: bad, objectRepr: '<built-in function bad>' });
    expect(String(weakref.unraisable[0]!.error)).toContain('ValueError: x');
    // The refs gave up their callbacks.
    expect(rt.refcnt(bad)).toBe(1);
    for (const r of [ra, rb, rc, bad]) rt.decref(r);
  });

  it('calls the callback of a lone ref, and never that of a ref that died first', () => {
    const interp = interpreter(memory);
    const { instance, weakref, rt } = interp;
    const P = instance.defineClass({ name: 'P' });
    const before = footprint(interp);
    const ran: number[] = [];
    const a = instance.new(P);
    const ra = weakref.newRef(a, (r) => ran.push(r));
    rt.decref(a);
    expect(ran).toEqual([ra]);
    rt.decref(ra);
    // A ref dropped before its referent leaves the list: no callback, the others keep their places.
    const b = instance.new(P);
    const rb1 = weakref.newRef(b, () => ran.push(-1));
    const rb2 = weakref.newRef(b, (r) => ran.push(r));
    const rb3 = weakref.newRef(b, () => ran.push(-3));
    rt.decref(rb1);
    rt.decref(rb3);
    expect(weakref.getWeakrefs(b)).toEqual([rb2]);
    rt.decref(b);
    expect(ran).toEqual([ra, rb2]);
    rt.decref(rb2);
    expect(footprint(interp)).toBe(before);
  });

  it('gives the gc what it needs: _PyWeakref_ClearRef keeps the callback, traverse visits it, clear drops it', () => {
    const interp = interpreter(memory);
    const { instance, weakref, rt, singletons } = interp;
    const P = instance.defineClass({ name: 'P' });
    const o = instance.new(P);
    const ran: number[] = [];
    const r = weakref.newRef(o, (x) => ran.push(x));
    const cb = weakref.callbackOf(r);
    const visited: number[] = [];
    rt.typeOf(r).traverse!(rt, r, (child) => {
      visited.push(child);
      return 0;
    });
    expect(visited).toEqual([cb]);
    weakref.clearRef(r);
    expect([weakref.get(r), weakref.callbackOf(r), weakref.weakrefCount(o)]).toEqual([singletons.None, cb, 0]);
    // handle_weakrefs then calls it itself.
    weakref.handleCallback(r, cb);
    expect(ran).toEqual([r]);
    rt.typeOf(r).clear!(rt, r);
    expect(weakref.callbackOf(r)).toBe(0);
    rt.decref(o);
    expect(ran).toEqual([r]);
    rt.decref(r);
  });

  it('supports weakrefs to weakrefable types only', () => {
    const interp = interpreter(memory);
    const { instance, weakref, long, rt } = interp;
    const S1 = instance.defineClass({ name: 'S1', slots: ['a'] });
    const S1W = instance.defineClass({ name: 'S1W', slots: ['a', '__weakref__'] });
    const before = footprint(interp);
    const s = instance.new(S1);
    const n = long.fromNumber(10 ** 6);
    expect(() => weakref.newRef(s)).toThrow("cannot create weak reference to 'S1' object");
    expect(() => weakref.newRef(n, () => {})).toThrow("cannot create weak reference to 'int' object");
    expect(() => weakref.newRef(0)).toThrow(InvalidArgumentError);
    expect(() => weakref.get(s)).toThrow('expected a weakref, got a S1 object');
    expect(() => weakref.newCallback(42 as never)).toThrow(InvalidArgumentError);
    expect(() => weakref.clearWeakrefs(s)).toThrow(InvalidArgumentError);
    expect([weakref.weakrefCount(s), weakref.getWeakrefs(n)]).toEqual([0, []]);
    // Slotted with __weakref__, and the callbacks themselves (built-in functions have m_weakreflist).
    const w = instance.new(S1W);
    const cb = weakref.newCallback(() => {});
    const rw = weakref.newRef(w, cb);
    const rcb = weakref.newRef(cb);
    rt.decref(cb);
    expect(weakref.get(rcb)).toBe(cb);
    rt.decref(rw);
    expect(weakref.get(rcb)).toBe(interp.singletons.None);
    rt.decref(w);
    // A callback that is not callable is reported when it would run.
    const w2 = instance.new(S1W);
    const rn = weakref.newRef(w2, n);
    rt.decref(w2);
    expect(weakref.unraisable.map((u) => String(u.error))).toEqual(["InvalidArgumentError: TypeError: 'int' object is not callable"]);
    for (const o of [rcb, rn, s, n]) rt.decref(o);
    expect(footprint(interp)).toBe(before);
  });
});

describe.each(MEMORIES)('weakrefs over random acyclic graphs (%s memory)', (memory) => {
  it('every weakref to a dead object reads None, every live one its object; callbacks run exactly as CPython would', () => {
    const interp = interpreter(memory);
    const { instance, weakref, rt, singletons } = interp;
    const A = instance.defineClass({ name: 'A' });
    const B = instance.defineClass({ name: 'B', slots: ['x', 'y', '__weakref__'] });
    // A's shared keys keep the names x and y once used.
    const warm = instance.new(A);
    instance.setAttr(warm, 'x', singletons.None);
    instance.setAttr(warm, 'y', singletons.None);
    rt.decref(warm);
    const baseline = footprint(interp);
    const graph = fc
      .integer({ min: 1, max: 12 })
      .chain((n) =>
        fc.record({
          objects: fc.array(
            fc.record({ slotted: fc.boolean(), x: fc.nat(), y: fc.nat(), hasX: fc.boolean(), hasY: fc.boolean() }),
            { minLength: n, maxLength: n },
          ),
          refs: fc.array(fc.record({ target: fc.nat({ max: n - 1 }), callback: fc.boolean() }), { maxLength: 16 }),
          order: fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
        }),
      );
    fc.assert(
      fc.property(graph, ({ objects, refs, order }) => {
        const n = objects.length;
        // Strong edges go only to earlier objects, so the graph has no cycle.
        const edges: number[][] = objects.map((o, i) => {
          const e: number[] = [];
          if (i > 0 && o.hasX) e.push(o.x % i);
          if (i > 0 && o.hasY) e.push(o.y % i);
          return e;
        });
        const ptr: number[] = [];
        objects.forEach((o, i) => {
          const op = instance.new(o.slotted ? B : A);
          ptr.push(op);
          edges[i]!.forEach((j, k) => instance.setAttr(op, k === 0 ? 'x' : 'y', ptr[j]!));
        });
        const calls: number[] = [];
        const handles = refs.map((r, k) => ({
          target: r.target,
          callback: r.callback,
          ref: r.callback ? weakref.newRef(ptr[r.target]!, (x) => calls.push(x)) : weakref.newRef(ptr[r.target]!),
          created: k,
        }));
        // External references: one per object, one per weakref handle; dropped in a random order.
        const heldRefs = new Set<number>(handles.map((_, k) => k));
        const dropOrder: Array<['obj' | 'ref', number]> = [...objects.map((_, i) => ['obj', i] as ['obj', number]), ...handles.map((_, k) => ['ref', k] as ['ref', number])];
        for (let i = dropOrder.length - 1; i > 0; i--) {
          const j = order[i % order.length]! % (i + 1);
          [dropOrder[i], dropOrder[j]] = [dropOrder[j]!, dropOrder[i]!];
        }
        // The model: counts of external references and edges; a count reaching 0 kills the object,
        // which runs its live callback refs newest first (PyObject_ClearWeakRefs), then drops
        // its references in attribute order (x, then y), depth first, as subtype_dealloc does.
        const count = objects.map(() => 1);
        for (const e of edges) for (const j of e) count[j]!++;
        const alive = objects.map(() => true);
        const expectedCalls: number[] = [];
        const decrefModel = (i: number): void => {
          if (--count[i]! !== 0) return;
          alive[i] = false;
          const cbs = handles.filter((h, hk) => h.target === i && h.callback && heldRefs.has(hk)).sort((a, b) => b.created - a.created);
          expectedCalls.push(...cbs.map((h) => h.ref));
          for (const j of edges[i]!) decrefModel(j);
        };
        for (const [kind, k] of dropOrder) {
          if (kind === 'obj') {
            decrefModel(k);
            rt.decref(ptr[k]!);
          } else {
            heldRefs.delete(k);
            rt.decref(handles[k]!.ref);
          }
          for (const hk of heldRefs) {
            const h = handles[hk]!;
            if (weakref.get(h.ref) !== (alive[h.target] ? ptr[h.target] : singletons.None)) return false;
          }
          for (let i = 0; i < n; i++) {
            if (!alive[i]) continue;
            const live = new Set(handles.filter((h, hk) => h.target === i && heldRefs.has(hk)).map((h) => h.ref));
            if (weakref.weakrefCount(ptr[i]!) !== live.size) return false;
          }
        }
        expect(calls).toEqual(expectedCalls);
        expect(weakref.unraisable).toEqual([]);
        expect(footprint(interp)).toBe(baseline);
        return true;
      }),
      { numRuns: memory === 'fake' ? 300 : 100 },
    );
  });
});
