/*
 * `pymem run` against python3 on the same Python programs (bench/run/*.py:
 * loops, calls, attribute access, dict/list work, allocation): each program
 * timed in-process on both sides — pymem's runCommand (a fresh interpreter,
 * the run, finalization) and CPython's runpy.run_path in one python3
 * (timeProgram.py) — `rounds` times after a warm-up, the median of each
 * side, and their ratio. Times are CPU time (process.cpuUsage; Python's
 * time.process_time), not wall time: the machine is shared, and a loaded
 * CPU stretches wall time of whichever side ran while it was busy. pymem's time is net of an empty program's run
 * (the interpreter's set-up and finalization, reported on its own), so both
 * sides time the program only. python3 absent: the table says so and the
 * ratios are skipped.
 *
 * `node dist/bench/runPrograms.js [--rounds N] [PROGRAM...]` prints the
 * table alone; `npm run bench` includes it.
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../lib/eval/runCommand.js';
import { packageRoot } from '../lib/packageRoot.js';
import { probePython, runPython } from './python.js';
import { median } from './timing.js';

/** One program's times. */
export interface ProgramTiming {
  readonly program: string;
  /** Median ms of pymem's run, net of the empty program's. */
  readonly pymemMs: number;
  /** Median ms of python3's run, or null when python3 is missing. */
  readonly pythonMs: number | null;
}

/** What runProgramsBench measured. */
export interface RunProgramsResult {
  readonly timings: ProgramTiming[];
  /** Median ms of `pymem run` of an empty program: set-up and finalization. */
  readonly emptyMs: number;
  readonly markdown: string;
}

const benchDir = (): string => join(packageRoot(), 'bench/run');

/** The bench programs (every .py of bench/run but timeProgram.py). */
export function benchPrograms(): string[] {
  return readdirSync(benchDir())
    .filter((f) => f.endsWith('.py') && f !== 'timeProgram.py')
    .sort()
    .map((f) => join(benchDir(), f));
}

const quiet = { stdout: () => undefined, stderr: (t: string) => void process.stderr.write(t) };

/** Median ms of `pymem run FILE` (or `-c ''` when file is null) over `rounds` after one warm-up. */
function timePymem(file: string | null, rounds: number): number {
  const args = file === null ? ['-c', ''] : [file];
  const samples: number[] = [];
  for (let r = 0; r <= rounds; r++) {
    const t0 = process.cpuUsage();
    const status = runCommand(args, quiet, { env: {} });
    const used = process.cpuUsage(t0);
    const ms = (used.user + used.system) / 1e3;
    if (status !== 0) throw new Error(`pymem run ${args.join(' ')} exited with ${status}`);
    if (r > 0) samples.push(ms);
  }
  return median(samples);
}

/** Times every program under both; `onDone` after each. */
export function runProgramsBench(options: { rounds: number; programs?: string[]; onDone?: (done: number, total: number) => void }): RunProgramsResult {
  const programs = options.programs ?? benchPrograms();
  const script = join(benchDir(), 'timeProgram.py');
  const probe = probePython(script);
  const emptyMs = timePymem(null, options.rounds);
  const timings: ProgramTiming[] = [];
  programs.forEach((file, i) => {
    const pymemMs = Math.max(0, timePymem(file, options.rounds) - emptyMs);
    // python3's runs are short: five times as many of them, for a steadier median.
    const pythonMs = 'version' in probe ? median(runPython<number[]>(script, [file, String(5 * options.rounds + 1)]).slice(1)) * 1e3 : null;
    timings.push({ program: basename(file), pymemMs, pythonMs });
    options.onDone?.(i + 1, programs.length);
  });
  const rows = timings.map((t) => `| ${t.program} | ${t.pymemMs.toFixed(1)} | ${t.pythonMs === null ? '—' : t.pythonMs.toFixed(1)} | ${t.pythonMs === null ? 'skipped' : `${(t.pymemMs / t.pythonMs).toFixed(2)}×`} |`);
  const ratios = timings.filter((t) => t.pythonMs !== null).map((t) => t.pymemMs / t.pythonMs!);
  const geo = ratios.length === 0 ? null : Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);
  const markdown = [
    '### pymem run against python3 (bench/run/*.py)',
    '',
    `CPU time, medians of ${options.rounds} in-process runs after a warm-up (python3: ${5 * options.rounds}); pymem's net of an empty program's run (${emptyMs.toFixed(1)} ms: the interpreter's set-up and finalization). ${'version' in probe ? `python3 ${probe.version}.` : `python3: ${probe.missing}; ratios skipped.`}`,
    '',
    '| program | pymem run (ms) | python3 (ms) | pymem ÷ python3 |',
    '|---|---:|---:|---:|',
    ...rows,
    ...(geo === null ? [] : [`| geometric mean | | | ${geo.toFixed(2)}× |`]),
  ].join('\n');
  return { timings, emptyMs, markdown };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--rounds');
  const rounds = at >= 0 ? Number(argv.splice(at, 2)[1]) : 5;
  if (!(rounds >= 1 && Number.isInteger(rounds))) {
    process.stderr.write('usage: node dist/bench/runPrograms.js [--rounds N] [PROGRAM.py...]\n');
    process.exit(2);
  }
  const r = runProgramsBench({ rounds, programs: argv.length > 0 ? argv : undefined });
  process.stdout.write(`${r.markdown}\n`);
}
