// The validators that come from the struct declarations (Runtime.validateObject):
// a live object of every struct kind validates clean; a corruption planted in
// one field through that field's accessor is found, and the report names the
// struct and the field; once the field is restored the object is clean again.
import { afterEach, describe, expect, it } from 'vitest';
import { Interpreter } from '../lib/objects/interpreter.js';
import { PyGC_Head, PyManagedDictPreHeader, PyObject, asGc, preHeaderOf } from '../lib/objects/layout.js';
import { PyByteArrayObject } from '../lib/objects/types/bytearray.js';
import { PyBytesObject } from '../lib/objects/types/bytes.js';
import { PyCellObject } from '../lib/objects/types/cell.js';
import { PyComplexObject } from '../lib/objects/types/complex.js';
import { PyDictObject } from '../lib/objects/types/dict.js';
import { PyDictKeysObject } from '../lib/objects/types/dictKeys.js';
import { PyFloatObject } from '../lib/objects/types/float.js';
import { PyFunctionObject } from '../lib/objects/types/function.js';
import { listiterobject } from '../lib/objects/types/listiter.js';
import { PyListObject } from '../lib/objects/types/list.js';
import { PyLongObject } from '../lib/objects/types/long.js';
import { longrangeiterobject, rangeiterobject, rangeobject } from '../lib/objects/types/range.js';
import { PySetObject } from '../lib/objects/types/set.js';
import { PySliceObject } from '../lib/objects/types/slice.js';
import { PyTupleObject } from '../lib/objects/types/tuple.js';
import { PyASCIIObject, PyCompactUnicodeObject } from '../lib/objects/types/unicode.js';
import { PyCFunctionObject, PyWeakReference } from '../lib/objects/types/weakref.js';
import type { ArrayField } from '../lib/struct.js';
import { setentry } from '../lib/objects/types/set.js';

/** A field's load and store at an address. */
interface Slot {
  get(p: number): number;
  set(p: number, v: number): void;
}
/** Element i of an array field, as a Slot. */
const elem = (a: ArrayField, i: number): Slot => ({ get: (p) => a.get(p, i), set: (p, v) => a.set(p, i, v) });

/** A pointer into no mapped memory (below the first span). */
const WILD = 4096;

