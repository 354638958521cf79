// The parser against CPython 3.11.7's ast.parse on the corpus record.py recorded.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from '../lib/frontend/parser.js';
import { PARSER_FIXTURES, readSources, toJson } from './60-parser-support.js';

const expected = JSON.parse(readFileSync(join(PARSER_FIXTURES, 'ast.json'), 'utf8')) as Record<string, unknown>;

describe('parse() gives the tree of ast.parse', () => {
  const sources = readSources('corpus');
  it('covers the recorded corpus', () => {
    expect(sources.map(([n]) => n)).toEqual(Object.keys(expected).sort());
    expect(sources.length).toBeGreaterThanOrEqual(150);
  });
  it.each(sources)('%s', (name, source) => {
    expect(toJson(parse(source, name))).toEqual(expected[name]);
  });
});
