/*
 * A map from block addresses to int32 values for the tools that follow every
 * allocation (the trace writer's ids): open addressing over typed arrays with
 * linear probes and backward-shift deletion, so a delete leaves no tombstone
 * and a malloc/free churn costs O(1) whatever else is live. (A JavaScript Map
 * keeps deleted entries until its table fills, then rehashes all of it: with
 * thousands of live blocks, a program's alloc/free churn spent 85 % of its
 * time there.)
 *
 * Invariants: keys[i] === 0 marks an empty slot (no block is at address 0);
 * every key sits on the probe run from its home slot with no empty slot in
 * between; count is the number of keys; count * 2 <= capacity.
 */
import { InvalidArgumentError } from '../errors.js';

/** An address → int32 map over typed arrays. */
export class PointerTable {
  private keys: Float64Array;
  private values: Int32Array;
  private mask: number;
  private shift: number;
  private count = 0;

  constructor(capacity = 1024) {
    let n = 16;
    while (n < capacity) n *= 2;
    this.keys = new Float64Array(n);
    this.values = new Int32Array(n);
    this.mask = n - 1;
    this.shift = 32 - Math.log2(n);
  }

  /** Number of addresses held. */
  get size(): number {
    return this.count;
  }

  /** The value of address p, or -1 if it holds none. */
  get(p: number): number {
    const i = this.find(p);
    return i < 0 ? -1 : this.values[i]!;
  }

  /** Sets the value of address p (a positive integer). */
  set(p: number, value: number): void {
    if (!(p > 0 && Number.isSafeInteger(p))) throw new InvalidArgumentError(`PointerTable: an address must be a positive integer, got ${p}`);
    const keys = this.keys;
    let i = this.home(p);
    while (keys[i] !== 0) {
      if (keys[i] === p) {
        this.values[i] = value;
        return;
      }
      i = (i + 1) & this.mask;
    }
    keys[i] = p;
    this.values[i] = value;
    if (++this.count * 2 > keys.length) this.grow();
  }

  /** Removes address p; returns its value, or -1 if it held none. */
  delete(p: number): number {
    let i = this.find(p);
    if (i < 0) return -1;
    const value = this.values[i]!;
    const keys = this.keys;
    const mask = this.mask;
    // Backward shift: each later key of the run whose home is not in (i, j] moves into the hole.
    for (let j = (i + 1) & mask; keys[j] !== 0; j = (j + 1) & mask) {
      const h = this.home(keys[j]!);
      const stays = i <= j ? i < h && h <= j : i < h || h <= j;
      if (!stays) {
        keys[i] = keys[j]!;
        this.values[i] = this.values[j]!;
        i = j;
      }
    }
    keys[i] = 0;
    this.count--;
    return value;
  }

  /** Every address and its value (in table order). */
  *entries(): IterableIterator<[number, number]> {
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== 0) yield [this.keys[i]!, this.values[i]!];
  }

  private find(p: number): number {
    const keys = this.keys;
    for (let i = this.home(p); keys[i] !== 0; i = (i + 1) & this.mask) if (keys[i] === p) return i;
    return -1;
  }

  /** The home slot: the top bits of a multiplicative (Fibonacci) hash of the address's two words. */
  private home(p: number): number {
    return Math.imul(p ^ ((p / 4294967296) | 0), 0x9e3779b1) >>> this.shift;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    this.keys = new Float64Array(oldKeys.length * 2);
    this.values = new Int32Array(oldKeys.length * 2);
    this.mask = this.keys.length - 1;
    this.shift--;
    this.count = 0;
    for (let i = 0; i < oldKeys.length; i++) if (oldKeys[i] !== 0) this.set(oldKeys[i]!, oldValues[i]!);
  }
}
