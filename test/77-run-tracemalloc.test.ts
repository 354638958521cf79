/*
 * tracemalloc under `pymem run`: each test/fixtures/tracemalloc/corpus/tm_*.py
 * prints what CPython 3.11.7 printed (tm_*.out, recorded by record.py there),
 * lines naming tracemalloc.py itself left out of both as that folder's
 * README says; against a model, the traces of random programs that make and
 * drop strings are where and what size the model says; Snapshot.dump / load
 * round-trip and share their file with the JavaScript API; stop() gives the heap its allocators back; bad arguments
 * raise CPython's errors and leave the heap valid.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Domain } from '../lib/allocator/domains.js';
import { pymallocViolations } from '../lib/allocator/validate.js';
import { execIn, finalize, newVm } from '../lib/eval/run.js';
import { runCommand, type RunCommandOptions } from '../lib/eval/runCommand.js';
import { Snapshot } from '../lib/tools/tracemalloc/snapshot.js';

const dir = join(import.meta.dirname, 'fixtures/tracemalloc/corpus');
const programs = readdirSync(dir).filter((f) => f.startsWith('tm_') && f.endsWith('.py')).sort();

function run(args: string[], options: RunCommandOptions = {}): { out: string; err: string; status: number } {
  let out = '';
  let err = '';
  const status = runCommand(args, { stdout: (t) => (out += t), stderr: (t) => (err += t) }, options);
  return { out, err, status };
}

/** The lines README.md says the comparison leaves out: statistics in tracemalloc.py itself. */
const leftOut = (line: string): boolean => /tracemalloc\.py:\d+: /.test(line);

describe('pymem run: tracemalloc programs print what CPython printed', () => {
  for (const name of programs) {
    it(name, () => {
      let violations: string[] = [];
      const { out, err, status } = run([join(dir, name)], {
        displayName: name,
        inspect: (vm) => {
          violations = pymallocViolations(vm.interp.rt.heap.pymalloc);
        },
      });
      expect(err).toBe('');
      expect(status).toBe(0);
      const expected = readFileSync(join(dir, name.replace(/\.py$/, '.out')), 'utf8').split('\n');
      const actual = out.split('\n');
      expect(actual.filter((l) => !leftOut(l))).toEqual(expected.filter((l) => !leftOut(l)));
      expect(actual.filter(leftOut).length).toBe(expected.filter(leftOut).length);
      expect(violations).toEqual([]);
    });
  }

  it('leaves lines out only where README.md says (tm_unfiltered.py, two lines)', () => {
    const counts = programs.map((name) => readFileSync(join(dir, name.replace(/\.py$/, '.out')), 'utf8').split('\n').filter(leftOut).length);
    expect(Object.fromEntries(programs.map((p, i) => [p, counts[i]]).filter(([, n]) => n !== 0))).toEqual({ 'tm_unfiltered.py': 2 });
  });
});

