// The cpython contestant of pymem compare: CPython 3.11's own obmalloc, from
// libpython by dlopen, run by the native replayer.  It makes exactly the
// trace's calls; on the bundled recording of CPython's start-up it puts every
// block where CPython did and prints CPython's stats line for line; a wrong
// expectation is caught; the recorded placement is read right from the text
// (A lines after their request, raw blocks, failed calls skipped, v1 without
// addresses); a missing or wrong libpython is reported and skipped.
//
// Needs the native replayer and a libpython3.11 (python3's sysconfig or the
// system directories); without one, the tests that run it are skipped and
// their names say why.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { BinaryTraceBuilder, binaryTraceFor, parseToBinary, writeBinaryTrace } from '../lib/tools/binaryTrace.js';
import { type AllocatorSpec, checkAvailable, parseAllocator, replayerPath } from '../lib/tools/compare/allocators.js';
import { checkRun, runComparison } from '../lib/tools/compare/compare.js';
import { runOnce, runPlacementCheck } from '../lib/tools/compare/measure.js';
import { PLACEMENT_HEADER_BYTES, PLACEMENT_RECORD_BYTES, encodePlacement, placementFileFor, readPlacement } from '../lib/tools/compare/placement.js';
import { cpythonTable, resultsTable } from '../lib/tools/compare/report.js';
import { diffLines } from '../lib/tools/statsDiff.js';

