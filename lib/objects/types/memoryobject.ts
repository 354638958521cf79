/*
 * memoryview (Objects/memoryobject.c, CPython 3.11) over the exporters
 * pymem has: bytes (read-only) and bytearray (writable; ob_exports counts
 * the managed buffers holding it, and it cannot be resized while any do).
 * One-dimensional views of unsigned bytes (format 'B', itemsize 1), with
 * any slice step.
 *
 * A memoryview is made as CPython makes it: PyMemoryView_FromObject asks
 * the exporter for a buffer into a new _PyManagedBufferObject (mbuf_alloc,
 * tracked; its master Py_buffer holds a reference to the exporter), then
 * mbuf_add_view allocates the view (memory_alloc: PyObject_GC_NewVar with
 * 3 * ndim items for shape, strides and suboffsets, so __sizeof__ is
 * 144 + 24) that copies the master buffer and holds a reference to the
 * managed buffer. Views of views and slices share the managed buffer. The
 * exporter's buffer is released when the last view is (memoryview.release,
 * `with`, or dealloc).
 *
 * The structs (a managed buffer, a view and an iterator each after a PyGC_Head):
 *
 * Py_buffer, 80 bytes:
 *    0  8  void *        buf         the first byte of the view
 *    8  8  PyObject *    obj         the exporter; owned by the master buffer, borrowed by a view (stale once released)
 *   16  8  Py_ssize_t    len         bytes in the view
 *   24  8  Py_ssize_t    itemsize    1
 *   32  4  int           readonly    1 for bytes
 *   36  4  int           ndim        1
 *   40  8  char *        format      NULL here ("B" is implied)
 *   48  8  Py_ssize_t *  shape       &ob_array[0] in a view; the master's is NULL
 *   56  8  Py_ssize_t *  strides     &ob_array[ndim] in a view; the master's is NULL
 *   64  8  Py_ssize_t *  suboffsets  NULL
 *   72  8  void *        internal    NULL
 *
 * _PyManagedBufferObject, 112 bytes:
 *    0  16  PyObject    ob_base  the object header
 *   16  4   int         flags    _Py_MANAGED_BUFFER_RELEASED once the exporter's buffer is released
 *   24  8   Py_ssize_t  exports  views registered with it
 *   32  80  Py_buffer   master   the exporter's buffer
 *
 * PyMemoryViewObject, 144 bytes + the variable part:
 *     0  24   PyVarObject               ob_base      ob_size: 3 * ndim
 *    24  8    _PyManagedBufferObject *  mbuf         owned
 *    32  8    Py_hash_t                 hash         -1 until hashed
 *    40  4    int                       flags        _Py_MEMORYVIEW_RELEASED | _C | _FORTRAN
 *    48  8    Py_ssize_t                exports      buffers re-exported from it (0 here)
 *    56  80   Py_buffer                 view         its private copy of the buffer
 *   136  8    PyObject *                weakreflist  weakrefs; not owned
 *   144  8*n  Py_ssize_t                ob_array[]   shape, strides, suboffsets
 *
 * memoryiterobject, 48 bytes:
 *    0  16  PyObject              ob_base    the object header
 *   16  8   Py_ssize_t            it_index   the next item
 *   24  8   PyMemoryViewObject *  it_seq     the view; owned; NULL once exhausted
 *   32  8   Py_ssize_t            it_length  shape[0] when made
 *   40  8   const char *          it_fmt     NULL here ("B")
 *
 * Invariants: a live view holds one reference to its managed buffer and is
 * counted in its exports; the managed buffer holds the exporter (master.obj)
 * until released; a released view's operations raise ValueError.
 */
import { InvalidArgumentError, describe } from '../../errors.js';
import { raise } from '../text/pyException.js';
import type { Interpreter } from '../interpreter.js';
import { byteAt, declareObjectStruct, PyObject, PyVarObject, obSize } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_HAVE_GC, type PyTypeObject, type Visit } from '../type.js';
import { BYTES_SVAL } from './bytes.js';
import { readHashField, readHashField64, storeHashBytes } from './unicode.js';

