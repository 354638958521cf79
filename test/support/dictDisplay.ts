/*
 * How CPython 3.11's compiler builds a dict display of constant keys, for the
 * tests that rebuild golden dict literals exactly as CPython does.
 */
import type { Interpreter } from '../../lib/objects/interpreter.js';

/**
 * compiler_dict / compiler_subdict of 3.11 for a display of constant keys:
 * runs of up to 16 items are one _PyDict_FromItems (BUILD_CONST_KEY_MAP n,
 * or BUILD_MAP n), a run of 17 is BUILD_MAP 0 and MAP_ADD per item, and
 * each run after the first goes in with DICT_UPDATE.
 */
export function dictDisplay(interp: Interpreter, keys: number[], values: number[]): number {
  const { dict, rt } = interp;
  const STACK_USE_GUIDELINE = 30;
  let d = 0;
  const subdict = (begin: number, end: number): void => {
    const big = (end - begin) * 2 > STACK_USE_GUIDELINE;
    let m: number;
    if (!big) m = dict.fromItems(keys.slice(begin, end), values.slice(begin, end));
    else {
      m = dict.fromItems([], []);
      for (let i = begin; i < end; i++) dict.setItem(m, keys[i]!, values[i]!);
    }
    if (d === 0) d = m;
    else {
      dict.update(d, m);
      rt.decref(m);
    }
  };
  let elements = 0;
  for (let i = 0; i < keys.length; i++) {
    if (elements * 2 > STACK_USE_GUIDELINE) {
      subdict(i - elements, i + 1);
      elements = 0;
    } else elements++;
  }
  if (elements) subdict(keys.length - elements, keys.length);
  return d !== 0 ? d : dict.fromItems([], []);
}
