/*
 * The gc fuzzer: seeded random object graphs against the cyclic collector
 * (lib/gc), with weak references, finalizers and resurrection.
 *
 *   vertices  instances of three classes — Plain, Final (a __del__ that
 *             records it ran) and Phoenix (a __del__ that resurrects the
 *             object by taking a reference) — each with a weakref whose
 *             callback counts its calls, and lists
 *   ops       new vertex, link (a.aK = b, or list.append(b)), unlink, drop
 *             and take external references, full collections
 *
 * Automatic collection is off, so the model knows exactly what is freed and
 * when: a vertex whose references (the program's plus the edges of live
 * vertices) reach zero dies at once (subtype_dealloc: __del__ first — a
 * Phoenix comes back — then the weakref's callback, then its edges go);
 * gc.collect() finds the live vertices no external reference reaches, calls
 * the callbacks of their weakrefs, runs each __del__ not run before
 * (handle_weakrefs, finalize_garbage), and frees those that nothing
 * resurrected reaches (handle_resurrected_objects).
 *
 * After every batch and every collection: each live vertex has the refcount
 * the model says, its edges, its weakref alive or cleared as the model says,
 * __del__ run exactly when the model says and never twice, and validates; a
 * freed instance's weakref reads None; a freed list is on no gc list; the gc
 * lists and pymalloc's invariants hold. At the end everything is dropped and
 * collected and the heap is back where it started.
 */
import { pymallocViolations } from '../../allocator/validate.js';
import type { MemorySource } from '../../allocator/heap.js';
import { gcListViolations, installGc } from '../../gc/index.js';
import { GcList } from '../../gc/gcList.js';
import { fromGc } from '../../objects/layout.js';
import { Interpreter } from '../../objects/interpreter.js';
import type { PyTypeObject } from '../../objects/type.js';
import { type FuzzReport, fail, newReport, recordFailure } from './fuzzReport.js';
import { Random } from './random.js';

/** Options of one gc fuzz run. */
export interface GcFuzzOptions {
  seed: number;
  ops: number;
  memory?: MemorySource;
  /** Operations between full checks (default 200). */
  batch?: number;
  /** Vertices alive at most before the program stops making new ones (default 150). */
  maxLive?: number;
  onProgress?: (done: number, total: number) => void;
}

type Kind = 'plain' | 'final' | 'phoenix' | 'list';
const KINDS: readonly Kind[] = ['plain', 'final', 'phoenix', 'list'];
const SLOTS = ['a0', 'a1', 'a2'];

interface Vertex {
  readonly id: number;
  readonly kind: Kind;
  readonly ptr: number;
  /** Instances: one target id per slot (-1: unset). Lists: the items' ids in order. */
  edges: number[];
  /** References the program owns. */
  holds: number;
  alive: boolean;
  /** Times __del__ ran, as the model says and as it really did (at most once). */
  finalized: number;
  delCalls: number;
  /** The instance's weakref (0 for lists); its callback's calls as the model says and as they really were. */
  readonly weakref: number;
  callbacks: number;
  callbackCalls: number;
}

