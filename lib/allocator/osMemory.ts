/*
 * The two things pymalloc asks of the operating system, as interfaces, and
 * their implementations: over the native addon (the thread's region, glibc
 * malloc) and in pure TypeScript (a fake for tests, which needs no addon).
 *
 * ArenaAllocator mirrors CPython's PyObjectArenaAllocator (alloc, free of
 * ARENA_SIZE bytes), over a span of the region pymalloc has bound
 * (region.ts); RawMemory is the C library's malloc family, which the RAW
 * domain calls and which pymalloc falls back on for large requests and when
 * the region is full.
 *
 * Invariants: an arena's span reads as zero when alloc returns and is
 * released (pages back to the OS, reading zero) by free. Raw pointers are
 * RAW_BASE + a real (or invented) address below 2^48, never in pymalloc's
 * range (pointer.ts); each live raw block is in access.ts's registry from the
 * call that returned it to the one that ended it. Failure to get memory is a
 * null / 0 return, never a throw; a bad pointer is an InvalidPointerError.
 */
import { getNative } from '../native.js';
import { InvalidPointerError } from '../errors.js';
import { registerRawBlock, unregisterRawBlock } from './access.js';
import { AddressSet } from './addressSet.js';
import { RAW_BASE } from './pointer.js';
import { U8, ensureRegion, realAddress, releaseRange } from './region.js';

/** One arena's span of the region while it is mapped. */
export interface MappedArena {
  /** Region offset of its first byte (its first pointer). */
  readonly offset: number;
  /** Bytes. */
  readonly size: number;
  /** Base address of the arena (real, or invented by a fake, or as recorded in a trace being replayed). */
  readonly address: number;
}

/** CPython's PyObjectArenaAllocator: where pymalloc gets and returns its arenas. */
export interface ArenaAllocator {
  /** Maps the bound span [offset, offset + size) as an arena; null when the OS refuses. */
  alloc(offset: number, size: number): MappedArena | null;
  /** Unmaps an arena returned by alloc: its pages go back and read as zero. */
  free(arena: MappedArena): void;
}

/** Typed views over memory holding raw blocks; index 0 is pointer `base`. */
export interface RawWindowViews {
  readonly u8: Uint8Array;
  readonly u32: Uint32Array;
  readonly f64: Float64Array;
  /** The pointer (RAW_BASE + address) of u8[0]. */
  readonly base: number;
}

/** Views over a buffer whose first byte is pointer `base` (u32 and f64 cover its whole words). */
export function windowViews(buffer: ArrayBuffer, base: number): RawWindowViews {
  return {
    u8: new Uint8Array(buffer),
    u32: new Uint32Array(buffer, 0, Math.floor(buffer.byteLength / 4)),
    f64: new Float64Array(buffer, 0, Math.floor(buffer.byteLength / 8)),
    base,
  };
}

/**
 * The C library's allocator. Blocks are named by pointers RAW_BASE + their
 * real address (pointer.ts); 0 is NULL.
 */
export interface RawMemory {
  malloc(size: number): number;
  calloc(nelem: number, elsize: number): number;
  realloc(address: number, size: number): number;
  free(address: number): void;
  /** Views holding the whole live block at `address` of `size` bytes (shared by many blocks; for access.ts); InvalidPointerError for anything else. */
  window(address: number, size: number): RawWindowViews;
  /** A user's view of exactly the live block at `address`: it reads empty once the block is freed or moved (native). */
  userBytes(address: number): Uint8Array;
  /** Bytes of the live block at `address` (0 counted as 1). */
  size(address: number): number;
  /** Whether `address` is the start of a live block. */
  has(address: number): boolean;
  /** Frees every block still live (the heap is being disposed). */
  freeAll(): void;
}

/** The real address behind a raw pointer. */
export function rawAddress(p: number): number {
  return p - RAW_BASE;
}

/** Bytes of arenas (and static blocks) mapped by native arena allocators on this thread: what V8 is told pymem holds. */
let nativeArenaBytes = 0;

/**
 * Arenas in the addon's region: nothing to map (the span is untouched, zero
 * memory), and free gives the pages back (MADV_DONTNEED). Every map and unmap
 * tells V8 the thread's new total (napi_adjust_external_memory), so its
 * collector knows how much memory the heaps hold.
 */
export function nativeArenaAllocator(): ArenaAllocator {
  const native = getNative();
  ensureRegion();
  return {
    alloc(offset, size) {
      nativeArenaBytes += size;
      native.setExternalMemory(nativeArenaBytes);
      return { offset, size, address: realAddress(offset) };
    },
    free(arena) {
      releaseRange(arena.offset, arena.size);
      nativeArenaBytes -= arena.size;
      native.setExternalMemory(nativeArenaBytes);
    },
  };
}

/** Bytes this thread's native arena allocators hold mapped, as last told to V8 (the addon's count). */
export function externalArenaBytes(): number {
  return getNative().externalMemory();
}

/** log2 of a raw window's stride (native/pymem.cc's kWindowStride). */
const WINDOW_SHIFT = 30;
/** Raw windows of this thread by real address >> WINDOW_SHIFT. */
const windows = new Map<number, RawWindowViews>();

