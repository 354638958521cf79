/*
 * Typed access to heap memory by pointer, for the layers above (objects, gc):
 * the C-level `*(T *)(base + off)` of pymem. Unchecked: the object layer only
 * reads and writes inside objects it owns; users go through Heap's checked
 * bytes/read/write instead.
 *
 * `base` is a block start or a pointer at most MAX_INTERIOR bytes past it
 * (an object behind its PyGC_Head and pre-header); `off` is any offset inside
 * the block. pymalloc pointers resolve through the unit table (pointer.ts);
 * raw pointers by the raw block map (the last one resolved is cached). Pointers stored in memory are
 * f64 (8 bytes, as a C pointer), so every pointer field is 8-aligned.
 */
import { InvalidPointerError } from '../errors.js';
import type { BlockViews, RawMemory } from './osMemory.js';
import { NO_SPAN, SMALL_LIMIT, units } from './pointer.js';

/** How far past its block start a base pointer may be (PyGC_Head + managed-dict pre-header). */
export const MAX_INTERIOR = 32;

/** Reads and writes of heap memory by (base pointer, byte offset). */
export class Memory {
  // The block last resolved: its views and the offset of `base` in them.
  private u8: Uint8Array;
  private u32: Uint32Array;
  private f64: Float64Array;
  /** After u32View(base): base's byte offset in the returned view. */
  off = 0;
  private lastRaw = -1;
  private lastRawViews: BlockViews | null = null;
  private lastRawOff = 0;

  constructor(private readonly raw: RawMemory) {
    this.u8 = NO_SPAN.u8;
    this.u32 = NO_SPAN.u32;
    this.f64 = NO_SPAN.f64;
  }

  private resolve(base: number): void {
    if (base < SMALL_LIMIT) {
      const a = units[base >>> 12] ?? NO_SPAN;
      this.u8 = a.u8;
      this.u32 = a.u32;
      this.f64 = a.f64;
      this.off = base - a.vbase;
      return;
    }
    if (base !== this.lastRaw || this.lastRawViews!.u8.length === 0) {
      let start = base;
      while (!this.raw.has(start)) {
        start -= 16;
        if (base - start > MAX_INTERIOR) throw new InvalidPointerError(`no block of this heap at or just before ${base}`, base);
      }
      this.lastRaw = base;
      this.lastRawViews = this.raw.views(start);
      this.lastRawOff = base - start;
    }
    const v = this.lastRawViews!;
    this.u8 = v.u8;
    this.u32 = v.u32;
    this.f64 = v.f64;
    this.off = this.lastRawOff;
  }

  /** Forgets the cached raw block (call after a raw block is freed or moved). */
  invalidate(): void {
    this.lastRaw = -1;
    this.lastRawViews = null;
  }

  // Each accessor resolves a pymalloc pointer inline (one unit-table load; the
  // common case) and leaves raw pointers to resolve(): measured ~2x faster
  // object initialisation than resolving every access through resolve().
  u8At(base: number, off: number): number {
    if (base < SMALL_LIMIT) {
      const a = units[base >>> 12] ?? NO_SPAN;
      return a.u8[base - a.vbase + off]!;
    }
    this.resolve(base);
    return this.u8[this.off + off]!;
  }
  setU8(base: number, off: number, v: number): void {
    if (base < SMALL_LIMIT) {
      const a = units[base >>> 12] ?? NO_SPAN;
      a.u8[base - a.vbase + off] = v;
      return;
    }
    this.resolve(base);
    this.u8[this.off + off] = v;
  }
  u32At(base: number, off: number): number {
    if (base < SMALL_LIMIT) {
      const a = units[base >>> 12] ?? NO_SPAN;
      return a.u32[(base - a.vbase + off) >> 2]!;
    }
    this.resolve(base);
    return this.u32[(this.off + off) >> 2]!;
  }
  setU32(base: number, off: number, v: number): void {
    if (base < SMALL_LIMIT) {
      const a = units[base >>> 12] ?? NO_SPAN;
      a.u32[(base - a.vbase + off) >> 2] = v;
      return;
    }
    this.resolve(base);
    this.u32[(this.off + off) >> 2] = v;
  }
  /** A signed 64-bit integer field that fits a double (Py_ssize_t). */
  i64At(base: number, off: number): number {
    const u32 = this.u32View(base);
    const i = (this.off + off) >> 2;
    return u32[i]! + (u32[i + 1]! | 0) * 4294967296;
  }
  setI64(base: number, off: number, v: number): void {
    const u32 = this.u32View(base);
    const i = (this.off + off) >> 2;
    const hi = Math.floor(v / 4294967296);
    u32[i] = v - hi * 4294967296;
    u32[i + 1] = hi;
  }
  f64At(base: number, off: number): number {
    if (base < SMALL_LIMIT) {
      const a = units[base >>> 12] ?? NO_SPAN;
      return a.f64[(base - a.vbase + off) >> 3]!;
    }
    this.resolve(base);
    return this.f64[(this.off + off) >> 3]!;
  }
  setF64(base: number, off: number, v: number): void {
    if (base < SMALL_LIMIT) {
      const a = units[base >>> 12] ?? NO_SPAN;
      a.f64[(base - a.vbase + off) >> 3] = v;
      return;
    }
    this.resolve(base);
    this.f64[(this.off + off) >> 3] = v;
  }
  /** A pointer field (stored as f64). */
  ptrAt(base: number, off: number): number {
    return this.f64At(base, off);
  }
  setPtr(base: number, off: number, p: number): void {
    this.setF64(base, off, p);
  }
  /**
   * The u32 view holding base, with `off` set to base's byte offset in it:
   * for code that reads and writes several words of one object (one
   * resolution instead of one per access).
   */
  u32View(base: number): Uint32Array {
    if (base < SMALL_LIMIT) {
      const a = units[base >>> 12] ?? NO_SPAN;
      this.off = base - a.vbase;
      return a.u32;
    }
    this.resolve(base);
    return this.u32;
  }
  /** A view of `n` bytes at base + off (valid until that block is freed or moved). */
  bytes(base: number, off: number, n: number): Uint8Array {
    this.resolve(base);
    return this.u8.subarray(this.off + off, this.off + off + n);
  }
  /** Fills `n` bytes at base + off with `byte`. */
  fill(base: number, off: number, n: number, byte: number): void {
    this.resolve(base);
    this.u8.fill(byte, this.off + off, this.off + off + n);
  }
}
