/*
 * str (Objects/unicodeobject.c, Python/pyhash.c, CPython 3.11): only the
 * compact forms PyUnicode_New makes, the struct and the characters in one
 * PyObject_Malloc block.
 *
 * PyASCIIObject, 48 bytes + the variable part:
 *    0  16   PyObject    ob_base  the object header
 *   16  8    Py_ssize_t  length   number of code points
 *   24  8    Py_hash_t   hash     the exact 64-bit hash; -1 until unicode_hash computes it
 *   32  4    bitfield    state    interned:2 kind:3 compact:1 ascii:1 ready:1 (LSB first)
 *   40  8    wchar_t *   wstr     NULL (no wstr cache is made here)
 *   48  1*n  Py_UCS1     data[]   the characters (ASCII strings), NUL-terminated
 *
 * PyCompactUnicodeObject, 72 bytes + the variable part:
 *    0  48   PyASCIIObject  _base        the ASCII header
 *   48  8    Py_ssize_t     utf8_length  0 (no UTF-8 cache is made here)
 *   56  8    char *         utf8         NULL
 *   64  8    Py_ssize_t     wstr_length  UCS-4: length (wstr shares the data, wchar_t is 4 bytes on Linux); else 0
 *   72  1*n  Py_UCS1/2/4    data[]       the characters, NUL-terminated
 *
 * PyUnicodeObject, 80 bytes:
 *    0  72  PyCompactUnicodeObject  _base  the compact header
 *   72  8   void *                  data   the characters of a non-compact string (never made here)
 *
 * Invariants: a string's kind is the narrowest for its largest character
 * (1: < 256, ascii when < 128; 2: < 65536; 4) and never changes; the empty
 * string and the 256 one-character latin-1 strings are static singletons
 * (3.11's _Py_SINGLETON(strings), count 999999999 from _PyObject_IMMORTAL_INIT)
 * that every constructor returns instead of a new object of length 0 or a
 * one-character latin-1 result where CPython does; a string is mutable
 * (PyUnicode_WriteChar) only while unshared: count 1, hash unset, not
 * interned, not static. Interned strings are mortal (3.11): the interned
 * table holds no counted reference, and a string leaves the table when it is
 * deallocated. The hash field holds the exact 64-bit Py_hash_t: hash()
 * gives it as a JS number (exact below 2**53 in magnitude), hash64() exactly.
 *
 * JavaScript strings are UTF-16: they are converted by code point, a
 * surrogate pair being one character and a lone surrogate itself.
 */
import { InvalidArgumentError, checkSize, describe } from '../../errors.js';
import { fillBytes, viewBytes } from '../../allocator/access.js';
import { type Words } from '../../struct.js';
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, type ObjectValidationContext, PyObject } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_BASETYPE, Py_TPFLAGS_UNICODE_SUBCLASS, type PyTypeObject } from '../type.js';

/** PyASCIIObject: a compact ASCII string, its characters right after it. */
export const PyASCIIObject = declareObjectStruct({
  name: 'PyASCIIObject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'length', type: 'i64', meaning: 'number of code points' },
    { name: 'hash', type: 'i64', ctype: 'Py_hash_t', meaning: 'the exact 64-bit hash; -1 until unicode_hash computes it' },
    { name: 'state', type: 'u32', ctype: 'bitfield', meaning: 'interned:2 kind:3 compact:1 ascii:1 ready:1 (LSB first)' },
    { name: 'wstr', type: 'ptr', ctype: 'wchar_t *', meaning: 'NULL (no wstr cache is made here)' },
  ],
  tail: { name: 'data', type: 'u8', ctype: 'Py_UCS1', meaning: 'the characters (ASCII strings), NUL-terminated', length: (op): number => unicodeLength.get(op) + 1 },
  check: (op, _ctx: ObjectValidationContext, fail) => {
    const state = unicodeState.get(op);
    const kind = (state >> STATE_KIND_SHIFT) & 7;
    if (kind !== 1 && kind !== 2 && kind !== 4) fail('state', `kind ${kind} is not 1, 2 or 4`);
    if ((state & STATE_COMPACT) === 0 || (state & STATE_READY) === 0) fail('state', `${state}: not compact and ready`);
    if ((state & STATE_INTERNED_MASK) > SSTATE_INTERNED_MORTAL) fail('state', `interned bits ${state & STATE_INTERNED_MASK}`);
    const n = unicodeLength.get(op);
    if (!(Number.isSafeInteger(n) && n >= 0 && n <= MAX_LENGTH)) fail('length', `${n} is no length`);
  },
});
/** PyCompactUnicodeObject: a compact latin-1, UCS-2 or UCS-4 string, its characters right after it. */
export const PyCompactUnicodeObject = declareObjectStruct({
  name: 'PyCompactUnicodeObject',
  fields: [
    { name: '_base', type: PyASCIIObject, meaning: 'the ASCII header' },
    { name: 'utf8_length', type: 'i64', meaning: '0 (no UTF-8 cache is made here)' },
    { name: 'utf8', type: 'ptr', ctype: 'char *', meaning: 'NULL' },
    { name: 'wstr_length', type: 'i64', meaning: 'UCS-4: length (wstr shares the data, wchar_t is 4 bytes on Linux); else 0' },
  ],
  tail: { name: 'data', type: 'u8', ctype: 'Py_UCS1/2/4', meaning: 'the characters, NUL-terminated' },
  check: (op, _ctx: ObjectValidationContext, fail) => {
    const kind = (unicodeState.get(op) >> STATE_KIND_SHIFT) & 7;
    const n = unicodeLength.get(op);
    const wstr = unicodeWstr.get(op);
    if (kind === 4 ? wstr !== compactData.at(op, 0) || compactWstrLength.get(op) !== n : wstr !== 0) fail('wstr', `${wstr} for a kind-${kind} string`);
    if (compactUtf8.get(op) !== 0) fail('utf8', `${compactUtf8.get(op)}: no UTF-8 cache is made here`);
  },
});
/** PyUnicodeObject: what tp_basicsize counts (pymem makes compact strings only). */
export const PyUnicodeObject = declareObjectStruct({
  name: 'PyUnicodeObject',
  fields: [
    { name: '_base', type: PyCompactUnicodeObject, meaning: 'the compact header' },
    { name: 'data', type: 'ptr', ctype: 'void *', meaning: 'the characters of a non-compact string (never made here)' },
  ],
});
const unicodeLength = PyASCIIObject.field('length');
const unicodeHash = PyASCIIObject.words('hash');
const unicodeState = PyASCIIObject.field('state');
const unicodeWstr = PyASCIIObject.field('wstr');
const asciiData = PyASCIIObject.array('data');
const compactUtf8Length = PyCompactUnicodeObject.field('utf8_length');
const compactUtf8 = PyCompactUnicodeObject.field('utf8');
const compactWstrLength = PyCompactUnicodeObject.field('wstr_length');
const compactData = PyCompactUnicodeObject.array('data');
/** offsetof(PyASCIIObject, length). */
export const UNICODE_LENGTH = unicodeLength.offset;
/** sizeof(PyASCIIObject): where an ASCII string's characters start. */
export const SIZEOF_PYASCIIOBJECT = PyASCIIObject.size;
/** sizeof(PyCompactUnicodeObject): where other compact strings' characters start. */
export const SIZEOF_PYCOMPACTUNICODEOBJECT = PyCompactUnicodeObject.size;
/** sizeof(PyUnicodeObject): PyUnicode_Type's tp_basicsize. */
export const SIZEOF_PYUNICODEOBJECT = PyUnicodeObject.size;
/** The hash field of a str, as two words (readHashField). */
export const UNICODE_HASH = unicodeHash;

