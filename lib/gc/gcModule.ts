/*
 * The Python `gc` module of CPython 3.11 (Modules/gcmodule.c, the gc_*_impl
 * functions) over one interpreter, and the two functions that start
 * collections: gc_collect_generations (installed as GcState's
 * collectGenerations hook, run when an allocation takes generation 0's count
 * over its threshold) and gc_collect_with_callback (gc.callbacks around
 * gc_collect_main, plus the 'pymem:gc' diagnostics channel).
 *
 * Names are CPython's in camelCase (get_count -> getCount, isenabled ->
 * isEnabled). Where Python returns a new list (get_objects, get_referrers,
 * get_referents) this returns a JavaScript array of borrowed references, so
 * asking costs no GC allocation; gc.garbage is a real list object, as in
 * CPython, holding its own references.
 *
 * Under the interpreter's GcPolicy (objects/gcPolicy.ts): the generational
 * policies (3.11, 3.13) run gc_collect_main; the incremental one (3.14) runs
 * _PyGC_Collect's switch (incremental.ts) and answers get_count,
 * get_threshold, get_objects, freeze and unfreeze as 3.14's gcmodule.c does.
 *
 * Argument errors are InvalidArgumentError with CPython's message (its
 * TypeError, ValueError and OverflowError).
 */
import { InvalidArgumentError, describe } from '../errors.js';
import { NUM_GENERATIONS, type GcState, type GenerationStats } from '../objects/gcState.js';
import type { Interpreter } from '../objects/interpreter.js';
import type { Unraisable } from '../objects/runtime.js';
import {
  type CollectionResult,
  Collector,
  DEBUG_COLLECTABLE,
  DEBUG_LEAK,
  DEBUG_SAVEALL,
  DEBUG_STATS,
  DEBUG_UNCOLLECTABLE,
} from './collector.js';
import { type GcChannelMessage, gcChannel } from './diagnostics.js';
import { IncrementalCollector } from './incremental.js';

export { DEBUG_COLLECTABLE, DEBUG_LEAK, DEBUG_SAVEALL, DEBUG_STATS, DEBUG_UNCOLLECTABLE };

/** The info dict gc.callbacks receive. */
export interface GcCallbackInfo {
  readonly generation: number;
  readonly collected: number;
  readonly uncollectable: number;
}

/** A gc.callbacks entry: called with "start" or "stop" and the info dict. */
export type GcCallback = (phase: 'start' | 'stop', info: GcCallbackInfo) => void;

/** INT_MIN and INT_MAX: the range of PyArg_ParseTuple's "i". */
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
/** _PyGC_HEAD: the PyGC_Head sits just before the object. */
const GC_HEAD = 16;

/** The gc module of one interpreter. */
export class GcModule {
  /** gc.DEBUG_* flags. */
  static readonly DEBUG_STATS = DEBUG_STATS;
  static readonly DEBUG_COLLECTABLE = DEBUG_COLLECTABLE;
  static readonly DEBUG_UNCOLLECTABLE = DEBUG_UNCOLLECTABLE;
  static readonly DEBUG_SAVEALL = DEBUG_SAVEALL;
  static readonly DEBUG_LEAK = DEBUG_LEAK;

  /** gc.callbacks: called in order with ("start" | "stop", info) around every collection. */
  readonly callbacks: GcCallback[] = [];
  /** gc.garbage: a list object (borrowed; the module owns it) of uncollectable objects, or all garbage under DEBUG_SAVEALL. */
  readonly garbage: number;
  private readonly state: GcState;
  private readonly collector: Collector;
  /** 3.14's collector; null under the generational policies. */
  private readonly incremental: IncrementalCollector | null;

  constructor(readonly interp: Interpreter) {
    this.state = interp.rt.gc;
    this.collector = new Collector(interp);
    this.incremental =
      this.state.incremental === null ? null : new IncrementalCollector(interp.rt, this.state, this.collector, this.collector.gcList);
    this.garbage = interp.list.new(0);
    this.collector.garbage = this.garbage;
  }

  /** Where DEBUG_STATS / DEBUG_COLLECTABLE / DEBUG_UNCOLLECTABLE lines go (sys.stderr); default process.stderr. */
  get stderr(): (text: string) => void {
    return this.collector.write;
  }
  set stderr(write: (text: string) => void) {
    if (typeof write !== 'function') throw new InvalidArgumentError(`stderr must be a function, got ${describe(write)}`);
    this.collector.write = write;
  }

