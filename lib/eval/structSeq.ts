/*
 * Struct sequences (Objects/structseq.c, CPython 3.11) — sys.flags: a
 * tuple subclass whose items are also named attributes, with the tuple's
 * layout (PyStructSequence is a PyTupleObject; sys.getsizeof(sys.flags) is
 * a tuple's), PyStructSequence_New's allocation (GC, not tracked), its own
 * repr (structseq_repr: `sys.flags(debug=0, ...)`) and no constructor
 * from Python for sys.flags ("cannot create 'sys.flags' instances").
 *
 * Invariants: a struct sequence holds one reference to each of its
 * n_fields items; its type's MRO is (itself, tuple, object).
 */
import { fillBytes } from '../allocator/access.js';
import { PyTupleObject, TUPLE_OB_ITEM } from '../objects/types/tuple.js';
import { Py_TPFLAGS_HAVE_GC, Py_TPFLAGS_TUPLE_SUBCLASS, type PyTypeObject } from '../objects/type.js';
import { newRef, repr } from './abstract.js';
import type { Vm } from './vm.js';

/** The field names of each struct sequence type, by type id. */
const fieldNames = new WeakMap<Vm, Map<number, readonly string[]>>();

/** PyStructSequence_InitType2: a struct sequence type named `name` (module.qualname) with these fields. */
export function newStructSeqType(vm: Vm, name: string, fields: readonly string[]): PyTypeObject {
  const { interp } = vm;
  const tuple = interp.tuple;
  const t = interp.rt.registerType({
    name,
    basicsize: TUPLE_OB_ITEM,
    itemsize: 8,
    flags: Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_TUPLE_SUBCLASS,
    layout: PyTupleObject,
    // structseq_dealloc: untrack, release the items, PyObject_GC_Del.
    dealloc: (rt, op) => {
      rt.gcUntrack(op);
      for (const v of tuple.items(op)) rt.xdecref(v);
      rt.gcDel(op);
    },
    traverse: (_rt, op, visit) => {
      for (const v of tuple.items(op)) {
        const r = v !== 0 ? visit(v) : 0;
        if (r !== 0) return r;
      }
      return 0;
    },
    hash: (_rt, op) => Number(tuple.hash64(op)),
    hash64: (_rt, op) => tuple.hash64(op),
    eq: (_rt, a, b) => tuple.eq(a, b),
  });
  vm.mro[t.id] = [t.id, tuple.type.id, interp.object.type.id];
  let m = fieldNames.get(vm);
  if (m === undefined) fieldNames.set(vm, (m = new Map()));
  m.set(t.id, fields);
  // structseq's members: each field an attribute reading its item.
  vm.typeGetsets.set(t.id, new Map(fields.map((f, i) => [f, (op: number): number => newRef(vm, tuple.getItem(op, i))])));
  return t;
}

/** Whether t is a struct sequence type. */
export function isStructSeqType(vm: Vm, t: PyTypeObject): boolean {
  return fieldNames.get(vm)?.has(t.id) ?? false;
}

/** PyStructSequence_New + PyStructSequence_SetItem of each value (borrowed): GC memory of a tuple's size, untracked. New reference. */
export function newStructSeq(vm: Vm, t: PyTypeObject, values: readonly number[]): number {
  const rt = vm.interp.rt;
  const op = rt.gcNewVar(t, values.length);
  fillBytes(op + TUPLE_OB_ITEM, 8 * values.length, 0);
  values.forEach((v, i) => {
    rt.incref(v);
    vm.interp.tuple.setItem(op, i, v);
  });
  return op;
}

/** The sys.flags of `pymem run` (its order is 3.11's flags_fields): what `python3 FILE.py` has, with hash_randomization 0 (pymem's str hashes are PYTHONHASHSEED=0's) and dont_write_bytecode 1 (it writes no .pyc). New reference. */
export function sysFlags(vm: Vm): number {
  const { interp } = vm;
  const names = ['debug', 'inspect', 'interactive', 'optimize', 'dont_write_bytecode', 'no_user_site', 'no_site', 'ignore_environment', 'verbose', 'bytes_warning', 'quiet', 'hash_randomization', 'isolated', 'dev_mode', 'utf8_mode', 'warn_default_encoding', 'safe_path', 'int_max_str_digits'];
  const t = newStructSeqType(vm, 'sys.flags', names);
  const ints = names.map((n) => interp.long.fromNumber(n === 'dont_write_bytecode' ? 1 : n === 'int_max_str_digits' ? -1 : 0));
  const values = names.map((n, i) => (n === 'dev_mode' ? (vm.devMode ? interp.long.True : interp.long.False) : n === 'safe_path' ? interp.long.False : ints[i]!));
  try {
    return newStructSeq(vm, t, values);
  } finally {
    for (const v of ints) interp.rt.decref(v);
  }
}

/** structseq_repr, or null when op is no struct sequence. */
export function structSeqRepr(vm: Vm, op: number): string | null {
  const t = vm.interp.rt.typeOf(op);
  const fields = fieldNames.get(vm)?.get(t.id);
  if (fields === undefined) return null;
  const items = vm.interp.tuple.items(op);
  return `${t.name}(${fields.map((f, i) => `${f}=${repr(vm, items[i]!)}`).join(', ')})`;
}
