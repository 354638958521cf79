// The native layer (native/pymem.cc through lib/native.ts): arenas, blocks,
// argument checks, process memory figures, benchmark floors, worker threads.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { native } from '../lib/native.js';

const page = native.pageSize();
const MiB = 1 << 20;

/** Calls `fn` and returns what it threw (fails the test if nothing). */
function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

describe('pageSize', () => {
  it('is a power of two of at least 4 KiB', () => {
    expect(page).toBeGreaterThanOrEqual(4096);
    expect(page & (page - 1)).toBe(0);
  });
});

describe('mapArena / unmapArena', () => {
  it.each([
    [page, page],
    [256 * 1024, 256 * 1024],
    [MiB, MiB],
    [64 * 1024, 4 * MiB],
    [4 * MiB, page],
  ])('maps %i bytes aligned to %i', (size, alignment) => {
    const { buffer, address } = native.mapArena(size, alignment);
    try {
      expect(buffer.byteLength).toBe(size);
      expect(address % alignment).toBe(0);
      const bytes = new Uint8Array(buffer);
      expect(bytes[0]).toBe(0);
      expect(bytes[size - 1]).toBe(0);
      for (let i = 0; i < size; i += page) bytes[i] = (i / page) & 0xff;
      bytes[size - 1] = 0x5a;
      for (let i = 0; i < size; i += page) expect(bytes[i]).toBe((i / page) & 0xff);
      expect(bytes[size - 1]).toBe(0x5a);
    } finally {
      native.unmapArena(buffer);
    }
  });

  it('leaves earlier views reading length 0 after unmap, even in a hot loop', () => {
    const { buffer } = native.mapArena(MiB, MiB);
    const bytes = new Uint8Array(buffer);
    const words = new Float64Array(buffer, 4096, 16);
    bytes.fill(1);
    const sum = (view: Uint8Array): number => {
      let total = 0;
      for (let i = 0; i < 4096; i++) total += view[i] ?? 0;
      return total;
    };
    for (let round = 0; round < 2000; round++) expect(sum(bytes)).toBe(4096);
    native.unmapArena(buffer);
    expect(buffer.byteLength).toBe(0);
    expect(bytes.length).toBe(0);
    expect(words.length).toBe(0);
    expect(bytes[0]).toBeUndefined();
    for (let round = 0; round < 2000; round++) expect(sum(bytes)).toBe(0);
    bytes[0] = 1;
    expect(bytes[0]).toBeUndefined();
  });

  it('refuses a buffer it did not map, or one already unmapped', () => {
    const { buffer } = native.mapArena(page, page);
    native.unmapArena(buffer);
    const twice = thrown(() => native.unmapArena(buffer));
    expect(twice).not.toBeInstanceOf(TypeError);
    expect(twice.code).toBe('EINVAL');
    expect(thrown(() => native.unmapArena(new ArrayBuffer(page))).code).toBe('EINVAL');
    const block = native.malloc(page);
    expect(thrown(() => native.unmapArena(native.blockBuffer(block))).code).toBe('EINVAL');
    native.free(block);
    expect(thrown(() => native.unmapArena(new Uint8Array(page) as unknown as ArrayBuffer))).toBeInstanceOf(TypeError);
    expect(thrown(() => native.unmapArena(undefined as unknown as ArrayBuffer))).toBeInstanceOf(TypeError);
  });

  it('refuses bad sizes and alignments', () => {
    const bad: [unknown, unknown, ErrorConstructor][] = [
      ['4096', page, TypeError],
      [undefined, page, TypeError],
      [null, page, TypeError],
      [4096n, page, TypeError],
      [{}, page, TypeError],
      [page, undefined, TypeError],
      [NaN, page, RangeError],
      [Infinity, page, RangeError],
      [-page, page, RangeError],
      [page + 0.5, page, RangeError],
      [2 ** 53, page, RangeError],
      [2 ** 60, page, RangeError],
      [3 * page, page, RangeError],
      [page / 2, page, RangeError],
      [0, page, RangeError],
      [page, page / 2, RangeError],
      [page, 3 * page, RangeError],
      [page, 2 ** 40, RangeError],
    ];
    for (const [size, alignment, type] of bad) {
      const error = thrown(() => (native.mapArena as (a: unknown, b: unknown) => unknown)(size, alignment));
      expect(error, `mapArena(${String(size)}, ${String(alignment)})`).toBeInstanceOf(type);
    }
    const negative = thrown(() => native.mapArena(-1, page));
    expect(negative.message).toBe('size must be a non-negative integer, got -1');
    expect(negative.code).toBe('ERR_OUT_OF_RANGE');
    expect(thrown(() => native.mapArena('x' as unknown as number, page)).code).toBe('ERR_INVALID_ARG_TYPE');
  });
});

