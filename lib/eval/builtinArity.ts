/*
 * The positional argument counts of CPython 3.11's built-in functions and of
 * the built-in types' methods (builtinArity.gen.ts, recorded from CPython by
 * builtinArity.gen.py): a call without keywords outside the range raises
 * CPython's own TypeError before the body runs, so a body may read every
 * argument its signature requires.
 */
import type { CMethod } from '../objects/types/cfunction.js';
import { raise } from './abstract.js';
import { BUILTIN_ARITY } from './builtinArity.gen.js';
import type { Vm } from './vm.js';

/** `meth` checked against the recorded range of `key` (a builtin's name, or `type.method`); itself when none is recorded. */
export function withArity(vm: Vm, key: string, meth: CMethod): CMethod {
  const arity = BUILTIN_ARITY[key];
  if (arity === undefined) return meth;
  const [min, max, tooFew, tooMany] = arity;
  return (self, args, kwnames) => {
    if (kwnames === 0) {
      const n = args.length;
      if (n < min && tooFew !== null) raise(vm, 'TypeError', typeof tooFew === 'string' ? tooFew.replace('{n}', String(n)) : tooFew[n]!);
      if (max !== null && n > max && tooMany !== null) raise(vm, 'TypeError', tooMany.replace('{n}', String(n)));
    }
    return meth(self, args, kwnames);
  };
}
