// Binary traces: the builder's records and header, the file round trip, the
// parse of a text trace (ids remapped densely, A/U counted, failures
// skipped), the bundled CPython trace against the text reader event by
// event, the cache, and refusal of damaged files.
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BinaryTraceBuilder,
  BinaryTraceError,
  HEADER_BYTES,
  NO_ID,
  OpKind,
  RECORD_BYTES,
  type BinaryTrace,
  binaryTraceFor,
  cacheKey,
  parseToBinary,
  readBinaryHeader,
  readBinaryTrace,
  recordSize,
  recordWord,
  viewBinaryTrace,
  writeBinaryTrace,
} from '../lib/tools/binaryTrace.js';
import { EventKind, readTrace } from '../lib/tools/traceReader.js';

const root = resolve(import.meta.dirname, '..');
const STARTUP = join(root, 'fixtures/traces/startup.trace.gz');
const dir = mkdtempSync(join(tmpdir(), 'pymem-bin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Rec {
  kind: OpKind;
  id: number;
  b: number;
  c: number;
  size: number;
}

function records(t: BinaryTrace): Rec[] {
  const out: Rec[] = [];
  for (let i = 0; i < t.header.records; i++) {
    const w = recordWord(i);
    out.push({ kind: t.u32[w]!, id: t.u32[w + 1]!, b: t.u32[w + 2]!, c: t.u32[w + 3]!, size: t.f64[recordSize(i)]! });
  }
  return out;
}

describe('BinaryTraceBuilder', () => {
  it('writes one record per call with dense slots, and counts and live bytes in the header', () => {
    const b = new BinaryTraceBuilder();
    b.malloc(1000, 24); // slot 0
    b.calloc(7, 3, 8); // slot 1, 24 bytes
    b.realloc(1000, 1000, 40); // in place: slot 0 stays
    b.realloc(7, 8, 600); // moves: new slot 2 taken before slot 1 is freed
    b.realloc(-1, 9, 16); // realloc(NULL): slot 1 again (LIFO)
    b.free(-1);
    b.free(8);
    b.malloc(3, 0);
    const t = b.finish(12, 1.5);
    expect(records(t)).toEqual([
      { kind: OpKind.Malloc, id: 0, b: 0, c: 0, size: 24 },
      { kind: OpKind.Calloc, id: 1, b: 3, c: 8, size: 24 },
      { kind: OpKind.Realloc, id: 0, b: 0, c: 0, size: 40 },
      { kind: OpKind.Realloc, id: 1, b: 2, c: 0, size: 600 },
      { kind: OpKind.Realloc, id: NO_ID, b: 1, c: 0, size: 16 },
      { kind: OpKind.Free, id: NO_ID, b: 0, c: 0, size: 0 },
      { kind: OpKind.Free, id: 2, b: 0, c: 0, size: 0 },
      { kind: OpKind.Malloc, id: 2, b: 0, c: 0, size: 0 },
    ]);
    expect(t.header).toMatchObject({
      records: 8,
      idSlots: 3,
      mallocs: 2,
      callocs: 1,
      reallocs: 3,
      frees: 2,
      // 24+24 → 40+24 → 40+600 (both slots live during the move: 664) → …
      peakLiveBytes: 40 + 600 + 24,
      peakLiveRecord: 4,
      peakLiveBlocks: 3,
      liveBlocksAtEnd: 3,
      liveBytesAtEnd: 40 + 16 + 0,
      sourceEvents: 12,
      parseMs: 1.5,
    });
    expect(t.bytes.length).toBe(HEADER_BYTES + 8 * RECORD_BYTES);
  });

  it('refuses ids that are not live, or live twice', () => {
    const b = new BinaryTraceBuilder();
    b.malloc(1, 8);
    expect(() => b.malloc(1, 8)).toThrow(/already live/);
    expect(() => b.free(2)).toThrow(/not live/);
    expect(() => b.realloc(5, 6, 8)).toThrow(/not live/);
  });
});

describe('binary trace files', () => {
  it('round-trip: written, read back whole and header-only, the same bytes and header', () => {
    const b = new BinaryTraceBuilder();
    for (let i = 0; i < 5000; i++) b.malloc(i, (i * 37) % 700);
    for (let i = 0; i < 5000; i += 2) b.free(i);
    const t = b.finish(0, 0);
    const f = join(dir, 'rt.pymbt');
    writeBinaryTrace(f, t);
    const back = readBinaryTrace(f);
    expect(back.header).toEqual(t.header);
    expect(Buffer.compare(Buffer.from(back.bytes), Buffer.from(t.bytes))).toBe(0);
    expect(readBinaryHeader(f)).toEqual(t.header);
    expect(records(back)).toEqual(records(t));
  });

  it('refuses a wrong magic, a cut-short file and a header alone', () => {
    const t = new BinaryTraceBuilder();
    t.malloc(0, 8);
    const bytes = t.finish(0, 0).bytes;
    const bad = bytes.slice();
    bad[0] = 0x58;
    expect(() => viewBinaryTrace(bad)).toThrow(BinaryTraceError);
    expect(() => viewBinaryTrace(bytes.slice(0, bytes.length - 1))).toThrow(/expected 184 for 1 records/);
    expect(() => viewBinaryTrace(bytes.slice(0, 10))).toThrow(/shorter than/);
  });
});

describe('parsing a pymtrace trace', () => {
  it('keeps m/c/r/f, counts A and U lines, skips failed allocations, remaps ids densely', async () => {
    const text = [
      '# pymtrace v2 python=3.11.7 script=x.py',
      'm 40 24 7f0000000010',
      'A 7f0000000000',
      'c 41 2 8 7f0000000030',
      'm - 99999999',
      'r 41 42 600 55aa00',
      'f 40',
      'r - 40 16 7f0000000010',
      'f -',
      'U 7f0000000000',
      '# end events=9 vmem_comments=0 unknown_ptr=0 live_ids=2 max_id=42 seconds=0.1',
      '',
    ].join('\n');
    const f = join(dir, 'small.trace');
    writeFileSync(f, text);
    const t = await parseToBinary(f);
    expect(t.header).toMatchObject({ records: 6, mallocs: 1, callocs: 1, reallocs: 2, frees: 2, arenaMaps: 1, arenaUnmaps: 1, failedSkipped: 1, sourceEvents: 9, idSlots: 3, liveBlocksAtEnd: 2 });
    expect(t.header.parseMs).toBeGreaterThan(0);
    expect(records(t).map((r) => [r.kind, r.id, r.b])).toEqual([
      [OpKind.Malloc, 0, 0],
      [OpKind.Calloc, 1, 2],
      [OpKind.Realloc, 1, 2],
      [OpKind.Free, 0, 0],
      [OpKind.Realloc, NO_ID, 0],
      [OpKind.Free, NO_ID, 0],
    ]);
  });

  it('names the line of an id that is not live', async () => {
    const f = join(dir, 'dead.trace');
    writeFileSync(f, '# pymtrace v1\nm 1 8\nf 2\n');
    await expect(parseToBinary(f)).rejects.toThrow(/dead\.trace:3: block id 2 is not live/);
  });

  it('the bundled CPython start-up trace: every m/c/r/f event in order, sizes equal, ids a consistent bijection with slots', async () => {
    const t = await parseToBinary(STARTUP);
    const recs = records(t);
    let i = 0;
    const slotOf = new Map<number, number>();
    const idOf = new Map<number, number>();
    const bind = (id: number, slot: number): void => {
      expect(idOf.has(slot)).toBe(false);
      slotOf.set(id, slot);
      idOf.set(slot, id);
    };
    const unbind = (id: number): void => {
      idOf.delete(slotOf.get(id)!);
      slotOf.delete(id);
    };
    let bad = 0;
    await readTrace(STARTUP, (b) => {
      for (let k = 0; k < b.length; k++) {
        const kind = b.kind[k]!;
        if (kind === EventKind.ArenaMap || kind === EventKind.ArenaUnmap) continue;
        const r = recs[i++]!;
        const id = b.id[k]!;
        if (r.kind !== (kind as number) || r.size !== b.size[k]) bad++;
        if (kind === EventKind.Malloc || kind === EventKind.Calloc) bind(id, r.id);
        else if (kind === EventKind.Free) {
          if (id < 0 ? r.id !== NO_ID : slotOf.get(id) !== r.id) bad++;
          if (id >= 0) unbind(id);
        } else {
          const newId = b.newId[k]!;
          if (id < 0 ? r.id !== NO_ID : slotOf.get(id) !== r.id) bad++;
          if (newId === id) {
            if (r.b !== r.id) bad++;
          } else {
            if (id >= 0) unbind(id);
            bind(newId, r.b);
          }
        }
      }
    });
    expect(bad).toBe(0);
    expect(i).toBe(t.header.records);
    expect(t.header.records + t.header.arenaMaps + t.header.arenaUnmaps).toBe(t.header.sourceEvents);
    expect(t.header.liveBlocksAtEnd).toBe(slotOf.size);
    expect(t.header.arenaMaps).toBe(4);
  });
});

describe('the cache', () => {
  it('parses once, then reads the header from the cache; a changed trace gets a new key', async () => {
    const cacheDir = join(dir, 'cache');
    const f = join(dir, 'cached.trace');
    writeFileSync(f, '# pymtrace v1\nm 0 8\nm 1 16\nf 0\n');
    const first = await binaryTraceFor(f, { cacheDir });
    expect(first.cached).toBe(false);
    const second = await binaryTraceFor(f, { cacheDir });
    expect(second.cached).toBe(true);
    expect(second.path).toBe(first.path);
    expect(second.header).toEqual(first.header);
    expect(readFileSync(second.path).length).toBe(HEADER_BYTES + 3 * RECORD_BYTES);
    utimesSync(f, new Date(), new Date(Date.now() + 5000));
    expect(cacheKey(f)).not.toBe(first.path.slice(first.path.lastIndexOf('/') + 1));
    const third = await binaryTraceFor(f, { cacheDir });
    expect(third.cached).toBe(false);
  });

  it('parses again over a damaged cache file', async () => {
    const cacheDir = join(dir, 'cache2');
    const f = join(dir, 'damaged.trace');
    writeFileSync(f, '# pymtrace v1\nm 0 8\n');
    const first = await binaryTraceFor(f, { cacheDir });
    writeFileSync(first.path, 'not a binary trace');
    const again = await binaryTraceFor(f, { cacheDir });
    expect(again.cached).toBe(false);
    expect(readBinaryTrace(again.path).header.records).toBe(1);
  });
});
