/*
 * The abstract object protocols (Objects/abstract.c, Objects/object.c,
 * Objects/typeobject.c's slot dispatch, CPython 3.11) over the object
 * space: repr/str, truth, rich comparison, the number protocol, attributes
 * (PyObject_GetAttr / SetAttr with type lookup along the MRO and
 * descriptor binding), items, iteration, len, calls.
 *
 * Reference rules are CPython's: arguments are borrowed, every object a
 * function returns is a new reference; errors are raised as PyErr (an owned
 * exception object), the object layer's typed errors turned into the
 * exception CPython raises by toPyErr.
 */
import { intBinaryFast, intCompareFast } from './intFastPaths.js';
import { InvalidArgumentError, OutOfMemoryError } from '../errors.js';
import { UnhashableError } from '../objects/interpreter.js';
import { KeyError } from '../objects/types/dict.js';
import type { SetIterable } from '../objects/types/set.js';
import { AttributeError as ObjAttributeError } from '../objects/types/instance.js';
import { PyException } from '../objects/text/pyException.js';
import { floatRepr } from '../objects/text/floatRepr.js';
import { strRepr } from '../objects/text/strRepr.js';
import { intToString } from '../objects/text/intText.js';
import { intFloorDivide, intModulo, intPow, intTrueDivide, intLshift, intRshift } from '../objects/text/intArith.js';
import { floatFloorDivide, floatModulo, floatPow, floatTrueDivide } from '../objects/text/floatArith.js';
import { complexRepr } from '../objects/text/formatValue.js';
import { Py_TPFLAGS_LONG_SUBCLASS, type PyTypeObject } from '../objects/type.js';
import { PyErr } from './pyerr.js';
import type { Vm } from './vm.js';
import { callPython, genNext } from './ceval.js';
import { isIterator, seqIterNew } from './bltinIter.js';
import { bytesLikeOrNull } from './bytesType.js';
import { rangeIndexOf } from './containerMethods.js';
import {
  memoryviewAttr,
  memoryviewEq,
  memoryviewGetItem,
  memoryviewIter,
  memoryviewIterNext,
  memoryviewLength,
  memoryviewRepr,
  memoryviewSetItem,
} from './memoryviewOps.js';
import { percentFormat } from '../objects/text/printf.js';
import { objectHooks, toValue } from './textHooks.js';
import { exceptionDict, exceptionGetattr, exceptionSetattr, osErrorStr } from './exceptionAttrs.js';
import { descrGet, descrMember, descrRepr, descrSet, isDataDescriptor } from './descriptors.js';
import { functionMember, memberOf, typeMember } from './builtinMembers.js';
import { coroutineRepr } from './coroutines.js';
import { frameRepr } from './frameAttrs.js';
import { isStructSeqType, structSeqRepr } from './structSeq.js';
import { proxyCall, proxyReferent, proxyRepr } from './weakrefs.js';
import { overrides, slotType, subclassBase } from './inheritSlots.js';

// --- raising -------------------------------------------------------------------------------------

/** PyErr_SetString(type, message) as a throw: an exception object of the named class with args (message,). */
export function raise(vm: Vm, typeName: string, message: string | null): never {
  throw newErr(vm, typeName, message);
}

/** The PyErr of a new exception of the named class. */
/** _PyGen_SetStopIterationValue: a generator's return value (stolen) raised on StopIteration (no args for None). */
export function raiseStopIteration(vm: Vm, value: number): never {
  const a = vm.tupleOf(value === vm.interp.singletons.None ? [] : [value]);
  vm.interp.rt.decref(value);
  const e = vm.exc.new(vm.excType('StopIteration'), a);
  vm.interp.rt.decref(a);
  throw new PyErr(e, 'StopIteration');
}

export function newErr(vm: Vm, typeName: string, message: string | null): PyErr {
  const { interp } = vm;
  const t = vm.excType(typeName);
  let args: number;
  if (message === null) args = vm.tupleOf([]);
  else {
    const s = interp.str.fromString(message);
    args = vm.tupleOf([s]);
    interp.rt.decref(s);
  }
  const exc = vm.exc.new(t, args);
  interp.rt.decref(args);
  return new PyErr(exc, `${typeName}: ${message ?? ''}`);
}

/** An error thrown below the loop as the Python exception CPython raises; PyErr passes through; anything else is rethrown. */
export function toPyErr(vm: Vm, e: unknown): PyErr {
  if (e instanceof PyErr) return e;
  if (e instanceof PyException) return newErr(vm, e.type, e.args.length === 1 ? String(e.args[0]) : e.message);
  if (e instanceof ObjAttributeError) return newErr(vm, 'AttributeError', e.message);
  if (e instanceof UnhashableError) return newErr(vm, 'TypeError', e.message);
  if (e instanceof KeyError) return newErr(vm, 'KeyError', e.message);
  if (e instanceof OutOfMemoryError) return newErr(vm, 'MemoryError', null);
  if (e instanceof InvalidArgumentError) {
    const m = /^(TypeError|ValueError|IndexError|OverflowError|KeyError): (.*)$/s.exec(e.message);
    if (m !== null) return newErr(vm, m[1]!, m[2]!);
    if (/index out of range/.test(e.message)) return newErr(vm, 'IndexError', e.message);
  }
  if (e instanceof RangeError && /call stack/.test(e.message)) return newErr(vm, 'RecursionError', 'maximum recursion depth exceeded');
  // A value JavaScript cannot hold (a str past V8's longest string, an array past its longest): as CPython's failed allocation.
  if (e instanceof RangeError && /^Invalid (string|array|typed array) length|^Array buffer allocation failed/.test(e.message)) return newErr(vm, 'MemoryError', null);
  throw e;
}

// --- types ---------------------------------------------------------------------------------------

/** Py_TYPE(op). */
export function typeOf(vm: Vm, op: number): PyTypeObject {
  return vm.interp.rt.typeOf(op);
}

/** type(op).__name__. */
export function typeName(vm: Vm, op: number): string {
  return vm.interp.rt.typeOf(op).name;
}

/** _PyType_Lookup(type, name): the first entry for name along the MRO (borrowed), or 0; answered from the type attribute cache (typeCache.ts). */
export function typeLookup(vm: Vm, t: PyTypeObject, name: number): number {
  return vm.typeCache.lookup(vm, t, name);
}

/** An interned str for a name the interpreter uses (_Py_ID), kept for the interpreter's life. Borrowed. */
export function id(vm: Vm, name: string): number {
  let s = ids.get(vm)?.get(name);
  if (s === undefined) {
    s = vm.interp.str.internFromString(name);
    let m = ids.get(vm);
    if (m === undefined) ids.set(vm, (m = new Map()));
    m.set(name, s);
  }
  return s;
}
const ids = new WeakMap<Vm, Map<string, number>>();

/**
 * The special method name of t (borrowed), or 0 (lookup_maybe_method on a
 * user class only; object's own methods are its built-in slots, so they
 * count as none).
 */
export function lookupSpecial(vm: Vm, op: number, name: string): number {
  const t = typeOf(vm, op);
  if (!isHeapType(vm, t)) return 0;
  const m = typeLookup(vm, t, id(vm, name));
  return m !== 0 && isObjectMethod(vm, m, name) ? 0 : m;
}

/** Whether t is a class a program made. */
export function isHeapType(_vm: Vm, t: PyTypeObject): boolean {
  return (t.flags & (1 << 9)) !== 0;
}

/** Calls a special method found by lookupSpecial with self first. New reference. */
export function callSpecial(vm: Vm, meth: number, self: number, args: readonly number[]): number {
  return callObject(vm, meth, [self, ...args], 0, true);
}

// --- numbers -------------------------------------------------------------------------------------

/** PyLong_Check: whether op is an int (bool and classes deriving from int included). */
export function isInt(vm: Vm, op: number): boolean {
  return (typeOf(vm, op).flags & Py_TPFLAGS_LONG_SUBCLASS) !== 0;
}

/** The value of an int; anything else as an integer argument is (PyNumber_Index): its __index__, or a TypeError. */
export function intValue(vm: Vm, op: number): bigint {
  return isInt(vm, op) ? vm.interp.long.toBigInt(op) : numberIndex(vm, op);
}

/** An int object of value v. New reference. */
export function newInt(vm: Vm, v: bigint | number): number {
  return typeof v === 'number' ? vm.interp.long.fromNumber(v) : vm.interp.long.fromBigInt(v);
}

/** A bool (new reference). */
export function newBool(vm: Vm, b: boolean): number {
  return vm.interp.long.fromBool(b);
}

/** A str (new reference). */
export function newStr(vm: Vm, s: string): number {
  return vm.interp.str.fromString(s);
}

/** None, as a new reference. */
export function none(vm: Vm): number {
  const n = vm.interp.singletons.None;
  vm.interp.rt.incref(n);
  return n;
}

/** A borrowed reference made new (Py_NewRef). */
export function newRef(vm: Vm, op: number): number {
  vm.interp.rt.incref(op);
  return op;
}

/** The str's JavaScript string. */
export function strValue(vm: Vm, op: number): string {
  if (!vm.interp.str.checkExact(op) && !vm.isSubtype(typeOf(vm, op), vm.interp.str.type)) raise(vm, 'TypeError', `must be str, not ${typeName(vm, op)}`);
  return vm.interp.str.toString(op);
}

/** Whether op is a str. */
export function isStr(vm: Vm, op: number): boolean {
  return vm.interp.str.checkExact(op);
}

/** PyFloat_Check: whether op is a float (or an instance of a class deriving from float). */
export function isFloat(vm: Vm, op: number): boolean {
  const t = typeOf(vm, op);
  return t === vm.interp.float.type || subclassBase(vm, t) === vm.interp.float.type;
}

/** A number as a double for float arithmetic (int or float), or null. */
function asDouble(vm: Vm, op: number): number | null {
  if (isFloat(vm, op)) return vm.interp.float.value(op);
  if (isInt(vm, op)) {
    const v = intValue(vm, op);
    const d = Number(v);
    if (!Number.isFinite(d)) raise(vm, 'OverflowError', 'int too large to convert to float');
    return d;
  }
  return null;
}

const BINOP_NAMES = ['+', '&', '//', '<<', '@', '*', '%', '|', '**', '>>', '-', '/', '^'];
const BINOP_DUNDER = ['add', 'and', 'floordiv', 'lshift', 'matmul', 'mul', 'mod', 'or', 'pow', 'rshift', 'sub', 'truediv', 'xor'];

/** The symbol of a BINARY_OP oparg (NB_*; inplace ones are 13 on). */
export function binopName(oparg: number): string {
  return oparg >= 13 ? `${BINOP_NAMES[oparg - 13]}=` : BINOP_NAMES[oparg]!;
}