/** The interned bits of state (PyUnicode_CHECK_INTERNED). */
export const SSTATE_NOT_INTERNED = 0;
export const SSTATE_INTERNED_MORTAL = 1;
const STATE_INTERNED_MASK = 0x3;
const STATE_KIND_SHIFT = 2;
const STATE_COMPACT = 1 << 5;
const STATE_ASCII = 1 << 6;
const STATE_READY = 1 << 7;

/**
 * The one-character names that CPython 3.11.7's deep-frozen modules
 * (Python/deepfreeze/*.c: importlib, io, codecs, os, site, ...) hold as
 * static strings of their own and intern at startup (_PyStaticCode_InternStrings),
 * before any latin-1 singleton is interned: so a literal 'e', interned by the
 * compiler, is that string and not 'hello'[1] or chr(101), while a literal 'A' is
 * chr(65). Found by comparing `x = c` compiled with chr(i) for i < 256
 * (test/fixtures/run/corpus/intern_one_char.py records it).
 */
export const DEEPFROZEN_ONE_CHAR_NAMES = 'BCLST_abcdefhijklmnopqrstvwxy';

/** MAX_UNICODE. */
export const MAX_UNICODE = 0x10ffff;
/** The count _PyObject_IMMORTAL_INIT gives 3.11's static strings and bytes. */
export const IMMORTAL_INIT_REFCNT = 999999999;
/** Largest string length accepted: 4-byte characters then still fit the heap's largest request (2**48 - 1). */
const MAX_LENGTH = 2 ** 46;

/** The characters of a string, one element per code point (kind 1, 2 or 4). */
export type UnicodeData = Uint8Array | Uint16Array | Uint32Array;

// --- _Py_HashBytes (Python/pyhash.c) --------------------------------------------------------

// siphash13's state as 32-bit halves (h: high word, l: low word), kept in module
// variables so that hashing allocates nothing.
let v0h = 0, v0l = 0, v1h = 0, v1l = 0, v2h = 0, v2l = 0, v3h = 0, v3l = 0;

/** SINGLE_ROUND of pyhash.c: HALF_ROUND(v0,v1,v2,v3,13,16); HALF_ROUND(v2,v1,v0,v3,17,21). */
function sipRound(): void {
  let l: number, t: number;
  // v0 += v1; v1 = ROTATE(v1, 13) ^ v0; v0 = ROTATE(v0, 32)
  l = (v0l + v1l) >>> 0;
  v0h = (v0h + v1h + (l < v0l ? 1 : 0)) >>> 0;
  v0l = l;
  t = ((v1h << 13) | (v1l >>> 19)) >>> 0;
  v1l = (((v1l << 13) | (v1h >>> 19)) ^ v0l) >>> 0;
  v1h = (t ^ v0h) >>> 0;
  t = v0h;
  v0h = v0l;
  v0l = t;
  // v2 += v3; v3 = ROTATE(v3, 16) ^ v2
  l = (v2l + v3l) >>> 0;
  v2h = (v2h + v3h + (l < v2l ? 1 : 0)) >>> 0;
  v2l = l;
  t = ((v3h << 16) | (v3l >>> 16)) >>> 0;
  v3l = (((v3l << 16) | (v3h >>> 16)) ^ v2l) >>> 0;
  v3h = (t ^ v2h) >>> 0;
  // v2 += v1; v1 = ROTATE(v1, 17) ^ v2; v2 = ROTATE(v2, 32)
  l = (v2l + v1l) >>> 0;
  v2h = (v2h + v1h + (l < v2l ? 1 : 0)) >>> 0;
  v2l = l;
  t = ((v1h << 17) | (v1l >>> 15)) >>> 0;
  v1l = (((v1l << 17) | (v1h >>> 15)) ^ v2l) >>> 0;
  v1h = (t ^ v2h) >>> 0;
  t = v2h;
  v2h = v2l;
  v2l = t;
  // v0 += v3; v3 = ROTATE(v3, 21) ^ v0
  l = (v0l + v3l) >>> 0;
  v0h = (v0h + v3h + (l < v0l ? 1 : 0)) >>> 0;
  v0l = l;
  t = ((v3h << 21) | (v3l >>> 11)) >>> 0;
  v3l = (((v3l << 21) | (v3h >>> 11)) ^ v0l) >>> 0;
  v3h = (t ^ v0h) >>> 0;
}

/**
 * _Py_HashBytes(src, len) with siphash13 keyed by _Py_HashSecret, which
 * PYTHONHASHSEED=0 leaves all zero: 0 for no bytes, -1 -> -2. Writes the
 * Py_hash_t as (low, high) 32-bit words to out[0], out[1].
 */
