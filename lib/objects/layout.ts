/*
 * The headers every object of 64-bit CPython 3.11 starts with, and what sits
 * before some objects in their block, declared once (lib/struct.ts):
 *
 *   block  [managed-dict pre-header][PyGC_Head][the object ...]
 *                                               ^ op (a PyObject*)
 *
 * PyObject, 16 bytes:
 *   0  8  Py_ssize_t      ob_refcnt  references; 0 while being deallocated
 *   8  8  PyTypeObject *  ob_type    TYPE_BASE + the type's id in its runtime; 0 once freed; a link on a free list
 *
 * PyVarObject, 24 bytes:
 *    0  16  PyObject    ob_base  the object header
 *   16  8   Py_ssize_t  ob_size  items (or digits, with the sign of the int)
 *
 * PyGC_Head, 16 bytes:
 *   0  8  uintptr_t  _gc_next  next head; 0 = untracked; bit 0 NEXT_MASK_UNREACHABLE during a collection
 *   8  8  uintptr_t  _gc_prev  previous head, or gc_refs << 2 in a collection; bit 0 FINALIZED, bit 1 COLLECTING
 *
 * PyObjectArray, 0 bytes + the variable part:
 *   0  8*n  PyObject *  item[]  the objects (owned references, or NULL)
 *
 * PyManagedDictPreHeader, 16 bytes:
 *   0  8  PyDictValues *  values  the instance's values array (_PyObject_ValuesPointer: op - 32)
 *   8  8  PyObject *      dict    its materialised __dict__ (_PyObject_ManagedDictPointer: op - 24)
 *
 * A type's ob_type word is the runtime's TYPE_BASE (Runtime.typeBase, its
 * own range above 2^50) plus the type's index in the runtime's registry: no
 * pointer, size or count pymem stores is in that range, so reading an
 * interior pointer, a freed object or another runtime's object as a PyObject
 * finds no type. Pointers are stored as f64 (pointer.ts: exact below 2^53),
 * Py_ssize_t as i64.
 */
import * as access from '../allocator/access.js';
import { declareStruct, type FieldDecl, type FieldNames, type MemoryAccess, type StructDecl, type StructSpec, type ValidationContext } from '../struct.js';
import type { Runtime } from './runtime.js';

/** What the object layer's validators are given: the runtime the object lives in. */
export interface ObjectValidationContext extends ValidationContext {
  readonly rt: Runtime;
}

/** A declared object struct (validated against its runtime). */
export type ObjectStruct = StructDecl<ObjectValidationContext, string>;

/** The thread-wide loads and stores of allocator/access.ts: what every object struct's accessors use. */
export const heapAccess: MemoryAccess = {
  loadU8: access.loadU8,
  storeU8: access.storeU8,
  loadU16: access.loadU16,
  storeU16: access.storeU16,
  loadU32: access.loadU32,
  storeU32: access.storeU32,
  loadI32: access.loadI32,
  storeI32: access.storeI32,
  loadI64: access.loadI64,
  storeI64: access.storeI64,
  loadF64: access.loadF64,
  storeF64: access.storeF64,
  views: access.heapViews,
  viewLimit: access.HEAP_VIEW_LIMIT,
};

/** declareStruct over heap memory (heapAccess): how the object layer declares its structs. */
export function declareObjectStruct<C extends ValidationContext, const F extends readonly FieldDecl[]>(
  spec: Omit<StructSpec<C, F>, 'access'>,
): StructDecl<C, FieldNames<F>> {
  return declareStruct<C, F>({ ...spec, access: heapAccess });
}

/**
 * A pointer field whose offset is data rather than declaration: what C reads
 * as `*(PyObject **)((char *)op + offset)` for tp_weaklistoffset,
 * tp_dictoffset and __slots__ member descriptors.
 */
export const pointerSlot = {
  get: (p: number, offset: number): number => access.loadF64(p + offset),
  set: (p: number, offset: number, v: number): void => access.storeF64(p + offset, v),
};

/**
 * Byte i of an untyped buffer (`((uint8_t *)p)[i]`, i may be negative): the
 * bytes of a bytearray's buffer, the prefix CPython keeps before a split
 * dict's values.
 */
