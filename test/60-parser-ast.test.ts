// The parser against CPython 3.11.7's ast.parse, on the corpus and stdlib modules record.py recorded.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parse } from '../lib/frontend/parser.js';
import { PySyntaxError } from '../lib/frontend/syntaxError.js';
import { PARSER_FIXTURES, readSources, toJson } from './60-parser-support.js';

const recorded = (file: string) => JSON.parse(gunzipSync(readFileSync(join(PARSER_FIXTURES, file))).toString('utf8')) as Record<string, unknown>;

describe('parse() gives the tree of ast.parse', () => {
  const expected = recorded('ast.json.gz');
  const sources = readSources('corpus');
  it('covers the recorded corpus', () => {
    expect(sources.map(([n]) => n)).toEqual(Object.keys(expected).sort());
    expect(sources.length).toBeGreaterThanOrEqual(150);
  });
  it.each(sources)('%s', (name, source) => {
    expect(toJson(parse(source, name))).toEqual(expected[name]);
  });
});

describe('parse() on modules of CPython 3.11.7 Lib', () => {
  const expected = recorded('stdlib.json.gz');
  const sources = readSources('stdlib');
  it('covers the recorded modules', () => {
    expect(sources.map(([n]) => n)).toEqual(Object.keys(expected).sort());
  });
  it.each(sources)('%s', (name, source) => {
    expect(toJson(parse(source, name))).toEqual(expected[name]);
  });
});

describe("parse() in 'eval' and 'single' modes", () => {
  interface ModeCase {
    mode: 'exec' | 'eval' | 'single';
    source: string;
    ast?: unknown;
    error?: { msg: string; lineno: number };
  }
  const cases = JSON.parse(readFileSync(join(PARSER_FIXTURES, 'modes.json'), 'utf8')) as ModeCase[];
  it.each(cases.map((c) => [c.mode, JSON.stringify(c.source), c] as const))('%s %s', (_mode, _src, c) => {
    if (c.ast !== undefined) {
      expect(toJson(parse(c.source, '<modes>', c.mode))).toEqual(c.ast);
    } else {
      expect(() => parse(c.source, '<modes>', c.mode)).toThrow(PySyntaxError);
      try {
        parse(c.source, '<modes>', c.mode);
      } catch (e) {
        expect({ msg: (e as PySyntaxError).msg, lineno: (e as PySyntaxError).lineno }).toEqual(c.error);
      }
    }
  });
});
