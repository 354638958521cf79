/*
 * bytes and bytearray as programs use them (Objects/bytesobject.c,
 * Objects/bytearrayobject.c, Objects/bytes_methods.c, CPython 3.11): the
 * constructors bytes(x) / bytearray(x) from nothing, a count, a str and an
 * encoding, a buffer, __bytes__ or an iterable of ints; their shared methods
 * (over lib/objects/text/bytesMethods.ts, a bytearray's results bytearrays
 * again); bytes.fromhex / bytearray.fromhex; and bytearray's mutators
 * (append, extend, insert, pop, remove, clear, copy, reverse).
 *
 * Invariants: a method leaves its receiver unchanged unless it is a
 * bytearray mutator; every result is a new reference; errors are CPython's
 * exceptions in its words.
 */
import {
  bytesCenter,
  bytesCount,
  bytesEndswith,
  bytesExpandtabs,
  bytesFind,
  bytesFromHex,
  bytesHex,
  bytesIndex,
  bytesIsTitle,
  bytesJoin,
  bytesLjust,
  bytesLstrip,
  bytesPartition,
  bytesRemoveprefix,
  bytesRemovesuffix,
  bytesReplace,
  bytesRfind,
  bytesRindex,
  bytesRjust,
  bytesRpartition,
  bytesRsplit,
  bytesRstrip,
  bytesSplit,
  bytesSplitlines,
  bytesStartswith,
  bytesStrip,
  bytesTitle,
  bytesZfill,
  type BytesSub,
} from '../objects/text/bytesMethods.js';
import { bytesDecode, strEncode } from '../objects/text/codecs.js';
import type { CMethod } from '../objects/types/cfunction.js';
import {
  callObject,
  getIter,
  intValue,
  isInt,
  isStr,
  isTrue,
  iterNext,
  lookupSpecial,
  newBool,
  newInt,
  newRef,
  newStr,
  raise,
  strValue,
  typeName,
  typeOf,
} from './abstract.js';
import { parseArgs } from './argParse.js';
import { addClassMethods, addMethods } from './numberMethods.js';
import type { Vm } from './vm.js';

/** The bytes of a bytes or bytearray object, or null for anything else. */
export function bytesLikeOrNull(vm: Vm, o: number): Uint8Array | null {
  const { interp } = vm;
  const t = typeOf(vm, o);
  if (t === interp.bytes.type) return interp.bytes.data(o);
  if (t === interp.bytearray.type) return interp.bytearray.data(o);
  return null;
}

/** PyObject_Bytes's data: a buffer as it is, else __bytes__, else PyBytes_FromObject's iterable of ints in range(256). */
export function bytesLikeData(vm: Vm, o: number): Uint8Array {
  const b = bytesLikeOrNull(vm, o);
  if (b !== null) return b.slice();
  if (lookupSpecial(vm, o, '__bytes__') !== 0) return bytesFromObject(vm, o, 'bytes');
  if (isStr(vm, o) || isInt(vm, o)) raise(vm, 'TypeError', `cannot convert '${typeName(vm, o)}' object to bytes`);
  return bytesFromIterable(vm, o, 'bytes');
}

/** _PyBytes_FromIterator / bytearray's iterable path: each item an int 0..255. */
function bytesFromIterable(vm: Vm, o: number, kind: 'bytes' | 'bytearray'): Uint8Array {
  const rt = vm.interp.rt;
  let it: number;
  try {
    it = getIter(vm, o);
  } catch (e) {
    const err = e as { exc?: number };
    if (err.exc !== undefined && vm.isSubtype(typeOf(vm, err.exc), vm.excType('TypeError'))) {
      rt.decref(err.exc);
      raise(vm, 'TypeError', `cannot convert '${typeName(vm, o)}' object to ${kind}`);
    }
    throw e;
  }
  const out: number[] = [];
  try {
    for (let x = iterNext(vm, it); x !== 0; x = iterNext(vm, it)) {
      try {
        if (!isInt(vm, x)) raise(vm, 'TypeError', `'${typeName(vm, x)}' object cannot be interpreted as an integer`);
        const v = intValue(vm, x);
        if (v < 0n || v > 255n) raise(vm, 'ValueError', kind === 'bytes' ? 'bytes must be in range(0, 256)' : 'byte must be in range(0, 256)');
        out.push(Number(v));
      } finally {
        rt.decref(x);
      }
    }
  } finally {
    rt.decref(it);
  }
  return Uint8Array.from(out);
}

