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
 * The registry of live raw blocks, for interior addresses: two sorted runs
 * searched by bisection, a main run and a small one of the blocks registered
 * since the last merge (at most about sqrt(n) of them, at least 64), so that
 * registering costs O(sqrt n) amortised moves, unregistering and lookups
 * O(log n), and nothing is allocated per call (test_json's replay registers
 * and drops a raw block 1.1 million times; a program may hold millions).
 * Invariants: both runs are sorted by start; live blocks never overlap; a
 * main-run entry is live or dead (end 0: unregistered since the last merge),
 * and a dead entry can shadow only a live block of the small run; a block is
 * in the registry from the malloc that returned it to the free (or moving
 * realloc) that ended it.
 */
import { InvalidPointerError } from '../errors.js';
import type { RawWindowViews } from './osMemory.js';
import { SMALL_LIMIT } from './pointer.js';
import { BOUND, F64, U32, U8, UNIT_SHIFT, VIEWS } from './region.js';

/** The region's views as one object (MemoryAccess.views: what struct accessors load from inline). */
export const heapViews = VIEWS;
/** The addresses heapViews holds at their own index: the small ones. */
export const HEAP_VIEW_LIMIT = SMALL_LIMIT;

/** Where a registered raw block's views come from (the RawMemory that owns it). */
export interface RawViewSource {
  window(address: number, size: number): RawWindowViews;
}

/** The small run holds at least this many blocks before it is merged. */
const MIN_PENDING = 64;

/** A sorted run of blocks: starts, ends, sources and (once resolved) windows. */
class Run {
  start: Float64Array;
  end: Float64Array;
  source: RawViewSource[];
  window: (RawWindowViews | null)[];
  count = 0;
  constructor(capacity: number) {
    this.start = new Float64Array(capacity);
    this.end = new Float64Array(capacity);
    this.source = new Array<RawViewSource>(capacity);
    this.window = new Array<RawWindowViews | null>(capacity).fill(null);
  }
  get capacity(): number {
    return this.start.length;
  }
  /** Index of the last entry starting at or before addr, or -1. */
  floor(addr: number): number {
    const start = this.start;
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (start[mid]! <= addr) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
  // The typed columns move with copyWithin (a memmove); the two object
  // columns by a loop (Array.prototype.copyWithin is generic, measured 4x slower).
  /** Makes room at index i (entries i.. move up one). */
  open(i: number): void {
    const n = this.count;
    this.start.copyWithin(i + 1, i, n);
    this.end.copyWithin(i + 1, i, n);
    const source = this.source;
    const window = this.window;
    for (let k = n; k > i; k--) {
      source[k] = source[k - 1]!;
      window[k] = window[k - 1]!;
    }
    this.count = n + 1;
  }
  /** Removes index i (entries above move down one). */
  close(i: number): void {
    const n = this.count - 1;
    this.start.copyWithin(i, i + 1, n + 1);
    this.end.copyWithin(i, i + 1, n + 1);
    const source = this.source;
    const window = this.window;
    for (let k = i; k < n; k++) {
      source[k] = source[k + 1]!;
      window[k] = window[k + 1]!;
    }
    this.count = n;
  }
}

let main = new Run(1024);
let small = new Run(MIN_PENDING);
/** How many blocks the small run may hold before the next merge (smallLimit of main.count at the last merge). */
let smallMax = MIN_PENDING;
/** A spare run the merge writes into (then swapped with main). */
let spare = new Run(1024);

// The raw block last resolved ([START, END)) and the window holding it (index i of its views
// is pointer last[BASE] + i). The addresses are doubles above 2^48: kept in a Float64Array, not
// in `let`s, where every write would box a new heap number (measured: a GC-bound miss path).
const START = 0;
const END = 1;
const BASE = 2;
const last = new Float64Array(3);
let lastWindow: RawWindowViews | null = null;

/** How many blocks the small run may hold for a main run of n entries. */
function smallLimit(n: number): number {
  return Math.max(MIN_PENDING, 2 ** Math.ceil(Math.log2(Math.sqrt(n) + 1)));
}

/** Merges the small run into the main one, dropping dead entries. */
function merge(): void {
  const need = main.count + small.count;
  if (spare.capacity < need || spare.capacity > 4 * Math.max(1024, need)) spare = new Run(Math.max(1024, 2 ** Math.ceil(Math.log2(need + 1))));
  const a = main;
  const b = small;
  const out = spare;
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.count || j < b.count) {
    const fromA = j >= b.count || (i < a.count && a.start[i]! < b.start[j]!);
    const r = fromA ? a : b;
    const x = fromA ? i++ : j++;
    if (r.end[x] === 0) continue;
    out.start[k] = r.start[x]!;
    out.end[k] = r.end[x]!;
    out.source[k] = r.source[x]!;
    out.window[k++] = r.window[x]!;
  }
  out.count = k;
  spare = main;
  main = out;
  small.count = 0;
  smallMax = smallLimit(main.count);
  if (small.capacity < smallMax) small = new Run(smallMax);
}