function pyHashBytes(src: Uint8Array, out: Uint32Array): void {
  const n = src.length;
  if (n === 0) {
    out[0] = 0;
    out[1] = 0;
    return;
  }
  // k0 = k1 = 0, so v0..v3 are the bare constants "somepseudorandomlygeneratedbytes".
  v0h = 0x736f6d65; v0l = 0x70736575;
  v1h = 0x646f7261; v1l = 0x6e646f6d;
  v2h = 0x6c796765; v2l = 0x6e657261;
  v3h = 0x74656462; v3l = 0x79746573;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const ml = (src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24)) >>> 0;
    const mh = (src[i + 4]! | (src[i + 5]! << 8) | (src[i + 6]! << 16) | (src[i + 7]! << 24)) >>> 0;
    v3l = (v3l ^ ml) >>> 0;
    v3h = (v3h ^ mh) >>> 0;
    sipRound();
    v0l = (v0l ^ ml) >>> 0;
    v0h = (v0h ^ mh) >>> 0;
  }
  // b = (src_sz << 56) | the 0..7 remaining bytes, little-endian.
  let bl = 0;
  let bh = (n & 0xff) << 24;
  for (let k = 0; i + k < n; k++) {
    if (k < 4) bl |= src[i + k]! << (8 * k);
    else bh |= src[i + k]! << (8 * (k - 4));
  }
  bl >>>= 0;
  bh >>>= 0;
  v3l = (v3l ^ bl) >>> 0;
  v3h = (v3h ^ bh) >>> 0;
  sipRound();
  v0l = (v0l ^ bl) >>> 0;
  v0h = (v0h ^ bh) >>> 0;
  v2l = (v2l ^ 0xff) >>> 0;
  sipRound();
  sipRound();
  sipRound();
  let lo = (v0l ^ v1l ^ v2l ^ v3l) >>> 0;
  const hi = (v0h ^ v1h ^ v2h ^ v3h) >>> 0;
  if (lo === 0xffffffff && hi === 0xffffffff) lo = 0xfffffffe;
  out[0] = lo;
  out[1] = hi;
}

const hashWords = new Uint32Array(2);

/** _Py_HashBytes(data) as the exact signed 64-bit Py_hash_t. */
export function hashBytes64(data: Uint8Array): bigint {
  pyHashBytes(data, hashWords);
  return BigInt.asIntN(64, (BigInt(hashWords[1]!) << 32n) | BigInt(hashWords[0]!));
}

/** A text's code points, the largest, and the kind PyUnicode_New gives it (1, 2 or 4 bytes a character). */
function textKind(text: string): { cps: number[]; max: number; kind: 1 | 2 | 4 } {
  const cps = Array.from(text, (c) => c.codePointAt(0)!);
  const max = cps.reduce((m, c) => Math.max(m, c), 0);
  return { cps, max, kind: max < 256 ? 1 : max < 0x10000 ? 2 : 4 };
}

/**
 * unicode_hash of a text without making the str: _Py_HashBytes over its
 * characters in the kind PyUnicode_New would choose (1, 2 or 4 bytes each,
 * little-endian), as the exact signed 64-bit Py_hash_t.
 */
export function textHash64(text: string): bigint {
  const { cps, kind: width } = textKind(text);
  const data = new Uint8Array(cps.length * width);
  cps.forEach((c, i) => {
    for (let b = 0; b < width; b++) data[i * width + b] = (c >>> (8 * b)) & 0xff;
  });
  return hashBytes64(data);
}

/** Sets a Py_hash_t field to -1: not computed yet. */
export function clearHashField(f: Words, op: number): void {
  f.lo.set(op, 0xffffffff);
  f.hi.set(op, 0xffffffff);
}

/**
 * A Py_hash_t field as a number, or null while it is -1. The field holds the
 * exact 64-bit hash; the number is exact below 2**53 in magnitude and the
 * nearest double otherwise (see readHashField64).
 */
export function readHashField(f: Words, op: number): number | null {
  const lo = f.lo.get(op);
  const hi = f.hi.get(op);
  if (lo === 0xffffffff && hi === 0xffffffff) return null;
  return (hi | 0) * 4294967296 + lo;
}

/**
 * unicode_get_hash (3.12's name for 3.11's `_PyASCIIObject_CAST(op)->hash`):
 * the cached hash of the str op (checked by the caller), or null while it is
 * not computed. For callers that hash keys: no type check, no call through
 * the type.
 */
export function unicodeGetHash(op: number): number | null {
  return readHashField(unicodeHash, op);
}

/** A computed Py_hash_t field as its exact signed 64-bit value. */
export function readHashField64(f: Words, op: number): bigint {
  return BigInt.asIntN(64, (BigInt(f.hi.get(op)) << 32n) | BigInt(f.lo.get(op)));
}

/** Stores _Py_HashBytes(data) in the Py_hash_t field and returns it (as readHashField does). */
export function storeHashBytes(f: Words, op: number, data: Uint8Array): number {
  pyHashBytes(data, hashWords);
  const lo = hashWords[0]!;
  const hi = hashWords[1]!;
  f.lo.set(op, lo);
  f.hi.set(op, hi);
  return (hi | 0) * 4294967296 + lo;
}

// --- helpers over JavaScript strings ------------------------------------------------------

/** A typed array of char codes as a JS string, in chunks that stay within the call-argument limit. */
function codeUnitsToString(units: Uint8Array | Uint16Array): string {
  const CHUNK = 8192;
  if (units.length <= CHUNK) return String.fromCharCode(...units);
  let s = '';
  for (let i = 0; i < units.length; i += CHUNK) s += String.fromCharCode(...units.subarray(i, i + CHUNK));
  return s;
}

/** UCS-4 code points as a JS string (astral ones as surrogate pairs). */
function codePointsToString(cps: Uint32Array): string {
  const CHUNK = 8192;
  let s = '';
  for (let i = 0; i < cps.length; i += CHUNK) s += String.fromCodePoint(...cps.subarray(i, i + CHUNK));
  return s;
}

