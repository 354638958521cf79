/*
 * Traceback objects and the cycle a caught exception makes (lib/objects/
 * types/traceback.ts, frameobject.ts; PyTraceBack_Here in ceval.ts): a
 * program whose calls f1 .. fD nest D deep, fD dividing by zero and f_C
 * (C = 0: the module) catching it, gets a traceback of D - C + 1 entries;
 * and when f_C keeps the exception in a local, gc.collect() after f1
 * returns finds the cycle exception -> traceback -> frame -> local: the
 * exception and one more object, the D - C + 1 traceback entries and
 * their frames, and the C - 1 frames of f1 .. f_{C-1} their f_back links
 * keep — 2 + 2 (D - C + 1) + (C - 1), as CPython 3.11.7 counts it
 * (recorded by hand for D <= 5 with python3; the formula is the model).
 * Without the local nothing is left for the collector. The heap's
 * pymalloc invariants hold after each run.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pymallocViolations } from '../lib/allocator/validate.js';
import { exec } from '../lib/eval/run.js';

/** The program for depth d, catching level c (0: the module), keeping the exception in a local or not. */
function program(d: number, c: number, keep: boolean): string {
  let src = 'import gc\nseen = []\ndef tb_len(e):\n    n = 0\n    t = e.__traceback__\n    while t is not None:\n        n += 1\n        t = t.tb_next\n    return n\n';
  for (let lvl = d; lvl >= 1; lvl--) {
    const call = lvl === d ? '1 / 0' : `f${lvl + 1}()`;
    if (lvl === c) src += `def f${lvl}():\n    try:\n        ${call}\n    except ZeroDivisionError as e:\n        seen.append(tb_len(e))\n${keep ? '        kept = e\n' : ''}`;
    else src += `def f${lvl}():\n    ${call}\n`;
  }
  src += 'gc.disable()\ngc.collect()\n';
  src += c === 0 ? 'try:\n    f1()\nexcept ZeroDivisionError as e:\n    seen.append(tb_len(e))\n' : 'f1()\n';
  return `${src}print(seen[0], gc.collect())\n`;
}

describe('traceback entries and the cycle through a caught exception', () => {
  it('one entry per frame unwound; a kept exception is a cycle of the size CPython collects', () => {
    const cases = fc
      .integer({ min: 1, max: 12 })
      .chain((d) => fc.tuple(fc.constant(d), fc.integer({ min: 0, max: d }), fc.boolean()))
      .filter(([, c, keep]) => c > 0 || !keep);
    fc.assert(
      fc.property(cases, ([d, c, keep]) => {
        let out = '';
        let violations: string[] = ['not run'];
        const r = exec(program(d, c, keep), { filename: 'tb.py', keep: true, io: { stdout: (t) => (out += t), stderr: () => undefined } });
        violations = pymallocViolations(r.vm!.interp.rt.heap.pymalloc);
        r.vm!.interp.dispose();
        const collected = keep ? 2 + 2 * (d - c + 1) + (c - 1) : 0;
        expect(r.status).toBe(0);
        expect(out).toBe(`${d - c + 1} ${collected}\n`);
        expect(violations).toEqual([]);
      }),
      { numRuns: 20 },
    );
  });
});
