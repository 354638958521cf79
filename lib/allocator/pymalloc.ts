/*
 * pymalloc: CPython 3.11's small-object allocator (Objects/obmalloc.c), over
 * arenas of real memory. Names follow obmalloc.c in camelCase.
 *
 *   arena (ARENA_SIZE, from the ArenaAllocator)
 *   +--------+---------+---------+-- ... --+---------+-------+
 *   | excess | pool 0  | pool 1  |         | pool n-1| tail  |   excess: lost when the arena
 *   +--------+---------+---------+-- ... --+---------+-------+   address is not POOL_SIZE-aligned
 *            ^ first pool-aligned address                        (n = MAX_POOLS_IN_ARENA - 1 then)
 *
 *   pool (POOL_SIZE)
 *   +-------------+---------+---------+-- ... --+---------+------+
 *   | pool_header | block 0 | block 1 |         | block k | quant|
 *   +-------------+---------+---------+-- ... --+---------+------+
 *   ^ POOL_OVERHEAD bytes (poolHeader.ts)           nextoffset: the next never-used block
 *
 *   usedPools[c]: a ring, through nextpool/prevpool, of the pools of size class
 *   c that have both used and free blocks, with a sentinel header per class:
 *
 *     sentinel(c) <-> most recently refilled pool <-> ... <-> sentinel(c)
 *
 *   usableArenas: arenas with a free or never-used pool, doubly linked through
 *   nextarena/prevarena, sorted by nfreepools ascending (fullest first, so the
 *   nearly empty ones can drain and be returned); nfp2lasta[n] is the last
 *   arena in that list with n free pools. unusedArenaObjects: arena objects
 *   with no arena mapped (address 0), singly linked, reused LIFO.
 *
 * Invariants (checked by pymallocViolations, validate.ts):
 *   - a pool is in exactly one state: used (in its class's ring, 0 < count <
 *     capacity), full (in no list, count == capacity, freeblock == 0), or empty
 *     (in its arena's freepools list, count == 0);
 *   - for every carved pool in use: count + |free list| + never-used blocks
 *     == (POOL_SIZE - POOL_OVERHEAD) / block size;
 *   - for every arena: nfreepools == |freepools| + never-carved pools, and it is
 *     on usableArenas iff nfreepools > 0;
 *   - usableArenas is sorted by nfreepools, and nfp2lasta agrees with it;
 *   - with checkFree on, the live bitmap has exactly one bit per live block.
 *
 * Memory: every arena is a span of the thread's region (region.ts), and a
 * block pointer, a pool ref and a free-list link are all the same thing, a
 * region offset: `I32[(pool >> 2) + COUNT]` is the pool's count and
 * `I32[bp >> 2]` a free block's link. No table stands between a pointer and
 * its memory. Which arena holds a pointer is address_in_range's question, and
 * as in CPython it costs one load: arenaOrigins[p >> log2(ARENA_SIZE)], this
 * heap's table of its arenas' slots (nonzero iff the slot is one of its
 * arenas), from which the pool header is found by arithmetic; the region's
 * span table is read only to explain a bad pointer and to make users' views.
 *
 * Beyond CPython: free and realloc validate the pointer first (the arena
 * slot's origin, then the region's live bit per block) and throw
 * InvalidPointerError / DoubleFreeError without changing anything. The
 * origins and the live bitmap are the only allocator state kept outside the
 * arena; profiles can turn the bitmap off (checkFree: false) to measure its
 * cost, and then bad pointers are undefined behaviour, as in C. When the
 * region has no room for a new arena,
 * new_arena fails as when mmap fails in CPython, and pymalloc falls back to
 * the raw allocator (PyMem_RawMalloc) for the request. A profile's release
 * policy (releasePolicy.ts) may give empty pools' pages back and keep empty
 * arenas mapped; it acts only where a pool empties or is reused and where an
 * arena would be freed, never on the fast paths, and changes no list order.
 * Pool and arena state changes are published on 'pymem:pool' and
 * 'pymem:arena' (channels.ts) when someone subscribes.
 */
import { DisposedError } from '../errors.js';
import { DoubleFreeError, InvalidPointerError, OutOfMemoryError } from '../errors.js';
import { copyBytes, fillBytes } from './access.js';
import type { MemAllocator } from './domains.js';
import type { ArenaAllocator } from './osMemory.js';
import { ArenaObject } from './arenaObject.js';
import { type PoolEvent, arenaChannel, poolChannel } from './channels.js';
import * as pointer from './pointer.js';
import type { ResolvedProfile } from './profile.js';
import { I32, LIVE, UNIT_SHIFT, bindSpan, clearLive, detachUserBuffer, releaseRange, spans, unbindSpan, userBuffer } from './region.js';
import * as header from './poolHeader.js';