/** Py_buffer (3.11). */
export const PyBuffer = declareObjectStruct({
  name: 'Py_buffer',
  fields: [
    { name: 'buf', type: 'ptr', ctype: 'void *', unchecked: true, meaning: 'the first byte of the view' },
    { name: 'obj', type: 'ptr', ctype: 'PyObject *', unchecked: true, meaning: 'the exporter; owned by the master buffer, borrowed by a view (stale once released)' },
    { name: 'len', type: 'i64', ctype: 'Py_ssize_t', meaning: 'bytes in the view' },
    { name: 'itemsize', type: 'i64', ctype: 'Py_ssize_t', meaning: '1' },
    { name: 'readonly', type: 'i32', ctype: 'int', meaning: '1 for bytes' },
    { name: 'ndim', type: 'i32', ctype: 'int', meaning: '1' },
    { name: 'format', type: 'ptr', ctype: 'char *', unchecked: true, meaning: 'NULL here ("B" is implied)' },
    { name: 'shape', type: 'ptr', ctype: 'Py_ssize_t *', unchecked: true, meaning: "&ob_array[0] in a view; the master's is NULL" },
    { name: 'strides', type: 'ptr', ctype: 'Py_ssize_t *', unchecked: true, meaning: "&ob_array[ndim] in a view; the master's is NULL" },
    { name: 'suboffsets', type: 'ptr', ctype: 'Py_ssize_t *', unchecked: true, meaning: 'NULL' },
    { name: 'internal', type: 'ptr', ctype: 'void *', unchecked: true, meaning: 'NULL' },
  ],
  size: 80,
});

/** _PyManagedBufferObject (3.11). */
export const PyManagedBufferObject = declareObjectStruct({
  name: '_PyManagedBufferObject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'flags', type: 'i32', ctype: 'int', meaning: "_Py_MANAGED_BUFFER_RELEASED once the exporter's buffer is released" },
    { name: 'exports', type: 'i64', ctype: 'Py_ssize_t', meaning: 'views registered with it' },
    { name: 'master', type: PyBuffer, meaning: "the exporter's buffer" },
  ],
  size: 112,
});

/** PyMemoryViewObject (3.11). */
export const PyMemoryViewObject = declareObjectStruct({
  name: 'PyMemoryViewObject',
  fields: [
    { name: 'ob_base', type: PyVarObject, meaning: 'ob_size: 3 * ndim' },
    { name: 'mbuf', type: 'ptr', ctype: '_PyManagedBufferObject *', meaning: 'owned' },
    { name: 'hash', type: 'i64', ctype: 'Py_hash_t', meaning: '-1 until hashed' },
    { name: 'flags', type: 'i32', ctype: 'int', meaning: '_Py_MEMORYVIEW_RELEASED | _C | _FORTRAN' },
    { name: 'exports', type: 'i64', ctype: 'Py_ssize_t', meaning: 'buffers re-exported from it (0 here)' },
    { name: 'view', type: PyBuffer, meaning: 'its private copy of the buffer' },
    { name: 'weakreflist', type: 'ptr', ctype: 'PyObject *', meaning: 'weakrefs; not owned' },
  ],
  tail: { name: 'ob_array', type: 'i64', ctype: 'Py_ssize_t', meaning: 'shape, strides, suboffsets', length: (op) => obSize.get(op) },
  size: 144,
});

/** memoryiterobject (3.11). */
export const memoryiterobject = declareObjectStruct({
  name: 'memoryiterobject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'it_index', type: 'i64', ctype: 'Py_ssize_t', meaning: 'the next item' },
    { name: 'it_seq', type: 'ptr', ctype: 'PyMemoryViewObject *', meaning: 'the view; owned; NULL once exhausted' },
    { name: 'it_length', type: 'i64', ctype: 'Py_ssize_t', meaning: 'shape[0] when made' },
    { name: 'it_fmt', type: 'ptr', ctype: 'const char *', unchecked: true, meaning: 'NULL here ("B")' },
  ],
  size: 48,
});
const itIndex = memoryiterobject.field('it_index');
const itSeq = memoryiterobject.field('it_seq');
const itLength = memoryiterobject.field('it_length');
const itFmt = memoryiterobject.field('it_fmt');