/** The code point at s[i]: a surrogate pair's, or the unit itself (a lone surrogate is its own code point). */
function codePointAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d < 0xe000) return 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
  }
  return c;
}

const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const CASED = /\p{Cased}/u;
const CASE_IGNORABLE = /\p{Case_Ignorable}/u;

/** A decode error of the strict 'utf-8' codec (Python's UnicodeDecodeError). */
export class UnicodeDecodeError extends InvalidArgumentError {}

/** str: its type, the static singletons, constructors, operations and the interned table. */
export class UnicodeModule {
  /** PyUnicode_Type. */
  readonly type: PyTypeObject;
  /** The empty string (_Py_STR(empty)); borrowed. */
  readonly empty: number;
  /** LATIN1(ch): the static one-character strings U+0000..U+00FF. */
  private readonly latin1: number[] = [];
  /**
   * The interned strings. CPython 3.11 keeps them in the dict `interned`
   * (PyDict_SetDefault(interned, s, s)); until that dict can be a real dict of
   * this runtime it is a JS Map from the characters (kind and code points,
   * see internKey) to the string. Like the dict's, its references are not
   * counted (the string is mortal).
   */
  private readonly interned = new Map<string, number>();
  private readonly rt: Runtime;

  constructor(readonly interp: Interpreter) {
    const rt = (this.rt = interp.rt);
    this.type = rt.registerType({
      name: 'str',
      basicsize: SIZEOF_PYUNICODEOBJECT,
      itemsize: 0,
      flags: Py_TPFLAGS_BASETYPE | Py_TPFLAGS_UNICODE_SUBCLASS,
      layout: PyASCIIObject,
      // A compact non-ASCII string is a PyCompactUnicodeObject: its own fields too.
      validate: (_r, op, ctx) => (this.isASCII(op) ? [] : PyCompactUnicodeObject.validate(op, ctx)),
      dealloc: (_r, op) => this.unicodeDealloc(op),
      sizeof: (_r, op) => this.sizeof(op),
      hash: (_r, op) => this.hash(op),
      hash64: (_r, op) => this.hash64(op),
      eq: (_r, a, b) => this.eq(a, b),
      toJS: (_r, op) => this.toString(op),
    });
    this.empty = this.staticString(0, 0);
    for (let ch = 0; ch < 256; ch++) this.latin1.push(this.staticString(1, ch));
    for (const c of DEEPFROZEN_ONE_CHAR_NAMES) this.intern(this.staticString(1, c.charCodeAt(0)));
  }

  /** A static string of 0 or 1 character (_PyASCIIObject_INIT / _PyUnicode_LATIN1_INIT). */
  private staticString(length: number, ch: number): number {
    const ascii = ch < 128;
    const size = (ascii ? SIZEOF_PYASCIIOBJECT : SIZEOF_PYCOMPACTUNICODEOBJECT) + length + 1;
    const op = this.rt.staticObject(this.type, size);
    this.rt.setRefcnt(op, IMMORTAL_INIT_REFCNT);
    this.initCompact(op, length, ch);
    if (length === 1) viewBytes(op + this.dataOffset(op), 1)[0] = ch;
    return op;
  }

  /** The header fields PyUnicode_New sets for `size` characters at most `maxchar`; writes the NUL. */
  private initCompact(op: number, size: number, maxchar: number): void {
    const ascii = maxchar < 128;
    const kind = maxchar < 256 ? 1 : maxchar < 0x10000 ? 2 : 4;
    unicodeLength.set(op, size);
    clearHashField(unicodeHash, op);
    unicodeState.set(op, (kind << STATE_KIND_SHIFT) | STATE_COMPACT | (ascii ? STATE_ASCII : 0) | STATE_READY);
    if (ascii) {
      unicodeWstr.set(op, 0);
      asciiData.set(op, size, 0);
      return;
    }
    compactUtf8Length.set(op, 0);
    compactUtf8.set(op, 0);
    // sizeof(wchar_t) == 4: a UCS-4 string's wstr shares its data.
    unicodeWstr.set(op, kind === 4 ? compactData.at(op, 0) : 0);
    compactWstrLength.set(op, kind === 4 ? size : 0);
    fillBytes(compactData.at(op, kind * size), kind, 0);
  }

  // --- checks and field access ------------------------------------------------------------

  /** PyUnicode_CheckExact(op) (there are no str subclasses here, so also PyUnicode_Check). */
  checkExact(op: number): boolean {
    return typeof op === 'number' && op !== 0 && this.rt.typeOrNull(op) === this.type;
  }

  private checkStr(op: number, what: string): void {
    if (!this.checkExact(op)) {
      const got = typeof op === 'number' && op !== 0 ? `'${this.rt.typeOf(op).name}'` : describe(op);
      throw new InvalidArgumentError(`${what}: expected a str, got ${got}`);
    }
  }

  private state(op: number): number {
    return unicodeState.get(op);
  }

  /** PyUnicode_GET_LENGTH. */
  length(op: number): number {
    this.checkStr(op, 'length');
    return unicodeLength.get(op);
  }
  /** PyUnicode_KIND: bytes per character (1, 2 or 4). */
  kind(op: number): 1 | 2 | 4 {
    this.checkStr(op, 'kind');
    return this.kindOf(op);
  }
  /** PyUnicode_MAX_CHAR_VALUE: the largest character the string's kind can hold (0x7f for ASCII). */
  maxCharValue(op: number): number {
    this.checkStr(op, 'maxCharValue');
    return this.maxCharOf(op);
  }
  private kindOf(op: number): 1 | 2 | 4 {
    return ((this.state(op) >> STATE_KIND_SHIFT) & 7) as 1 | 2 | 4;
  }
  /** PyUnicode_IS_ASCII. */
  private isASCII(op: number): boolean {
    return (this.state(op) & STATE_ASCII) !== 0;
  }
  private maxCharOf(op: number): number {
    if (this.isASCII(op)) return 0x7f;
    const kind = this.kindOf(op);
    return kind === 1 ? 0xff : kind === 2 ? 0xffff : MAX_UNICODE;
  }
  /** Offset of the characters from the object (PyUnicode_DATA - op). */
  private dataOffset(op: number): number {
    return this.isASCII(op) ? asciiData.offset : compactData.offset;
  }

