/*
 * Methods and attributes of the built-in containers beyond the ones
 * builtins.ts gives (CPython 3.11): slice.start / stop / step and
 * slice.indices (Objects/sliceobject.c); range.start / stop / step,
 * range.index and range.count (Objects/rangeobject.c); dict.fromkeys
 * (Objects/dictobject.c); str.maketrans and
 * str.translate (Objects/unicodeobject.c).
 *
 * Invariants: every result is a new reference; a method that fails leaves
 * its receiver as it was (the set updates compute before they change it);
 * errors are CPython's exceptions in its words.
 */
import {
  getItem,
  getIter,
  intValue,
  isInt,
  isStr,
  iterate,
  iterNext,
  newInt,
  newRef,
  newStr,
  raise,
  repr,
  richCompareBool,
  sliceIndices,
  strValue,
  toPyErr,
  typeName,
  typeOf,
  numberIndex,
} from './abstract.js';
import { addClassMethods, addGetsets, addMethods } from './numberMethods.js';
import type { Vm } from './vm.js';

/** Installs the slice, range, dict, set and str methods of this module. */
export function installContainerMethods(vm: Vm): void {
  const { interp } = vm;
  const rt = interp.rt;
  const None = interp.singletons.None;

  // --- slice ---
  addGetsets(vm, interp.slice.type.id, {
    start: (self) => newRef(vm, interp.slice.fields(self).start),
    stop: (self) => newRef(vm, interp.slice.fields(self).stop),
    step: (self) => newRef(vm, interp.slice.fields(self).step),
  });
  addMethods(vm, interp.slice.type.id, {
    // slice_indices: (start, stop, step) for a sequence of that length.
    indices: (self, args) => {
      if (args.length !== 1) raise(vm, 'TypeError', `slice.indices() takes exactly one argument (${args.length} given)`);
      const n = numberIndex(vm, args[0]!);
      if (n < 0n) raise(vm, 'ValueError', 'length should not be negative');
      const [start, stop, step] = sliceIndices(vm, self, Number(n));
      const parts = [start, stop, step].map((v) => newInt(vm, v));
      const t = vm.tupleOf(parts);
      for (const p of parts) rt.decref(p);
      return t;
    },
  });

  // --- range ---
  addGetsets(vm, interp.range.type.id, {
    start: (self) => newRef(vm, interp.range.fields(self).start),
    stop: (self) => newRef(vm, interp.range.fields(self).stop),
    step: (self) => newRef(vm, interp.range.fields(self).step),
  });
  const rangePosition = (r: number, v: bigint): bigint => rangeIndexOf(vm, r, v);
  const exactInt = (o: number): boolean => typeOf(vm, o) === interp.long.type || typeOf(vm, o) === interp.long.boolType;
  addMethods(vm, interp.range.type.id, {
    // range_index: arithmetic for an int, else _PySequence_IterSearch.
    index: (self, args) => {
      if (args.length !== 1) raise(vm, 'TypeError', `range.index() takes exactly one argument (${args.length} given)`);
      const v = args[0]!;
      if (exactInt(v)) {
        const i = rangePosition(self, intValue(vm, v));
        if (i < 0n) raise(vm, 'ValueError', `${repr(vm, v)} is not in range`);
        return newInt(vm, i);
      }
      const it = getIter(vm, self);
      try {
        for (let k = 0, x = iterNext(vm, it); x !== 0; k++, x = iterNext(vm, it)) {
          const eq = richCompareBool(vm, x, v, 2);
          rt.decref(x);
          if (eq) return newInt(vm, k);
        }
      } finally {
        rt.decref(it);
      }
      raise(vm, 'ValueError', 'sequence.index(x): x not in sequence');
    },
    // range_count: 0 or 1 for an int, else the items equal to it.
    count: (self, args) => {
      if (args.length !== 1) raise(vm, 'TypeError', `range.count() takes exactly one argument (${args.length} given)`);
      const v = args[0]!;
      if (exactInt(v)) return newInt(vm, rangePosition(self, intValue(vm, v)) >= 0n ? 1 : 0);
      const items = iterate(vm, self);
      let n = 0;
      try {
        for (const x of items) if (richCompareBool(vm, x, v, 2)) n++;
      } finally {
        for (const x of items) rt.decref(x);
      }
      return newInt(vm, n);
    },
  });

  // --- dict.fromkeys ---
  addClassMethods(vm, interp.dict.type.id, 'classmethod', {
    fromkeys: (_m, args) => {
      if (args.length < 1) raise(vm, 'TypeError', `fromkeys expected at least 1 argument, got ${args.length}`);
      if (args.length > 2) raise(vm, 'TypeError', `fromkeys expected at most 2 arguments, got ${args.length}`);
      const value = args[1] ?? None;
      const iterable = args[0]!;
      const t = typeOf(vm, iterable);
      if (t === interp.dict.type || t === interp.set.type || t === interp.set.frozensetType) return interp.dict.fromKeys(iterable, value);
      const keys = iterate(vm, iterable);
      try {
        return interp.dict.fromKeys(keys, value);
      } catch (e) {
        throw toPyErr(vm, e);
      } finally {
        for (const k of keys) rt.decref(k);
      }
    },
  });

  // --- str.maketrans / str.translate ---
  const S = interp.str;
  addClassMethods(vm, S.type.id, 'staticmethod', {
    maketrans: (_m, args) => {
      if (args.length < 1 || args.length > 3) raise(vm, 'TypeError', `maketrans expected at least 1 argument, got ${args.length}`);
      const d = interp.dict.new();
      try {
        const [x, y, z] = args;
        if (y === undefined) {
          if (!interp.dict.check(x!)) raise(vm, 'TypeError', 'if you give only one argument to maketrans it must be a dict');
          for (const [k, v] of interp.dict.items(x!)) {
            if (isStr(vm, k)) {
              const cps = [...strValue(vm, k)];
              if (cps.length !== 1) raise(vm, 'ValueError', 'string keys in translate table must be of length 1');
              const key = newInt(vm, cps[0]!.codePointAt(0)!);
              interp.dict.setItem(d, key, v);
              rt.decref(key);
            } else if (isInt(vm, k)) interp.dict.setItem(d, k, v);
            else raise(vm, 'TypeError', 'keys in translate table must be strings or integers');
          }
          return d;
        }
        if (!isStr(vm, y)) raise(vm, 'TypeError', `maketrans() argument 2 must be str, not ${typeName(vm, y)}`);
        if (z !== undefined && !isStr(vm, z)) raise(vm, 'TypeError', `maketrans() argument 3 must be str, not ${typeName(vm, z)}`);
        if (!isStr(vm, x!)) raise(vm, 'TypeError', 'first maketrans argument must be a string if there is a second argument');
        const xs = [...strValue(vm, x!)];
        const ys = [...strValue(vm, y)];
        if (xs.length !== ys.length) raise(vm, 'ValueError', 'the first two maketrans arguments must have equal length');
        const put = (k: string, v: number): void => {
          const key = newInt(vm, k.codePointAt(0)!);
          interp.dict.setItem(d, key, v);
          rt.decref(key);
        };
        xs.forEach((c, i) => {
          const v = newInt(vm, ys[i]!.codePointAt(0)!);
          put(c, v);
          rt.decref(v);
        });
        if (z !== undefined) for (const c of strValue(vm, z)) put(c, None);
        return d;
      } catch (e) {
        rt.decref(d);
        throw e;
      }
    },
  });
  addMethods(vm, S.type.id, {
    // unicode_translate: each character looked up by its code point; LookupError keeps it.
    translate: (self, args) => {
      if (args.length !== 1) raise(vm, 'TypeError', `str.translate() takes exactly one argument (${args.length} given)`);
      const table = args[0]!;
      let out = '';
      for (const c of strValue(vm, self)) {
        const key = newInt(vm, c.codePointAt(0)!);
        let v: number;
        try {
          v = getItem(vm, table, key);
        } catch (e) {
          const err = toPyErr(vm, e);
          if (!vm.isSubtype(typeOf(vm, err.exc), vm.excType('LookupError'))) throw err;
          rt.decref(err.exc);
          out += c;
          continue;
        } finally {
          rt.decref(key);
        }
        try {
          if (v === None) continue;
          if (isInt(vm, v)) {
            const n = intValue(vm, v);
            if (n < 0n || n > 0x10ffffn) raise(vm, 'ValueError', 'character mapping must be in range(0x110000)');
            out += String.fromCodePoint(Number(n));
          } else if (isStr(vm, v)) out += strValue(vm, v);
          else raise(vm, 'TypeError', 'character mapping must return integer, None or str');
        } finally {
          rt.decref(v);
        }
      }
      return newStr(vm, out);
    },
  });
}

/** range_contains_long's arithmetic: where an int falls in the range r, or -1. */
export function rangeIndexOf(vm: Vm, r: number, v: bigint): bigint {
  const f = vm.interp.range.fields(r);
  const start = intValue(vm, f.start);
  const step = intValue(vm, f.step);
  const n = intValue(vm, f.length);
  const d = v - start;
  if (d % step !== 0n) return -1n;
  const i = d / step;
  return i >= 0n && i < n ? i : -1n;
}