/** bytes_new_impl / bytearray___init___impl's dispatch on the source, after the str case. */
function bytesFromObject(vm: Vm, x: number, kind: 'bytes' | 'bytearray'): Uint8Array {
  const b = bytesLikeOrNull(vm, x);
  if (b !== null) return b.slice();
  if (kind === 'bytes') {
    const m = lookupSpecial(vm, x, '__bytes__');
    if (m !== 0) {
      const r = callObject(vm, m, [x], 0);
      try {
        if (typeOf(vm, r) !== vm.interp.bytes.type) raise(vm, 'TypeError', `__bytes__ returned non-bytes (type ${typeName(vm, r)})`);
        return vm.interp.bytes.data(r).slice();
      } finally {
        vm.interp.rt.decref(r);
      }
    }
  }
  if (isInt(vm, x)) {
    const n = intValue(vm, x);
    if (n < 0n) raise(vm, 'ValueError', 'negative count');
    if (n > 2n ** 31n) raise(vm, 'MemoryError', null);
    return new Uint8Array(Number(n));
  }
  if (isStr(vm, x)) raise(vm, 'TypeError', 'string argument without an encoding');
  return bytesFromIterable(vm, x, kind);
}

/** bytes(source=b'', encoding, errors) / bytearray(...): the data of the new object. */
function constructData(vm: Vm, kind: 'bytes' | 'bytearray', args: readonly number[], kwnames: number): Uint8Array {
  const [source, encoding, errors] = parseArgs(vm, { fname: kind, pos: ['source', 'encoding', 'errors'] }, args, kwnames);
  if (source === undefined) {
    if (encoding !== undefined) raise(vm, 'TypeError', 'encoding without a string argument');
    if (errors !== undefined) raise(vm, 'TypeError', 'errors without a string argument');
    return new Uint8Array(0);
  }
  if (encoding !== undefined || errors !== undefined) {
    if (!isStr(vm, source)) raise(vm, 'TypeError', encoding !== undefined ? 'encoding without a string argument' : 'errors without a string argument');
    if (encoding === undefined) raise(vm, 'TypeError', 'string argument without an encoding');
    return strEncode(strValue(vm, source), strValue(vm, encoding), errors === undefined ? 'strict' : strValue(vm, errors));
  }
  return bytesFromObject(vm, source, kind);
}

