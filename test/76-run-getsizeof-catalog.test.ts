// The getsizeof catalog of golden.json run as CPython recorded it — a
// Python program under `pymem run`: exec(setup, ns), then for each of the
// 324 expressions, in order, obj = eval(expr, ns) and sys.getsizeof(obj),
// type(obj).__name__ and gc.is_tracked(obj). Each must equal the recorded
// values except the cases listed as not yet supported by pymem run (each
// with the reason); a listed case that starts to pass fails the test, so
// the list only shrinks.
import { describe, expect, it } from 'vitest';
import { pymallocViolations } from '../lib/allocator/validate.js';
import { exec } from '../lib/eval/run.js';
import { type GoldenCase, loadGolden } from './support/golden.js';

interface Golden {
  getsizeof: { setup: string; cases: GoldenCase[] };
}

const catalog = loadGolden<Golden>()!.getsizeof;

/** Cases pymem run cannot evaluate yet, by expression, with the reason. */
const UNSUPPORTED = new Map<string, string>([
  ['weakref.proxy(wr_target)', 'weakref.proxy'],
  ['property()', 'property objects of their own type'],
  ['staticmethod(f)', 'staticmethod objects of their own type'],
  ['classmethod(f)', 'classmethod objects of their own type'],
]);

/** Python source of the catalog run: one line per case, `size type tracked` or `ERR Type message`. */
function catalogProgram(): string {
  const exprs = JSON.stringify(catalog.cases.map((c) => c.expr));
  return [
    'import sys, gc',
    'ns = {}',
    `exec(${JSON.stringify(catalog.setup)}, ns)`,
    `for e in ${exprs}:`,
    '    try:',
    '        obj = eval(e, ns)',
    '        print(sys.getsizeof(obj), type(obj).__name__, gc.is_tracked(obj))',
    '        del obj',
    '    except Exception as ex:',
    "        print('ERR', type(ex).__name__, ex)",
    '',
  ].join('\n');
}

describe('the getsizeof catalog under pymem run', () => {
  let out = '';
  let err = '';
  const r = exec(catalogProgram(), { filename: 'catalog.py', keep: true, io: { stdout: (t) => (out += t), stderr: (t) => (err += t) } });
  const lines = out.split('\n');
  let violations: unknown[];
  try {
    violations = pymallocViolations(r.vm!.interp.rt.heap.pymalloc);
  } finally {
    r.vm!.interp.dispose();
  }
  it('runs to the end with a consistent heap', () => {
    expect(err).toBe('');
    expect(r.status).toBe(0);
    expect(lines.length).toBe(catalog.cases.length + 1);
    expect(violations).toEqual([]);
  });
  it('every listed case is in the catalog', () => {
    const exprs = new Set(catalog.cases.map((c) => c.expr));
    expect([...UNSUPPORTED.keys()].filter((e) => !exprs.has(e))).toEqual([]);
  });
  it.each(catalog.cases.map((c, i) => [c.expr, c, i] as const))('%s', (expr, c, i) => {
    const want = `${c.size} ${c.type} ${c.gc_tracked ? 'True' : 'False'}`;
    if (UNSUPPORTED.has(expr)) expect(lines[i], `${expr} now passes: take it off the list`).not.toBe(want);
    else expect(lines[i]).toBe(want);
  });
  it(`equals CPython on ${catalog.cases.length - UNSUPPORTED.size} of ${catalog.cases.length} cases`, () => {
    const equal = catalog.cases.filter((c, i) => lines[i] === `${c.size} ${c.type} ${c.gc_tracked ? 'True' : 'False'}`).length;
    expect(equal).toBe(catalog.cases.length - UNSUPPORTED.size);
  });
});
