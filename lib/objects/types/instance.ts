/*
 * STUB — to be written (issue 3). instances of user classes (Objects/typeobject.c subtype_dealloc, 3.11): managed __dict__ (pre-header, shared keys per class),
 * __slots__ (8 bytes each), __weakref__ and __dict__ slots; a class registry with finalizers (__del__ as a JS callback).
 * Expected API: defineClass({name, slots?: string[], dict?: boolean, weakref?: boolean, del?: (op) => void}): PyTypeObject;
 * new(cls): number; setAttr(op, name, v); getAttr(op, name): borrowed or 0; dictOf(op): new ref (materialises the dict).
 */
import type { Interpreter } from '../interpreter.js';

export class InstanceModule {
  constructor(readonly interp: Interpreter) {}
}
