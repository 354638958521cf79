/*
 * The C-API fuzzer: seeded random programs against an Interpreter's object
 * runtime (lib/objects), valid and invalid calls mixed.
 *
 *   valid     create objects of random kinds (int, float, str, bytes, tuple,
 *             list, dict, set); Py_INCREF / Py_DECREF; store one object in a
 *             list, dict or set, take it out again, clear containers; a list
 *             that holds itself (a cycle: refcounts never free it)
 *   invalid   every pointer a C caller can get wrong, passed to Py_INCREF,
 *             Py_DECREF, Py_TYPE, Py_REFCNT and the containers' functions:
 *             no number, NaN, infinite, fractional, unsafe, tiny
 *             (5e-324), interior (p + 8 … p + 32), freed, another
 *             interpreter's, an object of the wrong type for the call
 *
 * The model: every object the program made, its kind, the references the
 * program owns and what each container holds (so the refcount an object must
 * have is owned + the containers holding it). A decref to zero frees the
 * object and, in cascade, what only it held.
 *
 * Each invalid call must throw a PymemError and change nothing (the heap's
 * stats, the object's refcount and the container's size are the same).
 * After every batch: every model object has the refcount the model says,
 * its struct validates (Runtime.validateObject, with the dict and set
 * table checks), every container holds what the model says, and pymalloc's
 * invariants and the gc lists hold. At the end everything is dropped, a
 * collection frees the cycles, and the heap is back where it started.
 */
import { pymallocViolations } from '../../allocator/validate.js';
import type { MemorySource } from '../../allocator/heap.js';
import { gcListViolations, installGc } from '../../gc/index.js';
import { Interpreter } from '../../objects/interpreter.js';
import { type FuzzReport, checkRefusal, fail, newReport, recordFailure, show, thrownBy } from './fuzzReport.js';
import { Random } from './random.js';

/** Options of one C-API fuzz run. */
export interface CapiFuzzOptions {
  seed: number;
  ops: number;
  memory?: MemorySource;
  /** Share of invalid calls (default 0.25). */
  invalidShare?: number;
  /** Objects alive at most before the program stops making new ones (default 300). */
  maxLive?: number;
  /** Calls between full checks (default 500). */
  batch?: number;
  onProgress?: (done: number, total: number) => void;
}

type Kind = 'int' | 'float' | 'str' | 'bytes' | 'tuple' | 'list' | 'dict' | 'set';
const KINDS: readonly Kind[] = ['int', 'float', 'str', 'bytes', 'tuple', 'list', 'dict', 'set'];
/** Kinds whose objects hash by value (dict keys and set elements): each is made unique, so none is equal to another. */
const HASHABLE: readonly Kind[] = ['int', 'float', 'str', 'bytes'];

/** A model object: the references the program owns, and (containers) what it holds in order. */
interface Obj {
  readonly kind: Kind;
  owned: number;
  /** References from the containers of the model (one per slot). */
  held: number;
  /** list items / tuple items / dict values / set elements (pointers of model objects). */
  items: number[];
  /** dict keys, parallel to items. */
  keys: number[];
}

const NOT_POINTERS: unknown[] = [Number.NaN, Infinity, -Infinity, undefined, null, '4096', 1.5, -16, 5e-324, 2 ** 53 + 16, 2 ** 60, 10n, Symbol('op'), {}];

