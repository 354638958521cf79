// A fast-check model of the collector: random graphs of lists and a
// test-only container type, with random links, unlinks, external
// references taken and dropped, and collections of random generations.
// The model tracks refcounts (with cascading frees), the generation of every
// object, and what each collection finds: the objects of the collected
// generations not reachable from an external reference or from an object
// of an older generation. After every step the real heap must agree: the
// collect() return value, exactly the unreachable objects freed (plus what
// only they held), every live object's refcount, edges and generation
// untouched, the gc lists valid. At the end everything is dropped, a full
// collection runs, and the allocator is back to its baseline.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gcListViolations, installGc, type GcModule } from '../lib/gc/index.js';
import { Interpreter } from '../lib/objects/interpreter.js';
import { fillBytes } from '../lib/allocator/access.js';
import { nodeId, nodeItems, nodeType } from './support/gcNode.js';

const NODE_SLOTS = 3;

type Op =
  | { t: 'new'; list: boolean }
  | { t: 'link'; a: number; b: number; slot: number }
  | { t: 'unlink'; a: number; slot: number }
  | { t: 'drop'; a: number }
  | { t: 'hold'; a: number }
  | { t: 'collect'; gen: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant('new' as const), list: fc.boolean() }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('link' as const), a: fc.nat(), b: fc.nat(), slot: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('unlink' as const), a: fc.nat(), slot: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('drop' as const), a: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('hold' as const), a: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('collect' as const), gen: fc.integer({ min: 0, max: 2 }) }) },
);

/** A vertex of the model: a node (NODE_SLOTS edges, -1 empty) or a list (its items in order). */
interface Vertex {
  readonly id: number;
  readonly list: boolean;
  readonly ptr: number;
  edges: number[];
  holds: number;
  gen: number;
  alive: boolean;
}

class Model {
  readonly vertices: Vertex[] = [];
  alive(): Vertex[] {
    return this.vertices.filter((v) => v.alive);
  }
  /** ob_refcnt as the model sees it: external holds plus edges from live vertices. */
  refcnt(v: Vertex): number {
    let n = v.holds;
    for (const w of this.vertices) if (w.alive) for (const e of w.edges) if (e === v.id) n++;
    return n;
  }
  /** Frees every live vertex whose count is 0, and what that frees in turn. */
  cascade(): void {
    for (let changed = true; changed; ) {
      changed = false;
      for (const v of this.vertices) {
        if (v.alive && this.refcnt(v) === 0) {
          v.alive = false;
          changed = true;
        }
      }
    }
  }
  /** gc.collect(gen): the unreachable vertices of generations 0..gen; survivors move up. Returns the count. */
  collect(gen: number): number {
    const young = this.alive().filter((v) => v.gen <= gen);
    const inYoung = new Set(young.map((v) => v.id));
    const reached = new Set<number>();
    const work: Vertex[] = [];
    for (const v of young) {
      const fromOld = this.alive().some((w) => !inYoung.has(w.id) && w.edges.includes(v.id));
      if (v.holds > 0 || fromOld) {
        reached.add(v.id);
        work.push(v);
      }
    }
    while (work.length > 0) {
      const v = work.pop()!;
      for (const e of v.edges) {
        if (e >= 0 && inYoung.has(e) && !reached.has(e)) {
          reached.add(e);
          work.push(this.vertices[e]!);
        }
      }
    }
    const unreachable = young.filter((v) => !reached.has(v.id));
    for (const v of unreachable) v.alive = false;
    this.cascade();
    for (const v of young) if (v.alive) v.gen = Math.min(gen + 1, 2);
    return unreachable.length;
  }
}

/** Blocks in use per size class (less the lists parked on the list free list), raw blocks and arenas. */
function footprint(interp: Interpreter): string {
  const align = interp.rt.heap.profile.alignment;
  const listSize = Math.ceil((16 + 40) / align) * align;
  const s = interp.rt.heap.debugMallocStats();
  const classes = s.classes.map((c) => [c.size, c.blocksInUse - (c.size === listSize ? interp.list.freeListSize() : 0)]).filter(([, n]) => n !== 0);
  return JSON.stringify([classes, s.rawAllocatedBlocks, s.arenasAllocatedCurrent]);
}

