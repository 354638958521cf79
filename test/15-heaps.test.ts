// Several heaps in one process: each is a separate pymalloc (as two CPython
// interpreters each have their own), its stats count only its own blocks,
// and one heap's pointers mean nothing to another. A heap also works inside
// a worker thread (the compiled library, dist/lib/index.js, built from these
// sources by the global setup), and a view of
// a block whose arena was returned to the OS reads as empty instead of
// faulting.
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { Heap, type MallocStats, PymemError, isSmallPointer, pymallocViolations } from '../lib/index.js';

const PROFILES = ['classic', 'cpython311'] as const;
const MEMORIES = ['native', 'fake'] as const;
const root = resolve(import.meta.dirname, '..');
const distIndex = join(root, 'dist/lib/index.js');

/** Blocks in use over all classes. */
const smallInUse = (s: MallocStats): number => s.classes.reduce((sum, c) => sum + c.blocksInUse, 0);

describe.each(PROFILES.flatMap((profile) => MEMORIES.map((memory) => ({ profile, memory }))))(
  'two heaps, $profile profile, $memory memory',
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

    /**
     * Interleaves allocations in two heaps: A gets 3 blocks for every 1 of B,
     * each filled over its requested size (0xaa in A, 0xbb in B). Returns
     * pointer -> requested size per heap.
     */
    const interleave = (a: Heap, b: Heap): { inA: Map<number, number>; inB: Map<number, number> } => {
      const inA = new Map<number, number>();
      const inB = new Map<number, number>();
      const sizes = [8, 24, 100, 512, 0, 2000, 64];
      for (let i = 0; i < 700; i++) {
        const n = sizes[i % sizes.length]!;
        const p = a.malloc(n);
        a.bytes(p).fill(0xaa, 0, n);
        inA.set(p, n);
        if (i % 3 === 0) {
          const q = b.malloc(n + 8);
          b.bytes(q).fill(0xbb, 0, n + 8);
          inB.set(q, n + 8);
        }
      }
      return { inA, inB };
    };
    /** Every block of both heaps still holds its fill over its requested size. */
    const expectFills = (a: Heap, inA: Map<number, number>, b: Heap, inB: Map<number, number>): void => {
      for (const [heap, blocks, fill] of [[a, inA, 0xaa], [b, inB, 0xbb]] as const) {
        for (const [p, n] of blocks) {
          if (!heap.read(p, 0, n).every((x) => x === fill)) expect.fail(`block ${p} lost its fill ${fill}`);
        }
      }
    };

    it('keeps their blocks and stats apart', () => {
      const a = open();
      const b = open();
      const { inA, inB } = interleave(a, b);
      const sa = a.debugMallocStats();
      const sb = b.debugMallocStats();
      const rawA = [...inA.keys()].filter((p) => !isSmallPointer(p)).length;
      const rawB = [...inB.keys()].filter((p) => !isSmallPointer(p)).length;
      expect(rawA).toBe(200); // sizes 0 and 2000
      expect(smallInUse(sa)).toBe(inA.size - rawA);
      expect(sa.rawAllocatedBlocks).toBe(rawA);
      expect(smallInUse(sb)).toBe(inB.size - rawB);
      expect(sb.rawAllocatedBlocks).toBe(rawB);
      expect(sa.bytesInAllocatedBlocks).toBeGreaterThan(sb.bytesInAllocatedBlocks);
      // Real memory never overlaps: within each heap, and across heaps where the
      // addresses are real (fake memory invents addresses per heap).
      const extentsOf = (heap: Heap, blocks: Map<number, number>): [number, number][] =>
        [...blocks.keys()].map((p) => [heap.addressOf(p), heap.usableSize(p)]);
      const groups = memory === 'native' ? [[...extentsOf(a, inA), ...extentsOf(b, inB)]] : [extentsOf(a, inA), extentsOf(b, inB)];
      for (const extents of groups) {
        extents.sort((x, y) => x[0] - y[0]);
        for (let i = 1; i < extents.length; i++) expect(extents[i - 1]![0] + extents[i - 1]![1]).toBeLessThanOrEqual(extents[i]![0]);
      }
      expectFills(a, inA, b, inB);
      // Emptying A leaves B as it was.
      const bBefore = JSON.stringify(b.debugMallocStats());
      for (const p of inA.keys()) a.free(p);
      expect(a.debugMallocStats()).toMatchObject({ classes: [], rawAllocatedBlocks: 0, arenasAllocatedCurrent: 1 });
      expect(JSON.stringify(b.debugMallocStats())).toBe(bBefore);
      expectFills(a, new Map(), b, inB);
      for (const p of inB.keys()) b.free(p);
      expect(pymallocViolations(a.pymalloc)).toEqual([]);
      expect(pymallocViolations(b.pymalloc)).toEqual([]);
    });

    /** Frees `p` (a block of `owner`) through `other`: must throw a PymemError and change neither heap. */
    const expectForeignRefused = (owner: Heap, other: Heap, ownerBlocks: Map<number, number>, otherBlocks: Map<number, number>, p: number): void => {
      const before = [JSON.stringify(owner.debugMallocStats()), JSON.stringify(other.debugMallocStats())];
      let error: unknown;
      try {
        other.free(p);
      } catch (e) {
        error = e;
      }
      expect(error, `heap B freed heap A's pointer ${p}`).toBeInstanceOf(PymemError);
      expect([JSON.stringify(owner.debugMallocStats()), JSON.stringify(other.debugMallocStats())]).toEqual(before);
      expectFills(owner, ownerBlocks, other, otherBlocks);
      expect(pymallocViolations(owner.pymalloc)).toEqual([]);
      expect(pymallocViolations(other.pymalloc)).toEqual([]);
    };

    it('refuses, in heap B, a small block of heap A', () => {
      const a = open();
      const b = open();
      const { inA, inB } = interleave(a, b);
      for (const p of [...inA.keys()].filter((q) => isSmallPointer(q)).slice(0, 20)) expectForeignRefused(a, b, inA, inB, p);
    });

    it('refuses, in heap B, a raw block of heap A', () => {
      const a = open();
      const b = open();
      const { inA, inB } = interleave(a, b);
      for (const p of [...inA.keys()].filter((q) => !isSmallPointer(q)).slice(0, 20)) expectForeignRefused(a, b, inA, inB, p);
    });
  },
);

