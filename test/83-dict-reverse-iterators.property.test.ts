/*
 * reversed(dict) and reversed(view) (lib/objects/types/containerIters.ts's
 * reverse kinds, dict.ts's prev) against a model of a dict as an
 * insertion-ordered map: after any sequence of stores and deletions the
 * reverse key, value and item iterators give the model's entries last
 * first, their __length_hint__ counts down, and a store or deletion that
 * changes the size mid-walk makes the next step RuntimeError
 * ("dictionary changed size during iteration"), again on every later step,
 * as dictreviter_iternext's sticky di_used = -1 does.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { newInt, toPyErr, typeOf } from '../lib/eval/abstract.js';
import { finalize, newVm } from '../lib/eval/run.js';

const vm = newVm({ io: { stdout: () => undefined, stderr: () => undefined } });
afterAll(() => {
  finalize(vm);
  vm.interp.dispose();
});
const { dict, rt, tuple, long } = vm.interp;

type Op = { kind: 'set'; key: number; value: number } | { kind: 'del'; key: number };
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 0, max: 20 }), value: fc.integer({ min: -5, max: 1000 }) }),
  fc.record({ kind: fc.constant('del' as const), key: fc.integer({ min: 0, max: 20 }) }),
);

/** A dict and its model after ops (Python's dict order: a re-stored key keeps its place). */
function build(ops: readonly Op[]): { d: number; model: Map<number, number> } {
  const d = dict.new();
  const model = new Map<number, number>();
  for (const o of ops) {
    const k = newInt(vm, o.key);
    if (o.kind === 'set') {
      const v = newInt(vm, o.value);
      dict.setItem(d, k, v);
      rt.decref(v);
      model.set(o.key, o.value);
    } else if (model.has(o.key)) {
      dict.delItem(d, k);
      model.delete(o.key);
    }
    rt.decref(k);
  }
  return { d, model };
}

const num = (op: number): number => long.toNumber(op);
const next = (it: number): number => vm.tpIternext.get(typeOf(vm, it).id)!(it);

describe('dict reverse iterators against an insertion-ordered model', () => {
  it('give the entries last first, for keys, values and items, with the length hint counting down', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const { d, model } = build(ops);
        const expected = [...model.entries()].reverse();
        for (const kind of ['keys', 'values', 'items'] as const) {
          const it = vm.containerIters.dictIter(d, kind, true);
          const got: Array<[number, number] | number> = [];
          for (let i = 0; ; i++) {
            expect(vm.containerIters.lengthHint(it)).toBe(expected.length - i);
            const x = next(it);
            if (x === 0) break;
            got.push(kind === 'keys' ? num(x) : kind === 'values' ? num(x) : [num(tuple.getItem(x, 0)), num(tuple.getItem(x, 1))]);
            rt.decref(x);
          }
          expect(got).toEqual(expected.map(([k, v]) => (kind === 'keys' ? k : kind === 'values' ? v : [k, v])));
          expect(next(it)).toBe(0);
          rt.decref(it);
        }
        rt.decref(d);
      }),
      { numRuns: 150 },
    );
  });

  it('raise RuntimeError, and keep raising, once the size changed under them', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 20 }), (ops, fresh) => {
        const { d, model } = build(ops);
        fc.pre(model.size > 0 && !model.has(fresh));
        const it = vm.containerIters.dictIter(d, 'keys', true);
        const first = next(it);
        expect(num(first)).toBe([...model.keys()].at(-1));
        rt.decref(first);
        const k = newInt(vm, fresh);
        dict.setItem(d, k, k);
        rt.decref(k);
        for (let i = 0; i < 2; i++) {
          let err: unknown = null;
          try {
            next(it);
          } catch (e) {
            err = e;
          }
          expect(err).not.toBeNull();
          // The object layer's error, as the evaluation loop raises it.
          const exc = toPyErr(vm, err).exc;
          expect(typeOf(vm, exc).name).toBe('RuntimeError');
          expect(vm.interp.str.toString(tuple.getItem(vm.exc.get(exc, 'args'), 0))).toBe('dictionary changed size during iteration');
          rt.decref(exc);
        }
        rt.decref(it);
        rt.decref(d);
      }),
      { numRuns: 100 },
    );
  });
});
