// Strings in real blocks: str (compact ASCII / latin-1 / UCS-2 / UCS-4, the
// static empty and one-character singletons, siphash13 hashes, interning),
// bytes (static singletons, cached hash) and bytearray (PyByteArray_Resize
// growth), checked against CPython 3.11's golden values: every getsizeof
// case of these types built the way its expression is, every interning case
// reproduced with the operations it names, hashes, refcounts, and the
// allocator's block counts going back to their baseline when everything
// built is dropped.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../lib/errors.js';
import { Interpreter } from '../lib/objects/interpreter.js';
import { RefcountError } from '../lib/objects/runtime.js';
import { isGcType } from '../lib/objects/type.js';
import { loadU32 } from '../lib/allocator/access.js';
import {
  IMMORTAL_INIT_REFCNT,
  PyASCIIObject,
  PyCompactUnicodeObject,
  UNICODE_HASH,
  UnicodeDecodeError,
  readHashField64,
} from '../lib/objects/types/unicode.js';
import { PyBytesObject } from '../lib/objects/types/bytes.js';
import { PyByteArrayObject } from '../lib/objects/types/bytearray.js';
import { type GoldenCase, loadGolden } from './support/golden.js';

interface InterningCase {
  name: string;
  same_object: boolean;
  value: string;
}
interface Golden {
  getsizeof: { cases: GoldenCase[] };
  interning: { cases: InterningCase[] };
}

const golden = loadGolden<Golden>();

const MY_TYPES = new Set(['str', 'bytes', 'bytearray']);

/** hash() of these values under PYTHONHASHSEED=0, printed by CPython 3.11.7. */
const STR_HASHES: [string, bigint][] = [
  ['', 0n],
  ['a', 4644417185603328019n],
  ['hello', -2096571579003691106n],
  ['hello world!', 839851713330019024n],
  ['\xe9', 6047309291227476195n],
  ['h\xe9llo', 6395329678795984700n],
  ['\u20ac', -5529981157763016009n],
  ['\u20acuro', 7542247858446192590n],
  ['\u{1F600}', -3536540696076613844n],
  ['a'.repeat(100), -2643860352045292050n],
];
const BYTES_HASHES: [number[], bigint][] = [
  [[], 0n],
  [[97], 4644417185603328019n],
  [[104, 101, 108, 108, 111], -2096571579003691106n],
  [Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 0 : 255)), -2336858137290999752n],
];

/** A snapshot of the allocator: pymalloc blocks in use per size and raw blocks pymalloc handed out. */
function snapshot(interp: Interpreter): { blocks: Map<number, number>; raw: number } {
  const s = interp.rt.heap.debugMallocStats();
  const blocks = new Map<number, number>();
  for (const c of s.classes) if (c.blocksInUse > 0) blocks.set(c.size, c.blocksInUse);
  return { blocks, raw: s.rawAllocatedBlocks };
}

/** Python string-literal escapes \xHH, \uHHHH, \UHHHHHHHH. */
function unescape(lit: string): string {
  return lit.replace(/\\x([0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, x, u, U) =>
    String.fromCodePoint(parseInt((x ?? u ?? U) as string, 16)),
  );
}

/** The size sys.getsizeof gives a str of these code points. */
function strSize(s: string): number {
  const cps = Array.from(s, (c) => c.codePointAt(0)!);
  const max = Math.max(0, ...cps);
  if (max < 128) return 48 + cps.length + 1;
  const kind = max < 256 ? 1 : max < 0x10000 ? 2 : 4;
  return 72 + (cps.length + 1) * kind;
}

/** str(n) for an int: long_to_decimal_string_internal's PyUnicode_New(len, '9') filled digit by digit. */
function strOfInt(interp: Interpreter, n: number): number {
  const digits = String(n);
  const op = interp.str.new(digits.length, 0x39);
  for (let i = 0; i < digits.length; i++) interp.str.writeChar(op, i, digits.charCodeAt(i));
  return op;
}

/** Builds a golden expression of one of this file's types the way CPython evaluates it (a new reference). */
function build(interp: Interpreter, expr: string): number {
  const { str, bytes, bytearray, rt } = interp;
  // A literal: the parser's string, interned by compile() when it is identifier-like.
  const literal = (lit: string): number => str.internStringConstant(unescape(lit));
  let m = /^'([^']*)' \* (\d+)$/.exec(expr);
  if (m) {
    const lit = literal(m[1]!);
    const r = str.repeat(lit, Number(m[2]));
    rt.decref(lit);
    return r;
  }
  m = /^'([^']*)' \+ '([^']*)' \* (\d+)$/.exec(expr);
  if (m) {
    // Folded by the compiler's AST optimizer with the same operations.
    const a = literal(m[1]!);
    const b = literal(m[2]!);
    const bn = str.repeat(b, Number(m[3]));
    const r = str.concat(a, bn);
    for (const op of [a, b, bn]) rt.decref(op);
    return r;
  }
  m = /^'([^']*)'$/.exec(expr);
  if (m) return literal(m[1]!);
  m = /^str\((\d+)\)$/.exec(expr);
  if (m) return strOfInt(interp, Number(m[1]));
  m = /^bytes\((\d+)\)$/.exec(expr);
  if (m) return bytes.fromSize(Number(m[1]));
  m = /^b'([a-z]*)'$/.exec(expr);
  if (m) return bytes.fromBytes(new TextEncoder().encode(m[1]!));
  m = /^bytearray\((\d+)\)$/.exec(expr);
  if (m) return bytearray.fromSize(Number(m[1]));
  m = /^bytearray\(b'([a-z]*)'\)$/.exec(expr);
  if (m) {
    const b = bytes.fromBytes(new TextEncoder().encode(m[1]!));
    const r = bytearray.fromBytes(bytes.data(b));
    rt.decref(b);
    return r;
  }
  throw new Error(`no builder for golden expression ${expr}`);
}