const mbFlags = PyManagedBufferObject.field('flags');
const mbExports = PyManagedBufferObject.field('exports');
const MASTER = PyManagedBufferObject.offsets.master;
const mvMbuf = PyMemoryViewObject.field('mbuf');
const mvHash = PyMemoryViewObject.field('hash');
const MV_HASH = PyMemoryViewObject.words('hash');
const mvFlags = PyMemoryViewObject.field('flags');
const mvExports = PyMemoryViewObject.field('exports');
const mvWeakreflist = PyMemoryViewObject.field('weakreflist');
const mvArray = PyMemoryViewObject.array('ob_array');
const VIEW = PyMemoryViewObject.offsets.view;
const bBuf = PyBuffer.field('buf');
const bObj = PyBuffer.field('obj');
const bLen = PyBuffer.field('len');
const bItemsize = PyBuffer.field('itemsize');
const bReadonly = PyBuffer.field('readonly');
const bNdim = PyBuffer.field('ndim');
const bShape = PyBuffer.field('shape');
const bStrides = PyBuffer.field('strides');
const bFormat = PyBuffer.field('format');
const bSuboffsets = PyBuffer.field('suboffsets');
const bInternal = PyBuffer.field('internal');

/** _Py_MANAGED_BUFFER_RELEASED. */
const MANAGED_BUFFER_RELEASED = 0x001;
/** _Py_MEMORYVIEW_RELEASED, _Py_MEMORYVIEW_C, _Py_MEMORYVIEW_FORTRAN. */
const MEMORYVIEW_RELEASED = 0x001;
const MEMORYVIEW_C = 0x002;
const MEMORYVIEW_FORTRAN = 0x004;

/** What a 1-D byte view shows: its exporter, first byte, length, stride, and whether it is read-only. */
export interface ViewInfo {
  readonly obj: number;
  readonly buf: number;
  readonly length: number;
  readonly stride: number;
  readonly readonly: boolean;
}

/** memoryview and managedbuffer: their types, PyMemoryView_FromObject, item access, slicing, release. */
export class MemoryViewModule {
  /** PyMemoryView_Type. */
  readonly type: PyTypeObject;
  /** _PyManagedBuffer_Type. */
  readonly managedBufferType: PyTypeObject;
  /** _PyMemoryIter_Type. */
  readonly iterType: PyTypeObject;
  private readonly rt: Runtime;

  constructor(readonly interp: Interpreter) {
    this.rt = interp.rt;
    this.managedBufferType = this.rt.registerType({
      name: 'managedbuffer',
      basicsize: PyManagedBufferObject.size,
      itemsize: 0,
      flags: Py_TPFLAGS_HAVE_GC,
      layout: PyManagedBufferObject,
      dealloc: (_r, op) => this.mbufDealloc(op),
      traverse: (_r, op, visit) => this.mbufTraverse(op, visit),
      clear: (_r, op) => this.mbufRelease(op),
    });
    this.type = this.rt.registerType({
      name: 'memoryview',
      basicsize: PyMemoryViewObject.size,
      itemsize: 8,
      flags: Py_TPFLAGS_HAVE_GC,
      layout: PyMemoryViewObject,
      weaklistoffset: mvWeakreflist.offset,
      dealloc: (_r, op) => this.memoryDealloc(op),
      traverse: (_r, op, visit) => this.memoryTraverse(op, visit),
      clear: (_r, op) => this.memoryClear(op),
      hash: (_r, op) => this.hash(op),
      hash64: (_r, op) => this.hash64(op),
    });
    this.iterType = this.rt.registerType({
      name: 'memory_iterator',
      basicsize: memoryiterobject.size,
      itemsize: 0,
      flags: Py_TPFLAGS_HAVE_GC,
      layout: memoryiterobject,
      dealloc: (r, op) => {
        r.gcUntrack(op);
        r.xdecref(itSeq.get(op));
        r.gcDel(op);
      },
      traverse: (_r, op, visit) => (itSeq.get(op) !== 0 ? visit(itSeq.get(op)) : 0),
    });
  }

  /** memory_iter: an iterator over the view's items (PyObject_GC_New, tracked). New reference. */
  iter(mv: number): number {
    const { length } = this.info(mv);
    const it = this.rt.gcNew(this.iterType);
    itIndex.set(it, 0);
    itLength.set(it, length);
    itFmt.set(it, 0);
    this.rt.incref(mv);
    itSeq.set(it, mv);
    this.rt.gcTrack(it);
    return it;
  }

