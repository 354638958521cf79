// pymalloc against a model (fast-check). Random sequences of malloc, calloc,
// realloc and free, with sizes 0..4096 and random picks among the live
// blocks, run against a Map of live pointer -> {size, fill byte, raw}. After
// every command: every live block still holds its fill, live blocks never
// overlap in real memory, the stats count exactly the live blocks, and
// pymalloc's invariants hold. At the end everything is freed and the heap is
// back to at most one empty arena.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Heap, isSmallPointer, pymallocViolations } from '../lib/index.js';

const PROFILES = ['classic', 'cpython311'] as const;
const MEMORIES = ['native', 'fake'] as const;
/** Runs per (profile, memory); all four together take about 8 s. */
const RUNS = 200;
const MAX_COMMANDS = 300;

type Op =
  | { op: 'malloc'; size: number }
  | { op: 'calloc'; nelem: number; elsize: number }
  | { op: 'realloc'; pick: number; size: number }
  | { op: 'free'; pick: number };

/** Mostly small requests (pymalloc's range), some large ones and some zeros. */
const size = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 512 }), weight: 6 },
  { arbitrary: fc.integer({ min: 0, max: 4096 }), weight: 2 },
  { arbitrary: fc.constant(0), weight: 1 },
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('malloc' as const), size }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('calloc' as const), nelem: fc.integer({ min: 0, max: 64 }), elsize: fc.integer({ min: 0, max: 64 }) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('realloc' as const), pick: fc.nat(), size }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('free' as const), pick: fc.nat() }), weight: 3 },
);
const program = fc.array(op, { maxLength: MAX_COMMANDS, size: 'max' });

interface Block {
  size: number;
  fill: number;
  /** Whether the block came from the raw allocator (size 0, above the threshold, or a raw block resized). */
  raw: boolean;
}

/**
 * Runs one program against a fresh heap and the model; throws on the first
 * disagreement. The model is compared after every command, or after every
 * `compareEvery` commands for programs with thousands of live blocks.
 */
