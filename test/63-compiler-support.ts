/*
 * Shared by the compiler tests: the recorded fixtures' directory and the
 * record of a code object in the shape record.py writes for CPython's.
 */

import { join } from 'node:path';
import { constRepr } from '../lib/frontend/constRepr.js';
import { isCode, varnames, cellvars, freevars, type CodeObject } from '../lib/frontend/code.js';

/** test/fixtures/frontend/compiler. */
export const compilerFixtures = join(import.meta.dirname, 'fixtures/frontend/compiler');

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** The code object and every nested one, in dis's order. */
export function walkCode(co: CodeObject, out: CodeObject[] = []): CodeObject[] {
  out.push(co);
  for (const c of co.consts) if (isCode(c)) walkCode(c, out);
  return out;
}

/** The fields record.py records of a CPython code object. */
export function codeRecord(co: CodeObject): Record<string, unknown> {
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
