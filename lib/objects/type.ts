/*
 * PyTypeObject as data: what CPython keeps in a type's slots (sizes, flags,
 * dealloc / traverse / clear / sizeof behaviour), registered with a runtime
 * that stores the type's id in every instance's ob_type field.
 *
 * Invariants: a type never changes after registration; ids are dense from 0
 * in registration order; `basicsize` excludes the PyGC_Head and the
 * managed-dict pre-header, as tp_basicsize does.
 */
import { GC_HEAD_SIZE, PyManagedDictPreHeader, type ObjectStruct, type ObjectValidationContext } from './layout.js';
import type { Runtime } from './runtime.js';
import type { Field } from '../struct.js';

/** tp_flags bits used here (Include/object.h, 3.11). */
export const Py_TPFLAGS_MANAGED_DICT = 1 << 4;
export const Py_TPFLAGS_HEAPTYPE = 1 << 9;
export const Py_TPFLAGS_BASETYPE = 1 << 10;
export const Py_TPFLAGS_HAVE_GC = 1 << 14;
export const Py_TPFLAGS_LONG_SUBCLASS = 1 << 24;
export const Py_TPFLAGS_LIST_SUBCLASS = 1 << 25;
export const Py_TPFLAGS_TUPLE_SUBCLASS = 1 << 26;
export const Py_TPFLAGS_BYTES_SUBCLASS = 1 << 27;
export const Py_TPFLAGS_UNICODE_SUBCLASS = 1 << 28;
export const Py_TPFLAGS_DICT_SUBCLASS = 1 << 29;

/** visitproc: called for each referent; a non-zero return stops the traversal and is returned. */
export type Visit = (child: number) => number;

/** Py_VISIT of each object field of op in turn (NULL ones skipped); the first non-zero return stops it. */
export function visitFields(op: number, fields: readonly Field[], visit: Visit): number {
  for (const f of fields) {
    const v = f.get(op);
    if (v !== 0) {
      const r = visit(v);
      if (r !== 0) return r;
    }
  }
  return 0;
}

/** The slots a type provides. Functions receive the runtime and the object pointer. */
export interface TypeSlots {
  /** tp_name. */
  name: string;
  /** tp_basicsize (without PyGC_Head and pre-header). */
  basicsize: number;
  /** tp_itemsize. */
  itemsize: number;
  /** tp_flags. */
  flags: number;
  /** tp_weaklistoffset (0: instances cannot be weakly referenced). */
  weaklistoffset?: number;
  /** tp_dictoffset (0: no __dict__ slot; managed dicts use the pre-header instead). */
  dictoffset?: number;
  /** The struct of its instances (layout.ts's PyObject when absent): what Runtime.validateObject walks. */
  layout?: ObjectStruct;
  /** Checks beyond the layout's (those that need the type's module: a dict's hashes), as "Struct: problem" sentences. */
  validate?(rt: Runtime, op: number, ctx: ObjectValidationContext): string[];
  /** tp_dealloc: release what the object holds and free its memory. */
  dealloc(rt: Runtime, op: number): void;
  /** tp_traverse: visit every object this one holds a reference to. */
  traverse?(rt: Runtime, op: number, visit: Visit): number;
  /** tp_clear: drop the references this object holds (to break cycles). */
  clear?(rt: Runtime, op: number): void;
  /** __sizeof__ (without the PyGC_Head that sys.getsizeof adds). Default: basicsize + |ob_size| * itemsize. */
  sizeof?(rt: Runtime, op: number): number;
  /** tp_del, the legacy (pre-PEP 442) finalizer: the collector leaves cycles with one in gc.garbage. */
  del?(rt: Runtime, op: number): void;
  /** tp_finalize (PEP 442), run once before a cyclic object is cleared. */
  finalize?(rt: Runtime, op: number): void;
  /** tp_hash (absent: unhashable), as a number: exact within ±2^53. */
  hash?(rt: Runtime, op: number): number;
  /** The exact 64-bit Py_hash_t, for types whose hashes exceed ±2^53 (absent: BigInt(hash)). */
  hash64?(rt: Runtime, op: number): bigint;
  /** tp_richcompare for ==, with an object of any type (false when not comparable). */
  eq?(rt: Runtime, a: number, b: number): boolean;
  /** The value as JavaScript (for toJS and reports). */
  toJS?(rt: Runtime, op: number): unknown;
}

/** A registered type. */
export interface PyTypeObject extends Readonly<TypeSlots> {
  /** Index in the runtime's registry; what ob_type holds. */
  readonly id: number;
  readonly weaklistoffset: number;
  readonly dictoffset: number;
}

/** PyType_IS_GC. */
export function isGcType(t: PyTypeObject): boolean {
  return (t.flags & Py_TPFLAGS_HAVE_GC) !== 0;
}

/** Bytes before the object pointer in its block: PyGC_Head and the managed-dict pre-header. */
export function preHeaderBytes(t: PyTypeObject): number {
  return (isGcType(t) ? GC_HEAD_SIZE : 0) + ((t.flags & Py_TPFLAGS_MANAGED_DICT) !== 0 ? PyManagedDictPreHeader.size : 0);
}
