/*
 * STUB — to be written (issue 3). list (Objects/listobject.c, 3.11): PyListObject (40 bytes + GC head), ob_item via PyMem_Malloc, list_resize over-allocation,
 * list_preallocate_exact, free list of 80, trashcan in dealloc.
 * Expected API: type; new(n): number (PyList_New: n NULL items); append(l, v) (increfs v); setItem(l, i, v) steals;
 * getItem(l, i) borrowed; size(l); insert(l, i, v); pop(l, i?): new ref; extend(l, iterable); allocated(l); freeListSize().
 */
import type { Interpreter } from '../interpreter.js';

export class ListModule {
  constructor(readonly interp: Interpreter) {}
}
