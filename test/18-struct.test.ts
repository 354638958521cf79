// Declared structs (lib/struct.ts): offsets by C's alignment rules (declared
// offsets and sizes checked), embedded structs flattened, accessors that load
// and store at pointer + offset, arrays and tails by stride, the layout table,
// and a validator that names the field it finds wrong.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as access from '../lib/allocator/access.js';
import { loadF64, loadI64, loadU8, storeF64 } from '../lib/allocator/access.js';
import { Heap } from '../lib/allocator/heap.js';
import { InvalidArgumentError } from '../lib/errors.js';
import { declareStruct, formatLayout, type MemoryAccess } from '../lib/struct.js';

const Head = declareStruct({
  access,
  name: 'Head',
  fields: [
    { name: 'refcnt', type: 'i64', meaning: 'references' },
    { name: 'type', type: 'u32', meaning: 'a type id' },
  ],
});
const Thing = declareStruct({
  access,
  name: 'Thing',
  fields: [
    { name: 'base', type: Head, meaning: 'the header' },
    { name: 'flag', type: 'u8', meaning: 'a byte', offset: 16 },
    { name: 'value', type: 'f64', meaning: 'a double', offset: 24 },
    { name: 'link', type: 'ptr', ctype: 'Thing *', meaning: 'another thing' },
    { name: 'pair', type: 'i32', count: 2, meaning: 'two ints' },
  ],
  tail: { name: 'items', type: 'ptr', meaning: 'the items', length: (p) => loadI64(p) },
  check: (p, _ctx, fail) => {
    if (loadU8(p + 16) > 1) fail('flag', `${loadU8(p + 16)} is not 0 or 1`);
  },
});

