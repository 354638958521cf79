// The collector (lib/gc/collector.ts) as CPython 3.11's gc_collect_main:
// cycles of lists, tuples and a test-only container type are freed and
// nothing else is; collect() return values and a second collect of 0;
// survivors moving up the generations with 3.11's counters; the
// long-lived rule that delays full collections; tuple and dict untracking;
// legacy finalizers (tp_del) into gc.garbage; PEP 442 finalizers once per
// object, with resurrection; errors in finalizers and tp_clear reported and
// survived; arenas handed back to the OS; a 1,000,000-node ring and a
// 1,000,000-deep chain without recursion. Every test ends with the gc lists
// validated (validate.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { installGc, gcListViolations, type GcModule } from '../lib/gc/index.js';
import { Interpreter } from '../lib/objects/interpreter.js';
import { fillBytes } from '../lib/allocator/access.js';
import { obSize } from '../lib/objects/layout.js';
import { Node, nodeId, nodeItems } from './support/gcNode.js';
import type { Runtime } from '../lib/objects/runtime.js';
import { Py_TPFLAGS_HAVE_GC, type PyTypeObject, type TypeSlots } from '../lib/objects/type.js';

const MEMORIES = ['fake', 'native'] as const;


interface NodeOptions {
  name?: string;
  /** tp_finalize (PEP 442). */
  finalize?: (op: number) => void;
  /** tp_del: a legacy finalizer (its cycles are uncollectable). */
  legacyDel?: boolean;
  /** tp_clear: absent ('none'), or one that throws before clearing ('throw'). */
  clear?: 'normal' | 'none' | 'throw';
}

/** A test-only container type: [header | ob_size | id | items...], traverse/clear/dealloc (with the trashcan). */
class Nodes {
  readonly type: PyTypeObject;
  /** Ids of the nodes deallocated, in order. */
  readonly freed: number[] = [];
  private nextId = 1;
  constructor(
    readonly interp: Interpreter,
    opts: NodeOptions = {},
  ) {
    const items = (_rt: Runtime, op: number) => obSize.get(op);
    const slots: TypeSlots = {
      name: opts.name ?? 'node',
      basicsize: Node.size,
      layout: Node,
      itemsize: 8,
      flags: Py_TPFLAGS_HAVE_GC,
      dealloc: (rt, op) => {
        rt.gcUntrack(op);
        if (rt.trashcanBegin(op)) return;
        this.freed.push(nodeId.get(op));
        for (let i = items(rt, op) - 1; i >= 0; i--) rt.xdecref(nodeItems.get(op, i));
        rt.gcDel(op);
        rt.trashcanEnd();
      },
      traverse: (rt, op, visit) => {
        const n = items(rt, op);
        for (let i = 0; i < n; i++) {
          const v = nodeItems.get(op, i);
          if (v !== 0) {
            const r = visit(v);
            if (r !== 0) return r;
          }
        }
        return 0;
      },
    };
    if (opts.clear !== 'none') {
      slots.clear = (rt, op) => {
        if (opts.clear === 'throw') throw new Error('clear failed');
        const n = items(rt, op);
        for (let i = 0; i < n; i++) {
          const v = nodeItems.get(op, i);
          nodeItems.set(op, i, 0);
          rt.xdecref(v);
        }
      };
    }
    if (opts.finalize) {
      const fin = opts.finalize;
      slots.finalize = (_rt, op) => fin(op);
    }
    if (opts.legacyDel) slots.del = () => {};
    this.type = interp.rt.registerType(slots);
  }
  /** A new tracked node with n empty edges. New reference. */
  make(n = 2): number {
    const rt = this.interp.rt;
    const op = rt.gcNewVar(this.type, n);
    nodeId.set(op, this.nextId++);
    fillBytes(nodeItems.at(op, 0), 8 * n, 0);
    rt.gcTrack(op);
    return op;
  }
  /** op.items[i] = v (v borrowed; 0 clears). */
  link(op: number, i: number, v: number): void {
    const rt = this.interp.rt;
    rt.xincref(v);
    const old = nodeItems.get(op, i);
    nodeItems.set(op, i, v);
    rt.xdecref(old);
  }
  id(op: number): number {
    return nodeId.get(op);
  }
  edge(op: number, i: number): number {
    return nodeItems.get(op, i);
  }
}

