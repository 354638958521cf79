/*
 * The builtins module (Python/bltinmodule.c), the built-in types' callables
 * and methods a program reaches (Objects/*object.c), type_call and type_new
 * for `class` statements (Objects/typeobject.c), and the sys and gc modules
 * bridging to lib/objects/sys.ts and lib/gc/gcModule.ts — each a module
 * object with a real dict whose functions are builtin_function_or_method
 * objects.
 *
 * Every body follows the vectorcall convention: arguments borrowed,
 * result a new reference, errors raised as PyErr in CPython's words.
 */
import { debugmallocstats, getsizeof } from '../objects/sys.js';
import type { CMethod } from '../objects/types/cfunction.js';
import { preHeaderBytes, type PyTypeObject } from '../objects/type.js';
import { intFromString } from '../objects/text/intText.js';
import { floatFromString } from '../objects/text/floatParse.js';
import {
  binaryOp,
  compareCodePoints,
  callObject,
  getAttr,
  getAttrOrNull,
  isCallable,
  hash,
  id,
  intValue,
  isFloat,
  isInt,
  isStr,
  isTrue,
  iterate,
  numberIndex,
  withSetOperands,
  iterNext,
  getIter,
  length,
  listFromIterable,
  lookupSpecial,
  newBool,
  newErr,
  newInt,
  newRef,
  newStr,
  none,
  raise,
  repr,
  richCompareBool,
  setAttr,
  str,
  strValue,
  toPyErr,
  typeLookup,
  typeName,
  typeOf,
  raiseStopIteration,
} from './abstract.js';
import { currentFrames, evalCode, genSend } from './ceval.js';
import { installBltinIter } from './bltinIter.js';
import { installBytesType } from './bytesType.js';
import { installContainerMethods } from './containerMethods.js';
import { addMethods, installNumberMethods } from './numberMethods.js';
import { strEncode } from '../objects/text/codecs.js';
import { objectFormat, objectRepr, objectStr } from './objectStr.js';
import { strFormat as textStrFormat } from '../objects/text/strFormat.js';
import { intToBase } from '../objects/text/intText.js';
import { floatDivmod, floatRound, floatRoundToInt } from '../objects/text/floatArith.js';
import { intRound } from '../objects/text/intArith.js';
import { Opaque, objectHooks, toValue } from './textHooks.js';
import {
  strCapitalize,
  strCasefold,
  strIsAlnum,
  strIsAlpha,
  strIsAscii,
  strIsDecimal,
  strIsDigit,
  strIsIdentifier,
  strIsLower,
  strIsNumeric,
  strIsPrintable,
  strIsSpace,
  strIsTitle,
  strIsUpper,
  strLower,
  strSwapcase,
  strTitle,
  strUpper,
} from '../objects/text/strCase.js';
import { strCenter, strExpandtabs, strLjust, strRemoveprefix, strRemovesuffix, strRjust, strZfill } from '../objects/text/strLayout.js';
import { strJoin, strLstrip, strPartition, strRpartition, strRsplit, strRstrip, strSplit, strSplitlines, strStrip } from '../objects/text/strSplit.js';
import { strCount, strEndswith, strFind, strIndex, strReplace, strRfind, strRindex, strStartswith } from '../objects/text/strSearch.js';
import { hashPointer } from '../objects/types/singletons.js';
import { fGlobals, localsplus } from '../objects/types/frame.js';
import { execBuiltins, frameLocals } from './bltinExec.js';
import { memoryviewMethods, memoryviewNew } from './memoryviewOps.js';
import { PyErr } from './pyerr.js';
import { writeUnraisable } from './traceback.js';
import { importSourceModule } from './sourceModules.js';
import { installTracemallocModule } from './tracemallocModule.js';
import type { Vm } from './vm.js';
import { addGetsets, addMembers, descriptorConstructors, descriptorMethods, implicitClassmethods, initSubclass, setNames } from './descriptors.js';
import { typeMethods } from './builtinMembers.js';
import { classCall, installTypeCall } from './typeCall.js';
import { bestBase } from './bestBase.js';
import { installSlotWrappers } from './slotWrappers.js';
import { overrides } from './inheritSlots.js';
import { buildClass, installMetaclass, isMetatype, typeTpNew } from './metaclass.js';
import { coroutineMethods } from './coroutines.js';
import { sysFlags } from './structSeq.js';
import { asyncAwaitableIternexts, asyncGenMethods, generatorClose, generatorThrow, installGenFinalizer } from './asyncGenerators.js';
import { installFrameAttrs, sysExcInfo, sysGetframe } from './frameAttrs.js';
import { addNote, exceptionSetattr, osErrorSubclass } from './exceptionAttrs.js';
import { weakrefConstructors, weakrefProxy } from './weakrefs.js';
import { ensureFinalize } from './weakrefFinalize.js';
import { installObjectInitSubclass, objectMethods } from './objectMethods.js';
import { installAtexit } from './atexitModule.js';
import { withArity } from './builtinArity.js';
import { DEBUG_COLLECTABLE, DEBUG_LEAK, DEBUG_SAVEALL, DEBUG_STATS, DEBUG_UNCOLLECTABLE } from '../gc/index.js';

/** Arguments split into positional ones and keywords (by name). */
interface Args {
  readonly pos: readonly number[];
  readonly kw: Map<string, number>;
}

function splitArgs(vm: Vm, args: readonly number[], kwnames: number): Args {
  const kw = new Map<string, number>();
  if (kwnames === 0) return { pos: args, kw };
  const names = vm.interp.tuple.items(kwnames);
  const npos = args.length - names.length;
  names.forEach((n, i) => kw.set(strValue(vm, n), args[npos + i]!));
  return { pos: args.slice(0, npos), kw };
}

function noKw(vm: Vm, name: string, kwnames: number): void {
  if (kwnames !== 0 && vm.interp.tuple.size(kwnames) > 0) raise(vm, 'TypeError', `${name}() takes no keyword arguments`);
}

function arity(vm: Vm, name: string, args: readonly number[], min: number, max: number): void {
  if (args.length >= min && args.length <= max) return;
  if (min === max) {
    if (min === 0) raise(vm, 'TypeError', `${name}() takes no arguments (${args.length} given)`);
    if (min === 1) raise(vm, 'TypeError', `${name}() takes exactly one argument (${args.length} given)`);
    raise(vm, 'TypeError', `${name} expected ${min} arguments, got ${args.length}`);
  }
  if (args.length < min) raise(vm, 'TypeError', `${name} expected at least ${min} argument${min === 1 ? '' : 's'}, got ${args.length}`);
  raise(vm, 'TypeError', `${name} expected at most ${max} argument${max === 1 ? '' : 's'}, got ${args.length}`);
}

