/*
 * The lazy iterators of the builtins, as CPython 3.11 makes and advances
 * them: enumerate and reversed (Objects/enumobject.c), iterator and
 * callable_iterator (Objects/iterobject.c), filter, map and zip
 * (Python/bltinmodule.c), list_reverseiterator (Objects/listobject.c), and
 * the builtins iter() and next(). Each iterator is a heap object of its own
 * type (lib/objects/types/enumobject.ts, iterobject.ts, bltinIterators.ts,
 * listreviter.ts); this module gives those types their tp_iternext (in
 * vm.tpIternext, which PyIter_Next dispatches on), their constructors
 * (type_call on enumerate, zip, map, filter, reversed) and their methods
 * (__next__, __iter__, __length_hint__).
 *
 * Invariants: nothing is read from an underlying iterator before the
 * consumer asks for an item (an infinite generator is fine); an iterator's
 * next returns a new reference or 0 (exhausted), and raises what the
 * underlying call raised; enumerate and zip reuse their result tuple while
 * they hold its only reference, retracking it if the collector untracked
 * it (bpo-42536), exactly as enum_next and zip_next do.
 */
import type { CMethod } from '../objects/types/cfunction.js';
import { ENUM_INDEX_MAX, enumFields as EN, reversedFields as RV } from '../objects/types/enumobject.js';
import { calliterFields as CI, seqiterFields as SI } from '../objects/types/iterobject.js';
import { filterFields as FI, mapFields as MA, zipFields as ZI } from '../objects/types/bltinIterators.js';
import { allocIter } from '../objects/types/iterContainer.js';
import {
  callObject,
  getItem,
  getIter,
  intValue,
  isTrue,
  iterNext,
  length,
  lookupSpecial,
  newInt,
  newRef,
  raise,
  richCompareBool,
  strValue,
  toPyErr,
  typeName,
  typeOf,
  raiseStopIteration,
  numberIndex,
} from './abstract.js';
import { genSend } from './ceval.js';
import type { Vm } from './vm.js';

/** What installBltinIter adds to: the builtins' dict, type_call's constructors, the type methods table. */
export interface BltinIterContext {
  /** Puts a builtin function into the builtins module. */
  def(name: string, meth: CMethod): void;
  /** Puts an object (a type object) into the builtins module under name (borrowed). */
  put(name: string, v: number): void;
  /** type_call's constructor of a built-in type, by type id. */
  readonly construct: Map<number, CMethod>;
  /** Adds methods to a built-in type (before its type object is made). */
  methods(typeId: number, table: Record<string, CMethod>): void;
}

/** The keyword names of a call (kwnames a tuple of str, or 0). */
function kwNames(vm: Vm, kwnames: number): string[] {
  return kwnames === 0 ? [] : vm.interp.tuple.items(kwnames).map((k) => strValue(vm, k));
}

/** Whether a raised error is IndexError or StopIteration (or a subclass): the end of a sequence; cleared then. */
function endsSequence(vm: Vm, e: unknown): boolean {
  const err = toPyErr(vm, e);
  const t = typeOf(vm, err.exc);
  if (vm.isSubtype(t, vm.excType('IndexError')) || vm.isSubtype(t, vm.excType('StopIteration'))) {
    vm.interp.rt.decref(err.exc);
    return true;
  }
  throw err;
}

/** PySequence_GetItem(seq, i) for i >= 0. New reference. */
function sequenceGetItem(vm: Vm, seq: number, i: number): number {
  const idx = newInt(vm, i);
  try {
    return getItem(vm, seq, idx);
  } finally {
    vm.interp.rt.decref(idx);
  }
}

/**
 * The result tuple of enum_next / zip_next: `result` itself when the
 * iterator holds its only reference (the items stored into it, the old ones
 * released, tracked again if the collector untracked it), else a new tuple.
 * Steals the items. New reference.
 */
