/**
 * The native layer: pymem's only door to the OS.
 *
 * native/pymem.cc is to pymem what `src/prim/` is to mimalloc and
 * `PyObjectArenaAllocator` plus `PyMem_RawMalloc` are to CPython's
 * obmalloc.c: the primitives the allocator needs from the OS, and no policy.
 * This is the one TypeScript file that loads the addon and gives it types;
 * everything above reaches it through {@link getNative} (or the lazy
 * {@link native} object), so `import 'pymem'` and the pure-TypeScript fake
 * (`new Heap({ memory: 'fake' })`) work without a built addon.
 *
 * Loaded lazily, once, as better-sqlite3's `getBinding`: the first call of
 * getNative() loads it; a missing or broken addon is a NativeAddonError that
 * says what to run, thrown by that call and by every later one.
 *
 * Invariants the addon keeps (per JS thread: the main thread and each
 * worker have their own region and registry):
 * - The region is reserved at most once per thread and lives until the
 *   thread exits; its buffer is the same object on every reserveRegion.
 * - A block is live from `malloc`/`calloc`/`realloc` until `free` or a
 *   successful `realloc`. Addresses not live are refused with `code` 'EINVAL'
 *   and nothing changes. `blockBuffer` is detached before its block goes.
 * - Out of memory is a return value (0, or null), never a throw: JS throws
 *   the typed OutOfMemoryError.
 * - Arguments are checked in C++: a wrong type is a TypeError
 *   (`code` 'ERR_INVALID_ARG_TYPE'); NaN, ±Infinity, a fraction, a negative
 *   number or one too large is a RangeError (`code` 'ERR_OUT_OF_RANGE').
 *
 * Search order: the `PYMEM_NATIVE` environment variable (path to a .node
 * file), then node-gyp-build from the package root (prebuilds/, then
 * build/Release/ and build/Debug/).
 *
 * @module
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { NativeAddonError } from './errors.js';
import { packageRoot } from './packageRoot.js';

/** The thread's region, from {@link NativeAddon.reserveRegion}. */
export interface NativeRegion {
  /** External ArrayBuffer over the whole region. */
  readonly buffer: ArrayBuffer;
  /** Real address of its first byte (aligned to min(size, 1 GiB)). */
  readonly address: number;
  /** Bytes reserved. */
  readonly size: number;
  /** Bytes asked for by the call that reserved it (more than `size` when the OS refused that much). */
  readonly requested: number;
}

