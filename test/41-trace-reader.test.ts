// Streaming pymtrace reader: every field of every event kind, v1 and v2,
// gzip'd and plain, batch and chunk boundaries, malformed lines, trailer
// checks, and the real startup trace against a plain split() reference.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { EventKind, readTrace, TraceFormatError, type ReadOptions, type TraceSummary } from '../lib/tools/traceReader.js';
import { InvalidArgumentError } from '../lib/errors.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const TRACES = path.resolve(here, '../fixtures/traces');
const STARTUP = path.join(TRACES, 'startup.trace.gz');

const dir = mkdtempSync(path.join(tmpdir(), 'pymem-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

/** Writes `text` to a fresh temp file, gzip'd or not; returns its path. */
function write(text: string, gz: boolean): string {
  const p = path.join(dir, `t${fileNo++}.trace${gz ? '.gz' : ''}`);
  writeFileSync(p, gz ? gzipSync(Buffer.from(text, 'latin1')) : text, 'latin1');
  return p;
}

interface Ev {
  kind: EventKind;
  id: number;
  newId: number;
  size: number;
  nelem: number;
  elsize: number;
  address: number;
  line: number;
  eventIndex: number;
}

/** Reads a trace, copying every event out of the reused batches. */
async function collect(p: string, opts?: ReadOptions): Promise<{ events: Ev[]; summary: TraceSummary }> {
  const events: Ev[] = [];
  const summary = await readTrace(
    p,
    (b) => {
      for (let i = 0; i < b.length; i++) {
        events.push({
          kind: b.kind[i] as EventKind,
          id: b.id[i] as number,
          newId: b.newId[i] as number,
          size: b.size[i] as number,
          nelem: b.nelem[i] as number,
          elsize: b.elsize[i] as number,
          address: b.address[i] as number,
          line: b.line[i] as number,
          eventIndex: b.eventIndex[i] as number,
        });
      }
    },
    opts,
  );
  return { events, summary };
}

/** An event with the "unused" defaults, overridden by `e`. */
function ev(e: Partial<Ev> & Pick<Ev, 'kind' | 'line' | 'eventIndex'>): Ev {
  return { id: -1, newId: -1, size: 0, nelem: 0, elsize: 0, address: NaN, ...e };
}

/** Reads and expects a TraceFormatError; returns it. */
async function formatError(p: string): Promise<TraceFormatError> {
  try {
    await readTrace(p, () => {});
  } catch (e) {
    expect(e).toBeInstanceOf(TraceFormatError);
    return e as TraceFormatError;
  }
  throw new Error(`${p} was read without error`);
}

const V2 = [
  '# pymtrace v2 python=3.11.7 script=workloads/my script.py',
  'm 0 56 7ffff75e0030',
  'A 7ffff75de000',
  'c 1 3 16 7ffff75e0070',
  'r 0 0 60 7ffff75e0030',
  'r 1 2 1000 55555595dc00',
  'r - 3 24 7ffff75e00b0',
  '# vmem-alloc 7ffff7fba000 16384',
  'f 2',
  'f -',
  'm - 99999999999',
  'c - 4294967296 4294967296',
  'r 3 - 123456789',
  'r - - 1',
  'm 4 0 555555960b60',
  '# a comment that means nothing',
  '# vmem-free 7ffff7fba000 16384',
  'U 7ffff75de000',
  'A ffffffffffff',
  '# end events=15 vmem_comments=2 unknown_ptr=0 live_ids=3 max_id=4 seconds=0.25',
  '',
].join('\n');

const V2_EVENTS: Ev[] = [
  ev({ kind: EventKind.Malloc, id: 0, size: 56, address: 0x7ffff75e0030, line: 2, eventIndex: 0 }),
  ev({ kind: EventKind.ArenaMap, address: 0x7ffff75de000, line: 3, eventIndex: 1 }),
  ev({ kind: EventKind.Calloc, id: 1, size: 48, nelem: 3, elsize: 16, address: 0x7ffff75e0070, line: 4, eventIndex: 2 }),
  ev({ kind: EventKind.Realloc, id: 0, newId: 0, size: 60, address: 0x7ffff75e0030, line: 5, eventIndex: 3 }),
  ev({ kind: EventKind.Realloc, id: 1, newId: 2, size: 1000, address: 0x55555595dc00, line: 6, eventIndex: 4 }),
  ev({ kind: EventKind.Realloc, id: -1, newId: 3, size: 24, address: 0x7ffff75e00b0, line: 7, eventIndex: 5 }),
  ev({ kind: EventKind.Free, id: 2, line: 9, eventIndex: 6 }),
  ev({ kind: EventKind.Free, id: -1, line: 10, eventIndex: 7 }),
  ev({ kind: EventKind.Malloc, id: -1, size: 99999999999, line: 11, eventIndex: 8 }),
  ev({ kind: EventKind.Calloc, id: -1, size: 2 ** 64, nelem: 4294967296, elsize: 4294967296, line: 12, eventIndex: 9 }),
  ev({ kind: EventKind.Realloc, id: 3, newId: -1, size: 123456789, line: 13, eventIndex: 10 }),
  ev({ kind: EventKind.Realloc, id: -1, newId: -1, size: 1, line: 14, eventIndex: 11 }),
  ev({ kind: EventKind.Malloc, id: 4, size: 0, address: 0x555555960b60, line: 15, eventIndex: 12 }),
  ev({ kind: EventKind.ArenaUnmap, address: 0x7ffff75de000, line: 18, eventIndex: 13 }),
  ev({ kind: EventKind.ArenaMap, address: 0xffffffffffff, line: 19, eventIndex: 14 }),
];

/** V2 without the address of successful m/c/r lines: what FORMAT.md says v1 is. */
const V1 = [
  '# pymtrace v1 python=3.11.7 script=workloads/my script.py',
  'm 0 56',
  'A 7ffff75de000',
  'c 1 3 16',
  'r 0 0 60',
  'r 1 2 1000',
  'r - 3 24',
  '# vmem-alloc 7ffff7fba000 16384',
  'f 2',
  'f -',
  'm - 99999999999',
  'c - 4294967296 4294967296',
  'r 3 - 123456789',
  'r - - 1',
  'm 4 0',
  '# a comment that means nothing',
  '# vmem-free 7ffff7fba000 16384',
  'U 7ffff75de000',
  'A ffffffffffff',
  '# end events=15 vmem_comments=2 unknown_ptr=0 live_ids=3 max_id=4 seconds=0.25',
  '',
].join('\n');
const V1_EVENTS = V2_EVENTS.map((e) => (e.kind <= EventKind.Realloc ? { ...e, address: NaN } : e));

describe.each([
  ['plain', false],
  ['gzip', true],
])('%s text', (_name, gz) => {
  it('reads every field of a v2 trace', async () => {
    const { events, summary } = await collect(write(V2, gz));
    expect(events).toEqual(V2_EVENTS);
    expect(summary).toEqual({
      header: { version: 2, python: '3.11.7', script: 'workloads/my script.py' },
      trailer: { events: 15, vmemComments: 2, unknownPtr: 0, liveIds: 3, maxId: 4, seconds: 0.25 },
      events: 15,
    });
  });

  it('reads a v1 trace (no addresses on m/c/r)', async () => {
    const { events, summary } = await collect(write(V1, gz));
    expect(events).toEqual(V1_EVENTS);
    expect(summary.header.version).toBe(1);
  });

  it('gives the same events for every batch size', async () => {
    const p = write(V2, gz);
    for (const batchSize of [1, 2, 3, 7, 16, 1000]) {
      const sizes: number[] = [];
      const { events } = await collect(p, { batchSize });
      await readTrace(p, (b) => sizes.push(b.length), { batchSize });
      expect(events).toEqual(V2_EVENTS);
      expect(sizes.every((n) => n >= 1 && n <= batchSize)).toBe(true);
      expect(sizes.slice(0, -1).every((n) => n === batchSize)).toBe(true);
    }
  });

  it('reads a last line without newline, and a trace without trailer', async () => {
    const text = '# pymtrace v2\nm 0 8 10\nf 0';
    const { events, summary } = await collect(write(text, gz));
    expect(summary).toEqual({ header: { version: 2 }, events: 2 });
    expect(events[1]).toEqual(ev({ kind: EventKind.Free, id: 0, line: 3, eventIndex: 1 }));
  });

  it('splits lines correctly across stream chunks (multi-MiB trace)', async () => {
    // ~200k lines, several MiB: lines straddle the 1 MiB read / 256 KiB gunzip chunks.
    const n = 200_000;
    const lines = ['# pymtrace v2 python=3.11.7 script=big.py'];
    for (let i = 0; i < n; i++) {
      if (i % 3 === 0) lines.push(`m ${i} ${i % 513} ${(0x7f0000000000 + i * 16).toString(16)}`);
      else if (i % 3 === 1) lines.push(`r ${i - 1} ${i} ${i * 7} ${(0x550000000000 + i).toString(16)}`);
      else lines.push(`f ${i - 1}`);
      if (i % 50_000 === 0) lines.push('# vmem-alloc 7ffff7fba000 16384');
    }
    lines.push(`# end events=${n} vmem_comments=4 unknown_ptr=0 live_ids=0 max_id=${n} seconds=1`);
    const p = write(lines.join('\n') + '\n', gz);
    let i = 0;
    let bad = 0;
    const progress: [number, number][] = [];
    const summary = await readTrace(
      p,
      (b) => {
        for (let j = 0; j < b.length; j++, i++) {
          const line = i === 0 ? 2 : 3 + i + Math.floor((i - 1) / 50_000); // header, vmem comments after events 0, 50k, ...
          if (b.eventIndex[j] !== i || b.line[j] !== line) bad++;
          if (i % 3 === 0 && (b.kind[j] !== EventKind.Malloc || b.id[j] !== i || b.size[j] !== i % 513 || b.address[j] !== 0x7f0000000000 + i * 16)) bad++;
          if (i % 3 === 1 && (b.kind[j] !== EventKind.Realloc || b.id[j] !== i - 1 || b.newId[j] !== i || b.size[j] !== i * 7 || b.address[j] !== 0x550000000000 + i)) bad++;
          if (i % 3 === 2 && (b.kind[j] !== EventKind.Free || b.id[j] !== i - 1)) bad++;
        }
      },
      { batchSize: 4099, onProgress: (r, t) => progress.push([r, t]) },
    );
    expect(bad).toBe(0);
    expect(i).toBe(n);
    expect(summary.events).toBe(n);
    const total = gz ? gunzipSync(readFileSync(p)).length : readFileSync(p).length; // progress counts text parsed, not file bytes
    expect(progress.at(-1)).toEqual([total, total]);
    expect(progress.every(([r, t], k) => t === total && r <= total && (k === 0 || r >= (progress[k - 1] as [number, number])[0]))).toBe(true);
  });
});

describe('malformed traces throw TraceFormatError naming file:line', () => {
  const cases: [string, string, RegExp][] = [
    ['f ?7ffff75e0030', 'f unknown pointer', /unknown pointer/],
    ['r ?7ffff75e0030 5 16 7ffff75e0030', 'r unknown pointer', /unknown pointer/],
    ['x 1 2', 'unknown letter', /unknown event letter/],
    ['m1 2 7f', 'no space after letter', /event letter/],
    ['', 'empty line', /empty line/],
    ['m 1 16', 'v2 malloc without address', /too few fields/],
    ['m 1 16 7f 9', 'too many fields', /too many fields/],
    ['c 1 2 7f', 'calloc short', /unexpected character "f"/],
    ['r 1 2 16', 'realloc without address', /too few fields/],
    ['f 1 2', 'free with extra field', /too many fields/],
    ['f', 'free with no id', /event letter/],
    ['m x 16 7f', 'non-number id', /decimal/],
    ['m 1 1e3 7f', 'non-number size', /unexpected character/],
    ['m 1 16 7FFF', 'upper-case hex', /unexpected character "F" at column 9/],
    ['m 1 16 0x7f', '0x prefix', /unexpected character/],
    ['m 1  16 7f', 'double space', /decimal/],
    ['m 1 16 7f ', 'trailing space', /too many fields/],
    ['m 1 16 7f\r', 'CRLF', /unexpected character "\\r"/],
    ['A', 'arena without address', /event letter/],
    ['A 7g', 'bad arena address', /unexpected character "g"/],
    ['m 1 9007199254740992 7f', 'size above 2^53-1', /2\^53/],
    ['A 20000000000000', 'address above 2^53-1', /2\^53/],
    ['m -1 16 7f', 'negative id', /unexpected character "1"/],
    ['# vmem-alloc 7f', 'bad vmem comment', /vmem/],
    ['# pymtrace v2', 'second header', /second header/],
  ];
  it.each(cases)('%j (%s)', async (bad, _what, reason) => {
    const text = `# pymtrace v2\nm 0 16 7ffff75e0030\n${bad}\nf 0\n`;
    const p = write(text, false);
    const e = await formatError(p);
    expect(e.line).toBe(3);
    expect(e.file).toBe(p);
    expect(e.text).toBe(bad.replace(/\n.*/, ''));
    expect(e.reason).toMatch(reason);
    expect(e.message.startsWith(`${p}:3: `)).toBe(true);
  });

  it('v1 trace with an address field is rejected', async () => {
    const e = await formatError(write('# pymtrace v1\nm 0 16\nm 1 16 7f\n', true));
    expect(e.line).toBe(3);
    expect(e.reason).toMatch(/too many fields/);
  });

  it('needs the header on line 1', async () => {
    expect((await formatError(write('m 0 16 7f\n', false))).line).toBe(1);
    expect((await formatError(write('# pymtrace v3\nm 0 16 7f\n', false))).line).toBe(1);
    expect((await formatError(write('', false))).reason).toMatch(/empty trace/);
    expect((await formatError(write('', true))).reason).toMatch(/empty trace/);
  });

  it('rejects lines after the trailer', async () => {
    const e = await formatError(write('# pymtrace v2\n# end events=0 vmem_comments=0 unknown_ptr=0 live_ids=0 max_id=0\nf -\n', false));
    expect(e.line).toBe(3);
  });

  it('rejects a trailer whose counts disagree with the trace', async () => {
    const events = await formatError(write('# pymtrace v2\nf -\nf -\n# end events=3 vmem_comments=0 unknown_ptr=0 live_ids=0 max_id=0 seconds=0.1\n', true));
    expect(events.line).toBe(4);
    expect(events.reason).toMatch(/events=3 but the trace has 2/);
    const vmem = await formatError(write('# pymtrace v2\nf -\n# vmem-alloc 7f 16384\n# end events=1 vmem_comments=0 unknown_ptr=0 live_ids=0 max_id=0\n', false));
    expect(vmem.reason).toMatch(/vmem_comments=0 but the trace has 1/);
    const malformed = await formatError(write('# pymtrace v2\nf -\n# end events=1 vmem_comments=0\n', false));
    expect(malformed.reason).toMatch(/unknown_ptr/);
  });

  it('passes on what onBatch throws, and rejects bad options', async () => {
    const p = write(V2, true);
    await expect(readTrace(p, () => { throw new Error('stop'); })).rejects.toThrow('stop');
    await expect(readTrace(p, () => {}, { batchSize: 0 })).rejects.toThrow(InvalidArgumentError);
  });
});

describe('round trip (property)', () => {
  type Line =
    | { k: 'm'; id: number; size: number; addr: number }
    | { k: 'c'; id: number; n: number; e: number; addr: number }
    | { k: 'r'; old: number; nu: number; size: number; addr: number }
    | { k: 'f'; id: number }
    | { k: 'A' | 'U'; addr: number }
    | { k: '#'; vmem: boolean };
  const id = fc.oneof(fc.constant(-1), fc.nat(), fc.maxSafeNat());
  const addr = fc.integer({ min: 0, max: 2 ** 48 - 1 });
  const line: fc.Arbitrary<Line> = fc.oneof(
    fc.record({ k: fc.constant('m' as const), id, size: fc.maxSafeNat(), addr }),
    fc.record({ k: fc.constant('c' as const), id, n: fc.nat(1 << 20), e: fc.nat(1 << 20), addr }),
    fc.record({ k: fc.constant('r' as const), old: id, nu: id, size: fc.nat(), addr }),
    fc.record({ k: fc.constant('f' as const), id }),
    fc.record({ k: fc.constantFrom('A' as const, 'U' as const), addr }),
    fc.record({ k: fc.constant('#' as const), vmem: fc.boolean() }),
  );
  const d = (n: number): string => (n < 0 ? '-' : String(n));
  const x = (n: number): string => n.toString(16);

  it('reads back what was written, v1 and v2, any batch size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 60 }), fc.constantFrom(1, 2), fc.boolean(), fc.integer({ min: 1, max: 9 }), fc.boolean(), async (lines, version, gz, batchSize, trailer) => {
        const v2 = version === 2;
        const out = [`# pymtrace v${version}`];
        const want: Ev[] = [];
        let vmem = 0;
        for (const l of lines) {
          const at = { line: out.length + 1, eventIndex: want.length };
          switch (l.k) {
            case 'm':
              out.push(`m ${d(l.id)} ${l.size}` + (l.id >= 0 && v2 ? ` ${x(l.addr)}` : ''));
              want.push(ev({ kind: EventKind.Malloc, id: l.id, size: l.size, address: l.id >= 0 && v2 ? l.addr : NaN, ...at }));
              break;
            case 'c':
              out.push(`c ${d(l.id)} ${l.n} ${l.e}` + (l.id >= 0 && v2 ? ` ${x(l.addr)}` : ''));
              want.push(ev({ kind: EventKind.Calloc, id: l.id, size: l.n * l.e, nelem: l.n, elsize: l.e, address: l.id >= 0 && v2 ? l.addr : NaN, ...at }));
              break;
            case 'r':
              out.push(`r ${d(l.old)} ${d(l.nu)} ${l.size}` + (l.nu >= 0 && v2 ? ` ${x(l.addr)}` : ''));
              want.push(ev({ kind: EventKind.Realloc, id: l.old, newId: l.nu, size: l.size, address: l.nu >= 0 && v2 ? l.addr : NaN, ...at }));
              break;
            case 'f':
              out.push(`f ${d(l.id)}`);
              want.push(ev({ kind: EventKind.Free, id: l.id, ...at }));
              break;
            case 'A':
            case 'U':
              out.push(`${l.k} ${x(l.addr)}`);
              want.push(ev({ kind: l.k === 'A' ? EventKind.ArenaMap : EventKind.ArenaUnmap, address: l.addr, ...at }));
              break;
            case '#':
              out.push(l.vmem ? '# vmem-free 7ffff749d000 16384' : '# note');
              if (l.vmem) vmem++;
              break;
          }
        }
        if (trailer) out.push(`# end events=${want.length} vmem_comments=${vmem} unknown_ptr=0 live_ids=0 max_id=0 seconds=0.001`);
        const { events, summary } = await collect(write(out.join('\n') + '\n', gz), { batchSize });
        expect(events).toEqual(want);
        expect(summary.events).toBe(want.length);
        expect(summary.trailer === undefined).toBe(!trailer);
      }),
      { numRuns: 150 },
    );
  });
});

