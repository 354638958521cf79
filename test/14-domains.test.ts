// Allocator domains (lib/allocator/domains.ts, Heap.getAllocator /
// setAllocator) as PyMem_GetAllocator / PyMem_SetAllocator: a hook wraps the
// allocator it replaces and sees exactly its domain's calls; pymalloc's
// fall-back for size 0 and large requests goes through the RAW domain's
// current allocator, as CPython routes it through PyMem_RawMalloc; NULL from
// a hook is OutOfMemoryError, a throw from a hook propagates and leaves the
// heap valid.
import { afterEach, describe, expect, it } from 'vitest';
import {
  Domain,
  Heap,
  type MemAllocator,
  OutOfMemoryError,
  isSmallPointer,
  pymallocViolations,
} from '../lib/index.js';

const PROFILES = ['classic', 'cpython311'] as const;
const MEMORIES = ['native', 'fake'] as const;

type Call =
  | ['malloc', number, number]
  | ['calloc', number, number, number]
  | ['realloc', number, number, number]
  | ['free', number];

/** A hook that logs every call (arguments and result) and forwards it to `inner`. */
function counting(inner: MemAllocator, log: Call[]): MemAllocator {
  return {
    malloc(size) {
      const p = inner.malloc(size);
      log.push(['malloc', size, p]);
      return p;
    },
    calloc(nelem, elsize) {
      const p = inner.calloc(nelem, elsize);
      log.push(['calloc', nelem, elsize, p]);
      return p;
    },
    realloc(ptr, size) {
      const p = inner.realloc(ptr, size);
      log.push(['realloc', ptr, size, p]);
      return p;
    },
    free(ptr) {
      inner.free(ptr);
      log.push(['free', ptr]);
    },
  };
}