export const byteAt = {
  get: (p: number, i: number): number => access.loadU8(p + i),
  set: (p: number, i: number, v: number): void => access.storeU8(p + i, v),
};

/** Bytes of a pointer (and of Py_ssize_t) on the modelled platform. */
export const SIZEOF_VOID_P = 8;

/** PyObject: ob_refcnt and ob_type. */
export const PyObject = declareObjectStruct({
  name: 'PyObject',
  fields: [
    { name: 'ob_refcnt', type: 'i64', meaning: 'references; 0 while being deallocated' },
    {
      name: 'ob_type',
      type: 'ptr',
      ctype: 'PyTypeObject *',
      unchecked: true,
      meaning: "TYPE_BASE + the type's id in its runtime; 0 once freed; a link on a free list",
    },
  ],
  check: (op, ctx: ObjectValidationContext, fail) => {
    const n = obRefcnt.get(op);
    if (!(Number.isSafeInteger(n) && n >= 1)) fail('ob_refcnt', `${n} on a live object`);
    if (ctx.rt.typeOrNull(op) === null) fail('ob_type', `${obType.get(op)} is no type of this runtime`);
  },
});

/** PyVarObject: PyObject and ob_size. */
export const PyVarObject = declareObjectStruct({
  name: 'PyVarObject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'ob_size', type: 'i64', meaning: 'items (or digits, with the sign of the int)' },
  ],
  check: (op, _ctx: ObjectValidationContext, fail) => {
    const n = obSize.get(op);
    if (!(Number.isSafeInteger(n) && Math.abs(n) < 2 ** 48)) fail('ob_size', `${n} is no size`);
  },
});

/** PyGC_Head: the two words before every GC object (gcState.ts and the gc layer keep its lists). */
export const PyGC_Head = declareObjectStruct({
  name: 'PyGC_Head',
  fields: [
    { name: '_gc_next', type: 'ptr', ctype: 'uintptr_t', unchecked: true, meaning: 'next head; 0 = untracked; bit 0 NEXT_MASK_UNREACHABLE during a collection' },
    { name: '_gc_prev', type: 'ptr', ctype: 'uintptr_t', unchecked: true, meaning: 'previous head, or gc_refs << 2 in a collection; bit 0 FINALIZED, bit 1 COLLECTING' },
  ],
  check: (g, ctx: ObjectValidationContext, fail) => {
    const next = gcNext.get(g);
    const prev = gcPrev.get(g);
    if (next === 0) return;
    if (!ctx.rt.gc.collecting) {
      if ((next & 1) !== 0) fail('_gc_next', `${next} carries NEXT_MASK_UNREACHABLE outside a collection`);
      if ((prev & 2) !== 0) fail('_gc_prev', `${prev} carries PREV_MASK_COLLECTING outside a collection`);
    }
    if (!ctx.isPointer(next - (next & 1))) fail('_gc_next', `${next} is no PyGC_Head`);
  },
});

/** The managed-dict pre-header before the PyGC_Head of a Py_TPFLAGS_MANAGED_DICT instance. */
export const PyManagedDictPreHeader = declareObjectStruct({
  name: 'PyManagedDictPreHeader',
  fields: [
    { name: 'values', type: 'ptr', ctype: 'PyDictValues *', meaning: "the instance's values array (_PyObject_ValuesPointer: op - 32)" },
    { name: 'dict', type: 'ptr', ctype: 'PyObject *', meaning: 'its materialised __dict__ (_PyObject_ManagedDictPointer: op - 24)' },
  ],
});

/** Py_REFCNT / Py_SET_REFCNT. */
export const obRefcnt = PyObject.field('ob_refcnt');
/** The ob_type word (Runtime.typeOf reads it as a type). */
export const obType = PyObject.field('ob_type');
/** Py_SIZE / Py_SET_SIZE. */
export const obSize = PyVarObject.field('ob_size');
/** sizeof(PyObject). */
export const PYOBJECT_SIZE = PyObject.size;
/** sizeof(PyVarObject). */
export const PYVAROBJECT_SIZE = PyVarObject.size;

