/*
 * What the compiler does not compile (the future feature barry_as_FLUFL,
 * and under `from __future__ import annotations` annotations of kinds
 * unparse.ts does not write) is refused with a typed error
 * naming it and its file:line, never compiled to wrong bytecode; the error
 * is a PymemError, and a compilation after it is unaffected. Expressions
 * nested deeper than CPython compiles (2993 at a script's top level) give
 * its RecursionError as CompilerRecursionError, never a JavaScript stack
 * overflow.
 */

import { describe, expect, it } from 'vitest';
import { compile, CompilerNotImplementedError, CompilerRecursionError } from '../lib/frontend/compile.js';
import { PymemError } from '../lib/errors.js';

const cases: [string, string, number][] = [
  ['"doc"\nfrom __future__ import annotations\ndef f(x: int) -> str: pass\ny: (lambda: 0)\n', 'an annotation with Lambda under from __future__ import annotations', 4],
  ['from __future__ import barry_as_FLUFL\n', 'from __future__ import barry_as_FLUFL', 1],
];

describe('unsupported constructs', () => {
  it.each(cases)('%j is refused as %s at line %i', (source, construct, lineno) => {
    let caught: unknown;
    try {
      compile(source, 'prog.py', 'exec');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(CompilerNotImplementedError);
    expect(caught).toBeInstanceOf(PymemError);
    const err = caught as CompilerNotImplementedError;
    expect({ construct: err.construct, filename: err.filename, lineno: err.lineno }).toEqual({ construct, filename: 'prog.py', lineno });
    expect(err.message).toBe(`${construct} is not supported by pymem's compiler (prog.py, line ${lineno})`);
  });

  it('leaves the next compilation unaffected', () => {
    const before = compile('a = 1000\nb = 1000\n', 'x.py', 'exec');
    expect(() => compile('from __future__ import barry_as_FLUFL\n', 'x.py', 'exec')).toThrow(CompilerNotImplementedError);
    const after = compile('a = 1000\nb = 1000\n', 'x.py', 'exec');
    expect(Buffer.from(after.code)).toEqual(Buffer.from(before.code));
    expect(after.consts).toEqual(before.consts);
  });
});

describe('deep nesting', () => {
  it('compiles 2993 nested expressions and refuses 2994, as CPython does', () => {
    const sum = (n: number): string => `x = ${Array(n).fill('a').join(' + ')}\n`;
    expect(compile(sum(2993), 'deep.py', 'exec').names).toEqual(['a', 'x']);
    expect(() => compile(sum(2994), 'deep.py', 'exec')).toThrow(CompilerRecursionError);
  });
});
