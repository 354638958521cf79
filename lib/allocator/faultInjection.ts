/*
 * Fault injection: the two things pymalloc asks of the operating system
 * (osMemory.ts's ArenaAllocator and RawMemory), wrapped so that chosen calls
 * fail as the OS fails them — an arena mmap that returns nothing, a malloc,
 * calloc or realloc that returns NULL — for tests of what every layer above
 * does when memory runs out (`new Heap({ memory: withFaults(...) })`).
 *
 * Invariants: a failing call changes nothing below (the wrapped allocator is
 * not called); the calls are counted from 1 in the order they are made, one
 * counter per wrapper; frees and view look-ups never fail.
 */
import type { ArenaAllocator, RawMemory } from './osMemory.js';

/** Which calls fail: `fails(n)` for the n-th call (from 1) of that kind. */
export interface FaultPlan {
  /** The n-th arena request fails (as new_arena's mmap returning MAP_FAILED). */
  arena?: (n: number) => boolean;
  /** The n-th raw malloc / calloc / realloc fails (returns NULL). */
  raw?: (n: number) => boolean;
}

/** What a fault-injecting memory source counted. */
export interface FaultCounts {
  arenaCalls: number;
  arenaFailures: number;
  rawCalls: number;
  rawFailures: number;
}

/** A memory source for Heap whose arena and raw requests fail as `plan` says. */
export function withFaults(
  source: { arenas: ArenaAllocator; raw: RawMemory },
  plan: FaultPlan,
): { arenas: ArenaAllocator; raw: RawMemory; counts: FaultCounts } {
  const counts: FaultCounts = { arenaCalls: 0, arenaFailures: 0, rawCalls: 0, rawFailures: 0 };
  const rawFails = (): boolean => {
    const fail = plan.raw?.(++counts.rawCalls) ?? false;
    if (fail) counts.rawFailures++;
    return fail;
  };
  const { arenas, raw } = source;
  return {
    counts,
    arenas: {
      alloc(offset, size) {
        if (plan.arena?.(++counts.arenaCalls)) {
          counts.arenaFailures++;
          return null;
        }
        return arenas.alloc(offset, size);
      },
      free: (arena) => arenas.free(arena),
    },
    raw: {
      malloc: (size) => (rawFails() ? 0 : raw.malloc(size)),
      calloc: (nelem, elsize) => (rawFails() ? 0 : raw.calloc(nelem, elsize)),
      realloc: (address, size) => (rawFails() ? 0 : raw.realloc(address, size)),
      free: (address) => raw.free(address),
      window: (address, size) => raw.window(address, size),
      userBytes: (address) => raw.userBytes(address),
      size: (address) => raw.size(address),
      has: (address) => raw.has(address),
      freeAll: () => raw.freeAll(),
    },
  };
}