/** Creates the builtins, sys and gc modules and installs the type machinery on vm. */
export function installBuiltins(vm: Vm): void {
  const { interp } = vm;
  const rt = interp.rt;
  const None = interp.singletons.None;

  const builtinsName = newStr(vm, 'builtins');
  const builtins = vm.module.new(builtinsName);
  rt.decref(builtinsName);
  vm.modules.set('builtins', builtins);
  const bdict = vm.module.dict(builtins);
  vm.builtins = bdict;

  const put = (d: number, name: string, v: number): void => {
    interp.dict.setItem(d, id(vm, name), v);
    rt.decref(v);
  };
  const def = (d: number, module: number, name: string, meth: CMethod): void => {
    const ml = vm.cfunc.define({ name, meth: module === builtins ? withArity(vm, name, meth) : meth });
    put(d, name, vm.cfunc.newFunction(ml, module, 0));
  };
  const typeObj = (t: PyTypeObject): number => vm.typeObject(t);
  const methods = (t: PyTypeObject, table: Record<string, CMethod>): void => addMethods(vm, t.id, table);

  // --- methods of built-in types (before their type objects are made) ---
  const construct = new Map<number, CMethod>();
  installNumberMethods(vm, construct);
  installBytesType(vm, construct);
  installContainerMethods(vm);
  const L = interp.list;
  methods(L.type, {
    append: (self, args, kw) => {
      noKw(vm, 'append', kw);
      arity(vm, 'list.append', args, 1, 1);
      L.append(self, args[0]!);
      return none(vm);
    },
    extend: (self, args) => {
      const items = iterate(vm, args[0]!);
      L.extendFromArray(self, items);
      for (const x of items) rt.decref(x);
      return none(vm);
    },
    insert: (self, args) => {
      L.insert(self, Number(intValue(vm, args[0]!)), args[1]!);
      return none(vm);
    },
    pop: (self, args) => {
      const n = L.size(self);
      if (n === 0) raise(vm, 'IndexError', 'pop from empty list');
      let i = args.length > 0 ? Number(intValue(vm, args[0]!)) : -1;
      if (i < 0) i += n;
      if (i < 0 || i >= n) raise(vm, 'IndexError', 'pop index out of range');
      return L.pop(self, i);
    },
    remove: (self, args) => {
      const items = L.items(self);
      const i = items.findIndex((x) => richCompareBool(vm, x, args[0]!, 2));
      if (i < 0) raise(vm, 'ValueError', 'list.remove(x): x not in list');
      L.setSlice(self, i, i + 1, 0);
      return none(vm);
    },
    clear: (self) => {
      L.clear(self);
      return none(vm);
    },
    copy: (self) => L.getSlice(self, 0, L.size(self)), // list_copy_impl: list_slice of the whole list
    index: (self, args) => {
      // list_index_impl: start and stop adjusted as slice indices.
      const items = L.items(self);
      const n = items.length;
      const adjust = (o: number | undefined, dflt: number): number => {
        if (o === undefined) return dflt;
        const v = Number(intValue(vm, o));
        return v < 0 ? Math.max(0, v + n) : Math.min(v, n);
      };
      const start = adjust(args[1], 0);
      const stop = adjust(args[2], n);
      let i = -1;
      for (let k = start; k < stop && k < items.length; k++) {
        if (richCompareBool(vm, items[k]!, args[0]!, 2)) {
          i = k;
          break;
        }
      }
      if (i < 0) raise(vm, 'ValueError', `${repr(vm, args[0]!)} is not in list`);
      return newInt(vm, i);
    },
    count: (self, args) => newInt(vm, L.items(self).filter((x) => richCompareBool(vm, x, args[0]!, 2)).length),
    reverse: (self) => {
      const items = L.items(self).reverse();
      for (const x of items) rt.incref(x);
      L.clear(self);
      L.extendFromArray(self, items);
      for (const x of items) rt.decref(x);
      return none(vm);
    },
    sort: (self, args, kwnames) => {
      const { kw } = splitArgs(vm, args, kwnames);
      sortList(vm, self, kw.get('key') ?? 0, kw.has('reverse') && isTrue(vm, kw.get('reverse')!));
      return none(vm);
    },
  });
  const D = interp.dict;
  methods(D.type, {
    get: (self, args) => {
      const v = D.getItem(self, args[0]!);
      return v !== 0 ? newRef(vm, v) : newRef(vm, args[1] ?? None);
    },
    keys: (self) => vm.dictview.new(self, 'keys'),
    values: (self) => vm.dictview.new(self, 'values'),
    items: (self) => vm.dictview.new(self, 'items'),
    pop: (self, args) => {
      const v = D.getItem(self, args[0]!);
      if (v === 0) {
        if (args.length > 1) return newRef(vm, args[1]!);
        throw keyErr(vm, args[0]!);
      }
      rt.incref(v);
      D.delItem(self, args[0]!);
      return v;
    },
    popitem: (self) => {
      // dict_popitem_impl: the last item, LIFO.
      const items = D.items(self);
      if (items.length === 0) raise(vm, 'KeyError', 'popitem(): dictionary is empty');
      const [k, v] = items[items.length - 1]!;
      const t = vm.tupleOf([k, v]);
      D.delItem(self, k);
      return t;
    },
    setdefault: (self, args) => {
      const v = D.getItem(self, args[0]!);
      if (v !== 0) return newRef(vm, v);
      D.setItem(self, args[0]!, args[1] ?? None);
      return newRef(vm, args[1] ?? None);
    },
    update: (self, args, kwnames) => {
      const { pos, kw } = splitArgs(vm, args, kwnames);
      if (pos.length > 0) {
        if (D.check(pos[0]!)) D.update(self, pos[0]!);
        else
          for (const pair of iterate(vm, pos[0]!)) {
            const kv = iterate(vm, pair);
            D.setItem(self, kv[0]!, kv[1]!);
            for (const x of kv) rt.decref(x);
            rt.decref(pair);
          }
      }
      for (const [k, v] of kw) D.setItem(self, id(vm, k), v);
      return none(vm);
    },
    copy: (self) => D.copy(self),
    clear: (self) => {
      D.clear(self);
      return none(vm);
    },
  });
  const ST = interp.set;
  // A METH_O method of set or frozenset: exactly one argument.
  const setArg = (self: number, name: string, args: readonly number[]): number[] => {
    if (args.length !== 1) raise(vm, 'TypeError', `${typeName(vm, self)}.${name}() takes exactly one argument (${args.length} given)`);
    return [args[0]!];
  };
  const setMethods: Record<string, CMethod> = {
    add: (self, args) => {
      ST.add(self, args[0]!);
      return none(vm);
    },
    discard: (self, args) => {
      ST.discard(self, args[0]!);
      return none(vm);
    },
    remove: (self, args) => {
      if (!ST.discard(self, args[0]!)) throw keyErr(vm, args[0]!);
      return none(vm);
    },
    pop: (self) => {
      if (ST.size(self) === 0) raise(vm, 'KeyError', 'pop from an empty set');
      return ST.pop(self);
    },
    clear: (self) => {
      ST.clear(self);
      return none(vm);
    },
    copy: (self) => ST.copy(self),
    update: (self, args) => {
      withSetOperands(vm, args, (others) => {
        for (const other of others) ST.update(self, other);
      });
      return none(vm);
    },
    union: (self, args) => withSetOperands(vm, args, (others) => ST.union(self, others)),
    intersection: (self, args) => withSetOperands(vm, args, (others) => ST.intersection(self, others)),
    intersection_update: (self, args) => {
      withSetOperands(vm, args, (others) => ST.intersectionUpdate(self, others));
      return none(vm);
    },
    difference: (self, args) => withSetOperands(vm, args, (others) => ST.difference(self, others)),
    difference_update: (self, args) => {
      withSetOperands(vm, args, (others) => ST.differenceUpdate(self, others));
      return none(vm);
    },
    symmetric_difference: (self, args) => withSetOperands(vm, setArg(self, 'symmetric_difference', args), ([other]) => ST.symmetricDifference(self, other!)),
    symmetric_difference_update: (self, args) => {
      withSetOperands(vm, setArg(self, 'symmetric_difference_update', args), ([other]) => ST.symmetricDifferenceUpdate(self, other!));
      return none(vm);
    },
    issubset: (self, args) => newBool(vm, withSetOperands(vm, setArg(self, 'issubset', args), ([other]) => ST.isSubset(self, other!))),
    issuperset: (self, args) => newBool(vm, withSetOperands(vm, setArg(self, 'issuperset', args), ([other]) => ST.isSuperset(self, other!))),
    isdisjoint: (self, args) => newBool(vm, withSetOperands(vm, setArg(self, 'isdisjoint', args), ([other]) => ST.isDisjoint(self, other!))),
  };
  methods(ST.type, setMethods);
  methods(ST.frozensetType, Object.fromEntries(['copy', 'union', 'intersection', 'difference', 'symmetric_difference', 'issubset', 'issuperset', 'isdisjoint'].map((k) => [k, setMethods[k]!])));
  const bigAbs = (v: bigint): bigint => (v < 0n ? -v : v);
  methods(interp.long.type, {
    bit_length: (self) => newInt(vm, intValue(vm, self) === 0n ? 0 : bigAbs(intValue(vm, self)).toString(2).length),
    bit_count: (self) => newInt(vm, [...bigAbs(intValue(vm, self)).toString(2)].filter((c) => c === '1').length),
    conjugate: (self) => newInt(vm, intValue(vm, self)),
  });
  methods(interp.tuple.type, {
    index: (self, args) => {
      const i = interp.tuple.items(self).findIndex((x) => richCompareBool(vm, x, args[0]!, 2));
      if (i < 0) raise(vm, 'ValueError', 'tuple.index(x): x not in tuple');
      return newInt(vm, i);
    },
    count: (self, args) => newInt(vm, interp.tuple.items(self).filter((x) => richCompareBool(vm, x, args[0]!, 2)).length),
  });
  const S = interp.str;
  const sv = (o: number): string => strValue(vm, o);
  const optInt = (o: number | undefined): number | undefined => (o === undefined || o === None ? undefined : Number(intValue(vm, o)));
  const optStr = (o: number | undefined): string | undefined => (o === undefined || o === None ? undefined : sv(o));
  const strOrTuple = (o: number): string | string[] => (interp.tuple.check(o) ? interp.tuple.items(o).map(sv) : sv(o));
  const strList = (parts: string[]): number => listOf(vm, parts.map((p) => newStr(vm, p)), true);
  /** A piece p of self (whose text is `whole`, read once per call: reading it per piece made split quadratic): self itself when it is the whole (the split functions' no-split case). New reference. */
  const piece = (self: number, whole: string, p: string): number => (p.length === whole.length ? newRef(vm, self) : newStr(vm, p));
  /**
   * The list str.split / rsplit return (stringlib/split.h): PyList_New of
   * PREALLOC_SIZE(maxsplit) slots (at most 12), the first 12 pieces set in
   * place, any more appended, then FIX_PREALLOC_SIZE.
   */
  const splitList = (self: number, whole: string, parts: string[], maxsplit: number): number => {
    const MAX_PREALLOC = 12;
    const l = L.new(maxsplit < 0 || maxsplit >= MAX_PREALLOC ? MAX_PREALLOC : maxsplit + 1);
    parts.forEach((p, i) => {
      const s = piece(self, whole, p);
      if (i < MAX_PREALLOC) L.setItem(l, i, s);
      else {
        L.append(l, s);
        rt.decref(s);
      }
    });
    if (parts.length < L.size(l)) L.fixPreallocSize(l, parts.length);
    return l;
  };
  const str1 = (f: (x: string) => string): CMethod => (self) => newStr(vm, f(sv(self)));
  const pred = (f: (x: string) => boolean): CMethod => (self) => newBool(vm, f(sv(self)));
  methods(S.type, {
    join: (self, args) => {
      const items = iterate(vm, args[0]!);
      try {
        // PyUnicode_Join on exact strs (one item is returned itself); anything else raises below.
        if (typeOf(vm, self) === S.type && items.every((x) => typeOf(vm, x) === S.type)) return S.join(self, items);
        return newStr(vm, strJoin(sv(self), items.map((x) => toValue(vm, x)), (v) => (v instanceof Opaque ? typeName(vm, v.ptr) : typeof v === 'bigint' ? 'int' : typeof v === 'number' ? 'float' : 'object')));
      } finally {
        for (const x of items) rt.decref(x);
      }
    },
    split: (self, args, kwnames) => {
      const { pos, kw } = splitArgs(vm, args, kwnames);
      const maxsplit = optInt(pos[1] ?? kw.get('maxsplit')) ?? -1;
      const whole = sv(self);
      return splitList(self, whole, strSplit(whole, optStr(pos[0] ?? kw.get('sep')), maxsplit), maxsplit);
    },
    rsplit: (self, args, kwnames) => {
      const { pos, kw } = splitArgs(vm, args, kwnames);
      const maxsplit = optInt(pos[1] ?? kw.get('maxsplit')) ?? -1;
      const whole = sv(self);
      return splitList(self, whole, strRsplit(whole, optStr(pos[0] ?? kw.get('sep')), maxsplit), maxsplit);
    },
    // stringlib splitlines: PyList_New(0), each line appended (the str itself when it has no line break).
    splitlines: (self, args) => {
      const l = L.new(0);
      const whole = sv(self);
      for (const p of strSplitlines(whole, args.length > 0 && isTrue(vm, args[0]!))) {
        const s = piece(self, whole, p);
        L.append(l, s);
        rt.decref(s);
      }
      return l;
    },
    partition: (self, args) => {
      const parts = strPartition(sv(self), sv(args[0]!)).map((p) => newStr(vm, p));
      const t = vm.tupleOf(parts);
      for (const p of parts) rt.decref(p);
      return t;
    },
    rpartition: (self, args) => {
      const parts = strRpartition(sv(self), sv(args[0]!)).map((p) => newStr(vm, p));
      const t = vm.tupleOf(parts);
      for (const p of parts) rt.decref(p);
      return t;
    },
    strip: (self, args) => newStr(vm, strStrip(sv(self), optStr(args[0]))),
    lstrip: (self, args) => newStr(vm, strLstrip(sv(self), optStr(args[0]))),
    rstrip: (self, args) => newStr(vm, strRstrip(sv(self), optStr(args[0]))),
    replace: (self, args) => newStr(vm, strReplace(sv(self), sv(args[0]!), sv(args[1]!), optInt(args[2]) ?? -1)),
    startswith: (self, args) => newBool(vm, strStartswith(sv(self), strOrTuple(args[0]!), optInt(args[1]), optInt(args[2]))),
    endswith: (self, args) => newBool(vm, strEndswith(sv(self), strOrTuple(args[0]!), optInt(args[1]), optInt(args[2]))),
    find: (self, args) => newInt(vm, strFind(sv(self), sv(args[0]!), optInt(args[1]), optInt(args[2]))),
    rfind: (self, args) => newInt(vm, strRfind(sv(self), sv(args[0]!), optInt(args[1]), optInt(args[2]))),
    index: (self, args) => newInt(vm, strIndex(sv(self), sv(args[0]!), optInt(args[1]), optInt(args[2]))),
    rindex: (self, args) => newInt(vm, strRindex(sv(self), sv(args[0]!), optInt(args[1]), optInt(args[2]))),
    count: (self, args) => newInt(vm, strCount(sv(self), sv(args[0]!), optInt(args[1]), optInt(args[2]))),
    format: (self, args, kwnames) => {
      const keep: number[] = [];
      try {
        const { pos, kw } = splitArgs(vm, args, kwnames);
        let kwd = 0;
        if (kw.size > 0) {
          kwd = D.new();
          keep.push(kwd);
          for (const [k, v] of kw) D.setItem(kwd, id(vm, k), v);
        }
        return newStr(vm, textStrFormat(sv(self), pos.map((p) => toValue(vm, p)), kwd === 0 ? undefined : new Opaque(kwd), objectHooks(vm, keep)));
      } finally {
        for (const k of keep) rt.decref(k);
      }
    },
    encode: (self, args) => interp.bytes.fromBytes(strEncode(sv(self), args.length > 0 ? sv(args[0]!) : 'utf-8', args.length > 1 ? sv(args[1]!) : 'strict')),
    upper: str1(strUpper),
    lower: str1(strLower),
    casefold: str1(strCasefold),
    swapcase: str1(strSwapcase),
    capitalize: str1(strCapitalize),
    title: str1(strTitle),
    center: (self, args) => newStr(vm, strCenter(sv(self), Number(intValue(vm, args[0]!)), optStr(args[1]) ?? ' ')),
    ljust: (self, args) => newStr(vm, strLjust(sv(self), Number(intValue(vm, args[0]!)), optStr(args[1]) ?? ' ')),
    rjust: (self, args) => newStr(vm, strRjust(sv(self), Number(intValue(vm, args[0]!)), optStr(args[1]) ?? ' ')),
    zfill: (self, args) => newStr(vm, strZfill(sv(self), Number(intValue(vm, args[0]!)))),
    expandtabs: (self, args) => newStr(vm, strExpandtabs(sv(self), optInt(args[0]) ?? 8)),
    removeprefix: (self, args) => newStr(vm, strRemoveprefix(sv(self), sv(args[0]!))),
    removesuffix: (self, args) => newStr(vm, strRemovesuffix(sv(self), sv(args[0]!))),
    isidentifier: pred(strIsIdentifier),
    isupper: pred(strIsUpper),
    islower: pred(strIsLower),
    istitle: pred(strIsTitle),
    isalpha: pred(strIsAlpha),
    isdecimal: pred(strIsDecimal),
    isdigit: pred(strIsDigit),
    isnumeric: pred(strIsNumeric),
    isalnum: pred(strIsAlnum),
    isspace: pred(strIsSpace),
    isascii: pred(strIsAscii),
    isprintable: pred(strIsPrintable),
  });

  methods(interp.object.type, objectMethods(vm));
  for (const [t, table] of descriptorMethods(vm)) methods(t, table);
  methods(vm.gen.coroType, { ...coroutineMethods(vm), throw: generatorThrow(vm), close: generatorClose(vm) });
  for (const [tid, table] of asyncGenMethods(vm)) methods(rt.types[tid]!, table);
  for (const [tid, next] of asyncAwaitableIternexts(vm)) vm.tpIternext.set(tid, next);
  installGenFinalizer(vm);
  methods(vm.typeobj.type, typeMethods(vm));
  methods(vm.excType('BaseException'), {
    // BaseException_init (OSError_init and StopIteration_init also set their fields from the new args).
    __init__: (self, args) => {
      const t = vm.tupleOf(args);
      vm.exc.set(self, 'args', t);
      rt.decref(t);
      vm.exc.initFields(self);
      return none(vm);
    },
    // BaseException_with_traceback: PyException_SetTraceback (BaseException_set_tb's checks), then self.
    with_traceback: (self, args) => {
      arity(vm, 'with_traceback', args, 1, 1);
      exceptionSetattr(vm, self, '__traceback__', args[0]!);
      return newRef(vm, self);
    },
    add_note: (self, args) => (arity(vm, 'add_note', args, 1, 1), addNote(vm, self, args[0]!), none(vm)),
  });
  const stopIterationWith = (v: number): never => raiseStopIteration(vm, v);
  methods(vm.gen.type, {
    send: (self, args) => {
      arity(vm, 'send', args, 1, 1);
      const [status, v] = genSend(vm, self, args[0]!);
      if (status === 'yield') return v;
      return stopIterationWith(v);
    },
    close: generatorClose(vm),
    throw: generatorThrow(vm),
    __next__: (self) => {
      const [status, v] = genSend(vm, self, None);
      if (status === 'yield') return v;
      return stopIterationWith(v);
    },
  });

  methods(interp.memoryview.type, memoryviewMethods(vm));

  // --- type objects as builtins ---
  const typeNames: Array<[string, PyTypeObject]> = [
    ['int', interp.long.type],
    ['bool', interp.long.boolType],
    ['float', interp.float.type],
    ['complex', interp.complex.type],
    ['str', interp.str.type],
    ['bytes', interp.bytes.type],
    ['bytearray', interp.bytearray.type],
    ['list', interp.list.type],
    ['tuple', interp.tuple.type],
    ['dict', interp.dict.type],
    ['set', interp.set.type],
    ['frozenset', interp.set.frozensetType],
    ['range', interp.range.type],
    ['object', interp.object.type],
    ['type', vm.typeobj.type],
    ['slice', interp.slice.type],
    ['property', vm.descr.property],
    ['classmethod', vm.descr.classmethod],
    ['staticmethod', vm.descr.staticmethod],
    ['memoryview', interp.memoryview.type],
  ];
  vm.mro[interp.long.boolType.id] = [interp.long.boolType.id, interp.long.type.id, interp.object.type.id];
  for (const [name, t] of typeNames) {
    interp.dict.setItem(bdict, id(vm, name), typeObj(t));
  }
  for (const [name, t] of vm.excTypes) interp.dict.setItem(bdict, id(vm, name), typeObj(t));
  for (const alias of ['EnvironmentError', 'IOError']) interp.dict.setItem(bdict, id(vm, alias), typeObj(vm.excType('OSError')));
  interp.dict.setItem(bdict, id(vm, 'None'), None);
  interp.dict.setItem(bdict, id(vm, 'Ellipsis'), interp.singletons.Ellipsis);
  interp.dict.setItem(bdict, id(vm, 'NotImplemented'), interp.singletons.NotImplemented);
  interp.dict.setItem(bdict, id(vm, 'True'), interp.long.True);
  interp.dict.setItem(bdict, id(vm, 'False'), interp.long.False);

  // --- construction: type_call for built-in types ---
  construct.set(interp.long.type.id, (_s, args, kwnames) => {
    const { pos, kw } = splitArgs(vm, args, kwnames);
    if (pos.length === 0) return newInt(vm, 0);
    const v = pos[0]!;
    const base = pos.length > 1 ? pos[1]! : kw.get('base');
    if (isStr(vm, v)) return newInt(vm, intFromString(sv(v), base === undefined ? 10 : Number(intValue(vm, base))));
    if (base !== undefined) raise(vm, 'TypeError', "int() can't convert non-string with explicit base");
    if (isInt(vm, v)) return newInt(vm, intValue(vm, v));
    if (isFloat(vm, v)) {
      const x = interp.float.value(v);
      if (Number.isNaN(x)) raise(vm, 'ValueError', 'cannot convert float NaN to integer');
      if (!Number.isFinite(x)) raise(vm, 'OverflowError', 'cannot convert float infinity to integer');
      return newInt(vm, BigInt(Math.trunc(x)));
    }
    const m = lookupSpecial(vm, v, '__int__') || lookupSpecial(vm, v, '__index__');
    if (m !== 0) return callObject(vm, m, [v], 0);
    raise(vm, 'TypeError', `int() argument must be a string, a bytes-like object or a real number, not '${typeName(vm, v)}'`);
  });
  construct.set(interp.long.boolType.id, (_s, args) => newBool(vm, args.length > 0 && isTrue(vm, args[0]!)));
  construct.set(interp.float.type.id, (_s, args) => {
    if (args.length === 0) return interp.float.fromNumber(0);
    const v = args[0]!;
    if (isStr(vm, v)) return interp.float.fromNumber(floatFromString(sv(v)));
    if (typeOf(vm, v) === interp.float.type) return newRef(vm, v);
    if (isFloat(vm, v)) return interp.float.fromNumber(interp.float.value(v));
    if (isInt(vm, v)) return interp.float.fromNumber(Number(intValue(vm, v)));
    const m = lookupSpecial(vm, v, '__float__');
    if (m !== 0) return callObject(vm, m, [v], 0);
    raise(vm, 'TypeError', `float() argument must be a string or a real number, not '${typeName(vm, v)}'`);
  });
  construct.set(interp.str.type.id, (_s, args) => (args.length === 0 ? newStr(vm, '') : objectStr(vm, args[0]!)));
  construct.set(interp.list.type.id, (_s, args) => (args.length === 0 ? L.new(0) : listFromIterable(vm, args[0]!)));
  construct.set(interp.tuple.type.id, (_s, args) => {
    if (args.length === 0) return vm.tupleOf([]);
    if (typeOf(vm, args[0]!) === interp.tuple.type) return newRef(vm, args[0]!);
    const items = iterate(vm, args[0]!);
    const t = vm.tupleOf(items);
    for (const x of items) rt.decref(x);
    return t;
  });
  construct.set(interp.dict.type.id, (_s, args, kwnames) => {
    const d = D.new();
    const upd = vm.typeMethods.get(D.type.id)!.get('update')!;
    rt.decref(upd(d, args, kwnames));
    return d;
  });
  // make_new_set / make_new_frozenset: a set, frozenset or dict argument goes in as it is (set_update_internal).
  const setLike = (frozen: boolean): CMethod => (_s, args) =>
    withSetOperands(vm, args.slice(0, 1), ([it]) => (frozen ? interp.set.newFrozen(it) : interp.set.new(it)));
  construct.set(interp.set.type.id, setLike(false));
  construct.set(interp.set.frozensetType.id, setLike(true));
  construct.set(interp.range.type.id, (_s, args) => interp.range.vectorcall(args));
  construct.set(interp.memoryview.type.id, (_s, args) => memoryviewNew(vm, args));
  construct.set(interp.object.type.id, () => interp.object.new());
  construct.set(interp.slice.type.id, (_s, args, kwnames) => {
    noKw(vm, 'slice', kwnames);
    arity(vm, 'slice', args, 1, 3);
    return args.length === 1 ? interp.slice.new(None, args[0]!, None) : interp.slice.new(args[0]!, args[1]!, args[2] ?? None);
  });
  const newClass = (name: number, bases: number, ns: number, kw: ReadonlyMap<string, number>, metatype: PyTypeObject): number => typeNew(vm, name, bases, ns, kw, metatype);
  construct.set(vm.typeobj.type.id, (_s, args, kwnames) => {
    const { pos, kw } = splitArgs(vm, args, kwnames);
    const obj = typeTpNew(vm, vm.typeobj.type, pos, kw, newClass);
    // type_call: tp_init of the class's own type (a metaclass's __init__ when a base's metaclass made it).
    if (pos.length === 1 || !vm.typeobj.check(obj)) return obj;
    try {
      rt.decref(callObject(vm, typeLookup(vm, typeOf(vm, obj), id(vm, '__init__')), [obj, ...args], kwnames));
    } catch (e) {
      rt.decref(obj);
      throw e;
    }
    return obj;
  });

  for (const [t, c] of [...descriptorConstructors(vm), ...weakrefConstructors(vm)]) construct.set(t.id, c);
  installObjectInitSubclass(vm);
  installTypeCall(vm, construct, newClass);
  installSlotWrappers(vm);

  vm.callType = (cls, args, kwnames) => {
    const t = vm.typeobj.typeOfObject(cls)!;
    const c = construct.get(t.id);
    if (c !== undefined) return c(cls, args, kwnames);
    if (vm.exc.check(0) || vm.excTypes.get(t.name) === t || isExceptionClass(vm, t)) {
      const init = typeLookup(vm, t, id(vm, '__init__'));
      const { pos } = splitArgs(vm, args, kwnames);
      const a = vm.tupleOf(pos);
      const e = vm.exc.new(osErrorSubclass(vm, t, pos), a);
      rt.decref(a);
      if (init !== 0 && typeOf(vm, init) === interp.function.type) {
        try {
          const r = callObject(vm, init, [e, ...args], kwnames);
          rt.decref(r);
        } catch (err) {
          rt.decref(e);
          throw err;
        }
      }
      return e;
    }
    if (vm.classes.has(t.id) || isMetatype(vm, t)) return classCall(vm, cls, args, kwnames);
    raise(vm, 'TypeError', `cannot create '${t.name}' instances`);
  };
  installMetaclass(vm);
  vm.newInstance = (cls, args) => {
    const t = vm.typeobj.typeOfObject(cls)!;
    if (args.length > 0 && isObjectInit(typeLookup(vm, t, id(vm, '__init__')))) raise(vm, 'TypeError', `${t.name}() takes no arguments`);
    return interp.instance.new(t);
  };
  const isObjectInit = (init: number): boolean =>
    init === 0 || (typeOf(vm, init) === vm.cfunc.descrType && vm.cfunc.def(init).meth === vm.typeMethods.get(interp.object.type.id)!.get('__init__'));
  vm.makeException = (v) => {
    if (vm.typeobj.check(v)) {
      const t = vm.typeobj.typeOfObject(v)!;
      if (!isExceptionClass(vm, t)) raise(vm, 'TypeError', 'exceptions must derive from BaseException');
      return callObject(vm, v, [], 0);
    }
    if (!vm.exc.check(v)) raise(vm, 'TypeError', 'exceptions must derive from BaseException');
    return newRef(vm, v);
  };
  // _PyObject_LookupSpecial for BEFORE_WITH: along the type's MRO, a built-in type's methods included (memoryview's __enter__).
  vm.len = (obj) => length(vm, obj);

  // --- builtin functions ---
  def(bdict, builtins, '__build_class__', (_s, args, kwnames) => {
    const { pos, kw } = splitArgs(vm, args, kwnames);
    return buildClass(vm, pos, kw, (func, ns) => {
      const fields = interp.function.fields(func);
      rt.decref(evalCode(vm, fields.code, fields.globals, ns, func));
    });
  });
  def(bdict, builtins, 'print', (_s, args, kwnames) => {
    const { pos, kw } = splitArgs(vm, args, kwnames);
    const sep = kw.get('sep');
    const end = kw.get('end');
    const file = kw.get('file');
    const text = pos.map((a) => str(vm, a)).join(sep === undefined || sep === None ? ' ' : sv(sep)) + (end === undefined || end === None ? '\n' : sv(end));
    if (file !== undefined && file !== None) {
      const w = getAttr(vm, file, id(vm, 'write'));
      const s = newStr(vm, text);
      try {
        rt.decref(callObject(vm, w, [s], 0));
      } finally {
        rt.decref(s);
        rt.decref(w);
      }
    } else vm.io.stdout(text);
    return none(vm);
  });
  def(bdict, builtins, 'len', (_s, args, kw) => {
    noKw(vm, 'len', kw);
    arity(vm, 'len', args, 1, 1);
    return newInt(vm, length(vm, args[0]!));
  });
  def(bdict, builtins, 'repr', (_s, args) => objectRepr(vm, args[0]!));
  // builtin_ascii: repr with every non-ASCII character escaped (\xhh, \uhhhh, \Uhhhhhhhh).
  def(bdict, builtins, 'ascii', (_s, args) => {
    arity(vm, 'ascii', args, 1, 1);
    const hex = (c: number, n: number): string => c.toString(16).padStart(n, '0');
    let out = '';
    for (const ch of repr(vm, args[0]!)) {
      const c = ch.codePointAt(0)!;
      out += c < 0x80 ? ch : c < 0x100 ? `\\x${hex(c, 2)}` : c < 0x10000 ? `\\u${hex(c, 4)}` : `\\U${hex(c, 8)}`;
    }
    return newStr(vm, out);
  });
  def(bdict, builtins, 'hasattr', (_s, args) => {
    arity(vm, 'hasattr', args, 2, 2);
    if (!isStr(vm, args[1]!)) raise(vm, 'TypeError', 'hasattr(): attribute name must be string');
    try {
      const v = getAttr(vm, args[0]!, args[1]!);
      rt.decref(v);
      return newBool(vm, true);
    } catch (e) {
      const err = toPyErr(vm, e);
      if (vm.isSubtype(typeOf(vm, err.exc), vm.excType('AttributeError'))) {
        rt.decref(err.exc);
        return newBool(vm, false);
      }
      throw err;
    }
  });
  def(bdict, builtins, 'getattr', (_s, args) => {
    arity(vm, 'getattr', args, 2, 3);
    if (args.length === 3) {
      const v = getAttrOrNull(vm, args[0]!, args[1]!);
      return v !== 0 ? v : newRef(vm, args[2]!);
    }
    return getAttr(vm, args[0]!, args[1]!);
  });
  def(bdict, builtins, 'setattr', (_s, args) => {
    setAttr(vm, args[0]!, args[1]!, args[2]!);
    return none(vm);
  });
  def(bdict, builtins, 'delattr', (_s, args) => {
    setAttr(vm, args[0]!, args[1]!, 0);
    return none(vm);
  });
  def(bdict, builtins, 'id', (_s, args) => newInt(vm, rt.heap.addressOf(args[0]!)));
  def(bdict, builtins, 'hash', (_s, args) => newInt(vm, hash(vm, args[0]!)));
  def(bdict, builtins, 'isinstance', (_s, args) => {
    arity(vm, 'isinstance', args, 2, 2);
    const t = typeOf(vm, args[0]!);
    const classes = interp.tuple.check(args[1]!) ? interp.tuple.items(args[1]!) : [args[1]!];
    for (const c of classes) {
      const ct = vm.typeobj.typeOfObject(c);
      if (ct === undefined) raise(vm, 'TypeError', 'isinstance() arg 2 must be a type, a tuple of types, or a union');
      if (vm.isSubtype(t, ct)) return newBool(vm, true);
    }
    return newBool(vm, false);
  });
  def(bdict, builtins, 'issubclass', (_s, args) => {
    const a = vm.typeobj.typeOfObject(args[0]!);
    if (a === undefined) raise(vm, 'TypeError', 'issubclass() arg 1 must be a class');
    const classes = interp.tuple.check(args[1]!) ? interp.tuple.items(args[1]!) : [args[1]!];
    return newBool(vm, classes.some((c) => vm.isSubtype(a, vm.typeobj.typeOfObject(c)!)));
  });
  def(bdict, builtins, 'callable', (_s, args) => newBool(vm, isCallable(vm, args[0]!)));
  def(bdict, builtins, 'abs', (_s, args) => {
    const v = args[0]!;
    if (isInt(vm, v)) {
      const x = intValue(vm, v);
      return newInt(vm, x < 0n ? -x : x);
    }
    if (isFloat(vm, v)) return interp.float.fromNumber(Math.abs(interp.float.value(v)));
    if (typeOf(vm, v) === interp.complex.type) {
      // complex_abs: hypot, OverflowError when finite parts overflow.
      const { real, imag } = interp.complex.parts(v);
      const r = Math.hypot(real, imag);
      if (r === Infinity && Number.isFinite(real) && Number.isFinite(imag)) raise(vm, 'OverflowError', 'absolute value too large');
      return interp.float.fromNumber(r);
    }
    const m = lookupSpecial(vm, v, '__abs__');
    if (m !== 0) return callObject(vm, m, [v], 0);
    raise(vm, 'TypeError', `bad operand type for abs(): '${typeName(vm, v)}'`);
  });
  const minmax = (name: 'min' | 'max'): CMethod => (_s, args, kwnames) => {
    const { pos, kw } = splitArgs(vm, args, kwnames);
    // min_max: the argument checks of bltinmodule.c.
    if (pos.length === 0) raise(vm, 'TypeError', `${name} expected at least 1 argument, got 0`);
    for (const k of kw.keys()) if (k !== 'key' && k !== 'default') raise(vm, 'TypeError', `'${k}' is an invalid keyword argument for ${name}()`);
    if (pos.length > 1 && kw.has('default')) raise(vm, 'TypeError', `Cannot specify a default for ${name}() with multiple positional arguments`);
    const items = pos.length === 1 ? iterate(vm, pos[0]!) : pos.map((x) => newRef(vm, x));
    const key = kw.get('key');
    try {
      if (items.length === 0) {
        const d = kw.get('default');
        if (d !== undefined) return newRef(vm, d);
        raise(vm, 'ValueError', `${name}() arg is an empty sequence`);
      }
      let best = items[0]!;
      let bestKey = key !== undefined && key !== None ? callObject(vm, key, [best], 0) : newRef(vm, best);
      for (const x of items.slice(1)) {
        const k = key !== undefined && key !== None ? callObject(vm, key, [x], 0) : newRef(vm, x);
        if (richCompareBool(vm, k, bestKey, name === 'min' ? 0 : 4)) {
          rt.decref(bestKey);
          bestKey = k;
          best = x;
        } else rt.decref(k);
      }
      rt.decref(bestKey);
      return newRef(vm, best);
    } finally {
      for (const x of items) rt.decref(x);
    }
  };
  def(bdict, builtins, 'min', minmax('min'));
  def(bdict, builtins, 'max', minmax('max'));
  def(bdict, builtins, 'sum', (_s, args) => {
    const items = iterate(vm, args[0]!);
    let acc = args.length > 1 ? newRef(vm, args[1]!) : newInt(vm, 0);
    try {
      for (const x of items) {
        const next = callBinary(vm, acc, x);
        rt.decref(acc);
        acc = next;
      }
    } finally {
      for (const x of items) rt.decref(x);
    }
    return acc;
  });
  def(bdict, builtins, 'sorted', (_s, args, kwnames) => {
    const { pos, kw } = splitArgs(vm, args, kwnames);
    if (pos.length !== 1) raise(vm, 'TypeError', `sorted expected 1 argument, got ${pos.length}`);
    for (const k of kw.keys()) if (k !== 'key' && k !== 'reverse') raise(vm, 'TypeError', `'${k}' is an invalid keyword argument for sort()`);
    const l = listFromIterable(vm, pos[0]!);
    try {
      sortList(vm, l, kw.get('key') ?? 0, kw.has('reverse') && isTrue(vm, kw.get('reverse')!));
    } catch (e) {
      rt.decref(l);
      throw e;
    }
    return l;
  });
  installBltinIter(vm, {
    def: (name, meth) => def(bdict, builtins, name, meth),
    put: (name, v) => interp.dict.setItem(bdict, id(vm, name), v),
    construct,
    methods: (typeId, table) => methods(rt.types[typeId]!, table),
  });
  // builtin_any / builtin_all: item by item, stopping at the first that decides
  // (an infinite iterator or one with side effects is read no further).
  const anyAll =
    (wanted: boolean) =>
    (_s: number, args: readonly number[]): number => {
      const it = getIter(vm, args[0]!);
      try {
        for (;;) {
          const x = iterNext(vm, it);
          if (x === 0) return newBool(vm, !wanted);
          let truth: boolean;
          try {
            truth = isTrue(vm, x);
          } finally {
            rt.decref(x);
          }
          if (truth === wanted) return newBool(vm, wanted);
        }
      } finally {
        rt.decref(it);
      }
    };
  def(bdict, builtins, 'any', anyAll(true));
  def(bdict, builtins, 'all', anyAll(false));
  def(bdict, builtins, 'chr', (_s, args) => {
    arity(vm, 'chr', args, 1, 1);
    if (!isInt(vm, args[0]!)) raise(vm, 'TypeError', `'${typeName(vm, args[0]!)}' object cannot be interpreted as an integer`);
    const c = intValue(vm, args[0]!);
    if (c < 0n || c > 0x10ffffn) raise(vm, 'ValueError', 'chr() arg not in range(0x110000)');
    return newStr(vm, String.fromCodePoint(Number(c)));
  });
  def(bdict, builtins, 'ord', (_s, args) => {
    const s = sv(args[0]!);
    if ([...s].length !== 1) raise(vm, 'TypeError', `ord() expected a character, but string of length ${[...s].length} found`);
    return newInt(vm, s.codePointAt(0)!);
  });
  def(bdict, builtins, 'format', (_s, args) => objectFormat(vm, args[0]!, args.length > 1 ? sv(args[1]!) : ''));
  def(bdict, builtins, 'divmod', (_s, args, kwnames) => {
    noKw(vm, 'divmod', kwnames);
    arity(vm, 'divmod', args, 2, 2);
    return builtinDivmod(vm, args[0]!, args[1]!);
  });
  def(bdict, builtins, 'pow', (_s, args) => {
    arity(vm, 'pow', args, 2, 3);
    if (args.length === 2 || args[2] === vm.interp.singletons.None) return callBinaryOp(vm, args[0]!, args[1]!, 8);
    return newInt(vm, powMod(vm, args[0]!, args[1]!, args[2]!));
  });
  const baseFn = (name: string, base: 2 | 8 | 16): void =>
    def(bdict, builtins, name, (_s, args) => {
      arity(vm, name, args, 1, 1);
      if (!isInt(vm, args[0]!)) raise(vm, 'TypeError', `'${typeName(vm, args[0]!)}' object cannot be interpreted as an integer`);
      return newStr(vm, intToBase(intValue(vm, args[0]!), base));
    });
  baseFn('bin', 2);
  baseFn('oct', 8);
  baseFn('hex', 16);
  def(bdict, builtins, 'round', (_s, args, kwnames) => {
    const { pos, kw } = splitArgs(vm, args, kwnames);
    const v = pos[0]!;
    const nd = pos[1] ?? kw.get('ndigits');
    const hasNd = nd !== undefined && nd !== None;
    if (hasNd && !isInt(vm, nd) && (isInt(vm, v) || isFloat(vm, v))) raise(vm, 'TypeError', `'${typeName(vm, nd)}' object cannot be interpreted as an integer`);
    if (isInt(vm, v)) return newInt(vm, hasNd ? intRound(intValue(vm, v), intValue(vm, nd)) : intValue(vm, v));
    if (isFloat(vm, v)) {
      const x = interp.float.value(v);
      if (!hasNd) return newInt(vm, floatRoundToInt(x));
      return interp.float.fromNumber(floatRound(x, Number(intValue(vm, nd))));
    }
    const m = lookupSpecial(vm, v, '__round__');
    if (m !== 0) return callObject(vm, m, hasNd ? [v, nd] : [v], 0);
    raise(vm, 'TypeError', `type ${typeName(vm, v)} doesn't define __round__ method`);
  });
  def(bdict, builtins, 'vars', (_s, args) => getAttr(vm, args[0]!, id(vm, '__dict__')));
  def(bdict, builtins, 'dir', (_s, args) => {
    const names = new Set<string>();
    if (args.length === 0) {
      // builtin_dir without an argument: the sorted names of the current scope's locals.
      const locals = frameLocals(vm);
      return strList(D.keys(locals).filter((k) => isStr(vm, k)).map(sv).sort(compareCodePoints));
    }
    const o = args[0]!;
    const add = (d: number): void => {
      for (const k of D.keys(d)) if (isStr(vm, k)) names.add(sv(k));
    };
    if (vm.module.check(o)) add(vm.module.dict(o));
    else {
      if (interp.instance.check(o)) {
        const d = getAttrOrNull(vm, o, id(vm, '__dict__'));
        if (d !== 0) {
          add(d);
          rt.decref(d);
        }
      }
      const t = vm.typeobj.check(o) ? vm.typeobj.typeOfObject(o)! : typeOf(vm, o);
      for (const tid of vm.mroOf(t)) add(vm.typeobj.dict(vm.typeObject(rt.types[tid]!)));
    }
    const sorted = [...names].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    return listOf(vm, sorted.map((n) => newStr(vm, n)), true);
  });
  for (const [name, meth] of Object.entries(execBuiltins(vm))) def(bdict, builtins, name, meth);
  def(bdict, builtins, 'globals', () => {
    const frs = currentFrames(vm);
    return newRef(vm, fGlobals.get(frs[frs.length - 1]!.f));
  });
  // supercheck: obj itself when it is a class deriving from type_ (super in a classmethod), else type(obj) (a metaclass's method on a class).
  const supercheck = (type_: number, obj: number): number => {
    const t = vm.typeobj.typeOfObject(type_);
    const ot = vm.typeobj.typeOfObject(obj);
    if (t !== undefined && ot !== undefined && vm.isSubtype(ot, t)) return obj;
    return vm.typeObject(typeOf(vm, obj));
  };
  def(bdict, builtins, 'super', (_s, args) => {
    if (args.length === 2) return vm.super.new(args[0]!, args[1]!, supercheck(args[0]!, args[1]!));
    // super_init_without_args: the caller's first argument and its __class__ cell.
    const frs = currentFrames(vm);
    const fr = frs[frs.length - 1];
    const co = fr?.info.co;
    if (fr === undefined || co === undefined || co.argcount === 0) raise(vm, 'RuntimeError', 'super(): no arguments');
    let first = loadLocal(fr.f, 0);
    if (first !== 0 && (co.localspluskinds[0]! & 0x40) !== 0) first = interp.cell.contents(first);
    if (first === 0) raise(vm, 'RuntimeError', 'super(): arg[0] deleted');
    const i = co.localsplusnames.findIndex((n, k) => n === '__class__' && (co.localspluskinds[k]! & 0x80) !== 0);
    if (i < 0) raise(vm, 'RuntimeError', 'super(): __class__ cell not found');
    const cls = interp.cell.contents(loadLocal(fr.f, i));
    if (cls === 0) raise(vm, 'RuntimeError', 'super(): empty __class__ cell');
    return vm.super.new(cls, first, supercheck(cls, first));
  });

  // --- sys ---
  const sys = newModule(vm, 'sys');
  const sdict = vm.module.dict(sys);
  // sys_getsizeof_impl over _PySys_GetSizeOf: __sizeof__() (a class's own, else the type's C slot) checked,
  // plus _PyType_PreHeaderSize; a TypeError gives way to the default when one is passed.
  def(sdict, sys, 'getsizeof', (_s, args, kwnames) => {
    const { pos, kw } = splitArgs(vm, args, kwnames);
    const o = pos[0]!;
    const dflt = pos[1] ?? kw.get('default') ?? 0;
    const m = lookupSpecial(vm, o, '__sizeof__');
    if (m === 0) return newInt(vm, getsizeof(interp, o));
    try {
      const res = callObject(vm, m, [o], 0);
      const isIntRes = isInt(vm, res);
      const size = isIntRes ? intValue(vm, res) : 0n;
      rt.decref(res);
      if (!isIntRes) raise(vm, 'TypeError', 'an integer is required');
      if (size > 0x7fffffffffffffffn) raise(vm, 'OverflowError', 'Python int too large to convert to C ssize_t');
      if (size < 0n) raise(vm, 'ValueError', '__sizeof__() should return >= 0');
      return newInt(vm, size + BigInt(preHeaderBytes(typeOf(vm, o))));
    } catch (e) {
      const err = toPyErr(vm, e);
      if (dflt === 0 || !vm.isSubtype(typeOf(vm, err.exc), vm.excType('TypeError'))) throw err;
      rt.decref(err.exc);
      return newRef(vm, dflt);
    }
  });
  // The argument's reference is the value stack's: the count is ob_refcnt as it stands.
  def(sdict, sys, 'getrefcount', (_s, args) => newInt(vm, rt.refcnt(args[0]!)));
  def(sdict, sys, 'intern', (_s, args) => interp.str.sysIntern(args[0]!));
  def(sdict, sys, 'getrecursionlimit', () => newInt(vm, vm.recursionLimit));
  def(sdict, sys, 'setrecursionlimit', (_s, args) => {
    const n = Number(intValue(vm, args[0]!));
    if (n < 1) raise(vm, 'ValueError', 'recursion limit must be greater or equal than 1');
    vm.recursionLimit = n;
    return none(vm);
  });
  def(sdict, sys, 'exc_info', () => sysExcInfo(vm));
  def(sdict, sys, '_getframe', (_s, args) => sysGetframe(vm, args.length > 0 ? Number(intValue(vm, args[0]!)) : 0));
  installFrameAttrs(vm);
  def(sdict, sys, 'getallocatedblocks', () => newInt(vm, rt.heap.debugMallocStats().classes.reduce((n, c) => n + c.blocksInUse, 0)));
  def(sdict, sys, '_debugmallocstats', () => {
    vm.io.stderr(debugmallocstats(interp));
    return none(vm);
  });
  def(sdict, sys, 'exit', (_s, args) => {
    const a = vm.tupleOf(args.slice(0, 1));
    const e = vm.exc.new(vm.excType('SystemExit'), a);
    rt.decref(a);
    throw new PyErr(e, 'SystemExit');
  });
  const argv = listOf(vm, vm.argv.map((a) => newStr(vm, a)), true);
  put(sdict, 'argv', argv);
  put(sdict, 'maxsize', newInt(vm, 2n ** 63n - 1n));
  const flags = sysFlags(vm);
  put(sdict, 'flags', flags);
  // sys.flags' type has no tp_new (PyStructSequence_InitType2 leaves it out of reach of Python).
  construct.set(rt.typeOf(flags).id, () => raise(vm, 'TypeError', "cannot create 'sys.flags' instances"));
  put(sdict, 'version', newStr(vm, '3.11.7 (pymem)'));
  for (const [name, write] of [
    ['stdout', vm.io.stdout],
    ['stderr', vm.io.stderr],
  ] as const) {
    // A module object stands for the _io.TextIOWrapper: its dict holds write.
    const stream = newModule(vm, `<${name}>`);
    def(vm.module.dict(stream), stream, 'write', (_s, args) => {
      write(sv(args[0]!));
      return newInt(vm, interp.str.length(args[0]!));
    });
    def(vm.module.dict(stream), stream, 'flush', () => none(vm));
    put(sdict, name, stream);
  }
  vm.modules.set('sys', sys);
  const modulesDict = D.new();
  put(sdict, 'modules', modulesDict);

  // --- gc ---
  const gcm = newModule(vm, 'gc');
  const gdict = vm.module.dict(gcm);
  const gc = vm.gc;
  def(gdict, gcm, 'collect', (_s, args) => {
    // gc_collect_impl: a generation outside 0..2 is "invalid generation".
    const generation = args.length > 0 ? numberIndex(vm, args[0]!) : 2n;
    if (generation < 0n || generation > 2n) raise(vm, 'ValueError', 'invalid generation');
    return newInt(vm, gc.collect(Number(generation)));
  });
  def(gdict, gcm, 'get_threshold', () => {
    const ns = gc.getThreshold().map((n) => newInt(vm, n));
    const t = vm.tupleOf(ns);
    for (const n of ns) rt.decref(n);
    return t;
  });
  def(gdict, gcm, 'get_count', () => {
    const ns = gc.getCount().map((n) => newInt(vm, n));
    const t = vm.tupleOf(ns);
    for (const n of ns) rt.decref(n);
    return t;
  });
  def(gdict, gcm, 'set_threshold', (_s, args) => {
    gc.setThreshold(...args.map((a) => Number(numberIndex(vm, a))));
    return none(vm);
  });
  def(gdict, gcm, 'enable', () => (gc.enable(), none(vm)));
  def(gdict, gcm, 'disable', () => (gc.disable(), none(vm)));
  def(gdict, gcm, 'isenabled', () => newBool(vm, gc.isEnabled()));
  def(gdict, gcm, 'is_tracked', (_s, args) => newBool(vm, gc.isTracked(args[0]!)));
  def(gdict, gcm, 'freeze', () => (gc.freeze(), none(vm)));
  def(gdict, gcm, 'unfreeze', () => (gc.unfreeze(), none(vm)));
  def(gdict, gcm, 'get_freeze_count', () => newInt(vm, gc.getFreezeCount()));
  // A class's dict these hand out can change behind the class's back: its attributes are no longer cached (typeCache.ts).
  const exposed = (objs: number[]): number[] => (vm.typeCache.exposeTypeDicts(vm, objs), objs);
  def(gdict, gcm, 'get_referents', (_s, args) => listOf(vm, exposed(gc.getReferents(...args))));
  def(gdict, gcm, 'get_referrers', (_s, args) => listOf(vm, exposed(gc.getReferrers(...args))));
  def(gdict, gcm, 'is_finalized', (_s, args) => newBool(vm, gc.isFinalized(args[0]!)));
  // gc_get_debug / gc_set_debug and the DEBUG_* flags; DEBUG_STATS and the others print to stderr as gcmodule.c does.
  gc.stderr = (text) => vm.io.stderr(text);
  def(gdict, gcm, 'get_debug', () => newInt(vm, gc.getDebug()));
  def(gdict, gcm, 'set_debug', (_s, args) => {
    arity(vm, 'set_debug', args, 1, 1);
    gc.setDebug(Number(numberIndex(vm, args[0]!)));
    return none(vm);
  });
  for (const [name, flag] of [['DEBUG_STATS', DEBUG_STATS], ['DEBUG_COLLECTABLE', DEBUG_COLLECTABLE], ['DEBUG_UNCOLLECTABLE', DEBUG_UNCOLLECTABLE], ['DEBUG_SAVEALL', DEBUG_SAVEALL], ['DEBUG_LEAK', DEBUG_LEAK]] as const) {
    put(gdict, name, newInt(vm, flag));
  }
  // gc_get_stats_impl: a list of one dict per generation (collections, collected, uncollectable).
  def(gdict, gcm, 'get_stats', () => {
    const dicts = gc.getStats().map((st) => {
      const d = D.new();
      for (const [k, v] of [['collections', st.collections], ['collected', st.collected], ['uncollectable', st.uncollectable]] as const) {
        const n = newInt(vm, v);
        D.setItem(d, id(vm, k), n);
        rt.decref(n);
      }
      return d;
    });
    return listOf(vm, dicts, true);
  });
  // gc_get_objects_impl(generation=None).
  def(gdict, gcm, 'get_objects', (_s, args, kwnames) => {
    const { pos, kw } = splitArgs(vm, args, kwnames);
    const g = pos[0] ?? kw.get('generation');
    const gen = g === undefined || g === None ? null : Number(intValue(vm, g));
    try {
      return listOf(vm, exposed(gc.getObjects(gen)));
    } catch (e) {
      throw toPyErr(vm, e);
    }
  });
  put(gdict, 'garbage', newRef(vm, gc.garbage));
  vm.modules.set('gc', gcm);

  // --- weakref ---
  const wm = newModule(vm, 'weakref');
  const wdict = vm.module.dict(wm);
  const W = interp.weakref;
  W.callObject = (callable, arg) => rt.decref(callObject(vm, callable, [arg], 0));
  for (const [name, t] of [
    ['ref', W.type],
    ['ReferenceType', W.type],
    ['ProxyType', W.proxyType],
    ['CallableProxyType', W.callableProxyType],
  ] as const) {
    interp.dict.setItem(wdict, id(vm, name), typeObj(t));
  }
  def(wdict, wm, 'proxy', weakrefProxy(vm));
  def(wdict, wm, 'getweakrefcount', (_s, args) => newInt(vm, W.supportsWeakrefs(args[0]!) ? W.weakrefCount(args[0]!) : 0));
  def(wdict, wm, 'getweakrefs', (_s, args) => listOf(vm, W.supportsWeakrefs(args[0]!) ? W.getWeakrefs(args[0]!) : []));
  vm.modules.set('weakref', wm);

  // --- time (the clocks; sleep blocks the thread as time.sleep does) ---
  const tm = newModule(vm, 'time');
  const tdict = vm.module.dict(tm);
  const ns = (): bigint => process.hrtime.bigint();
  const wallNs = (): bigint => BigInt(Date.now()) * 1_000_000n;
  def(tdict, tm, 'perf_counter', () => interp.float.fromNumber(Number(ns()) / 1e9));
  def(tdict, tm, 'monotonic', () => interp.float.fromNumber(Number(ns()) / 1e9));
  def(tdict, tm, 'perf_counter_ns', () => newInt(vm, ns()));
  def(tdict, tm, 'time', () => interp.float.fromNumber(Date.now() / 1000));
  def(tdict, tm, 'time_ns', () => newInt(vm, wallNs()));
  def(tdict, tm, 'sleep', (_s, args) => {
    arity(vm, 'sleep', args, 1, 1);
    const secs = isInt(vm, args[0]!) ? Number(intValue(vm, args[0]!)) : interp.float.value(args[0]!);
    if (!(secs >= 0)) raise(vm, 'ValueError', 'sleep length must be non-negative');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, secs * 1000);
    return none(vm);
  });
  vm.modules.set('time', tm);

  // --- atexit ---
  const am = newModule(vm, 'atexit');
  installAtexit(vm, (name, meth) => def(vm.module.dict(am), am, name, meth));
  vm.modules.set('atexit', am);
  installTracemallocModule(vm);

  vm.importModule = (name) => {
    const m = vm.modules.get(name);
    if (m === undefined) {
      const loaded = importSourceModule(vm, name);
      if (loaded !== 0) return loaded;
      const e = newErr(vm, 'ModuleNotFoundError', `No module named '${name}'`);
      throw e;
    }
    if (name === 'weakref') ensureFinalize(vm, m);
    return newRef(vm, m);
  };
  for (const [name, m] of vm.modules) interp.dict.setItem(modulesDict, id(vm, name), m);
}