// The pool header's word indices and the small-pointer limit as this module's
// own consts: TurboFan folds a module's const into the code it inlines, where
// an imported binding is a cell load and a hole check at every use.
const { ARENAINDEX, COUNT, DUMMY_SIZE_IDX, FREEBLOCK, MAXNEXTOFFSET, NEXTOFFSET, NEXTPOOL, NULL_POOL, PREVPOOL, SENTINEL_STRIDE, SZIDX } = header;
const { SMALL_LIMIT } = pointer;

/** How many arena objects the first arenas vector holds (INITIAL_ARENA_OBJECTS). */
const INITIAL_ARENA_OBJECTS = 16;
/** Bytes of the span holding one heap's usedpools sentinels (one unit: room for 64 classes). */
const SENTINEL_SPAN = 4096;

/** Called whenever pymalloc maps or unmaps an arena (for tracing and replay). */
export type ArenaListener = (event: 'map' | 'unmap', arena: ArenaObject) => void;

/**
 * The pymalloc allocator of one heap: the MEM and OBJ domains' default allocator.
 *
 * A pool ref (the nextpool/prevpool/freepools values) is the pointer of the
 * pool's first byte; a block pointer is its region offset.
 */
export class PyMalloc implements MemAllocator {
  declare readonly profile: ResolvedProfile;
  /** checkFree: validate pointers on free/realloc with a live bit per block. */
  declare readonly checkFree: boolean;

  // Constants of the profile, copied into fields for the hot paths. Declared (no emitted field
  // definition), so that the constructor's store is each field's first: a field first defined as
  // undefined (ES2022 class fields) is an untyped field to TurboFan, checked at every load.
  private declare readonly arenaSize: number;
  private declare readonly poolSize: number;
  private declare readonly poolMask: number;
  private declare readonly poolOverhead: number;
  private declare readonly shift: number;
  /** ALIGNMENT - 1: the low bits a block pointer has clear (its arena span is aligned to arenaSize). */
  private declare readonly alignMask: number;
  /** log2(arenaSize): p >> arenaShift is the arena slot of small pointer p. */
  private declare readonly arenaShift: number;
  /** SMALL_REQUEST_THRESHOLD while the heap is open; 0 once disposed, so that every request leaves the fast path. */
  private declare threshold: number;
  /** The release policy's releasePoolsAt (0: off). */
  private declare readonly releasePoolsAt: number;
  /** u32 index of usedpools[0]'s sentinel; class c's is sentinelIndex + c * SENTINEL_STRIDE / 4. */
  private declare readonly sentinelIndex: number;
  // The region's views and live bits in fields: in a method, a field load is cheaper than a module binding's (measured 4.2 against 6.5 ns per five accesses).
  private declare readonly i32: Int32Array;
  private declare readonly live: Int32Array;
  /**
   * address_in_range's table: arenaOrigins[p >> arenaShift] is, for a slot
   * holding an arena of this heap, the pointer its pools are counted from
   * (the span's base plus the alignment excess, so that a block's pool is
   * p - ((p - origin) & poolMask)), and 0 for every other slot. One typed
   * load tells free whether p is this heap's and where its pool header is.
   */
  private declare readonly arenaOrigins: Int32Array;
  private readonly spans: ArenaObject[] = spans;

  /** The arenas vector (arenas[0 .. maxarenas)). */
  readonly arenas: ArenaObject[] = [];
  /** Head of the unused arena objects list. */
  private unusedArenaObjects: ArenaObject | null = null;
  /** Head of the usable arenas list, sorted by nfreepools ascending. */
  usableArenas: ArenaObject | null = null;
  /** nfp2lasta[n]: the last arena on usableArenas with n free pools. */
  declare readonly nfp2lasta: (ArenaObject | null)[];
  /** The usedpools sentinels: one 32-byte pseudo-header per size class, in a span of their own. */
  private declare readonly sentinels: ArenaObject;
  /** Spans mapped by mapStatic. */
  private readonly statics: { span: ArenaObject; size: number }[] = [];

  /** Arenas currently mapped (narenas_currently_allocated). */
  narenasCurrentlyAllocated = 0;
  /** Arenas ever mapped (ntimes_arena_allocated). */
  ntimesArenaAllocated = 0;
  /** Most arenas mapped at once (narenas_highwater). */
  narenasHighwater = 0;
  /** Live blocks obtained from the raw allocator (raw_allocated_blocks). */
  rawAllocatedBlocks = 0;
  /** Mapped arenas all of whose pools are free (beyond CPython: for arenaRetention). */
  nEmptyArenas = 0;
  /** Beyond CPython (release policy): pools of mapped arenas whose pages are released now. */
  nPoolsReleased = 0;
  /** Beyond CPython (release policy): times a pool's pages were released. */
  ntimesPoolReleased = 0;

  /** Observers of arena map/unmap. */
  readonly arenaListeners: ArenaListener[] = [];

