/*
 * best_base and solid_base (Objects/typeobject.c, CPython 3.11): of a
 * class statement's bases, the one whose instance layout the new class
 * extends. Each base's solid base is the nearest type in its line that
 * adds fields to its instances (extra_ivars): a built-in type such as list
 * or int for itself and the classes deriving from it, object for plain
 * classes. The solid bases must lie on one line of inheritance — else
 * "multiple bases have instance lay-out conflict" — and the most derived
 * is the class's base layout. A base without Py_TPFLAGS_BASETYPE (bool,
 * range, NoneType, function ...) is refused first.
 *
 * Invariants: bestBase returns null (object's layout), type (a
 * metaclass) or one of the built-in types subtypeNew.ts can make
 * instances of; a built-in base
 * pymem does not lay out yet stops the run with a NotImplementedError that
 * names it and the class statement's file:line.
 */
import { Py_TPFLAGS_BASETYPE, type PyTypeObject } from '../objects/type.js';
import { raise } from './abstract.js';
import { currentFrames } from './ceval.js';
import { EvalNotImplementedError } from './pyerr.js';
import type { Vm } from './vm.js';

/** The built-in types a class may derive from under pymem. */
function supportedBases(vm: Vm): readonly PyTypeObject[] {
  const { interp } = vm;
  return [interp.list.type, interp.dict.type, interp.set.type, interp.set.frozensetType, interp.long.type, interp.float.type, interp.tuple.type, interp.bytes.type, vm.typeobj.type];
}

/** solid_base(t): the built-in type t's instances are laid out as, or object. */
function solidBase(vm: Vm, t: PyTypeObject): PyTypeObject {
  const { interp } = vm;
  if (vm.classes.has(t.id)) return interp.instance.builtinBase(t) ?? interp.object.type;
  // A metaclass is laid out as type.
  return vm.isSubtype(t, vm.typeobj.type) ? vm.typeobj.type : t;
}

/**
 * best_base(bases): the built-in type the class's instances extend (null:
 * object). TypeError for a base that is not an acceptable base type, and
 * for bases whose layouts conflict.
 */
export function bestBase(vm: Vm, bases: readonly PyTypeObject[]): PyTypeObject | null {
  const object = vm.interp.object.type;
  let winner: PyTypeObject | null = null;
  for (const b of bases) {
    if ((b.flags & Py_TPFLAGS_BASETYPE) === 0) raise(vm, 'TypeError', `type '${b.name}' is not an acceptable base type`);
    const candidate = solidBase(vm, b);
    if (candidate === object) continue;
    if (winner === null || vm.isSubtype(candidate, winner)) winner = candidate;
    else if (!vm.isSubtype(winner, candidate)) raise(vm, 'TypeError', 'multiple bases have instance lay-out conflict');
  }
  if (winner !== null && !supportedBases(vm).includes(winner)) {
    unsupportedHere(vm, `a class deriving from the built-in type '${winner.name}'`);
  }
  return winner;
}

/** Stops the run: `what` is not supported, at the running Python line (file:line). */
export function unsupportedHere(vm: Vm, what: string): never {
  const frames = currentFrames(vm);
  const top = frames[frames.length - 1];
  const where = top !== undefined ? ` (${top.info.co.filename}:${top.info.lines[top.lasti >> 1]})` : '';
  throw new EvalNotImplementedError(`${what} is not supported by pymem's evaluation loop${where}`);
}
