/*
 * None, Ellipsis and NotImplemented (Objects/object.c, Objects/sliceobject.c).
 * CPython 3.11 keeps each in static memory (_Py_NoneStruct,
 * _Py_EllipsisObject, _Py_NotImplementedStruct): a bare PyObject
 * (layout.ts) whose count starts at 1 and only references change.
 *
 * Invariants: each singleton is a static object (rt.staticObject), so a
 * count reaching zero is refused by the runtime and the object outlives every
 * holder; the pointers below are borrowed (Py_RETURN_NONE is incref + the
 * pointer); hashing is object.__hash__, i.e. by address (_Py_HashPointer).
 */
import type { Interpreter } from '../interpreter.js';
import { PYOBJECT_SIZE } from '../layout.js';
import { RefcountError, type Runtime } from '../runtime.js';
import type { PyTypeObject } from '../type.js';

/** What Ellipsis reads back as in JavaScript (toJS). */
export const ELLIPSIS = Symbol.for('pymem.Ellipsis');
/** What NotImplemented reads back as in JavaScript (toJS). */
export const NOT_IMPLEMENTED = Symbol.for('pymem.NotImplemented');

/**
 * _Py_HashPointer(p): the address rotated right by 4 bits (aligned pointers
 * have their low bits clear), as a signed 64-bit hash, -1 -> -2. Exact for
 * 16-aligned pointers (every object here); others are rounded to a double.
 */
export function hashPointer(p: number): number {
  // _Py_HashPointerRaw: y = (y >> 4) | (y << (8 * SIZEOF_VOID_P - 4)).
  if (p % 16 === 0) return p / 16;
  const y = BigInt.asIntN(64, (BigInt(p) >> 4n) | (BigInt(p) << 60n));
  return y === -1n ? -2 : Number(y);
}

/** object.__hash__ as a tp_hash slot. */
function objectHash(_rt: Runtime, op: number): number {
  return hashPointer(op);
}

/** The three static singletons and their types. */
export class Singletons {
  /** _PyNone_Type. */
  readonly noneType: PyTypeObject;
  /** PyEllipsis_Type. */
  readonly ellipsisType: PyTypeObject;
  /** _PyNotImplemented_Type. */
  readonly notImplementedType: PyTypeObject;
  /** Py_None (borrowed). */
  readonly None: number;
  /** Py_Ellipsis (borrowed). */
  readonly Ellipsis: number;
  /** Py_NotImplemented (borrowed). */
  readonly NotImplemented: number;

  constructor(readonly interp: Interpreter) {
    const rt = interp.rt;
    this.noneType = rt.registerType({
      name: 'NoneType',
      basicsize: PYOBJECT_SIZE,
      itemsize: 0,
      flags: 0,
      // none_dealloc: _Py_FatalRefcountError("deallocating None").
      dealloc: () => {
        throw new RefcountError('deallocating None');
      },
      hash: objectHash,
      toJS: () => null,
    });
    this.ellipsisType = rt.registerType({
      name: 'ellipsis',
      basicsize: PYOBJECT_SIZE,
      itemsize: 0,
      flags: 0,
      // ellipsis_dealloc is never called on the static Ellipsis.
      dealloc: () => {
        throw new RefcountError('deallocating Ellipsis');
      },
      hash: objectHash,
      toJS: () => ELLIPSIS,
    });
    this.notImplementedType = rt.registerType({
      name: 'NotImplementedType',
      basicsize: PYOBJECT_SIZE,
      itemsize: 0,
      flags: 0,
      // notimplemented_dealloc: Py_FatalError("deallocating NotImplemented").
      dealloc: () => {
        throw new RefcountError('deallocating NotImplemented');
      },
      hash: objectHash,
      toJS: () => NOT_IMPLEMENTED,
    });
    this.None = rt.staticObject(this.noneType, PYOBJECT_SIZE);
    this.Ellipsis = rt.staticObject(this.ellipsisType, PYOBJECT_SIZE);
    this.NotImplemented = rt.staticObject(this.notImplementedType, PYOBJECT_SIZE);
  }
}