/** A raw window, from {@link NativeAddon.rawWindow}. */
export interface RawWindow {
  /** External ArrayBuffer over [base, base + byteLength) of the address space. */
  readonly buffer: ArrayBuffer;
  /** Real address of its first byte (a multiple of 2^30, or the page size for the lowest window). */
  readonly base: number;
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
   * The thread's region, reserved on the first call: `size` bytes (a power
   * of two from 4 MiB to 2 GiB) of read-write MAP_NORESERVE memory, or the
   * largest half of it the OS grants (at most a quarter of a finite
   * RLIMIT_AS); null when not even 4 MiB is granted. Later calls return the
   * same region.
   */
  reserveRegion(size: number): NativeRegion | null;

  /**
   * Gives the pages of region range [offset, offset + length) back to the OS
   * (madvise MADV_DONTNEED); they read as zero afterwards. Page-aligned.
   * Returns 0, or the errno madvise failed with.
   */
  releaseRange(offset: number, length: number): number;

  /** How many pages of region range [offset, offset + length) are resident (mincore). */
  residentPages(offset: number, length: number): number;

  /** A new external ArrayBuffer aliasing region range [offset, offset + length) (page-aligned). */
  regionView(offset: number, length: number): ArrayBuffer;

  /** Detaches a buffer from {@link regionView}; anything else throws 'EINVAL'. */
  detachView(buffer: ArrayBuffer): void;

  /**
   * glibc malloc (`PyMem_RawMalloc`); `malloc(0)` is `malloc(1)`. The block's
   * address, or 0 (also when, under a finite RLIMIT_AS, the block would leave
   * V8 less than 256 MiB of the limit).
   */
  malloc(size: number): number;

  /** glibc calloc (`PyMem_RawCalloc`): `nelem * elsize` zeroed bytes, or 0 (also when the product passes 2^53 - 1). */
  calloc(nelem: number, elsize: number): number;

  /**
   * glibc realloc of a live block (`PyMem_RawRealloc`); size 0 is 1. The new
   * address (the old one is dead and its buffer detached), or 0, when the
   * old block, its contents and its buffer stay valid.
   */
  realloc(address: number, size: number): number;

  /** Frees a live block, detaching its buffer first. */
  free(address: number): void;

  /**
   * A window of the address space holding the live block at `address`: an
   * external ArrayBuffer of about 3 GiB from the multiple of 2^30 at or below
   * it (one page up for the lowest 2^30).
   * Memory outside live blocks is not pymem's: read and write only inside them.
   */
  rawWindow(address: number): RawWindow;

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
   * Tells V8 that pymem holds `bytes` of memory outside its heap (the new
   * total for this thread; the addon passes napi_adjust_external_memory the
   * difference from the last). Returns V8's external memory afterwards.
   */
  setExternalMemory(bytes: number): number;

  /** The total last given to {@link setExternalMemory} on this thread (0 at first). */
  externalMemory(): number;

  /** Benchmark floor: nanoseconds for `iterations` of `free(malloc(size))` in a C++ loop. */
  benchPairs(size: number, iterations: number): number;

  /**
   * Benchmark floor: nanoseconds to malloc `liveCount` blocks of
   * `sizes[i]` bytes, then free them in the order `order` (a permutation of
   * `[0, liveCount)`).
   */
  benchMixed(liveCount: number, sizes: Uint32Array, order: Uint32Array): number;
}

let loaded: NativeAddon | null = null;
let failure: NativeAddonError | null = null;

function load(): NativeAddon {
  const require = createRequire(import.meta.url);
  const override = process.env['PYMEM_NATIVE'];
  try {
    if (override !== undefined && override !== '') return require(resolve(override)) as NativeAddon;
    const nodeGypBuild = require('node-gyp-build') as (root: string) => unknown;
    return nodeGypBuild(packageRoot()) as NativeAddon;
  } catch (e) {
    const where = override !== undefined && override !== '' ? `PYMEM_NATIVE=${override}` : 'prebuilds/ or build/Release/';
    throw new NativeAddonError(
      `pymem's native addon could not be loaded from ${where} (${(e as Error).message.split('\n')[0]}). ` +
        "Build it with `npm rebuild pymem` (needs a C++ compiler and Python 3), or use new Heap({ memory: 'fake' }), which needs no addon.",
    );
  }
}

/** The addon, loaded on the first call (as better-sqlite3's getBinding); throws NativeAddonError when it is missing. */
export function getNative(): NativeAddon {
  if (loaded !== null) return loaded;
  if (failure !== null) throw failure;
  try {
    loaded = load();
  } catch (e) {
    failure = e as NativeAddonError;
    throw e;
  }
  return loaded;
}

/** Whether the addon loads (loading it if it has not been yet). */
export function hasNative(): boolean {
  try {
    getNative();
    return true;
  } catch {
    return false;
  }
}

const NAMES = [
  'pageSize', 'reserveRegion', 'releaseRange', 'residentPages', 'regionView', 'detachView',
  'malloc', 'calloc', 'realloc', 'free', 'rawWindow', 'blockBuffer', 'blockSize',
  'memoryStats', 'resetPeakRss', 'setExternalMemory', 'externalMemory', 'benchPairs', 'benchMixed',
] as const satisfies readonly (keyof NativeAddon)[];

/**
 * The addon behind getters: `native.malloc(n)` loads it on first use. For
 * tools and benchmarks; the allocator takes getNative() once per object.
 */
export const native: NativeAddon = Object.defineProperties(
  {},
  Object.fromEntries(NAMES.map((name) => [name, { get: () => getNative()[name], enumerable: true }])),
) as NativeAddon;