/**
 * The interning cases: each evaluates its expression(s) twice (or two
 * expressions) with the operations CPython performs, returning both results
 * (new references); `same` is the hard-coded outcome in CPython 3.11.
 */
function interningCases(interp: Interpreter): { name: string; same: boolean; value: string; run: () => [number, number] }[] {
  const { str, bytes, rt } = interp;
  // A str constant of a compiled code object (interned when identifier-like).
  const C = (s: string): number => str.internStringConstant(s);
  // ''.join([c1, c2, ...]) of constants.
  const join = (parts: string[]): number => {
    const sep = C('');
    const items = parts.map(C);
    const r = str.join(sep, items);
    for (const op of [sep, ...items]) rt.decref(op);
    return r;
  };
  const then = (op: number, f: (op: number) => number): number => {
    const r = f(op);
    rt.decref(op);
    return r;
  };
  const twice = (f: () => number): (() => [number, number]) => () => [f(), f()];
  const pair = (f: () => number, g: () => number): (() => [number, number]) => () => [f(), g()];
  return [
    { name: 'identifier_literal', same: true, value: 'hello_world', run: twice(() => C('hello_world')) },
    { name: 'non_identifier_literal', same: false, value: 'hello world!', run: twice(() => C('hello world!')) },
    {
      name: 'long_identifier_literal',
      same: true,
      value: 'a_really_long_identifier_like_string_0123456789abc',
      run: twice(() => C('a_really_long_identifier_like_string_0123456789abc')),
    },
    { name: 'join_identifier_like', same: false, value: 'hello_world', run: twice(() => join(['hello', '_', 'world'])) },
    { name: 'join_non_identifier', same: false, value: 'hello world!', run: twice(() => join(['hello', ' ', 'world!'])) },
    {
      name: 'concat_runtime',
      same: false,
      value: 'hello_world',
      run: twice(() => {
        const a = C('hello');
        const b = C('_world');
        const r = str.concat(a, b);
        rt.decref(a);
        rt.decref(b);
        return r;
      }),
    },
    {
      name: 'sys_intern_of_join',
      same: true,
      value: 'hello world!',
      run: twice(() => then(join(['hello', ' ', 'world!']), (s) => str.sysIntern(s))),
    },
    { name: 'chr_ascii', same: true, value: 'A', run: twice(() => str.fromOrdinal(65)) },
    { name: 'chr_latin1', same: true, value: '\xe9', run: twice(() => str.fromOrdinal(233)) },
    { name: 'chr_255', same: true, value: '\xff', run: twice(() => str.fromOrdinal(255)) },
    { name: 'chr_256', same: false, value: '\u0100', run: twice(() => str.fromOrdinal(256)) },
    { name: 'chr_ucs2', same: false, value: '\u20ac', run: twice(() => str.fromOrdinal(8364)) },
    { name: 'slice_one_char', same: true, value: 'x', run: twice(() => then(join(['x', 'yz']), (s) => str.substring(s, 0, 1))) },
    { name: 'index_one_char_latin1', same: true, value: '\xe9', run: twice(() => then(join(['\xe9', 'z']), (s) => str.getItem(s, 0))) },
    { name: 'empty_join', same: true, value: '', run: twice(() => join([])) },
    { name: 'empty_slice', same: true, value: '', run: twice(() => then(join(['ab', 'c']), (s) => str.substring(s, 1, 1))) },
    { name: 'str_of_int_1digit', same: false, value: '7', run: twice(() => strOfInt(interp, 7)) },
    { name: 'str_of_int_3digit', same: false, value: '123', run: twice(() => strOfInt(interp, 123)) },
    {
      name: 'decode_ascii_1char',
      same: true,
      value: 'a',
      run: twice(() => then(bytes.fromBytes(new Uint8Array([97])), (b) => bytes.decode(b))),
    },
    { name: 'lower_of_runtime', same: false, value: 'ab', run: twice(() => then(join(['AB']), (s) => str.lower(s))) },
    // dir(int)[0]: a key of int's type dict, interned when the type was made.
    { name: 'getattr_name_via_dir', same: true, value: '__abs__', run: twice(() => str.internFromString('__abs__')) },
    {
      name: 'literal_vs_join_identifier',
      same: false,
      value: 'hello_world',
      run: pair(() => C('hello_world'), () => join(['hello', '_world'])),
    },
    {
      name: 'literal_vs_sys_intern_join',
      same: true,
      value: 'hello_world',
      run: pair(() => C('hello_world'), () => then(join(['hello', '_world']), (s) => str.sysIntern(s))),
    },
    {
      name: 'literal_vs_sys_intern_join_nonident',
      same: false,
      value: 'hello world!',
      run: pair(() => C('hello world!'), () => then(join(['hello', ' world!']), (s) => str.sysIntern(s))),
    },
    // str(): unicode_new_impl without an argument returns the empty string.
    { name: 'empty_literal_vs_str_call', same: true, value: '', run: pair(() => C(''), () => str.fromString('')) },
    { name: 'char_literal_vs_chr', same: true, value: 'A', run: pair(() => C('A'), () => str.fromOrdinal(65)) },
    { name: 'latin1_literal_vs_chr', same: true, value: '\xe9', run: pair(() => C('\xe9'), () => str.fromOrdinal(233)) },
    {
      // One compiled unit: the compiler merges equal constants (its constant
      // cache, not interning), so both names hold the same constant.
      name: 'same_code_unit_non_identifier',
      same: true,
      value: 'hello world!',
      run: () => {
        const k = C('hello world!');
        rt.incref(k);
        return [k, k];
      },
    },
  ];
}

