/*
 * struct arena_object of obmalloc.c, plus what pymem keeps beside it: the
 * arena's span of the thread's region (region.ts), the heap owning it and,
 * once a user asks, the buffer users' views of it are made from. The span
 * table holds these objects, so every lookup from a pointer sees one object
 * shape (one hidden class: the hot paths stay monomorphic).
 *
 * Invariants: address == 0 iff no arena is associated (the object is then on
 * unusedArenaObjects and owner is null); index is -1 for a heap's usedpools
 * sentinel block, -2 for the span table's empty entry and -3 for a static
 * block (PyMalloc.mapStatic): never a pymalloc arena. userBuffer is null
 * until the first user view and detached (then null) when the span goes.
 */
import type { MappedArena } from './osMemory.js';

/** The NULL pool ref: ends an arena's freepools list (and every pool list, poolHeader.ts). */
export const NULL_POOL = 0;

/**
 * struct arena_object: bookkeeping for one arena, kept in the arenas vector.
 * It is also the arena's entry in the span table (region.ts).
 */
export class ArenaObject {
  /** Base address of the arena (real, or as recorded in a trace), or 0 when no arena is associated. */
  address = 0;
  /** The mapping behind the arena, while associated. */
  mapped: MappedArena | null = null;
  /** Region offset of the arena's first byte: its first pointer. */
  vbase = 0;
  /** The allocator owning the span while associated. */
  owner: object | null = null;
  /** The buffer users' views of this span alias (made on the first view). */
  userBuffer: ArrayBuffer | null = null;
  /** Region offset of userBuffer's first byte. */
  userBase = 0;
  /** Arena offset of the first pool: POOL_SIZE - (address % POOL_SIZE) when the address is unaligned, else 0. */
  firstPool = 0;
  /** Arena offset of the next never-carved pool (pool_address). */
  poolAddress = 0;
  /** Free pools: carved-but-empty pools on freepools plus never-carved ones. */
  nfreepools = 0;
  /** Pools this arena can hold after alignment (ntotalpools). */
  ntotalpools = 0;
  /** Head pool ref of the singly linked list of empty pools (NULL_POOL when none). */
  freepools = NULL_POOL;
  /** Next arena on usableArenas, or on unusedArenaObjects when unassociated. */
  nextarena: ArenaObject | null = null;
  /** Previous arena on usableArenas. */
  prevarena: ArenaObject | null = null;
  /** Beyond CPython (release policy): empty pools on freepools whose pages are still resident. */
  nResidentEmptyPools = 0;
  /** Beyond CPython (release policy): pools on freepools whose pages after the header are released. */
  nReleasedPools = 0;
  /** Creation number: the value of ntimesArenaAllocated when this arena was mapped (beyond CPython: for replay). */
  ordinal = -1;

  constructor(
    /** Position in the arenas vector (the arenaindex in pool headers); -1 for a heap's sentinel block. */
    readonly index: number,
  ) {}
}
