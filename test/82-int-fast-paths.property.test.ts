/*
 * The int fast paths of BINARY_OP and COMPARE_OP (lib/eval/intFastPaths.ts)
 * against a BigInt model of Python's int semantics: for ints around the
 * medium-value boundary (|v| < 2**30 takes the fast path, beyond it the
 * BigInt path) and every operator the fast path takes (+ - * // % & | ^ <<
 * >> and the six comparisons), pymem's result is the model's, with the
 * model's type (an int; a bool for & | ^ of two bools). Division by zero and
 * negative shifts stay errors with CPython's messages.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { binaryOp, newInt, richCompareBool, typeOf } from '../lib/eval/abstract.js';
import { PyErr } from '../lib/eval/pyerr.js';
import { finalize, newVm } from '../lib/eval/run.js';
import { runCommand } from '../lib/eval/runCommand.js';

const vm = newVm({ io: { stdout: () => undefined, stderr: () => undefined } });
afterAll(() => {
  finalize(vm);
  vm.interp.dispose();
});
const { long, rt } = { long: vm.interp.long, rt: vm.interp.rt };

/** Python's floor division and modulo on BigInts. */
const floorDiv = (x: bigint, y: bigint): bigint => {
  const q = x / y;
  return x % y !== 0n && x < 0n !== y < 0n ? q - 1n : q;
};
const floorMod = (x: bigint, y: bigint): bigint => {
  const r = x % y;
  return r !== 0n && r < 0n !== y < 0n ? r + y : r;
};

/** BINARY_OP opargs and the model of each. */
const OPS: ReadonlyArray<readonly [number, string, (x: bigint, y: bigint) => bigint]> = [
  [0, '+', (x, y) => x + y],
  [10, '-', (x, y) => x - y],
  [5, '*', (x, y) => x * y],
  [2, '//', floorDiv],
  [6, '%', floorMod],
  [1, '&', (x, y) => x & y],
  [7, '|', (x, y) => x | y],
  [12, '^', (x, y) => x ^ y],
  [3, '<<', (x, y) => x << y],
  [9, '>>', (x, y) => x >> y],
];

/** Ints near 0, near the medium boundary 2**30 and beyond it, of either sign. */
const anInt = fc.oneof(
  fc.integer({ min: -300, max: 300 }),
  fc.integer({ min: -(2 ** 30) - 3, max: -(2 ** 30) + 3 }),
  fc.integer({ min: 2 ** 30 - 3, max: 2 ** 30 + 3 }),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
).map((v) => BigInt(v));

/** The result of a op b in pymem, as [type name, value], or the Python error's text. */
function pymem(x: bigint, y: bigint, oparg: number): [string, bigint] | string {
  const a = newInt(vm, x);
  const b = newInt(vm, y);
  try {
    const r = binaryOp(vm, a, b, oparg);
    const out: [string, bigint] = [typeOf(vm, r).name, long.toBigInt(r)];
    rt.decref(r);
    return out;
  } catch (e) {
    if (!(e instanceof PyErr)) throw e;
    const text = `${typeOf(vm, e.exc).name}`;
    rt.decref(e.exc);
    return text;
  } finally {
    rt.decref(a);
    rt.decref(b);
  }
}

describe('BINARY_OP on ints equals the BigInt model', () => {
  it.each(OPS)('oparg %i (%s)', (oparg, sym, model) => {
    fc.assert(
      fc.property(anInt, anInt, (x, y0) => {
        // Shifts by a count a test can hold; the errors are their own case below.
        const y = sym === '<<' || sym === '>>' ? (y0 < 0n ? -y0 : y0) % 80n : y0;
        const got = pymem(x, y, oparg);
        if ((sym === '//' || sym === '%') && y === 0n) expect(got).toBe('ZeroDivisionError');
        else expect(got).toEqual(['int', model(x, y)]);
      }),
      { numRuns: 400 },
    );
  });

  it('the inplace opargs (13 on) give the same', () => {
    fc.assert(
      fc.property(anInt, anInt, fc.constantFrom(...OPS.filter(([, s]) => s !== '<<' && s !== '>>')), (x, y, [oparg, sym, model]) => {
        if ((sym === '//' || sym === '%') && y === 0n) return;
        expect(pymem(x, y, oparg + 13)).toEqual(['int', model(x, y)]);
      }),
    );
  });

  it('& | ^ of two bools are bools; of a bool and an int, ints', () => {
    const T = long.True;
    const F = long.False;
    const one = newInt(vm, 1);
    for (const [oparg, , model] of OPS.filter(([, s]) => s === '&' || s === '|' || s === '^')) {
      for (const [a, b] of [[T, F], [T, T], [F, F], [T, one]] as const) {
        const r = binaryOp(vm, a, b, oparg);
        expect(typeOf(vm, r).name).toBe(a === one || b === one ? 'int' : 'bool');
        expect(long.toBigInt(r)).toBe(model(long.toBigInt(a), long.toBigInt(b)));
        rt.decref(r);
      }
    }
    rt.decref(one);
  });

  it("errors keep CPython's messages: integer division or modulo by zero, negative shift count", () => {
    const program = ['a = 7', 'for b in (0, -1):', '    for f in (lambda: a // b, lambda: a % b, lambda: a << b, lambda: a >> b):', '        try:', '            print(f())', '        except (ZeroDivisionError, ValueError) as e:', '            print(type(e).__name__, e)'].join('\n');
    let out = '';
    expect(runCommand(['-c', program], { stdout: (t) => (out += t), stderr: (t) => (out += t) }, { env: {} })).toBe(0);
    // python3 -c of the same program:
    expect(out).toBe(
      'ZeroDivisionError integer division or modulo by zero\nZeroDivisionError integer modulo by zero\n7\n7\n-7\n0\nValueError negative shift count\nValueError negative shift count\n',
    );
  });
});

describe('COMPARE_OP on ints equals the BigInt model', () => {
  const CMP: ReadonlyArray<(x: bigint, y: bigint) => boolean> = [(x, y) => x < y, (x, y) => x <= y, (x, y) => x === y, (x, y) => x !== y, (x, y) => x > y, (x, y) => x >= y];
  it('for every comparison', () => {
    fc.assert(
      fc.property(anInt, fc.oneof(anInt, fc.constant(null)), fc.integer({ min: 0, max: 5 }), (x, y0, op) => {
        const y = y0 ?? x;
        const a = newInt(vm, x);
        const b = newInt(vm, y);
        try {
          expect(richCompareBool(vm, a, b, op)).toBe(CMP[op]!(x, y));
        } finally {
          rt.decref(a);
          rt.decref(b);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
