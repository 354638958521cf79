/*
 * `pymem dis FILE.py`: prints what `python3 -m dis FILE.py` printed for the
 * recorded programs (addresses normalised), exits 1 with CPython's message on
 * a SyntaxError, 2 on bad usage.
 */

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { disCommand } from '../lib/frontend/disCommand.js';
import { compilerFixtures } from './63-compiler-support.js';

function run(args: string[]): { status: number; out: string; err: string } {
  let out = '';
  let err = '';
  const status = disCommand(args, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { status, out, err };
}

const normalise = (s: string): string => s.replace(/0x[0-9a-f]+/g, '0xADDR');

describe('pymem dis', () => {
  it.each(['class_init', 'try_full', 'generator_yield_from', 'func_closure'])('%s.py prints python3 -m dis output', (stem) => {
    const cwd = process.cwd();
    process.chdir(compilerFixtures);
    try {
      const r = run([join('programs', `${stem}.py`)]);
      expect(r.status).toBe(0);
      expect(normalise(r.out)).toBe(normalise(readFileSync(join('expected', `${stem}.dis`), 'utf8')));
    } finally {
      process.chdir(cwd);
    }
  });

  it('gives code objects distinct addresses', () => {
    const r = run([join(compilerFixtures, 'programs/nested_functions_qualname.py')]);
    const addresses = [...r.out.matchAll(/<code object (\S+) at (0x[0-9a-f]+)/g)].map((m) => `${m[1]} ${m[2]}`);
    const byName = new Map(addresses.map((a) => a.split(' ') as [string, string]));
    expect(new Set(byName.values()).size).toBe(byName.size);
  });

  it('exits 1 with the SyntaxError on stderr', () => {
    const r = run([join(compilerFixtures, 'programs/err_global_param.py')]);
    expect(r.status).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/line 2\n {4}global x\n {4}\^+\nSyntaxError: name 'x' is parameter and global\n$/);
  });

  it('exits 2 on bad usage', () => {
    expect(run([]).status).toBe(2);
  });
});