/** Enters the live raw block [p, p + size) of `source` (called by the RawMemory that returned it). */
export function registerRawBlock(p: number, size: number, source: RawViewSource): void {
  if (small.count >= smallMax) merge();
  const i = small.floor(p) + 1;
  small.open(i);
  small.start[i] = p;
  small.end[i] = p + Math.max(size, 1);
  small.source[i] = source;
  small.window[i] = null;
}

/** Removes the raw block starting at p (freed, or moved by realloc). */
export function unregisterRawBlock(p: number): void {
  if (last[START] === p) {
    lastWindow = null;
    last[END] = 0;
  }
  const j = small.floor(p);
  if (j >= 0 && small.start[j] === p) {
    small.close(j);
    return;
  }
  const i = main.floor(p);
  if (i >= 0 && main.start[i] === p) main.end[i] = 0;
}

/** The window holding the live raw block that holds addr, leaving last[BASE] at the window's base. */
function rawWindow(addr: number): RawWindowViews {
  if (lastWindow !== null && addr >= last[START] && addr < last[END]) return lastWindow;
  if (!findRaw(addr)) throw new InvalidPointerError(`no live raw block holds address ${addr}`, addr);
  return lastWindow!;
}

/** Resolves addr into last[START], last[END], lastWindow, last[BASE]; false when no live raw block holds it. */
function findRaw(addr: number): boolean {
  // The main run first (a dead entry there has end 0), then the small one.
  let r = main;
  let i = r.floor(addr);
  if (!(i >= 0 && addr < r.end[i]!)) {
    r = small;
    i = r.floor(addr);
    if (!(i >= 0 && addr < r.end[i]!)) return false;
  }
  last[START] = r.start[i]!;
  last[END] = r.end[i]!;
  lastWindow = r.window[i] ?? (r.window[i] = r.source[i]!.window(last[START], last[END] - last[START]));
  last[BASE] = lastWindow.base;
  return true;
}

/** The raw window holding raw address addr (inside a live raw block): its views index pointer `base` + i at i. */
export function rawWindowOf(addr: number): RawWindowViews {
  return rawWindow(addr);
}

/** The size of the live raw block starting at p, or -1 when none starts there. */
export function rawBlockSize(p: number): number {
  const j = small.floor(p);
  if (j >= 0 && small.start[j] === p) return small.end[j]! - p;
  const i = main.floor(p);
  return i >= 0 && main.start[i] === p && main.end[i] !== 0 ? main.end[i]! - p : -1;
}

export function loadU8(addr: number): number {
  if (addr < SMALL_LIMIT) return U8[addr]!;
  return rawWindow(addr).u8[addr - last[BASE]]!;
}
export function storeU8(addr: number, v: number): void {
  if (addr < SMALL_LIMIT) U8[addr] = v;
  else rawWindow(addr).u8[addr - last[BASE]] = v;
}
/** The byte at addr, or -1 where no block of this thread is (for checks that read untrusted pointers). */
export function byteAtOr(addr: number): number {
  if (!(Number.isSafeInteger(addr) && addr > 0)) return -1;
  if (addr < SMALL_LIMIT) return addr < U8.length && BOUND[addr >>> UNIT_SHIFT] === 1 ? U8[addr]! : -1;
  if (lastWindow !== null && addr >= last[START] && addr < last[END]) return lastWindow.u8[addr - last[BASE]]!;
  return findRaw(addr) ? lastWindow!.u8[addr - last[BASE]]! : -1;
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
  return rawWindow(addr).u32[(addr - last[BASE]) >>> 2]!;
}
export function storeU32(addr: number, v: number): void {
  if (addr < SMALL_LIMIT) U32[addr >> 2] = v;
  else rawWindow(addr).u32[(addr - last[BASE]) >>> 2] = v;
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
  return rawWindow(addr).f64[(addr - last[BASE]) >>> 3]!;
}
export function storeF64(addr: number, v: number): void {
  if (addr < SMALL_LIMIT) F64[addr >> 3] = v;
  else rawWindow(addr).f64[(addr - last[BASE]) >>> 3] = v;
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
  if (addr < SMALL_LIMIT) {
    // A short aligned run by words: TypedArray.prototype.fill is a builtin call measured at about 7 % of
    // the dict workload, whose keys objects fill 8 and 120 bytes.
    if (n <= FILL_BY_WORDS && (addr & 3) === 0 && (n & 3) === 0) {
      const w = (byte & 0xff) * 0x01010101;
      for (let i = addr >>> 2, end = (addr + n) >>> 2; i < end; i++) U32[i] = w;
    } else U8.fill(byte, addr, addr + n);
  } else viewBytes(addr, n).fill(byte);
}
/** The longest fill fillBytes writes word by word. */
const FILL_BY_WORDS = 256;
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