describe('pymem run: tracemalloc beside the heap', () => {
  it('Snapshot.dump and load round-trip, and the file is the JavaScript API snapshot file', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pymem-tm-')), 'snap.json');
    const source = [
      'import tracemalloc',
      'kept = snap = None',
      'tracemalloc.start(2)',
      'def make(n):',
      "    return ['ab' * n for _ in range(n)]",
      'kept = make(40)',
      'snap = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(True, __file__)])',
      'tracemalloc.stop()',
      `snap.dump(${JSON.stringify(path)})`,
      `back = tracemalloc.Snapshot.load(${JSON.stringify(path)})`,
      'print(back.traceback_limit, len(back.traces) == len(snap.traces))',
      "print([str(s) for s in back.statistics('traceback')] == [str(s) for s in snap.statistics('traceback')])",
      "for s in back.statistics('lineno'): print(s)",
    ].join('\n');
    const { out, err, status } = run(['-c', source]);
    expect(err).toBe('');
    expect(status).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines.slice(0, 2)).toEqual(['2 True', 'True']);
    expect(lines[2]).toMatch(/^<string>:5: size=\d+ B, count=4\d, average=\d+ B$/);
    // The JavaScript API reads what Python wrote, and groups it the same way.
    const js = Snapshot.load(path);
    expect(js.tracebackLimit).toBe(2);
    expect(js.statistics('lineno').map(String)).toEqual(lines.slice(2));
  });

  it('Snapshot.load of a file that is no snapshot is a ValueError', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pymem-tm-')), 'not.json');
    writeFileSync(path, '{"x": 1}');
    const { out, status } = run(['-c', `import tracemalloc\ntry:\n    tracemalloc.Snapshot.load(${JSON.stringify(path)})\nexcept ValueError as e:\n    print('ValueError')`]);
    expect(status).toBe(0);
    expect(out).toBe('ValueError\n');
  });

  it('start() hooks the three domains and stop() gives back the allocators it found', () => {
    const vm = newVm({ io: { stdout: () => {}, stderr: () => {} } });
    try {
      const heap = vm.interp.rt.heap;
      const domains = [Domain.RAW, Domain.MEM, Domain.OBJ];
      const before = domains.map((d) => heap.getAllocator(d));
      expect(execIn(vm, 'import tracemalloc\ntracemalloc.start()\nx = [1] * 100', '<string>')).toBe(0);
      expect(domains.map((d) => heap.getAllocator(d) === before[d])).toEqual([false, false, false]);
      expect(execIn(vm, 'tracemalloc.stop()', '<string>')).toBe(0);
      expect(domains.map((d) => heap.getAllocator(d))).toEqual(before);
      expect(vm.interp.rt.newReferenceHook).toBeNull();
      finalize(vm);
      expect(pymallocViolations(heap.pymalloc)).toEqual([]);
    } finally {
      vm.interp.dispose();
    }
  });

  it('bad arguments raise the errors CPython raises (and typed errors from the private helpers) and leave the heap valid', () => {
    let violations: string[] = ['not run'];
    const source = [
      'import tracemalloc',
      'for call in (lambda: tracemalloc.start(1, 2), lambda: tracemalloc.is_tracing(1), lambda: tracemalloc._get_object_traceback(), lambda: tracemalloc.start(x=1)):',
      '    try:',
      '        call()',
      '    except TypeError as e:',
      '        print(e)',
      'print(tracemalloc.get_object_traceback(object()))',
      'import _tracemalloc',
      "for call in (lambda: _tracemalloc._group_by([(0, 1)], 'lineno', False), lambda: _tracemalloc._group_by([], 'x', False),",
      "             lambda: _tracemalloc._filter_traces([], 3), lambda: _tracemalloc._filter_traces([], [(1, 2, 3)]),",
      "             lambda: _tracemalloc._getline('f', 'x'), lambda: _tracemalloc._dump('f', [(0, 1, ((1, 2),), 1)], 1)):",
      '    try:',
      '        call()',
      '    except (TypeError, ValueError) as e:',
      '        print(type(e).__name__)',
    ].join('\n');
    const { out, status } = run(['-c', source], { inspect: (vm) => (violations = pymallocViolations(vm.interp.rt.heap.pymalloc)) });
    expect(status).toBe(0);
    // As CPython 3.11.7 words them.
    expect(out).toBe(
      [
        'start expected at most 1 argument, got 2',
        '_tracemalloc.is_tracing() takes no arguments (1 given)',
        '_tracemalloc._get_object_traceback() takes exactly one argument (0 given)',
        '_tracemalloc.start() takes no keyword arguments',
        'None',
        ...['TypeError', 'ValueError', 'TypeError', 'TypeError', 'TypeError', 'TypeError'],
        '',
      ].join('\n'),
    );
    expect(violations).toEqual([]);
  });

  it('the live traces of a program that makes and drops strings are the model\'s: line, size, count, object traceback', () => {
    const SLOTS = 6;
    const op = fc.oneof(
      fc.record({ slot: fc.nat(SLOTS - 1), size: fc.integer({ min: 2, max: 3000 }) }),
      fc.record({ slot: fc.nat(SLOTS - 1), size: fc.constant(0) }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 25 }), (ops) => {
        const slots = Array.from({ length: SLOTS }, (_, k) => `s${k}`);
        const head = ['import tracemalloc', `z = snap = ${slots.join(' = ')} = None`, 'z = 0', 'tracemalloc.start()'];
        const body = ops.map(({ slot, size }) => (size === 0 ? `s${slot} = None` : `s${slot} = 'x' * (z + ${size})`));
        const tail = [
          "snap = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(True, '<string>')])",
          "print(sorted((s.traceback[0].lineno, s.size, s.count) for s in snap.statistics('lineno')))",
          `print([None if o is None else tracemalloc.get_object_traceback(o)[0].lineno for o in (${slots.join(', ')})])`,
        ];
        // The model: each slot holds the str its last assignment made (49 + n bytes, at that line), or nothing.
        const live: ({ line: number; size: number } | null)[] = slots.map(() => null);
        ops.forEach(({ slot, size }, i) => (live[slot] = size === 0 ? null : { line: head.length + 1 + i, size: 49 + size }));
        const byLine = new Map<number, [number, number]>();
        for (const t of live) if (t !== null) byLine.set(t.line, [(byLine.get(t.line)?.[0] ?? 0) + t.size, (byLine.get(t.line)?.[1] ?? 0) + 1]);
        const stats = [...byLine].sort((a, b) => a[0] - b[0]).map(([line, [size, count]]) => `(${line}, ${size}, ${count})`);
        const { out, err, status } = run(['-c', [...head, ...body, ...tail].join('\n')]);
        expect(err).toBe('');
        expect(status).toBe(0);
        expect(out).toBe(`[${stats.join(', ')}]\n[${live.map((t) => (t === null ? 'None' : String(t.line))).join(', ')}]\n`);
      }),
      { numRuns: 20 },
    );
  });
});
