/*
 * Child of detach.ts: `node detachChild.js <n> <rounds> <detach|keep>`.
 * Cycles pymalloc through three arenas (v8.ts), unmapping them (`detach`:
 * the first ArrayBuffer detach of this process) or keeping them (`keep`: no
 * detach ever), then times p1 at 64 B for pymem and @thi.ng/malloc against
 * the C++ floor. Both modes run the same code in the same order, so the only
 * difference is the detach. Prints one JSON line.
 */
import { MemPool } from '@thi.ng/malloc';
import { Domain } from '../lib/index.js';
import { FLOOR, PY311_API, PY311_OBJ, THING, nativeHeap } from './contestants.js';
import { pairsFloor, pairsViaAllocator, pairsViaHeap, pairsViaMemPool, perPair } from './pairs.js';
import { type TrialResult, compare } from './timing.js';
import { cycleArenas } from './v8.js';

/** What the child prints. */
export interface DetachReport {
  readonly mode: 'detach' | 'keep';
  readonly size: number;
  readonly results: TrialResult[];
  readonly unmapped: number;
}

function main(n: number, rounds: number, mode: string): DetachReport {
  if (mode !== 'detach' && mode !== 'keep') throw new Error(`detachChild: mode must be detach or keep, got ${JSON.stringify(mode)}`);
  const size = 64;
  const unmapped = cycleArenas(mode === 'detach');
  const heap = nativeHeap('cpython311');
  const a = heap.getAllocator(Domain.OBJ);
  const anchor = heap.malloc(size);
  const pool = new MemPool({ size: 1 << 16 });
  const poolAnchor = pool.malloc(size);
  const results = compare(
    { name: FLOOR, run: () => pairsFloor(size, n) },
    [
      { name: PY311_OBJ, run: () => perPair((k) => pairsViaAllocator(a, size, k), n) },
      { name: PY311_API, run: () => perPair((k) => pairsViaHeap(heap, size, k), n) },
      { name: THING, run: () => perPair((k) => pairsViaMemPool(pool, size, k), n) },
    ],
    { rounds, warmup: 2 },
  );
  heap.free(anchor);
  pool.free(poolAnchor);
  return { mode, size, results, unmapped };
}

const [n, rounds, mode] = process.argv.slice(2);
process.stdout.write(`${JSON.stringify(main(Number(n ?? 300_000), Number(rounds ?? 9), mode ?? 'detach'))}\n`);