function recycleResult(vm: Vm, result: number, items: readonly number[]): number {
  const { interp } = vm;
  const rt = interp.rt;
  const t = rt.refcnt(result) === 1 ? result : interp.tuple.new(items.length);
  for (let i = 0; i < items.length; i++) interp.tuple.setItem(t, i, items[i]!);
  if (t === result) {
    rt.incref(result);
    if (!rt.gc.isTracked(result)) rt.gcTrack(result);
  }
  return t;
}

// --- enumerate ---------------------------------------------------------------------------------------

/** enum_new_impl(type, iterable, start): the count first, then the iterator, then the result tuple (None, None). New reference. */
function enumNew(vm: Vm, iterable: number, start: number): number {
  const { interp } = vm;
  const rt = interp.rt;
  const en = allocIter(rt, vm.enumobj.enumType);
  try {
    if (start !== 0) {
      const v = numberIndex(vm, start);
      if (v >= -BigInt(ENUM_INDEX_MAX) && v < BigInt(ENUM_INDEX_MAX)) EN.enIndex.set(en, Number(v));
      else {
        EN.enIndex.set(en, ENUM_INDEX_MAX);
        EN.enLongindex.set(en, newInt(vm, v));
      }
    }
    EN.enSit.set(en, getIter(vm, iterable));
    const None = interp.singletons.None;
    EN.enResult.set(en, vm.tupleOf([None, None]));
    EN.one.set(en, interp.long.fromNumber(1));
    rt.decref(EN.one.get(en));
  } catch (e) {
    rt.decref(en);
    throw e;
  }
  return en;
}

/** enum_vectorcall: enumerate(iterable, start=0), the keywords checked by hand as CPython does. */
function enumVectorcall(vm: Vm, args: readonly number[], kwnames: number): number {
  const names = kwNames(vm, kwnames);
  const nargs = args.length - names.length;
  const checkKeyword = (i: number, name: string): void => {
    if (names[i] !== name) raise(vm, 'TypeError', `'${names[i]}' is an invalid keyword argument for enumerate()`);
  };
  if (args.length === 2) {
    if (names.length === 1) checkKeyword(0, 'start');
    else if (names.length === 2) {
      if (names[0] === 'start') {
        checkKeyword(1, 'iterable');
        return enumNew(vm, args[1]!, args[0]!);
      }
      checkKeyword(0, 'iterable');
      checkKeyword(1, 'start');
    }
    return enumNew(vm, args[0]!, args[1]!);
  }
  if (args.length === 1) {
    if (names.length === 1) checkKeyword(0, 'iterable');
    return enumNew(vm, args[0]!, 0);
  }
  if (nargs === 0) raise(vm, 'TypeError', "enumerate() missing required argument 'iterable'");
  raise(vm, 'TypeError', `enumerate() takes at most 2 arguments (${args.length} given)`);
}

/** enum_next (with enum_next_long past ENUM_INDEX_MAX). */
function enumNext(vm: Vm, en: number): number {
  const rt = vm.interp.rt;
  const item = iterNext(vm, EN.enSit.get(en));
  if (item === 0) return 0;
  let index: number;
  const i = EN.enIndex.get(en);
  if (i === ENUM_INDEX_MAX) {
    // enum_next_long: the int count moves into the result; the stored one is stepped up.
    if (EN.enLongindex.get(en) === 0) EN.enLongindex.set(en, newInt(vm, ENUM_INDEX_MAX));
    index = EN.enLongindex.get(en);
    try {
      EN.enLongindex.set(en, newInt(vm, intValue(vm, index) + intValue(vm, EN.one.get(en))));
    } catch (e) {
      rt.decref(item);
      throw e;
    }
  } else {
    index = newInt(vm, i);
    EN.enIndex.set(en, i + 1);
  }
  return recycleResult(vm, EN.enResult.get(en), [index, item]);
}

// --- reversed ---------------------------------------------------------------------------------------

