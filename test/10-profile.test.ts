// Profiles (lib/allocator/profile.ts): the compile-time constants of
// obmalloc.c as data. The two built-ins resolve to the derived constants
// CPython computes with macros; custom profiles that can work are accepted
// and run a heap end to end; every field that cannot work is an
// InvalidProfileError naming the field, thrown before a Heap maps anything.
import { describe, expect, it } from 'vitest';
import {
  type ArenaAllocator,
  Heap,
  InvalidArgumentError,
  InvalidProfileError,
  type Profile,
  isSmallPointer,
  classic,
  cpython311,
  fakeArenaAllocator,
  fakeRawMemory,
  profiles,
  pymallocViolations,
  resolveProfile,
} from '../lib/index.js';

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

/** An arena allocator that counts the arenas it maps. */
function countingArenas(): ArenaAllocator & { maps: number } {
  const inner = fakeArenaAllocator();
  const counter = {
    maps: 0,
    alloc(offset: number, size: number) {
      counter.maps++;
      return inner.alloc(offset, size);
    },
    free: inner.free,
  };
  return counter;
}

describe('built-in profiles', () => {
  it.each([
    ['classic', classic, { arenaSize: 256 * 1024, poolSize: 4096, alignment: 8, alignmentShift: 3, numClasses: 64, poolOverhead: 48, maxPoolsInArena: 64 }],
    ['cpython311', cpython311, { arenaSize: 1024 * 1024, poolSize: 16 * 1024, alignment: 16, alignmentShift: 4, numClasses: 32, poolOverhead: 48, maxPoolsInArena: 64 }],
  ] as const)('%s resolves to obmalloc.c\'s derived constants', (name, profile, expected) => {
    const byName = resolveProfile(name);
    expect(byName).toMatchObject({ name, smallRequestThreshold: 512, ...expected });
    expect(resolveProfile(profile)).toEqual(byName);
    expect(profiles[name]).toBe(profile);
    expect(Object.isFrozen(byName)).toBe(true);
  });

  it('defaults to classic', () => {
    expect(resolveProfile()).toEqual(resolveProfile('classic'));
    const heap = new Heap({ memory: 'fake' });
    try {
      expect(heap.profile).toEqual(resolveProfile('classic'));
    } finally {
      heap.dispose();
    }
  });
});

describe('custom profiles', () => {
  it('derives the constants of 64 KiB arenas, 8 KiB pools, 16-byte alignment, threshold 256', () => {
    const p = resolveProfile({ name: 'small', arenaSize: 64 * 1024, poolSize: 8 * 1024, alignment: 16, smallRequestThreshold: 256 });
    expect(p).toEqual({
      name: 'small',
      arenaSize: 64 * 1024,
      poolSize: 8 * 1024,
      alignment: 16,
      smallRequestThreshold: 256,
      alignmentShift: 4,
      numClasses: 16,
      poolOverhead: 48,
      maxPoolsInArena: 8,
      release: { releasePoolsAt: 0 },
    });
  });

  it('rounds the pool header up to the alignment', () => {
    const base = { name: 'wide', arenaSize: 1 << 20, poolSize: 16 * 1024, smallRequestThreshold: 1024 };
    expect(resolveProfile({ ...base, alignment: 32 }).poolOverhead).toBe(64);
    expect(resolveProfile({ ...base, alignment: 64 }).poolOverhead).toBe(64);
    expect(resolveProfile({ ...base, alignment: 128 }).poolOverhead).toBe(128);
  });

  it('names a profile without a string name "custom"', () => {
    const p = resolveProfile({ arenaSize: 8192, poolSize: 4096, alignment: 8, smallRequestThreshold: 8 } as unknown as Profile);
    expect(p.name).toBe('custom');
  });

  // Valid profiles at the edges of what resolveProfile accepts. A heap over
  // each must allocate and free: the first block sits right after the pool
  // header, sizes up to the threshold stay in pymalloc, and the heap is valid.
  const edges: Profile[] = [
    { name: 'small', arenaSize: 64 * 1024, poolSize: 8 * 1024, alignment: 16, smallRequestThreshold: 256 },
    { name: 'two-pool-arenas', arenaSize: 8192, poolSize: 4096, alignment: 8, smallRequestThreshold: 512 },
    { name: 'tiny-pools', arenaSize: 4096, poolSize: 64, alignment: 8, smallRequestThreshold: 8 },
    { name: 'big', arenaSize: 4 * 1024 * 1024, poolSize: 64 * 1024, alignment: 64, smallRequestThreshold: 4096 },
    { name: 'wide-alignment', arenaSize: 8192, poolSize: 4096, alignment: 256, smallRequestThreshold: 256 },
    { name: 'widest-alignment', arenaSize: 8192, poolSize: 2048, alignment: 512, smallRequestThreshold: 512 },
  ];
  describe.each(['native', 'fake'] as const)('over %s memory', (memory) => {
    it.each(edges.map((p) => [p.name, p] as const))('%s runs a heap', (_name, profile) => {
      const heap = new Heap({ profile, memory });
      try {
        const r = heap.profile;
        const ptrs: number[] = [];
        for (let i = 0; i < 3 * r.maxPoolsInArena + 5; i++) ptrs.push(heap.malloc(r.smallRequestThreshold));
        const first = heap.pymalloc.arenaOf(ptrs[0]!)!;
        expect(first.offset).toBe(r.poolOverhead);
        expect(ptrs.every((p) => isSmallPointer(p))).toBe(true);
        expect(heap.usableSize(ptrs[0]!)).toBe(r.smallRequestThreshold);
        const big = heap.malloc(r.smallRequestThreshold + 1);
        expect(isSmallPointer(big)).toBe(false);
        expect(pymallocViolations(heap.pymalloc)).toEqual([]);
        for (const p of ptrs) heap.free(p);
        heap.free(big);
        const stats = heap.debugMallocStats();
        expect(stats.classes).toEqual([]);
        expect(stats.arenasAllocatedCurrent).toBe(1);
        expect(stats.total).toBe(r.arenaSize);
        expect(pymallocViolations(heap.pymalloc)).toEqual([]);
      } finally {
        heap.dispose();
      }
    });
  });

  // With one pool per arena, obmalloc.c's cases 1 ("all pools free: release
  // unless last on usable_arenas") and 2 ("the only free pool: relink") meet:
  // an arena that was full is on no list, so its nextarena is stale. Such
  // profiles are refused (CPython never builds one).
  it('one pool per arena is refused, naming poolSize', () => {
    const profile: Profile = { name: 'one-pool-arenas', arenaSize: 4096, poolSize: 4096, alignment: 8, smallRequestThreshold: 512 };
    expect(() => new Heap({ profile, memory: 'fake' })).toThrow(InvalidProfileError);
    expect(() => resolveProfile(profile)).toThrow(/poolSize/);
  });
});

