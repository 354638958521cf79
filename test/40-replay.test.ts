import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { replayTrace } from '../lib/tools/replay.js';
import { diffLines } from '../lib/tools/statsDiff.js';

const root = resolve(import.meta.dirname, '..');
const fixture = join(root, 'fixtures/traces/startup.trace.gz');
// The vendored traces (fixtures/README.md); PYMEM_EXTRA_TRACES=DIR adds the
// NAME.trace.gz of another directory (the two large shared traces, too big to vendor).
const traceDirs = [join(root, 'fixtures/traces'), ...(process.env['PYMEM_EXTRA_TRACES'] ? [resolve(process.env['PYMEM_EXTRA_TRACES'])] : [])];
const traces = traceDirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.trace.gz')).sort().map((f) => join(d, f)));

function expectConforms(statsText: string, statsFile: string): void {
  const diff = diffLines(statsText, readFileSync(statsFile, 'utf8'));
  expect(diff.filter((l) => !l.same)).toEqual([]);
}

describe('replay of the bundled startup trace (cpython311, arena addresses from the trace)', () => {
  it('reproduces CPython\'s stats text line for line, every placement and every arena event', async () => {
    const r = await replayTrace(fixture, { profile: 'cpython311', validate: true });
    expect(r.violations).toEqual([]);
    expectConforms(r.statsText, fixture.replace('.trace.gz', '.stats.txt'));
    expect(r.placementCheckable).toBe(true);
    expect(r.placementsChecked).toBeGreaterThan(70000);
    expect(r.placementMismatches).toBe(0);
    expect(r.arenaMismatches).toBe(0);
    // 4 arenas, none 16 KiB-aligned in CPython (mmap gives pages): 63 usable pools each, 4 x 16 KiB lost.
    expect(r.stats.arenasAllocatedCurrent).toBe(4);
    expect(r.stats.bytesLostToArenaAlignment).toBe(65536);
  });

  it('gives the same result over the pure-TypeScript fake memory', async () => {
    const r = await replayTrace(fixture, { profile: 'cpython311', memory: 'fake' });
    expectConforms(r.statsText, fixture.replace('.trace.gz', '.stats.txt'));
    expect(r.placementMismatches).toBe(0);
  });

  it('replays under the classic profile with a consistent heap, placement not comparable', async () => {
    const r = await replayTrace(fixture, { profile: 'classic' });
    expect(r.placementCheckable).toBe(false);
    expect(r.stats.total).toBe(r.stats.arenasAllocatedCurrent * r.stats.arenaSize);
    const inUse = r.stats.classes.reduce((n, c) => n + c.blocksInUse, 0);
    const cpy = await replayTrace(fixture, { profile: 'cpython311' });
    // Same live blocks, whatever the class layout.
    expect(inUse + r.stats.rawAllocatedBlocks).toBe(cpy.stats.classes.reduce((n, c) => n + c.blocksInUse, 0) + cpy.stats.rawAllocatedBlocks);
  });
});

describe('replay reports disagreements', () => {
  const text = gunzipSync(readFileSync(fixture)).toString('utf8').split('\n');
  const dir = mkdtempSync(join(tmpdir(), 'pymem-replay-'));
  const write = (name: string, lines: string[]): string => {
    const f = join(dir, name);
    writeFileSync(f, lines.join('\n'));
    return f;
  };
  // A prefix of the real trace (without its trailer, which counts events).
  const prefix = text.slice(0, 2001).filter((l) => !l.startsWith('# end'));

  it('counts a block CPython placed elsewhere', async () => {
    const i = prefix.findIndex((l, k) => k > 100 && /^m \d+ (\d+) 7f/.test(l) && Number(l.split(' ')[2]) <= 512);
    const f = prefix.slice();
    const parts = f[i]!.split(' ');
    parts[3] = (parseInt(parts[3]!, 16) + 16).toString(16);
    f[i] = parts.join(' ');
    const r = await replayTrace(write('moved.trace', f), { memory: 'fake' });
    expect(r.placementMismatches).toBe(1);
    expect(r.mismatches[0]!.line).toBe(i + 1);
  });

  it('counts an arena CPython mapped where pymem did not', async () => {
    const f = prefix.slice();
    f.splice(500, 0, 'A 7ffff0000000');
    const r = await replayTrace(write('extra-arena.trace', f), { memory: 'fake' });
    expect(r.arenaMismatches).toBe(1);
  });

  it('throws a TraceFormatError naming the line of a malformed event', async () => {
    const f = prefix.slice();
    f[10] = 'x 1 2';
    await expect(replayTrace(write('bad.trace', f), { memory: 'fake' })).rejects.toThrow(/:11/);
  });
});

describe('conformance with every vendored CPython trace', () => {
  it.each(traces)('%s', async (t) => {
    const r = await replayTrace(t, { profile: 'cpython311', validate: true });
    expect(r.violations).toEqual([]);
    expectConforms(r.statsText, t.replace('.trace.gz', '.stats.txt'));
    expect(r.placementMismatches).toBe(0);
    expect(r.arenaMismatches).toBe(0);
  }, 120_000);
});
