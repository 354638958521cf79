// The collector's schedules (lib/objects/gcPolicy.ts, lib/gc/incremental.ts):
// each policy's thresholds and gc module answers as that CPython version
// gives them, when its automatic collections start on known allocation
// patterns, 3.14's work accounting against a transcription of
// assess_work_to_do, and — a property test against a reachability model —
// that under every policy collections free only garbage, and a final full
// collection exactly the garbage, the same objects under each.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../lib/errors.js';
import { gcListViolations, installGc } from '../lib/gc/index.js';
import { GcList } from '../lib/gc/gcList.js';
import { SCAN_RATE_DIVISOR } from '../lib/gc/incremental.js';
import { fillBytes } from '../lib/allocator/access.js';
import { GC_POLICIES, type GcPolicyName } from '../lib/objects/gcPolicy.js';
import { Interpreter } from '../lib/objects/interpreter.js';
import { declareObjectStruct, obSize, PyVarObject } from '../lib/objects/layout.js';
import { Py_TPFLAGS_HAVE_GC, type PyTypeObject } from '../lib/objects/type.js';
import { Python } from '../lib/python.js';

const POLICIES = Object.keys(GC_POLICIES) as GcPolicyName[];

const Node = declareObjectStruct({
  name: 'PolicyNode',
  fields: [
    { name: 'ob_base', type: PyVarObject, meaning: 'ob_size: the edges' },
    { name: 'id', type: 'i64', meaning: "the node's id" },
  ],
  tail: { name: 'items', type: 'ptr', meaning: 'the edges (0: none)', length: (op): number => obSize.get(op) },
});
const nodeId = Node.field('id');
const nodeItems = Node.array('items');
const SLOTS = 2;

/** A container that always goes through _PyObject_GC_NewVar (no free list), recording the id of each one freed. */
function nodeType(interp: Interpreter, freed: number[]): PyTypeObject {
  return interp.rt.registerType({
    name: 'policy_node',
    basicsize: Node.size,
    layout: Node,
    itemsize: 8,
    flags: Py_TPFLAGS_HAVE_GC,
    dealloc: (rt, op) => {
      rt.gcUntrack(op);
      if (rt.trashcanBegin(op)) return;
      freed.push(nodeId.get(op));
      for (let i = SLOTS - 1; i >= 0; i--) rt.xdecref(nodeItems.get(op, i));
      rt.gcDel(op);
      rt.trashcanEnd();
    },
    traverse: (_rt, op, visit) => {
      for (let i = 0; i < SLOTS; i++) {
        const v = nodeItems.get(op, i);
        if (v !== 0) {
          const r = visit(v);
          if (r !== 0) return r;
        }
      }
      return 0;
    },
    clear: (rt, op) => {
      for (let i = 0; i < SLOTS; i++) {
        const v = nodeItems.get(op, i);
        nodeItems.set(op, i, 0);
        rt.xdecref(v);
      }
    },
  });
}

/** A space of one policy with the node type; `make()` allocates one tracked node (one GC allocation). */
function space(policy: GcPolicyName) {
  const interp = new Interpreter({ memory: 'fake', gcPolicy: policy });
  const gc = installGc(interp);
  const freed: number[] = [];
  const type = nodeType(interp, freed);
  let ids = 0;
  const make = (): number => {
    const op = interp.rt.gcNewVar(type, SLOTS);
    nodeId.set(op, ids++);
    fillBytes(nodeItems.at(op, 0), 8 * SLOTS, 0);
    interp.rt.gcTrack(op);
    return op;
  };
  const link = (a: number, slot: number, b: number): void => {
    interp.rt.incref(b);
    const old = nodeItems.get(a, slot);
    nodeItems.set(a, slot, b);
    interp.rt.xdecref(old);
  };
  /** Each automatic collection's generation and the allocation (1-based, since the log started) that set it off. */
  const log: { generation: number; at: number }[] = [];
  let allocations = 0;
  gc.callbacks.push((phase, info) => {
    if (phase === 'start') log.push({ generation: info.generation, at: allocations });
  });
  const alloc = (n: number): number[] => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      allocations++;
      out.push(make());
    }
    return out;
  };
  /** Empties the young generation and restarts the log and the allocation count. */
  const reset = (): void => {
    gc.collect();
    log.length = 0;
    allocations = 0;
  };
  return { interp, gc, freed, make, link, log, alloc, reset };
}

