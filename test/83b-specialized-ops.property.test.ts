/*
 * The specialised operators of the evaluation loop (lib/eval/specializedOps.ts)
 * against models: BINARY_OP and COMPARE_OP of floats, bools and ints
 * (medium and big, mixed with floats) against IEEE double arithmetic with
 * Python's float % (the sign of the divisor), and for every operand pair
 * the fast path either declines or gives the general path's answer;
 * subscripts of lists, tuples and dicts, and list and dict stores, run by
 * the loop on a program made from a random sequence of operations and
 * checked against a JavaScript model of the containers — the items read,
 * IndexError / KeyError where the model has none, and sys.getrefcount of
 * a stored object (its references from the containers, as CPython counts).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { binaryOp, newInt, richCompareBool, typeOf } from '../lib/eval/abstract.js';
import { PyErr } from '../lib/eval/pyerr.js';
import { finalize, newVm } from '../lib/eval/run.js';
import { runCommand } from '../lib/eval/runCommand.js';
import { binaryOpFast, compareOpFast } from '../lib/eval/specializedOps.js';

const vm = newVm({ io: { stdout: () => undefined, stderr: () => undefined } });
afterAll(() => {
  finalize(vm);
  vm.interp.dispose();
});
const { long, rt } = { long: vm.interp.long, rt: vm.interp.rt };
const float = vm.interp.float;

/** An operand: a float (with the special values), a bool, or an int near and past the medium boundary. */
type Operand = { kind: 'float'; v: number } | { kind: 'int'; v: bigint } | { kind: 'bool'; v: boolean };
const anOperand: fc.Arbitrary<Operand> = fc.oneof(
  fc.double().map((v) => ({ kind: 'float' as const, v })),
  fc.constantFrom(0, -0, 1.5, -2.5, 1e300, Number.MIN_VALUE, Infinity, -Infinity, NaN).map((v) => ({ kind: 'float' as const, v })),
  fc.oneof(fc.integer({ min: -300, max: 300 }), fc.integer({ min: 2 ** 30 - 3, max: 2 ** 30 + 3 }), fc.integer({ min: -(2 ** 30) - 3, max: -(2 ** 30) + 3 }), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n })).map((v) => ({ kind: 'int' as const, v: BigInt(v) })),
  fc.boolean().map((v) => ({ kind: 'bool' as const, v })),
);

function make(o: Operand): number {
  if (o.kind === 'float') return float.fromNumber(o.v);
  if (o.kind === 'bool') return long.fromBool(o.v);
  return newInt(vm, o.v);
}
const asNumber = (o: Operand): number => (o.kind === 'float' ? o.v : o.kind === 'bool' ? Number(o.v) : Number(o.v));

/** Python's float % (float_rem): the sign of the divisor, a zero result signed as the divisor. */
function floatRem(x: number, y: number): number {
  let m = x % y;
  if (m !== 0) {
    if (y < 0 !== m < 0) m += y;
  } else m = y < 0 ? -0 : 0;
  return m;
}

/** The float BINARY_OPs the fast path takes and their model (y ≠ 0 for / and %). */
const FLOAT_OPS: ReadonlyArray<readonly [number, string, (x: number, y: number) => number]> = [
  [0, '+', (x, y) => x + y],
  [10, '-', (x, y) => x - y],
  [5, '*', (x, y) => x * y],
  [11, '/', (x, y) => x / y],
  [6, '%', floatRem],
];

/** The general path's result of a op b: [type name, value as a number or bigint] or the error's type name. */
function general(a: number, b: number, oparg: number): [string, number | bigint] | string {
  try {
    const r = binaryOp(vm, a, b, oparg);
    const name = typeOf(vm, r).name;
    const out: [string, number | bigint] = [name, name === 'float' ? float.value(r) : long.toBigInt(r)];
    rt.decref(r);
    return out;
  } catch (e) {
    if (!(e instanceof PyErr)) throw e;
    const name = typeOf(vm, e.exc).name;
    rt.decref(e.exc);
    return name;
  }
}