describe.each(PROFILES.flatMap((profile) => MEMORIES.map((memory) => ({ profile, memory }))))(
  'domains, $profile profile, $memory memory',
  ({ profile, memory }) => {
    let heaps: Heap[] = [];
    const open = (): Heap => {
      const heap = new Heap({ profile, memory });
      heaps.push(heap);
      return heap;
    };
    afterEach(() => {
      for (const h of heaps) h.dispose();
      heaps = [];
    });
    const expectValid = (heap: Heap): void => {
      expect(pymallocViolations(heap.pymalloc)).toEqual([]);
      const s = heap.debugMallocStats();
      expect(s.total).toBe(s.arenasAllocatedCurrent * s.arenaSize);
    };

    it('starts with RAW on the raw allocator and MEM, OBJ on pymalloc', () => {
      const heap = open();
      expect(heap.getAllocator(Domain.RAW)).toBe(heap.rawDefault);
      expect(heap.getAllocator(Domain.MEM)).toBe(heap.pymalloc);
      expect(heap.getAllocator(Domain.OBJ)).toBe(heap.pymalloc);
      // Every domain's default allocator works on its own.
      for (const d of [Domain.RAW, Domain.MEM, Domain.OBJ]) {
        const p = heap.malloc(24, d);
        expect(isSmallPointer(p)).toBe(d !== Domain.RAW);
        heap.free(heap.realloc(p, 40, d), d);
      }
      expectValid(heap);
    });

    it('shows a hook on OBJ every OBJ call and no MEM or RAW call', () => {
      const heap = open();
      const log: Call[] = [];
      const saved = heap.getAllocator(Domain.OBJ);
      heap.setAllocator(Domain.OBJ, counting(saved, log));
      const a = heap.malloc(24);
      const b = heap.calloc(4, 8);
      const c = heap.realloc(a, 200);
      const big = heap.malloc(5000);
      heap.free(b);
      heap.free(c, Domain.OBJ);
      heap.free(big);
      expect(log).toEqual([
        ['malloc', 24, a],
        ['calloc', 4, 8, b],
        ['realloc', a, 200, c],
        ['malloc', 5000, big],
        ['free', b],
        ['free', c],
        ['free', big],
      ]);
      // MEM shares pymalloc but not the hook; RAW neither.
      const m = heap.malloc(24, Domain.MEM);
      const m2 = heap.realloc(m, 100, Domain.MEM);
      heap.free(heap.calloc(2, 2, Domain.MEM), Domain.MEM);
      heap.free(m2, Domain.MEM);
      heap.free(heap.malloc(24, Domain.RAW), Domain.RAW);
      expect(log).toHaveLength(7);
      expectValid(heap);
    });

    it('shows a hook on RAW pymalloc\'s fall-back for size 0 and large requests, with the raw pointer', () => {
      const heap = open();
      const threshold = heap.profile.smallRequestThreshold;
      const log: Call[] = [];
      heap.setAllocator(Domain.RAW, counting(heap.getAllocator(Domain.RAW), log));
      const small = heap.malloc(threshold);
      expect(isSmallPointer(small)).toBe(true);
      expect(log).toEqual([]); // pymalloc served it
      const large = heap.malloc(threshold + 1);
      const zero = heap.malloc(0);
      const zeroed = heap.calloc(0, 8);
      const zeroedLarge = heap.calloc(10, 100);
      expect([large, zero, zeroed, zeroedLarge].every((p) => p > 0 && !isSmallPointer(p))).toBe(true);
      expect(log).toEqual([
        ['malloc', threshold + 1, large],
        ['malloc', 0, zero],
        ['calloc', 0, 8, zeroed],
        ['calloc', 10, 100, zeroedLarge],
      ]);
      expect(heap.debugMallocStats().rawAllocatedBlocks).toBe(4);
      log.length = 0;
      // A pymalloc block grown past the threshold: a new raw block, then pymalloc frees the small one.
      const moved = heap.realloc(small, 3000);
      // A raw block resized: PyMem_RawRealloc.
      const resized = heap.realloc(large, 10);
      heap.free(zero);
      heap.free(moved);
      expect(log).toEqual([
        ['malloc', 3000, moved],
        ['realloc', large, 10, resized],
        ['free', zero],
        ['free', moved],
      ]);
      for (const p of [resized, zeroed, zeroedLarge]) heap.free(p);
      expect(heap.debugMallocStats().rawAllocatedBlocks).toBe(0);
      expectValid(heap);
    });

    it('restores the previous behaviour when the saved allocator is put back', () => {
      const heap = open();
      const saved = { obj: heap.getAllocator(Domain.OBJ), raw: heap.getAllocator(Domain.RAW) };
      const log: Call[] = [];
      heap.setAllocator(Domain.OBJ, counting(saved.obj, log));
      heap.setAllocator(Domain.RAW, counting(saved.raw, log));
      heap.free(heap.malloc(16));
      heap.free(heap.malloc(1000));
      // OBJ malloc, OBJ free; RAW malloc, OBJ malloc (the hooks log on return); RAW free, OBJ free
      expect(log.map((c) => c[0])).toEqual(['malloc', 'free', 'malloc', 'malloc', 'free', 'free']);
      heap.setAllocator(Domain.OBJ, saved.obj);
      heap.setAllocator(Domain.RAW, saved.raw);
      expect(heap.getAllocator(Domain.OBJ)).toBe(heap.pymalloc);
      expect(heap.getAllocator(Domain.RAW)).toBe(heap.rawDefault);
      const p = heap.malloc(16);
      const q = heap.malloc(1000);
      heap.free(p);
      heap.free(q);
      expect(log).toHaveLength(6);
      expectValid(heap);
    });

    it('stacks hooks: the last one installed sees the call first', () => {
      const heap = open();
      const order: string[] = [];
      const tag = (name: string, inner: MemAllocator): MemAllocator => ({
        malloc: (n) => (order.push(name), inner.malloc(n)),
        calloc: (a, b) => inner.calloc(a, b),
        realloc: (p, n) => inner.realloc(p, n),
        free: (p) => inner.free(p),
      });
      heap.setAllocator(Domain.OBJ, tag('first', heap.getAllocator(Domain.OBJ)));
      heap.setAllocator(Domain.OBJ, tag('second', heap.getAllocator(Domain.OBJ)));
      heap.free(heap.malloc(8));
      expect(order).toEqual(['second', 'first']);
    });

    it('turns NULL from a hook into OutOfMemoryError, with nothing allocated', () => {
      const heap = open();
      const keep = heap.malloc(64);
      heap.bytes(keep).fill(0x3c);
      const before = JSON.stringify(heap.debugMallocStats());
      const obj = heap.getAllocator(Domain.OBJ);
      heap.setAllocator(Domain.OBJ, { ...obj, malloc: () => 0, calloc: () => 0, realloc: () => 0, free: (p) => obj.free(p) });
      for (const call of [() => heap.malloc(8), () => heap.calloc(1, 8), () => heap.realloc(keep, 1000), () => heap.realloc(0, 8)]) {
        let error: unknown;
        try {
          call();
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(OutOfMemoryError);
      }
      expect((() => {
        try {
          heap.malloc(77);
        } catch (e) {
          return (e as OutOfMemoryError).requested;
        }
        return -1;
      })()).toBe(77);
      heap.setAllocator(Domain.OBJ, obj);
      expect(JSON.stringify(heap.debugMallocStats())).toBe(before);
      expect(heap.read(keep, 0, 64).every((b) => b === 0x3c)).toBe(true);

      // NULL from RAW under pymalloc: large requests fail, small ones are still served.
      const raw = heap.getAllocator(Domain.RAW);
      heap.setAllocator(Domain.RAW, { ...raw, malloc: () => 0, calloc: () => 0, realloc: () => 0, free: (p) => raw.free(p) });
      expect(() => heap.malloc(5000)).toThrow(OutOfMemoryError);
      expect(() => heap.malloc(0)).toThrow(OutOfMemoryError);
      expect(() => heap.calloc(100, 100)).toThrow(OutOfMemoryError);
      expect(() => heap.realloc(keep, 5000)).toThrow(OutOfMemoryError);
      expect(heap.read(keep, 0, 64).every((b) => b === 0x3c)).toBe(true);
      expect(JSON.stringify(heap.debugMallocStats())).toBe(before);
      const small = heap.malloc(64);
      expect(isSmallPointer(small)).toBe(true);
      heap.free(small);
      heap.setAllocator(Domain.RAW, raw);
      expect(heap.debugMallocStats().rawAllocatedBlocks).toBe(0);
      expectValid(heap);
    });

    it('lets a throw from a hook propagate and leaves the heap valid', () => {
      const heap = open();
      const keep = heap.malloc(64);
      const keepRaw = heap.malloc(2000);
      heap.bytes(keep).fill(0x5a);
      const before = JSON.stringify(heap.debugMallocStats());
      const boom = new Error('hook failed');
      const raw = heap.getAllocator(Domain.RAW);
      const fail = (): never => {
        throw boom;
      };
      heap.setAllocator(Domain.RAW, { malloc: fail, calloc: fail, realloc: fail, free: fail });
      for (const call of [
        () => heap.malloc(5000),
        () => heap.malloc(0),
        () => heap.calloc(0, 1),
        () => heap.realloc(keep, 5000), // pymalloc block moving to raw memory
        () => heap.realloc(keepRaw, 10), // raw block resized
        () => heap.free(keepRaw),
        () => heap.malloc(8, Domain.RAW),
      ]) {
        expect(call).toThrow(boom);
        expect(JSON.stringify(heap.debugMallocStats())).toBe(before);
        expect(pymallocViolations(heap.pymalloc)).toEqual([]);
      }
      // pymalloc itself still works under the failing RAW hook.
      heap.free(heap.malloc(100));
      heap.setAllocator(Domain.RAW, raw);
      expect(heap.read(keep, 0, 64).every((b) => b === 0x5a)).toBe(true);
      expect(heap.usableSize(keepRaw)).toBe(2000);
      const moved = heap.realloc(keep, 5000);
      expect(heap.read(moved, 0, 64).every((b) => b === 0x5a)).toBe(true);
      heap.free(moved);
      heap.free(keepRaw);
      expect(heap.debugMallocStats()).toMatchObject({ classes: [], rawAllocatedBlocks: 0 });

      // A throwing OBJ hook: the error reaches the caller, nothing is allocated or freed.
      const obj = heap.getAllocator(Domain.OBJ);
      const p = heap.malloc(24);
      const snapshot = JSON.stringify(heap.debugMallocStats());
      heap.setAllocator(Domain.OBJ, { malloc: fail, calloc: fail, realloc: fail, free: fail });
      expect(() => heap.malloc(24)).toThrow(boom);
      expect(() => heap.free(p)).toThrow(boom);
      heap.setAllocator(Domain.OBJ, obj);
      expect(JSON.stringify(heap.debugMallocStats())).toBe(snapshot);
      heap.free(p);
      expectValid(heap);
    });
  },
);