/** Runs one seeded program against a fresh Interpreter; see the module comment. */
export function fuzzGc(options: GcFuzzOptions): FuzzReport {
  const rnd = new Random(options.seed);
  const interp = new Interpreter({ memory: options.memory ?? 'native', profile: 'cpython311' });
  const { rt } = interp;
  const gc = installGc(interp);
  gc.disable();
  const batch = options.batch ?? 200;
  const maxLive = options.maxLive ?? 150;
  /** Every vertex not yet checked dead, by id. */
  const vertices = new Map<number, Vertex>();
  let nextId = 0;
  const byPtr = new Map<number, Vertex>();
  const byRef = new Map<number, Vertex>();
  const report = newReport(options.seed);
  let call = '';

  const vertexOf = (op: number): Vertex => byPtr.get(op) ?? fail(`__del__ or a callback ran on ${op}, no live vertex`);
  const onDel = (op: number): void => {
    const v = vertexOf(op);
    v.delCalls++;
    if (v.kind === 'phoenix') rt.incref(op);
  };
  const classes = new Map<Kind, PyTypeObject>([
    ['plain', interp.instance.defineClass({ name: 'Plain' })],
    ['final', interp.instance.defineClass({ name: 'Final', del: onDel })],
    ['phoenix', interp.instance.defineClass({ name: 'Phoenix', del: onDel })],
  ]);
  const onCallback = (ref: number): void => {
    const v = byRef.get(ref) ?? fail(`a callback of ${ref}, no weakref of the program`);
    v.callbackCalls++;
  };

  const live = (): Vertex[] => [...byPtr.values()];
  /** The live vertices the program's references reach. */
  const reachable = (): Set<Vertex> => {
    const seen = new Set<Vertex>();
    const stack = live().filter((v) => v.holds > 0);
    for (let v = stack.pop(); v !== undefined; v = stack.pop()) {
      if (seen.has(v)) continue;
      seen.add(v);
      for (const e of v.edges) if (e >= 0) stack.push(vertices.get(e)!);
    }
    return seen;
  };
  const refcnt = (v: Vertex): number => {
    let n = v.holds;
    for (const w of byPtr.values()) for (const e of w.edges) if (e === v.id) n++;
    return n;
  };
  const free = (v: Vertex): void => {
    v.alive = false;
    byPtr.delete(v.ptr);
  };
  /** Deaths by refcount, in cascade (subtype_dealloc's order: finalizer, weakref callback, edges). */
  const settle = (v: Vertex): void => {
    if (!v.alive || refcnt(v) > 0) return;
    if (v.kind !== 'list' && v.kind !== 'plain' && v.finalized === 0) {
      v.finalized++;
      if (v.kind === 'phoenix') {
        v.holds++;
        return;
      }
    }
    if (v.weakref !== 0 && v.callbacks === 0) v.callbacks++;
    free(v);
    const held = v.edges;
    v.edges = [];
    for (const e of held) if (e >= 0) settle(vertices.get(e)!);
  };
  /** What gc.collect() does to the model. */
  const collectModel = (): void => {
    const reached = reachable();
    const garbage = live().filter((v) => !reached.has(v));
    for (const v of garbage) {
      if (v.weakref !== 0 && v.callbacks === 0) v.callbacks++;
    }
    for (const v of garbage) {
      if ((v.kind === 'final' || v.kind === 'phoenix') && v.finalized === 0) {
        v.finalized++;
        if (v.kind === 'phoenix') v.holds++;
      }
    }
    const after = reachable();
    for (const v of garbage) if (!after.has(v)) free(v);
    for (const v of garbage) if (!after.has(v)) v.edges = [];
  };

  const create = (): void => {
    const kind = rnd.pick(KINDS);
    call = `new ${kind}`;
    const id = nextId++;
    if (kind === 'list') {
      const ptr = interp.list.new(0);
      const v: Vertex = { id, kind, ptr, edges: [], holds: 1, alive: true, finalized: 0, delCalls: 0, weakref: 0, callbacks: 0, callbackCalls: 0 };
      vertices.set(id, v);
      byPtr.set(ptr, v);
      return;
    }
    const ptr = interp.instance.new(classes.get(kind)!);
    const weakref = interp.weakref.newRef(ptr, onCallback);
    const v: Vertex = { id, kind, ptr, edges: SLOTS.map(() => -1), holds: 1, alive: true, finalized: 0, delCalls: 0, weakref, callbacks: 0, callbackCalls: 0 };
    vertices.set(id, v);
    byPtr.set(ptr, v);
    byRef.set(weakref, v);
    report.peakLive = Math.max(report.peakLive, byPtr.size);
  };

  const step = (): void => {
    const reached = [...reachable()];
    const r = byPtr.size > maxLive ? 0.25 + 0.75 * rnd.next() : rnd.next();
    if (r < 0.25 || reached.length === 0) {
      create();
      return;
    }
    const a = rnd.pick(reached);
    if (r < 0.55) {
      const b = rnd.pick(reached);
      if (a.kind === 'list') {
        call = `list.append(#${a.id}, #${b.id})`;
        interp.list.append(a.ptr, b.ptr);
        a.edges.push(b.id);
      } else {
        const k = rnd.below(SLOTS.length);
        call = `#${a.id}.${SLOTS[k]} = #${b.id}`;
        const old = a.edges[k]!;
        interp.instance.setAttr(a.ptr, SLOTS[k]!, b.ptr);
        a.edges[k] = b.id;
        if (old >= 0) settle(vertices.get(old)!);
      }
    } else if (r < 0.65) {
      if (a.kind === 'list') {
        if (a.edges.length === 0) return;
        call = `list.pop(#${a.id})`;
        const item = interp.list.pop(a.ptr);
        const e = a.edges.pop()!;
        if (item !== vertices.get(e)!.ptr) fail(`list.pop gave ${item}, the model holds #${e}`);
        rt.decref(item);
        settle(vertices.get(e)!);
      } else {
        const k = rnd.below(SLOTS.length);
        const old = a.edges[k]!;
        if (old < 0) return;
        call = `del #${a.id}.${SLOTS[k]}`;
        interp.instance.delAttr(a.ptr, SLOTS[k]!);
        a.edges[k] = -1;
        settle(vertices.get(old)!);
      }
    } else if (r < 0.88) {
      const held = reached.filter((v) => v.holds > 0);
      if (held.length === 0) return;
      const v = rnd.pick(held);
      call = `Py_DECREF(#${v.id} ${v.kind})`;
      rt.decref(v.ptr);
      v.holds--;
      settle(v);
    } else if (r < 0.96) {
      call = `Py_INCREF(#${a.id})`;
      rt.incref(a.ptr);
      a.holds++;
    } else {
      call = 'gc.collect()';
      gc.collect();
      collectModel();
      checkAll();
    }
  };

  const checkAll = (): void => {
    const tracked = new Set<number>();
    const lists = new GcList();
    for (const g of [...rt.gc.generations, rt.gc.permanentGeneration]) {
      for (let h = lists.nextWord(g.head); h !== g.head; h = lists.nextWord(h)) tracked.add(fromGc(h));
    }
    for (const v of vertices.values()) {
      if (v.weakref !== 0) {
        const referent = interp.weakref.get(v.weakref);
        const cleared = referent === interp.singletons.None;
        if (cleared !== v.callbacks > 0) fail(`#${v.id} ${v.kind}: its weakref is ${cleared ? 'cleared' : 'alive'}, the model says ${v.callbacks > 0 ? 'cleared' : 'alive'}`);
        if (v.callbackCalls !== v.callbacks) fail(`#${v.id} ${v.kind}: its weakref callback ran ${v.callbackCalls} times, the model says ${v.callbacks}`);
      }
      if (v.delCalls !== v.finalized) fail(`#${v.id} ${v.kind}: __del__ ran ${v.delCalls} times, the model says ${v.finalized}`);
      if (!v.alive) {
        if (v.kind === 'list' && tracked.has(v.ptr) && !byPtr.has(v.ptr)) fail(`freed list #${v.id} is still on a gc list`);
        continue;
      }
      const problems = rt.validateObject(v.ptr);
      if (problems.length > 0) fail(`#${v.id} ${v.kind}: ${problems.slice(0, 3).join('; ')}`);
      if (rt.refcnt(v.ptr) !== refcnt(v)) fail(`#${v.id} ${v.kind} has refcount ${rt.refcnt(v.ptr)}, the model says ${refcnt(v)}`);
      if (v.kind !== 'list' && interp.instance.isFinalized(v.ptr) !== v.finalized > 0) fail(`#${v.id}: gc.is_finalized disagrees with the model`);
      const edges = v.kind === 'list' ? interp.list.items(v.ptr) : SLOTS.map((s) => interp.instance.getAttr(v.ptr, s));
      const want = v.edges.map((e) => (e < 0 ? 0 : vertices.get(e)!.ptr));
      if (edges.join() !== want.join()) fail(`#${v.id} ${v.kind}: edges [${edges}], the model [${want}]`);
    }
    const problems = [...pymallocViolations(rt.heap.pymalloc), ...gcListViolations(rt)];
    if (problems.length > 0) fail(`heap invariants: ${problems.slice(0, 3).join('; ')}`);
  };

  /** Forgets the vertices checked dead (their weakrefs released), so the model stays as small as the heap. */
  const retire = (): void => {
    for (const v of vertices.values()) {
      if (v.alive) continue;
      if (v.weakref !== 0) {
        byRef.delete(v.weakref);
        rt.decref(v.weakref);
      }
      vertices.delete(v.id);
    }
  };
  const blocksInUse = (): number => {
    const s = rt.heap.debugMallocStats();
    return s.classes.reduce((n, c) => n + c.blocksInUse, 0) + s.rawAllocatedBlocks;
  };
  try {
    // The attribute names are interned on first use and stay, as in CPython.
    const warm = interp.instance.new(classes.get('plain')!);
    for (const name of SLOTS) interp.instance.setAttr(warm, name, interp.singletons.None);
    rt.decref(warm);
    interp.dict.clearFreeList();
    const baseline = blocksInUse();
    for (let i = 0; i < options.ops; i++) {
      report.ops = i + 1;
      step();
      if ((i + 1) % batch === 0) {
        call = 'batch check';
        checkAll();
        retire();
        options.onProgress?.(i + 1, options.ops);
      }
    }
    call = 'drop everything';
    // A Phoenix comes back once (its __del__ runs once): a few rounds of dropping and collecting free everything.
    for (let round = 0; round < 4 && live().length > 0; round++) {
      for (const v of live()) {
        for (; v.holds > 0; v.holds--) rt.decref(v.ptr);
      }
      for (const v of live()) settle(v);
      gc.collect();
      collectModel();
    }
    checkAll();
    if (live().length > 0) fail(`${live().length} vertices alive after dropping everything`);
    retire();
    interp.list.clearFreeList();
    interp.dict.clearFreeList();
    interp.tuple.clearFreeList();
    const left = blocksInUse();
    if (left !== baseline) fail(`${left - baseline} blocks still allocated after dropping everything and collecting`);
  } catch (e) {
    recordFailure(report, call, e);
  } finally {
    interp.dispose();
  }
  return report;
}
