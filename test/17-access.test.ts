// Thread-wide loads and stores by absolute address (lib/allocator/access.ts):
// what a store writes at pointer + offset is what Heap's checked view of the
// block shows, for pymalloc and raw blocks, over the addon and the fake; raw
// interior addresses find their block; a freed raw block is gone from the
// registry; copyBytes is memmove.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  copyBytes,
  fillBytes,
  loadF64,
  loadI32,
  loadI64,
  loadU16,
  loadU32,
  loadU8,
  storeF64,
  storeI32,
  storeI64,
  storeU16,
  storeU32,
  storeU8,
} from '../lib/allocator/access.js';
import { Heap, InvalidPointerError, isSmallPointer } from '../lib/index.js';

describe.each(['native', 'fake'] as const)('access over %s memory', (memory) => {
  it.each([64, 5000, 300_000])('stores at p + off are the bytes Heap shows for a %i-byte block', (size) => {
    using heap = new Heap({ memory, profile: 'cpython311' });
    const p = heap.malloc(size);
    expect(isSmallPointer(p)).toBe(size <= 512);
    const end = size - 8;
    storeU8(p, 0);
    storeU8(p + 1, 0xab);
    storeU16(p + 2, 0xbeef);
    storeU32(p + 4, 0xdeadbeef);
    storeI64(p + 8, -(2 ** 40) - 3);
    storeF64(p + end, 1.5);
    storeI32(p + 16, -7);
    const bytes = heap.bytes(p);
    expect([...bytes.subarray(0, 8)]).toEqual([0, 0xab, 0xef, 0xbe, 0xef, 0xbe, 0xad, 0xde]);
    expect(new DataView(bytes.buffer, bytes.byteOffset).getFloat64(end, true)).toBe(1.5);
    expect([loadU8(p + 1), loadU16(p + 2), loadU32(p + 4)]).toEqual([0xab, 0xbeef, 0xdeadbeef]);
    expect(loadI64(p + 8)).toBe(-(2 ** 40) - 3);
    expect(loadI32(p + 16)).toBe(-7);
    expect(loadF64(p + end)).toBe(1.5);
    heap.free(p);
  });

  it('a freed raw block is no longer resolved', () => {
    using heap = new Heap({ memory });
    const p = heap.malloc(4096);
    storeU8(p + 100, 1);
    heap.free(p);
    expect(() => loadU8(p + 100)).toThrow(InvalidPointerError);
  });

  it('property: every interior address of every live raw block resolves to it, through merges of the registry', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(3), fc.integer({ min: 513, max: 20_000 }), fc.nat()), { minLength: 150, maxLength: 500 }),
        (ops) => {
          using heap = new Heap({ memory, profile: 'cpython311' });
          const live = new Map<number, { size: number; tag: number }>(); // the model
          const freed: number[] = [];
          let tag = 0;
          for (const [kind, size, pick] of ops) {
            const blocks = [...live.keys()];
            const victim = blocks.length > 0 ? blocks[pick % blocks.length]! : 0;
            if (kind === 0 || kind === 3 || victim === 0) {
              const p = heap.malloc(size);
              live.set(p, { size, tag: ++tag & 0xff });
              storeU8(p + size - 1, tag & 0xff);
            } else if (kind === 1) {
              heap.free(victim);
              live.delete(victim);
              freed.push(victim);
            } else {
              const { size: old, tag: t } = live.get(victim)!;
              const q = heap.realloc(victim, size);
              live.delete(victim);
              live.set(q, { size, tag: t });
              expect(loadU8(q + Math.min(old, size) - 1)).toBe(heap.bytes(q)[Math.min(old, size) - 1]);
              storeU8(q + size - 1, t);
              if (q !== victim) freed.push(victim);
            }
            if (live.size === 0) continue;
            // A random live block, at a random interior address: what the registry resolves is its memory.
            const [p, info] = [...live.entries()][pick % live.size]!;
            const off = pick % info.size;
            storeU8(p + off, (info.tag + off) & 0xff);
            expect(heap.bytes(p)[off]).toBe((info.tag + off) & 0xff);
            expect(loadU8(p + info.size - 1)).toBe(heap.bytes(p)[info.size - 1]);
          }
          for (const p of freed) {
            const inLive = [...live.entries()].some(([q, { size }]) => p >= q && p < q + size);
            if (!inLive) expect(() => loadU8(p)).toThrow(InvalidPointerError);
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('a moved raw block is found at its new address with its contents', () => {
    using heap = new Heap({ memory });
    const p = heap.malloc(4096);
    storeF64(p + 4088, 42);
    const q = heap.realloc(p, 1 << 20);
    expect(loadF64(q + 4088)).toBe(42);
    storeF64(q + (1 << 20) - 8, 7);
    expect(loadF64(q + (1 << 20) - 8)).toBe(7);
    heap.free(q);
  });

  it('copyBytes is memmove, fillBytes is memset (model: a plain array)', () => {
    using heap = new Heap({ memory });
    const n = 2048;
    const p = heap.malloc(n);
    const model = new Uint8Array(n);
    fillBytes(p, n, 0);
    fc.assert(
      fc.property(fc.nat(n - 1), fc.nat(n - 1), fc.nat(n), fc.nat(255), (dst, src, len, byte) => {
        len = Math.min(len, n - dst, n - src);
        copyBytes(p + dst, p + src, len);
        model.copyWithin(dst, src, src + len);
        fillBytes(p + src, Math.min(3, n - src), byte);
        model.fill(byte, src, Math.min(src + 3, n));
        expect(heap.bytes(p)).toEqual(model);
      }),
      { numRuns: 200 },
    );
    heap.free(p);
  });
});
