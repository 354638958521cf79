/*
 * A Python exception in flight (CPython: the thread's current exception,
 * tstate->curexc_*): a JavaScript throw carrying an owned reference to the
 * exception object. Whoever catches it takes the reference (and releases it
 * or stores it); nothing else may be thrown across the evaluation loop but
 * these and the object layer's typed errors, which `toPyErr` turns into
 * the exception CPython would raise.
 */
import { PymemError } from '../errors.js';

/** A raised Python exception: `exc` is an owned reference to the exception object. */
export class PyErr extends PymemError {
  constructor(
    readonly exc: number,
    message: string,
  ) {
    super(message);
  }
}

/** A construct pymem's evaluation loop does not support (NotImplementedError naming it, with file:line). */
export class EvalNotImplementedError extends PymemError {}
