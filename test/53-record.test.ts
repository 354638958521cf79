// pymem record: a Python program run under the recorder (native/recorder.c,
// built with cc against CPython 3.11) gives a pymtrace v2 trace that pymem
// replays with every block in CPython's place and CPython's stats line for
// line; the program runs as under python3 (its argv, its output, its exit
// status, PYTHONHASHSEED=0); with setarch -R two recordings are the same;
// what is missing to build the recorder, or a program that never finalizes,
// is a typed error and writes nothing.  Last, the user's flow: record a
// script, then `pymem compare` it against glibc and CPython's own obmalloc.
//
// The recorder needs a C compiler and CPython 3.11 with its headers and
// shared library (gcc, python3.11-dev); without them the recording tests are
// skipped and their names say why.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../lib/errors.js';
import { parseToBinary } from '../lib/tools/binaryTrace.js';
import { childEntryPath } from '../lib/tools/compare/measure.js';
import { RecorderSetupError, RecordingError, buildRecorder, programOf, record, statsPathFor } from '../lib/tools/record.js';
import { parseRecordArgs } from '../lib/tools/recordCommand.js';
import { replayTrace } from '../lib/tools/replay.js';
import { diffLines } from '../lib/tools/statsDiff.js';

const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'pymem-record-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Why the recorder cannot be built here, or null. */
const cannot = ((): string | null => {
  try {
    buildRecorder();
    return null;
  } catch (e) {
    if (e instanceof RecorderSetupError) return e.message;
    throw e;
  }
})();
const title = (what: string): string => (cannot === null ? what : `${what} (skipped: ${cannot})`);