/** PyNumber_<op> / PyNumber_InPlace<op> for a BINARY_OP oparg. New reference. */
export function binaryOp(vm: Vm, a: number, b: number, oparg: number): number {
  const inplace = oparg >= 13;
  const op = inplace ? oparg - 13 : oparg;
  const dunder = BINOP_DUNDER[op]!;
  // A class deriving from a built-in type that defines the method in Python: its slot (slot_nb_*) comes before the base's.
  const overridden = (inplace && overrides(vm, a, `__i${dunder}__`)) || overrides(vm, a, `__${dunder}__`) || overrides(vm, b, `__r${dunder}__`);
  if (overridden) {
    const v = binaryDunders(vm, a, b, dunder, inplace);
    if (v !== 0) return v;
  }
  const r = binaryBuiltin(vm, a, b, op, inplace);
  if (r !== 0) return r;
  if (!overridden) {
    const v = binaryDunders(vm, a, b, dunder, inplace);
    if (v !== 0) return v;
  }
  const sym = binopName(oparg);
  if (op === 0 && !inplace) concatError(vm, a, b);
  if (op === 5) repeatError(vm, a, b);
  if (op === 8) raise(vm, 'TypeError', `unsupported operand type(s) for ** or pow(): '${typeName(vm, a)}' and '${typeName(vm, b)}'`);
  raise(vm, 'TypeError', `unsupported operand type(s) for ${sym}: '${typeName(vm, a)}' and '${typeName(vm, b)}'`);
}

/**
 * binary_op1's calls of the classes' methods: __iop__, then __op__ and
 * __rop__ — the right operand's __rop__ first when its class derives from
 * the left one's and defines it. The result, or 0 when each gave
 * NotImplemented or none exists.
 */
function binaryDunders(vm: Vm, a: number, b: number, dunder: string, inplace: boolean): number {
  const NotImpl = vm.interp.singletons.NotImplemented;
  const call = (m: number, self: number, other: number): number => {
    const v = callSpecial(vm, m, self, [other]);
    if (v !== NotImpl) return v;
    vm.interp.rt.decref(v);
    return 0;
  };
  if (inplace) {
    const m = lookupSpecial(vm, a, `__i${dunder}__`);
    const v = m !== 0 ? call(m, a, b) : 0;
    if (v !== 0) return v;
  }
  const ta = typeOf(vm, a);
  const tb = typeOf(vm, b);
  const rm = tb !== ta ? lookupSpecial(vm, b, `__r${dunder}__`) : 0;
  let rightDone = false;
  if (rm !== 0 && vm.isSubtype(tb, ta)) {
    rightDone = true;
    const v = call(rm, b, a);
    if (v !== 0) return v;
  }
  const m = lookupSpecial(vm, a, `__${dunder}__`);
  const v = m !== 0 ? call(m, a, b) : 0;
  if (v !== 0) return v;
  if (rm !== 0 && !rightDone) return call(rm, b, a);
  return 0;
}

/** unicode_concat / list_concat / tuple_concat's TypeError when a is a str, list or tuple. */
function concatError(vm: Vm, a: number, b: number): void {
  const t = typeOf(vm, a);
  const { interp } = vm;
  const name = interp.str.checkExact(a) ? 'str' : t === interp.list.type ? 'list' : t === interp.tuple.type ? 'tuple' : null;
  if (name !== null) raise(vm, 'TypeError', `can only concatenate ${name} (not "${typeName(vm, b)}") to ${name}`);
}

/** sequence_repeat's TypeError: a str, bytes, list or tuple times something that is no int. */
function repeatError(vm: Vm, a: number, b: number): void {
  const { interp } = vm;
  const isSeq = (o: number): boolean => interp.str.checkExact(o) || interp.list.check(o) || interp.tuple.check(o) || typeOf(vm, o) === interp.bytes.type;
  if (isSeq(a)) raise(vm, 'TypeError', `can't multiply sequence by non-int of type '${typeName(vm, b)}'`);
  if (isSeq(b)) raise(vm, 'TypeError', `can't multiply sequence by non-int of type '${typeName(vm, a)}'`);
}

/** The built-in types' nb_* / sq_* slots; 0 when they do not apply (NotImplemented). */
export function binaryBuiltin(vm: Vm, a: number, b: number, op: number, inplace: boolean): number {
  const { interp } = vm;
  const ai = isInt(vm, a);
  const bi = isInt(vm, b);
  if (ai && bi) {
    const fast = intBinaryFast(vm, a, b, op);
    if (fast !== 0) return fast;
    const x = intValue(vm, a);
    const y = intValue(vm, b);
    switch (op) {
      case 0:
      case 10:
        return interp.long.addSub(a, b, op === 10);
      case 5:
        return newInt(vm, x * y);
      case 2:
        if (y === 0n) raise(vm, 'ZeroDivisionError', 'integer division or modulo by zero');
        return newInt(vm, intFloorDivide(x, y));
      case 6:
        if (y === 0n) raise(vm, 'ZeroDivisionError', 'integer modulo by zero');
        return newInt(vm, intModulo(x, y));
      case 11:
        if (y === 0n) raise(vm, 'ZeroDivisionError', 'division by zero');
        return interp.float.fromNumber(intTrueDivide(x, y));
      case 8: {
        const r = intPow(x, y);
        if (typeof r === 'bigint') return newInt(vm, r);
        if (typeof r === 'number') return interp.float.fromNumber(r);
        return interp.complex.fromParts(r.real, r.imag);
      }
      case 3:
        return newInt(vm, intLshift(x, y));
      case 9:
        return newInt(vm, intRshift(x, y));
      case 1:
        if (typeOf(vm, a) === interp.long.boolType && typeOf(vm, b) === interp.long.boolType) return newBool(vm, (x & y) !== 0n);
        return newInt(vm, x & y);
      case 7:
        if (typeOf(vm, a) === interp.long.boolType && typeOf(vm, b) === interp.long.boolType) return newBool(vm, (x | y) !== 0n);
        return newInt(vm, x | y);
      case 12:
        if (typeOf(vm, a) === interp.long.boolType && typeOf(vm, b) === interp.long.boolType) return newBool(vm, (x ^ y) !== 0n);
        return newInt(vm, x ^ y);
    }
    return 0;
  }
  if ((ai || isFloat(vm, a)) && (bi || isFloat(vm, b))) {
    const x = asDouble(vm, a)!;
    const y = asDouble(vm, b)!;
    const f = (v: number): number => interp.float.fromNumber(v);
    switch (op) {
      case 0:
        return f(x + y);
      case 10:
        return f(x - y);
      case 5:
        return f(x * y);
      case 11:
        if (y === 0) raise(vm, 'ZeroDivisionError', 'float division by zero');
        return f(floatTrueDivide(x, y));
      case 2:
        if (y === 0) raise(vm, 'ZeroDivisionError', 'float floor division by zero');
        return f(floatFloorDivide(x, y));
      case 6:
        if (y === 0) raise(vm, 'ZeroDivisionError', 'float modulo');
        return f(floatModulo(x, y));
      case 8: {
        const r = floatPow(x, y);
        if (typeof r === 'number') return f(r);
        return interp.complex.fromParts(r.real, r.imag);
      }
    }
    return 0;
  }
  const as = isStr(vm, a);
  if (as && isStr(vm, b) && op === 0) return interp.str.concat(a, b);
  if (as && op === 6) {
    // PyUnicode_Format.
    const keep: number[] = [];
    try {
      return newStr(vm, percentFormat(strValue(vm, a), toValue(vm, b), objectHooks(vm, keep)));
    } finally {
      for (const k of keep) interp.rt.decref(k);
    }
  }
  const ST = interp.set;
  if (ST.check(a) && ST.check(b) && (op === 1 || op === 7 || op === 10 || op === 12)) {
    // set_ior / set_iand / set_isub / set_ixor change a set in place; a frozenset has none of them.
    if (inplace && !ST.checkFrozen(a)) {
      if (op === 7) ST.update(a, b);
      else if (op === 1) ST.intersectionUpdate(a, [b]);
      else if (op === 10) ST.differenceUpdate(a, [b]);
      else ST.symmetricDifferenceUpdate(a, b);
      return newRef(vm, a);
    }
    // set_or / set_and / set_sub / set_xor.
    if (op === 7) return ST.union(a, [b]);
    if (op === 1) return ST.intersection(a, [b]);
    if (op === 10) return ST.difference(a, [b]);
    return ST.symmetricDifference(a, b);
  }
  if ((op === 1 || op === 7 || op === 10 || op === 12) && (isDictViewSet(vm, a) || isDictViewSet(vm, b))) return dictviewsBinary(vm, a, b, op);
  if (op === 7 && typeOf(vm, a) === interp.dict.type) {
    // dict_ior: dict_update_arg (a dict, or an iterable of pairs), then a itself.
    if (inplace) {
      interp.rt.decref(vm.typeMethods.get(interp.dict.type.id)!.get('update')!(a, [b], 0));
      return newRef(vm, a);
    }
    // dict_or: a copy of a updated with b, both dicts.
    if (typeOf(vm, b) === interp.dict.type) {
      const d = interp.dict.copy(a);
      try {
        interp.dict.update(d, b);
      } catch (e) {
        interp.rt.decref(d);
        throw e;
      }
      return d;
    }
  }
  const seqA = interp.list.check(a) ? 'list' : interp.tuple.check(a) ? 'tuple' : as ? 'str' : null;
  if (seqA === 'list' && op === 5 && bi && inplace) {
    // list_inplace_repeat: `l *= n` grows l itself.
    const n = intValue(vm, b);
    if (n > 1n && BigInt(interp.list.size(a)) * n > 2n ** 31n) raise(vm, 'MemoryError', null);
    interp.list.inplaceRepeat(a, n < 0n ? 0 : Number(n));
    return newRef(vm, a);
  }
  if (seqA !== null && op === 5 && bi) return sequenceRepeat(vm, a, seqA, intValue(vm, b));
  if (ai && op === 5) {
    const seqB = interp.list.check(b) ? 'list' : interp.tuple.check(b) ? 'tuple' : isStr(vm, b) ? 'str' : null;
    if (seqB !== null) return sequenceRepeat(vm, b, seqB, intValue(vm, a));
  }
  if (op === 0 && inplace && seqA === 'list') {
    // list_inplace_concat: list.extend(b), any iterable.
    const items = iterate(vm, b);
    interp.list.extendFromArray(a, items);
    for (const x of items) interp.rt.decref(x);
    return newRef(vm, a);
  }
  if (op === 0 && seqA === 'list' && interp.list.check(b)) {
    if (inplace) {
      interp.list.extend(a, b);
      return newRef(vm, a);
    }
    // list_concat: a new list with exactly len(a) + len(b) slots (list_new_prealloc).
    const items = [...interp.list.items(a), ...interp.list.items(b)];
    const r = interp.list.new(items.length);
    items.forEach((x, i) => {
      interp.rt.incref(x);
      interp.list.setItem(r, i, x);
    });
    return r;
  }
  const bytesA = bytesLikeOrNull(vm, a);
  const bytesB = bytesA === null ? null : bytesLikeOrNull(vm, b);
  if (op === 0 && bytesA !== null && bytesB !== null) {
    // bytes_concat / bytearray_concat (bytearray_iconcat extends in place): the left operand's type.
    const joined = new Uint8Array(bytesA.length + bytesB.length);
    joined.set(bytesA);
    joined.set(bytesB, bytesA.length);
    if (interp.bytes.check(a)) return interp.bytes.fromBytes(joined);
    if (inplace) {
      interp.bytearray.extend(a, bytesB.slice());
      return newRef(vm, a);
    }
    return interp.bytearray.fromBytes(joined);
  }
  if (op === 0 && seqA === 'tuple' && interp.tuple.check(b)) {
    return vm.tupleOf([...interp.tuple.items(a), ...interp.tuple.items(b)]);
  }
  return 0;
}