describe('vendored trace startup.trace.gz', () => {
  it('reads it fully, matching its trailer and a split() reference parser', async () => {
    const { events, summary } = await collect(STARTUP, { batchSize: 5000 });
    expect(summary.header).toEqual({ version: 2, python: '3.11.7', script: 'workloads/startup.py' });
    expect(summary.trailer).toBeDefined();
    expect(summary.events).toBe(summary.trailer?.events);
    expect(events.length).toBe(summary.events);
    expect(events[0]).toEqual(ev({ kind: EventKind.Malloc, id: 0, size: 56, address: 0x7ffff75e0030, line: 2, eventIndex: 0 }));
    expect(events[1]).toEqual(ev({ kind: EventKind.ArenaMap, address: 0x7ffff75de000, line: 3, eventIndex: 1 }));

    // Reference: the obvious slow reader, compared field by field.
    const kinds: Record<string, EventKind> = { m: EventKind.Malloc, c: EventKind.Calloc, r: EventKind.Realloc, f: EventKind.Free, A: EventKind.ArenaMap, U: EventKind.ArenaUnmap };
    const num = (s: string | undefined): number => (s === undefined || s === '-' ? -1 : Number(s));
    const hex = (s: string | undefined): number => (s === undefined ? NaN : parseInt(s, 16));
    const want: Ev[] = [];
    gunzipSync(readFileSync(STARTUP))
      .toString('latin1')
      .split('\n')
      .forEach((text, i) => {
        if (text === '' || text.startsWith('#')) return;
        const f = text.split(' ');
        const kind = kinds[f[0] as string] as EventKind;
        const at = { kind, line: i + 1, eventIndex: want.length };
        if (kind === EventKind.Malloc) want.push(ev({ ...at, id: num(f[1]), size: Number(f[2]), address: hex(f[3]) }));
        else if (kind === EventKind.Calloc) want.push(ev({ ...at, id: num(f[1]), nelem: Number(f[2]), elsize: Number(f[3]), size: Number(f[2]) * Number(f[3]), address: hex(f[4]) }));
        else if (kind === EventKind.Realloc) want.push(ev({ ...at, id: num(f[1]), newId: num(f[2]), size: Number(f[3]), address: hex(f[4]) }));
        else if (kind === EventKind.Free) want.push(ev({ ...at, id: num(f[1]) }));
        else want.push(ev({ ...at, address: hex(f[1]) }));
      });
    expect(events.length).toBe(want.length);
    let firstDiff = -1;
    for (let i = 0; i < want.length && firstDiff < 0; i++) {
      const a = events[i] as Ev;
      const b = want[i] as Ev;
      if ((Object.keys(b) as (keyof Ev)[]).some((k) => !Object.is(a[k], b[k]))) firstDiff = i;
    }
    expect(firstDiff).toBe(-1);
  });
});