/** Blocks in use per size class (less what free lists park) and raw blocks: what must come back after garbage is collected. */
function footprint(interp: Interpreter): string {
  const align = interp.rt.heap.profile.alignment;
  const parked = new Map<number, number>();
  const park = (bytes: number, n: number) => {
    const size = Math.ceil(bytes / align) * align;
    parked.set(size, (parked.get(size) ?? 0) + n);
  };
  park(16 + 40, interp.list.freeListSize());
  interp.tuple.freeListSizes().forEach((n, i) => park(16 + 24 + 8 * (i + 1), n));
  park(24, interp.float.freeListSize());
  park(16 + 48, interp.dict.freeListSize());
  const s = interp.rt.heap.debugMallocStats();
  const classes = s.classes.map((c) => [c.size, c.blocksInUse - (parked.get(c.size) ?? 0)]).filter(([, n]) => n !== 0);
  return JSON.stringify([classes, s.rawAllocatedBlocks]);
}

let open: Interpreter[] = [];
function setup(memory: 'fake' | 'native'): { interp: Interpreter; gc: GcModule; rt: Runtime } {
  const interp = new Interpreter({ memory });
  open.push(interp);
  const gc = installGc(interp);
  gc.collect();
  return { interp, gc, rt: interp.rt };
}
afterEach(() => {
  for (const i of open) {
    expect(gcListViolations(i.rt)).toEqual([]);
    i.dispose();
  }
  open = [];
});

