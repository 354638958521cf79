/*
 * A heap as CPython's is after start-up, for the object and collector
 * benchmarks: CPython 3.11's heap then holds live blocks in every one of
 * pymalloc's 32 size classes (`python3 -c "import sys;
 * sys._debugmallocstats()"`: 34 to 12,589 blocks in use per class), so a
 * workload that makes and frees one object never empties a pool. pymem's
 * bench heap starts empty: without this, freeing the one block of a class
 * empties its pool, which goes back to its arena and is carved again at the
 * next malloc of that class (allocate_from_new_pool), on every operation.
 */
import type { Interpreter } from '../lib/index.js';

/** One live PyMem_Malloc block of each size class (16 .. 512 bytes), never freed: the process ends with the run. */
export function holdStartupBlocks(interp: Interpreter): void {
  for (let size = 16; size <= 512; size += 16) interp.rt.memMalloc(size);
}