  /** The characters of op, one element per code point (valid until op is freed or resized). */
  data(op: number): UnicodeData {
    this.checkStr(op, 'data');
    return this.view(op);
  }
  private view(op: number): UnicodeData {
    const n = unicodeLength.get(op);
    const kind = this.kindOf(op);
    const b = viewBytes(op + this.dataOffset(op), n * kind);
    if (kind === 1) return b;
    return kind === 2 ? new Uint16Array(b.buffer, b.byteOffset, n) : new Uint32Array(b.buffer, b.byteOffset, n);
  }

  /** PyUnicode_ReadChar(op, index). */
  readChar(op: number, index: number): number {
    this.checkStr(op, 'readChar');
    checkSize('string index', index, unicodeLength.get(op) - 1);
    return this.view(op)[index]!;
  }

  /**
   * PyUnicode_WriteChar(op, index, ch): fills a string made by new(). Refused
   * (InvalidArgumentError) once the string may be shared (unicode_modifiable:
   * count 1, hash unset, not interned) or when ch does not fit its kind.
   */
  writeChar(op: number, index: number, ch: number): void {
    this.checkStr(op, 'writeChar');
    checkSize('string index', index, unicodeLength.get(op) - 1);
    if (!this.modifiable(op)) throw new InvalidArgumentError('writeChar: the string is shared (count > 1, hashed or interned) and cannot be modified');
    if (!Number.isInteger(ch) || ch < 0 || ch > this.maxCharOf(op)) {
      throw new InvalidArgumentError(`writeChar: character ${describe(ch)} out of range for a string of max char ${this.maxCharOf(op)}`);
    }
    this.view(op)[index] = ch;
  }

  /** unicode_modifiable. */
  private modifiable(op: number): boolean {
    return (
      this.rt.refcnt(op) === 1 &&
      readHashField(unicodeHash, op) === null &&
      (this.state(op) & STATE_INTERNED_MASK) === SSTATE_NOT_INTERNED &&
      !this.rt.isStatic(op)
    );
  }

  // --- constructors -------------------------------------------------------------------------

  /** unicode_new_empty / _Py_RETURN_UNICODE_EMPTY: the empty string, a new reference. */
  private newEmpty(): number {
    this.rt.incref(this.empty);
    return this.empty;
  }

  /** get_latin1_char(ch): the static one-character string, a new reference. */
  getLatin1Char(ch: number): number {
    checkSize('latin-1 character', ch, 255);
    const op = this.latin1[ch]!;
    this.rt.incref(op);
    return op;
  }

  /**
   * PyUnicode_New(size, maxchar): a new compact string of `size` characters
   * of the kind `maxchar` needs, characters uninitialised (fill them with
   * writeChar); size 0 gives the empty singleton.
   */
  new(size: number, maxchar: number): number {
    checkSize('string size', size, MAX_LENGTH);
    checkSize('maxchar', maxchar, MAX_UNICODE);
    if (size === 0) return this.newEmpty();
    const kind = maxchar < 256 ? 1 : maxchar < 0x10000 ? 2 : 4;
    const structSize = maxchar < 128 ? SIZEOF_PYASCIIOBJECT : SIZEOF_PYCOMPACTUNICODEOBJECT;
    const op = this.rt.objectMalloc(structSize + (size + 1) * kind);
    this.rt.initObject(op, this.type);
    this.initCompact(op, size, maxchar);
    return op;
  }

  /** unicode_char(ch): the latin-1 singleton below 256, else a new one-character string. */
  private unicodeChar(ch: number): number {
    if (ch < 256) return this.getLatin1Char(ch);
    const op = this.new(1, ch);
    this.view(op)[0] = ch;
    return op;
  }

  /**
   * A str of the code points of a JS string: PyUnicode_FromKindAndData(
   * PyUnicode_4BYTE_KIND, ...) / _PyUnicode_FromUCS4 — the empty singleton,
   * a latin-1 singleton for one character below 256, else PyUnicode_New of
   * the exact size and kind. New reference.
   */
  fromString(s: string): number {
    if (typeof s !== 'string') throw new InvalidArgumentError(`fromString: expected a string, got ${describe(s)}`);
    let n = 0;
    let max = 0;
    for (let i = 0; i < s.length; i++) {
      const c = codePointAt(s, i);
      if (c > 0xffff) i++;
      if (c > max) max = c;
      n++;
    }
    if (n === 0) return this.newEmpty();
    if (n === 1) return this.unicodeChar(codePointAt(s, 0));
    const op = this.new(n, max);
    const v = this.view(op);
    for (let i = 0, j = 0; i < s.length; i++, j++) {
      const c = codePointAt(s, i);
      if (c > 0xffff) i++;
      v[j] = c;
    }
    return op;
  }

  /**
   * An ASCII str of s's characters made as long_to_decimal_string makes
   * str(int): PyUnicode_New(len(s), '9') and the characters written — no
   * singleton, even for one character. New reference.
   */
  fromAsciiFresh(s: string): number {
    if (typeof s !== 'string' || s.length === 0 || !/^[\x00-\x7f]*$/.test(s)) throw new InvalidArgumentError(`fromAsciiFresh: expected a non-empty ASCII string, got ${describe(s)}`);
    const op = this.new(s.length, 0x7f);
    const v = this.view(op);
    for (let i = 0; i < s.length; i++) v[i] = s.charCodeAt(i);
    return op;
  }

  /** PyUnicode_FromOrdinal(ch) (chr): New reference. */
  fromOrdinal(ch: number): number {
    if (!Number.isInteger(ch) || ch < 0 || ch > MAX_UNICODE) throw new InvalidArgumentError(`chr() arg not in range(0x110000): ${describe(ch)}`);
    return this.unicodeChar(ch);
  }

