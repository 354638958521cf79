// The debug allocator (lib/allocator/debugAllocator.ts, `new Heap({ debug: true })`)
// against what CPython 3.11's debug hooks do (PYTHONMALLOC=debug), recorded by
// test/fixtures/debug-allocator/record.sh: the block layout of each domain,
// and the scenarios of Lib/test/test_capi/test_mem.py — buffer overflow, API
// misuse — plus underflow and double free. Each bad free is a
// MemoryCorruptionError carrying CPython's dump, and changes nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadU8, storeU8, viewBytes } from '../lib/allocator/access.js';
import { Domain, Heap, InvalidPointerError, MemoryCorruptionError, pymallocViolations } from '../lib/index.js';

const fixtures = join(import.meta.dirname, 'fixtures/debug-allocator');
const normalise = (s: string): string => s.replace(/0x[0-9a-f]{6,}/g, '{ptr}');
/** CPython's dump: the lines before "Fatal Python error", addresses replaced by {ptr}. */
function recordedDump(name: string): { dump: string; fatal: string } {
  const text = readFileSync(join(fixtures, `${name}.txt`), 'utf8');
  const [dump, rest] = text.split('\nFatal Python error: ');
  return { dump: `${normalise(dump!)}\n`, fatal: rest!.split('\n')[0]! };
}
const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');

describe.each([
  ['native', 'cpython311'],
  ['fake', 'cpython311'],
  ['native', 'classic'],
] as const)('debug hooks over %s memory, %s profile', (memory, profile) => {
  const heapOf = () => new Heap({ memory, profile, debug: true });

  it('lays each domain\'s block out as CPython 3.11 does (size, API id, pads, clean bytes)', () => {
    using heap = heapOf();
    const recorded = readFileSync(join(fixtures, 'layout.txt'), 'utf8').trim().split('\n');
    const domains = { PyMem_RawMalloc: Domain.RAW, PyMem_Malloc: Domain.MEM, PyObject_Malloc: Domain.OBJ } as const;
    for (const line of recorded) {
      const [name, ...bytes] = line.split(' ');
      const p = heap.malloc(5, domains[name as keyof typeof domains]);
      expect(hex(viewBytes(p - 16, 16 + 5 + 8)), name).toBe(bytes.join(' '));
      heap.free(p, domains[name as keyof typeof domains]);
    }
  });

  it('buffer overflow: freeing is a bad trailing pad byte with CPython\'s dump, and frees nothing', () => {
    using heap = heapOf();
    const p = heap.malloc(16, Domain.MEM);
    storeU8(p + 16, 'x'.charCodeAt(0));
    const before = heap.formatDebugMallocStats();
    const e = catchError(() => heap.free(p, Domain.MEM));
    const cpython = recordedDump('pymem_buffer_overflow');
    expect(e).toBeInstanceOf(MemoryCorruptionError);
    expect(e.message).toBe(cpython.fatal);
    expect(normalise(e.dump)).toBe(cpython.dump);
    expect(heap.formatDebugMallocStats()).toBe(before);
    storeU8(p + 16, 0xfd);
    heap.free(p, Domain.MEM);
  });

  it('API misuse: PyMem_Malloc then PyMem_RawFree is a bad ID with CPython\'s dump', () => {
    using heap = heapOf();
    const p = heap.malloc(16, Domain.MEM);
    const e = catchError(() => heap.free(p, Domain.RAW));
    const cpython = recordedDump('pymem_api_misuse');
    expect(e.message).toBe(cpython.fatal);
    expect(normalise(e.dump)).toBe(cpython.dump);
    expect(() => heap.free(p, Domain.OBJ)).toThrow("bad ID: Allocated using API 'm', verified using API 'o'");
    heap.free(p, Domain.MEM);
  });

  it('underflow: a write before the block is a bad leading pad byte, and the dump says where', () => {
    using heap = heapOf();
    const p = heap.malloc(40);
    storeU8(p - 3, 0);
    const e = catchError(() => heap.realloc(p, 80));
    expect(e.message).toBe('_PyMem_DebugRawRealloc: bad leading pad byte');
    expect(e.dump).toContain('        at p-3: 0x00 *** OUCH\n');
    expect(e.dump).toContain('Because memory is corrupted at the start');
    storeU8(p - 3, 0xfd);
    heap.free(p);
  });

  it.each([24, 2000])('double free of a %i-byte block is caught before the allocator below sees it', (size) => {
    using heap = heapOf();
    const p = heap.malloc(size);
    const keep = heap.malloc(size);
    heap.free(p);
    expect(() => heap.free(p)).toThrow(InvalidPointerError);
    expect(pymallocViolations(heap.pymalloc)).toEqual([]);
    heap.free(keep);
  });

  it('malloc fills CLEANBYTE, calloc zeroes, free fills DEADBYTE', () => {
    using heap = heapOf();
    const p = heap.malloc(100);
    expect(heap.bytes(p)).toEqual(new Uint8Array(100).fill(0xcd));
    const q = heap.calloc(10, 10);
    expect(heap.bytes(q)).toEqual(new Uint8Array(100));
    const keep = heap.malloc(100);
    heap.free(p);
    // pymalloc's free-list link takes the first 8 bytes of the freed block.
    expect([...viewBytes(p, 100).subarray(8)].every((b) => b === 0xdd)).toBe(true);
    heap.free(q);
    heap.free(keep);
  });

  it('realloc keeps the data across moves between size classes and to the raw allocator (model: a byte array)', () => {
    using heap = heapOf();
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 12 }), (sizes) => {
        let p = heap.malloc(sizes[0]!);
        let model = Uint8Array.from({ length: sizes[0]! }, (_, i) => (i * 7 + 1) & 0xff);
        heap.bytes(p).set(model);
        for (const n of sizes.slice(1)) {
          p = heap.realloc(p, n);
          const grown = new Uint8Array(n).fill(0xcd);
          grown.set(model.subarray(0, Math.min(n, model.length)));
          model = grown;
          expect(heap.bytes(p)).toEqual(model);
        }
        heap.free(p);
        expect(pymallocViolations(heap.pymalloc)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});

it('without debug: no decorations around a block', () => {
  using heap = new Heap({ profile: 'cpython311' });
  const p = heap.malloc(5, Domain.MEM);
  expect(heap.usableSize(p)).toBe(16);
  expect(loadU8(p + 5)).not.toBe(0xfd);
  heap.free(p, Domain.MEM);
});

function catchError(f: () => void): MemoryCorruptionError {
  try {
    f();
  } catch (e) {
    return e as MemoryCorruptionError;
  }
  throw new Error('expected an error');
}