describe.each(MEMORIES)('collect() over cycles (%s memory)', (memory) => {
  it('frees a self-referencing list and a list-tuple cycle; a second collect finds nothing; the blocks come back', () => {
    const { interp, gc, rt } = setup(memory);
    const { list, tuple } = interp;
    gc.disable();
    const base = footprint(interp);
    // l = []; l.append(l); del l
    const l = list.new(0);
    list.append(l, l);
    rt.decref(l);
    expect([gc.collect(), gc.collect()]).toEqual([1, 0]);
    // l = []; t = (l,); l.append(t); del l, t
    const l2 = list.new(0);
    const t = tuple.pack([l2]);
    list.append(l2, t);
    rt.decref(l2);
    rt.decref(t);
    expect([gc.collect(), gc.collect()]).toEqual([2, 0]);
    expect(footprint(interp)).toBe(base);
  });

  it('containers in raw blocks (over 512 bytes) collect as pymalloc ones do', () => {
    const { interp, gc, rt } = setup(memory);
    const { list, tuple } = interp;
    gc.disable();
    const base = footprint(interp);
    // l = []; t = (l,) * 100; l.append(t); del l, t — t is an 840-byte block of the raw domain
    const l = list.new(0);
    const t = tuple.pack(new Array<number>(100).fill(l));
    list.append(l, t);
    expect(rt.heap.debugMallocStats().rawAllocatedBlocks).toBeGreaterThan(0);
    rt.decref(l);
    rt.decref(t);
    expect([gc.collect(), gc.collect()]).toEqual([2, 0]);
    expect(footprint(interp)).toBe(base);
  });

  it('frees exactly the unreachable objects and leaves the reachable ones as they were', () => {
    const { interp, gc, rt } = setup(memory);
    gc.disable();
    const nodes = new Nodes(interp);
    const [a, b, c, d, e, g] = [1, 2, 3, 4, 5, 6].map(() => nodes.make());
    // Garbage: a <-> b, a -> c, a -> g (g held from outside).
    nodes.link(a, 0, b);
    nodes.link(b, 0, a);
    nodes.link(a, 1, c);
    nodes.link(b, 1, g);
    // Reachable: d <-> e, d held from outside.
    nodes.link(d, 0, e);
    nodes.link(e, 0, d);
    for (const o of [a, b, c, e]) rt.decref(o!);
    expect(gc.collect()).toBe(3);
    expect(nodes.freed.sort()).toEqual([1, 2, 3]);
    expect([rt.refcnt(d!), rt.refcnt(e!), rt.refcnt(g!)]).toEqual([2, 1, 1]);
    expect([nodes.edge(d!, 0), nodes.edge(e!, 0), nodes.edge(d!, 1)]).toEqual([e, d, 0]);
    expect(gc.collect()).toBe(0);
    rt.decref(d!);
    rt.decref(g!);
    expect(gc.collect()).toBe(2);
    expect(nodes.freed.length).toBe(6);
  });

  it('moves tentatively unreachable objects back when a later one reaches them (move_unreachable leaves them reversed)', () => {
    const { interp, gc, rt } = setup(memory);
    gc.disable();
    const nodes = new Nodes(interp);
    // A, B, C created in that order; C -> B -> A; only C is held from outside.
    const a = nodes.make(1);
    const b = nodes.make(1);
    const c = nodes.make(1);
    nodes.link(b, 0, a);
    nodes.link(c, 0, b);
    rt.decref(a);
    rt.decref(b);
    expect(gc.getObjects(0).slice(-3)).toEqual([a, b, c]);
    expect(gc.collect(0)).toBe(0);
    // "The key is that this dance leaves the objects in order C, B, A" (gcmodule.c).
    expect(gc.getObjects(1).slice(-3)).toEqual([c, b, a]);
    expect(nodes.freed).toEqual([]);
    rt.decref(c);
    expect(nodes.freed).toEqual([3, 2, 1]);
  });

  it('collects through every generation: survivors move up one, counts as 3.11 keeps them', () => {
    const { interp, gc, rt } = setup(memory);
    const { list } = interp;
    gc.disable();
    expect(gc.getCount()).toEqual([0, 0, 0]);
    const objs = [list.new(0), list.new(0), list.new(0)];
    expect(gc.getCount()).toEqual([3, 0, 0]);
    expect(gc.getObjects(0)).toEqual(objs);
    expect(gc.collect(0)).toBe(0);
    expect([gc.getCount(), gc.getObjects(0), gc.getObjects(1)]).toEqual([[0, 1, 0], [], objs]);
    expect(gc.collect(1)).toBe(0);
    expect([gc.getCount(), gc.getObjects(1), gc.getObjects(2).slice(-3)]).toEqual([[0, 0, 1], [], objs]);
    expect(gc.collect(2)).toBe(0);
    expect([gc.getCount(), gc.getObjects(2).slice(-3)]).toEqual([[0, 0, 0], objs]);
    // A younger collection leaves older garbage alone.
    const l = objs[0]!;
    list.append(l, l);
    rt.decref(l);
    expect([gc.collect(0), gc.collect(1), gc.collect(2)]).toEqual([0, 0, 1]);
    // The collected list went to the list free list, and the full collection's
    // clear_freelists emptied it (PyObject_GC_Del, never below 0): a new list is counted.
    expect(interp.list.freeListSize()).toBe(0);
    const x = list.new(0);
    expect(gc.getCount()[0]).toBe(1);
    // A GC deallocation (PyObject_GC_Del) takes one off generation 0's count.
    const nodes = new Nodes(interp);
    const n1 = nodes.make();
    const n2 = nodes.make();
    expect(gc.getCount()[0]).toBe(3);
    rt.decref(n1);
    rt.decref(n2);
    expect(gc.getCount()[0]).toBe(1);
    const n3 = nodes.make(); // then lists parked on the free list: not uncounted
    for (const o of [objs[1]!, objs[2]!, x]) rt.decref(o);
    expect(interp.list.freeListSize()).toBe(3);
    expect(gc.getCount()[0]).toBe(2);
    rt.decref(n3);
    expect(gc.getStats().map((s) => s.collections)).toEqual([2, 2, 3]);
  });

  it('runs automatic collections from allocations: gen 0 over its threshold, older gens by their counters', () => {
    const { interp, gc, rt } = setup(memory);
    const { list } = interp;
    const ran: number[] = [];
    gc.callbacks.push((phase, info) => {
      if (phase === 'start') ran.push(info.generation);
    });
    gc.setThreshold(5, 2, 1000);
    const keep: number[] = [];
    // An allocation that takes the count over 5 collects first (the new object is not counted):
    // every 6th allocation collects, generation 1 once its count is over 2.
    for (let i = 0; i < 6 * 4 + 2; i++) keep.push(list.new(0));
    expect(ran).toEqual([0, 0, 0, 1]);
    expect(gc.getCount()).toEqual([2, 0, 1]);
    gc.disable();
    for (let i = 0; i < 10; i++) keep.push(list.new(0));
    expect(ran).toEqual([0, 0, 0, 1]);
    gc.enable();
    // threshold0 = 0 turns automatic collection off too.
    gc.setThreshold(0);
    for (let i = 0; i < 10; i++) keep.push(list.new(0));
    expect(ran).toEqual([0, 0, 0, 1]);
    for (const o of keep) rt.decref(o);
  });

  it('delays full collections while long_lived_pending < long_lived_total / 4', () => {
    const { interp, gc, rt } = setup(memory);
    const { list } = interp;
    const st = rt.gc;
    gc.disable();
    const keep: number[] = [];
    for (let i = 0; i < 400; i++) keep.push(list.new(0));
    gc.collect();
    expect([st.longLivedTotal, st.longLivedPending]).toEqual([401, 0]); // and gc.garbage
    const ran: number[] = [];
    gc.callbacks.push((phase, info) => {
      if (phase === 'start') ran.push(info.generation);
    });
    gc.enable();
    gc.setThreshold(10, 1, 1);
    // Every 11th allocation collects (the first moves 10 objects, later ones 11); each gen-1
    // collection adds its survivors to long_lived_pending and one to gen 2's count.
    const young: number[] = [];
    const churn = (n: number) => {
      for (let i = 0; i < n; i++) young.push(list.new(0));
    };
    churn(11 * 3);
    expect(ran).toEqual([0, 0, 1]);
    expect([st.longLivedPending, gc.getCount()[2]]).toEqual([32, 1]);
    churn(11 * 3);
    expect(ran).toEqual([0, 0, 1, 0, 0, 1]);
    expect([st.longLivedPending, gc.getCount()[2]]).toEqual([65, 2]);
    // gen 2's count is over its threshold now, but 65, then 98, then 131 < 401 / 4 = 100... until it is not.
    churn(11 * 3 * 2);
    expect(ran).toEqual([0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1]);
    expect([st.longLivedPending, gc.getCount()[2]]).toEqual([131, 4]);
    churn(11);
    // 131 >= 100: the full collection runs, and resets the pending count.
    expect(ran.at(-1)).toBe(2);
    expect([st.longLivedPending, st.longLivedTotal, gc.getCount()]).toEqual([0, 401 + 142, [0, 0, 0]]);
    gc.disable();
    for (const o of [...keep, ...young]) rt.decref(o);
  });

  it('untracks tuples of atoms (untrack_tuples) in any collection, dicts (untrack_dicts) only in full ones', () => {
    const { interp, gc, rt } = setup(memory);
    const { tuple, list, dict, long, str } = interp;
    gc.disable();
    const one = long.fromNumber(1);
    const two = long.fromNumber(2);
    const atoms = tuple.pack([one, two]);
    const l = list.new(0);
    const withList = tuple.pack([l]);
    const inner = tuple.pack([one]);
    const outer = tuple.pack([inner, two]);
    rt.decref(inner);
    const unfilled = tuple.new(2);
    const tracked = (...ops: number[]) => ops.map((o) => gc.isTracked(o));
    expect(tracked(atoms, withList, inner, outer, unfilled)).toEqual([true, true, true, true, true]);
    expect(gc.collect(0)).toBe(0);
    // The outer tuple is scanned before its item is untracked (the reversed order of move_unreachable).
    expect(tracked(atoms, withList, inner, outer, unfilled)).toEqual([false, true, false, true, true]);
    expect(gc.collect(1)).toBe(0);
    expect(tracked(outer)).toEqual([false]);
    // d = {'a': tuple([1, 2])}
    const key = str.fromString('a');
    const t = tuple.pack([one, two]);
    const d = dict.new();
    dict.setItem(d, key, t);
    rt.decref(t);
    expect(tracked(d, t)).toEqual([true, true]);
    gc.collect(1);
    expect(tracked(d, t)).toEqual([true, false]);
    gc.collect(2);
    expect(tracked(d, t)).toEqual([false, false]);
    for (const o of [atoms, withList, l, outer, unfilled, key, d, one, two]) rt.decref(o);
  });
});

