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
 * overrides (which then reaches the dunder paths).
 *
 * Invariants: for any object whose type is not such a class, slotType is
 * its own type and overrides is false, at the cost of one flag test.
 */
import type { PyTypeObject } from '../objects/type.js';
import { isHeapType, lookupSpecial, typeOf } from './abstract.js';
import type { Vm } from './vm.js';

/** The built-in type t derives from, when t is a class deriving from one; null otherwise. */
export function subclassBase(vm: Vm, t: PyTypeObject): PyTypeObject | null {
  return isHeapType(vm, t) ? vm.interp.instance.builtinBase(t) : null;
}

/**
 * The type whose slot serves op for the special method `name`: for an
 * instance of a class deriving from a built-in type that does not define
 * `name` in Python, that built-in type; else op's own type.
 */
export function slotType(vm: Vm, op: number, name: string): PyTypeObject {
  const t = typeOf(vm, op);
  const base = subclassBase(vm, t);
  if (base === null || lookupSpecial(vm, op, name) !== 0) return t;
  return base;
}

/** Whether op is an instance of a class deriving from a built-in type that defines `name` in Python (its slot calls it). */
export function overrides(vm: Vm, op: number, name: string): boolean {
  return subclassBase(vm, typeOf(vm, op)) !== null && lookupSpecial(vm, op, name) !== 0;
}
