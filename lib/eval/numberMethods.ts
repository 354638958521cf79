/*
 * The methods and data attributes of int, bool, float and complex that
 * programs reach beyond arithmetic (Objects/longobject.c, floatobject.c,
 * complexobject.c, CPython 3.11): int.to_bytes / from_bytes / bit_count /
 * as_integer_ratio and real, imag, numerator, denominator; float.hex /
 * fromhex / as_integer_ratio / is_integer / conjugate and real, imag;
 * complex() and abs(complex).
 *
 * Invariants: every result is a new reference; errors are CPython's
 * exceptions in its words; float.fromhex rounds half to even, exactly as
 * float_fromhex does.
 */
import { intValue, isFloat, isInt, isStr, isTrue, newBool, newInt, newRef, newStr, numberIndex, raise, strValue, typeName, typeOf } from './abstract.js';
import { parseArgs } from './argParse.js';
import { bytesLikeData } from './bytesType.js';
import type { CMethod } from '../objects/types/cfunction.js';
import type { Vm } from './vm.js';
import { withArity } from './builtinArity.js';

/** Adds methods to a built-in type's table (before its type object is made), each checked against CPython's argument counts. */
export function addMethods(vm: Vm, typeId: number, table: Record<string, CMethod>): void {
  let m = vm.typeMethods.get(typeId);
  if (m === undefined) vm.typeMethods.set(typeId, (m = new Map()));
  const typeName = vm.interp.rt.types[typeId]!.name;
  for (const [k, v] of Object.entries(table)) m.set(k, withArity(vm, `${typeName}.${k}`, v));
}

/** Adds class or static methods to a built-in type. */
export function addClassMethods(vm: Vm, typeId: number, kind: 'classmethod' | 'staticmethod', table: Record<string, CMethod>): void {
  let m = vm.typeClassMethods.get(typeId);
  if (m === undefined) vm.typeClassMethods.set(typeId, (m = new Map()));
  for (const [k, meth] of Object.entries(table)) m.set(k, { kind, meth });
}

/** Adds data attributes (getters) to a built-in type. */
export function addGetsets(vm: Vm, typeId: number, table: Record<string, (self: number) => number>): void {
  let m = vm.typeGetsets.get(typeId);
  if (m === undefined) vm.typeGetsets.set(typeId, (m = new Map()));
  for (const [k, v] of Object.entries(table)) m.set(k, v);
}

/** The byteorder argument: 'little' or 'big' (ValueError otherwise). */
function byteorderOf(vm: Vm, o: number | undefined): 'little' | 'big' {
  if (o === undefined) return 'big';
  if (!isStr(vm, o)) raise(vm, 'TypeError', `to_bytes() argument 'byteorder' must be str, not ${typeName(vm, o)}`);
  const s = strValue(vm, o);
  if (s !== 'little' && s !== 'big') raise(vm, 'ValueError', "byteorder must be either 'little' or 'big'");
  return s;
}

/** int_to_bytes_impl (_PyLong_AsByteArray): the two's complement (signed) or plain value in `length` bytes. */
function intToBytes(vm: Vm, v: bigint, length: number, order: 'little' | 'big', signed: boolean): Uint8Array {
  if (!signed && v < 0n) raise(vm, 'OverflowError', "can't convert negative int to unsigned");
  const bits = BigInt(length * 8);
  const fits = signed ? v >= -(1n << (bits - 1n)) && v < 1n << (bits - 1n) : v < 1n << bits;
  if (length === 0 ? v !== 0n : !fits) raise(vm, 'OverflowError', 'int too big to convert');
  let u = BigInt.asUintN(length * 8, v);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    out[order === 'little' ? i : length - 1 - i] = Number(u & 0xffn);
    u >>= 8n;
  }
  return out;
}

/** int_from_bytes_impl (_PyLong_FromByteArray). */
function intFromBytes(data: Uint8Array, order: 'little' | 'big', signed: boolean): bigint {
  let v = 0n;
  const n = data.length;
  for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(data[order === 'big' ? i : n - 1 - i]!);
  return signed && n > 0 ? BigInt.asIntN(n * 8, v) : v;
}

/** float_hex: 0x1.<13 hex digits>p±e (0x0.… for subnormals), inf and nan as repr. */
export function floatHex(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (x === 0) return `${sign}0x0.0p+0`;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const frac = ((BigInt(hi & 0xfffff) << 32n) | BigInt(lo)).toString(16).padStart(13, '0');
  const lead = biased === 0 ? '0' : '1';
  const e = biased === 0 ? -1022 : biased - 1023;
  return `${sign}0x${lead}.${frac}p${e < 0 ? '-' : '+'}${Math.abs(e)}`;
}

