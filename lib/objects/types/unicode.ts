/*
 * STUB — to be written (issue 3). str (Objects/unicodeobject.c, 3.11): compact ASCII (PyASCIIObject, 48 bytes + len + 1),
 * compact latin-1 / UCS-2 / UCS-4 (PyCompactUnicodeObject, 72 bytes + (len+1)*kind), cached hash (siphash13, key from
 * PYTHONHASHSEED=0), the empty-string and one-character latin-1 singletons (static in 3.11), interning (sys.intern).
 * Expected API: type; fromString(s: string): number (new ref); toString(op): string; length(op); hash(op);
 * intern(op): number (PyUnicode_InternInPlace semantics: returns the interned object as a new ref, consumes op);
 * internFromString(s): number; isInterned(op): boolean; eq(a, b).
 */
import type { Interpreter } from '../interpreter.js';

export class UnicodeModule {
  constructor(readonly interp: Interpreter) {}
}
