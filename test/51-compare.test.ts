// pymem compare on small synthetic traces: every replayer (pymem profiles and
// retention, glibc through the addon, the native replayer under glibc and
// under each preloadable malloc installed here) makes exactly the trace's
// calls; the RSS figures move with what the trace allocates; a missing or
// ignored LD_PRELOAD library is reported and skipped; the report is written.
//
// The node replayers run from dist/ (a child process runs JavaScript), so the
// library is compiled first.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../lib/errors.js';
import { BinaryTraceBuilder, HEADER_BYTES, type BinaryTrace, writeBinaryTrace } from '../lib/tools/binaryTrace.js';
import { checkAvailable, parseAllocator, replayerPath } from '../lib/tools/compare/allocators.js';
import { checkRun, runComparison } from '../lib/tools/compare/compare.js';
import { RunError, childEntryPath, liveBytesTimeline, runOnce } from '../lib/tools/compare/measure.js';
import { resultsTable, writeReport } from '../lib/tools/compare/report.js';
import { syntheticTrace } from '../lib/tools/compare/synthetic.js';

const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'pymem-compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const nativeBuilt = existsSync(replayerPath());
const preloads = ['jemalloc', 'tcmalloc', 'mimalloc'].filter((n) => checkAvailable([parseAllocator(n)]).available.length === 1);

beforeAll(() => {
  // Type errors elsewhere do not stop tsc from emitting; only the child entry matters here.
  spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: root, stdio: 'ignore' });
  if (!existsSync(childEntryPath())) throw new Error(`${childEntryPath()} was not built`);
});

/** A trace with every kind of call: small and raw sizes, calloc, realloc in place / moving / NULL, free(NULL). */
function mixedTrace(): BinaryTrace {
  const b = new BinaryTraceBuilder();
  let id = 0;
  const live: number[] = [];
  for (let i = 0; i < 3000; i++) {
    const k = id++;
    if (i % 5 === 0) b.calloc(k, 1 + (i % 4), 1 + (i % 300));
    else b.malloc(k, i % 97 === 0 ? 0 : 1 + ((i * 53) % 2000));
    live.push(k);
    if (i % 3 === 0) {
      const j = live.splice((i * 7) % live.length, 1)[0]!;
      b.free(j);
    }
    if (i % 11 === 0 && live.length > 0) {
      const at = (i * 13) % live.length;
      const old = live[at]!;
      if (i % 2 === 0) b.realloc(old, old, 1 + (i % 500));
      else {
        const to = id++;
        b.realloc(old, to, 1 + ((i * 31) % 3000));
        live[at] = to;
      }
    }
  }
  b.realloc(-1, id++, 100);
  b.free(-1);
  return b.finish(0, 0);
}

const mixed = join(dir, 'mixed.pymbt');
const mixedTraceData = mixedTrace();
writeBinaryTrace(mixed, mixedTraceData);

describe('allocator names', () => {
  it('reads pymem variants, the addon, the native ones and NAME=PATH', () => {
    expect(parseAllocator('pymem')).toMatchObject({ kind: 'pymem', profile: 'cpython311', arenaRetention: 0, checkFree: true });
    expect(parseAllocator('pymem-classic-retain8-nocheck')).toMatchObject({ kind: 'pymem', profile: 'classic', arenaRetention: 8, checkFree: false });
    expect(parseAllocator('pymem+madvise')).toMatchObject({ profile: 'cpython311', arenaRetention: 0, release: { releasePoolsAt: 1 } });
    expect(parseAllocator('pymem+madvise8+cache4')).toMatchObject({ arenaRetention: 4, release: { releasePoolsAt: 8 } });
    expect(parseAllocator('pymem+cache4')).toMatchObject({ arenaRetention: 4 });
    expect(parseAllocator('pymem+cache4')).not.toHaveProperty('release');
    expect(parseAllocator('pymem')).not.toHaveProperty('release');
    expect(() => parseAllocator('pymem+madvise9999999')).toThrow(InvalidArgumentError);
    expect(parseAllocator('addon-glibc')).toEqual({ kind: 'addon', name: 'addon-glibc' });
    expect(parseAllocator('glibc')).toEqual({ kind: 'native', name: 'glibc' });
    expect(parseAllocator('jemalloc')).toMatchObject({ kind: 'native', debianPackage: 'libjemalloc2' });
    expect(parseAllocator('mine=/opt/libmine.so')).toEqual({ kind: 'native', name: 'mine', preload: '/opt/libmine.so' });
    expect(() => parseAllocator('hoard')).toThrow(/unknown allocator "hoard": expected/);
  });
});

