/*
 * The cyclic collector's scheduling, as data: one GcPolicy per CPython
 * version whose schedule pymem can run (`new Python({ gcPolicy })`). The
 * objects, their layouts and the phases of a collection (update_refs ...
 * delete_garbage) are 3.11's under every policy; a policy decides only when a
 * collection starts, which objects it takes, and what the gc module reports.
 *
 *   policy  collector     thresholds      automatic collection takes
 *   3.11    generational  (700, 10, 10)   the oldest generation over its
 *                                         threshold; the oldest only once
 *                                         long_lived_pending > long_lived_total / 4
 *   3.13    generational  (2000, 10, 10)  the same rule (gc_select_generation)
 *   3.14    incremental   (2000, 10, 0)   the young generation and an increment
 *                                         of the old one (gc_collect_increment)
 *
 * Counting is the same in all three: _PyObject_GC_Link counts a new container
 * in generation 0 (3.14: `young`) and in heap_size, PyObject_GC_Del uncounts
 * it (never below 0), and an allocation that takes the count over threshold 0
 * (not 0, gc enabled, no collection running) starts the collection. 3.11
 * collects inside that allocation; 3.13 and 3.14 set the eval breaker
 * (_Py_ScheduleGC) and collect at the next check of the evaluation loop. pymem
 * has no evaluation loop, so under every policy the collection runs inside the
 * allocation: the same objects are counted, collections start at the same
 * counts, only no bytecode runs in between.
 *
 * Sources: 3.11.7's Modules/gcmodule.c; 3.14's Python/gc.c and
 * Modules/gcmodule.c (gc_collect_young, gc_collect_increment, gc_collect_full,
 * assess_work_to_do, gc_get_threshold_impl's literal third 0). 3.13 is the
 * generational gc.c of 3.12 (gc_select_generation, _PyObject_GC_Link
 * counting) with threshold 0 raised to 2000 — 3.13's incremental collector
 * was reverted before 3.13.0 and re-landed as 3.14's.
 */
import { InvalidArgumentError, describe } from '../errors.js';

/** The names of the policies, as `new Python({ gcPolicy })` and `pymem run --gc` take them. */
export type GcPolicyName = '3.11' | '3.13' | '3.14';

/** One CPython version's collector schedule. */
export interface GcPolicy {
  readonly name: GcPolicyName;
  /**
   * 'generational': three generations, a collection of generation g takes
   * generations 0..g (gc_collect_main). 'incremental': a young generation and
   * an old one in two halves (visited / pending); generation 0 is a young
   * collection, 1 an increment, 2 a full collection (_PyGC_Collect's switch).
   */
  readonly collector: 'generational' | 'incremental';
  /** The thresholds a new interpreter starts with (generations[i].threshold; 3.14: young, old[0], old[1]). */
  readonly thresholds: readonly [number, number, number];
}

/** The policies by name. */
export const GC_POLICIES: Readonly<Record<GcPolicyName, GcPolicy>> = Object.freeze({
  '3.11': { name: '3.11', collector: 'generational', thresholds: [700, 10, 10] },
  '3.13': { name: '3.13', collector: 'generational', thresholds: [2000, 10, 10] },
  '3.14': { name: '3.14', collector: 'incremental', thresholds: [2000, 10, 0] },
});

/** The policy named `name` (default '3.11'); an InvalidArgumentError for anything else. */
export function gcPolicyOf(name: unknown = '3.11'): GcPolicy {
  if (typeof name === 'string' && Object.hasOwn(GC_POLICIES, name)) return GC_POLICIES[name as GcPolicyName];
  throw new InvalidArgumentError(`gcPolicy must be one of ${Object.keys(GC_POLICIES).join(', ')}, got ${describe(name)}`);
}
