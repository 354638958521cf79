/*
 * The replay core: a trace's allocator calls, by trace id, through one
 * allocator — the one piece of code `pymem replay` (replay.ts, over text
 * traces, with its checker) and `pymem compare`'s JavaScript replayers
 * (compare/childReplay.ts, over binary traces, timed) both run.
 *
 * Invariants: `ptr(id)` is the pointer the allocator gave for trace id `id`
 * while that block is live, 0 otherwise; an id of -1 is NULL (CPython's
 * realloc(NULL, n) and free(NULL)). A call that gets NULL from the allocator
 * returns 0 and changes no entry; the caller says what that means.
 */
import type { MemAllocator } from '../allocator/domains.js';

/** Live pointers by trace id over one allocator. */
export class ReplayCore {
  /** Pointers by id (0: no live block); grown as ids come unless made with a fixed size. */
  private ptrs: Float64Array;

  /** @param slots ids the table holds at first (a binary trace knows its count: no growth in the timed loop). */
  constructor(
    private readonly a: MemAllocator,
    slots = 1 << 16,
  ) {
    this.ptrs = new Float64Array(Math.max(slots, 1));
  }

  /** The live block of id, or 0. */
  ptr(id: number): number {
    return id >= 0 && id < this.ptrs.length ? this.ptrs[id]! : 0;
  }

  /** How many ids the table covers (every id at or above it names no block). */
  get slots(): number {
    return this.ptrs.length;
  }

  private set(id: number, p: number): void {
    if (id >= this.ptrs.length) {
      let n = this.ptrs.length * 2;
      while (n <= id) n *= 2;
      const bigger = new Float64Array(n);
      bigger.set(this.ptrs);
      this.ptrs = bigger;
    }
    this.ptrs[id] = p;
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
    if (from >= 0 && from !== to) this.ptrs[from] = 0;
    this.set(to, p);
    return p;
  }

  /** free(ptr(id)), or free(NULL) when id is -1. */
  free(id: number): void {
    this.a.free(this.ptr(id));
    if (id >= 0 && id < this.ptrs.length) this.ptrs[id] = 0;
  }
}
