// Bad input (lib/errors.ts: "a call that throws leaves the heap exactly as it
// was"). Every bad size, pointer, domain, allocator and range gets its typed
// error, and afterwards the stats, the contents of the live blocks and the
// heap's invariants are what they were. Out of memory keeps every earlier
// block intact.
import { afterEach, describe, expect, it } from 'vitest';
import {
  DisposedError,
  Domain,
  DoubleFreeError,
  Heap,
  InvalidArgumentError,
  InvalidPointerError,
  MAX_REQUEST,
  type MemAllocator,
  OutOfMemoryError,
  PymemError,
  RAW_BASE,
  SMALL_LIMIT,
  isSmallPointer,
  fakeArenaAllocator,
  fakeRawMemory,
  pymallocViolations,
} from '../lib/index.js';

const PROFILES = ['classic', 'cpython311'] as const;
const MEMORIES = ['native', 'fake'] as const;
const COMBOS = PROFILES.flatMap((profile) => MEMORIES.map((memory) => ({ profile, memory })));

/** Calls `fn` and returns what it threw (fails the test if nothing). */
function thrown(fn: () => unknown): Error {
  let result: unknown;
  try {
    result = fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error(`expected a throw, but the call returned ${String(result)}`);
}

/** A heap with live small and raw blocks of known contents, one freed block of each kind. */
interface Fixture {
  heap: Heap;
  /** Live blocks: small ones (24, 64, threshold bytes) then raw ones (0 and 2000 bytes). */
  live: number[];
  small64: number;
  raw2000: number;
  freedSmall: number;
  freedRaw: number;
}

function makeFixture(heap: Heap): Fixture {
  const threshold = heap.profile.smallRequestThreshold;
  const sizes = [24, 64, threshold, 0, 2000];
  const live = sizes.map((n) => heap.malloc(n));
  live.forEach((p, i) => heap.bytes(p).fill(0x10 + i));
  const freedSmall = heap.malloc(64);
  const freedRaw = heap.malloc(3000);
  // Keep freedSmall's pool in use (a neighbour stays live), then free both.
  heap.free(freedSmall);
  heap.free(freedRaw);
  return { heap, live, small64: live[1]!, raw2000: live[4]!, freedSmall, freedRaw };
}

/** What must not change: the stats text and every live block's bytes. */
function snapshot(f: Fixture): { stats: string; contents: number[][] } {
  return {
    stats: JSON.stringify(f.heap.debugMallocStats()),
    contents: f.live.map((p) => Array.from(f.heap.read(p, 0, f.heap.usableSize(p)))),
  };
}

describe.each(COMBOS)('bad input, $profile profile, $memory memory', ({ profile, memory }) => {
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

  /** Runs `call`, expects it to throw `type`, and the fixture to be unchanged and valid. */
  const rejects = (f: Fixture, call: () => unknown, type: new (...args: never[]) => Error): Error => {
    const before = snapshot(f);
    const error = thrown(call);
    expect(error).toBeInstanceOf(type);
    expect(snapshot(f)).toEqual(before);
    expect(pymallocViolations(f.heap.pymalloc)).toEqual([]);
    return error;
  };
  /** Like rejects, for errors that must be InvalidPointerError but not DoubleFreeError. */
  const rejectsAsForeign = (f: Fixture, call: () => unknown): void => {
    expect(rejects(f, call, InvalidPointerError)).not.toBeInstanceOf(DoubleFreeError);
  };

  const badSizes: [string, unknown][] = [
    ['-1', -1],
    ['1.5', 1.5],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['2**53', 2 ** 53],
    ['MAX_REQUEST + 1', MAX_REQUEST + 1],
    ["'8'", '8'],
    ['undefined', undefined],
    ['null', null],
    ['{}', {}],
    ['8n', 8n],
  ];

  it.each(badSizes)('refuses size %s in malloc, calloc and realloc', (_name, bad) => {
    const f = makeFixture(open());
    const { heap } = f;
    const size = bad as number;
    for (const call of [
      () => heap.malloc(size),
      () => heap.malloc(size, Domain.MEM),
      () => heap.malloc(size, Domain.RAW),
      () => heap.calloc(size, 8),
      () => heap.calloc(8, size),
      () => heap.realloc(f.small64, size),
      () => heap.realloc(f.raw2000, size),
      () => heap.realloc(0, size),
    ]) {
      const error = rejects(f, call, InvalidArgumentError);
      expect(error.message).toMatch(/(size|nelem|elsize) must be an integer from 0 to 281474976710655, got /);
    }
  });

  it('refuses a calloc whose product exceeds MAX_REQUEST', () => {
    const f = makeFixture(open());
    for (const [nelem, elsize] of [[2 ** 25, 2 ** 24], [MAX_REQUEST, 2], [2 ** 47, 4]]) {
      const error = rejects(f, () => f.heap.calloc(nelem!, elsize!), InvalidArgumentError);
      expect(error.message).toContain('nelem * elsize must be at most');
    }
  });

  it('reports a freed small block as a double free, in free and realloc', () => {
    const f = makeFixture(open());
    for (const call of [() => f.heap.free(f.freedSmall), () => f.heap.realloc(f.freedSmall, 8), () => f.heap.realloc(f.freedSmall, 5000)]) {
      const error = rejects(f, call, DoubleFreeError) as DoubleFreeError;
      expect(error.pointer).toBe(f.freedSmall);
    }
  });

  it('refuses a freed raw block', () => {
    const f = makeFixture(open());
    rejects(f, () => f.heap.free(f.freedRaw), InvalidPointerError);
    rejects(f, () => f.heap.realloc(f.freedRaw, 100), InvalidPointerError);
  });

  it('refuses interior pointers as invalid, not as double frees', () => {
    const f = makeFixture(open());
    for (const p of [f.small64, f.raw2000]) {
      for (const q of [p + 16, p + 1, p + 8]) {
        rejectsAsForeign(f, () => f.heap.free(q));
        rejectsAsForeign(f, () => f.heap.realloc(q, 10));
      }
    }
  });

  it('refuses pointers into pymalloc\'s range that are no block', () => {
    const f = makeFixture(open());
    const { arenaSize, poolSize } = f.heap.profile;
    const arena0 = f.heap.pymalloc.arenas[0]!.vbase; // the first arena's span
    const sentinels = f.heap.pymalloc.sentinel(0); // the usedpools sentinels' span
    for (const q of [
      sentinels,
      sentinels + 16,
      arena0, // a pool header
      arena0 + 40,
      arena0 + 60 * poolSize + 48, // a pool never carved
      SMALL_LIMIT - arenaSize + 48, // a span no arena holds
      SMALL_LIMIT + 48, // above the small range, below the raw one
      RAW_BASE + 2 ** 47 + 48, // a raw pointer no block has
      2 ** 53 - 1,
    ]) {
      rejectsAsForeign(f, () => f.heap.free(q));
      rejectsAsForeign(f, () => f.heap.realloc(q, 10));
    }
  });

  it.each([
    ['a random large number', 123_456_789_012],
    ['a number near 2^50', 2 ** 50 + 48],
    ['a small number', 4096],
    ['a negative number', -8],
    ['a fraction', 1.5],
    ['2^53', 2 ** 53],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['a string', '0x1000'],
    ['undefined', undefined],
    ['null', null],
    ['an object', {}],
  ])('refuses %s as a pointer', (_name, bad) => {
    const f = makeFixture(open());
    rejectsAsForeign(f, () => f.heap.free(bad as number));
    rejectsAsForeign(f, () => f.heap.realloc(bad as number, 10));
  });

  it('refuses the string form of a live pointer', () => {
    const f = makeFixture(open());
    rejectsAsForeign(f, () => f.heap.free(String(f.small64) as unknown as number));
  });

  it('refuses a pymalloc pointer freed through the RAW domain', () => {
    const f = makeFixture(open());
    rejects(f, () => f.heap.free(f.small64, Domain.RAW), InvalidPointerError);
  });

  it('refuses another heap\'s block where this heap has no live block', () => {
    const f = makeFixture(open());
    const other = open();
    // The fifth block of the first pool: past what this heap carved in its own first pool.
    const foreign = [1, 2, 3, 4, 5].map(() => other.malloc(24))[4]!;
    const error = rejects(f, () => f.heap.free(foreign), InvalidPointerError);
    expect(error).toBeInstanceOf(PymemError);
    expect(other.usableSize(foreign)).toBeGreaterThanOrEqual(24);
  });

  // Pointers are per-heap spans: one arena offset is a different number in
  // each heap. Another heap's block at exactly the arena offset of a live
  // block of this heap (same size, same pool, same slot) must be refused and
  // leave both blocks alone: a check that resolved a pointer by its offset in
  // an arena, or by this heap's arena of the same ordinal, would free
  // f.live[0] instead.
  it('refuses another heap\'s small block at the arena offset of a live block of this heap', () => {
    const f = makeFixture(open());
    const other = open();
    const foreign = other.malloc(24);
    other.bytes(foreign).fill(0xee);
    const mine = f.live[0]!;
    expect(foreign).not.toBe(mine);
    expect(other.pymalloc.arenaOf(foreign)!.offset).toBe(f.heap.pymalloc.arenaOf(mine)!.offset);
    expect(other.pymalloc.arenaOf(foreign)!.arena.ordinal).toBe(f.heap.pymalloc.arenaOf(mine)!.arena.ordinal);
    const otherBefore = JSON.stringify(other.debugMallocStats());
    const error = rejects(f, () => f.heap.free(foreign), PymemError);
    expect(error).toBeInstanceOf(InvalidPointerError);
    rejects(f, () => f.heap.realloc(foreign, 100), InvalidPointerError);
    expect(JSON.stringify(other.debugMallocStats())).toBe(otherBefore);
    expect(other.read(foreign, 0, 24).every((b) => b === 0xee)).toBe(true);
  });

  it('refuses another heap\'s raw block', () => {
    const f = makeFixture(open());
    const other = open();
    const foreign = other.malloc(5000);
    other.bytes(foreign).fill(0xee);
    const otherBefore = JSON.stringify(other.debugMallocStats());
    rejects(f, () => f.heap.free(foreign), InvalidPointerError);
    rejects(f, () => f.heap.realloc(foreign, 10), InvalidPointerError);
    expect(JSON.stringify(other.debugMallocStats())).toBe(otherBefore);
    expect(other.read(foreign, 0, 5000).every((b) => b === 0xee)).toBe(true);
    other.free(foreign);
  });

  it('treats free(0) as a no-op', () => {
    const f = makeFixture(open());
    const before = snapshot(f);
    f.heap.free(0);
    f.heap.free(0, Domain.RAW);
    f.heap.free(0, Domain.MEM);
    expect(snapshot(f)).toEqual(before);
  });

  it.each([
    ['3', 3],
    ['-1', -1],
    ['1.5', 1.5],
    ["'OBJ'", 'OBJ'],
    ['null', null],
    ['NaN', NaN],
  ])('refuses domain %s', (_name, bad) => {
    const f = makeFixture(open());
    const d = bad as Domain;
    for (const call of [
      () => f.heap.malloc(8, d),
      () => f.heap.calloc(1, 8, d),
      () => f.heap.realloc(f.small64, 8, d),
      () => f.heap.realloc(0, 8, d),
      () => f.heap.free(f.small64, d),
      () => f.heap.free(f.raw2000, d),
      () => f.heap.getAllocator(d),
      () => f.heap.setAllocator(d, f.heap.pymalloc),
    ]) {
      const error = rejects(f, call, InvalidArgumentError);
      expect(error.message).toContain('domain must be Domain.RAW, Domain.MEM or Domain.OBJ');
    }
  });

  it('refuses an allocator with a missing function', () => {
    const f = makeFixture(open());
    const { heap } = f;
    const base = heap.getAllocator(Domain.OBJ);
    const whole: MemAllocator = {
      malloc: (n) => base.malloc(n),
      calloc: (a, b) => base.calloc(a, b),
      realloc: (p, n) => base.realloc(p, n),
      free: (p) => base.free(p),
    };
    for (const missing of ['malloc', 'calloc', 'realloc', 'free'] as const) {
      const partial: Partial<MemAllocator> = { ...whole };
      delete partial[missing];
      for (const d of [Domain.RAW, Domain.MEM, Domain.OBJ]) {
        const before = heap.getAllocator(d);
        const error = rejects(f, () => heap.setAllocator(d, partial as MemAllocator), InvalidArgumentError);
        expect(error.message).toContain(`${missing} is undefined`);
        expect(heap.getAllocator(d)).toBe(before);
      }
    }
    for (const bad of [null, undefined, {}, 42, { ...whole, free: 'free' }]) {
      rejects(f, () => heap.setAllocator(Domain.OBJ, bad as MemAllocator), InvalidArgumentError);
    }
    expect(heap.getAllocator(Domain.OBJ)).toBe(heap.pymalloc);
  });

  describe('byte access', () => {
    it('refuses ranges that leave the block', () => {
      const f = makeFixture(open());
      const { heap } = f;
      for (const p of [f.small64, f.raw2000]) {
        const n = heap.usableSize(p);
        expect(heap.read(p, n, 0)).toHaveLength(0);
        expect(heap.bytes(p)).toHaveLength(n);
        expect(heap.dataView(p).byteLength).toBe(n);
        for (const [offset, length] of [[n, 1], [0, n + 1], [n + 1, 0], [-1, 1], [1.5, 1], [0, NaN], [0, -1], [2 ** 53, 1]]) {
          rejects(f, () => heap.read(p, offset!, length!), InvalidArgumentError);
        }
        for (const [offset, length] of [[n - 1, 2], [0, n + 1], [n + 1, 0], [-1, 1]]) {
          rejects(f, () => heap.write(p, offset!, new Uint8Array(length!).fill(0xff)), InvalidArgumentError);
        }
        rejects(f, () => heap.write(p, 0, [1, 2, 3] as unknown as Uint8Array), InvalidArgumentError);
        rejects(f, () => heap.write(p, 0, 'abc' as unknown as Uint8Array), InvalidArgumentError);
      }
    });

    it('reads and writes inside the block', () => {
      const f = makeFixture(open());
      const { heap } = f;
      const p = f.small64;
      heap.write(p, 60, new Uint8Array([1, 2, 3, 4]));
      expect([...heap.read(p, 58, 6)]).toEqual([0x11, 0x11, 1, 2, 3, 4]);
      heap.dataView(p).setUint32(0, 0xdeadbeef, true);
      expect([...heap.read(p, 0, 4)]).toEqual([0xef, 0xbe, 0xad, 0xde]);
    });

    it('refuses a freed block', () => {
      const f = makeFixture(open());
      const { heap } = f;
      const data = new Uint8Array([9]);
      for (const call of [
        () => heap.bytes(f.freedSmall),
        () => heap.dataView(f.freedSmall),
        () => heap.usableSize(f.freedSmall),
        () => heap.read(f.freedSmall, 0, 1),
        () => heap.write(f.freedSmall, 0, data),
      ]) {
        rejects(f, call, DoubleFreeError);
      }
      for (const call of [
        () => heap.bytes(f.freedRaw),
        () => heap.dataView(f.freedRaw),
        () => heap.usableSize(f.freedRaw),
        () => heap.read(f.freedRaw, 0, 1),
        () => heap.write(f.freedRaw, 0, data),
      ]) {
        rejects(f, call, InvalidPointerError);
      }
      for (const q of [f.small64 + 8, f.small64 + 1, -1, 1.5, f.heap.pymalloc.sentinel(0)]) {
        rejectsAsForeign(f, () => heap.bytes(q));
        rejectsAsForeign(f, () => heap.read(q, 0, 1));
      }
    });
  });

  describe('a disposed heap', () => {
    it('refuses every allocation and access with a PymemError', () => {
      const heap = open();
      const small = heap.malloc(24);
      const raw = heap.malloc(2000);
      heap.free(raw); // raw blocks are the caller's to free before dispose
      heap.dispose();
      heap.dispose(); // twice is harmless
      for (const call of [
        () => heap.malloc(8),
        () => heap.malloc(2000),
        () => heap.calloc(1, 8),
        () => heap.realloc(small, 100),
        () => heap.realloc(0, 8),
        () => heap.free(small),
        () => heap.free(0),
        () => heap.usableSize(small),
        () => heap.bytes(small),
        () => heap.read(small, 0, 1),
        () => heap.write(small, 0, new Uint8Array(1)),
        () => heap.dataView(small),
      ]) {
        const error = thrown(call);
        expect(error).toBeInstanceOf(PymemError);
        expect(error.message).toBe('this heap was disposed');
      }
    });

    it('an allocator kept from getAllocator refuses every call after dispose (DisposedError), so nothing is handed out twice', () => {
      const heap = open();
      const kept = [Domain.RAW, Domain.MEM, Domain.OBJ].map((d) => heap.getAllocator(d));
      const small = heap.malloc(24);
      heap.dispose();
      for (const a of kept) {
        for (const call of [() => a.malloc(16), () => a.malloc(5000), () => a.calloc(2, 8), () => a.realloc(0, 8), () => a.free(small)]) {
          expect(thrown(call)).toBeInstanceOf(DisposedError);
        }
      }
      using next = open();
      const p = next.malloc(24);
      expect(thrown(() => kept[Domain.OBJ]!.free(p))).toBeInstanceOf(DisposedError);
      next.free(p);
    });

    it('refuses stats instead of reading unmapped arenas', () => {
      const heap = open();
      heap.malloc(24);
      heap.dispose();
      expect(thrown(() => heap.debugMallocStats())).toBeInstanceOf(PymemError);
      expect(thrown(() => heap.formatDebugMallocStats())).toBeInstanceOf(PymemError);
    });
  });
});

describe.each(PROFILES)('out of memory, %s profile', (profile) => {
  const limitHeap = (arenaLimit: number, rawLimit: number): Heap =>
    new Heap({ profile, memory: { arenas: fakeArenaAllocator(arenaLimit), raw: fakeRawMemory(rawLimit) } });

  it('throws OutOfMemoryError, keeps every earlier block, and recovers after frees', () => {
    const probe = new Heap({ profile, memory: 'fake' });
    const { arenaSize, smallRequestThreshold: threshold } = probe.profile;
    probe.dispose();
    const heap = limitHeap(2 * arenaSize, 256 * 1024);
    try {
      const live = new Map<number, { size: number; fill: number }>();
      let i = 0;
      const allocate = (size: number): number => {
        const p = i % 3 === 0 ? heap.calloc(1, size) : heap.malloc(size);
        const fill = (i++ % 250) + 1;
        heap.bytes(p).fill(fill, 0, size);
        live.set(p, { size, fill });
        return p;
      };
      // Phase 1: small requests until both arenas are full and pymalloc falls back to raw memory.
      const small = [16, 200, threshold, 40];
      while (isSmallPointer(allocate(small[i % small.length]!))) expect(i).toBeLessThan(1_000_000);
      expect(heap.debugMallocStats()).toMatchObject({ arenasAllocatedCurrent: 2, unusedPools: 0, rawAllocatedBlocks: 1 });
      // Phase 2: anything, until the raw memory runs out too.
      const sizes = [16, 200, threshold, 0, 1000, 3000, 40, threshold + 1];
      let error: Error | undefined;
      while (error === undefined) {
        const size = sizes[i % sizes.length]!;
        const before = JSON.stringify(heap.debugMallocStats());
        try {
          allocate(size);
        } catch (e) {
          error = e as Error;
          expect(error).toBeInstanceOf(OutOfMemoryError);
          expect((error as OutOfMemoryError).requested).toBe(size);
          expect(error.message).toBe(`out of memory: the OS refused ${size} bytes`);
          expect(JSON.stringify(heap.debugMallocStats())).toBe(before);
        }
        expect(i).toBeLessThan(1_000_000);
      }

      // realloc and calloc fail the same way; the block being resized survives.
      const [victim, info] = [...live].find(([p]) => isSmallPointer(p))!;
      const before = JSON.stringify(heap.debugMallocStats());
      expect(thrown(() => heap.realloc(victim, 200_000))).toBeInstanceOf(OutOfMemoryError);
      expect(thrown(() => heap.calloc(1000, 1000))).toBeInstanceOf(OutOfMemoryError);
      expect(thrown(() => heap.malloc(300_000, Domain.RAW))).toBeInstanceOf(OutOfMemoryError);
      expect(JSON.stringify(heap.debugMallocStats())).toBe(before);
      expect(heap.usableSize(victim)).toBeGreaterThanOrEqual(info.size);

      for (const [p, { size, fill }] of live) {
        if (size > 0 && !heap.read(p, 0, size).every((b) => b === fill)) expect.fail(`block ${p} of ${size} bytes changed`);
      }
      expect(pymallocViolations(heap.pymalloc)).toEqual([]);

      for (const p of live.keys()) heap.free(p);
      const after = heap.debugMallocStats();
      expect(after.classes).toEqual([]);
      expect(after.rawAllocatedBlocks).toBe(0);
      expect(after.arenasAllocatedCurrent).toBe(1);
      expect(pymallocViolations(heap.pymalloc)).toEqual([]);
      // Memory is back: what failed before succeeds now.
      heap.free(heap.malloc(3000));
      heap.free(heap.realloc(heap.malloc(16), 100_000));
      expect(heap.debugMallocStats().rawAllocatedBlocks).toBe(0);
    } finally {
      heap.dispose();
    }
  });

  it('falls back to the raw allocator when no arena can be mapped', () => {
    const heap = limitHeap(0, 1 << 20);
    try {
      const p = heap.malloc(16);
      expect(isSmallPointer(p)).toBe(false);
      const stats = heap.debugMallocStats();
      expect(stats.arenasAllocatedTotal).toBe(0);
      expect(stats.rawAllocatedBlocks).toBe(1);
      heap.free(p);
      expect(heap.debugMallocStats().rawAllocatedBlocks).toBe(0);
    } finally {
      heap.dispose();
    }
  });

  it('throws OutOfMemoryError when neither arenas nor raw memory are left, changing nothing', () => {
    const heap = limitHeap(0, 0);
    try {
      for (const call of [() => heap.malloc(16), () => heap.malloc(0), () => heap.calloc(2, 8), () => heap.realloc(0, 16)]) {
        expect(thrown(call)).toBeInstanceOf(OutOfMemoryError);
      }
      const stats = heap.debugMallocStats();
      expect(stats.arenasAllocatedTotal).toBe(0);
      expect(stats.rawAllocatedBlocks).toBe(0);
      expect(pymallocViolations(heap.pymalloc)).toEqual([]);
    } finally {
      heap.dispose();
    }
  });
});