describe('policy selection', () => {
  it('Python and Interpreter take gcPolicy; the default is 3.11', () => {
    using py = new Python({ memory: 'fake' });
    expect(py.gc.getThreshold()).toEqual([700, 10, 10]);
    using py13 = new Python({ memory: 'fake', gcPolicy: '3.13' });
    expect(py13.gc.getThreshold()).toEqual([2000, 10, 10]);
    using py14 = new Python({ memory: 'fake', gcPolicy: '3.14' });
    expect(py14.gc.getThreshold()).toEqual([2000, 10, 0]);
  });

  it('an unknown policy is an InvalidArgumentError, before any memory is taken', () => {
    for (const bad of ['3.12', 3.11, '', null]) {
      expect(() => new Interpreter({ memory: 'fake', gcPolicy: bad as never })).toThrow(InvalidArgumentError);
    }
  });
});

describe.each(['3.11', '3.13'] as const)('the generational schedule of %s', (policy) => {
  const t0 = GC_POLICIES[policy].thresholds[0];

  it(`the first automatic collection is of generation 0, at the ${t0 + 1}th net container allocation`, () => {
    const s = space(policy);
    try {
      s.reset();
      const kept = s.alloc(t0);
      expect(s.log).toEqual([]);
      expect(s.gc.getCount()[0]).toBe(t0);
      s.alloc(1);
      expect(s.log).toEqual([{ generation: 0, at: t0 + 1 }]);
      expect(s.gc.getCount()).toEqual([0, 1, 0]);
      expect(kept.length).toBe(t0);
    } finally {
      s.interp.dispose();
    }
  });

  it('deallocations count down: 1000 made and dropped between allocations move the first collection 0 allocations later', () => {
    const s = space(policy);
    try {
      s.reset();
      s.alloc(t0 - 10);
      // Made and dropped at once: each counts up and down again.
      for (let i = 0; i < 1000; i++) s.interp.rt.decref(s.alloc(1)[0]!);
      expect(s.log).toEqual([]);
      expect(s.gc.getCount()[0]).toBe(t0 - 10);
      s.alloc(11);
      expect(s.log.map((e) => e.generation)).toEqual([0]);
    } finally {
      s.interp.dispose();
    }
  });

  it('generation 1 after 11 collections of generation 0 (its count over 10)', () => {
    const s = space(policy);
    try {
      s.reset();
      s.alloc((t0 + 1) * 12);
      expect(s.log.map((e) => e.generation)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
      expect(s.log.map((e) => e.at)).toEqual(Array.from({ length: 12 }, (_, i) => (t0 + 1) * (i + 1)));
    } finally {
      s.interp.dispose();
    }
  });

  it('generation 2 waits, over its threshold, until long_lived_pending reaches long_lived_total / 4', () => {
    const s = space(policy);
    try {
      s.alloc(4000); // held: the next full collection keeps them (long_lived_total)
      s.reset();
      const st = s.interp.rt.gc;
      const total = st.longLivedTotal;
      expect(total).toBeGreaterThan(4000);
      // Garbage cycles only: generation 0 frees them, nothing survives into generation 2.
      while (s.gc.getCount()[2] <= 10 || s.log.length < 200) {
        const [a, b] = s.alloc(2) as [number, number];
        s.link(a, 0, b);
        s.link(b, 0, a);
        s.interp.rt.decref(a);
        s.interp.rt.decref(b);
      }
      expect(s.log.some((e) => e.generation === 2)).toBe(false);
      expect(st.longLivedPending).toBeLessThan(Math.floor(total / 4));
      // Held objects: gen-1 collections move them on until pending passes a quarter of the total.
      while (!s.log.some((e) => e.generation === 2)) s.alloc(1);
      expect(st.longLivedPending).toBe(0);
      expect(st.longLivedTotal).toBeGreaterThan(total + Math.floor(total / 4));
    } finally {
      s.interp.dispose();
    }
  });
});

describe('the incremental schedule of 3.14', () => {
  it('gc module answers: get_threshold third 0, set_threshold keeps it 0, get_objects(1) empty, get_count (young, visited, pending)', () => {
    const s = space('3.14');
    try {
      s.gc.setThreshold(1, 2, 3);
      expect(s.gc.getThreshold()).toEqual([1, 2, 0]);
      s.gc.setThreshold(2000, 10);
      s.gc.disable();
      s.reset();
      const a = s.alloc(3);
      expect(s.gc.getObjects(0)).toEqual(a);
      s.gc.collect(0);
      expect(s.gc.getCount()).toEqual([0, 1, 0]);
      expect(s.gc.getObjects(0)).toEqual([]);
      expect(s.gc.getObjects(1)).toEqual([]);
      expect(s.gc.getObjects(2)).toEqual(expect.arrayContaining(a));
      expect(s.gc.getStats().map((x) => x.collections)).toEqual([1, 0, 1]);
      s.gc.collect(2);
      expect(s.gc.getCount()).toEqual([0, 0, 0]);
    } finally {
      s.interp.dispose();
    }
  });

  it('every automatic collection is an increment, at the 2001st net allocation; the first marks and counts in no statistics', () => {
    const s = space('3.14');
    try {
      s.reset();
      const stats0 = s.gc.getStats()[1]!.collections;
      s.alloc(2000);
      expect(s.log).toEqual([]);
      s.alloc(1);
      expect(s.log).toEqual([{ generation: 1, at: 2001 }]);
      expect(s.gc.getStats()[1]!.collections).toBe(stats0);
      expect(s.interp.rt.gc.incremental!.phase).toBe('collect');
      expect(s.gc.getCount()[0]).toBe(0);
      const last = s.alloc(2001).at(-1);
      expect(s.log.map((e) => e.generation)).toEqual([1, 1]);
      expect(s.gc.getStats()[1]!.collections).toBe(stats0 + 1);
      // The allocation that set the increment off is tracked after it (pymem collects inside
      // the allocation; CPython at the next eval-breaker check, once it is tracked).
      expect(s.gc.getObjects(0)).toEqual([last]);
    } finally {
      s.interp.dispose();
    }
  });

  it('increment sizes follow assess_work_to_do until the pending half is scavenged, then visited_space flips', () => {
    const s = space('3.14');
    try {
      const st = s.interp.rt.gc;
      const inc = st.incremental!;
      const lists = new GcList();
      const size = (n: number) => lists.size(st.genHead(n));
      s.gc.disable();
      s.alloc(10_000);
      s.gc.collect(2); // every object old and pending; work_to_do 0, phase MARK
      s.gc.enable();
      // A transcription of gc_collect_increment's accounting, for objects that all stay alive
      // and reference nothing (so an increment takes pending objects one by one).
      let w = 0;
      let phase: 'mark' | 'collect' = 'mark';
      let young = 0;
      let visited = size(1);
      let pending = size(2);
      const space0 = inc.visitedSpace;
      let flips = 0;
      const scale = Math.max(2, s.gc.getThreshold()[1]);
      for (let round = 0; round < 40; round++) {
        s.log.length = 0;
        s.alloc(2001);
        expect(s.log.map((e) => e.generation)).toEqual([1]);
        // At the trigger the 2001st object is counted but not yet tracked.
        young += 2000;
        const heap = st.heapSize;
        const fraction = Math.trunc(Math.trunc(heap / SCAN_RATE_DIVISOR) / scale);
        w += 2001 + Math.min(fraction, Math.trunc((2001 * 3) / 2));
        if (phase === 'mark') {
          phase = 'collect';
          young += 1;
        } else {
          const take = Math.min(pending, Math.max(0, w - young));
          const incrementSize = young + take;
          pending -= take;
          visited += incrementSize;
          young = 1;
          w += fraction - incrementSize;
          if (pending === 0) {
            [pending, visited, w, phase] = [visited, 0, 0, 'mark'];
            flips++;
          }
        }
        expect([round, size(0), size(1), size(2), inc.workToDo, inc.phase]).toEqual([round, young, visited, pending, w, phase]);
      }
      expect(flips).toBeGreaterThan(0);
      expect(inc.visitedSpace).toBe(flips % 2 === 0 ? space0 : space0 ^ 1);
      expect(gcListViolations(s.interp.rt)).toEqual([]);
    } finally {
      s.interp.dispose();
    }
  });

  it('a garbage cycle in the pending half is freed by the increments alone, within one scavenge', () => {
    const s = space('3.14');
    try {
      const inc = s.interp.rt.gc.incremental!;
      s.gc.disable();
      s.alloc(5000);
      const [a, b] = s.alloc(2) as [number, number];
      s.link(a, 0, b);
      s.link(b, 0, a);
      s.gc.collect(2); // the cycle is held: old, pending
      s.interp.rt.decref(a);
      s.interp.rt.decref(b);
      s.freed.length = 0;
      s.gc.enable();
      let flips = 0;
      let last = inc.visitedSpace;
      while (s.freed.length === 0 && flips < 2) {
        s.alloc(2001);
        if (inc.visitedSpace !== last) {
          flips++;
          last = inc.visitedSpace;
        }
      }
      expect(s.freed.sort()).toEqual([5000, 5001]);
      expect(flips).toBeLessThan(2);
    } finally {
      s.interp.dispose();
    }
  });
});

type Op =
  | { t: 'new' }
  | { t: 'link'; a: number; b: number; slot: number }
  | { t: 'unlink'; a: number; slot: number }
  | { t: 'drop'; a: number }
  | { t: 'collect'; gen: number }
  | { t: 'churn'; n: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ t: 'new' as const }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('link' as const), a: fc.nat(), b: fc.nat(), slot: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('unlink' as const), a: fc.nat(), slot: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('drop' as const), a: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('collect' as const), gen: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('churn' as const), n: fc.integer({ min: 1, max: 30 }) }) },
);

