// The thread's region (lib/allocator/region.ts, native/pymem.cc): arenas
// are spans of one contiguous range; releasing an arena gives its pages back
// (mincore and /proc RSS see it) while the range stays valid; users' views
// are views of per-arena buffers, detached when the arena goes; a full region
// makes pymalloc fall back to the raw allocator, as a failed new_arena does
// in CPython. In child processes (a region is made once per thread): the
// library without its addon, a tiny region, `ulimit -v`, and a soak of heap
// and arena cycles whose RSS stays flat.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Heap, InvalidPointerError, pymallocViolations, regionInfo } from '../lib/index.js';
import { residentPages } from '../lib/allocator/region.js';

/** Under `npm run test:asan` glibc's malloc is ASan's and the address space is its shadow's: RSS, raw addresses and ulimit -v mean other things there. */
const sanitized = process.env['PYMEM_SANITIZED'] === '1';

const child = fileURLToPath(new URL('./fixtures/region-child.mjs', import.meta.url));
const MiB = 2 ** 20;

/** Runs a scenario of fixtures/region-child.mjs in a fresh process with `env` added; its JSON line. */
function runChild(scenario: string, env: Record<string, string> = {}, shellPrefix = ''): Record<string, unknown> {
  const command = `${shellPrefix}exec "${process.execPath}" --expose-gc "${child}" ${scenario}`;
  const r = spawnSync('/bin/sh', ['-c', command], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  expect(r.status, `${scenario}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

const rss = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;

describe('the region', () => {
  it('is native, 2 GiB by default, and every small pointer is an offset in it', () => {
    using heap = new Heap({ profile: 'cpython311' });
    const info = regionInfo();
    expect(info.kind).toBe('native');
    expect(info.bytes).toBe(2 ** 31);
    const p = heap.malloc(64);
    expect(p).toBeLessThan(info.bytes);
    expect(heap.addressOf(p)).toBe(info.address + p);
  });

  it.skipIf(sanitized)('gives a released arena\'s pages back: mincore and RSS drop, the range stays valid', () => {
    using heap = new Heap({ profile: 'cpython311' });
    const keep = heap.malloc(512); // holds arena 0, so the others can go
    const blocks: number[] = [];
    while (heap.pymalloc.narenasCurrentlyAllocated < 34) {
      const p = heap.malloc(512);
      heap.bytes(p).fill(0xab); // touch every page
      blocks.push(p);
    }
    const arenas = heap.pymalloc.arenas.filter((a) => a.address !== 0 && a.index !== 0);
    const spans = arenas.map((a) => a.vbase);
    const resident = (): number => spans.reduce((n, s) => n + residentPages(s, MiB), 0);
    expect(resident()).toBeGreaterThanOrEqual(((arenas.length - 1) * MiB) / 4096); // the last one is just begun
    const before = rss();
    for (const p of blocks) heap.free(p);
    expect(heap.pymalloc.narenasCurrentlyAllocated).toBeLessThanOrEqual(2); // CPython keeps one empty arena
    expect(resident()).toBeLessThanOrEqual(MiB / 4096); // at most the kept arena's pages
    expect(before - rss()).toBeGreaterThan(24 * MiB);
    expect(pymallocViolations(heap.pymalloc)).toEqual([]);
    heap.free(keep);
  });

  it('detaches a user\'s view when its arena is released: a stale view reads empty and writes nothing', () => {
    const heap = new Heap({ profile: 'classic' });
    const first = heap.malloc(100);
    const view = heap.bytes(first);
    view.fill(7);
    expect(heap.read(first, 0, 4)).toEqual(new Uint8Array([7, 7, 7, 7]));
    // Fill a second arena, so that freeing the first arena's blocks releases it.
    const firstArena = heap.pymalloc.arenaOf(first)!.arena;
    const more: number[] = [];
    while (heap.pymalloc.narenasCurrentlyAllocated < 2) more.push(heap.malloc(100));
    const inFirst = more.filter((p) => heap.pymalloc.arenaOf(p)!.arena === firstArena);
    heap.free(first);
    for (const p of inFirst) heap.free(p);
    expect(firstArena.address).toBe(0); // released
    expect(view.length).toBe(0);
    expect(view[0]).toBeUndefined();
    view[0] = 1;
    expect(view[0]).toBeUndefined();
    const again = heap.malloc(100);
    expect(heap.read(again, 0, 4)).toEqual(new Uint8Array(4)); // fresh memory, untouched by the stale view
    const live = heap.bytes(more.at(-1)!);
    heap.dispose();
    expect(live.length).toBe(0); // dispose detaches too
  });

  it('keeps two heaps apart in one region', () => {
    using a = new Heap({ profile: 'classic' });
    using b = new Heap({ profile: 'cpython311' });
    const pa = Array.from({ length: 1000 }, (_, i) => a.malloc(8 + (i % 500)));
    const pb = Array.from({ length: 1000 }, (_, i) => b.malloc(8 + (i % 500)));
    for (const [i, p] of pa.entries()) a.bytes(p).fill(i & 0xff);
    for (const [i, p] of pb.entries()) b.bytes(p).fill(~i & 0xff);
    expect(new Set([...pa, ...pb]).size).toBe(2000);
    expect(() => b.free(pa[0]!)).toThrow(InvalidPointerError);
    expect(() => a.free(pb[0]!)).toThrow(InvalidPointerError);
    for (const [i, p] of pa.entries()) expect(a.bytes(p).every((x) => x === (i & 0xff))).toBe(true);
    for (const [i, p] of pb.entries()) expect(b.bytes(p).every((x) => x === (~i & 0xff))).toBe(true);
    expect(pymallocViolations(a.pymalloc)).toEqual([]);
    expect(pymallocViolations(b.pymalloc)).toEqual([]);
  });

  it('frees raw blocks still live on dispose', () => {
    const heap = new Heap({ profile: 'cpython311' });
    const raw = heap.malloc(100_000);
    const view = heap.bytes(raw);
    expect(view.length).toBe(100_000);
    heap.dispose();
    expect(view.length).toBe(0);
  });
});

describe('the region in a child process', () => {
  it('works without the addon for the fake, and says what to run for a native heap', () => {
    const r = runChild('noAddon', { PYMEM_NATIVE: '/nonexistent/pymem.node' });
    expect(r).toMatchObject({ read: [1, 2, 3, 9], arenas: 1, list: [1, 2, 3], region: 'plain' });
    const native = r['native'] as { typed: boolean; message: string };
    expect(native.typed).toBe(true);
    expect(native.message).toContain('npm rebuild pymem');
  });

  it('falls back to the raw allocator when a tiny region is full, as when new_arena fails', () => {
    const r = runChild('tinyRegion', { PYMEM_REGION_BYTES: String(4 * MiB) });
    expect(r['region']).toMatchObject({ kind: 'native', bytes: 4 * MiB });
    for (const memory of ['native', 'fake']) {
      // The NULL guard and the sentinels take the first MiB: three 1 MiB arenas of 64 pools fit.
      expect(r[memory]).toEqual({
        small: 3 * 64 * Math.floor((16384 - 48) / 64),
        rawAllAbove: true,
        arenas: 3,
        rawBlocksAtFull: 100,
        afterFreeSmall: true,
        violations: [],
        rawBlocksAtEnd: 0,
      });
    }
  });

  it.skipIf(sanitized)('gives a typed OutOfMemoryError under `ulimit -v`, never an abort, and stays usable', () => {
    const env = { PYMEM_REGION_BYTES: String(64 * MiB) };
    const { vmSize } = runChild('vmSize', env) as { vmSize: number };
    const limitKiB = Math.floor(vmSize / 1024) + 512 * 1024; // the addon holds 256 MiB of it back as headroom
    const r = runChild('ulimit', env, `ulimit -v ${limitKiB}; `);
    expect(r['error']).toEqual({ typed: true, name: 'OutOfMemoryError' });
    expect(r['small']).toBeGreaterThan(100_000); // the region filled up
    expect(r['raw']).toBeGreaterThan(100); // then the raw allocator served
    expect(r['intact']).toBe(true);
    expect(r['again']).toBe(true);
  });

  it.skipIf(sanitized)('keeps RSS flat over 100k heap cycles and 24k arena map/unmap cycles', () => {
    const r = runChild('soak') as { before: number; after: number; unmaps: number };
    expect(r.unmaps).toBeGreaterThanOrEqual(24_000);
    expect(r.after - r.before).toBeLessThan(8 * MiB);
  });
});
