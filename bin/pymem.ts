#!/usr/bin/env node
/*
 * The pymem command line.
 *
 *   pymem demo                      replay the bundled trace, CPython's stats beside pymem's (npm start)
 *   pymem replay FILE [options]     replay a trace; print the stats in CPython's format
 *   pymem conformance [DIR]         replay every NAME.trace.gz of DIR against NAME.stats.txt
 *   pymem compare [TRACE...]        pymem against glibc, jemalloc, tcmalloc, mimalloc: time, RSS, charts
 *
 * Exit status: 0 when everything matched, 1 on a difference, 2 on bad usage.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { processMemory, resetPeakMemory } from '../lib/allocator/osMemory.js';
import { PymemError, UsageError } from '../lib/errors.js';
import { DEFAULT_ALLOCATORS, parseAllocator } from '../lib/tools/compare/allocators.js';
import { runComparison } from '../lib/tools/compare/compare.js';
import { resultsTable, writeReport } from '../lib/tools/compare/report.js';
import { SYNTHETIC_NAMES, type SyntheticName, isSyntheticName } from '../lib/tools/compare/synthetic.js';
import { progressBar } from '../lib/tools/progress.js';
import { type ReplayResult, replayTrace } from '../lib/tools/replay.js';
import { diffLines, sideBySide } from '../lib/tools/statsDiff.js';

const root = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
})();

const usage = `usage:
  pymem demo
      Replay the bundled CPython trace and show pymem's stats beside CPython's.
  pymem replay FILE [--profile NAME] [--memory native|fake] [--json] [--stats FILE]
      Replay a pymtrace file (.trace.gz or text) into a fresh heap and print the
      stats as CPython's sys._debugmallocstats() does. --stats compares them with
      CPython's own output (default: NAME.stats.txt beside the trace, if present).
  pymem conformance [DIR]
      Replay every NAME.trace.gz in DIR (default ../shared/cpython/traces) and
      compare with NAME.stats.txt; exit 1 on any difference.
  pymem compare [TRACE | synthetic[:NAME] ...] [--allocators A,B,...] [--runs N] [--out DIR]
                [--memory-runs N] [--scale S] [--touch-max BYTES]
      Replay each trace (default: every NAME.trace.gz of ../shared/cpython/traces and
      the synthetic workloads glibc-simple, larson, lifetimes) under each allocator
      (default ${DEFAULT_ALLOCATORS.join(',')}; also pymem-retainN,
      pymem-...-nocheck, NAME=/path/to/libmalloc.so), each run a fresh process:
      N timed runs (default 5), then memory runs (default 3) that write into the
      blocks and sample RSS; write a markdown table, SVG charts and results.json
      to DIR (default bench/results/latest). Missing allocators are reported and
      skipped.
`;

const mib = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MiB`;

function statsFileFor(trace: string): string | undefined {
  const f = trace.replace(/\.trace(\.gz)?$/, '.stats.txt');
  return f !== trace && existsSync(f) ? f : undefined;
}

async function replayWithBar(file: string, profile: string | undefined, memory: 'native' | 'fake' = 'native'): Promise<ReplayResult> {
  const bar = progressBar(basename(file));
  try {
    return await replayTrace(file, { ...(profile ? { profile } : {}), memory, onProgress: (d, t) => bar.update(d, t) });
  } finally {
    bar.done();
  }
}

function verdictLines(r: ReplayResult): string {
  let out = '';
  if (r.placementCheckable) out += `placement mismatches: ${r.placementMismatches} of ${r.placementsChecked} checked\n`;
  else out += `placement: not checked (${r.profile} arenas are not the trace's, or the trace has no addresses)\n`;
  out += `arena map/unmap mismatches: ${r.arenaMismatches}\n`;
  for (const m of r.mismatches) out += `  event ${m.event} (line ${m.line}): ${m.what}\n`;
  return out;
}

async function replayCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { profile: { type: 'string' }, memory: { type: 'string' }, json: { type: 'boolean' }, stats: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new UsageError('replay takes one trace file');
  const file = positionals[0]!;
  if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
  const memory = values.memory ?? 'native';
  if (memory !== 'native' && memory !== 'fake') throw new UsageError(`--memory must be native or fake, got ${memory}`);
  const r = await replayWithBar(file, values.profile, memory);
  const statsFile = values.stats ?? statsFileFor(file);
  const theirs = statsFile ? readFileSync(statsFile, 'utf8') : undefined;
  const diff = theirs !== undefined ? diffLines(r.statsText, theirs) : undefined;
  const differing = diff ? diff.filter((l) => !l.same).length : 0;
  if (values.json) {
    const { statsText: _text, ...rest } = r;
    process.stdout.write(`${JSON.stringify({ ...rest, statsFile, statsLinesDiffering: diff ? differing : undefined }, null, 2)}\n`);
  } else {
    process.stdout.write(r.statsText);
    process.stdout.write(`\n${r.events} events replayed in ${(r.elapsedMs / 1000).toFixed(2)} s with profile ${r.profile}\n`);
    if (diff) process.stdout.write(`stats lines differing from ${statsFile}: ${differing}\n`);
    process.stdout.write(verdictLines(r));
  }
  return differing === 0 && r.placementMismatches === 0 && r.arenaMismatches === 0 ? 0 : 1;
}

async function demoCommand(): Promise<number> {
  const trace = join(root, 'fixtures/traces/startup.trace.gz');
  const stats = join(root, 'fixtures/traces/startup.stats.txt');
  const before = processMemory().rss;
  resetPeakMemory();
  const r = await replayWithBar(trace, 'cpython311');
  const peak = processMemory().peakRss;
  if (typeof globalThis.gc === 'function') globalThis.gc();
  const after = processMemory().rss;
  const diff = diffLines(r.statsText, readFileSync(stats, 'utf8'));
  const differing = diff.filter((l) => !l.same).length;
  process.stdout.write(`pymem replayed CPython 3.11.7's own start-up (${r.events} allocator calls of an empty script)\n`);
  process.stdout.write(`into a fresh heap with profile cpython311, in ${(r.elapsedMs / 1000).toFixed(2)} s.\n\n`);
  process.stdout.write(sideBySide(diff, 'pymem', 'CPython 3.11.7 (recorded)'));
  process.stdout.write(`\nlines differing: ${differing} of ${diff.length}\n`);
  process.stdout.write(verdictLines(r));
  process.stdout.write(`process RSS: before ${mib(before)}, peak ${mib(peak)}, after ${mib(after)}\n`);
  return differing === 0 && r.placementMismatches === 0 && r.arenaMismatches === 0 ? 0 : 1;
}

async function conformanceCommand(args: string[]): Promise<number> {
  const dir = resolve(args[0] ?? join(root, '../shared/cpython/traces'));
  if (!existsSync(dir)) throw new UsageError(`no trace directory at ${dir}`);
  const traces = readdirSync(dir).filter((f) => f.endsWith('.trace.gz')).sort();
  let failed = 0;
  const rows: string[] = ['| trace | events | seconds | stats lines differing | placement mismatches | arena mismatches |', '|---|---:|---:|---:|---:|---:|'];
  for (const t of traces) {
    const file = join(dir, t);
    const statsFile = statsFileFor(file);
    const r = await replayWithBar(file, 'cpython311');
    const differing = statsFile ? diffLines(r.statsText, readFileSync(statsFile, 'utf8')).filter((l) => !l.same).length : NaN;
    if (differing !== 0 || r.placementMismatches !== 0 || r.arenaMismatches !== 0) failed++;
    rows.push(`| ${t} | ${r.events} | ${(r.elapsedMs / 1000).toFixed(1)} | ${differing} | ${r.placementMismatches} of ${r.placementsChecked} | ${r.arenaMismatches} |`);
    if (r.mismatches.length) process.stderr.write(`${t}:\n${verdictLines(r)}`);
  }
  process.stdout.write(`${rows.join('\n')}\n\n${failed === 0 ? 'all traces conform' : `${failed} trace(s) differ`}\n`);
  return failed === 0 ? 0 : 1;
}

async function compareCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      allocators: { type: 'string' },
      runs: { type: 'string' },
      out: { type: 'string' },
      scale: { type: 'string' },
      'touch-max': { type: 'string' },
      'memory-runs': { type: 'string' },
    },
  });
  const num = (name: string, v: string | undefined, dflt: number, integer: boolean): number => {
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!(n > 0) || (integer && !Number.isInteger(n))) throw new UsageError(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got ${v}`);
    return n;
  };
  const traces: string[] = [];
  const synthetic: SyntheticName[] = [];
  const sharedDir = resolve(root, '../shared/cpython/traces');
  const items = positionals.length > 0 ? positionals : [...(existsSync(sharedDir) ? readdirSync(sharedDir).filter((f) => f.endsWith('.trace.gz')).sort().map((f) => join(sharedDir, f)) : []), 'synthetic'];
  for (const item of items) {
    if (item === 'synthetic') synthetic.push(...SYNTHETIC_NAMES);
    else if (item.startsWith('synthetic:')) {
      const name = item.slice('synthetic:'.length);
      if (!isSyntheticName(name)) throw new UsageError(`unknown synthetic workload ${name}: expected ${SYNTHETIC_NAMES.join(', ')}`);
      synthetic.push(name);
    } else if (!existsSync(item)) throw new UsageError(`no such file: ${item}`);
    else traces.push(item);
  }
  const allocators = values.allocators !== undefined ? values.allocators.split(',').filter((a) => a !== '') : DEFAULT_ALLOCATORS;
  for (const a of allocators) {
    try {
      parseAllocator(a);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const out = resolve(values.out ?? 'bench/results/latest');
  let bar: ReturnType<typeof progressBar> | null = null;
  let barFor = '';
  const c = await runComparison({
    traces,
    synthetic,
    syntheticScale: num('scale', values.scale, 1, false),
    allocators,
    runs: num('runs', values.runs, 5, true),
    memoryRuns: num('memory-runs', values['memory-runs'], 3, true),
    touchMax: num('touch-max', values['touch-max'], 512, true),
    log: (line) => process.stderr.write(`${line}\n`),
    onProgress: (workload, done, total) => {
      if (barFor !== workload) {
        bar?.done();
        bar = progressBar(workload);
        barFor = workload;
      }
      bar!.update(done, total);
    },
    onWorkloadDone: () => {
      bar?.done();
      bar = null;
      barFor = '';
    },
  });
  const command = ['npx pymem compare', ...args].join(' ');
  const files = writeReport(c, out, command);
  process.stdout.write(`${resultsTable(c)}\n\n${files.map((f) => `wrote ${f}`).join('\n')}\n`);
  return c.workloads.some((w) => w.failures.length > 0) ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'demo':
      return demoCommand();
    case 'replay':
      return replayCommand(rest);
    case 'conformance':
      return conformanceCommand(rest);
    case 'compare':
      return compareCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(usage);
      return cmd === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command ${JSON.stringify(cmd)}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError || (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      process.stderr.write(`pymem: ${(e as Error).message}\n\n${usage}`);
      process.exitCode = 2;
    } else if (e instanceof PymemError) {
      process.stderr.write(`pymem: ${(e as Error).message}\n`);
      process.exitCode = 1;
    } else {
      throw e;
    }
  },
);