describe('each replayer makes exactly the trace\'s calls', () => {
  const names = ['pymem', 'pymem-classic', 'pymem-retain2', 'addon-glibc', ...(nativeBuilt ? ['glibc', ...preloads] : [])];
  it.each(names)('%s', async (name) => {
    const r = await runOnce(parseAllocator(name), mixed, { touchMax: 512, timelineEvery: 1000 });
    const h = mixedTraceData.header;
    expect(r.counts).toEqual({ malloc: h.mallocs, calloc: h.callocs, realloc: h.reallocs, free: h.frees });
    expect(checkRun(r, h)).toEqual([]);
    if (name.startsWith('pymem')) expect(r.pymem!.liveBlocks).toBe(h.liveBlocksAtEnd);
    expect(r.timeline.length).toBe(1 + Math.floor(h.records / 1000));
    expect(r.replayMs).toBeGreaterThan(0);
  });

  it('checkRun names a call count that differs', () => {
    const h = mixedTraceData.header;
    const r = { counts: { malloc: h.mallocs - 1, calloc: h.callocs, realloc: h.reallocs, free: h.frees } } as Parameters<typeof checkRun>[0];
    expect(checkRun(r, h)).toEqual([`made ${h.mallocs - 1} malloc calls, the trace has ${h.mallocs}`]);
  });
});

describe('RSS figures', () => {
  // 131,072 live blocks of 256 bytes: 32 MiB requested, kept to the end.
  const b = new BinaryTraceBuilder();
  for (let i = 0; i < 131072; i++) b.malloc(i, 256);
  const big = b.finish(0, 0);
  const f = join(dir, 'big.pymbt');
  writeBinaryTrace(f, big);
  const MiB = 2 ** 20;

  it.each(['pymem', ...(nativeBuilt ? ['glibc'] : [])])('%s: baseline, peak and end move with the 32 MiB the trace keeps live', async (name) => {
    const r = await runOnce(parseAllocator(name), f, { touchMax: 512, timelineEvery: 8192 });
    expect(r.peakReset).toBe(true);
    expect(r.baselineRss).toBeGreaterThan(MiB);
    const above = r.peakRss - r.baselineRss;
    expect(above).toBeGreaterThan(30 * MiB);
    expect(above).toBeLessThan(64 * MiB);
    expect(r.endRss).toBeLessThanOrEqual(r.peakRss);
    expect(r.endRss - r.baselineRss).toBeGreaterThan(30 * MiB);
    // The timeline climbs with the live bytes.
    const rss = r.timeline.map(([, v]) => v);
    expect(rss[rss.length - 1]! - rss[0]!).toBeGreaterThan(30 * MiB);
    expect(liveBytesTimeline(big, 8192).at(-1)).toEqual([131072, 32 * MiB]);
  });

  it('without writes, jemalloc-like laziness would hide memory: the untouched native run reports less', async () => {
    if (!nativeBuilt) return;
    const touched = await runOnce(parseAllocator('glibc'), f, { touchMax: 512, timelineEvery: 0 });
    const untouched = await runOnce(parseAllocator('glibc'), f, { touchMax: 0, timelineEvery: 0 });
    // glibc writes a header per chunk, so even untouched its pages are resident: both near 32 MiB + headers.
    expect(untouched.peakRss - untouched.baselineRss).toBeGreaterThan(30 * MiB);
    expect(touched.peakRss - touched.baselineRss).toBeGreaterThanOrEqual(untouched.peakRss - untouched.baselineRss - MiB);
  });
});