  /**
   * The unraisable errors (sys.unraisablehook's arguments) of the
   * interpreter, oldest first: finalizers, weakref callbacks, gc.callbacks
   * and tp_clear that threw during collections are reported here and the
   * collection went on.
   */
  get unraisable(): readonly Unraisable[] {
    return this.interp.rt.unraisable;
  }

  // --- collection ---------------------------------------------------------------------------

  /**
   * gc.collect(generation=2): collect that generation and the younger ones;
   * the number of unreachable objects found (collected + uncollectable). 0
   * while a collection is running.
   */
  collect(generation = NUM_GENERATIONS - 1): number {
    this.interp.rt.checkNotDisposed('gc.collect');
    if (typeof generation !== 'number' || !Number.isInteger(generation)) {
      throw new InvalidArgumentError(`TypeError: generation must be an integer, got ${describe(generation)}`);
    }
    if (generation < 0 || generation >= NUM_GENERATIONS) {
      throw new InvalidArgumentError(`ValueError: invalid generation (${generation}; expected 0 to ${NUM_GENERATIONS - 1})`);
    }
    const st = this.state;
    if (st.collecting) return 0;
    st.collecting = true;
    try {
      return this.collectWithCallback(generation, false);
    } finally {
      st.collecting = false;
    }
  }

  /**
   * gc_collect_generations: collect the oldest generation whose count is over
   * its threshold, but the oldest only once the objects that survived
   * gen-1 collections since the last full one (long_lived_pending) exceed
   * 25% of those the last full collection kept (long_lived_total). Installed
   * as GcState.collectGenerations; the caller holds GcState.collecting.
   * (gc_select_generation in 3.13, the same rule.)
   */
  collectGenerations(): number {
    const st = this.state;
    // _Py_RunGC under 3.14: every automatic collection is an increment.
    if (this.incremental !== null) return this.collectWithCallback(1, true);
    for (let i = NUM_GENERATIONS - 1; i >= 0; i--) {
      const gen = st.generations[i]!;
      if (gen.count > gen.threshold) {
        // Avoid quadratic work in the number of tracked objects (issue #4074).
        if (i === NUM_GENERATIONS - 1 && st.longLivedPending < Math.floor(st.longLivedTotal / 4)) continue;
        return this.collectWithCallback(i, true);
      }
    }
    return 0;
  }

  /** gc_collect_with_callback: "start" callbacks, gc_collect_main (3.14: _PyGC_Collect's switch), "stop" callbacks. */
  private collectWithCallback(generation: number, automatic: boolean): number {
    this.invokeGcCallback('start', generation, 0, 0, automatic, 0);
    const t0 = performance.now();
    const { collected, uncollectable } = this.incremental === null ? this.collector.collectMain(generation) : this.collectIncremental(generation);
    this.invokeGcCallback('stop', generation, collected, uncollectable, automatic, performance.now() - t0);
    return collected + uncollectable;
  }

  /** _PyGC_Collect (3.14) between its callbacks: 0 a young collection, 1 an increment, 2 a full collection. */
  private collectIncremental(generation: number): CollectionResult {
    const inc = this.incremental!;
    this.interp.rt.checkNotDisposed('_PyGC_Collect');
    if ((this.state.debug & DEBUG_STATS) !== 0) this.collector.debugCollecting(generation);
    if (generation === 0) return inc.collectYoung();
    if (generation === 1) return inc.collectIncrement();
    return inc.collectFull();
  }

  /** invoke_gc_callback: each of gc.callbacks (a throw is reported as unraisable), then the channel. */
  private invokeGcCallback(phase: 'start' | 'stop', generation: number, collected: number, uncollectable: number, automatic: boolean, durationMs: number): void {
    const callbacks = this.callbacks;
    if (callbacks.length !== 0) {
      const info: GcCallbackInfo = Object.freeze({ generation, collected, uncollectable });
      // The list may change under the calls: read its length each time, as CPython does.
      for (let i = 0; i < callbacks.length; i++) {
        const cb = callbacks[i]!;
        try {
          cb(phase, info);
        } catch (e) {
          this.collector.unraisable(e, 0, null, `<gc callback ${cb.name || 'function'}>`);
        }
      }
    }
    if (gcChannel.hasSubscribers) {
      const message: GcChannelMessage = { phase, generation, collected, uncollectable, automatic, durationMs, counts: this.getCount(), source: this };
      gcChannel.publish(message);
    }
  }

  // --- switches and counters ---------------------------------------------------------------

