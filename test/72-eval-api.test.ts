/*
 * The evaluation loop's API (lib/eval/run.ts: exec, evaluate) and the
 * `pymem run` command's edges: -c and sys.argv, --stats, bad usage, a
 * construct outside what the loop supports (NotImplementedError naming it
 * with file:line, exit status 1, never a wrong result), and a heap left
 * consistent after an uncaught exception.
 */
import { describe, expect, it } from 'vitest';
import { pymallocViolations } from '../lib/allocator/validate.js';
import { evaluate, exec } from '../lib/eval/run.js';
import { runCommand } from '../lib/eval/runCommand.js';

function capture(args: string[]): { status: number; out: string; err: string } {
  let out = '';
  let err = '';
  const status = runCommand(args, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { status, out, err };
}

describe('exec and evaluate', () => {
  it('exec runs a program and reports its exit status', () => {
    let out = '';
    const r = exec('a = 1000\nb = 1000\nprint(a is b, [a] * 2)\n', { filename: 'x.py', io: { stdout: (t) => (out += t), stderr: () => {} } });
    expect(r.status).toBe(0);
    expect(out).toBe('True [1000, 1000]\n');
  });
  it('evaluate gives the repr of an expression', () => {
    expect(evaluate('[1, 2.5, "x", None, (1,)]')).toBe("[1, 2.5, 'x', None, (1,)]");
    expect(evaluate('2 ** 100')).toBe('1267650600228229401496703205376');
  });
  it('keep leaves the interpreter alive for inspection, its heap consistent after an uncaught exception', () => {
    let err = '';
    const r = exec('x = [1, 2]\nraise ValueError("no")\n', { filename: 'e.py', keep: true, io: { stdout: () => {}, stderr: (t) => (err += t) } });
    try {
      expect(r.status).toBe(1);
      expect(err.endsWith('ValueError: no\n')).toBe(true);
      expect(pymallocViolations(r.vm!.interp.rt.heap.pymalloc)).toEqual([]);
    } finally {
      r.vm!.interp.dispose();
    }
  });
});

describe('pymem run', () => {
  it('-c CODE with arguments in sys.argv', () => {
    const r = capture(['-c', 'import sys\nprint(sys.argv)', 'a', 'b']);
    expect(r).toEqual({ status: 0, out: "['-c', 'a', 'b']\n", err: '' });
  });
  it('--stats prints _debugmallocstats to stderr at exit', () => {
    const r = capture(['--stats', '-c', 'x = 1']);
    expect(r.status).toBe(0);
    expect(r.err).toContain('Small block threshold = 512, in 32 size classes.');
  });
  it('no program is bad usage (status 2)', () => {
    expect(capture([]).status).toBe(2);
    expect(capture(['/no/such/file.py']).status).toBe(2);
  });
  it('an unsupported construct is a NotImplementedError naming it with file:line', () => {
    const r = capture(['-c', 'def inner():\n    yield 1\ndef outer():\n    yield from inner()\ng = outer()\nprint("before")\nnext(g)\ng.throw(ValueError)\n']);
    expect(r.status).toBe(1);
    expect(r.out).toBe('before\n');
    expect(r.err).toMatch(/^NotImplementedError: throwing into a generator suspended in 'yield from' or 'await' is not supported .*\(<string>:4\)\n$/);
  });
  it('a SyntaxError is printed as CPython prints it', () => {
    const r = capture(['-c', 'x = (1,\n']);
    expect(r.status).toBe(1);
    expect(r.err).toBe('  File "<string>", line 1\n    x = (1,\n        ^\nSyntaxError: \'(\' was never closed\n');
  });
  it("an exception raised by __del__ is unraisable: reported as CPython's sys.unraisablehook prints it, and the program goes on", () => {
    const r = capture(['-c', 'class D:\n    def __del__(self):\n        raise ValueError("in del")\nx = D()\ndel x\nprint("after")\n']);
    expect([r.status, r.out]).toEqual([0, 'after\n']);
    expect(r.err).toMatch(/^Exception ignored in: <function D\.__del__ at 0x[0-9a-f]+>\nTraceback \(most recent call last\):\n  File "<string>", line 3, in __del__\nValueError: in del\n$/);
  });
  it('except* and star imports, which the loop does not run, are NotImplementedErrors naming them with file:line', () => {
    const star = capture(['-c', 'print("a")\ntry:\n    raise ValueError(1)\nexcept* ValueError:\n    pass\n']);
    expect([star.status, star.out]).toEqual([1, 'a\n']);
    expect(star.err).toBe("NotImplementedError: except* (exception groups) is not supported by pymem's evaluation loop (<string>:4)\n");
    const imp = capture(['-c', 'from sys import *\n']);
    expect(imp.err).toBe("NotImplementedError: 'from ... import *' is not supported by pymem's evaluation loop (<string>:1)\n");
  });
});