describe('missing allocators are reported and skipped', () => {
  it('a preload path that does not exist: listed as missing with the path, never run', () => {
    const { available, missing } = checkAvailable([parseAllocator('glibc'), parseAllocator('bogus=/nonexistent/libbogus.so')]);
    expect(available.map((a) => a.name)).toEqual(nativeBuilt ? ['glibc'] : []);
    expect(missing).toContainEqual({ name: 'bogus', why: 'no /nonexistent/libbogus.so' });
  });

  it('a file the loader ignores as a preload: the run is refused, not timed as glibc', async () => {
    if (!nativeBuilt) return;
    const fake = join(dir, 'libfake.so');
    writeFileSync(fake, 'not an ELF file');
    await expect(runOnce(parseAllocator(`fake=${fake}`), mixed, { touchMax: 0, timelineEvery: 0 })).rejects.toThrow(RunError);
    await expect(runOnce(parseAllocator(`fake=${fake}`), mixed, { touchMax: 0, timelineEvery: 0 })).rejects.toThrow(/was ignored/);
  });

  it('a whole comparison goes on without them and says so', async () => {
    const fake = join(dir, 'libfake2.so');
    writeFileSync(fake, 'not an ELF file');
    const c = await runComparison({
      traces: [],
      synthetic: ['larson'],
      syntheticScale: 0.002,
      allocators: ['glibc', 'pymem', 'bogus=/nonexistent/libbogus.so', `fake=${fake}`],
      runs: 1,
      memoryRuns: 1,
      timelineSamples: 20,
      cacheDir: join(dir, 'cache'),
    });
    expect(c.missing.map((m) => m.name).sort()).toEqual(nativeBuilt ? ['bogus', 'fake'] : ['bogus', 'fake', 'glibc']);
    expect(c.workloads).toHaveLength(1);
    const w = c.workloads[0]!;
    expect(w.failures).toEqual([]);
    expect(w.measures.map((m) => m.allocator)).toEqual(nativeBuilt ? ['glibc', 'pymem'] : ['pymem']);
    for (const m of w.measures) {
      expect(m.timesMs).toHaveLength(1);
      expect(m.overhead).toBeGreaterThan(0);
      expect(m.timeline.length).toBeGreaterThan(10);
    }

    const out = join(dir, 'report');
    const files = writeReport(c, out, 'npx pymem compare synthetic:larson --scale 0.002');
    expect(files.map((x) => x.slice(out.length + 1)).sort()).toEqual(['README.md', 'results.json', 'rss.svg', 'time.svg', 'timeline-synthetic-larson.svg']);
    const md = readFileSync(join(out, 'README.md'), 'utf8');
    expect(md).toContain('npx pymem compare synthetic:larson --scale 0.002');
    expect(md).toContain('**bogus**: no /nonexistent/libbogus.so');
    expect(md).toContain(resultsTable(c));
    for (const svg of ['time.svg', 'rss.svg', 'timeline-synthetic-larson.svg']) {
      const text = readFileSync(join(out, svg), 'utf8');
      expect(text.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(text.trimEnd().endsWith('</svg>')).toBe(true);
      expect(text).toContain('pymem');
    }
  });
});

describe('synthetic workloads', () => {
  it.each(['glibc-simple', 'larson', 'lifetimes'] as const)('%s is deterministic and ends consistent', (name) => {
    const a = syntheticTrace(name, 0.01);
    const b = syntheticTrace(name, 0.01);
    expect(Buffer.compare(Buffer.from(a.bytes.subarray(HEADER_BYTES)), Buffer.from(b.bytes.subarray(HEADER_BYTES)))).toBe(0);
    expect({ ...a.header, parseMs: 0 }).toEqual({ ...b.header, parseMs: 0 });
    expect(a.header.records).toBeGreaterThan(1000);
    expect(a.header.mallocs - a.header.frees).toBe(a.header.liveBlocksAtEnd);
    expect(a.header.peakLiveBytes).toBeGreaterThan(0);
  });
});
