/*
 * inherit_slots for classes deriving from built-in types (CPython 3.11,
 * Objects/typeobject.c): such a class's instances take their base's
 * tp_as_sequence / tp_as_mapping / tp_as_number / tp_iter / tp_repr /
 * tp_richcompare slots, except where the class (or a class between it and
 * the base in its MRO) defines the special method in Python, whose slot
 * (slot_sq_length, slot_nb_add, ...) then calls it.
 *
 * The evaluation loop's operations dispatch on the type this file gives
 * them: the base for a slot the class inherits, the class itself for one it
 * overrides (which then reaches the dunder paths). A base's slot wrapper
 * (slotWrappers.ts: `list.__len__`) found along the MRO is the base's slot,
 * not an override; while one runs on an object (asBase), that object's
 * operations are its base's.
 *
 * Invariants: for any object whose type is not such a class, slotType is
 * its own type and overrides is false, at the cost of one flag test.
 */
import type { CMethod } from '../objects/types/cfunction.js';
import type { PyTypeObject } from '../objects/type.js';
import { isHeapType, lookupSpecial, typeOf } from './abstract.js';
import type { Vm } from './vm.js';

/** The bodies of the slot wrappers (slotWrappers.ts), per interpreter. */
const wrapperBodies = new WeakMap<Vm, Set<CMethod>>();
/** The object a slot wrapper is running the base's slot on (0: none). */
let asBase = 0;

/** Records the body of a built-in type's slot wrapper (not an override when a class inherits it). */
export function registerSlotWrapper(vm: Vm, meth: CMethod): void {
  let s = wrapperBodies.get(vm);
  if (s === undefined) wrapperBodies.set(vm, (s = new Set()));
  s.add(meth);
}

/** Runs fn with op's operations dispatched to its base's slots (a slot wrapper's call of the base slot). */
export function withBaseSlots<T>(op: number, fn: () => T): T {
  const outer = asBase;
  asBase = op;
  try {
    return fn();
  } finally {
    asBase = outer;
  }
}

/** The built-in type t derives from, when t is a class deriving from one; null otherwise. */
export function subclassBase(vm: Vm, t: PyTypeObject): PyTypeObject | null {
  return isHeapType(vm, t) ? vm.interp.instance.builtinBase(t) : null;
}

/** The Python-level method `name` of op's class overriding its base's slot (borrowed), or 0. */
function override(vm: Vm, op: number, name: string): number {
  if (op === asBase) return 0;
  const m = lookupSpecial(vm, op, name);
  if (m === 0 || typeOf(vm, m) !== vm.cfunc.descrType) return m;
  return wrapperBodies.get(vm)?.has(vm.cfunc.def(m).meth) === true ? 0 : m;
}

/**
 * The type whose slot serves op for the special method `name`: for an
 * instance of a class deriving from a built-in type that does not define
 * `name` in Python, that built-in type; else op's own type.
 */
export function slotType(vm: Vm, op: number, name: string): PyTypeObject {
  const t = typeOf(vm, op);
  const base = subclassBase(vm, t);
  if (base === null || override(vm, op, name) !== 0) return t;
  return base;
}

/** Whether op is an instance of a class deriving from a built-in type that defines `name` in Python (its slot calls it). */
export function overrides(vm: Vm, op: number, name: string): boolean {
  return subclassBase(vm, typeOf(vm, op)) !== null && override(vm, op, name) !== 0;
}