/**
 * float_fromhex: [sign] (inf | infinity | nan | [0x] hexdigits [. hexdigits] [p [sign] digits]),
 * surrounding whitespace allowed; the value rounded half to even. Throws
 * 'invalid' or 'overflow' for the caller to raise.
 */
export function floatFromHex(s: string): number | 'invalid' | 'overflow' {
  const t = s.trim();
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(t);
  if (special !== null) {
    const v = special[2]!.toLowerCase() === 'nan' ? NaN : Infinity;
    return special[1] === '-' ? -v : v;
  }
  const m = /^([+-]?)(?:0x)?([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?[0-9]+))?$/i.exec(t);
  if (m === null || (m[2]! + (m[3] ?? '')).length === 0) return 'invalid';
  const negative = m[1] === '-';
  const digits = m[2]! + (m[3] ?? '');
  let mant = BigInt(`0x${digits}`);
  let exp = (m[4] === undefined ? 0 : Number(m[4])) - 4 * (m[3] ?? '').length;
  if (mant === 0n) return negative ? -0 : 0;
  const nbits = mant.toString(2).length;
  const top = nbits - 1 + exp;
  if (top > 1023) return 'overflow';
  // The weight of the result's last bit: 52 below the top bit, or the subnormal floor 2**-1074.
  const lsb = Math.max(top - 52, -1074);
  const shift = lsb - exp;
  if (shift > 0) {
    const half = 1n << BigInt(shift - 1);
    const rest = mant & ((1n << BigInt(shift)) - 1n);
    mant >>= BigInt(shift);
    if (rest > half || (rest === half && (mant & 1n) === 1n)) mant += 1n;
    exp = lsb;
  }
  let v = Number(mant) * 2 ** Math.max(exp, -1022);
  if (exp < -1022) v *= 2 ** (exp + 1022);
  if (!Number.isFinite(v)) return 'overflow';
  return negative ? -v : v;
}

/** float_as_integer_ratio: the exact fraction, lowest terms, positive denominator. */
function floatAsIntegerRatio(vm: Vm, x: number): [bigint, bigint] {
  if (Number.isNaN(x)) raise(vm, 'ValueError', 'cannot convert NaN to integer ratio');
  if (!Number.isFinite(x)) raise(vm, 'OverflowError', 'cannot convert Infinity to integer ratio');
  let num = 0n;
  let den = 1n;
  let f = x;
  // Scale by 2 until integral: exact in binary floating point.
  while (f !== Math.floor(f)) {
    f *= 2;
    den *= 2n;
  }
  num = BigInt(f);
  while (den > 1n && (num & 1n) === 0n) {
    num >>= 1n;
    den >>= 1n;
  }
  return [num, den];
}