function run(ops: Op[]): void {
  const interp = new Interpreter({ memory: 'fake' });
  try {
    const gc: GcModule = installGc(interp);
    const { rt, list } = interp;
    const freedNodes: number[] = [];
    const node = nodeType(interp, freedNodes);
    gc.disable();
    gc.collect();
    const base = footprint(interp);
    const model = new Model();
    const pick = (i: number): Vertex | undefined => {
      const alive = model.alive();
      return alive.length === 0 ? undefined : alive[i % alive.length];
    };
    const byPtr = (p: number) => model.vertices.find((v) => v.alive && v.ptr === p)!.id;
    const realEdges = (v: Vertex): number[] => {
      if (v.list) return list.items(v.ptr).map(byPtr);
      return Array.from({ length: NODE_SLOTS }, (_, i) => {
        const p = nodeItems.get(v.ptr, i);
        return p === 0 ? -1 : byPtr(p);
      });
    };
    const check = () => {
      const alive = model.alive();
      // Exactly the model's dead nodes were deallocated (each once).
      expect(freedNodes.slice().sort((x, y) => x - y)).toEqual(model.vertices.filter((v) => !v.list && !v.alive).map((v) => v.id));
      // Live lists are tracked, dead ones are not (freed or parked on the free list).
      const tracked = new Set(gc.getObjects());
      for (const v of model.vertices.filter((x) => x.list)) {
        if (v.alive) expect(tracked.has(v.ptr)).toBe(true);
      }
      for (const v of alive) {
        expect([v.id, rt.refcnt(v.ptr), realEdges(v)]).toEqual([v.id, model.refcnt(v), v.edges]);
        expect(gc.getObjects(v.gen)).toContain(v.ptr);
      }
      expect(gcListViolations(rt)).toEqual([]);
      // Every live object's declared struct validates: header, PyGC_Head, the node's and the lists' fields.
      for (const v of alive) expect(rt.validateObject(v.ptr), `vertex ${v.id}`).toEqual([]);
    };

    for (const op of ops) {
      switch (op.t) {
        case 'new': {
          const id = model.vertices.length;
          let ptr: number;
          if (op.list) {
            ptr = list.new(0);
          } else {
            ptr = rt.gcNewVar(node, NODE_SLOTS);
            nodeId.set(ptr, id);
            fillBytes(nodeItems.at(ptr, 0), 8 * NODE_SLOTS, 0);
            rt.gcTrack(ptr);
          }
          model.vertices.push({ id, list: op.list, ptr, edges: op.list ? [] : new Array<number>(NODE_SLOTS).fill(-1), holds: 1, gen: 0, alive: true });
          break;
        }
        case 'link': {
          const a = pick(op.a);
          const b = pick(op.b);
          if (!a || !b) break;
          if (a.list) {
            list.append(a.ptr, b.ptr);
            a.edges.push(b.id);
          } else {
            const i = op.slot % NODE_SLOTS;
                        rt.incref(b.ptr);
            const old = nodeItems.get(a.ptr, i);
            nodeItems.set(a.ptr, i, b.ptr);
            a.edges[i] = b.id;
            model.cascade();
            rt.xdecref(old);
          }
          break;
        }
        case 'unlink': {
          const a = pick(op.a);
          if (!a) break;
          if (a.list) {
            if (a.edges.length === 0) break;
            const i = op.slot % a.edges.length;
            const item = list.pop(a.ptr, i);
            a.edges.splice(i, 1);
            model.cascade();
            rt.decref(item);
          } else {
            const i = op.slot % NODE_SLOTS;
                        const old = nodeItems.get(a.ptr, i);
            nodeItems.set(a.ptr, i, 0);
            a.edges[i] = -1;
            model.cascade();
            rt.xdecref(old);
          }
          break;
        }
        case 'drop': {
          const a = model.alive().filter((v) => v.holds > 0)[op.a % Math.max(1, model.alive().filter((v) => v.holds > 0).length)];
          if (!a) break;
          a.holds--;
          model.cascade();
          rt.decref(a.ptr);
          break;
        }
        case 'hold': {
          const a = pick(op.a);
          if (!a) break;
          a.holds++;
          rt.incref(a.ptr);
          break;
        }
        case 'collect':
          expect(gc.collect(op.gen)).toBe(model.collect(op.gen));
          break;
      }
      check();
    }
    // Drop everything, collect, and the heap is as it was.
    for (const v of model.alive()) {
      for (; v.holds > 0; v.holds--) rt.decref(v.ptr);
    }
    model.cascade();
    expect(gc.collect()).toBe(model.collect(2));
    expect(model.alive()).toEqual([]);
    check();
    expect(footprint(interp)).toBe(base);
  } finally {
    interp.dispose();
  }
}

describe('the collector against a reachability model', () => {
  it('random graphs, random drops, random collections: exactly the unreachable objects are freed', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 120 }), (ops) => run(ops)),
      { numRuns: 300 },
    );
  });

  it('regressions: a cycle held only by an older generation survives a young collection', () => {
    run([
      { t: 'new', list: false },
      { t: 'collect', gen: 0 },
      { t: 'new', list: true },
      { t: 'link', a: 0, b: 1, slot: 0 },
      { t: 'link', a: 1, b: 0, slot: 0 },
      { t: 'link', a: 1, b: 1, slot: 0 },
      { t: 'drop', a: 0 },
      { t: 'drop', a: 0 },
      { t: 'collect', gen: 0 },
      { t: 'collect', gen: 1 },
    ]);
  });
});
