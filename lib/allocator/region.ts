/*
 * The region: one contiguous range of memory per thread that every pymalloc
 * heap of the thread lives in, with one set of typed views (U8, U32, F64)
 * that the hot paths index directly. A small pointer is its byte offset in
 * the region, so `F64[p >> 3]` is the double at p: no table, no per-arena
 * views.
 *
 *   offset 0       2^16                                             regionBytes
 *   ├─ never bound ┼─ spans: arenas, statics, usedpools sentinels ─┤
 *   │ (NULL lies   │  each a power of two >= 4 KiB, aligned to its   │
 *   │  here)       │  size, bump-allocated, reused by size           │
 *
 * Where the memory comes from, decided once per thread on first use:
 *   native   the addon's reservation (native/pymem.cc: read-write,
 *            MAP_NORESERVE, 2 GiB by default so every offset is a Smi): pages
 *            cost nothing until touched, and releaseRange gives a range's
 *            pages back to the OS (madvise MADV_DONTNEED) while the range
 *            stays valid and reads as zero.
 *   plain    an ArrayBuffer, when the addon is not built: the pure-TypeScript
 *            fake needs no addon. Released ranges are zero-filled.
 * The size is PYMEM_REGION_BYTES or configureRegion(), default 2 GiB; if the
 * OS refuses it, the largest half granted (down to 4 MiB), which
 * `regionInfo()` reports.
 *
 * Invariants: spans never overlap and lie in [FIRST_SPAN, regionBytes);
 * spans[u] is the owner of unit u (4 KiB) of a bound span and NO_SPAN
 * otherwise; a span's memory is all zero when it is bound (fresh, or
 * released when it was unbound); LIVE has one bit per 8 bytes of the region,
 * set exactly at the starts of live pymalloc blocks of heaps that check
 * frees.
 */
import { InvalidArgumentError, OutOfMemoryError } from '../errors.js';
import { getNative, hasNative } from '../native.js';
import { ArenaObject } from './arenaObject.js';

/** log2 of the unit of the span table. */
export const UNIT_SHIFT = 12;
/** The first offset a span may start at: offsets below (NULL among them) are never memory of any block. */
const FIRST_SPAN = 2 ** 16;
/** The default region size: 2 GiB, the positive Smi range. */
const DEFAULT_REGION_BYTES = 2 ** 31;
/** The smallest region worth having. */
const MIN_REGION_BYTES = 2 ** 22;

/** The region's bytes (empty until the region is made). */
export let U8 = new Uint8Array(0);
/** The region as u32 words: U32[p >> 2]. */
export let U32 = new Uint32Array(0);
/**
 * The region as i32 words, for pymalloc's hot paths: every pool header field
 * and free-list link it reads is below 2^31, so an I32 load is a small
 * integer as it stands, where a U32 load needs a range check first.
 */
export let I32 = new Int32Array(0);
/** The region as f64 words: F64[p >> 3] (pointers and Py_ssize_t values are stored as f64). */
export let F64 = new Float64Array(0);
/** Live bits: bit (p >>> 3) & 31 of LIVE[p >>> 8] is set iff a live pymalloc block starts at p (i32 words, as I32). */
export let LIVE = new Int32Array(0);
/** BOUND[u] is 1 iff unit u (4 KiB) of the region lies in a bound span: spans[u] !== NO_SPAN, as a byte. */
export let BOUND = new Uint8Array(0);
/**
 * The same three views as properties of one object, for code that cannot
 * import the bindings above (the accessors struct.ts compiles): kept equal to
 * U8, U32 and F64 by setRegion.
 */
export const VIEWS = { u8: U8, u32: U32, f64: F64 };
/** Bytes in the region (0 until it is made). */
export let regionBytes = 0;

let requestedBytes = 0;
let regionAddress = 0;
let isNative = false;
let regionBuffer: ArrayBuffer | null = null;

/** What the thread's region is, once made. */
export interface RegionInfo {
  /** 'native' (the addon's reservation) or 'plain' (an ArrayBuffer: no addon). */
  readonly kind: 'native' | 'plain';
  /** Bytes reserved. */
  readonly bytes: number;
  /** Bytes asked for; more than `bytes` when the OS granted only part. */
  readonly requested: number;
  /** Real address of offset 0 (0 for a plain region). */
  readonly address: number;
}

/**
 * Sets the size of this thread's region before it is made (a power of two
 * from 4 MiB to 2 GiB). Throws InvalidArgumentError when the region exists
 * already with another size, or the size is not allowed.
 */
export function configureRegion(bytes: number): void {
  if (!(Number.isInteger(bytes) && bytes >= MIN_REGION_BYTES && bytes <= DEFAULT_REGION_BYTES && (bytes & (bytes - 1)) === 0)) {
    throw new InvalidArgumentError(`the region size must be a power of two from 4 MiB to 2 GiB, got ${bytes}`);
  }
  if (regionBytes !== 0 && requestedBytes !== bytes) {
    throw new InvalidArgumentError(`this thread's region is already made (${requestedBytes} bytes asked for); configure it before the first heap`);
  }
  requestedBytes = bytes;
}

function wantedBytes(): number {
  if (requestedBytes !== 0) return requestedBytes;
  const env = process.env['PYMEM_REGION_BYTES'];
  if (env !== undefined && env !== '') configureRegion(Number(env));
  else requestedBytes = DEFAULT_REGION_BYTES;
  return requestedBytes;
}

