// Traces that break the format's id rules, and files that are no trace at
// all, are typed errors that name the file and line, found at once and
// without growing memory: an id no recorder could have handed out, a free or
// realloc of an id that names no live block, a new block under a live id, a
// truncated .gz, a directory, a missing file.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayTrace } from '../lib/tools/replay.js';
import { TraceFileError, TraceFormatError } from '../lib/tools/traceReader.js';

const dir = mkdtempSync(join(tmpdir(), 'pymem-bad-'));
const head = '# pymtrace v2 python=3.11.7 script=bad.py\n';
function trace(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${head}${lines.join('\n')}\n`);
  return path;
}

describe('id rules', () => {
  it.each([
    ['an id no recorder could have handed out (2^53 - 1)', ['m 9007199254740991 56 7ffff75e0030'], 2, /larger than any recorder/],
    ['a free of an id that names no live block', ['m 0 56 7ffff75e0030', 'A 7ffff75de000', 'f 3'], 4, /free of id 3, which names no live block/],
    ['a free of an id already freed', ['m 0 56 7ffff75e0030', 'A 7ffff75de000', 'f 0', 'f 0'], 5, /free of id 0/],
    ['a realloc of an id that names no live block', ['r 4 5 100 7ffff75e0030'], 2, /realloc of id 4/],
    ['a new block under a live id', ['m 0 56 7ffff75e0030', 'A 7ffff75de000', 'm 0 56 7ffff75e0070'], 4, /already the id of a live block/],
  ])('%s', async (_name, lines, line, reason) => {
    const path = trace(`t${line}-${lines.length}.trace`, lines);
    const before = process.memoryUsage().rss;
    const e = await replayTrace(path, { memory: 'fake' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TraceFormatError);
    expect((e as TraceFormatError).line).toBe(line);
    expect((e as Error).message).toMatch(reason);
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 2 ** 20);
  });
});

describe('files that are no trace', () => {
  it('a truncated .gz', async () => {
    const full = readFileSync(join(import.meta.dirname, '../fixtures/traces/startup.trace.gz'));
    const path = join(dir, 'cut.trace.gz');
    writeFileSync(path, full.subarray(0, full.length >> 1));
    const e = await replayTrace(path, { memory: 'fake' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TraceFileError);
    expect((e as Error).message).toContain('cut.trace.gz: cannot read the trace');
  });

  it.each([
    ['a directory', dir, 'EISDIR'],
    ['a missing file', join(dir, 'none.trace.gz'), 'ENOENT'],
  ])('%s', async (_name, path, code) => {
    const e = await replayTrace(path, { memory: 'fake' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TraceFileError);
    expect((e as TraceFileError).code).toBe(code);
  });
});
