// Writing a heap's allocation stream as a pymtrace v2 trace
// (lib/tools/traceWriter.ts): the lines and ids are the recorder's (LIFO ids,
// a moving realloc's new id taken first, A/U after the request that caused
// them, the trailer's counts), and a trace written from a random program
// replays through pymem with every block placed where it was and the same
// stats — the format's own conformance check, closed on itself.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Domain, Heap, InvalidArgumentError } from '../lib/index.js';
import { replayTrace } from '../lib/tools/replay.js';
import { TraceWriter, TraceWriterError, fileSink, stringSink } from '../lib/tools/traceWriter.js';

const events = (text: string): string[] => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
const strip = (l: string): string => (/^[mcrA] /.test(l) ? l.replace(/ [0-9a-f]+$/, '') : l);

it('ids, lines and the trailer as the recorder writes them', async () => {
  using heap = new Heap({ profile: 'cpython311', memory: 'fake' });
  const sink = stringSink();
  const w = new TraceWriter(heap, sink, 'demo.js');
  w.start();
  const a = heap.malloc(56);
  const b = heap.calloc(2, 8, Domain.MEM);
  heap.free(a);
  const c = heap.malloc(1000);
  const d = heap.realloc(b, 14, Domain.MEM);
  const e = heap.realloc(d, 400, Domain.MEM);
  heap.free(0);
  await w.stop();
  const text = sink.text();
  expect(text.split('\n')[0]).toBe('# pymtrace v2 python=3.11.7 script=demo.js');
  expect(events(text).map(strip)).toEqual(['m 0 56', 'A', 'c 1 2 8', 'f 0', 'm 0 1000', 'r 1 1 14', 'r 1 2 400', 'f -']);
  expect(events(text)[1]).toMatch(/^A [0-9a-f]+$/);
  expect(text).toMatch(/\n# end events=8 vmem_comments=0 unknown_ptr=0 live_ids=2 max_id=2 seconds=[0-9.]+\n$/);
  heap.free(c);
  heap.free(e, Domain.MEM);
});

it('a block allocated before start is written as ?ADDR', async () => {
  using heap = new Heap({ profile: 'cpython311', memory: 'fake' });
  const before = heap.malloc(32);
  const sink = stringSink();
  const w = new TraceWriter(heap, sink);
  w.start();
  heap.free(before);
  await w.stop();
  expect(events(sink.text())).toEqual([`f ?${heap.addressOf(heap.malloc(32)).toString(16)}`]);
  expect(sink.text()).toContain('unknown_ptr=1');
});

it('misuse is a typed error', async () => {
  using classic = new Heap({ profile: 'classic', memory: 'fake' });
  expect(() => new TraceWriter(classic, stringSink())).toThrow(InvalidArgumentError);
  using heap = new Heap({ profile: 'cpython311', memory: 'fake' });
  const w = new TraceWriter(heap, stringSink());
  await expect(w.stop()).rejects.toThrow(TraceWriterError);
  w.start();
  expect(() => w.start()).toThrow(TraceWriterError);
  await w.stop();
});

type Op = { op: 'malloc'; size: number; mem: boolean } | { op: 'calloc'; size: number; mem: boolean } | { op: 'realloc'; pick: number; size: number } | { op: 'free'; pick: number };
const size = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 512 }), weight: 8 }, { arbitrary: fc.integer({ min: 0, max: 3000 }), weight: 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constantFrom('malloc' as const, 'calloc' as const), size, mem: fc.boolean() }), weight: 5 },
  { arbitrary: fc.record({ op: fc.constant('realloc' as const), pick: fc.nat(), size }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('free' as const), pick: fc.nat() }), weight: 4 },
);

describe.each(['native', 'fake'] as const)('over %s memory', (memory) => {
  it('a trace written from a random program replays with every block where it was and the same stats', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pymem-tw-'));
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 200, maxLength: 3000 }), async (ops) => {
        using heap = new Heap({ profile: 'cpython311', memory });
        const file = join(dir, 'prog.trace.gz');
        const w = new TraceWriter(heap, fileSink(file), 'prog.js');
        w.start();
        const live: [number, Domain][] = [];
        for (const o of ops) {
          if (o.op === 'malloc' || o.op === 'calloc') {
            const d = o.mem ? Domain.MEM : Domain.OBJ;
            live.push([o.op === 'malloc' ? heap.malloc(o.size, d) : heap.calloc(1, o.size, d), d]);
          } else if (live.length > 0) {
            const i = o.pick % live.length;
            const [p, d] = live[i]!;
            if (o.op === 'free') {
              heap.free(p, d);
              live.splice(i, 1);
            } else live[i] = [heap.realloc(p, o.size, d), d];
          }
        }
        await w.stop();
        writeFileSync(file.replace('.trace.gz', '.stats.txt'), heap.formatDebugMallocStats());
        const r = await replayTrace(file, { memory: 'fake' });
        expect(r.placementCheckable).toBe(true);
        expect(r.placementMismatches).toBe(0);
        expect(r.arenaMismatches).toBe(0);
        expect(r.placementsChecked).toBeGreaterThan(0);
        expect(r.statsText).toBe(heap.formatDebugMallocStats());
        for (const [p, d] of live) heap.free(p, d);
      }),
      { numRuns: 15 },
    );
  });
});