/** PySequence_Check: a type with sq_item (and not a dict). */
function sequenceCheck(vm: Vm, o: number): boolean {
  const { interp } = vm;
  const t = typeOf(vm, o);
  if (t === interp.dict.type || t === interp.set.type || t === interp.set.frozensetType) return false;
  if (t === interp.list.type || t === interp.tuple.type || t === interp.str.type || t === interp.bytes.type || t === interp.bytearray.type || t === interp.range.type) return true;
  return vm.classes.has(t.id) && lookupSpecial(vm, o, '__getitem__') !== 0;
}

/** reversed_vectorcall + reversed_new_impl: __reversed__ when the type has one, else a reversed object over a sequence. */
function reversedNew(vm: Vm, args: readonly number[], kwnames: number): number {
  const { interp } = vm;
  const rt = interp.rt;
  if (kwnames !== 0 && interp.tuple.size(kwnames) > 0) raise(vm, 'TypeError', 'reversed() takes no keyword arguments');
  if (args.length !== 1) raise(vm, 'TypeError', `reversed expected 1 argument, got ${args.length}`);
  const seq = args[0]!;
  const t = typeOf(vm, seq);
  // The built-in __reversed__ methods: list___reversed__, range_reverse, dict___reversed__ and the views' (dictiter_new of a reverse kind).
  if (t === interp.list.type) return vm.listreviter.reversed(seq);
  if (t === interp.range.type) return interp.range.reverse(seq);
  if (t === interp.dict.type) return vm.containerIters.dictIter(seq, 'keys', true);
  const view = vm.dictview.kindOf(seq);
  if (view !== null) return vm.containerIters.dictIter(vm.dictview.dict(seq), view, true);
  const m = lookupSpecial(vm, seq, '__reversed__');
  if (m === interp.singletons.None || (m === 0 && !sequenceCheck(vm, seq))) raise(vm, 'TypeError', `'${t.name}' object is not reversible`);
  if (m !== 0) return callObject(vm, m, [seq], 0);
  const n = length(vm, seq);
  const ro = allocIter(rt, vm.enumobj.reversedType);
  RV.index.set(ro, n - 1);
  rt.incref(seq);
  RV.seq.set(ro, seq);
  return ro;
}

/** reversed_next: seq[index], index - 1; IndexError or StopIteration (or index < 0) ends it and lets go of seq. */
function reversedNext(vm: Vm, ro: number): number {
  const rt = vm.interp.rt;
  const index = RV.index.get(ro);
  const seq = RV.seq.get(ro);
  if (index >= 0 && seq !== 0) {
    let item = 0;
    try {
      item = sequenceGetItem(vm, seq, index);
    } catch (e) {
      endsSequence(vm, e);
    }
    if (item !== 0) {
      RV.index.set(ro, index - 1);
      return item;
    }
  }
  RV.index.set(ro, -1);
  RV.seq.set(ro, 0);
  rt.xdecref(seq);
  return 0;
}

/** reversed_len: index + 1 while the sequence is that long, else 0. */
function reversedLen(vm: Vm, ro: number): number {
  const seq = RV.seq.get(ro);
  if (seq === 0) return 0;
  const position = RV.index.get(ro) + 1;
  return length(vm, seq) < position ? 0 : position;
}

// --- iterator (the __getitem__ protocol) and callable_iterator --------------------------------------

/** PySeqIter_New(seq): an iterator asking seq[0], seq[1], ... New reference. */
export function seqIterNew(vm: Vm, seq: number): number {
  const it = allocIter(vm.interp.rt, vm.iterobj.seqIterType);
  vm.interp.rt.incref(seq);
  SI.itSeq.set(it, seq);
  return it;
}