function loadLocal(f: number, i: number): number {
  return localsplus.get(f, i);
}

function newModule(vm: Vm, name: string): number {
  const s = newStr(vm, name);
  const m = vm.module.new(s);
  vm.interp.rt.decref(s);
  return m;
}

function listOf(vm: Vm, items: readonly number[], steal = false): number {
  const l = vm.interp.list.new(0);
  vm.interp.list.extendFromArray(l, items);
  if (steal) for (const x of items) vm.interp.rt.decref(x);
  return l;
}

function keyErr(vm: Vm, key: number): PyErr {
  const args = vm.tupleOf([key]);
  const exc = vm.exc.new(vm.excType('KeyError'), args);
  vm.interp.rt.decref(args);
  return new PyErr(exc, 'KeyError');
}

function isExceptionClass(vm: Vm, t: PyTypeObject): boolean {
  return vm.isSubtype(t, vm.excType('BaseException'));
}

function callBinary(vm: Vm, a: number, b: number): number {
  return callBinaryOp(vm, a, b, 0);
}

function callBinaryOp(vm: Vm, a: number, b: number, op: number): number {
  return binaryOp(vm, a, b, op);
}


/** list.sort(key, reverse): a stable sort by < (as list_sort's timsort orders). */
function sortList(vm: Vm, l: number, key: number, reverse: boolean): void {
  const { interp } = vm;
  const rt = interp.rt;
  const items = interp.list.items(l);
  const keys = key !== 0 && key !== interp.singletons.None ? items.map((x) => callObject(vm, key, [x], 0)) : items.map((x) => newRef(vm, x));
  const idx = items.map((_, i) => i);
  try {
    idx.sort((a, b) => {
      const x = keys[a]!;
      const y = keys[b]!;
      if (reverse) {
        if (richCompareBool(vm, y, x, 0)) return -1;
        if (richCompareBool(vm, x, y, 0)) return 1;
        return 0;
      }
      if (richCompareBool(vm, x, y, 0)) return -1;
      if (richCompareBool(vm, y, x, 0)) return 1;
      return 0;
    });
  } finally {
    for (const k of keys) rt.decref(k);
  }
  const sorted = idx.map((i) => items[i]!);
  for (const x of sorted) rt.incref(x);
  interp.list.clear(l);
  interp.list.extendFromArray(l, sorted);
  for (const x of sorted) rt.decref(x);
}

