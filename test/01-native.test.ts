// The native layer (native/pymem.cc through lib/native.ts): the region, blocks,
// argument checks, process memory figures, benchmark floors, worker threads.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { native } from '../lib/native.js';

/** Under `npm run test:asan` glibc's malloc is ASan's and the address space is its shadow's: RSS, raw addresses and ulimit -v mean other things there. */
const sanitized = process.env['PYMEM_SANITIZED'] === '1';

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

describe('reserveRegion', () => {
  const region = native.reserveRegion(2 ** 31)!;

  it('reserves one region per thread, aligned, zeroed, writable, the same on every call', () => {
    expect(region).not.toBeNull();
    expect(region.size & (region.size - 1)).toBe(0);
    expect(region.size).toBeGreaterThanOrEqual(4 * MiB);
    expect(region.buffer.byteLength).toBe(region.size);
    expect(region.address % Math.min(region.size, 2 ** 30)).toBe(0);
    expect(region.requested).toBe(2 ** 31);
    const again = native.reserveRegion(4 * MiB)!;
    expect(again.buffer).toBe(region.buffer);
    expect(again.address).toBe(region.address);
    const bytes = new Uint8Array(region.buffer);
    const at = region.size - 2 * MiB;
    expect(bytes[at]).toBe(0);
    bytes[at] = 0x5a;
    expect(new Uint8Array(again.buffer)[at]).toBe(0x5a);
    native.releaseRange(at, page);
    expect(bytes[at]).toBe(0);
  });

  it('refuses sizes that are not powers of two from 4 MiB to 2 GiB', () => {
    for (const size of [0, 3 * MiB, 2 * MiB, 2 ** 32, 5 * MiB]) {
      expect(thrown(() => native.reserveRegion(size)), String(size)).toBeInstanceOf(RangeError);
    }
    expect(thrown(() => native.reserveRegion(-1)).message).toBe('size must be a non-negative integer, got -1');
    expect(thrown(() => native.reserveRegion('x' as unknown as number)).code).toBe('ERR_INVALID_ARG_TYPE');
  });
});

describe('releaseRange / residentPages', () => {
  const region = native.reserveRegion(2 ** 31)!;
  // The top 4 MiB of the region: nothing else in this process uses it.
  const base = region.size - 4 * MiB;

  it('counts resident pages and gives them back, the range staying valid', () => {
    const bytes = new Uint8Array(region.buffer, base, MiB);
    const pages = MiB / page;
    expect(native.residentPages(base, MiB)).toBe(0);
    for (let i = 0; i < MiB; i += page) bytes[i] = 1;
    expect(native.residentPages(base, MiB)).toBe(pages);
    expect(native.releaseRange(base, MiB / 2)).toBe(0);
    expect(native.residentPages(base, MiB)).toBe(pages / 2);
    expect(native.releaseRange(base + MiB / 2, MiB / 2)).toBe(0);
    expect(native.residentPages(base, MiB)).toBe(0);
    expect(native.releaseRange(base, 0)).toBe(0);
    expect(bytes.every((b) => b === 0)).toBe(true);
    bytes[7] = 9; // a released range is still memory
    expect(bytes[7]).toBe(9);
    native.releaseRange(base, page);
  });

  it('refuses ranges that are unaligned or leave the region', () => {
    for (const [offset, length] of [
      [1, page],
      [0, page + 1],
      [region.size - page, 2 * page],
      [region.size + page, 0],
      [2 ** 53, page],
    ]) {
      expect(thrown(() => native.releaseRange(offset!, length!))).toBeInstanceOf(RangeError);
      expect(thrown(() => native.residentPages(offset!, length!))).toBeInstanceOf(RangeError);
    }
    expect(thrown(() => native.releaseRange(-page, page))).toBeInstanceOf(RangeError);
    expect(thrown(() => native.releaseRange(0, '1' as unknown as number))).toBeInstanceOf(TypeError);
  });
});

