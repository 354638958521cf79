/*
 * bytes (Objects/bytesobject.c, CPython 3.11): one PyObject_Malloc block of
 * PyBytesObject_SIZE + size bytes.
 *
 * PyBytesObject, 32 bytes + the variable part:
 *    0  24   PyVarObject  ob_base    ob_size: number of bytes
 *   24  8    Py_hash_t    ob_shash   the exact 64-bit hash; -1 until bytes_hash computes it
 *   32  1*n  char         ob_sval[]  the bytes, then a NUL
 *
 * tp_basicsize is PyBytesObject_SIZE = offsetof(ob_sval) + 1 = 33 and
 * tp_itemsize 1, so __sizeof__ is 33 + size.
 *
 * Invariants: a bytes object never changes once it is shared (only fresh
 * objects are filled through data()); the empty bytes and the 256 one-byte
 * objects are static singletons (3.11's _Py_SINGLETON(bytes_empty) and
 * _Py_SINGLETON(bytes_characters), count 999999999), returned wherever
 * PyBytes_FromStringAndSize would return them: size 0 always, size 1 only
 * when copying from data (bytes(1) is a new zeroed object, as in CPython).
 */
import { InvalidArgumentError, OutOfMemoryError, checkSize, describe } from '../../errors.js';
import { Domain } from '../../allocator/domains.js';
import { viewBytes } from '../../allocator/access.js';
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, type ObjectValidationContext, obSize, PyVarObject } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_BASETYPE, Py_TPFLAGS_BYTES_SUBCLASS, type PyTypeObject } from '../type.js';
import { IMMORTAL_INIT_REFCNT, clearHashField, readHashField, readHashField64, storeHashBytes } from './unicode.js';

/** PyBytesObject. */
export const PyBytesObject = declareObjectStruct({
  name: 'PyBytesObject',
  fields: [
    { name: 'ob_base', type: PyVarObject, meaning: 'ob_size: number of bytes' },
    { name: 'ob_shash', type: 'i64', ctype: 'Py_hash_t', meaning: 'the exact 64-bit hash; -1 until bytes_hash computes it' },
  ],
  tail: { name: 'ob_sval', type: 'u8', ctype: 'char', meaning: 'the bytes, then a NUL', length: (op) => obSize.get(op) + 1 },
  check: (op, _ctx: ObjectValidationContext, fail) => {
    const n = obSize.get(op);
    if (n < 0) fail('ob_base.ob_size', `${n} is negative`);
    else if (obSval.get(op, n) !== 0) fail(`ob_sval[${n}]`, `${obSval.get(op, n)}: the bytes end in a NUL`);
  },
});
/** The hash field of a bytes object, as two words (readHashField). */
export const BYTES_SHASH = PyBytesObject.words('ob_shash');
const obSval = PyBytesObject.array('ob_sval');
/** offsetof(PyBytesObject, ob_sval). */
export const BYTES_SVAL = obSval.offset;
/** PyBytesObject_SIZE: tp_basicsize of bytes (the header and the trailing NUL). */
export const PyBytesObject_SIZE = BYTES_SVAL + 1;
/** Largest bytes size accepted (below the heap's largest request, 2**48 - 1). */
const MAX_SIZE = 2 ** 46;

/** bytes: its type, the static singletons and the C-API constructors. */
export class BytesModule {
  /** PyBytes_Type. */
  readonly type: PyTypeObject;
  /** The empty bytes (_Py_SINGLETON(bytes_empty)); borrowed. */
  readonly empty: number;
  /** CHARACTER(ch): the static one-byte objects. */
  private readonly characters: number[] = [];
  private readonly rt: Runtime;

  constructor(readonly interp: Interpreter) {
    const rt = (this.rt = interp.rt);
    this.type = rt.registerType({
      name: 'bytes',
      basicsize: PyBytesObject_SIZE,
      itemsize: 1,
      flags: Py_TPFLAGS_BASETYPE | Py_TPFLAGS_BYTES_SUBCLASS,
      // PyBytes_Type has no tp_dealloc of its own: object_dealloc -> tp_free = PyObject_Free.
      layout: PyBytesObject,
      dealloc: (r, op) => r.objectDel(op),
      hash: (_r, op) => this.hash(op),
      hash64: (_r, op) => this.hash64(op),
      eq: (_r, a, b) => this.eq(a, b),
      toJS: (_r, op) => this.data(op).slice(),
    });
    this.empty = this.staticBytes(0, 0);
    for (let ch = 0; ch < 256; ch++) this.characters.push(this.staticBytes(1, ch));
  }

  /** A static bytes object of 0 or 1 byte (_PyBytes_SIMPLE_INIT / _PyBytes_CHAR_INIT). */
  private staticBytes(size: number, ch: number): number {
    const op = this.rt.staticObject(this.type, PyBytesObject_SIZE + size, size);
    this.rt.setRefcnt(op, IMMORTAL_INIT_REFCNT);
    clearHashField(BYTES_SHASH, op);
    if (size === 1) obSval.set(op, 0, ch);
    obSval.set(op, size, 0);
    return op;
  }

  /** PyBytes_CheckExact(op). */
  checkExact(op: number): boolean {
    return typeof op === 'number' && op !== 0 && this.rt.typeOrNull(op) === this.type;
  }

  /** PyBytes_Check: bytes, or an instance of a class deriving from it. */
  check(op: number): boolean {
    return typeof op === 'number' && op !== 0 && ((this.rt.typeOrNull(op)?.flags ?? 0) & Py_TPFLAGS_BYTES_SUBCLASS) !== 0;
  }

