/*
 * range and its iterators (Objects/rangeobject.c, CPython 3.11).
 *
 * rangeobject, from PyObject_New. range is not a GC type (it can only hold
 * ints), so there is no PyGC_Head:
 *
 * rangeobject, 48 bytes:
 *    0  16  PyObject    ob_base  the object header
 *   16  8   PyObject *  start    an exact int (PyNumber_Index of the argument), owned
 *   24  8   PyObject *  stop     owned
 *   32  8   PyObject *  step     owned, never zero
 *   40  8   PyObject *  length   owned: len(range) as an int (compute_range_length)
 *
 * rangeiterobject (range_iterator), from PyObject_New, made by range_iter
 * when start, stop, step and the length all fit a C long (fast_range_iter);
 * the fields are C longs (64-bit, stored exactly):
 *
 * rangeiterobject, 48 bytes:
 *    0  16  PyObject  ob_base  the object header
 *   16  8   long      index    items returned so far
 *   24  8   long      start    the first item
 *   32  8   long      step     the difference between items
 *   40  8   long      len      items in all
 *
 * longrangeiterobject (longrange_iterator), from PyObject_New, for every
 * other range: the same four fields as owned ints:
 *
 * longrangeiterobject, 48 bytes:
 *    0  16  PyObject    ob_base  the object header
 *   16  8   PyObject *  index    items returned so far, an owned int
 *   24  8   PyObject *  start    owned int
 *   32  8   PyObject *  step     owned int
 *   40  8   PyObject *  len      owned int: items in all
 *
 * Invariants: start, stop, step and length are exact ints for the range's
 * whole life and released by range_dealloc; length == max(0,
 * ceil((stop - start) / step)); a range_iterator has 0 <= index <= len and
 * start + len * step never overflows a C long (range_iter checks it);
 * neither object is tracked, and only the long iterator owns references.
 *
 * The ints CPython's PyNumber_* calls create here (the temporaries of
 * compute_range_length, longrangeiter_next's products) are made as new ints
 * of their values, in the same order, and released where CPython releases
 * them; x_add and x_mul may reserve one digit more than the value keeps,
 * which these blocks do not.
 */
import { type Words } from '../../struct.js';
import { InvalidArgumentError, describe } from '../../errors.js';
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, type ObjectValidationContext, obSize, PyObject } from '../layout.js';
import type { Runtime } from '../runtime.js';
import type { PyTypeObject } from '../type.js';

/** rangeobject. */
export const rangeobject = declareObjectStruct({
  name: 'rangeobject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'start', type: 'ptr', ctype: 'PyObject *', meaning: 'an exact int (PyNumber_Index of the argument), owned' },
    { name: 'stop', type: 'ptr', ctype: 'PyObject *', meaning: 'owned' },
    { name: 'step', type: 'ptr', ctype: 'PyObject *', meaning: 'owned, never zero' },
    { name: 'length', type: 'ptr', ctype: 'PyObject *', meaning: 'owned: len(range) as an int (compute_range_length)' },
  ],
});
/** rangeiterobject. */
export const rangeiterobject = declareObjectStruct({
  name: 'rangeiterobject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'index', type: 'i64', ctype: 'long', meaning: 'items returned so far' },
    { name: 'start', type: 'i64', ctype: 'long', meaning: 'the first item' },
    { name: 'step', type: 'i64', ctype: 'long', meaning: 'the difference between items' },
    { name: 'len', type: 'i64', ctype: 'long', meaning: 'items in all' },
  ],
  check: (it, _ctx: ObjectValidationContext, fail) => {
    const index = riIndex.get(it);
    const len = riLen.get(it);
    if (!(index >= 0 && index <= len)) fail('index', `0 <= ${index} <= len ${len} does not hold`);
  },
});
/** longrangeiterobject. */
export const longrangeiterobject = declareObjectStruct({
  name: 'longrangeiterobject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'index', type: 'ptr', ctype: 'PyObject *', meaning: 'items returned so far, an owned int' },
    { name: 'start', type: 'ptr', ctype: 'PyObject *', meaning: 'owned int' },
    { name: 'step', type: 'ptr', ctype: 'PyObject *', meaning: 'owned int' },
    { name: 'len', type: 'ptr', ctype: 'PyObject *', meaning: 'owned int: items in all' },
  ],
});
const rStart = rangeobject.field('start');
const rStop = rangeobject.field('stop');
const rStep = rangeobject.field('step');
const rLength = rangeobject.field('length');
const riIndex = rangeiterobject.field('index');
const riStart = rangeiterobject.field('start');
const riStep = rangeiterobject.field('step');
const riLen = rangeiterobject.field('len');
const riIndexWords = rangeiterobject.words('index');
const riStartWords = rangeiterobject.words('start');
const riStepWords = rangeiterobject.words('step');
const riLenWords = rangeiterobject.words('len');
const lriIndex = longrangeiterobject.field('index');
const lriStart = longrangeiterobject.field('start');
const lriStep = longrangeiterobject.field('step');
const lriLen = longrangeiterobject.field('len');
/** sizeof(rangeobject). */
export const SIZEOF_RANGEOBJECT = rangeobject.size;
/** sizeof(rangeiterobject) and sizeof(longrangeiterobject). */
export const SIZEOF_RANGEITEROBJECT = rangeiterobject.size;

