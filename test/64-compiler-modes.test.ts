/*
 * compile() in 'eval' and 'single' mode (the REPL compiles each statement on
 * its own, printing expression statements with PRINT_EXPR): code objects
 * equal to CPython 3.11.7's, recorded in expected/modes.json.
 */

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../lib/frontend/compile.js';
import { codeRecord, compilerFixtures, walkCode } from './63-compiler-support.js';

interface ModeCase {
  mode: 'eval' | 'single';
  source: string;
  code: unknown[];
}

const cases = JSON.parse(readFileSync(join(compilerFixtures, 'expected/modes.json'), 'utf8')) as ModeCase[];

describe('compile modes', () => {
  it.each(cases.map((c) => [c.mode, c.source, c] as const))('%s %j', (mode, source, c) => {
    expect(walkCode(compile(source, '<stdin>', mode)).map(codeRecord)).toEqual(c.code);
  });

  it("shares one constant between two names in one compilation but not across 'single' statements", () => {
    const together = compile('a = 1000\nb = 1000\n', '<string>', 'exec');
    expect(together.consts.filter((c) => c === 1000n)).toHaveLength(1);
    const first = compile('a = 1000', '<stdin>', 'single');
    const second = compile('b = 1000', '<stdin>', 'single');
    expect(first.consts).toContain(1000n);
    expect(second.consts).toContain(1000n);
    expect(first).not.toBe(second);
  });
});
