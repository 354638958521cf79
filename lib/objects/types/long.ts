/*
 * int and bool (Objects/longobject.c, Objects/boolobject.c, CPython 3.11).
 *
 * PyLongObject: a PyVarObject followed by base-2**30 digits, least
 * significant first, each in a 32-bit `digit`:
 *
 * PyLongObject, 24 bytes + the variable part:
 *    0  24   PyVarObject  ob_base     ob_size: digits, negative for a negative int
 *   24  4*n  digit        ob_digit[]  base 2**30 digits, least significant first (room for at least one)
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
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, type ObjectValidationContext, obSize, PyVarObject, roundUpPtr } from '../layout.js';
import { MAX_WALK } from '../../struct.js';
import * as pointer from '../../allocator/pointer.js';
import { RefcountError, type Runtime } from '../runtime.js';
import { Py_TPFLAGS_BASETYPE, Py_TPFLAGS_LONG_SUBCLASS, type PyTypeObject } from '../type.js';

// V8 loads an imported binding from its module cell, with a TDZ check, at every use; a module's
// own top-level consts it folds into the optimized code. So the hot paths' constants are local copies.
const { SMALL_LIMIT } = pointer;

/** PyLong_SHIFT: bits per digit. */
export const PyLong_SHIFT = 30;
/** PyLong_BASE. */
export const PyLong_BASE = 2 ** PyLong_SHIFT;
/** PyLong_MASK. */
export const PyLong_MASK = PyLong_BASE - 1;
/** PyLongObject: a PyVarObject whose |ob_size| is the digit count and whose sign is the int's. */
export const PyLongObject = declareObjectStruct({
  name: 'PyLongObject',
  fields: [{ name: 'ob_base', type: PyVarObject, meaning: 'ob_size: digits, negative for a negative int' }],
  tail: {
    name: 'ob_digit',
    type: 'u32',
    ctype: 'digit',
    meaning: 'base 2**30 digits, least significant first (room for at least one)',
    length: (op) => Math.abs(obSize.get(op)),
  },
  check: (op, _ctx: ObjectValidationContext, fail) => {
    const n = Math.abs(obSize.get(op));
    if (n > MAX_WALK) return;
    for (let i = 0; i < n; i++) {
      const d = obDigit.get(op, i);
      if (d > PyLong_MASK) fail(`ob_digit[${i}]`, `${d} is above PyLong_MASK`);
    }
    if (n > 0 && obDigit.get(op, n - 1) === 0) fail('ob_size', `${obSize.get(op)}: the top digit is 0 (not normalized)`);
  },
});
const obDigit = PyLongObject.array('ob_digit');
/** offsetof(PyLongObject, ob_digit). */
export const OB_DIGIT = obDigit.offset;
/** ob_digit[0] as a u32 word offset from the object's (for a small pointer, as layout.ts's word constants). */
const OB_DIGIT_U32 = OB_DIGIT >>> 2;
/** sizeof(digit). */
export const SIZEOF_DIGIT = obDigit.stride;
/** sizeof(PyLongObject): C's struct has room for one digit. */
export const SIZEOF_PYLONGOBJECT = roundUpPtr(OB_DIGIT + SIZEOF_DIGIT);
/** _PY_NSMALLNEGINTS: small ints from -5 ... */
// SMALL_NEG and the like: local consts, as an exported const is a module cell V8 loads at every use.
const SMALL_NEG = 5;
export const NSMALLNEGINTS = SMALL_NEG;
/** _PY_NSMALLPOSINTS: ... to 256. */
const SMALL_POS = 257;
export const NSMALLPOSINTS = SMALL_POS;
/** The count _PyObject_IMMORTAL_INIT gives the static small ints in 3.11. */
export const SMALL_INT_REFCNT = 999999999;

/** _PyHASH_BITS and _PyHASH_MODULUS (2**61 - 1). */
export const PyHASH_BITS = 61n;
export const PyHASH_MODULUS = (1n << PyHASH_BITS) - 1n;

const SHIFT_N = BigInt(PyLong_SHIFT);
const MASK_N = BigInt(PyLong_MASK);
const MAX_SAFE_N = BigInt(Number.MAX_SAFE_INTEGER);