describe('bad profiles', () => {
  const good: Profile = { name: 'base', arenaSize: 64 * 1024, poolSize: 8 * 1024, alignment: 16, smallRequestThreshold: 256 };
  const bad: [string, Partial<Record<keyof Profile, unknown>>, string][] = [
    ['alignment 4', { alignment: 4 }, 'alignment'],
    ['alignment not a power of two', { alignment: 24 }, 'alignment'],
    ['alignment too large', { alignment: 8192 }, 'alignment'],
    ['alignment NaN', { alignment: NaN }, 'alignment'],
    ['alignment a string', { alignment: '16' }, 'alignment'],
    ['alignment missing', { alignment: undefined }, 'alignment'],
    ['arenaSize not a power of two', { arenaSize: 96 * 1024 }, 'arenaSize'],
    ['arenaSize below a page', { arenaSize: 2048, poolSize: 1024, smallRequestThreshold: 16 }, 'arenaSize'],
    ['arenaSize above 1 GiB', { arenaSize: 2 ** 31 }, 'arenaSize'],
    ['arenaSize fractional', { arenaSize: 65536.5 }, 'arenaSize'],
    ['poolSize not a power of two', { poolSize: 6000 }, 'poolSize'],
    ['poolSize larger than the arena', { poolSize: 128 * 1024 }, 'poolSize'],
    ['poolSize zero', { poolSize: 0 }, 'poolSize'],
    ['poolSize negative', { poolSize: -8192 }, 'poolSize'],
    ['threshold not a multiple of the alignment', { smallRequestThreshold: 200 }, 'smallRequestThreshold'],
    ['threshold zero', { smallRequestThreshold: 0 }, 'smallRequestThreshold'],
    ['threshold below the alignment', { smallRequestThreshold: 8 }, 'smallRequestThreshold'],
    ['threshold of 65 classes', { alignment: 8, smallRequestThreshold: 65 * 8 }, 'smallRequestThreshold'],
    ['threshold larger than pool minus header', { poolSize: 256, smallRequestThreshold: 256 }, 'smallRequestThreshold'],
    ['threshold leaving one block per pool', { poolSize: 1024, smallRequestThreshold: 976 }, 'smallRequestThreshold'],
    ['threshold fractional', { smallRequestThreshold: 255.5 }, 'smallRequestThreshold'],
  ];

  it.each(bad)('%s throws InvalidProfileError naming the field', (_what, change, field) => {
    const profile = { ...good, ...change } as Profile;
    const error = thrown(() => resolveProfile(profile));
    expect(error).toBeInstanceOf(InvalidProfileError);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.message).toContain(`profile ${field} must be`);
    const arenas = countingArenas();
    const fromHeap = thrown(() => new Heap({ profile, memory: { arenas, raw: fakeRawMemory() } }));
    expect(fromHeap).toBeInstanceOf(InvalidProfileError);
    expect(fromHeap.message).toBe(error.message);
    expect(arenas.maps).toBe(0);
  });

  it('refuses null in resolveProfile (a Heap reads profile: null as "not given")', () => {
    const error = thrown(() => resolveProfile(null as unknown as Profile));
    expect(error).toBeInstanceOf(InvalidProfileError);
    expect(error.message).toBe('a profile must be a name or an object, got null');
  });

  it('keeps 64 classes but no more', () => {
    expect(resolveProfile({ ...good, alignment: 8, smallRequestThreshold: 512 }).numClasses).toBe(64);
    expect(resolveProfile({ ...good, poolSize: 16384, alignment: 4096, smallRequestThreshold: 4096 }).numClasses).toBe(1);
    expect(resolveProfile({ ...good, poolSize: 512, smallRequestThreshold: 224 }).smallRequestThreshold).toBe(224);
  });

  it.each([
    ['an unknown name', 'cpython312', /unknown profile "cpython312".*classic, cpython311/],
    ['the empty name', '', /unknown profile ""/],
    ['a number', 42, /profile must be a name or an object, got 42/],
    ['a boolean', true, /profile must be a name or an object, got boolean true/],
  ])('%s throws InvalidProfileError', (_what, value, message) => {
    const error = thrown(() => resolveProfile(value as unknown as Profile));
    expect(error).toBeInstanceOf(InvalidProfileError);
    expect(error.message).toMatch(message);
    const arenas = countingArenas();
    const fromHeap = thrown(() => new Heap({ profile: value as unknown as Profile, memory: { arenas, raw: fakeRawMemory() } }));
    expect(fromHeap).toBeInstanceOf(InvalidProfileError);
    expect(arenas.maps).toBe(0);
  });
});
