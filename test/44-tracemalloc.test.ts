// tracemalloc over a Heap (lib/tools/tracemalloc/): the hooks trace every
// domain exactly once per block (pymalloc's fall-back to the raw allocator is
// not traced twice), traced memory and its peak follow malloc, realloc and
// free, snapshots group and compare as Lib/tracemalloc.py does and print its
// text, filters select as its fnmatch patterns do (recorded from CPython by
// test/fixtures/tracemalloc/record.py), and stop() gives the domains their
// allocators back.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Domain, Heap, InvalidArgumentError, PymemError } from '../lib/index.js';
import { DomainFilter, Filter, Frame, Snapshot, fnmatchRegExp, formatSize } from '../lib/tools/tracemalloc/snapshot.js';
import { Tracemalloc, TracemallocError, javascriptFrames } from '../lib/tools/tracemalloc/tracemalloc.js';

const recorded = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/tracemalloc/recorded.json'), 'utf8')) as {
  formatSize: [number, string, string][];
  fnmatch: [string, string, boolean][];
};

/** The frame of the caller's line, as the tracer sees it (call it inside the allocating call's arguments: vitest's transform may move statements to other lines). */
const here = (): Frame => {
  const frames: Frame[] = [];
  javascriptFrames(2, (filename, lineno) => frames.push(new Frame(filename, lineno)));
  return frames[1]!;
};

