/*
 * Loads and stores of heap memory by absolute address, thread-wide: the C
 * expression `*(T *)addr` of pymem, for the layers above (objects, gc, and
 * the accessors their struct declarations generate). An address is a pointer
 * plus a byte offset: `loadF64(op + 16)` is `((PyFloatObject *)op)->ob_fval`.
 *
 * Unchecked, like C: the object layer only reads and writes inside blocks it
 * owns; users go through Heap's checked bytes/read/write instead.
 *
 *   addr < SMALL_LIMIT   a pymalloc block (or a static block): the span table
 *                        gives its arena's views (pointer.ts)
 *   addr >= RAW_BASE     inside a live raw block, found in the thread's raw
 *                        block registry (the last block found is cached)
 *
 * Widths: u8, u16, u32, i32 as they are; i64 (Py_ssize_t) as a double, exact
 * below 2^53 in magnitude; pointers as f64 (exact below 2^53, see
 * pointer.ts). Multi-byte loads must be aligned to their width (every C field
 * pymem lays out is).
 *
 * Invariants of the registry: `starts` is sorted and the intervals
 * [starts[i], ends[i]) of live raw blocks never overlap; a block is in it from
 * the malloc that returned it to the free (or moving realloc) that ended it.
 */
import { InvalidPointerError } from '../errors.js';
import type { BlockViews } from './osMemory.js';
import { NO_SPAN, SMALL_LIMIT, units } from './pointer.js';

/** Where a registered raw block's views come from (the RawMemory that owns it). */
export interface RawViewSource {
  views(address: number): BlockViews;
}

const starts: number[] = [];
const ends: number[] = [];
const sources: RawViewSource[] = [];

// The raw block last resolved.
let lastStart = 0;
let lastEnd = 0;
let lastViews: BlockViews | null = null;

/** Index of the last registered block starting at or before addr, or -1. */
function floorIndex(addr: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid]! <= addr) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Enters the live raw block [p, p + size) of `source` (called by the RawMemory that returned it). */
export function registerRawBlock(p: number, size: number, source: RawViewSource): void {
  const i = floorIndex(p) + 1;
  starts.splice(i, 0, p);
  ends.splice(i, 0, p + Math.max(size, 1));
  sources.splice(i, 0, source);
}

/** Removes the raw block starting at p (freed, or moved by realloc). */
export function unregisterRawBlock(p: number): void {
  const i = floorIndex(p);
  if (i < 0 || starts[i] !== p) return;
  starts.splice(i, 1);
  ends.splice(i, 1);
  sources.splice(i, 1);
  if (lastStart === p) {
    lastViews = null;
    lastEnd = 0;
  }
}

/** The size of the live raw block starting at p, or -1 when none starts there. */
export function rawBlockSize(p: number): number {
  const i = floorIndex(p);
  return i >= 0 && starts[i] === p ? ends[i]! - p : -1;
}

/** The views of the raw block holding addr, leaving lastStart at its start. */
function rawViews(addr: number): BlockViews {
  if (lastViews !== null && addr >= lastStart && addr < lastEnd && lastViews.u8.length !== 0) return lastViews;
  const i = floorIndex(addr);
  if (i < 0 || addr >= ends[i]!) throw new InvalidPointerError(`no live raw block holds address ${addr}`, addr);
  lastStart = starts[i]!;
  lastEnd = ends[i]!;
  lastViews = sources[i]!.views(lastStart);
  return lastViews;
}

export function loadU8(addr: number): number {
  if (addr < SMALL_LIMIT) {
    const a = units[addr >>> 12] ?? NO_SPAN;
    return a.u8[addr - a.vbase]!;
  }
  return rawViews(addr).u8[addr - lastStart]!;
}
export function storeU8(addr: number, v: number): void {
  if (addr < SMALL_LIMIT) {
    const a = units[addr >>> 12] ?? NO_SPAN;
    a.u8[addr - a.vbase] = v;
    return;
  }
  rawViews(addr).u8[addr - lastStart] = v;
}
/** The byte at addr, or -1 where no block of this thread is (for checks that read untrusted pointers). */
export function byteAtOr(addr: number): number {
  if (!(Number.isSafeInteger(addr) && addr > 0)) return -1;
  if (addr < SMALL_LIMIT) return (units[addr >>> 12] ?? NO_SPAN).u8[addr - (units[addr >>> 12] ?? NO_SPAN).vbase] ?? -1;
  const i = floorIndex(addr);
  return i >= 0 && addr < ends[i]! ? rawViews(addr).u8[addr - lastStart]! : -1;
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
  if (addr < SMALL_LIMIT) {
    const a = units[addr >>> 12] ?? NO_SPAN;
    return a.u32[(addr - a.vbase) >> 2]!;
  }
  return rawViews(addr).u32[(addr - lastStart) >> 2]!;
}
export function storeU32(addr: number, v: number): void {
  if (addr < SMALL_LIMIT) {
    const a = units[addr >>> 12] ?? NO_SPAN;
    a.u32[(addr - a.vbase) >> 2] = v;
    return;
  }
  rawViews(addr).u32[(addr - lastStart) >> 2] = v;
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
  if (addr < SMALL_LIMIT) {
    const a = units[addr >>> 12] ?? NO_SPAN;
    return a.f64[(addr - a.vbase) >> 3]!;
  }
  return rawViews(addr).f64[(addr - lastStart) >> 3]!;
}
export function storeF64(addr: number, v: number): void {
  if (addr < SMALL_LIMIT) {
    const a = units[addr >>> 12] ?? NO_SPAN;
    a.f64[(addr - a.vbase) >> 3] = v;
    return;
  }
  rawViews(addr).f64[(addr - lastStart) >> 3] = v;
}
/** A pointer field (stored as f64). */
export const loadPtr = loadF64;
export const storePtr = storeF64;

/** A view of the n bytes at addr (all inside one block; valid until that block is freed or moved). */
export function viewBytes(addr: number, n: number): Uint8Array {
  if (addr < SMALL_LIMIT) {
    const a = units[addr >>> 12] ?? NO_SPAN;
    const i = addr - a.vbase;
    return a.u8.subarray(i, i + n);
  }
  const v = rawViews(addr);
  const i = addr - lastStart;
  return v.u8.subarray(i, i + n);
}
/** memset(addr, byte, n). */
export function fillBytes(addr: number, n: number, byte: number): void {
  viewBytes(addr, n).fill(byte);
}
/** memmove(dst, src, n): the ranges may overlap or lie in different blocks. */
export function copyBytes(dst: number, src: number, n: number): void {
  // TypedArray.set copies as if through a temporary when both views share a buffer.
  const from = viewBytes(src, n);
  viewBytes(dst, n).set(from);
}
