/*
 * _PyCode_ConstantKey (Objects/codeobject.c) as a string: two constants
 * share a co_consts slot exactly when their keys are equal. The key keeps
 * types apart (1, 1.0, True and 1+0j differ), tells 0.0 from -0.0, and
 * compares tuples and frozensets element by element; code objects are
 * equal only to themselves.
 */

import type { CodeConst, CodeObject } from './code.js';

const codeIds = new WeakMap<CodeObject, number>();
let nextCodeId = 0;

function floatKey(d: number): string {
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
    case 'code': {
      let id = codeIds.get(v);
      if (id === undefined) {
        id = nextCodeId++;
        codeIds.set(v, id);
      }
      return `code${id}`;
    }
  }
}
