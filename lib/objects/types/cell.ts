/*
 * cell (Objects/cellobject.c, CPython 3.11): the box a closure variable
 * lives in. The frame that owns the variable makes the cell (MAKE_CELL),
 * inner functions reach it through their __closure__ tuple, and
 * STORE_DEREF / LOAD_DEREF write and read it.
 *
 * PyCellObject (Include/cpython/cellobject.h): 24 bytes after its
 * PyGC_Head, one PyObject_GC_New block, tracked from birth (PyCell_New):
 *
 * PyCellObject, 24 bytes:
 *    0  16  PyObject    ob_base  the object header
 *   16  8   PyObject *  ob_ref   the contents, owned; NULL while the cell is empty
 *
 * Invariants: a live cell holds one reference to ob_ref when it is not
 * NULL; cells are not hashable (tp_hash NULL with tp_richcompare set) and
 * cannot be weakly referenced (no tp_weaklistoffset).
 */
import { InvalidArgumentError, describe } from '../../errors.js';
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, PyObject } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_HAVE_GC, type PyTypeObject, type Visit } from '../type.js';

/** PyCellObject. */
export const PyCellObject = declareObjectStruct({
  name: 'PyCellObject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'ob_ref', type: 'ptr', ctype: 'PyObject *', meaning: 'the contents, owned; NULL while the cell is empty' },
  ],
});
const cellObRef = PyCellObject.field('ob_ref');
/** sizeof(PyCellObject). */
export const SIZEOF_PYCELLOBJECT = PyCellObject.size;

/** cell: its type and PyCell_New / Get / Set. */
export class CellModule {
  /** PyCell_Type. */
  readonly type: PyTypeObject;
  private readonly rt: Runtime;

  constructor(readonly interp: Interpreter) {
    this.rt = interp.rt;
    this.type = this.rt.registerType({
      name: 'cell',
      basicsize: SIZEOF_PYCELLOBJECT,
      itemsize: 0,
      flags: Py_TPFLAGS_HAVE_GC,
      layout: PyCellObject,
      dealloc: (_r, op) => this.cellDealloc(op),
      traverse: (_r, op, visit) => this.cellTraverse(op, visit),
      clear: (_r, op) => this.cellClear(op),
      toJS: (r, op) => {
        const o = cellObRef.get(op);
        return o === 0 ? null : r.typeOf(o).toJS?.(r, o);
      },
    });
  }

  /** PyCell_Check. */
  check(op: number): boolean {
    return typeof op === 'number' && op !== 0 && Number.isInteger(op) && this.rt.typeOrNull(op) === this.type;
  }

  /**
   * PyCell_New(obj): a new cell holding `obj` (borrowed; 0 makes an empty
   * cell, as MAKE_CELL does for a variable not yet bound). PyObject_GC_New,
   * then tracked. New reference.
   */
  new(obj = 0): number {
    this.checkValue(obj, 'PyCell_New');
    const op = this.rt.gcNew(this.type);
    cellObRef.set(op, obj);
    this.rt.xincref(obj);
    this.rt.gcTrack(op);
    return op;
  }

  /** PyCell_Get: the contents as a new reference, or 0 when the cell is empty. */
  get(cell: number): number {
    this.checkCell(cell, 'PyCell_Get');
    const o = cellObRef.get(cell);
    this.rt.xincref(o);
    return o;
  }

  /** PyCell_GET: the contents, borrowed (0 when empty). */
  contents(cell: number): number {
    this.checkCell(cell, 'PyCell_GET');
    return cellObRef.get(cell);
  }

  /**
   * PyCell_Set(cell, value): stores `value` (borrowed; 0 empties the cell)
   * and then releases the old contents — in that order, so a dealloc the
   * release runs already sees the new value.
   */
  set(cell: number, value: number): void {
    this.checkCell(cell, 'PyCell_Set');
    this.checkValue(value, 'PyCell_Set');
    const old = cellObRef.get(cell);
    this.rt.xincref(value);
    cellObRef.set(cell, value);
    this.rt.xdecref(old);
  }

  // --- slots ------------------------------------------------------------------------------------

  /** cell_dealloc: untrack, release the contents, PyObject_GC_Del. */
  private cellDealloc(op: number): void {
    this.rt.gcUntrack(op);
    this.rt.xdecref(cellObRef.get(op));
    this.rt.gcDel(op);
  }

  /** cell_traverse: Py_VISIT(ob_ref). */
  private cellTraverse(op: number, visit: Visit): number {
    const o = cellObRef.get(op);
    return o !== 0 ? visit(o) : 0;
  }

  /** cell_clear: Py_CLEAR(ob_ref) — the field is NULL before the old contents are released. */
  private cellClear(op: number): void {
    const o = cellObRef.get(op);
    if (o === 0) return;
    cellObRef.set(op, 0);
    this.rt.decref(o);
  }

  private checkCell(op: number, fn: string): void {
    if (!this.check(op)) throw new InvalidArgumentError(`${fn}: expected a cell, got ${this.describeObject(op)}`);
  }

  private checkValue(op: number, fn: string): void {
    if (typeof op !== 'number' || !Number.isInteger(op) || op < 0) throw new InvalidArgumentError(`${fn}: the value must be an object or 0, got ${describe(op)}`);
  }

  private describeObject(op: unknown): string {
    if (typeof op !== 'number' || !Number.isInteger(op) || op <= 0) return op === 0 ? 'NULL' : describe(op);
    const t = this.rt.typeOrNull(op);
    return t ? `a ${t.name} object` : `${op} (not an object)`;
  }
}
