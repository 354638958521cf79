/*
 * `pymem compare`: pymem against glibc, jemalloc, tcmalloc and mimalloc on
 * the same traces (lib/tools/compare/ does the work). On the terminal: the
 * table, what its columns mean, and the exact install line for the
 * allocators that could not run here.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, UsageError } from '../errors.js';
import { packageRoot } from '../packageRoot.js';
import { DEFAULT_ALLOCATORS, parseAllocator } from '../tools/compare/allocators.js';
import { type Comparison, runComparison } from '../tools/compare/compare.js';
import { resultsTable, tableNotes, writeReport } from '../tools/compare/report.js';
import { SYNTHETIC_NAMES, type SyntheticName, isSyntheticName } from '../tools/compare/synthetic.js';
import { type Progress, progressBar } from '../tools/progress.js';
import { type Command, positiveOption, stringOption } from './command.js';

/** The `apt-get install` line for the skipped allocators Debian packages, or undefined when none is. */
export function installLine(c: Pick<Comparison, 'missing'>): string | undefined {
  const packages = new Set<string>();
  for (const m of c.missing) {
    try {
      const spec = parseAllocator(m.name);
      if (spec.kind === 'native' && spec.debianPackage !== undefined && m.why.startsWith('no ')) packages.add(spec.debianPackage);
    } catch (e) {
      if (!(e instanceof InvalidArgumentError)) throw e;
    }
  }
  return packages.size > 0 ? `sudo apt-get install ${[...packages].join(' ')}` : undefined;
}

/** What the terminal gets under the table: the column notes, the skipped allocators and how to get them. */
export function terminalNotes(c: Comparison): string {
  let out = `What the columns mean:\n${tableNotes(c).split('\n').map((l) => `  ${l}\n`).join('')}`;
  if (c.missing.length > 0) {
    out += `\nNot run here:\n${c.missing.map((m) => `  ${m.name}: ${m.why}\n`).join('')}`;
    const line = installLine(c);
    if (line !== undefined) out += `To run the missing preloadable allocators, install them:\n  ${line}\n`;
  }
  return out;
}

/** The compare command. */
export const compareCommand: Command = {
  name: 'compare',
  summary: "pymem against CPython's own obmalloc, glibc, jemalloc, tcmalloc and mimalloc: time, RSS, charts",
  usage: 'pymem compare [TRACE | synthetic[:NAME] ...]',
  description:
    'Replays each trace (default: every NAME.trace.gz of fixtures/traces, and the synthetic\n' +
    `workloads ${SYNTHETIC_NAMES.join(', ')}) under each allocator, each run a fresh process: timed\n` +
    'runs, then memory runs that write into the blocks and sample RSS. Prints a table and what\n' +
    'its columns mean; writes a markdown report, SVG charts and results.json to --out.\n' +
    "Allocators that cannot run here are skipped and named, with the line that installs them;\n" +
    "cpython is CPython 3.11's own obmalloc, from the libpython python3's sysconfig names (or --libpython).\n" +
    'Exit status: 0 when every run succeeded, 1 when one failed, 2 on bad usage.',
  options: {
    allocators: { type: 'string', value: 'A,B,...', help: `default ${DEFAULT_ALLOCATORS.join(',')}; also pymem-retainN, pymem+madvise[N] (release policy), pymem+cacheK, pymem-...-nocheck, NAME=/path/to/libmalloc.so` },
    runs: { type: 'string', value: 'N', help: 'timed runs per allocator and workload (default 5)' },
    'memory-runs': { type: 'string', value: 'N', help: 'memory runs per allocator and workload (default 3; the median peak is kept)' },
    scale: { type: 'string', value: 'S', help: 'size of the synthetic workloads (default 1: about two million calls each)' },
    'touch-max': { type: 'string', value: 'BYTES', help: 'in memory runs, write into every new block of at most this size (default 512)' },
    out: { type: 'string', value: 'DIR', help: 'where the report goes (default bench/results/latest)' },
    libpython: { type: 'string', value: 'PATH', help: "the libpython of the cpython contestant, CPython 3.11's own obmalloc (default: python3's sysconfig)" },
    json: { type: 'boolean', help: 'print the comparison (results.json: every run\'s numbers) on stdout instead of the table' },
  },
  examples: ['pymem compare synthetic:larson --scale 0.1 --runs 1 --memory-runs 1 --out /tmp/cmp'],
  async run(args) {
    const traces: string[] = [];
    const synthetic: SyntheticName[] = [];
    const fixtureDir = join(packageRoot(), 'fixtures/traces');
    const items =
      args.positionals.length > 0
        ? args.positionals
        : [...(existsSync(fixtureDir) ? readdirSync(fixtureDir).filter((f) => f.endsWith('.trace.gz')).sort().map((f) => join(fixtureDir, f)) : []), 'synthetic'];
    for (const item of items) {
      if (item === 'synthetic') synthetic.push(...SYNTHETIC_NAMES);
      else if (item.startsWith('synthetic:')) {
        const name = item.slice('synthetic:'.length);
        if (!isSyntheticName(name)) throw new UsageError(`unknown synthetic workload ${name}: expected ${SYNTHETIC_NAMES.join(', ')}`);
        synthetic.push(name);
      } else if (!existsSync(item)) throw new UsageError(`no such file: ${item}`);
      else traces.push(item);
    }
    const given = stringOption(args, 'allocators');
    const allocators = given !== undefined ? given.split(',').filter((a) => a !== '') : DEFAULT_ALLOCATORS;
    for (const a of allocators) {
      try {
        parseAllocator(a);
      } catch (e) {
        if (e instanceof InvalidArgumentError) throw new UsageError(e.message);
        throw e;
      }
    }
    const out = resolve(stringOption(args, 'out') ?? 'bench/results/latest');
    let bar: Progress | null = null;
    let barFor = '';
    const c = await runComparison({
      traces,
      synthetic,
      syntheticScale: positiveOption(args, 'scale', 1, false),
      allocators,
      ...(stringOption(args, 'libpython') !== undefined ? { libpython: stringOption(args, 'libpython')! } : {}),
      runs: positiveOption(args, 'runs', 5, true),
      memoryRuns: positiveOption(args, 'memory-runs', 3, true),
      touchMax: positiveOption(args, 'touch-max', 512, true),
      log: (line) => process.stderr.write(`${line}\n`),
      onProgress: (workload, done, total) => {
        if (barFor !== workload) {
          bar?.done();
          bar = progressBar(workload);
          barFor = workload;
        }
        bar!.update(done, total, `${done} of ${total} runs`);
      },
      onWorkloadDone: () => {
        bar?.done();
        bar = null;
        barFor = '';
      },
    });
    const command = ['npx pymem compare', ...args.argv].join(' ');
    const files = writeReport(c, out, command);
    if (args.values['json'] === true) process.stdout.write(`${JSON.stringify({ command, ...c, files }, null, 1)}\n`);
    else process.stdout.write(`${resultsTable(c)}\n\n${terminalNotes(c)}\n${files.map((f) => `wrote ${f}`).join('\n')}\n`);
    return c.workloads.some((w) => w.failures.length > 0) ? 1 : 0;
  },
};