const root = resolve(import.meta.dirname, '..');
const fixture = join(root, 'fixtures/traces/startup.trace.gz');
const fixtureStats = join(root, 'fixtures/traces/startup.stats.txt');
const dir = mkdtempSync(join(tmpdir(), 'pymem-cpython-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const found = checkAvailable([parseAllocator('cpython')]);
const cpython = found.available[0] as (AllocatorSpec & { kind: 'cpython' }) | undefined;
const why = cpython ? `libpython at ${cpython.libpython}` : `skipped: ${found.missing[0]?.why}`;

/** Writes `lines` as a gzip'd pymtrace file; returns its path. */
function textTrace(name: string, lines: string[]): string {
  const f = join(dir, `${name}.trace.gz`);
  writeFileSync(f, gzipSync(`${lines.join('\n')}\n`));
  return f;
}

describe('the contestant\'s name', () => {
  it('cpython is CPython\'s obmalloc, run by the native replayer with a libpython', () => {
    expect(parseAllocator('cpython')).toEqual({ kind: 'cpython', name: 'cpython' });
    expect(() => parseAllocator('cpython312')).toThrow(/expected glibc, cpython, jemalloc/);
  });
});

describe('the recorded placement, read from the text', () => {
  it('places each block once the A/U lines after its request are read; raw blocks, frees and failed calls have none', async () => {
    const f = textTrace('small', [
      '# pymtrace v2 python=3.11.7 script=x.py',
      'm 0 56 7ffff75e0030',
      'A 7ffff75de000',
      'm 1 600 555555960b60',
      'm - 100',
      'c 2 2 8 7ffff75e4030',
      'r 1 3 64 7ffff75e0070',
      'f 0',
      'f 2',
      'f 3',
      'U 7ffff75de000',
      'f -',
    ]);
    const p = (await readPlacement(f))!;
    expect(p.records).toBe(8); // the failed malloc is no record, as in the binary trace
    expect([...p.arena]).toEqual([1, 0, 1, 1, 0, 0, 0, 0]);
    expect([...p.offset.subarray(0, 4)]).toEqual([0x2030, 0, 0x6030, 0x2070]);
    expect([...p.maps]).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect([...p.unmaps]).toEqual([0, 0, 0, 0, 0, 0, 1, 0]);
    expect([...p.misalign]).toEqual([0x2000]);
    const bytes = encodePlacement(p);
    expect(bytes.length).toBe(PLACEMENT_HEADER_BYTES + 8 * PLACEMENT_RECORD_BYTES + 4);
    expect(Buffer.from(bytes.subarray(0, 8)).toString('latin1')).toBe('PYMBPL01');
  });

  // A model of a recording: each request puts its block in a live arena at
  // some offset, in an arena it maps right then (its A line follows it), or
  // in libc memory; frees come at random, and unmaps of arenas no live block
  // is in (as pymalloc only unmaps an empty arena); some requests fail.
  // The placement read from the text must be the model's, record for record,
  // and its records must be the binary trace's.
  type Step = { op: 'alloc' | 'realloc' | 'free' | 'fail' | 'unmap'; pick: number; where: 'arena' | 'new' | 'raw'; offset: number };
  const step: fc.Arbitrary<Step> = fc.record({
    op: fc.constantFrom('alloc', 'alloc', 'realloc', 'free', 'free', 'fail', 'unmap'),
    pick: fc.nat(),
    where: fc.constantFrom('arena', 'arena', 'new', 'raw'),
    offset: fc.integer({ min: 0, max: (1 << 20) - 1 }),
  });
  it('equals a model of the recording on random traces, and has the binary trace\'s records', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 120 }), async (steps) => {
        const lines = ['# pymtrace v2 python=3.11.7 script=model.py'];
        const want: { arena: number; offset: number; maps: number; unmaps: number }[] = [];
        const arenas: { base: number; ordinal: number }[] = [];
        let mapped = 0;
        let nextId = 0;
        let rawNext = 0x555555550000;
        const live: number[] = [];
        const arenaOf = new Map<number, number>(); // live id -> arena ordinal + 1 (0: raw)
        const place = (where: Step['where'], offset: number): { address: number; arena: number; off: number; map?: number } => {
          if (where === 'new' || (where === 'arena' && arenas.length === 0)) {
            const base = 0x7f0000000000 + mapped * 0x200000 + (mapped % 4) * 0x1000;
            arenas.push({ base, ordinal: mapped++ });
            return { address: base + offset, arena: mapped, off: offset, map: base };
          }
          if (where === 'arena') {
            const a = arenas[offset % arenas.length]!;
            return { address: a.base + offset, arena: a.ordinal + 1, off: offset };
          }
          rawNext += 0x100;
          return { address: rawNext, arena: 0, off: 0 };
        };
        for (const s of steps) {
          if (s.op === 'alloc' || (s.op === 'realloc' && live.length === 0)) {
            const p = place(s.where, s.offset);
            const id = nextId++;
            live.push(id);
            arenaOf.set(id, p.arena);
            lines.push(`m ${id} 40 ${p.address.toString(16)}`);
            want.push({ arena: p.arena, offset: p.off, maps: p.map !== undefined ? 1 : 0, unmaps: 0 });
            if (p.map !== undefined) lines.push(`A ${p.map.toString(16)}`);
          } else if (s.op === 'realloc') {
            const at = s.pick % live.length;
            const p = place(s.where, s.offset);
            const id = nextId++;
            lines.push(`r ${live[at]} ${id} 100 ${p.address.toString(16)}`);
            arenaOf.delete(live[at]!);
            arenaOf.set(id, p.arena);
            live[at] = id;
            want.push({ arena: p.arena, offset: p.off, maps: p.map !== undefined ? 1 : 0, unmaps: 0 });
            if (p.map !== undefined) lines.push(`A ${p.map.toString(16)}`);
          } else if (s.op === 'free') {
            const id = live.length > 0 ? live.splice(s.pick % live.length, 1)[0]! : -1;
            arenaOf.delete(id);
            lines.push(id < 0 ? 'f -' : `f ${id}`);
            want.push({ arena: 0, offset: 0, maps: 0, unmaps: 0 });
          } else if (s.op === 'fail') {
            lines.push('m - 50');
          } else {
            const used = new Set(arenaOf.values());
            const empty = arenas.filter((a) => !used.has(a.ordinal + 1));
            if (empty.length > 0 && want.length > 0) {
              const gone = empty[s.pick % empty.length]!;
              arenas.splice(arenas.indexOf(gone), 1);
              lines.push(`U ${gone.base.toString(16)}`);
              want.at(-1)!.unmaps++;
            }
          }
        }
        const f = textTrace(`model-${run++}`, lines);
        const p = (await readPlacement(f))!;
        const bin = await parseToBinary(f);
        expect(p.records).toBe(bin.header.records);
        expect(p.records).toBe(want.length);
        for (let i = 0; i < want.length; i++) {
          expect({ arena: p.arena[i], offset: p.arena[i] ? p.offset[i] : 0, maps: p.maps[i], unmaps: p.unmaps[i] }).toEqual(want[i]);
        }
        expect(p.misalign.length).toBe(mapped);
      }),
      { numRuns: 100 },
    );
  });

  it('a v1 trace (no addresses) has no placement', async () => {
    const f = textTrace('v1', ['# pymtrace v1 python=3.11.7 script=x.py', 'm 0 56', 'A 7ffff75de000', 'f 0']);
    expect(await readPlacement(f)).toBeNull();
  });
});