/** iter_iternext: seq[it_index]; IndexError or StopIteration ends it (the sequence let go). */
function seqIterNext(vm: Vm, it: number): number {
  const seq = SI.itSeq.get(it);
  if (seq === 0) return 0;
  const index = SI.itIndex.get(it);
  let item = 0;
  try {
    item = sequenceGetItem(vm, seq, index);
  } catch (e) {
    endsSequence(vm, e);
  }
  if (item !== 0) {
    SI.itIndex.set(it, index + 1);
    return item;
  }
  SI.itSeq.set(it, 0);
  vm.interp.rt.decref(seq);
  return 0;
}

/** PyCallIter_New(callable, sentinel). New reference. */
function callIterNew(vm: Vm, callable: number, sentinel: number): number {
  const rt = vm.interp.rt;
  const it = allocIter(rt, vm.iterobj.callIterType);
  rt.incref(callable);
  CI.itCallable.set(it, callable);
  rt.incref(sentinel);
  CI.itSentinel.set(it, sentinel);
  return it;
}

/** calliter_iternext: callable(); a result equal to the sentinel, or StopIteration, ends it. */
function callIterNext(vm: Vm, it: number): number {
  const rt = vm.interp.rt;
  const callable = CI.itCallable.get(it);
  if (callable === 0) return 0;
  let result: number;
  try {
    result = callObject(vm, callable, [], 0);
  } catch (e) {
    const err = toPyErr(vm, e);
    if (!vm.isSubtype(typeOf(vm, err.exc), vm.excType('StopIteration'))) throw err;
    rt.decref(err.exc);
    clearCallIter(vm, it);
    return 0;
  }
  let equal: boolean;
  try {
    equal = richCompareBool(vm, CI.itSentinel.get(it), result, 2);
  } catch (e) {
    rt.decref(result);
    throw e;
  }
  if (!equal) return result;
  rt.decref(result);
  clearCallIter(vm, it);
  return 0;
}

function clearCallIter(vm: Vm, it: number): void {
  const rt = vm.interp.rt;
  for (const f of [CI.itCallable, CI.itSentinel]) {
    const v = f.get(it);
    f.set(it, 0);
    rt.xdecref(v);
  }
}

// --- filter, map, zip -----------------------------------------------------------------------------

/** A new tuple of the iterators of the given iterables (PyTuple_New then PyObject_GetIter of each). New reference. */
function iteratorTuple(vm: Vm, iterables: readonly number[]): number {
  const { interp } = vm;
  const t = interp.tuple.new(iterables.length);
  try {
    iterables.forEach((o, i) => interp.tuple.setItem(t, i, getIter(vm, o)));
  } catch (e) {
    interp.rt.decref(t);
    throw e;
  }
  return t;
}

/** filter_vectorcall: filter(function or None, iterable). */
function filterNew(vm: Vm, args: readonly number[], kwnames: number): number {
  const rt = vm.interp.rt;
  if (kwnames !== 0 && vm.interp.tuple.size(kwnames) > 0) raise(vm, 'TypeError', 'filter() takes no keyword arguments');
  if (args.length !== 2) raise(vm, 'TypeError', `filter expected 2 arguments, got ${args.length}`);
  const it = getIter(vm, args[1]!);
  const lz = allocIter(rt, vm.bltinIters.filterType);
  rt.incref(args[0]!);
  FI.func.set(lz, args[0]!);
  FI.it.set(lz, it);
  return lz;
}

/** filter_next: the next item whose truth (or func(item)'s) is true. */
function filterNext(vm: Vm, lz: number): number {
  const { interp } = vm;
  const rt = interp.rt;
  const func = FI.func.get(lz);
  const checktrue = func === interp.singletons.None || func === vm.typeObject(interp.long.boolType);
  for (;;) {
    const item = iterNext(vm, FI.it.get(lz));
    if (item === 0) return 0;
    let ok: boolean;
    try {
      if (checktrue) ok = isTrue(vm, item);
      else {
        const good = callObject(vm, func, [item], 0);
        try {
          ok = isTrue(vm, good);
        } finally {
          rt.decref(good);
        }
      }
    } catch (e) {
      rt.decref(item);
      throw e;
    }
    if (ok) return item;
    rt.decref(item);
  }
}

