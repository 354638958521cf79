/*
 * p2 — many live blocks: `n` blocks of pseudo-random sizes 1..512 are all
 * allocated, then all freed in a pseudo-random order; ns per malloc+free
 * pair. Every contestant gets the same sizes and the same order
 * (workload.ts); the baseline is the C++ floor `native.benchMixed`, glibc
 * doing the same in a C++ loop.
 *
 * pymem keeps its heap from round to round, so each round maps its arenas
 * afresh (the freed ones were unmapped) and pays the page faults, as glibc's
 * floor pays for whatever it trimmed. One extra row keeps empty arenas mapped
 * (arenaRetention) to show what that costs.
 *
 * @thi.ng/malloc's free searches the used list and its compaction walks the
 * free list on every call, so free(n) costs O(n) and the phase is quadratic.
 * Where a full run would not fit in the benchmark's time (100k blocks: over
 * three minutes here), it runs once against a time budget and reports the
 * time spent so far divided by n: a lower bound.
 */
import { MemPool } from '@thi.ng/malloc';
import { Domain, type Heap, type MemAllocator } from '../lib/index.js';
import { getNative } from '../lib/native.js';

const native = getNative();
import {
  CLASSIC_API,
  CLASSIC_OBJ,
  FLOOR,
  NATIVE_PER_CALL,
  PY311_API,
  PY311_OBJ,
  THING,
  nativeHeap,
} from './contestants.js';
import { fmtNs, fmtRatio, markdownTable } from './table.js';
import { type Trial, type TrialResult, compare, median, nowNs } from './timing.js';
import { mixedSizes, permutation } from './workload.js';

/*
 * Each phase is a function holding only its loop, timed by the caller (see
 * pairs.ts: code after an on-stack-compiled loop that has not run yet would
 * deoptimize inside the timed region).
 */

/** pymem through the checked public API: allocate every block. */
export function mallocAllViaHeap(heap: Heap, sizes: Uint32Array, ptrs: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) ptrs[i] = heap.malloc(sizes[i]!);
}

/** pymem through the checked public API: free every block in `order`. */
export function freeAllViaHeap(heap: Heap, ptrs: Float64Array, order: Uint32Array, n: number): void {
  for (let i = 0; i < n; i++) heap.free(ptrs[order[i]!]!);
}

/** A domain allocator (pymalloc) called directly; 0 is out of memory. */
export function mallocAllViaAllocator(a: MemAllocator, sizes: Uint32Array, ptrs: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const p = a.malloc(sizes[i]!);
    if (p === 0) throw new Error('p2: out of memory');
    ptrs[i] = p;
  }
}

export function freeAllViaAllocator(a: MemAllocator, ptrs: Float64Array, order: Uint32Array, n: number): void {
  for (let i = 0; i < n; i++) a.free(ptrs[order[i]!]!);
}

/** glibc per call through the addon (which throws on out of memory). */
export function mallocAllViaNative(sizes: Uint32Array, ptrs: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) ptrs[i] = native.malloc(sizes[i]!);
}

export function freeAllViaNative(ptrs: Float64Array, order: Uint32Array, n: number): void {
  for (let i = 0; i < n; i++) native.free(ptrs[order[i]!]!);
}

/** @thi.ng/malloc's MemPool (0 is a full pool). */
export function mallocAllViaMemPool(pool: MemPool, sizes: Uint32Array, ptrs: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const p = pool.malloc(sizes[i]!);
    if (p === 0) throw new Error('p2: the MemPool is full');
    ptrs[i] = p;
  }
}

/** Frees the blocks order[from..to) from a MemPool. */
export function freeRangeViaMemPool(pool: MemPool, ptrs: Float64Array, order: Uint32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) pool.free(ptrs[order[i]!]!);
}

/** ns per pair of one p2 round: `mallocAll` then `freeAll`. */
export function perMixedPair(mallocAll: () => void, freeAll: () => void, n: number): number {
  const t0 = nowNs();
  mallocAll();
  freeAll();
  return (nowNs() - t0) / n;
}

