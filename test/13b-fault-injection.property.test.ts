// Out of memory, injected (lib/allocator/faultInjection.ts): random programs
// of malloc / calloc / realloc / free run while arena requests and raw
// requests fail at random calls. Every failure is an OutOfMemoryError that
// changes nothing: all earlier blocks keep their contents (checked against a
// model after every command), the stats count exactly the live blocks, the
// invariants hold; when an arena cannot be had, pymalloc serves the request
// from the raw allocator as CPython's _PyObject_Malloc does; and once the
// faults stop, the heap works again and frees back to its baseline.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Heap,
  OutOfMemoryError,
  fakeArenaAllocator,
  fakeRawMemory,
  isSmallPointer,
  nativeArenaAllocator,
  nativeRawMemory,
  pymallocViolations,
  withFaults,
} from '../lib/index.js';

type Op = { op: 'malloc' | 'calloc'; size: number } | { op: 'realloc'; pick: number; size: number } | { op: 'free'; pick: number };

const size = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 512 }), weight: 5 },
  { arbitrary: fc.integer({ min: 513, max: 20_000 }), weight: 2 },
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constantFrom('malloc' as const, 'calloc' as const), size }), weight: 5 },
  { arbitrary: fc.record({ op: fc.constant('realloc' as const), pick: fc.nat(), size }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('free' as const), pick: fc.nat() }), weight: 3 },
);
/** Failing call numbers: each call fails with the drawn probability, decided by a seeded hash. */
const plan = fc.record({ arenaRate: fc.double({ min: 0, max: 0.9, noNaN: true }), rawRate: fc.double({ min: 0.05, max: 0.5, noNaN: true }), seed: fc.nat() });
const fails = (rate: number, seed: number) => (n: number): boolean => ((Math.imul(n ^ seed, 0x9e3779b1) >>> 0) / 2 ** 32) < rate;

const sources = {
  native: () => ({ arenas: nativeArenaAllocator(), raw: nativeRawMemory() }),
  fake: () => ({ arenas: fakeArenaAllocator(), raw: fakeRawMemory() }),
};

describe.each(['cpython311', 'classic'] as const)('%s profile', (profile) => {
  it.each(['native', 'fake'] as const)('out-of-memory changes nothing, over %s memory', (memory) => {
    let outOfMemory = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 20, maxLength: 150 }), plan, (ops, { arenaRate, rawRate, seed }) => {
        let faultsOn = true;
        const source = withFaults(sources[memory](), {
          arena: (n) => faultsOn && fails(arenaRate, seed)(n),
          raw: (n) => faultsOn && fails(rawRate, seed + 1)(n),
        });
        const heap = new Heap({ profile, memory: source });
        const baseline = heap.debugMallocStats().arenasAllocatedCurrent;
        const model = new Map<number, { size: number; fill: number }>();
        let nextFill = 1;
        const pick = (k: number): number | undefined => [...model.keys()][k % Math.max(model.size, 1)];
        const check = (): void => {
          for (const [p, b] of model) {
            const bytes = heap.bytes(p).subarray(0, b.size);
            expect(bytes.every((x) => x === b.fill), `contents of ${p}`).toBe(true);
          }
          expect(pymallocViolations(heap.pymalloc)).toEqual([]);
          const stats = heap.debugMallocStats();
          const small = [...model.keys()].filter((p) => isSmallPointer(p)).length;
          expect(stats.classes.reduce((n, c) => n + c.blocksInUse, 0)).toBe(small);
        };
        try {
          for (const o of ops) {
            const fill = (nextFill = (nextFill % 254) + 1);
            const rawFailuresBefore = source.counts.rawFailures;
            try {
              if (o.op === 'free') {
                const p = pick(o.pick);
                if (p === undefined) continue;
                heap.free(p);
                model.delete(p);
              } else if (o.op === 'realloc') {
                const p = pick(o.pick);
                if (p === undefined) continue;
                const q = heap.realloc(p, o.size);
                model.delete(p);
                heap.bytes(q).fill(fill, 0, o.size);
                model.set(q, { size: o.size, fill });
              } else {
                const p = o.op === 'malloc' ? heap.malloc(o.size) : heap.calloc(1, o.size);
                if (o.op === 'calloc') expect(heap.bytes(p).subarray(0, o.size).every((x) => x === 0)).toBe(true);
                heap.bytes(p).fill(fill, 0, o.size);
                model.set(p, { size: o.size, fill });
              }
            } catch (e) {
              if (!(e instanceof OutOfMemoryError)) throw e;
              // Only a request that needed the raw allocator can fail: a small
              // one falls back to it when no arena can be had.
              expect(source.counts.rawFailures).toBeGreaterThan(rawFailuresBefore);
              outOfMemory++;
            }
            check();
          }
          // The faults stop: the heap works again.
          faultsOn = false;
          const p = heap.malloc(64);
          const q = heap.malloc(10_000);
          heap.free(p);
          heap.free(q);
          for (const p of model.keys()) heap.free(p);
          model.clear();
          check();
          expect(heap.debugMallocStats().arenasAllocatedCurrent).toBeLessThanOrEqual(Math.max(baseline, 1));
        } finally {
          heap.dispose();
        }
      }),
      { numRuns: 60 },
    );
    // The programs did meet failures.
    expect(outOfMemory).toBeGreaterThan(10);
  });

  it('every arena request failing: small requests are served by the raw allocator, as in CPython', () => {
    const source = withFaults(sources.native(), { arena: () => true });
    using heap = new Heap({ profile, memory: source });
    const p = heap.malloc(24);
    expect(isSmallPointer(p)).toBe(false);
    expect(source.counts.arenaFailures).toBe(1);
    heap.bytes(p).fill(7);
    heap.free(p);
    expect(heap.debugMallocStats().arenasAllocatedCurrent).toBe(0);
  });
});
