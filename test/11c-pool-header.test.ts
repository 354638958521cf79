// struct pool_header is declared once (lib/allocator/poolHeader.ts): the
// layout table in its opening comment is formatLayout of the declaration, the
// word constants pymalloc's hot paths index by come from its offsets, and its
// validator (run by pymallocViolations on every carved pool) finds a
// corruption planted in each field it checks, naming the field.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Heap, pymallocViolations } from '../lib/index.js';
import { ARENAINDEX, COUNT, FREEBLOCK, MAXNEXTOFFSET, NEXTOFFSET, NEXTPOOL, PREVPOOL, SENTINEL_STRIDE, SZIDX, pool_header } from '../lib/allocator/poolHeader.js';
import { POOL_HEADER_BYTES } from '../lib/allocator/profile.js';
import { formatLayout } from '../lib/struct.js';

const source = readFileSync(join(import.meta.dirname, '../lib/allocator/poolHeader.ts'), 'utf8');
const comment = /^\/\*([\s\S]*?)\*\//
  .exec(source)![1]!
  .split('\n')
  .map((l) => l.replace(/^ \* ?/, '').trimEnd())
  .join('\n');

describe('pool_header, declared', () => {
  it('carries its layout table in the opening comment, as on a 64-bit CPython (48 bytes)', () => {
    expect(comment).toContain(formatLayout(pool_header));
    expect(pool_header.size).toBe(48);
    expect(POOL_HEADER_BYTES).toBe(pool_header.size);
  });

  it('gives the hot paths word indices equal to the declared offsets / 4', () => {
    const o = pool_header.offsets;
    expect([COUNT, FREEBLOCK, NEXTPOOL, PREVPOOL, ARENAINDEX, SZIDX, NEXTOFFSET, MAXNEXTOFFSET].map((w) => w * 4)).toEqual([
      o.ref_count,
      o.freeblock,
      o.nextpool,
      o.prevpool,
      o.arenaindex,
      o.szidx,
      o.nextoffset,
      o.maxnextoffset,
    ]);
    expect(SENTINEL_STRIDE).toBe(32);
  });
});

describe.each(['native', 'fake'] as const)('pool_header validator (%s memory)', (memory) => {
  let heap: Heap;
  afterEach(() => heap.dispose());

  /** The pool holding block p (pool-aligned arenas are not assumed: the pool is found by its first block). */
  function poolOf(h: Heap, p: number): number {
    const pm = h.pymalloc;
    const at = pm.arenaOf(p)!;
    const first = pm.firstPoolOffset(at.arena);
    return pm.poolRef(at.arena, first + Math.floor((at.offset - first) / h.profile.poolSize) * h.profile.poolSize);
  }

  it.each([
    ['ref_hi', 7],
    ['freeblock_hi', 1],
    ['nextpool_hi', 1],
    ['prevpool_hi', 1],
    ['szidx', 1000],
    ['nextoffset', 1 << 30],
    ['maxnextoffset', 3],
    ['freeblock', 8],
  ] as const)('finds %s set to %d and names it', (name, bad) => {
    heap = new Heap({ profile: 'cpython311', memory });
    const a = heap.malloc(40);
    const b = heap.malloc(40);
    heap.free(a); // a used pool with a free list
    const pool = poolOf(heap, b);
    const field = pool_header.field(name);
    const ctx = { poolSize: heap.profile.poolSize, poolOverhead: heap.profile.poolOverhead, numClasses: heap.profile.numClasses, isPointer: () => true };
    expect(pool_header.validate(pool, ctx)).toEqual([]);
    const old = field.get(pool);
    field.set(pool, bad);
    const problems = pool_header.validate(pool, ctx);
    const violations = pymallocViolations(heap.pymalloc);
    field.set(pool, old);
    expect(problems.some((p) => p.startsWith(`pool_header.${name}:`)), JSON.stringify(problems)).toBe(true);
    expect(violations.some((v) => v.includes(`pool_header.${name}:`)), JSON.stringify(violations)).toBe(true);
    expect(pymallocViolations(heap.pymalloc)).toEqual([]);
    heap.free(b);
  });
});