/** LONG_MAX and LONG_MIN of the modelled platform (LP64). */
const LONG_MAX = (1n << 63n) - 1n;
const LONG_MIN = -(1n << 63n);

/** A C long field, exactly. */
function cLongAt(f: Words, op: number): bigint {
  return BigInt.asIntN(64, (BigInt(f.hi.get(op)) << 32n) | BigInt(f.lo.get(op)));
}
function setCLong(f: Words, op: number, v: bigint): void {
  const u = BigInt.asUintN(64, v);
  f.lo.set(op, Number(u & 0xffffffffn));
  f.hi.set(op, Number(u >> 32n));
}

/** get_len_of_range(lo, hi, step) in unsigned long arithmetic (the operands fit a C long). */
function getLenOfRange(lo: bigint, hi: bigint, step: bigint): bigint {
  if (step > 0n && lo < hi) return 1n + (hi - 1n - lo) / step;
  if (step < 0n && lo > hi) return 1n + (lo - 1n - hi) / -step;
  return 0n;
}

/** A range's fields (borrowed references). */
export interface RangeFields {
  start: number;
  stop: number;
  step: number;
  length: number;
}

/** range, range_iterator and longrange_iterator. */
export class RangeModule {
  /** PyRange_Type. */
  readonly type: PyTypeObject;
  /** PyRangeIter_Type. */
  readonly iterType: PyTypeObject;
  /** PyLongRangeIter_Type. */
  readonly longIterType: PyTypeObject;
  private readonly rt: Runtime;

  constructor(readonly interp: Interpreter) {
    const rt = (this.rt = interp.rt);
    this.type = rt.registerType({
      name: 'range',
      basicsize: SIZEOF_RANGEOBJECT,
      itemsize: 0,
      flags: 0,
      layout: rangeobject,
      dealloc: (_r, op) => this.rangeDealloc(op),
      hash: (_r, op) => Number(this.rangeHash(op)),
      hash64: (_r, op) => this.rangeHash(op),
      eq: (_r, a, b) => this.rangeEquals(a, b),
      toJS: (_r, op) => {
        const long = this.interp.long;
        const f = this.fields(op);
        return { start: long.toJS(f.start), stop: long.toJS(f.stop), step: long.toJS(f.step) };
      },
    });
    this.iterType = rt.registerType({
      name: 'range_iterator',
      basicsize: SIZEOF_RANGEITEROBJECT,
      itemsize: 0,
      flags: 0,
      layout: rangeiterobject,
      // PyRangeIter_Type's tp_dealloc is PyObject_Del: it holds no references.
      dealloc: (r, op) => r.objectDel(op),
    });
    this.longIterType = rt.registerType({
      name: 'longrange_iterator',
      basicsize: SIZEOF_RANGEITEROBJECT,
      itemsize: 0,
      flags: 0,
      layout: longrangeiterobject,
      dealloc: (_r, op) => this.longrangeiterDealloc(op),
    });
  }