describe.each(['native', 'fake'] as const)('tracemalloc over %s memory', (memory) => {
  it('start hooks every domain and stop restores the allocators it found', () => {
    using heap = new Heap({ memory, profile: 'cpython311' });
    const before = [Domain.RAW, Domain.MEM, Domain.OBJ].map((d) => heap.getAllocator(d));
    const tm = new Tracemalloc(heap);
    tm.start();
    expect(tm.isTracing()).toBe(true);
    expect([Domain.RAW, Domain.MEM, Domain.OBJ].map((d) => heap.getAllocator(d) === before[d])).toEqual([false, false, false]);
    tm.stop();
    expect(tm.isTracing()).toBe(false);
    expect([Domain.RAW, Domain.MEM, Domain.OBJ].map((d) => heap.getAllocator(d))).toEqual(before);
    expect(tm.getTracedMemory()).toEqual([0, 0]);
  });

  it('traced memory and its peak follow malloc, realloc and free; reset_peak; clear_traces', () => {
    using heap = new Heap({ memory, profile: 'cpython311' });
    const tm = new Tracemalloc(heap);
    tm.start();
    const p = heap.malloc(100);
    const q = heap.malloc(1000, Domain.MEM);
    expect(tm.getTracedMemory()).toEqual([1100, 1100]);
    const r = heap.realloc(p, 300);
    expect(tm.getTracedMemory()).toEqual([1300, 1300]);
    heap.free(q, Domain.MEM);
    expect(tm.getTracedMemory()).toEqual([300, 1300]);
    tm.resetPeak();
    expect(tm.getTracedMemory()).toEqual([300, 300]);
    tm.clearTraces();
    expect(tm.getTracedMemory()).toEqual([0, 0]);
    heap.free(r);
    expect(tm.getTracedMemory()).toEqual([0, 0]);
    tm.stop();
  });

  it('a large OBJ request (pymalloc falls back to RAW) is one trace, not two', () => {
    using heap = new Heap({ memory, profile: 'cpython311' });
    const tm = new Tracemalloc(heap);
    tm.start();
    const p = heap.malloc(5000);
    const stats = tm.takeSnapshot().statistics('lineno');
    expect(stats.map((s) => [s.size, s.count])).toEqual([[5000, 1]]);
    heap.free(p);
    expect(tm.takeSnapshot().traces).toEqual([]);
    tm.stop();
  });

  it('statistics by line print as tracemalloc does, largest first', () => {
    using heap = new Heap({ memory, profile: 'cpython311' });
    const tm = new Tracemalloc(heap);
    tm.start();
    const blocks: number[] = [];
    let lineA = here();
    let lineB = here();
    for (let i = 0; i < 3; i++) blocks.push(heap.malloc(((lineA = here()), 512)));
    blocks.push(heap.malloc(((lineB = here()), 100_000), Domain.RAW));
    expect(lineA.filename).toBe(join(import.meta.dirname, '44-tracemalloc.test.ts'));
    expect(lineA.lineno).not.toBe(lineB.lineno);
    const stats = tm.takeSnapshot().statistics('lineno');
    expect(stats.map(String)).toEqual([
      `${lineB}: size=97.7 KiB, count=1, average=97.7 KiB`,
      `${lineA}: size=1536 B, count=3, average=512 B`,
    ]);
    expect(tm.getTraceback(blocks[3]!)!.frames).toEqual([lineB]);
    const files = tm.takeSnapshot().statistics('filename');
    expect(files.map(String)).toEqual([`${lineA.filename}:0: size=99.2 KiB, count=4, average=24.8 KiB`]);
    for (const b of blocks.slice(0, 3)) heap.free(b);
    heap.free(blocks[3]!, Domain.RAW);
    tm.stop();
  });

  it('compare_to gives the differences, signed, largest change first', () => {
    using heap = new Heap({ memory, profile: 'cpython311' });
    const tm = new Tracemalloc(heap);
    tm.start();
    let [lineA, lineB, lineC] = [here(), here(), here()];
    const a = heap.malloc(((lineA = here()), 64));
    const b = heap.malloc(((lineB = here()), 2048));
    const first = tm.takeSnapshot();
    heap.free(b);
    const c = heap.malloc(((lineC = here()), 4096));
    const second = tm.takeSnapshot();
    expect(second.compareTo(first, 'lineno').map(String)).toEqual([
      `${lineC}: size=4096 B (+4096 B), count=1 (+1), average=4096 B`,
      `${lineB}: size=0 B (-2048 B), count=0 (-1)`,
      `${lineA}: size=64 B (+0 B), count=1 (+0), average=64 B`,
    ]);
    heap.free(a);
    heap.free(c);
    tm.stop();
  });

  it('tracebacks keep up to nframe frames; cumulative statistics count every frame', () => {
    using heap = new Heap({ memory, profile: 'cpython311' });
    const tm = new Tracemalloc(heap);
    tm.start(3);
    let inner = here();
    let outer = here();
    const alloc = (n: number) => heap.malloc(((inner = here()), n));
    const p = alloc(((outer = here()), 32));
    const [stat] = tm.takeSnapshot().statistics('traceback');
    expect(stat!.traceback.frames.slice(-2)).toEqual([outer, inner]);
    const cumulative = tm.takeSnapshot().statistics('lineno', true).map((s) => s.traceback.frames[0]);
    expect(cumulative).toContainEqual(inner);
    expect(cumulative).toContainEqual(outer);
    expect(tm.getTracebackLimit()).toBe(3);
    heap.free(p);
    tm.stop();
  });

  it('filters and domain filters select traces; dump and load give the same snapshot', () => {
    using heap = new Heap({ memory, profile: 'cpython311' });
    const tm = new Tracemalloc(heap);
    tm.start();
    let line = here();
    const p = heap.malloc(((line = here()), 10));
    const snap = tm.takeSnapshot();
    expect(snap.filterTraces([new Filter(true, line.filename)]).traces).toHaveLength(1);
    expect(snap.filterTraces([new Filter(false, line.filename)]).traces).toHaveLength(0);
    expect(snap.filterTraces([new Filter(true, '*', line.lineno + 1)]).traces).toHaveLength(0);
    expect(snap.filterTraces([new DomainFilter(true, 0)]).traces).toHaveLength(1);
    expect(snap.filterTraces([new DomainFilter(false, 0)]).traces).toHaveLength(0);
    const file = join(mkdtempSync(join(tmpdir(), 'pymem-tm-')), 'snap.json');
    snap.dump(file);
    const back = Snapshot.load(file);
    expect(back.statistics('traceback').map(String)).toEqual(snap.statistics('traceback').map(String));
    heap.free(p);
    tm.stop();
  });

  it('misuse is a typed error', () => {
    using heap = new Heap({ memory });
    const tm = new Tracemalloc(heap);
    expect(() => tm.takeSnapshot()).toThrow(TracemallocError);
    expect(() => tm.start(0)).toThrow(InvalidArgumentError);
    tm.start();
    const snap = tm.takeSnapshot();
    expect(() => snap.statistics('bogus' as 'lineno')).toThrow(InvalidArgumentError);
    expect(() => snap.statistics('traceback', true)).toThrow(InvalidArgumentError);
    expect(() => Snapshot.load(join(import.meta.dirname, 'fixtures/tracemalloc/recorded.json'))).toThrow(PymemError);
    tm.stop();
  });
});

it('sizes print as _format_size prints them (recorded from CPython)', () => {
  for (const [size, plain, signed] of recorded.formatSize) {
    expect([formatSize(size, false), formatSize(size, true)], String(size)).toEqual([plain, signed]);
  }
});

it('filter patterns match as fnmatch does (recorded from CPython)', () => {
  for (const [pattern, name, matches] of recorded.fnmatch) expect(fnmatchRegExp(pattern).test(name), `${pattern} ~ ${name}`).toBe(matches);
});
