/*
 * Pointers are JavaScript numbers, in two disjoint ranges:
 *
 *   0                        NULL
 *   [2^16, SMALL_LIMIT)      pymalloc blocks: small integers (V8 Smis), so the
 *                            hot paths never box a pointer
 *   RAW_BASE + address       raw blocks (the large path, RAW domain): the real
 *                            address glibc's malloc returned, offset past 2^48
 *
 * The small range is shared by every heap of a thread and handed out in spans:
 * each arena (and each heap's block of usedpools sentinels) reserves a span of
 * its own size, aligned to that size, and is entered in the unit table, one
 * entry per 4 KiB unit of the span. From a pointer p, `units[p >>> 12]` is
 * the arena holding it and `p - arena.vbase` its offset in the arena: one
 * array load, no map lookup. A span is released when its arena is unmapped,
 * and the unit entries then name no heap, so a stale or foreign pointer is
 * recognised as such.
 *
 * Invariants: spans never overlap; units[u] is the span owner for every unit
 * of a bound span and NO_SPAN otherwise; RAW_BASE + any user-space address is
 * below 2^53 (exact in a double).
 */
import { ArenaObject } from './arenaObject.js';

/** log2 of the unit of the span table. */
export const UNIT_SHIFT = 12;
/** Small pointers are below this (the top of the positive Smi range). */
export const SMALL_LIMIT = 2 ** 31;
/** Raw pointers are RAW_BASE + the block's real address. */
export const RAW_BASE = 2 ** 48;
/** The first small pointer a span may start at (pointers below are never valid). */
const FIRST_SPAN = 2 ** 16;

/** What the unit table points at: the arena (or sentinel block) whose span holds a unit. */
export type Span = ArenaObject;

/** The entry of units not in any span (an arena object that is never associated). */
export const NO_SPAN: Span = new ArenaObject(-2);

/** units[u]: the span holding small pointers [u << UNIT_SHIFT, (u + 1) << UNIT_SHIFT). */
export const units: Span[] = [];
const freeSpans = new Map<number, number[]>();
let bump = FIRST_SPAN;

/** Reserves a span of `size` bytes (a power of two >= 4096) aligned to its size for `span`; returns its base or -1 when the small range is exhausted. */
export function bindSpan(size: number, span: Span): number {
  let base = freeSpans.get(size)?.pop();
  if (base === undefined) {
    const aligned = Math.ceil(bump / size) * size;
    if (aligned + size > SMALL_LIMIT) return -1;
    base = aligned;
    bump = aligned + size;
  }
  const first = base >>> UNIT_SHIFT;
  const last = (base + size) >>> UNIT_SHIFT;
  while (units.length < last) units.push(NO_SPAN);
  for (let u = first; u < last; u++) units[u] = span;
  span.vbase = base;
  return base;
}

/** Releases a span bound by bindSpan. */
export function unbindSpan(size: number, span: Span): void {
  const first = span.vbase >>> UNIT_SHIFT;
  const last = (span.vbase + size) >>> UNIT_SHIFT;
  for (let u = first; u < last; u++) units[u] = NO_SPAN;
  let list = freeSpans.get(size);
  if (list === undefined) freeSpans.set(size, (list = []));
  list.push(span.vbase);
}

/** The span holding small pointer p (NO_SPAN when none; p must be an integer in [0, SMALL_LIMIT)). */
export function spanOf(p: number): Span {
  return units[p >>> UNIT_SHIFT] ?? NO_SPAN;
}

/** Whether `p` lies in the pymalloc range (it may still not be a live block). */
export function isSmallPointer(p: number): boolean {
  return p > 0 && p < SMALL_LIMIT;
}
