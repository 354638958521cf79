/*
 * The one error hierarchy of pymem. Every failure a caller can cause or meet
 * is one of these, thrown before anything changed: a call that throws leaves
 * the heap exactly as it was.
 *
 *   PymemError
 *   ├── InvalidArgumentError   a size, count, profile field … out of its domain
 *   │   └── InvalidProfileError
 *   ├── InvalidPointerError    not the start of a live block of this heap
 *   │   └── DoubleFreeError    a block of this heap that was already freed
 *   ├── OutOfMemoryError       the OS refused memory; earlier blocks intact
 *   ├── NativeAddonError       the native addon is not built or fails to load
 *   ├── UsageError             a command line pymem cannot run (bin/pymem)
 *   └── (in their modules)     TraceFormatError, BinaryTraceError (a file that
 *                              is not a trace), RunError (a comparison run that
 *                              failed), RefcountError, ReleasedHandleError …
 *
 * Callers tell them apart with `instanceof`, never by name or message.
 */

/** Base class of every error pymem throws on purpose. */
export class PymemError extends Error {
  override get name(): string {
    return this.constructor.name;
  }
}

/** A heap, runtime or allocator used after dispose() unmapped its memory. */
export class DisposedError extends PymemError {}

/** An argument outside its domain: negative, fractional, NaN, too large, wrong type. */
export class InvalidArgumentError extends PymemError {}

/** A profile (arena size, pool size, alignment, threshold …) that cannot work. */
export class InvalidProfileError extends InvalidArgumentError {}

/** A pointer that is not the start of a live allocation of this heap (foreign or interior). */
export class InvalidPointerError extends PymemError {
  constructor(
    message: string,
    /** The pointer that was passed. */
    readonly pointer: number,
  ) {
    super(message);
  }
}

/** A pointer to a block of this heap that is not live any more: freed twice, or used after free. */
export class DoubleFreeError extends InvalidPointerError {}

/** The operating system refused memory. Every earlier allocation stays intact. */
export class OutOfMemoryError extends PymemError {
  constructor(
    message: string,
    /** Bytes that were asked for. */
    readonly requested: number,
  ) {
    super(message);
  }
}

/** A command line that cannot run: unknown command or option, missing file, bad value. */
export class UsageError extends PymemError {}

/** The native addon (build/Release/pymem.node) is missing or does not load; the message says what to run. */
export class NativeAddonError extends PymemError {}

/** Formats a value for an error message: numbers as they are, other things with their type. */
export function describe(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return Number.isInteger(value) && !Number.isSafeInteger(value) ? `${value} (beyond 2^53: not exact)` : String(value);
    case 'string':
      return `string ${JSON.stringify(value)}`;
    case 'undefined':
      return 'undefined';
    case 'symbol':
      return value.toString();
    case 'bigint':
      return `bigint ${value}n`;
    case 'boolean':
      return `boolean ${value}`;
    case 'function':
      return 'a function';
    default:
      return value === null ? 'null' : Array.isArray(value) ? 'an array' : 'an object';
  }
}

/** Throws InvalidArgumentError unless `value` is an integer in [0, max]. */
export function checkSize(what: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new InvalidArgumentError(
      `${what} must be an integer from 0 to ${max}, got ${describe(value)}`,
    );
  }
  return value;
}

/**
 * The debug allocator found a block whose decorations are wrong: written past
 * its end or before its start, freed through another domain than the one that
 * allocated it, or freed already. Where CPython's debug hooks call
 * Py_FatalError, pymem throws this, before anything is freed.
 */
export class MemoryCorruptionError extends InvalidPointerError {
  constructor(
    /** The CPython function that found it (`_PyMem_DebugRawFree`, …). */
    readonly func: string,
    /** What is wrong, in CPython's words (`bad trailing pad byte`, `bad ID: …`). */
    readonly reason: string,
    pointer: number,
    /** _PyObject_DebugDumpAddress's report of the block, as CPython prints it. */
    readonly dump: string,
  ) {
    super(`${func}: ${reason}`, pointer);
  }
}
