/*
 * bytearray (Objects/bytearrayobject.c, CPython 3.11): a 56-byte
 * PyByteArrayObject with its bytes in a separate PyObject_Malloc buffer.
 *
 * PyByteArrayObject, 56 bytes:
 *    0  24  PyVarObject  ob_base     ob_size: number of bytes in use
 *   24  8   Py_ssize_t   ob_alloc    bytes allocated at ob_bytes (0 when ob_bytes is NULL)
 *   32  8   char *       ob_bytes    the buffer (PyObject_Malloc), or NULL
 *   40  8   char *       ob_start    the logical start, ob_bytes + offset (del b[:k] advances it)
 *   48  8   Py_ssize_t   ob_exports  buffer exports: live memoryviews of it (it cannot be resized while any)
 *
 * Invariants: ob_start - ob_bytes + ob_size + 1 <= ob_alloc while ob_bytes
 * is set (the byte after the last is a NUL); ob_bytes is NULL only with
 * ob_size 0 and ob_alloc 0; __sizeof__ is 56 + ob_alloc. The buffer only
 * changes size in PyByteArray_Resize, which over-allocates like list_resize
 * on moderate growth and shrinks to fit on a major downsize.
 */
import { InvalidArgumentError, checkSize, describe } from '../../errors.js';
import { raise as raisePy } from '../text/pyException.js';
import { fillBytes, viewBytes } from '../../allocator/access.js';
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, type ObjectValidationContext, obSize, PyVarObject } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_BASETYPE, type PyTypeObject } from '../type.js';

/** PyByteArrayObject. */
export const PyByteArrayObject = declareObjectStruct({
  name: 'PyByteArrayObject',
  fields: [
    { name: 'ob_base', type: PyVarObject, meaning: 'ob_size: number of bytes in use' },
    { name: 'ob_alloc', type: 'i64', meaning: 'bytes allocated at ob_bytes (0 when ob_bytes is NULL)' },
    { name: 'ob_bytes', type: 'ptr', ctype: 'char *', meaning: 'the buffer (PyObject_Malloc), or NULL' },
    { name: 'ob_start', type: 'ptr', ctype: 'char *', unchecked: true, meaning: 'the logical start, ob_bytes + offset (del b[:k] advances it)' },
    { name: 'ob_exports', type: 'i64', meaning: 'buffer exports: live memoryviews of it (it cannot be resized while any)' },
  ],
  check: (op, _ctx: ObjectValidationContext, fail) => {
    const bytes = baBytes.get(op);
    const alloc = baAlloc.get(op);
    const size = obSize.get(op);
    if (bytes === 0) {
      if (alloc !== 0 || size !== 0) fail('ob_bytes', `NULL with ob_alloc ${alloc} and ob_size ${size}`);
      return;
    }
    const start = baStart.get(op) - bytes;
    if (!(start >= 0 && start + size + 1 <= alloc)) fail('ob_alloc', `${alloc} < ob_start offset ${start} + ob_size ${size} + 1`);
  },
});
const baAlloc = PyByteArrayObject.field('ob_alloc');
const baBytes = PyByteArrayObject.field('ob_bytes');
const baStart = PyByteArrayObject.field('ob_start');
const baExports = PyByteArrayObject.field('ob_exports');
/** sizeof(PyByteArrayObject): tp_basicsize of bytearray. */
export const SIZEOF_PYBYTEARRAYOBJECT = PyByteArrayObject.size;
/** Largest bytearray size accepted (below the heap's largest request, 2**48 - 1). */
const MAX_SIZE = 2 ** 46;

/** bytearray: its type, constructors and the mutations that resize it. */
export class ByteArrayModule {
  /** PyByteArray_Type. */
  readonly type: PyTypeObject;
  private readonly rt: Runtime;