/** map_vectorcall: map(func, *iterables), the iterators made before the map object. */
function mapNew(vm: Vm, args: readonly number[], kwnames: number): number {
  const rt = vm.interp.rt;
  if (kwnames !== 0 && vm.interp.tuple.size(kwnames) > 0) raise(vm, 'TypeError', 'map() takes no keyword arguments');
  if (args.length < 2) raise(vm, 'TypeError', 'map() must have at least two arguments.');
  const iters = iteratorTuple(vm, args.slice(1));
  const lz = allocIter(rt, vm.bltinIters.mapType);
  MA.iters.set(lz, iters);
  rt.incref(args[0]!);
  MA.func.set(lz, args[0]!);
  return lz;
}

/** map_next: one item of each iterator (stopping at the first exhausted), then func(*items). */
function mapNext(vm: Vm, lz: number): number {
  const { interp } = vm;
  const rt = interp.rt;
  const stack: number[] = [];
  try {
    for (const it of interp.tuple.items(MA.iters.get(lz))) {
      const v = iterNext(vm, it);
      if (v === 0) return 0;
      stack.push(v);
    }
    return callObject(vm, MA.func.get(lz), stack, 0);
  } finally {
    for (const v of stack) rt.decref(v);
  }
}

/** zip_new: zip(*iterables, strict=False): the iterators, the result tuple of Nones, then the zip object. */
function zipNew(vm: Vm, args: readonly number[], kwnames: number): number {
  const { interp } = vm;
  const rt = interp.rt;
  const names = kwNames(vm, kwnames);
  const npos = args.length - names.length;
  let strict = false;
  names.forEach((n, i) => {
    if (n !== 'strict') raise(vm, 'TypeError', `'${n}' is an invalid keyword argument for zip()`);
    strict = isTrue(vm, args[npos + i]!);
  });
  const iterables = args.slice(0, npos);
  const ittuple = iteratorTuple(vm, iterables);
  const None = interp.singletons.None;
  const result = vm.tupleOf(iterables.map(() => None));
  const lz = allocIter(rt, vm.bltinIters.zipType);
  ZI.ittuple.set(lz, ittuple);
  ZI.tuplesize.set(lz, iterables.length);
  ZI.result.set(lz, result);
  ZI.strict.set(lz, strict ? 1 : 0);
  return lz;
}

/** zip_next: one item of each iterator as a tuple; with strict, an iterator ending before or after the others is a ValueError. */
function zipNext(vm: Vm, lz: number): number {
  const { interp } = vm;
  const rt = interp.rt;
  const n = ZI.tuplesize.get(lz);
  if (n === 0) return 0;
  const iters = interp.tuple.items(ZI.ittuple.get(lz));
  const items: number[] = [];
  for (let i = 0; i < n; i++) {
    let item: number;
    try {
      item = iterNext(vm, iters[i]!);
    } catch (e) {
      for (const x of items) rt.decref(x);
      throw e;
    }
    if (item === 0) {
      for (const x of items) rt.decref(x);
      return ZI.strict.get(lz) !== 0 ? zipCheckStrict(vm, iters, i) : 0;
    }
    items.push(item);
  }
  return recycleResult(vm, ZI.result.get(lz), items);
}

/** zip_next's check: iterator i ended; with i > 0 the others were longer, with i == 0 any other with an item left is. */
function zipCheckStrict(vm: Vm, iters: readonly number[], i: number): number {
  const plural = (k: number): string => (k === 1 ? ' ' : 's 1-');
  if (i > 0) raise(vm, 'ValueError', `zip() argument ${i + 1} is shorter than argument${plural(i)}${i}`);
  for (let k = 1; k < iters.length; k++) {
    const item = iterNext(vm, iters[k]!);
    if (item !== 0) {
      vm.interp.rt.decref(item);
      raise(vm, 'ValueError', `zip() argument ${k + 1} is longer than argument${plural(k)}${k}`);
    }
  }
  return 0;
}

