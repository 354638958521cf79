/*
 * `pymem run --gc 3.11|3.13|3.14` (lib/objects/gcPolicy.ts): gc.get_threshold()
 * as each CPython version reports it, and when the automatic collections
 * come on a program with a known allocation pattern, seen through
 * gc.callbacks (lib/eval/gcCallbacks.ts). 3.11's output is CPython 3.11.7's
 * (recorded by test/fixtures/run/gc-policy/record.sh); 3.13's and 3.14's
 * are derived from their gc sources, as no such interpreter is on this
 * machine:
 *   3.13  gc.c of 3.12 with threshold 0 = 2000: the first collection when the
 *         young count passes 2000 (3 containers made before the loop: at
 *         i = 1997), then every 2001 containers; generation 1 when its count
 *         passes 10 (the 12th), as in 3.11.
 *   3.14  gc_get_threshold_impl's (young, old[0], 0) = (2000, 10, 0); every
 *         automatic collection is _PyGC_Collect(tstate, 1, ...), an
 *         increment: the callbacks see generation 1, at the same counts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../lib/eval/runCommand.js';

const dir = join(__dirname, 'fixtures/run/gc-policy');

function run(args: string[]) {
  let out = '';
  let err = '';
  const status = runCommand(args, { stdout: (t) => (out += t), stderr: (t) => (err += t) }, { env: {} });
  return { out, err, status };
}

describe.each([
  ['3.11', '(700, 10, 10)'],
  ['3.13', '(2000, 10, 10)'],
  ['3.14', '(2000, 10, 0)'],
])('--gc %s', (policy, threshold) => {
  it(`gc.get_threshold() is ${threshold}`, () => {
    expect(run(['--gc', policy, '-c', 'import gc\nprint(gc.get_threshold())'])).toEqual({ out: `${threshold}\n`, err: '', status: 0 });
    expect(run([`--gc=${policy}`, '-c', 'import gc\nprint(gc.get_threshold())']).out).toBe(`${threshold}\n`);
  });

  it('the automatic collections come when that version collects (first_collections.py)', () => {
    const r = run(['--gc', policy, join(dir, 'first_collections.py')]);
    expect(r).toEqual({ out: readFileSync(join(dir, `first_collections.${policy}.out`), 'utf8'), err: '', status: 0 });
  });
});

describe('--gc: bad values and the default', () => {
  it('no --gc is 3.11', () => {
    expect(run(['-c', 'import gc\nprint(gc.get_threshold())']).out).toBe('(700, 10, 10)\n');
  });

  it.each([['3.12'], ['incremental'], ['']])('--gc %j is a usage error (exit 2) naming the policies', (value) => {
    const r = run(['--gc', value, '-c', 'print(1)']);
    expect(r).toEqual({ out: '', err: `pymem run: --gc must be one of 3.11, 3.13, 3.14, got ${JSON.stringify(value)}\nsee \`pymem run --help\`\n`, status: 2 });
  });
});

describe('gc.callbacks', () => {
  it('a callback that raises is reported as CPython reports it, and the collection goes on', () => {
    const src = 'import gc\ndef cb(phase, info):\n    raise ValueError(phase)\ngc.callbacks.append(cb)\nprint(gc.collect())\ngc.callbacks.clear()\nprint(gc.collect())';
    const r = run(['-c', src]);
    expect(r.out).toBe('0\n0\n');
    const report = (phase: string) =>
      `Exception ignored in: <function cb at 0x{ptr}>\nTraceback (most recent call last):\n  File "<string>", line 3, in cb\nValueError: ${phase}\n`;
    expect(r.err.replace(/0x[0-9a-f]+/g, '0x{ptr}')).toBe(report('start') + report('stop'));
  });

  it('the callbacks get the generation, collected and uncollectable, and none run at finalization', () => {
    const src = [
      'import gc',
      'seen = []',
      'def cb(phase, info):',
      '    seen.append((phase, sorted(info.items())))',
      'gc.callbacks.append(cb)',
      'a = []',
      'a.append(a)',
      'del a',
      'gc.collect(1)',
      'print(seen)',
    ].join('\n');
    expect(run(['-c', src])).toEqual({
      out: "[('start', [('collected', 0), ('generation', 1), ('uncollectable', 0)]), ('stop', [('collected', 1), ('generation', 1), ('uncollectable', 0)])]\n",
      err: '',
      status: 0,
    });
  });
});