/**
 * The model: vertices with edges and external holds. dead = freed by
 * reference counting; garbage = alive by count but unreachable from a held
 * vertex. A collection may free any garbage and nothing else.
 */
class Model {
  readonly edges: number[][] = [];
  readonly holds: number[] = [];
  readonly dead = new Set<number>();
  private refcnt(v: number): number {
    let n = this.holds[v]!;
    this.edges.forEach((es, w) => {
      if (!this.dead.has(w)) for (const e of es) if (e === v) n++;
    });
    return n;
  }
  cascade(): void {
    for (let changed = true; changed; ) {
      changed = false;
      for (let v = 0; v < this.edges.length; v++) {
        if (!this.dead.has(v) && this.refcnt(v) === 0) {
          this.dead.add(v);
          changed = true;
        }
      }
    }
  }
  reachable(): Set<number> {
    const seen = new Set<number>();
    const work = this.holds.flatMap((h, v) => (h > 0 && !this.dead.has(v) ? [v] : []));
    for (const v of work) seen.add(v);
    while (work.length > 0) {
      for (const e of this.edges[work.pop()!]!) {
        if (e >= 0 && !seen.has(e)) {
          seen.add(e);
          work.push(e);
        }
      }
    }
    return seen;
  }
}

/** Runs ops under one policy (thresholds small, so automatic collections happen); returns the ids freed. */
function run(policy: GcPolicyName, ops: Op[]): number[] {
  const s = space(policy);
  try {
    const { rt } = s.interp;
    s.gc.setThreshold(7, 3, 3);
    const model = new Model();
    const ptrs: number[] = [];
    // What a program can still reach: the vertices reachable in the model. (Picking
    // unreachable garbage that a collection has not freed yet would make the
    // outcome depend on when each policy collects.)
    const alive = () => {
      const reach = model.reachable();
      return ptrs.map((_, v) => v).filter((v) => reach.has(v) && !s.freed.includes(v));
    };
    const pick = (i: number): number | undefined => {
      const a = alive();
      return a.length === 0 ? undefined : a[i % a.length];
    };
    const check = () => {
      const reach = model.reachable();
      const freed = new Set(s.freed);
      // Everything reference counting freed is gone; nothing reachable is; the rest of what is gone was garbage.
      for (const v of model.dead) expect(freed.has(v)).toBe(true);
      for (const v of reach) expect(freed.has(v), `reachable ${v} freed`).toBe(false);
      expect(gcListViolations(rt)).toEqual([]);
    };
    const newVertex = (held: boolean): void => {
      const v = ptrs.length;
      ptrs.push(s.make());
      model.edges.push(new Array<number>(SLOTS).fill(-1));
      model.holds.push(1);
      if (!held) {
        model.holds[v] = 0;
        model.cascade();
        rt.decref(ptrs[v]!);
      }
    };
    for (const op of ops) {
      switch (op.t) {
        case 'new':
          newVertex(true);
          break;
        case 'churn':
          for (let i = 0; i < op.n; i++) newVertex(false);
          break;
        case 'link': {
          const a = pick(op.a);
          const b = pick(op.b);
          if (a === undefined || b === undefined) break;
          const slot = op.slot % SLOTS;
          model.edges[a]![slot] = b;
          model.cascade();
          s.link(ptrs[a]!, slot, ptrs[b]!);
          break;
        }
        case 'unlink': {
          const a = pick(op.a);
          if (a === undefined) break;
          const slot = op.slot % SLOTS;
          const old = nodeItems.get(ptrs[a]!, slot);
          model.edges[a]![slot] = -1;
          nodeItems.set(ptrs[a]!, slot, 0);
          model.cascade();
          rt.xdecref(old);
          break;
        }
        case 'drop': {
          const held = alive().filter((v) => model.holds[v]! > 0);
          if (held.length === 0) break;
          const a = held[op.a % held.length]!;
          model.holds[a]!--;
          model.cascade();
          rt.decref(ptrs[a]!);
          break;
        }
        case 'collect':
          s.gc.collect(op.gen);
          break;
      }
      check();
    }
    s.gc.collect();
    check();
    // After a full collection exactly the dead and the garbage are gone.
    const reach = model.reachable();
    expect(s.freed.slice().sort((x, y) => x - y)).toEqual(ptrs.map((_, v) => v).filter((v) => !reach.has(v)));
    return s.freed.slice().sort((x, y) => x - y);
  } finally {
    s.interp.dispose();
  }
}

describe('every policy against a reachability model', () => {
  it('random graphs with automatic collections: only garbage is freed, a full collection frees all of it, the same under each policy', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 100 }), (ops) => {
        const [first, ...rest] = POLICIES.map((p) => run(p, ops));
        for (const r of rest) expect(r).toEqual(first);
      }),
      { numRuns: 150 },
    );
  });
});
