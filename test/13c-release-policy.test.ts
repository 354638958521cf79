// Release policies beyond CPython (lib/allocator/releasePolicy.ts), as
// profile data: releasePoolsAt gives the pages of empty pools inside live
// arenas back (mincore sees them go), in batches of n, without moving a
// block to another pool; the arena cache measured beside it
// (HeapOptions.arenaRetention) keeps up to K wholly free arenas mapped. The
// stats and invariants hold throughout. A property test runs random programs under
// random policies against a model of every pool's state (from block counts)
// and of the 'pymem:pool' events.
import diagnosticsChannel from 'node:diagnostics_channel';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Heap, InvalidProfileError, POOL_CHANNEL_NAME, cpython311, pymallocViolations, resolveProfile, type PoolChannelMessage, type ReleasePolicy } from '../lib/index.js';
import { COUNT, SZIDX } from '../lib/allocator/poolHeader.js';
import { residentPages } from '../lib/allocator/region.js';

const PAGE = 4096;
const POOL = cpython311.poolSize;

/** cpython311 with a release policy. */
const withPolicy = (release: ReleasePolicy): typeof cpython311 => ({ ...cpython311, name: 'cpython311-policy', release });

/** The pool pointer of pymalloc block p (arenas of the native region are pool-aligned). */
const poolOf = (p: number): number => p - (p % POOL);

/** Allocates `n` pools' worth of 512-byte blocks (31 per 16 KiB pool), touching each; returns them by pool. */
function fillPools(heap: Heap, n: number): number[][] {
  const byPool = new Map<number, number[]>();
  while (byPool.size < n || byPool.get([...byPool.keys()].at(-1)!)!.length < 31) {
    const p = heap.malloc(512);
    heap.bytes(p).fill(0x5a);
    const pool = poolOf(p);
    if (!byPool.has(pool)) byPool.set(pool, []);
    byPool.get(pool)!.push(p);
  }
  return [...byPool.values()];
}

/** Resident pages of a pool after its header's page. */
const residentAfterHeader = (pool: number): number => residentPages(pool + PAGE, POOL - PAGE);

describe('release policy as profile data', () => {
  it('is off on the built-in profiles and validated on custom ones', () => {
    expect(resolveProfile('cpython311').release).toEqual({ releasePoolsAt: 0 });
    expect(resolveProfile(withPolicy({ releasePoolsAt: 4 })).release).toEqual({ releasePoolsAt: 4 });
    for (const bad of [{ releasePoolsAt: -1 }, { releasePoolsAt: 1.5 }, { releasePoolsAt: 2 ** 21 }]) {
      expect(() => resolveProfile(withPolicy(bad))).toThrow(InvalidProfileError);
    }
    expect(() => resolveProfile({ ...cpython311, release: 3 as unknown as ReleasePolicy })).toThrow(InvalidProfileError);
  });
});

