/*
 * The symbol table against CPython 3.11.7's own (Python's `symtable`
 * module, recorded by record.py for every corpus program that compiles):
 * the same scopes in the same order, and for every name the same raw flags
 * (DEF_* bits and the scope analysis put in bit 11 and up).
 */

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../lib/frontend/parser.js';
import { buildSymtable, type SymtableEntry } from '../lib/frontend/symtable.js';
import { futureParse } from '../lib/frontend/future.js';
import { compilerFixtures } from './63-compiler-support.js';

interface Table {
  name: string;
  type: string;
  lineno: number;
  symbols: Record<string, number>;
  children: Table[];
}

const recorded = JSON.parse(readFileSync(join(compilerFixtures, 'expected/symtables.json'), 'utf8')) as Record<string, Table>;

function table(ste: SymtableEntry): Table {
  return {
    name: ste.name,
    type: ste.type,
    lineno: ste.loc.lineno,
    symbols: Object.fromEntries(ste.symbols),
    children: ste.children.map(table),
  };
}

describe('symbol tables', () => {
  it.each(Object.keys(recorded))('%s.py', (stem) => {
    const source = readFileSync(join(compilerFixtures, 'programs', `${stem}.py`), 'utf8');
    const lines = source.split('\n');
    const tree = parse(source, `${stem}.py`, 'exec');
    const st = buildSymtable(tree, `${stem}.py`, lines, futureParse(tree, `${stem}.py`, lines).features.has('annotations'));
    expect(table(st.top)).toEqual(recorded[stem]);
  });
});