function run(profile: string, memory: 'native' | 'fake', ops: Op[], compareEvery = 1): void {
  const heap = new Heap({ profile, memory });
  const threshold = heap.profile.smallRequestThreshold;
  const model = new Map<number, Block>();
  let nextFill = 0;
  const fillOf = (): number => (nextFill++ % 255) + 1;
  const isRawSize = (n: number): boolean => n === 0 || n > threshold;
  const pick = (k: number): number | undefined => {
    if (model.size === 0) return undefined;
    let i = k % model.size;
    for (const p of model.keys()) if (i-- === 0) return p;
    return undefined;
  };
  const place = (p: number, block: Block): void => {
    expect(model.has(p), `pointer ${p} handed out twice`).toBe(false);
    expect(!isSmallPointer(p), `pointer ${p} for ${block.size} bytes`).toBe(block.raw);
    expect(heap.usableSize(p)).toBeGreaterThanOrEqual(block.size);
    heap.bytes(p).fill(block.fill, 0, block.size);
    model.set(p, block);
  };
  const expectFill = (p: number, from: number, to: number, fill: number): void => {
    const b = heap.bytes(p);
    for (let i = from; i < to; i++) if (b[i] !== fill) expect.fail(`byte ${i} of block ${p} is ${b[i]}, not ${fill}`);
  };

  const check = (step: number): void => {
    const extents: [number, number][] = [];
    for (const [p, { size: n, fill }] of model) {
      if (n > 0) {
        const b = heap.bytes(p);
        if (b[0] !== fill || b[n - 1] !== fill) expect.fail(`step ${step}: block ${p} (${n} bytes) lost its fill ${fill}`);
      }
      extents.push([heap.addressOf(p), heap.usableSize(p)]);
    }
    extents.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < extents.length; i++) {
      const [start, length] = extents[i - 1]!;
      if (start + length > extents[i]![0]) expect.fail(`step ${step}: blocks at ${start} (+${length}) and ${extents[i]![0]} overlap`);
    }
    const stats = heap.debugMallocStats();
    const small = stats.classes.reduce((sum, c) => sum + c.blocksInUse, 0);
    expect(small + stats.rawAllocatedBlocks, `step ${step}: live blocks`).toBe(model.size);
    expect(stats.rawAllocatedBlocks).toBe([...model.values()].filter((b) => b.raw).length);
    expect(stats.total).toBe(stats.arenasAllocatedCurrent * stats.arenaSize);
    expect(pymallocViolations(heap.pymalloc), `step ${step}`).toEqual([]);
  };

  try {
    ops.forEach((o, step) => {
      switch (o.op) {
        case 'malloc':
          place(heap.malloc(o.size), { size: o.size, fill: fillOf(), raw: isRawSize(o.size) });
          break;
        case 'calloc': {
          const n = o.nelem * o.elsize;
          const p = heap.calloc(o.nelem, o.elsize);
          expectFill(p, 0, n, 0);
          place(p, { size: n, fill: fillOf(), raw: isRawSize(n) });
          break;
        }
        case 'realloc': {
          const p = pick(o.pick);
          if (p === undefined) {
            place(heap.realloc(0, o.size), { size: o.size, fill: fillOf(), raw: isRawSize(o.size) });
            break;
          }
          const old = model.get(p)!;
          const q = heap.realloc(p, o.size);
          // Contents up to the smaller size survive, moved or not.
          expectFill(q, 0, Math.min(old.size, o.size), old.fill);
          model.delete(p);
          // A raw block stays raw (PyMem_RawRealloc); a pymalloc block kept in place stays small.
          const raw = old.raw || (q !== p && isRawSize(o.size));
          place(q, { size: o.size, fill: fillOf(), raw });
          break;
        }
        case 'free': {
          const p = pick(o.pick);
          heap.free(p ?? 0);
          if (p !== undefined) model.delete(p);
          break;
        }
      }
      if (step % compareEvery === 0) check(step);
    });
    check(ops.length);

    for (const p of [...model.keys()].reverse()) heap.free(p);
    model.clear();
    const stats = heap.debugMallocStats();
    expect(stats.classes).toEqual([]);
    expect(stats.rawAllocatedBlocks).toBe(0);
    expect(stats.arenasAllocatedCurrent).toBeLessThanOrEqual(1);
    expect(stats.total).toBe(stats.arenasAllocatedCurrent * stats.arenaSize);
    expect(pymallocViolations(heap.pymalloc)).toEqual([]);
  } finally {
    heap.dispose();
  }
}

describe.each(PROFILES.flatMap((profile) => MEMORIES.map((memory) => ({ profile, memory }))))(
  'pymalloc against a model, $profile profile, $memory memory',
  ({ profile, memory }) => {
    it(`agrees on ${RUNS} random programs of up to ${MAX_COMMANDS} commands`, () => {
      fc.assert(
        fc.property(program, (ops) => run(profile, memory, ops)),
        { numRuns: RUNS },
      );
    });

    it('agrees on a long program that fills and drains several arenas', () => {
      // Deterministic: 3 arenas' worth of threshold-sized blocks, then frees in a scrambled order.
      const probe = new Heap({ profile, memory: 'fake' });
      const perArena = probe.profile.maxPoolsInArena * probe.pymalloc.numBlocks(probe.profile.numClasses - 1);
      probe.dispose();
      const ops: Op[] = [];
      for (let i = 0; i < 3 * perArena; i++) ops.push({ op: 'malloc', size: 512 });
      // Free number k (counting from 0) takes the live block at index (k * 7919) % live: 7919 is prime,
      // so the picks wander over the whole live list instead of following allocation order.
      const total = 3 * perArena;
      const picks: number[] = [];
      for (let k = 0; k < total; k++) picks.push((k * 7919) % (total - k));
      expect(picks.filter((p) => p === 0).length, "frees that take the oldest live block").toBeLessThan(total / 10);
      for (const pick of picks) ops.push({ op: 'free', pick });
      run(profile, memory, ops, 250);
    });
  },
);
