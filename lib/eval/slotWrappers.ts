/*
 * The slot wrappers of the built-in types a class may derive from
 * (Objects/typeobject.c, CPython 3.11: slotdefs and the wrap_* functions):
 * `list.__len__`, `int.__add__`, `dict.__setitem__`, `tuple.__getitem__`
 * ... in the type dicts, each running the type's own slot on self — what a
 * class deriving from the type reaches with `super().__getitem__(i)` or
 * `list.__repr__(self)`, and what `__hash__ = int.__hash__` copies.
 * list, dict and set have `__hash__ = None`, as in CPython.
 *
 * A binary numeric or comparison wrapper returns NotImplemented where the
 * slot does not apply (wrap_binaryfunc_l / _r, wrap_richcmpfunc); the
 * others raise what the operation raises.
 *
 * Invariants: a wrapper never calls the class's own override of the
 * method it wraps (inheritSlots.ts's withBaseSlots); a name the type's dict
 * already has (a method of builtinMembers) is left as it is.
 */
import type { CMethod } from '../objects/types/cfunction.js';
import type { PyTypeObject } from '../objects/type.js';
import {
  binaryBuiltin,
  compareBuiltin,
  contains,
  getItem,
  getIter,
  id,
  intValue,
  isInt,
  isTrue,
  length,
  newBool,
  newInt,
  newRef,
  newStr,
  none,
  raise,
  repr,
  setItem,
  unaryOp,
} from './abstract.js';
import { registerSlotWrapper, withBaseSlots } from './inheritSlots.js';
import type { Vm } from './vm.js';

/** BINARY_OP's operator numbers (NB_*) by dunder stem. */
const NB = { add: 0, and: 1, floordiv: 2, lshift: 3, mul: 5, mod: 6, or: 7, pow: 8, rshift: 9, sub: 10, truediv: 11, xor: 12 } as const;
type NbName = keyof typeof NB;
const NUMBER_OPS: readonly NbName[] = ['add', 'sub', 'mul', 'truediv', 'floordiv', 'mod', 'pow'];
const INT_OPS: readonly NbName[] = [...NUMBER_OPS, 'and', 'or', 'xor', 'lshift', 'rshift'];
const SET_OPS: readonly NbName[] = ['and', 'or', 'sub', 'xor'];
const CMP = ['lt', 'le', 'eq', 'ne', 'gt', 'ge'];

