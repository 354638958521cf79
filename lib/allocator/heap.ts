/*
 * A Heap: one pymalloc with its arenas, the raw allocator under it, and the
 * three allocator domains over them — the memory side of one CPython
 * interpreter. This is the checked public surface: every argument is
 * validated here (or, for pointers, by pymalloc and the raw layer) before
 * anything changes, and failures are the typed errors of errors.ts.
 *
 * Invariants: domains[RAW] starts as the raw allocator, domains[MEM] and
 * domains[OBJ] as pymalloc; the allocator functions return 0 for NULL, the
 * Heap methods throw OutOfMemoryError instead.
 */
import { DisposedError, InvalidArgumentError, InvalidPointerError, OutOfMemoryError, checkSize, describe } from '../errors.js';
import { byteAtOr, rawBlockSize, viewBytes } from './access.js';
import { ArenaMap } from './arenaMap.js';
import { API_ID, type DebugEnv, debugAllocator, debugBlockSize, debugCheckAddress } from './debugAllocator.js';
import { Domain, type MemAllocator, isDomain } from './domains.js';
import {
  type ArenaAllocator,
  type RawMemory,
  fakeArenaAllocator,
  fakeRawMemory,
  nativeArenaAllocator,
  rawAddress,
  nativeRawMemory,
} from './osMemory.js';
import { SMALL_LIMIT } from './pointer.js';
import { spanOf } from './region.js';
import { type Profile, type ResolvedProfile, resolveProfile } from './profile.js';
import { PyMalloc } from './pymalloc.js';
import { rawAllocator } from './rawAllocator.js';
import { type MallocStats, collectMallocStats, formatMallocStats } from './stats.js';

/** Largest request accepted (2^48 - 1: more than any address space maps); larger is an InvalidArgumentError. */
export const MAX_REQUEST = 2 ** 48 - 1;

/** Where a heap gets its memory. */
export type MemorySource = 'native' | 'fake' | { arenas: ArenaAllocator; raw: RawMemory };

/** Options of a new Heap. */
export interface HeapOptions {
  /** A built-in profile name or a custom profile; default `classic`. */
  profile?: Profile | string;
  /** Validate pointers on free/realloc (default true). Off: a bad pointer is undefined behaviour, as in C. */
  checkFree?: boolean;
  /**
   * Beyond CPython: keep up to this many wholly free arenas mapped instead of
   * returning them to the OS (default 0: CPython's rule alone). Trades RSS for
   * fewer page faults on workloads that swing.
   */
  arenaRetention?: number;
  /** `native` (default): real mmap'd arenas and glibc malloc; `fake`: ArrayBuffers, for tests; or your own. */
  memory?: MemorySource;
  /**
   * CPython's debug hooks on every domain (PYTHONMALLOC=debug; debugAllocator.ts):
   * pads around each block, fill bytes, API ids; overflows, underflows, frees
   * through the wrong domain and double frees throw MemoryCorruptionError.
   */
  debug?: boolean;
  /**
   * Called once the heap is built, before anything is allocated from it: where
   * domain hooks go (PyMem_SetAllocator before Py_Initialize), so that a trace
   * writer sees every allocation of the object space built over this heap.
   */
  onCreate?: (heap: Heap) => void;
}

/** One pymalloc heap with its allocator domains. */
export class Heap {
  readonly profile: ResolvedProfile;
  /** The pymalloc allocator (the default MEM and OBJ allocator). */
  readonly pymalloc: PyMalloc;
  /** The raw allocator (the default RAW allocator). */
  readonly rawDefault: MemAllocator;
  private readonly rawMemory: RawMemory;
  private readonly domains: MemAllocator[];
  private readonly arenaMap: ArenaMap;
  private disposed = false;
  /** Whether every domain has the debug hooks. */
  readonly debug: boolean;

