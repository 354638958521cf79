// `--json` on every command that prints results: each command declares it
// (but run, repl and dis, whose output is the program's and the bytecode's), and
// demo, conformance and compare print one JSON document whose malloc stats
// validate against schema/malloc-stats.schema.json.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../lib/cli/commands.js';
import { type Schema, validateJson } from './support/jsonSchema.js';

const root = resolve(import.meta.dirname, '..');
const schema = JSON.parse(readFileSync(join(root, 'schema/malloc-stats.schema.json'), 'utf8')) as Schema;
const out = mkdtempSync(join(tmpdir(), 'pymem-json-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Runs the built CLI; its exit status and stdout parsed as JSON. */
function pymemJson(...args: string[]): { status: number | null; json: Record<string, unknown> } {
  const r = spawnSync(process.execPath, [join(root, 'dist/bin/pymem.js'), ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  expect(r.stderr).not.toMatch(/Error/);
  return { status: r.status, json: JSON.parse(r.stdout) as Record<string, unknown> };
}

/** Commands whose output is not a result to structure: a program's own output, and bytecode as python3 -m dis prints it. */
const NOT_RESULTS = new Set(['run', 'repl', 'dis']);

describe('--json', () => {
  it('is an option of every command that prints results', () => {
    const lacking = COMMANDS.filter((c) => !NOT_RESULTS.has(c.name) && !('json' in c.options)).map((c) => c.name);
    expect(lacking).toEqual([]);
  });

  it('pymem demo --json: the verdict and stats of the start-up replay', () => {
    const { status, json } = pymemJson('demo', '--json');
    expect(status).toBe(0);
    expect(json).toMatchObject({ matches: true, differingLines: [], placementMismatches: 0, arenaMismatches: 0, profile: 'cpython311' });
    expect(validateJson(schema, json['stats'])).toEqual([]);
  });

  it('pymem conformance --json: one object per trace', () => {
    const { status, json } = pymemJson('conformance', '--json');
    expect(status).toBe(0);
    const traces = json['traces'] as Record<string, unknown>[];
    expect(traces.map((t) => t['trace'] as string).map((t) => t.split('/').at(-1))).toEqual(['compile.trace.gz', 'startup.trace.gz']);
    for (const t of traces) {
      expect(t).toMatchObject({ conforms: true, statsLinesDiffering: 0, placementMismatches: 0 });
      expect(validateJson(schema, t['stats'])).toEqual([]);
    }
    expect(json['allConform']).toBe(true);
  });

  it('pymem compare --json: every run, release policies side by side', () => {
    const { status, json } = pymemJson(
      'compare', 'synthetic:lifetimes', '--scale', '0.02', '--runs', '1', '--memory-runs', '1',
      '--allocators', 'pymem,pymem+madvise,pymem+cache4', '--out', out, '--json',
    );
    expect(status).toBe(0);
    const [w] = json['workloads'] as { measures: { allocator: string }[]; failures: unknown[] }[];
    expect(w!.failures).toEqual([]);
    expect(w!.measures.map((m) => m.allocator)).toEqual(['pymem', 'pymem+madvise', 'pymem+cache4']);
    expect(json['files']).toContain(join(out, 'results.json'));
  });
});
