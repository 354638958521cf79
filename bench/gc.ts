/*
 * The cyclic collector against CPython: pymem's collector (lib/gc) side by
 * side with CPython 3.11's own (`python3`) running the same Python in the
 * same bench run (issue 4, "Bench"). Three cases:
 *
 *   case   what is timed                                          objects
 *   live   a full gc.collect() over n live lists, nothing to free  n + 1 containers
 *   rings  a full gc.collect() over n lists in n/10 dropped rings  all n freed
 *          of 10 (each list holds the next)
 *   churn  n/2 two-list cycles (a = []; b = [a]; a.append(b))      n allocations
 *          made and dropped with gc on: the whole loop, and the
 *          collections it sets off (gc.callbacks time them)
 *
 *   contestant  process
 *   CPython     python3 bench/gcPython.py <case> <n> <rounds> <warmup>
 *   pymem       node dist/bench/gcChild.js <case> <n> <rounds> <warmup>   (C-API level)
 *
 * One fresh process per (case × contestant × run), so each peak RSS (VmHWM,
 * reset after setup) is that case's alone; the two contestants of a case run
 * back to back, in an order that alternates from run to run. Within a
 * process: an untimed warm-up, then `rounds` timed rounds whose median is
 * the process's time. A time in the table is the median over runs, a ratio
 * the median over runs of (pymem's time / CPython's in the same run).
 *
 * Then, unless told not to, one more pymem child runs `rings` under
 * `node --cpu-prof`, and the section names the functions that took the
 * samples under gc.collect() (cpuProfile.ts).
 *
 * The aim, reported and never asserted: within 2× of CPython.
 */
import { PYTHON, probePython, runPython } from './python.js';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild } from './child.js';
import { type ProfileSummary, summarizeProfile } from './cpuProfile.js';
import { fmtMiB, fmtRatio, markdownTable } from './table.js';
import { median, nowNs } from './timing.js';

/** The cases, in table order. */
export const GC_CASES = ['live', 'rings', 'churn'] as const;
export type GcCase = (typeof GC_CASES)[number];

/** What a child (gcChild.ts or gcPython.py) prints. */
export interface GcReport {
  readonly level: string;
  readonly case: GcCase;
  readonly n: number;
  readonly warmup: number;
  /** ns of each timed round: the collect() call (live, rings) or the whole loop (churn). */
  readonly samples: number[];
  /** live, rings: what each timed collect() returned. */
  readonly found: number[];
  /** churn: per timed round, ns spent in collections of generations 0, 1, 2. */
  readonly collectionNs: number[][];
  /** churn: per timed round, collections of generations 0, 1, 2. */
  readonly collections: number[][];
  /** Tracked objects after the setup's full collection (what long_lived_total starts from). */
  readonly tracked: number;
  /** VmRSS before the first round, bytes. */
  readonly rssStart: number;
  /** VmHWM after the last round, bytes. */
  readonly peakRss: number;
  /** False when the peak could not be reset: it is then the process's peak since start. */
  readonly peakReset: boolean;
  /** CPython only: sys.version's first word. */
  readonly version?: string;
}

/** Sizes of the section. */
export interface GcBenchOptions {
  /** Objects per case (a multiple of 10): live lists, lists in rings, allocations in the churn loop. */
  readonly n: number;
  /** Processes per case and contestant. */
  readonly runs: number;
  /** Timed rounds per process. */
  readonly rounds: number;
  /** Untimed rounds first (of n/10; live has its one untimed collect instead). */
  readonly warmup: number;
  /** Profile `rings` in one more pymem process under `node --cpu-prof` (default true). */
  readonly profile?: boolean;
  /** Called after each child process. */
  readonly onDone?: (done: number, total: number) => void;
}

type Contestant = 'cpython' | 'pymem';

const PY_SCRIPT = fileURLToPath(new URL('../../bench/gcPython.py', import.meta.url));

