/*
 * p1 — allocate and free at once: ns per malloc+free pair of one size, for
 * pymem at both levels (the checked heap.malloc/free, and the OBJ domain's
 * allocator, which is pymalloc itself with no argument checks: the level C
 * code calls), glibc per call through the addon, @thi.ng/malloc, and the C++
 * floor `native.benchPairs` as the baseline of every ratio.
 *
 * Each JS contestant keeps one other block of the same size live during the
 * loop, as a running program keeps the pool of a busy size class in use;
 * without it pymalloc would take a pool from its arena and give it back on
 * every pair (the "class otherwise empty" row shows that case).
 *
 * Each loop below serves one receiver type only, so its call sites stay
 * monomorphic; none allocates per iteration itself (what V8 boxes inside
 * the measured calls, pymem's pointers above 2^31, counts as measured).
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
import { type Trial, type TrialResult, compare, nowNs } from './timing.js';

/*
 * The loops hold nothing but the loop, and the clock is read by the caller:
 * V8 compiles a hot loop on stack (OSR) during its first call, and code after
 * the loop that has not run yet (a clock read) would make that code
 * deoptimize inside the timed region, every round (seen with --trace-deopt).
 */

/** pymem through the checked public API. */
export function pairsViaHeap(heap: Heap, size: number, n: number): void {
  for (let i = 0; i < n; i++) heap.free(heap.malloc(size));
}

/** A domain allocator (pymalloc) called directly. */
export function pairsViaAllocator(a: MemAllocator, size: number, n: number): void {
  for (let i = 0; i < n; i++) a.free(a.malloc(size));
}

/** glibc malloc/free, one N-API call each (with the addon's block registry). */
export function pairsViaNative(size: number, n: number): void {
  for (let i = 0; i < n; i++) native.free(native.malloc(size));
}

/** @thi.ng/malloc's MemPool. */
export function pairsViaMemPool(pool: MemPool, size: number, n: number): void {
  for (let i = 0; i < n; i++) pool.free(pool.malloc(size));
}

/** ns per pair of `loop(n)`. */
export function perPair(loop: (n: number) => void, n: number): number {
  const t0 = nowNs();
  loop(n);
  return (nowNs() - t0) / n;
}

/** The C++ floor. */
export function pairsFloor(size: number, n: number): number {
  return native.benchPairs(size, n) / n;
}

/** Row label of the extra pymem row without a second live block. */
export const PY311_OBJ_EMPTY = 'pymem cpython311, OBJ allocator, class otherwise empty';

/** Results of p1, per size. */
export type PairsResults = Map<number, TrialResult[]>;

export interface PairsOptions {
  readonly sizes: readonly number[];
  /** Pairs per round. */
  readonly n: number;
  readonly rounds: number;
  readonly warmup: number;
  readonly onRound?: (done: number, total: number) => void;
}

/** Runs p1 for every size; returns the results and their markdown table. */
export function runPairs(options: PairsOptions): { results: PairsResults; markdown: string } {
  const { n } = options;
  const results: PairsResults = new Map();
  const totalRounds = options.sizes.length * (options.rounds + options.warmup);
  let done = 0;
  for (const size of options.sizes) {
    const py311 = nativeHeap('cpython311');
    const classic = nativeHeap('classic');
    const py311Empty = nativeHeap('cpython311');
    const pool = new MemPool({ size: 1 << 16 });
    const a311 = py311.getAllocator(Domain.OBJ);
    const aClassic = classic.getAllocator(Domain.OBJ);
    const aEmpty = py311Empty.getAllocator(Domain.OBJ);
    const anchors = [py311.malloc(size), classic.malloc(size)];
    const poolAnchor = pool.malloc(size);
    const nativeAnchor = native.malloc(size);
    const trials: Trial[] = [
      { name: PY311_OBJ, run: () => perPair((k) => pairsViaAllocator(a311, size, k), n) },
      { name: CLASSIC_OBJ, run: () => perPair((k) => pairsViaAllocator(aClassic, size, k), n) },
      { name: PY311_API, run: () => perPair((k) => pairsViaHeap(py311, size, k), n) },
      { name: CLASSIC_API, run: () => perPair((k) => pairsViaHeap(classic, size, k), n) },
      { name: NATIVE_PER_CALL, run: () => perPair((k) => pairsViaNative(size, k), n) },
      { name: THING, run: () => perPair((k) => pairsViaMemPool(pool, size, k), n) },
      { name: PY311_OBJ_EMPTY, run: () => perPair((k) => pairsViaAllocator(aEmpty, size, k), n) },
    ];
    results.set(
      size,
      compare({ name: FLOOR, run: () => pairsFloor(size, n) }, trials, {
        rounds: options.rounds,
        warmup: options.warmup,
        onRound: () => options.onRound?.(++done, totalRounds),
      }),
    );
    py311.free(anchors[0]!);
    classic.free(anchors[1]!);
    pool.free(poolAnchor);
    native.free(nativeAnchor);
    py311.dispose();
    classic.dispose();
    py311Empty.dispose();
  }
  return { results, markdown: pairsTable(results, options) };
}

function pairsTable(results: PairsResults, options: PairsOptions): string {
  const sizes = [...results.keys()];
  const names = results.get(sizes[0]!)!.map((r) => r.name);
  const headers = ['contestant', ...sizes.flatMap((s) => [`${s} B ns/pair`, `${s} B ×floor`])];
  const rows = names.map((name) => [
    name,
    ...sizes.flatMap((s) => {
      const r = results.get(s)!.find((x) => x.name === name)!;
      return [fmtNs(r.median), fmtRatio(r.ratio)];
    }),
  ]);
  return [
    `### p1 — allocate and free at once`,
    '',
    `${options.n.toLocaleString('en')} pairs per round, median of ${options.rounds} rounds (after ${options.warmup} warm-up); ×floor is the median of per-round ratios to the C++ loop.`,
    '',
    markdownTable(headers, rows),
  ].join('\n');
}