describe('residentPages / adviseDontNeed', () => {
  it('counts pages touched and released', () => {
    const size = MiB;
    const pages = size / page;
    const { buffer } = native.mapArena(size, size);
    try {
      expect(native.residentPages(buffer)).toBe(0);
      const bytes = new Uint8Array(buffer);
      for (let i = 0; i < size; i += page) bytes[i] = 1;
      expect(native.residentPages(buffer)).toBe(pages);
      native.adviseDontNeed(buffer, 0, size / 2);
      expect(native.residentPages(buffer)).toBe(pages / 2);
      native.adviseDontNeed(buffer, size / 2, size / 2);
      expect(native.residentPages(buffer)).toBe(0);
      native.adviseDontNeed(buffer, 0, 0);
      // Released pages read as zero (reading maps the zero page back in,
      // which mincore counts, so this comes after the counts).
      expect(bytes[0]).toBe(0);
      expect(bytes[size / 2]).toBe(0);
    } finally {
      native.unmapArena(buffer);
    }
  });

  it('refuses misaligned, out-of-range and foreign arguments', () => {
    const { buffer } = native.mapArena(4 * page, page);
    try {
      expect(thrown(() => native.adviseDontNeed(buffer, 1, page))).toBeInstanceOf(RangeError);
      expect(thrown(() => native.adviseDontNeed(buffer, 0, page + 1))).toBeInstanceOf(RangeError);
      expect(thrown(() => native.adviseDontNeed(buffer, 0, 5 * page))).toBeInstanceOf(RangeError);
      expect(thrown(() => native.adviseDontNeed(buffer, 4 * page, page))).toBeInstanceOf(RangeError);
      expect(thrown(() => native.adviseDontNeed(buffer, 2 ** 53, page))).toBeInstanceOf(RangeError);
      expect(thrown(() => native.adviseDontNeed(buffer, -page, page))).toBeInstanceOf(RangeError);
      expect(thrown(() => native.adviseDontNeed(buffer, 0, '1' as unknown as number))).toBeInstanceOf(TypeError);
      expect(thrown(() => native.adviseDontNeed(new ArrayBuffer(page), 0, page)).code).toBe('EINVAL');
      expect(thrown(() => native.residentPages(new ArrayBuffer(page))).code).toBe('EINVAL');
      expect(thrown(() => native.residentPages(null as unknown as ArrayBuffer))).toBeInstanceOf(TypeError);
    } finally {
      native.unmapArena(buffer);
    }
    expect(thrown(() => native.residentPages(buffer)).code).toBe('EINVAL');
  });
});