// --- installation ---------------------------------------------------------------------------------

/** Gives the iterator types their tp_iternext, constructors and methods, and defines iter() and next(). */
export function installBltinIter(vm: Vm, ctx: BltinIterContext): void {
  const { interp } = vm;
  const rt = interp.rt;
  const nexts: Array<[number, (it: number) => number]> = [
    [vm.enumobj.enumType.id, (it) => enumNext(vm, it)],
    [vm.enumobj.reversedType.id, (it) => reversedNext(vm, it)],
    [vm.iterobj.seqIterType.id, (it) => seqIterNext(vm, it)],
    [vm.iterobj.callIterType.id, (it) => callIterNext(vm, it)],
    [vm.bltinIters.filterType.id, (it) => filterNext(vm, it)],
    [vm.bltinIters.mapType.id, (it) => mapNext(vm, it)],
    [vm.bltinIters.zipType.id, (it) => zipNext(vm, it)],
    [vm.listreviter.type.id, (it) => vm.listreviter.next(it)],
  ];
  const dunderNext: CMethod = (self) => {
    const v = iterNext(vm, self);
    if (v === 0) raise(vm, 'StopIteration', null);
    return v;
  };
  const dunderIter: CMethod = (self) => newRef(vm, self);
  for (const [id, next] of nexts) {
    vm.tpIternext.set(id, next);
    ctx.methods(id, { __next__: dunderNext, __iter__: dunderIter });
  }
  // The object layer's iterators (list_iterator, range_iterator, longrange_iterator, tuple_iterator).
  for (const t of [interp.listiter.type, interp.range.iterType, interp.range.longIterType, vm.seqIterType]) ctx.methods(t.id, { __next__: dunderNext, __iter__: dunderIter });
  ctx.methods(vm.gen.type.id, { __iter__: dunderIter });
  ctx.methods(interp.listiter.type.id, { __length_hint__: (self) => newInt(vm, interp.listiter.lengthHint(self)) });
  for (const t of [interp.range.iterType, interp.range.longIterType]) ctx.methods(t.id, { __length_hint__: (self) => newInt(vm, interp.range.lengthHint(self)) });
  const CI2 = vm.containerIters;
  for (const [t, next] of CI2.nexts()) {
    vm.tpIternext.set(t.id, next);
    ctx.methods(t.id, { __next__: dunderNext, __iter__: dunderIter, __length_hint__: (self) => newInt(vm, CI2.lengthHint(self)) });
  }
  ctx.methods(vm.enumobj.reversedType.id, { __length_hint__: (self) => newInt(vm, reversedLen(vm, self)) });
  ctx.methods(vm.listreviter.type.id, { __length_hint__: (self) => newInt(vm, vm.listreviter.lengthHint(self)) });
  ctx.methods(vm.iterobj.seqIterType.id, {
    // iter_len: len(seq) - it_index when the sequence has a length, else NotImplemented.
    __length_hint__: (self) => {
      const seq = SI.itSeq.get(self);
      if (seq === 0) return newInt(vm, 0);
      if (!hasLen(vm, seq)) return newRef(vm, interp.singletons.NotImplemented);
      const left = length(vm, seq) - SI.itIndex.get(self);
      return newInt(vm, left >= 0 ? left : 0);
    },
  });

  const types: Array<[string, number, (args: readonly number[], kwnames: number) => number]> = [
    ['enumerate', vm.enumobj.enumType.id, (a, k) => enumVectorcall(vm, a, k)],
    ['reversed', vm.enumobj.reversedType.id, (a, k) => reversedNew(vm, a, k)],
    ['filter', vm.bltinIters.filterType.id, (a, k) => filterNew(vm, a, k)],
    ['map', vm.bltinIters.mapType.id, (a, k) => mapNew(vm, a, k)],
    ['zip', vm.bltinIters.zipType.id, (a, k) => zipNew(vm, a, k)],
  ];
  for (const [name, id, make] of types) {
    ctx.construct.set(id, (_cls, args, kwnames) => make(args, kwnames));
    ctx.put(name, vm.typeObject(rt.types[id]!));
  }

  // builtin_iter: iter(object) or iter(callable, sentinel).
  ctx.def('iter', (_s, args, kwnames) => {
    if (kwnames !== 0 && interp.tuple.size(kwnames) > 0) raise(vm, 'TypeError', 'iter() takes no keyword arguments');
    if (args.length < 1) raise(vm, 'TypeError', `iter expected at least 1 argument, got ${args.length}`);
    if (args.length > 2) raise(vm, 'TypeError', `iter expected at most 2 arguments, got ${args.length}`);
    if (args.length === 1) return getIter(vm, args[0]!);
    if (!callableCheck(vm, args[0]!)) raise(vm, 'TypeError', 'iter(v, w): v must be callable');
    return callIterNew(vm, args[0]!, args[1]!);
  });
  // builtin_next: next(iterator[, default]).
  ctx.def('next', (_s, args, kwnames) => {
    if (kwnames !== 0 && interp.tuple.size(kwnames) > 0) raise(vm, 'TypeError', 'next() takes no keyword arguments');
    if (args.length < 1) raise(vm, 'TypeError', `next expected at least 1 argument, got ${args.length}`);
    if (args.length > 2) raise(vm, 'TypeError', `next expected at most 2 arguments, got ${args.length}`);
    if (!isIterator(vm, args[0]!)) raise(vm, 'TypeError', `'${typeName(vm, args[0]!)}' object is not an iterator`);
    if (typeOf(vm, args[0]!) === vm.gen.type) {
      // gen_iternext: a return value other than None rides on the StopIteration (unless a default takes its place).
      const [status, r] = genSend(vm, args[0]!, interp.singletons.None);
      if (status === 'yield') return r;
      if (args.length > 1) {
        interp.rt.decref(r);
        return newRef(vm, args[1]!);
      }
      raiseStopIteration(vm, r);
    }
    const v = iterNext(vm, args[0]!);
    if (v !== 0) return v;
    if (args.length > 1) return newRef(vm, args[1]!);
    raise(vm, 'StopIteration', null);
  });
}

