/*
 * Pointers are JavaScript numbers, in two disjoint ranges:
 *
 *   0                        NULL
 *   [2^16, SMALL_LIMIT)      pymalloc blocks (and static blocks): the byte
 *                            offset in the thread's region (region.ts), a
 *                            small integer (V8 Smi), so the hot paths never
 *                            box a pointer and `U32[p >> 2]` is the word at p
 *   RAW_BASE + address       raw blocks (the large path, RAW domain): the real
 *                            address glibc's malloc returned, offset past 2^48
 *
 * Which heap and arena own a small pointer is in the region's span table
 * (`spanOf(p)`); the pointers of two heaps of a thread never collide because
 * their spans never overlap.
 *
 * Invariants: RAW_BASE + any user-space address is below 2^53 (exact in a
 * double); the region is at most SMALL_LIMIT bytes.
 */

/** Small pointers are below this (the top of the positive Smi range, and the largest region). */
export const SMALL_LIMIT = 2 ** 31;
/** Raw pointers are RAW_BASE + the block's real address. */
export const RAW_BASE = 2 ** 48;

/** Whether `p` lies in the pymalloc range (it may still not be a live block). */
export function isSmallPointer(p: number): boolean {
  return p > 0 && p < SMALL_LIMIT;
}
