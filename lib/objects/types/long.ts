/*
 * int and bool (Objects/longobject.c, Objects/boolobject.c, CPython 3.11).
 *
 * PyLongObject: a PyVarObject followed by base-2**30 digits, least
 * significant first, each in a 32-bit `digit`:
 *
 *    0  ob_refcnt  Py_ssize_t
 *    8  ob_type    PyTypeObject   int (or bool for True / False)
 *   16  ob_size    Py_ssize_t     sign * number of digits; 0 for zero
 *   24  ob_digit   digit[]        u32 each, < 2**30; the top one is non-zero
 *
 * Invariants: |ob_size| digits are significant (no leading zero digit); at
 * least one digit is allocated even for zero (_PyLong_New allocates
 * offsetof(ob_digit) + max(1, n) * 4 bytes with PyObject_Malloc), so
 * int.__sizeof__ is 24 + 4 * max(1, |ob_size|). The small ints -5..256 are
 * static objects (3.11's _PyRuntime.global_objects.singletons.small_ints, count
 * initialised to 999999999 by _PyObject_IMMORTAL_INIT) and every way of
 * making one of those values returns the cached object. True and False are
 * static PyLongObjects of type bool (ob_size 1 with digit 1, ob_size 0).
 */
import { InvalidArgumentError, describe } from '../../errors.js';
import type { Memory } from '../../allocator/memory.js';
import type { Interpreter } from '../interpreter.js';
import { OB_SIZE } from '../layout.js';
import { RefcountError, type Runtime } from '../runtime.js';
import { Py_TPFLAGS_BASETYPE, Py_TPFLAGS_LONG_SUBCLASS, type PyTypeObject } from '../type.js';

/** PyLong_SHIFT: bits per digit. */
export const PyLong_SHIFT = 30;
/** PyLong_BASE. */
export const PyLong_BASE = 2 ** PyLong_SHIFT;
/** PyLong_MASK. */
export const PyLong_MASK = PyLong_BASE - 1;
/** offsetof(PyLongObject, ob_digit). */
export const OB_DIGIT = 24;
/** sizeof(digit). */
export const SIZEOF_DIGIT = 4;
/** sizeof(PyLongObject): the header and one digit, padded to 8. */
export const SIZEOF_PYLONGOBJECT = 32;
/** _PY_NSMALLNEGINTS: small ints from -5 ... */
export const NSMALLNEGINTS = 5;
/** _PY_NSMALLPOSINTS: ... to 256. */
export const NSMALLPOSINTS = 257;
/** The count _PyObject_IMMORTAL_INIT gives the static small ints in 3.11. */
export const SMALL_INT_REFCNT = 999999999;

/** _PyHASH_BITS and _PyHASH_MODULUS (2**61 - 1). */
export const PyHASH_BITS = 61n;
export const PyHASH_MODULUS = (1n << PyHASH_BITS) - 1n;

const SHIFT_N = BigInt(PyLong_SHIFT);
const MASK_N = BigInt(PyLong_MASK);
const MAX_SAFE_N = BigInt(Number.MAX_SAFE_INTEGER);

/** int and bool: their types, the small-int cache, True and False. */
export class LongModule {
  /** PyLong_Type. */
  readonly type: PyTypeObject;
  /** PyBool_Type. */
  readonly boolType: PyTypeObject;
  /** Py_True (borrowed). */
  readonly True: number;
  /** Py_False (borrowed). */
  readonly False: number;
  /** _PyLong_SMALL_INTS: the object for v at index v + NSMALLNEGINTS. */
  private readonly smallInts: number[] = [];
  private readonly rt: Runtime;
  private readonly mem: Memory;

  constructor(readonly interp: Interpreter) {
    const rt = (this.rt = interp.rt);
    this.mem = rt.mem;
    this.type = rt.registerType({
      name: 'int',
      basicsize: OB_DIGIT,
      itemsize: SIZEOF_DIGIT,
      flags: Py_TPFLAGS_BASETYPE | Py_TPFLAGS_LONG_SUBCLASS,
      // PyLong_Type has no tp_dealloc in 3.11: object_dealloc -> tp_free = PyObject_Free.
      dealloc: (r, op) => r.objectFree(op),
      sizeof: (_r, op) => this.sizeofLong(op),
      hash: (_r, op) => this.longHash(op),
      eq: (_r, a, b) => this.richcompareEq(a, b),
      toJS: (_r, op) => this.toJS(op),
    });
    this.boolType = rt.registerType({
      name: 'bool',
      basicsize: SIZEOF_PYLONGOBJECT,
      itemsize: 0,
      flags: Py_TPFLAGS_LONG_SUBCLASS,
      // 3.11's bool inherits int's dealloc, which would free static memory;
      // the runtime refuses to deallocate True and False before it gets here.
      dealloc: () => {
        throw new RefcountError('deallocating True or False');
      },
      sizeof: (_r, op) => this.sizeofLong(op),
      hash: (_r, op) => this.longHash(op),
      eq: (_r, a, b) => this.richcompareEq(a, b),
      toJS: (_r, op) => op === this.True,
    });
    // _PyLong_SMALL_INTS, statically initialised in 3.11 (_PyLong_DIGIT_INIT).
    for (let v = -NSMALLNEGINTS; v < NSMALLPOSINTS; v++) {
      const op = rt.staticObject(this.type, SIZEOF_PYLONGOBJECT, Math.sign(v));
      this.mem.setU32(op, OB_DIGIT, Math.abs(v));
      rt.setRefcnt(op, SMALL_INT_REFCNT);
      this.smallInts.push(op);
    }
    // _Py_FalseStruct and _Py_TrueStruct.
    this.False = rt.staticObject(this.boolType, SIZEOF_PYLONGOBJECT, 0);
    this.True = rt.staticObject(this.boolType, SIZEOF_PYLONGOBJECT, 1);
    this.mem.setU32(this.True, OB_DIGIT, 1);
  }

