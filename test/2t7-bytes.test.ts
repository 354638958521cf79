// bytes and bytearray as CPython 3.11.7 behaves, against record.py's
// recording: repr (quote choice, \x escapes), decode (utf-8 with every
// malformed shape, ascii, latin-1, each error handler, UnicodeDecodeError's
// message), hex / fromhex, and the methods: split, rsplit, splitlines,
// strip family, find family, count, in, case mappings and predicates
// (ASCII only), partition, startswith/endswith, replace, padding, zfill,
// expandtabs, removeprefix/removesuffix, b[i], b[a:b:c].
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as B from '../lib/objects/text/bytesMethods.js';
import { bytearrayRepr, bytesRepr } from '../lib/objects/text/bytesRepr.js';
import { bytesDecode, strEncode } from '../lib/objects/text/codecs.js';
import { decode, loadCases, mismatches } from './fixtures/pylogic/fixtures.js';

const cases = loadCases('bytes');
const bytes = (v: unknown) => v as Uint8Array;
const opt = (v: unknown) => (v === null ? undefined : (v as number));
const optB = (v: unknown) => (v === null ? undefined : (v as Uint8Array));
const sub = (v: unknown) => v as B.BytesSub;

describe('bytes', () => {
  it(`repr of ${cases.repr.length} bytes and bytearrays`, () => {
    const bad = cases.repr.filter(([b, r, ra]) => bytesRepr(bytes(decode(b))) !== r || bytearrayRepr(bytes(decode(b))) !== ra);
    expect(bad.slice(0, 5)).toEqual([]);
  });
  it(`decode: ${cases.decode.length} cases`, () => {
    expect(mismatches(cases.decode, ([b, e, er]) => bytesDecode(bytes(b), e as string, er as string))).toEqual([]);
  });
  it('utf-8 encode and decode are inverse for every str without lone surrogates (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => {
      expect(bytesDecode(strEncode(s))).toBe(s);
      expect(Buffer.from(strEncode(s)).equals(Buffer.from(s, 'utf8'))).toBe(true);
    }));
  });
  it(`hex(${cases.hex.length}) and fromhex(${cases.fromhex.length})`, () => {
    expect(mismatches(cases.hex, ([b, sep, n]) => B.bytesHex(bytes(b), sep === null ? undefined : (sep as string), Number(n)))).toEqual([]);
    expect(mismatches(cases.fromhex, ([h]) => B.bytesFromHex(h as string))).toEqual([]);
  });
  it(`split … istitle: ${cases.methods.length} bytes × 26 methods`, () => {
    const fns: ((b: Uint8Array, sep?: Uint8Array, m?: number, chars?: Uint8Array, s?: B.BytesSub, st?: number, en?: number) => unknown)[] = [
      (b, sep, m) => B.bytesSplit(b, sep, m), (b, sep, m) => B.bytesRsplit(b, sep, m), (b) => B.bytesSplitlines(b), (b) => B.bytesSplitlines(b, true),
      (b, _s, _m, c) => B.bytesStrip(b, c), (b, _s, _m, c) => B.bytesLstrip(b, c), (b, _s, _m, c) => B.bytesRstrip(b, c),
      (b, _s, _m, _c, s, st, en) => BigInt(B.bytesFind(b, s!, st, en)), (b, _s, _m, _c, s, st, en) => BigInt(B.bytesRfind(b, s!, st, en)),
      (b, _s, _m, _c, s, st, en) => BigInt(B.bytesIndex(b, s!, st, en)), (b, _s, _m, _c, s, st, en) => BigInt(B.bytesRindex(b, s!, st, en)),
      (b, _s, _m, _c, s, st, en) => BigInt(B.bytesCount(b, s!, st, en)), (b, _s, _m, _c, s) => B.bytesContains(b, s!),
      B.bytesUpper, B.bytesLower, B.bytesSwapcase, B.bytesCapitalize, B.bytesTitle,
      B.bytesIsAlpha, B.bytesIsDigit, B.bytesIsAlnum, B.bytesIsSpace, B.bytesIsAscii, B.bytesIsLower, B.bytesIsUpper, B.bytesIsTitle,
    ];
    const rows = cases.methods.flatMap(([b, sep, m, chars, s, st, en, ...outs]) => outs.map((o, k) => [b, sep, m, chars, s, st, en, k, o]));
    expect(mismatches(rows, ([b, sep, m, chars, s, st, en, k]) =>
      fns[Number(k)](bytes(b), optB(sep), Number(m), optB(chars), sub(s), opt(st), opt(en)))).toEqual([]);
  });
  it(`partition … slicing: ${cases.other.length} bytes × 15 methods`, () => {
    type Args = [Uint8Array, Uint8Array, number, Uint8Array, number, number | undefined, number | undefined, number | undefined, number];
    const fns: ((...a: Args) => unknown)[] = [
      (b, a) => B.bytesPartition(b, a), (b, a) => B.bytesRpartition(b, a), (b, a) => B.bytesStartswith(b, a), (b, a) => B.bytesEndswith(b, a),
      (b, a) => B.bytesStartswith(b, [a, Uint8Array.of(120)]), (b, a, _w, _f, _i, _1, _2, _3, c) => B.bytesReplace(b, a, Uint8Array.of(88, 89), c),
      (b, _a, w, f) => B.bytesCenter(b, w, f), (b, _a, w, f) => B.bytesLjust(b, w, f), (b, _a, w, f) => B.bytesRjust(b, w, f),
      (b, _a, w) => B.bytesZfill(b, w), (b) => B.bytesExpandtabs(b, 4), (b, a) => B.bytesRemoveprefix(b, a), (b, a) => B.bytesRemovesuffix(b, a),
      (b, _a, _w, _f, i) => B.bytesGetItem(b, i), (b, _a, _w, _f, _i, s1, s2, s3) => B.bytesSlice(b, s1, s2, s3),
    ];
    const rows = cases.other.flatMap(([b, a, w, f, i, s1, s2, s3, c, ...outs]) => outs.map((o, k) => [b, a, w, f, i, s1, s2, s3, c, k, o]));
    expect(mismatches(rows, ([b, a, w, f, i, s1, s2, s3, c, k]) =>
      fns[Number(k)](bytes(b), bytes(a), Number(w), bytes(f), Number(i), opt(s1), opt(s2), opt(s3), Number(c)))).toEqual([]);
  });
  it('join', () => {
    expect(B.bytesJoin(Uint8Array.of(44), [Uint8Array.of(97), Uint8Array.of(98)], () => 'bytes')).toEqual(Uint8Array.of(97, 44, 98));
    expect(() => B.bytesJoin(Uint8Array.of(44), [Uint8Array.of(97), 1n], () => 'int')).toThrow('sequence item 1: expected a bytes-like object, int found');
  });
});
