// Pins (lib/tools/pins.ts): on a trace with a planted pin — three arenas'
// worth of 64-byte blocks, then everything freed but one early block and the
// whole third arena — replaying to the end names the first arena as held by
// that one block (its event and size) and the memory it keeps, and not the
// full arena; replaying to a point before the frees (`at`) reports no pin;
// `pymem pins` prints them for a real trace.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Heap, InvalidArgumentError } from '../lib/index.js';
import { type PinnedArena, formatPins, pins } from '../lib/tools/pins.js';
import { type LiveBlock, replayTrace } from '../lib/tools/replay.js';
import { TraceWriter, fileSink } from '../lib/tools/traceWriter.js';

async function plantedTrace(): Promise<{ path: string; allocations: number }> {
  const path = join(mkdtempSync(join(tmpdir(), 'pymem-pins-')), 'pinned.trace.gz');
  using heap = new Heap({ profile: 'cpython311', memory: 'fake' });
  const w = new TraceWriter(heap, fileSink(path), 'pinned.py');
  w.start();
  const blocks = [heap.malloc(64)];
  // Pools of an arena (64, or 63 when its address is not pool-aligned) times 64-byte blocks a pool.
  const perArena = heap.pymalloc.arenas[0]!.ntotalpools * Math.floor((16384 - 48) / 64);
  while (blocks.length < 3 * perArena) blocks.push(heap.malloc(64));
  for (let i = 0; i < 2 * perArena; i++) if (i !== 5) heap.free(blocks[i]!);
  await w.stop();
  return { path, allocations: 3 * perArena };
}

it('names the block that keeps a mostly free arena mapped, and what freeing it returns', async () => {
  const { path } = await plantedTrace();
  let found: PinnedArena[] = [];
  await replayTrace(path, { memory: 'fake', inspect: (heap, live: LiveBlock[]) => (found = pins(heap, live.map((b) => ({ ptr: b.ptr, size: b.size, label: `event ${b.event} (line ${b.line})` })))) });
  expect(found).toHaveLength(1);
  const [a] = found;
  expect(a!.ordinal).toBe(0);
  expect(a!.blockCount).toBe(1);
  expect(a!.blocks.map((b) => b.label)).toEqual(['event 6 (line 8)']);
  expect(a!.poolsInUse).toBe(1);
  expect(a!.wouldReturn).toBe(a!.totalPools * 16384);
  // Every page of the arena was touched (its pools all held blocks), so all of it is resident, unless the region is plain memory (-1).
  expect([a!.wouldReturn, -1]).toContain(a!.residentBytes);
  expect(formatPins(found)).toMatch(/^arena 0 at 0x[0-9a-f]+: 1 live block \(64 B\) in 1 of 6[34] pools keep \d+ KiB mapped( \(\d+ KiB resident\))?\n +64 B  event 6 \(line 8\)\nfreeing these blocks would return \d+ KiB/);
});

it('before the frees, no arena is pinned', async () => {
  const { path, allocations } = await plantedTrace();
  let found: PinnedArena[] | null = null;
  await replayTrace(path, { memory: 'fake', at: allocations + 2, inspect: (heap, live) => (found = pins(heap, live.map((b) => ({ ptr: b.ptr, size: b.size, label: '' })))) });
  expect(found).toEqual([]);
  expect(formatPins([])).toBe('no arena is held by only a few blocks\n');
});

it('a bad share is a typed error', () => {
  using heap = new Heap({ memory: 'fake' });
  expect(() => pins(heap, [], { maxFill: 2 })).toThrow(InvalidArgumentError);
});

describe('pymem pins', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, [join(import.meta.dirname, '../dist/bin/pymem.js'), 'pins', ...args], { encoding: 'utf8' });

  it('prints the pinned arenas of a trace as JSON, each block with its event', () => {
    const r = cli(join(import.meta.dirname, '../fixtures/traces/compile.trace.gz'), '--json');
    expect(r.status).toBe(0);
    const arenas = JSON.parse(r.stdout) as PinnedArena[];
    expect(arenas.length).toBeGreaterThan(0);
    for (const a of arenas) {
      expect(a.liveBytes).toBeLessThanOrEqual(0.1 * a.arenaSize);
      expect(a.blocks[0]!.label).toMatch(/^event \d+ \(line \d+\), id \d+$/);
    }
  });

  it('bad usage is one line and exit status 2', () => {
    const r = cli('no-such.trace.gz');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no such file: no-such.trace.gz');
    expect(cli(join(import.meta.dirname, '../fixtures/traces/startup.trace.gz'), '--max-fill', '3').status).toBe(2);
  });
});
