// PointerTable (lib/tools/pointerTable.ts), the address → id map of the trace
// writer: against a JavaScript Map as the model (fast-check) under the
// churn a heap makes — sets, gets and deletes of 16-byte-aligned addresses in
// a few arenas and past 2**32, with growth — and what it refuses.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../lib/errors.js';
import { PointerTable } from '../lib/tools/pointerTable.js';

describe('PointerTable', () => {
  const address = fc.oneof(
    fc.integer({ min: 1, max: 4096 }).map((i) => 0x7f0000100000 + i * 16),
    fc.integer({ min: 0, max: 64 }).map((i) => 0x100000 * (i + 1) + 48), // the same offset in many arenas
    fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  );
  const op = fc.oneof(
    { weight: 5, arbitrary: fc.tuple(fc.constant('set' as const), address, fc.integer({ min: 0, max: 2 ** 31 - 1 })) },
    { weight: 4, arbitrary: fc.tuple(fc.constant('delete' as const), address, fc.constant(0)) },
    { weight: 2, arbitrary: fc.tuple(fc.constant('get' as const), address, fc.constant(0)) },
  );

  it('agrees with a Map through sets, gets, deletes and growth (backward-shift deletion leaves every key findable)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 2000 }), fc.integer({ min: 1, max: 64 }), (ops, capacity) => {
        const t = new PointerTable(capacity);
        const model = new Map<number, number>();
        for (const [kind, p, v] of ops) {
          if (kind === 'set') {
            t.set(p, v);
            model.set(p, v);
          } else if (kind === 'delete') {
            expect(t.delete(p)).toBe(model.get(p) ?? -1);
            model.delete(p);
          } else {
            expect(t.get(p)).toBe(model.get(p) ?? -1);
          }
          expect(t.size).toBe(model.size);
        }
        for (const [p, v] of model) expect(t.get(p)).toBe(v);
        expect(new Map(t.entries())).toEqual(model);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses an address that is not a positive integer, and is unchanged', () => {
    const t = new PointerTable();
    t.set(64, 1);
    for (const bad of [0, -16, 1.5, Number.NaN, 2 ** 60]) expect(() => t.set(bad, 2)).toThrow(InvalidArgumentError);
    expect([...t.entries()]).toEqual([[64, 1]]);
  });
});
