/*
 * A set of raw pointers (doubles up to 2^53) with open addressing over a
 * Float64Array: the raw allocator's record of the blocks one heap owns.
 * Measured on test_json's 1.13M raw set/delete operations: 19 ms against
 * 1.45 s for a Map keyed by the same (heap-number) doubles, and no table
 * garbage for V8 to collect.
 *
 * Invariants: 0 marks an empty slot and 1 a deleted one (no pointer is 0 or
 * 1); the table is a power of two at most 3/4 full counting deleted slots;
 * probing is linear from a multiplicative hash of the pointer's 16-byte unit.
 */

const EMPTY = 0;
const DELETED = 1;

/** A set of positive integers above 1 (pointers). */
export class AddressSet {
  private table = new Float64Array(1024);
  private mask = 1023;
  private used = 0;
  private filled = 0;

  /** How many pointers the set holds. */
  get size(): number {
    return this.used;
  }

  private slot(p: number): number {
    // The low bits of a 16-aligned address carry nothing; mix the rest.
    return Math.imul((p / 16) | 0, 0x9e3779b1) >>> 0;
  }

  /** Whether p is in the set. */
  has(p: number): boolean {
    const t = this.table;
    for (let i = this.slot(p) & this.mask; ; i = (i + 1) & this.mask) {
      const v = t[i]!;
      if (v === p) return true;
      if (v === EMPTY) return false;
    }
  }

  /** Adds p (a no-op when present). */
  add(p: number): void {
    if (this.has(p)) return;
    if ((this.filled + 1) * 4 > this.table.length * 3) this.rehash();
    const t = this.table;
    let i = this.slot(p) & this.mask;
    while (t[i] !== EMPTY && t[i] !== DELETED) i = (i + 1) & this.mask;
    if (t[i] === EMPTY) this.filled++;
    t[i] = p;
    this.used++;
  }

  /** Removes p; returns whether it was there. */
  delete(p: number): boolean {
    const t = this.table;
    for (let i = this.slot(p) & this.mask; ; i = (i + 1) & this.mask) {
      const v = t[i]!;
      if (v === p) {
        t[i] = DELETED;
        this.used--;
        return true;
      }
      if (v === EMPTY) return false;
    }
  }

  /** The pointers in the set (a snapshot: the set may change while it is walked). */
  values(): number[] {
    const out: number[] = [];
    for (const v of this.table) if (v !== EMPTY && v !== DELETED) out.push(v);
    return out;
  }

  private rehash(): void {
    const old = this.table;
    const size = this.used * 2 >= old.length ? old.length * 2 : old.length;
    this.table = new Float64Array(size);
    this.mask = size - 1;
    this.used = 0;
    this.filled = 0;
    for (const v of old) if (v !== EMPTY && v !== DELETED) this.add(v);
  }
}