/** Runs one seeded program against a fresh Interpreter; see the module comment. */
export function fuzzCapi(options: CapiFuzzOptions): FuzzReport {
  const rnd = new Random(options.seed);
  const memory = options.memory ?? 'native';
  const interp = new Interpreter({ memory, profile: 'cpython311' });
  const other = new Interpreter({ memory, profile: 'cpython311' });
  const gc = installGc(interp);
  const { rt } = interp;
  const invalidShare = options.invalidShare ?? 0.25;
  const batch = options.batch ?? 500;
  const maxLive = options.maxLive ?? 300;
  const model = new Map<number, Obj>();
  const freed: number[] = [];
  const foreign = [other.str.fromString('another interpreter'), other.list.new(0), other.long.fromNumber(2 ** 40)];
  const report = newReport(options.seed);
  let unique = 0;
  let call = '';

  const stats = (): string => rt.heap.formatDebugMallocStats();
  const blocksInUse = (): number => {
    const s = rt.heap.debugMallocStats();
    return s.classes.reduce((n, c) => n + c.blocksInUse, 0) + s.rawAllocatedBlocks;
  };
  const pick = (pred: (o: Obj) => boolean = () => true): number | undefined => {
    const all = [...model].filter(([, o]) => pred(o));
    return all.length === 0 ? undefined : all[rnd.below(all.length)]![0];
  };
  /** The refcount the model expects: owned references plus one per slot of a live container holding it. */
  const expectedRefcnt = (p: number): number => model.get(p)!.owned + model.get(p)!.held;
  const hold = (q: number): void => void model.get(q)!.held++;
  /** A container let go of q: frees it in the model when that was its last reference. */
  const unhold = (q: number): void => {
    model.get(q)!.held--;
    settle(q);
  };
  /** Frees p in the model when nothing refers to it any more, and what only it held. */
  const settle = (p: number): void => {
    const o = model.get(p);
    if (o === undefined || expectedRefcnt(p) > 0) return;
    model.delete(p);
    freed.push(p);
    if (freed.length > 64) freed.shift();
    for (const q of [...o.items, ...o.keys]) unhold(q);
  };
  const born = (p: number, o: Obj): void => {
    if (model.has(p)) fail(`${call} returned ${p}, a live object`);
    model.set(p, o);
    const i = freed.indexOf(p);
    if (i >= 0) freed.splice(i, 1);
    report.peakLive = Math.max(report.peakLive, model.size);
  };

  const create = (kind: Kind): number => {
    const u = ++unique;
    call = `new ${kind}`;
    const obj: Obj = { kind, owned: 1, held: 0, items: [], keys: [] };
    let p: number;
    switch (kind) {
      case 'int':
        p = interp.long.fromNumber(1000 + u * (rnd.chance(0.3) ? 2 ** 31 : 1));
        break;
      case 'float':
        p = interp.float.fromNumber(u + 0.5);
        break;
      case 'str':
        p = interp.str.fromString(`s${u}${'x'.repeat(rnd.below(40))}${rnd.chance(0.1) ? '\u20ac' : ''}`);
        break;
      case 'bytes':
        p = interp.bytes.fromBytes(new TextEncoder().encode(`b${u}`.padEnd(2 + rnd.below(60), '.')));
        break;
      case 'tuple': {
        const items = Array.from({ length: rnd.between(1, 5) }, () => pick());
        if (items.some((q) => q === undefined)) return create('float');
        p = interp.tuple.pack(items as number[]);
        obj.items = items as number[];
        for (const q of obj.items) hold(q);
        break;
      }
      case 'list':
        p = interp.list.new(0);
        break;
      case 'dict':
        p = interp.dict.new();
        break;
      case 'set':
        p = interp.set.new();
        break;
    }
    born(p, obj);
    return p;
  };

  // --- valid calls ---------------------------------------------------------------------
  const valid = (): void => {
    // Past maxLive objects the program makes none: it drops and takes apart what it has.
    const r = model.size > maxLive ? 0.3 + 0.7 * rnd.next() : rnd.next();
    const p = pick();
    if (r < 0.3 || p === undefined) {
      create(rnd.pick(KINDS));
    } else if (r < 0.4) {
      call = `Py_INCREF(${p})`;
      rt.incref(p);
      model.get(p)!.owned++;
    } else if (r < 0.62) {
      const q = pick((o) => o.owned > 0);
      if (q === undefined) return;
      call = `Py_DECREF(${q} ${model.get(q)!.kind})`;
      rt.decref(q);
      model.get(q)!.owned--;
      settle(q);
    } else if (r < 0.8) {
      const c = pick((o) => o.kind === 'list' || o.kind === 'dict' || o.kind === 'set');
      if (c === undefined) return;
      const co = model.get(c)!;
      if (co.kind === 'list') {
        const v = rnd.chance(0.05) ? c : p;
        call = `PyList_Append(${c}, ${v})`;
        interp.list.append(c, v);
        co.items.push(v);
        hold(v);
      } else {
        const k = pick((o) => HASHABLE.includes(o.kind));
        if (k === undefined) return;
        if (co.kind === 'set') {
          call = `PySet_Add(${c}, ${k})`;
          interp.set.add(c, k);
          if (!co.items.includes(k)) {
            co.items.push(k);
            hold(k);
          }
        } else {
          call = `PyDict_SetItem(${c}, ${k}, ${p})`;
          interp.dict.setItem(c, k, p);
          const at = co.keys.indexOf(k);
          hold(p);
          if (at >= 0) {
            const old = co.items[at]!;
            co.items[at] = p;
            unhold(old);
          } else {
            co.keys.push(k);
            co.items.push(p);
            hold(k);
          }
        }
      }
    } else if (r < 0.95) {
      const c = pick((o) => (o.kind === 'list' || o.kind === 'dict' || o.kind === 'set') && o.items.length > 0);
      if (c === undefined) return;
      const co = model.get(c)!;
      const i = rnd.below(co.items.length);
      const v = co.items[i]!;
      if (co.kind === 'list') {
        call = `list.pop(${c}, ${i})`;
        const got = interp.list.pop(c, i);
        if (got !== v) fail(`list.pop(${c}, ${i}) gave ${got}, the model holds ${v} there`);
        co.items.splice(i, 1);
        model.get(v)!.owned++;
        model.get(v)!.held--;
      } else if (co.kind === 'set') {
        call = `PySet_Discard(${c}, ${v})`;
        if (!interp.set.discard(c, v)) fail(`${call}: not found`);
        co.items.splice(i, 1);
        unhold(v);
      } else {
        const k = co.keys[i]!;
        call = `PyDict_DelItem(${c}, ${k})`;
        interp.dict.delItem(c, k);
        co.keys.splice(i, 1);
        co.items.splice(i, 1);
        unhold(k);
        unhold(v);
      }
    } else {
      const c = pick((o) => o.kind === 'list' || o.kind === 'dict' || o.kind === 'set');
      if (c === undefined) return;
      const co = model.get(c)!;
      const kind = co.kind;
      call = `${kind}.clear(${c})`;
      if (kind === 'list') interp.list.clear(c);
      else if (kind === 'dict') interp.dict.clear(c);
      else interp.set.clear(c);
      const held = [...co.items, ...co.keys];
      co.items = [];
      co.keys = [];
      for (const q of held) unhold(q);
    }
  };

  // --- invalid calls --------------------------------------------------------------------
  const badPointer = (): unknown => {
    const p = pick();
    const choices: (() => unknown)[] = [
      () => rnd.pick(NOT_POINTERS),
      () => (p === undefined ? Number.NaN : p + rnd.pick([8, 16, 24, 32])),
      () => (p === undefined ? Number.NaN : p + 0.5),
      () => (freed.length > 0 ? freed[rnd.below(freed.length)]! : -8),
      () => rnd.pick(foreign),
      () => rnd.between(1, 2 ** 20) * 8,
    ];
    return rnd.pick(choices)();
  };
  /** Whether a bad pointer is, by chance, a live object after all (a freed block given out again, or an object's interior that starts another). */
  const isLiveHere = (q: unknown): boolean => typeof q === 'number' && (model.has(q) || (rt.typeOrNull(q) !== null && !foreign.includes(q)));
  const invalidCalls: (() => [number, number] | void)[] = [
    () => {
      const q = badPointer() as number;
      if (isLiveHere(q)) return;
      const f = rnd.pick(['Py_INCREF', 'Py_DECREF', 'Py_TYPE', 'Py_REFCNT'] as const);
      call = `${f}(${show(q)})`;
      if (f === 'Py_INCREF') rt.incref(q);
      else if (f === 'Py_DECREF') rt.decref(q);
      else if (f === 'Py_TYPE') rt.typeOf(q);
      else rt.refcnt(q);
    },
    () => {
      const c = pick((o) => o.kind === 'list');
      const q = badPointer() as number;
      if (c === undefined || isLiveHere(q)) return;
      const f = rnd.pick(['append', 'insert', 'setItem'] as const);
      call = `list.${f}(${c}, ${show(q)})`;
      if (f === 'append') interp.list.append(c, q);
      else if (f === 'insert') interp.list.insert(c, 0, q);
      else interp.list.setItem(c, 0, q);
      return [c, model.get(c)!.items.length];
    },
    () => {
      const c = pick((o) => o.kind === 'dict');
      const q = badPointer() as number;
      if (c === undefined || isLiveHere(q)) return;
      const k = pick((o) => o.kind === 'str') ?? q;
      const asKey = rnd.chance(0.5);
      call = asKey ? `PyDict_SetItem(${c}, ${show(q)}, ...)` : `PyDict_SetItem(${c}, ${k}, ${show(q)})`;
      if (asKey) interp.dict.setItem(c, q, c);
      else interp.dict.setItem(c, k, q);
      return [c, model.get(c)!.items.length];
    },
    () => {
      const c = pick((o) => o.kind === 'set');
      const q = badPointer() as number;
      if (c === undefined || isLiveHere(q)) return;
      call = `PySet_Add(${c}, ${show(q)})`;
      interp.set.add(c, q);
      return [c, model.get(c)!.items.length];
    },
    () => {
      // The wrong type for the call: a container function given another kind of object.
      const p = pick((o) => o.kind !== 'list' && o.kind !== 'dict');
      if (p === undefined) return;
      const f = rnd.pick(['list.append', 'list.size', 'dict.next', 'dict.setItem', 'list.pop'] as const);
      call = `${f}(${p} ${model.get(p)!.kind}, …)`;
      if (f === 'list.append') interp.list.append(p, p);
      else if (f === 'list.size') interp.list.size(p);
      else if (f === 'dict.next') interp.dict.next(p, 0);
      else if (f === 'dict.setItem') interp.dict.setItem(p, p, p);
      else interp.list.pop(p);
    },
    () => {
      // An unhashable key.
      const c = pick((o) => o.kind === 'dict' || o.kind === 'set');
      const k = pick((o) => o.kind === 'list' || o.kind === 'dict' || o.kind === 'set');
      if (c === undefined || k === undefined) return;
      call = `insert unhashable ${model.get(k)!.kind} into ${model.get(c)!.kind}`;
      if (model.get(c)!.kind === 'dict') interp.dict.setItem(c, k, k);
      else interp.set.add(c, k);
      return [c, model.get(c)!.items.length];
    },
    () => {
      const c = pick((o) => o.kind === 'list');
      if (c === undefined) return;
      const i = rnd.pick<unknown>([model.get(c)!.items.length, -1 - model.get(c)!.items.length, 1.5, Number.NaN, 2 ** 53, '0']);
      call = `list.getItem(${c}, ${show(i)})`;
      interp.list.getItem(c, i as number);
    },
  ];
  const invalid = (): void => {
    const before = stats();
    const refcounts = [...model.keys()].map((p) => [p, rt.refcnt(p)] as const);
    call = '';
    let sized: [number, number] | void = undefined;
    const threw = thrownBy(() => {
      sized = rnd.pick(invalidCalls)();
    });
    if (call === '') return;
    checkRefusal(report, threw);
    if (stats() !== before) fail('the stats changed');
    for (const [p, n] of refcounts) if (rt.refcnt(p) !== n) fail(`the refcount of ${p} changed from ${n} to ${rt.refcnt(p)}`);
    const s = sized as [number, number] | undefined;
    if (s !== undefined && sizeOf(s[0]) !== s[1]) fail(`the container's size changed from ${s[1]} to ${sizeOf(s[0])}`);
  };
  const sizeOf = (c: number): number => {
    const kind = model.get(c)!.kind;
    return kind === 'list' ? interp.list.size(c) : kind === 'dict' ? interp.dict.size(c) : interp.set.size(c);
  };

  // --- checks ---------------------------------------------------------------------------
  const checkAll = (): void => {
    for (const [p, o] of model) {
      const problems = rt.validateObject(p);
      if (o.kind === 'dict') problems.push(...interp.dict.violations(p));
      if (o.kind === 'set') problems.push(...interp.set.violations(p));
      if (problems.length > 0) fail(`${o.kind} ${p}: ${problems.slice(0, 3).join('; ')}`);
      const n = expectedRefcnt(p);
      if (rt.refcnt(p) !== n) fail(`${o.kind} ${p} has refcount ${rt.refcnt(p)}, the model says ${n}`);
      if (o.kind === 'list' || o.kind === 'tuple') {
        const got = o.kind === 'list' ? interp.list.items(p) : interp.tuple.items(p);
        if (got.join() !== o.items.join()) fail(`${o.kind} ${p} holds [${got}], the model [${o.items}]`);
      } else if (o.kind === 'set') {
        const got = interp.set.items(p).sort();
        if (got.join() !== [...o.items].sort().join()) fail(`set ${p} holds {${got}}, the model {${o.items}}`);
      } else if (o.kind === 'dict') {
        const got = interp.dict.items(p);
        if (got.map(([k, v]) => `${k}:${v}`).join() !== o.keys.map((k, i) => `${k}:${o.items[i]}`).join()) fail(`dict ${p} holds other items than the model`);
      }
    }
    const v = [...pymallocViolations(rt.heap.pymalloc), ...gcListViolations(rt)];
    if (v.length > 0) fail(`heap invariants: ${v.slice(0, 3).join('; ')}`);
  };

  try {
    interp.dict.clearFreeList();
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
    checkAll();
    call = 'drop everything';
    for (const [p, o] of [...model]) {
      for (; o.owned > 0; o.owned--) rt.decref(p);
    }
    gc.collect();
    interp.list.clearFreeList();
    interp.dict.clearFreeList();
    interp.tuple.clearFreeList();
    interp.float.clearFreeList();
    const left = blocksInUse();
    if (left !== baseline) fail(`${left - baseline} blocks still allocated after dropping everything and collecting`);
  } catch (e) {
    recordFailure(report, call, e);
  } finally {
    interp.dispose();
    other.dispose();
  }
  return report;
}
