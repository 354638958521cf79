/*
 * `pymem run --report`: at exit, before finalization, the live objects by
 * type (counts that follow what the program keeps alive, bytes as
 * sys.getsizeof counts them, how many the program made), each of the
 * program's objects with its block's size class, pool and arena, pymalloc's
 * arenas, pools and bytes, the raw allocator's bytes and the RSS, on stderr
 * after the program's own output.
 */
import { expect, it } from 'vitest';
import { runCommand } from '../lib/eval/runCommand.js';

const run = (code: string, report = true): { status: number; out: string; err: string } => {
  let out = '';
  let err = '';
  const status = runCommand([...(report ? ['--report'] : []), '-c', code], { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { status, out, err };
};

/** The report's rows: type -> [count, bytes]. */
const rows = (err: string): Map<string, [number, number]> => {
  const m = new Map<string, [number, number]>();
  const table = err.slice(err.indexOf('\ntype'), err.indexOf('\ntotal'));
  for (const line of table.split('\n').slice(2)) {
    const [type, count, bytes] = line.trim().split(/\s+/);
    m.set(type!, [Number(count), Number(bytes)]);
  }
  return m;
};

const program = (n: number): string => `
import sys
class Point:
    __slots__ = ('x', 'y')
    def __init__(self, x, y):
        self.x = x
        self.y = y
pts = [Point(i, i) for i in range(${n})]
print(sys.getsizeof(pts[0]), sys.getsizeof(pts))
`;

it('counts the live objects of a type, with the bytes sys.getsizeof gives them', () => {
  const r = run(program(300));
  expect(r.status).toBe(0);
  expect(r.out).toBe('48 2520\n');
  expect(r.err).toMatch(/^live objects at exit, before finalization/);
  const t = rows(r.err);
  expect(t.get('Point')).toEqual([300, 300 * 48]);
  // The one list of the program is the biggest of its lists.
  expect(t.get('list')![1]).toBeGreaterThanOrEqual(2520);
  expect(rows(run(program(10)).err).get('Point')).toEqual([10, 480]);
});

it('the totals add up and the heap section names arenas, pools, pymalloc and raw bytes, and RSS', () => {
  const r = run('x = "y" * 100000\nprint(len(x))');
  expect(r.out).toBe('100000\n');
  const t = rows(r.err);
  const total = r.err.match(/\ntotal\s+(\d+)\s+(\d+)\s+(\d+)\n/)!;
  expect(Number(total[1])).toBe([...t.values()].reduce((s, [c]) => s + c, 0));
  expect(Number(total[2])).toBe([...t.values()].reduce((s, [, b]) => s + b, 0));
  expect(r.err).toMatch(/\n {2}arenas in use +[1-9]\d* \(\d+ KiB mapped\)\n/);
  expect(r.err).toMatch(/\n {2}pools in use +[1-9]\d* of \d+ \(16 KiB each\)\n/);
  expect(r.err).toMatch(/\n {2}pymalloc bytes +[1-9]\d* in allocated blocks/);
  // The 100 000-character str is beyond pymalloc's 512 bytes: a raw block.
  const raw = Number(r.err.match(/\n {2}raw bytes +(\d+) in (\d+) blocks/)![1]);
  expect(raw).toBeGreaterThanOrEqual(100049);
  expect(r.err).toMatch(/\n {2}RSS +\d+\.\d MiB/);
});

it('without --report nothing is added; an uncaught exception still gets its traceback, then the report', () => {
  expect(run('print(1)', false).err).toBe('');
  const r = run('keep = [1.5] * 3\nraise ValueError("bad")');
  expect(r.status).toBe(1);
  expect(r.err).toMatch(/^Traceback \(most recent call last\):\n[\s\S]*ValueError: bad\nlive objects at exit/);
  expect(rows(r.err).get('float')![0]).toBeGreaterThanOrEqual(1);
});

it("tells the program's objects from the interpreter's, and where each of them lives", () => {
  const r = run('a = [1, 2, 3]\nb = a\nc = {"k": a}\n');
  expect(r.status).toBe(0);
  const table = r.err.slice(r.err.indexOf('\ntype'), r.err.indexOf('\ntotal'));
  const byProgram = new Map(table.split('\n').slice(2).map((l) => l.trim().split(/\s+/)).map((f) => [f[0]!, Number(f[3])]));
  expect(byProgram.get('list')).toBe(1);
  expect(byProgram.get('dict')).toBe(1);
  expect(byProgram.get('method_descriptor')).toBe(0);
  const where = r.err.slice(r.err.indexOf("where the program's objects live"), r.err.indexOf('\nheap:'));
  // The list: 56 bytes with its PyGC_Head in a 64-byte block; a, b and c's dict refer to it; getsizeof adds its item array (4 slots: [1, 2, 3] is LIST_EXTEND of a constant tuple).
  expect(where).toMatch(/\n {2}0x[0-9a-f]+ +list +88 +3 +64 +\d+ +0\n/);
  expect(where).toMatch(/\n {2}0x[0-9a-f]+ +dict +184 +1 +64 +\d+ +0\n/);
});