  constructor(
    profile: ResolvedProfile,
    private readonly arenaAllocator: ArenaAllocator,
    /** The RAW domain's current allocator (PyMem_RawMalloc & co. go through it). */
    private readonly raw: () => MemAllocator,
    checkFree = true,
    /**
     * Beyond CPython: how many wholly free arenas to keep mapped before
     * returning one to the OS. 0 is CPython's rule alone (an empty arena is
     * kept only while it is the last of usableArenas).
     */
    readonly arenaRetention = 0,
  ) {
    this.profile = profile;
    // Booleans compared with === and integers made small integers (| 0: Math.log2 gives a double), so that
    // TurboFan reads each field as it stands (a ToBoolean of an untyped field is a dozen instructions).
    this.checkFree = Boolean(checkFree);
    this.arenaSize = profile.arenaSize | 0;
    this.poolSize = profile.poolSize | 0;
    this.poolMask = (profile.poolSize - 1) | 0;
    this.poolOverhead = profile.poolOverhead | 0;
    this.shift = profile.alignmentShift | 0;
    this.alignMask = (profile.alignment - 1) | 0;
    this.arenaShift = Math.log2(profile.arenaSize) | 0;
    this.arenaOrigins = new Int32Array(SMALL_LIMIT / profile.arenaSize);
    this.threshold = profile.smallRequestThreshold | 0;
    this.releasePoolsAt = profile.release.releasePoolsAt | 0;
    this.nfp2lasta = new Array<ArenaObject | null>(profile.maxPoolsInArena + 1).fill(null);
    const sentinels = new ArenaObject(-1);
    if (bindSpan(SENTINEL_SPAN, sentinels) < 0) throw new OutOfMemoryError('the region of this thread is full', SENTINEL_SPAN);
    sentinels.owner = this;
    this.sentinels = sentinels;
    this.i32 = I32;
    this.live = LIVE;
    this.sentinelIndex = sentinels.vbase >> 2;
    for (let c = 0; c < profile.numClasses; c++) {
      const s = this.sentinel(c);
      this.setNextPool(s, s);
      this.setPrevPool(s, s);
    }
  }

  // --- pool refs and header fields -------------------------------------------------

  /** The usedpools sentinel of size class c. */
  sentinel(c: number): number {
    return this.sentinels.vbase + c * SENTINEL_STRIDE;
  }
  nextPool(ref: number): number {
    return this.i32[(ref >> 2) + NEXTPOOL]!;
  }
  private setNextPool(ref: number, v: number): void {
    this.i32[(ref >> 2) + NEXTPOOL] = v;
  }
  prevPool(ref: number): number {
    return this.i32[(ref >> 2) + PREVPOOL]!;
  }
  private setPrevPool(ref: number, v: number): void {
    this.i32[(ref >> 2) + PREVPOOL] = v;
  }
  /** A u32 field of the pool header at ref. */
  poolField(ref: number, field: number): number {
    return this.i32[(ref >> 2) + field]!;
  }
  /** Block size of size class c (INDEX2SIZE). */
  index2size(c: number): number {
    return (c + 1) << this.shift;
  }
  /** Blocks per pool of size class c (NUMBLOCKS). */
  numBlocks(c: number): number {
    return ((this.poolSize - this.poolOverhead) / this.index2size(c)) | 0;
  }

  // --- arenas ----------------------------------------------------------------------

  /** new_arena(): map an arena and hand out a fresh arena object for it, or null. */
  private newArena(): ArenaObject | null {
    if (this.unusedArenaObjects === null) {
      // Double the arenas vector; the new objects go on the unused list in order.
      const maxarenas = this.arenas.length;
      const numarenas = maxarenas ? maxarenas << 1 : INITIAL_ARENA_OBJECTS;
      for (let i = maxarenas; i < numarenas; i++) this.arenas.push(new ArenaObject(i));
      for (let i = maxarenas; i < numarenas; i++) {
        this.arenas[i]!.nextarena = i < numarenas - 1 ? this.arenas[i + 1]! : null;
      }
      this.unusedArenaObjects = this.arenas[maxarenas]!;
    }
    const arenaobj = this.unusedArenaObjects;
    // A span of the region first; no span or no memory: no arena, as when mmap fails in C.
    const base = bindSpan(this.arenaSize, arenaobj);
    if (base < 0) return null;
    const mapped = this.arenaAllocator.alloc(base, this.arenaSize);
    if (mapped === null) {
      unbindSpan(this.arenaSize, arenaobj);
      return null; // arenaobj stays at the head of the unused list
    }
    this.unusedArenaObjects = arenaobj.nextarena;
    arenaobj.mapped = mapped;
    arenaobj.address = mapped.address;
    arenaobj.owner = this;

    arenaobj.ordinal = this.ntimesArenaAllocated;
    ++this.narenasCurrentlyAllocated;
    ++this.ntimesArenaAllocated;
    if (this.narenasCurrentlyAllocated > this.narenasHighwater) {
      this.narenasHighwater = this.narenasCurrentlyAllocated;
    }
    arenaobj.freepools = NULL_POOL;
    // pool_address <- first pool-aligned address in the arena;
    // nfreepools <- number of whole pools that fit after alignment.
    arenaobj.poolAddress = 0;
    arenaobj.nfreepools = this.profile.maxPoolsInArena;
    const excess = mapped.address % this.poolSize;
    if (excess !== 0) {
      --arenaobj.nfreepools;
      arenaobj.poolAddress += this.poolSize - excess;
    }
    arenaobj.firstPool = arenaobj.poolAddress;
    this.arenaOrigins[base >> this.arenaShift] = base + arenaobj.firstPool;
    arenaobj.ntotalpools = arenaobj.nfreepools;
    arenaobj.nResidentEmptyPools = 0;
    arenaobj.nReleasedPools = 0;
    this.nEmptyArenas++;
    for (const l of this.arenaListeners) l('map', arenaobj);
    if (arenaChannel.hasSubscribers) this.publishArena('map', arenaobj);
    return arenaobj;
  }