/** One p2 round through a domain allocator; ns per pair. */
export function mixedViaAllocator(a: MemAllocator, sizes: Uint32Array, order: Uint32Array, ptrs: Float64Array, n: number): number {
  return perMixedPair(
    () => mallocAllViaAllocator(a, sizes, ptrs, n),
    () => freeAllViaAllocator(a, ptrs, order, n),
    n,
  );
}

/**
 * One p2 round of a MemPool, stopping once `budgetNs` is spent (checked
 * every 64 frees). `complete` false: the pool still holds blocks and ns is
 * a lower bound.
 */
export function mixedViaMemPool(
  pool: MemPool,
  sizes: Uint32Array,
  order: Uint32Array,
  ptrs: Float64Array,
  n: number,
  budgetNs = Infinity,
): { ns: number; complete: boolean; freed: number } {
  const t0 = nowNs();
  mallocAllViaMemPool(pool, sizes, ptrs, n);
  let i = 0;
  while (i < n) {
    const to = Math.min(n, i + 64);
    freeRangeViaMemPool(pool, ptrs, order, i, to);
    i = to;
    if (nowNs() - t0 > budgetNs) break;
  }
  return { ns: (nowNs() - t0) / n, complete: i === n, freed: i };
}

/**
 * Empty arenas the extra pymem row keeps mapped (HeapOptions.arenaRetention,
 * beyond CPython): enough for every arena p2 at 100k uses, so no round maps
 * an arena or faults a page in after the first.
 */
export const ARENA_RETENTION = 64;

/** Row label of the pymem row with arenaRetention. */
export const PY311_OBJ_RETAINED = `pymem cpython311, OBJ allocator, arenaRetention ${ARENA_RETENTION}`;

/** The C++ floor. */
export function mixedFloor(sizes: Uint32Array, order: Uint32Array, n: number): number {
  return native.benchMixed(n, sizes, order) / n;
}

/** Bytes a MemPool needs for these sizes (8-byte header, 8-byte alignment), with room to spare. */
function memPoolBytes(sizes: Uint32Array): number {
  let sum = 0;
  for (let i = 0; i < sizes.length; i++) sum += (sizes[i]! + 8 + 7) & ~7;
  return Math.ceil((sum * 1.25 + 65536) / 65536) * 65536;
}

/** One p2 workload: its live-block count, rounds, and the MemPool's treatment. */
export interface MixedCase {
  readonly n: number;
  readonly rounds: number;
  readonly warmup: number;
  /** Run MemPool once against this budget (ns) instead of in the rounds. */
  readonly memPoolBudgetNs?: number;
}

/** How the MemPool fared on one case. */
export interface MemPoolOutcome {
  readonly ns: number;
  readonly ratio: number;
  /** False: stopped by the budget, `ns` and `ratio` are lower bounds. */
  readonly complete: boolean;
  readonly freed: number;
  readonly rounds: number;
}

/** Results of p2, per live-block count. */
export type MixedResults = Map<number, { results: TrialResult[]; memPool: MemPoolOutcome }>;