/** Writes a script; returns its path. */
function script(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

/** The text of a trace (gzip'd or not). */
function traceText(f: string): string {
  const b = readFileSync(f);
  return (b[0] === 0x1f && b[1] === 0x8b ? gunzipSync(b) : b).toString('utf8');
}

/** Allocations of every kind: calloc (bytes(n)), reallocs in place and moving (list growth, str building), a thread (a frame stack of its own), many arenas. */
const WORKLOAD = `import sys, threading
blob = [bytes(64 + i % 300) for i in range(3000)]
xs = []
for i in range(20000):
    xs.append({"k": i, "v": str(i) * (i % 7)})
s = ""
for i in range(2000):
    s += chr(65 + i % 26)
t = threading.Thread(target=lambda: sum(range(1000)))
t.start(); t.join()
del xs[::2]
print("done", len(s), sys.argv[1:], hash("abc"))
`;

describe.skipIf(cannot !== null)(title('recording a program'), () => {
  it('pymem replays the recording with 0 placement mismatches and 0 stats lines differing', async () => {
    const f = script('work.py', WORKLOAD);
    const out = join(dir, 'work.trace.gz');
    const r = await record([f, 'a', 'b'], { out, stdio: 'pipe' });
    expect(r).toMatchObject({ trace: out, stats: join(dir, 'work.stats.txt'), exitCode: 0 });
    // The program ran as under python3: its argv, its output, PYTHONHASHSEED=0.
    expect(r.stdout).toBe("done 2000 ['a', 'b'] -4594863902769663758\n");

    const text = traceText(out);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(`# pymtrace v2 python=${r.python} script=${f}`);
    expect(lines.at(-1)).toMatch(new RegExp(`^# end events=${r.events} vmem_comments=\\d+ unknown_ptr=0 live_ids=\\d+ max_id=\\d+ seconds=[\\d.]+$`));
    expect(lines.filter((l) => !l.startsWith('#'))).toHaveLength(r.events);
    // Every kind of line the format has.
    for (const re of [/^m \d+ \d+ [0-9a-f]+$/m, /^c \d+ \d+ \d+ [0-9a-f]+$/m, /^r (\d+) \1 \d+ [0-9a-f]+$/m, /^r (\d+) (?!\1 )\d+ \d+ [0-9a-f]+$/m, /^f \d+$/m, /^A [0-9a-f]+$/m, /^# vmem-alloc [0-9a-f]+ \d+$/m]) {
      expect(text).toMatch(re);
    }
    // Ids name only live blocks (the binary form checks every one).
    await expect(parseToBinary(out)).resolves.toBeDefined();

    const replay = await replayTrace(out);
    expect(replay.events).toBe(r.events);
    expect(replay.placementCheckable).toBe(true);
    expect(replay.placementsChecked).toBeGreaterThan(10000);
    expect(replay.placementMismatches).toBe(0);
    expect(replay.arenaMismatches).toBe(0);
    expect(diffLines(replay.statsText, readFileSync(r.stats, 'utf8')).filter((l) => !l.same)).toEqual([]);
  });

  it('the trace ends at finalization however the script ends: sys.exit(3), an uncaught exception', async () => {
    const exit3 = await record([script('exit3.py', 'import sys\nx = [str(i) for i in range(500)]\nsys.exit(3)\n')], { out: join(dir, 'exit3.trace'), stdio: 'pipe' });
    expect(exit3.exitCode).toBe(3);
    const raised = await record([script('raise.py', 'x = {i: i for i in range(500)}\nraise ValueError("on purpose")\n')], { out: join(dir, 'raise.trace.gz'), stdio: 'pipe' });
    expect(raised.exitCode).toBe(1);
    expect(raised.stderr).toContain('ValueError: on purpose');
    for (const r of [exit3, raised]) {
      const replay = await replayTrace(r.trace);
      expect([replay.events, replay.placementMismatches, replay.arenaMismatches]).toEqual([r.events, 0, 0]);
      expect(diffLines(replay.statsText, readFileSync(r.stats, 'utf8')).filter((l) => !l.same)).toEqual([]);
    }
  });

  it('-c and -m programs, and python options before them', async () => {
    const c = await record(['-S', '-c', 'print(sum(len(str(i)) for i in range(1000)))'], { out: join(dir, 'cmd.trace.gz'), stdio: 'pipe' });
    expect(c.stdout).toBe('2890\n');
    expect(traceText(c.trace).split('\n', 1)[0]).toMatch(/ script=-c$/);
    const m = await record(['-m', 'json.tool', '--help'], { out: join(dir, 'mod.trace.gz'), stdio: 'pipe' });
    expect(m.stdout).toContain('usage:');
    expect(traceText(m.trace).split('\n', 1)[0]).toMatch(/ script=-m json\.tool$/);
  });

  it('with setarch -R, two recordings of the same program are the same, addresses and all', async (ctx) => {
    const f = script('same.py', 'd = {str(i): [i] * (i % 5) for i in range(3000)}\n');
    const a = await record([f], { out: join(dir, 'same1.trace'), stdio: 'pipe' });
    const b = await record([f], { out: join(dir, 'same2.trace'), stdio: 'pipe' });
    if (!a.fixedAddresses) ctx.skip();
    const strip = (t: string): string => t.replace(/ seconds=[\d.]+\n$/, '\n');
    expect(strip(traceText(a.trace))).toBe(strip(traceText(b.trace)));
  });

  it('a trace that cannot be written is refused before the program runs', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    const ran = join(dir, 'ran');
    const run = record([script('writes.py', `open(${JSON.stringify(ran)}, "w").close()\n`)], { out: join(blocker, 'x.trace.gz'), stdio: 'pipe' });
    await expect(run).rejects.toThrow(InvalidArgumentError);
    await expect(run).rejects.toThrow(/cannot write the trace at .*a-file\/x\.trace\.gz/);
    expect(existsSync(ran)).toBe(false);
  });

  it('a program that never finalizes (os._exit) leaves no trace: RecordingError', async () => {
    const out = join(dir, 'noexit', 'gone.trace.gz');
    const run = record([script('gone.py', 'import os\nx = [0] * 100\nos._exit(0)\n')], { out, stdio: 'pipe' });
    await expect(run).rejects.toThrow(RecordingError);
    await expect(run).rejects.toThrow(/ended without finalizing the interpreter \(os\._exit, a signal or a crash; exit status 0\)/);
    expect(readdirSync(join(dir, 'noexit'))).toEqual([]);
  });
});

describe('what the recorder needs, as typed errors', () => {
  /** A stand-in `python3` that reports the given sysconfig. */
  function fakePython(name: string, version: string, includeDir: string): string {
    const f = join(dir, name);
    const answer = JSON.stringify(['/x/bin/python3', version, 'CPython', join(dir, 'nolib'), 'libpython3.11.so', 'libpython3.11.so.1.0', '', includeDir]);
    writeFileSync(f, `#!/bin/sh\necho '${answer}'\n`);
    chmodSync(f, 0o755);
    return f;
  }

  it('no interpreter: names python3.11', () => {
    const e = (() => {
      try {
        buildRecorder({ python: join(dir, 'no-such-python') });
      } catch (err) {
        return err;
      }
    })() as RecorderSetupError;
    expect(e).toBeInstanceOf(RecorderSetupError);
    expect(e.need).toBe('python');
    expect(e.debianPackage).toBe('python3.11');
    expect(e.message).toMatch(/no .*no-such-python on PATH \(apt-get install python3\.11\)/);
  });

  it('a python that is not 3.11', () => {
    expect(() => buildRecorder({ python: fakePython('python312', '3.12.1', dir) })).toThrow(/needs CPython 3\.11, but .*python312 is 3\.12\.1/);
  });

  it('no headers: names the -dev package', () => {
    const empty = join(dir, 'include-empty');
    mkdirSync(empty, { recursive: true });
    const e = (() => {
      try {
        buildRecorder({ python: fakePython('python-noheaders', '3.11.7', empty) });
      } catch (err) {
        return err;
      }
    })() as RecorderSetupError;
    expect(e).toBeInstanceOf(RecorderSetupError);
    expect(e.need).toBe('headers');
    expect(e.message).toContain(`no ${join(empty, 'Python.h')}`);
    expect(e.message).toContain('apt-get install libpython3.11-dev (or python3.11-dev)');
  });

  it('no shared library of that interpreter: names libpython3.11', () => {
    const e = (() => {
      try {
        const headers = join(dir, 'include-fake');
        mkdirSync(headers, { recursive: true });
        writeFileSync(join(headers, 'Python.h'), '');
        buildRecorder({ python: fakePython('python-nolib', '3.11.7', headers) });
      } catch (err) {
        return err;
      }
    })() as RecorderSetupError;
    expect(e).toBeInstanceOf(RecorderSetupError);
    expect([e.need, e.debianPackage]).toEqual(['libpython', 'libpython3.11']);
    expect(e.message).toContain(`python-nolib (/x/bin/python3, 3.11.7) has no libpython3.11 shared library in ${join(dir, 'nolib')}`);
    expect(e.message).toContain('apt-get install libpython3.11 python3.11-dev, then --python /usr/bin/python3.11');
  });

  it.skipIf(cannot !== null)(title('no C compiler: names gcc'), () => {
    const e = (() => {
      try {
        buildRecorder({ cc: join(dir, 'no-such-cc'), cacheDir: join(dir, 'cache-nocc') });
      } catch (err) {
        return err;
      }
    })() as RecorderSetupError;
    expect(e).toBeInstanceOf(RecorderSetupError);
    expect([e.need, e.debianPackage]).toEqual(['cc', 'gcc']);
    expect(existsSync(join(dir, 'cache-nocc'))).toBe(false);
  });

  it('arguments that name no program, a trace name the tools would not pair with its stats', () => {
    expect(() => programOf([])).toThrow(InvalidArgumentError);
    expect(() => programOf(['-X', 'dev', '-E'])).toThrow(/needs a program to run/);
    expect(programOf(['-X', 'dev', 'dir/my_script.py', '-c'])).toEqual({ label: 'dir/my_script.py', name: 'my_script' });
    expect(programOf(['-mtimeit', '1'])).toEqual({ label: '-m timeit', name: 'timeit' });
    expect(statsPathFor('/t/x.trace.gz')).toBe('/t/x.stats.txt');
    expect(() => statsPathFor('/t/x.gz')).toThrow(InvalidArgumentError);
  });

  it('the command line: pymem\'s options first, then (or after --) python\'s', () => {
    expect(parseRecordArgs(['--out', 'a.trace.gz', '-X', 'dev', 's.py'])).toEqual({ opts: { out: 'a.trace.gz' }, pythonArgs: ['-X', 'dev', 's.py'], json: false });
    expect(parseRecordArgs(['--random-addresses', '--', '--out', 's.py'])).toEqual({ opts: { fixedAddresses: false }, pythonArgs: ['--out', 's.py'], json: false });
    expect(parseRecordArgs(['--json', 's.py', '--json'])).toEqual({ opts: {}, pythonArgs: ['s.py', '--json'], json: true });
    expect(() => parseRecordArgs(['--python'])).toThrow(/--python needs a value/);
  });
});

describe.skipIf(cannot !== null)(title('the user\'s flow: pymem record my.py, then pymem compare my.trace.gz'), () => {
  beforeAll(() => {
    spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: root, stdio: 'ignore' });
    if (!existsSync(childEntryPath())) throw new Error(`${childEntryPath()} was not built`);
  });

  it('records, then compares glibc, CPython\'s obmalloc and pymem on it', () => {
    const work = join(dir, 'flow');
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, 'my.py'), 'words = {}\nfor i in range(5000):\n    words.setdefault(str(i % 97), []).append(i)\n');
    const cli = join(root, 'dist/bin/pymem.js');
    const rec = spawnSync(process.execPath, [cli, 'record', 'my.py'], { cwd: work, encoding: 'utf8' });
    expect(rec.status).toBe(0);
    expect(rec.stderr).toMatch(/pymem record: [\d,]+ events of CPython 3\.11\.\d+ in .*my\.trace\.gz/);
    expect(readdirSync(work).sort()).toEqual(['my.py', 'my.stats.txt', 'my.trace.gz']);

    const cmp = spawnSync(process.execPath, [cli, 'compare', 'my.trace.gz', '--allocators', 'glibc,cpython,pymem', '--runs', '1', '--out', 'report'], {
      cwd: work,
      encoding: 'utf8',
    });
    expect(cmp.status).toBe(0);
    for (const a of ['glibc', 'cpython', 'pymem']) expect(cmp.stdout).toMatch(new RegExp(`^\\| my \\| ${a} \\| [\\d.]+ ms \\|`, 'm'));
    const md = readFileSync(join(work, 'report', 'README.md'), 'utf8');
    // CPython's obmalloc put every block where the recorded CPython did, and printed the same stats.
    expect(md).toMatch(/\| my \| 3\.11\.\d+ \(.*\) \| ([\d,]+) of \1 \| 0 \| \d+ \| 0 \|/);
  });
});
