/*
 * float (Objects/floatobject.c, Python/pyhash.c, CPython 3.11).
 *
 * PyFloatObject, from PyObject_Malloc:
 *
 * PyFloatObject, 24 bytes:
 *    0  16  PyObject  ob_base  the object header
 *   16  8   double    ob_fval  the value
 *
 * The free list (struct _Py_float_state): float_dealloc keeps up to
 * PyFloat_MAXFREELIST = 100 dead floats, threaded through their ob_type
 * field, and PyFloat_FromDouble pops the most recent one before it asks
 * PyObject_Malloc. Invariants: numfree == length of the chain from freeList
 * <= 100; a float on the list has ob_refcnt 0 and still owns its block, so
 * the OBJ domain counts numfree more 24-byte blocks than there are live floats.
 */
import { debugAllocatorStats } from '../../allocator/stats.js';
import { InvalidArgumentError, describe } from '../../errors.js';
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, obType, PyObject } from '../layout.js';
import * as layout from '../layout.js';
import * as pointer from '../../allocator/pointer.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_BASETYPE, Py_TPFLAGS_LONG_SUBCLASS, type PyTypeObject } from '../type.js';
import { PyHASH_BITS, PyHASH_MODULUS } from './long.js';
import { hashPointer } from './singletons.js';

// V8 loads an imported binding from its module cell, with a TDZ check, at every use; a module's
// own top-level consts it folds into the optimized code. So the hot paths' constants are local copies.
const { OB_TYPE_F64 } = layout;
const { SMALL_LIMIT } = pointer;

/** PyFloatObject. */
export const PyFloatObject = declareObjectStruct({
  name: 'PyFloatObject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'ob_fval', type: 'f64', meaning: 'the value' },
  ],
});
const obFval = PyFloatObject.field('ob_fval');
/** offsetof(PyFloatObject, ob_fval). */
export const OB_FVAL = obFval.offset;
/** ob_fval as an f64 word offset from the object's (as layout.ts's word constants). */
const OB_FVAL_F64 = OB_FVAL >>> 3;
/** sizeof(PyFloatObject). */
export const SIZEOF_PYFLOATOBJECT = PyFloatObject.size;
/** PyFloat_MAXFREELIST. */
// MAXFREELIST and the like: local consts, as an exported const is a module cell V8 loads at every use.
const MAXFREELIST = 100;
export const PyFloat_MAXFREELIST = MAXFREELIST;
/** _PyHASH_INF: the hash of float('inf'). */
export const PyHASH_INF = 314159n;

// frexp by the bits of the double (little-endian: word 1 holds sign and exponent).
const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);

/** frexp(v): [m, e] with v = m * 2**e and 0.5 <= |m| < 1 (v finite and non-zero). */
function frexp(v: number): [number, number] {
  scratch[0] = v;
  let biased = (scratchWords[1]! >>> 20) & 0x7ff;
  let adjust = 0;
  if (biased === 0) {
    // Subnormal: scale into the normal range first.
    scratch[0] = v * 2 ** 64;
    biased = (scratchWords[1]! >>> 20) & 0x7ff;
    adjust = 64;
  }
  // Keep sign and mantissa, set the exponent of [0.5, 1).
  scratchWords[1] = (scratchWords[1]! & 0x800fffff) | (1022 << 20);
  return [scratch[0]!, biased - 1022 - adjust];
}

/**
 * _Py_HashDouble(inst, v) as an exact Py_hash_t: the value as a fraction
 * reduced modulo 2**61 - 1 (so equal ints, floats and complexes hash alike);
 * ±inf are ±314159, NaN hashes by the address of `inst`.
 */
export function hashDouble(inst: number, v: number): bigint {
  if (!Number.isFinite(v)) {
    if (v === Infinity) return PyHASH_INF;
    if (v === -Infinity) return -PyHASH_INF;
    return BigInt(hashPointer(inst));
  }
  if (v === 0) return 0n;
  let [m, e] = frexp(v);
  let sign = 1n;
  if (m < 0) {
    sign = -1n;
    m = -m;
  }
  // Process 28 bits at a time.
  let x = 0n;
  while (m !== 0) {
    x = ((x << 28n) & PyHASH_MODULUS) | (x >> (PyHASH_BITS - 28n));
    m *= 268435456.0;
    e -= 28;
    const y = Math.trunc(m);
    m -= y;
    x += BigInt(y);
    if (x >= PyHASH_MODULUS) x -= PyHASH_MODULUS;
  }
  // Adjust for the exponent, first reduced modulo _PyHASH_BITS.
  const bits = Number(PyHASH_BITS);
  e = e >= 0 ? e % bits : bits - 1 - ((-1 - e) % bits);
  x = ((x << BigInt(e)) & PyHASH_MODULUS) | (x >> (PyHASH_BITS - BigInt(e)));
  x *= sign;
  return x === -1n ? -2n : x;
}


