/*
 * The compiler's own errors (its SyntaxErrors are PySyntaxError, shared with
 * the parser): a construct it does not compile, and an expression nested
 * deeper than CPython compiles (RecursionError "maximum recursion depth
 * exceeded during compilation" in ast_opt.c and symtable.c).
 */

import { PymemError } from '../errors.js';

/** A construct the compiler does not support: never wrong bytecode instead. */
export class CompilerNotImplementedError extends PymemError {
  constructor(
    /** The construct, e.g. "from __future__ import annotations". */
    readonly construct: string,
    readonly filename: string,
    readonly lineno: number,
  ) {
    super(`${construct} is not supported by pymem's compiler (${filename}, line ${lineno})`);
  }
}

/**
 * Expressions nested deeper than this are refused, as CPython 3.11 refuses
 * them when compiling a script (its limit is 3 × sys.getrecursionlimit()
 * less the frames already in use; 2993 at a script's top level).
 */
export const MAX_EXPRESSION_DEPTH = 2993;

/** CPython's RecursionError during compilation: an expression nested too deeply. */
export class CompilerRecursionError extends PymemError {
  constructor(
    readonly filename: string,
    readonly lineno: number,
  ) {
    super(`maximum recursion depth exceeded during compilation (${filename}, line ${lineno})`);
  }
}