  constructor(readonly interp: Interpreter) {
    const rt = (this.rt = interp.rt);
    this.type = rt.registerType({
      name: 'bytearray',
      basicsize: SIZEOF_PYBYTEARRAYOBJECT,
      itemsize: 0,
      flags: Py_TPFLAGS_BASETYPE,
      layout: PyByteArrayObject,
      dealloc: (_r, op) => this.bytearrayDealloc(op),
      sizeof: (_r, op) => SIZEOF_PYBYTEARRAYOBJECT + baAlloc.get(op),
      eq: (_r, a, b) => this.eq(a, b),
      toJS: (_r, op) => this.data(op).slice(),
    });
  }

  /** PyByteArray_CheckExact(op) (no subclasses here, so also PyByteArray_Check). */
  checkExact(op: number): boolean {
    return typeof op === 'number' && op !== 0 && this.rt.typeOrNull(op) === this.type;
  }

  private checkByteArray(op: number, what: string): void {
    if (!this.checkExact(op)) {
      const got = typeof op === 'number' && op !== 0 ? `'${this.rt.typeOf(op).name}'` : describe(op);
      throw new InvalidArgumentError(`${what}: expected a bytearray, got ${got}`);
    }
  }

  private checkData(b: Uint8Array, what: string): void {
    if (!(b instanceof Uint8Array)) throw new InvalidArgumentError(`${what}: expected a Uint8Array, got ${describe(b)}`);
  }

  // --- constructors -------------------------------------------------------------------------

  /** bytearray(): PyType_GenericAlloc (_PyType_AllocNoTrack: PyObject_Malloc(56), zeroed). New reference. */
  new(): number {
    const op = this.rt.objectMalloc(SIZEOF_PYBYTEARRAYOBJECT);
    fillBytes(op, SIZEOF_PYBYTEARRAYOBJECT, 0);
    return this.rt.initObject(op, this.type);
  }

  /** bytearray(n): new() then bytearray___init__ with an int: PyByteArray_Resize(n) and zero fill. New reference. */
  fromSize(n: number): number {
    checkSize('bytearray size', n, MAX_SIZE);
    const op = this.new();
    if (n > 0) {
      this.resizeOrRelease(op, n);
      this.data(op).fill(0);
    }
    return op;
  }

  /** bytearray(b) of a buffer: new() then PyByteArray_Resize(len(b)) and a copy. New reference. */
  fromBytes(b: Uint8Array): number {
    this.checkData(b, 'fromBytes');
    checkSize('bytearray size', b.length, MAX_SIZE);
    const op = this.new();
    this.resizeOrRelease(op, b.length);
    this.data(op).set(b);
    return op;
  }

  /** Resize of a new object that is released if the resize throws. */
  private resizeOrRelease(op: number, n: number): void {
    try {
      this.resize(op, n);
    } catch (e) {
      this.rt.decref(op);
      throw e;
    }
  }

  /**
   * PyByteArray_FromStringAndSize(str, size): PyObject_New and, for size > 0,
   * a buffer of exactly size + 1 bytes holding a copy of str's first `size`
   * bytes (undefined bytes when str is null). New reference.
   */
  fromStringAndSize(str: Uint8Array | null, size: number): number {
    checkSize('bytearray size', size, MAX_SIZE);
    if (str !== null) {
      this.checkData(str, 'fromStringAndSize');
      if (size > str.length) throw new InvalidArgumentError(`fromStringAndSize: size ${size} is past the ${str.length} bytes given`);
    }
    const op = this.rt.initObject(this.rt.objectMalloc(SIZEOF_PYBYTEARRAYOBJECT), this.type);
    let buf = 0;
    let alloc = 0;
    if (size > 0) {
      alloc = size + 1;
      try {
        buf = this.rt.objectMalloc(alloc);
      } catch (e) {
        this.rt.objectDel(op);
        throw e;
      }
      if (str !== null) viewBytes(buf, size).set(str.subarray(0, size));
      fillBytes(buf + size, 1, 0);
    }
    obSize.set(op, size);
    baAlloc.set(op, alloc);
    baBytes.set(op, buf);
    baStart.set(op, buf);
    baExports.set(op, 0);
    return op;
  }

