/*
 * The contestants every allocator table names, in one place so the sections
 * and the aims agree on them. Baseline of every ratio: the C++ floor, glibc's
 * malloc/free called from a C++ loop in the addon (native/bench.cc), with no
 * JavaScript and no N-API between the calls.
 */
import { Heap, type HeapOptions } from '../lib/index.js';

/** Row labels. */
export const FLOOR = 'C++ loop, glibc malloc/free (floor)';
export const PY311_OBJ = 'pymem cpython311, OBJ allocator';
export const CLASSIC_OBJ = 'pymem classic, OBJ allocator';
export const PY311_API = 'pymem cpython311, heap.malloc/free';
export const CLASSIC_API = 'pymem classic, heap.malloc/free';
export const NATIVE_PER_CALL = 'glibc per call (native.malloc/free)';
export const THING = '@thi.ng/malloc MemPool';

/** The two built-in profiles, in table order. */
export const PROFILES = ['cpython311', 'classic'] as const;

/** A fresh heap over real mmap'd arenas. */
export function nativeHeap(profile: (typeof PROFILES)[number], options: Omit<HeapOptions, 'profile' | 'memory'> = {}): Heap {
  return new Heap({ ...options, profile, memory: 'native' });
}
