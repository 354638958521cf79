// Every gc case of fixtures/golden.json (recorded from CPython
// 3.11.7 by golden.py) that pymem's object modules can build, rebuilt with
// the operations CPython performs for the Python code of the case:
//   get_threshold, isenabled at start;
//   the gen-0 count sequences (800 lists created then dropped, gc disabled
//     and enabled), with the get_count() tuple and the list free list;
//   collect() and the second collect() on the eleven cycle graphs, the
//     closure cycle of a nested function among them;
//   PEP 442 finalizers with and without resurrection; DEBUG_SAVEALL;
//   weakref callbacks outside and inside the garbage;
//   gc.is_tracked on the 28 objects, before and after collections;
//   get_stats deltas and the callbacks around a gen-0 collection an
//     allocation triggers.
// Functions are built without code objects (func_code NULL), as
// MAKE_FUNCTION would make them. Without golden.json the hard-coded CPython
// 3.11.7 values below still run.
import { afterEach, describe, expect, it } from 'vitest';
import { DEBUG_SAVEALL, gcListViolations, installGc, type GcModule } from '../lib/gc/index.js';
import { Interpreter } from '../lib/objects/interpreter.js';
import type { Runtime } from '../lib/objects/runtime.js';
import { loadGolden } from './support/golden.js';

interface CollectCase {
  name: string;
  collect_return: number;
  second_collect_return: number;
}
interface TrackedCase {
  name: string;
  result: boolean;
}
type Stats = Array<{ collections: number; collected: number; uncollectable: number }>;
interface GoldenGc {
  get_threshold: number[];
  isenabled_at_start: boolean;
  count_sequence: { disabled: number[][]; enabled: number[][] };
  collect_cases: CollectCase[];
  finalizer_resurrection: { results: Record<string, number>; del_calls_distinct_objects: number };
  finalizer_no_resurrection: { results: Record<string, number> };
  debug_saveall: { results: Record<string, number> };
  weakref_callback_external: { results: Record<string, number | boolean> };
  weakref_callback_inside_cycle: { results: Record<string, number> };
  is_tracked: TrackedCase[];
  get_stats_gen0_trigger: { delta: Stats; count_before_loop: number[]; n_alloc_until_trigger: number; callbacks: Array<[string, Record<string, number>]> };
}

const golden: GoldenGc | null = loadGolden<{ gc: GoldenGc }>()?.gc ?? null;

/** CPython 3.11.7's results, for when golden.json is absent (and checked against it when present). */
const CPYTHON = {
  collect: {
    two_node_cycle_plain_instances: [2, 0],
    two_node_cycle_instances_with_materialized_dicts: [4, 0],
    self_referencing_list: [1, 0],
    ring_of_1000_lists: [1000, 0],
    dict_list_mix: [2, 0],
    dict_self: [1, 0],
    list_dict_tuple_mix: [3, 0],
    tree_with_parent_pointers_15_nodes: [30, 0],
    instance_cycle_with_slots: [2, 0],
    not_garbage_cycle_still_referenced: [0, 0],
    function_closure_cycle: [3, 0],
  } as Record<string, [number, number]>,
  finalizerResurrection: { r1: 0, calls_after_1: 2, garbage_after_1: 0, r2: 2, calls_after_2: 2, garbage_after_2: 0, r3: 0 },
  finalizerNoResurrection: { r1: 1, calls_after: 1, garbage_after: 0 },
  debugSaveall: { r1: 1, garbage_len: 1 },
  weakrefExternal: { r1: 1, callback_ran: 1, wr_dead: true },
  weakrefInside: { r1: 3, callback_ran: 0 },
  /** [step, gen0, gen1, gen2] checkpoints of the count sequences. */
  countDisabled: [[0, 0, 0, 0], [1, 2, 0, 0], [800, 801, 0, 0], [880, 801, 0, 0], [881, 800, 0, 0], [1600, 81, 0, 0]],
  countEnabled: [[0, 0, 0, 0], [699, 700, 0, 0], [700, 0, 1, 0], [800, 100, 1, 0], [880, 100, 1, 0], [881, 99, 1, 0], [1600, 0, 1, 0]],
  statsTrigger: {
    delta: [
      { collections: 1, collected: 10, uncollectable: 0 },
      { collections: 0, collected: 0, uncollectable: 0 },
      { collections: 0, collected: 0, uncollectable: 0 },
    ],
    countBeforeLoop: [16, 0, 0],
    nAlloc: 683,
    callbacks: [
      ['start', { generation: 0, collected: 0, uncollectable: 0 }],
      ['stop', { generation: 0, collected: 10, uncollectable: 0 }],
    ],
  },
};