  /** PyRange_Check. */
  check(op: number): boolean {
    return typeof op === 'number' && op !== 0 && this.rt.typeOrNull(op) === this.type;
  }

  // --- range -------------------------------------------------------------------------------

  /**
   * range(stop) / range(start, stop[, step]) — range_vectorcall /
   * range_from_array: each argument (borrowed) through PyNumber_Index, a
   * missing start 0 and step 1, then make_range_object (the length first,
   * then the object). New reference. Throws InvalidArgumentError as Python's
   * TypeError (wrong count, not an integer) or ValueError (step 0).
   */
  vectorcall(args: readonly number[]): number {
    const rt = this.rt;
    if (!Array.isArray(args)) throw new InvalidArgumentError(`range(): expected an array of arguments, got ${describe(args)}`);
    const nargs = args.length;
    if (nargs === 0) throw new InvalidArgumentError('TypeError: range expected at least 1 argument, got 0');
    if (nargs > 3) throw new InvalidArgumentError(`TypeError: range expected at most 3 arguments, got ${nargs}`);
    let start: number;
    let stop: number;
    let step: number;
    if (nargs === 1) {
      stop = this.numberIndex(args[0]!);
      start = this.interp.long.fromNumber(0);
      step = this.interp.long.fromNumber(1);
    } else {
      start = this.numberIndex(args[0]!);
      try {
        stop = this.numberIndex(args[1]!);
      } catch (e) {
        rt.decref(start);
        throw e;
      }
      try {
        step = this.validateStep(nargs === 3 ? args[2]! : 0);
      } catch (e) {
        rt.decref(start);
        rt.decref(stop);
        throw e;
      }
    }
    try {
      return this.makeRangeObject(start, stop, step);
    } catch (e) {
      // Failed to create the object: release the attributes.
      rt.decref(start);
      rt.decref(stop);
      rt.decref(step);
      throw e;
    }
  }

  /** The range's start, stop, step and length (borrowed). */
  fields(r: number): RangeFields {
    this.checkRange(r, 'range fields');
    return { start: rStart.get(r), stop: rStop.get(r), step: rStep.get(r), length: rLength.get(r) };
  }

  /** len(r) (range_length: PyLong_AsSsize_t of the length). Throws for a length past what a number holds exactly. */
  length(r: number): number {
    this.checkRange(r, 'len(range)');
    const n = this.interp.long.toBigInt(rLength.get(r));
    if (n > LONG_MAX) throw new InvalidArgumentError('OverflowError: Python int too large to convert to C ssize_t');
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidArgumentError(`range length ${n} is past what a JavaScript number holds exactly`);
    return Number(n);
  }

  // --- iterators ---------------------------------------------------------------------------

  /**
   * iter(r) (range_iter): a range_iterator when start, stop, step and the
   * length fit a C long and start + len * step cannot overflow one
   * (fast_range_iter), else a longrange_iterator holding the range's ints.
   * New reference.
   */
  iter(r: number): number {
    this.checkRange(r, 'iter(range)');
    const long = this.interp.long;
    const start = long.toBigInt(rStart.get(r));
    const stop = long.toBigInt(rStop.get(r));
    const step = long.toBigInt(rStep.get(r));
    const fits = (v: bigint) => v >= LONG_MIN && v <= LONG_MAX;
    if (fits(start) && fits(stop) && fits(step)) {
      const ulen = getLenOfRange(start, stop, step);
      const overflow = ulen > LONG_MAX || (ulen !== 0n && (step > 0n ? stop > LONG_MAX - (step - 1n) : stop < LONG_MIN + (-1n - step)));
      if (!overflow) return this.fastRangeIter(start, step, ulen);
    }
    // long_range.
    const it = this.rt.newObject(this.longIterType);
    const zero = long.fromNumber(0);
    lriStart.set(it, rStart.get(r));
    lriStep.set(it, rStep.get(r));
    lriLen.set(it, rLength.get(r));
    lriIndex.set(it, zero);
    this.rt.incref(lriStart.get(it));
    this.rt.incref(lriStep.get(it));
    this.rt.incref(lriLen.get(it));
    return it;
  }

