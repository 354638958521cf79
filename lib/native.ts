/**
 * The native layer: pymem's only door to the OS.
 *
 * native/pymem.cc is to pymem what `src/prim/` is to mimalloc and
 * `PyObjectArenaAllocator` plus `PyMem_RawMalloc` are to CPython's
 * obmalloc.c: the primitives the allocator needs from the OS, and no policy.
 * This is the one TypeScript file that loads the addon and gives it types;
 * everything above (lib/allocator/ …) receives `native` from here, and tests
 * may hand the allocator a pure-TypeScript fake of the same shape instead.
 *
 * Invariants the addon keeps (per JS thread: the main thread and each
 * worker have their own registries):
 * - An arena is live from `mapArena` until `unmapArena`. Its `buffer` is the
 *   only ArrayBuffer over it; `unmapArena` accepts only that object, detaches
 *   it, then unmaps, so a view made earlier reads length 0 and never faults.
 * - A block is live from `malloc`/`calloc`/`realloc` until `free` or a
 *   successful `realloc`. Addresses not live are refused with `code` 'EINVAL'
 *   and nothing changes. `blockBuffer` is detached before its block goes.
 * - Buffers have no finalizer: memory is released only by an explicit call,
 *   or when the thread that made it exits.
 * - Arguments are checked in C++: a wrong type is a TypeError
 *   (`code` 'ERR_INVALID_ARG_TYPE'); NaN, ±Infinity, a fraction, a negative
 *   number or one too large is a RangeError (`code` 'ERR_OUT_OF_RANGE').
 *   Out of memory is an Error with `code` 'ENOMEM'.
 *
 * Search order: the `PYMEM_NATIVE` environment variable (path to a .node
 * file), then node-gyp-build from the package root (prebuilds/, then
 * build/Release/ and build/Debug/).
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A mapping made by {@link NativeAddon.mapArena}. */
export interface MappedArena {
  /** External ArrayBuffer over exactly the mapping; pass it back to unmap. */
  readonly buffer: ArrayBuffer;
  /** Real address of the first byte; a multiple of the requested alignment. */
  readonly address: number;
}

/** Process memory figures from /proc/self/status, in bytes. */
export interface MemoryStats {
  /** Resident set size now (VmRSS). */
  readonly rss: number;
  /** Highest resident set size since start or the last reset (VmHWM). */
  readonly peakRss: number;
}

/** The native addon's exports, as built from native/*.cc. */
export interface NativeAddon {
  /** The OS page size in bytes (sysconf(_SC_PAGESIZE)). */
  pageSize(): number;

  /**
   * Maps `size` bytes of zeroed, read-write anonymous memory aligned to
   * `alignment` (obmalloc's `_PyObject_ArenaMmap`). Both are powers of two,
   * at least {@link pageSize} and at most 4 GiB. Throws 'ENOMEM' if the OS
   * refuses.
   */
  mapArena(size: number, alignment: number): MappedArena;

  /**
   * Detaches `buffer`, then unmaps it. `buffer` must be the very buffer a
   * live {@link mapArena} returned; anything else throws 'EINVAL'.
   */
  unmapArena(buffer: ArrayBuffer): void;

  /** How many pages of the live arena `buffer` are resident (mincore). */
  residentPages(buffer: ArrayBuffer): number;

  /**
   * Gives the pages of `[offset, offset + length)` of the live arena
   * `buffer` back to the OS (madvise MADV_DONTNEED); they read as zero
   * afterwards. `offset` and `length` are multiples of {@link pageSize}.
   */
  adviseDontNeed(buffer: ArrayBuffer, offset: number, length: number): void;

  /**
   * glibc malloc (`PyMem_RawMalloc`); `malloc(0)` is `malloc(1)`. Returns
   * the block's address. Throws 'ENOMEM' on failure.
   */
  malloc(size: number): number;

  /**
   * glibc calloc (`PyMem_RawCalloc`): `nelem * elsize` zeroed bytes. A
   * product above 2^53 - 1 throws 'ENOMEM', as CPython's overflow check does.
   */
  calloc(nelem: number, elsize: number): number;

  /**
   * glibc realloc of a live block (`PyMem_RawRealloc`); size 0 is 1. Returns
   * the new address; the old one is dead and its buffer detached. On
   * 'ENOMEM' the old block, its contents and its buffer stay valid.
   */
  realloc(address: number, size: number): number;

  /** Frees a live block, detaching its buffer first. */
  free(address: number): void;

  /**
   * An external ArrayBuffer over the whole live block ({@link blockSize}
   * bytes). The same object on every call until the block is freed or
   * reallocated, when it is detached.
   */
  blockBuffer(address: number): ArrayBuffer;

  /** The size a live block was allocated with (0 counted as 1). */
  blockSize(address: number): number;

  /** Resident and peak resident set size of the process. */
  memoryStats(): MemoryStats;

  /**
   * Resets the peak RSS to the current RSS (writes "5" to
   * /proc/self/clear_refs). False if the OS does not permit it.
   */
  resetPeakRss(): boolean;

  /**
   * Benchmark floor: nanoseconds for `iterations` of `free(malloc(size))`
   * in a C++ loop.
   */
  benchPairs(size: number, iterations: number): number;

  /**
   * Benchmark floor: nanoseconds to malloc `liveCount` blocks of
   * `sizes[i]` bytes, then free them in the order `order` (a permutation of
   * `[0, liveCount)`).
   */
  benchMixed(liveCount: number, sizes: Uint32Array, order: Uint32Array): number;
}

/** The directory holding pymem's package.json, from this file upwards. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`pymem: no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

function load(): NativeAddon {
  const require = createRequire(import.meta.url);
  const override = process.env['PYMEM_NATIVE'];
  if (override !== undefined && override !== '') {
    return require(resolve(override)) as NativeAddon;
  }
  const nodeGypBuild = require('node-gyp-build') as (root: string) => unknown;
  return nodeGypBuild(packageRoot()) as NativeAddon;
}

/** The loaded addon; the only handle on it in pymem. */
export const native: NativeAddon = load();