let open: Interpreter[] = [];
afterEach(() => {
  for (const i of open) {
    expect(gcListViolations(i.rt)).toEqual([]);
    i.dispose();
  }
  open = [];
});

/** A fresh interpreter with its gc module; like golden.py, one full collection first. */
function fresh(): { interp: Interpreter; gc: GcModule; rt: Runtime } {
  const interp = new Interpreter({ memory: 'fake' });
  open.push(interp);
  const gc = installGc(interp);
  return { interp, gc, rt: interp.rt };
}

/** A new tuple of new ints (what Py_BuildValue("(iii)") makes). */
function packInts(interp: Interpreter, ns: readonly number[]): number {
  const ints = ns.map((n) => interp.long.fromNumber(n));
  const t = interp.tuple.pack(ints);
  for (const o of ints) interp.rt.decref(o);
  return t;
}

/** The golden value of a collect case, checked against the hard-coded one. */
function collectExpected(name: string): [number, number] {
  const hard = CPYTHON.collect[name]!;
  const g = golden?.collect_cases.find((c) => c.name === name);
  if (g) expect([g.collect_return, g.second_collect_return]).toEqual(hard);
  return hard;
}

/** A golden results object, checked against the hard-coded one. */
function results<T extends object>(fromGolden: T | undefined, hard: T): T {
  if (fromGolden !== undefined) expect(fromGolden).toEqual(hard);
  return hard;
}

describe('golden.json gc: module state at start', () => {
  it('get_threshold() is (700, 10, 10) and gc is enabled', () => {
    const { gc } = fresh();
    expect(gc.getThreshold()).toEqual(golden?.get_threshold ?? [700, 10, 10]);
    expect(gc.isEnabled()).toBe(golden?.isenabled_at_start ?? true);
  });
});

describe('golden.json gc: the gen-0 count while 800 lists are created and dropped', () => {
  /**
   * golden.py's count_seq, statement by statement:
   *   objs = [None] * N; gc.collect(); gc.disable() / gc.enable()
   *   a, b, c = gc.get_count()       (a new 3-tuple, unpacked, then parked on the tuple free list)
   *   objs[i] = []                   (a new list: PyList_New(0), the list free list first)
   *   objs[i] = None                 (the list's dealloc: the list free list while it has room)
   * Each variant runs in a fresh interpreter: the tuple and list free lists
   * start empty, as after CPython's full collection (clear_freelists).
   */
  function countSequence(enabled: boolean): number[][] {
    const { interp, gc, rt } = fresh();
    const { list, tuple, long, singletons } = interp;
    const N = 800;
    const objs = list.new(N);
    for (let i = 0; i < N; i++) {
      rt.incref(singletons.None);
      list.setItem(objs, i, singletons.None);
    }
    gc.collect();
    if (enabled) gc.enable();
    else gc.disable();
    const rows: number[][] = [];
    const record = (step: number) => {
      // gc.get_count() returns a new tuple (Py_BuildValue("(iii)")); unpacking drops it.
      const t = packInts(interp, gc.getCount());
      rows.push([step, ...tuple.items(t).map((o) => long.toNumber(o))]);
      rt.decref(t);
    };
    record(0);
    for (let i = 0; i < N; i++) {
      list.setItem(objs, i, list.new(0));
      record(i + 1);
    }
    for (let i = 0; i < N; i++) {
      rt.incref(singletons.None);
      list.setItem(objs, i, singletons.None);
      record(N + i + 1);
    }
    gc.enable();
    rt.decref(objs);
    return rows;
  }

  it.each([
    ['disabled', false],
    ['enabled', true],
  ] as const)('gc %s: every one of the 1601 rows', (variant, enabled) => {
    const rows = countSequence(enabled);
    const hard = enabled ? CPYTHON.countEnabled : CPYTHON.countDisabled;
    for (const row of hard) expect(rows[row[0]!]).toEqual(row);
    if (golden) expect(rows).toEqual(golden.count_sequence[variant]);
  });
});

