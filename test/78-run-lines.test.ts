/*
 * `pymem run --lines`: memory_profiler's line-by-line report after the
 * program, with the exact pymalloc and raw bytes in use after each line.
 * The exact columns are checked to the byte on small programs (the tutorial's
 * `[0] * 10**7`: 80,000,000 raw bytes, and only the list object's 64-byte
 * block from pymalloc); the RSS column only loosely (it is the whole
 * process's); occurrences and which lines are reported follow
 * memory_profiler (@profile functions, else the whole file).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../lib/cli/main.js';
import { RUN_USAGE, runCommand } from '../lib/eval/runCommand.js';

const dir = mkdtempSync(join(tmpdir(), 'pymem-lines-'));

function runLines(name: string, source: string): { out: string; err: string; status: number } {
  const path = join(dir, name);
  writeFileSync(path, source);
  let out = '';
  let err = '';
  const status = runCommand(['--lines', path], { stdout: (t) => (out += t), stderr: (t) => (err += t) }, { displayName: name });
  return { out, err, status };
}

interface Row {
  line: number;
  mem: number | null;
  inc: number | null;
  occurrences: number | null;
  pymalloc: [number, number] | null;
  raw: [number, number] | null;
  text: string;
}

const num = (s: string): number => Number(s.replace(/,/g, ''));

/** The rows of the report's blocks, by file block, parsed from the fixed columns. */
function parse(out: string): { filename: string; header: string; rows: Row[] }[] {
  const blocks = out.split('Filename: ').slice(1);
  return blocks.map((b) => {
    const lines = b.split('\n');
    const rows = lines.slice(4).filter((l) => /^ {0,5}\d+ /.test(l)).map((l): Row => {
      const m = /^ *(\d+) +(?:([\d.-]+) MiB +([\d.-]+) MiB +(\d+) +([\d,]+) \(([+-][\d,]+)\) +([\d,]+) \(([+-][\d,]+)\))? {3}(.*)$/.exec(l);
      if (m === null) throw new Error(`not a row: ${JSON.stringify(l)}`);
      const measured = m[2] !== undefined;
      return {
        line: Number(m[1]),
        mem: measured ? Number(m[2]) : null,
        inc: measured ? Number(m[3]) : null,
        occurrences: measured ? Number(m[4]) : null,
        pymalloc: measured ? [num(m[5]!), num(m[6]!)] : null,
        raw: measured ? [num(m[7]!), num(m[8]!)] : null,
        text: m[9]!,
      };
    });
    return { filename: lines[0]!, header: lines[2]!, rows };
  });
}

