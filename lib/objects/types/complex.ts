/*
 * complex (Objects/complexobject.c, CPython 3.11).
 *
 * PyComplexObject, 32 bytes from PyObject_Malloc (no free list):
 *
 *    0  ob_refcnt  Py_ssize_t
 *    8  ob_type    PyTypeObject   complex
 *   16  cval.real  double
 *   24  cval.imag  double
 *
 * Invariants: immutable after PyComplex_FromCComplex writes cval; hash and
 * == agree with int and float for values with imag == 0.
 */
import type { Memory } from '../../allocator/memory.js';
import { InvalidArgumentError, describe } from '../../errors.js';
import type { Interpreter } from '../interpreter.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_BASETYPE, Py_TPFLAGS_LONG_SUBCLASS, type PyTypeObject } from '../type.js';
import { hashDouble } from './float.js';

/** offsetof(PyComplexObject, cval.real). */
export const CVAL_REAL = 16;
/** offsetof(PyComplexObject, cval.imag). */
export const CVAL_IMAG = 24;
/** sizeof(PyComplexObject). */
export const SIZEOF_PYCOMPLEXOBJECT = 32;
/** _PyHASH_IMAG: the multiplier of the imaginary part's hash. */
export const PyHASH_IMAG = 1000003n;

/** Py_complex. */
export interface PyComplex {
  real: number;
  imag: number;
}

/** complex: its type. */
export class ComplexModule {
  /** PyComplex_Type. */
  readonly type: PyTypeObject;
  private readonly rt: Runtime;
  private readonly mem: Memory;

  constructor(readonly interp: Interpreter) {
    this.rt = interp.rt;
    this.mem = this.rt.mem;
    this.type = this.rt.registerType({
      name: 'complex',
      basicsize: SIZEOF_PYCOMPLEXOBJECT,
      itemsize: 0,
      flags: Py_TPFLAGS_BASETYPE,
      // PyComplex_Type has no tp_dealloc: object_dealloc -> tp_free = PyObject_Free.
      dealloc: (r, op) => r.objectFree(op),
      hash: (_r, op) => this.complexHash(op),
      eq: (_r, a, b) => this.richcompareEq(a, b),
      toJS: (_r, op) => this.cval(op),
    });
  }

  /** PyComplex_FromDoubles / PyComplex_FromCComplex: a new reference. */
  fromParts(real: number, imag: number): number {
    if (typeof real !== 'number' || typeof imag !== 'number') {
      throw new InvalidArgumentError(`a complex needs two numbers, got ${describe(real)} and ${describe(imag)}`);
    }
    const op = this.rt.initObject(this.rt.objectMalloc(SIZEOF_PYCOMPLEXOBJECT), this.type);
    this.mem.setF64(op, CVAL_REAL, real);
    this.mem.setF64(op, CVAL_IMAG, imag);
    return op;
  }

  /** PyComplex_AsCComplex of an exact complex: its cval. */
  parts(op: number): PyComplex {
    if (op === 0 || this.rt.typeOf(op) !== this.type) {
      throw new InvalidArgumentError(`expected a complex, got ${op === 0 ? 'NULL' : `a ${this.rt.typeOf(op).name}`}`);
    }
    return this.cval(op);
  }

  private cval(op: number): PyComplex {
    return { real: this.mem.f64At(op, CVAL_REAL), imag: this.mem.f64At(op, CVAL_IMAG) };
  }

  /** complex_hash: hash(real) + 1000003 * hash(imag) in Py_uhash_t arithmetic, -1 -> -2. */
  private complexHash(op: number): number {
    const hashreal = hashDouble(op, this.mem.f64At(op, CVAL_REAL));
    const hashimag = hashDouble(op, this.mem.f64At(op, CVAL_IMAG));
    const combined = BigInt.asIntN(64, hashreal + PyHASH_IMAG * hashimag);
    return combined === -1n ? -2 : Number(combined);
  }

  /** complex_richcompare(a, b, Py_EQ): with complexes, floats and ints (exactly). */
  private richcompareEq(a: number, b: number): boolean {
    const c = this.cval(a);
    const tb = this.rt.typeOf(b);
    if (tb === this.type) return c.real === this.mem.f64At(b, CVAL_REAL) && c.imag === this.mem.f64At(b, CVAL_IMAG);
    if (c.imag !== 0) return false;
    if (tb === this.interp.float.type) return c.real === this.interp.float.value(b);
    if ((tb.flags & Py_TPFLAGS_LONG_SUBCLASS) !== 0) return this.interp.long.eqDouble(b, c.real);
    return false;
  }
}