  /** Publishes an arena's map or unmap on 'pymem:arena'. */
  private publishArena(event: 'map' | 'unmap', ao: ArenaObject): void {
    arenaChannel.publish({
      event,
      arenaIndex: ao.index,
      address: ao.address,
      size: this.arenaSize,
      arenasMapped: this.narenasCurrentlyAllocated - (event === 'unmap' ? 1 : 0),
      source: this,
    });
  }

  /** Publishes a pool's state change on 'pymem:pool'. */
  private publishPool(event: PoolEvent, pool: number): void {
    const c = this.poolField(pool, SZIDX);
    poolChannel.publish({
      event,
      pool,
      arenaIndex: this.poolField(pool, ARENAINDEX),
      sizeClass: c === DUMMY_SIZE_IDX ? -1 : c,
      count: this.poolField(pool, COUNT),
      source: this,
    });
  }

  /** Gives a span's memory back and forgets it: users' views detached, live bits cleared, the span unbound. */
  private releaseSpan(span: ArenaObject, size: number, mapped: { offset: number; size: number; address: number } | null): void {
    if (span.userBuffer !== null) {
      detachUserBuffer(span.userBuffer);
      span.userBuffer = null;
    }
    if (mapped !== null) this.arenaAllocator.free(mapped);
    else releaseRange(span.vbase, size);
    clearLive(span.vbase, size);
    unbindSpan(size, span);
    span.owner = null;
  }

  /** The part of insert_to_freepool that returns an empty arena to the OS. */
  private freeArena(ao: ArenaObject): void {
    for (const l of this.arenaListeners) l('unmap', ao);
    if (arenaChannel.hasSubscribers) this.publishArena('unmap', ao);
    this.nPoolsReleased -= ao.nReleasedPools;
    ao.nextarena = this.unusedArenaObjects;
    this.unusedArenaObjects = ao;
    this.arenaOrigins[ao.vbase >> this.arenaShift] = 0;
    this.releaseSpan(ao, this.arenaSize, ao.mapped);
    ao.mapped = null;
    ao.address = 0;
    --this.narenasCurrentlyAllocated;
    this.nEmptyArenas--;
  }

  // --- allocation --------------------------------------------------------------------

  /** pymalloc_pool_extend(): the free list ran dry; carve the next block or unlink the full pool. */
  private poolExtend(pool: number, size: number): void {
    const h = pool >> 2;
    const nextoffset = this.i32[h + NEXTOFFSET]!;
    if (nextoffset <= this.i32[h + MAXNEXTOFFSET]!) {
      // There is room for another block.
      const fb = pool + nextoffset;
      this.i32[h + FREEBLOCK] = fb;
      this.i32[h + NEXTOFFSET] = nextoffset + this.index2size(size);
      this.i32[fb >> 2] = 0;
      return;
    }
    // Pool is full: unlink it from usedpools.
    const next = this.i32[h + NEXTPOOL]!;
    const prev = this.i32[h + PREVPOOL]!;
    this.setPrevPool(next, prev);
    this.setNextPool(prev, next);
    if (poolChannel.hasSubscribers) this.publishPool('full', pool);
  }