/**
 * type_new(metatype, name, bases, dict): a class — an instance of metatype
 * (type, or a metaclass; metaclass.ts picks it) — its instance layout from
 * __slots__ (instance.ts's defineClass, type_new_descriptors), its MRO
 * (mro_internal: the C3 linearisation), a heap type object holding a copy of
 * the namespace. An exception base gives an exception class.
 */
export function typeNew(vm: Vm, name: number, bases: number, ns: number, kwargs: ReadonlyMap<string, number> = new Map(), metatype: PyTypeObject = vm.typeobj.type): number {
  const { interp } = vm;
  const rt = interp.rt;
  const baseObjs = interp.tuple.items(bases);
  const baseTypes = baseObjs.map((b) => {
    const t = vm.typeobj.typeOfObject(b);
    if (t === undefined) raise(vm, 'TypeError', `bases must be types`);
    return t;
  });
  const className = strValue(vm, name);
  const slotsObj = interp.dict.getItem(ns, id(vm, '__slots__'));
  let slots: string[] | undefined;
  if (slotsObj !== 0) {
    const items = isStr(vm, slotsObj) ? [newRef(vm, slotsObj)] : iterate(vm, slotsObj);
    slots = items.map((s) => strValue(vm, s));
    for (const s of items) rt.decref(s);
  }
  const excBase = baseTypes.find((t) => isExceptionClass(vm, t));
  let t: PyTypeObject;
  // best_base: an exception's layout and a built-in container's (or a metaclass's) cannot be one instance's.
  const laidOut = (b: PyTypeObject): boolean => !isExceptionClass(vm, b) && b !== interp.object.type && (!vm.classes.has(b.id) || interp.instance.builtinBase(b) !== null);
  if (excBase !== undefined && baseTypes.some(laidOut)) raise(vm, 'TypeError', 'multiple bases have instance lay-out conflict');
  if (excBase !== undefined) t = vm.exc.newExceptionType(className, true, vm.exc.layoutOf(excBase));
  else if (bestBase(vm, baseTypes) === vm.typeobj.type) {
    // A metaclass: type's layout (type_new_slots_impl refuses slots for a base with items).
    if (slots !== undefined && slots.length > 0) raise(vm, 'TypeError', "nonempty __slots__ not supported for subtype of 'type'");
    t = vm.typeobj.defineMetatype(className);
  } else {
    const builtinBase = bestBase(vm, baseTypes);
    const del = interp.dict.getItem(ns, id(vm, '__del__'));
    const inheritedSlots = baseTypes.some((b) => vm.classes.has(b.id));
    t = interp.instance.defineClass({
      name: className,
      ...(builtinBase !== null ? { base: builtinBase } : {}),
      ...(slots !== undefined && !inheritedSlots ? { slots } : {}),
      // slot_tp_finalize: what __del__ raises is unraisable ("Exception ignored in: <function ...>").
      ...(del !== 0 ? { del: (op: number) => callDel(vm, interp.dict.getItem(vm.typeobj.dict(vm.typeobj.objectOf(t)), id(vm, '__del__')), op) } : {}),
      // slot_tp_hash / slot_tp_richcompare: dict and set lookups call the class's __hash__ and __eq__.
      hash: (op: number) => {
        if (lookupSpecial(vm, op, '__hash__') !== 0) return Number(hash(vm, op));
        if (builtinBase === null) return hashPointer(op);
        // inherit_slots: the base's tp_hash (list, dict and set have none: unhashable).
        if (builtinBase.hash === undefined) raise(vm, 'TypeError', `unhashable type: '${typeName(vm, op)}'`);
        return builtinBase.hash(rt, op);
      },
      ...(builtinBase?.hash64 !== undefined
        ? { hash64: (op: number) => (lookupSpecial(vm, op, '__hash__') !== 0 ? hash(vm, op) : builtinBase.hash64!(rt, op)) }
        : {}),
      // slot_tp_richcompare, or the built-in base's tp_richcompare when the class does not define __eq__.
      eq: (a: number, b: number) => (builtinBase !== null && !overrides(vm, a, '__eq__') ? (builtinBase.eq?.(rt, a, b) ?? a === b) : richCompareBool(vm, a, b, 2)),
    });
    vm.classes.add(t.id);
  }
  vm.mro[t.id] = [t.id, ...c3Merge(vm, baseTypes.length > 0 ? baseTypes : [interp.object.type])];
  const dict = interp.dict.copy(ns);
  implicitClassmethods(vm, dict);
  // type_new_set_hash: a class that defines __eq__ but not __hash__ is unhashable.
  if (interp.dict.contains(dict, id(vm, '__eq__')) && !interp.dict.contains(dict, id(vm, '__hash__'))) {
    interp.dict.setItem(dict, id(vm, '__hash__'), interp.singletons.None);
  }
  if (interp.dict.contains(dict, id(vm, '__qualname__'))) interp.dict.delItem(dict, id(vm, '__qualname__'));
  const realBases = baseObjs.length > 0 ? newRef(vm, bases) : vm.tupleOf([vm.typeObject(interp.object.type)]);
  const qualname = interp.dict.getItem(ns, id(vm, '__qualname__'));
  const slotsTuple = slots !== undefined ? vm.tupleOf(slots.map((s) => id(vm, s))) : 0;
  const op = vm.typeobj.newHeap(t, {
    name,
    qualname: qualname !== 0 ? qualname : name,
    dict,
    bases: realBases,
    base: interp.tuple.items(realBases)[0]!,
    slots: slotsTuple,
    cachedKeys: vm.classes.has(t.id) ? interp.instance.cachedKeys(t) : 0,
  }, metatype);
  rt.decref(dict);
  rt.decref(realBases);
  if (slotsTuple !== 0) rt.decref(slotsTuple);
  vm.typeobj.setMro(op, vm.tupleOf(vm.mro[t.id]!.map((i) => (i === t.id ? op : vm.typeObject(rt.types[i]!)))));
  addMembers(vm, op);
  addGetsets(vm, op, baseTypes.length > 0 ? baseTypes : [interp.object.type]);
  // type_dict_set_doc: a class without a docstring has __doc__ None.
  const tdict = vm.typeobj.dict(op);
  if (!interp.dict.contains(tdict, id(vm, '__doc__'))) interp.dict.setItem(tdict, id(vm, '__doc__'), interp.singletons.None);
  // __classcell__ gets the class; then type_new_set_names and init_subclass.
  const cell = interp.dict.getItem(ns, id(vm, '__classcell__'));
  if (cell !== 0) interp.cell.set(cell, op);
  try {
    setNames(vm, op);
    const rest = new Map([...kwargs].filter(([k]) => k !== 'metaclass'));
    initSubclass(vm, op, rest);
  } catch (e) {
    rt.decref(op);
    throw e;
  }
  return op;
}

