/*
 * `pymem run --trace OUT`: the run's allocation stream from the heap's first
 * allocation (interpreter start-up, the program, finalization) as a pymtrace
 * v2 trace; replayed through pymem it puts every small block where the run
 * put it, so the hooks saw every allocation the object layer made.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { runCommand } from '../lib/eval/runCommand.js';
import { replayTrace } from '../lib/tools/replay.js';

const program = `
class Node:
    def __init__(self, v):
        self.v = v
        self.next = None
nodes = [Node(i) for i in range(200)]
table = {str(i): [i] * (i % 7) for i in range(300)}
del nodes[:100]
text = '-'.join(table) * 3
print(len(nodes), len(table), len(text))
`;

const run = (args: string[]): { status: number; out: string; err: string } => {
  let out = '';
  let err = '';
  const status = runCommand(args, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { status, out, err };
};

it('a traced run prints what it prints untraced, and its trace replays with 0 placement mismatches', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pymem-run-trace-'));
  const file = join(dir, 'prog.trace.gz');
  const traced = run(['--trace', file, '-c', program]);
  expect(traced).toEqual(run(['-c', program]));
  expect(traced.out).toBe('100 300 3267\n');
  const text = gunzipSync(readFileSync(file)).toString();
  expect(text.split('\n')[0]).toBe('# pymtrace v2 python=3.11.7 script=<string>');
  expect(text).toMatch(/\n# end events=\d+ vmem_comments=0 unknown_ptr=0 /);
  const r = await replayTrace(file, { validate: true });
  expect(r.placementCheckable).toBe(true);
  expect(r.placementsChecked).toBeGreaterThan(1000);
  expect(r.placementMismatches).toBe(0);
  expect(r.arenaMismatches).toBe(0);
  expect(r.violations).toEqual([]);
});

it('--trace without a file name, or to a file that cannot be written, is bad usage (status 2, nothing run)', () => {
  const noFile = run(['--trace']);
  expect(noFile.status).toBe(2);
  expect(noFile.err).toContain('--trace needs a file name');
  const bad = run(['--trace', join(tmpdir(), 'no-such-dir-pymem', 'x.trace.gz'), '-c', 'print(1)']);
  expect(bad.status).toBe(2);
  expect(bad.err).toContain("can't write the trace");
  expect(bad.out).toBe('');
});
