/*
 * Code objects as the compiler makes them: plain TypeScript values holding
 * exactly what CPython 3.11's PyCodeObject holds (Include/cpython/code.h), so
 * an evaluation loop shaped like ceval.c can run them and a later stage can
 * lay them out as heap objects field for field.
 *
 * Invariants (those of _PyCode_Validate and of the assembler):
 *   - code is 3.11 wordcode: 2-byte units `opcode, oparg`, every instruction
 *     followed by inlineCacheEntries[opcode] CACHE units (zeros), opargs wider
 *     than 8 bits prefixed by EXTENDED_ARG units;
 *   - localsplusnames[i] has kind localspluskinds[i]: the arguments come
 *     first (argcount + kwonlyargcount, then *args, then **kwargs), then the
 *     other locals, then cells that are not arguments, then free variables;
 *     a cell that is also an argument has kind CO_FAST_LOCAL | CO_FAST_CELL;
 *   - consts holds each constant once by _PyCode_ConstantKey (1, 1.0, True
 *     and -0.0 / 0.0 are distinct); the first is the docstring when there is
 *     one (None for a function without); nested code objects are constants;
 *   - linetable and exceptiontable are in 3.11's formats (read them with
 *     lineTable.ts and exceptionTable.ts; assemble.ts writes them).
 *
 * Reading co_code, as ceval.c of 3.11 does (opcode.ts has the numbers):
 *   - after each instruction skip inlineCacheEntries[op] CACHE units (the
 *     specializing interpreter's counters; all zero here); EXTENDED_ARG k
 *     makes the next oparg (k << 8) | its byte;
 *   - jumps are relative, in code units, from the unit after the jump:
 *     *_FORWARD* add oparg, *_BACKWARD* subtract it; FOR_ITER, SEND and
 *     JUMP_IF_{TRUE,FALSE}_OR_POP are forward;
 *   - LOAD_FAST / STORE_FAST / DELETE_FAST and MAKE_CELL, LOAD_CLOSURE,
 *     LOAD_DEREF, STORE_DEREF, DELETE_DEREF, LOAD_CLASSDEREF index
 *     localsplus (the frame's locals, then cells, then free variables);
 *     COPY_FREE_VARS n copies the function's closure into the last n slots;
 *   - LOAD_GLOBAL loads names[oparg >> 1], pushing NULL first when oparg & 1;
 *     LOAD_CONST and KW_NAMES index consts (KW_NAMES: the tuple of keyword
 *     names for the next CALL); other *_NAME / *_ATTR / LOAD_METHOD /
 *     IMPORT_* index names;
 *   - PRECALL n, CALL n: the stack holds [NULL or the callable, the
 *     callable or self, n arguments]; CALL_FUNCTION_EX 1 has a kwargs dict;
 *   - MAKE_FUNCTION flags: 1 defaults tuple, 2 keyword defaults dict,
 *     4 annotations tuple, 8 closure tuple, below the code object on the
 *     stack in that order; the qualname comes from the code object;
 *   - BINARY_OP oparg indexes nbOps (in-place forms from 13); COMPARE_OP
 *     indexes cmpOp; IS_OP / CONTAINS_OP 1 negate;
 *   - FORMAT_VALUE: oparg & 3 is the conversion (none, str, repr, ascii),
 *     oparg & 4 a format spec above the value; BUILD_STRING n joins n strs;
 *   - UNPACK_EX: low byte = targets before the star, high byte = after;
 *   - RESUME oparg: 0 at the start, 1 after a yield, 2 after yield from,
 *     3 after await; RERAISE oparg set: restore f_lasti from the stack;
 *   - generators start with RETURN_GENERATOR, POP_TOP (frame flags CO_GENERATOR
 *     and friends); YIELD_VALUE's oparg (argless, so 0 in co_code) is not used.
 */

import type { PyBytes, PyComplex, PyEllipsis } from './ast.js';

/** A `frozenset` constant (made by the optimizer from `x in {1, 2}`); items in insertion order. */
export interface PyFrozenSet {
  kind: 'frozenset';
  items: CodeConst[];
}

/**
 * A value in co_consts: None → null, bool → boolean, int → bigint,
 * float → number, str → string, bytes/complex/Ellipsis as in ast.ts,
 * tuple → array, frozenset → PyFrozenSet, code → CodeObject.
 */
export type CodeConst =
  | null
  | boolean
  | bigint
  | number
  | string
  | PyBytes
  | PyComplex
  | PyEllipsis
  | PyFrozenSet
  | CodeObject
  | CodeConst[];

/** co_flags bits (Include/cpython/code.h). */
export const CO_OPTIMIZED = 0x0001;
export const CO_NEWLOCALS = 0x0002;
export const CO_VARARGS = 0x0004;
export const CO_VARKEYWORDS = 0x0008;
export const CO_NESTED = 0x0010;
export const CO_GENERATOR = 0x0020;
export const CO_NOFREE = 0x0040;
export const CO_COROUTINE = 0x0080;
export const CO_ITERABLE_COROUTINE = 0x0100;
export const CO_ASYNC_GENERATOR = 0x0200;
/** Set on every code object compiled under `from __future__ import annotations`. */
export const CO_FUTURE_ANNOTATIONS = 0x1000000;

/** localspluskinds bits (Include/internal/pycore_code.h). */
export const CO_FAST_LOCAL = 0x20;
export const CO_FAST_CELL = 0x40;
export const CO_FAST_FREE = 0x80;

/** A compiled code object; field names are PyCodeObject's without the `co_` prefix. */
export interface CodeObject {
  readonly kind: 'code';
  /** Positional parameters, the positional-only ones included. */
  argcount: number;
  posonlyargcount: number;
  kwonlyargcount: number;
  /** Deepest value stack the code needs (frame size = nlocalsplus + stacksize). */
  stacksize: number;
  /** CO_* bits. */
  flags: number;
  firstlineno: number;
  /** The wordcode, caches included. */
  code: Uint8Array;
  consts: CodeConst[];
  /** Globals, attributes and imported names the code refers to. */
  names: string[];
  /** Locals, then cells, then free variables (see the opening comment). */
  localsplusnames: string[];
  /** CO_FAST_* bits of each of localsplusnames. */
  localspluskinds: Uint8Array;
  filename: string;
  name: string;
  qualname: string;
  /** Locations of the code units, in 3.11's co_linetable format. */
  linetable: Uint8Array;
  /** Exception handlers of the code, in 3.11's co_exceptiontable format. */
  exceptiontable: Uint8Array;
}

function namesOfKind(co: CodeObject, kind: number): string[] {
  return co.localsplusnames.filter((_, i) => (co.localspluskinds[i]! & kind) !== 0);
}

/** co_varnames: the plain locals (arguments first). */
export function varnames(co: CodeObject): string[] {
  return namesOfKind(co, CO_FAST_LOCAL);
}

/** co_cellvars: locals captured by an inner scope. */
export function cellvars(co: CodeObject): string[] {
  return namesOfKind(co, CO_FAST_CELL);
}

/** co_freevars: variables of an enclosing scope this code reads through a cell. */
export function freevars(co: CodeObject): string[] {
  return namesOfKind(co, CO_FAST_FREE);
}

/** True when `value` is a code object constant. */
export function isCode(value: CodeConst): value is CodeObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && value.kind === 'code';
}
