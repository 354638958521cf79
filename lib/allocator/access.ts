/*
 * Loads and stores of heap memory by absolute address, thread-wide: the C
 * expression `*(T *)addr` of pymem, for the layers above (objects, gc, and
 * the accessors their struct declarations generate). An address is a pointer
 * plus a byte offset: `loadF64(op + 16)` is `((PyFloatObject *)op)->ob_fval`.
 *
 * Unchecked, like C: the object layer only reads and writes inside blocks it
 * owns; users go through Heap's checked bytes/read/write instead.
 *
 *   addr < SMALL_LIMIT   a pymalloc block (or a static block): an index into
 *                        the region's views, `F64[addr >> 3]` (region.ts)
 *   addr >= RAW_BASE     inside a live raw block, found in the thread's raw
 *                        block registry (the last block found is cached), read
 *                        through the raw window holding it (osMemory.ts)
 *
 * Widths: u8, u16, u32, i32 as they are; i64 (Py_ssize_t) as a double, exact
 * below 2^53 in magnitude; pointers as f64 (exact below 2^53, see
 * pointer.ts). Multi-byte loads must be aligned to their width (every C field
 * pymem lays out is).
 *
 * The registry of live raw blocks, for interior addresses: a sorted run
 * (binary search) plus up to PENDING blocks registered since its last merge
 * (scanned), so that registering and unregistering cost O(n / 64) amortised,
 * no allocation (test_json's replay registers and drops a raw block 1.1
 * million times). Invariants: the live blocks of both parts never overlap;
 * a sorted entry is live or dead (end 0: unregistered since the merge), and a
 * dead entry can shadow only a live block in the pending part; a block is in
 * the registry from the malloc that returned it to the free (or moving
 * realloc) that ended it.
 */
import { InvalidPointerError } from '../errors.js';
import type { RawWindowViews } from './osMemory.js';
import { SMALL_LIMIT } from './pointer.js';
import { F64, U32, U8 } from './region.js';

/** Where a registered raw block's views come from (the RawMemory that owns it). */
export interface RawViewSource {
  window(address: number, size: number): RawWindowViews;
}

/** Blocks registered since the last merge, at most this many. */
const PENDING = 64;
let sortedStart = new Float64Array(1024);
let sortedEnd = new Float64Array(1024);
let sortedSource: RawViewSource[] = new Array<RawViewSource>(1024);
let sortedCount = 0;
const pendingStart = new Float64Array(PENDING);
const pendingEnd = new Float64Array(PENDING);
const pendingSource: RawViewSource[] = new Array<RawViewSource>(PENDING);
let pendingCount = 0;

// The raw block last resolved, and the window holding it.
let lastStart = 0;
let lastEnd = 0;
let lastWindow: RawWindowViews | null = null;
/** lastWindow.base: index i of lastWindow's views is pointer lastBase + i. */
let lastBase = 0;

