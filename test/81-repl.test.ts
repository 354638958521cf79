/*
 * `pymem repl` / `pymem run -i` (lib/eval/interactive.ts, runInteractive in
 * lib/eval/runCommand.ts): sessions piped in, as `python3 -q -i < NAME.in`
 * reads them — prompts on stderr, nothing echoed — print what CPython
 * 3.11.7 printed (test/fixtures/repl/, recorded by record.sh there):
 * expression values through sys.displayhook and `_`, statements compiled
 * one at a time (two statements' 1000s are two objects), `... ` continuation
 * lines of brackets, strings, backslashes, blocks and decorators, blocks
 * ended by a blank line, syntax errors reported on the line that makes them,
 * tracebacks and the session going on, end of input mid-statement,
 * sys.ps1 / sys.ps2, SystemExit's status. Addresses in reprs are masked.
 * Then pymem's own `%` commands, and the help through the command registry.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pymallocViolations } from '../lib/allocator/validate.js';
import { runCli } from '../lib/cli/main.js';
import { BANNER, type LineSource, runCommand, runInteractive } from '../lib/eval/runCommand.js';

const dir = join(__dirname, 'fixtures/repl');
const mask = (s: string): string => s.replace(/0x[0-9a-f]+/g, '0x{ptr}');

/** The lines of `text` as a pipe gives them (a final newline ends the last line), prompts written to `err`. */
function piped(text: string, err: (t: string) => void): LineSource {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let i = 0;
  return {
    async readLine(prompt) {
      err(prompt);
      if (i < lines.length) return lines[i++]!;
      err('\n');
      return null;
    },
  };
}

async function session(args: string[], input: string) {
  let out = '';
  let err = '';
  let violations: string[] = ['not run'];
  const status = await runInteractive(args, { stdout: (t) => (out += t), stderr: (t) => (err += t) }, piped(input, (t) => (err += t)), {
    env: {},
    inspect: (vm) => {
      violations = pymallocViolations(vm.interp.rt.heap.pymalloc);
    },
  });
  return { out, err, status, violations };
}

describe('sessions piped in print what python3 -q -i printed', () => {
  const sessions = readdirSync(dir).filter((f) => f.endsWith('.in')).sort();
  it.each(sessions)('%s', async (name) => {
    const base = join(dir, name.replace(/\.in$/, ''));
    const r = await session(['-q', '-i'], readFileSync(`${base}.in`, 'utf8'));
    expect(mask(r.out)).toBe(mask(readFileSync(`${base}.out`, 'utf8')));
    expect(mask(r.err)).toBe(mask(readFileSync(`${base}.err`, 'utf8')));
    expect(r.status).toBe(Number(readFileSync(`${base}.status`, 'utf8')));
    expect(r.violations).toEqual([]);
  });
});

describe('the interactive loop', () => {
  it('prints the banner on stderr unless -q', async () => {
    const r = await session(['-i'], '1\n');
    expect(r.err).toBe(`${BANNER}>>> >>> \n`);
    expect(r.out).toBe('1\n');
  });

  it('runs a program first with -c (no banner), then reads on in its __main__', async () => {
    const r = await session(['-i', '-c', 'x = 5\n1/0'], 'x\n');
    expect(r.out).toBe('5\n');
    expect(r.err).toBe('Traceback (most recent call last):\n  File "<string>", line 2, in <module>\nZeroDivisionError: division by zero\n>>> >>> \n');
    expect(r.status).toBe(0);
  });

  it("%stats prints sys._debugmallocstats(); %report the live objects (with --report); unknown % commands say so", async () => {
    const r = await session(['-q', '-i', '--report'], 'x = [0] * 100\n%stats\n%report\n%nope\n%help\n');
    expect(r.err).toContain('Small block threshold = 512, in 32 size classes.');
    expect(r.err).toMatch(/^list\s+\d+\s+\d+\s+\d+$/m);
    expect(r.err).toContain('pymem: unknown command %nope (%help lists them)\n');
    expect(r.err).toContain("pymem's commands (not Python; at the >>> prompt only):");
    expect(r.out).toBe('');
  });

  it('a % line inside a statement is Python (a syntax error), not a command', async () => {
    const r = await session(['-q', '-i'], 'if 1:\n%stats\n');
    expect(r.err).not.toContain('Small block threshold');
    expect(r.err).toContain('IndentationError: expected an indented block');
  });

  it('bad options are usage errors (status 2) before anything runs', async () => {
    const r = await session(['-q', '-i', '--gc', '2.7'], '1\n');
    expect(r.status).toBe(2);
    expect(r.out).toBe('');
  });
});

describe('pymem run with the program on stdin (not a terminal), as `python3 - ARGS < FILE`', () => {
  it.each([[[] as string[]], [['-', 'a', 'b']]])('pymem run %j', (args) => {
    let out = '';
    let err = '';
    const status = runCommand(args, { stdout: (t) => (out += t), stderr: (t) => (err += t) }, { env: {}, stdin: () => 'import sys\nprint(sys.argv)\n1/0\n' });
    expect(out).toBe(args.length === 0 ? "['']\n" : "['-', 'a', 'b']\n");
    expect(err).toBe('Traceback (most recent call last):\n  File "<stdin>", line 3, in <module>\nZeroDivisionError: division by zero\n');
    expect(status).toBe(1);
  });
});

describe('the command', () => {
  const cli = async (argv: string[]) => {
    let out = '';
    let err = '';
    const status = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) });
    return { out, err, status };
  };
  it('pymem help repl and pymem repl --help print its help from the registry', async () => {
    const a = await cli(['help', 'repl']);
    const b = await cli(['repl', '--help']);
    expect(a.status).toBe(0);
    expect(a.out).toMatch(/^usage: pymem repl \[options\] \[FILE\.py \| -c CODE\] \[ARG\.\.\.\]\n/);
    expect(a.out).toContain('%stats');
    expect(b).toEqual(a);
  });
  it('pymem help lists repl', async () => {
    expect((await cli(['help'])).out).toMatch(/^ {2}repl +Python's interactive loop/m);
  });
});