describe('BINARY_OP fast paths', () => {
  it.each(FLOAT_OPS)('oparg %i (%s) with a float operand equals IEEE arithmetic (Python %% for %%)', (oparg, _sym, model) => {
    fc.assert(
      fc.property(anOperand, anOperand, fc.boolean(), (x, y, inplace) => {
        if (x.kind !== 'float' && y.kind !== 'float') return;
        const a = make(x);
        const b = make(y);
        try {
          const r = binaryOpFast(vm, a, b, oparg + (inplace ? 13 : 0));
          const big = (o: Operand): boolean => o.kind === 'int' && (o.v >= 2n ** 30n || o.v <= -(2n ** 30n));
          const yv = asNumber(y);
          // Declined: a big int operand, or a zero divisor (the general path's ZeroDivisionError).
          if (big(x) || big(y) || ((oparg === 11 || oparg === 6) && yv === 0)) expect(r).toBe(0);
          else {
            expect(typeOf(vm, r).name).toBe('float');
            expect(Object.is(float.value(r), model(asNumber(x), yv))).toBe(true);
            rt.decref(r);
          }
        } finally {
          rt.decref(a);
          rt.decref(b);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('for any operands and oparg, declines or answers what the general path answers', () => {
    fc.assert(
      fc.property(anOperand, anOperand, fc.integer({ min: 0, max: 25 }), (x, y, oparg) => {
        const a = make(x);
        const b = make(y);
        try {
          const r = binaryOpFast(vm, a, b, oparg);
          if (r === 0) return;
          const name = typeOf(vm, r).name;
          const got = name === 'float' ? float.value(r) : long.toBigInt(r);
          rt.decref(r);
          const want = general(a, b, oparg);
          expect(typeof want === 'string' ? want : want[0]).toBe(name);
          expect(Object.is((want as [string, number | bigint])[1], got)).toBe(true);
        } finally {
          rt.decref(a);
          rt.decref(b);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('int / int of medium ints is the correctly rounded quotient (long_true_divide)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 30) + 1, max: 2 ** 30 - 1 }), fc.integer({ min: -(2 ** 30) + 1, max: 2 ** 30 - 1 }), (x, y) => {
        const a = newInt(vm, BigInt(x));
        const b = newInt(vm, BigInt(y));
        try {
          const r = binaryOpFast(vm, a, b, 11);
          if (y === 0) expect(r).toBe(0);
          else {
            expect(Object.is(float.value(r), x / y)).toBe(true);
            rt.decref(r);
          }
        } finally {
          rt.decref(a);
          rt.decref(b);
        }
      }),
    );
  });
});

describe('COMPARE_OP fast paths', () => {
  const CMP: ReadonlyArray<(x: number, y: number) => boolean> = [(x, y) => x < y, (x, y) => x <= y, (x, y) => x === y, (x, y) => x !== y, (x, y) => x > y, (x, y) => x >= y];
  it('of ints, bools and floats: IEEE comparison (NaN unordered), or declined for a big int beside a float; the general path agrees', () => {
    fc.assert(
      fc.property(anOperand, anOperand, fc.integer({ min: 0, max: 5 }), (x, y, op) => {
        const a = make(x);
        const b = make(y);
        try {
          const r = compareOpFast(vm, a, b, op);
          const big = (o: Operand): boolean => o.kind === 'int' && (o.v >= 2n ** 30n || o.v <= -(2n ** 30n));
          if (big(x) || big(y)) expect(r).toBe(null);
          else {
            expect(r).toBe(CMP[op]!(asNumber(x), asNumber(y)));
            expect(richCompareBool(vm, a, b, op)).toBe(r);
          }
        } finally {
          rt.decref(a);
          rt.decref(b);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('of two strs: == and != by content, the orderings declined', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), fc.integer({ min: 0, max: 5 }), (x, y, op) => {
        const a = vm.interp.str.fromString(x);
        const b = vm.interp.str.fromString(y);
        try {
          const r = compareOpFast(vm, a, b, op);
          if (op === 2 || op === 3) expect(r).toBe((x === y) === (op === 2));
          else expect(r).toBe(null);
        } finally {
          rt.decref(a);
          rt.decref(b);
        }
      }),
    );
  });
});

/** One step on the containers: read or write a list, tuple or dict slot. */
type Step =
  | { op: 'lget'; i: number }
  | { op: 'lset'; i: number; obj: boolean }
  | { op: 'tget'; i: number }
  | { op: 'dget'; k: number | string }
  | { op: 'dset'; k: number | string; obj: boolean };
const aKey = fc.oneof(fc.integer({ min: -3, max: 6 }), fc.constantFrom('a', 'b', 'c'));
const anIndex = fc.integer({ min: -7, max: 7 });
const aStep: fc.Arbitrary<Step> = fc.oneof(
  anIndex.map((i) => ({ op: 'lget' as const, i })),
  fc.record({ i: anIndex, obj: fc.boolean() }).map((r) => ({ op: 'lset' as const, ...r })),
  anIndex.map((i) => ({ op: 'tget' as const, i })),
  aKey.map((k) => ({ op: 'dget' as const, k })),
  fc.record({ k: aKey, obj: fc.boolean() }).map((r) => ({ op: 'dset' as const, ...r })),
);

/** The program the steps make, and the output the JavaScript model says CPython prints. */
function programOf(steps: readonly Step[]): { source: string; expected: string } {
  // The model: a list of 5 and a tuple of 4 ints, a dict, and `o` stored where asked (its refcount counts them).
  const list: (number | 'o')[] = [0, 1, 2, 3, 4];
  const tuple = [10, 11, 12, 13];
  const dict = new Map<number | string, number | 'o'>();
  const lines = ['import sys', 'o = object()', 'l = [0, 1, 2, 3, 4]', 't = (10, 11, 12, 13)', 'd = {}'];
  const out: string[] = [];
  const key = (k: number | string): string => (typeof k === 'string' ? `'${k}'` : String(k));
  const show = (v: number | 'o'): string => (v === 'o' ? 'o' : String(v));
  const at = (n: number, i: number): number => (i < 0 ? i + n : i);
  steps.forEach((s, n) => {
    const value = (obj: boolean): number | 'o' => (obj ? 'o' : 100 + n);
    const guard = (stmt: string, error: string): void => {
      lines.push('try:', `    ${stmt}`, `except ${error}:`, `    print('${error}')`);
    };
    switch (s.op) {
      case 'lget': {
        guard(`v = l[${s.i}]; print('o' if v is o else v)`, 'IndexError');
        const j = at(list.length, s.i);
        out.push(j >= 0 && j < list.length ? show(list[j]!) : 'IndexError');
        break;
      }
      case 'lset': {
        const v = value(s.obj);
        guard(`l[${s.i}] = ${show(v)}`, 'IndexError');
        const j = at(list.length, s.i);
        if (j >= 0 && j < list.length) list[j] = v;
        else out.push('IndexError');
        break;
      }
      case 'tget': {
        guard(`print(t[${s.i}])`, 'IndexError');
        const j = at(tuple.length, s.i);
        out.push(j >= 0 && j < tuple.length ? String(tuple[j]) : 'IndexError');
        break;
      }
      case 'dget': {
        guard(`v = d[${key(s.k)}]; print('o' if v is o else v)`, 'KeyError');
        const v = dict.get(s.k);
        out.push(v !== undefined ? show(v) : 'KeyError');
        break;
      }
      case 'dset': {
        const v = value(s.obj);
        lines.push(`d[${key(s.k)}] = ${show(v)}`);
        dict.set(s.k, v);
        break;
      }
    }
  });
  lines.push('v = None', 'print(sys.getrefcount(o))', 'print(l)', 'print(sorted(d.items(), key=repr))');
  const refs = 2 + list.filter((v) => v === 'o').length + [...dict.values()].filter((v) => v === 'o').length;
  out.push(String(refs));
  out.push(`[${list.map((v) => (v === 'o' ? '<o>' : String(v))).join(', ')}]`);
  const items = [...dict.entries()].map(([k, v]) => [`(${key(k)}, ${v === 'o' ? '<o>' : String(v)})`, `(${key(k)}, ${show(v)})`] as const);
  out.push(`[${items.sort((p, q) => (p[1] < q[1] ? -1 : p[1] > q[1] ? 1 : 0)).map((p) => p[0]).join(', ')}]`);
  return { source: lines.join('\n'), expected: `${out.join('\n')}\n` };
}

describe('BINARY_SUBSCR / STORE_SUBSCR on lists, tuples and dicts, run by the loop, equal a model of the containers', () => {
  it('items, IndexError / KeyError and the stored object refcount', () => {
    fc.assert(
      fc.property(fc.array(aStep, { minLength: 1, maxLength: 25 }), (steps) => {
        const { source, expected } = programOf(steps);
        let out = '';
        let err = '';
        const status = runCommand(['-c', source], { stdout: (t) => (out += t), stderr: (t) => (err += t) }, { env: {} });
        expect(err).toBe('');
        expect(status).toBe(0);
        // The model prints an object as <o>; pymem prints its repr.
        expect(out.replace(/<object object at 0x[0-9a-f]+>/g, '<o>')).toBe(expected);
      }),
      { numRuns: 40 },
    );
  });
});