describe('releasePoolsAt: pages of empty pools go back', () => {
  it('keeps an emptied pool resident without a policy (CPython), releases it at releasePoolsAt 1', () => {
    for (const [release, expectedResident] of [[{}, POOL / PAGE - 1], [{ releasePoolsAt: 1 }, 0]] as const) {
      using heap = new Heap({ profile: withPolicy(release) });
      const [, second] = fillPools(heap, 3); // the third pool pins the arena
      const pool = poolOf(second![0]!);
      expect(residentAfterHeader(pool)).toBe(POOL / PAGE - 1);
      for (const p of second!) heap.free(p);
      expect(residentAfterHeader(pool)).toBe(expectedResident);
      expect(residentPages(pool, PAGE)).toBe(1); // the header's page stays
      expect(heap.pymalloc.nPoolsReleased).toBe(expectedResident === 0 ? 1 : 0);
      expect(pymallocViolations(heap.pymalloc)).toEqual([]);
    }
  });

  it('waits for releasePoolsAt empty pools, then releases them together', () => {
    using heap = new Heap({ profile: withPolicy({ releasePoolsAt: 3 }) });
    const pools = fillPools(heap, 5);
    const freePool = (i: number): void => pools[i]!.forEach((p) => heap.free(p));
    freePool(0);
    freePool(1);
    expect(residentAfterHeader(poolOf(pools[0]![0]!)) + residentAfterHeader(poolOf(pools[1]![0]!))).toBe(2 * (POOL / PAGE - 1));
    expect(heap.pymalloc.nPoolsReleased).toBe(0);
    freePool(2);
    for (const i of [0, 1, 2]) expect(residentAfterHeader(poolOf(pools[i]![0]!))).toBe(0);
    expect(heap.pymalloc.nPoolsReleased).toBe(3);
    expect(pymallocViolations(heap.pymalloc)).toEqual([]);
  });

  it('reuses a released pool with a fresh header: blocks work, the pages come back, placement is unchanged', () => {
    const run = (release: ReleasePolicy): { ptrs: number[]; resident: number } => {
      using heap = new Heap({ profile: withPolicy(release) });
      const [, second] = fillPools(heap, 3);
      for (const p of second!) heap.free(p);
      // Another size class takes the emptied pool (it is first on freepools).
      const ptrs: number[] = [];
      for (let i = 0; i < 100; i++) {
        const p = heap.malloc(48);
        heap.bytes(p).fill(i);
        ptrs.push(p);
      }
      expect(ptrs.every((p) => poolOf(p) === poolOf(second![0]!))).toBe(true);
      ptrs.forEach((p, i) => expect(heap.bytes(p)[47]).toBe(i));
      expect(heap.debugMallocStats().classes.find((c) => c.size === 48)!.blocksInUse).toBe(100);
      expect(pymallocViolations(heap.pymalloc)).toEqual([]);
      return { ptrs, resident: residentAfterHeader(poolOf(ptrs[0]!)) };
    };
    const plain = run({});
    const released = run({ releasePoolsAt: 1 });
    expect(released.ptrs).toEqual(plain.ptrs);
    expect(released.resident).toBeGreaterThan(0);
  });

  it('releases nothing with one-page pools (classic), and stays consistent', () => {
    using heap = new Heap({ profile: { ...resolveProfile('classic'), release: { releasePoolsAt: 1 } } });
    const ptrs = Array.from({ length: 2000 }, () => heap.malloc(64));
    ptrs.filter((_, i) => i % 100 !== 0).forEach((p) => heap.free(p));
    expect(heap.pymalloc.ntimesPoolReleased).toBeGreaterThan(0);
    expect(pymallocViolations(heap.pymalloc)).toEqual([]);
  });
});

describe('the arena cache (arenaRetention): empty arenas kept mapped', () => {
  it.each([0, 1, 4])('keeps at most max(1, %i) empty arenas after everything is freed', (k) => {
    using heap = new Heap({ profile: withPolicy({ releasePoolsAt: 1 }), arenaRetention: k });
    const ptrs: number[] = [];
    while (heap.pymalloc.narenasCurrentlyAllocated < 8) ptrs.push(heap.malloc(512));
    for (const p of ptrs) heap.free(p);
    expect(heap.pymalloc.narenasCurrentlyAllocated).toBe(Math.max(1, k));
    expect(heap.debugMallocStats().arenasAllocatedCurrent).toBe(Math.max(1, k));
    expect(pymallocViolations(heap.pymalloc)).toEqual([]);
    // The kept arenas are reused before any new one is mapped.
    const before = heap.pymalloc.ntimesArenaAllocated;
    const blocksPerArena = 31 * (cpython311.arenaSize / POOL);
    for (let i = 0; i < Math.max(1, k) * blocksPerArena; i++) heap.malloc(512);
    expect(heap.pymalloc.ntimesArenaAllocated).toBe(before);
  });
});

// --- property: a model of pool states -----------------------------------------------