  /** allocate_from_new_pool(): no used pool of this class; take a free pool, mapping an arena if needed. Returns a block pointer or 0. */
  private allocateFromNewPool(size: number): number {
    let ua = this.usableArenas;
    if (ua === null) {
      // No arena has a free pool: allocate a new arena.
      ua = this.newArena();
      if (ua === null) return 0;
      this.usableArenas = ua;
      ua.nextarena = ua.prevarena = null;
      this.nfp2lasta[ua.nfreepools] = ua;
    }
    // This arena already had the smallest nfreepools value, so decreasing it
    // keeps the order; if the arena becomes wholly allocated it leaves the list.
    const nfp2lasta = this.nfp2lasta;
    if (ua.nfreepools === ua.ntotalpools) this.nEmptyArenas--;
    if (nfp2lasta[ua.nfreepools] === ua) nfp2lasta[ua.nfreepools] = null;
    if (ua.nfreepools > 1) nfp2lasta[ua.nfreepools - 1] = ua;

    let pool = ua.freepools;
    if (pool !== NULL_POOL) {
      // Unlink from cached pools.
      ua.freepools = this.nextPool(pool);
      ua.nfreepools--;
      if (this.releasePoolsAt !== 0) this.reusePool(ua, pool);
      if (ua.nfreepools === 0) {
        this.usableArenas = ua.nextarena;
        if (this.usableArenas !== null) this.usableArenas.prevarena = null;
      }
    } else {
      // Carve off a new pool.
      pool = ua.vbase + ua.poolAddress;
      this.i32[(pool >> 2) + ARENAINDEX] = ua.index;
      this.i32[(pool >> 2) + SZIDX] = DUMMY_SIZE_IDX;
      ua.poolAddress += this.poolSize;
      --ua.nfreepools;
      if (ua.nfreepools === 0) {
        // Unlink the arena: it is completely allocated.
        this.usableArenas = ua.nextarena;
        if (this.usableArenas !== null) this.usableArenas.prevarena = null;
      }
    }

    // Frontlink to used pools (the ring is empty: next == prev == sentinel).
    const next = this.sentinel(size);
    this.setNextPool(pool, next);
    this.setPrevPool(pool, next);
    this.setNextPool(next, pool);
    this.setPrevPool(next, pool);
    const h = pool >> 2;
    this.i32[h + COUNT] = 1;
    let bp: number;
    if (this.i32[h + SZIDX] === size) {
      // This pool last held blocks of the same class: header and free list are ready.
      bp = this.i32[h + FREEBLOCK]!;
      this.i32[h + FREEBLOCK] = this.i32[bp >> 2]!;
    } else {
      // Initialise the header; the free list holds just the second block.
      const bsize = this.index2size(size);
      this.i32[h + SZIDX] = size;
      bp = pool + this.poolOverhead;
      this.i32[h + NEXTOFFSET] = this.poolOverhead + (bsize << 1);
      this.i32[h + MAXNEXTOFFSET] = this.poolSize - bsize;
      this.i32[h + FREEBLOCK] = bp + bsize;
      this.i32[(bp + bsize) >> 2] = 0;
    }
    if (this.checkFree === true) this.live[bp >>> 8]! |= 1 << (bp >>> 3);
    if (poolChannel.hasSubscribers) this.publishPool('init', pool);
    return bp;
  }

  /** pymalloc_alloc(): a block for 1..SMALL_REQUEST_THRESHOLD bytes, or 0 to let the caller use the raw allocator. */
  pymallocAlloc(nbytes: number): number {
    if (!(nbytes > 0 && nbytes <= this.threshold)) return 0;
    const i32 = this.i32;
    const size = (nbytes - 1) >>> this.shift;
    const s = this.sentinelIndex + size * (SENTINEL_STRIDE >> 2);
    const pool = i32[s + NEXTPOOL]!;
    if (pool === s << 2) return this.allocateFromNewPool(size);
    // There is a used pool for this class: take the head of its free list.
    const h = pool >> 2;
    ++i32[h + COUNT]!;
    const bp = i32[h + FREEBLOCK]!;
    const next = i32[bp >> 2]!;
    i32[h + FREEBLOCK] = next;
    if (next === 0) this.poolExtend(pool, size);
    if (this.checkFree === true) this.live[bp >>> 8]! |= 1 << (bp >>> 3);
    return bp;
  }

  /** _PyObject_Malloc(). */
  malloc(nbytes: number): number {
    const p = this.pymallocAlloc(nbytes);
    return p !== 0 ? p : this.mallocRaw(nbytes);
  }

  /** The rest of _PyObject_Malloc, out of line: a disposed heap throws; else the raw allocator serves (a large request, or no arena to be had). */
  private mallocRaw(nbytes: number): number {
    if (this.disposed) throw this.disposedError();
    const r = this.raw().malloc(nbytes);
    if (r !== 0) this.rawAllocatedBlocks++;
    return r;
  }

  /** _PyObject_Calloc(). */
  calloc(nelem: number, elsize: number): number {
    if (this.disposed) throw this.disposedError();
    const nbytes = nelem * elsize;
    const p = this.pymallocAlloc(nbytes);
    if (p !== 0) {
      fillBytes(p, nbytes, 0);
      return p;
    }
    const r = this.raw().calloc(nelem, elsize);
    if (r !== 0) this.rawAllocatedBlocks++;
    return r;
  }

  // --- free ----------------------------------------------------------------------------