  /**
   * reversed(r) (range_reverse): range(start + (n-1)*step, start - step, -step)
   * iterated — a range_iterator when start, stop, step, -step, start - step
   * and the length fit a C long, else a longrange_iterator whose start is
   * start + (len - 1) * step and step -step. New reference.
   */
  reverse(r: number): number {
    this.checkRange(r, 'reversed(range)');
    const long = this.interp.long;
    const start = long.toBigInt(rStart.get(r));
    const stop = long.toBigInt(rStop.get(r));
    const step = long.toBigInt(rStep.get(r));
    const fits = (v: bigint) => v >= LONG_MIN && v <= LONG_MAX;
    if (fits(start) && fits(stop) && fits(step) && step !== LONG_MIN && fits(start - step)) {
      const ulen = getLenOfRange(start, stop, step);
      if (ulen <= LONG_MAX) {
        const newStop = start - step;
        return this.fastRangeIter(BigInt.asIntN(64, newStop + ulen * step), -step, ulen);
      }
    }
    // long_range.
    const rt = this.rt;
    const len = rLength.get(r);
    const it = this.rt.newObject(this.longIterType);
    lriLen.set(it, len);
    rt.incref(len);
    lriStart.set(it, long.fromBigInt(start + (long.toBigInt(len) - 1n) * step));
    lriStep.set(it, long.fromBigInt(-step));
    lriIndex.set(it, long.fromNumber(0));
    return it;
  }

  /**
   * next(it) — rangeiter_next / longrangeiter_next: the next int (a new
   * reference), or 0 when the iterator is exhausted (StopIteration).
   */
  next(it: number): number {
    const t = this.iterTypeOf(it, 'next');
    return t === this.iterType ? this.rangeiterNext(it) : this.longrangeiterNext(it);
  }

  /** it.__length_hint__() (rangeiter_len / longrangeiter_len): the items left. */
  lengthHint(it: number): number {
    const t = this.iterTypeOf(it, '__length_hint__');
    if (t === this.iterType) return Number(cLongAt(riLenWords, it) - cLongAt(riIndexWords, it));
    // PyNumber_Subtract(len, index): a new int, given back once read.
    const long = this.interp.long;
    const left = long.fromBigInt(long.toBigInt(lriLen.get(it)) - long.toBigInt(lriIndex.get(it)));
    try {
      const n = long.toBigInt(left);
      if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidArgumentError(`length hint ${n} is past what a JavaScript number holds exactly`);
      return Number(n);
    } finally {
      this.rt.decref(left);
    }
  }

  // --- internals -----------------------------------------------------------------------------

  /**
   * PyNumber_Index(op): an exact int comes back as a new reference to
   * itself; a subclass (bool) is copied to an exact int (_PyLong_Copy);
   * anything else is Python's TypeError.
   */
  private numberIndex(op: number): number {
    if (typeof op !== 'number' || op === 0 || !Number.isInteger(op)) {
      throw new InvalidArgumentError(`range(): the arguments must be int objects, got ${op === 0 ? 'NULL' : describe(op)}`);
    }
    const long = this.interp.long;
    if (!long.check(op)) throw new InvalidArgumentError(`TypeError: '${this.rt.typeOf(op).name}' object cannot be interpreted as an integer`);
    if (this.rt.typeOf(op) === long.type) {
      this.rt.incref(op);
      return op;
    }
    return long.fromBigInt(long.toBigInt(op));
  }

  /** validate_step: 1 when there is none, else PyNumber_Index of it, which must not be zero. New reference. */
  private validateStep(step: number): number {
    if (step === 0) return this.interp.long.fromNumber(1);
    const s = this.numberIndex(step);
    if (obSize.get(s) === 0) {
      this.rt.decref(s);
      throw new InvalidArgumentError('ValueError: range() arg 3 must not be zero');
    }
    return s;
  }