type Op = { op: 'malloc'; size: number } | { op: 'free'; pick: number };
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('malloc' as const), size: fc.oneof(fc.integer({ min: 1, max: 512 }), fc.constantFrom(256, 512)) }), weight: 5 },
  { arbitrary: fc.record({ op: fc.constant('free' as const), pick: fc.nat() }), weight: 4 },
);
const policy = fc.record({ releasePoolsAt: fc.constantFrom(0, 1, 2, 5), arenaRetention: fc.constantFrom(0, 1, 3) });
/** Model state of a pool, as the events name it ('init' and 'used' are both partly used). */
type ModelState = 'used' | 'full' | 'empty' | 'released';

describe('release policies against a model of pool states', () => {
  it('pool states, events, residency and arena counts agree with the model', () => {
    fc.assert(
      fc.property(policy, fc.array(op, { maxLength: 1500, size: 'max' }), fc.integer({ min: 2, max: 40 }), (release, ops, keepEvery) => {
        using heap = new Heap({ profile: withPolicy({ releasePoolsAt: release.releasePoolsAt }), arenaRetention: release.arenaRetention });
        const pm = heap.pymalloc;
        const fromEvents = new Map<number, ModelState>();
        const onPool = (m: unknown): void => {
          const msg = m as PoolChannelMessage;
          if (msg.source !== pm) return;
          fromEvents.set(msg.pool, msg.event === 'init' ? 'used' : msg.event === 'release' ? 'released' : msg.event);
        };
        diagnosticsChannel.subscribe(POOL_CHANNEL_NAME, onPool);
        try {
          const live: number[] = [];
          const counts = new Map<number, number>();
          for (const o of ops) {
            if (o.op === 'malloc') {
              const p = heap.malloc(o.size);
              heap.bytes(p).fill(0xa5); // as a program would: its pages are resident
              live.push(p);
              counts.set(poolOf(p), (counts.get(poolOf(p)) ?? 0) + 1);
            } else if (live.length > 0) {
              const [p] = live.splice(o.pick % live.length, 1);
              heap.free(p!);
              counts.set(poolOf(p!), counts.get(poolOf(p!))! - 1);
            }
          }
          // Then the program drops most of what it holds: pools empty inside arenas a few blocks pin.
          for (let i = live.length - 1; i >= 0; i--) {
            if (i % keepEvery === 0) continue;
            const [p] = live.splice(i, 1);
            heap.free(p!);
            counts.set(poolOf(p!), counts.get(poolOf(p!))! - 1);
          }
          expect(pymallocViolations(pm)).toEqual([]);
          const mapped = new Set(pm.arenas.filter((a) => a.address !== 0).map((a) => a.vbase));
          for (const [pool, count] of counts) {
            const arenaMapped = mapped.has(pool - (pool % cpython311.arenaSize));
            const state = fromEvents.get(pool);
            if (!arenaMapped) continue; // its arena went back to the OS
            expect(pm.poolField(pool, COUNT)).toBe(count);
            const cap = count === 0 ? 0 : pm.numBlocks(pm.poolField(pool, SZIDX));
            if (count === 0) {
              expect(['empty', 'released']).toContain(state);
              if (state === 'released') expect(residentAfterHeader(pool)).toBe(0);
              if (release.releasePoolsAt === 0) expect(state).toBe('empty');
              if (release.releasePoolsAt === 1 && pm.poolField(pool, SZIDX) !== 0xffff) expect.fail(`pool ${pool} emptied but not released`);
            } else {
              expect(state).toBe(count === cap ? 'full' : 'used');
            }
          }
          const emptyArenas = pm.arenas.filter((a) => a.address !== 0 && a.nfreepools === a.ntotalpools).length;
          expect(emptyArenas).toBeLessThanOrEqual(Math.max(1, release.arenaRetention));
          const stats = heap.debugMallocStats();
          expect(stats.classes.reduce((n, c) => n + c.blocksInUse, 0)).toBe(live.length);
          expect(stats.total).toBe(stats.arenasAllocatedCurrent * stats.arenaSize);
        } finally {
          diagnosticsChannel.unsubscribe(POOL_CHANNEL_NAME, onPool);
        }
      }),
      { numRuns: 60 },
    );
  });
});
