/*
 * `pymem run -X dev` and PYTHONMALLOC=debug (lib/eval/runConfig.ts): the run's
 * heap has CPython's debug hooks on every domain — its blocks are 24 bytes
 * bigger (sys._debugmallocstats shows no 16-byte class, as CPython's does
 * under PYTHONMALLOC=debug), and a fault planted through the API on the
 * run's heap is caught with CPython's dump — while every corpus program
 * prints what CPython printed. The development mode also shows the
 * compiler's DeprecationWarnings, as python3 -X dev does (recorded in
 * test/fixtures/run/dev-mode/, by record.sh there).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { storeU8 } from '../lib/allocator/access.js';
import { Domain } from '../lib/allocator/domains.js';
import { pymallocViolations } from '../lib/allocator/validate.js';
import { MemoryCorruptionError } from '../lib/errors.js';
import { runCommand } from '../lib/eval/runCommand.js';
import type { Vm } from '../lib/eval/vm.js';

const corpus = join(__dirname, 'fixtures/run/corpus');
const devDir = join(__dirname, 'fixtures/run/dev-mode');

/** Runs `pymem run ARGS` with `env`; what it printed, its status, and whether its heap had the debug hooks. */
function run(args: string[], env: Record<string, string> = {}, inspect?: (vm: Vm) => void) {
  let out = '';
  let err = '';
  let debug: boolean | null = null;
  const status = runCommand(args, { stdout: (t) => (out += t), stderr: (t) => (err += t) }, {
    env,
    displayName: args[args.length - 1]!.split('/').pop()!,
    inspect: (vm) => {
      debug = vm.interp.rt.heap.debug;
      inspect?.(vm);
    },
  });
  return { out, err, status, debug };
}

describe('which runs get the debug hooks', () => {
  it.each([
    ['-X dev', ['-X', 'dev'], {}, true],
    ['-Xdev', ['-Xdev'], {}, true],
    ['PYTHONMALLOC=debug', [], { PYTHONMALLOC: 'debug' }, true],
    ['PYTHONMALLOC=pymalloc_debug', [], { PYTHONMALLOC: 'pymalloc_debug' }, true],
    ['PYTHONDEVMODE=1', [], { PYTHONDEVMODE: '1' }, true],
    ['-X dev with PYTHONMALLOC=pymalloc (an explicit allocator wins)', ['-X', 'dev'], { PYTHONMALLOC: 'pymalloc' }, false],
    ['an empty PYTHONMALLOC (unset)', [], { PYTHONMALLOC: '' }, false],
    ['an unknown -X option (kept, ignored)', ['-X', 'importtime'], {}, false],
    ['neither', [], {}, false],
  ])('%s', (_name, flags, env, debug) => {
    const r = run([...flags, '-c', 'print(1)'], env);
    expect(r).toEqual({ out: '1\n', err: '', status: 0, debug });
  });

  it.each(['malloc', 'malloc_debug', 'jemalloc'])('PYTHONMALLOC=%s is refused with exit status 2, running nothing', (value) => {
    const r = run(['-c', 'print(1)'], { PYTHONMALLOC: value });
    expect(r.status).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^pymem run: PYTHONMALLOC/);
    expect(r.debug).toBeNull();
  });
});

describe('the debug hooks are on the run\'s heap', () => {
  it('sys._debugmallocstats: every block 24 bytes bigger, so no 16-byte class (CPython under PYTHONMALLOC=debug has none either)', () => {
    const program = ['-c', 'import sys\nx = [1, 2]\nsys._debugmallocstats()'];
    const plain = run(program);
    const dev = run(['-X', 'dev', ...program]);
    const classRow = /^ {4}0 {5}16 /m;
    expect(plain.err).toMatch(classRow);
    expect(dev.err).not.toMatch(classRow);
    expect(dev.err).toMatch(/^Small block threshold = 512, in 32 size classes\./);
  });

  it('an overflow planted on the run\'s heap through the API is a MemoryCorruptionError with CPython\'s dump, freeing nothing', () => {
    let caught: unknown = null;
    let violations: string[] = ['not run'];
    run(['-X', 'dev', '-c', 'x = [0] * 10'], {}, (vm) => {
      const heap = vm.interp.rt.heap;
      const p = heap.malloc(16, Domain.MEM);
      storeU8(p + 16, 0x78);
      const before = heap.formatDebugMallocStats();
      try {
        heap.free(p, Domain.MEM);
      } catch (e) {
        caught = e;
      }
      expect(heap.formatDebugMallocStats()).toBe(before);
      storeU8(p + 16, 0xfd);
      heap.free(p, Domain.MEM);
      violations = pymallocViolations(heap.pymalloc);
    });
    expect(caught).toBeInstanceOf(MemoryCorruptionError);
    expect((caught as MemoryCorruptionError).message).toBe('_PyMem_DebugRawFree: bad trailing pad byte');
    expect((caught as MemoryCorruptionError).dump).toMatch(/The 8 pad bytes at tail=0x[0-9a-f]+ are not all FORBIDDENBYTE \(0xfd\):/);
    expect(violations).toEqual([]);
  });
});

describe('-X dev: the corpus prints what CPython printed', () => {
  const programs = readdirSync(corpus).filter((f) => f.endsWith('.py') && f !== 'record.py').sort();
  it.each(programs)('%s', (name) => {
    const base = join(corpus, name.replace(/\.py$/, ''));
    let violations: string[] = ['not run'];
    const r = run(['-X', 'dev', join(corpus, name)], {}, (vm) => {
      violations = pymallocViolations(vm.interp.rt.heap.pymalloc);
    });
    expect(r.debug).toBe(true);
    expect(r.out).toBe(readFileSync(`${base}.out`, 'utf8'));
    expect(r.err).toBe(existsSync(`${base}.err`) ? readFileSync(`${base}.err`, 'utf8') : '');
    expect(r.status).toBe(existsSync(`${base}.status`) ? Number(readFileSync(`${base}.status`, 'utf8')) : 0);
    expect(violations).toEqual([]);
  });
});

describe('warnings: what python3 and python3 -X dev print on stderr', () => {
  const programs = readdirSync(devDir).filter((f) => f.endsWith('.py')).sort();
  for (const name of programs) {
    const base = join(devDir, name.replace(/\.py$/, ''));
    it.each([
      ['python3', [], 'plain'],
      ['python3 -X dev', ['-X', 'dev'], 'dev'],
    ])(`${name} as %s`, (_label, flags, suffix) => {
      const r = run([...flags, join(devDir, name)]);
      expect(r.out).toBe(readFileSync(`${base}.out`, 'utf8'));
      expect(r.err).toBe(readFileSync(`${base}.${suffix}.err`, 'utf8'));
      expect(r.status).toBe(0);
    });
  }
});
