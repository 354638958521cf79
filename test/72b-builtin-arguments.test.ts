/*
 * Built-in functions and methods under `pymem run` with arguments of the
 * wrong count or type (lib/eval/builtinArity.ts and the argument
 * conversions of lib/eval/abstract.ts): CPython's TypeError for a count
 * outside the recorded range, and for every builtin of builtinArity.gen.ts
 * called with each count it accepts and each of six kinds of value, a
 * Python exception or a result — never an internal error — with the heap
 * left consistent.
 */
import { describe, expect, it } from 'vitest';
import { BUILTIN_ARITY } from '../lib/eval/builtinArity.gen.js';
import { runCommand } from '../lib/eval/runCommand.js';

function run(source: string): { status: number; out: string; err: string } {
  let out = '';
  let err = '';
  const status = runCommand(['-c', source], { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { status, out, err };
}

const INSTANCES: Record<string, string> = {
  list: '[]', dict: '{}', set: 'set()', frozenset: 'frozenset()', str: "'ab'", bytes: "b'ab'", bytearray: 'bytearray(b"ab")',
  int: '(5)', float: '(2.5)', complex: '(1j)', tuple: '(1, 2)', range: 'range(3)', object: 'object()', bool: 'False',
};
// Interactive, I/O or namespace builtins whose calls with junk would do more than raise.
const SKIP = new Set(['__import__', 'breakpoint', 'input', 'open', 'vars', 'dir', 'locals', 'globals', 'compile', 'exec', 'eval', 'aiter', 'anext', '__build_class__', 'delattr', 'setattr', 'print']);

/** `fn(args)` sources for each recorded builtin: one argument too few and too many, and each accepted count with each value. */
function calls(values: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [key, [min, max]] of Object.entries(BUILTIN_ARITY)) {
    if (SKIP.has(key)) continue;
    const dot = key.indexOf('.');
    if (dot >= 0 && key.slice(dot + 1).startsWith('__')) continue;
    const fn = dot >= 0 ? `${INSTANCES[key.slice(0, dot)]}.${key.slice(dot + 1)}` : key;
    const hi = max ?? min + 1;
    for (let n = Math.max(0, min - 1); n <= hi + 1; n++) {
      for (const v of n < min || n > hi ? ['None'] : values) out.push([key, `${fn}(${Array(n).fill(v).join(', ')})`]);
    }
  }
  return out;
}

describe('built-in functions and methods with wrong arguments', () => {
  it("a count outside CPython's range raises CPython's TypeError", () => {
    const r = run('for f in (lambda: abs(), lambda: {}.get(), lambda: round(), lambda: (1).bit_length(2), lambda: isinstance(1), lambda: [].append(1, 2)):\n    try:\n        f()\n    except TypeError as e:\n        print(e)\n');
    expect(r.err).toBe('');
    expect(r.out.split('\n')).toEqual([
      'abs() takes exactly one argument (0 given)',
      'get expected at least 1 argument, got 0',
      "round() missing required argument 'number' (pos 1)",
      'int.bit_length() takes no arguments (1 given)',
      'isinstance expected 2 arguments, got 1',
      'list.append() takes exactly one argument (2 given)',
      '',
    ]);
  });

  it('every recorded builtin, with each count and kind of value, raises a Python exception or returns: never an internal error', () => {
    const list = calls(['None', '1', '"s"', '[1]', '-1', '2.5']);
    expect(list.length).toBeGreaterThan(1000);
    const source = [
      'calls = [',
      ...list.map(([key, call]) => `    (${JSON.stringify(key)}, lambda: ${call}),`),
      ']',
      'ran = raised = 0',
      'for name, call in calls:',
      '    try:',
      '        call()',
      '        ran += 1',
      '    except Exception:',
      '        raised += 1',
      'print(ran + raised, ran > 0, raised > 0)',
    ].join('\n');
    const r = run(source);
    expect(r.err).toBe('');
    expect(r.out).toBe(`${list.length} True True\n`);
    expect(r.status).toBe(0);
  });
});
