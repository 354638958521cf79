/*
 * What the allocator holds for an interpreter's live objects: blocks in use
 * per size class and raw blocks, less the objects parked on the list, tuple,
 * float and dict free lists (which CPython keeps on purpose). Two equal
 * footprints mean everything built in between was released.
 */
import { expect } from 'vitest';
import { Interpreter } from '../../lib/objects/interpreter.js';

/** The footprint as a comparable string. */
export function footprint(interp: Interpreter): string {
  const align = interp.rt.heap.profile.alignment;
  const parked = new Map<number, number>();
  const park = (bytes: number, n: number): void => {
    const size = Math.ceil(bytes / align) * align;
    parked.set(size, (parked.get(size) ?? 0) + n);
  };
  park(16 + 40, interp.list.freeListSize());
  interp.tuple.freeListSizes().forEach((n, i) => park(16 + 24 + 8 * (i + 1), n));
  park(24, interp.float.freeListSize());
  park(16 + 48, interp.dict.freeListSize());
  const s = interp.rt.heap.debugMallocStats();
  const classes = s.classes.map((c) => [c.size, c.blocksInUse - (parked.get(c.size) ?? 0)]).filter(([, n]) => n !== 0);
  return JSON.stringify([classes, s.rawAllocatedBlocks]);
}

/** Runs `body` on a fresh interpreter and checks that dropping what it built (free lists emptied) restores the allocator. */
export function withInterp(memory: 'fake' | 'native', body: (interp: Interpreter) => void): void {
  const interp = new Interpreter({ memory });
  try {
    interp.dict.clearFreeList();
    const before = footprint(interp);
    body(interp);
    interp.dict.clearFreeList();
    expect(footprint(interp)).toBe(before);
  } finally {
    interp.dispose();
  }
}