describe('malloc / calloc / realloc / free', () => {
  it('hands out writable blocks with a cached buffer detached on free', () => {
    const address = native.malloc(1000);
    expect(address).toBeGreaterThan(0);
    expect(native.blockSize(address)).toBe(1000);
    const buffer = native.blockBuffer(address);
    expect(native.blockBuffer(address)).toBe(buffer);
    expect(buffer.byteLength).toBe(1000);
    const bytes = new Uint8Array(buffer);
    bytes.fill(0x11);
    expect(new Uint8Array(native.blockBuffer(address))[999]).toBe(0x11);
    native.free(address);
    expect(buffer.byteLength).toBe(0);
    expect(bytes.length).toBe(0);
    expect(bytes[0]).toBeUndefined();
  });

  it('treats malloc(0) as malloc(1)', () => {
    const address = native.malloc(0);
    expect(native.blockSize(address)).toBe(1);
    native.free(address);
  });

  it('zeroes calloc blocks and checks the product for overflow', () => {
    const address = native.calloc(100, 40);
    expect(native.blockSize(address)).toBe(4000);
    expect(new Uint8Array(native.blockBuffer(address)).every((b) => b === 0)).toBe(true);
    native.free(address);
    const empty = native.calloc(0, 8);
    expect(native.blockSize(empty)).toBe(1);
    native.free(empty);
    const overflow = thrown(() => native.calloc(2 ** 40, 2 ** 20));
    expect(overflow.code).toBe('ENOMEM');
    expect(thrown(() => native.calloc(-1, 8))).toBeInstanceOf(RangeError);
  });

  it('keeps contents across realloc and detaches the old buffer', () => {
    let address = native.malloc(16);
    const before = native.blockBuffer(address);
    new Uint8Array(before).set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    const moved = native.realloc(address, 1 << 20);
    expect(before.byteLength).toBe(0);
    expect(native.blockSize(moved)).toBe(1 << 20);
    expect([...new Uint8Array(native.blockBuffer(moved), 0, 16)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    if (moved !== address) expect(thrown(() => native.blockSize(address)).code).toBe('EINVAL');
    address = native.realloc(moved, 8);
    expect([...new Uint8Array(native.blockBuffer(address))]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    native.free(address);
  });

  it('leaves the old block intact when realloc runs out of memory', () => {
    const address = native.malloc(32);
    const buffer = native.blockBuffer(address);
    new Uint8Array(buffer).fill(7);
    const error = thrown(() => native.realloc(address, 2 ** 53 - 1));
    expect(error.code).toBe('ENOMEM');
    expect(native.blockSize(address)).toBe(32);
    expect(native.blockBuffer(address)).toBe(buffer);
    expect(new Uint8Array(buffer).every((b) => b === 7)).toBe(true);
    native.free(address);
  });

  it('throws ENOMEM when malloc cannot allocate', () => {
    const error = thrown(() => native.malloc(2 ** 53 - 1));
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('ENOMEM');
  });

  it('refuses unknown and freed addresses, changing nothing', () => {
    const address = native.malloc(64);
    native.free(address);
    for (const call of [
      () => native.free(address),
      () => native.realloc(address, 128),
      () => native.blockBuffer(address),
      () => native.blockSize(address),
      () => native.free(0),
      () => native.free(12345),
    ]) {
      const error = thrown(call);
      expect(error.code).toBe('EINVAL');
    }
    expect(thrown(() => native.free(-8))).toBeInstanceOf(RangeError);
    expect(thrown(() => native.free(1.5))).toBeInstanceOf(RangeError);
    expect(thrown(() => native.free(2 ** 53))).toBeInstanceOf(RangeError);
    expect(thrown(() => native.free(NaN))).toBeInstanceOf(RangeError);
    expect(thrown(() => native.free('0x1000' as unknown as number))).toBeInstanceOf(TypeError);
    expect(thrown(() => native.malloc(undefined as unknown as number))).toBeInstanceOf(TypeError);
    expect(thrown(() => native.malloc(-1)).message).toBe('size must be a non-negative integer, got -1');
    const live = native.malloc(8);
    expect(thrown(() => native.realloc(live, -1))).toBeInstanceOf(RangeError);
    expect(native.blockSize(live)).toBe(8);
    native.free(live);
  });
});

describe('memoryStats / resetPeakRss', () => {
  it('reports sensible RSS figures', () => {
    const { rss, peakRss } = native.memoryStats();
    expect(rss).toBeGreaterThan(MiB);
    expect(peakRss).toBeGreaterThanOrEqual(rss);
    expect(Number.isInteger(rss) && Number.isInteger(peakRss)).toBe(true);
  });

  it('resets the peak when permitted', () => {
    const permitted = native.resetPeakRss();
    expect(typeof permitted).toBe('boolean');
    const { rss, peakRss } = native.memoryStats();
    expect(peakRss).toBeGreaterThanOrEqual(rss);
  });
});

describe('benchmark floors', () => {
  it('times malloc/free pairs', () => {
    expect(native.benchPairs(64, 10_000)).toBeGreaterThan(0);
    expect(native.benchPairs(0, 0)).toBeGreaterThanOrEqual(0);
    expect(thrown(() => native.benchPairs(-1, 10))).toBeInstanceOf(RangeError);
  });

  it('times a mixed allocate-then-free run', () => {
    const n = 1000;
    const sizes = Uint32Array.from({ length: n }, (_, i) => 16 + ((i * 37) % 2048));
    const order = Uint32Array.from({ length: n }, (_, i) => (i * 7919) % n);
    expect(native.benchMixed(n, sizes, order)).toBeGreaterThan(0);
    expect(thrown(() => native.benchMixed(3, sizes, new Uint32Array([0, 0, 1])))).toBeInstanceOf(RangeError);
    expect(thrown(() => native.benchMixed(3, sizes, new Uint32Array([0, 1])))).toBeInstanceOf(RangeError);
    expect(thrown(() => native.benchMixed(3, [1, 2, 3] as unknown as Uint32Array, order))).toBeInstanceOf(TypeError);
    expect(thrown(() => native.benchMixed(3, sizes, new Int32Array(3) as unknown as Uint32Array))).toBeInstanceOf(TypeError);
  });
});

describe('worker threads', () => {
  it('loads the addon in a worker and maps there', async () => {
    const worker = new Worker(new URL('./fixtures/native-worker.mjs', import.meta.url));
    const result = await new Promise<unknown>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    expect(result).toEqual({ aligned: true, read: [0xab, 0xcd], lengthAfter: 0 });
    expect(await new Promise((resolve) => worker.once('exit', resolve))).toBe(0);
    const { buffer } = native.mapArena(page, page);
    native.unmapArena(buffer);
  });
});