/** Runs p2 for every case; returns the results and their markdown table. */
export function runMixed(
  cases: readonly MixedCase[],
  onRound?: (done: number, total: number) => void,
): { results: MixedResults; markdown: string } {
  const results: MixedResults = new Map();
  const totalRounds = cases.reduce((t, c) => t + c.rounds + c.warmup, 0);
  let done = 0;
  for (const c of cases) {
    const { n } = c;
    const sizes = mixedSizes(n);
    const order = permutation(n);
    const ptrs = new Float64Array(n);
    const py311 = nativeHeap('cpython311');
    const classic = nativeHeap('classic');
    const retained = nativeHeap('cpython311', { arenaRetention: ARENA_RETENTION });
    const a311 = py311.getAllocator(Domain.OBJ);
    const aClassic = classic.getAllocator(Domain.OBJ);
    const aRetained = retained.getAllocator(Domain.OBJ);
    const poolBuffer = new ArrayBuffer(memPoolBytes(sizes));
    const newPool = (): MemPool => new MemPool({ buf: poolBuffer });
    const pool = newPool();
    const trials: Trial[] = [
      { name: PY311_OBJ, run: () => mixedViaAllocator(a311, sizes, order, ptrs, n) },
      { name: CLASSIC_OBJ, run: () => mixedViaAllocator(aClassic, sizes, order, ptrs, n) },
      {
        name: PY311_API,
        run: () => perMixedPair(() => mallocAllViaHeap(py311, sizes, ptrs, n), () => freeAllViaHeap(py311, ptrs, order, n), n),
      },
      {
        name: CLASSIC_API,
        run: () => perMixedPair(() => mallocAllViaHeap(classic, sizes, ptrs, n), () => freeAllViaHeap(classic, ptrs, order, n), n),
      },
      {
        name: NATIVE_PER_CALL,
        run: () => perMixedPair(() => mallocAllViaNative(sizes, ptrs, n), () => freeAllViaNative(ptrs, order, n), n),
      },
    ];
    trials.push({ name: PY311_OBJ_RETAINED, run: () => mixedViaAllocator(aRetained, sizes, order, ptrs, n) });
    const boxed = c.memPoolBudgetNs !== undefined;
    if (!boxed) trials.push({ name: THING, run: () => mixedViaMemPool(pool, sizes, order, ptrs, n).ns });
    const floor: Trial = { name: FLOOR, run: () => mixedFloor(sizes, order, n) };
    const r = compare(floor, trials, {
      rounds: c.rounds,
      warmup: c.warmup,
      onRound: () => onRound?.(++done, totalRounds),
    });
    let memPool: MemPoolOutcome;
    if (boxed) {
      // One floor run on either side of the single MemPool run gives its ratio.
      const before = floor.run();
      const m = mixedViaMemPool(newPool(), sizes, order, ptrs, n, c.memPoolBudgetNs);
      const after = floor.run();
      memPool = { ns: m.ns, ratio: m.ns / median([before, after]), complete: m.complete, freed: m.freed, rounds: 1 };
    } else {
      const t = r.find((x) => x.name === THING)!;
      memPool = { ns: t.median, ratio: t.ratio, complete: true, freed: n, rounds: c.rounds };
    }
    results.set(n, { results: r.filter((x) => x.name !== THING), memPool });
    py311.dispose();
    classic.dispose();
    retained.dispose();
  }
  return { results, markdown: mixedTable(results, cases) };
}

function mixedTable(results: MixedResults, cases: readonly MixedCase[]): string {
  const ns = [...results.keys()];
  const label = (n: number): string => (n >= 1000 ? `${n / 1000}k` : String(n));
  const names = [...results.get(ns[0]!)!.results.map((r) => r.name), THING];
  const headers = ['contestant', ...ns.flatMap((n) => [`${label(n)} ns/pair`, `${label(n)} ×floor`])];
  const rows = names.map((name) => [
    name,
    ...ns.flatMap((n) => {
      const e = results.get(n)!;
      if (name === THING) {
        const b = e.memPool.complete ? '' : '≥ ';
        return [`${b}${fmtNs(e.memPool.ns)}`, `${b}${fmtRatio(e.memPool.ratio)}`];
      }
      const r = e.results.find((x) => x.name === name)!;
      return [fmtNs(r.median), fmtRatio(r.ratio)];
    }),
  ]);
  const notes = cases.map((c) => {
    const m = results.get(c.n)!.memPool;
    const thing = m.complete
      ? `MemPool ${m.rounds === 1 ? 'in one run' : 'in the rounds'}`
      : `MemPool stopped by its ${(c.memPoolBudgetNs! / 1e9).toFixed(0)} s budget after ${m.freed.toLocaleString('en')} of ${c.n.toLocaleString('en')} frees (≥: time so far / n, a lower bound)`;
    return `- ${label(c.n)}: median of ${c.rounds} rounds after ${c.warmup} warm-up; ${thing}.`;
  });
  return [
    `### p2 — many live blocks, sizes 1..512, freed in random order`,
    '',
    'All blocks allocated, then all freed in a seeded random order (same sizes and order for every contestant). ns per malloc+free pair; ×floor is the median of per-round ratios to the C++ loop doing the same.',
    '',
    markdownTable(headers, rows),
    '',
    ...notes,
  ].join('\n');
}