  /** gc.enable(): automatic collection on. */
  enable(): void {
    this.state.enabled = true;
  }
  /** gc.disable(): automatic collection off (gc.collect() still works). */
  disable(): void {
    this.state.enabled = false;
  }
  /** gc.isenabled(). */
  isEnabled(): boolean {
    return this.state.enabled;
  }

  /**
   * gc.get_count(): the generations' counters (gen 0: allocations less
   * deallocations; older: collections of the younger one). 3.14: young's
   * count, then old[visited].count (young collections since the last full
   * one) and old[pending].count.
   */
  getCount(): [number, number, number] {
    const g = this.state.generations;
    const inc = this.state.incremental;
    if (inc !== null) return [g[0]!.count, g[1 + inc.visitedSpace]!.count, g[2 - inc.visitedSpace]!.count];
    return [g[0]!.count, g[1]!.count, g[2]!.count];
  }

  /** gc.get_threshold(). 3.14: (young, old[0]'s scan-rate factor, 0): its third value is always 0. */
  getThreshold(): [number, number, number] {
    const g = this.state.generations;
    return [g[0]!.threshold, g[1]!.threshold, this.incremental !== null ? 0 : g[2]!.threshold];
  }

  /**
   * gc.set_threshold(threshold0[, threshold1[, threshold2]]): C ints, as
   * PyArg_ParseTuple("i|ii") takes them (so negative values are accepted, as
   * CPython does; threshold0 = 0 turns automatic collection off). Omitted
   * ones keep their value. Nothing changes when an argument is bad.
   */
  setThreshold(...thresholds: number[]): void {
    if (thresholds.length < 1) throw new InvalidArgumentError(`TypeError: set_threshold() takes at least 1 argument (0 given)`);
    if (thresholds.length > NUM_GENERATIONS) {
      throw new InvalidArgumentError(`TypeError: set_threshold() takes at most ${NUM_GENERATIONS} arguments (${thresholds.length} given)`);
    }
    thresholds.forEach((t, i) => {
      if (typeof t !== 'number' || !Number.isInteger(t)) {
        throw new InvalidArgumentError(`TypeError: threshold${i} must be an integer, got ${describe(t)}`);
      }
      if (t < INT_MIN || t > INT_MAX) {
        throw new InvalidArgumentError(`OverflowError: threshold${i} = ${t} does not fit a C int [${INT_MIN}, ${INT_MAX}]`);
      }
    });
    thresholds.forEach((t, i) => {
      this.state.generations[i]!.threshold = t;
    });
  }

  /** gc.get_debug(). */
  getDebug(): number {
    return this.state.debug;
  }
  /** gc.set_debug(flags): an int of DEBUG_* bits. */
  setDebug(flags: number): void {
    if (typeof flags !== 'number' || !Number.isInteger(flags)) {
      throw new InvalidArgumentError(`TypeError: set_debug() flags must be an integer, got ${describe(flags)}`);
    }
    if (flags < INT_MIN || flags > INT_MAX) throw new InvalidArgumentError(`OverflowError: set_debug() flags ${flags} do not fit a C int`);
    this.state.debug = flags;
  }

  /**
   * Objects the collector has examined (update_refs over each collection's
   * objects, CPython's `candidates`) since the interpreter started: pymem's
   * measure of a collector's work, not a gc module function.
   */
  get candidates(): number {
    return this.collector.candidates;
  }

  /** gc.get_stats(): per generation, collections run, objects collected and found uncollectable (copies). */
  getStats(): GenerationStats[] {
    return this.state.stats.map((s) => ({ ...s }));
  }

  // --- objects ------------------------------------------------------------------------------

  /**
   * gc.get_objects(generation=None): the objects tracked in that generation,
   * or in all three (None or -1), oldest list order; not the permanent
   * generation. Borrowed references.
   */
  getObjects(generation: number | null = null): number[] {
    this.interp.rt.checkNotDisposed('gc.get_objects');
    const out: number[] = [];
    const lists = this.collector.gcList;
    const gens = this.state.generations;
    const collect = (head: number) => {
      for (let g = lists.next(head); g !== head; g = lists.next(g)) out.push(g + GC_HEAD);
    };
    if (generation !== null && generation !== -1) {
      if (typeof generation !== 'number' || !Number.isInteger(generation)) {
        throw new InvalidArgumentError(`TypeError: generation must be an integer or None, got ${describe(generation)}`);
      }
      if (generation >= NUM_GENERATIONS) {
        throw new InvalidArgumentError(`ValueError: generation parameter must be less than the number of available generations (${NUM_GENERATIONS})`);
      }
      if (generation < 0) throw new InvalidArgumentError('ValueError: generation parameter cannot be negative');
      if (this.incremental === null) {
        collect(gens[generation]!.head);
      } else if (generation === 0) {
        collect(gens[0]!.head);
      } else if (generation === 2) {
        // 3.14: 1 has no objects, 2 is the whole old generation (old[0] then old[1]).
        collect(gens[1]!.head);
        collect(gens[2]!.head);
      }
      return out;
    }
    for (const gen of gens) collect(gen.head);
    return out;
  }