  // --- creation --------------------------------------------------------------------------

  /**
   * PyLong_FromLong (and PyLong_FromDouble beyond the range of a C long,
   * which gives the same digits): a new reference to an int equal to `n`, an
   * integral finite number. Small ints come from the cache.
   */
  fromNumber(n: number): number {
    if (typeof n !== 'number' || !Number.isInteger(n)) {
      throw new InvalidArgumentError(`an int needs an integral finite number, got ${describe(n)}`);
    }
    if (n >= -NSMALLNEGINTS && n < NSMALLPOSINTS) return this.getSmallInt(n);
    const abs = Math.abs(n);
    if (abs <= PyLong_MASK) return this.fromMedium(n);
    // Count digits: at least two, smaller cases were handled above.
    let ndigits = 2;
    for (let t = Math.floor(abs / 2 ** (2 * PyLong_SHIFT)); t !== 0; t = Math.floor(t / PyLong_BASE)) ++ndigits;
    const op = this.longNew(n < 0 ? -ndigits : ndigits);
    // Division by a power of two and % are exact on doubles, so these are the digits of n.
    let t = abs;
    for (let i = 0; i < ndigits; i++) {
      this.mem.setU32(op, OB_DIGIT + i * SIZEOF_DIGIT, t % PyLong_BASE);
      t = Math.floor(t / PyLong_BASE);
    }
    return op;
  }

  /**
   * A new reference to an int equal to `b`: PyLong_FromLong's path for
   * values a double holds exactly, beyond that PyLong_FromLong's digit
   * counting carried to any width (exactly as many digits as the value needs).
   */
  fromBigInt(b: bigint): number {
    if (typeof b !== 'bigint') throw new InvalidArgumentError(`fromBigInt needs a bigint, got ${describe(b)}`);
    if (b >= -MAX_SAFE_N && b <= MAX_SAFE_N) return this.fromNumber(Number(b));
    const digits: number[] = [];
    for (let t = b < 0n ? -b : b; t !== 0n; t >>= SHIFT_N) digits.push(Number(t & MASK_N));
    const op = this.longNew(b < 0n ? -digits.length : digits.length);
    for (let i = 0; i < digits.length; i++) this.mem.setU32(op, OB_DIGIT + i * SIZEOF_DIGIT, digits[i]!);
    return op;
  }

  /** PyBool_FromLong: a new reference to True or False. */
  fromBool(b: boolean): number {
    if (typeof b !== 'boolean') throw new InvalidArgumentError(`fromBool needs a boolean, got ${describe(b)}`);
    const op = b ? this.True : this.False;
    this.rt.incref(op);
    return op;
  }

  /** get_small_int(ival): a new reference to the cached object. */
  private getSmallInt(ival: number): number {
    const op = this.smallInts[ival + NSMALLNEGINTS]!;
    this.rt.incref(op);
    return op;
  }

  /** _PyLong_FromMedium(x): one digit, 0 < |x| < 2**30, in a block of sizeof(PyLongObject). */
  private fromMedium(x: number): number {
    const op = this.rt.initObject(this.rt.objectMalloc(SIZEOF_PYLONGOBJECT), this.type, x < 0 ? -1 : 1);
    this.mem.setU32(op, OB_DIGIT, Math.abs(x));
    return op;
  }

  /** _PyLong_New(size): ob_size = size, room for max(1, |size|) digits (not filled). */
  private longNew(size: number): number {
    const ndigits = Math.max(1, Math.abs(size));
    return this.rt.initObject(this.rt.objectMalloc(OB_DIGIT + ndigits * SIZEOF_DIGIT), this.type, size);
  }

  // --- reading ---------------------------------------------------------------------------

  /** PyLong_Check: an int or a bool. */
  check(op: number): boolean {
    return op !== 0 && (this.rt.typeOf(op).flags & Py_TPFLAGS_LONG_SUBCLASS) !== 0;
  }

