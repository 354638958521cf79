// The README's picture (docs/heap.svg) is what docs/make-heap-picture.mjs
// draws from a real heap today, and the picture module reads the heap
// without changing it: its pool states, block states and free list agree
// with pymalloc's own accounting.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Heap } from '../lib/allocator/heap.js';
import { heapPicture, heapView, sizeClassOf } from '../lib/tools/heapPicture.js';
import { InvalidArgumentError } from '../lib/errors.js';

const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'pymem-picture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the heap picture', () => {
  it('docs/heap.svg is what docs/make-heap-picture.mjs makes now', () => {
    const out = join(dir, 'heap.svg');
    const r = spawnSync(process.execPath, [join(root, 'docs/make-heap-picture.mjs'), out], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(root, 'docs/heap.svg'), 'utf8'));
  });

  it.each(['cpython311', 'classic'])('reads a %s heap without changing it, agreeing with its stats', (profile) => {
    using heap = new Heap({ profile, memory: 'fake' });
    const ps = Array.from({ length: 700 }, (_, i) => heap.malloc(i % 3 === 0 ? 24 : 100));
    for (let k = 0; k < 20; k++) heap.free(ps.splice((k * 7919) % ps.length, 1)[0]!);
    const p = heap.malloc(24);
    const before = JSON.stringify(heap.debugMallocStats());
    const v = heapView(heap, p);
    const svg = heapPicture(heap, p, 24);
    expect(JSON.stringify(heap.debugMallocStats())).toBe(before);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const stats = heap.debugMallocStats();
    const cls = stats.classes.find((c) => c.sizeClass === v.sizeClass)!;
    expect(v.blockSize).toBe(cls.size);
    expect(v.blockSize).toBe(sizeClassOf(24, profile).blockSize);
    expect(v.blocks[v.slot]).toBe('used');
    expect(v.blocks.filter((b) => b === 'used')).toHaveLength(v.header.count);
    expect(v.blocks.filter((b) => b === 'free')).toHaveLength(v.freeList.length);
    expect(new Set(v.freeList).size).toBe(v.freeList.length);
    const inUse = v.pools.filter((x) => x.state === 'full' || x.state === 'used').length;
    expect(inUse).toBe(stats.classes.reduce((n, c) => n + c.numPools, 0)); // one arena holds them all here
  });

  it('gives the size-class arithmetic of obmalloc.c for both profiles', () => {
    expect(sizeClassOf(24, 'cpython311')).toMatchObject({ sizeClass: 1, blockSize: 32, blocksPerPool: 510 });
    expect(sizeClassOf(24, 'classic')).toMatchObject({ sizeClass: 2, blockSize: 24, blocksPerPool: 168 });
    expect(sizeClassOf(512, 'cpython311')).toMatchObject({ sizeClass: 31, blockSize: 512 });
    expect(sizeClassOf(1, 'classic')).toMatchObject({ sizeClass: 0, blockSize: 8 });
  });

  it('refuses a pointer that is not a pymalloc block of the heap', () => {
    using heap = new Heap({ memory: 'fake' });
    const raw = heap.malloc(5000);
    expect(() => heapView(heap, raw)).toThrow(InvalidArgumentError);
    heap.free(raw);
  });
});
