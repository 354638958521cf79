/*
 * The Python exception a pure value operation raises (ValueError,
 * ZeroDivisionError, OverflowError, TypeError, UnicodeEncodeError …), before
 * any heap object exists: the evaluation loop turns it into an exception
 * object of the named built-in type with `args`. Invariant: `args` are what
 * CPython passes to the exception's constructor, so `str(exc)` is CPython's
 * text (for one argument, the message; for OverflowError's errno form,
 * `(34, 'Numerical result out of range')`).
 */
import { PymemError } from '../../errors.js';

/** The built-in exception types the value semantics raise. */
export type PyExceptionType =
  | 'ValueError'
  | 'TypeError'
  | 'ZeroDivisionError'
  | 'OverflowError'
  | 'IndexError'
  | 'KeyError'
  | 'AttributeError'
  | 'UnicodeEncodeError'
  | 'UnicodeDecodeError'
  | 'LookupError'
  | 'RuntimeError'
  | 'MemoryError'
  | 'BufferError';

/** A Python exception raised by a pure value operation; `type` names its built-in class. */
export class PyException extends PymemError {
  constructor(
    /** The built-in exception class CPython raises. */
    readonly type: PyExceptionType,
    /** The constructor arguments CPython gives it (usually one message string). */
    readonly args: readonly (string | number)[],
    message: string = args.length === 1 ? String(args[0]) : `(${args.map((a) => (typeof a === 'string' ? `'${a}'` : String(a))).join(', ')})`,
  ) {
    super(message);
  }
}

/** Raises `type(message)`. */
export function raise(type: PyExceptionType, message: string): never {
  throw new PyException(type, [message]);
}

/** MemoryError() with no arguments: what CPython raises when an allocation fails. */
export function memoryError(): never {
  throw new PyException('MemoryError', [], '');
}

/** OverflowError(ERANGE, strerror(ERANGE)) as PyErr_SetFromErrno raises it on Linux. */
export function rangeError(): never {
  throw new PyException('OverflowError', [34, 'Numerical result out of range']);
}
