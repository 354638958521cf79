/*
 * Classes deriving from the built-in types pymem does not lay out yet
 * (str, bytearray, complex, and the descriptor and module types) stop
 * `pymem run` with a NotImplementedError naming the base and the class
 * statement's file:line, exit status 1 — never a class that behaves
 * wrongly; the heap's pymalloc invariants hold afterwards, and nothing
 * the program printed before is lost. The supported bases run as CPython
 * does (the corpus's sub_*.py programs).
 */
import { describe, expect, it } from 'vitest';
import { pymallocViolations } from '../lib/allocator/validate.js';
import { runCommand } from '../lib/eval/runCommand.js';

function run(source: string): { out: string; err: string; status: number; violations: string[] } {
  let out = '';
  let err = '';
  let violations: string[] = [];
  const status = runCommand(['-c', source], { stdout: (t) => (out += t), stderr: (t) => (err += t) }, {
    inspect: (vm) => {
      violations = pymallocViolations(vm.interp.rt.heap.pymalloc);
    },
  });
  return { out, err, status, violations };
}

const cases: [string, string, number][] = [
  ['print("before")\nclass Name(str):\n    pass\n', 'str', 2],
  ['x = 1\n\n\nclass Buf(bytearray): pass\n', 'bytearray', 4],
  ['class Z(complex): pass\n', 'complex', 1],
  ['class P(property): pass\n', 'property', 1],
  ['import sys\nclass Mod(type(sys)): pass\n', 'module', 2],
  ['def make():\n    class S(str):\n        pass\n    return S\nmake()\n', 'str', 2],
];

describe('classes deriving from built-in types pymem does not lay out', () => {
  it.each(cases)('%j stops with NotImplementedError naming %s at line %i', (source, base, line) => {
    const r = run(source);
    expect(r.err).toBe(`NotImplementedError: a class deriving from the built-in type '${base}' is not supported by pymem's evaluation loop (<string>:${line})\n`);
    expect(r.status).toBe(1);
    expect(r.violations).toEqual([]);
  });

  it('keeps what was printed before the class statement', () => {
    expect(run(cases[0]![0]).out).toBe('before\n');
  });

  it('is not an exception the program can catch', () => {
    const r = run('try:\n    class S(str): pass\nexcept BaseException:\n    print("caught")\n');
    expect(r.out).toBe('');
    expect(r.status).toBe(1);
  });

  it('runs the supported bases', () => {
    const r = run('class L(list): pass\nclass I(int): pass\nclass M(type): pass\nclass C(metaclass=M): pass\nprint(L([1]), I(2) + 1, type(C).__name__)\n');
    expect({ out: r.out, err: r.err, status: r.status }).toEqual({ out: '[1] 3 M\n', err: '', status: 0 });
  });
});
