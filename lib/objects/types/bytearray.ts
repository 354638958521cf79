/*
 * STUB — to be written (issue 3). bytearray (Objects/bytearrayobject.c): 56-byte header, ob_bytes buffer of ob_alloc bytes via PyObject_Malloc, growth as 3.11.
 * Expected API: type; fromBytes(b: Uint8Array): number; fromSize(n): number; resize(op, n); data(op).
 */
import type { Interpreter } from '../interpreter.js';

export class ByteArrayModule {
  constructor(readonly interp: Interpreter) {}
}