/** mro_implementation: the C3 merge of the bases' MROs and the bases. */
function c3Merge(vm: Vm, bases: PyTypeObject[]): number[] {
  const seqs = [...bases.map((b) => [...vm.mroOf(b)]), bases.map((b) => b.id)];
  const out: number[] = [];
  for (;;) {
    const nonEmpty = seqs.filter((s) => s.length > 0);
    if (nonEmpty.length === 0) return out;
    const cand = nonEmpty.map((s) => s[0]!).find((c) => !nonEmpty.some((s) => s.indexOf(c) > 0));
    if (cand === undefined) {
      // set_mro_error: the heads left, each named once.
      const heads = [...new Set(nonEmpty.map((s) => s[0]!))].map((tid) => vm.interp.rt.types[tid]!.name);
      raise(vm, 'TypeError', `Cannot create a consistent method resolution\norder (MRO) for bases ${heads.join(', ')}`);
    }
    out.push(cand);
    for (const s of nonEmpty) if (s[0] === cand) s.shift();
  }
}


/**
 * builtin_divmod (PyNumber_Divmod): long_divmod and float_divmod on the
 * numbers, else __divmod__ / __rdivmod__, else the TypeError naming divmod().
 */
function builtinDivmod(vm: Vm, a: number, b: number): number {
  const { interp } = vm;
  const rt = interp.rt;
  const pair = (q: number, r: number): number => {
    const t = vm.tupleOf([q, r]);
    rt.decref(q);
    rt.decref(r);
    return t;
  };
  const numeric = (o: number): boolean => isInt(vm, o) || isFloat(vm, o);
  if (isInt(vm, a) && isInt(vm, b)) {
    if (intValue(vm, b) === 0n) raise(vm, 'ZeroDivisionError', 'integer division or modulo by zero');
    return pair(callBinaryOp(vm, a, b, 2), callBinaryOp(vm, a, b, 6));
  }
  if (numeric(a) && numeric(b)) {
    const x = isFloat(vm, a) ? interp.float.value(a) : Number(intValue(vm, a));
    const y = isFloat(vm, b) ? interp.float.value(b) : Number(intValue(vm, b));
    if (y === 0) raise(vm, 'ZeroDivisionError', 'float divmod()');
    const [q, r] = floatDivmod(x, y);
    return pair(interp.float.fromNumber(q), interp.float.fromNumber(r));
  }
  for (const [self, other, name] of [
    [a, b, '__divmod__'],
    [b, a, '__rdivmod__'],
  ] as const) {
    const m = lookupSpecial(vm, self, name);
    if (m !== 0) {
      const r = callObject(vm, m, [self, other], 0);
      if (r !== interp.singletons.NotImplemented) return r;
      rt.decref(r);
    }
  }
  raise(vm, 'TypeError', `unsupported operand type(s) for divmod(): '${typeName(vm, a)}' and '${typeName(vm, b)}'`);
}

