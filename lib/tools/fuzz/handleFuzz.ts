/*
 * The handle fuzzer: seeded random programs against the JavaScript API
 * (lib/python.ts), valid and invalid calls mixed.
 *
 *   valid     build values (py.from of random JavaScript values, py.list,
 *             py.tuple, py.dict, py.set, py.int …), dup and release handles,
 *             append / extend / setitem / getitem / repeat, a list appended
 *             to itself (cycles), py.gc.collect()
 *   invalid   a released handle used or released again, indices out of range
 *             or not integers, a missing dict key, an unhashable key, a value
 *             with no Python form (a symbol, a function), a handle of another
 *             space, item access on an int
 *
 * The model: each handle's value as JavaScript, containers as arrays and
 * Maps shared where the Python objects are shared (a handle appended to a
 * list puts the same model array there), so toJS of every live handle must
 * equal its model, cycles included. Each invalid call must throw a
 * PymemError and change nothing (the blocks in use). After every batch:
 * 16 live handles picked at random read as their models and validate (every
 * live handle at the end), and the heap's invariants and gc lists hold. At the end every handle is released,
 * a collection frees the cycles, the heap is back where it started, and
 * every call on the disposed space throws DisposedError.
 */
import { pymallocViolations } from '../../allocator/validate.js';
import type { MemorySource } from '../../allocator/heap.js';
import { DisposedError } from '../../errors.js';
import { gcListViolations } from '../../gc/index.js';
import { type JSValue, type PyHandle, Python } from '../../python.js';
import { type FuzzReport, checkRefusal, fail, newReport, recordFailure, thrownBy } from './fuzzReport.js';
import { Random } from './random.js';

/** Options of one handle fuzz run. */
export interface HandleFuzzOptions {
  seed: number;
  ops: number;
  memory?: MemorySource;
  /** Share of invalid calls (default 0.25). */
  invalidShare?: number;
  /** Calls between full checks (default 500). */
  batch?: number;
  /** Handles alive at most before the program stops making new ones (default 200). */
  maxLive?: number;
  onProgress?: (done: number, total: number) => void;
}

/** A model value: what toJS of the handle must give. Lists and tuples are arrays, dicts Maps, sets Sets. */
type Model = unknown;
/** A live handle and the model of its object; `list` when the object is a list (the arrays of tuples are not to be changed). */
interface Live {
  readonly h: PyHandle;
  readonly model: Model;
  readonly list: boolean;
}

/** Whether two values are equal, following cycles (a pair seen before counts as equal). */
function sameValue(a: unknown, b: unknown, seen = new Map<unknown, unknown>()): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b);
  if (seen.get(a) === b) return true;
  seen.set(a, b);
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i], seen));
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    const bs = [...b];
    return [...a].every(([k, v], i) => Object.is(k, bs[i]![0]) && sameValue(v, bs[i]![1], seen));
  }
  if (a instanceof Set) return b instanceof Set && a.size === b.size && [...a].every((x) => b.has(x));
  if (a instanceof Uint8Array) return b instanceof Uint8Array && a.length === b.length && a.every((x, i) => x === b[i]);
  return false;
}

/** Empties the list, dict, tuple and float free lists. */
function clearFreeLists(py: Python): void {
  py.interp.list.clearFreeList();
  py.interp.dict.clearFreeList();
  py.interp.tuple.clearFreeList();
  py.interp.float.clearFreeList();
}

