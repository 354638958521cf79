/*
 * STUB — to be written (issue 3). None, Ellipsis, NotImplemented: static objects (rt.staticObject), 16 bytes each.
 * Expected API: readonly None: number; readonly Ellipsis: number; readonly NotImplemented: number;
 * types noneType, ellipsisType, notImplementedType (hash by identity, toJS: null / ...).
 */
import type { Interpreter } from '../interpreter.js';

export class Singletons {
  constructor(readonly interp: Interpreter) {}
}
