/*
 * struct pool_header, laid out in the first bytes of every pool exactly as on
 * a 64-bit CPython build (48 bytes; POOL_OVERHEAD rounds it up to ALIGNMENT),
 * declared once (lib/struct.ts). C's four 8-byte members (the ref union and
 * three pointers) hold a u32 in their low word and 0 in the high one: a pool
 * ref and a block pointer are small pointers (pointer.ts: below 2^31), so the
 * hot paths never convert doubles.
 *
 * pool_header, 48 bytes:
 *    0  4  uint32_t  ref_count      ref.count: blocks in use (alloc ++, free --)
 *    4  4  uint32_t  ref_hi         high word of the ref union (C's block pointer padding): 0
 *    8  4  uint32_t  freeblock      pointer of the first free block, or 0 when the pool is full (alloc, free, poolExtend)
 *   12  4  uint32_t  freeblock_hi   high word of freeblock: 0
 *   16  4  uint32_t  nextpool       pool ref of the next pool in the usedpools ring, or in the arena's freepools (0 ends it)
 *   20  4  uint32_t  nextpool_hi    high word of nextpool: 0
 *   24  4  uint32_t  prevpool       pool ref of the previous pool in the usedpools ring (unused on freepools)
 *   28  4  uint32_t  prevpool_hi    high word of prevpool: 0
 *   32  4  uint32_t  arenaindex     index of the arena object (written when the pool is carved)
 *   36  4  uint32_t  szidx          size class index; DUMMY_SIZE_IDX from carving until first used
 *   40  4  uint32_t  nextoffset     pool offset of the next never-used block (init, poolExtend)
 *   44  4  uint32_t  maxnextoffset  largest pool offset a block may start at (init)
 *
 * The hot paths (pymalloc.ts) index the region's Uint32Array by word:
 * `U32[(pool >> 2) + COUNT]`, the word constants below derived from the
 * declaration's offsets; other code may use the declaration's accessors.
 * The usedpools sentinels are 32-byte pseudo-headers in a span of their own,
 * with nextpool/prevpool at the same offsets as a real header's.
 *
 * A free block holds the pointer of the next free block of its pool in its
 * first 4 bytes (0 = end of list): the free list is threaded through the free
 * blocks themselves, as in CPython.
 */
import { loadF64, loadI32, loadI64, loadU16, loadU32, loadU8, storeF64, storeI32, storeI64, storeU16, storeU32, storeU8 } from './access.js';
import { NULL_POOL } from './arenaObject.js';
import { VIEWS } from './region.js';
import { SMALL_LIMIT } from './pointer.js';
import { declareStruct, type ValidationContext } from '../struct.js';

/** What the pool header's validator is given: the geometry of the pool's heap. */
export interface PoolValidationContext extends ValidationContext {
  readonly poolSize: number;
  readonly poolOverhead: number;
  readonly numClasses: number;
}

/** szidx of a carved pool that has never held blocks (DUMMY_SIZE_IDX). */
export const DUMMY_SIZE_IDX = 0xffff;

const HIGH_WORDS = ['ref_hi', 'freeblock_hi', 'nextpool_hi', 'prevpool_hi'] as const;

/** struct pool_header (Objects/obmalloc.c). */
export const pool_header = declareStruct({
  name: 'pool_header',
  access: {
    loadU8,
    storeU8,
    loadU16,
    storeU16,
    loadU32,
    storeU32,
    loadI32,
    storeI32,
    loadI64,
    storeI64,
    loadF64,
    storeF64,
    views: VIEWS,
    viewLimit: SMALL_LIMIT,
  },
  fields: [
    { name: 'ref_count', type: 'u32', offset: 0, meaning: 'ref.count: blocks in use (alloc ++, free --)' },
    { name: 'ref_hi', type: 'u32', meaning: "high word of the ref union (C's block pointer padding): 0" },
    { name: 'freeblock', type: 'u32', meaning: 'pointer of the first free block, or 0 when the pool is full (alloc, free, poolExtend)' },
    { name: 'freeblock_hi', type: 'u32', meaning: 'high word of freeblock: 0' },
    { name: 'nextpool', type: 'u32', meaning: "pool ref of the next pool in the usedpools ring, or in the arena's freepools (0 ends it)" },
    { name: 'nextpool_hi', type: 'u32', meaning: 'high word of nextpool: 0' },
    { name: 'prevpool', type: 'u32', meaning: 'pool ref of the previous pool in the usedpools ring (unused on freepools)' },
    { name: 'prevpool_hi', type: 'u32', meaning: 'high word of prevpool: 0' },
    { name: 'arenaindex', type: 'u32', offset: 32, meaning: 'index of the arena object (written when the pool is carved)' },
    { name: 'szidx', type: 'u32', meaning: 'size class index; DUMMY_SIZE_IDX from carving until first used' },
    { name: 'nextoffset', type: 'u32', meaning: 'pool offset of the next never-used block (init, poolExtend)' },
    { name: 'maxnextoffset', type: 'u32', meaning: 'largest pool offset a block may start at (init)' },
  ],
  size: 48,
  check: (pool, ctx: PoolValidationContext, fail) => {
    const h = pool_header.offsets;
    for (const name of HIGH_WORDS) {
      const v = loadU32(pool + h[name]);
      if (v !== 0) fail(name, `${v}: a small pointer's high word is 0`);
    }
    const szidx = loadU32(pool + h.szidx);
    if (szidx !== DUMMY_SIZE_IDX && szidx >= ctx.numClasses) fail('szidx', `${szidx} is no size class (${ctx.numClasses} classes)`);
    const next = loadU32(pool + h.nextoffset);
    const max = loadU32(pool + h.maxnextoffset);
    if (szidx !== DUMMY_SIZE_IDX && !(next >= ctx.poolOverhead && next <= ctx.poolSize)) {
      fail('nextoffset', `${next} is outside the pool's blocks [${ctx.poolOverhead}, ${ctx.poolSize}]`);
    }
    if (szidx !== DUMMY_SIZE_IDX && !(max >= ctx.poolOverhead && max < ctx.poolSize)) {
      fail('maxnextoffset', `${max} is outside the pool's blocks [${ctx.poolOverhead}, ${ctx.poolSize})`);
    }
    const fb = loadU32(pool + h.freeblock);
    if (fb !== 0 && !(fb >= pool + ctx.poolOverhead && fb < pool + ctx.poolSize)) fail('freeblock', `${fb} is not a block of this pool`);
  },
});

export { NULL_POOL };

/** u32 index (within a header) of ref.count. */
export const COUNT = pool_header.offsets.ref_count >> 2;
/** u32 index of freeblock. */
export const FREEBLOCK = pool_header.offsets.freeblock >> 2;
/** u32 index of nextpool. */
export const NEXTPOOL = pool_header.offsets.nextpool >> 2;
/** u32 index of prevpool. */
export const PREVPOOL = pool_header.offsets.prevpool >> 2;
/** u32 index of arenaindex. */
export const ARENAINDEX = pool_header.offsets.arenaindex >> 2;
/** u32 index of szidx. */
export const SZIDX = pool_header.offsets.szidx >> 2;
/** u32 index of nextoffset. */
export const NEXTOFFSET = pool_header.offsets.nextoffset >> 2;
/** u32 index of maxnextoffset. */
export const MAXNEXTOFFSET = pool_header.offsets.maxnextoffset >> 2;

/** Bytes of one usedpools sentinel pseudo-header (ref, freeblock, nextpool, prevpool). */
export const SENTINEL_STRIDE = pool_header.offsets.arenaindex;
