/*
 * The whole heap as the arena map draws it: every arena pymalloc has mapped
 * (in creation order), every pool of each (its state, block size and how many
 * of its blocks are in use) and how many of each pool's pages are resident
 * (mincore, through the region's residentPages), plus one pool's blocks when
 * asked (used, free, never carved).
 *
 *   arena 0 ┌────┬────┬────┬─ ─ ─┐  pool: full / used (count of capacity) /
 *           │full│used│empty│     │        empty (on freepools) / uncarved
 *           └────┴────┴────┴─ ─ ─┘        + resident pages of its 16 KiB
 *
 * It only reads, through pymalloc's read-only accessors (pool headers, the
 * free-list links): reading a heap changes nothing in it. Pages are the
 * region's (4 KiB on Linux x86-64); a pool's resident count is -1 when the
 * region is plain JavaScript memory (no addon), which has no pages.
 */
import type { ArenaObject } from '../../allocator/arenaObject.js';
import type { Heap } from '../../allocator/heap.js';
import { COUNT, FREEBLOCK, NEXTOFFSET, SZIDX } from '../../allocator/poolHeader.js';
import type { PyMalloc } from '../../allocator/pymalloc.js';
import { regionPageSize, residentPages } from '../../allocator/region.js';
import { DisposedError } from '../../errors.js';
import type { PoolState } from '../heapPicture.js';

/** One pool of an arena. */
export interface PoolCell {
  state: PoolState;
  /** Block size of a pool in use (full or used), else 0. */
  blockSize: number;
  /** Blocks in use (ref.count). */
  count: number;
  /** Blocks the pool holds at its block size (NUMBLOCKS), 0 for an empty or uncarved pool. */
  capacity: number;
  /** Resident pages of the pool's memory, -1 when unknown (plain memory). */
  resident: number;
}

/** One mapped arena. */
export interface ArenaCell {
  /** Creation number: 0 for the first arena the heap mapped. */
  ordinal: number;
  /** Its index in pymalloc's arenas vector (the arenaindex of its pool headers). */
  index: number;
  /** The arena's address (real, or as a trace recorded it). */
  address: number;
  /** Arena offset of its first pool (the alignment excess before it is never used). */
  firstPool: number;
  pools: PoolCell[];
}

/** Every arena of a heap at one moment. */
export interface ArenasView {
  profile: string;
  arenaSize: number;
  poolSize: number;
  pageSize: number;
  /** Pools an aligned arena holds. */
  poolsPerArena: number;
  arenas: ArenaCell[];
}

/** Resident pages of region range [offset, offset + length), or -1 when unknown (plain memory, or a range not on page boundaries). */
export function residentPagesOf(offset: number, length: number): number {
  const page = regionPageSize();
  if (offset % page !== 0 || length % page !== 0) return -1;
  return residentPages(offset, length);
}

/** The mapped arenas of `pm`, by creation order. */
export function mappedArenas(pm: PyMalloc): ArenaObject[] {
  return pm.arenas.filter((a) => a.address !== 0).sort((a, b) => a.ordinal - b.ordinal);
}

/** Throws a DisposedError for a disposed heap (whose arenas are gone: a map of it would be a lie). */
export function checkHeapOpen(heap: Heap): void {
  if (heap.isDisposed) throw new DisposedError('this heap was disposed: there are no arenas to read');
}

/** Reads every arena and pool of `heap` (with page residency unless `residency` is false). */
export function arenasView(heap: Heap, residency = true): ArenasView {
  checkHeapOpen(heap);
  const pm = heap.pymalloc;
  const p = heap.profile;
  const pageSize = regionPageSize();
  const arenas = mappedArenas(pm).map((ao): ArenaCell => ({ ordinal: ao.ordinal, index: ao.index, address: ao.address, firstPool: ao.firstPool, pools: poolCells(pm, ao, residency) }));
  return { profile: p.name, arenaSize: p.arenaSize, poolSize: p.poolSize, pageSize, poolsPerArena: p.arenaSize / p.poolSize, arenas };
}

/** The pools of arena `ao`, in address order (with page residency unless `residency` is false). */
export function poolCells(pm: PyMalloc, ao: ArenaObject, residency = true): PoolCell[] {
  const poolSize = pm.profile.poolSize;
  const pools: PoolCell[] = [];
  for (let i = 0; i < ao.ntotalpools; i++) {
    const off = ao.firstPool + i * poolSize;
    const resident = residency ? residentPagesOf(ao.vbase + off, poolSize) : -1;
    if (off >= ao.poolAddress) {
      pools.push({ state: 'uncarved', blockSize: 0, count: 0, capacity: 0, resident });
      continue;
    }
    const ref = pm.poolRef(ao, off);
    const count = pm.poolField(ref, COUNT);
    if (count === 0) {
      pools.push({ state: 'empty', blockSize: 0, count: 0, capacity: 0, resident });
      continue;
    }
    const c = pm.poolField(ref, SZIDX);
    const capacity = pm.numBlocks(c);
    pools.push({ state: count === capacity ? 'full' : 'used', blockSize: pm.index2size(c), count, capacity, resident });
  }
  return pools;
}

/** Block states of one pool: 0 never carved, 1 in use, 2 free (on the pool's free list). */
export const enum Slot {
  Uncarved = 0,
  Used = 1,
  Free = 2,
}

/** The blocks of the pool at arena offset `poolOff` of `ao` (a pool in use), one Slot each. */
export function poolSlots(pm: PyMalloc, ao: ArenaObject, poolOff: number): Uint8Array {
  const ref = pm.poolRef(ao, poolOff);
  const szidx = pm.poolField(ref, SZIDX);
  const size = pm.index2size(szidx);
  const cap = pm.numBlocks(szidx);
  const overhead = pm.profile.poolOverhead;
  const slots = new Uint8Array(cap);
  const carved = Math.min(cap, (pm.poolField(ref, NEXTOFFSET) - overhead) / size);
  slots.fill(Slot.Used, 0, carved);
  // The free list is threaded through the free blocks: freeblock and each link are block pointers.
  let n = 0;
  for (let b = pm.poolField(ref, FREEBLOCK); b !== 0 && n <= cap; b = pm.word(b), n++) {
    const s = (b - ref - overhead) / size;
    if (s >= 0 && s < cap) slots[s] = Slot.Free;
  }
  return slots;
}

/** One live pymalloc block. */
export interface LiveSmallBlock {
  /** Its pointer. */
  ptr: number;
  /** Its block size (the size class's, not the request). */
  size: number;
}

/** Every block in use in `heap`'s arenas, found from the pool headers and free lists (no hooks needed). */
export function liveSmallBlocks(heap: Heap): LiveSmallBlock[] {
  checkHeapOpen(heap);
  const pm = heap.pymalloc;
  const poolSize = heap.profile.poolSize;
  const overhead = heap.profile.poolOverhead;
  const out: LiveSmallBlock[] = [];
  for (const ao of mappedArenas(pm)) {
    for (let off = ao.firstPool; off < ao.poolAddress; off += poolSize) {
      const ref = pm.poolRef(ao, off);
      if (pm.poolField(ref, COUNT) === 0) continue;
      const size = pm.index2size(pm.poolField(ref, SZIDX));
      const slots = poolSlots(pm, ao, off);
      for (let s = 0; s < slots.length; s++) if (slots[s] === Slot.Used) out.push({ ptr: ref + overhead + s * size, size });
    }
  }
  return out;
}
