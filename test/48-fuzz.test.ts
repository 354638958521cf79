// The Heap fuzzer (lib/tools/fuzz/heapFuzz.ts): short seeded runs of every
// configuration find no disagreement (the long run is `npm run fuzz`), the
// invalid calls it makes are really refused with typed errors, and a heap
// with a planted bug — a raw allocator that hands a live block out twice —
// is caught.
import { describe, expect, it } from 'vitest';
import { fakeArenaAllocator, fakeRawMemory, type RawMemory } from '../lib/index.js';
import { fuzzHeap } from '../lib/tools/fuzz/heapFuzz.js';

describe.each([
  { profile: 'cpython311', memory: 'native', debug: false },
  { profile: 'classic', memory: 'fake', debug: false },
  { profile: 'cpython311', memory: 'native', debug: true },
  { profile: 'classic', memory: 'fake', debug: true },
] as const)('fuzz %o', (config) => {
  it.each([1, 2])('seed %i: 12,000 calls, a quarter invalid, no disagreement', (seed) => {
    const report = fuzzHeap({ ...config, seed, ops: 12_000 });
    expect(report.failure).toBeNull();
    expect(report.ops).toBe(12_000);
    expect(report.invalid).toBeGreaterThan(2000);
    expect(report.errors.InvalidArgumentError).toBeGreaterThan(0);
    expect(report.errors.InvalidPointerError).toBeGreaterThan(0);
  });
});

it('catches a raw allocator that hands a live block out twice', () => {
  const inner = fakeRawMemory();
  let calls = 0;
  let last = 0;
  const lying: RawMemory = {
    ...inner,
    malloc(size) {
      if (++calls >= 40 && last !== 0 && inner.has(last)) return last;
      return (last = inner.malloc(size));
    },
  };
  const report = fuzzHeap({ seed: 3, ops: 5000, memory: { arenas: fakeArenaAllocator(), raw: lying }, invalidShare: 0 });
  expect(report.failure).not.toBeNull();
});

it('the same seed makes the same run', () => {
  const a = fuzzHeap({ seed: 9, ops: 3000, memory: 'fake' });
  const b = fuzzHeap({ seed: 9, ops: 3000, memory: 'fake' });
  expect(a).toEqual(b);
});