describe.each(MEMORIES)('finalizers (%s memory)', (memory) => {
  it('legacy finalizers (tp_del): the cycle and all it reaches are uncollectable; only tp_del objects go to gc.garbage', () => {
    const { interp, gc, rt } = setup(memory);
    gc.disable();
    const legacy = new Nodes(interp, { name: 'legacy', legacyDel: true });
    const plain = new Nodes(interp);
    const a = legacy.make();
    const b = plain.make();
    const c = plain.make();
    legacy.link(a, 0, b);
    plain.link(b, 0, a);
    plain.link(b, 1, c);
    // A separate plain cycle is still collected.
    const x = plain.make();
    plain.link(x, 0, x);
    for (const o of [a, b, c, x]) rt.decref(o);
    const before = gc.getStats()[2]!;
    expect(gc.collect()).toBe(4);
    expect(gc.getStats()[2]).toEqual({ collections: before.collections + 1, collected: before.collected + 1, uncollectable: before.uncollectable + 3 });
    expect(gc.garbageItems()).toEqual([a]);
    expect([legacy.freed, plain.freed]).toEqual([[], [plain.id(x)]]);
    // gc.garbage holds a now: the cycle is reachable.
    expect(gc.collect()).toBe(0);
    interp.list.clear(gc.garbage);
    // Uncollectable again once gc.garbage lets go.
    expect(gc.collect()).toBe(3);
    expect(gc.garbageItems()).toEqual([a]);
    // The programmer breaks the cycle by hand.
    interp.list.clear(gc.garbage);
    legacy.link(a, 0, 0);
    expect(legacy.freed.length + plain.freed.length).toBe(4);
    expect(gc.collect()).toBe(0);
  });

  it('tp_finalize runs once per object (PEP 442); a resurrected cycle survives, and is freed later without a second call', () => {
    const { interp, gc, rt } = setup(memory);
    gc.disable();
    const calls: number[] = [];
    const saved: number[] = [];
    const nodes: Nodes = new Nodes(interp, {
      finalize: (op) => {
        calls.push(nodes.id(op));
        if (saved.length < 2) {
          rt.incref(op);
          saved.push(op);
        }
      },
    });
    const a = nodes.make();
    const b = nodes.make();
    nodes.link(a, 0, b);
    nodes.link(b, 0, a);
    rt.decref(a);
    rt.decref(b);
    expect([gc.isFinalized(a), gc.isFinalized(b)]).toEqual([false, false]);
    expect(gc.collect()).toBe(0);
    expect([calls.length, nodes.freed, gc.isFinalized(a), gc.isFinalized(b), gc.isTracked(a)]).toEqual([2, [], true, true, true]);
    for (const o of saved.splice(0)) rt.decref(o);
    expect(gc.collect()).toBe(2);
    expect([calls.length, nodes.freed.sort()]).toEqual([2, [1, 2]]);
    expect(gc.collect()).toBe(0);
  });

  it('a finalizer that breaks its own cycle: the objects die during finalize_garbage and are not counted', () => {
    const { interp, gc, rt } = setup(memory);
    gc.disable();
    const nodes: Nodes = new Nodes(interp, { finalize: (op) => nodes.link(op, 0, 0) });
    const a = nodes.make();
    nodes.link(a, 0, a);
    rt.decref(a);
    expect(gc.collect()).toBe(0);
    expect(nodes.freed).toEqual([1]);
  });

  it('a finalizer or tp_clear that throws is reported as unraisable and the collection goes on', () => {
    const { interp, gc, rt } = setup(memory);
    gc.disable();
    const bad = new Nodes(interp, {
      name: 'bad',
      finalize: () => {
        throw new Error('finalizer failed');
      },
    });
    const stubborn = new Nodes(interp, { name: 'stubborn', clear: 'throw' });
    const plain = new Nodes(interp);
    const a = bad.make();
    const b = plain.make();
    bad.link(a, 0, b);
    plain.link(b, 0, a);
    const s = stubborn.make();
    const p = plain.make();
    stubborn.link(s, 0, p);
    plain.link(p, 0, s);
    for (const o of [a, b, s, p]) rt.decref(o);
    expect(gc.collect()).toBe(4);
    expect(gc.unraisable.map((u) => [(u.error as Error).message, u.errMsg])).toEqual([
      ['finalizer failed', null],
      ['clear failed', 'in tp_clear of'],
    ]);
    expect(gc.unraisable[1]!.objectRepr).toBe("<class 'stubborn'>");
    // The stubborn node could not clear itself, but its partner's tp_clear freed both.
    expect([bad.freed, stubborn.freed, plain.freed.length]).toEqual([[1], [1], 2]);
  });

  it('objects without tp_clear are freed once the others are cleared; survivors of delete_garbage go to the old generation', () => {
    const { interp, gc, rt } = setup(memory);
    gc.disable();
    const noclear = new Nodes(interp, { name: 'noclear', clear: 'none' });
    const plain = new Nodes(interp);
    // A cycle of objects none of which can clear: it stays, in generation 2.
    const a = noclear.make();
    noclear.link(a, 0, a);
    rt.decref(a);
    // A mixed cycle: plain's tp_clear frees it all.
    const b = noclear.make();
    const c = plain.make();
    noclear.link(b, 0, c);
    plain.link(c, 0, b);
    rt.decref(b);
    rt.decref(c);
    expect(gc.collect(0)).toBe(3);
    expect([noclear.freed, plain.freed]).toEqual([[2], [1]]);
    expect(gc.getObjects(1)).toContain(a);
    noclear.link(a, 0, 0);
    expect(noclear.freed).toEqual([2, 1]);
  });
});

