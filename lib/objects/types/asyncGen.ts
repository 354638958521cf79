/*
 * The objects an async generator hands out (Objects/genobject.c, CPython
 * 3.11): async_generator_asend (what __anext__() and asend() return: an
 * awaitable that runs the generator to its next `yield`),
 * async_generator_athrow (athrow() and aclose(): one that throws into it),
 * and async_generator_wrapped_value (what ASYNC_GEN_WRAP makes of a value
 * the generator yields, so the asend can tell it from a value an `await`
 * inside passed up to the event loop). Each is a GC object, tracked from
 * birth. (CPython keeps free lists of 80 wrapped values and 80 asends;
 * these are freed at once.)
 *
 * PyAsyncGenASend, 40 bytes:
 *    0  16  PyObject            ob_base      the object header
 *   16  8   PyAsyncGenObject *  ags_gen      the async generator; owned
 *   24  8   PyObject *          ags_sendval  the value asend() sends, NULL for __anext__(); owned
 *   32  4   AwaitableState      ags_state    AWAITABLE_STATE_INIT, _ITER or _CLOSED
 *
 * PyAsyncGenAThrow, 40 bytes:
 *    0  16  PyObject            ob_base    the object header
 *   16  8   PyAsyncGenObject *  agt_gen    the async generator; owned
 *   24  8   PyObject *          agt_args   athrow()'s arguments (a tuple), NULL for aclose(); owned
 *   32  4   AwaitableState      agt_state  AWAITABLE_STATE_INIT, _ITER or _CLOSED
 *
 * _PyAsyncGenWrappedValue, 24 bytes:
 *    0  16  PyObject    ob_base  the object header
 *   16  8   PyObject *  agw_val  the yielded value; owned
 *
 * Invariants: the state only moves INIT -> ITER -> CLOSED; every object
 * field holds one reference or NULL.
 */
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, type ObjectStruct, PyObject } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_HAVE_GC, type PyTypeObject, visitFields } from '../type.js';
import { hashPointer } from './singletons.js';

/** PyAsyncGenASend. */
export const PyAsyncGenASend = declareObjectStruct({
  name: 'PyAsyncGenASend',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'ags_gen', type: 'ptr', ctype: 'PyAsyncGenObject *', meaning: 'the async generator; owned' },
    { name: 'ags_sendval', type: 'ptr', ctype: 'PyObject *', meaning: 'the value asend() sends, NULL for __anext__(); owned' },
    { name: 'ags_state', type: 'i32', ctype: 'AwaitableState', meaning: 'AWAITABLE_STATE_INIT, _ITER or _CLOSED' },
  ],
  size: 40,
});
/** PyAsyncGenAThrow. */
export const PyAsyncGenAThrow = declareObjectStruct({
  name: 'PyAsyncGenAThrow',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'agt_gen', type: 'ptr', ctype: 'PyAsyncGenObject *', meaning: 'the async generator; owned' },
    { name: 'agt_args', type: 'ptr', ctype: 'PyObject *', meaning: "athrow()'s arguments (a tuple), NULL for aclose(); owned" },
    { name: 'agt_state', type: 'i32', ctype: 'AwaitableState', meaning: 'AWAITABLE_STATE_INIT, _ITER or _CLOSED' },
  ],
  size: 40,
});
/** _PyAsyncGenWrappedValue. */
export const PyAsyncGenWrappedValue = declareObjectStruct({
  name: '_PyAsyncGenWrappedValue',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'agw_val', type: 'ptr', ctype: 'PyObject *', meaning: 'the yielded value; owned' },
  ],
  size: 24,
});
const agsGen = PyAsyncGenASend.field('ags_gen');
const agsSendval = PyAsyncGenASend.field('ags_sendval');
const agsState = PyAsyncGenASend.field('ags_state');
const agtGen = PyAsyncGenAThrow.field('agt_gen');
const agtArgs = PyAsyncGenAThrow.field('agt_args');
const agtState = PyAsyncGenAThrow.field('agt_state');
const agwVal = PyAsyncGenWrappedValue.field('agw_val');

/** AwaitableState. */
export const AWAITABLE_STATE_INIT = 0;
export const AWAITABLE_STATE_ITER = 1;
export const AWAITABLE_STATE_CLOSED = 2;

/** The fields of an asend or athrow object, by what they are. */
interface AwaitableFields {
  readonly gen: typeof agsGen;
  readonly arg: typeof agsGen;
  readonly state: typeof agsState;
}
const ASEND: AwaitableFields = { gen: agsGen, arg: agsSendval, state: agsState };
const ATHROW: AwaitableFields = { gen: agtGen, arg: agtArgs, state: agtState };