  private checkBytes(op: number, what: string): void {
    if (!this.check(op)) {
      const got = typeof op === 'number' && op !== 0 ? `'${this.rt.typeOf(op).name}'` : describe(op);
      throw new InvalidArgumentError(`${what}: expected a bytes object, got ${got}`);
    }
  }

  // --- constructors -------------------------------------------------------------------------

  /** bytes_new_empty: the empty singleton, a new reference. */
  private newEmpty(): number {
    this.rt.incref(this.empty);
    return this.empty;
  }

  /**
   * _PyBytes_FromSize(size, use_calloc): a new object (the empty singleton for
   * size 0) from PyObject_Calloc (zeroed) or PyObject_Malloc (contents
   * undefined, NUL written).
   */
  private fromSizeInternal(size: number, useCalloc: boolean): number {
    if (size === 0) return this.newEmpty();
    const op = useCalloc ? this.objectCalloc(PyBytesObject_SIZE + size) : this.rt.objectMalloc(PyBytesObject_SIZE + size);
    this.rt.initObject(op, this.type, size);
    clearHashField(BYTES_SHASH, op);
    if (!useCalloc) obSval.set(op, size, 0);
    return op;
  }

  /**
   * PyObject_Calloc(1, n) through the OBJ domain (so hooks see a calloc).
   * The runtime has no objectCalloc yet; this reads the domain's allocator
   * each call, as Runtime.objectMalloc's cached one would after refreshAllocators.
   */
  private objectCalloc(n: number): number {
    const p = this.rt.heap.getAllocator(Domain.OBJ).calloc(1, n);
    if (p === 0) throw new OutOfMemoryError(`PyObject_Calloc(1, ${n}) failed`, n);
    return p;
  }

  /**
   * PyBytes_FromStringAndSize(str, size): with str, a copy of its first
   * `size` bytes (one byte -> its static singleton); with null, a new object
   * of `size` undefined bytes to fill through data(). Size 0 -> the empty
   * singleton. New reference.
   */
  fromStringAndSize(str: Uint8Array | null, size: number): number {
    checkSize('bytes size', size, MAX_SIZE);
    if (str !== null) {
      if (!(str instanceof Uint8Array)) throw new InvalidArgumentError(`fromStringAndSize: expected a Uint8Array or null, got ${describe(str)}`);
      if (size > str.length) throw new InvalidArgumentError(`fromStringAndSize: size ${size} is past the ${str.length} bytes given`);
      if (size === 1) {
        const op = this.characters[str[0]!]!;
        this.rt.incref(op);
        return op;
      }
    }
    if (size === 0) return this.newEmpty();
    const op = this.fromSizeInternal(size, false);
    if (str !== null) viewBytes(obSval.at(op, 0), size).set(str.subarray(0, size));
    return op;
  }

  /** A copy of `b` (PyBytes_FromStringAndSize(b, len); also bytes([...]) of a short list, whose writer ends there). New reference. */
  fromBytes(b: Uint8Array): number {
    if (!(b instanceof Uint8Array)) throw new InvalidArgumentError(`fromBytes: expected a Uint8Array, got ${describe(b)}`);
    return this.fromStringAndSize(b, b.length);
  }

  /** bytes(n): _PyBytes_FromSize(n, use_calloc=1), n zero bytes in a new object (the empty singleton for 0). New reference. */
  fromSize(n: number): number {
    checkSize('bytes size', n, MAX_SIZE);
    return this.fromSizeInternal(n, true);
  }

  // --- access -------------------------------------------------------------------------------

  /** PyBytes_GET_SIZE. */
  size(op: number): number {
    this.checkBytes(op, 'size');
    return obSize.get(op);
  }

  /** PyBytes_AS_STRING as a view of the `size` bytes (valid until op is freed). Write only into objects nobody else holds. */
  data(op: number): Uint8Array {
    this.checkBytes(op, 'data');
    return viewBytes(obSval.at(op, 0), obSize.get(op));
  }

  /** bytes_hash: _Py_HashBytes(ob_sval, size), cached in ob_shash. */
  hash(op: number): number {
    this.checkBytes(op, 'hash');
    const cached = readHashField(BYTES_SHASH, op);
    if (cached !== null) return cached;
    return storeHashBytes(BYTES_SHASH, op, viewBytes(obSval.at(op, 0), obSize.get(op)));
  }

  /** hash(op) as its exact signed 64-bit Py_hash_t. */
  hash64(op: number): bigint {
    this.hash(op);
    return readHashField64(BYTES_SHASH, op);
  }

  /**
   * bytes == other: bytes_richcompare for bytes; for a bytearray, the
   * reflected bytearray_richcompare (contents equal); false for anything else.
   */
  eq(a: number, b: number): boolean {
    this.checkBytes(a, 'eq');
    if (a === b) return true;
    let other: Uint8Array;
    if (this.checkExact(b)) other = viewBytes(obSval.at(b, 0), obSize.get(b));
    else if (this.interp.bytearray.checkExact(b)) other = this.interp.bytearray.data(b);
    else return false;
    const mine = viewBytes(obSval.at(a, 0), obSize.get(a));
    if (mine.length !== other.length) return false;
    for (let i = 0; i < mine.length; i++) if (mine[i] !== other[i]) return false;
    return true;
  }

  /** bytes.decode() ('utf-8', 'strict'): PyUnicode_DecodeUTF8 of the contents. New reference. */
  decode(op: number): number {
    return this.interp.str.decodeUTF8(this.data(op));
  }
}
