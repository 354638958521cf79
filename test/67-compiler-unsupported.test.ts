/*
 * What the compiler does not compile (try/except* -- exception groups --
 * and the future features that change compilation) is refused with a typed
 * error naming it and its file:line, never compiled to wrong bytecode; the
 * error is a PymemError, and a compilation after it is unaffected.
 */

import { describe, expect, it } from 'vitest';
import { compile, CompilerNotImplementedError } from '../lib/frontend/compile.js';
import { PymemError } from '../lib/errors.js';

const cases: [string, string, number][] = [
  ['try:\n    pass\nexcept* E:\n    pass\n', 'try/except*', 1],
  ['def f():\n    pass\n\nasync def g():\n    try:\n        pass\n    except* E:\n        pass\n', 'try/except*', 5],
  ['"doc"\nfrom __future__ import annotations\ndef f(x: int) -> str: pass\n', 'from __future__ import annotations', 2],
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
    expect(() => compile('try:\n    pass\nexcept* E:\n    pass\n', 'x.py', 'exec')).toThrow(CompilerNotImplementedError);
    const after = compile('a = 1000\nb = 1000\n', 'x.py', 'exec');
    expect(Buffer.from(after.code)).toEqual(Buffer.from(before.code));
    expect(after.consts).toEqual(before.consts);
  });
});