  // --- access -------------------------------------------------------------------------------

  /** PyByteArray_GET_SIZE. */
  size(op: number): number {
    this.checkByteArray(op, 'size');
    return obSize.get(op);
  }

  /** ob_alloc: bytes allocated for the buffer. */
  allocated(op: number): number {
    this.checkByteArray(op, 'allocated');
    return baAlloc.get(op);
  }

  /** PyByteArray_AS_STRING as a view of the `size` bytes (valid until the next resize). */
  data(op: number): Uint8Array {
    this.checkByteArray(op, 'data');
    const buf = baBytes.get(op);
    if (buf === 0) return new Uint8Array(0);
    return viewBytes(buf + baStart.get(op) - buf, obSize.get(op));
  }

  /** bytearray == other (bytearray_richcompare): equal contents with a bytearray or bytes; false otherwise. */
  eq(a: number, b: number): boolean {
    const mine = this.data(a);
    let other: Uint8Array;
    if (this.checkExact(b)) other = this.data(b);
    else if (this.interp.bytes.checkExact(b)) other = this.interp.bytes.data(b);
    else return false;
    if (mine.length !== other.length) return false;
    for (let i = 0; i < mine.length; i++) if (mine[i] !== other[i]) return false;
    return true;
  }

  // --- resizing -----------------------------------------------------------------------------

  /**
   * PyByteArray_Resize(op, n). Growth past the buffer: to n + n/8 + (3 or 6)
   * when n <= 1.125 * alloc, else exactly n + 1. Shrinking within the buffer:
   * in place unless n < alloc / 2, which reallocates to exactly n + 1. A
   * buffer whose logical start was advanced is copied to a new
   * PyObject_Malloc block; otherwise PyObject_Realloc. New bytes are undefined.
   */
  resize(op: number, requestedSize: number): void {
    this.checkByteArray(op, 'resize');
    checkSize('bytearray size', requestedSize, MAX_SIZE);
    const oldSize = obSize.get(op);
    if (requestedSize === oldSize) return;
    this.canResize(op);
    let alloc = baAlloc.get(op);
    const bytes = baBytes.get(op);
    const logicalOffset = baStart.get(op) - bytes;
    const size = requestedSize;
    if (size + logicalOffset + 1 <= alloc) {
      if (size < Math.floor(alloc / 2)) {
        // Major downsize; resize down to exact size.
        alloc = size + 1;
      } else {
        // Minor downsize; quick exit.
        obSize.set(op, size);
        fillBytes(bytes + logicalOffset + size, 1, 0);
        return;
      }
    } else if (size <= alloc * 1.125) {
      // Moderate upsize; overallocate similar to list_resize().
      alloc = size + (size >> 3) + (size < 9 ? 3 : 6);
    } else {
      // Major upsize; resize up to exact size.
      alloc = size + 1;
    }
    let sval: number;
    if (logicalOffset > 0) {
      sval = this.rt.objectMalloc(alloc);
      viewBytes(sval, Math.min(size, oldSize)).set(viewBytes(bytes + logicalOffset, Math.min(size, oldSize)));
      this.rt.objectFree(bytes);
    } else {
      sval = this.rt.objectRealloc(bytes, alloc);
    }
    baBytes.set(op, sval);
    baStart.set(op, sval);
    obSize.set(op, size);
    baAlloc.set(op, alloc);
    fillBytes(sval + size, 1, 0);
  }

  /** _canresize: a bytearray whose buffer is exported (a live memoryview) keeps its size. */
  private canResize(op: number): void {
    if (baExports.get(op) > 0) raisePy('BufferError', 'Existing exports of data: object cannot be re-sized');
  }

  // --- the buffer protocol ------------------------------------------------------------------

