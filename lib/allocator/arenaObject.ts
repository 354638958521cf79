/*
 * struct arena_object of obmalloc.c, plus what pymem keeps beside it: the
 * arena's span of the small-pointer space (pointer.ts) and typed views of its
 * memory. The unit table holds these objects, so every lookup from a pointer
 * sees one object shape (one hidden class: the hot paths stay monomorphic).
 *
 * Invariants: address == 0 iff no arena is associated (the object is then on
 * unusedArenaObjects, its views are empty and owner is null); index is -1
 * for a heap's usedpools sentinel block, -2 for the unit table's empty entry
 * and -3 for a static block (PyMalloc.mapStatic): never a pymalloc arena.
 */
import type { MappedArena } from './osMemory.js';
import { NULL_POOL } from './poolHeader.js';

const EMPTY_U8 = new Uint8Array(0);
const EMPTY_U32 = new Uint32Array(0);
const EMPTY_F64 = new Float64Array(0);

/**
 * struct arena_object: bookkeeping for one arena, kept in the arenas vector.
 * It is also the arena's entry in the unit table (pointer.ts): its pointer
 * span and the typed views of its memory.
 */
export class ArenaObject {
  /** Base address of the arena, or 0 when no arena is associated (on unusedArenaObjects). */
  address = 0;
  /** The mapping behind the arena, while associated. */
  mapped: MappedArena | null = null;
  /** First pointer of the arena's span (pointer.ts). */
  vbase = 0;
  u8: Uint8Array = EMPTY_U8;
  u32: Uint32Array = EMPTY_U32;
  f64: Float64Array = EMPTY_F64;
  /** One bit per ALIGNMENT unit: set at the start of every live block (checkFree). */
  live: Uint32Array = EMPTY_U32;
  /** The allocator owning the span while associated. */
  owner: object | null = null;
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
  /** Creation number: the value of ntimesArenaAllocated when this arena was mapped (beyond CPython: for replay). */
  ordinal = -1;

  constructor(
    /** Position in the arenas vector (the arenaindex in pool headers); -1 for a heap's sentinel block. */
    readonly index: number,
  ) {}
}