  /** The value of an int (or bool) as a bigint. */
  toBigInt(op: number): bigint {
    const size = this.checkedSize(op);
    const n = Math.abs(size);
    let r = 0n;
    for (let i = n - 1; i >= 0; i--) r = (r << SHIFT_N) | BigInt(this.digit(op, i));
    return size < 0 ? -r : r;
  }

  /** The value of an int (or bool) as a number; InvalidArgumentError when it is not a safe integer. */
  toNumber(op: number): number {
    const size = this.checkedSize(op);
    const v = this.safeValue(op, size);
    if (v === undefined) throw new InvalidArgumentError(`int too large for a safe JavaScript number (${Math.abs(size)} digits)`);
    return v;
  }

  /** toJS: a number when the value is a safe integer, else a bigint. */
  toJS(op: number): number | bigint {
    const size = this.checkedSize(op);
    return this.safeValue(op, size) ?? this.toBigInt(op);
  }

  /** Digit i of op (u32 at ob_digit[i]). */
  private digit(op: number, i: number): number {
    return this.mem.u32At(op, OB_DIGIT + i * SIZEOF_DIGIT);
  }

  /** ob_size of an int, after checking op is one. */
  private checkedSize(op: number): number {
    if (!this.check(op)) {
      throw new InvalidArgumentError(`expected an int, got ${op === 0 ? 'NULL' : `a ${this.rt.typeOf(op).name}`}`);
    }
    return this.mem.i64At(op, OB_SIZE);
  }

  /** The value as a number when it is a safe integer (at most 2 digits, the top < 2**23). */
  private safeValue(op: number, size: number): number | undefined {
    const n = Math.abs(size);
    if (n === 0) return 0;
    const sign = size < 0 ? -1 : 1;
    if (n === 1) return sign * this.digit(op, 0);
    if (n === 2) {
      const hi = this.digit(op, 1);
      if (hi < 2 ** (53 - PyLong_SHIFT)) return sign * (hi * PyLong_BASE + this.digit(op, 0));
    }
    return undefined;
  }

  // --- slots -----------------------------------------------------------------------------

  /** int___sizeof___impl: offsetof(ob_digit) + max(|ob_size|, 1) digits. */
  private sizeofLong(op: number): number {
    return OB_DIGIT + Math.max(Math.abs(this.mem.i64At(op, OB_SIZE)), 1) * SIZEOF_DIGIT;
  }

  /** long_hash: the value modulo 2**61 - 1 with the sign kept, -1 -> -2. */
  private longHash(op: number): number {
    let i = this.mem.i64At(op, OB_SIZE);
    switch (i) {
      case -1: {
        const d = this.digit(op, 0);
        return d === 1 ? -2 : -d;
      }
      case 0:
        return 0;
      case 1:
        return this.digit(op, 0);
    }
    const sign = i < 0 ? -1n : 1n;
    i = Math.abs(i);
    let x = 0n;
    while (--i >= 0) {
      // Rotate x left by PyLong_SHIFT bits modulo 2**61 - 1, then add the digit.
      x = ((x << SHIFT_N) & PyHASH_MODULUS) | (x >> (PyHASH_BITS - SHIFT_N));
      x += BigInt(this.digit(op, i));
      if (x >= PyHASH_MODULUS) x -= PyHASH_MODULUS;
    }
    x *= sign;
    return x === -1n ? -2 : Number(x);
  }

  /**
   * long_richcompare(a, b, Py_EQ), with the reflected comparisons
   * PyObject_RichCompare would try for float and complex (float_richcompare,
   * complex_richcompare): exact, as CPython compares ints with floats.
   */
  private richcompareEq(a: number, b: number): boolean {
    const tb = this.rt.typeOf(b);
    if ((tb.flags & Py_TPFLAGS_LONG_SUBCLASS) !== 0) return this.longEq(a, b);
    if (tb === this.interp.float.type) return this.eqDouble(a, this.interp.float.value(b));
    if (tb === this.interp.complex.type) {
      const c = this.interp.complex.parts(b);
      return c.imag === 0 && this.eqDouble(a, c.real);
    }
    return false;
  }

  /** long_compare(a, b) == 0: same sign and digit count, same digits. */
  private longEq(a: number, b: number): boolean {
    const size = this.mem.i64At(a, OB_SIZE);
    if (size !== this.mem.i64At(b, OB_SIZE)) return false;
    for (let i = Math.abs(size) - 1; i >= 0; i--) if (this.digit(a, i) !== this.digit(b, i)) return false;
    return true;
  }

  /** Whether the int op equals the double v exactly (float_richcompare's int branch, for ==). */
  eqDouble(op: number, v: number): boolean {
    if (!Number.isInteger(v)) return false;
    const size = this.checkedSize(op);
    const safe = this.safeValue(op, size);
    if (safe !== undefined) return safe === v;
    return !Number.isSafeInteger(v) && this.toBigInt(op) === BigInt(v);
  }
}
