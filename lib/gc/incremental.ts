/*
 * CPython 3.14's incremental collector (Python/gc.c: gc_collect_young,
 * gc_collect_increment, gc_collect_full and their helpers), over the
 * collector's phases (Collector.collectRegion, gc_collect_region).
 *
 *   young      generations[0]: new containers (not-visited space)
 *   old[0/1]   generations[1], generations[2]: the old generation in two
 *              halves; old[visited_space] has been scanned in this scavenge,
 *              the other ("pending") not yet
 *
 *   young collection  young -> survivors -> visited; old[visited].count++
 *   increment         work_to_do += assess_work_to_do(); in the mark phase
 *                     only mark_at_start; else the increment is young plus
 *                     pending objects taken one by one, each with everything
 *                     pending it reaches (expand_region_transitively_reachable),
 *                     until it holds work_to_do objects; its survivors ->
 *                     visited; pending empty -> completed_scavenge
 *   full              young and pending merge into visited, collected in place
 *
 * An increment takes the whole transitive closure of what it takes from the
 * pending half, so a garbage cycle is either wholly in one increment or not
 * in it at all; every increment works through at least what was allocated
 * since the last, so the pending half empties and every cycle is found
 * within one scavenge of becoming garbage.
 *
 * What is modelled: the lists, the space bit (IncrementalState), the
 * counts, the work accounting (assess_work_to_do, SCAN_RATE_DIVISOR, the
 * heap_size term added after the increment), the phases, the flip of
 * visited_space, add_stats per generation (0 young, 1 increments, 2 full),
 * and the gc module's answers. Not modelled: the roots mark_at_start and
 * mark_stacks move to the visited space (sysdict, builtins, static types'
 * dicts, the frames' stacks) — pymem has no such objects, so both mark 0;
 * 3.14's split of handle_weakrefs into handle_weakref_callbacks before
 * finalizers and clear_weakrefs after resurrection (3.11's order runs under
 * every policy); immortal objects (none in pymem).
 */
import { GC_HEAD_SIZE, asGc, fromGc, gcNext, obType } from '../objects/layout.js';
import type { GcState, IncrementalState } from '../objects/gcState.js';
import type { PyTypeObject, Visit } from '../objects/type.js';
import { Py_TPFLAGS_HAVE_GC } from '../objects/type.js';
import type { Runtime } from '../objects/runtime.js';
import type { CollectionResult, Collector } from './collector.js';
import type { GcList } from './gcList.js';

/** SCAN_RATE_DIVISOR: the default threshold of 10 scans 1% of the heap per increment. */
export const SCAN_RATE_DIVISOR = 10;

/** C's `/` on intptr_t: truncation toward zero. */
const cdiv = (a: number, b: number): number => Math.trunc(a / b);

/** The incremental collector of one interpreter. */
export class IncrementalCollector {
  private readonly inc: IncrementalState;
  private readonly types: PyTypeObject[];
  private readonly typeBase: number;
  /** visit_add_to_container's `container` and its count. */
  private container = 0;
  private added = 0;
  /** Scratch list heads (gc_collect_increment's `increment`, gc_collect_young's and its `survivors`), static blocks. */
  private readonly increment: number;
  private readonly survivors: number;

  constructor(
    private readonly rt: Runtime,
    private readonly state: GcState,
    private readonly collector: Collector,
    private readonly lists: GcList,
  ) {
    if (state.incremental === null) throw new TypeError('IncrementalCollector needs the incremental policy');
    this.inc = state.incremental;
    this.types = rt.types;
    this.typeBase = rt.typeBase;
    const head = (): number => {
      const g = rt.staticAlloc(GC_HEAD_SIZE);
      lists.init(g);
      return g;
    };
    this.increment = head();
    this.survivors = head();
  }

  private get young(): number {
    return this.state.generations[0]!.head;
  }
  /** old[gcstate->visited_space]. */
  private get visited(): number {
    return this.state.generations[1 + this.inc.visitedSpace]!.head;
  }
  /** old[gcstate->visited_space ^ 1]. */
  private get notVisited(): number {
    return this.state.generations[2 - this.inc.visitedSpace]!.head;
  }

  /** add_stats. */
  private addStats(gen: number, r: CollectionResult): void {
    const s = this.state.stats[gen]!;
    s.collected += r.collected;
    s.uncollectable += r.uncollectable;
    s.collections += 1;
  }

  /** gc_list_set_space(list, visited_space). */
  private setVisited(list: number): void {
    const visited = this.inc.visited;
    for (let g = gcNext.get(list); g !== list; g = gcNext.get(g)) visited.add(fromGc(g));
  }

  /** gc_collect_young: young -> survivors -> visited; old[visited].count++. */
  collectYoung(): CollectionResult {
    const st = this.state;
    const young = this.young;
    this.collector.untrackTuples(young);
    const survivors = this.survivors;
    this.lists.init(survivors);
    this.setVisited(young);
    const r = this.collector.collectRegion(young, survivors);
    this.lists.merge(survivors, this.visited);
    st.generations[0]!.count = 0;
    st.generations[1 + this.inc.visitedSpace]!.count++;
    this.addStats(0, r);
    return r;
  }

  /**
   * assess_work_to_do: the objects allocated since the last increment plus a
   * share of the heap (heap_size / SCAN_RATE_DIVISOR / old[0].threshold, at
   * most 1.5 × the new objects); young.count restarts.
   */
  private assessWorkToDo(): number {
    const st = this.state;
    const scaleFactor = Math.max(2, st.generations[1]!.threshold);
    const newObjects = st.generations[0]!.count;
    const maxHeapFraction = cdiv(newObjects * 3, 2);
    const heapFraction = Math.min(cdiv(cdiv(st.heapSize, SCAN_RATE_DIVISOR), scaleFactor), maxHeapFraction);
    st.generations[0]!.count = 0;
    return newObjects + heapFraction;
  }