/** async_generator_asend, async_generator_athrow and async_generator_wrapped_value: their types and constructors. */
export class AsyncGenModule {
  /** _PyAsyncGenASend_Type. */
  readonly asendType: PyTypeObject;
  /** _PyAsyncGenAThrow_Type. */
  readonly athrowType: PyTypeObject;
  /** _PyAsyncGenWrappedValue_Type. */
  readonly wrappedValueType: PyTypeObject;
  private readonly rt: Runtime;

  constructor(readonly interp: Interpreter) {
    this.rt = interp.rt;
    const awaitable = (name: string, layout: ObjectStruct, fields: AwaitableFields): PyTypeObject =>
      this.rt.registerType({
        name,
        basicsize: layout.size,
        itemsize: 0,
        flags: Py_TPFLAGS_HAVE_GC,
        layout,
        dealloc: (_r, op) => this.dealloc(op, [fields.gen, fields.arg]),
        traverse: (_r, op, visit) => visitFields(op, [fields.gen, fields.arg], visit),
        hash: (_r, op) => hashPointer(op),
      });
    this.asendType = awaitable('async_generator_asend', PyAsyncGenASend, ASEND);
    this.athrowType = awaitable('async_generator_athrow', PyAsyncGenAThrow, ATHROW);
    this.wrappedValueType = this.rt.registerType({
      name: 'async_generator_wrapped_value',
      basicsize: PyAsyncGenWrappedValue.size,
      itemsize: 0,
      flags: Py_TPFLAGS_HAVE_GC,
      layout: PyAsyncGenWrappedValue,
      dealloc: (_r, op) => this.dealloc(op, [agwVal]),
      traverse: (_r, op, visit) => visitFields(op, [agwVal], visit),
    });
  }

  /** async_gen_asend_new(gen, sendval): sendval borrowed, 0 for __anext__(). New reference. */
  newASend(gen: number, sendval: number): number {
    return this.newAwaitable(this.asendType, ASEND, gen, sendval);
  }

  /** async_gen_athrow_new(gen, args): args (a tuple) borrowed, 0 for aclose(). New reference. */
  newAThrow(gen: number, args: number): number {
    return this.newAwaitable(this.athrowType, ATHROW, gen, args);
  }

  /** _PyAsyncGenValueWrapNew(val): val borrowed. New reference. */
  wrapValue(val: number): number {
    const op = this.rt.gcNew(this.wrappedValueType);
    this.rt.incref(val);
    agwVal.set(op, val);
    this.rt.gcTrack(op);
    return op;
  }

  /** _PyAsyncGenWrappedValue_CheckExact. */
  isWrappedValue(op: number): boolean {
    return this.rt.typeOrNull(op) === this.wrappedValueType;
  }

  /** agw_val (borrowed). */
  wrappedValue(op: number): number {
    return agwVal.get(op);
  }

  /** Whether op is an asend (true) or athrow (false) object; null for neither. */
  kindOf(op: number): 'asend' | 'athrow' | null {
    const t = this.rt.typeOrNull(op);
    return t === this.asendType ? 'asend' : t === this.athrowType ? 'athrow' : null;
  }

  /** ags_gen / agt_gen (borrowed). */
  gen(op: number): number {
    return this.fields(op).gen.get(op);
  }

  /** ags_sendval / agt_args (borrowed; 0 for NULL). */
  arg(op: number): number {
    return this.fields(op).arg.get(op);
  }

  /** ags_state / agt_state. */
  state(op: number): number {
    return this.fields(op).state.get(op);
  }
  setState(op: number, s: number): void {
    this.fields(op).state.set(op, s);
  }

  private fields(op: number): AwaitableFields {
    return this.rt.typeOf(op) === this.asendType ? ASEND : ATHROW;
  }

  private newAwaitable(type: PyTypeObject, f: AwaitableFields, gen: number, arg: number): number {
    const op = this.rt.gcNew(type);
    this.rt.incref(gen);
    f.gen.set(op, gen);
    this.rt.xincref(arg);
    f.arg.set(op, arg);
    f.state.set(op, AWAITABLE_STATE_INIT);
    this.rt.gcTrack(op);
    return op;
  }

  /** async_gen_asend_dealloc / async_gen_athrow_dealloc / async_gen_wrapped_val_dealloc: untrack, clear, free. */
  private dealloc(op: number, owned: readonly (typeof agsGen)[]): void {
    this.rt.gcUntrack(op);
    for (const f of owned) {
      const v = f.get(op);
      f.set(op, 0);
      this.rt.xdecref(v);
    }
    this.rt.gcDel(op);
  }
}