describe('memory goes back to the OS', () => {
  it('100,000 garbage cycles: a full collection frees every block, and the arenas they took are unmapped', () => {
    const { interp, gc, rt } = setup('native');
    gc.disable();
    const nodes = new Nodes(interp);
    const stats = () => rt.heap.debugMallocStats();
    const base = [footprint(interp), stats().arenasAllocatedCurrent];
    for (let i = 0; i < 100_000; i++) {
      const a = nodes.make();
      const b = nodes.make();
      nodes.link(a, 0, b);
      nodes.link(b, 0, a);
      rt.decref(a);
      rt.decref(b);
    }
    expect(stats().arenasAllocatedCurrent).toBeGreaterThan(10);
    expect(gc.collect()).toBe(200_000);
    expect([footprint(interp), stats().arenasAllocatedCurrent]).toEqual(base);
  });
});

describe('no recursion on the JavaScript stack', () => {
  it('a 1,000,000-list ring: found alive, then collected', () => {
    const { interp, gc, rt } = setup('native');
    const { list } = interp;
    gc.disable();
    const N = 1_000_000;
    const first = list.new(0);
    let cur = first;
    for (let i = 1; i < N; i++) {
      const next = list.new(0);
      list.append(cur, next);
      rt.decref(next);
      cur = next;
    }
    list.append(cur, first);
    expect(gc.collect()).toBe(0);
    rt.decref(first);
    expect(gc.collect()).toBe(N);
    expect(gc.getObjects().length).toBe(1); // gc.garbage
  });

  it('a 1,000,000-deep chain hanging off a self-cycle: found alive, then collected (tp_clear cascades through the trashcan)', () => {
    const { interp, gc, rt } = setup('native');
    gc.disable();
    const nodes = new Nodes(interp);
    const N = 1_000_000;
    // The chain is built from its far end, so the generation list runs against it.
    let next = 0;
    for (let i = 1; i < N; i++) {
      const n = nodes.make(1);
      if (next !== 0) {
        nodes.link(n, 0, next);
        rt.decref(next);
      }
      next = n;
    }
    const head = nodes.make(2);
    nodes.link(head, 0, head);
    nodes.link(head, 1, next);
    rt.decref(next);
    expect(gc.collect()).toBe(0);
    rt.decref(head);
    expect(gc.collect()).toBe(N);
    expect(nodes.freed.length).toBe(N);
  });
});