  /** mark_at_start: marks the roots (none in pymem: 0) and enters GC_PHASE_COLLECT. */
  private markAtStart(): number {
    const objectsMarked = 0;
    this.inc.workToDo -= objectsMarked;
    this.inc.phase = 'collect';
    return objectsMarked;
  }

  /** visit_add_to_container: a tracked pending object joins the container and the visited space. */
  private readonly visitAddToContainer: Visit = (op) => {
    if ((this.types[obType.get(op) - this.typeBase]!.flags & Py_TPFLAGS_HAVE_GC) === 0) return 0;
    const g = asGc(op);
    if (gcNext.get(g) !== 0 && !this.inc.isVisited(op)) {
      this.inc.visited.add(op);
      this.lists.move(g, this.container);
      this.added++;
    }
    return 0;
  };

  /**
   * expand_region_transitively_reachable: from gc (container's last object)
   * to the end of container, every pending object an object of it references
   * is appended (so the walk reaches it too). Returns how many joined.
   */
  private expandRegionTransitivelyReachable(container: number, gc: number): number {
    this.container = container;
    this.added = 0;
    const rt = this.rt;
    const visit = this.visitAddToContainer;
    for (let g = gc; g !== container; g = gcNext.get(g)) {
      const op = fromGc(g);
      this.types[obType.get(op) - this.typeBase]!.traverse?.(rt, op, visit);
    }
    return this.added;
  }

  /**
   * completed_scavenge: the pending half is empty. With no permanent
   * generation, visited_space flips (every visited object is pending again);
   * otherwise the visited half merges into the pending one, relabelled.
   * Either way: work_to_do = 0, GC_PHASE_MARK.
   */
  private completedScavenge(): void {
    const inc = this.inc;
    if (this.lists.isEmpty(this.state.permanentGeneration.head)) {
      inc.visitedSpace ^= 1;
    } else {
      this.lists.merge(this.visited, this.notVisited);
    }
    inc.visited.clear();
    inc.workToDo = 0;
    inc.phase = 'mark';
  }

  /**
   * gc_collect_increment: one increment of the old generation with the
   * young one (see the file comment). The mark phase's increment collects
   * nothing and counts in no statistics, as in CPython.
   */
  collectIncrement(): CollectionResult {
    const st = this.state;
    const inc = this.inc;
    const lists = this.lists;
    inc.workToDo += this.assessWorkToDo();
    this.collector.untrackTuples(this.young);
    if (inc.phase === 'mark') {
      const objectsMarked = this.markAtStart();
      inc.workToDo -= objectsMarked;
      return { collected: 0, uncollectable: 0 };
    }
    const notVisited = this.notVisited;
    const visited = this.visited;
    const increment = this.increment;
    lists.init(increment);
    const scaleFactor = Math.max(2, st.generations[1]!.threshold);
    // mark_stacks: no frames in pymem, so nothing is marked.
    this.setVisited(this.young);
    lists.merge(this.young, increment);
    let incrementSize = lists.size(increment);
    while (incrementSize < inc.workToDo) {
      if (lists.isEmpty(notVisited)) break;
      const gc = lists.next(notVisited);
      lists.move(gc, increment);
      incrementSize++;
      inc.visited.add(fromGc(gc));
      incrementSize += this.expandRegionTransitivelyReachable(increment, gc);
    }
    const survivors = this.survivors;
    lists.init(survivors);
    const r = this.collector.collectRegion(increment, survivors);
    lists.merge(survivors, visited);
    inc.workToDo += cdiv(cdiv(st.heapSize, SCAN_RATE_DIVISOR), scaleFactor);
    inc.workToDo -= incrementSize;
    this.addStats(1, r);
    if (lists.isEmpty(notVisited)) this.completedScavenge();
    return r;
  }

  /** gc_collect_full: young and pending merge into visited and are collected in place; the free lists are cleared. */
  collectFull(): CollectionResult {
    const st = this.state;
    const young = this.young;
    const pending = this.notVisited;
    const visited = this.visited;
    this.collector.untrackTuples(young);
    this.lists.merge(young, pending);
    // gc_list_set_space(pending, visited_space) is not mirrored: nothing
    // reads a space bit before completed_scavenge relabels every object
    // pending, so filling the set would be work without effect.
    st.generations[0]!.count = 0;
    this.lists.merge(pending, visited);
    const r = this.collector.collectRegion(visited, visited);
    st.generations[0]!.count = 0;
    st.generations[1]!.count = 0;
    st.generations[2]!.count = 0;
    this.completedScavenge();
    this.collector.clearFreelists();
    this.addStats(2, r);
    return r;
  }

  /** _PyGC_Freeze: every tracked object joins the permanent generation (visited); the counts restart. */
  freeze(): void {
    const st = this.state;
    const permanent = st.permanentGeneration.head;
    for (let i = 0; i < 3; i++) {
      const head = st.generations[i]!.head;
      for (let g = gcNext.get(head); g !== head; g = gcNext.get(g)) this.inc.permanent.add(fromGc(g));
      this.lists.merge(head, permanent);
      st.generations[i]!.count = 0;
    }
    this.inc.visited.clear();
  }

  /** _PyGC_Unfreeze: the permanent generation joins the visited half. */
  unfreeze(): void {
    const permanent = this.state.permanentGeneration.head;
    for (let g = gcNext.get(permanent); g !== permanent; g = gcNext.get(g)) {
      const op = fromGc(g);
      this.inc.permanent.delete(op);
      this.inc.visited.add(op);
    }
    this.lists.merge(permanent, this.visited);
  }
}