  /** make_range_object: steals start, stop and step once it succeeds (the caller releases them when it throws). */
  private makeRangeObject(start: number, stop: number, step: number): number {
    const length = this.computeRangeLength(start, stop, step);
    let obj: number;
    try {
      obj = this.rt.newObject(this.type);
    } catch (e) {
      this.rt.decref(length);
      throw e;
    }
    rStart.set(obj, start);
    rStop.set(obj, stop);
    rStep.set(obj, step);
    rLength.set(obj, length);
    return obj;
  }

  /**
   * compute_range_length: with lo, hi the bounds in the step's direction
   * (and the step negated when negative), 0 when lo >= hi, else
   * (hi - lo - 1) // step + 1, each operation a new int. New reference.
   */
  private computeRangeLength(start: number, stop: number, step: number): number {
    const rt = this.rt;
    const long = this.interp.long;
    let lo: number;
    let hi: number;
    let s: number;
    if (obSize.get(step) > 0) {
      lo = start;
      hi = stop;
      rt.incref(step);
      s = step;
    } else {
      lo = stop;
      hi = start;
      s = long.fromBigInt(-long.toBigInt(step)); // PyNumber_Negative
    }
    const vlo = long.toBigInt(lo);
    const vhi = long.toBigInt(hi);
    if (vlo >= vhi) {
      rt.decref(s);
      return long.fromNumber(0);
    }
    const vs = long.toBigInt(s);
    let tmp1 = 0;
    let diff = 0;
    let tmp2 = 0;
    try {
      tmp1 = long.fromBigInt(vhi - vlo);
      diff = long.fromBigInt(vhi - vlo - 1n);
      // Both operands are positive: floor division is BigInt division.
      tmp2 = long.fromBigInt((vhi - vlo - 1n) / vs);
      const result = long.fromBigInt((vhi - vlo - 1n) / vs + 1n);
      rt.decref(tmp2);
      rt.decref(diff);
      rt.decref(s);
      rt.decref(tmp1);
      return result;
    } catch (e) {
      rt.decref(s);
      rt.xdecref(tmp2);
      rt.xdecref(diff);
      rt.xdecref(tmp1);
      throw e;
    }
  }

  /** range_dealloc: the four ints, then PyObject_Del. */
  private rangeDealloc(op: number): void {
    const rt = this.rt;
    rt.decref(rStart.get(op));
    rt.decref(rStop.get(op));
    rt.decref(rStep.get(op));
    rt.decref(rLength.get(op));
    rt.objectDel(op);
  }

  /**
   * range_hash: hash((len, None, None)) when empty, hash((len, start, None))
   * for one item, else hash((len, start, step)) — through a real 3-tuple.
   */
  private rangeHash(op: number): bigint {
    const { tuple, long, singletons } = this.interp;
    const f = this.fields(op);
    const n = long.toBigInt(f.length);
    const t = tuple.pack(n === 0n ? [f.length, singletons.None, singletons.None] : [f.length, f.start, n === 1n ? singletons.None : f.step]);
    try {
      return this.interp.hash64(t);
    } finally {
      this.rt.decref(t);
    }
  }

  /** range_richcompare(a, b, Py_EQ) / range_equals: same length; if not empty, same start; if more than one item, same step. */
  private rangeEquals(a: number, b: number): boolean {
    if (!this.check(b)) return false;
    if (a === b) return true;
    const long = this.interp.long;
    const r0 = this.fields(a);
    const r1 = this.fields(b);
    const n = long.toBigInt(r0.length);
    if (n !== long.toBigInt(r1.length)) return false;
    if (n === 0n) return true;
    if (long.toBigInt(r0.start) !== long.toBigInt(r1.start)) return false;
    if (n === 1n) return true;
    return long.toBigInt(r0.step) === long.toBigInt(r1.step);
  }

