import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressSet } from '../lib/allocator/addressSet.js';

describe('AddressSet (raw-block ownership)', () => {
  it('agrees with a Set under random adds and deletes, through growth and tombstone rehashes', () => {
    const ptr = fc.integer({ min: 1, max: 2 ** 20 }).map((k) => 2 ** 48 + k * 16);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), ptr), { maxLength: 3000 }), (ops) => {
        const s = new AddressSet();
        const model = new Set<number>();
        for (const [add, p] of ops) {
          if (add) {
            s.add(p);
            model.add(p);
          } else {
            expect(s.delete(p)).toBe(model.delete(p));
          }
        }
        expect(s.size).toBe(model.size);
        for (const [, p] of ops) expect(s.has(p)).toBe(model.has(p));
      }),
      { numRuns: 100 },
    );
  });

  it('holds a million pointers and forgets them again', () => {
    const s = new AddressSet();
    for (let i = 1; i <= 1e6; i++) s.add(2 ** 48 + i * 32);
    expect(s.size).toBe(1e6);
    expect(s.has(2 ** 48 + 32 * 777)).toBe(true);
    expect(s.has(2 ** 48 + 32 * 777 + 16)).toBe(false);
    for (let i = 1; i <= 1e6; i++) s.delete(2 ** 48 + i * 32);
    expect(s.size).toBe(0);
    expect(s.has(2 ** 48 + 32 * 777)).toBe(false);
  });
});