  /** memoryiter_next: the next byte, or -1 when exhausted (the view let go); ValueError once the view is released. */
  iterNext(it: number): number {
    const mv = itSeq.get(it);
    if (mv === 0) return -1;
    this.checkReleased(mv);
    const i = itIndex.get(it);
    if (i < itLength.get(it)) {
      itIndex.set(it, i + 1);
      return byteAt.get(bBuf.get(mv + VIEW) + i * mvArray.get(mv, 1), 0);
    }
    itSeq.set(it, 0);
    this.rt.decref(mv);
    return -1;
  }

  /** PyMemoryView_Check. */
  check(op: number): boolean {
    return this.rt.typeOrNull(op) === this.type;
  }

  /** PyObject_CheckBuffer over pymem's exporters. */
  checkBuffer(op: number): boolean {
    const { bytes, bytearray } = this.interp;
    return bytes.checkExact(op) || bytearray.checkExact(op) || this.check(op);
  }

  /**
   * PyMemoryView_FromObject(v): a view sharing v's managed buffer when v is
   * a memoryview, else a new managed buffer over v's buffer and its first
   * view. A TypeError (PyException) for an object with no buffer. New reference.
   */
  fromObject(v: number): number {
    if (this.check(v)) {
      this.checkReleased(v);
      return this.addView(mvMbuf.get(v), v + VIEW);
    }
    const { bytes, bytearray } = this.interp;
    if (!bytes.checkExact(v) && !bytearray.checkExact(v)) raise('TypeError', `memoryview: a bytes-like object is required, not '${this.rt.typeOf(v).name}'`);
    // _PyManagedBuffer_FromObject: mbuf_alloc, then PyObject_GetBuffer(v, &mbuf->master, PyBUF_FULL_RO).
    const mbuf = this.rt.gcNew(this.managedBufferType);
    mbFlags.set(mbuf, 0);
    mbExports.set(mbuf, 0);
    const master = mbuf + MASTER;
    for (const f of [bBuf, bObj, bLen, bItemsize, bReadonly, bNdim, bFormat, bShape, bStrides, bSuboffsets, bInternal]) f.set(master, 0);
    this.rt.gcTrack(mbuf);
    let buf: number;
    let len: number;
    if (bytes.checkExact(v)) {
      buf = v + BYTES_SVAL;
      len = bytes.size(v);
      bReadonly.set(master, 1);
    } else {
      ({ buf, len } = bytearray.getBuffer(v));
    }
    this.rt.incref(v);
    bObj.set(master, v);
    bBuf.set(master, buf);
    bLen.set(master, len);
    bItemsize.set(master, 1);
    bNdim.set(master, 1);
    try {
      return this.addView(mbuf, master);
    } finally {
      this.rt.decref(mbuf);
    }
  }

  /** mbuf_add_view(mbuf, src): a tracked view copying src (a master buffer or another view's), registered with mbuf. */
  private addView(mbuf: number, src: number): number {
    const ndim = bNdim.get(src);
    // memory_alloc(ndim).
    const mv = this.rt.gcNewVar(this.type, 3 * ndim);
    mvMbuf.set(mv, 0);
    mvHash.set(mv, -1);
    mvFlags.set(mv, 0);
    mvExports.set(mv, 0);
    mvWeakreflist.set(mv, 0);
    const view = mv + VIEW;
    bNdim.set(view, ndim);
    bShape.set(view, mvArray.at(mv, 0));
    bStrides.set(view, mvArray.at(mv, ndim));
    bSuboffsets.set(view, 0);
    this.rt.gcTrack(mv);
    // init_shared_values (view.obj is borrowed), init_shape_strides, init_flags.
    bObj.set(view, bObj.get(src));
    bBuf.set(view, bBuf.get(src));
    bLen.set(view, bLen.get(src));
    bItemsize.set(view, bItemsize.get(src));
    bReadonly.set(view, bReadonly.get(src));
    bFormat.set(view, 0);
    bInternal.set(view, 0);
    const srcShape = bShape.get(src);
    mvArray.set(mv, 0, srcShape !== 0 ? this.arrayAt(src, 0) : bLen.get(src));
    mvArray.set(mv, ndim, bStrides.get(src) !== 0 ? this.arrayAt(src, 1) : 1);
    this.initFlags(mv);
    this.rt.incref(mbuf);
    mvMbuf.set(mv, mbuf);
    mbExports.set(mbuf, mbExports.get(mbuf) + 1);
    return mv;
  }