describe('a heap in a worker thread', () => {
  // dist/ is compiled from the sources under test by vitest's global setup (test/support/buildDist.ts).
  it.for(PROFILES)('allocates and frees there (%s), leaving the main heap alone', async (profile) => {
    const main = new Heap({ profile });
    try {
      const mainBlocks = [24, 100, 512, 3000].map((n) => main.malloc(n));
      mainBlocks.forEach((p, i) => main.bytes(p).fill(0x40 + i));
      const before = JSON.stringify(main.debugMallocStats());
      // CommonJS eval worker; the library is ESM, so it is loaded with import().
      const code = `
        const { parentPort, workerData } = require('node:worker_threads');
        import(workerData.url).then(({ Heap, pymallocViolations }) => {
          const heap = new Heap({ profile: workerData.profile });
          const ptrs = [];
          for (let i = 0; i < 5000; i++) {
            const p = heap.malloc((i * 37) % 1100);
            heap.bytes(p).fill(i & 0xff, 0, 1);
            ptrs.push(p);
          }
          const peak = heap.debugMallocStats();
          const intact = ptrs.every((p, i) => (i * 37) % 1100 === 0 || heap.bytes(p)[0] === (i & 0xff));
          for (const p of ptrs) heap.free(p);
          const after = heap.debugMallocStats();
          const violations = pymallocViolations(heap.pymalloc);
          heap.dispose();
          parentPort.postMessage({ peak, after, intact, violations });
        });
      `;
      const worker = new Worker(code, { eval: true, workerData: { url: pathToFileURL(distIndex).href, profile } });
      const exited = new Promise<number>((done) => worker.once('exit', done));
      const result = await new Promise<{ peak: MallocStats; after: MallocStats; intact: boolean; violations: string[] }>(
        (done, fail) => {
          worker.once('message', done);
          worker.once('error', fail);
        },
      );
      expect(await exited).toBe(0);
      expect(result.intact).toBe(true);
      expect(result.violations).toEqual([]);
      expect(result.peak.profile).toBe(profile);
      expect(smallInUse(result.peak) + result.peak.rawAllocatedBlocks).toBe(5000);
      expect(result.after).toMatchObject({ classes: [], rawAllocatedBlocks: 0, arenasAllocatedCurrent: 1 });
      expect(result.after.total).toBe(result.after.arenaSize);
      // The main heap did not notice.
      expect(JSON.stringify(main.debugMallocStats())).toBe(before);
      mainBlocks.forEach((p, i) => expect(main.bytes(p).every((x) => x === 0x40 + i)).toBe(true));
      for (const p of mainBlocks) main.free(p);
      expect(pymallocViolations(main.pymalloc)).toEqual([]);
    } finally {
      main.dispose();
    }
  });
});

describe.each(PROFILES)('stale views over native memory (%s)', (profile) => {
  it('read as empty once the arena is unmapped, and the process lives', () => {
    const heap = new Heap({ profile, memory: 'native' });
    try {
      const n = heap.profile.smallRequestThreshold;
      const ptrs: number[] = [];
      while (heap.debugMallocStats().arenasAllocatedCurrent < 3) ptrs.push(heap.malloc(n));
      // A view of the first block of each arena.
      const firsts = new Map<number, number>();
      for (const p of ptrs) {
        const arena = heap.pymalloc.arenaOf(p)!.arena.index;
        if (!firsts.has(arena)) firsts.set(arena, p);
      }
      expect(firsts.size).toBe(3);
      const views = [...firsts.values()].map((p) => {
        const v = heap.bytes(p);
        v.fill(0x77);
        return v;
      });
      expect(views.every((v) => v.length === n && v[0] === 0x77)).toBe(true);
      for (const p of ptrs) heap.free(p);
      expect(heap.debugMallocStats().arenasAllocatedCurrent).toBe(1);
      // Two arenas went back to the OS: their views are detached.
      const stale = views.filter((v) => v.length === 0);
      expect(stale).toHaveLength(2);
      for (const v of stale) {
        expect(v[0]).toBeUndefined();
        v[0] = 1; // a write to a detached view is dropped
        expect(v[0]).toBeUndefined();
        expect(v.byteLength).toBe(0);
      }
      // The kept arena's view still reads its memory.
      const kept = views.find((v) => v.length > 0)!;
      expect(kept.length).toBe(n);
      heap.dispose();
      expect(kept.length).toBe(0);
      expect(kept[0]).toBeUndefined();
      // The process is fine: a new heap maps and uses memory.
      const next = new Heap({ profile, memory: 'native' });
      try {
        const p = next.malloc(n);
        next.bytes(p).fill(1);
        expect(next.read(p, 0, n).every((x) => x === 1)).toBe(true);
        next.free(p);
      } finally {
        next.dispose();
      }
    } finally {
      heap.dispose();
    }
  });
});
