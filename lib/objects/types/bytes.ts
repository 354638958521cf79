/*
 * STUB — to be written (issue 3). bytes (Objects/bytesobject.c): PyBytesObject 33 + n bytes, cached hash, empty and one-char singletons (static in 3.11).
 * Expected API: type; fromBytes(b: Uint8Array): number; fromSize(n): number (zeroed); data(op): Uint8Array view; size(op).
 */
import type { Interpreter } from '../interpreter.js';

export class BytesModule {
  constructor(readonly interp: Interpreter) {}
}
