/*
 * Reading the tables of a code object as CPython 3.11.7 reads its own:
 * co_positions(), co_lines() and the exception table of every code object
 * of a few recorded programs equal CPython's (expected/tables.json), and
 * addr2line / exceptionHandler agree with them at every offset.
 */

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../lib/frontend/compile.js';
import { addr2line, coLines, coPositions } from '../lib/frontend/lineTable.js';
import { exceptionHandler, parseExceptionTable } from '../lib/frontend/exceptionTable.js';
import { compilerFixtures, walkCode } from './63-compiler-support.js';

interface Tables {
  positions: (number | null)[][];
  lines: (number | null)[][];
  exceptions: [number, number, number, number, boolean][];
}

const recorded = JSON.parse(readFileSync(join(compilerFixtures, 'expected/tables.json'), 'utf8')) as Record<string, Tables[]>;

describe.each(Object.keys(recorded))('%s.py', (stem) => {
  const file = join('programs', `${stem}.py`);
  const codes = walkCode(compile(readFileSync(join(compilerFixtures, file), 'utf8'), file, 'exec'));
  const expected = recorded[stem]!;

  it('co_positions, co_lines and the exception table equal CPython\'s', () => {
    expect(codes.map((co) => ({
      positions: coPositions(co).map((p) => [p.lineno, p.endLineno, p.col, p.endCol]),
      lines: coLines(co).map((r) => [r.start, r.end, r.line]),
      exceptions: parseExceptionTable(co).map((e) => [e.start, e.end, e.target, e.depth, e.lasti]),
    }))).toEqual(expected);
  });

  it('addr2line and exceptionHandler agree with the tables at every offset', () => {
    codes.forEach((co, k) => {
      for (let offset = 0; offset < co.code.length; offset += 2) {
        const line = expected[k]!.positions[offset / 2]![0];
        expect(addr2line(co, offset)).toBe(line ?? -1);
        const entry = expected[k]!.exceptions.find(([start, end]) => offset >= start && offset < end);
        expect(exceptionHandler(co, offset)?.target ?? null).toBe(entry ? entry[2] : null);
      }
    });
  });
});
