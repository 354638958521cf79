/*
 * The moments an HTML map page steps through, kept compact: each moment's
 * arenas, objects and pools are indexes into tables where every distinct
 * arena (ordinal + encoded pools), object (its drawing) and pool's blocks is
 * stored once, so an arena or object unchanged over a hundred steps costs
 * one entry. At most `maxSteps` moments are kept, evenly spread over however
 * many there are: offered moments are taken every `stride`-th, and when the
 * list is full every other one is dropped and the stride doubles.
 *
 * Invariants: steps are in the order offered; after any offer,
 * steps.length <= maxSteps; every kept step's offer number is a multiple of
 * the stride, or it was offered with `keep` (a breakpoint(), the last moment),
 * which survives the halvings while the list has room.
 */
import { InvalidArgumentError, describe } from '../../errors.js';
import type { MapFrame } from './mapFrame.js';
import type { ObjectGraph } from './objectGraph.js';

/** One moment, by table indexes. */
export interface MapStep {
  /** What the moment is: "line 5", "after event 812". */
  label: string;
  /** The offer number (0-based: the line event's or trace event's count). */
  at: number;
  /** Source line about to run (runs). */
  line?: number;
  /** The function it is in (runs; "<module>" at the top level). */
  func?: string;
  /** Characters of the program's output written so far (runs). */
  out?: number;
  arenas: number[];
  /** [scope, name, object id] of each name (runs). */
  roots?: Array<[string, string, number]>;
  /** Indexes into the node table (runs). */
  nodes?: number[];
  /** Indexes into the pool table: the pools holding the drawn objects (runs). */
  pools?: number[];
  /** Whether objects were left out of the drawing. */
  truncated?: boolean;
  /** Offered with `keep` (kept off the stride). */
  keep?: boolean;
}

/** What the page embeds. */
export interface MapSteps {
  frame: Omit<MapFrame, 'arenas'>;
  /** [ordinal, address, pools] of each distinct arena. */
  arenaTable: Array<[number, string, string]>;
  /** Each distinct object drawing: [id, type, value, refcnt, size, block [arena, pool, slot, blockSize] or null, edges, more]. */
  nodeTable: unknown[];
  /** [arena ordinal, pool index, blockSize, slots as runs "state:count,…" (0 never carved, 1 used, 2 free)] of each distinct pool state. */
  poolTable: Array<[number, number, number, string]>;
  steps: MapStep[];
  /** Moments offered in all (steps keeps a spread of them). */
  offered: number;
}

/** One moment to offer. */
export interface MomentData {
  label: string;
  frame: MapFrame;
  line?: number;
  func?: string;
  out?: number;
  graph?: ObjectGraph;
  /** The blocks of the pools holding the graph's objects, by "ordinal:pool". */
  pools?: Map<string, { blockSize: number; slots: string }>;
}

/** Collects moments into a bounded, deduplicated MapSteps. */
export class StepRecorder {
  private readonly arenaIds = new Map<string, number>();
  private readonly nodeIds = new Map<string, number>();
  private readonly poolIds = new Map<string, number>();
  private readonly data: MapSteps;
  private stride = 1;

  constructor(readonly maxSteps = 300) {
    if (!(Number.isInteger(maxSteps) && maxSteps >= 2)) throw new InvalidArgumentError(`maxSteps must be an integer of at least 2, got ${describe(maxSteps)}`);
    this.data = { frame: { profile: '', arenaSize: 0, poolSize: 0, poolOverhead: 0, alignment: 0, pageSize: 0 }, arenaTable: [], nodeTable: [], poolTable: [], steps: [], offered: 0 };
  }

  /** Whether the next offer would be kept (so a caller can skip reading the heap for one that would not). */
  wants(): boolean {
    return this.data.offered % this.stride === 0;
  }

  /** Counts a moment that is not kept (wants() was false). */
  skip(): void {
    this.data.offered++;
  }

  /** Offers a moment (read only when kept: call when wants(), or with `keep` for one that must be kept). */
  offer(m: () => MomentData, keep = false): void {
    const at = this.data.offered++;
    if (!keep && at % this.stride !== 0) return;
    const d = m();
    const { arenas, ...meta } = d.frame;
    this.data.frame = meta;
    const step: MapStep = { label: d.label, at, arenas: arenas.map((a) => this.intern(this.arenaIds, this.data.arenaTable, [a.ordinal, a.address, a.pools])) };
    if (d.line !== undefined) step.line = d.line;
    if (d.func !== undefined) step.func = d.func;
    if (d.out !== undefined) step.out = d.out;
    if (d.graph !== undefined) {
      step.roots = d.graph.roots.map((r) => [r.scope, r.name, r.id]);
      step.nodes = d.graph.nodes.map((n) =>
        this.intern(this.nodeIds, this.data.nodeTable, [n.id, n.type, n.value ?? null, n.refcnt, n.size, n.block === null ? null : [n.block.arena, n.block.pool, n.block.slot, n.block.blockSize], n.edges, n.more]),
      );
      if (d.graph.truncated) step.truncated = true;
    }
    if (keep) step.keep = true;
    if (d.pools !== undefined) {
      step.pools = [...d.pools].map(([key, p]) => {
        const [ordinal, pool] = key.split(':').map(Number) as [number, number];
        return this.intern(this.poolIds, this.data.poolTable, [ordinal, pool, p.blockSize, p.slots]);
      });
    }
    const steps = this.data.steps;
    steps.push(step);
    if (steps.length > this.maxSteps) {
      this.stride *= 2;
      const kept = steps.filter((s) => s.at % this.stride === 0 || s.keep === true || s === step);
      // Still too many (kept moments crowd it): drop the oldest unkept one, else the oldest.
      while (kept.length > this.maxSteps) kept.splice(Math.max(0, kept.findIndex((s) => s.keep !== true && s !== step)), 1);
      steps.length = 0;
      steps.push(...kept);
    }
  }

  /** The steps and tables so far. */
  result(): MapSteps {
    return this.data;
  }

  private intern<T>(ids: Map<string, number>, table: T[], value: T): number {
    const key = JSON.stringify(value);
    let i = ids.get(key);
    if (i === undefined) {
      i = table.length;
      table.push(value);
      ids.set(key, i);
    }
    return i;
  }
}
