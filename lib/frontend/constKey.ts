/*
 * _PyCode_ConstantKey (Objects/codeobject.c) as a string: two constants
 * share a co_consts slot exactly when their keys are equal. The key keeps
 * types apart (1, 1.0, True and 1+0j differ), tells 0.0 from -0.0, and
 * compares tuples and frozensets element by element. Code objects compare
 * as code_richcompare does: name, argument counts, flags, first line, code,
 * constants (by key), names, localsplus names, line and exception tables;
 * so compiling the same lambda twice (a while loop's test is compiled twice)
 * gives one constant.
 */

import type { CodeConst, CodeObject } from './code.js';

const codeKeys = new WeakMap<CodeObject, string>();

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The fields code_richcompare compares (code objects are not changed once made, so the key is kept). */
function codeKey(co: CodeObject): string {
  let key = codeKeys.get(co);
  if (key === undefined) {
    key = `code(${JSON.stringify([
      co.name, co.argcount, co.posonlyargcount, co.kwonlyargcount, co.flags, co.firstlineno, hex(co.code),
      co.consts.map(constKey), co.names, co.localsplusnames, hex(co.linetable), hex(co.exceptiontable),
    ])})`;
    codeKeys.set(co, key);
  }
  return key;
}

let nanCount = 0;

/** A float's part of a key; a NaN equals no other constant, so each gets its own slot. */
function floatKey(d: number): string {
  if (Number.isNaN(d)) return `nan${nanCount++}`;
  return Object.is(d, -0) ? '-0' : String(d);
}

/** The key of a constant: equal keys ⇔ one slot in co_consts. */
export function constKey(v: CodeConst): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'bigint') return `i${v}`;
  if (typeof v === 'number') return `f${floatKey(v)}`;
  if (typeof v === 'string') return `s${JSON.stringify(v)}`;
  if (Array.isArray(v)) return `(${v.map(constKey).join(',')})`;
  switch (v.kind) {
    case 'bytes': return `b${Buffer.from(v.value).toString('hex')}`;
    case 'complex': return `c${floatKey(v.real)},${floatKey(v.imag)}`;
    case 'ellipsis': return 'Ellipsis';
    case 'frozenset': return `{${v.items.map(constKey).sort().join(',')}}`;
    case 'code': return codeKey(v);
  }
}

/**
 * The key of a constant as a set sees it: equal keys ⇔ Python `==` (1, 1.0,
 * True and 1+0j are one element; 0.0 and -0.0 too). A frozenset keeps the
 * first of equal elements, as set_add does.
 */
export function setItemKey(v: CodeConst): string {
  if (typeof v === 'boolean') return `i${v ? 1 : 0}`;
  if (typeof v === 'number' && Number.isInteger(v)) return `i${BigInt(v)}`;
  if (Array.isArray(v)) return `(${v.map(setItemKey).join(',')})`;
  if (v !== null && typeof v === 'object' && v.kind === 'complex' && v.imag === 0) return setItemKey(v.real);
  if (typeof v === 'number' && v === 0) return 'i0';
  return constKey(v);
}