/** The figures of one contestant on one case, one entry per run. */
interface Figures {
  /** Median ns of the timed rounds. */
  readonly times: number[];
  /** churn: median ns in collections per round. */
  readonly inCollections: number[];
  /** churn: median ns per generation-0 collection. */
  readonly perGen0: number[];
  /** churn: collections of generations 0, 1, 2 in the first timed round. */
  readonly schedule: number[][];
  readonly tracked: number[];
  readonly peaks: number[];
  readonly growths: number[];
  readonly starts: number[];
  readonly peakReset: boolean[];
}

const newFigures = (): Figures => ({
  times: [],
  inCollections: [],
  perGen0: [],
  schedule: [],
  tracked: [],
  peaks: [],
  growths: [],
  starts: [],
  peakReset: [],
});

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

function record(f: Figures, r: GcReport): void {
  f.times.push(median(r.samples));
  if (r.case === 'churn') {
    f.inCollections.push(median(r.collectionNs.map(sum)));
    f.perGen0.push(median(r.collectionNs.map((ns, i) => ns[0]! / Math.max(1, r.collections[i]![0]!))));
    f.schedule.push(r.collections[0]!);
  }
  f.tracked.push(r.tracked);
  f.peaks.push(r.peakRss);
  f.growths.push(r.peakRss - r.rssStart);
  f.starts.push(r.rssStart);
  f.peakReset.push(r.peakReset);
}

/** The functions of lib/gc/collector.ts named after gc_collect_main's phases, in the order they run. */
const PHASES = [
  'updateRefs',
  'subtractRefs',
  'moveUnreachable',
  'untrackTuples',
  'untrackDicts',
  'moveLegacyFinalizers',
  'handleWeakrefs',
  'finalizeGarbage',
  'handleResurrectedObjects',
  'deleteGarbage',
  'clearFreelists',
];

