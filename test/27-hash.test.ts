import { describe, expect, it } from 'vitest';
import { Interpreter } from '../lib/objects/interpreter.js';

// Values from CPython 3.11.7 with PYTHONHASHSEED=0.
describe('exact 64-bit hashes (interp.hash64)', () => {
  it('hashes tuples over the exact hashes of their str items', () => {
    const interp = new Interpreter({ memory: 'fake' });
    try {
      const { str, long, tuple, rt } = interp;
      const items = [str.fromString('a'), long.fromNumber(1)];
      const t = tuple.pack(items); // PyTuple_Pack increfs its items
      for (const p of items) rt.decref(p);
      expect(interp.hash64(t)).toBe(6955645834154447545n);
      const big = [str.fromString('hello'), str.fromString('world'), long.fromBigInt(2n ** 70n)];
      const u = tuple.pack(big);
      for (const p of big) rt.decref(p);
      expect(interp.hash64(u)).toBe(345826000930487586n);
      rt.decref(t);
      rt.decref(u);
    } finally {
      interp.dispose();
    }
  });
});
