// Numbers and singletons in real blocks: None / Ellipsis / NotImplemented,
// int (30-bit digits, the static small ints -5..256), bool, float (free list
// of 100) and complex, checked against CPython 3.11's golden values: sizes,
// the small-int range, hashes, refcounts, and the allocator's block counts
// going back to their baseline when everything built is dropped.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../lib/errors.js';
import { Interpreter } from '../lib/objects/interpreter.js';
import { RefcountError } from '../lib/objects/runtime.js';
import { isGcType } from '../lib/objects/type.js';
import { ELLIPSIS, NOT_IMPLEMENTED } from '../lib/objects/types/singletons.js';
import { type GoldenCase, loadGolden } from './support/golden.js';

interface Golden {
  getsizeof: { cases: GoldenCase[] };
  small_int_cache: { min: number; max: number; scanned: [number, number]; contiguous: boolean };
}

const golden = loadGolden<Golden>();

const MY_TYPES = new Set(['int', 'bool', 'float', 'complex', 'NoneType', 'ellipsis', 'NotImplementedType']);
const P = (1n << 61n) - 1n;

/** Blocks in use per size class (bytes -> count). */
function blocksBySize(interp: Interpreter): Map<number, number> {
  const m = new Map<number, number>();
  for (const c of interp.rt.heap.debugMallocStats().classes) if (c.blocksInUse > 0) m.set(c.size, c.blocksInUse);
  return m;
}
/** `m` with `n` more blocks of `size` bytes. */
function plus(m: Map<number, number>, size: number, n: number): Map<number, number> {
  const r = new Map(m);
  const v = (r.get(size) ?? 0) + n;
  if (v === 0) r.delete(size);
  else r.set(size, v);
  return r;
}
/** Digits of |n| in base 2**30. */
function ndigits(n: bigint): number {
  let k = 0;
  for (let t = n < 0n ? -n : n; t !== 0n; t >>= 30n) k++;
  return k;
}
/** Python's hash of an int. */
function intHash(n: bigint): number {
  const h = n < 0n ? -(-n % P) : n % P;
  return Number(h === -1n ? -2n : h);
}

/** Builds a golden expression of one of this file's types through the API (a new reference). */
function build(interp: Interpreter, expr: string): number {
  const { long, float, complex, singletons } = interp;
  const newRef = (op: number): number => {
    interp.rt.incref(op);
    return op;
  };
  const int = /^(-?)(\d+)(?:\*\*(\d+))?(?:([+-])(\d+))?$/.exec(expr);
  if (int) {
    let v = BigInt(int[2]!) ** BigInt(int[3] ?? '1');
    if (int[1] === '-') v = -v;
    if (int[4] !== undefined) v += (int[4] === '-' ? -1n : 1n) * BigInt(int[5]!);
    return long.fromBigInt(v);
  }
  if (/^-?\d+\.\d+$/.test(expr)) return float.fromNumber(Number(expr));
  if (expr === "float('inf')") return float.fromNumber(Infinity);
  const imag = /^(-?[\d.]+)j$/.exec(expr);
  if (imag) return complex.fromParts(0, Number(imag[1]));
  const cx = /^complex\((-?[\d.]+), (-?[\d.]+)\)$/.exec(expr);
  if (cx) return complex.fromParts(Number(cx[1]), Number(cx[2]));
  switch (expr) {
    case 'True':
      return long.fromBool(true);
    case 'False':
      return long.fromBool(false);
    case 'None':
      return newRef(singletons.None);
    case '...':
      return newRef(singletons.Ellipsis);
    case 'NotImplemented':
      return newRef(singletons.NotImplemented);
  }
  throw new Error(`no builder for golden expression ${expr}`);
}

const MODES = [
  { memory: 'fake', profile: 'cpython311' },
  { memory: 'native', profile: 'classic' },
] as const;