/** The window holding the live native block at real `address` of `size` bytes. */
function nativeWindow(address: number, size: number): RawWindowViews {
  const k = Math.floor(address / 2 ** WINDOW_SHIFT);
  let w = windows.get(k);
  if (w === undefined || address + size > w.base - RAW_BASE + w.u8.length) {
    const native = getNative();
    if (size > 2 ** (WINDOW_SHIFT + 1)) return windowViews(native.blockBuffer(address), RAW_BASE + address);
    const { buffer, base } = native.rawWindow(address);
    w = windowViews(buffer, RAW_BASE + base);
    windows.set(k, w);
  }
  return w;
}

/**
 * glibc's malloc through the addon. The addon's registry is per thread; this
 * keeps the set of blocks *this* instance handed out, so a block of another
 * heap is an InvalidPointerError here. The object layer reads and writes the
 * blocks through raw windows (a few per process, no buffer per block).
 */
export function nativeRawMemory(): RawMemory {
  const native = getNative();
  const owned = new AddressSet();
  const own = (address: number, what: string): void => {
    if (!owned.has(address)) throw new InvalidPointerError(`${what}: ${address} is not a live block of this heap`, address);
  };
  const enter = (real: number, size: number): number => {
    if (real === 0) return 0;
    const p = RAW_BASE + real;
    try {
      owned.add(p);
      registerRawBlock(p, size, memory);
    } catch (e) {
      // Out of memory for the bookkeeping itself (a table that could not grow): no block, as if malloc had failed.
      if (!(e instanceof RangeError)) throw e;
      owned.delete(p);
      native.free(real);
      return 0;
    }
    return p;
  };
  const memory: RawMemory = {
    malloc: (size) => enter(native.malloc(size), size),
    calloc: (nelem, elsize) => enter(native.calloc(nelem, elsize), nelem * elsize),
    realloc(address, size) {
      own(address, 'realloc');
      const moved = native.realloc(address - RAW_BASE, size);
      if (moved === 0) return 0;
      unregisterRawBlock(address);
      owned.delete(address);
      return enter(moved, size);
    },
    free(address) {
      own(address, 'free');
      native.free(address - RAW_BASE);
      owned.delete(address);
      unregisterRawBlock(address);
    },
    window(address, size) {
      own(address, 'access');
      return nativeWindow(address - RAW_BASE, size);
    },
    userBytes(address) {
      own(address, 'access');
      return new Uint8Array(native.blockBuffer(address - RAW_BASE));
    },
    size(address) {
      own(address, 'access');
      return native.blockSize(address - RAW_BASE);
    },
    has: (address) => owned.has(address),
    freeAll() {
      for (const p of owned.values()) memory.free(p);
    },
  };
  return memory;
}

/** Base of the invented arena addresses of fakes (a multiple of every arena size). */
const FAKE_ARENA_BASE = 2 ** 32;
/** The next invented raw block address. */
let fakeRawNext = 2 ** 44;

/** Arenas in the region at invented, size-aligned addresses (FAKE_ARENA_BASE + offset), released by zero-filling: the allocator without the OS. */
export function fakeArenaAllocator(limit = Infinity): ArenaAllocator {
  let live = 0;
  return {
    alloc(offset, size) {
      if (live + size > limit) return null;
      live += size;
      return { offset, size, address: FAKE_ARENA_BASE + offset };
    },
    free(arena) {
      live -= arena.size;
      U8.fill(0, arena.offset, arena.offset + arena.size);
    },
  };
}

/** A malloc over ArrayBuffers at invented 16-aligned addresses. */
export function fakeRawMemory(limit = Infinity): RawMemory {
  const blocks = new Map<number, RawWindowViews>();
  let live = 0;
  const get = (address: number, what: string): RawWindowViews => {
    const b = blocks.get(address);
    if (b === undefined) throw new InvalidPointerError(`${what}: ${address} is not a live block of this heap`, address);
    return b;
  };
  const malloc = (size: number): number => {
    const n = Math.max(size, 1);
    if (live + n > limit) return 0;
    live += n;
    const address = RAW_BASE + fakeRawNext;
    fakeRawNext += Math.ceil(n / 16) * 16 + 16;
    blocks.set(address, windowViews(new ArrayBuffer(n), address));
    registerRawBlock(address, n, memory);
    return address;
  };
  const memory: RawMemory = {
    malloc,
    calloc: (nelem, elsize) => malloc(nelem * elsize),
    realloc(address, size) {
      const old = get(address, 'realloc').u8;
      const moved = malloc(size);
      if (moved === 0) return 0;
      const fresh = get(moved, 'realloc').u8;
      fresh.set(old.subarray(0, Math.min(old.length, fresh.length)));
      blocks.delete(address);
      unregisterRawBlock(address);
      live -= old.length;
      return moved;
    },
    free(address) {
      live -= get(address, 'free').u8.length;
      blocks.delete(address);
      unregisterRawBlock(address);
    },
    window: (address) => get(address, 'access'),
    userBytes: (address) => get(address, 'access').u8,
    size: (address) => get(address, 'access').u8.length,
    has: (address) => blocks.has(address),
    freeAll() {
      for (const p of [...blocks.keys()]) memory.free(p);
    },
  };
  return memory;
}

/** The process's resident set size now and at its peak (VmRSS, VmHWM), in bytes. */
export function processMemory(): { rss: number; peakRss: number } {
  return getNative().memoryStats();
}

/** Resets the peak RSS to the current RSS; false where the OS does not allow it. */
export function resetPeakMemory(): boolean {
  return getNative().resetPeakRss();
}