/** PyIter_Check: the type has a tp_iternext (a built-in iterator, a generator, or a class with __next__). */
export function isIterator(vm: Vm, o: number): boolean {
  const { interp } = vm;
  const t = typeOf(vm, o);
  if (vm.tpIternext.has(t.id)) return true;
  if (t === interp.listiter.type || t === interp.range.iterType || t === interp.range.longIterType || t === vm.seqIterType || t === vm.gen.type || t === interp.memoryview.iterType) return true;
  return lookupSpecial(vm, o, '__next__') !== 0;
}

/** PyCallable_Check: a function, a built-in, a bound method, a type, or an object whose type has __call__. */
function callableCheck(vm: Vm, o: number): boolean {
  const t = typeOf(vm, o);
  return t === vm.interp.function.type || t === vm.cfunc.type || t === vm.cfunc.descrType || t === vm.method.type || vm.typeobj.check(o) || lookupSpecial(vm, o, '__call__') !== 0;
}

/** _PyObject_HasLen: the type has sq_length or mp_length (a built-in sized type, or a class with __len__). */
function hasLen(vm: Vm, o: number): boolean {
  const { interp } = vm;
  const t = typeOf(vm, o);
  if (!vm.classes.has(t.id)) return t === interp.list.type || t === interp.tuple.type || t === interp.str.type || t === interp.bytes.type || t === interp.bytearray.type || t === interp.range.type || t === interp.dict.type || t === interp.set.type || t === interp.set.frozensetType;
  return lookupSpecial(vm, o, '__len__') !== 0;
}
