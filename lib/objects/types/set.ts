/*
 * STUB — to be written (issue 3). set and frozenset (Objects/setobject.c, 3.11): 200-byte PySetObject with an 8-entry smalltable, table growth (fill*5 >= mask*3),
 * dummy entries. Expected API: type, frozensetType; new(): number; add(s, k); contains(s, k); discard(s, k); size(s); frozen(iterablePtrs: number[]).
 */
import type { Interpreter } from '../interpreter.js';

export class SetModule {
  constructor(readonly interp: Interpreter) {}
}
