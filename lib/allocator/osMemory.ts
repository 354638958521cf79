/*
 * The two things pymalloc asks of the operating system, as interfaces, and
 * their implementations: over the native addon (real mmap'd arenas, glibc
 * malloc) and over plain ArrayBuffers (a pure-TypeScript fake for tests).
 *
 * ArenaAllocator mirrors CPython's PyObjectArenaAllocator (alloc, free of
 * ARENA_SIZE bytes); RawMemory is the C library's malloc family, which the
 * RAW domain calls and which pymalloc falls back on for large requests.
 *
 * Invariants: an arena's buffer is exactly the size asked for and stays valid
 * until free(); after free() its buffer is detached (native) so stale views
 * read as empty. Raw addresses are real (or fake) addresses below 2^48, never
 * in pymalloc's pointer range (see pointer.ts). Failure to get memory is a
 * null / 0 return, never a throw; a bad pointer is an InvalidPointerError.
 */
import { native } from '../native.js';
import { InvalidPointerError } from '../errors.js';
import { registerRawBlock, unregisterRawBlock } from './access.js';
import { AddressSet } from './addressSet.js';
import { RAW_BASE } from './pointer.js';

/** One mapped arena: its memory and the address the OS gave it. */
export interface MappedArena {
  readonly buffer: ArrayBuffer;
  /** Base address of the arena (real, or as recorded in a trace being replayed). */
  readonly address: number;
}

/** CPython's PyObjectArenaAllocator: where pymalloc gets and returns its arenas. */
export interface ArenaAllocator {
  /** Maps `size` bytes; null when the OS refuses. */
  alloc(size: number): MappedArena | null;
  /** Unmaps an arena returned by alloc. */
  free(arena: MappedArena): void;
}

/** Typed views of one block's whole memory (the u32 and f64 views cover its whole words). */
export interface BlockViews {
  readonly u8: Uint8Array;
  readonly u32: Uint32Array;
  readonly f64: Float64Array;
}

/** Views over a block's buffer. */
export function blockViews(buffer: ArrayBuffer): BlockViews {
  return {
    u8: new Uint8Array(buffer),
    u32: new Uint32Array(buffer, 0, buffer.byteLength >> 2),
    f64: new Float64Array(buffer, 0, buffer.byteLength >> 3),
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
  /** Views of the whole live block at `address` (cached until it is freed or moved); throws InvalidPointerError for anything else. */
  views(address: number): BlockViews;
  /** Whether `address` is the start of a live block. */
  has(address: number): boolean;
}

/** The real address behind a raw pointer. */
export function rawAddress(p: number): number {
  return p - RAW_BASE;
}

const isENOMEM = (e: unknown): boolean => (e as { code?: string } | null)?.code === 'ENOMEM';

/** Arenas mmap'd by the addon, aligned to their own size (as a 2^k-aligned arena needs no trimming of pools). */
export function nativeArenaAllocator(): ArenaAllocator {
  return {
    alloc(size) {
      try {
        return native.mapArena(size, size);
      } catch (e) {
        if (isENOMEM(e)) return null;
        throw e;
      }
    },
    free(arena) {
      native.unmapArena(arena.buffer);
    },
  };
}

/**
 * glibc's malloc through the addon. The addon's registry is per thread; this
 * keeps the set of blocks *this* instance handed out, so a block of another
 * heap is an InvalidPointerError here. Block views are cached until the block
 * is freed or moved.
 */
export function nativeRawMemory(): RawMemory {
  const owned = new AddressSet();
  const views = new Map<number, BlockViews>();
  const own = (address: number, what: string): void => {
    if (!owned.has(address)) throw new InvalidPointerError(`${what}: ${address} is not a live block of this heap`, address);
  };
  const orNull = (size: number, f: () => number): number => {
    try {
      const p = RAW_BASE + f();
      owned.add(p);
      registerRawBlock(p, size, memory);
      return p;
    } catch (e) {
      if (isENOMEM(e)) return 0;
      throw e;
    }
  };
  const memory: RawMemory = {
    malloc: (size) => orNull(size, () => native.malloc(size)),
    calloc: (nelem, elsize) => orNull(nelem * elsize, () => native.calloc(nelem, elsize)),
    realloc(address, size) {
      own(address, 'realloc');
      const moved = orNull(size, () => {
        const q = native.realloc(address - RAW_BASE, size);
        unregisterRawBlock(address);
        return q;
      });
      if (moved !== 0) {
        views.delete(address);
        if (moved !== address) owned.delete(address);
      }
      return moved;
    },
    free(address) {
      own(address, 'free');
      native.free(address - RAW_BASE);
      owned.delete(address);
      views.delete(address);
      unregisterRawBlock(address);
    },
    views(address) {
      own(address, 'access');
      let v = views.get(address);
      if (v === undefined) {
        v = blockViews(native.blockBuffer(address - RAW_BASE));
        views.set(address, v);
      }
      return v;
    },
    has: (address) => owned.has(address),
  };
  return memory;
}

/** The next invented address, shared by every fake so that no two fakes' memory overlaps. */
let fakeNext = 2 ** 32;
/** The next invented raw block address (a different range from the fake arenas'). */
let fakeRawNext = 2 ** 44;

/** Arenas as plain ArrayBuffers at invented, size-aligned addresses: the allocator without the OS. */
export function fakeArenaAllocator(limit = Infinity): ArenaAllocator {
  let live = 0;
  return {
    alloc(size) {
      if (live + size > limit) return null;
      live += size;
      fakeNext = Math.ceil(fakeNext / size) * size;
      const arena = { buffer: new ArrayBuffer(size), address: fakeNext };
      fakeNext += size;
      return arena;
    },
    free(arena) {
      live -= arena.buffer.byteLength;
    },
  };
}

/** A malloc over ArrayBuffers at invented 16-aligned addresses. */
export function fakeRawMemory(limit = Infinity): RawMemory {
  const blocks = new Map<number, BlockViews>();
  let live = 0;
  const get = (address: number, what: string): BlockViews => {
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
    blocks.set(address, blockViews(new ArrayBuffer(n)));
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
    views: (address) => get(address, 'access'),
    has: (address) => blocks.has(address),
  };
  return memory;
}

/** The process's resident set size now and at its peak (VmRSS, VmHWM), in bytes. */
export function processMemory(): { rss: number; peakRss: number } {
  return native.memoryStats();
}

/** Resets the peak RSS to the current RSS; false where the OS does not allow it. */
export function resetPeakMemory(): boolean {
  return native.resetPeakRss();
}