function sequenceRepeat(vm: Vm, seq: number, kind: 'list' | 'tuple' | 'str', n: bigint): number {
  const { interp } = vm;
  const count = n < 0n ? 0 : Number(n);
  if (kind === 'list') {
    if (count * interp.list.size(seq) > 2 ** 31) raise(vm, 'MemoryError', null);
    return interp.list.repeat(seq, count);
  }
  if (kind === 'tuple') {
    const items = interp.tuple.items(seq);
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push(...items);
    return vm.tupleOf(out);
  }
  return newStr(vm, strValue(vm, seq).repeat(count));
}

/** UNARY_NEGATIVE / POSITIVE / INVERT. New reference. */
export function unaryOp(vm: Vm, a: number, kind: 'neg' | 'pos' | 'invert'): number {
  if (overrides(vm, a, `__${kind}__`)) return callSpecial(vm, lookupSpecial(vm, a, `__${kind}__`), a, []);
  if (isInt(vm, a)) {
    const v = intValue(vm, a);
    return newInt(vm, kind === 'neg' ? -v : kind === 'pos' ? v : ~v);
  }
  if (isFloat(vm, a) && kind !== 'invert') {
    const v = vm.interp.float.value(a);
    return vm.interp.float.fromNumber(kind === 'neg' ? -v : v);
  }
  const m = lookupSpecial(vm, a, `__${kind}__`);
  if (m !== 0) return callSpecial(vm, m, a, []);
  const sym = kind === 'neg' ? '-' : kind === 'pos' ? '+' : '~';
  raise(vm, 'TypeError', `bad operand type for unary ${sym}: '${typeName(vm, a)}'`);
}

// --- truth and comparison --------------------------------------------------------------------------

/** PyObject_IsTrue. */
export function isTrue(vm: Vm, op: number): boolean {
  const { interp } = vm;
  if (op === interp.long.True) return true;
  if (op === interp.long.False || op === interp.singletons.None) return false;
  if (interp.weakref.isProxy(op)) return isTrue(vm, proxyReferent(vm, op));
  if (overrides(vm, op, '__bool__') || overrides(vm, op, '__len__')) return dunderTruth(vm, op);
  if (isInt(vm, op)) return intValue(vm, op) !== 0n;
  if (isFloat(vm, op)) return interp.float.value(op) !== 0;
  if (isStr(vm, op)) return interp.str.length(op) !== 0;
  if (interp.list.check(op)) return interp.list.size(op) !== 0;
  if (interp.tuple.check(op)) return interp.tuple.size(op) !== 0;
  if (interp.dict.check(op)) return interp.dict.size(op) !== 0;
  if (interp.set.check(op)) return interp.set.size(op) !== 0;
  if (interp.range.check(op)) return intValue(vm, interp.range.fields(op).length) !== 0n;
  const t = slotType(vm, op, '__len__');
  if (t === interp.complex.type) {
    const c = interp.complex.parts(op);
    return c.real !== 0 || c.imag !== 0;
  }
  if (t === interp.bytes.type || t === interp.bytearray.type) return bytesLikeOrNull(vm, op)!.length !== 0;
  if (t === interp.set.frozensetType) return interp.set.size(op) !== 0;
  return dunderTruth(vm, op);
}

/** slot_nb_bool: __bool__ (which must return a bool), else __len__, else true. */
function dunderTruth(vm: Vm, op: number): boolean {
  const { interp } = vm;
  const b = lookupSpecial(vm, op, '__bool__');
  if (b !== 0) {
    // slot_nb_bool: the result must be a bool.
    const r = callSpecial(vm, b, op, []);
    const name = typeName(vm, r);
    const isBool = r === interp.long.True || r === interp.long.False;
    const v = r === interp.long.True;
    interp.rt.decref(r);
    if (!isBool) raise(vm, 'TypeError', `__bool__ should return bool, returned ${name}`);
    return v;
  }
  const l = lookupSpecial(vm, op, '__len__');
  if (l !== 0) {
    const r = callSpecial(vm, l, op, []);
    const v = intValue(vm, r) !== 0n;
    interp.rt.decref(r);
    return v;
  }
  return true;
}

const CMP_OPS = ['<', '<=', '==', '!=', '>', '>='];
const CMP_DUNDER = ['lt', 'le', 'eq', 'ne', 'gt', 'ge'];
const CMP_SWAP = [4, 5, 2, 3, 0, 1];

/** PyObject_RichCompare(a, b, op) (Py_LT .. Py_GE = 0 .. 5). New reference. */
export function richCompare(vm: Vm, a: number, b: number, op: number): number {
  // mappingproxy_richcompare: the mapping's comparison.
  if (typeOf(vm, a) === vm.descr.mappingproxy) return richCompare(vm, vm.descr.mapping(a), b, op);
  if (typeOf(vm, b) === vm.descr.mappingproxy) return richCompare(vm, a, vm.descr.mapping(b), op);
  // proxy_richcompare: both sides unwrapped.
  if (vm.interp.weakref.isProxy(a)) return richCompare(vm, proxyReferent(vm, a), b, op);
  if (vm.interp.weakref.isProxy(b)) return richCompare(vm, a, proxyReferent(vm, b), op);
  // method_richcompare: bound methods are equal when their functions are and their selves are one object.
  if ((op === 2 || op === 3) && typeOf(vm, a) === vm.method.type && typeOf(vm, b) === vm.method.type) {
    const same = vm.method.self(a) === vm.method.self(b) && richCompareBool(vm, vm.method.func(a), vm.method.func(b), 2);
    return newBool(vm, same === (op === 2));
  }
  if ((op === 2 || op === 3) && (vm.interp.memoryview.check(a) || vm.interp.memoryview.check(b))) {
    const eq = memoryviewEq(vm, a, b);
    if (eq !== null) return newBool(vm, op === 2 ? eq : !eq);
  }
  // A class deriving from a built-in type that defines the comparison in Python: its slot comes before the base's.
  const overridden = overrides(vm, a, `__${CMP_DUNDER[op]}__`) || overrides(vm, b, `__${CMP_DUNDER[CMP_SWAP[op]!]}__`);
  if (!overridden) {
    const c = compareBuiltin(vm, a, b, op);
    if (c !== null) return newBool(vm, c);
  }
  const NotImpl = vm.interp.singletons.NotImplemented;
  // do_richcompare: the right operand's reflected method first when its class derives from the left one's.
  if (isHeapType(vm, typeOf(vm, b)) && typeOf(vm, a) !== typeOf(vm, b) && vm.isSubtype(typeOf(vm, b), typeOf(vm, a))) {
    const rm = lookupSpecial(vm, b, `__${CMP_DUNDER[CMP_SWAP[op]!]}__`);
    if (rm !== 0) {
      const r = callSpecial(vm, rm, b, [a]);
      if (r !== NotImpl) return r;
      vm.interp.rt.decref(r);
    }
  }
  const m = lookupSpecial(vm, a, `__${CMP_DUNDER[op]}__`);
  if (m !== 0) {
    const r = callSpecial(vm, m, a, [b]);
    if (r !== NotImpl) return r;
    vm.interp.rt.decref(r);
  }
  const rm = lookupSpecial(vm, b, `__${CMP_DUNDER[CMP_SWAP[op]!]}__`);
  if (rm !== 0) {
    const r = callSpecial(vm, rm, b, [a]);
    if (r !== NotImpl) return r;
    vm.interp.rt.decref(r);
  }
  // object.__ne__ inverts __eq__.
  if (op === 3) {
    const eq = lookupSpecial(vm, a, '__eq__');
    if (eq !== 0) {
      const r = callSpecial(vm, eq, a, [b]);
      if (r !== NotImpl) {
        const v = !isTrue(vm, r);
        vm.interp.rt.decref(r);
        return newBool(vm, v);
      }
      vm.interp.rt.decref(r);
    }
  }
  if (overridden) {
    const c = compareBuiltin(vm, a, b, op);
    if (c !== null) return newBool(vm, c);
  }
  if (op === 2) return newBool(vm, a === b);
  if (op === 3) return newBool(vm, a !== b);
  raise(vm, 'TypeError', `'${CMP_OPS[op]}' not supported between instances of '${typeName(vm, a)}' and '${typeName(vm, b)}'`);
}

/** PyObject_RichCompareBool: identity implies equality for == and !=. */
export function richCompareBool(vm: Vm, a: number, b: number, op: number): boolean {
  if (a === b && (op === 2 || op === 3)) return op === 2;
  const r = richCompare(vm, a, b, op);
  const v = isTrue(vm, r);
  vm.interp.rt.decref(r);
  return v;
}

function cmpResult(c: number, op: number): boolean {
  switch (op) {
    case 0:
      return c < 0;
    case 1:
      return c <= 0;
    case 2:
      return c === 0;
    case 3:
      return c !== 0;
    case 4:
      return c > 0;
    default:
      return c >= 0;
  }
}

