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
import { constRepr } from '../lib/frontend/constRepr.js';
import { isCode, varnames, cellvars, freevars, type CodeObject } from '../lib/frontend/code.js';
import { PySyntaxError } from '../lib/frontend/syntaxError.js';

const root = join(import.meta.dirname, 'fixtures/frontend/compiler');
const programs = readdirSync(join(root, 'programs')).filter((f) => f.endsWith('.py')).sort();

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

function walk(co: CodeObject, out: CodeObject[] = []): CodeObject[] {
  out.push(co);
  for (const c of co.consts) if (isCode(c)) walk(c, out);
  return out;
}

function record(co: CodeObject): Record<string, unknown> {
  return {
    name: co.name,
    qualname: co.qualname,
    firstlineno: co.firstlineno,
    argcount: co.argcount,
    posonlyargcount: co.posonlyargcount,
    kwonlyargcount: co.kwonlyargcount,
    stacksize: co.stacksize,
    flags: co.flags,
    code: hex(co.code),
    consts: co.consts.map((c) => (isCode(c) ? '<code>' : constRepr(c))),
    names: co.names,
    varnames: varnames(co),
    cellvars: cellvars(co),
    freevars: freevars(co),
    linetable: hex(co.linetable),
    exceptiontable: hex(co.exceptiontable),
  };
}

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
      expect({ msg: err.msg, lineno: err.lineno }).toEqual({ msg: expected.msg, lineno: expected.lineno });
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
    expect(walk(co).map(record)).toEqual(expected);
  });
});