  /** The arena origin of small pointer p if an arena of this heap holds it, else 0 (p any number). */
  private originOf(p: number): number {
    return (p | 0) === p && p > 0 ? this.arenaOrigins[p >> this.arenaShift]! : 0;
  }

  /**
   * address_in_range(), strengthened: the arena origin of p when p starts a
   * live block of this heap, or a thrown InvalidPointerError /
   * DoubleFreeError when it does not.
   */
  private checkedOrigin(p: number, what: string): number {
    const origin = this.originOf(p);
    if (origin !== 0 && (this.checkFree === false || this.startsLiveBlock(p))) return origin;
    throw this.invalidPointer(p, what);
  }

  /** With checkFree: whether a live block starts at p (p in an arena of this heap). */
  private startsLiveBlock(p: number): boolean {
    return (this.live[p >>> 8]! & (1 << (p >>> 3))) !== 0 && (p & this.alignMask) === 0;
  }

  /** Why p (not a raw pointer) is no live block of this heap: the typed error to throw. */
  private invalidPointer(p: number, what: string): Error {
    if (this.originOf(p) === 0) return new InvalidPointerError(`${what}: ${p} is not in any arena of this heap`, p);
    const ao = this.spans[p >>> UNIT_SHIFT]!;
    const off = p - ao.vbase;
    const first = ao.firstPool;
    if (off >= first && off < ao.poolAddress) {
      const poolOff = off - ((off - first) % this.poolSize);
      const pool = ao.vbase + poolOff;
      const c = this.poolField(pool, SZIDX);
      const inPool = off - poolOff - this.poolOverhead;
      if (
        c !== DUMMY_SIZE_IDX &&
        inPool >= 0 &&
        inPool % this.index2size(c) === 0 &&
        inPool + this.poolOverhead < this.poolField(pool, NEXTOFFSET)
      ) {
        return new DoubleFreeError(`${what}: ${p} is a block of this heap that was already freed`, p);
      }
    }
    return new InvalidPointerError(`${what}: ${p} is inside an arena but not the start of a block`, p);
  }

  /**
   * pymalloc_free(): return the block p to its pool. Returns false, changing
   * nothing, when p is not a live block of this heap (NULL, a raw pointer, a
   * bad one: _PyObject_Free sorts them out). As CPython's address_in_range,
   * one load says whether p is in an arena of this heap (arenaOrigins), and
   * the pool is found by arithmetic; with checkFree, p's live bit says
   * whether a block that is not free yet starts there.
   */
  pymallocFree(p: number): boolean {
    const origin = this.originOf(p);
    if (origin === 0) return false;
    if (this.checkFree === true) {
      const live = this.live;
      const w = live[p >>> 8]!;
      const bit = 1 << (p >>> 3);
      if ((w & bit) === 0 || (p & this.alignMask) !== 0) return false;
      live[p >>> 8] = w ^ bit;
    }
    const i32 = this.i32;
    const pool = p - ((p - origin) & this.poolMask);
    const h = pool >> 2;
    // Link p to the start of the pool's free list.
    const lastfree = i32[h + FREEBLOCK]!;
    i32[p >> 2] = lastfree;
    i32[h + FREEBLOCK] = p;
    const count = --i32[h + COUNT]!;
    // The pool was full, so in no list: link it to the front of usedpools (LRU).
    if (lastfree === 0) this.insertToUsedpool(pool);
    // The pool is now empty: unlink from usedpools, link to the front of freepools.
    else if (count === 0) this.insertToFreepool(pool);
    return true;
  }

