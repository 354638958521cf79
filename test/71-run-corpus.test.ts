/*
 * The differential corpus: each test/fixtures/run/corpus/NAME.py under
 * `pymem run` gives exactly the stdout CPython 3.11.7 gave (NAME.out,
 * recorded by record.py in that folder), and for programs that failed,
 * the same stderr (NAME.err) and exit status (NAME.status); the heap's
 * pymalloc invariants hold after each run.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pymallocViolations } from '../lib/allocator/validate.js';
import { runCommand } from '../lib/eval/runCommand.js';

const dir = join(__dirname, 'fixtures/run/corpus');
const programs = readdirSync(dir).filter((f) => f.endsWith('.py') && f !== 'record.py').sort();

describe('pymem run: the corpus prints what CPython printed', () => {
  for (const name of programs) {
    it(name, () => {
      const base = join(dir, name.replace(/\.py$/, ''));
      let out = '';
      let err = '';
      let violations: string[] = [];
      const status = runCommand([join(dir, name)], { stdout: (t) => (out += t), stderr: (t) => (err += t) }, {
        displayName: name,
        inspect: (vm) => {
          violations = pymallocViolations(vm.interp.rt.heap.pymalloc);
        },
      });
      expect(out).toBe(readFileSync(`${base}.out`, 'utf8'));
      expect(err).toBe(existsSync(`${base}.err`) ? readFileSync(`${base}.err`, 'utf8') : '');
      expect(status).toBe(existsSync(`${base}.status`) ? Number(readFileSync(`${base}.status`, 'utf8')) : 0);
      expect(violations).toEqual([]);
    });
  }
});