/** Installs the int, float and complex methods and attributes, and complex(). */
export function installNumberMethods(vm: Vm, construct: Map<number, CMethod>): void {
  const { interp } = vm;
  const rt = interp.rt;
  const longT = interp.long.type.id;
  const floatT = interp.float.type.id;
  const pair = (a: bigint, b: bigint): number => {
    const x = newInt(vm, a);
    const y = newInt(vm, b);
    const t = vm.tupleOf([x, y]);
    rt.decref(x);
    rt.decref(y);
    return t;
  };
  addMethods(vm, longT, {
    // int_to_bytes_impl: to_bytes(length=1, byteorder='big', *, signed=False).
    to_bytes: (self, args, kwnames) => {
      const [length, byteorder, signed] = parseArgs(vm, { fname: 'to_bytes', pos: ['length', 'byteorder'], kwOnly: ['signed'] }, args, kwnames);
      const n = length === undefined ? 1n : numberIndex(vm, length);
      if (n < 0n) raise(vm, 'ValueError', 'length argument must be non-negative');
      const order = byteorderOf(vm, byteorder);
      return interp.bytes.fromBytes(intToBytes(vm, intValue(vm, self), Number(n), order, signed !== undefined && isTrue(vm, signed)));
    },
    as_integer_ratio: (self) => pair(intValue(vm, self), 1n),
  });
  addClassMethods(vm, longT, 'classmethod', {
    // int_from_bytes_impl (self: the class): from_bytes(bytes, byteorder='big', *, signed=False).
    from_bytes: (_m, args, kwnames) => {
      const [bytes, byteorder, signed] = parseArgs(vm, { fname: 'from_bytes', pos: ['bytes', 'byteorder'], kwOnly: ['signed'], required: 1 }, args, kwnames);
      const order = byteorderOf(vm, byteorder);
      return newInt(vm, intFromBytes(bytesLikeData(vm, bytes!), order, signed !== undefined && isTrue(vm, signed)));
    },
  });
  addGetsets(vm, longT, {
    // int_int: an exact int is itself, a bool its int value.
    real: (self) => (typeOf(vm, self) === interp.long.type ? newRef(vm, self) : newInt(vm, intValue(vm, self))),
    imag: () => newInt(vm, 0),
    numerator: (self) => (typeOf(vm, self) === interp.long.type ? newRef(vm, self) : newInt(vm, intValue(vm, self))),
    denominator: () => newInt(vm, 1),
  });

  const fv = (o: number): number => interp.float.value(o);
  addMethods(vm, floatT, {
    hex: (self) => newStr(vm, floatHex(fv(self))),
    as_integer_ratio: (self) => {
      const [n, d] = floatAsIntegerRatio(vm, fv(self));
      return pair(n, d);
    },
    is_integer: (self) => newBool(vm, Number.isFinite(fv(self)) && Math.floor(fv(self)) === fv(self)),
    conjugate: (self) => newRef(vm, self),
  });
  addClassMethods(vm, floatT, 'classmethod', {
    fromhex: (_m, args) => {
      if (args.length !== 1) raise(vm, 'TypeError', `float.fromhex() takes exactly one argument (${args.length} given)`);
      if (!isStr(vm, args[0]!)) raise(vm, 'TypeError', `fromhex() argument must be str, not ${typeName(vm, args[0]!)}`);
      const v = floatFromHex(strValue(vm, args[0]!));
      if (v === 'invalid') raise(vm, 'ValueError', 'invalid hexadecimal floating-point string');
      if (v === 'overflow') raise(vm, 'OverflowError', 'hexadecimal value too large to represent as a float');
      return interp.float.fromNumber(v);
    },
  });
  addGetsets(vm, floatT, {
    real: (self) => newRef(vm, self),
    imag: () => interp.float.fromNumber(0),
  });

  // complex_new: complex(real=0, imag=0), numbers only (a string argument is parsed by complex_from_string_inner).
  construct.set(interp.complex.type.id, (_cls, args, kwnames) => {
    const [real, imag] = parseArgs(vm, { fname: 'complex', pos: ['real', 'imag'] }, args, kwnames);
    if (real !== undefined && isStr(vm, real)) {
      if (imag !== undefined) raise(vm, 'TypeError', "complex() can't take second arg if first is a string");
      const c = complexFromString(strValue(vm, real));
      if (c === null) raise(vm, 'ValueError', 'complex() arg is a malformed string');
      return interp.complex.fromParts(c[0], c[1]);
    }
    if (imag !== undefined && isStr(vm, imag)) raise(vm, 'TypeError', "complex() second arg can't be a string");
    const parts = (o: number | undefined, which: string): [number, number] => {
      if (o === undefined) return [0, 0];
      if (typeOf(vm, o) === interp.complex.type) {
        const p = interp.complex.parts(o);
        return [p.real, p.imag];
      }
      if (isFloat(vm, o)) return [fv(o), 0];
      if (isInt(vm, o)) return [Number(intValue(vm, o)), 0];
      raise(vm, 'TypeError', `complex() ${which}, not '${typeName(vm, o)}'`);
    };
    const [ar, ai] = parts(real, 'first argument must be a string or a number');
    const [br, bi] = parts(imag, 'second argument must be a number');
    return interp.complex.fromParts(ar - bi, ai + br);
  });
  addMethods(vm, interp.complex.type.id, {
    conjugate: (self) => {
      const p = interp.complex.parts(self);
      return interp.complex.fromParts(p.real, -p.imag);
    },
  });
}

/** complex_from_string_inner: 'a', 'bj', 'a+bj' (b may be absent: 'a+j'), with optional parentheses and whitespace. */
function complexFromString(s: string): [number, number] | null {
  let t = s.trim();
  if (t.startsWith('(') && t.endsWith(')')) t = t.slice(1, -1).trim();
  const num = String.raw`(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?|inf(?:inity)?|nan`;
  const value = (sign: string, body: string | undefined): number => {
    const m = sign === '-' ? -1 : 1;
    if (body === undefined || body === '') return m;
    const b = body.replace(/_/g, '').toLowerCase();
    if (b.startsWith('inf')) return m * Infinity;
    if (b === 'nan') return NaN;
    return m * Number(b);
  };
  const real = new RegExp(`^([+-]?)(${num})$`, 'i').exec(t);
  if (real !== null) return [value(real[1]!, real[2]), 0];
  const imag = new RegExp(`^([+-]?)(${num})?j$`, 'i').exec(t);
  if (imag !== null) return [0, value(imag[1]!, imag[2])];
  const both = new RegExp(`^([+-]?)(${num})([+-])(${num})?j$`, 'i').exec(t);
  if (both !== null) return [value(both[1]!, both[2]), value(both[3]!, both[4])];
  return null;
}
