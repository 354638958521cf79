import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MemAllocator } from '../lib/allocator/domains.js';
import { RAW_BASE } from '../lib/allocator/pointer.js';
import { ReplayCore } from '../lib/tools/replayCore.js';

/**
 * A fake allocator that hands out pymalloc-range pointers for sizes 1..512
 * and raw ones (above 2^48) otherwise, never reusing a pointer, and records
 * what it was asked to free.
 */
function fakeAllocator(): MemAllocator & { freed: number[] } {
  let nextSmall = 1 << 16;
  let nextRaw = RAW_BASE + 4096;
  const take = (size: number): number => {
    if (size >= 1 && size <= 512) return (nextSmall += 512);
    return (nextRaw += 4096);
  };
  const freed: number[] = [];
  return {
    freed,
    malloc: take,
    calloc: (nelem, elsize) => take(nelem * elsize),
    realloc: (_p, size) => take(size),
    free: (p) => {
      freed.push(p);
    },
  };
}

type Op = { kind: 'malloc' | 'free' | 'realloc'; id: number; to: number; size: number };

describe('ReplayCore (the handle table of replay and compare)', () => {
  it('agrees with a Map of live pointers under random malloc, realloc and free, small and raw, through table growth', () => {
    const op: fc.Arbitrary<Op> = fc.record({
      kind: fc.constantFrom('malloc' as const, 'free' as const, 'realloc' as const),
      id: fc.integer({ min: -1, max: 300 }),
      to: fc.integer({ min: 0, max: 300 }),
      size: fc.oneof(fc.integer({ min: 1, max: 512 }), fc.integer({ min: 513, max: 1 << 20 }), fc.constant(0)),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const a = fakeAllocator();
        const core = new ReplayCore(a, 4);
        const model = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === 'malloc') {
            if (o.id < 0 || model.has(o.id)) continue;
            model.set(o.id, core.malloc(o.id, o.size));
          } else if (o.kind === 'free') {
            if (o.id >= 0 && !model.has(o.id)) continue;
            core.free(o.id);
            expect(a.freed.at(-1)).toBe(o.id < 0 ? 0 : model.get(o.id));
            model.delete(o.id);
          } else {
            if ((o.id >= 0 && !model.has(o.id)) || (o.to !== o.id && model.has(o.to))) continue;
            const p = core.realloc(o.id, o.to, o.size);
            model.delete(o.id);
            model.set(o.to, p);
          }
        }
        for (let id = 0; id < Math.max(core.slots, 302); id++) expect(core.ptr(id)).toBe(model.get(id) ?? 0);
        expect(core.ptr(-1)).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