describe.each(MODES)('numbers, $memory memory, $profile profile', ({ memory, profile }) => {
  let interp: Interpreter;
  let baseline: Map<number, number>;
  /** The block size pymalloc gives a request of n bytes. */
  let block: (n: number) => number;
  beforeEach(() => {
    interp = new Interpreter({ memory, profile });
    baseline = blocksBySize(interp);
    const { alignment } = interp.rt.heap.profile;
    block = (n) => Math.ceil(n / alignment) * alignment;
  });
  afterEach(() => interp.dispose());

  it('getsizeof of key values (hard-coded from CPython 3.11)', () => {
    const { long, float, complex, singletons } = interp;
    const cases: [() => number, number][] = [
      [() => long.fromNumber(0), 28],
      [() => long.fromNumber(257), 28],
      [() => long.fromNumber(2 ** 30), 32],
      [() => long.fromNumber(-(2 ** 30)), 32],
      [() => long.fromNumber(2 ** 60), 36],
      [() => long.fromBigInt(10n ** 100n), 72],
      [() => long.fromBool(true), 28],
      [() => long.fromBool(false), 28],
      [() => float.fromNumber(1.5), 24],
      [() => complex.fromParts(1.5, -2), 32],
    ];
    for (const [make, size] of cases) {
      const op = make();
      expect(interp.getsizeof(op)).toBe(size);
      interp.rt.decref(op);
    }
    expect(interp.getsizeof(singletons.None)).toBe(16);
    expect(interp.getsizeof(singletons.Ellipsis)).toBe(16);
    expect(interp.getsizeof(singletons.NotImplemented)).toBe(16);
    interp.float.clearFreeList();
    expect(blocksBySize(interp)).toEqual(baseline);
  });

  it.skipIf(golden === null)('getsizeof: every golden case of int, bool, float, complex, None, Ellipsis, NotImplemented', () => {
    const cases = golden!.getsizeof.cases.filter((c) => MY_TYPES.has(c.type));
    expect(cases.length).toBe(28);
    for (const c of cases) {
      const op = build(interp, c.expr);
      expect(interp.rt.typeOf(op).name, c.expr).toBe(c.type);
      expect(interp.getsizeof(op), c.expr).toBe(c.size);
      expect(interp.sizeofObject(op), c.expr).toBe(c.__sizeof__);
      expect(isGcType(interp.rt.typeOf(op)), c.expr).toBe(c.gc_tracked);
      interp.rt.decref(op);
    }
    interp.float.clearFreeList();
    expect(blocksBySize(interp)).toEqual(baseline);
  });

  it('small-int cache: exactly -5..256 are shared, static objects', () => {
    const { min, max } = golden?.small_int_cache ?? { min: -5, max: 256 };
    expect([min, max]).toEqual([-5, 256]);
    const held: number[] = [];
    for (let n = -1000; n <= 1000; n++) {
      const a = interp.long.fromNumber(n);
      const b = interp.long.fromBigInt(BigInt(n));
      held.push(a, b);
      const cached = n >= min && n <= max;
      expect(a === b, String(n)).toBe(cached);
      expect(interp.rt.isStatic(a), String(n)).toBe(cached);
      expect(interp.long.toNumber(a)).toBe(n);
      expect(interp.eq(a, b)).toBe(true);
    }
    // Medium ints (one digit) each take a block of sizeof(PyLongObject) = 32 bytes.
    expect(blocksBySize(interp)).toEqual(plus(baseline, block(32), 2 * (2001 - 262)));
    for (const op of held) interp.rt.decref(op);
    expect(blocksBySize(interp)).toEqual(baseline);
  });

  it('small ints count references from 999999999 and are never freed', () => {
    const five = interp.long.fromNumber(5);
    const r = interp.rt.refcnt(five);
    expect(r).toBeGreaterThanOrEqual(999999999 + 1);
    const again = interp.long.fromNumber(5);
    expect(interp.getrefcount(five)).toBe(r + 2);
    interp.rt.decref(again);
    interp.rt.decref(five);
    expect(interp.rt.refcnt(five)).toBe(r - 1);
    interp.rt.setRefcnt(five, 1);
    expect(() => interp.rt.decref(five)).toThrow(RefcountError);
    interp.rt.setRefcnt(five, r - 1);
    expect(interp.long.toNumber(five)).toBe(5);
  });

  it('None, Ellipsis, NotImplemented, True, False: counts go up and down, never freed', () => {
    const { singletons, long } = interp;
    for (const op of [singletons.None, singletons.Ellipsis, singletons.NotImplemented, long.True, long.False]) {
      expect(interp.rt.isStatic(op)).toBe(true);
      const r = interp.rt.refcnt(op);
      expect(r).toBeGreaterThanOrEqual(1);
      interp.rt.incref(op);
      expect(interp.getrefcount(op)).toBe(r + 2);
      interp.rt.decref(op);
      expect(interp.rt.refcnt(op)).toBe(r);
      for (let i = 1; i < r; i++) interp.rt.decref(op);
      expect(() => interp.rt.decref(op)).toThrow(RefcountError);
      interp.rt.setRefcnt(op, r);
      expect(interp.getsizeof(op)).toBe(op === long.True || op === long.False ? 28 : 16);
    }
    const r0 = interp.rt.refcnt(long.True);
    const t = long.fromBool(true);
    expect(t).toBe(long.True);
    expect(long.fromBool(false)).toBe(long.False);
    long.fromBool(true);
    expect(interp.rt.refcnt(long.True)).toBe(r0 + 2);
    interp.rt.decref(t);
    interp.rt.decref(t);
    interp.rt.decref(long.False);
    expect(interp.rt.typeOf(long.True).name).toBe('bool');
    expect([long.toJS(long.True), long.toJS(long.False)]).toEqual([1, 0]);
    expect(interp.rt.typeOf(long.True).toJS!(interp.rt, long.True)).toBe(true);
    expect(singletons.noneType.toJS!(interp.rt, singletons.None)).toBe(null);
    expect(singletons.ellipsisType.toJS!(interp.rt, singletons.Ellipsis)).toBe(ELLIPSIS);
    expect(singletons.notImplementedType.toJS!(interp.rt, singletons.NotImplemented)).toBe(NOT_IMPLEMENTED);
    // object.__hash__: the address rotated by 4 bits.
    expect(interp.hash(singletons.None)).toBe(singletons.None / 16);
    expect(blocksBySize(interp)).toEqual(baseline);
  });

  it('ints take the blocks CPython asks for and give them back', () => {
    const { long } = interp;
    // _PyLong_FromMedium: sizeof(PyLongObject) = 32 bytes; _PyLong_New(n): 24 + 4n.
    const big = [
      [2n ** 30n, 32],
      [2n ** 90n, 40],
      [10n ** 50n, 48],
      [10n ** 100n, 72],
      [-(2n ** 1000n), 160],
    ] as const;
    let expected = baseline;
    const held: number[] = [];
    for (const [v, request] of big) {
      held.push(long.fromBigInt(v));
      expected = plus(expected, block(request), 1);
      expect(blocksBySize(interp)).toEqual(expected);
      expect(long.toBigInt(held.at(-1)!)).toBe(v);
    }
    const m = long.fromNumber(-123456);
    expect(blocksBySize(interp)).toEqual(plus(expected, block(32), 1));
    expect(interp.rt.refcnt(m)).toBe(1);
    interp.rt.incref(m);
    interp.rt.decref(m);
    expect(interp.rt.refcnt(m)).toBe(1);
    interp.rt.decref(m);
    for (const op of held) interp.rt.decref(op);
    expect(blocksBySize(interp)).toEqual(baseline);
  });

  it('hashes equal CPython 3.11 (PYTHONHASHSEED=0)', () => {
    const { long, float, complex } = interp;
    const ints: [bigint, bigint][] = [
      [-1n, -2n],
      [2n ** 61n - 1n, 0n],
      [2n ** 61n, 1n],
      [-(2n ** 61n), -2n],
      [10n ** 20n, 848750603811160107n],
      [-(2n ** 100n), -549755813888n],
      [2n ** 100n, 549755813888n],
      [12345678901234567890123n, 195429904450476469n],
      [2n ** 30n, 1073741824n],
      [-(2n ** 30n) - 7n, -1073741831n],
    ];
    for (const [v, h] of ints) {
      const op = long.fromBigInt(v);
      expect(interp.hash(op), String(v)).toBe(Number(h));
      interp.rt.decref(op);
    }
    const floats: [number, bigint][] = [
      [1.5, 1152921504606846977n],
      [0.1, 230584300921369408n],
      [-0.0, 0n],
      [Infinity, 314159n],
      [-Infinity, -314159n],
      [1e300, 1224995262755759164n],
      [5e-324, 16777216n],
      [-2.5, -1152921504606846978n],
      [2 ** 70, 512n],
      [-1, -2n],
    ];
    for (const [v, h] of floats) {
      const op = float.fromNumber(v);
      expect(interp.hash(op), String(v)).toBe(Number(h));
      interp.rt.decref(op);
    }
    const complexes: [number, number, bigint][] = [
      [1.5, -2.0, 1152921504604846971n],
      [0, 1, 1000003n],
      [3, 0, 3n],
      [-1, 0, -2n],
      [0.1, 0.2, 1614090106475185856n],
    ];
    for (const [re, im, h] of complexes) {
      const op = complex.fromParts(re, im);
      expect(interp.hash(op), `${re}+${im}j`).toBe(Number(h));
      interp.rt.decref(op);
    }
    expect([interp.hash(long.True), interp.hash(long.False)]).toEqual([1, 0]);
    // NaN hashes by address.
    const nan = float.fromNumber(NaN);
    expect(interp.hash(nan)).toBe(nan / 16);
    interp.rt.decref(nan);
  });

  it('== across int, bool, float and complex, exactly', () => {
    const { long, float, complex } = interp;
    const one = [long.fromNumber(1), long.fromBool(true), float.fromNumber(1), complex.fromParts(1, 0)];
    for (const a of one) for (const b of one) expect(interp.eq(a, b)).toBe(true);
    for (const a of one) expect(interp.hash(a)).toBe(1);
    const big = long.fromBigInt(2n ** 80n);
    const bigF = float.fromNumber(2 ** 80);
    const near = long.fromBigInt(2n ** 80n + 1n);
    const unsafe = long.fromBigInt(2n ** 53n + 1n);
    const unsafeF = float.fromNumber(2 ** 53);
    expect([interp.eq(big, bigF), interp.eq(bigF, big), interp.eq(near, bigF), interp.eq(bigF, near)]).toEqual([true, true, false, false]);
    expect([interp.eq(unsafe, unsafeF), interp.eq(unsafeF, unsafe)]).toEqual([false, false]);
    expect(interp.hash(big)).toBe(interp.hash(bigF));
    const half = float.fromNumber(0.5);
    const nan = float.fromNumber(NaN);
    const c = complex.fromParts(1, 1);
    expect([interp.eq(half, one[0]!), interp.eq(one[0]!, c), interp.eq(c, one[2]!), interp.eq(nan, nan), interp.eq(long.False, one[0]!)]).toEqual([
      false,
      false,
      false,
      true, // identity first, as PyObject_RichCompareBool
      false,
    ]);
    const nan2 = float.fromNumber(NaN);
    expect(interp.eq(nan, nan2)).toBe(false);
    expect(interp.eq(one[0]!, interp.singletons.None)).toBe(false);
    for (const op of [...one, big, bigF, near, unsafe, unsafeF, half, nan, nan2, c]) interp.rt.decref(op);
    interp.float.clearFreeList();
    expect(blocksBySize(interp)).toEqual(baseline);
  });

  it('toJS, toNumber, toBigInt, value, parts', () => {
    const { long, float, complex } = interp;
    const safe = long.fromNumber(Number.MAX_SAFE_INTEGER);
    const unsafe = long.fromBigInt(2n ** 53n);
    const neg = long.fromNumber(-(2 ** 40));
    const huge = long.fromNumber(1e20);
    expect(long.toJS(safe)).toBe(Number.MAX_SAFE_INTEGER);
    expect(long.toJS(unsafe)).toBe(2n ** 53n);
    expect(long.toJS(neg)).toBe(-(2 ** 40));
    expect(long.toBigInt(huge)).toBe(10n ** 20n);
    expect(() => long.toNumber(unsafe)).toThrow(InvalidArgumentError);
    const f = float.fromNumber(-0.25);
    const c = complex.fromParts(-1.5, 2);
    expect(float.value(f)).toBe(-0.25);
    expect(interp.rt.typeOf(f).toJS!(interp.rt, f)).toBe(-0.25);
    expect(complex.parts(c)).toEqual({ real: -1.5, imag: 2 });
    expect(interp.rt.typeOf(c).toJS!(interp.rt, c)).toEqual({ real: -1.5, imag: 2 });
    expect(long.check(safe) && long.check(long.True) && !long.check(f)).toBe(true);
    for (const op of [safe, unsafe, neg, huge, f, c]) interp.rt.decref(op);
  });

  it('bad input: typed errors, nothing allocated', () => {
    const { long, float, complex } = interp;
    const f = float.fromNumber(2);
    const i = long.fromNumber(7);
    const before = blocksBySize(interp);
    const bad: (() => unknown)[] = [
      () => long.fromNumber(1.5),
      () => long.fromNumber(NaN),
      () => long.fromNumber(Infinity),
      () => long.fromNumber('5' as unknown as number),
      () => long.fromBigInt(5 as unknown as bigint),
      () => long.fromBool(1 as unknown as boolean),
      () => long.toBigInt(f),
      () => long.toBigInt(0),
      () => long.toNumber(interp.singletons.None),
      () => float.fromNumber(1n as unknown as number),
      () => float.value(i),
      () => float.value(0),
      () => complex.fromParts(1, '2' as unknown as number),
      () => complex.parts(f),
    ];
    for (const call of bad) expect(call).toThrow(InvalidArgumentError);
    expect(blocksBySize(interp)).toEqual(before);
    interp.rt.decref(f);
    interp.rt.decref(i);
  });

  it('float free list: the last freed block comes back first, at most 100 kept', () => {
    const { float } = interp;
    expect(float.freeListSize()).toBe(0);
    const a = float.fromNumber(1);
    interp.rt.decref(a);
    expect(float.freeListSize()).toBe(1);
    const b = float.fromNumber(2);
    expect(b).toBe(a);
    expect(float.value(b)).toBe(2);
    expect(interp.rt.refcnt(b)).toBe(1);
    expect(float.freeListSize()).toBe(0);
    interp.rt.decref(b);
    expect(() => interp.rt.decref(b)).toThrow(RefcountError);

    const held = Array.from({ length: 150 }, (_, k) => float.fromNumber(k + 0.5));
    expect(blocksBySize(interp)).toEqual(plus(baseline, block(24), 150));
    for (const op of held) interp.rt.decref(op);
    expect(float.freeListSize()).toBe(100);
    // 100 blocks stay allocated on the free list, the other 50 went back to pymalloc.
    expect(blocksBySize(interp)).toEqual(plus(baseline, block(24), 100));
    expect(float.debugMallocStats()).toBe('         100 free PyFloatObjects * 24 bytes each =                2,400\n');
    // LIFO: the 100th float freed comes back first.
    const again = float.fromNumber(9);
    expect(again).toBe(held[99]);
    interp.rt.decref(again);
    float.clearFreeList();
    expect(float.freeListSize()).toBe(0);
    expect(blocksBySize(interp)).toEqual(baseline);
    expect(float.debugMallocStats()).toBe('           0 free PyFloatObjects * 24 bytes each =                    0\n');
  });

  it('property: ints round-trip through bigint, size 24 + 4 * max(1, ndigits), hash mod 2**61 - 1', () => {
    const { long } = interp;
    const big = fc.bigInt({ min: -(2n ** 700n), max: 2n ** 700n });
    const near = fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n });
    const small = fc.bigInt({ min: -300n, max: 300n });
    fc.assert(
      fc.property(fc.array(fc.oneof(big, near, small), { maxLength: 40 }), (values) => {
        const held = values.map((v) => long.fromBigInt(v));
        values.forEach((v, k) => {
          const op = held[k]!;
          expect(long.toBigInt(op)).toBe(v);
          expect(interp.getsizeof(op)).toBe(24 + 4 * Math.max(1, ndigits(v)));
          expect(interp.hash(op)).toBe(intHash(v));
          const js = long.toJS(op);
          expect(BigInt(js)).toBe(v);
          expect(typeof js).toBe(v >= -(2n ** 53n - 1n) && v <= 2n ** 53n - 1n ? 'number' : 'bigint');
          expect(interp.eq(op, held[0]!)).toBe(v === values[0]);
        });
        for (const op of held) interp.rt.decref(op);
        expect(blocksBySize(interp)).toEqual(baseline);
      }),
      { numRuns: 150 },
    );
  });

  it('property: the float free list follows a LIFO model capped at 100', () => {
    const { float } = interp;
    type Op = { kind: 'new'; n: number } | { kind: 'drop'; at: number };
    const op = fc.oneof(
      fc.record({ kind: fc.constant('new' as const), n: fc.integer({ min: 1, max: 60 }) }),
      fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops: Op[]) => {
        const live: number[] = [];
        const free: number[] = []; // the model: the free list, top last
        const drop = (at: number): void => {
          const [p] = live.splice(at, 1);
          interp.rt.decref(p!);
          if (free.length < 100) free.push(p!);
        };
        for (const o of ops) {
          if (o.kind === 'new') {
            for (let k = 0; k < o.n; k++) {
              const p = float.fromNumber(k / 3);
              const expected = free.pop();
              if (expected !== undefined) expect(p).toBe(expected);
              else expect(live).not.toContain(p);
              expect(float.value(p)).toBe(k / 3);
              live.push(p);
            }
          } else if (live.length > 0) {
            drop(o.at % live.length);
          }
          expect(float.freeListSize()).toBe(free.length);
          expect(blocksBySize(interp)).toEqual(plus(baseline, block(24), live.length + free.length));
        }
        while (live.length > 0) drop(live.length - 1);
        expect(float.freeListSize()).toBe(free.length);
        float.clearFreeList();
        expect(blocksBySize(interp)).toEqual(baseline);
      }),
      { numRuns: 60 },
    );
  });
});
