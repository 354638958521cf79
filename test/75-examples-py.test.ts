// The Python examples (examples/*.py, the tutorial's points as programs a
// learner runs with `npx pymem run examples/NAME.py`) print under pymem run
// exactly what CPython 3.11.7 printed (examples/NAME.out, recorded by
// examples/record-py.sh), with nothing on stderr and the heap intact.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { pymallocViolations } from '../lib/allocator/validate.js';
import { runCommand } from '../lib/eval/runCommand.js';

const dir = join(import.meta.dirname, '../examples');
const programs = readdirSync(dir).filter((f) => f.endsWith('.py'));

it('there are Python examples', () => {
  expect(programs.length).toBeGreaterThanOrEqual(6);
});

it.each(programs)('examples/%s prints what CPython printed', (name) => {
  let out = '';
  let err = '';
  let violations: string[] = [];
  const status = runCommand([join(dir, name)], { stdout: (t) => (out += t), stderr: (t) => (err += t) }, {
    inspect: (vm) => {
      violations = pymallocViolations(vm.interp.rt.heap.pymalloc);
    },
  });
  expect({ status, err }).toEqual({ status: 0, err: '' });
  expect(out).toBe(readFileSync(join(dir, name.replace(/\.py$/, '.out')), 'utf8'));
  expect(violations).toEqual([]);
});
