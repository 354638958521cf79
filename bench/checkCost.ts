/*
 * The cost of pointer validation on free. pymem's free checks that a pointer
 * is the start of a live block (arena slot, alignment, and a live bit per
 * block kept beside the arena) before touching anything; CPython does not.
 * `checkFree: false` turns the check and the bitmap off. Both heaps are
 * timed at the OBJ allocator level, side by side; the baseline of the ratio
 * is the unchecked heap, so `on/off` is what the safety costs.
 */
import { Domain, type MemAllocator } from '../lib/index.js';
import { PROFILES, nativeHeap } from './contestants.js';
import { mixedViaAllocator } from './mixed.js';
import { pairsViaAllocator, perPair } from './pairs.js';
import { fmtNs, fmtRatio, markdownTable } from './table.js';
import { type TrialResult, compare } from './timing.js';
import { mixedSizes, permutation } from './workload.js';

/** One row: a profile and a workload, checked and unchecked. */
export interface CheckCostRow {
  readonly profile: string;
  readonly workload: string;
  readonly on: TrialResult;
  readonly off: TrialResult;
}

export interface CheckCostOptions {
  readonly pairSizes: readonly number[];
  readonly pairN: number;
  readonly pairRounds: number;
  readonly mixedN: number;
  readonly mixedRounds: number;
  readonly warmup: number;
  readonly onRound?: (done: number, total: number) => void;
}

/** Runs p1 (each size) and p2 (mixedN) with checkFree on and off, per profile. */
export function runCheckCost(options: CheckCostOptions): { rows: CheckCostRow[]; markdown: string } {
  const rows: CheckCostRow[] = [];
  const { pairN, mixedN, warmup } = options;
  const sizes = mixedSizes(mixedN);
  const order = permutation(mixedN);
  const ptrs = new Float64Array(mixedN);
  const total = PROFILES.length * (options.pairSizes.length * (options.pairRounds + warmup) + options.mixedRounds + warmup);
  let done = 0;
  const onRound = (): void => options.onRound?.(++done, total);
  for (const profile of PROFILES) {
    const on = nativeHeap(profile, { checkFree: true });
    const off = nativeHeap(profile, { checkFree: false });
    const aOn: MemAllocator = on.getAllocator(Domain.OBJ);
    const aOff: MemAllocator = off.getAllocator(Domain.OBJ);
    for (const size of options.pairSizes) {
      const anchors = [on.malloc(size), off.malloc(size)];
      const [rOff, rOn] = compare(
        { name: 'off', run: () => perPair((k) => pairsViaAllocator(aOff, size, k), pairN) },
        [{ name: 'on', run: () => perPair((k) => pairsViaAllocator(aOn, size, k), pairN) }],
        { rounds: options.pairRounds, warmup, onRound },
      );
      rows.push({ profile, workload: `p1 ${size} B`, on: rOn!, off: rOff! });
      on.free(anchors[0]!);
      off.free(anchors[1]!);
    }
    const [rOff, rOn] = compare(
      { name: 'off', run: () => mixedViaAllocator(aOff, sizes, order, ptrs, mixedN) },
      [{ name: 'on', run: () => mixedViaAllocator(aOn, sizes, order, ptrs, mixedN) }],
      { rounds: options.mixedRounds, warmup, onRound },
    );
    rows.push({ profile, workload: `p2 ${mixedN / 1000}k`, on: rOn!, off: rOff! });
    on.dispose();
    off.dispose();
  }
  const table = markdownTable(
    ['profile, workload', 'checkFree on ns/pair', 'checkFree off ns/pair', 'on/off'],
    rows.map((r) => [`${r.profile}, ${r.workload}`, fmtNs(r.on.median), fmtNs(r.off.median), fmtRatio(r.on.ratio)]),
  );
  return {
    rows,
    markdown: [
      '### The cost of pointer validation on free (checkFree)',
      '',
      `OBJ allocator level, checked and unchecked heaps side by side; p1 as above (one other block live), p2 with ${mixedN.toLocaleString('en')} blocks. on/off is the median of per-round ratios (${options.pairRounds} rounds for p1, ${options.mixedRounds} for p2).`,
      '',
      table,
    ].join('\n'),
  };
}
