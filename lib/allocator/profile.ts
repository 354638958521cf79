/*
 * Profiles: the compile-time constants of CPython's obmalloc.c as data.
 *
 *   classic     256 KiB arenas,  4 KiB pools,  8-byte alignment, 64 classes
 *               (obmalloc.c's own design comment; CPython up to 3.9 on most builds)
 *   cpython311    1 MiB arenas, 16 KiB pools, 16-byte alignment, 32 classes
 *               (64-bit CPython 3.10+: ARENA_BITS 20, POOL_BITS 14, ALIGNMENT 16)
 *
 * A profile may also carry a release policy (releasePolicy.ts): beyond
 * CPython, and off unless given, so the two built-in profiles are CPython's.
 *
 * Invariants checked by resolveProfile (each mirrors a static assert or a
 * design rule of obmalloc.c):
 *   - alignment, poolSize and arenaSize are powers of two, alignment >= 8
 *     (a free block holds its free-list link in its first word);
 *   - page size (4 KiB) <= arenaSize <= 1 GiB, and poolSize <= arenaSize / 2
 *     (an arena holds at least two pools, so it can be partly used: a one-pool
 *     arena goes from full to empty and its usable-list links are stale);
 *   - smallRequestThreshold is a multiple of alignment, at most 64 classes
 *     (NB_SMALL_SIZE_CLASSES <= 64), and two of the largest blocks fit in a
 *     pool after the pool header (a new pool's free list starts at block 1).
 */
import { InvalidProfileError, describe } from '../errors.js';
import { pool_header } from './poolHeader.js';
import { type ReleasePolicy, type ResolvedReleasePolicy, resolveReleasePolicy } from './releasePolicy.js';

/** The constants of one pymalloc build. */
export interface Profile {
  /** Name shown in reports. */
  readonly name: string;
  /** ARENA_SIZE: bytes mapped from the OS at a time. */
  readonly arenaSize: number;
  /** POOL_SIZE: bytes of one pool; pools are POOL_SIZE-aligned inside the arena. */
  readonly poolSize: number;
  /** ALIGNMENT: block sizes are multiples of this. */
  readonly alignment: number;
  /** SMALL_REQUEST_THRESHOLD: larger requests (and size 0) go to the raw allocator. */
  readonly smallRequestThreshold: number;
  /** Beyond CPython: when memory goes back to the OS (releasePolicy.ts); omitted, CPython's rule alone. */
  readonly release?: ReleasePolicy;
}

/** A profile with the derived constants obmalloc.c computes with macros. */
export interface ResolvedProfile extends Profile {
  /** The release policy, validated (every field 0 for CPython's). */
  readonly release: ResolvedReleasePolicy;
  /** ALIGNMENT_SHIFT = log2(alignment). */
  readonly alignmentShift: number;
  /** NB_SMALL_SIZE_CLASSES = smallRequestThreshold / alignment. */
  readonly numClasses: number;
  /** POOL_OVERHEAD: sizeof(struct pool_header) (48 on 64-bit) rounded up to the alignment. */
  readonly poolOverhead: number;
  /** MAX_POOLS_IN_ARENA = arenaSize / poolSize. */
  readonly maxPoolsInArena: number;
}

/** Bytes of `struct pool_header` on a 64-bit build (its declaration, poolHeader.ts). */
export const POOL_HEADER_BYTES = pool_header.size;

/** The default: obmalloc.c's design comment (256 KiB arenas, 4 KiB pools, 8-byte alignment, blocks up to 512 bytes). */
export const classic: Profile = Object.freeze({
  name: 'classic',
  arenaSize: 256 * 1024,
  poolSize: 4 * 1024,
  alignment: 8,
  smallRequestThreshold: 512,
});

/** What 64-bit CPython 3.11 uses: 1 MiB arenas, 16 KiB pools, 16-byte alignment, 32 classes. */
export const cpython311: Profile = Object.freeze({
  name: 'cpython311',
  arenaSize: 1024 * 1024,
  poolSize: 16 * 1024,
  alignment: 16,
  smallRequestThreshold: 512,
});

/** The built-in profiles by name. */
export const profiles: Readonly<Record<string, Profile>> = Object.freeze({ classic, cpython311 });

const isPowerOfTwo = (n: number): boolean => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

/**
 * Validates a profile (or looks one up by name) and computes its derived constants.
 * Throws InvalidProfileError naming the field and what it must be.
 */
export function resolveProfile(p: Profile | string = classic): ResolvedProfile {
  if (typeof p === 'string') {
    const known = profiles[p];
    if (known === undefined) {
      throw new InvalidProfileError(
        `unknown profile ${JSON.stringify(p)}; expected one of ${Object.keys(profiles).join(', ')} or a Profile object`,
      );
    }
    p = known;
  }
  if (typeof p !== 'object' || p === null) {
    throw new InvalidProfileError(`a profile must be a name or an object, got ${describe(p)}`);
  }
  const { arenaSize, poolSize, alignment, smallRequestThreshold } = p;
  const fail = (field: string, value: unknown, must: string): never => {
    throw new InvalidProfileError(`profile ${field} must be ${must}, got ${describe(value)}`);
  };
  if (!isPowerOfTwo(alignment) || alignment < 8 || alignment > 4096) {
    fail('alignment', alignment, 'a power of two from 8 to 4096');
  }
  if (!isPowerOfTwo(arenaSize) || arenaSize < 4096 || arenaSize > 2 ** 30) {
    fail('arenaSize', arenaSize, 'a power of two from 4096 to 2^30');
  }
  if (!isPowerOfTwo(poolSize) || poolSize > arenaSize / 2) {
    // obmalloc's arena lists assume an arena can be partly used: at least two pools.
    fail('poolSize', poolSize, `a power of two at most half the arenaSize (${arenaSize / 2})`);
  }
  const poolOverhead = Math.ceil(POOL_HEADER_BYTES / alignment) * alignment;
  if (
    !Number.isInteger(smallRequestThreshold) ||
    smallRequestThreshold < alignment ||
    smallRequestThreshold % alignment !== 0 ||
    smallRequestThreshold / alignment > 64
  ) {
    fail('smallRequestThreshold', smallRequestThreshold, `a multiple of the alignment (${alignment}), at most 64 classes`);
  }
  if (smallRequestThreshold > (poolSize - poolOverhead) / 2) {
    // allocate_from_new_pool hands out the first block and threads the second: a pool holds at least two.
    fail('smallRequestThreshold', smallRequestThreshold, `at most half of poolSize - pool header (${(poolSize - poolOverhead) / 2})`);
  }
  return Object.freeze({
    name: typeof p.name === 'string' ? p.name : 'custom',
    arenaSize,
    poolSize,
    alignment,
    smallRequestThreshold,
    alignmentShift: Math.log2(alignment),
    numClasses: smallRequestThreshold / alignment,
    poolOverhead,
    maxPoolsInArena: arenaSize / poolSize,
    release: resolveReleasePolicy(p.release),
  });
}