describe('regionView / detachView', () => {
  const region = native.reserveRegion(2 ** 31)!;
  const base = region.size - 8 * MiB;

  it('aliases a range of the region and detaches without touching it, even in a hot loop', () => {
    const whole = new Uint8Array(region.buffer, base, MiB);
    const view = native.regionView(base, MiB);
    const bytes = new Uint8Array(view);
    bytes.fill(1);
    expect(whole[MiB - 1]).toBe(1);
    const sum = (v: Uint8Array): number => {
      let total = 0;
      for (let i = 0; i < 4096; i++) total += v[i] ?? 0;
      return total;
    };
    for (let round = 0; round < 2000; round++) expect(sum(bytes)).toBe(4096);
    native.detachView(view);
    expect(view.byteLength).toBe(0);
    expect(bytes.length).toBe(0);
    for (let round = 0; round < 2000; round++) expect(sum(bytes)).toBe(0);
    bytes[0] = 7;
    expect(bytes[0]).toBeUndefined();
    expect(whole[0]).toBe(1);
    expect(region.buffer.byteLength).toBe(region.size);
    native.detachView(view); // detaching twice is a no-op
    native.releaseRange(base, MiB);
  });

  it('refuses to detach the region itself, a foreign buffer or a block\'s', () => {
    expect(thrown(() => native.detachView(region.buffer)).code).toBe('EINVAL');
    expect(thrown(() => native.detachView(new ArrayBuffer(page))).code).toBe('EINVAL');
    const block = native.malloc(page);
    expect(thrown(() => native.detachView(native.blockBuffer(block))).code).toBe('EINVAL');
    native.free(block);
    expect(thrown(() => native.detachView(new Uint8Array(page) as unknown as ArrayBuffer))).toBeInstanceOf(TypeError);
    expect(thrown(() => native.regionView(1, page))).toBeInstanceOf(RangeError);
    expect(region.buffer.byteLength).toBe(region.size);
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
    expect(native.calloc(2 ** 40, 2 ** 20)).toBe(0); // the product overflows: out of memory, no throw
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
    expect(native.realloc(address, 2 ** 53 - 1)).toBe(0);
    expect(native.blockSize(address)).toBe(32);
    expect(native.blockBuffer(address)).toBe(buffer);
    expect(new Uint8Array(buffer).every((b) => b === 7)).toBe(true);
    native.free(address);
  });

  it('returns 0, never a throw, when malloc cannot allocate', () => {
    expect(native.malloc(2 ** 53 - 1)).toBe(0);
    expect(native.malloc(2 ** 47)).toBe(0);
  });

  it.skipIf(sanitized)('reads and writes a block through its raw window, no buffer per block', () => {
    const blocks = Array.from({ length: 64 }, (_, i) => native.malloc(1000 + i * 100));
    const bases = new Set<number>();
    for (const [i, address] of blocks.entries()) {
      new Uint8Array(native.blockBuffer(address)).fill(i + 1);
      const { buffer, base } = native.rawWindow(address);
      bases.add(base);
      expect(base % 2 ** 30 === 0 || base === page).toBe(true);
      const window = new Uint8Array(buffer);
      expect(window[address - base]).toBe(i + 1);
      window[address - base + 999] = 0xee;
      expect(new Uint8Array(native.blockBuffer(address))[999]).toBe(0xee);
    }
    expect(bases.size).toBeLessThanOrEqual(3);
    for (const address of blocks) native.free(address);
    expect(thrown(() => native.rawWindow(blocks[0]!)).code).toBe('EINVAL');
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
  it('loads the addon in a worker, with a region of its own', async () => {
    const worker = new Worker(new URL('./fixtures/native-worker.mjs', import.meta.url));
    // Listened for at once: a worker that exits before a later once('exit') is attached would never be heard.
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    const result = await new Promise<unknown>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const mine = native.reserveRegion(2 ** 31)!;
    expect(result).toMatchObject({ read: [0xab, 0xcd], lengthAfter: 0 });
    expect((result as { address: number }).address).not.toBe(mine.address);
    expect(await exited).toBe(0);
    expect(new Uint8Array(mine.buffer)[0]).toBe(0);
  });
});
