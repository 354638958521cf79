// Every example in examples/ runs on plain Node (`node examples/NAME.mjs`,
// importing the package by its name) and prints what its NAME.out says,
// so the documentation cannot rot. The examples that mirror a tutorial
// program recorded from CPython 3.11.7 (fixtures/snippets) print exactly
// CPython's output. Where a line depends on the machine (RSS), it is
// matched by a pattern instead.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePath } from './support/fixtures.js';

const root = resolve(import.meta.dirname, '..');
const dir = join(root, 'examples');
const examples = readdirSync(dir).filter((f) => f.endsWith('.mjs')).sort();

/** The examples whose output has machine-dependent lines: a pattern per line. */
const PATTERNS: Record<string, RegExp[]> = {
  '09-ten-million-list.mjs': [/^80000056$/, /^10000000 0 0$/, /^raw bytes: \+80000000 \(the item array\)$/, /^RSS: \+\d+ MiB while the list lives$/, /^after del: RSS (shrank|did not shrink) by -?\d+ MiB$/, /^136$/],
  '10-measure-memory.mjs': [
    /^blocks in use: {2}\+3,200,064 bytes /,
    /^raw \(malloc\): {3}\+800,000 bytes /,
    /^arenas mapped: {2}\+[34] MiB$/,
    /^process RSS: {4}-?\d+\.\d MiB more /,
  ],
};

/** Examples that are a recorded CPython program: the snippet, and which of the example's lines print its output. */
const MIRRORS: Record<string, { snippet: string; lines?: number[] }> = {
  '03-node-cycle.mjs': { snippet: 'seed_cycle' },
  '06-small-int-cache.mjs': { snippet: 'seed_small_objects', lines: [-1, 0, 1] },
  '07-list-growth.mjs': { snippet: 'seed_list_growth' },
  '08-slots-vs-dict.mjs': { snippet: 'seed_slots' },
  '09-ten-million-list.mjs': { snippet: 'seed_large', lines: [0, 1, 5] },
};

/** Runs an example as a user would: plain node, from the package directory. */
function run(example: string): string {
  const r = spawnSync(process.execPath, [join(dir, example)], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

describe('examples', () => {
  it('there is one per tutorial point, each with its expected output', () => {
    expect(examples).toHaveLength(12);
    for (const e of examples) expect(existsSync(join(dir, e.replace(/\.mjs$/, '.out'))) || e in PATTERNS, e).toBe(true);
  });

  it.each(examples)('%s prints what it should', (example) => {
    const out = run(example);
    const lines = out.replace(/\n$/, '').split('\n');
    const patterns = PATTERNS[example];
    if (patterns) {
      expect(lines).toHaveLength(patterns.length);
      patterns.forEach((p, i) => expect(lines[i]).toMatch(p));
    } else {
      expect(out).toBe(readFileSync(join(dir, example.replace(/\.mjs$/, '.out')), 'utf8'));
    }
    const mirror = MIRRORS[example];
    if (mirror) {
      const cpython = readFileSync(fixturePath(`snippets/${mirror.snippet}.out`), 'utf8').replace(/\n$/, '').split('\n');
      if (mirror.lines === undefined) expect(lines).toEqual(cpython);
      else mirror.lines.forEach((ours, theirs) => ours >= 0 && expect(lines[ours]).toBe(cpython[theirs]));
    }
  });
});
