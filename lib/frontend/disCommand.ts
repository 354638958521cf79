/*
 * `pymem dis FILE.py`: the bytecode pymem's compiler makes of a file, printed
 * as `python3 -m dis FILE.py` prints CPython's (Lib/dis.py: _test). Code
 * objects are shown at made-up addresses, one per code object, in the order
 * dis first meets them (CPython shows real ones, which differ run to run).
 * A SyntaxError is printed as CPython prints an uncaught one; exit status 1.
 */

import { readFileSync } from 'node:fs';
import { formatWarning } from './warnings.js';
import { compile } from './compile.js';
import { dis } from './dis.js';
import type { CodeObject } from './code.js';
import { PySyntaxError, formatSyntaxError } from './syntaxError.js';

/** Where the command writes. */
export interface DisCommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Runs `pymem dis FILE`; returns the exit status (0, 1 on a SyntaxError, 2 on bad usage). */
export function disCommand(args: string[], io: DisCommandIO): number {
  if (args.length !== 1) {
    io.stderr('usage: pymem dis FILE.py\n');
    return 2;
  }
  const file = args[0]!;
  const source = readFileSync(file, 'utf8');
  let co: CodeObject;
  try {
    const lines = source.split(/\r?\n/);
    co = compile(source, file, 'exec', (w) => io.stderr(formatWarning(w, lines)));
  } catch (e) {
    if (e instanceof PySyntaxError) {
      io.stderr(formatSyntaxError(e));
      return 1;
    }
    throw e;
  }
  const addresses = new Map<CodeObject, string>();
  const addressOf = (c: CodeObject): string => {
    let a = addresses.get(c);
    if (a === undefined) {
      a = `0x${(0x7f0000000000 + addresses.size * 0x1b0).toString(16)}`;
      addresses.set(c, a);
    }
    return a;
  };
  io.stdout(dis(co, { addressOf }));
  return 0;
}