/** The built-in types' tp_richcompare; null when none applies. */
export function compareBuiltin(vm: Vm, a: number, b: number, op: number): boolean | null {
  const { interp } = vm;
  const ai = isInt(vm, a);
  const bi = isInt(vm, b);
  if (ai && bi) {
    const fast = intCompareFast(vm, a, b, op);
    if (fast !== null) return fast;
    const x = intValue(vm, a);
    const y = intValue(vm, b);
    return cmpResult(x < y ? -1 : x > y ? 1 : 0, op);
  }
  if ((ai || isFloat(vm, a)) && (bi || isFloat(vm, b))) {
    const x = ai ? intValue(vm, a) : interp.float.value(a);
    const y = bi ? intValue(vm, b) : interp.float.value(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return op === 3;
    // Exact comparison of an int with a float (float_richcompare).
    const c = typeof x === 'number' && typeof y === 'number' ? (x < y ? -1 : x > y ? 1 : 0) : compareMixed(x, y);
    return cmpResult(c, op);
  }
  if (isStr(vm, a) && isStr(vm, b)) {
    const x = strValue(vm, a);
    const y = strValue(vm, b);
    if (op === 2 || op === 3) return (x === y) === (op === 2);
    return cmpResult(compareCodePoints(x, y), op);
  }
  const ba = bytesLikeOrNull(vm, a);
  const bb = ba === null ? null : bytesLikeOrNull(vm, b);
  if (ba !== null && bb !== null) {
    // bytes_richcompare / bytearray_richcompare: byte by byte, then by length.
    const n = Math.min(ba.length, bb.length);
    let c = 0;
    for (let i = 0; i < n && c === 0; i++) c = ba[i]! - bb[i]!;
    return cmpResult(c !== 0 ? c : ba.length - bb.length, op);
  }
  const seq = (o: number): number[] | null => (interp.list.check(o) ? interp.list.items(o) : null);
  const tup = (o: number): number[] | null => (interp.tuple.check(o) ? interp.tuple.items(o) : null);
  const la = seq(a) ?? tup(a);
  const lb = la === null ? null : interp.list.check(a) ? seq(b) : tup(b);
  if (la !== null && lb !== null) {
    // list_richcompare / tuplerichcompare: the first unequal items decide.
    let i = 0;
    for (; i < la.length && i < lb.length; i++) if (!richCompareBool(vm, la[i]!, lb[i]!, 2)) break;
    if (i >= la.length || i >= lb.length) return cmpResult(la.length - lb.length, op);
    if (op === 2) return false;
    if (op === 3) return true;
    return richCompareBool(vm, la[i]!, lb[i]!, op);
  }
  if ((op === 2 || op === 3) && interp.dict.check(a) && interp.dict.check(b)) return interp.eq(a, b) === (op === 2);
  if ((op === 2 || op === 3) && typeOf(vm, a) === interp.range.type && typeOf(vm, b) === interp.range.type) return interp.eq(a, b) === (op === 2);
  if ((op === 2 || op === 3) && (typeOf(vm, a) === interp.complex.type || typeOf(vm, b) === interp.complex.type)) {
    // complex_richcompare: equal to a complex, float or int of the same value (either side).
    const eq = typeOf(vm, a) === interp.complex.type ? interp.eq(a, b) : interp.eq(b, a);
    return eq === (op === 2);
  }
  if ((op === 2 || op === 3) && interp.set.check(a) && interp.set.check(b)) return interp.eq(a, b) === (op === 2);
  if (interp.set.check(a) && interp.set.check(b)) {
    // set_richcompare: <= and < are subset tests, >= and > superset tests.
    const [small, big] = op === 0 || op === 1 ? [a, b] : [b, a];
    const ns = interp.set.size(small);
    const nb = interp.set.size(big);
    if (ns > nb || ((op === 0 || op === 4) && ns === nb)) return false;
    return interp.set.items(small).every((x) => interp.set.contains(big, x));
  }
  if ((op === 2 || op === 3) && a === interp.singletons.None) return (a === b) === (op === 2);
  return null;
}

function compareMixed(x: bigint | number, y: bigint | number): number {
  if (typeof x === 'number' && !Number.isFinite(x)) return x > 0 ? 1 : -1;
  if (typeof y === 'number' && !Number.isFinite(y)) return y > 0 ? -1 : 1;
  const fx = typeof x === 'number' ? x : Number(x);
  const fy = typeof y === 'number' ? y : Number(y);
  if (fx !== fy) return fx < fy ? -1 : 1;
  const bx = typeof x === 'bigint' ? x : BigInt(Math.trunc(x));
  const by = typeof y === 'bigint' ? y : BigInt(Math.trunc(y));
  if (bx !== by) return bx < by ? -1 : 1;
  const rx = typeof x === 'number' ? x - Math.trunc(x) : 0;
  const ry = typeof y === 'number' ? y - Math.trunc(y) : 0;
  return Math.sign(rx - ry);
}

/** Python's str ordering: by code point. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

// --- repr and str --------------------------------------------------------------------------------------

/** PyObject_Repr as a JavaScript string. */
export function repr(vm: Vm, op: number, seen: Set<number> = new Set()): string {
  const { interp } = vm;
  const s = interp.singletons;
  if (op === s.None) return 'None';
  if (op === interp.long.True) return 'True';
  if (op === interp.long.False) return 'False';
  if (op === s.Ellipsis) return 'Ellipsis';
  if (op === s.NotImplemented) return 'NotImplemented';
  const own = typeOf(vm, op);
  // A class deriving from a built-in type: its __repr__, else the base's tp_repr.
  const base = subclassBase(vm, own);
  if (base !== null && overrides(vm, op, '__repr__')) return dunderText(vm, op, '__repr__')!;
  const t = base ?? own;
  if (t === interp.long.type) return intToString(intValue(vm, op));
  if (t === interp.float.type) return floatRepr(interp.float.value(op));
  if (t === interp.str.type) return strRepr(strValue(vm, op));
  if (t === interp.complex.type) return complexRepr(interp.complex.parts(op));
  const custom = isHeapType(vm, t) ? dunderText(vm, op, '__repr__') : null;
  if (custom !== null) return custom;
  if (t === interp.list.type) {
    if (seen.has(op)) return '[...]';
    seen.add(op);
    try {
      return `[${interp.list.items(op).map((x) => repr(vm, x, seen)).join(', ')}]`;
    } finally {
      seen.delete(op);
    }
  }
  if (t === interp.tuple.type) {
    const items = interp.tuple.items(op);
    if (items.length === 1) return `(${repr(vm, items[0]!, seen)},)`;
    return `(${items.map((x) => repr(vm, x, seen)).join(', ')})`;
  }
  if (t === interp.dict.type) {
    if (seen.has(op)) return '{...}';
    seen.add(op);
    try {
      return `{${interp.dict.items(op).map(([k, v]) => `${repr(vm, k, seen)}: ${repr(vm, v, seen)}`).join(', ')}}`;
    } finally {
      seen.delete(op);
    }
  }
  if (t === interp.set.type || t === interp.set.frozensetType) {
    const items = interp.set.items(op);
    const inner = items.map((x) => repr(vm, x, seen)).join(', ');
    // set_repr: a class deriving from set or frozenset names itself.
    if (items.length === 0) return `${own.name}()`;
    if (own !== t) return `${own.name}({${inner}})`;
    return t === interp.set.type ? `{${inner}}` : `frozenset({${inner}})`;
  }
  if (t === interp.bytes.type) return bytesRepr(interp.bytes.data(op));
  if (t === interp.bytearray.type) return `bytearray(${bytesRepr(interp.bytearray.data(op))})`;
  if (t === interp.slice.type) {
    const f = interp.slice.fields(op);
    return `slice(${repr(vm, f.start, seen)}, ${repr(vm, f.stop, seen)}, ${repr(vm, f.step, seen)})`;
  }
  if (t === interp.memoryview.type) return memoryviewRepr(vm, op);
  const view = vm.dictview.kindOf(op);
  if (view !== null) {
    const items = viewItems(vm, op);
    try {
      return `${t.name}([${items.map((x) => repr(vm, x, seen)).join(', ')}])`;
    } finally {
      for (const x of items) interp.rt.decref(x);
    }
  }
  if (t === interp.range.type) {
    const f = interp.range.fields(op);
    const step = intValue(vm, f.step);
    return step === 1n ? `range(${repr(vm, f.start)}, ${repr(vm, f.stop)})` : `range(${repr(vm, f.start)}, ${repr(vm, f.stop)}, ${repr(vm, f.step)})`;
  }
  if (vm.typeobj.check(op)) {
    const ty = vm.typeobj.typeOfObject(op)!;
    // type_repr: module and qualname.
    const q = vm.typeobj.qualname(op);
    return isHeapType(vm, ty) ? `<class '${moduleOfClass(vm, op)}${q !== 0 ? strValue(vm, q) : ty.name}'>` : `<class '${ty.name}'>`;
  }
  if (vm.exc.check(op)) {
    const args = interp.tuple.items(vm.exc.get(op, 'args'));
    return `${t.name}(${args.map((a) => repr(vm, a, seen)).join(', ')}${args.length === 1 ? '' : ''})`;
  }
  if (t === vm.module.type) return `<module '${strValue(vm, vm.module.name(op))}' (built-in)>`;
  const structSeq = structSeqRepr(vm, op);
  if (structSeq !== null) return structSeq;
  const descr = descrRepr(vm, op, hexAddress(vm, op));
  if (descr !== null) return descr;
  if (interp.weakref.isProxy(op)) return proxyRepr(vm, op);
  if (t === interp.weakref.type) {
    const o = interp.weakref.get(op);
    if (o === s.None) return `<weakref at ${hexAddress(vm, op)}; dead>`;
    return `<weakref at ${hexAddress(vm, op)}; to '${typeName(vm, o)}' at ${hexAddress(vm, o)}>`;
  }
  if (t === vm.gen.type) return `<generator object ${strValue(vm, vm.gen.qualname(op))} at ${hexAddress(vm, op)}>`;
  if (t === vm.gen.coroType) return coroutineRepr(vm, op, hexAddress(vm, op));
  if (t === vm.gen.asyncGenType) return `<async_generator object ${strValue(vm, vm.gen.qualname(op))} at ${hexAddress(vm, op)}>`;
  if (t === vm.frameobj.type) return frameRepr(vm, op, hexAddress(vm, op));
  if (t === interp.function.type) return `<function ${strValue(vm, interp.function.fields(op).qualname)} at ${hexAddress(vm, op)}>`;
  if (t === vm.cfunc.type) {
    const self = vm.cfunc.self(op);
    const name = vm.cfunc.def(op).name;
    if (self === 0 || vm.module.check(self)) return `<built-in function ${name}>`;
    return `<built-in method ${name} of ${typeName(vm, self)} object at ${hexAddress(vm, self)}>`;
  }
  if (t === vm.method.type) {
    const f = vm.method.func(op);
    const qualname = typeOf(vm, f) === interp.function.type ? strValue(vm, interp.function.fields(f).qualname) : vm.cfunc.def(f).name;
    return `<bound method ${qualname} of ${repr(vm, vm.method.self(op), seen)}>`;
  }
  if (t === interp.cell.type) return `<cell at ${hexAddress(vm, op)}: ${interp.cell.contents(op) === 0 ? 'empty' : `${typeName(vm, interp.cell.contents(op))} object at ${hexAddress(vm, interp.cell.contents(op))}`}>`;
  return objectRepr(vm, op);
}

/** object_repr: `<module.qualname object at address>` (no module for a built-in type). */
export function objectRepr(vm: Vm, op: number): string {
  const t = typeOf(vm, op);
  if (isHeapType(vm, t)) {
    const cls = vm.typeobj.objectOf(t);
    const q = vm.typeobj.qualname(cls);
    return `<${moduleOfClass(vm, cls)}${q !== 0 ? strValue(vm, q) : t.name} object at ${hexAddress(vm, op)}>`;
  }
  return `<${t.name} object at ${hexAddress(vm, op)}>`;
}

/** The "module." prefix of a class's repr ('__main__.'; none for builtins). */
function moduleOfClass(vm: Vm, cls: number): string {
  const m = vm.interp.dict.getItem(vm.typeobj.dict(cls), id(vm, '__module__'));
  if (m === 0 || !isStr(vm, m)) return '';
  const s = strValue(vm, m);
  return s === 'builtins' ? '' : `${s}.`;
}

/** An object's address as %p prints it. */
export function hexAddress(vm: Vm, op: number): string {
  return `0x${vm.interp.rt.heap.addressOf(op).toString(16).padStart(12, '0')}`;
}

/** bytes_repr. */
export function bytesRepr(b: Uint8Array): string {
  let quote = "'";
  if (b.includes(0x27) && !b.includes(0x22)) quote = '"';
  let out = `b${quote}`;
  for (const c of b) {
    if (c === quote.charCodeAt(0) || c === 0x5c) out += `\\${String.fromCharCode(c)}`;
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c < 0x20 || c >= 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(c);
  }
  return `${out}${quote}`;
}

/**
 * A class's own __repr__ or __str__ (slot_tp_repr / slot_tp_str): its result's
 * text, or null when the class has none; a result that is no str is a TypeError.
 */
function dunderText(vm: Vm, op: number, name: '__repr__' | '__str__'): string | null {
  const m = lookupSpecial(vm, op, name);
  if (m === 0) return null;
  const r = callSpecial(vm, m, op, []);
  try {
    if (!isStr(vm, r)) raise(vm, 'TypeError', `${name} returned non-string (type ${typeName(vm, r)})`);
    return strValue(vm, r);
  } finally {
    vm.interp.rt.decref(r);
  }
}

/** PyObject_Str as a JavaScript string. */
export function str(vm: Vm, op: number): string {
  const { interp } = vm;
  const t = typeOf(vm, op);
  if (interp.weakref.isProxy(op)) return str(vm, proxyReferent(vm, op));
  if (t === interp.str.type) return strValue(vm, op);
  const custom = isHeapType(vm, t) ? dunderText(vm, op, '__str__') : null;
  if (custom !== null) return custom;
  if (vm.exc.check(op)) {
    const os = osErrorStr(vm, op);
    if (os !== null) return os;
    // BaseException_str.
    const args = interp.tuple.items(vm.exc.get(op, 'args'));
    if (args.length === 0) return '';
    // KeyError_str: the key's repr.
    if (args.length === 1) return vm.isSubtype(t, vm.excType('KeyError')) ? repr(vm, args[0]!) : str(vm, args[0]!);
    return repr(vm, vm.exc.get(op, 'args'));
  }
  return repr(vm, op);
}

// --- attributes ----------------------------------------------------------------------------------------

/** Whether t has a __getattribute__ of its own (not object's): then PyObject_GetAttr calls it (slot_tp_getattr_hook). */
export function customGetattribute(vm: Vm, t: PyTypeObject): number {
  if (!isHeapType(vm, t)) return 0;
  const m = typeLookup(vm, t, id(vm, '__getattribute__'));
  return m !== 0 && !isObjectMethod(vm, m, '__getattribute__') ? m : 0;
}

/** Whether op is object's own method name (a method descriptor of object). */
export function isObjectMethod(vm: Vm, op: number, name: string): boolean {
  return typeOf(vm, op) === vm.cfunc.descrType && vm.cfunc.def(op).meth === vm.typeMethods.get(vm.interp.object.type.id)?.get(name);
}

/** PyObject_GetAttr, or 0 where Python raises AttributeError (no exception made). New reference. */
export function getAttrOrNull(vm: Vm, obj: number, name: number): number {
  const custom = customGetattribute(vm, typeOf(vm, obj));
  if (custom === 0) return genericGetAttr(vm, obj, name);
  try {
    return callSpecial(vm, custom, obj, [name]);
  } catch (e) {
    const err = toPyErr(vm, e);
    if (!vm.isSubtype(typeOf(vm, err.exc), vm.excType('AttributeError'))) throw err;
    vm.interp.rt.decref(err.exc);
    return 0;
  }
}

/**
 * The tp_getattro of obj's type without a class's __getattribute__
 * (PyObject_GenericGetAttr for instances: data descriptors of the class,
 * then the instance's own attributes, then other class attributes bound
 * by their __get__; type_getattro for classes). New reference, or 0.
 */
export function genericGetAttr(vm: Vm, obj: number, name: number): number {
  const { interp } = vm;
  const t = typeOf(vm, obj);
  if (vm.typeobj.check(obj)) {
    // type_getattro: the metatype's data descriptors (__name__, __dict__ …), the MRO, then type's methods.
    const ty = vm.typeobj.typeOfObject(obj)!;
    const key = strValue(vm, name);
    const member = typeMember(vm, obj, key);
    if (member !== 0) return member;
    const v = typeLookup(vm, ty, name);
    if (v !== 0) {
      const bound = descrGet(vm, v, 0, obj);
      return bound !== 0 ? bound : newRef(vm, v);
    }
    if (key === '__class__') return newRef(vm, vm.typeObject(t));
    const meta = typeLookup(vm, t, name);
    if (meta !== 0) {
      const bound = descrGet(vm, meta, obj, vm.typeObject(t));
      return bound !== 0 ? bound : newRef(vm, meta);
    }
    return 0;
  }
  if (t === vm.module.type) {
    const v = interp.dict.getItem(vm.module.dict(obj), name);
    if (v !== 0) return newRef(vm, v);
    if (strValue(vm, name) === '__dict__') return newRef(vm, vm.module.dict(obj));
    return 0;
  }
  if (interp.weakref.isProxy(obj)) return getAttrOrNull(vm, proxyReferent(vm, obj), name);
  if (nameIs(vm, name, '__class__')) return newRef(vm, vm.typeObject(t));
  if (t === vm.super.type) return superGetattro(vm, obj, name);
  // The name's text only when a type of the MRO has getsets (built-in types' descriptors).
  let text: string | null = null;
  for (const tid of vm.mroOf(t)) {
    const getsets = vm.typeGetsets.get(tid);
    if (getsets === undefined) continue;
    text ??= strValue(vm, name);
    const get = getsets.get(text);
    if (get !== undefined) return get(obj);
  }
  const clsAttr = typeLookup(vm, t, name);
  if (clsAttr !== 0 && isDataDescriptor(vm, clsAttr)) return descrGet(vm, clsAttr, obj, vm.typeObject(t));
  // An instance's attributes need no text of the name (the hot case: read only where other kinds need it).
  const key = interp.instance.check(obj) ? '' : (text ?? strValue(vm, name));
  if (interp.instance.check(obj)) {
    const v = interp.instance.getAttr(obj, name);
    if (v !== 0) return newRef(vm, v);
  } else if (vm.exc.check(obj)) {
    const v = exceptionGetattr(vm, obj, key);
    if (v !== 0) return v;
    const d = vm.exc.get(obj, 'dict');
    if (d !== 0) {
      const v = interp.dict.getItem(d, name);
      if (v !== 0) return newRef(vm, v);
    }
  } else if (t === interp.function.type) {
    const v = functionMember(vm, obj, key);
    if (v !== 0) return v;
    const d = interp.function.fields(obj).dict;
    if (d !== 0) {
      const v = interp.dict.getItem(d, name);
      if (v !== 0) return newRef(vm, v);
    }
  } else if (t === vm.method.type) {
    if (key === '__self__') return newRef(vm, vm.method.self(obj));
    if (key === '__func__') return newRef(vm, vm.method.func(obj));
    return getAttrOrNull(vm, vm.method.func(obj), name);
  } else if (t === vm.cfunc.type && key === '__name__') {
    return newStr(vm, vm.cfunc.def(obj).name);
  } else if (t === vm.cfunc.type && key === '__qualname__') {
    // meth_get__qualname__: the name alone for a module's function; else the qualname of
    // __self__ (a type) or of its type, a dot, and the name.
    const self = vm.cfunc.self(obj);
    const ml = vm.cfunc.def(obj).name;
    if (self === 0 || vm.module.check(self)) return newStr(vm, ml);
    const owner = vm.typeobj.typeOfObject(self) !== undefined ? self : vm.typeObject(typeOf(vm, self));
    const q = getAttr(vm, owner, id(vm, '__qualname__'));
    try {
      return newStr(vm, `${strValue(vm, q)}.${ml}`);
    } finally {
      interp.rt.decref(q);
    }
  } else if (t === interp.complex.type && (key === 'real' || key === 'imag')) {
    return interp.float.fromNumber(interp.complex.parts(obj)[key]);
  } else if (t === interp.memoryview.type) {
    const v = memoryviewAttr(vm, obj, key);
    if (v !== 0) return v;
  } else {
    const v = descrMember(vm, obj, key) || memberOf(vm, obj, key);
    if (v !== 0) return v;
  }
  if (clsAttr !== 0) {
    const bound = descrGet(vm, clsAttr, obj, vm.typeObject(t));
    return bound !== 0 ? bound : newRef(vm, clsAttr);
  }
  return 0;
}

/**
 * Whether the str `name` is `text`: by identity when name is interned
 * (interned strings are unique, and names from code are interned), else by
 * its characters.
 */
function nameIs(vm: Vm, name: number, text: string): boolean {
  if (name === id(vm, text)) return true;
  return !vm.interp.str.isInterned(name) && strValue(vm, name) === text;
}

/** super_getattro: name along obj_type's MRO after `type`, bound to obj; 0 when absent. */
function superGetattro(vm: Vm, sup: number, name: number): number {
  const { interp } = vm;
  const { type, obj, objType } = vm.super.fields(sup);
  const mro = vm.mroOf(vm.typeobj.typeOfObject(objType)!);
  const start = mro.indexOf(vm.typeobj.typeOfObject(type)!.id);
  for (let i = start + 1; i < mro.length; i++) {
    const d = vm.typeobj.dict(vm.typeObject(interp.rt.types[mro[i]!]!));
    const v = interp.dict.getItem(d, name);
    if (v !== 0) {
      const bound = descrGet(vm, v, obj === objType ? 0 : obj, objType);
      return bound !== 0 ? bound : newRef(vm, v);
    }
  }
  return 0;
}

/** PyObject_GetAttr: new reference; AttributeError in CPython's words. */
export function getAttr(vm: Vm, obj: number, name: number): number {
  const custom = customGetattribute(vm, typeOf(vm, obj));
  if (custom !== 0) {
    // slot_tp_getattr_hook: __getattribute__, then __getattr__ on AttributeError.
    try {
      return callSpecial(vm, custom, obj, [name]);
    } catch (e) {
      const err = toPyErr(vm, e);
      const getattr = lookupSpecial(vm, obj, '__getattr__');
      if (getattr === 0 || !vm.isSubtype(typeOf(vm, err.exc), vm.excType('AttributeError'))) throw err;
      vm.interp.rt.decref(err.exc);
      return callSpecial(vm, getattr, obj, [name]);
    }
  }
  let v: number;
  try {
    v = genericGetAttr(vm, obj, name);
  } catch (e) {
    // A descriptor's AttributeError also falls back to the class's __getattr__.
    const err = toPyErr(vm, e);
    const getattr = vm.isSubtype(typeOf(vm, err.exc), vm.excType('AttributeError')) ? lookupSpecial(vm, obj, '__getattr__') : 0;
    if (getattr === 0) throw err;
    vm.interp.rt.decref(err.exc);
    return callSpecial(vm, getattr, obj, [name]);
  }
  if (v !== 0) return v;
  const getattr = lookupSpecial(vm, obj, '__getattr__');
  if (getattr !== 0) return callSpecial(vm, getattr, obj, [name]);
  raise(vm, 'AttributeError', attributeErrorMessage(vm, obj, name));
}

/** The message of the AttributeError for obj.name (3.11's words per kind). */
export function attributeErrorMessage(vm: Vm, obj: number, name: number): string {
  const key = strValue(vm, name);
  if (vm.typeobj.check(obj)) return `type object '${vm.typeobj.typeOfObject(obj)!.name}' has no attribute '${key}'`;
  if (vm.super.check(obj)) return `'super' object has no attribute '${key}'`;
  if (vm.module.check(obj)) return `module '${strValue(vm, vm.module.name(obj))}' has no attribute '${key}'`;
  return `'${typeName(vm, obj)}' object has no attribute '${key}'`;
}

/** PyObject_SetAttr (value 0: del): a class's own __setattr__ / __delattr__, else the generic one. */
export function setAttr(vm: Vm, obj: number, name: number, value: number): void {
  const t = typeOf(vm, obj);
  if (isHeapType(vm, t) && !vm.typeobj.check(obj)) {
    const which = value === 0 ? '__delattr__' : '__setattr__';
    const custom = lookupSpecial(vm, obj, which);
    if (custom !== 0 && !isObjectMethod(vm, custom, which)) {
      vm.interp.rt.decref(callSpecial(vm, custom, obj, value === 0 ? [name] : [name, value]));
      return;
    }
  }
  genericSetAttr(vm, obj, name, value);
}

/** PyObject_GenericSetAttr (and type_setattro for classes): a data descriptor of the class, else the object's dict. */
export function genericSetAttr(vm: Vm, obj: number, name: number, value: number): void {
  const { interp } = vm;
  const t = typeOf(vm, obj);
  if (interp.weakref.isProxy(obj)) return setAttr(vm, proxyReferent(vm, obj), name, value);
  const clsAttr = vm.typeobj.check(obj) ? 0 : typeLookup(vm, t, name);
  if (clsAttr !== 0 && descrSet(vm, clsAttr, obj, value)) return;
  if (interp.instance.check(obj)) {
    if (value === 0) interp.instance.delAttr(obj, name);
    else interp.instance.setAttr(obj, name, value);
    return;
  }
  let d = 0;
  if (vm.typeobj.check(obj)) d = vm.typeobj.dict(obj);
  else if (vm.module.check(obj)) d = vm.module.dict(obj);
  else if (t === interp.function.type) {
    d = interp.function.dictOf(obj);
    interp.rt.decref(d);
  } else if (vm.exc.check(obj)) {
    if (exceptionSetattr(vm, obj, strValue(vm, name), value)) return;
    d = exceptionDict(vm, obj);
  }
  if (d === 0) {
    if (typeLookup(vm, t, name) !== 0) raise(vm, 'AttributeError', `'${t.name}' object attribute '${strValue(vm, name)}' is read-only`);
    // A struct sequence's fields are READONLY members (PyMember_SetOne).
    if (isStructSeqType(vm, t) && vm.typeGetsets.get(t.id)?.has(strValue(vm, name)) === true) raise(vm, 'AttributeError', 'readonly attribute');
    raise(vm, 'AttributeError', `'${t.name}' object has no attribute '${strValue(vm, name)}'`);
  }
  // type_setattro's PyType_Modified, before the change: the old value's release may run code that looks the name up again.
  if (vm.typeobj.check(obj)) vm.typeCache.modified(vm.typeobj.typeOfObject(obj)!);
  if (value !== 0) interp.dict.setItem(d, name, value);
  else if (interp.dict.contains(d, name)) interp.dict.delItem(d, name);
  else raise(vm, 'AttributeError', attributeErrorMessage(vm, obj, name));
}

// --- calls ---------------------------------------------------------------------------------------------

/** PyCallable_Check: functions, methods, built-in callables, classes, callable proxies and instances of classes with __call__. */
export function isCallable(vm: Vm, op: number): boolean {
  const t = typeOf(vm, op);
  const { interp } = vm;
  if (t === interp.function.type || t === vm.cfunc.type || t === vm.cfunc.descrType || t === vm.method.type || t === interp.weakref.type) return true;
  if (t === interp.weakref.callableProxyType || t === vm.descr.staticmethod || vm.typeobj.check(op)) return true;
  return lookupSpecial(vm, op, '__call__') !== 0;
}

/**
 * PyObject_Vectorcall(callable, args, kwnames): args borrowed (the last
 * len(kwnames) are the keyword values). New reference.
 */
export function callObject(vm: Vm, callable: number, args: readonly number[], kwnames: number, _special = false): number {
  const { interp } = vm;
  const t = typeOf(vm, callable);
  if (t === interp.function.type) return callPython(vm, callable, args, kwnames);
  if (t === vm.cfunc.type) return vm.cfunc.def(callable).meth(vm.cfunc.self(callable), args, kwnames);
  if (t === vm.cfunc.descrType) {
    if (args.length === 0) raise(vm, 'TypeError', `unbound method ${vm.cfunc.def(callable).name}() needs an argument`);
    return vm.cfunc.def(callable).meth(args[0]!, args.slice(1), kwnames);
  }
  if (t === vm.method.type) return callObject(vm, vm.method.func(callable), [vm.method.self(callable), ...args], kwnames);
  if (t === vm.descr.staticmethod) return callObject(vm, vm.descr.wrapped(callable), args, kwnames);
  if (t === interp.weakref.callableProxyType) return proxyCall(vm, callable, args, kwnames);
  if (t === interp.weakref.type) {
    if (args.length > 0) raise(vm, 'TypeError', `weakref() takes no arguments`);
    return interp.weakref.call(callable);
  }
  if (vm.typeobj.check(callable)) return vm.callType(callable, args, kwnames);
  const call = lookupSpecial(vm, callable, '__call__');
  if (call !== 0) return callObject(vm, call, [callable, ...args], kwnames);
  raise(vm, 'TypeError', `'${t.name}' object is not callable`);
}

// --- items, iteration, length --------------------------------------------------------------------------

/** A sequence index: an int (or __index__), negative counted from the end. */
function indexOf(vm: Vm, key: number, n: number, what: string): number {
  if (!isInt(vm, key)) raise(vm, 'TypeError', `${what} indices must be integers or slices, not ${typeName(vm, key)}`);
  let i = Number(intValue(vm, key));
  if (i < 0) i += n;
  return i;
}

/** PySlice_GetIndicesEx + PySlice_AdjustIndices: start, stop, step and length for a sequence of n. */
export function sliceIndices(vm: Vm, slice: number, n: number): [number, number, number, number] {
  const f = vm.interp.slice.fields(slice);
  const None = vm.interp.singletons.None;
  const get = (o: number): number | null => (o === None ? null : Number(intValue(vm, o)));
  const step = get(f.step) ?? 1;
  if (step === 0) raise(vm, 'ValueError', 'slice step cannot be zero');
  let start = get(f.start);
  let stop = get(f.stop);
  if (start === null) start = step < 0 ? n - 1 : 0;
  else if (start < 0) start = Math.max(start + n, step < 0 ? -1 : 0);
  else if (start >= n) start = step < 0 ? n - 1 : n;
  if (stop === null) stop = step < 0 ? -1 : n;
  else if (stop < 0) stop = Math.max(stop + n, step < 0 ? -1 : 0);
  else if (stop >= n) stop = step < 0 ? n - 1 : n;
  let len = 0;
  if (step < 0) len = stop < start ? Math.floor((start - stop - 1) / -step) + 1 : 0;
  else len = start < stop ? Math.floor((stop - start - 1) / step) + 1 : 0;
  return [start, stop, step, len];
}

/**
 * Runs f on operands of the set algebra (set_update_internal's kinds): a set,
 * frozenset or dict as it is, any other iterable as its items (new
 * references, released once f returns or throws).
 */
export function withSetOperands<R>(vm: Vm, objs: readonly number[], f: (operands: SetIterable[]) => R): R {
  const owned: number[][] = [];
  try {
    const operands = objs.map((o): SetIterable => {
      if (vm.interp.set.check(o) || typeOf(vm, o) === vm.interp.dict.type) return o;
      const items = iterate(vm, o);
      owned.push(items);
      return items;
    });
    return f(operands);
  } finally {
    for (const items of owned) for (const x of items) vm.interp.rt.decref(x);
  }
}

/** PyObject_GetItem. New reference. */
export function getItem(vm: Vm, obj: number, key: number): number {
  const { interp } = vm;
  const t = slotType(vm, obj, '__getitem__');
  if (t === interp.memoryview.type) return memoryviewGetItem(vm, obj, key);
  const isSlice = typeOf(vm, key) === interp.slice.type;
  if (t === vm.descr.mappingproxy) return getItem(vm, vm.descr.mapping(obj), key);
  if (interp.weakref.isProxy(obj)) return getItem(vm, proxyReferent(vm, obj), key);
  if (t === interp.list.type || t === interp.tuple.type || isStructSeqType(vm, t)) {
    const items = t === interp.list.type ? interp.list.items(obj) : interp.tuple.items(obj);
    if (isSlice) {
      // list_subscript / tuple_subscript: a whole (exact) tuple is itself; a list's slice is exactly sized.
      const [start, , step, len] = sliceIndices(vm, key, items.length);
      if (t === interp.tuple.type && start === 0 && step === 1 && len === items.length) return newRef(vm, obj);
      const out: number[] = [];
      for (let k = 0, i = start; k < len; k++, i += step) out.push(items[i]!);
      return t === interp.list.type ? interp.list.fromArray(out) : vm.tupleOf(out);
    }
    const i = indexOf(vm, key, items.length, t.name);
    if (i < 0 || i >= items.length) raise(vm, 'IndexError', `${t.name} index out of range`);
    return newRef(vm, items[i]!);
  }
  if (t === interp.str.type) {
    const cps = Array.from(strValue(vm, obj));
    if (isSlice) {
      const [start, , step, len] = sliceIndices(vm, key, cps.length);
      // unicode_subscript: the whole string is itself (unicode_result_unchanged).
      if (start === 0 && step === 1 && len === cps.length) return newRef(vm, obj);
      let s = '';
      for (let k = 0, i = start; k < len; k++, i += step) s += cps[i]!;
      return newStr(vm, s);
    }
    const i = indexOf(vm, key, cps.length, 'string');
    if (i < 0 || i >= cps.length) raise(vm, 'IndexError', 'string index out of range');
    return newStr(vm, cps[i]!);
  }
  if (t === interp.dict.type) {
    const v = interp.dict.getItem(obj, key);
    if (v !== 0) return newRef(vm, v);
    // dict_subscript: a class deriving from dict may have __missing__.
    const missing = typeOf(vm, obj) !== t ? lookupSpecial(vm, obj, '__missing__') : 0;
    if (missing !== 0) return callSpecial(vm, missing, obj, [key]);
    throw keyError(vm, key);
  }
  if (t === interp.range.type && !isSlice) {
    // compute_range_item on the ints: the length may be past a C ssize_t.
    const f = interp.range.fields(obj);
    const n = intValue(vm, f.length);
    if (!isInt(vm, key)) raise(vm, 'TypeError', `range indices must be integers or slices, not ${typeName(vm, key)}`);
    let i = intValue(vm, key);
    if (i < 0n) i += n;
    if (i < 0n || i >= n) raise(vm, 'IndexError', 'range object index out of range');
    return newInt(vm, intValue(vm, f.start) + i * intValue(vm, f.step));
  }
  if (t === interp.range.type) {
    // compute_slice: range(start + i*step, start + j*step, step*k) for the slice's adjusted i, j, k.
    const f = interp.range.fields(obj);
    const [i, j, k] = sliceIndices(vm, key, interp.range.length(obj));
    const r0 = intValue(vm, f.start);
    const st = intValue(vm, f.step);
    const parts = [r0 + BigInt(i) * st, r0 + BigInt(j) * st, st * BigInt(k)].map((v) => newInt(vm, v));
    try {
      return interp.range.vectorcall(parts);
    } finally {
      for (const p of parts) interp.rt.decref(p);
    }
  }
  if ((t === interp.bytes.type || t === interp.bytearray.type) && isSlice) {
    const b = bytesLikeOrNull(vm, obj)!;
    const [start, , step, len] = sliceIndices(vm, key, b.length);
    // bytes_subscript: the whole bytes object is itself.
    if (t === interp.bytes.type && start === 0 && step === 1 && len === b.length) return newRef(vm, obj);
    const out = new Uint8Array(len);
    for (let n = 0, i = start; n < len; n++, i += step) out[n] = b[i]!;
    return t === interp.bytes.type ? interp.bytes.fromBytes(out) : interp.bytearray.fromBytes(out);
  }
  if (t === interp.bytes.type || t === interp.bytearray.type) {
    const b = bytesLikeOrNull(vm, obj)!;
    const i = indexOf(vm, key, b.length, t === interp.bytes.type ? 'byte' : 'bytearray');
    if (i < 0 || i >= b.length) raise(vm, 'IndexError', t === interp.bytes.type ? 'index out of range' : 'bytearray index out of range');
    return newInt(vm, b[i]!);
  }
  const m = lookupSpecial(vm, obj, '__getitem__');
  if (m !== 0) return callSpecial(vm, m, obj, [key]);
  if (vm.typeobj.check(obj)) raise(vm, 'TypeError', `type '${vm.typeobj.typeOfObject(obj)!.name}' is not subscriptable`);
  raise(vm, 'TypeError', `'${typeName(vm, obj)}' object is not subscriptable`);
}

/** The KeyError for a missing key (args (key,)). */
export function keyError(vm: Vm, key: number): PyErr {
  const args = vm.tupleOf([key]);
  const exc = vm.exc.new(vm.excType('KeyError'), args);
  vm.interp.rt.decref(args);
  return new PyErr(exc, `KeyError: ${repr(vm, key)}`);
}

/** PyObject_SetItem (value 0: del). */
export function setItem(vm: Vm, obj: number, key: number, value: number): void {
  const { interp } = vm;
  const t = slotType(vm, obj, value === 0 ? '__delitem__' : '__setitem__');
  if (t === interp.memoryview.type) return memoryviewSetItem(vm, obj, key, value);
  if (t === interp.list.type) {
    if (typeOf(vm, key) === interp.slice.type) {
      listAssSubscript(vm, obj, key, value);
      return;
    }
    const n = interp.list.size(obj);
    const i = indexOf(vm, key, n, 'list');
    if (i < 0 || i >= n) raise(vm, 'IndexError', value === 0 ? 'list assignment index out of range' : 'list assignment index out of range');
    if (value === 0) {
      interp.list.setSlice(obj, i, i + 1, 0);
      return;
    }
    interp.rt.incref(value);
    interp.list.setItem(obj, i, value);
    return;
  }
  if (t === interp.bytearray.type && typeOf(vm, key) !== interp.slice.type) {
    // bytearray_ass_subscript with an index: a byte value, or deletion.
    const n = interp.bytearray.size(obj);
    const i = indexOf(vm, key, n, 'bytearray');
    if (i < 0 || i >= n) raise(vm, 'IndexError', 'bytearray index out of range');
    if (value === 0) interp.bytearray.setSlice(obj, i, i + 1, null);
    else {
      if (!isInt(vm, value)) raise(vm, 'TypeError', `'${typeName(vm, value)}' object cannot be interpreted as an integer`);
      const v = intValue(vm, value);
      if (v < 0n || v > 255n) raise(vm, 'ValueError', 'byte must be in range(0, 256)');
      interp.bytearray.data(obj)[i] = Number(v);
    }
    return;
  }
  if (t === interp.dict.type) {
    if (value !== 0) interp.dict.setItem(obj, key, value);
    else if (interp.dict.contains(obj, key)) interp.dict.delItem(obj, key);
    else throw keyError(vm, key);
    return;
  }
  const m = lookupSpecial(vm, obj, value === 0 ? '__delitem__' : '__setitem__');
  if (m !== 0) {
    interp.rt.decref(callSpecial(vm, m, obj, value === 0 ? [key] : [key, value]));
    return;
  }
  if (value === 0) raise(vm, 'TypeError', `'${typeName(vm, obj)}' object doesn't support item deletion`);
  raise(vm, 'TypeError', `'${typeName(vm, obj)}' object does not support item assignment`);
}

/**
 * list_ass_subscript with a slice (value 0: del): a step of 1 is
 * list_ass_slice, any iterable (PySequence_Fast: a list or tuple as it is, l
 * itself copied); another step needs exactly as many items as the slice has.
 */
function listAssSubscript(vm: Vm, l: number, slice: number, value: number): void {
  const { interp } = vm;
  const [start, stop, step, slicelength] = sliceIndices(vm, slice, interp.list.size(l));
  const fast = (message: string): number => {
    if (value === 0) return 0;
    if (value !== l && (interp.list.check(value) || interp.tuple.check(value))) return newRef(vm, value);
    try {
      return listFromIterable(vm, value);
    } catch (e) {
      const err = toPyErr(vm, e);
      if (!vm.isSubtype(typeOf(vm, err.exc), vm.excType('TypeError')) || value === l) throw err;
      interp.rt.decref(err.exc);
      raise(vm, 'TypeError', message);
    }
  };
  if (step === 1) {
    const items = fast('can only assign an iterable');
    try {
      interp.list.setSlice(l, start, Math.max(start, stop), items);
    } finally {
      if (items !== 0) interp.rt.decref(items);
    }
    return;
  }
  const items = fast('must assign iterable to extended slice');
  try {
    if (items !== 0 && length(vm, items) !== slicelength) {
      raise(vm, 'ValueError', `attempt to assign sequence of size ${length(vm, items)} to extended slice of size ${slicelength}`);
    }
    interp.list.assignExtendedSlice(l, start, step, slicelength, items);
  } finally {
    if (items !== 0) interp.rt.decref(items);
  }
}

/** PyDictViewSet_Check: a keys or items view (the views with set operations). */
function isDictViewSet(vm: Vm, o: number): boolean {
  const kind = vm.dictview.kindOf(o);
  return kind === 'keys' || kind === 'items';
}

/** dictviews_to_set: a new set of o's items (a keys view of a dict goes in as the dict). New reference. */
function dictviewsToSet(vm: Vm, o: number): number {
  const d = vm.dictview.kindOf(o) === 'keys' ? vm.dictview.dict(o) : 0;
  return withSetOperands(vm, [d !== 0 && typeOf(vm, d) === vm.interp.dict.type ? d : o], ([it]) => vm.interp.set.new(it));
}

/**
 * dictviews_and / dictviews_or / dictviews_sub / dictviews_xor: a set made
 * from the left operand, updated with the right one (& is _PyDictView_Intersect).
 */
function dictviewsBinary(vm: Vm, a: number, b: number, op: number): number {
  const ST = vm.interp.set;
  if (op === 1) return dictviewIntersect(vm, a, b);
  const result = dictviewsToSet(vm, a);
  try {
    withSetOperands(vm, [b], ([other]) => {
      if (op === 7) ST.update(result, other!);
      else if (op === 10) ST.differenceUpdate(result, [other!]);
      else ST.symmetricDifferenceUpdate(result, other!);
    });
  } catch (e) {
    vm.interp.rt.decref(result);
    throw e;
  }
  return result;
}

/**
 * _PyDictView_Intersect: a set other at least as large as the view answers
 * other.intersection(view); else the smaller operand is iterated and each of
 * its items kept when the larger (a view) contains it.
 */
function dictviewIntersect(vm: Vm, a: number, b: number): number {
  const ST = vm.interp.set;
  let self = isDictViewSet(vm, a) ? a : b;
  let other = self === a ? b : a;
  const lenSelf = length(vm, self);
  if (typeOf(vm, other) === ST.type && lenSelf <= ST.size(other)) return withSetOperands(vm, [self], (its) => ST.intersection(other, its));
  if (isDictViewSet(vm, other) && length(vm, other) > lenSelf) [self, other] = [other, self];
  const result = ST.new();
  const items = iterate(vm, other);
  try {
    for (const x of items) if (contains(vm, self, x)) ST.add(result, x);
  } catch (e) {
    vm.interp.rt.decref(result);
    throw e;
  } finally {
    for (const x of items) vm.interp.rt.decref(x);
  }
  return result;
}

/** The items a dict view shows now (new references). */
function viewItems(vm: Vm, view: number): number[] {
  const { interp } = vm;
  const d = vm.dictview.dict(view);
  const kind = vm.dictview.kindOf(view)!;
  if (kind === 'keys') return interp.dict.keys(d).map((k) => newRef(vm, k));
  if (kind === 'values') return interp.dict.values(d).map((v) => newRef(vm, v));
  return interp.dict.items(d).map(([k, v]) => vm.tupleOf([k, v]));
}

/** PyObject_GetIter. New reference. */
export function getIter(vm: Vm, obj: number): number {
  const { interp } = vm;
  const t = slotType(vm, obj, '__iter__');
  if (t === interp.list.type) return interp.listiter.iter(obj);
  if (t === interp.range.type) return interp.range.iter(obj);
  if (t === interp.listiter.type || t === interp.range.iterType || t === interp.range.longIterType || t === vm.seqIterType || t === vm.gen.type || t === interp.memoryview.iterType || vm.tpIternext.has(t.id)) return newRef(vm, obj);
  if (t === interp.tuple.type || t === interp.str.type || t === interp.bytes.type || t === interp.bytearray.type || isStructSeqType(vm, t)) return vm.containerIters.seqIter(obj);
  if (t === interp.dict.type) return vm.containerIters.dictIter(obj, 'keys');
  const view = vm.dictview.kindOf(obj);
  if (view !== null) return vm.containerIters.dictIter(vm.dictview.dict(obj), view);
  if (t === interp.set.type || t === interp.set.frozensetType) return vm.containerIters.setIter(obj);
  if (t === vm.descr.mappingproxy) return getIter(vm, vm.descr.mapping(obj));
  if (interp.weakref.isProxy(obj)) return getIter(vm, proxyReferent(vm, obj));
  if (t === interp.memoryview.type) return memoryviewIter(vm, obj);
  const m = lookupSpecial(vm, obj, '__iter__');
  if (m !== 0 && m !== interp.singletons.None) {
    const res = callSpecial(vm, m, obj, []);
    if (!isIterator(vm, res)) {
      const name = typeName(vm, res);
      interp.rt.decref(res);
      raise(vm, 'TypeError', `iter() returned non-iterator of type '${name}'`);
    }
    return res;
  }
  // No tp_iter: a sequence (a class with __getitem__) iterates by index (PySeqIter_New).
  if (m === 0 && vm.classes.has(t.id) && lookupSpecial(vm, obj, '__getitem__') !== 0) return seqIterNew(vm, obj);
  raise(vm, 'TypeError', `'${typeName(vm, obj)}' object is not iterable`);
}

/** PyIter_Next: the next item (new reference) or 0 when exhausted. */
export function iterNext(vm: Vm, it: number): number {
  const { interp } = vm;
  const t = typeOf(vm, it);
  if (t === interp.listiter.type) return interp.listiter.next(it);
  if (t === interp.range.iterType || t === interp.range.longIterType) return interp.range.next(it);
  if (t === vm.seqIterType) return vm.seqIterNext(it);
  if (t === interp.memoryview.iterType) return memoryviewIterNext(vm, it);
  if (t === vm.gen.type) return genNext(vm, it);
  const next = vm.tpIternext.get(t.id);
  if (next !== undefined) return next(it);
  const m = lookupSpecial(vm, it, '__next__');
  if (m !== 0) {
    try {
      return callSpecial(vm, m, it, []);
    } catch (e) {
      const err = toPyErr(vm, e);
      if (typeOf(vm, err.exc) === vm.excType('StopIteration') || vm.isSubtype(typeOf(vm, err.exc), vm.excType('StopIteration'))) {
        interp.rt.decref(err.exc);
        return 0;
      }
      throw err;
    }
  }
  raise(vm, 'TypeError', `'${t.name}' object is not an iterator`);
}

/** The items of an iterable as new references (list(iterable)'s work). */
export function iterate(vm: Vm, obj: number): number[] {
  const { interp } = vm;
  // PySequence_Fast: an exact list or tuple as it is (a subclass's may define __iter__).
  const t = typeOf(vm, obj);
  if (t === interp.list.type) return interp.list.items(obj).map((x) => newRef(vm, x));
  if (t === interp.tuple.type) return interp.tuple.items(obj).map((x) => newRef(vm, x));
  const it = getIter(vm, obj);
  const out: number[] = [];
  try {
    for (let x = iterNext(vm, it); x !== 0; x = iterNext(vm, it)) out.push(x);
  } catch (e) {
    for (const x of out) interp.rt.decref(x);
    throw e;
  } finally {
    interp.rt.decref(it);
  }
  return out;
}

/** list(iterable). New reference. */
export function listFromIterable(vm: Vm, obj: number): number {
  const items = iterate(vm, obj);
  const l = vm.interp.list.new(0);
  vm.interp.list.extendFromArray(l, items);
  for (const x of items) vm.interp.rt.decref(x);
  return l;
}

/** PyNumber_Index: an int's value, or __index__'s (which must return an int). */
export function numberIndex(vm: Vm, o: number): bigint {
  if (isInt(vm, o)) return intValue(vm, o);
  const m = lookupSpecial(vm, o, '__index__');
  if (m === 0) raise(vm, 'TypeError', `'${typeName(vm, o)}' object cannot be interpreted as an integer`);
  const r = callObject(vm, m, [o], 0);
  try {
    if (!isInt(vm, r)) raise(vm, 'TypeError', `__index__ returned non-int (type ${typeName(vm, r)})`);
    return intValue(vm, r);
  } finally {
    vm.interp.rt.decref(r);
  }
}

/** PyObject_Size (len). */
export function length(vm: Vm, obj: number): number {
  const { interp } = vm;
  const t = slotType(vm, obj, '__len__');
  if (t === interp.list.type) return interp.list.size(obj);
  if (t === interp.tuple.type || isStructSeqType(vm, t)) return interp.tuple.size(obj);
  if (t === interp.str.type) return interp.str.length(obj);
  if (t === interp.dict.type) return interp.dict.size(obj);
  if (t === vm.descr.mappingproxy) return length(vm, vm.descr.mapping(obj));
  if (interp.weakref.isProxy(obj)) return length(vm, proxyReferent(vm, obj));
  if (t === interp.set.type || t === interp.set.frozensetType) return interp.set.size(obj);
  if (t === interp.range.type) return interp.range.length(obj);
  if (t === interp.bytes.type) return interp.bytes.size(obj);
  if (t === interp.bytearray.type) return interp.bytearray.size(obj);
  if (t === interp.memoryview.type) return memoryviewLength(vm, obj);
  if (vm.dictview.kindOf(obj) !== null) return interp.dict.size(vm.dictview.dict(obj));
  const m = lookupSpecial(vm, obj, '__len__');
  if (m !== 0) {
    const r = callSpecial(vm, m, obj, []);
    try {
      if (!isInt(vm, r)) raise(vm, 'TypeError', `'${typeName(vm, r)}' object cannot be interpreted as an integer`);
      const n = Number(intValue(vm, r));
      if (n < 0) raise(vm, 'ValueError', '__len__() should return >= 0');
      return n;
    } finally {
      interp.rt.decref(r);
    }
  }
  raise(vm, 'TypeError', `object of type '${typeName(vm, obj)}' has no len()`);
}

/** PySequence_Contains (the `in` operator). */
export function contains(vm: Vm, container: number, item: number): boolean {
  const { interp } = vm;
  const t = slotType(vm, container, '__contains__');
  if (t === interp.dict.type) return interp.dict.contains(container, item);
  if (t === vm.descr.mappingproxy) return contains(vm, vm.descr.mapping(container), item);
  if (interp.weakref.isProxy(container)) return contains(vm, proxyReferent(vm, container), item);
  if (vm.dictview.kindOf(container) === 'keys') return interp.dict.contains(vm.dictview.dict(container), item);
  if (t === interp.set.type || t === interp.set.frozensetType) return interp.set.contains(container, item);
  if (t === interp.str.type) {
    if (!isStr(vm, item)) raise(vm, 'TypeError', `'in <string>' requires string as left operand, not ${typeName(vm, item)}`);
    return strValue(vm, container).includes(strValue(vm, item));
  }
  if (t === interp.list.type || t === interp.tuple.type || isStructSeqType(vm, t)) {
    const items = t === interp.list.type ? interp.list.items(container) : interp.tuple.items(container);
    return items.some((x) => richCompareBool(vm, x, item, 2));
  }
  if (t === interp.range.type && (typeOf(vm, item) === interp.long.type || typeOf(vm, item) === interp.long.boolType)) {
    // range_contains_long: arithmetic, not a scan.
    return rangeIndexOf(vm, container, intValue(vm, item)) >= 0n;
  }
  const bytes = bytesLikeOrNull(vm, container);
  if (bytes !== null) {
    // _Py_bytes_contains: a byte value, or a bytes-like run.
    if (isInt(vm, item)) {
      const v = intValue(vm, item);
      if (v < 0n || v > 255n) raise(vm, 'ValueError', 'byte must be in range(0, 256)');
      return bytes.includes(Number(v));
    }
    const sub = bytesLikeOrNull(vm, item);
    if (sub === null) raise(vm, 'TypeError', `a bytes-like object is required, not '${typeName(vm, item)}'`);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).indexOf(Buffer.from(sub.buffer, sub.byteOffset, sub.length)) >= 0;
  }
  const m = lookupSpecial(vm, container, '__contains__');
  if (m !== 0) {
    const r = callSpecial(vm, m, container, [item]);
    const v = isTrue(vm, r);
    interp.rt.decref(r);
    return v;
  }
  // _PySequence_IterSearch: item by item, stopping at the first equal one (an infinite iterator is fine).
  const it = getIter(vm, container);
  try {
    for (let x = iterNext(vm, it); x !== 0; x = iterNext(vm, it)) {
      let found: boolean;
      try {
        found = richCompareBool(vm, x, item, 2);
      } finally {
        interp.rt.decref(x);
      }
      if (found) return true;
    }
    return false;
  } finally {
    interp.rt.decref(it);
  }
}

/** PyObject_Hash. */
export function hash(vm: Vm, op: number): bigint {
  const m = lookupSpecial(vm, op, '__hash__');
  if (m !== 0) {
    if (m === vm.interp.singletons.None) raise(vm, 'TypeError', `unhashable type: '${typeName(vm, op)}'`);
    const r = callSpecial(vm, m, op, []);
    const v = intValue(vm, r);
    vm.interp.rt.decref(r);
    return v;
  }
  try {
    return vm.interp.hash64(op);
  } catch (e) {
    throw toPyErr(vm, e);
  }
}