/** long_pow's three-argument form: base ** exp % mod on ints, the result with mod's sign. */
function powMod(vm: Vm, b: number, e: number, m: number): bigint {
  if (!isInt(vm, b) || !isInt(vm, e) || !isInt(vm, m)) {
    raise(vm, 'TypeError', 'pow() 3rd argument not allowed unless all arguments are integers');
  }
  const mod = intValue(vm, m);
  if (mod === 0n) raise(vm, 'ValueError', 'pow() 3rd argument cannot be 0');
  const am = mod < 0n ? -mod : mod;
  let base = ((intValue(vm, b) % am) + am) % am;
  let exp = intValue(vm, e);
  if (exp < 0n) {
    base = modInverse(vm, base, am);
    exp = -exp;
  }
  let r = 1n % am;
  while (exp > 0n) {
    if (exp & 1n) r = (r * base) % am;
    base = (base * base) % am;
    exp >>= 1n;
  }
  return mod < 0n && r !== 0n ? r + mod : r;
}

/** long_invmod: the inverse of a modulo n (n > 0), ValueError when there is none. */
function modInverse(vm: Vm, a: bigint, n: bigint): bigint {
  let [r0, r1, s0, s1] = [n, a, 0n, 1n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) raise(vm, 'ValueError', 'base is not invertible for the given modulus');
  return ((s0 % n) + n) % n;
}

/** slot_tp_finalize: calls __del__ on op; what it raises goes to PyErr_WriteUnraisable(del). */
function callDel(vm: Vm, del: number, op: number): void {
  try {
    vm.interp.rt.decref(callObject(vm, del, [op], 0));
  } catch (e) {
    const exc = toPyErr(vm, e).exc;
    if (vm.finalizing) vm.interp.rt.decref(exc);
    else writeUnraisable(vm, exc, `in: ${repr(vm, del)}`);
  }
}