/** Makes the thread's region if it is not made yet; throws OutOfMemoryError when no memory at all is granted. */
export function ensureRegion(): void {
  if (regionBytes !== 0) return;
  const wanted = wantedBytes();
  if (hasNative()) {
    const r = getNative().reserveRegion(wanted);
    if (r === null) throw new OutOfMemoryError(`the OS refused even ${MIN_REGION_BYTES} bytes for the region`, MIN_REGION_BYTES);
    isNative = true;
    regionAddress = r.address;
    setRegion(r.buffer);
    return;
  }
  for (let bytes = wanted; bytes >= MIN_REGION_BYTES; bytes /= 2) {
    let buffer: ArrayBuffer;
    try {
      buffer = new ArrayBuffer(bytes);
    } catch {
      continue;
    }
    setRegion(buffer);
    return;
  }
  throw new OutOfMemoryError(`could not allocate even ${MIN_REGION_BYTES} bytes for the region`, MIN_REGION_BYTES);
}

function setRegion(buffer: ArrayBuffer): void {
  regionBuffer = buffer;
  regionBytes = buffer.byteLength;
  U8 = new Uint8Array(buffer);
  U32 = new Uint32Array(buffer);
  I32 = new Int32Array(buffer);
  F64 = new Float64Array(buffer);
  VIEWS.u8 = U8;
  VIEWS.u32 = U32;
  VIEWS.f64 = F64;
  LIVE = new Int32Array(regionBytes >>> 8);
  BOUND = new Uint8Array(regionBytes >>> UNIT_SHIFT);
}

/** The thread's region, making it if needed. */
export function regionInfo(): RegionInfo {
  ensureRegion();
  return { kind: isNative ? 'native' : 'plain', bytes: regionBytes, requested: requestedBytes, address: regionAddress };
}

/** Whether the region is the addon's (real memory whose pages releaseRange returns to the OS). */
export function regionIsNative(): boolean {
  return isNative;
}

/** The real address of region offset `offset` (native region), or -1 (plain). */
export function realAddress(offset: number): number {
  return isNative ? regionAddress + offset : -1;
}

/**
 * Gives the pages of [offset, offset + size) back (native: MADV_DONTNEED;
 * plain: zero-filled). Afterwards the range reads as zero.
 */
export function releaseRange(offset: number, size: number): void {
  if (isNative && getNative().releaseRange(offset, size) === 0) return;
  U8.fill(0, offset, offset + size);
}

/** How many pages of [offset, offset + size) are resident (native region; -1 for a plain one). */
export function residentPages(offset: number, size: number): number {
  return isNative ? getNative().residentPages(offset, size) : -1;
}

/** The size of the region's pages: the OS's (native region), or 4096 for a plain one (which has none). */
export function regionPageSize(): number {
  return isNative ? getNative().pageSize() : 4096;
}

/**
 * A buffer for users' views of [offset, offset + size): native, a new
 * external ArrayBuffer aliasing the range that detachUserBuffer detaches
 * without touching the region; plain, the region's own buffer (which cannot
 * be detached: stale views of a plain region read what the range holds).
 */
export function userBuffer(offset: number, size: number): { buffer: ArrayBuffer; base: number } {
  if (isNative) return { buffer: getNative().regionView(offset, size), base: offset };
  return { buffer: regionBuffer!, base: 0 };
}

/** Detaches a buffer from userBuffer (a no-op for the plain region's own). */
export function detachUserBuffer(buffer: ArrayBuffer): void {
  if (isNative && buffer !== regionBuffer) getNative().detachView(buffer);
}

// --- spans ------------------------------------------------------------------------

/** The entry of units not in any span (an arena object that is never associated). */
export const NO_SPAN = new ArenaObject(-2);

/** spans[u]: the owner of small pointers [u << UNIT_SHIFT, (u + 1) << UNIT_SHIFT). */
export const spans: ArenaObject[] = [];
const freeSpans = new Map<number, number[]>();
let bump = FIRST_SPAN;

/**
 * Binds a span of `size` bytes (a power of two >= 4096) aligned to its size
 * to `owner`, setting owner.vbase; returns its offset, or -1 when the region
 * has no room (as when mmap fails in C).
 */
export function bindSpan(size: number, owner: ArenaObject): number {
  ensureRegion();
  let base = freeSpans.get(size)?.pop();
  if (base === undefined) {
    const aligned = Math.ceil(bump / size) * size;
    if (aligned + size > regionBytes) return -1;
    base = aligned;
    bump = aligned + size;
  }
  const first = base >>> UNIT_SHIFT;
  const last = (base + size) >>> UNIT_SHIFT;
  while (spans.length < last) spans.push(NO_SPAN);
  for (let u = first; u < last; u++) spans[u] = owner;
  BOUND.fill(1, first, last);
  owner.vbase = base;
  return base;
}

/** Unbinds a span bound by bindSpan; its memory must already be released (zero), its live bits clear. */
export function unbindSpan(size: number, owner: ArenaObject): void {
  const first = owner.vbase >>> UNIT_SHIFT;
  const last = (owner.vbase + size) >>> UNIT_SHIFT;
  for (let u = first; u < last; u++) spans[u] = NO_SPAN;
  BOUND.fill(0, first, last);
  let list = freeSpans.get(size);
  if (list === undefined) freeSpans.set(size, (list = []));
  list.push(owner.vbase);
}

/** Clears the live bits of [offset, offset + size) (a span whose blocks are gone all at once). */
export function clearLive(offset: number, size: number): void {
  LIVE.fill(0, offset >>> 8, (offset + size) >>> 8);
}

/** The span owner of small pointer p (NO_SPAN when none; p an integer in [0, SMALL_LIMIT)). */
export function spanOf(p: number): ArenaObject {
  return spans[p >>> UNIT_SHIFT] ?? NO_SPAN;
}
