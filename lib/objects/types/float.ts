/*
 * STUB — to be written (issue 3). float (Objects/floatobject.c): 24-byte PyFloatObject, free list of at most 100 (PyFloat_MAXFREELIST).
 * Expected API: type; fromNumber(x: number): number (PyFloat_FromDouble, new ref); value(op): number; freeListSize(): number.
 */
import type { Interpreter } from '../interpreter.js';

export class FloatModule {
  constructor(readonly interp: Interpreter) {}
}
