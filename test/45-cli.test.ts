// The pymem command as a user meets it: `node dist/bin/pymem.js ...` in a
// child process (dist/ is compiled from these sources by the global setup,
// test/support/buildDist.ts). Every command has --help and `help CMD`
// (exit 0); --version; a usage error is one line and "see `pymem CMD
// --help`" (exit 2); a bad file is one line, no stack (exit 1); replay lists
// the differing stats lines, states its profile and does not call a profile
// that cannot match a failure; compare explains its columns and prints the
// install line of what it skipped.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../lib/cli/commands.js';
import { installLine, terminalNotes } from '../lib/cli/compare.js';
import type { Comparison } from '../lib/tools/compare/compare.js';
import * as api from '../lib/index.js';
import { RunError } from '../lib/tools/compare/measure.js';
import { replayTrace } from '../lib/tools/replay.js';
import { fixturePath } from './support/fixtures.js';

const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'pymem-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const startup = fixturePath('traces/startup.trace.gz');
const startupStats = fixturePath('traces/startup.stats.txt');

/** Runs the built CLI; stdout, stderr and the exit status. */
function pymem(...args: string[]): { out: string; err: string; status: number | null } {
  const r = spawnSync(process.execPath, [join(root, 'dist/bin/pymem.js'), ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { out: r.stdout, err: r.stderr, status: r.status };
}

describe('help', () => {
  it.each(COMMANDS.map((c) => c.name))('pymem %s --help and pymem help %s print its usage line, options and an example (exit 0)', (name) => {
    const a = pymem(name, '--help');
    const b = pymem('help', name);
    expect(a.status).toBe(0);
    expect(b.status).toBe(0);
    expect(a.out).toBe(b.out);
    expect(a.out.split('\n')[0]).toMatch(new RegExp(`^usage: pymem ${name}\\b`));
    expect(a.out).toMatch(/\noptions:\n(.*\n)*  --help +this text\n/);
    expect(a.out).toMatch(new RegExp(`\\nexamples?:\\n  pymem ${name}\\b`));
  });

  it('pymem help lists every command (exit 0); pymem alone lists them on stderr (exit 2)', () => {
    const h = pymem('help');
    expect(h.status).toBe(0);
    for (const c of COMMANDS) expect(h.out).toContain(`  ${c.name} `);
    const none = pymem();
    expect(none.status).toBe(2);
    expect(none.err).toBe(h.out);
  });

  it('pymem --version prints the package version', () => {
    const v = pymem('--version');
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect([v.status, v.out]).toEqual([0, `pymem ${version}\n`]);
  });
});

describe('errors', () => {
  it('every error class pymem exports (and the compare tool\'s RunError) is a PymemError', () => {
    const classes = Object.entries(api).filter(([name, v]) => name.endsWith('Error') && typeof v === 'function');
    expect(classes.map(([name]) => name)).toEqual(expect.arrayContaining(['TraceFormatError', 'BinaryTraceError', 'UsageError', 'OutOfMemoryError', 'KeyError']));
    for (const [name, cls] of [...classes, ['RunError', RunError] as const]) expect([name, (cls as { prototype: object }).prototype instanceof api.PymemError || cls === api.PymemError]).toEqual([name, true]);
  });

  it.each([
    [['replay', '--bogus', startup], 'pymem replay: unknown option --bogus', 'replay'],
    [['replay'], 'pymem replay: replay takes one trace file, got 0', 'replay'],
    [['replay', join(dir, 'absent.trace')], `pymem replay: no such file: ${join(dir, 'absent.trace')}`, 'replay'],
    [['replay', startup, '--profile', 'nope'], 'pymem replay: unknown profile "nope"; expected one of classic, cpython311 or a Profile object', 'replay'],
    [['compare', '--runs', '0'], 'pymem compare: --runs must be a positive integer, got 0', 'compare'],
    [['compare', '--allocators', 'frob', 'synthetic'], 'pymem compare: unknown allocator "frob"', 'compare'],
    [['conformance', join(dir, 'nowhere')], `pymem conformance: no trace directory at ${join(dir, 'nowhere')}`, 'conformance'],
    [['help', 'frob'], 'pymem: unknown command "frob"', 'help'],
    [['frob'], 'pymem: unknown command "frob"', 'help'],
  ])('pymem %j: one line, then where to look (exit 2)', (args, first, see) => {
    const r = pymem(...args);
    expect(r.status).toBe(2);
    expect(r.out).toBe('');
    const lines = r.err.replace(/\n$/, '').split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]!.startsWith(first)).toBe(true);
    expect(lines[1]).toBe(see === 'help' ? 'see `pymem help`' : `see \`pymem ${see} --help\``);
  });

  it('a malformed trace is one line naming file and line, no stack trace (exit 1)', () => {
    const bad = join(dir, 'bad.trace');
    writeFileSync(bad, '# pymtrace v2 python=3.11.7 script=x.py\nm 1 24 7f0000000010\nq nonsense\n');
    const r = pymem('replay', bad);
    expect(r.status).toBe(1);
    expect(r.err).toMatch(new RegExp(`^pymem replay: ${bad.replace(/[.]/g, '\\.')}:3: .*\n$`));
  });
});