/** fromNumber's error (out of line: V8 inlines by bytecode size). */
function notAnIntegralNumber(n: unknown): InvalidArgumentError {
  return new InvalidArgumentError(`an int needs an integral finite number, got ${describe(n)}`);
}

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
  /** The ob_type word of int (the hot paths' initVarWord). */
  private readonly typeWord: number;

  constructor(readonly interp: Interpreter) {
    const rt = (this.rt = interp.rt);
    this.type = rt.registerType({
      name: 'int',
      basicsize: OB_DIGIT,
      itemsize: SIZEOF_DIGIT,
      flags: Py_TPFLAGS_BASETYPE | Py_TPFLAGS_LONG_SUBCLASS,
      // PyLong_Type has no tp_dealloc in 3.11: object_dealloc -> tp_free = PyObject_Free.
      dealloc: (r, op) => r.objectDel(op),
      layout: PyLongObject,
      sizeof: (_r, op) => this.sizeofLong(op),
      hash: (_r, op) => this.longHash(op),
      hash64: (_r, op) => this.longHash64(op),
      eq: (_r, a, b) => this.richcompareEq(a, b),
      toJS: (_r, op) => this.toJS(op),
    });
    this.typeWord = rt.typeWord(this.type);
    this.boolType = rt.registerType({
      name: 'bool',
      basicsize: SIZEOF_PYLONGOBJECT,
      itemsize: 0,
      flags: Py_TPFLAGS_LONG_SUBCLASS,
      layout: PyLongObject,
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
    for (let v = -SMALL_NEG; v < SMALL_POS; v++) {
      const op = rt.staticObject(this.type, SIZEOF_PYLONGOBJECT, Math.sign(v));
      obDigit.set(op, 0, Math.abs(v));
      rt.setRefcnt(op, SMALL_INT_REFCNT);
      this.smallInts.push(op);
    }
    // _Py_FalseStruct and _Py_TrueStruct.
    this.False = rt.staticObject(this.boolType, SIZEOF_PYLONGOBJECT, 0);
    this.True = rt.staticObject(this.boolType, SIZEOF_PYLONGOBJECT, 1);
    obDigit.set(this.True, 0, 1);
  }

  // --- creation --------------------------------------------------------------------------

  /**
   * PyLong_FromLong (and PyLong_FromDouble beyond the range of a C long,
   * which gives the same digits): a new reference to an int equal to `n`, an
   * integral finite number. Small ints come from the cache.
   */
  fromNumber(n: number): number {
    if (typeof n !== 'number' || !Number.isInteger(n)) throw notAnIntegralNumber(n);
    if (n >= -SMALL_NEG && n < SMALL_POS) return this.getSmallInt(n);
    const abs = Math.abs(n);
    if (abs <= PyLong_MASK) return this.fromMedium(n);
    // Count digits: at least two, smaller cases were handled above.
    let ndigits = 2;
    for (let t = Math.floor(abs / 2 ** (2 * PyLong_SHIFT)); t !== 0; t = Math.floor(t / PyLong_BASE)) ++ndigits;
    const op = this.longNew(n < 0 ? -ndigits : ndigits);
    // Division by a power of two and % are exact on doubles, so these are the digits of n.
    let t = abs;
    for (let i = 0; i < ndigits; i++) {
      obDigit.set(op, i, t % PyLong_BASE);
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
    for (let i = 0; i < digits.length; i++) obDigit.set(op, i, digits[i]!);
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
    const op = this.smallInts[ival + SMALL_NEG]!;
    this.rt.incref(op);
    return op;
  }

  /** _PyLong_FromMedium(x): one digit, 0 < |x| < 2**30, in a block of sizeof(PyLongObject). */
  private fromMedium(x: number): number {
    const rt = this.rt;
    const op = rt.initVarWord(rt.objectMalloc(SIZEOF_PYLONGOBJECT), this.typeWord, x < 0 ? -1 : 1);
    if (op < SMALL_LIMIT) rt.u32[(op >>> 2) + OB_DIGIT_U32] = Math.abs(x);
    else obDigit.set(op, 0, Math.abs(x));
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

  /**
   * IS_MEDIUM_VALUE (|ob_size| <= 1): the value of such an int, NaN for a
   * bigger one. op must be an int or a bool (not checked: the evaluation
   * loop's int fast paths have just read its type).
   */
  mediumValue(op: number): number {
    const size = obSize.get(op);
    if (size === 0) return 0;
    if (size === 1) return obDigit.get(op, 0);
    if (size === -1) return -obDigit.get(op, 0);
    return Number.NaN;
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
    return obDigit.get(op, i);
  }

  /** ob_size of an int, after checking op is one. */
  private checkedSize(op: number): number {
    if (!this.check(op)) {
      throw new InvalidArgumentError(`expected an int, got ${op === 0 ? 'NULL' : `a ${this.rt.typeOf(op).name}`}`);
    }
    return obSize.get(op);
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
    return OB_DIGIT + Math.max(Math.abs(obSize.get(op)), 1) * SIZEOF_DIGIT;
  }

  /** long_hash as a number (exact below 2**53 in magnitude; longHash64 is exact). */
  private longHash(op: number): number {
    switch (obSize.get(op)) {
      case -1: {
        const d = this.digit(op, 0);
        return d === 1 ? -2 : -d;
      }
      case 0:
        return 0;
      case 1:
        return this.digit(op, 0);
    }
    return Number(this.longHash64(op));
  }

  /** long_hash: the value modulo 2**61 - 1 with the sign kept, -1 -> -2. */
  private longHash64(op: number): bigint {
    let i = obSize.get(op);
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
    return x === -1n ? -2n : x;
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
    const size = obSize.get(a);
    if (size !== obSize.get(b)) return false;
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