describe('golden.json gc: collect() on cycle graphs (gc.collect(); gc.disable(); code; r1 = gc.collect(); r2 = gc.collect())', () => {
  /** Runs a case: a full collection, gc disabled, the code, two collections. */
  function run(name: string, code: (interp: Interpreter, gc: GcModule) => void): void {
    const { interp, gc } = fresh();
    gc.collect();
    gc.disable();
    code(interp, gc);
    expect([name, gc.collect(), gc.collect()]).toEqual([name, ...collectExpected(name)]);
  }

  it('covers every case of golden.json', () => {
    const names = golden?.collect_cases.map((c) => c.name) ?? Object.keys(CPYTHON.collect);
    expect(names).toEqual(Object.keys(CPYTHON.collect));
  });

  it('two_node_cycle_plain_instances', () => {
    run('two_node_cycle_plain_instances', ({ instance, rt }) => {
      // class C: pass; a = C(); b = C(); a.other = b; b.other = a; del a, b
      const C = instance.defineClass({ name: 'C' });
      const a = instance.new(C);
      const b = instance.new(C);
      instance.setAttr(a, 'other', b);
      instance.setAttr(b, 'other', a);
      rt.decref(a);
      rt.decref(b);
    });
  });

  it('two_node_cycle_instances_with_materialized_dicts', () => {
    run('two_node_cycle_instances_with_materialized_dicts', ({ instance, rt }) => {
      const C = instance.defineClass({ name: 'C' });
      const a = instance.new(C);
      const b = instance.new(C);
      instance.setAttr(a, 'other', b);
      instance.setAttr(b, 'other', a);
      // a.__dict__; b.__dict__ (the expression statements' results are dropped)
      rt.decref(instance.dictOf(a));
      rt.decref(instance.dictOf(b));
      rt.decref(a);
      rt.decref(b);
    });
  });

  it('self_referencing_list', () => {
    run('self_referencing_list', ({ list, rt }) => {
      const l = list.new(0);
      list.append(l, l);
      rt.decref(l);
    });
  });

  it('ring_of_1000_lists', () => {
    run('ring_of_1000_lists', ({ list, long, rt }) => {
      // first = [0]; cur = first; for i in range(1, 1000): nxt = [i]; cur.append(nxt); cur = nxt
      const one = (i: number) => {
        const l = list.new(1);
        list.setItem(l, 0, long.fromNumber(i));
        return l;
      };
      const first = one(0);
      let cur = first;
      rt.incref(cur);
      for (let i = 1; i < 1000; i++) {
        const nxt = one(i);
        list.append(cur, nxt);
        rt.decref(cur);
        cur = nxt;
      }
      list.append(cur, first);
      rt.decref(first);
      rt.decref(cur);
    });
  });

  it('dict_list_mix', () => {
    run('dict_list_mix', ({ dict, list, str, rt }) => {
      // d = {}; l = [d]; d['l'] = l; del d, l
      const d = dict.new();
      const l = list.new(1);
      rt.incref(d);
      list.setItem(l, 0, d);
      const key = str.internFromString('l');
      dict.setItem(d, key, l);
      for (const o of [key, d, l]) rt.decref(o);
    });
  });

  it('dict_self', () => {
    run('dict_self', ({ dict, str, rt }) => {
      const d = dict.new();
      const key = str.internFromString('d');
      dict.setItem(d, key, d);
      rt.decref(key);
      rt.decref(d);
    });
  });

  it('list_dict_tuple_mix', () => {
    run('list_dict_tuple_mix', ({ dict, list, tuple, long, str, rt }) => {
      // l = []; t = (l, 1); d = {'t': t}; l.append(d); del l, t, d
      const l = list.new(0);
      const one = long.fromNumber(1);
      const t = tuple.pack([l, one]);
      const key = str.internFromString('t');
      const d = dict.fromItems([key], [t]);
      list.append(l, d);
      for (const o of [one, key, l, t, d]) rt.decref(o);
    });
  });

  it('tree_with_parent_pointers_15_nodes', () => {
    run('tree_with_parent_pointers_15_nodes', ({ instance, list, singletons, rt }) => {
      // class N: def __init__(self, p): self.p = p; self.kids = []; if p: p.kids.append(self)
      const N = instance.defineClass({ name: 'N' });
      const make = (p: number): number => {
        const self = instance.new(N);
        instance.setAttr(self, 'p', p);
        const kids = list.new(0);
        instance.setAttr(self, 'kids', kids);
        rt.decref(kids);
        if (p !== singletons.None) list.append(instance.getAttr(p, 'kids'), self);
        return self;
      };
      const root = make(singletons.None);
      let level = [root];
      for (let depth = 0; depth < 3; depth++) {
        const next: number[] = [];
        for (const p of level) for (let k = 0; k < 2; k++) next.push(make(p));
        for (const o of level) rt.decref(o);
        level = next;
      }
      for (const o of level) rt.decref(o);
    });
  });

  it('instance_cycle_with_slots', () => {
    run('instance_cycle_with_slots', ({ instance, rt }) => {
      const S = instance.defineClass({ name: 'S', slots: ['o'] });
      const a = instance.new(S);
      const b = instance.new(S);
      instance.setAttr(a, 'o', b);
      instance.setAttr(b, 'o', a);
      rt.decref(a);
      rt.decref(b);
    });
  });

  it('not_garbage_cycle_still_referenced', () => {
    let keep = 0;
    let rt: Runtime | null = null;
    run('not_garbage_cycle_still_referenced', (interp) => {
      // keep = []; keep.append(keep) — the namespace keeps it
      keep = interp.list.new(0);
      interp.list.append(keep, keep);
      rt = interp.rt;
    });
    expect(rt!.refcnt(keep)).toBe(2);
  });

  it('function_closure_cycle', () => {
    let ns = 0;
    let rt: Runtime | null = null;
    run('function_closure_cycle', ({ dict, str, tuple, cell, function: func, rt: r }) => {
      rt = r;
      // exec(code, ns) with ns = {}: exec puts '__builtins__' in ns first.
      ns = dict.new();
      const builtinsKey = str.internFromString('__builtins__');
      dict.setItem(ns, builtinsKey, func.builtins());
      // def outer(): ... — MAKE_FUNCTION, STORE_NAME outer.
      const outerName = str.internFromString('outer');
      const outer = func.newFunction({ name: outerName, globals: ns });
      dict.setItem(ns, outerName, outer);
      r.decref(outer);
      // f = outer(): outer's frame runs MAKE_CELL inner (an empty cell), LOAD_CLOSURE inner,
      // BUILD_TUPLE 1, MAKE_FUNCTION 0x08, STORE_DEREF inner, LOAD_DEREF inner, RETURN_VALUE;
      // then the frame lets go of its cell.
      const c = cell.new();
      const closure = tuple.pack([c]);
      const innerName = str.internFromString('inner');
      const innerQualname = str.fromString('outer.<locals>.inner');
      const inner = func.newFunction({ name: innerName, qualname: innerQualname, globals: ns, closure });
      for (const o of [closure, innerName, innerQualname]) r.decref(o);
      cell.set(c, inner);
      r.decref(inner);
      const result = cell.get(c);
      r.decref(c);
      const fName = str.internFromString('f');
      dict.setItem(ns, fName, result);
      r.decref(result);
      // del f: inner, its closure tuple and the cell now only hold each other.
      dict.delItem(ns, fName);
      for (const o of [builtinsKey, outerName, fName]) r.decref(o);
    });
    // del ns (outer and ns hold each other, as in CPython).
    rt!.decref(ns);
  });
});