  /** insert_to_usedpool(): link a pool that was full to the front of its class's ring. */
  private insertToUsedpool(pool: number): void {
    const size = this.poolField(pool, SZIDX);
    const next = this.nextPool(this.sentinel(size));
    const prev = this.prevPool(next);
    // insert pool before next:   prev <-> pool <-> next
    this.setNextPool(pool, next);
    this.setPrevPool(pool, prev);
    this.setPrevPool(next, pool);
    this.setNextPool(prev, pool);
    if (poolChannel.hasSubscribers) this.publishPool('used', pool);
  }
  /** insert_to_freepool(): an empty pool goes on its arena's freepools; then arena management. */
  private insertToFreepool(pool: number): void {
    const next = this.nextPool(pool);
    const prev = this.prevPool(pool);
    this.setPrevPool(next, prev);
    this.setNextPool(prev, next);
    if (poolChannel.hasSubscribers) this.publishPool('empty', pool);

    // Link the pool to freepools (singly linked; prevpool unused there).
    const ao = this.arenas[this.poolField(pool, ARENAINDEX)]!;
    this.setNextPool(pool, ao.freepools);
    ao.freepools = pool;
    let nf = ao.nfreepools;
    // If this is the rightmost arena with nf free pools, nfp2lasta[nf] moves left.
    const nfp2lasta = this.nfp2lasta;
    const lastnf = nfp2lasta[nf]!;
    if (lastnf === ao) {
      const p = ao.prevarena;
      nfp2lasta[nf] = p !== null && p.nfreepools === nf ? p : null;
    }
    ao.nfreepools = ++nf;
    if (nf === ao.ntotalpools) this.nEmptyArenas++;

    // Case 1: all pools free. Return the arena to the OS, unless it is the last
    // arena of the list (keep one wholly free arena to avoid thrashing, bpo-37257)
    // or, beyond CPython, no more than arenaRetention arenas are empty.
    if (nf === ao.ntotalpools && ao.nextarena !== null && this.nEmptyArenas > this.arenaRetention) {
      if (ao.prevarena === null) this.usableArenas = ao.nextarena;
      else ao.prevarena.nextarena = ao.nextarena;
      ao.nextarena.prevarena = ao.prevarena;
      this.freeArena(ao);
      return;
    }
    if (this.releasePoolsAt !== 0 && ++ao.nResidentEmptyPools >= this.releasePoolsAt) this.releaseEmptyPools(ao);
    // Case 2: the only free pool. Put ao at the head of usableArenas.
    if (nf === 1) {
      ao.nextarena = this.usableArenas;
      ao.prevarena = null;
      if (this.usableArenas !== null) this.usableArenas.prevarena = ao;
      this.usableArenas = ao;
      if (nfp2lasta[1] === null) nfp2lasta[1] = ao;
      return;
    }
    // Keep usableArenas sorted: if this is the only arena with nf, record that.
    if (nfp2lasta[nf] === null) nfp2lasta[nf] = ao;
    // Case 4: it was the rightmost of the old count; it stays in place.
    if (ao === lastnf) return;
    // Case 3: move ao right, to follow lastnf. First unlink it.
    if (ao.prevarena !== null) ao.prevarena.nextarena = ao.nextarena;
    else this.usableArenas = ao.nextarena;
    ao.nextarena!.prevarena = ao.prevarena;
    // And insert after lastnf.
    ao.prevarena = lastnf;
    ao.nextarena = lastnf.nextarena;
    if (ao.nextarena !== null) ao.nextarena.prevarena = ao;
    lastnf.nextarena = ao;
  }

  // --- release policy (beyond CPython; releasePolicy.ts) ------------------------------

  /**
   * Gives back the pages after the header of every empty pool of `ao` still
   * resident (at most nResidentEmptyPools of them, the most recently emptied
   * first on freepools), marking each released with szidx DUMMY_SIZE_IDX so
   * that its reuse initialises the header as for a never-used pool.
   */
  private releaseEmptyPools(ao: ArenaObject): void {
    const page = 1 << UNIT_SHIFT;
    for (let pool = ao.freepools; pool !== NULL_POOL && ao.nResidentEmptyPools > 0; pool = this.nextPool(pool)) {
      if (this.poolField(pool, SZIDX) === DUMMY_SIZE_IDX) continue;
      this.i32[(pool >> 2) + SZIDX] = DUMMY_SIZE_IDX;
      // The whole pages after the header's: none when the pool is one page.
      const from = Math.ceil((pool + this.poolOverhead) / page) * page;
      const to = Math.floor((pool + this.poolSize) / page) * page;
      if (from < to) releaseRange(from, to - from);
      ao.nResidentEmptyPools--;
      ao.nReleasedPools++;
      this.nPoolsReleased++;
      this.ntimesPoolReleased++;
      if (poolChannel.hasSubscribers) this.publishPool('release', pool);
    }
  }

  /** A pool leaves freepools to be used again: one fewer resident empty pool, or one fewer released one. */
  private reusePool(ao: ArenaObject, pool: number): void {
    if (this.poolField(pool, SZIDX) === DUMMY_SIZE_IDX) {
      ao.nReleasedPools--;
      this.nPoolsReleased--;
    } else {
      ao.nResidentEmptyPools--;
    }
  }

  /** _PyObject_Free(). */
  free(p: number): void {
    if (!this.pymallocFree(p)) this.freeOutside(p);
  }

  /** The rest of _PyObject_Free, out of line: a disposed heap throws; NULL is nothing; a raw pointer goes to the raw allocator; anything else throws. */
  private freeOutside(p: number): void {
    if (this.disposed) throw this.disposedError();
    if (p === 0) return;
    if (!(p < SMALL_LIMIT)) {
      this.raw().free(p);
      this.rawAllocatedBlocks--;
      return;
    }
    throw this.invalidPointer(p, 'free');
  }

  // --- realloc -------------------------------------------------------------------------