describe.each(['native', 'fake'] as const)('struct validators (%s memory)', (memory) => {
  let interp: Interpreter;
  afterEach(() => interp.dispose());

  /** Writes `bad` into the field at `at` of op, expects a report naming `name`, then restores it. */
  function plant(op: number, field: Slot, at: number, bad: number, name: string): void {
    const rt = interp.rt;
    expect(rt.validateObject(op), 'clean before').toEqual([]);
    const old = field.get(at);
    field.set(at, bad);
    const problems = rt.validateObject(op);
    field.set(at, old);
    expect(problems.some((p) => p.startsWith(name)), `${name} in ${JSON.stringify(problems)}`).toBe(true);
    expect(rt.validateObject(op), 'clean after').toEqual([]);
  }

  it('finds a planted corruption in each struct kind and names the field', () => {
    interp = new Interpreter({ memory });
    const { rt, str, long } = interp;
    const name = str.fromString('validated name');
    const globals = interp.dict.new();

    const f = interp.float.fromNumber(1.5);
    plant(f, PyObject.field('ob_refcnt'), f, 0, 'PyFloatObject.ob_base.ob_refcnt');
    expect(PyFloatObject.size).toBe(24);
    const c = interp.complex.fromParts(1, 2);
    plant(c, PyObject.field('ob_refcnt'), c, -3, 'PyComplexObject.ob_base.ob_refcnt');
    expect(PyComplexObject.size).toBe(32);

    const big = long.fromNumber(2 ** 40 + 7);
    plant(big, elem(PyLongObject.array('ob_digit'), 0), big, 2 ** 31, 'PyLongObject.ob_digit[0]');
    plant(big, elem(PyLongObject.array('ob_digit'), 1), big, 0, 'PyLongObject.ob_size');

    plant(name, PyASCIIObject.field('state'), name, 3 << 2, 'PyASCIIObject.state');
    const wide = str.fromString('\u{1F600}\u{1F601}');
    plant(wide, PyCompactUnicodeObject.field('utf8'), wide, WILD, 'PyCompactUnicodeObject.utf8');

    const b = interp.bytes.fromBytes(new Uint8Array([1, 2, 3]));
    plant(b, elem(PyBytesObject.array('ob_sval'), 3), b, 7, 'PyBytesObject.ob_sval[3]');
    const ba = interp.bytearray.fromBytes(new Uint8Array([1, 2, 3]));
    plant(ba, PyByteArrayObject.field('ob_alloc'), ba, 2, 'PyByteArrayObject.ob_alloc');
    plant(ba, PyByteArrayObject.field('ob_bytes'), ba, WILD, 'PyByteArrayObject.ob_bytes');

    const t = interp.tuple.pack([f, c]);
    plant(t, elem(PyTupleObject.array('ob_item'), 0), t, WILD, 'PyTupleObject.ob_item[0]');
    plant(t, PyObject.field('ob_refcnt'), t, 0, 'PyTupleObject.ob_base.ob_base.ob_refcnt');
    plant(t, PyTupleObject.field('ob_size'), t, 2 ** 50, 'PyTupleObject.ob_base.ob_size');

    const l = interp.list.vectorcall([long.fromNumber(1), long.fromNumber(2)]);
    plant(l, PyListObject.field('allocated'), l, 1, 'PyListObject.allocated');
    plant(l, PyListObject.field('ob_item'), l, WILD, 'PyListObject.ob_item');
    plant(l, PyGC_Head.field('_gc_prev'), asGc(l), PyGC_Head.field('_gc_prev').get(asGc(l)) + 2, 'PyGC_Head._gc_prev');
    plant(l, PyGC_Head.field('_gc_next'), asGc(l), WILD, 'PyGC_Head._gc_next');

    const d = interp.dict.new();
    interp.dict.setItem(d, name, f);
    plant(d, PyDictObject.field('ma_used'), d, 5, 'PyDictObject: ma_used');
    plant(d, PyDictObject.field('ma_keys'), d, WILD, 'PyDictObject.ma_keys');
    const keys = PyDictObject.field('ma_keys').get(d);
    plant(d, PyDictKeysObject.field('dk_usable'), keys, 1000, 'PyDictObject: dk_usable');

    const s = interp.set.new([f, c]);
    plant(s, PySetObject.field('used'), s, 5, 'PySetObject.used');
    const smalltable = PySetObject.array('smalltable');
    expect(PySetObject.field('table').get(s)).toBe(smalltable.at(s, 0));
    const slot = [...Array(8).keys()].find((i) => setentry.field('key').get(smalltable.at(s, i)) !== 0)!;
    plant(s, setentry.field('key'), smalltable.at(s, slot), WILD, `PySetObject.table[${slot}].key`);

    const cb = interp.weakref.newCallback(() => {});
    plant(cb, PyCFunctionObject.field('m_self'), cb, WILD, 'PyCFunctionObject.m_self');
    const ref = interp.weakref.newRef(cb);
    plant(ref, PyWeakReference.field('wr_callback'), ref, WILD, 'PyWeakReference.wr_callback');

    const fn = interp.function.newFunction({ name, globals });
    plant(fn, PyFunctionObject.field('func_globals'), fn, WILD, 'PyFunctionObject.func_globals');
    const cell = interp.cell.new(f);
    plant(cell, PyCellObject.field('ob_ref'), cell, WILD, 'PyCellObject.ob_ref');
    const sl = interp.slice.new(f, c);
    plant(sl, PySliceObject.field('stop'), sl, WILD, 'PySliceObject.stop');

    const r = interp.range.vectorcall([long.fromNumber(3)]);
    plant(r, rangeobject.field('length'), r, WILD, 'rangeobject.length');
    const ri = interp.range.iter(r);
    plant(ri, rangeiterobject.field('index'), ri, 4, 'rangeiterobject.index');
    const lr = interp.range.vectorcall([long.fromNumber(2 ** 70)]);
    const lri = interp.range.iter(lr);
    plant(lri, longrangeiterobject.field('step'), lri, WILD, 'longrangeiterobject.step');
    const li = interp.listiter.iter(l);
    plant(li, listiterobject.field('it_seq'), li, WILD, 'listiterobject.it_seq');

    const P = interp.instance.defineClass({ name: 'P' });
    const p = interp.instance.new(P);
    plant(p, PyManagedDictPreHeader.field('values'), preHeaderOf(p), WILD, 'PyManagedDictPreHeader.values');
    const S = interp.instance.defineClass({ name: 'S', slots: ['a'] });
    const o = interp.instance.new(S);
    plant(o, S.layout!.field('slot0'), o, WILD, 'S.slot0');

    plant(interp.singletons.None, PyObject.field('ob_refcnt'), interp.singletons.None, 0, 'PyObject.ob_refcnt');
    // A word that names no type: the object is not recognised at all.
    const old = PyObject.field('ob_type').get(f);
    PyObject.field('ob_type').set(f, 12345);
    expect(rt.validateObject(f)).toEqual([`PyObject.ob_type: ${f} is no live object of this runtime`]);
    PyObject.field('ob_type').set(f, old);
  });
});
