/*
 * struct pool_header, laid out in the first bytes of every pool exactly as on
 * a 64-bit CPython build (48 bytes; POOL_OVERHEAD rounds it up to ALIGNMENT).
 *
 *   offset width  field          meaning                                   written by
 *   ------ -----  -------------  ----------------------------------------  ---------------------------
 *    0      8     ref.count      blocks in use (u32; C's union with a ptr)  alloc (++), free (--)
 *    8      8     freeblock      arena offset of the first free block, or  alloc, free, poolExtend
 *                                0 when the pool is full (u32)
 *   16      8     nextpool       pool ref (u32 in the low word) of the     usedpools ring / freepools
 *                                next pool in the usedpools ring, or in
 *                                the arena's freepools list (0 ends it)
 *   24      8     prevpool       pool ref (u32 in the low word) of the     usedpools ring only
 *                                previous pool in the usedpools ring
 *   32      4     arenaindex     index of the arena object (u32)           when the pool is carved
 *   36      4     szidx          size class index (u32); DUMMY_SIZE_IDX    carve (dummy), first use
 *                                until first used
 *   40      4     nextoffset     pool offset of the next never-used block  init, poolExtend
 *   44      4     maxnextoffset  largest pool offset a block may start at  init
 *
 * A pool ref is the small pointer of the pool's first byte (pointer.ts: below
 * 2^31, so it fits the low word of the 8-byte field; kept as u32 so the hot
 * paths never convert doubles). The usedpools sentinels are 32-byte
 * pseudo-headers in a span of their own, with nextpool/prevpool at the same
 * offsets as a real header's.
 *
 * A free block holds the arena offset of the next free block of its pool in
 * its first 4 bytes (0 = end of list): the free list is threaded through the
 * free blocks themselves, as in CPython.
 */

/** u32 index (within a header) of ref.count. */
export const COUNT = 0;
/** u32 index of freeblock. */
export const FREEBLOCK = 2;
/** u32 index of nextpool. */
export const NEXTPOOL = 4;
/** u32 index of prevpool. */
export const PREVPOOL = 6;
/** u32 index of arenaindex. */
export const ARENAINDEX = 8;
/** u32 index of szidx. */
export const SZIDX = 9;
/** u32 index of nextoffset. */
export const NEXTOFFSET = 10;
/** u32 index of maxnextoffset. */
export const MAXNEXTOFFSET = 11;

/** szidx of a carved pool that has never held blocks (DUMMY_SIZE_IDX). */
export const DUMMY_SIZE_IDX = 0xffff;
/** Bytes of one usedpools sentinel pseudo-header in slot 0. */
export const SENTINEL_STRIDE = 32;
/** The NULL pool ref. */
export const NULL_POOL = 0;