/** Runs one seeded program against a fresh Python space; see the module comment. */
export function fuzzHandles(options: HandleFuzzOptions): FuzzReport {
  const rnd = new Random(options.seed);
  const memory = options.memory ?? 'native';
  const py = new Python({ memory });
  const other = new Python({ memory });
  const foreign = other.list([1, 2, 3]);
  const invalidShare = options.invalidShare ?? 0.25;
  const batch = options.batch ?? 500;
  const maxLive = options.maxLive ?? 200;
  const live: Live[] = [];
  const released: PyHandle[] = [];
  const report = newReport(options.seed);
  let call = '';

  /** A random leaf: an int (small, large, huge), a float, a str, None, a bool. */
  const leaf = (): JSValue => {
    const r = rnd.below(7);
    if (r === 0) return rnd.between(-5, 300);
    if (r === 1) return rnd.between(-(2 ** 40), 2 ** 40);
    if (r === 2) return BigInt(rnd.between(1, 2 ** 30)) ** 3n;
    if (r === 3) return rnd.pick([0.5, -0, Number.NaN, Infinity, 1e300, 2.5 + rnd.below(100)]);
    if (r === 4) return `s${rnd.below(1000)}${'\u00e9'.repeat(rnd.below(3))}`;
    if (r === 5) return null;
    return rnd.chance(0.5);
  };
  /** What toJS gives for a leaf: an int that is a safe integer reads back as a number, any other as a bigint (1e300 converts to an int). */
  const leafModel = (v: JSValue): Model => {
    if (typeof v === 'bigint') return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    if (typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v)) return BigInt(v);
    return v;
  };
  /** A random JavaScript value (leaves, arrays, Maps, Sets, nested) and its model. */
  const value = (depth = 0): [JSValue, Model] => {
    const r = rnd.below(10);
    if (depth > 3 || r < 5) {
      const v = leaf();
      return [v, leafModel(v)];
    }
    if (r < 7) {
      const items = Array.from({ length: rnd.below(5) }, () => value(depth + 1));
      return [items.map(([v]) => v), items.map(([, m]) => m)];
    }
    if (r < 8 && live.length > 0) {
      const l = rnd.pick(live);
      return [l.h, l.model];
    }
    if (r < 9) {
      const m = new Map<JSValue, JSValue>();
      const mm = new Map<Model, Model>();
      for (let i = rnd.below(4); i > 0; i--) {
        const k = `k${rnd.below(8)}`;
        const [v, vm] = value(depth + 1);
        m.set(k, v);
        mm.set(k, vm);
      }
      return [m, mm];
    }
    const s = new Set<JSValue>();
    for (let i = rnd.below(4); i > 0; i--) s.add(rnd.chance(0.5) ? `e${rnd.below(6)}` : rnd.below(6));
    return [s, new Set(s)];
  };
  const add = (h: PyHandle, model: Model, list: boolean): void => {
    live.push({ h, model, list });
    report.peakLive = Math.max(report.peakLive, live.length);
  };
  const pickLive = (pred: (l: Live) => boolean = () => true): Live | undefined => {
    const all = live.filter(pred);
    return all.length === 0 ? undefined : rnd.pick(all);
  };
  const isList = (l: Live): boolean => l.list;
  /** A list that may grow: short lists only, so the checks stay cheap. */
  const isShortList = (l: Live): boolean => l.list && (l.model as Model[]).length < 32;
  const isDict = (l: Live): boolean => l.model instanceof Map;

  // --- valid calls -----------------------------------------------------------------
  const valid = (): void => {
    const r = live.length > maxLive ? 0.3 + 0.7 * rnd.next() : rnd.next();
    if (r < 0.2 || live.length === 0) {
      const [v, m] = value();
      call = 'py.from(…)';
      add(py.from(v), m, Array.isArray(v) || (live.find((l) => l.h === v)?.list ?? false));
    } else if (r < 0.27) {
      const v = leaf();
      call = 'py.tuple([…])';
      add(py.tuple([v, v]), [leafModel(v), leafModel(v)], false);
    } else if (r < 0.35) {
      const l = rnd.pick(live);
      call = 'dup';
      add(l.h.dup(), l.model, l.list);
    } else if (r < 0.55) {
      const i = rnd.below(live.length);
      call = 'release';
      const [l] = live.splice(i, 1);
      l!.h.release();
      released.push(l!.h);
      if (released.length > 32) released.shift();
    } else if (r < 0.7) {
      const l = pickLive(isShortList);
      if (l === undefined) return;
      const self = rnd.chance(0.1);
      const [v, m] = self ? [l.h, l.model] : value(1);
      call = 'append';
      py.append(l.h, v);
      (l.model as Model[]).push(m);
    } else if (r < 0.78) {
      const l = pickLive(isShortList);
      if (l === undefined) return;
      const items = Array.from({ length: rnd.below(4) }, () => value(2));
      call = 'extend';
      py.extend(l.h, items.map(([v]) => v));
      (l.model as Model[]).push(...items.map(([, m]) => m));
    } else if (r < 0.86) {
      const l = pickLive((x) => (isList(x) && (x.model as Model[]).length > 0) || isDict(x));
      if (l === undefined) return;
      const [v, m] = value(1);
      if (isDict(l)) {
        const k = `k${rnd.below(8)}`;
        call = `setitem(dict, ${k})`;
        py.setitem(l.h, k, v);
        (l.model as Map<Model, Model>).set(k, m);
      } else {
        const arr = l.model as Model[];
        const i = rnd.between(-arr.length, arr.length - 1);
        call = `setitem(list, ${i})`;
        py.setitem(l.h, i, v);
        arr[i < 0 ? i + arr.length : i] = m;
      }
    } else if (r < 0.94) {
      const l = pickLive((x) => (Array.isArray(x.model) && x.model.length > 0) || (isDict(x) && (x.model as Map<Model, Model>).size > 0));
      if (l === undefined) return;
      if (isDict(l)) {
        const [k, m] = rnd.pick([...(l.model as Map<Model, Model>)]);
        call = `getitem(dict, ${String(k)})`;
        const h = py.getitem(l.h, k as string);
        add(h, m, Array.isArray(m) && py.interp.list.check(h.ptr));
      } else {
        const arr = l.model as Model[];
        const i = rnd.below(arr.length);
        call = `getitem(seq, ${i})`;
        const h = py.getitem(l.h, i);
        add(h, arr[i], Array.isArray(arr[i]) && py.interp.list.check(h.ptr));
      }
    } else if (r < 0.97) {
      const l = pickLive(isShortList);
      if (l === undefined) return;
      const n = rnd.below(4);
      call = `repeat(list, ${n})`;
      const arr = l.model as Model[];
      add(py.repeat(l.h, n), Array.from({ length: n }, () => arr).flat(), true);
    } else {
      call = 'gc.collect()';
      py.gc.collect();
    }
  };

  // --- invalid calls -----------------------------------------------------------------
  const invalidCalls: (() => void)[] = [
    () => {
      if (released.length === 0) return;
      const h = rnd.pick(released);
      const f = rnd.below(5);
      call = `released handle: ${['release', 'toJS', 'dup', 'refcnt', 'append to'][f]}`;
      if (f === 0) h.release();
      else if (f === 1) h.toJS();
      else if (f === 2) h.dup();
      else if (f === 3) void h.refcnt;
      else {
        const l = pickLive(isList);
        if (l === undefined) h.release();
        else py.append(l.h, h);
      }
    },
    () => {
      const l = pickLive((x) => Array.isArray(x.model));
      if (l === undefined) return;
      const n = (l.model as Model[]).length;
      const i = rnd.pick<unknown>([n, -n - 1, 1.5, Number.NaN, '0', 2 ** 53, null]);
      call = `getitem(seq, ${String(i)})`;
      py.getitem(l.h, i as number);
    },
    () => {
      const l = pickLive(isList);
      if (l === undefined) return;
      const n = (l.model as Model[]).length;
      call = `setitem(list, ${n})`;
      py.setitem(l.h, rnd.pick([n, -n - 1]), 1);
    },
    () => {
      const l = pickLive(isDict);
      if (l === undefined) return;
      call = 'getitem(dict, missing)';
      py.getitem(l.h, 'no such key');
    },
    () => {
      const l = pickLive(isDict);
      if (l === undefined) return;
      call = 'setitem(dict, unhashable)';
      py.setitem(l.h, [1, 2] as never, 1);
    },
    () => {
      const bad = rnd.pick<unknown>([Symbol('x'), () => 0, new Date(0), [1, [Symbol('deep')]], new Map([['k', () => 0]])]);
      call = 'py.from(no Python value)';
      py.from(bad as never);
    },
    () => {
      const l = pickLive(isList);
      call = "a handle of another space";
      if (l === undefined || rnd.chance(0.3)) py.from([foreign]);
      else py.append(l.h, foreign);
    },
    () => {
      call = 'len / getitem / append on an int';
      using n = py.int(7);
      const f = rnd.below(3);
      if (f === 0) py.len(n);
      else if (f === 1) py.getitem(n, 0);
      else py.append(n, 1);
    },
  ];
  /** The blocks in use by size class, free lists emptied first (a refused conversion may park its shell there). */
  const inUse = (): string => {
    clearFreeLists(py);
    const st = py.debugMallocStats();
    return JSON.stringify([st.classes.map((c) => [c.size, c.blocksInUse]), st.rawAllocatedBlocks]);
  };
  const invalid = (): void => {
    const before = inUse();
    call = '';
    const threw = thrownBy(() => rnd.pick(invalidCalls)());
    if (call === '') return;
    checkRefusal(report, threw);
    if (inUse() !== before) fail('blocks in use changed');
  };

  // --- checks -----------------------------------------------------------------------
  /** Checks `sample` handles (all: every live one), then the heap. */
  const checkAll = (sample = 16): void => {
    const some = sample >= live.length ? live : Array.from({ length: sample }, () => rnd.pick(live));
    for (const l of some) {
      const js = l.h.toJS();
      if (!sameValue(js, l.model)) fail(`toJS of a ${l.h.type} handle differs from its model`);
      const v = py.interp.rt.validateObject(l.h.ptr);
      if (v.length > 0) fail(`${l.h.type} ${l.h.ptr}: ${v.slice(0, 3).join('; ')}`);
    }
    const v = [...pymallocViolations(py.interp.rt.heap.pymalloc), ...gcListViolations(py.interp.rt)];
    if (v.length > 0) fail(`heap invariants: ${v.slice(0, 3).join('; ')}`);
  };

  const blocksInUse = (): number => {
    const s = py.debugMallocStats();
    return s.classes.reduce((n, c) => n + c.blocksInUse, 0) + s.rawAllocatedBlocks;
  };
  try {
    py.interp.dict.clearFreeList();
    const baseline = blocksInUse();
    for (let i = 0; i < options.ops; i++) {
      report.ops = i + 1;
      if (rnd.chance(invalidShare)) invalid();
      else valid();
      if ((i + 1) % batch === 0) {
        call = 'batch check';
        checkAll();
        options.onProgress?.(i + 1, options.ops);
      }
    }
    call = 'final check';
    checkAll(Infinity);
    call = 'release everything';
    for (const l of live.splice(0)) l.h.release();
    py.gc.collect();
    clearFreeLists(py);
    const left = blocksInUse();
    if (left !== baseline) fail(`${left - baseline} blocks still allocated after releasing every handle and collecting`);
    const kept = py.list([1]);
    py.dispose();
    call = 'after dispose';
    for (const f of [() => kept.toJS(), () => py.list([1]), () => py.gc.collect(), () => kept.release(), () => py.from('x')]) {
      if (!(thrownBy(f) instanceof DisposedError)) fail('a call on a disposed space did not throw DisposedError');
    }
  } catch (e) {
    recordFailure(report, call, e);
  } finally {
    if (!py.interp.rt.disposed) py.dispose();
    other.dispose();
  }
  return report;
}
