/*
 * The compiler against CPython 3.11.7 on the corpus of
 * test/fixtures/frontend/compiler/programs: for each program the `python3 -m
 * dis` text (code object addresses normalised) and every code object's
 * fields (co_code, co_consts by repr, co_names, co_varnames, co_cellvars,
 * co_freevars, co_stacksize, co_flags, co_linetable, co_exceptiontable ...)
 * must equal what record.py recorded; programs CPython rejects must raise
 * the same SyntaxError (message and line).
 */

import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../lib/frontend/compile.js';
import { dis } from '../lib/frontend/dis.js';
import { PySyntaxError } from '../lib/frontend/syntaxError.js';
import { codeRecord, compilerFixtures, walkCode } from './63-compiler-support.js';

const root = compilerFixtures;
const programs = readdirSync(join(root, 'programs')).filter((f) => f.endsWith('.py')).sort();

const normalise = (s: string): string => s.replace(/0x[0-9a-f]+/g, '0xADDR');

describe.each(programs)('%s', (file) => {
  const stem = file.slice(0, -3);
  const source = readFileSync(join(root, 'programs', file), 'utf8');
  const filename = join('programs', file);
  const errorPath = join(root, 'expected', `${stem}.error.json`);
  if (existsSync(errorPath)) {
    it('raises the SyntaxError CPython raises', () => {
      const expected = JSON.parse(readFileSync(errorPath, 'utf8')) as { msg: string; lineno: number; offset: number };
      let caught: unknown;
      try {
        compile(source, filename, 'exec');
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(PySyntaxError);
      const err = caught as PySyntaxError;
      expect({ msg: err.msg, lineno: err.lineno, offset: err.offset }).toEqual(expected);
    });
    return;
  }
  it('prints what python3 -m dis prints', () => {
    const co = compile(source, filename, 'exec');
    const expected = readFileSync(join(root, 'expected', `${stem}.dis`), 'utf8');
    expect(normalise(dis(co, { addressOf: () => '0x0' }))).toBe(normalise(expected));
  });
  it('makes the code objects CPython makes', () => {
    const co = compile(source, filename, 'exec');
    const expected = JSON.parse(readFileSync(join(root, 'expected', `${stem}.json`), 'utf8')) as unknown[];
    expect(walkCode(co).map(codeRecord)).toEqual(expected);
  });
});
