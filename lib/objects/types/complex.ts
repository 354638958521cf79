/*
 * STUB — to be written (issue 3). complex (Objects/complexobject.c): 32 bytes. Expected API: type; fromParts(re, im): number; parts(op).
 */
import type { Interpreter } from '../interpreter.js';

export class ComplexModule {
  constructor(readonly interp: Interpreter) {}
}
