/*
 * tp_new of the built-in types for a class deriving from one (CPython 3.11:
 * list's and set's PyType_GenericNew, dict_new, long_subtype_new,
 * float_subtype_new, tuple_subtype_new, bytes_subtype_new,
 * make_new_set for frozenset): an instance of the class with the base's
 * fields filled, made by PyType_GenericAlloc — a zeroed block of the
 * class's pre-header, PyGC_Head and tp_basicsize, plus nitems + 1 items for
 * a base with items (_PyObject_VAR_SIZE(type, nitems + 1), as 3.11 gives
 * every var-sized heap instance one spare item), ob_size nitems, tracked at
 * once, holding a reference to its class.
 *
 * The immutable bases copy an exact object of the base (the value the
 * base's own constructor made): an int's digits, a float's value, a tuple's
 * items (new references), a bytes' bytes and cached hash.
 *
 * Invariants: every object made here is an instance of a class whose
 * InstanceModule info names the base; its base fields are what an exact
 * object of the base with the same value holds.
 */
import { copyBytes, fillBytes } from '../../allocator/access.js';
import { InvalidArgumentError } from '../../errors.js';
import type { Interpreter } from '../interpreter.js';
import { obSize, pointerSlot, PYOBJECT_SIZE, roundUpPtr } from '../layout.js';
import type { PyTypeObject } from '../type.js';
import { BYTES_SVAL } from './bytes.js';
import { PyFloatObject } from './float.js';
import { OB_DIGIT, SIZEOF_DIGIT } from './long.js';
import { TUPLE_OB_ITEM } from './tuple.js';

const obFval = PyFloatObject.field('ob_fval');

/** Instances of classes deriving from built-in types. */
export class SubtypeNew {
  constructor(readonly interp: Interpreter) {}

  /** list.__new__(cls) / set.__new__(cls): an empty list or set of the class (list.__init__ / set.__init__ fill it). New reference. */
  emptyContainer(cls: PyTypeObject): number {
    const base = this.baseOf(cls);
    const { interp } = this;
    if (base === interp.list.type) return this.finish(cls, this.alloc(cls, 0));
    if (base === interp.set.type || base === interp.set.frozensetType) {
      const op = this.alloc(cls, 0);
      interp.set.initEmpty(op);
      return this.finish(cls, op);
    }
    if (base === interp.dict.type) {
      // dict_new: Py_EMPTY_KEYS, then tracked (a subclass's instance is tracked from birth).
      const op = this.alloc(cls, 0);
      interp.dict.initEmpty(op);
      return this.finish(cls, op);
    }
    throw new InvalidArgumentError(`emptyContainer: class ${cls.name} derives from '${base.name}', not list, dict, set or frozenset`);
  }

  /**
   * The instance of cls with the value of exact, an exact object of cls's
   * base (int, float, tuple, bytes or frozenset), borrowed. New reference.
   */
  fromValue(cls: PyTypeObject, exact: number): number {
    const base = this.baseOf(cls);
    const { interp } = this;
    const rt = interp.rt;
    if (rt.typeOf(exact) !== base) throw new InvalidArgumentError(`fromValue: expected an exact ${base.name} object, got a ${rt.typeOf(exact).name} object`);
    if (base === interp.long.type) {
      // long_subtype_new: at least one digit (zero has ob_size 0), ob_size copied.
      const size = obSize.get(exact);
      const n = Math.max(1, Math.abs(size));
      const op = this.alloc(cls, n);
      obSize.set(op, size);
      copyBytes(op + OB_DIGIT, exact + OB_DIGIT, n * SIZEOF_DIGIT);
      return this.finish(cls, op);
    }
    if (base === interp.float.type) {
      const op = this.alloc(cls, 0);
      obFval.set(op, obFval.get(exact));
      return this.finish(cls, op);
    }
    if (base === interp.tuple.type) {
      const n = obSize.get(exact);
      const op = this.alloc(cls, n);
      for (let i = 0; i < n; i++) {
        const item = pointerSlot.get(exact, TUPLE_OB_ITEM + 8 * i);
        rt.incref(item);
        pointerSlot.set(op, TUPLE_OB_ITEM + 8 * i, item);
      }
      return this.finish(cls, op);
    }
    if (base === interp.bytes.type) {
      // bytes_subtype_new: the bytes and their NUL, ob_shash copied.
      const n = obSize.get(exact);
      const op = this.alloc(cls, n);
      copyBytes(op + PYOBJECT_SIZE + 8, exact + PYOBJECT_SIZE + 8, BYTES_SVAL - PYOBJECT_SIZE - 8 + n + 1);
      return this.finish(cls, op);
    }
    if (base === interp.set.frozensetType) {
      const op = this.alloc(cls, 0);
      interp.set.initEmpty(op);
      this.finish(cls, op);
      try {
        interp.set.fill(op, exact);
      } catch (e) {
        rt.decref(op);
        throw e;
      }
      return op;
    }
    throw new InvalidArgumentError(`fromValue: class ${cls.name} derives from '${base.name}', not int, float, tuple, bytes or frozenset`);
  }

  private baseOf(cls: PyTypeObject): PyTypeObject {
    const base = this.interp.instance.builtinBase(cls);
    if (base === null) throw new InvalidArgumentError(`expected a class deriving from a built-in type, got type '${cls.name}'`);
    return base;
  }

  /** PyType_GenericAlloc(cls, nitems) up to its tracking: a zeroed object, ob_size nitems for a base with items. */
  private alloc(cls: PyTypeObject, nitems: number): number {
    const rt = this.interp.rt;
    if (cls.itemsize === 0) {
      const op = rt.gcNew(cls);
      fillBytes(op + PYOBJECT_SIZE, cls.basicsize - PYOBJECT_SIZE, 0);
      return op;
    }
    const op = rt.gcNewVar(cls, nitems + 1);
    fillBytes(op + PYOBJECT_SIZE, roundUpPtr(cls.basicsize + (nitems + 1) * cls.itemsize) - PYOBJECT_SIZE, 0);
    obSize.set(op, nitems);
    return op;
  }

  private finish(cls: PyTypeObject, op: number): number {
    return this.interp.instance.initSubtypeInstance(cls, op);
  }
}