const MODES = [
  { memory: 'fake', profile: 'cpython311' },
  { memory: 'native', profile: 'classic' },
] as const;

describe.each(MODES)('strings, $memory memory, $profile profile', ({ memory, profile }) => {
  let interp: Interpreter;
  let baseline: ReturnType<typeof snapshot>;
  beforeEach(() => {
    interp = new Interpreter({ memory, profile });
    baseline = snapshot(interp);
  });
  afterEach(() => interp.dispose());

  it('getsizeof of key values (hard-coded from CPython 3.11)', () => {
    const cases: [string, number][] = [
      ["'a' * 0", 49],
      ["'a' * 1", 50],
      ["'a' * 100", 149],
      ["'\\xe9' * 1", 74],
      ["'\\xe9' * 10", 83],
      ["'\\u20ac' * 1", 76],
      ["'\\u20ac' * 100", 274],
      ["'\\U0001F600' * 2", 84],
      ["'a' + '\\U0001F600' * 9", 116],
      ["'hello'", 54],
      ['str(12345)', 54],
      ['bytes(0)', 33],
      ['bytes(1)', 34],
      ['bytes(1000)', 1033],
      ["b'abc'", 36],
      ['bytearray(0)', 56],
      ['bytearray(1)', 58],
      ['bytearray(1000)', 1057],
      ["bytearray(b'abc')", 60],
    ];
    for (const [expr, size] of cases) {
      const op = build(interp, expr);
      expect(interp.getsizeof(op), expr).toBe(size);
      interp.rt.decref(op);
    }
    expect(snapshot(interp)).toEqual(baseline);
  });

  it.skipIf(golden === null)('every golden getsizeof case of str, bytes and bytearray', () => {
    const mine = golden!.getsizeof.cases.filter((c) => MY_TYPES.has(c.type));
    expect(mine.length).toBe(42);
    const built: number[] = [];
    for (const c of mine) {
      const op = build(interp, c.expr);
      built.push(op);
      expect(interp.rt.typeOf(op).name, c.expr).toBe(c.type);
      expect(interp.getsizeof(op), c.expr).toBe(c.size);
      expect(interp.sizeofObject(op), c.expr).toBe(c.__sizeof__);
      expect(isGcType(interp.rt.typeOf(op)), c.expr).toBe(c.gc_tracked);
    }
    for (const op of built) interp.rt.decref(op);
    expect(snapshot(interp)).toEqual(baseline);
  });

  it('lays str out as PyASCIIObject / PyCompactUnicodeObject in one OBJ block', () => {
    const { str, rt } = interp;
    const ascii = str.fromString('hello');
    // state: interned 0, kind 1, compact, ascii, ready.
    expect(PyASCIIObject.field('state').get(ascii)).toBe((1 << 2) | 0x20 | 0x40 | 0x80);
    expect(PyASCIIObject.field('wstr').get(ascii)).toBe(0);
    expect(PyASCIIObject.array('data').get(ascii, 5)).toBe(0);
    expect(PyASCIIObject.array('data').at(ascii, 0)).toBe(ascii + 48);
    expect(PyASCIIObject.field('hash').get(ascii)).toBe(-1);
    const ucs4 = str.fromString('a\u{1F600}');
    expect(str.kind(ucs4)).toBe(4);
    expect(PyASCIIObject.field('state').get(ucs4)).toBe((4 << 2) | 0x20 | 0x80);
    // wchar_t is 4 bytes: wstr shares the UCS-4 data.
    expect(PyASCIIObject.field('wstr').get(ucs4)).toBe(ucs4 + 72);
    expect(PyCompactUnicodeObject.field('wstr_length').get(ucs4)).toBe(2);
    expect(PyCompactUnicodeObject.field('utf8').get(ucs4)).toBe(0);
    const data = PyCompactUnicodeObject.array('data').at(ucs4, 0);
    expect(data).toBe(ucs4 + 72);
    expect([loadU32(data), loadU32(data + 4), loadU32(data + 8)]).toEqual([0x61, 0x1f600, 0]);
    const ucs2 = str.fromString('\u20acx');
    expect(str.kind(ucs2)).toBe(2);
    expect(PyASCIIObject.field('wstr').get(ucs2)).toBe(0);
    expect(Array.from(str.data(ucs2))).toEqual([0x20ac, 0x78]);
    expect([str.readChar(ucs2, 0), str.readChar(ucs4, 1), str.readChar(ascii, 4)]).toEqual([0x20ac, 0x1f600, 0x6f]);
    expect([str.maxCharValue(ascii), str.maxCharValue(ucs2), str.maxCharValue(ucs4)]).toEqual([0x7f, 0xffff, 0x10ffff]);
    expect(() => str.readChar(ascii, 5)).toThrow(InvalidArgumentError);
    // 'a' * 100: one block of 149 bytes rounded to the alignment.
    const a = str.fromString('a');
    const before = snapshot(interp);
    const big = str.repeat(a, 100);
    const after = snapshot(interp);
    const block = Math.ceil(149 / rt.heap.profile.alignment) * rt.heap.profile.alignment;
    expect(after.blocks.get(block)).toBe((before.blocks.get(block) ?? 0) + 1);
    for (const op of [ascii, ucs4, ucs2, a, big]) rt.decref(op);
    expect(snapshot(interp)).toEqual(baseline);
  });

  it('keeps the empty string and the 256 latin-1 characters as static singletons', () => {
    const { str, rt } = interp;
    const e = str.fromString('');
    expect(e).toBe(str.empty);
    expect(rt.isStatic(e)).toBe(true);
    expect(interp.getrefcount(e)).toBe(IMMORTAL_INIT_REFCNT + 2);
    rt.decref(e);
    for (const ch of [0, 65, 127, 128, 233, 255]) {
      const a = str.fromOrdinal(ch);
      const b = str.fromString(String.fromCharCode(ch));
      const c = str.getLatin1Char(ch);
      expect(a).toBe(b);
      expect(c).toBe(a);
      rt.decref(c);
      expect(rt.isStatic(a)).toBe(true);
      expect(interp.getsizeof(a)).toBe(ch < 128 ? 50 : 74);
      expect(str.toString(a)).toBe(String.fromCharCode(ch));
      rt.decref(a);
      rt.decref(b);
    }
    const c256 = str.fromOrdinal(256);
    expect(rt.isStatic(c256)).toBe(false);
    expect(interp.getsizeof(c256)).toBe(76);
    rt.decref(c256);
    // PyUnicode_New(0, ...) is the singleton too; a one-char PyUnicode_New is not.
    const n0 = str.new(0, 0x10ffff);
    expect(n0).toBe(str.empty);
    rt.decref(n0);
    const n1 = str.new(1, 0x41);
    expect(rt.isStatic(n1)).toBe(false);
    rt.decref(n1);
    // Static: a count driven down to zero is refused, never deallocated.
    const latinA = str.fromOrdinal(0x61);
    rt.setRefcnt(latinA, 1);
    expect(() => rt.decref(latinA)).toThrow(RefcountError);
    rt.setRefcnt(latinA, IMMORTAL_INIT_REFCNT);
    expect(snapshot(interp)).toEqual(baseline);
  });

  it('hashes as CPython 3.11 with PYTHONHASHSEED=0 (siphash13, zero key) and caches the hash', () => {
    const { str, bytes, rt } = interp;
    for (const [s, h] of STR_HASHES) {
      const op = str.fromString(s);
      expect(str.hash64(op), JSON.stringify(s)).toBe(h);
      expect(interp.hash(op)).toBe(Number(h));
      expect(readHashField64(UNICODE_HASH, op)).toBe(h);
      rt.decref(op);
    }
    for (const [b, h] of BYTES_HASHES) {
      const op = bytes.fromBytes(new Uint8Array(b));
      expect(bytes.hash64(op)).toBe(h);
      expect(interp.hash(op)).toBe(Number(h));
      expect(PyBytesObject.field('ob_shash').get(op) === -1).toBe(false);
      rt.decref(op);
    }
    const ba = interp.bytearray.fromSize(1);
    expect(() => interp.hash(ba)).toThrow(InvalidArgumentError);
    rt.decref(ba);
    expect(snapshot(interp)).toEqual(baseline);
  });

  it('reproduces every interning case with the operations it names', () => {
    const cases = interningCases(interp);
    if (golden !== null) {
      expect(cases.map((c) => c.name)).toEqual(golden.interning.cases.map((c) => c.name));
      for (const g of golden.interning.cases) {
        const c = cases.find((x) => x.name === g.name)!;
        expect(c.same, g.name).toBe(g.same_object);
        expect(c.value, g.name).toBe(g.value);
      }
    } else {
      console.warn('golden.json missing: the interning cases run against their hard-coded outcomes only');
    }
    for (const c of cases) {
      const [a, b] = c.run();
      expect(a === b, c.name).toBe(c.same);
      expect(interp.str.toString(a), c.name).toBe(c.value);
      expect(interp.str.eq(a, b), c.name).toBe(true);
      interp.rt.decref(a);
      interp.rt.decref(b);
    }
    expect(snapshot(interp)).toEqual(baseline);
  });

  it('interns like sys.intern: mortal strings, counts unchanged by the table, removal on dealloc', () => {
    const { str, rt } = interp;
    const count0 = str.internedCount();
    const abc = str.fromString('qqq zzz');
    expect(interp.getrefcount(abc)).toBe(2);
    const t = str.sysIntern(abc);
    expect(t).toBe(abc);
    expect(str.isInterned(abc)).toBe(true);
    // The caller's reference and sys.intern's result; the table counts none.
    expect(interp.getrefcount(abc)).toBe(3);
    rt.decref(t);
    const other = str.fromString('qqq zzz');
    const t2 = str.intern(other); // steals `other`, which dies: the interned one is returned
    expect(t2).toBe(abc);
    expect(interp.getrefcount(abc)).toBe(3);
    rt.decref(t2);
    expect(str.internedCount()).toBe(count0 + 1);
    rt.decref(abc);
    expect(str.internedCount()).toBe(count0);
    // A fresh equal string now becomes the interned one.
    const again = str.internFromString('qqq zzz');
    expect(str.isInterned(again)).toBe(true);
    rt.decref(again);
    // Equal characters of different kinds never collide; astral vs surrogate pairs stay distinct.
    const astral = str.internFromString('\u{1F600}\u{1F600}');
    const pairs = str.new(2, 0xffff);
    str.writeChar(pairs, 0, 0xd83d);
    str.writeChar(pairs, 1, 0xde00);
    const p = str.intern(pairs);
    expect(p).not.toBe(astral);
    expect(str.eq(p, astral)).toBe(false);
    rt.decref(p);
    rt.decref(astral);
    // Interning a static singleton marks it and keeps its count.
    const A = str.fromOrdinal(0x41);
    const n = rt.refcnt(A);
    const ia = str.sysIntern(A);
    expect(ia).toBe(A);
    expect(rt.refcnt(A)).toBe(n + 1);
    rt.decref(ia);
    rt.decref(A);
    expect(snapshot(interp)).toEqual(baseline);
  });

  it('follows CPython for concat, repeat, join, substring, getItem, lower and refcounts', () => {
    const { str, rt } = interp;
    const a = str.fromString('ab');
    // Concat with the empty string and repeat by 1 return the operand.
    const r1 = str.concat(str.empty, a);
    const r2 = str.repeat(a, 1);
    const r3 = str.join(str.empty, [a]);
    expect([r1, r2, r3]).toEqual([a, a, a]);
    expect(interp.getrefcount(a)).toBe(5);
    for (const op of [r1, r2, r3]) rt.decref(op);
    // Separator NULL means ' '.
    const b = str.fromString('\u20ac');
    const j = str.join(0, [a, b, a]);
    expect(str.toString(j)).toBe('ab \u20ac ab');
    expect(interp.getsizeof(j)).toBe(72 + 8 * 2);
    // The kind is that of the operands' kinds, not of the characters: '€ab'[1:3] narrows back (FromKindAndData).
    const s = str.fromString('\u20acab');
    const sub = str.substring(s, 1, 3);
    expect(interp.getsizeof(sub)).toBe(51);
    expect(str.substring(s, 0, 99)).toBe(s);
    rt.decref(s);
    expect(str.toString(str.getItem(j, -1))).toBe('b');
    const low = str.fromString('\u03a3\u0391\u03a3 \u0130X');
    const l = str.lower(low);
    expect(str.toString(l)).toBe('\u03c3\u03b1\u03c2 i\u0307x');
    const ab = str.fromString('AB');
    const lab = str.lower(ab);
    expect(lab).not.toBe(ab);
    expect(interp.getsizeof(lab)).toBe(51);
    for (const op of [a, b, j, s, sub, low, l, ab, lab]) rt.decref(op);
    expect(snapshot(interp)).toEqual(baseline);
  });

  it('decodes UTF-8 through the writer as CPython and rejects invalid input untouched', () => {
    const { str, bytes, rt } = interp;
    const dec = (b: number[]): number => str.decodeUTF8(new Uint8Array(b));
    const e = dec([0xc3, 0xa9]);
    expect(e).toBe(str.fromOrdinal(0xe9));
    rt.decref(e);
    rt.decref(e);
    const cases: [number[], string, number][] = [
      [[0xc3, 0xa9, 0x61], '\xe9a', 75],
      [[0xe2, 0x82, 0xac], '\u20ac', 76],
      [[0x61, 0xf0, 0x9f, 0x98, 0x80, 0xc3, 0xa9], 'a\u{1F600}\xe9', 72 + 4 * 4],
      [Array(3).fill([0xf0, 0x9f, 0x98, 0x80]).flat(), '\u{1F600}'.repeat(3), 88],
      [[0x68, 0x69], 'hi', 51],
    ];
    for (const [b, s, size] of cases) {
      const op = dec(b);
      expect(str.toString(op)).toBe(s);
      expect(interp.getsizeof(op)).toBe(size);
      rt.decref(op);
    }
    expect(() => dec([0xff, 0x61])).toThrow(UnicodeDecodeError);
    expect(() => dec([0xed, 0xa0, 0x80])).toThrow(UnicodeDecodeError);
    const bom = dec([0xef, 0xbb, 0xbf]);
    expect(str.toString(bom)).toBe('\ufeff');
    rt.decref(bom);
    const bb = bytes.fromBytes(new Uint8Array([0x61, 0x62]));
    const d = bytes.decode(bb);
    expect(str.toString(d)).toBe('ab');
    rt.decref(d);
    rt.decref(bb);
    expect(snapshot(interp)).toEqual(baseline);
  });

  it('bytes: static singletons where PyBytes_FromStringAndSize gives them, bytes(1) fresh, eq with bytearray', () => {
    const { bytes, bytearray, rt } = interp;
    const e = bytes.fromSize(0);
    expect(e).toBe(bytes.empty);
    expect(interp.getrefcount(e)).toBe(IMMORTAL_INIT_REFCNT + 2);
    rt.decref(e);
    const c1 = bytes.fromBytes(new Uint8Array([200]));
    const c2 = bytes.fromBytes(new Uint8Array([200]));
    expect(c1).toBe(c2);
    expect(rt.isStatic(c1)).toBe(true);
    const z1 = bytes.fromSize(1);
    const z2 = bytes.fromSize(1);
    expect(z1).not.toBe(z2);
    expect(Array.from(bytes.data(z1))).toEqual([0]);
    const u = bytes.fromStringAndSize(null, 1);
    expect(rt.isStatic(u)).toBe(false);
    const abc = bytes.fromBytes(new TextEncoder().encode('abc'));
    const bac = bytearray.fromBytes(new TextEncoder().encode('abc'));
    expect(interp.eq(abc, bac)).toBe(true);
    expect(interp.eq(bac, abc)).toBe(true);
    expect(interp.eq(abc, c1)).toBe(false);
    expect(interp.rt.typeOf(abc).toJS!(rt, abc)).toEqual(new TextEncoder().encode('abc'));
    for (const op of [c1, c2, z1, z2, u, abc, bac]) rt.decref(op);
    expect(snapshot(interp)).toEqual(baseline);
  });

  it('bytearray grows and shrinks as PyByteArray_Resize in 3.11', () => {
    const { bytearray, rt } = interp;
    const ba = bytearray.new();
    expect(interp.getsizeof(ba)).toBe(56);
    expect(PyByteArrayObject.field('ob_bytes').get(ba)).toBe(0);
    // len 1..20 after append, from python3 3.11.
    const sizes = [58, 61, 61, 61, 64, 64, 64, 68, 68, 68, 68, 75, 75, 75, 75, 75, 75, 75, 83, 83];
    for (let i = 0; i < 20; i++) {
      bytearray.append(ba, i);
      expect(interp.getsizeof(ba), `len ${i + 1}`).toBe(sizes[i]);
    }
    rt.decref(ba);
    const x = bytearray.fromBytes(new TextEncoder().encode('abc'));
    bytearray.extend(x, new Uint8Array(10).fill(0x78));
    expect(interp.getsizeof(x)).toBe(70);
    rt.decref(x);
    const t = bytearray.fromSize(10);
    bytearray.extend(t, new Uint8Array([0x78]));
    expect(interp.getsizeof(t)).toBe(74);
    // del t[0:5]: the logical start advances, then a major downsize copies to 7 bytes.
    bytearray.setSlice(t, 0, 5, null);
    expect([bytearray.size(t), interp.getsizeof(t)]).toEqual([6, 63]);
    expect(PyByteArrayObject.field('ob_start').get(t)).toBe(PyByteArrayObject.field('ob_bytes').get(t));
    rt.decref(t);
    const h = bytearray.fromSize(100);
    bytearray.setSlice(h, 0, 90, null);
    expect([bytearray.size(h), interp.getsizeof(h)]).toEqual([10, 67]);
    bytearray.setSlice(h, 0, 10, null);
    expect(interp.getsizeof(h)).toBe(57);
    rt.decref(h);
    // A minor downsize keeps the advanced start.
    const m = bytearray.fromBytes(new TextEncoder().encode('abcdefgh'));
    bytearray.setSlice(m, 0, 1, null);
    expect(PyByteArrayObject.field('ob_start').get(m) - PyByteArrayObject.field('ob_bytes').get(m)).toBe(1);
    expect(new TextDecoder().decode(bytearray.data(m))).toBe('bcdefgh');
    bytearray.extend(m, bytearray.data(m));
    expect(new TextDecoder().decode(bytearray.data(m))).toBe('bcdefghbcdefgh');
    rt.decref(m);
    const f = bytearray.fromStringAndSize(new TextEncoder().encode('xyz'), 3);
    expect(interp.getsizeof(f)).toBe(60);
    const f0 = bytearray.fromStringAndSize(null, 0);
    expect(interp.getsizeof(f0)).toBe(56);
    rt.decref(f);
    rt.decref(f0);
    expect(snapshot(interp)).toEqual(baseline);
  });

  it('refuses bad input with typed errors and leaves the heap as it was', () => {
    const { str, bytes, bytearray, long, rt } = interp;
    const n = long.fromNumber(1000);
    const s = str.fromString('abc');
    const ba = bytearray.new();
    expect(() => str.toString(n)).toThrow(InvalidArgumentError);
    expect(() => str.concat(s, n)).toThrow(InvalidArgumentError);
    expect(() => str.join(str.empty, [s, n])).toThrow(/sequence item 1: expected str instance, int found/);
    expect(() => str.fromOrdinal(0x110000)).toThrow(InvalidArgumentError);
    expect(() => str.fromOrdinal(-1)).toThrow(InvalidArgumentError);
    expect(() => str.getItem(s, 3)).toThrow(InvalidArgumentError);
    expect(() => str.substring(s, -1, 2)).toThrow(InvalidArgumentError);
    expect(() => str.new(-1, 0)).toThrow(InvalidArgumentError);
    expect(() => str.new(1, 0x110000)).toThrow(InvalidArgumentError);
    expect(() => str.fromString(42 as unknown as string)).toThrow(InvalidArgumentError);
    // PyUnicode_WriteChar: not on shared, hashed or interned strings, nor past the kind.
    expect(() => str.writeChar(s, 0, 0x41)).not.toThrow();
    str.hash(s);
    expect(() => str.writeChar(s, 0, 0x41)).toThrow(/shared/);
    const w = str.new(2, 0x7f);
    expect(() => str.writeChar(w, 0, 0xe9)).toThrow(/out of range/);
    expect(() => str.writeChar(w, 2, 0x41)).toThrow(InvalidArgumentError);
    expect(() => str.writeChar(str.empty, 0, 0x41)).toThrow(InvalidArgumentError);
    expect(() => str.sysIntern(n)).toThrow(InvalidArgumentError);
    expect(() => bytes.data(s)).toThrow(InvalidArgumentError);
    expect(() => bytes.fromStringAndSize(new Uint8Array(2), 3)).toThrow(InvalidArgumentError);
    expect(() => bytes.fromSize(-1)).toThrow(InvalidArgumentError);
    expect(() => bytearray.append(ba, 256)).toThrow(InvalidArgumentError);
    expect(() => bytearray.resize(s, 1)).toThrow(InvalidArgumentError);
    expect(() => bytearray.fromSize(1.5)).toThrow(InvalidArgumentError);
    expect(() => bytearray.setSlice(ba, 0, 0.5, null)).toThrow(InvalidArgumentError);
    rt.setRefcnt(bytes.empty, 1);
    expect(() => rt.decref(bytes.empty)).toThrow(RefcountError);
    rt.setRefcnt(bytes.empty, IMMORTAL_INIT_REFCNT);
    expect(str.toString(s)).toBe('Abc');
    for (const op of [n, s, ba, w]) rt.decref(op);
    expect(snapshot(interp)).toEqual(baseline);
  });

  it('property: JS strings round-trip, sizes follow the kind of the largest code point, equal strings hash alike', () => {
    const { str, rt } = interp;
    const codePoint = fc.oneof(
      fc.integer({ min: 0, max: 127 }),
      fc.integer({ min: 128, max: 255 }),
      fc.integer({ min: 256, max: 0xffff }),
      fc.integer({ min: 0x10000, max: 0x10ffff }),
    );
    const jsString = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.array(codePoint, { maxLength: 40 }).map((cps) => String.fromCodePoint(...cps)),
      fc.string({ maxLength: 300 }),
    );
    fc.assert(
      fc.property(fc.array(jsString, { maxLength: 8 }), (strings) => {
        const held: number[] = [];
        for (const s of strings) {
          const a = str.fromString(s);
          const b = str.fromString(s);
          held.push(a, b);
          const n = Array.from(s).length;
          expect(str.toString(a)).toBe(s);
          expect(str.length(a)).toBe(n);
          expect(interp.getsizeof(a)).toBe(strSize(s));
          const singleton = n === 0 || (n === 1 && s.codePointAt(0)! < 256);
          expect(a === b).toBe(singleton);
          expect(rt.isStatic(a)).toBe(singleton);
          expect(str.eq(a, b)).toBe(true);
          expect(str.hash64(a)).toBe(str.hash64(b));
        }
        const all = held.length > 0 ? str.join(str.empty, held.filter((_, i) => i % 2 === 0)) : str.fromString('');
        expect(str.toString(all)).toBe(strings.join(''));
        held.push(all);
        for (const op of held) rt.decref(op);
        expect(snapshot(interp)).toEqual(baseline);
      }),
      { numRuns: 60 },
    );
  });

  it('property: interning keeps one string per content and forgets dead ones', () => {
    const { str, rt } = interp;
    const count0 = str.internedCount();
    const word = fc.constantFrom('spam', 'eggs', 'h\xe9', '\u20ac\u20ac', '\u{1F600}!', 'a b');
    const action = fc.oneof(
      fc.record({ kind: fc.constant('make' as const), word }),
      fc.record({ kind: fc.constant('intern' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(action, { maxLength: 40 }), (actions) => {
        const live: number[] = [];
        for (const a of actions) {
          if (a.kind === 'make') live.push(str.fromString(a.word));
          else if (live.length > 0) {
            const i = a.at % live.length;
            if (a.kind === 'intern') live.push(str.sysIntern(live[i]!));
            else rt.decref(live.splice(i, 1)[0]!);
          }
          // Model: the interned strings are exactly one per content among the live ones.
          const interned = new Map<string, number>();
          for (const op of live) {
            if (!str.isInterned(op)) continue;
            const k = str.toString(op);
            expect(interned.get(k) ?? op).toBe(op);
            interned.set(k, op);
          }
          expect(str.internedCount()).toBe(count0 + interned.size);
        }
        for (const op of live) rt.decref(op);
        expect(str.internedCount()).toBe(count0);
        expect(snapshot(interp)).toEqual(baseline);
      }),
      { numRuns: 60 },
    );
  });

  it('property: bytearray against a model of its bytes and of PyByteArray_Resize', () => {
    const { bytearray, rt } = interp;
    const bytesArb = fc.uint8Array({ maxLength: 24 });
    const action = fc.oneof(
      fc.record({ kind: fc.constant('append' as const), b: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('extend' as const), data: bytesArb }),
      fc.record({ kind: fc.constant('set' as const), lo: fc.integer({ min: -30, max: 30 }), hi: fc.integer({ min: -30, max: 30 }), data: fc.option(bytesArb) }),
      fc.record({ kind: fc.constant('resize' as const), n: fc.nat({ max: 60 }) }),
    );
    fc.assert(
      fc.property(bytesArb, fc.array(action, { maxLength: 30 }), (init, actions) => {
        const ba = bytearray.fromBytes(init);
        const model = { data: Array.from(init), alloc: init.length === 0 ? 0 : init.length + 1, offset: 0 };
        // PyByteArray_Resize's policy, restated.
        const resize = (size: number): void => {
          if (size === model.data.length) return;
          if (size + model.offset + 1 <= model.alloc) {
            if (size < Math.floor(model.alloc / 2)) {
              model.alloc = size + 1;
              model.offset = 0;
            }
          } else {
            model.alloc = size <= model.alloc * 1.125 ? size + (size >> 3) + (size < 9 ? 3 : 6) : size + 1;
            model.offset = 0;
          }
        };
        for (const a of actions) {
          const n = model.data.length;
          if (a.kind === 'append') {
            bytearray.append(ba, a.b);
            resize(n + 1);
            model.data.push(a.b);
          } else if (a.kind === 'extend') {
            bytearray.extend(ba, a.data);
            resize(n + a.data.length);
            model.data.push(...a.data);
          } else if (a.kind === 'resize') {
            bytearray.resize(ba, a.n);
            bytearray.data(ba).fill(0, Math.min(n, a.n));
            resize(a.n);
            model.data = model.data.slice(0, a.n).concat(Array(Math.max(0, a.n - n)).fill(0));
          } else {
            const adj = (i: number): number => (i < 0 ? Math.max(i + n, 0) : Math.min(i, n));
            const lo = adj(a.lo);
            const hi = Math.max(adj(a.hi), lo);
            const values = a.data ?? new Uint8Array(0);
            bytearray.setSlice(ba, a.lo, a.hi, a.data);
            const growth = values.length - (hi - lo);
            if (growth < 0 && lo === 0) model.offset -= growth;
            if (growth !== 0) resize(n + growth);
            model.data.splice(lo, hi - lo, ...values);
          }
          expect(Array.from(bytearray.data(ba))).toEqual(model.data);
          expect(interp.getsizeof(ba)).toBe(56 + model.alloc);
        }
        rt.decref(ba);
        expect(snapshot(interp)).toEqual(baseline);
      }),
      { numRuns: 80 },
    );
  });
});
