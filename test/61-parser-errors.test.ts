// SyntaxErrors against CPython 3.11.7: the fields of the exception and what `python3 name.py` printed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PymemError } from '../lib/errors.js';
import { parse } from '../lib/frontend/parser.js';
import { formatSyntaxError, formatSyntaxWarning, ParserStackOverflowError, PySyntaxError, type PySyntaxWarning } from '../lib/frontend/syntaxError.js';
import { PARSER_FIXTURES, readSources, toJson } from './60-parser-support.js';

interface Recorded {
  kind: string;
  msg: string;
  lineno: number;
  offset: number;
  end_lineno: number;
  end_offset: number;
  text: string | null;
  stderr: string;
}

const expected = JSON.parse(readFileSync(join(PARSER_FIXTURES, 'errors.json'), 'utf8')) as Record<string, Recorded>;

function syntaxErrorOf(source: string, filename: string): PySyntaxError {
  try {
    parse(source, filename);
  } catch (e) {
    if (e instanceof PySyntaxError) return e;
    throw e;
  }
  throw new Error(`${filename} parsed without error`);
}

describe('PySyntaxError as CPython raises and prints it', () => {
  const sources = readSources('errors');
  it('covers the recorded errors', () => {
    expect(sources.map(([n]) => n)).toEqual(Object.keys(expected).sort());
    expect(sources.length).toBeGreaterThanOrEqual(60);
  });
  it.each(sources)('%s', (name, source) => {
    const e = syntaxErrorOf(source, name);
    const r = expected[name];
    expect(e).toBeInstanceOf(PymemError);
    expect({ kind: e.kind, msg: e.msg, lineno: e.lineno, offset: e.offset, end_lineno: e.endLineno, end_offset: e.endOffset, text: e.text }).toEqual({
      kind: r.kind,
      msg: r.msg,
      lineno: r.lineno,
      offset: r.offset,
      end_lineno: r.end_lineno,
      end_offset: r.end_offset,
      text: r.text,
    });
    expect(formatSyntaxError(e)).toBe(r.stderr);
  });
});

describe('SyntaxWarnings as CPython prints them', () => {
  const recorded = JSON.parse(readFileSync(join(PARSER_FIXTURES, 'warnings.json'), 'utf8')) as Record<string, { stderr: string; status: number }>;
  it.each(readSources('warnings'))('%s', (name, source) => {
    const warnings: PySyntaxWarning[] = [];
    let stderr = '';
    let status = 0;
    try {
      parse(source, name, 'exec', warnings);
    } catch (e) {
      if (!(e instanceof PySyntaxError)) throw e;
      stderr = formatSyntaxError(e);
      status = 1;
    }
    const lines = source.split('\n');
    // python3's default filters hide DeprecationWarnings (invalid escapes; shown under -X dev: test/79).
    const shown = warnings.filter((w) => w.category === 'SyntaxWarning').map((w) => formatSyntaxWarning(w, lines[w.lineno - 1] ?? null)).join('');
    expect({ stderr: shown + stderr, status }).toEqual(recorded[name]);
  });
});

describe('nesting deeper than the parser takes', () => {
  // CPython 3.11 parses `x = ` and 5967 minus signs, and raises MemoryError for 5968 (pegen's MAXSTACK).
  it('stops where CPython does', () => {
    expect(() => parse(`x = ${'-'.repeat(5967)}1\n`)).not.toThrow();
    expect(() => parse(`x = ${'-'.repeat(5968)}1\n`)).toThrow(ParserStackOverflowError);
    expect(() => parse(`x = ${'not '.repeat(5968)}1\n`)).toThrow(ParserStackOverflowError);
  });
  it('is a typed error, never a JavaScript stack overflow', () => {
    for (const source of [`x = ${'-'.repeat(100_000)}1\n`, `x = ${'lambda: '.repeat(20_000)}1\n`, `x = ${'a if b else '.repeat(20_000)}1\n`]) {
      let err: unknown;
      try {
        parse(source, 'deep.py');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ParserStackOverflowError);
      expect(err).toBeInstanceOf(PymemError);
      expect((err as ParserStackOverflowError).pythonType).toBe('MemoryError');
    }
  });
});

describe('random token soups (fuzz_errors.py, seed 2026): the tree or the error CPython gives', () => {
  interface FuzzCase {
    src: string;
    ast?: unknown;
    err?: [string, string, number, number, number, number];
  }
  const cases = JSON.parse(gunzipSync(readFileSync(join(PARSER_FIXTURES, 'fuzz.json.gz'))).toString('utf8')) as FuzzCase[];
  it('covers 1000 recorded soups, most of them errors', () => {
    expect(cases.length).toBe(1000);
    expect(cases.filter((c) => c.err !== undefined).length).toBeGreaterThan(900);
  });
  it('matches CPython on every soup', () => {
    const differing: string[] = [];
    for (const c of cases) {
      let mine: unknown;
      try {
        mine = { ast: toJson(parse(c.src, 'f.py')) };
      } catch (e) {
        if (!(e instanceof PySyntaxError)) throw e;
        mine = { err: [e.kind, e.msg, e.lineno, e.offset, e.endLineno, e.endOffset] };
      }
      const theirs = c.ast !== undefined ? { ast: c.ast } : { err: c.err };
      if (JSON.stringify(mine) !== JSON.stringify(theirs)) differing.push(`${JSON.stringify(c.src)}: ${JSON.stringify(mine)} vs ${JSON.stringify(theirs)}`);
    }
    expect(differing).toEqual([]);
  });
});
