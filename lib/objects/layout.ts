/*
 * Object layouts of 64-bit CPython 3.11, as byte offsets from the object
 * pointer (what a PyObject* points at). Every object starts with PyObject;
 * variable-size ones with PyVarObject. GC containers have a PyGC_Head just
 * before the object; instances with a managed __dict__ have a two-pointer
 * pre-header before that:
 *
 *   -32  values     PyDictValues*   managed-dict pre-header (_PyObject_ValuesPointer)
 *   -24  dict       PyObject*       managed-dict pre-header (_PyObject_ManagedDictPointer)
 *   -16  _gc_next   uintptr_t       PyGC_Head: next in its generation list; 0 = untracked
 *    -8  _gc_prev   uintptr_t       PyGC_Head: previous, low 2 bits are flags
 *     0  ob_refcnt  Py_ssize_t      references; 0 means deallocated at once
 *     8  ob_type    PyTypeObject*   here: the type's id in the runtime's registry (u32)
 *    16  ob_size    Py_ssize_t      PyVarObject only
 *
 * Pointers are stored as f64 (pointer.ts: exact below 2^53), integers of
 * Py_ssize_t width as i64 (Memory.i64At), C ints as u32.
 */

/** Bytes of a pointer (and of Py_ssize_t) on the modelled platform. */
export const SIZEOF_VOID_P = 8;
/** offsetof(PyObject, ob_refcnt). */
export const OB_REFCNT = 0;
/** offsetof(PyObject, ob_type). */
export const OB_TYPE = 8;
/** offsetof(PyVarObject, ob_size). */
export const OB_SIZE = 16;
/** sizeof(PyObject). */
export const PYOBJECT_SIZE = 16;
/** sizeof(PyVarObject). */
export const PYVAROBJECT_SIZE = 24;
/** sizeof(PyGC_Head). */
export const GC_HEAD_SIZE = 16;
/** Offset of _gc_next from the object. */
export const GC_NEXT = -16;
/** Offset of _gc_prev from the object. */
export const GC_PREV = -8;
/** Bytes of the managed-dict pre-header (dict and values pointers). */
export const PRE_HEADER_SIZE = 16;
/** Offset of the managed dict pointer from the object. */
export const MANAGED_DICT = -24;
/** Offset of the managed values pointer from the object. */
export const MANAGED_VALUES = -32;

/** _Py_SIZE_ROUND_UP(n, SIZEOF_VOID_P). */
export function roundUpPtr(n: number): number {
  return Math.ceil(n / SIZEOF_VOID_P) * SIZEOF_VOID_P;
}