  /** shape[0] (which 0) or strides[0] (which 1) of a view's buffer (src: a view inside a memoryview). */
  private arrayAt(src: number, which: 0 | 1): number {
    return mvArray.get(src - VIEW, which);
  }

  /** init_flags for one dimension: contiguous when one item or a stride of the item size. */
  private initFlags(mv: number): void {
    const contiguous = mvArray.get(mv, 0) <= 1 || mvArray.get(mv, 1) === 1;
    mvFlags.set(mv, contiguous ? MEMORYVIEW_C | MEMORYVIEW_FORTRAN : 0);
  }

  /** CHECK_RELEASED: the view or its managed buffer was released. */
  private checkReleased(mv: number): void {
    if ((mvFlags.get(mv) & MEMORYVIEW_RELEASED) !== 0 || (mbFlags.get(mvMbuf.get(mv)) & MANAGED_BUFFER_RELEASED) !== 0) {
      raise('ValueError', 'operation forbidden on released memoryview object');
    }
  }

  private checkView(mv: number, what: string): void {
    if (!this.check(mv)) throw new InvalidArgumentError(`memoryview.${what}: expected a memoryview, got ${describe(mv)}`);
  }

  /** Whether the view was released (memoryview.release, `with`, or its managed buffer's release). */
  isReleased(mv: number): boolean {
    this.checkView(mv, 'released');
    return (mvFlags.get(mv) & MEMORYVIEW_RELEASED) !== 0 || (mbFlags.get(mvMbuf.get(mv)) & MANAGED_BUFFER_RELEASED) !== 0;
  }

  /** The view's exporter, bytes and shape (checked not released). */
  info(mv: number): ViewInfo {
    this.checkView(mv, 'info');
    this.checkReleased(mv);
    const view = mv + VIEW;
    return { obj: bObj.get(view), buf: bBuf.get(view), length: mvArray.get(mv, 0), stride: mvArray.get(mv, 1), readonly: bReadonly.get(view) !== 0 };
  }

  /** The view's bytes as a copy (tobytes). */
  toBytes(mv: number): Uint8Array {
    const { buf, length, stride } = this.info(mv);
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = byteAt.get(buf + i * stride, 0);
    return out;
  }

  /** memory_item for format 'B': the byte at index i (negative from the end), or IndexError. */
  getItem(mv: number, i: number): number {
    const { buf, length, stride } = this.info(mv);
    return byteAt.get(buf + this.index(i, length) * stride, 0);
  }

  /** memory_ass_sub with an index: stores byte v (0..255) at i of a writable view. */
  setItem(mv: number, i: number, v: number): void {
    const { buf, length, stride, readonly } = this.info(mv);
    if (readonly) raise('TypeError', 'cannot modify read-only memory');
    const k = this.index(i, length);
    if (!(Number.isInteger(v) && v >= 0 && v <= 255)) raise('ValueError', "memoryview: invalid value for format 'B'");
    byteAt.set(buf + k * stride, 0, v);
  }

  /** memory_ass_sub with a slice (start, step, slicelength as PySlice_AdjustIndices gave): the bytes of src, same length. */
  setSlice(mv: number, start: number, step: number, slicelength: number, src: Uint8Array): void {
    const { buf, stride, readonly } = this.info(mv);
    if (readonly) raise('TypeError', 'cannot modify read-only memory');
    if (src.length !== slicelength) raise('ValueError', 'memoryview assignment: lvalue and rvalue have different structures');
    const bytes = src.slice();
    for (let k = 0; k < slicelength; k++) byteAt.set(buf + (start + k * step) * stride, 0, bytes[k]!);
  }

  private index(i: number, length: number): number {
    const k = i < 0 ? i + length : i;
    if (!(k >= 0 && k < length)) raise('IndexError', 'index out of bounds on dimension 1');
    return k;
  }