describe('pymem run --lines', () => {
  it("prints memory_profiler's header with the two exact columns", () => {
    const { out, status } = runLines('header.py', 'x = 1\n');
    expect(status).toBe(0);
    const header = 'Line #    Mem usage    Increment  Occurrences      pymalloc B (increment)           raw B (increment)   Line Contents';
    expect(out.split('\n').slice(0, 4)).toEqual(['Filename: header.py', '', header, '='.repeat(header.length)]);
  });

  it('[0] * 10**7: ~76 MiB more RSS, 80,000,000 raw bytes, and only the 64-byte list object from pymalloc', () => {
    const source = ['warm = [0] * 1', 'x = [0] * 10**7', 'del x', '', 'total = 0', 'for i in range(5):', '    total += i', ''].join('\n');
    const { out, err, status } = runLines('tutorial.py', source);
    expect(err).toBe('');
    expect(status).toBe(0);
    const [block] = parse(out);
    const row = (n: number): Row => block!.rows.find((r) => r.line === n)!;
    expect(block!.rows.map((r) => r.line)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // x = [0] * 10**7: the item array (10**7 pointers) is a raw malloc; the list object is one 64-byte block.
    expect(row(2).raw![1]).toBe(80_000_000);
    expect(row(2).pymalloc![1]).toBe(64);
    expect(row(2).raw![0]).toBe(row(1).raw![0] + 80_000_000);
    expect(row(2).inc).toBeGreaterThan(60);
    expect(row(2).inc).toBeLessThan(100);
    // del x: the array goes back to malloc; the list object stays on the list free list.
    expect(row(3).raw![1]).toBe(-80_000_000);
    expect(row(3).pymalloc![1]).toBe(0);
    expect(row(3).inc).toBeLessThan(-60);
    // A line with no code has no measurement; a loop header runs once more than its body.
    expect(row(4)).toMatchObject({ mem: null, text: '' });
    expect(row(6).occurrences).toBe(6);
    expect(row(7).occurrences).toBe(5);
    expect(row(7).text).toBe('    total += i');
  });

  it('with @profile, only the decorated functions, from the decorator to the end of the body', () => {
    const source = ['@profile', 'def f(n):', "    s = 'q' * n", '    return s', '', '', 'def g():', '    return 1', '', '', 'f(1000)', 'f(1000)', 'g()', ''].join('\n');
    const { out, err, status } = runLines('decorated.py', source);
    expect(err).toBe('');
    expect(status).toBe(0);
    const blocks = parse(out);
    expect(blocks.map((b) => b.filename)).toEqual(['decorated.py']);
    const rows = blocks[0]!.rows;
    expect(rows.map((r) => r.line)).toEqual([1, 2, 3, 4]);
    expect(rows[1]).toMatchObject({ mem: null, text: 'def f(n):' });
    // Two calls; each makes a 1049-byte str (49 + 1000: raw) that the call returns and the caller drops.
    expect(rows[2]).toMatchObject({ occurrences: 2, text: "    s = 'q' * n" });
    expect(rows[2]!.raw![1]).toBe(2 * 1049);
    expect(rows[2]!.pymalloc![1]).toBe(0);
  });

  it('generators and exceptions leave their frames as return events (each block reported once, in decoration order)', () => {
    const source = [
      '@profile',
      'def gen(n):',
      '    for i in range(n):',
      "        yield 'y' * (100 * i)",
      '',
      '',
      '@profile',
      'def fails():',
      "    x = 'z' * len(str(fails))",
      '    raise ValueError(x[:3])',
      '',
      '',
      'print(sum(len(s) for s in gen(3)))',
      'try:',
      '    fails()',
      'except ValueError as e:',
      "    print('caught', e)",
      '',
    ].join('\n');
    const { out, status } = runLines('frames.py', source);
    expect(status).toBe(0);
    expect(out.startsWith('300\ncaught zzz\n')).toBe(true);
    const blocks = parse(out);
    expect(blocks.map((b) => b.rows.map((r) => r.line))).toEqual([
      [1, 2, 3, 4],
      [7, 8, 9, 10],
    ]);
    // Three yields, each a return event after its line event.
    expect(blocks[0]!.rows[3]!.occurrences).toBe(6);
    expect(blocks[1]!.rows[3]!.occurrences).toBe(1);
  });

  it('without --lines, @profile is a NameError, as in CPython without memory_profiler', () => {
    const path = join(dir, 'plain.py');
    writeFileSync(path, '@profile\ndef f():\n    pass\n');
    let err = '';
    const status = runCommand([path], { stdout: () => {}, stderr: (t) => (err += t) });
    expect(status).toBe(1);
    expect(err).toMatch(/NameError: name 'profile' is not defined\n$/);
  });

  it('a program that does not compile prints its SyntaxError and no report', () => {
    const { out, err, status } = runLines('bad.py', 'x = (\n');
    expect(status).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(/SyntaxError/);
  });

  it('is in pymem run --help and in the usage bad arguments print', async () => {
    let out = '';
    expect(await runCli(['run', '--help'], { out: (t) => (out += t), err: () => {} })).toBe(0);
    expect(out).toMatch(/\n {2}--lines +memory line by line/);
    expect(RUN_USAGE).toMatch(/--lines prints, after the program, memory line by line/);
  });
});