  /** bytearray_getbuffer: the writable bytes (address and length; address 0 when empty), ob_exports + 1. */
  getBuffer(op: number): { buf: number; len: number } {
    this.checkByteArray(op, 'getBuffer');
    baExports.set(op, baExports.get(op) + 1);
    return { buf: baBytes.get(op) === 0 ? 0 : baStart.get(op), len: obSize.get(op) };
  }

  /** bytearray_releasebuffer: ob_exports - 1. */
  releaseBuffer(op: number): void {
    this.checkByteArray(op, 'releaseBuffer');
    baExports.set(op, baExports.get(op) - 1);
  }

  /** bytearray.append(item): PyByteArray_Resize(n + 1), then the byte. */
  append(op: number, item: number): void {
    this.checkByteArray(op, 'append');
    checkSize('byte', item, 255);
    const n = obSize.get(op);
    this.resize(op, n + 1);
    this.data(op)[n] = item;
  }

  /** bytearray.extend(b) / b += other for a buffer (bytearray_iconcat): PyByteArray_Resize(size + len), then a copy. */
  extend(op: number, other: Uint8Array): void {
    this.checkByteArray(op, 'extend');
    this.checkData(other, 'extend');
    // A copy first: `other` may be a view of op's own buffer, which the resize can move.
    const src = other.slice();
    const size = obSize.get(op);
    this.resize(op, size + src.length);
    this.data(op).set(src, size);
  }

  /**
   * op[lo:hi] = values, or del op[lo:hi] when values is null
   * (bytearray_ass_subscript with step 1 -> bytearray_setslice_linear).
   * lo and hi are slice indices: negative ones count from the end, all are
   * clamped to the bytes, and hi < lo means an empty slice at lo.
   */
  setSlice(op: number, lo: number, hi: number, values: Uint8Array | null): void {
    this.checkByteArray(op, 'setSlice');
    if (!Number.isInteger(lo) || !Number.isInteger(hi)) throw new InvalidArgumentError(`setSlice: slice indices must be integers, got ${describe(lo)}, ${describe(hi)}`);
    if (values !== null) this.checkData(values, 'setSlice');
    const bytes = values === null ? new Uint8Array(0) : values.slice();
    const n = obSize.get(op);
    // PySlice_AdjustIndices for step 1, then "b[5:2] = ... inserts before 5".
    const adjust = (i: number): number => (i < 0 ? Math.max(i + n, 0) : Math.min(i, n));
    lo = adjust(lo);
    hi = Math.max(adjust(hi), lo);
    this.setSliceLinear(op, lo, hi, bytes);
  }

  /** bytearray_setslice_linear(self, lo, hi, bytes, len). */
  private setSliceLinear(op: number, lo: number, hi: number, bytes: Uint8Array): void {
    const avail = hi - lo;
    const growth = bytes.length - avail;
    const size = obSize.get(op);
    if (growth < 0) {
      this.canResize(op);
      if (lo === 0) {
        // Shrink the buffer by advancing its logical start.
        baStart.set(op, baStart.get(op) - growth);
      } else {
        const buf = this.data(op);
        buf.copyWithin(lo + bytes.length, hi, size);
      }
      try {
        this.resize(op, size + growth);
      } catch (e) {
        // Issue #19578: with lo == 0 the old state comes back; otherwise the move is done and only the shrink failed.
        if (lo === 0) baStart.set(op, baStart.get(op) + growth);
        else obSize.set(op, size + growth);
        throw e;
      }
    } else if (growth > 0) {
      this.resize(op, size + growth);
      const buf = this.data(op);
      // Make the place for the additional bytes.
      buf.copyWithin(lo + bytes.length, hi, size);
    }
    if (bytes.length > 0) this.data(op).set(bytes, lo);
  }

  // --- deallocation -------------------------------------------------------------------------

  /** bytearray_dealloc: PyObject_Free the buffer, then tp_free (PyObject_Free) the object. */
  private bytearrayDealloc(op: number): void {
    const buf = baBytes.get(op);
    if (buf !== 0) this.rt.objectFree(buf);
    this.rt.objectDel(op);
  }
}