  /**
   * gc.get_referrers(*objs): the tracked objects (all three generations)
   * whose tp_traverse visits one of objs. Borrowed references.
   */
  getReferrers(...objs: number[]): number[] {
    this.interp.rt.checkNotDisposed('gc.get_referrers');
    objs.forEach((o) => this.checkObject(o, 'get_referrers'));
    const rt = this.interp.rt;
    const lists = this.collector.gcList;
    const targets = new Set(objs);
    const visit = (op: number): number => (targets.has(op) ? 1 : 0);
    const out: number[] = [];
    for (const gen of this.state.generations) {
      for (let g = lists.next(gen.head); g !== gen.head; g = lists.next(g)) {
        const op = g + GC_HEAD;
        if ((rt.typeOf(op).traverse?.(rt, op, visit) ?? 0) !== 0) out.push(op);
      }
    }
    return out;
  }

  /** gc.get_referents(*objs): what the tp_traverse of each GC object among objs visits, in order. Borrowed references. */
  getReferents(...objs: number[]): number[] {
    objs.forEach((o) => this.checkObject(o, 'get_referents'));
    const rt = this.interp.rt;
    const out: number[] = [];
    const visit = (op: number): number => {
      out.push(op);
      return 0;
    };
    for (const op of objs) {
      if (this.collector.isGc(op)) rt.typeOf(op).traverse?.(rt, op, visit);
    }
    return out;
  }

  /** gc.is_tracked(obj): a GC object on one of the lists. */
  isTracked(op: number): boolean {
    this.checkObject(op, 'is_tracked');
    return this.collector.isGc(op) && this.interp.rt.gc.isTracked(op);
  }

  /** gc.is_finalized(obj): a GC object whose tp_finalize the collector (or its dealloc) has run. */
  isFinalized(op: number): boolean {
    this.checkObject(op, 'is_finalized');
    return this.collector.isGc(op) && this.collector.gcList.isFinalized(op - GC_HEAD);
  }

  // --- the permanent generation --------------------------------------------------------------

  /** gc.freeze(): every tracked object moves to the permanent generation, ignored by collections; gen 0's count resets. */
  freeze(): void {
    this.interp.rt.checkNotDisposed('gc.freeze');
    if (this.incremental !== null) return this.incremental.freeze();
    const lists = this.collector.gcList;
    for (const gen of this.state.generations) {
      lists.merge(gen.head, this.state.permanentGeneration.head);
      this.state.generations[0]!.count = 0;
    }
  }
  /** gc.unfreeze(): the permanent generation goes back to the oldest one. */
  unfreeze(): void {
    this.interp.rt.checkNotDisposed('gc.unfreeze');
    if (this.incremental !== null) return this.incremental.unfreeze();
    this.collector.gcList.merge(this.state.permanentGeneration.head, this.state.generations[NUM_GENERATIONS - 1]!.head);
  }
  /** gc.get_freeze_count(). */
  getFreezeCount(): number {
    this.interp.rt.checkNotDisposed('gc.get_freeze_count');
    return this.collector.gcList.size(this.state.permanentGeneration.head);
  }

  /** The objects of gc.garbage (borrowed references). */
  garbageItems(): number[] {
    return this.interp.list.items(this.garbage);
  }

  private checkObject(op: number, fn: string): void {
    if (typeof op !== 'number' || !Number.isInteger(op) || op <= 0) {
      throw new InvalidArgumentError(`gc.${fn}: expected an object, got ${op === 0 ? 'NULL' : describe(op)}`);
    }
  }
}

const installed = new WeakMap<Interpreter, GcModule>();

/**
 * The gc module of `interp`, installing the collector on first use: from
 * then on an allocation that takes generation 0 over its threshold runs
 * gc_collect_generations (while gc is enabled).
 */
export function installGc(interp: Interpreter): GcModule {
  let gc = installed.get(interp);
  if (gc === undefined) {
    const module = new GcModule(interp);
    gc = module;
    installed.set(interp, module);
    interp.rt.gc.collectGenerations = () => {
      module.collectGenerations();
    };
  }
  return gc;
}