  /**
   * memory_subscript with a slice: a new view of the same managed buffer
   * (mbuf_add_view, then init_slice: buf advanced by start strides, shape
   * the slice length, stride times step; init_len). New reference.
   */
  slice(mv: number, start: number, step: number, slicelength: number): number {
    this.info(mv);
    const s = this.addView(mvMbuf.get(mv), mv + VIEW);
    const view = s + VIEW;
    const stride = mvArray.get(s, 1);
    bBuf.set(view, bBuf.get(view) + stride * start);
    mvArray.set(s, 0, slicelength);
    mvArray.set(s, 1, stride * step);
    bLen.set(view, slicelength * bItemsize.get(view));
    this.initFlags(s);
    return s;
  }

  /** memory_hash: _Py_HashBytes of the bytes, cached; a writable view is unhashable (ValueError). */
  hash(mv: number): number {
    const { readonly } = this.info(mv);
    if (!readonly) raise('ValueError', 'cannot hash writable memoryview object');
    return readHashField(MV_HASH, mv) ?? storeHashBytes(MV_HASH, mv, this.toBytes(mv));
  }

  /** hash(mv) as its exact signed 64-bit Py_hash_t. */
  hash64(mv: number): bigint {
    this.hash(mv);
    return readHashField64(MV_HASH, mv);
  }

  /** Whether the view's bytes are contiguous (c_contiguous, f_contiguous, contiguous). */
  contiguous(mv: number): boolean {
    this.info(mv);
    return (mvFlags.get(mv) & MEMORYVIEW_C) !== 0;
  }

  /**
   * _memory_release: marks the view released and releases the exporter's
   * buffer when it was the managed buffer's last view (memoryview.release()
   * and __exit__).
   */
  release(mv: number): void {
    this.checkView(mv, 'release');
    if ((mvFlags.get(mv) & MEMORYVIEW_RELEASED) !== 0) return;
    mvFlags.set(mv, mvFlags.get(mv) | MEMORYVIEW_RELEASED);
    const mbuf = mvMbuf.get(mv);
    const n = mbExports.get(mbuf) - 1;
    mbExports.set(mbuf, n);
    if (n === 0) this.mbufRelease(mbuf);
  }

  /** mbuf_release: PyBuffer_Release(&master) once (the exporter's releasebuffer, then its reference). */
  private mbufRelease(mbuf: number): void {
    if ((mbFlags.get(mbuf) & MANAGED_BUFFER_RELEASED) !== 0) return;
    mbFlags.set(mbuf, mbFlags.get(mbuf) | MANAGED_BUFFER_RELEASED);
    this.rt.gcUntrack(mbuf);
    const master = mbuf + MASTER;
    const obj = bObj.get(master);
    if (obj === 0) return;
    if (this.interp.bytearray.checkExact(obj)) this.interp.bytearray.releaseBuffer(obj);
    bObj.set(master, 0);
    this.rt.decref(obj);
  }

  private mbufDealloc(mbuf: number): void {
    this.mbufRelease(mbuf);
    this.rt.gcDel(mbuf);
  }

  private mbufTraverse(mbuf: number, visit: Visit): number {
    const obj = bObj.get(mbuf + MASTER);
    return obj !== 0 ? visit(obj) : 0;
  }

  /** memory_dealloc: untrack, release, drop the managed buffer, clear weakrefs, free. */
  private memoryDealloc(mv: number): void {
    this.rt.gcUntrack(mv);
    this.memoryClear(mv);
    if (mvWeakreflist.get(mv) !== 0) this.interp.weakref.clearWeakrefs(mv);
    this.rt.gcDel(mv);
  }

  /** memory_clear: _memory_release, Py_CLEAR(mbuf). */
  private memoryClear(mv: number): void {
    if (mvMbuf.get(mv) === 0) return;
    this.release(mv);
    const mbuf = mvMbuf.get(mv);
    mvMbuf.set(mv, 0);
    this.rt.decref(mbuf);
  }

  private memoryTraverse(mv: number, visit: Visit): number {
    const mbuf = mvMbuf.get(mv);
    return mbuf !== 0 ? visit(mbuf) : 0;
  }
}