  constructor(options: HeapOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError(`Heap options must be an object, got ${describe(options)}`);
    }
    this.profile = resolveProfile(options.profile === undefined ? 'classic' : options.profile);
    const source = options.memory ?? 'native';
    let arenas: ArenaAllocator;
    if (source === 'native') {
      arenas = nativeArenaAllocator();
      this.rawMemory = nativeRawMemory();
    } else if (source === 'fake') {
      arenas = fakeArenaAllocator();
      this.rawMemory = fakeRawMemory();
    } else if (typeof source === 'object' && source !== null && 'arenas' in source && 'raw' in source) {
      arenas = source.arenas;
      this.rawMemory = source.raw;
    } else {
      throw new InvalidArgumentError(`memory must be 'native', 'fake' or {arenas, raw}, got ${describe(source)}`);
    }
    this.rawDefault = rawAllocator(this.rawMemory, () => this.disposed);
    const retention = checkSize('arenaRetention', options.arenaRetention ?? 0, 2 ** 20);
    this.pymalloc = new PyMalloc(
      this.profile,
      arenas,
      () => this.domains[Domain.RAW]!,
      options.checkFree ?? true,
      retention,
    );
    this.domains = [this.rawDefault, this.pymalloc, this.pymalloc];
    this.debug = options.debug === true;
    // PyMem_SetupDebugHooks: before any allocation, each domain's allocator wrapped.
    if (this.debug) this.domains = this.domains.map((a, d) => debugAllocator(a, d as Domain, this.debugEnv));
    this.arenaMap = new ArenaMap(this.profile.arenaSize);
    this.pymalloc.arenaListeners.push((event, arena) => {
      if (event === 'map') this.arenaMap.markUsed(arena.address);
    });
    options.onCreate?.(this);
  }

  // --- domains -----------------------------------------------------------------------

  /** PyMem_GetAllocator(): the allocator a domain uses now. */
  getAllocator(domain: Domain): MemAllocator {
    return this.domains[this.checkDomain(domain)]!;
  }

  /** PyMem_SetAllocator(): replace a domain's allocator (a hook wraps the one getAllocator returned). */
  setAllocator(domain: Domain, allocator: MemAllocator): void {
    const d = this.checkDomain(domain);
    for (const f of ['malloc', 'calloc', 'realloc', 'free'] as const) {
      if (typeof allocator?.[f] !== 'function') {
        throw new InvalidArgumentError(`an allocator needs malloc, calloc, realloc and free functions; ${f} is ${describe(allocator?.[f])}`);
      }
    }
    this.domains[d] = allocator;
  }

  private checkDomain(domain: unknown): Domain {
    if (!isDomain(domain)) throw new InvalidArgumentError(`domain must be Domain.RAW, Domain.MEM or Domain.OBJ, got ${describe(domain)}`);
    return domain;
  }

  // --- allocation (PyObject_Malloc & co., checked) -------------------------------------

  /** Allocates `size` bytes in `domain` (default OBJ); throws OutOfMemoryError when the OS refuses. */
  malloc(size: number, domain: Domain = Domain.OBJ): number {
    // The checks are written out for the common case (measured: ~10 ns per pair less than calling helpers).
    if (this.disposed) this.checkOpen();
    if (!(typeof size === 'number' && Math.floor(size) === size && size >= 0 && size <= MAX_REQUEST)) checkSize('size', size, MAX_REQUEST);
    const p = this.domains[domain === Domain.OBJ ? Domain.OBJ : this.checkDomain(domain)]!.malloc(size);
    return p !== 0 ? p : this.orThrow(p, size);
  }

  /** Allocates nelem * elsize zeroed bytes. */
  calloc(nelem: number, elsize: number, domain: Domain = Domain.OBJ): number {
    this.checkOpen();
    checkSize('nelem', nelem, MAX_REQUEST);
    checkSize('elsize', elsize, MAX_REQUEST);
    if (nelem * elsize > MAX_REQUEST) {
      throw new InvalidArgumentError(`nelem * elsize must be at most ${MAX_REQUEST}, got ${nelem} * ${elsize}`);
    }
    return this.orThrow(this.domains[this.checkDomain(domain)]!.calloc(nelem, elsize), nelem * elsize);
  }

  /** Resizes the block at ptr (0: allocates); returns the new pointer. On failure the old block stays valid. */
  realloc(ptr: number, size: number, domain: Domain = Domain.OBJ): number {
    this.checkOpen();
    this.checkPointerArg(ptr);
    checkSize('size', size, MAX_REQUEST);
    return this.orThrow(this.domains[this.checkDomain(domain)]!.realloc(ptr, size), size);
  }

  /** Frees the block at ptr (0: nothing). A pointer that is not a live block throws and changes nothing. */
  free(ptr: number, domain: Domain = Domain.OBJ): void {
    if (this.disposed) this.checkOpen();
    if (!(typeof ptr === 'number' && Math.floor(ptr) === ptr && ptr >= 0 && ptr <= Number.MAX_SAFE_INTEGER)) this.checkPointerArg(ptr);
    this.domains[domain === Domain.OBJ ? Domain.OBJ : this.checkDomain(domain)]!.free(ptr);
  }

  private orThrow(p: number, size: number): number {
    if (p === 0) throw new OutOfMemoryError(`out of memory: the OS refused ${size} bytes`, size);
    return p;
  }

  private checkPointerArg(ptr: unknown): void {
    if (typeof ptr !== 'number' || !Number.isSafeInteger(ptr) || ptr < 0) {
      throw new InvalidPointerError(`a pointer must be a non-negative safe integer, got ${describe(ptr)}`, typeof ptr === 'number' ? ptr : NaN);
    }
  }

  private checkOpen(): void {
    if (this.disposed) throw new DisposedError('this heap was disposed');
  }

  /** Whether dispose() was called (readers above the allocator refuse a disposed heap with a DisposedError). */
  get isDisposed(): boolean {
    return this.disposed;
  }

  // --- bytes -------------------------------------------------------------------------

  /** Usable bytes of the live block at ptr: its class size for pymalloc blocks, the request for raw ones. */
  usableSize(ptr: number): number {
    this.checkOpen();
    this.checkPointerArg(ptr);
    if (this.debug) return this.debugBlock(ptr);
    const c = this.pymalloc.sizeClassOf(ptr);
    if (c >= 0) return this.pymalloc.index2size(c);
    return this.rawMemory.size(ptr);
  }

  /**
   * A view of the live block at ptr (its usable bytes). The view stays valid
   * until the block is freed or moved; writing through it after that is
   * writing into freed memory, as in C — until the block's arena (or, for a
   * raw block, the block itself) goes back to the OS: then the view is
   * detached, reads empty and writes nothing.
   */
  bytes(ptr: number): Uint8Array {
    const n = this.usableSize(ptr);
    if (this.debug) return viewBytes(ptr, n);
    if (ptr < SMALL_LIMIT) return this.pymalloc.userView(ptr, n);
    return this.rawMemory.userBytes(ptr);
  }

  /** Copies `length` bytes at `offset` of the block at ptr; throws if the range leaves the block. */
  read(ptr: number, offset: number, length: number): Uint8Array {
    const b = this.bytes(ptr);
    this.checkRange(b, offset, length);
    return b.slice(offset, offset + length);
  }

  /** Writes `data` at `offset` of the block at ptr; throws if the range leaves the block. */
  write(ptr: number, offset: number, data: Uint8Array): void {
    const b = this.bytes(ptr);
    if (!(data instanceof Uint8Array)) throw new InvalidArgumentError(`data must be a Uint8Array, got ${describe(data)}`);
    this.checkRange(b, offset, data.length);
    b.set(data, offset);
  }

  /** A DataView over the live block at ptr, for typed reads and writes (little-endian, as x86-64). */
  dataView(ptr: number): DataView {
    const b = this.bytes(ptr);
    return new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  /** The data size of a debug block, after _PyMem_DebugCheckAddress with the domain its API id names. */
  private debugBlock(ptr: number): number {
    const domain = [Domain.RAW, Domain.MEM, Domain.OBJ].find((d) => byteAtOr(ptr - 8) === API_ID[d].charCodeAt(0));
    if (domain === undefined) throw new InvalidPointerError(`${ptr} is not a live block of this heap's debug allocator`, ptr);
    debugCheckAddress('_PyMem_DebugCheckAddress', domain, ptr, this.debugEnv);
    return debugBlockSize(ptr);
  }

  /** What the debug hooks ask of this heap: addresses, and the live blocks below them. */
  private readonly debugEnv: DebugEnv = {
    address: (p) => this.addressOf(p),
    blockBelow: (q) => {
      if (!(Number.isSafeInteger(q) && q > 0)) return -1;
      if (q < SMALL_LIMIT) {
        try {
          return this.pymalloc.index2size(this.pymalloc.sizeClassOf(q));
        } catch (e) {
          if (e instanceof InvalidPointerError) return -1;
          throw e;
        }
      }
      if (this.rawMemory.has(q)) return rawBlockSize(q);
      // pymalloc's fall-back under the RAW hooks: a raw debug block's data.
      return this.rawMemory.has(q - 16) && byteAtOr(q - 8) === API_ID[Domain.RAW].charCodeAt(0) ? debugBlockSize(q) : -1;
    },
  };

  private checkRange(b: Uint8Array, offset: number, length: number): void {
    checkSize('offset', offset, b.length);
    checkSize('length', length, b.length - offset);
  }

  /** The real address behind a pointer (arena base + offset for pymalloc blocks), for reports. */
  addressOf(ptr: number): number {
    this.checkPointerArg(ptr);
    if (!(ptr < SMALL_LIMIT)) return rawAddress(ptr);
    const span = spanOf(ptr);
    if (span.owner !== this.pymalloc || span.address === 0) {
      throw new InvalidPointerError(`${ptr} is not in any arena or static block of this heap`, ptr);
    }
    return span.address + (ptr - span.vbase);
  }

  // --- stats -------------------------------------------------------------------------

  /** _PyObject_DebugMallocStats() as numbers. */
  debugMallocStats(): MallocStats {
    this.checkOpen();
    return collectMallocStats(this.pymalloc, this.arenaMap.counts());
  }

  /** _PyObject_DebugMallocStats() as CPython 3.11 prints it. */
  formatDebugMallocStats(): string {
    return formatMallocStats(this.debugMallocStats());
  }

  /** Releases everything the heap holds: every arena, static block and span, and every raw block still live. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pymalloc.dispose();
    this.rawMemory.freeAll();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