/** Installs bytes() and bytearray(), their methods, fromhex and bytearray's mutators. */
export function installBytesType(vm: Vm, construct: Map<number, CMethod>): void {
  const { interp } = vm;
  const rt = interp.rt;
  const B = interp.bytes;
  const BA = interp.bytearray;
  construct.set(B.type.id, (_cls, args, kwnames) => B.fromBytes(constructData(vm, 'bytes', args, kwnames)));
  construct.set(BA.type.id, (_cls, args, kwnames) => BA.fromBytes(constructData(vm, 'bytearray', args, kwnames)));

  const data = (o: number): Uint8Array => bytesLikeOrNull(vm, o)!;
  /** A bytes-like argument (TypeError in CPython's words otherwise). */
  const arg = (o: number, what = 'a bytes-like object is required'): Uint8Array => {
    const b = bytesLikeOrNull(vm, o);
    if (b === null) raise(vm, 'TypeError', `${what}, not '${typeName(vm, o)}'`);
    return b;
  };
  const sub = (o: number): BytesSub => {
    if (isInt(vm, o)) {
      const v = intValue(vm, o);
      if (v < 0n || v > 255n) raise(vm, 'ValueError', 'byte must be in range(0, 256)');
      return v;
    }
    return arg(o, `argument should be integer or bytes-like object`);
  };
  const optInt = (o: number | undefined): number | undefined => (o === undefined || o === interp.singletons.None ? undefined : Number(intValue(vm, o)));
  const optChars = (o: number | undefined): Uint8Array | undefined => (o === undefined || o === interp.singletons.None ? undefined : arg(o));
  const prefixes = (o: number): Uint8Array | Uint8Array[] => (interp.tuple.check(o) ? interp.tuple.items(o).map((x) => arg(x)) : arg(o));

  for (const T of [B.type, BA.type]) {
    const make = (b: Uint8Array): number => (T === B.type ? B.fromBytes(b) : BA.fromBytes(b));
    const list = (parts: Uint8Array[]): number => {
      const l = interp.list.new(0);
      for (const p of parts) {
        const o = make(p);
        interp.list.append(l, o);
        rt.decref(o);
      }
      return l;
    };
    const triple = (parts: Uint8Array[]): number => {
      const objs = parts.map(make);
      const t = vm.tupleOf(objs);
      for (const o of objs) rt.decref(o);
      return t;
    };
    const ascii = (f: (c: number) => number): CMethod => (self) => make(data(self).map(f));
    const pred = (f: (b: Uint8Array) => boolean): CMethod => (self) => newBool(vm, f(data(self)));
    const all = (f: (c: number) => boolean) => (b: Uint8Array) => b.length > 0 && b.every(f);
    const isLower = (c: number): boolean => c >= 97 && c <= 122;
    const isUpper = (c: number): boolean => c >= 65 && c <= 90;
    const isDigit = (c: number): boolean => c >= 48 && c <= 57;
    const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
    addMethods(vm, T.id, {
      decode: (self, args, kwnames) => {
        const [encoding, errors] = parseArgs(vm, { fname: 'decode', pos: ['encoding', 'errors'] }, args, kwnames);
        return newStr(vm, bytesDecode(data(self), encoding === undefined ? 'utf-8' : strValue(vm, encoding), errors === undefined ? 'strict' : strValue(vm, errors)));
      },
      hex: (self, args, kwnames) => {
        const [sep, bps] = parseArgs(vm, { fname: 'hex', pos: ['sep', 'bytes_per_sep'] }, args, kwnames);
        const sepStr = sep === undefined ? undefined : isStr(vm, sep) ? strValue(vm, sep) : String.fromCharCode(...arg(sep));
        return newStr(vm, bytesHex(data(self), sepStr, bps === undefined ? 1 : Number(intValue(vm, bps))));
      },
      split: (self, args, kwnames) => {
        const [sep, maxsplit] = parseArgs(vm, { fname: 'split', pos: ['sep', 'maxsplit'] }, args, kwnames);
        return list(bytesSplit(data(self), optChars(sep), optInt(maxsplit) ?? -1));
      },
      rsplit: (self, args, kwnames) => {
        const [sep, maxsplit] = parseArgs(vm, { fname: 'rsplit', pos: ['sep', 'maxsplit'] }, args, kwnames);
        return list(bytesRsplit(data(self), optChars(sep), optInt(maxsplit) ?? -1));
      },
      splitlines: (self, args) => list(bytesSplitlines(data(self), args.length > 0 && isTrue(vm, args[0]!))),
      partition: (self, args) => triple(bytesPartition(data(self), arg(args[0]!))),
      rpartition: (self, args) => triple(bytesRpartition(data(self), arg(args[0]!))),
      join: (self, args) => {
        const it = getIter(vm, args[0]!);
        const items: number[] = [];
        try {
          for (let x = iterNext(vm, it); x !== 0; x = iterNext(vm, it)) items.push(x);
          return make(bytesJoin(data(self), items.map((x) => bytesLikeOrNull(vm, x) ?? { typeName: typeName(vm, x) }), (v) => (v as { typeName: string }).typeName));
        } finally {
          for (const x of items) rt.decref(x);
          rt.decref(it);
        }
      },
      strip: (self, args) => make(bytesStrip(data(self), optChars(args[0]))),
      lstrip: (self, args) => make(bytesLstrip(data(self), optChars(args[0]))),
      rstrip: (self, args) => make(bytesRstrip(data(self), optChars(args[0]))),
      find: (self, args) => newInt(vm, bytesFind(data(self), sub(args[0]!), optInt(args[1]), optInt(args[2]))),
      rfind: (self, args) => newInt(vm, bytesRfind(data(self), sub(args[0]!), optInt(args[1]), optInt(args[2]))),
      index: (self, args) => newInt(vm, bytesIndex(data(self), sub(args[0]!), optInt(args[1]), optInt(args[2]))),
      rindex: (self, args) => newInt(vm, bytesRindex(data(self), sub(args[0]!), optInt(args[1]), optInt(args[2]))),
      count: (self, args) => newInt(vm, bytesCount(data(self), sub(args[0]!), optInt(args[1]), optInt(args[2]))),
      startswith: (self, args) => newBool(vm, bytesStartswith(data(self), prefixes(args[0]!), optInt(args[1]), optInt(args[2]))),
      endswith: (self, args) => newBool(vm, bytesEndswith(data(self), prefixes(args[0]!), optInt(args[1]), optInt(args[2]))),
      replace: (self, args) => make(bytesReplace(data(self), arg(args[0]!), arg(args[1]!), optInt(args[2]) ?? -1)),
      // bytes_translate_impl / bytearray_translate_impl: each byte through a 256-byte table (None keeps it), those in
      // `delete` dropped; an exact bytes object left as it was is itself.
      translate: (self, args, kwnames) => {
        const [table, del] = parseArgs(vm, { fname: 'translate', pos: ['table', 'delete'] }, args, kwnames);
        const map = optChars(table);
        if (map !== undefined && map.length !== 256) raise(vm, 'ValueError', 'translation table must be 256 characters long');
        const drop = new Set(del === undefined ? [] : arg(del));
        if (map === undefined && drop.size === 0 && T === B.type) return newRef(vm, self);
        return make(Uint8Array.from(data(self).filter((c) => !drop.has(c)), (c) => (map === undefined ? c : map[c]!)));
      },
      upper: ascii((c) => (isLower(c) ? c - 32 : c)),
      lower: ascii((c) => (isUpper(c) ? c + 32 : c)),
      swapcase: ascii((c) => (isLower(c) ? c - 32 : isUpper(c) ? c + 32 : c)),
      capitalize: (self) => make(data(self).map((c, i) => (i === 0 ? (isLower(c) ? c - 32 : c) : isUpper(c) ? c + 32 : c))),
      title: (self) => make(bytesTitle(data(self))),
      isdigit: pred(all(isDigit)),
      isalpha: pred(all((c) => isLower(c) || isUpper(c))),
      isalnum: pred(all((c) => isLower(c) || isUpper(c) || isDigit(c))),
      isspace: pred(all(isSpace)),
      islower: pred((b) => b.some(isLower) && !b.some(isUpper)),
      isupper: pred((b) => b.some(isUpper) && !b.some(isLower)),
      istitle: pred(bytesIsTitle),
      isascii: pred((b) => b.every((c) => c < 128)),
      center: (self, args) => make(bytesCenter(data(self), Number(intValue(vm, args[0]!)), optChars(args[1]))),
      ljust: (self, args) => make(bytesLjust(data(self), Number(intValue(vm, args[0]!)), optChars(args[1]))),
      rjust: (self, args) => make(bytesRjust(data(self), Number(intValue(vm, args[0]!)), optChars(args[1]))),
      zfill: (self, args) => make(bytesZfill(data(self), Number(intValue(vm, args[0]!)))),
      expandtabs: (self, args) => make(bytesExpandtabs(data(self), optInt(args[0]) ?? 8)),
      removeprefix: (self, args) => make(bytesRemoveprefix(data(self), arg(args[0]!))),
      removesuffix: (self, args) => make(bytesRemovesuffix(data(self), arg(args[0]!))),
    });
    addClassMethods(vm, T.id, 'classmethod', {
      fromhex: (_m, args) => {
        if (args.length !== 1) raise(vm, 'TypeError', `fromhex() takes exactly one argument (${args.length} given)`);
        if (!isStr(vm, args[0]!)) raise(vm, 'TypeError', `fromhex() argument must be str, not ${typeName(vm, args[0]!)}`);
        return make(bytesFromHex(strValue(vm, args[0]!)));
      },
    });
    addClassMethods(vm, T.id, 'staticmethod', {
      // bytes_maketrans: the identity table with each byte of `from` mapped to the one of `to` at its place.
      maketrans: (_m, args) => {
        if (args.length !== 2) raise(vm, 'TypeError', `maketrans expected 2 arguments, got ${args.length}`);
        const [from, to] = [arg(args[0]!), arg(args[1]!)];
        if (from.length !== to.length) raise(vm, 'ValueError', 'maketrans arguments must have same length');
        const table = Uint8Array.from({ length: 256 }, (_, i) => i);
        from.forEach((c, i) => (table[c] = to[i]!));
        return B.fromBytes(table);
      },
    });
  }

  /** A byte value argument of a bytearray mutator. */
  const byteValue = (o: number): number => {
    if (!isInt(vm, o)) raise(vm, 'TypeError', `'${typeName(vm, o)}' object cannot be interpreted as an integer`);
    const v = intValue(vm, o);
    if (v < 0n || v > 255n) raise(vm, 'ValueError', 'byte must be in range(0, 256)');
    return Number(v);
  };
  addMethods(vm, BA.type.id, {
    append: (self, args) => {
      if (args.length !== 1) raise(vm, 'TypeError', `bytearray.append() takes exactly one argument (${args.length} given)`);
      BA.append(self, byteValue(args[0]!));
      return newRef(vm, interp.singletons.None);
    },
    extend: (self, args) => {
      BA.extend(self, bytesLikeOrNull(vm, args[0]!)?.slice() ?? bytesFromIterable(vm, args[0]!, 'bytearray'));
      return newRef(vm, interp.singletons.None);
    },
    insert: (self, args) => {
      const n = BA.size(self);
      let i = Number(intValue(vm, args[0]!));
      if (i < 0) i = Math.max(0, i + n);
      i = Math.min(i, n);
      BA.setSlice(self, i, i, Uint8Array.of(byteValue(args[1]!)));
      return newRef(vm, interp.singletons.None);
    },
    pop: (self, args) => {
      const n = BA.size(self);
      if (n === 0) raise(vm, 'IndexError', 'pop from empty bytearray');
      let i = args.length > 0 ? Number(intValue(vm, args[0]!)) : -1;
      if (i < 0) i += n;
      if (i < 0 || i >= n) raise(vm, 'IndexError', 'pop index out of range');
      const v = BA.data(self)[i]!;
      BA.setSlice(self, i, i + 1, null);
      return newInt(vm, v);
    },
    remove: (self, args) => {
      const i = BA.data(self).indexOf(byteValue(args[0]!));
      if (i < 0) raise(vm, 'ValueError', 'value not found in bytearray');
      BA.setSlice(self, i, i + 1, null);
      return newRef(vm, interp.singletons.None);
    },
    clear: (self) => {
      BA.setSlice(self, 0, BA.size(self), null);
      return newRef(vm, interp.singletons.None);
    },
    copy: (self) => BA.fromBytes(BA.data(self).slice()),
    reverse: (self) => {
      const rev = BA.data(self).slice().reverse();
      BA.setSlice(self, 0, rev.length, rev);
      return newRef(vm, interp.singletons.None);
    },
  });
}