  /**
   * PyUnicode_DecodeUTF8(s, size, "strict") (bytes.decode()): unicode_decode_utf8
   * with its _PyUnicodeWriter. Empty -> the empty singleton; one ASCII byte ->
   * its singleton; else an ASCII buffer of `size` characters, replaced by a
   * wider one (PyUnicode_New(size, ch)) at the first character it cannot hold,
   * shrunk to the decoded length by resize_compact (PyObject_Realloc) and
   * passed through unicode_result_ready (one latin-1 character -> its
   * singleton). Throws UnicodeDecodeError on invalid UTF-8, checked before
   * anything is allocated (CPython allocates the buffer, then frees it). New reference.
   */
  decodeUTF8(s: Uint8Array): number {
    if (!(s instanceof Uint8Array)) throw new InvalidArgumentError(`decodeUTF8: expected a Uint8Array, got ${describe(s)}`);
    const size = s.length;
    if (size === 0) return this.newEmpty();
    if (size === 1 && s[0]! < 128) return this.getLatin1Char(s[0]!);
    let text: string;
    try {
      text = UTF8_STRICT.decode(s);
    } catch {
      throw new UnicodeDecodeError(`'utf-8' codec can't decode ${size} bytes: invalid UTF-8 (strict)`);
    }
    let buf = this.new(size, 127);
    // ascii_decode: the leading ASCII bytes go straight in.
    let pos = 0;
    while (pos < size && s[pos]! < 0x80) pos++;
    viewBytes(asciiData.at(buf, 0), pos).set(s.subarray(0, pos));
    if (pos === size) return buf;
    // _PyUnicodeWriter_InitWithBuffer(&writer, u); writer.pos = ascii prefix.
    try {
      let maxchar = 0x7f;
      let v = this.view(buf);
      for (let i = pos; i < text.length; i++) {
        const ch = codePointAt(text, i);
        if (ch > 0xffff) i++;
        if (ch > maxchar) {
          // _PyUnicodeWriter_PrepareInternal: a wider buffer of the same size.
          const wider = this.new(size, ch);
          const w = this.view(wider);
          w.set(v.subarray(0, pos));
          this.rt.decref(buf);
          buf = wider;
          v = w;
          maxchar = this.maxCharOf(buf);
        }
        v[pos++] = ch;
      }
      // _PyUnicodeWriter_Finish.
      if (pos !== size) buf = this.resizeCompact(buf, pos);
    } catch (e) {
      // onError: _PyUnicodeWriter_Dealloc.
      this.rt.decref(buf);
      throw e;
    }
    return this.unicodeResultReady(buf);
  }

  /** resize_compact(op, length): PyObject_Realloc of a compact string to `length` characters. */
  private resizeCompact(op: number, length: number): number {
    const kind = this.kindOf(op);
    const ascii = this.isASCII(op);
    const structSize = ascii ? SIZEOF_PYASCIIOBJECT : SIZEOF_PYCOMPACTUNICODEOBJECT;
    const moved = this.rt.objectRealloc(op, structSize + (length + 1) * kind);
    unicodeLength.set(moved, length);
    if (kind === 4) {
      // _PyUnicode_SHARE_WSTR: wstr follows the data.
      unicodeWstr.set(moved, compactData.at(moved, 0));
      compactWstrLength.set(moved, length);
    }
    fillBytes(moved + structSize + length * kind, kind, 0);
    return moved;
  }

  /** unicode_result_ready: length 0 -> the empty singleton, one latin-1 character -> its singleton (op is released). */
  private unicodeResultReady(op: number): number {
    const length = unicodeLength.get(op);
    if (length === 0) {
      this.rt.decref(op);
      return this.newEmpty();
    }
    if (length === 1 && this.kindOf(op) === 1) {
      const ch = this.view(op)[0]!;
      this.rt.decref(op);
      return this.getLatin1Char(ch);
    }
    return op;
  }

  // --- reading back -------------------------------------------------------------------------

  /** The string as a JS string (UTF-16). */
  toString(op: number): string {
    this.checkStr(op, 'toString');
    const v = this.view(op);
    return v instanceof Uint32Array ? codePointsToString(v) : codeUnitsToString(v);
  }

  /** unicode___sizeof__ (no UTF-8 or wstr memory is ever attached here). */
  private sizeof(op: number): number {
    const n = unicodeLength.get(op);
    if (this.isASCII(op)) return SIZEOF_PYASCIIOBJECT + n + 1;
    return SIZEOF_PYCOMPACTUNICODEOBJECT + (n + 1) * this.kindOf(op);
  }

  /** unicode_hash: _Py_HashBytes over the kind-width characters, cached in the hash field. */
  hash(op: number): number {
    this.checkStr(op, 'hash');
    const cached = readHashField(unicodeHash, op);
    if (cached !== null) return cached;
    const n = unicodeLength.get(op);
    return storeHashBytes(unicodeHash, op, viewBytes(op + this.dataOffset(op), n * this.kindOf(op)));
  }

  /** hash(op) as its exact signed 64-bit Py_hash_t. */
  hash64(op: number): bigint {
    this.hash(op);
    return readHashField64(unicodeHash, op);
  }

  /** unicode_compare_eq (str == str): same length, kind and characters; false for other types. */
  eq(a: number, b: number): boolean {
    this.checkStr(a, 'eq');
    if (a === b) return true;
    if (!this.checkExact(b)) return false;
    const n = unicodeLength.get(a);
    if (n !== unicodeLength.get(b) || this.kindOf(a) !== this.kindOf(b)) return false;
    const va = this.view(a);
    const vb = this.view(b);
    for (let i = 0; i < n; i++) if (va[i] !== vb[i]) return false;
    return true;
  }

  // --- operations ---------------------------------------------------------------------------

  /** PyUnicode_FromObject on an exact str: the same object, a new reference. */
  private fromObject(op: number): number {
    this.rt.incref(op);
    return op;
  }

  /**
   * PyUnicode_Concat(left, right) (a + b): the other operand when one is the
   * empty singleton, else PyUnicode_New(len, max of both kinds' max chars).
   * New reference.
   */
  concat(left: number, right: number): number {
    this.checkStr(left, 'concat');
    this.checkStr(right, 'concat');
    if (left === this.empty) return this.fromObject(right);
    if (right === this.empty) return this.fromObject(left);
    const leftLen = unicodeLength.get(left);
    const maxchar = Math.max(this.maxCharOf(left), this.maxCharOf(right));
    const result = this.new(leftLen + unicodeLength.get(right), maxchar);
    const v = this.view(result);
    v.set(this.view(left), 0);
    v.set(this.view(right), leftLen);
    return result;
  }