describe('golden.json gc: finalizers, DEBUG_SAVEALL and weakref callbacks (gc.collect(); gc.disable(); code)', () => {
  function isolated(): { interp: Interpreter; gc: GcModule; rt: Runtime } {
    const f = fresh();
    f.gc.collect();
    f.gc.disable();
    return f;
  }

  it('finalizer_resurrection: __del__ runs once per object, the cycle survives, then is freed without a second call', () => {
    const { interp, gc, rt } = isolated();
    const { instance, list } = interp;
    // calls = []; saved = []; class F: def __del__(self): calls.append(id(self)); saved.append(self)
    const calls: number[] = [];
    const saved = list.new(0);
    const F = instance.defineClass({
      name: 'F',
      del: (self) => {
        calls.push(self);
        list.append(saved, self);
      },
    });
    const a = instance.new(F);
    const b = instance.new(F);
    instance.setAttr(a, 'o', b);
    instance.setAttr(b, 'o', a);
    rt.decref(a);
    rt.decref(b);
    const r1 = gc.collect();
    const calls_after_1 = calls.length;
    const garbage_after_1 = list.size(gc.garbage);
    list.clear(saved);
    const r2 = gc.collect();
    const calls_after_2 = calls.length;
    const garbage_after_2 = list.size(gc.garbage);
    const r3 = gc.collect();
    expect({ r1, calls_after_1, garbage_after_1, r2, calls_after_2, garbage_after_2, r3 }).toEqual(
      results(golden?.finalizer_resurrection.results, CPYTHON.finalizerResurrection),
    );
    expect(new Set(calls).size).toBe(golden?.finalizer_resurrection.del_calls_distinct_objects ?? 2);
    rt.decref(saved);
  });

  it('finalizer_no_resurrection', () => {
    const { interp, gc, rt } = isolated();
    const { instance, list } = interp;
    const calls: number[] = [];
    const F = instance.defineClass({ name: 'F', del: () => void calls.push(1) });
    const a = instance.new(F);
    instance.setAttr(a, 'self', a);
    rt.decref(a);
    const r1 = gc.collect();
    expect({ r1, calls_after: calls.length, garbage_after: list.size(gc.garbage) }).toEqual(
      results(golden?.finalizer_no_resurrection.results, CPYTHON.finalizerNoResurrection),
    );
  });

  it('debug_saveall', () => {
    const { interp, gc, rt } = isolated();
    const { list } = interp;
    gc.setDebug(DEBUG_SAVEALL);
    const l = list.new(0);
    list.append(l, l);
    rt.decref(l);
    const r1 = gc.collect();
    const garbage_len = list.size(gc.garbage);
    gc.setDebug(0);
    list.clear(gc.garbage);
    expect({ r1, garbage_len }).toEqual(results(golden?.debug_saveall.results, CPYTHON.debugSaveall));
    expect(gc.collect()).toBe(1);
  });

  it('weakref_callback_external: the weakref outlives its referent, its callback runs, wr() is None', () => {
    const { interp, gc, rt } = isolated();
    const { instance, weakref, singletons } = interp;
    const ran: number[] = [];
    const C = instance.defineClass({ name: 'C' });
    const a = instance.new(C);
    instance.setAttr(a, 'self', a);
    // wr = weakref.ref(a, lambda r: ran.append(r))
    const wr = weakref.newRef(a, (r) => ran.push(r));
    rt.decref(a);
    const r1 = gc.collect();
    const got = weakref.call(wr);
    expect({ r1, callback_ran: ran.length, wr_dead: got === singletons.None }).toEqual(
      results(golden?.weakref_callback_external.results, CPYTHON.weakrefExternal),
    );
    expect(ran).toEqual([wr]);
    rt.decref(got);
    rt.decref(wr);
  });

  it('weakref_callback_inside_cycle: the weakref and its callback are garbage too; the callback never runs', () => {
    const { interp, gc, rt } = isolated();
    const { instance, weakref } = interp;
    const ran: number[] = [];
    const C = instance.defineClass({ name: 'C' });
    const a = instance.new(C);
    instance.setAttr(a, 'self', a);
    const wr = weakref.newRef(a, (r) => ran.push(r));
    instance.setAttr(a, 'wr', wr);
    rt.decref(wr);
    rt.decref(a);
    const r1 = gc.collect();
    expect({ r1, callback_ran: ran.length }).toEqual(results(golden?.weakref_callback_inside_cycle.results, CPYTHON.weakrefInside));
  });
});

