// The allocator's diagnostics channels (lib/allocator/channels.ts) and what
// V8 is told the heap holds: 'pymem:arena' sees every map and unmap,
// 'pymem:pool' a pool's states in order on a known pattern (init, full,
// used, empty, release); with nobody subscribed nothing is published; the
// addon's external-memory count follows arenas as they map and unmap.
import diagnosticsChannel from 'node:diagnostics_channel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ARENA_CHANNEL_NAME,
  Heap,
  POOL_CHANNEL_NAME,
  arenaChannel,
  cpython311,
  poolChannel,
  type ArenaChannelMessage,
  type PoolChannelMessage,
} from '../lib/index.js';
import { native } from '../lib/native.js';

/** Collects what `name` publishes for `source` until the returned stop() is called. */
function collect<T extends { source: object }>(name: string, source: () => object): { got: T[]; stop: () => void } {
  const got: T[] = [];
  const on = (m: unknown): void => {
    if ((m as T).source === source()) got.push(m as T);
  };
  diagnosticsChannel.subscribe(name, on);
  return { got, stop: () => diagnosticsChannel.unsubscribe(name, on) };
}

const stops: (() => void)[] = [];
afterEach(() => {
  for (const s of stops.splice(0)) s();
  vi.restoreAllMocks();
});

describe("'pymem:arena'", () => {
  it('publishes every map and unmap, with the arena and the count mapped after it', () => {
    let heap: Heap | null = null;
    const c = collect<ArenaChannelMessage>(ARENA_CHANNEL_NAME, () => heap!.pymalloc);
    stops.push(c.stop);
    heap = new Heap({ profile: 'cpython311' });
    const ptrs: number[] = [];
    while (heap.pymalloc.narenasCurrentlyAllocated < 3) ptrs.push(heap.malloc(512));
    expect(c.got.map((m) => [m.event, m.arenaIndex, m.arenasMapped, m.size])).toEqual([
      ['map', 0, 1, 2 ** 20],
      ['map', 1, 2, 2 ** 20],
      ['map', 2, 3, 2 ** 20],
    ]);
    expect(c.got[1]!.address).toBe(heap.pymalloc.arenas[1]!.address);
    for (const p of ptrs) heap.free(p);
    // CPython keeps the last arena of usableArenas: two of the three go.
    expect(c.got.slice(3).map((m) => [m.event, m.arenasMapped])).toEqual([['unmap', 2], ['unmap', 1]]);
    heap.dispose();
    expect(c.got.at(-1)).toMatchObject({ event: 'unmap', arenasMapped: 0 });
  });
});

describe("'pymem:pool'", () => {
  it('publishes init, full, used and empty on a known pattern, and release under a policy', () => {
    let heap: Heap | null = null;
    const c = collect<PoolChannelMessage>(POOL_CHANNEL_NAME, () => heap!.pymalloc);
    stops.push(c.stop);
    heap = new Heap({ profile: { ...cpython311, name: 'p', release: { releasePoolsAt: 1 } } });
    const pin = heap.malloc(16); // another pool, so the arena stays
    c.got.length = 0;
    const ptrs = Array.from({ length: 31 }, () => heap!.malloc(512)); // 31 blocks of 512 fill a 16 KiB pool
    heap.free(ptrs[5]!);
    for (const p of ptrs) if (p !== ptrs[5]) heap.free(p);
    const pool = c.got[0]!.pool;
    expect(c.got.every((m) => m.pool === pool)).toBe(true);
    expect(c.got.map((m) => [m.event, m.sizeClass, m.count])).toEqual([
      ['init', 31, 1],
      ['full', 31, 31],
      ['used', 31, 30],
      ['empty', 31, 0],
      ['release', -1, 0],
    ]);
    heap.free(pin);
    heap.dispose();
  });

  it('publishes nothing, and builds no message, when nobody subscribes', () => {
    const pool = vi.spyOn(poolChannel, 'publish');
    const arena = vi.spyOn(arenaChannel, 'publish');
    using heap = new Heap({ profile: 'cpython311' });
    const ptrs = Array.from({ length: 5000 }, (_, i) => heap.malloc(1 + (i % 512)));
    for (const p of ptrs) heap.free(p);
    expect(pool).not.toHaveBeenCalled();
    expect(arena).not.toHaveBeenCalled();
  });
});

describe('napi_adjust_external_memory', () => {
  it('the bytes the addon reports to V8 follow arenas as they map and unmap', () => {
    const start = native.externalMemory();
    const heap = new Heap({ profile: 'cpython311' });
    const mapped = (): number => native.externalMemory() - start;
    const fresh = mapped(); // the heap's static blocks
    const ptrs: number[] = [];
    while (heap.pymalloc.narenasCurrentlyAllocated < 3) ptrs.push(heap.malloc(512));
    expect(mapped() - fresh).toBe(3 * 2 ** 20);
    for (const p of ptrs) heap.free(p);
    expect(mapped() - fresh).toBe(2 ** 20); // one empty arena kept
    heap.dispose();
    expect(native.externalMemory()).toBe(start);
  });

  it('passes V8 the difference: its external memory moves by what was set', () => {
    const before = native.externalMemory();
    const v8Before = native.setExternalMemory(before);
    expect(native.setExternalMemory(before + 2 ** 20) - v8Before).toBe(2 ** 20);
    expect(native.setExternalMemory(before)).toBe(v8Before);
  });
});
