/*
 * V8's ArrayBuffer detaching protector. Until the first ArrayBuffer in a
 * process is detached, optimized code reads typed arrays without checking
 * whether their buffer was detached; the first detach invalidates that
 * assumption for the whole process (code depending on it deoptimizes) and
 * every typed-array access pays the check from then on. pymem detaches an
 * arena's buffer whenever it unmaps the arena, which any long-running heap
 * does, so that is the realistic state: the benchmark provokes one unmap
 * before timing anything, and detach.ts measures the difference between
 * fresh processes.
 */
import { Domain } from '../lib/index.js';
import { nativeHeap } from './contestants.js';

/** Empty arenas kept by the heap of `cycleArenas(false)`: more than it maps. */
const KEEP_ALL = 8;

/**
 * Runs pymalloc through three arenas' worth of 512-byte blocks and frees them
 * all. With `unmap`, the emptied arenas that are not last on usableArenas go
 * back to the OS as in CPython, the users' views of them detached, and the heap is
 * disposed; without it, the heap keeps its empty arenas (arenaRetention) and
 * is left undisposed, so the same code runs and nothing is detached (its
 * memory goes when the process exits). Returns how many arenas the frees
 * unmapped.
 */
export function cycleArenas(unmap: boolean): number {
  const heap = nativeHeap('cpython311', unmap ? {} : { arenaRetention: KEEP_ALL });
  const a = heap.getAllocator(Domain.OBJ);
  const ptrs: number[] = [];
  while (heap.pymalloc.ntimesArenaAllocated < 3) ptrs.push(a.malloc(512));
  // A user's view in every arena: unmapping the arena detaches it.
  for (let i = 0; i < ptrs.length; i += 512) heap.bytes(ptrs[i]!);
  for (const p of ptrs) a.free(p);
  const unmapped = heap.pymalloc.ntimesArenaAllocated - heap.pymalloc.narenasCurrentlyAllocated;
  if (unmap) {
    heap.dispose();
    if (unmapped < 1) throw new Error('cycleArenas: pymalloc kept every arena; expected at least one unmap');
  } else if (unmapped !== 0) {
    throw new Error(`cycleArenas: ${unmapped} arena(s) unmapped despite arenaRetention ${KEEP_ALL}`);
  }
  return unmapped;
}