  /**
   * unicode_repeat(str, n) (s * n): the empty singleton for n < 1, str itself
   * for n == 1, else PyUnicode_New(len * n, max char of str's kind). New reference.
   */
  repeat(str: number, n: number): number {
    this.checkStr(str, 'repeat');
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`repeat: count must be an integer, got ${describe(n)}`);
    if (n < 1) return this.newEmpty();
    if (n === 1) return this.fromObject(str);
    const len = unicodeLength.get(str);
    if (len * n > MAX_LENGTH) throw new InvalidArgumentError(`repeat: ${len} * ${n} characters is too long`);
    const u = this.new(len * n, this.maxCharOf(str));
    if (len === 0) return u;
    const v = this.view(u);
    const src = this.view(str);
    if (len === 1) {
      v.fill(src[0]!);
      return u;
    }
    v.set(src, 0);
    for (let done = len; done < len * n; done *= 2) v.copyWithin(done, 0, Math.min(done, len * n - done));
    return u;
  }

  /**
   * _PyUnicode_JoinArray(separator, items) (separator.join(items)); items are
   * borrowed, separator 0 means ' ' as in C. No items -> the empty singleton;
   * one exact str -> that str; else PyUnicode_New(total, max of every kind's
   * max char). New reference.
   */
  join(separator: number, items: readonly number[]): number {
    if (separator !== 0) this.checkStr(separator, 'join separator');
    if (!Array.isArray(items)) throw new InvalidArgumentError(`join: items must be an array of str, got ${describe(items)}`);
    const seqlen = items.length;
    if (seqlen === 0) return this.newEmpty();
    for (let i = 0; i < seqlen; i++) {
      const item = items[i]!;
      if (!this.checkExact(item)) {
        const got = typeof item === 'number' && item !== 0 ? this.rt.typeOf(item).name : describe(item);
        throw new InvalidArgumentError(`sequence item ${i}: expected str instance, ${got} found`);
      }
    }
    if (seqlen === 1) return this.fromObject(items[0]!);
    const sep = separator !== 0 ? this.fromObject(separator) : this.fromOrdinal(0x20);
    try {
      const seplen = unicodeLength.get(sep);
      let maxchar = this.maxCharOf(sep);
      let sz = seplen * (seqlen - 1);
      for (const item of items) {
        sz += unicodeLength.get(item);
        maxchar = Math.max(maxchar, this.maxCharOf(item));
      }
      const res = this.new(sz, maxchar);
      if (sz === 0) return res;
      const v = this.view(res);
      const sepView = this.view(sep);
      let at = 0;
      for (let i = 0; i < seqlen; i++) {
        if (i > 0 && seplen > 0) {
          v.set(sepView, at);
          at += seplen;
        }
        const item = this.view(items[i]!);
        v.set(item, at);
        at += item.length;
      }
      return res;
    } finally {
      this.rt.decref(sep);
    }
  }

  /**
   * PyUnicode_Substring(op, start, end) (op[start:end] with step 1): op itself
   * for the whole string, the empty singleton for an empty range, else
   * _PyUnicode_FromASCII / PyUnicode_FromKindAndData of the characters (so
   * one latin-1 character gives its singleton, and the kind narrows to the
   * slice's largest character). New reference.
   */
  substring(op: number, start: number, end: number): number {
    this.checkStr(op, 'substring');
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < 0) {
      throw new InvalidArgumentError(`string index out of range: substring(${describe(start)}, ${describe(end)})`);
    }
    const length = unicodeLength.get(op);
    end = Math.min(end, length);
    if (start === 0 && end === length) return this.fromObject(op);
    if (start >= length || end < start) return this.newEmpty();
    return this.fromKindAndData(this.view(op).subarray(start, end), this.isASCII(op));
  }

  /** _PyUnicode_FromASCII (ascii) / _PyUnicode_FromUCS1/2/4 (PyUnicode_FromKindAndData) over existing characters. */
  private fromKindAndData(chars: UnicodeData, ascii: boolean): number {
    const size = chars.length;
    if (size === 0) return this.newEmpty();
    if (size === 1) return this.unicodeChar(chars[0]!);
    let max = 0;
    if (ascii) max = 0x7f;
    else for (let i = 0; i < size; i++) if (chars[i]! > max) max = chars[i]!;
    const res = this.new(size, max);
    this.view(res).set(chars);
    return res;
  }

  /** unicode_getitem via unicode_subscript (op[index]; negative counts from the end): unicode_char of it. New reference. */
  getItem(op: number, index: number): number {
    this.checkStr(op, 'getItem');
    const length = unicodeLength.get(op);
    if (!Number.isInteger(index) || index < -length || index >= length) throw new InvalidArgumentError(`string index out of range: ${describe(index)}`);
    return this.unicodeChar(this.view(op)[index < 0 ? index + length : index]!);
  }

  /**
   * str.lower (unicode_lower): ASCII strings through ascii_upper_or_lower
   * (always a new string of the same length); others through case_operation
   * (a PyMem_Malloc'd buffer of 3 * length UCS-4 characters, then
   * PyUnicode_New of the mapped length and max char). Full case mapping per
   * character with the Final_Sigma rule for U+03A3, taken from the JS engine's
   * Unicode tables (which may be a newer Unicode version than 3.11's 14.0).
   * New reference.
   */
  lower(op: number): number {
    this.checkStr(op, 'lower');
    const length = unicodeLength.get(op);
    if (this.isASCII(op)) {
      const res = this.new(length, 127);
      if (length === 0) return res;
      const src = this.view(op);
      const dst = this.view(res);
      for (let i = 0; i < length; i++) {
        const c = src[i]!;
        dst[i] = c >= 0x41 && c <= 0x5a ? c + 32 : c;
      }
      return res;
    }
    return this.caseOperation(op, length);
  }

  /** case_operation(self, do_lower). */
  private caseOperation(op: number, length: number): number {
    const tmp = this.rt.memMalloc(4 * 3 * length);
    try {
      const tmpBytes = viewBytes(tmp, 4 * 3 * length);
      const buf = new Uint32Array(tmpBytes.buffer, tmpBytes.byteOffset, 3 * length);
      const data = this.view(op);
      let k = 0;
      let maxchar = 0;
      for (let i = 0; i < length; i++) {
        const c = data[i]!;
        if (c === 0x3a3) {
          buf[k++] = this.handleCapitalSigma(data, i);
          maxchar = Math.max(maxchar, buf[k - 1]!);
          continue;
        }
        const mapped = String.fromCodePoint(c).toLowerCase();
        for (let j = 0; j < mapped.length; j++) {
          const m = codePointAt(mapped, j);
          if (m > 0xffff) j++;
          buf[k++] = m;
          if (m > maxchar) maxchar = m;
        }
      }
      const res = this.new(k, maxchar);
      if (k > 0) this.view(res).set(buf.subarray(0, k));
      return res;
    } finally {
      this.rt.memFree(tmp);
    }
  }

  /** handle_capital_sigma: σ or, in the Final_Sigma context, ς. */
  private handleCapitalSigma(data: UnicodeData, i: number): number {
    const is = (re: RegExp, c: number): boolean => re.test(String.fromCodePoint(c));
    let j = i - 1;
    let c = 0;
    for (; j >= 0; j--) {
      c = data[j]!;
      if (!is(CASE_IGNORABLE, c)) break;
    }
    let finalSigma = j >= 0 && is(CASED, c);
    if (finalSigma && i + 1 < data.length) {
      for (j = i + 1; j < data.length; j++) {
        c = data[j]!;
        if (!is(CASE_IGNORABLE, c)) break;
      }
      finalSigma = j === data.length || !is(CASED, c);
    }
    return finalSigma ? 0x3c2 : 0x3c3;
  }

  // --- interning ----------------------------------------------------------------------------

  /** The interned table's key: the kind, then the characters at a fixed width (injective for equal kinds). */
  private internKey(op: number): string {
    const v = this.view(op);
    const kind = String.fromCharCode(this.kindOf(op));
    if (!(v instanceof Uint32Array)) return kind + codeUnitsToString(v);
    const units = new Uint16Array(2 * v.length);
    for (let i = 0; i < v.length; i++) {
      units[2 * i] = v[i]! >>> 16;
      units[2 * i + 1] = v[i]! & 0xffff;
    }
    return kind + codeUnitsToString(units);
  }

  /**
   * Whether PyUnicode_InternInPlace of a str equal to `text`, made as the
   * parser makes one (a one-character latin-1 text is its static string, a
   * longer one a new object), would give back another object: an equal one is
   * interned and is not that string. Looks only; makes nothing.
   */
  internWouldReplace(text: string): boolean {
    const { cps, max, kind } = textKind(text);
    if (cps.length === 0) return false;
    const units = kind === 4 ? cps.flatMap((c) => [c >>> 16, c & 0xffff]) : cps;
    const t = this.interned.get(String.fromCharCode(kind) + String.fromCharCode(...units));
    if (t === undefined) return false;
    return cps.length !== 1 || max >= 256 || t !== this.latin1[max];
  }

  /**
   * PyUnicode_InternInPlace(&op): steals op and returns a new reference to
   * the interned string equal to it — op itself (now marked
   * SSTATE_INTERNED_MORTAL) if none was interned yet. In CPython
   * PyDict_SetDefault takes two references that Py_SET_REFCNT(s, refcnt - 2)
   * hands back at once; the Map here takes none, so counts match.
   */
  intern(op: number): number {
    this.checkStr(op, 'intern');
    if ((this.state(op) & STATE_INTERNED_MASK) !== SSTATE_NOT_INTERNED) return op;
    const key = this.internKey(op);
    const t = this.interned.get(key);
    if (t !== undefined) {
      this.rt.incref(t);
      this.rt.decref(op);
      return t;
    }
    this.interned.set(key, op);
    unicodeState.set(op, this.state(op) | SSTATE_INTERNED_MORTAL);
    return op;
  }

  /** sys.intern(s): s is borrowed; returns a new reference to the interned string. */
  sysIntern(op: number): number {
    this.checkStr(op, 'sys.intern');
    this.rt.incref(op);
    return this.intern(op);
  }

  /** PyUnicode_InternFromString(s): fromString then intern. New reference. */
  internFromString(s: string): number {
    return this.intern(this.fromString(s));
  }

  /**
   * A str constant of a code object as compile() leaves it: intern_string_constants
   * interns a constant when all_name_chars holds (ASCII letters, digits and
   * '_' only, so identifiers — and '' — are interned, 'hello world!' is not).
   * New reference.
   */
  internStringConstant(s: string): number {
    const v = this.fromString(s);
    return this.allNameChars(v) ? this.intern(v) : v;
  }

  /** all_name_chars (Objects/codeobject.c). */
  private allNameChars(op: number): boolean {
    if (!this.isASCII(op)) return false;
    const v = this.view(op);
    for (let i = 0; i < v.length; i++) {
      const c = v[i]!;
      const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
      if (!alnum && c !== 0x5f) return false;
    }
    return true;
  }

  /** PyUnicode_CHECK_INTERNED(op) != SSTATE_NOT_INTERNED. */
  isInterned(op: number): boolean {
    this.checkStr(op, 'isInterned');
    return (this.state(op) & STATE_INTERNED_MASK) !== SSTATE_NOT_INTERNED;
  }

  /** Number of interned strings (len(interned)). */
  internedCount(): number {
    return this.interned.size;
  }

  // --- deallocation -------------------------------------------------------------------------

  /**
   * unicode_dealloc: an interned (mortal) string leaves the interned table
   * (CPython revives it to count 3 for PyDict_DelItem, which gives back the
   * table's two references); no UTF-8 or wstr memory is ever attached, and a
   * compact string's characters are in its own block: PyObject_Free.
   */
  private unicodeDealloc(op: number): void {
    if ((this.state(op) & STATE_INTERNED_MASK) === SSTATE_INTERNED_MORTAL) this.interned.delete(this.internKey(op));
    this.rt.objectDel(op);
  }
}
