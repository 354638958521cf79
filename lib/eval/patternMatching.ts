/*
 * Structural pattern matching (`match`), the four opcodes of Python/ceval.c
 * 3.11 that the compiler's patterns use: MATCH_MAPPING and MATCH_SEQUENCE
 * (the subject's type flags Py_TPFLAGS_MAPPING / Py_TPFLAGS_SEQUENCE, which a
 * class inherits from its bases), MATCH_KEYS (match_keys: `subject.get(key,
 * dummy)` per key, a duplicate key a ValueError) and MATCH_CLASS (match_class
 * and match_class_attr: isinstance, then `__match_args__` for positional
 * sub-patterns — or the subject itself for the built-in types with
 * _Py_TPFLAGS_MATCH_SELF — then the keyword ones, each attribute once).
 *
 * As in CPython the temporaries are objects of the heap (the `seen` set, the
 * attribute list, the dummy), and a failed match is None, not an error.
 */
import type { PyTypeObject } from '../objects/type.js';
import { callObject, getAttr, getAttrOrNull, id, newRef, raise, repr, typeOf } from './abstract.js';
import type { Vm } from './vm.js';

/** Whether some type of t's MRO is one of `kinds`. */
function inherits(vm: Vm, t: PyTypeObject, kinds: readonly PyTypeObject[]): boolean {
  const ids = new Set(kinds.map((k) => k.id));
  return vm.mroOf(t).some((m) => ids.has(m));
}

/** MATCH_MAPPING: Py_TPFLAGS_MAPPING (dict and mappingproxy, and classes deriving from them). */
export function matchMapping(vm: Vm, subject: number): boolean {
  return inherits(vm, typeOf(vm, subject), [vm.interp.dict.type, vm.descr.mappingproxy]);
}

/** MATCH_SEQUENCE: Py_TPFLAGS_SEQUENCE (list, tuple, range, memoryview, and classes deriving from them; not str or bytes). */
export function matchSequence(vm: Vm, subject: number): boolean {
  const { interp } = vm;
  return inherits(vm, typeOf(vm, subject), [interp.list.type, interp.tuple.type, interp.range.type, interp.memoryview.type]);
}

/** match_keys: a tuple of the values of `keys` (a tuple) in the mapping, or None when one is missing. New reference. */
export function matchKeys(vm: Vm, subject: number, keys: number): number {
  const { interp } = vm;
  const rt = interp.rt;
  const ks = interp.tuple.items(keys);
  if (ks.length === 0) return vm.tupleOf([]);
  const get = getAttr(vm, subject, id(vm, 'get'));
  const seen = interp.set.new();
  const dummy = interp.object.new();
  const values: number[] = [];
  try {
    for (const key of ks) {
      if (interp.set.contains(seen, key)) raise(vm, 'ValueError', `mapping pattern checks duplicate key (${repr(vm, key)})`);
      interp.set.add(seen, key);
      const value = callObject(vm, get, [key, dummy], 0);
      if (value === dummy) {
        rt.decref(value);
        return newRef(vm, interp.singletons.None);
      }
      values.push(value);
    }
    return vm.tupleOf(values);
  } finally {
    for (const v of values) rt.decref(v);
    rt.decref(get);
    rt.decref(seen);
    rt.decref(dummy);
  }
}

/**
 * match_class: the subject's attributes for `nargs` positional sub-patterns
 * and the keyword ones named by `names` (a tuple), as a tuple; 0 when the
 * subject is not an instance of `type` or lacks one of them. New reference.
 */
export function matchClass(vm: Vm, subject: number, type: number, nargs: number, names: number): number {
  const { interp } = vm;
  const rt = interp.rt;
  const cls = vm.typeobj.typeOfObject(type);
  if (cls === undefined) raise(vm, 'TypeError', 'called match pattern must be a type');
  if (!vm.isSubtype(typeOf(vm, subject), cls)) return 0;
  const seen = interp.set.new();
  const attrs = interp.list.new(0);
  try {
    // match_class_attr: each attribute once; a missing one fails the match.
    const attr = (name: number): boolean => {
      if (interp.set.contains(seen, name)) raise(vm, 'TypeError', `${cls.name}() got multiple sub-patterns for attribute ${repr(vm, name)}`);
      interp.set.add(seen, name);
      const v = getAttrOrNull(vm, subject, name);
      if (v === 0) return false;
      interp.list.append(attrs, v);
      rt.decref(v);
      return true;
    };
    if (nargs > 0) {
      const matchArgs = getAttrOrNull(vm, type, id(vm, '__match_args__'));
      try {
        if (matchArgs !== 0 && typeOf(vm, matchArgs) !== interp.tuple.type) {
          raise(vm, 'TypeError', `${cls.name}.__match_args__ must be a tuple (got ${typeOf(vm, matchArgs).name})`);
        }
        const positional = matchArgs === 0 ? [] : interp.tuple.items(matchArgs);
        const matchSelf = matchArgs === 0 && inherits(vm, cls, matchSelfTypes(vm));
        const allowed = matchSelf ? 1 : positional.length;
        if (allowed < nargs) raise(vm, 'TypeError', `${cls.name}() accepts ${allowed} positional sub-pattern${allowed === 1 ? '' : 's'} (${nargs} given)`);
        if (matchSelf) interp.list.append(attrs, subject);
        else {
          for (let i = 0; i < nargs; i++) {
            const name = positional[i]!;
            if (typeOf(vm, name) !== interp.str.type) raise(vm, 'TypeError', `__match_args__ elements must be strings (got ${typeOf(vm, name).name})`);
            if (!attr(name)) return 0;
          }
        }
      } finally {
        if (matchArgs !== 0) rt.decref(matchArgs);
      }
    }
    for (const name of interp.tuple.items(names)) if (!attr(name)) return 0;
    return vm.tupleOf(interp.list.items(attrs));
  } finally {
    rt.decref(seen);
    rt.decref(attrs);
  }
}

/** The built-in types with _Py_TPFLAGS_MATCH_SELF: `case int(x)` binds the subject itself. */
function matchSelfTypes(vm: Vm): PyTypeObject[] {
  const { interp } = vm;
  return [interp.long.boolType, interp.bytearray.type, interp.bytes.type, interp.dict.type, interp.float.type, interp.set.frozensetType, interp.long.type, interp.list.type, interp.set.type, interp.str.type, interp.tuple.type];
}