  /** fast_range_iter(start, stop, step, len). */
  private fastRangeIter(start: bigint, step: bigint, len: bigint): number {
    const it = this.rt.newObject(this.iterType);
    setCLong(riStartWords, it, start);
    setCLong(riStepWords, it, step);
    setCLong(riLenWords, it, len);
    setCLong(riIndexWords, it, 0n);
    return it;
  }

  /**
   * rangeiter_next: PyLong_FromLong(start + index++ * step). Numbers are
   * used while every operand and the result are exact in a double (a value
   * past 2**53 reads back as one past MAX_SAFE_INTEGER, so the test is
   * sound); otherwise C long arithmetic in BigInt.
   */
  private rangeiterNext(it: number): number {
    const index = riIndex.get(it);
    const len = riLen.get(it);
    const start = riStart.get(it);
    const step = riStep.get(it);
    const S = Number.MAX_SAFE_INTEGER;
    if (index <= S && Math.abs(start) <= S && Math.abs(step) <= S) {
      // A len past 2**53 is larger than any index reached.
      if (len <= S && index >= len) return 0;
      const incr = index * step;
      const v = start + incr;
      if (Number.isSafeInteger(incr) && Number.isSafeInteger(v)) {
        riIndex.set(it, index + 1);
        return this.interp.long.fromNumber(v);
      }
    }
    const bindex = cLongAt(riIndexWords, it);
    if (bindex >= cLongAt(riLenWords, it)) return 0;
    setCLong(riIndexWords, it, bindex + 1n);
    return this.interp.long.fromBigInt(BigInt.asIntN(64, cLongAt(riStartWords, it) + bindex * cLongAt(riStepWords, it)));
  }

  /** longrangeiter_next: index < len, then new_index = index + 1, product = index * step, result = start + product. */
  private longrangeiterNext(it: number): number {
    const rt = this.rt;
    const long = this.interp.long;
    const index = long.toBigInt(lriIndex.get(it));
    if (index >= long.toBigInt(lriLen.get(it))) return 0;
    const newIndex = long.fromBigInt(index + 1n);
    let product: number;
    try {
      product = long.fromBigInt(index * long.toBigInt(lriStep.get(it)));
    } catch (e) {
      rt.decref(newIndex);
      throw e;
    }
    let result: number;
    try {
      result = long.fromBigInt(long.toBigInt(lriStart.get(it)) + long.toBigInt(product));
    } catch (e) {
      rt.decref(product);
      rt.decref(newIndex);
      throw e;
    }
    rt.decref(product);
    // Py_SETREF(r->index, new_index).
    const old = lriIndex.get(it);
    lriIndex.set(it, newIndex);
    rt.decref(old);
    return result;
  }

  /** longrangeiter_dealloc: index, start, step, len, then PyObject_Free. */
  private longrangeiterDealloc(op: number): void {
    const rt = this.rt;
    rt.xdecref(lriIndex.get(op));
    rt.xdecref(lriStart.get(op));
    rt.xdecref(lriStep.get(op));
    rt.xdecref(lriLen.get(op));
    rt.objectDel(op);
  }

  private iterTypeOf(it: number, fn: string): PyTypeObject {
    const t = typeof it === 'number' && it !== 0 && Number.isInteger(it) ? this.rt.typeOrNull(it) : undefined;
    if (t !== this.iterType && t !== this.longIterType) {
      throw new InvalidArgumentError(`${fn}: expected a range_iterator or longrange_iterator, got ${this.describeObject(it)}`);
    }
    return t;
  }

  private checkRange(op: number, fn: string): void {
    if (!this.check(op)) throw new InvalidArgumentError(`${fn}: expected a range, got ${this.describeObject(op)}`);
  }

  private describeObject(op: unknown): string {
    if (typeof op !== 'number' || !Number.isInteger(op)) return describe(op);
    if (op === 0) return 'NULL';
    const t = this.rt.typeOrNull(op);
    return t ? `a ${t.name} object` : `${op} (not an object)`;
  }
}
