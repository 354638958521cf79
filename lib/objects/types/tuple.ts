/*
 * STUB — to be written (issue 3). tuple (Objects/tupleobject.c, 3.11): GC var object 24 + 8n, static empty tuple, free lists per size 1..19 (2000 each),
 * trashcan in dealloc. Expected API: type; empty (static); new(n): number (items NULL, untracked until filled? no: PyTuple_New tracks);
 * setItem(t, i, v) steals v; getItem(t, i) borrowed; size(t); pack(items: number[]) increfs (PyTuple_Pack); freeListSizes(): number[].
 */
import type { Interpreter } from '../interpreter.js';

export class TupleModule {
  constructor(readonly interp: Interpreter) {}
}