/** Installs the slot wrappers in the dicts of list, dict, set, frozenset, int, float, tuple and bytes. */
export function installSlotWrappers(vm: Vm): void {
  const { interp } = vm;
  const rt = interp.rt;
  const NotImpl = (): number => newRef(vm, interp.singletons.NotImplemented);
  const put = (t: PyTypeObject, name: string, meth: CMethod): void => {
    const typeObj = vm.typeObject(t);
    const dict = vm.typeobj.dict(typeObj);
    if (interp.dict.contains(dict, id(vm, name))) return;
    registerSlotWrapper(vm, meth);
    const d = vm.cfunc.newDescr(typeObj, id(vm, name), vm.cfunc.define({ name, meth }));
    interp.dict.setItem(dict, id(vm, name), d);
    rt.decref(d);
  };
  // check_num_args: the wrapper's arity.
  const arity = (args: readonly number[], n: number): void => {
    if (args.length !== n) raise(vm, 'TypeError', n === 0 ? `expected 0 arguments, got ${args.length}` : `expected ${n} argument${n === 1 ? '' : 's'}, got ${args.length}`);
  };
  const unary = (t: PyTypeObject, name: string, f: (self: number) => number): void =>
    put(t, name, (self, args) => {
      arity(args, 0);
      return withBaseSlots(self, () => f(self));
    });
  const binary = (t: PyTypeObject, name: string, f: (self: number, other: number) => number): void =>
    put(t, name, (self, args) => {
      arity(args, 1);
      return withBaseSlots(self, () => f(self, args[0]!));
    });
  const numberOps = (t: PyTypeObject, ops: readonly NbName[], reflected: boolean, inplace: boolean): void => {
    for (const op of ops) {
      const nb = NB[op];
      binary(t, `__${op}__`, (self, other) => binaryBuiltin(vm, self, other, nb, false) || NotImpl());
      if (reflected) binary(t, `__r${op}__`, (self, other) => binaryBuiltin(vm, other, self, nb, false) || NotImpl());
      if (inplace) binary(t, `__i${op}__`, (self, other) => binaryBuiltin(vm, self, other, nb, true) || NotImpl());
    }
  };
  const comparisons = (t: PyTypeObject): void => {
    CMP.forEach((name, op) =>
      binary(t, `__${name}__`, (self, other) => {
        const c = compareBuiltin(vm, self, other, op);
        return c === null ? NotImpl() : newBool(vm, c);
      }),
    );
  };
  const baseHash = (t: PyTypeObject): void =>
    unary(t, '__hash__', (self) => newInt(vm, t.hash64 !== undefined ? t.hash64(rt, self) : t.hash!(rt, self)));
  const unhashable = (t: PyTypeObject): void => {
    const dict = vm.typeobj.dict(vm.typeObject(t));
    if (!interp.dict.contains(dict, id(vm, '__hash__'))) interp.dict.setItem(dict, id(vm, '__hash__'), interp.singletons.None);
  };
  const containers = [interp.list.type, interp.dict.type, interp.set.type, interp.set.frozensetType, interp.tuple.type, interp.bytes.type];
  for (const t of containers) {
    unary(t, '__len__', (self) => newInt(vm, length(vm, self)));
    unary(t, '__iter__', (self) => getIter(vm, self));
    unary(t, '__repr__', (self) => newStr(vm, repr(vm, self)));
    binary(t, '__contains__', (self, x) => newBool(vm, contains(vm, self, x)));
    comparisons(t);
  }
  for (const t of [interp.list.type, interp.dict.type, interp.tuple.type, interp.bytes.type]) binary(t, '__getitem__', (self, k) => getItem(vm, self, k));
  for (const t of [interp.list.type, interp.dict.type]) {
    put(t, '__setitem__', (self, args) => {
      arity(args, 2);
      withBaseSlots(self, () => setItem(vm, self, args[0]!, args[1]!));
      return none(vm);
    });
    binary(t, '__delitem__', (self, k) => (setItem(vm, self, k, 0), none(vm)));
  }
  for (const t of [interp.list.type, interp.tuple.type, interp.bytes.type]) {
    numberOps(t, ['add'], false, t === interp.list.type);
    numberOps(t, ['mul'], true, t === interp.list.type);
  }
  numberOps(interp.set.type, SET_OPS, true, true);
  numberOps(interp.set.frozensetType, SET_OPS, true, false);
  for (const t of [interp.list.type, interp.dict.type, interp.set.type]) unhashable(t);
  for (const t of [interp.tuple.type, interp.bytes.type, interp.set.frozensetType]) baseHash(t);
  for (const t of [interp.long.type, interp.float.type]) {
    numberOps(t, t === interp.long.type ? INT_OPS : NUMBER_OPS, true, false);
    comparisons(t);
    baseHash(t);
    unary(t, '__repr__', (self) => newStr(vm, repr(vm, self)));
    unary(t, '__bool__', (self) => newBool(vm, isTrue(vm, self)));
    unary(t, '__neg__', (self) => unaryOp(vm, self, 'neg'));
    unary(t, '__pos__', (self) => unaryOp(vm, self, 'pos'));
    unary(t, '__abs__', (self) => (isInt(vm, self) ? newInt(vm, intValue(vm, self) < 0n ? -intValue(vm, self) : intValue(vm, self)) : interp.float.fromNumber(Math.abs(interp.float.value(self)))));
    unary(t, '__float__', (self) => interp.float.fromNumber(isInt(vm, self) ? Number(intValue(vm, self)) : interp.float.value(self)));
    unary(t, '__int__', (self) => {
      if (isInt(vm, self)) return newInt(vm, intValue(vm, self));
      const v = interp.float.value(self);
      if (!Number.isFinite(v)) raise(vm, Number.isNaN(v) ? 'ValueError' : 'OverflowError', Number.isNaN(v) ? 'cannot convert float NaN to integer' : 'cannot convert float infinity to integer');
      return newInt(vm, BigInt(Math.trunc(v)));
    });
  }
  unary(interp.long.type, '__invert__', (self) => unaryOp(vm, self, 'invert'));
  unary(interp.long.type, '__index__', (self) => newInt(vm, intValue(vm, self)));
}
