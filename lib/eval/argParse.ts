/*
 * Argument Clinic's keyword parsing (Python/getargs.c, _PyArg_UnpackKeywords)
 * for built-in methods: positional-or-keyword parameters, then keyword-only
 * ones, with CPython 3.11's TypeError messages for each way a call can miss.
 *
 * Invariants: the result has one slot per parameter, in declaration order,
 * each a borrowed argument or undefined when not given.
 */
import { raise, strValue } from './abstract.js';
import type { Vm } from './vm.js';

/** A clinic signature: `fname(pos..., *, kwOnly...)`, the first `required` positional ones required. */
export interface Signature {
  readonly fname: string;
  readonly pos: readonly string[];
  readonly kwOnly?: readonly string[];
  readonly required?: number;
}

/** The arguments of a vectorcall (args, kwnames) by parameter, as _PyArg_UnpackKeywords binds them. */
export function parseArgs(vm: Vm, sig: Signature, args: readonly number[], kwnames: number): Array<number | undefined> {
  const names = kwnames === 0 ? [] : vm.interp.tuple.items(kwnames).map((k) => strValue(vm, k));
  const npos = args.length - names.length;
  const kwOnly = sig.kwOnly ?? [];
  const all = [...sig.pos, ...kwOnly];
  const required = sig.required ?? 0;
  if (npos > sig.pos.length) {
    const most = sig.pos.length;
    raise(vm, 'TypeError', `${sig.fname}() takes at most ${most} positional argument${most === 1 ? '' : 's'} (${npos} given)`);
  }
  const out: Array<number | undefined> = all.map((_, i) => (i < npos ? args[i] : undefined));
  names.forEach((n, k) => {
    const i = all.indexOf(n);
    if (i < 0) raise(vm, 'TypeError', `'${n}' is an invalid keyword argument for ${sig.fname}()`);
    if (i < npos) raise(vm, 'TypeError', `argument for ${sig.fname}() given by name ('${n}') and position (${i + 1})`);
    out[i] = args[npos + k];
  });
  for (let i = 0; i < required; i++) {
    if (out[i] === undefined) raise(vm, 'TypeError', `${sig.fname}() missing required argument '${sig.pos[i]}' (pos ${i + 1})`);
  }
  return out;
}