describe('replay', () => {
  it('states its default profile and that the stats match CPython (exit 0)', () => {
    const r = pymem('replay', startup);
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/events replayed in [\d.]+ s with profile cpython311 \(the default\)\n/);
    expect(r.out).toContain(`stats lines differing from ${startupStats}: 0\n`);
  });

  it('--stats: lists each differing line with both texts, as text and as --json (exit 1)', () => {
    const theirs = readFileSync(startupStats, 'utf8').split('\n');
    const changed = [3, 10];
    for (const i of changed) theirs[i - 1] = `${theirs[i - 1]} (edited)`;
    const edited = join(dir, 'edited.stats.txt');
    writeFileSync(edited, theirs.join('\n'));
    const text = pymem('replay', startup, '--stats', edited);
    expect(text.status).toBe(1);
    expect(text.out).toContain(`stats lines differing from ${edited}: 2\n`);
    for (const i of changed) expect(text.out).toContain(`  line ${i}:\n    pymem:   ${theirs[i - 1]!.replace(' (edited)', '')}\n    CPython: ${theirs[i - 1]}\n`);
    const json = pymem('replay', startup, '--stats', edited, '--json');
    expect(json.status).toBe(1);
    const j = JSON.parse(json.out) as { profile: string; profileIsDefault: boolean; statsComparable: boolean; differingLines: { line: number; pymem: string; cpython: string }[] };
    expect([j.profile, j.profileIsDefault, j.statsComparable]).toEqual(['cpython311', true, true]);
    expect(j.differingLines).toEqual(changed.map((i) => ({ line: i, pymem: theirs[i - 1]!.replace(' (edited)', ''), cpython: theirs[i - 1] })));
  });

  it('a 3.11 trace under the classic profile: says the stats cannot match, does not fail (exit 0)', () => {
    const r = pymem('replay', startup, '--profile', 'classic');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/with profile classic\n/);
    expect(r.out).toMatch(/stats not compared with .*: profile classic \(256 KiB arenas, 4 KiB pools, 8-byte blocks\) is not the one CPython 3\.11 ran this trace with/);
    expect(r.out).not.toMatch(/stats lines differing/);
    const j = JSON.parse(pymem('replay', startup, '--profile', 'classic', '--json').out) as { statsComparable: boolean; profileIsDefault: boolean };
    expect([j.statsComparable, j.profileIsDefault]).toEqual([false, false]);
  });

  it('progress follows the events replayed: each report names events done and the share of the trace they are', async () => {
    // Pairs of lines of equal length, so the share of text parsed is the share of events.
    const n = 300_000;
    const lines = ['# pymtrace v2 python=3.11.7 script=even.py'];
    for (let i = 0; i < n; i += 2) lines.push(`m ${String(i).padStart(7, '0')} 0000024 7f0000000010`, `f ${String(i).padStart(7, '0')}`);
    const even = join(dir, 'even.trace');
    writeFileSync(even, `${lines.join('\n')}\n# end events=${n} vmem_comments=0 unknown_ptr=0 live_ids=0 max_id=${n} seconds=1\n`);
    const reports: [number, number][] = [];
    const r = await replayTrace(even, { memory: 'fake', onProgress: (events, fraction) => reports.push([events, fraction]) });
    expect(r.events).toBe(n);
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.at(-1)![1]).toBe(1);
    expect(reports.at(-1)![0]).toBeGreaterThanOrEqual(n - 1);
    for (const [events, fraction] of reports) expect(Math.abs(events / n - fraction)).toBeLessThan(0.05);
  });
});

describe('conformance', () => {
  it('replays every vendored trace and says they conform (exit 0)', () => {
    const r = pymem('conformance');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/\| compile\.trace\.gz \| 674617 \| [\d.]+ \| 0 \| 0 of 350313 \| 0 \|\n/);
    expect(r.out).toMatch(/\| startup\.trace\.gz \| 123594 \| [\d.]+ \| 0 \| 0 of 78977 \| 0 \|\n/);
    expect(r.out).toMatch(/\nall traces conform\n$/);
  });
});

describe('compare on the terminal', () => {
  it('prints the table, what its columns mean and the install line for a preloadable allocator that is missing', () => {
    const r = pymem('compare', 'synthetic:larson', '--scale', '0.01', '--runs', '1', '--memory-runs', '1', '--allocators', 'pymem,glibc', '--out', join(dir, 'cmp'));
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^\| workload \| allocator \|/);
    expect(r.out).toMatch(/\nWhat the columns mean:\n  Time: .*\n  RSS: .*\n  Overhead: .*\n(.*\n)*  † /);
  });

  it('installLine names the Debian package of each missing preload, once, and nothing for other reasons', () => {
    const missing = [
      { name: 'jemalloc', why: 'no /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 (apt-get install libjemalloc2)' },
      { name: 'mimalloc', why: 'no /usr/lib/x86_64-linux-gnu/libmimalloc.so.2 (apt-get install libmimalloc2.0)' },
      { name: 'tcmalloc', why: 'the native replayer build/Release/pymem_replay is not built (npm run build:native)' },
      { name: 'mine', why: 'no /opt/libmine.so' },
    ];
    expect(installLine({ missing })).toBe('sudo apt-get install libjemalloc2 libmimalloc2.0');
    expect(installLine({ missing: missing.slice(2) })).toBeUndefined();
    const notes = terminalNotes({ missing, workloads: [], runs: 1, memoryRuns: 1, touchMax: 512 } as unknown as Comparison);
    expect(notes).toContain('\nNot run here:\n  jemalloc: no ');
    expect(notes).toMatch(/install them:\n  sudo apt-get install libjemalloc2 libmimalloc2\.0\n$/);
  });
});

describe('output into a pipe that closes early', () => {
  it('`pymem run … | head -1` stops quietly with status 0, no EPIPE stack', () => {
    const prog = join(dir, 'many.py');
    writeFileSync(prog, 'for i in range(200000):\n    print(i)\n');
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${join(root, 'dist/bin/pymem.js')}" run "${prog}" | head -1; echo "status \${PIPESTATUS[0]}" >&2`], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stdout).toBe('0\n');
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
    expect(r.stderr).toMatch(/status 0/);
  });
});