describe('golden.json gc: is_tracked', () => {
  it('all 28 objects, before and after collections', () => {
    const { interp, gc, rt } = fresh();
    const { long, str, float, singletons, tuple, list, dict, set, instance, bytes } = interp;
    const got: Record<string, boolean> = {};
    const owned: number[] = [];
    const keep = (op: number) => (owned.push(op), op);
    const ints = (...ns: number[]) => ns.map((n) => keep(long.fromNumber(n)));
    const s = (text: string) => keep(str.internFromString(text));
    /** tuple(list): PyList_AsTuple -> _PyTuple_FromArray, tracked. New reference. */
    const newRuntimeTuple = (items: number[]) => {
      const l = list.new(0);
      list.extendFromArray(l, items);
      const t = tuple.pack(list.items(l));
      rt.decref(l);
      return t;
    };
    const runtimeTuple = (items: number[]) => keep(newRuntimeTuple(items));
    const empty = () => keep(list.new(0));
    const case_ = (name: string, x: number) => {
      got[name] = gc.isTracked(x);
    };

    case_('int', ints(42)[0]!);
    case_('big_int', keep(long.fromBigInt(2n ** 100n)));
    case_('str', keep(str.fromString('abc')));
    case_('float', keep(float.fromNumber(1.5)));
    case_('None', singletons.None);
    case_('tuple_of_ints_runtime_before_collect', runtimeTuple(ints(1, 2, 3)));
    let x = runtimeTuple(ints(1, 2, 3));
    gc.collect();
    case_('tuple_of_ints_runtime_after_collect', x);
    x = runtimeTuple(ints(1, 2, 3));
    gc.collect(0);
    case_('tuple_of_ints_after_gen0_only_collect', x);
    x = runtimeTuple([keep(str.fromString('a')), keep(str.fromString('b'))]);
    gc.collect();
    case_('tuple_of_strs_after_collect', x);
    case_('constant_tuple_literal', keep(tuple.pack(ints(1, 2, 3))));
    case_('empty_tuple', tuple.empty);
    case_('tuple_containing_list', keep(tuple.pack([empty()])));
    x = keep(tuple.pack([empty()]));
    gc.collect();
    case_('tuple_containing_list_after_collect', x);
    // x = tuple([tuple([1]), 2]): the inner tuple's only reference is the outer one's.
    const inner = newRuntimeTuple(ints(1));
    x = runtimeTuple([inner, ...ints(2)]);
    rt.decref(inner);
    gc.collect();
    case_('nested_tuple_of_ints_after_collect', x);
    case_('empty_dict', keep(dict.new()));
    case_('dict_str_to_int', keep(dict.fromItems([s('a')], ints(1))));
    case_('dict_str_to_list', keep(dict.fromItems([s('a')], [empty()])));
    x = keep(dict.new());
    dict.setItem(x, s('a'), empty());
    case_('dict_then_list_inserted', x);
    x = keep(dict.fromItems([s('a')], [empty()]));
    dict.delItem(x, s('a'));
    gc.collect();
    case_('dict_list_value_removed_then_collect', x);
    case_('dict_str_to_tuple_of_ints', keep(dict.fromItems([s('a')], [keep(tuple.pack(ints(1, 2)))])));
    case_('dict_str_to_runtime_tuple_of_ints', keep(dict.fromItems([s('a')], [runtimeTuple(ints(1, 2))])));
    x = keep(dict.fromItems([s('a')], [runtimeTuple(ints(1, 2))]));
    gc.collect();
    case_('dict_str_to_runtime_tuple_after_collect', x);
    case_('empty_list', empty());
    case_('set_of_ints', keep(set.new(ints(1, 2))));
    case_('plain_instance', keep(instance.new(instance.defineClass({ name: 'C' }))));
    case_('slots_instance_no_gc_slots', keep(instance.new(instance.defineClass({ name: 'S', slots: ['a'] }))));
    // def x(): pass — in a fresh namespace, where exec put '__builtins__'.
    const ns = keep(dict.new());
    dict.setItem(ns, s('__builtins__'), interp.function.builtins());
    case_('function', keep(interp.function.newFunction({ name: s('x'), globals: ns })));
    case_('bytes', keep(bytes.fromBytes(new Uint8Array([0x61, 0x62]))));

    const expected: Record<string, boolean> = {
      int: false,
      big_int: false,
      str: false,
      float: false,
      None: false,
      tuple_of_ints_runtime_before_collect: true,
      tuple_of_ints_runtime_after_collect: false,
      tuple_of_ints_after_gen0_only_collect: false,
      tuple_of_strs_after_collect: false,
      constant_tuple_literal: true,
      empty_tuple: false,
      tuple_containing_list: true,
      tuple_containing_list_after_collect: true,
      nested_tuple_of_ints_after_collect: true,
      empty_dict: false,
      dict_str_to_int: false,
      dict_str_to_list: true,
      dict_then_list_inserted: true,
      dict_list_value_removed_then_collect: false,
      dict_str_to_tuple_of_ints: true,
      dict_str_to_runtime_tuple_of_ints: true,
      dict_str_to_runtime_tuple_after_collect: false,
      empty_list: true,
      set_of_ints: true,
      plain_instance: true,
      slots_instance_no_gc_slots: true,
      function: true,
      bytes: false,
    };
    if (golden) {
      const fromGolden = Object.fromEntries(golden.is_tracked.map((c) => [c.name, c.result]));
      expect(fromGolden).toEqual(expected);
      expect(golden.is_tracked.map((c) => c.name)).toEqual(Object.keys(expected));
    }
    expect(got).toEqual(expected);
    for (const o of owned) rt.decref(o);
  });
});

