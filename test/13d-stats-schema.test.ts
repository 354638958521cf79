// debugMallocStats() as versioned JSON: real outputs (fresh heaps, programs,
// a replay of CPython's start-up, release policies, `pymem replay --json`)
// validate against schema/malloc-stats.schema.json, and the validator
// refuses what the schema forbids. A replay under a release policy keeps
// every arena event of the recording and every block in its recorded pool.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Heap, MALLOC_STATS_VERSION, cpython311, type HeapOptions, type MallocStats } from '../lib/index.js';
import { replayTrace } from '../lib/tools/replay.js';
import { type Schema, validateJson } from './support/jsonSchema.js';

const root = resolve(import.meta.dirname, '..');
const schema = JSON.parse(readFileSync(join(root, 'schema/malloc-stats.schema.json'), 'utf8')) as Schema;
const startup = join(root, 'fixtures/traces/startup.trace.gz');
/** The stats as JSON would carry them. */
const asJson = (s: MallocStats): unknown => JSON.parse(JSON.stringify(s));

/** A heap after a program that leaves blocks of many classes, empty pools and raw blocks. */
function busyHeap(options: HeapOptions): MallocStats {
  using heap = new Heap(options);
  const ptrs = Array.from({ length: 20000 }, (_, i) => heap.malloc(1 + ((i * 37) % 700)));
  ptrs.forEach((p, i) => i % 3 !== 0 && heap.free(p));
  return heap.debugMallocStats();
}

describe('the malloc stats JSON schema', () => {
  it.each([
    ['a fresh cpython311 heap', (): MallocStats => new Heap({ profile: 'cpython311' }).debugMallocStats()],
    ['a classic heap after a program', (): MallocStats => busyHeap({ profile: 'classic' })],
    ['a cpython311 heap with a release policy', (): MallocStats => busyHeap({ profile: { ...cpython311, name: 'p', release: { releasePoolsAt: 2 } }, arenaRetention: 3 })],
    ['a fake-memory heap', (): MallocStats => busyHeap({ profile: 'cpython311', memory: 'fake' })],
  ])('validates %s', (_name, make) => {
    const s = make();
    expect(s.version).toBe(MALLOC_STATS_VERSION);
    expect(validateJson(schema, asJson(s))).toEqual([]);
  });

  it('validates the stats of a replay of CPython\'s start-up', async () => {
    const r = await replayTrace(startup, { profile: 'cpython311' });
    expect(r.stats.classes.length).toBeGreaterThan(20);
    expect(validateJson(schema, asJson(r.stats))).toEqual([]);
  });

  it('validates the stats `pymem replay --json` prints', () => {
    const bin = join(root, 'dist/bin/pymem.js');
    const out = JSON.parse(execFileSync(process.execPath, [bin, 'replay', startup, '--json'], { encoding: 'utf8' })) as { stats: unknown };
    expect(validateJson(schema, out.stats)).toEqual([]);
  });

  it('refuses what the schema forbids: another version, a missing or extra field, a negative or fractional count', () => {
    const good = asJson(busyHeap({ profile: 'cpython311' })) as Record<string, unknown>;
    const bad = (change: (o: Record<string, unknown>) => void): string[] => {
      const o = structuredClone(good);
      change(o);
      return validateJson(schema, o);
    };
    expect(bad((o) => (o['version'] = 2))).toEqual(['$.version: is 2, expected 1']);
    expect(bad((o) => delete o['total'])).toEqual(['$: missing total']);
    expect(bad((o) => (o['extra'] = 1))).toEqual(['$: unexpected property extra']);
    expect(bad((o) => ((o['classes'] as Record<string, unknown>[])[0]!['blocksInUse'] = -1))).toEqual(['$.classes[0].blocksInUse: -1 is below 0']);
    expect(bad((o) => ((o['release'] as Record<string, unknown>)['poolsReleased'] = 0.5))).toEqual(['$.release.poolsReleased: is number, expected integer']);
  });
});

describe('release policies move no block to another pool', () => {
  it('a replay of CPython\'s start-up under +madvise matches every arena event, and every block is in its recorded pool', async () => {
    const profile = { ...cpython311, name: 'cpython311+madvise', release: { releasePoolsAt: 1 } };
    const r = await replayTrace(startup, { profile, validate: true });
    expect(r.violations).toEqual([]);
    expect(r.placementCheckable).toBe(true);
    expect(r.arenaMismatches).toBe(0);
    expect(r.stats.release.timesPoolReleased).toBeGreaterThan(0);
    // Only the order inside a released pool reused for its old class differs (a fresh carve, not the wiped free list).
    expect(r.placementMismatches).toBeLessThan(20);
    for (const m of r.mismatches) {
      const [, ca, co, pa, po] = /CPython arena (\d+) \+0x([0-9a-f]+), pymem arena (\d+) \+0x([0-9a-f]+)/.exec(m.what)!;
      expect(pa).toBe(ca);
      expect(Math.abs(parseInt(po!, 16) - parseInt(co!, 16))).toBeLessThan(cpython311.poolSize - 48); // within one pool's blocks
    }
  });
});