/** Runs gcChild.js `rings` under `node --cpu-prof`; the samples under gc.collect(). */
function profileRings(n: number): ProfileSummary {
  const dir = mkdtempSync(join(tmpdir(), 'pymem-gc-prof-'));
  try {
    runChild('./gcChild.js', ['rings', String(n), '1', '1'], ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', dir]);
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (file === undefined) throw new Error(`node --cpu-prof wrote no profile into ${dir}`);
    return summarizeProfile(join(dir, file), 'collect', 'gcModule.js');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Milliseconds with one decimal, or microseconds below 1 ms. */
function fmtTime(ns: number): string {
  return ns >= 1e6 ? `${(ns / 1e6).toFixed(1)} ms` : `${(ns / 1e3).toFixed(0)} µs`;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

/** Runs every case's contestants `runs` times (and the profile); returns the markdown section. */
export function runGcBench(opts: GcBenchOptions): { markdown: string; xCpython: Partial<Record<GcCase, number>> } {
  const start = nowNs();
  const { n, runs, rounds, warmup } = opts;
  if (!(Number.isInteger(n) && n >= 10 && n % 10 === 0 && runs > 0 && rounds > 0 && warmup >= 0)) {
    throw new Error(`runGcBench: n must be a multiple of 10 and runs, rounds > 0, warmup >= 0; got ${n}/${runs}/${rounds}/${warmup}`);
  }
  const profile = opts.profile ?? true;
  const python = probePython(PY_SCRIPT);
  const contestants: Contestant[] = 'version' in python ? ['cpython', 'pymem'] : ['pymem'];
  const args = (c: GcCase): string[] => [c, String(n), String(rounds), String(warmup)];
  const runOne = (who: Contestant, c: GcCase): GcReport =>
    who === 'cpython' ? runPython<GcReport>(PY_SCRIPT, args(c)) : (runChild('./gcChild.js', args(c)) as GcReport);
  const figures = new Map<string, Figures>();
  const fig = (who: Contestant, c: GcCase): Figures => {
    const key = `${who} ${c}`;
    if (!figures.has(key)) figures.set(key, newFigures());
    return figures.get(key)!;
  };
  const total = runs * GC_CASES.length * contestants.length + (profile ? 1 : 0);
  let done = 0;
  for (let run = 0; run < runs; run++) {
    GC_CASES.forEach((c, k) => {
      for (let j = 0; j < contestants.length; j++) {
        const who = contestants[(j + run + k) % contestants.length]!;
        record(fig(who, c), runOne(who, c));
        done++;
        opts.onDone?.(done, total);
      }
    });
  }
  let prof: ProfileSummary | null = null;
  if (profile) {
    prof = profileRings(n);
    done++;
    opts.onDone?.(done, total);
  }

  const has = (who: Contestant): boolean => contestants.includes(who);
  type Pick = (f: Figures) => number[];
  const times: Pick = (f) => f.times;
  const inCollections: Pick = (f) => f.inCollections;
  const perGen0: Pick = (f) => f.perGen0;
  const time = (who: Contestant, c: GcCase, pick: Pick): string => (has(who) ? fmtTime(median(pick(fig(who, c)))) : '—');
  const ratios = (c: GcCase, pick: Pick): number[] => {
    const base = pick(fig('cpython', c));
    return pick(fig('pymem', c)).map((t, i) => t / base[i]!);
  };
  const ratio = (c: GcCase, pick: Pick): number => median(ratios(c, pick));
  const ratioCell = (c: GcCase, pick: Pick): string => (has('cpython') ? fmtRatio(ratio(c, pick)) : '—');
  const rss = (who: Contestant, c: GcCase): string =>
    has(who) ? `${fmtMiB(median(fig(who, c).peaks))} (+${fmtMiB(median(fig(who, c).growths))})` : '—';
  const row = (label: string, c: GcCase, pick: Pick, withRss: boolean): string[] => [
    label,
    time('cpython', c, pick),
    time('pymem', c, pick),
    ratioCell(c, pick),
    withRss ? rss('cpython', c) : '',
    withRss ? rss('pymem', c) : '',
  ];
  const count = (x: number): string => x.toLocaleString('en-US');
  const table = markdownTable(
    ['case', 'CPython', 'pymem', 'pymem ÷ CPython', 'CPython peak RSS', 'pymem peak RSS'],
    [
      row(`live: full collect(), ${count(n)} live lists, none freed`, 'live', times, true),
      row(`rings: full collect(), ${count(n / 10)} rings of 10 lists, ${count(n)} freed`, 'rings', times, true),
      row(`churn: ${count(n / 2)} two-list cycles made and dropped, gc on: whole loop`, 'churn', times, true),
      row('churn: of which in collections (all generations)', 'churn', inCollections, false),
      row('churn: one generation-0 collection (mean)', 'churn', perGen0, false),
    ],
  );

  const notes: string[] = [];
  if ('missing' in python) {
    notes.push(`- **CPython skipped:** ${python.missing}. Install Python 3.11 as \`${PYTHON}\` for the CPython column and the ratios.`);
  } else {
    if (!python.version.startsWith('3.11.')) notes.push(`- **${PYTHON} is ${python.version}, not 3.11**: the CPython column is that version's.`);
    const aims: Array<[string, GcCase, Pick]> = [
      ['live', 'live', times],
      ['rings', 'rings', times],
      ['churn in collections', 'churn', inCollections],
    ];
    const met = aims.filter(([, c, p]) => ratio(c, p) <= 2);
    const missed = aims.filter(([, c, p]) => ratio(c, p) > 2);
    const list = (xs: typeof aims): string => xs.map(([l, c, p]) => `${l} ${fmtRatio(ratio(c, p))}`).join(', ');
    notes.push(
      `- **Aim: within 2× of CPython** — met on ${met.length} of ${aims.length}${met.length > 0 ? ` (${list(met)})` : ''}${missed.length > 0 ? `; missed on ${list(missed)}` : ''}.`,
    );
    if (runs > 1) {
      const spread = ([l, c, p]: (typeof aims)[number]): string => {
        const rs = ratios(c, p);
        return `${l} ${Math.min(...rs).toFixed(2)}–${fmtRatio(Math.max(...rs))}`;
      };
      notes.push(`- Spread of the ratio over the ${runs} runs: ${aims.map(spread).join(', ')}.`);
    }
    const schedule = (who: Contestant): string => fig(who, 'churn').schedule[0]!.join('/');
    const tracked = (who: Contestant): string => count(Math.round(median(fig(who, 'churn').tracked)));
    const same = schedule('cpython') === schedule('pymem');
    notes.push(
      `- Collections of generations 0/1/2 per churn round: CPython ${schedule('cpython')}, pymem ${schedule('pymem')}${
        same
          ? ' (the same schedule).'
          : `. Generation 2 waits until the objects moved there by generation-1 collections (long_lived_pending) reach a quarter of what the last full collection kept (long_lived_total): ${tracked('cpython')} objects in python3 after its imports, ${tracked('pymem')} in pymem's bare heap, so pymem's generation-2 collections (of a nearly empty heap) are not held back and take the place of some generation-0 ones.`
      }`,
    );
    notes.push(
      `- In the churn loop, time outside collections is making and freeing the lists (see "Objects against CPython"): ${fmtTime(median(fig('cpython', 'churn').times) - median(fig('cpython', 'churn').inCollections))} in CPython, ${fmtTime(median(fig('pymem', 'churn').times) - median(fig('pymem', 'churn').inCollections))} in pymem.`,
    );
  }
  if (prof !== null) {
    const top = prof.spots.slice(0, 8).map((s) => `\`${s.where}\` ${pct(s.self)}`).join(', ');
    const phases = PHASES.map((p) => prof.spots.find((s) => s.name === p && s.where.includes('collector.js')))
      .filter((s) => s !== undefined && s.total >= 0.005)
      .map((s) => `${s!.name} ${pct(s!.total)}`)
      .join(', ');
    notes.push(
      `- **Profile of rings** (\`node --cpu-prof --cpu-prof-interval 100 dist/bench/gcChild.js rings ${n} 1 1\`, cpuProfile.ts), over the ${count(prof.rootSamples)} samples (of ${count(prof.samples)}) taken under \`gc.collect()\`. Self time: ${top}. Time with each phase of collectMain on the stack: ${phases} (updateRefs, subtractRefs and moveUnreachable count both deduce_unreachable passes; the second runs inside handleResurrectedObjects).`,
    );
  }
  if ([...figures.values()].some((f) => f.peakReset.includes(false))) {
    notes.push('- The OS refused to reset VmHWM in some process: its peak is since process start.');
  }
  notes.push(`- This section ran in ${((nowNs() - start) / 1e9).toFixed(0)} s (${done} processes).`);

  const startOf = (who: Contestant): string => fmtMiB(median(GC_CASES.flatMap((c) => fig(who, c).starts)));
  const plural = (k: number, word: string): string => `${k} ${word}${k === 1 ? '' : 's'}`;
  const xCpython: Partial<Record<GcCase, number>> = {};
  if (has('cpython')) for (const c of GC_CASES) xCpython[c] = ratio(c, times);
  return {
    xCpython,
    markdown: [
      '### The cyclic collector against CPython',
      '',
      `${'version' in python ? `CPython ${python.version}'s collector beside pymem's` : "pymem's collector (CPython skipped, see below)"} (C-API level, profile cpython311), each running the same Python (\`${PYTHON} bench/gcPython.py <case> ${n} ${rounds} ${warmup}\`, \`node dist/bench/gcChild.js <case> ${n} ${rounds} ${warmup}\`). One fresh process per case, contestant and run; in each, ${plural(warmup, 'untimed round')} of n/10 (live: one untimed collect()), then the median of ${plural(rounds, 'timed round')}. The table gives the median over ${plural(runs, 'run')}, a ratio the median of per-run ratios. live and rings build their heap under gc.disable() and time one gc.collect(); churn runs with gc on and times the loop, and each collection it sets off from gc.callbacks' "start" to "stop". Peak RSS: VmHWM, reset after setup, in MiB, with its rise above the RSS at that point in brackets (RSS after setup: ${has('cpython') ? `python3 ${startOf('cpython')} MiB, ` : ''}node ${startOf('pymem')} MiB).`,
      '',
      table,
      '',
      ...notes,
    ].join('\n'),
  };
}
