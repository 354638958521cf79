/*
 * complex (Objects/complexobject.c, CPython 3.11).
 *
 * PyComplexObject, from PyObject_Malloc (no free list):
 *
 * Py_complex, 16 bytes:
 *   0  8  double  real  the real part
 *   8  8  double  imag  the imaginary part
 *
 * PyComplexObject, 32 bytes:
 *    0  16  PyObject    ob_base  the object header
 *   16  16  Py_complex  cval     the value
 *
 * Invariants: immutable after PyComplex_FromCComplex writes cval; hash and
 * == agree with int and float for values with imag == 0.
 */
import { InvalidArgumentError, describe } from '../../errors.js';
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, PyObject } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_BASETYPE, Py_TPFLAGS_LONG_SUBCLASS, type PyTypeObject } from '../type.js';
import { hashDouble } from './float.js';

/** Py_complex. */
export const Py_complex = declareObjectStruct({
  name: 'Py_complex',
  fields: [
    { name: 'real', type: 'f64', meaning: 'the real part' },
    { name: 'imag', type: 'f64', meaning: 'the imaginary part' },
  ],
});
/** PyComplexObject. */
export const PyComplexObject = declareObjectStruct({
  name: 'PyComplexObject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'cval', type: Py_complex, meaning: 'the value' },
  ],
});
const cvalReal = PyComplexObject.field('real');
const cvalImag = PyComplexObject.field('imag');
/** offsetof(PyComplexObject, cval.real). */
export const CVAL_REAL = cvalReal.offset;
/** offsetof(PyComplexObject, cval.imag). */
export const CVAL_IMAG = cvalImag.offset;
/** sizeof(PyComplexObject). */
export const SIZEOF_PYCOMPLEXOBJECT = PyComplexObject.size;
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

  constructor(readonly interp: Interpreter) {
    this.rt = interp.rt;
    this.type = this.rt.registerType({
      name: 'complex',
      basicsize: SIZEOF_PYCOMPLEXOBJECT,
      itemsize: 0,
      flags: Py_TPFLAGS_BASETYPE,
      // PyComplex_Type has no tp_dealloc: object_dealloc -> tp_free = PyObject_Free.
      layout: PyComplexObject,
      dealloc: (r, op) => r.objectDel(op),
      hash: (_r, op) => Number(this.complexHash(op)),
      hash64: (_r, op) => this.complexHash(op),
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
    cvalReal.set(op, real);
    cvalImag.set(op, imag);
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
    return { real: cvalReal.get(op), imag: cvalImag.get(op) };
  }

  /** complex_hash: hash(real) + 1000003 * hash(imag) in Py_uhash_t arithmetic, -1 -> -2. */
  private complexHash(op: number): bigint {
    const hashreal = hashDouble(op, cvalReal.get(op));
    const hashimag = hashDouble(op, cvalImag.get(op));
    const combined = BigInt.asIntN(64, hashreal + PyHASH_IMAG * hashimag);
    return combined === -1n ? -2n : combined;
  }

  /** complex_richcompare(a, b, Py_EQ): with complexes, floats and ints (exactly). */
  private richcompareEq(a: number, b: number): boolean {
    const c = this.cval(a);
    const tb = this.rt.typeOf(b);
    if (tb === this.type) return c.real === cvalReal.get(b) && c.imag === cvalImag.get(b);
    if (c.imag !== 0) return false;
    if (tb === this.interp.float.type) return c.real === this.interp.float.value(b);
    if ((tb.flags & Py_TPFLAGS_LONG_SUBCLASS) !== 0) return this.interp.long.eqDouble(b, c.real);
    return false;
  }
}
