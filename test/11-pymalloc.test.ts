// pymalloc (lib/allocator/pymalloc.ts) behaves as Objects/obmalloc.c of
// CPython 3.11: size classes, block placement inside pools, LIFO free lists,
// the usedpools ring, pool reuse, the usable-arenas order, realloc's 25 %
// rule, calloc, and returning arenas to the OS. Checked from outside, through
// debugMallocStats() and the arena/offset behind each pointer, over both
// profiles and both memories.
import { afterEach, describe, expect, it } from 'vitest';
import { Heap, type MallocStats, RAW_BASE, isSmallPointer, pymallocViolations } from '../lib/index.js';

const PROFILES = ['classic', 'cpython311'] as const;
const MEMORIES = ['native', 'fake'] as const;

/** Blocks in use per size class, from the stats' class table. */
function inUse(stats: MallocStats): Record<number, number> {
  return Object.fromEntries(stats.classes.map((c) => [c.sizeClass, c.blocksInUse]));
}

/** Stats without the arena-map counts (which depend on the real arena addresses). */
function withoutArenaMap(stats: MallocStats): Partial<MallocStats> {
  const copy: Partial<MallocStats> = { ...stats };
  delete copy.arenaMap;
  return copy;
}

describe.each(PROFILES.flatMap((profile) => MEMORIES.map((memory) => ({ profile, memory }))))(
  'pymalloc, $profile profile, $memory memory',
  ({ profile, memory }) => {
    let heaps: Heap[] = [];
    const open = (checkFree = true): Heap => {
      const heap = new Heap({ profile, memory, checkFree });
      heaps.push(heap);
      return heap;
    };
    afterEach(() => {
      for (const h of heaps) h.dispose();
      heaps = [];
    });

    /** The invariants every scenario must leave behind. */
    const expectConsistent = (heap: Heap): void => {
      expect(pymallocViolations(heap.pymalloc)).toEqual([]);
      const s = heap.debugMallocStats();
      expect(s.total).toBe(s.arenasAllocatedCurrent * s.arenaSize);
      expect(s.arenasAllocatedTotal - s.arenasReclaimed).toBe(s.arenasAllocatedCurrent);
    };
    /** Arena index and pool number (from the first pool) of a pymalloc pointer. */
    const where = (heap: Heap, p: number): { arena: number; pool: number; offset: number } => {
      const at = heap.pymalloc.arenaOf(p);
      if (at === null) throw new Error(`${p} is not in an arena`);
      const first = heap.pymalloc.firstPoolOffset(at.arena);
      return { arena: at.arena.index, pool: Math.floor((at.offset - first) / heap.profile.poolSize), offset: at.offset };
    };

    it('puts size n in 1..threshold in class (n-1) >> shift, with that class\'s block size', () => {
      const heap = open();
      const { smallRequestThreshold: threshold, alignmentShift: shift } = heap.profile;
      for (let n = 1; n <= threshold; n++) {
        const p = heap.malloc(n);
        const c = (n - 1) >> shift;
        expect(isSmallPointer(p)).toBe(true);
        expect(heap.usableSize(p)).toBe((c + 1) << shift);
        expect(inUse(heap.debugMallocStats())).toEqual({ [c]: 1 });
        heap.free(p);
      }
      expectConsistent(heap);
    });

    it('sends 0 and requests above the threshold to the raw allocator', () => {
      const heap = open();
      const threshold = heap.profile.smallRequestThreshold;
      const sizes = [0, threshold + 1, threshold + heap.profile.alignment, 4096, 100_000];
      const ptrs = sizes.map((n) => heap.malloc(n));
      for (const [i, p] of ptrs.entries()) {
        expect(p).toBeGreaterThan(0);
        expect(isSmallPointer(p)).toBe(false);
        expect(heap.pymalloc.arenaOf(p)).toBeNull();
        expect(heap.addressOf(p)).toBe(p - RAW_BASE);
        expect(heap.usableSize(p)).toBe(Math.max(sizes[i]!, 1));
      }
      let stats = heap.debugMallocStats();
      expect(stats.rawAllocatedBlocks).toBe(sizes.length);
      expect(stats.classes).toEqual([]);
      expect(stats.arenasAllocatedTotal).toBe(0);
      heap.free(ptrs[1]!);
      expect(heap.debugMallocStats().rawAllocatedBlocks).toBe(sizes.length - 1);
      for (const p of [ptrs[0]!, ...ptrs.slice(2)]) heap.free(p);
      stats = heap.debugMallocStats();
      expect(stats.rawAllocatedBlocks).toBe(0);
      expectConsistent(heap);
    });

    it('places the first block right after the first pool header and the next one a block further', () => {
      const heap = open();
      const a = heap.malloc(24);
      const b = heap.malloc(24);
      const size = heap.usableSize(a);
      const at = heap.pymalloc.arenaOf(a)!;
      expect(heap.profile.poolOverhead).toBe(48);
      expect(at.offset).toBe(48);
      expect(heap.addressOf(a)).toBe(at.arena.address + 48);
      expect(at.arena.address % heap.profile.arenaSize).toBe(0);
      expect(b - a).toBe(size);
      expect(heap.addressOf(b)).toBe(heap.addressOf(a) + size);
      // A block of another class starts a pool of its own: the next pool.
      const c = heap.malloc(200);
      expect(where(heap, c)).toEqual({ arena: at.arena.index, pool: 1, offset: heap.profile.poolSize + 48 });
      const stats = heap.debugMallocStats();
      expect(stats.arenasAllocatedCurrent).toBe(1);
      expect(stats.unusedPools).toBe(heap.profile.maxPoolsInArena - 2);
      expectConsistent(heap);
    });

    it('reuses freed blocks first, last freed first (LIFO free list)', () => {
      const heap = open();
      const [a, b, c] = [heap.malloc(16), heap.malloc(16), heap.malloc(16)];
      heap.free(a!);
      heap.free(b!);
      expect(heap.malloc(16)).toBe(b);
      expect(heap.malloc(16)).toBe(a);
      // The free list is empty again: the next never-used block follows c.
      expect(heap.malloc(16)).toBe(c! + heap.usableSize(c!));
      expectConsistent(heap);
    });

    it('reuses an emptied pool before carving a never-used one', () => {
      const heap = open();
      const p0 = heap.malloc(8); // pool 0
      const p1 = heap.malloc(100); // pool 1
      expect(where(heap, p0).pool).toBe(0);
      expect(where(heap, p1).pool).toBe(1);
      heap.free(p0); // pool 0 is empty, on its arena's freepools
      expect(heap.debugMallocStats().unusedPools).toBe(heap.profile.maxPoolsInArena - 1);
      // Same class: the pool's header and free list are still set up, so the freed block comes back.
      expect(heap.malloc(8)).toBe(p0);
      heap.free(p0);
      // Another class: pool 0 is re-initialised for it, first block after the header.
      const q = heap.malloc(300);
      expect(where(heap, q)).toEqual({ arena: where(heap, p0).arena, pool: 0, offset: 48 });
      expect(inUse(heap.debugMallocStats())).toEqual({
        [(100 - 1) >> heap.profile.alignmentShift]: 1,
        [(300 - 1) >> heap.profile.alignmentShift]: 1,
      });
      expectConsistent(heap);
    });

    it('moves a full pool that gets a free block to the front of its class ring', () => {
      const heap = open();
      const n = heap.profile.smallRequestThreshold;
      const perPool = heap.pymalloc.numBlocks(heap.profile.numClasses - 1);
      const ptrs = Array.from({ length: 2 * perPool + 1 }, () => heap.malloc(n));
      expect(ptrs.map((p) => where(heap, p).pool)).toEqual([
        ...Array<number>(perPool).fill(0),
        ...Array<number>(perPool).fill(1),
        2,
      ]);
      // Pool 2 is the only used pool; pools 0 and 1 are full and on no list.
      // Freeing into pool 1, then pool 0, puts them in front: ring 0, 1, 2.
      const in1 = ptrs[perPool + 3]!;
      const in0 = ptrs[2]!;
      heap.free(in1);
      heap.free(in0);
      expect(heap.malloc(n)).toBe(in0); // pool 0 is full again and leaves the ring
      expect(heap.malloc(n)).toBe(in1); // then pool 1
      expect(where(heap, heap.malloc(n)).pool).toBe(2);
      expect(heap.debugMallocStats().classes).toEqual([
        expect.objectContaining({ numPools: 3, blocksInUse: 2 * perPool + 2, availBlocks: perPool - 2 }),
      ]);
      expectConsistent(heap);
    });

    describe('realloc', () => {
      const fill = (heap: Heap, p: number, n: number): void => {
        const b = heap.bytes(p);
        for (let i = 0; i < n; i++) b[i] = (i * 7 + 1) & 0xff;
      };
      const expectFilled = (heap: Heap, p: number, n: number): void => {
        const b = heap.read(p, 0, n);
        for (let i = 0; i < n; i++) if (b[i] !== ((i * 7 + 1) & 0xff)) expect.fail(`byte ${i} of ${p} changed`);
      };

      it('keeps the block when growing within the class or shrinking by less than 25 %', () => {
        const heap = open();
        const align = heap.profile.alignment;
        const size = 8 * align; // 64 (classic) or 128 (cpython311)
        const p = heap.malloc(size - align + 1);
        fill(heap, p, size - align + 1);
        expect(heap.usableSize(p)).toBe(size);
        expect(heap.realloc(p, size)).toBe(p); // grows within the class
        // shrinking: kept while 4 * n > 3 * size
        const keep = Math.floor((3 * size) / 4) + 1;
        expect(heap.realloc(p, keep)).toBe(p);
        expect(heap.realloc(p, size - 1)).toBe(p);
        expectFilled(heap, p, size - align + 1);
        expect(heap.debugMallocStats().classes).toHaveLength(1);
        expectConsistent(heap);
      });

      it('moves the block, keeping its contents, when it grows past the class or shrinks by 25 % or more', () => {
        const heap = open();
        const size = 8 * heap.profile.alignment;
        const p = heap.malloc(size);
        fill(heap, p, size);
        const shrunk = heap.realloc(p, (3 * size) / 4); // 4n == 3 size: moves
        expect(shrunk).not.toBe(p);
        expect(heap.usableSize(shrunk)).toBe((3 * size) / 4);
        expectFilled(heap, shrunk, (3 * size) / 4);
        const grown = heap.realloc(shrunk, size + 1);
        expect(grown).not.toBe(shrunk);
        expect(heap.usableSize(grown)).toBe(size + heap.profile.alignment);
        expectFilled(heap, grown, (3 * size) / 4);
        // Past the threshold: a raw block, contents carried over.
        fill(heap, grown, size + 1);
        const large = heap.realloc(grown, 10_000);
        expect(isSmallPointer(large)).toBe(false);
        expectFilled(heap, large, size + 1);
        let stats = heap.debugMallocStats();
        expect(stats.classes).toEqual([]);
        expect(stats.rawAllocatedBlocks).toBe(1);
        // A raw block stays raw when it shrinks below the threshold (PyMem_RawRealloc), contents kept.
        const small = heap.realloc(large, 16);
        expect(isSmallPointer(small)).toBe(false);
        expectFilled(heap, small, 16);
        heap.free(small);
        stats = heap.debugMallocStats();
        expect(stats.rawAllocatedBlocks).toBe(0);
        expectConsistent(heap);
      });

      it('turns realloc(p, 0) into a raw block and realloc(0, n) into malloc', () => {
        const heap = open();
        const p = heap.malloc(40);
        const zero = heap.realloc(p, 0);
        expect(zero).toBeGreaterThan(0);
        expect(isSmallPointer(zero)).toBe(false);
        let stats = heap.debugMallocStats();
        expect(stats.classes).toEqual([]);
        expect(stats.rawAllocatedBlocks).toBe(1);
        heap.free(zero);
        const fresh = heap.realloc(0, 40);
        expect(fresh).toBe(p); // pool 0 still holds its class; its free list hands p out again
        stats = heap.debugMallocStats();
        expect(stats.rawAllocatedBlocks).toBe(0);
        expect(inUse(stats)).toEqual({ [(40 - 1) >> heap.profile.alignmentShift]: 1 });
        expectConsistent(heap);
      });
    });

    it('zeroes calloc blocks, including reused ones', () => {
      const heap = open();
      for (const [nelem, elsize] of [[1, 64], [3, 7], [8, 64], [1, heap.profile.smallRequestThreshold]] as const) {
        const n = nelem * elsize;
        const p = heap.malloc(n);
        heap.bytes(p).fill(0xa5);
        heap.free(p); // its first word now holds a free-list link
        const q = heap.calloc(nelem, elsize);
        expect(q).toBe(p);
        expect(heap.read(q, 0, n).every((b) => b === 0)).toBe(true);
        heap.free(q);
      }
      const big = heap.calloc(10, 1000);
      expect(isSmallPointer(big)).toBe(false);
      expect(heap.read(big, 0, 10_000).every((b) => b === 0)).toBe(true);
      heap.free(big);
      expectConsistent(heap);
    });

    it('returns every emptied arena to the OS but the last one', () => {
      const heap = open();
      const n = heap.profile.smallRequestThreshold;
      const ptrs: number[] = [];
      while (heap.debugMallocStats().arenasAllocatedCurrent < 3) ptrs.push(heap.malloc(n));
      const perArena = heap.profile.maxPoolsInArena * heap.pymalloc.numBlocks(heap.profile.numClasses - 1);
      expect(ptrs.length).toBe(2 * perArena + 1);
      // Fill the third arena too.
      while (ptrs.length < 3 * perArena) ptrs.push(heap.malloc(n));
      expect(heap.debugMallocStats()).toMatchObject({ arenasAllocatedCurrent: 3, unusedPools: 0 });
      expectConsistent(heap);
      for (const p of ptrs) heap.free(p);
      const stats = heap.debugMallocStats();
      expect(stats).toMatchObject({
        classes: [],
        arenasAllocatedTotal: 3,
        arenasReclaimed: 2,
        arenasHighwater: 3,
        arenasAllocatedCurrent: 1,
        unusedPools: heap.profile.maxPoolsInArena,
        bytesInAllocatedBlocks: 0,
      });
      expectConsistent(heap);
      // The kept arena serves the next request: nothing new is mapped.
      heap.malloc(8);
      expect(heap.debugMallocStats().arenasAllocatedTotal).toBe(3);
      expectConsistent(heap);
    });

    it.each([
      ['arena 0', 0],
      ['arena 1', 1],
    ])('takes a new pool from the arena with the fewest free pools (%s)', (_name, fullest) => {
      const heap = open();
      const n = heap.profile.smallRequestThreshold;
      const perPool = heap.pymalloc.numBlocks(heap.profile.numClasses - 1);
      const pools = heap.profile.maxPoolsInArena;
      const ptrs = Array.from({ length: 2 * pools * perPool }, () => heap.malloc(n));
      expect(heap.debugMallocStats()).toMatchObject({ arenasAllocatedCurrent: 2, unusedPools: 0 });
      const arenaIds = [...new Set(ptrs.map((p) => where(heap, p).arena))];
      expect(arenaIds).toHaveLength(2);
      // Empty 3 pools of the fullest arena and 40 of the other one.
      const emptied = (arena: number, count: number): void => {
        for (const p of ptrs) {
          const w = where(heap, p);
          if (w.arena === arena && w.pool < count) heap.free(p);
        }
      };
      emptied(arenaIds[1 - fullest]!, 40);
      emptied(arenaIds[fullest]!, 3);
      expect(heap.debugMallocStats()).toMatchObject({ arenasAllocatedCurrent: 2, unusedPools: 43 });
      // A class with no used pool needs a new pool: it comes from the fullest arena,
      // the pool emptied last there (freepools is LIFO).
      const q = heap.malloc(8);
      expect(where(heap, q)).toEqual({ arena: arenaIds[fullest], pool: 2, offset: 2 * heap.profile.poolSize + 48 });
      expectConsistent(heap);
    });

    it('keeps the stats identity through a mixed workload', () => {
      const heap = open();
      const live: number[] = [];
      let seed = 12345;
      const rand = (k: number): number => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % k;
      };
      for (let i = 0; i < 5000; i++) {
        if (live.length > 0 && rand(3) === 0) heap.free(live.splice(rand(live.length), 1)[0]!);
        else live.push(heap.malloc(rand(2 * heap.profile.smallRequestThreshold)));
        if (i % 500 === 0) expectConsistent(heap);
      }
      const stats = heap.debugMallocStats();
      const small = stats.classes.reduce((sum, c) => sum + c.blocksInUse, 0);
      expect(small + stats.rawAllocatedBlocks).toBe(live.length);
      expect(stats.bytesInAllocatedBlocks).toBe(
        live.filter((p) => isSmallPointer(p)).reduce((sum, p) => sum + heap.usableSize(p), 0),
      );
      expectConsistent(heap);
      for (const p of live) heap.free(p);
      expect(heap.debugMallocStats().classes).toEqual([]);
      expectConsistent(heap);
    });

    it('behaves the same with checkFree off for valid use', () => {
      const placement = (heap: Heap, p: number): string => {
        const at = heap.pymalloc.arenaOf(p)!;
        return `${at.arena.ordinal}+${at.offset}`;
      };
      const script = (heap: Heap): unknown[] => {
        const out: unknown[] = [];
        const live: number[] = [];
        for (let i = 0; i < 3000; i++) {
          const size = (i * 37) % (heap.profile.smallRequestThreshold + 200);
          if (i % 3 === 2) {
            const p = live.splice((i * 13) % live.length, 1)[0]!;
            if (i % 9 === 2) {
              const q = heap.realloc(p, size);
              live.push(q);
              out.push(!isSmallPointer(q) ? 'raw' : placement(heap, q));
            } else heap.free(p);
          } else {
            const p = i % 5 === 0 ? heap.calloc(1, size) : heap.malloc(size);
            live.push(p);
            out.push(!isSmallPointer(p) ? 'raw' : placement(heap, p));
          }
        }
        out.push(withoutArenaMap(heap.debugMallocStats()));
        for (const p of live) heap.free(p);
        out.push(withoutArenaMap(heap.debugMallocStats()));
        return out;
      };
      const checked = open(true);
      const unchecked = open(false);
      expect(unchecked.pymalloc.checkFree).toBe(false);
      expect(script(unchecked)).toEqual(script(checked));
      expectConsistent(checked);
      expectConsistent(unchecked);
    });
  },
);
