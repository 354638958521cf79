/*
 * The replay core: a trace's allocator calls, by trace id, through one
 * allocator — the one piece of code `pymem replay` (replay.ts, over text
 * traces, with its checker) and `pymem compare`'s JavaScript replayers
 * (compare/childReplay.ts, over binary traces, timed) both run.
 *
 * The handle table is two typed arrays: `small[id]` holds a pymalloc pointer
 * (below SMALL_LIMIT = 2^31, an int32), 0 for no block, or -1 when the block
 * is raw, whose pointer (RAW_BASE + address, a double) is then `raw[id]`.
 * A pymalloc pointer thus stays an int32 from the allocator's return to its
 * free: no double is loaded, converted or boxed on the common path (a
 * Float64Array table cost about 50 instructions more per malloc+free pair,
 * callgrind).
 *
 * Invariants: `ptr(id)` is the pointer the allocator gave for trace id `id`
 * while that block is live, 0 otherwise; an id of -1 is NULL (CPython's
 * realloc(NULL, n) and free(NULL)). A call that gets NULL from the allocator
 * returns 0 and changes no entry; the caller says what that means.
 */
import type { MemAllocator } from '../allocator/domains.js';
import { SMALL_LIMIT } from '../allocator/pointer.js';

/** `small[id]` of a raw block: its pointer is in `raw[id]`. */
const RAW = -1;

/** Live pointers by id over one allocator. */
export class ReplayCore {
  /** Pymalloc pointers by id (0: no live block, RAW: see raw). */
  private small: Int32Array;
  /** Raw pointers by id, where small[id] is RAW. */
  private raw: Float64Array;

  /** @param slots ids the table holds at first (a binary trace knows its count: no growth in the timed loop). */
  constructor(
    private readonly a: MemAllocator,
    slots = 1 << 16,
  ) {
    const n = Math.max(slots, 1);
    this.small = new Int32Array(n);
    this.raw = new Float64Array(n);
  }

  /** The live block of id, or 0. */
  ptr(id: number): number {
    if (!(id >= 0 && id < this.small.length)) return 0;
    const q = this.small[id]!;
    return q !== RAW ? q : this.raw[id]!;
  }

  /** How many ids the table covers (every id at or above it names no block). */
  get slots(): number {
    return this.small.length;
  }

  private set(id: number, p: number): void {
    if (id >= this.small.length) this.grow(id);
    if (p < SMALL_LIMIT) this.small[id] = p;
    else {
      this.small[id] = RAW;
      this.raw[id] = p;
    }
  }

  private grow(id: number): void {
    let n = this.small.length * 2;
    while (n <= id) n *= 2;
    const small = new Int32Array(n);
    small.set(this.small);
    const raw = new Float64Array(n);
    raw.set(this.raw);
    this.small = small;
    this.raw = raw;
  }

  /** malloc(size) as id; returns the pointer (0: NULL). */
  malloc(id: number, size: number): number {
    const p = this.a.malloc(size);
    if (p !== 0) this.set(id, p);
    return p;
  }

  /** calloc(nelem, elsize) as id; returns the pointer (0: NULL). */
  calloc(id: number, nelem: number, elsize: number): number {
    const p = this.a.calloc(nelem, elsize);
    if (p !== 0) this.set(id, p);
    return p;
  }

  /** realloc(ptr(from) or NULL when from is -1, size) as id `to`; returns the pointer (0: NULL, `from` still live). */
  realloc(from: number, to: number, size: number): number {
    const p = this.a.realloc(this.ptr(from), size);
    if (p === 0) return 0;
    if (from >= 0 && from !== to) this.small[from] = 0;
    this.set(to, p);
    return p;
  }

  /** free(ptr(id)), or free(NULL) when id is -1. */
  free(id: number): void {
    this.a.free(this.ptr(id));
    if (id >= 0 && id < this.small.length) this.small[id] = 0;
  }
}