/** Index of the last sorted entry starting at or before addr, or -1. */
function floorIndex(addr: number): number {
  let lo = 0;
  let hi = sortedCount - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (sortedStart[mid]! <= addr) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Moves the pending blocks into the sorted run, dropping dead entries. */
function merge(): void {
  // Insertion sort of the (few) pending entries by start.
  for (let i = 1; i < pendingCount; i++) {
    const s0 = pendingStart[i]!;
    const e0 = pendingEnd[i]!;
    const src = pendingSource[i]!;
    let j = i - 1;
    for (; j >= 0 && pendingStart[j]! > s0; j--) {
      pendingStart[j + 1] = pendingStart[j]!;
      pendingEnd[j + 1] = pendingEnd[j]!;
      pendingSource[j + 1] = pendingSource[j]!;
    }
    pendingStart[j + 1] = s0;
    pendingEnd[j + 1] = e0;
    pendingSource[j + 1] = src;
  }
  const need = sortedCount + pendingCount;
  if (need > sortedStart.length || need < sortedStart.length >> 2) {
    // Merge into arrays of a fitting size (grown, or shrunk after many frees).
    const cap = Math.max(1024, 2 ** Math.ceil(Math.log2(need + 1)));
    const start = new Float64Array(cap);
    const end = new Float64Array(cap);
    const source = new Array<RawViewSource>(cap);
    start.set(sortedStart.subarray(0, sortedCount));
    end.set(sortedEnd.subarray(0, sortedCount));
    for (let i = 0; i < sortedCount; i++) source[i] = sortedSource[i]!;
    sortedStart = start;
    sortedEnd = end;
    sortedSource = source;
  }
  // Merge from the back, in place: the sorted run ends at sortedCount + pendingCount.
  let i = sortedCount - 1;
  let j = pendingCount - 1;
  let k = need - 1;
  while (j >= 0) {
    if (i >= 0 && sortedStart[i]! > pendingStart[j]!) {
      sortedStart[k] = sortedStart[i]!;
      sortedEnd[k] = sortedEnd[i]!;
      sortedSource[k--] = sortedSource[i--]!;
    } else {
      sortedStart[k] = pendingStart[j]!;
      sortedEnd[k] = pendingEnd[j]!;
      sortedSource[k--] = pendingSource[j--]!;
    }
  }
  sortedCount = need;
  pendingCount = 0;
  // Drop the dead entries (compacting forwards).
  let w = 0;
  for (let r = 0; r < sortedCount; r++) {
    if (sortedEnd[r] === 0) continue;
    if (w !== r) {
      sortedStart[w] = sortedStart[r]!;
      sortedEnd[w] = sortedEnd[r]!;
      sortedSource[w] = sortedSource[r]!;
    }
    w++;
  }
  sortedCount = w;
}

/** Enters the live raw block [p, p + size) of `source` (called by the RawMemory that returned it). */
export function registerRawBlock(p: number, size: number, source: RawViewSource): void {
  if (pendingCount === PENDING) merge();
  pendingStart[pendingCount] = p;
  pendingEnd[pendingCount] = p + Math.max(size, 1);
  pendingSource[pendingCount++] = source;
}

/** Removes the raw block starting at p (freed, or moved by realloc). */
export function unregisterRawBlock(p: number): void {
  if (lastStart === p) {
    lastWindow = null;
    lastEnd = 0;
  }
  for (let j = pendingCount - 1; j >= 0; j--) {
    if (pendingStart[j] === p) {
      const last = --pendingCount;
      pendingStart[j] = pendingStart[last]!;
      pendingEnd[j] = pendingEnd[last]!;
      pendingSource[j] = pendingSource[last]!;
      return;
    }
  }
  const i = floorIndex(p);
  if (i >= 0 && sortedStart[i] === p) sortedEnd[i] = 0;
}

/** The window holding the live raw block that holds addr, leaving lastBase at the window's base. */
function rawWindow(addr: number): RawWindowViews {
  if (lastWindow !== null && addr >= lastStart && addr < lastEnd) return lastWindow;
  let source: RawViewSource | null = null;
  for (let j = 0; j < pendingCount; j++) {
    if (addr >= pendingStart[j]! && addr < pendingEnd[j]!) {
      lastStart = pendingStart[j]!;
      lastEnd = pendingEnd[j]!;
      source = pendingSource[j]!;
      break;
    }
  }
  if (source === null) {
    const i = floorIndex(addr);
    if (i < 0 || !(addr < sortedEnd[i]!)) throw new InvalidPointerError(`no live raw block holds address ${addr}`, addr);
    lastStart = sortedStart[i]!;
    lastEnd = sortedEnd[i]!;
    source = sortedSource[i]!;
  }
  lastWindow = source.window(lastStart, lastEnd - lastStart);
  lastBase = lastWindow.base;
  return lastWindow;
}

/** The raw window holding raw address addr (inside a live raw block): its views index pointer `base` + i at i. */
export function rawWindowOf(addr: number): RawWindowViews {
  return rawWindow(addr);
}

export function loadU8(addr: number): number {
  if (addr < SMALL_LIMIT) return U8[addr]!;
  return rawWindow(addr).u8[addr - lastBase]!;
}
export function storeU8(addr: number, v: number): void {
  if (addr < SMALL_LIMIT) U8[addr] = v;
  else rawWindow(addr).u8[addr - lastBase] = v;
}
/** A little-endian u16 (UCS-2 code units). */
export function loadU16(addr: number): number {
  return loadU8(addr) | (loadU8(addr + 1) << 8);
}
export function storeU16(addr: number, v: number): void {
  storeU8(addr, v & 0xff);
  storeU8(addr + 1, (v >>> 8) & 0xff);
}
export function loadU32(addr: number): number {
  if (addr < SMALL_LIMIT) return U32[addr >> 2]!;
  return rawWindow(addr).u32[(addr - lastBase) >>> 2]!;
}
export function storeU32(addr: number, v: number): void {
  if (addr < SMALL_LIMIT) U32[addr >> 2] = v;
  else rawWindow(addr).u32[(addr - lastBase) >>> 2] = v;
}
/** A C int. */
export function loadI32(addr: number): number {
  return loadU32(addr) | 0;
}
export function storeI32(addr: number, v: number): void {
  storeU32(addr, v >>> 0);
}
/** A Py_ssize_t that fits a double. */
export function loadI64(addr: number): number {
  return loadU32(addr) + loadI32(addr + 4) * 4294967296;
}
export function storeI64(addr: number, v: number): void {
  const hi = Math.floor(v / 4294967296);
  storeU32(addr, v - hi * 4294967296);
  storeU32(addr + 4, hi >>> 0);
}
export function loadF64(addr: number): number {
  if (addr < SMALL_LIMIT) return F64[addr >> 3]!;
  return rawWindow(addr).f64[(addr - lastBase) >>> 3]!;
}
export function storeF64(addr: number, v: number): void {
  if (addr < SMALL_LIMIT) F64[addr >> 3] = v;
  else rawWindow(addr).f64[(addr - lastBase) >>> 3] = v;
}
/** A pointer field (stored as f64). */
export const loadPtr = loadF64;
export const storePtr = storeF64;

/** A view of the n bytes at addr (all inside one block; valid until that block is freed or moved). */
export function viewBytes(addr: number, n: number): Uint8Array {
  if (addr < SMALL_LIMIT) return U8.subarray(addr, addr + n);
  const i = addr - rawWindow(addr).base;
  return lastWindow!.u8.subarray(i, i + n);
}
/** memset(addr, byte, n). */
export function fillBytes(addr: number, n: number, byte: number): void {
  if (addr < SMALL_LIMIT) U8.fill(byte, addr, addr + n);
  else viewBytes(addr, n).fill(byte);
}
/** memmove(dst, src, n): the ranges may overlap or lie in different blocks. */
export function copyBytes(dst: number, src: number, n: number): void {
  if (dst < SMALL_LIMIT && src < SMALL_LIMIT) {
    U8.copyWithin(dst, src, src + n);
    return;
  }
  // TypedArray.set copies as if through a temporary when both views share a buffer.
  const from = viewBytes(src, n);
  viewBytes(dst, n).set(from);
}