describe('declareStruct', () => {
  it('is a bottom-layer module: it imports nothing but errors.ts', () => {
    const source = readFileSync(join(import.meta.dirname, '..', 'lib', 'struct.ts'), 'utf8');
    expect([...source.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1])).toEqual(['./errors.js']);
  });

  it('lays fields out by C alignment, embedded structs included', () => {
    expect(Head.size).toBe(16);
    expect(Head.align).toBe(8);
    expect(Thing.offsets).toEqual({ base: 0, refcnt: 0, type: 8, flag: 16, value: 24, link: 32, pair: 40 });
    expect(Thing.size).toBe(48);
    expect(Thing.tail?.offset).toBe(48);
  });

  it('refuses a declared offset or size C would not give', () => {
    expect(() => declareStruct({ access, name: 'Bad', fields: [{ name: 'a', type: 'u8', meaning: '' }, { name: 'b', type: 'f64', offset: 4, meaning: '' }] })).toThrow(
      /field b declared at 4, C puts it at 8/,
    );
    expect(() => declareStruct({ access, name: 'Bad', size: 12, fields: [{ name: 'a', type: 'f64', meaning: '' }] })).toThrow(InvalidArgumentError);
    expect(() => declareStruct({ access, name: 'Bad', fields: [{ name: 'refcnt', type: 'u8', meaning: '' }, { name: 'h', type: Head, meaning: '' }] })).toThrow(
      /refcnt declared twice/,
    );
  });

  it('gives accessors that store and load at pointer + offset, and arrays by stride', () => {
    using heap = new Heap({ profile: 'cpython311' });
    const p = heap.malloc(Thing.size + 3 * 8);
    const value = Thing.field('value');
    value.set(p, 2.5);
    expect(loadF64(p + 24)).toBe(2.5);
    storeF64(p + 32, 99);
    expect(Thing.field('link').get(p)).toBe(99);
    const pair = Thing.array('pair');
    pair.set(p, 1, -3);
    expect(pair.get(p, 1)).toBe(-3);
    expect(pair.at(p, 1)).toBe(p + 44);
    const items = Thing.array('items');
    items.set(p, 2, 7);
    expect(loadF64(p + 48 + 16)).toBe(7);
    expect(() => Thing.field('pair')).toThrow(InvalidArgumentError);
    expect(() => Thing.field('nope' as 'flag')).toThrow(InvalidArgumentError);
    heap.free(p);
  });

  it('with views, loads and stores addresses below the limit through them and calls the functions only above', () => {
    // A low memory the views cover ([0, LIMIT)) and a far one reached only through the functions (counted).
    const LIMIT = 4096;
    const low = new ArrayBuffer(LIMIT);
    const far = new DataView(new ArrayBuffer(LIMIT));
    const FAR = 2 ** 40;
    let calls = 0;
    const at = (a: number): number => {
      calls++;
      if (!(a >= FAR && a < FAR + LIMIT)) throw new Error(`far access at ${a}`);
      return a - FAR;
    };
    const lowView = new DataView(low);
    const mem: MemoryAccess = {
      loadU8: (a) => far.getUint8(at(a)),
      storeU8: (a, v) => far.setUint8(at(a), v),
      loadU16: (a) => (a < LIMIT ? lowView.getUint16(a, true) : far.getUint16(at(a), true)),
      storeU16: (a, v) => (a < LIMIT ? lowView.setUint16(a, v, true) : far.setUint16(at(a), v, true)),
      loadU32: (a) => far.getUint32(at(a), true),
      storeU32: (a, v) => far.setUint32(at(a), v, true),
      loadI32: (a) => far.getInt32(at(a), true),
      storeI32: (a, v) => far.setInt32(at(a), v, true),
      loadI64: (a) => Number(far.getBigInt64(at(a), true)),
      storeI64: (a, v) => far.setBigInt64(at(a), BigInt(v), true),
      loadF64: (a) => far.getFloat64(at(a), true),
      storeF64: (a, v) => far.setFloat64(at(a), v, true),
      views: { u8: new Uint8Array(low), u32: new Uint32Array(low), f64: new Float64Array(low) },
      viewLimit: LIMIT,
    };
    const S = declareStruct({
      access: mem,
      name: 'S',
      fields: [
        { name: 'n', type: 'i64', meaning: '' },
        { name: 'd', type: 'f64', meaning: '' },
        { name: 'p', type: 'ptr', meaning: '' },
        { name: 'w', type: 'u32', meaning: '' },
        { name: 'i', type: 'i32', meaning: '' },
        { name: 'h', type: 'u16', meaning: '' },
        { name: 'b', type: 'u8', meaning: '' },
      ],
      tail: { name: 'items', type: 'i64', meaning: '' },
    });
    const fields = { n: S.field('n'), d: S.field('d'), p: S.field('p'), w: S.field('w'), i: S.field('i'), h: S.field('h'), b: S.field('b') };
    const items = S.array('items');
    const i64 = fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 });
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.record({
          n: i64,
          d: fc.double({ noNaN: true }),
          p: fc.integer({ min: 0, max: 2 ** 52 }),
          w: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
          i: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
          h: fc.integer({ min: 0, max: 0xffff }),
          b: fc.integer({ min: 0, max: 0xff }),
          item: i64,
        }),
        (isFar, v) => {
          const base = (isFar ? FAR : 0) + 64;
          calls = 0;
          for (const k of Object.keys(fields) as (keyof typeof fields)[]) fields[k].set(base, v[k]);
          items.set(base, 3, v.item);
          for (const k of Object.keys(fields) as (keyof typeof fields)[]) expect(fields[k].get(base)).toBe(v[k]);
          expect(items.get(base, 3)).toBe(v.item);
          // Through the views, the functions run for u16 only (it has no view); far, for every access.
          expect(calls).toBe(isFar ? 16 : 0);
          // The same bytes as the C layout: little-endian, at the declared offsets.
          const bytes = isFar ? far : lowView;
          const o = isFar ? 64 : base;
          expect(Number(bytes.getBigInt64(o, true))).toBe(v.n);
          expect(bytes.getFloat64(o + 8, true)).toBe(v.d);
          expect(bytes.getInt32(o + 28, true)).toBe(v.i);
          expect(Number(bytes.getBigInt64(o + S.size + 24, true))).toBe(v.item);
        },
      ),
    );
  });

  it('prints the layout table', () => {
    expect(formatLayout(Thing)).toBe(
      [
        'Thing, 48 bytes + the variable part:',
        '   0  16   Head     base     the header',
        '  16  1    uint8_t  flag     a byte',
        '  24  8    double   value    a double',
        '  32  8    Thing *  link     another thing',
        '  40  8    int      pair[2]  two ints',
        '  48  8*n  pointer  items[]  the items',
      ].join('\n'),
    );
  });

  it('validates pointer fields, the tail and the declared check, naming the field', () => {
    using heap = new Heap({ profile: 'cpython311' });
    const p = heap.malloc(Thing.size + 2 * 8);
    const live = new Set([p]);
    const ctx = { isPointer: (v: number) => live.has(v) };
    heap.bytes(p).fill(0);
    Thing.field('refcnt').set(p, 2);
    Thing.array('items').set(p, 0, p);
    expect(Thing.validate(p, ctx)).toEqual([]);
    Thing.field('link').set(p, 12345);
    Thing.array('items').set(p, 1, Number.NaN);
    Thing.field('flag').set(p, 7);
    expect(Thing.validate(p, ctx)).toEqual([
      'Thing.link: 12345 is neither NULL nor a pointer to a live block',
      'Thing.items[1]: NaN is neither NULL nor a pointer to a live block',
      'Thing.flag: 7 is not 0 or 1',
    ]);
    heap.free(p);
  });
});