/**
 * Word indices of the header fields, for the hot paths that index the
 * region's views (access.ts's heapViews) directly once they know op is a
 * small pointer: `f64[(op >>> 3) + OB_TYPE_F64]` is ob_type,
 * `u32[(op >>> 2) + OB_REFCNT_U32]` ob_refcnt's low word (the high one
 * follows), `f64[(op >>> 3) + GC_NEXT_F64]` the _gc_next of op's PyGC_Head
 * (negative: the head is before the object). A call to an accessor is a call
 * V8 may not inline; these are one typed-array index each.
 */
export const OB_REFCNT_U32 = PyObject.offsets.ob_refcnt >>> 2;
export const OB_TYPE_F64 = PyObject.offsets.ob_type >>> 3;
/** ob_size's low u32 word (the high one follows: an i64). */
export const OB_SIZE_U32 = PyVarObject.offsets.ob_size >>> 2;

/** _gc_next (flag bit and all). */
export const gcNext = PyGC_Head.field('_gc_next');
/** _gc_prev (flags and all). */
export const gcPrev = PyGC_Head.field('_gc_prev');
/** sizeof(PyGC_Head). */
export const GC_HEAD_SIZE = PyGC_Head.size;
/** _Py_AS_GC(op): the PyGC_Head of a GC object. */
export function asGc(op: number): number {
  return op - GC_HEAD_SIZE;
}
/** _Py_FROM_GC(g): the object of a PyGC_Head. */
export function fromGc(g: number): number {
  return g + GC_HEAD_SIZE;
}

/** _gc_next and _gc_prev as f64 word offsets from their PyGC_Head's (`f64[(g >>> 3) + HEAD_PREV_F64]`). */
export const HEAD_NEXT_F64 = PyGC_Head.offsets._gc_next >>> 3;
export const HEAD_PREV_F64 = PyGC_Head.offsets._gc_prev >>> 3;
/** _gc_next and _gc_prev of op's PyGC_Head, as f64 word offsets from op's (see OB_TYPE_F64). */
export const GC_NEXT_F64 = (PyGC_Head.offsets._gc_next - GC_HEAD_SIZE) >> 3;
export const GC_PREV_F64 = (PyGC_Head.offsets._gc_prev - GC_HEAD_SIZE) >> 3;

const preValues = PyManagedDictPreHeader.field('values');
const preDict = PyManagedDictPreHeader.field('dict');
/** Bytes from the pre-header to the object: it sits before the PyGC_Head. */
const PRE_HEADER_TO_OBJECT = PyManagedDictPreHeader.size + PyGC_Head.size;

/** *_PyObject_ValuesPointer(op). */
export const managedValues = {
  get: (op: number): number => preValues.get(op - PRE_HEADER_TO_OBJECT),
  set: (op: number, v: number): void => preValues.set(op - PRE_HEADER_TO_OBJECT, v),
};
/** *_PyObject_ManagedDictPointer(op). */
export const managedDict = {
  get: (op: number): number => preDict.get(op - PRE_HEADER_TO_OBJECT),
  set: (op: number, v: number): void => preDict.set(op - PRE_HEADER_TO_OBJECT, v),
};
/** The pre-header's values and dict words as f64 word offsets from op's (see OB_TYPE_F64). */
export const MANAGED_VALUES_F64 = (PyManagedDictPreHeader.offsets.values - PRE_HEADER_TO_OBJECT) >> 3;
export const MANAGED_DICT_F64 = (PyManagedDictPreHeader.offsets.dict - PRE_HEADER_TO_OBJECT) >> 3;
/** The pre-header's address for an object op. */
export function preHeaderOf(op: number): number {
  return op - PRE_HEADER_TO_OBJECT;
}

/**
 * An array of object pointers in a block of its own (a list's ob_item, a
 * split dict's values): `PyObject *[]`, element i at 8 * i.
 */
export const PyObjectArray = declareObjectStruct({
  name: 'PyObjectArray',
  fields: [],
  tail: { name: 'item', type: 'ptr', ctype: 'PyObject *', meaning: 'the objects (owned references, or NULL)' },
});
/** Element i of an object-pointer array (PyObjectArray). */
export const itemArray = PyObjectArray.array('item');

/** _Py_SIZE_ROUND_UP(n, SIZEOF_VOID_P). */
export function roundUpPtr(n: number): number {
  return Math.ceil(n / SIZEOF_VOID_P) * SIZEOF_VOID_P;
}