/** fromNumber's error (out of line: V8 inlines by bytecode size). */
function notANumber(x: unknown): InvalidArgumentError {
  return new InvalidArgumentError(`a float needs a number, got ${describe(x)}`);
}

/** float: its type and free list. */
export class FloatModule {
  /** PyFloat_Type. */
  readonly type: PyTypeObject;
  /** state->free_list: the most recently freed float (0: empty). */
  private freeList = 0;
  /** state->numfree. */
  private numfree = 0;
  private readonly rt: Runtime;
  /** The ob_type word of float (initWord's). */
  private readonly typeWord: number;

  constructor(readonly interp: Interpreter) {
    this.rt = interp.rt;
    this.type = this.rt.registerType({
      name: 'float',
      basicsize: SIZEOF_PYFLOATOBJECT,
      itemsize: 0,
      flags: Py_TPFLAGS_BASETYPE,
      layout: PyFloatObject,
      dealloc: (_r, op) => this.floatDealloc(op),
      hash: (_r, op) => this.floatHash(op),
      hash64: (_r, op) => hashDouble(op, obFval.get(op)),
      eq: (_r, a, b) => this.richcompareEq(a, b),
      toJS: (_r, op) => obFval.get(op),
    });
    this.typeWord = this.rt.typeWord(this.type);
  }

  /** PyFloat_FromDouble: a new reference, from the free list when it has one. */
  fromNumber(x: number): number {
    if (typeof x !== 'number') throw notANumber(x);
    const rt = this.rt;
    let op = this.freeList;
    if (op !== 0) {
      this.freeList = op < SMALL_LIMIT ? rt.f64[(op >>> 3) + OB_TYPE_F64]! : obType.get(op);
      this.numfree--;
    } else {
      op = rt.objectMalloc(SIZEOF_PYFLOATOBJECT);
    }
    rt.initWord(op, this.typeWord);
    if (op < SMALL_LIMIT) rt.f64[(op >>> 3) + OB_FVAL_F64] = x;
    else obFval.set(op, x);
    return op;
  }

  /** PyFloat_AS_DOUBLE, after checking op is a float. */
  value(op: number): number {
    if (op === 0 || this.rt.typeOf(op) !== this.type) {
      throw new InvalidArgumentError(`expected a float, got ${op === 0 ? 'NULL' : `a ${this.rt.typeOf(op).name}`}`);
    }
    return obFval.get(op);
  }

  /** state->numfree: floats kept on the free list. */
  freeListSize(): number {
    return this.numfree;
  }

  /** The floats on the free list, most recently freed first (read only: for reports of what holds blocks). */
  freeListEntries(): number[] {
    const out: number[] = [];
    for (let f = this.freeList; f !== 0; f = obType.get(f)) out.push(f);
    return out;
  }

  /** _PyFloat_ClearFreeList: gives every float on the free list back to PyObject_Free. */
  clearFreeList(): void {
    let f = this.freeList;
    while (f !== 0) {
      const next = obType.get(f);
      this.rt.objectFree(f);
      f = next;
    }
    this.freeList = 0;
    this.numfree = 0;
  }

  /** _PyFloat_DebugMallocStats: the "free PyFloatObjects" line of sys._debugmallocstats(). */
  debugMallocStats(): string {
    return debugAllocatorStats('free PyFloatObject', this.numfree, SIZEOF_PYFLOATOBJECT);
  }

  /** float_dealloc / _PyFloat_ExactDealloc: onto the free list unless it holds 100 already. */
  private floatDealloc(op: number): void {
    if (this.numfree >= MAXFREELIST) {
      this.rt.objectDel(op);
      return;
    }
    this.numfree++;
    // Py_SET_TYPE(op, (PyTypeObject *)state->free_list).
    if (op < SMALL_LIMIT) this.rt.f64[(op >>> 3) + OB_TYPE_F64] = this.freeList;
    else obType.set(op, this.freeList);
    this.freeList = op;
  }

  /** float_hash: _Py_HashDouble (integral values below 2**53 hash as the int they equal). */
  private floatHash(op: number): number {
    const v = obFval.get(op);
    if (Number.isSafeInteger(v)) return v === -1 ? -2 : v === 0 ? 0 : v;
    return Number(hashDouble(op, v));
  }

  /** float_richcompare(a, b, Py_EQ): with floats, ints (exactly) and complexes (reflected). */
  private richcompareEq(a: number, b: number): boolean {
    const v = obFval.get(a);
    const tb = this.rt.typeOf(b);
    if (tb === this.type) return v === obFval.get(b);
    if ((tb.flags & Py_TPFLAGS_LONG_SUBCLASS) !== 0) return this.interp.long.eqDouble(b, v);
    if (tb === this.interp.complex.type) {
      const c = this.interp.complex.parts(b);
      return c.imag === 0 && c.real === v;
    }
    return false;
  }
}
