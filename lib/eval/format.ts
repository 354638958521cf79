/*
 * PyObject_Format's text (Objects/abstract.c): the type's __format__ with
 * the spec — the format-spec mini-language of lib/objects/text for the
 * built-in types, a class's own __format__. (FORMAT_VALUE's conversions
 * and the objects it returns: objectStr.ts.)
 */
import { formatBool, formatFloat, formatInt, formatStr } from '../objects/text/formatValue.js';
import { callSpecial, intValue, isFloat, isInt, isStr, lookupSpecial, raise, str, strValue, typeName } from './abstract.js';
import type { Vm } from './vm.js';

/** PyObject_Format(v, spec). */
export function formatObject(vm: Vm, v: number, spec: string): string {
  const { interp } = vm;
  const custom = lookupSpecial(vm, v, '__format__');
  if (custom !== 0) {
    const s = interp.str.fromString(spec);
    const r = callSpecial(vm, custom, v, [s]);
    interp.rt.decref(s);
    try {
      if (!isStr(vm, r)) raise(vm, 'TypeError', `__format__ must return a str, not ${typeName(vm, r)}`);
      return strValue(vm, r);
    } finally {
      interp.rt.decref(r);
    }
  }
  if (v === interp.long.True || v === interp.long.False) return formatBool(v === interp.long.True, spec);
  if (isInt(vm, v)) return formatInt(intValue(vm, v), spec);
  if (isFloat(vm, v)) return formatFloat(interp.float.value(v), spec);
  if (isStr(vm, v)) return formatStr(strValue(vm, v), spec);
  if (spec !== '') raise(vm, 'TypeError', `unsupported format string passed to ${typeName(vm, v)}.__format__`);
  return str(vm, v);
}
