/*
 * `pymem run` on the tutorial's snippets (../shared/cpython/snippets beside
 * the clone when it is there, else their copy in fixtures/snippets): stdout byte-identical to what CPython
 * 3.11.7 printed, exit status 0, nothing on stderr, and the heap's pymalloc
 * invariants intact after the run is finalized.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pymallocViolations } from '../lib/allocator/validate.js';
import { execIn, finalize, newVm } from '../lib/eval/run.js';

const shared = join(__dirname, '../../shared/cpython/snippets');
const dir = existsSync(shared) ? shared : join(__dirname, '../fixtures/snippets');
const programs = readdirSync(dir).filter((f) => f.endsWith('.py')).sort();

function run(source: string, filename: string): { status: number; out: string; err: string; violations: string[] } {
  let out = '';
  let err = '';
  const vm = newVm({ filename, io: { stdout: (t) => (out += t), stderr: (t) => (err += t) } });
  try {
    const status = execIn(vm, source, filename);
    finalize(vm);
    return { status, out, err, violations: pymallocViolations(vm.interp.rt.heap.pymalloc) };
  } finally {
    vm.interp.dispose();
  }
}

describe('pymem run: the snippets print what CPython printed', () => {
  it('finds the six snippets', () => {
    expect(programs.length).toBeGreaterThanOrEqual(6);
  });
  for (const name of programs) {
    it(name, () => {
      const source = readFileSync(join(dir, name), 'utf8');
      const expected = readFileSync(join(dir, name.replace(/\.py$/, '.out')), 'utf8');
      const r = run(source, name);
      expect(r.err).toBe('');
      expect(r.status).toBe(0);
      expect(r.out).toBe(expected);
      expect(r.violations).toEqual([]);
    });
  }
});

describe('pymem run: errors', () => {
  it('an uncaught exception prints a traceback and exits 1', () => {
    const r = run('def f():\n    return 1 / 0\nf()\n', 't.py');
    expect(r.status).toBe(1);
    expect(r.err).toContain('Traceback (most recent call last):\n  File "t.py", line 3, in <module>\n');
    expect(r.err).toContain('  File "t.py", line 2, in f\n');
    expect(r.err.endsWith('ZeroDivisionError: division by zero\n')).toBe(true);
  });
  it('deep recursion raises RecursionError, not a JavaScript stack overflow', () => {
    const r = run('def f(n):\n    return f(n + 1)\ntry:\n    f(0)\nexcept RecursionError as e:\n    print(e)\n', 't.py');
    expect(r.out).toBe('maximum recursion depth exceeded\n');
    expect(r.status).toBe(0);
  });
});