describe.skipIf(cpython === undefined)(`CPython's obmalloc as a contestant (${why})`, () => {
  it('makes exactly the trace\'s calls, sizes 0 and > 512 included', async () => {
    const b = new BinaryTraceBuilder();
    for (let i = 0; i < 2000; i++) {
      if (i % 7 === 0) b.calloc(i, 1 + (i % 5), 1 + (i % 200));
      else b.malloc(i, i % 53 === 0 ? 0 : 1 + ((i * 37) % 1500));
    }
    for (let i = 0; i < 2000; i += 3) b.realloc(i, i, 1 + (i % 400));
    for (let i = 1; i < 2000; i += 3) b.free(i);
    b.realloc(-1, 5000, 30);
    b.free(-1);
    const t = b.finish(0, 0);
    const f = join(dir, 'calls.pymbt');
    writeBinaryTrace(f, t);
    const r = await runOnce(cpython!, f, { touchMax: 512, timelineEvery: 500 });
    expect(checkRun(r, t.header)).toEqual([]);
    expect(r.python).toMatch(/^3\.11\./);
    expect(r.timeline.length).toBe(1 + Math.floor(t.header.records / 500));
  });

  it('puts every block of CPython\'s recorded start-up where CPython did, and prints CPython\'s stats line for line', async () => {
    const cacheDir = join(dir, 'cache');
    const bin = await binaryTraceFor(fixture, { cacheDir });
    const placement = await placementFileFor(fixture, bin.header.records, cacheDir);
    expect(placement).not.toBeNull();
    const statsOut = join(dir, 'startup.cpython-stats.txt');
    const r = await runPlacementCheck(cpython!, bin.path, placement, statsOut);
    expect(r.placement).toMatchObject({ checked: 78977, mismatches: 0, arenaMismatches: 0, arenasMapped: 4, first: [] });
    expect(diffLines(readFileSync(statsOut, 'utf8'), readFileSync(fixtureStats, 'utf8')).filter((l) => !l.same)).toEqual([]);
  });

  it('a placement that is not the recorded one is caught, record by record', async () => {
    const cacheDir = join(dir, 'cache');
    const bin = await binaryTraceFor(fixture, { cacheDir });
    const p = (await readPlacement(fixture))!;
    p.offset[0]! += 16; // record 0: one block further on
    p.maps[0] = 0; // and no arena mapped after it
    const wrong = join(dir, 'wrong.pympl');
    writeFileSync(wrong, encodePlacement(p));
    const r = await runPlacementCheck(cpython!, bin.path, wrong, join(dir, 'wrong-stats.txt'));
    expect(r.placement!.mismatches).toBe(1);
    expect(r.placement!.arenaMismatches).toBe(1);
    expect(r.placement!.first[0]).toBe('record 0: 56-byte block: recorded arena 0 +0x2040, replayed arena 0 +0x2030');
    expect(r.placement!.first[1]).toBe('record 0: recorded 0 map(s) / 0 unmap(s), replayed 1 / 0');
  });

  it('in a comparison: ÷ cpython columns, and the check table', async () => {
    const c = await runComparison({
      traces: [fixture],
      synthetic: [],
      allocators: ['glibc', 'cpython'],
      runs: 1,
      memoryRuns: 1,
      timelineSamples: 10,
      cacheDir: join(dir, 'cache'),
    });
    const w = c.workloads[0]!;
    expect(w.failures).toEqual([]);
    expect(w.cpythonCheck).toMatchObject({ placement: { mismatches: 0, arenaMismatches: 0 }, statsFile: fixtureStats, statsLinesDiffering: 0 });
    expect(resultsTable(c)).toContain('| time ÷ cpython |');
    expect(resultsTable(c)).toMatch(/\| startup \| cpython \| [\d.]+ ms \| [\d.]+ \| 1\.0 \|/);
    expect(cpythonTable(c)).toContain('| 78,977 of 78,977 | 0 | 4 | 0 |');
  });
});

describe('a libpython that cannot be used is reported and skipped', () => {
  it('a path that does not exist', () => {
    const { available, missing } = checkAvailable([parseAllocator('cpython')], { libpython: join(dir, 'nonexistent.so') });
    expect(available).toEqual([]);
    expect(missing).toEqual([{ name: 'cpython', why: `no ${join(dir, 'nonexistent.so')}` }]);
  });

  it.skipIf(!existsSync(replayerPath()))('a file that is no shared library: the replayer cannot open it', () => {
    const fake = join(dir, 'libpython-fake.so');
    writeFileSync(fake, 'not an ELF file');
    const { available, missing } = checkAvailable([parseAllocator('cpython')], { libpython: fake });
    expect(available).toEqual([]);
    expect(missing[0]!.why).toMatch(new RegExp(`^cannot open ${fake}: `));
  });
});