describe('golden.json gc: get_stats and callbacks around a gen-0 collection an allocation triggers', () => {
  /**
   * The Python code allocates GC objects besides the lists the loop makes,
   * and they count: cb (a list), the lambda (a function), ten self-cycles,
   * get_stats()'s list of three dicts — 16 — then get_count()'s tuple and
   * keep. 18 + 683 = 701 > 700: the 683rd list triggers the collection.
   */
  it('683 allocations after get_count() reads (16, 0, 0); the deltas and the two callbacks', () => {
    const { interp, gc, rt } = fresh();
    const { list, dict, long, str, function: func } = interp;
    // The namespace the code runs in (exec put '__builtins__' in it) is there before the collection.
    const ns = dict.new();
    const builtinsKey = str.internFromString('__builtins__');
    dict.setItem(ns, builtinsKey, func.builtins());
    // gc.enable(); gc.collect()
    gc.enable();
    gc.collect();
    // cb = []; gc.callbacks.append(lambda phase, info: cb.append((phase, dict(info))))
    const cbList = list.new(0);
    const lambdaName = str.fromString('<lambda>');
    const lambda = func.newFunction({ name: lambdaName, globals: ns });
    const cb: Array<[string, object]> = [];
    gc.callbacks.push((phase, info) => cb.push([phase, { ...info }]));
    // for i in range(10): l = []; l.append(l)   /   del l
    for (let i = 0; i < 10; i++) {
      const l = list.new(0);
      list.append(l, l);
      rt.decref(l);
    }
    // before = gc.get_stats(): a list of three new dicts
    const before = gc.getStats();
    const beforeObj = list.new(0);
    const keys = ['collections', 'collected', 'uncollectable'].map((k) => str.internFromString(k));
    for (const s of before) {
      const values = [s.collections, s.collected, s.uncollectable].map((v) => long.fromNumber(v));
      const d = dict.fromItems(keys, values);
      for (const v of values) rt.decref(v);
      list.append(beforeObj, d);
      rt.decref(d);
    }
    // cnt_before = gc.get_count(): read, then a new tuple
    const cntBefore = gc.getCount();
    const cntTuple = packInts(interp, cntBefore);
    // keep = []; n_alloc = 0; while not cb: keep.append([]); n_alloc += 1
    const keep = list.new(0);
    let nAlloc = 0;
    while (cb.length === 0) {
      const l = list.new(0);
      list.append(keep, l);
      rt.decref(l);
      nAlloc++;
    }
    const after = gc.getStats();
    gc.callbacks.pop();
    const delta = after.map((s, g) => ({
      collections: s.collections - before[g]!.collections,
      collected: s.collected - before[g]!.collected,
      uncollectable: s.uncollectable - before[g]!.uncollectable,
    }));
    const hard = CPYTHON.statsTrigger;
    if (golden) {
      const g = golden.get_stats_gen0_trigger;
      expect([g.delta, g.count_before_loop, g.n_alloc_until_trigger, g.callbacks]).toEqual([hard.delta, hard.countBeforeLoop, hard.nAlloc, hard.callbacks]);
    }
    expect([delta, cntBefore, nAlloc, cb]).toEqual([hard.delta, hard.countBeforeLoop, hard.nAlloc, hard.callbacks]);
    for (const o of [cbList, lambda, lambdaName, ns, builtinsKey, beforeObj, cntTuple, keep, ...keys]) rt.decref(o);
  });
});