  /** _PyObject_Realloc() with pymalloc_realloc(): keep the block when it shrinks by less than 25 %. */
  realloc(p: number, nbytes: number): number {
    if (this.disposed) throw this.disposedError();
    if (p === 0) return this.malloc(nbytes);
    if (!(p < SMALL_LIMIT)) return this.raw().realloc(p, nbytes);
    const origin = this.checkedOrigin(p, 'realloc');
    let size = this.index2size(this.poolField(p - ((p - origin) & this.poolMask), SZIDX));
    if (nbytes <= size) {
      // Staying the same or shrinking: copy only if at least 25 % can be shaved off.
      if (4 * nbytes > 3 * size) return p;
      size = nbytes;
    }
    const bp = this.malloc(nbytes);
    if (bp !== 0) {
      // By address: bp may be inside a block of a RAW hook (the debug allocator's data pointer).
      copyBytes(bp, p, size);
      this.free(p);
    }
    return bp;
  }

  // --- inspection ------------------------------------------------------------------------

  /** Size class of the live pymalloc block p (after validation), or -1 for a raw pointer. */
  sizeClassOf(p: number): number {
    if (!(p < SMALL_LIMIT)) return -1;
    const origin = this.checkedOrigin(p, 'access');
    return this.poolField(p - ((p - origin) & this.poolMask), SZIDX);
  }

  /**
   * A user's view of `n` bytes at the live pymalloc block p (validated by
   * the caller): a view of its arena's user buffer, made on the first view
   * and detached when the arena goes, so a stale view reads empty.
   */
  userView(p: number, n: number): Uint8Array {
    const ao = this.spans[p >>> UNIT_SHIFT]!;
    if (ao.userBuffer === null) {
      const { buffer, base } = userBuffer(ao.vbase, this.arenaSize);
      ao.userBuffer = buffer;
      ao.userBase = base;
    }
    return new Uint8Array(ao.userBuffer, p - ao.userBase, n);
  }

  /** The arena object of this heap holding pymalloc pointer p and p's offset in the arena (for reports and replay). */
  arenaOf(p: number): { arena: ArenaObject; offset: number } | null {
    if (!(p > 0 && p < SMALL_LIMIT)) return null;
    const a = this.spans[p >>> UNIT_SHIFT];
    if (a === undefined || a.owner !== this || a.index < 0) return null;
    return { arena: a, offset: p - a.vbase };
  }

  /** Whether pointer p starts a live block (its live bit; always false with checkFree off). */
  isLiveBit(p: number): boolean {
    if (!this.checkFree) return false;
    return (this.live[p >>> 8]! & (1 << (p >>> 3))) !== 0;
  }

  /** The u32 at pointer p (a free block's link, for validation). */
  word(p: number): number {
    return this.i32[p >> 2]!;
  }

  /** Pool ref of arena offset `poolOff` in arena `ao` (for stats and validation). */
  poolRef(ao: ArenaObject, poolOff: number): number {
    return ao.vbase + poolOff;
  }

  /** Arena offset of the first pool of `ao` (after the alignment excess). */
  firstPoolOffset(ao: ArenaObject): number {
    return ao.firstPool;
  }

  /**
   * Beyond CPython: maps `size` bytes (a power of two >= 4096) of zeroed memory
   * outside pymalloc, in the small-pointer space, for objects CPython keeps in
   * static memory (small ints, singletons, the gc generation heads). The memory
   * is never a pymalloc block (free and realloc refuse its pointers) and lives
   * until dispose(). Returns its first pointer, or 0 when the OS refuses.
   */
  mapStatic(size: number): number {
    const span = new ArenaObject(-3);
    const base = bindSpan(size, span);
    if (base < 0) return 0;
    const mapped = this.arenaAllocator.alloc(base, size);
    if (mapped === null) {
      unbindSpan(size, span);
      return 0;
    }
    span.mapped = mapped;
    span.address = mapped.address;
    span.owner = this;
    this.statics.push({ span, size });
    return base;
  }

  /** Whether dispose() has run: every call after it is a DisposedError (an allocator object kept from getAllocator included). */
  private disposed = false;

  private disposedError(): DisposedError {
    return new DisposedError('this heap was disposed: its arenas are unmapped');
  }

  /**
   * Unmaps every arena and static block and releases every span (the heap is
   * being discarded). The fast paths then fail by themselves — no request is
   * small (threshold 0), no slot is an arena (arenaOrigins all 0) — and the
   * slow paths they fall to throw DisposedError.
   */
  dispose(): void {
    this.disposed = true;
    this.threshold = 0;
    for (const ao of this.arenas) {
      if (ao.address === 0) continue;
      if (arenaChannel.hasSubscribers) this.publishArena('unmap', ao);
      --this.narenasCurrentlyAllocated;
      this.arenaOrigins[ao.vbase >> this.arenaShift] = 0;
      this.releaseSpan(ao, this.arenaSize, ao.mapped);
      ao.mapped = null;
      ao.address = 0;
    }
    for (const { span, size } of this.statics) this.releaseSpan(span, size, span.mapped);
    this.statics.length = 0;
    this.releaseSpan(this.sentinels, SENTINEL_SPAN, null);
  }
}
