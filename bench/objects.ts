/*
 * Objects against CPython: pymem's object layer side by side with CPython
 * 3.11 itself (`python3`), running the equivalent Python in the same bench
 * run (issue 3, "Bench"). Each workload makes and drops n objects, or builds
 * an n-item list of small lists and drops it:
 *
 *   contestant  process                                         what it calls
 *   CPython     python3 bench/objectsPython.py <w> …             the Python statement
 *   C-API       node dist/bench/objectsChild.js capi <w> …       Interpreter modules, pointers
 *   handles     node dist/bench/objectsChild.js handle <w> …     Python/PyHandle with `using`
 *
 * One fresh process per (workload × contestant × run), so each peak RSS is
 * that workload's alone (mimalloc-bench's rule); the three contestants of a
 * workload run back to back in a rotating order, and a ratio is the median
 * over runs of (pymem's time / CPython's time in the same run). Within a
 * process: untimed warm-up rounds (V8's JIT; CPython's specializing
 * interpreter), then timed rounds, whose median is the process's time.
 * All three run with the cyclic GC on, as any Python program does; for the
 * notes below the table, CPython's empty loop and listOfLists under
 * gc.disable() (CPython and the C-API level) run as well.
 *
 * The aim, reported and never asserted: the C-API level within 2× of CPython.
 */
import { PYTHON, probePython, runPython } from './python.js';
import { fileURLToPath } from 'node:url';
import { runChild } from './child.js';
import { fmtMiB, fmtNs, fmtRatio, markdownTable } from './table.js';
import { median, nowNs } from './timing.js';

/** The workloads, in table order. */
export const WORKLOADS = ['int', 'float', 'tuple', 'list', 'dict', 'instance', 'slots', 'listOfLists'] as const;
export type Workload = (typeof WORKLOADS)[number];

/** What a child (objectsChild.ts or objectsPython.py) prints. */
export interface ObjectsReport {
  readonly level: string;
  readonly workload: string;
  readonly n: number;
  readonly warmup: number;
  /** ns per operation, one per timed round. */
  readonly samples: number[];
  /** VmRSS before the first round, bytes. */
  readonly rssStart: number;
  /** VmHWM after the last round, bytes. */
  readonly peakRss: number;
  /** False when the peak could not be reset: it is then the process's peak since start. */
  readonly peakReset: boolean;
  /** Collections of generations 0, 1, 2 per timed round. */
  readonly collections: number[];
  /** CPython only: sys.version's first word. */
  readonly version?: string;
}

/** Each workload's row label and the code each contestant runs per operation. */
const INFO: Record<Workload, { label: string; python: string; capi: string; handle: string }> = {
  int: {
    label: 'int 1001 (beyond the small-int cache)',
    python: 'x = a + 1',
    capi: 'decref(long.fromNumber(1001))',
    handle: 'using x = py.int(1001)',
  },
  float: { label: 'float', python: 'x = f + 1.0', capi: 'decref(float.fromNumber(1.5))', handle: 'using x = py.float(1.5)' },
  tuple: { label: 'tuple of 2', python: 'x = (a, b)', capi: 'decref(tuple.pack([a, b]))', handle: 'using x = py.tuple([ha, hb])' },
  list: {
    label: 'list of 1',
    python: 'x = [a]',
    capi: 'l = list.new(1); incref(a); list.setItem(l, 0, a); decref(l)',
    handle: 'using x = py.list([ha])',
  },
  dict: {
    label: 'dict of 1 str key',
    python: "x = {'key': a}",
    capi: "decref(dict.fromItems([k], [a])), k = intern('key')",
    handle: 'using x = py.dict({ key: ha })',
  },
  instance: { label: 'instance, plain class', python: 'x = P()', capi: 'decref(instance.new(P))', handle: 'using x = py.own(instance.new(P))' },
  slots: {
    label: "instance, __slots__ = ('a', 'b')",
    python: 'x = S()',
    capi: 'decref(instance.new(S))',
    handle: 'using x = py.own(instance.new(S))',
  },
  listOfLists: {
    label: 'list of n lists of 1, built then dropped (per item)',
    python: 'xs = [[a] for _ in repeat(None, n)]; del xs',
    capi: 'per item: list.new(1) + setItem, list.append(xs, l), decref(l); then decref(xs)',
    handle: 'inner[i] = py.list([ha]) for each i; using xs = py.list(inner); release each inner[i]',
  },
};

/** Operations in a warm-up round: a tenth of a timed round's (both children use this rule). */
export function warmupOps(n: number): number {
  return Math.max(1, Math.floor(n / 10));
}

/** Sizes of the section: n operations per round; `runs` processes per contestant and workload. */
export interface ObjectsConfig {
  readonly n: number;
  readonly runs: number;
  readonly rounds: number;
  readonly warmup: number;
}

/** The figures of one contestant on one workload, over its runs. */
interface Figures {
  /** Each run's median ns per operation. */
  readonly times: number[];
  readonly peaks: number[];
  readonly growths: number[];
  readonly starts: number[];
  readonly peakReset: boolean[];
  /** Each run's collections of generations 0, 1, 2 per timed round. */
  readonly collections: number[][];
}

const newFigures = (): Figures => ({ times: [], peaks: [], growths: [], starts: [], peakReset: [], collections: [] });

function record(f: Figures, r: ObjectsReport): void {
  f.times.push(median(r.samples));
  f.collections.push(r.collections);
  f.peaks.push(r.peakRss);
  f.growths.push(r.peakRss - r.rssStart);
  f.starts.push(r.rssStart);
  f.peakReset.push(r.peakReset);
}

const PY_SCRIPT = fileURLToPath(new URL('../../bench/objectsPython.py', import.meta.url));

type Contestant = 'cpython' | 'capi' | 'handle';
const LABEL: Record<Contestant, string> = { cpython: 'CPython', capi: 'C-API', handle: 'handles' };

/** The median over runs of each generation's collections, as `a/b/c`. */
function gcCounts(f: Figures): string {
  return [0, 1, 2].map((g) => String(Math.round(median(f.collections.map((c) => c[g] ?? 0))))).join('/');
}

/** Runs every workload's contestants `runs` times; returns the markdown section. */
export function runObjects(
  config: ObjectsConfig,
  onDone?: (done: number, total: number) => void,
): { markdown: string; capiXCpython: Partial<Record<Workload, number>> } {
  const start = nowNs();
  const python = probePython(PY_SCRIPT);
  const contestants: Contestant[] = 'version' in python ? ['cpython', 'capi', 'handle'] : ['capi', 'handle'];
  const args = (w: string): string[] => [w, String(config.n), String(config.rounds), String(config.warmup)];
  const runOne = (c: Contestant, w: string): ObjectsReport =>
    c === 'cpython' ? runPython<ObjectsReport>(PY_SCRIPT, args(w)) : (runChild('./objectsChild.js', [c, ...args(w)]) as ObjectsReport);
  const figures = new Map<string, Figures>();
  const fig = (c: string, w: string): Figures => {
    const key = `${c} ${w}`;
    if (!figures.has(key)) figures.set(key, newFigures());
    return figures.get(key)!;
  };
  // For the notes below the table: CPython's loop without a body, and listOfLists with gc.disable().
  const extras: Array<[Contestant, string]> =
    'version' in python
      ? [
          ['cpython', 'empty'],
          ['cpython', 'listOfListsNoGc'],
          ['capi', 'listOfListsNoGc'],
        ]
      : [];
  const total = config.runs * (WORKLOADS.length * contestants.length + extras.length);
  let done = 0;
  for (let run = 0; run < config.runs; run++) {
    WORKLOADS.forEach((w, k) => {
      for (let j = 0; j < contestants.length; j++) {
        const c = contestants[(j + run + k) % contestants.length]!;
        record(fig(c, w), runOne(c, w));
        onDone?.(++done, total);
      }
    });
    for (const [c, w] of extras) {
      record(fig(c, w), runOne(c, w));
      onDone?.(++done, total);
    }
  }

  const has = (c: Contestant): boolean => contestants.includes(c);
  const time = (c: Contestant, w: string): string => (has(c) ? fmtNs(median(fig(c, w).times)) : '—');
  const ratio = (c: Contestant, w: string): number => {
    const base = fig('cpython', w).times;
    return median(fig(c, w).times.map((t, i) => t / base[i]!));
  };
  const ratioCell = (c: Contestant, w: string): string => (has('cpython') ? fmtRatio(ratio(c, w)) : '—');
  const rss = (c: Contestant, w: string): string =>
    has(c) ? `${fmtMiB(median(fig(c, w).peaks))} (+${fmtMiB(median(fig(c, w).growths))})` : '—';
  const rows = WORKLOADS.map((w) => [
    INFO[w].label,
    time('cpython', w),
    time('capi', w),
    ratioCell('capi', w),
    time('handle', w),
    ratioCell('handle', w),
    rss('cpython', w),
    rss('capi', w),
    rss('handle', w),
  ]);
  const table = markdownTable(
    [
      'workload (n = ' + config.n.toLocaleString('en-US') + ')',
      'CPython ns/op',
      'C-API ns/op',
      'C-API ÷ CPython',
      'handles ns/op',
      'handles ÷ CPython',
      'CPython peak RSS',
      'C-API peak RSS',
      'handles peak RSS',
    ],
    rows,
  );

  const notes: string[] = [];
  if ('missing' in python) {
    notes.push(`- **CPython skipped:** ${python.missing}. Install Python 3.11 as \`${PYTHON}\` for the CPython columns and the ratios.`);
  } else {
    if (!python.version.startsWith('3.11.')) notes.push(`- **${PYTHON} is ${python.version}, not 3.11**: the CPython columns are that version's.`);
    const met = WORKLOADS.filter((w) => ratio('capi', w) <= 2);
    const missed = WORKLOADS.filter((w) => ratio('capi', w) > 2);
    const list = (ws: readonly Workload[]): string => ws.map((w) => `${w} ${fmtRatio(ratio('capi', w))}`).join(', ');
    notes.push(
      `- **Aim: the C-API level within 2× of CPython** — met on ${met.length} of ${WORKLOADS.length}${met.length > 0 ? ` (${list(met)})` : ''}${missed.length > 0 ? `; missed on ${list(missed)}` : ''}.`,
    );
    if (config.runs > 1) {
      const spread = (w: Workload): string => {
        const base = fig('cpython', w).times;
        const rs = fig('capi', w).times.map((t, i) => t / base[i]!);
        return `${w} ${Math.min(...rs).toFixed(2)}–${fmtRatio(Math.max(...rs))}`;
      };
      notes.push(`- Spread of the C-API ratio over the ${config.runs} runs: ${WORKLOADS.map(spread).join(', ')}.`);
    }
    const empty = median(fig('cpython', 'empty').times);
    notes.push(
      `- CPython's loop alone (\`for _ in repeat(None, n): pass\`) takes ${fmtNs(empty)} ns per step, part of every CPython time above; a JavaScript \`for\` loop step costs under 1 ns.`,
    );
    const noGc = median(fig('cpython', 'listOfListsNoGc').times);
    const capiNoGc = median(fig('capi', 'listOfListsNoGc').times);
    const quiet = WORKLOADS.every(
      (w) => w === 'listOfLists' || contestants.every((c) => fig(c, w).collections.every((cs) => cs.every((x) => x === 0))),
    );
    notes.push(
      `- The cyclic GC is on in all three (CPython as always; pymem by \`installGc\` at the C-API level, by \`Python\` itself at the handle level). ${quiet ? 'No collection ran on the create-and-drop rows (each container is freed before the next is made); listOfLists' : 'Collections ran on some create-and-drop rows (see the JSON of the children); listOfLists'} sets them off (collections of generations 0/1/2 per round: ${contestants.map((c) => `${LABEL[c]} ${gcCounts(fig(c, 'listOfLists'))}`).join(', ')}). With \`gc.disable()\` listOfLists takes ${fmtNs(noGc)} ns per item in CPython and ${fmtNs(capiNoGc)} at the C-API level (${fmtRatio(capiNoGc / noGc)}): the collections cost CPython ${fmtNs(median(fig('cpython', 'listOfLists').times) - noGc)} ns per item and pymem ${fmtNs(median(fig('capi', 'listOfLists').times) - capiNoGc)}.`,
    );
  }
  if ([...figures.values()].some((f) => f.peakReset.includes(false))) {
    notes.push('- The OS refused to reset VmHWM in some process: its peak is since process start.');
  }
  notes.push(`- This section ran in ${((nowNs() - start) / 1e9).toFixed(0)} s (${done} processes).`);

  const startOf = (cs: readonly Contestant[]): string =>
    fmtMiB(median(cs.flatMap((c) => WORKLOADS.flatMap((w) => fig(c, w).starts))));
  const startsNote = `RSS after setup: ${has('cpython') ? `python3 ${startOf(['cpython'])} MiB, ` : ''}node ${startOf(['capi', 'handle'])} MiB`;
  const plural = (k: number, word: string): string => `${k} ${word}${k === 1 ? '' : 's'}`;

  const code = markdownTable(
    ['workload', 'CPython (per op)', 'C-API level (per op)', 'handle level (per op)'],
    WORKLOADS.map((w) => [w, `\`${INFO[w].python}\``, `\`${INFO[w].capi}\``, `\`${INFO[w].handle}\``]),
  );

  const capiXCpython: Partial<Record<Workload, number>> = {};
  if (has('cpython')) for (const w of WORKLOADS) capiXCpython[w] = ratio('capi', w);
  return {
    capiXCpython,
    markdown: [
      '### Objects against CPython',
      '',
      `${'version' in python ? `CPython ${python.version} beside pymem` : 'pymem (CPython skipped, see below)'} (profile cpython311) at its C-API level and its handle level. One fresh process per workload, contestant and run (\`${PYTHON} bench/objectsPython.py <workload> ${config.n} ${config.rounds} ${config.warmup}\`, \`node dist/bench/objectsChild.js capi|handle <workload> ${config.n} ${config.rounds} ${config.warmup}\`): ${plural(config.warmup, 'untimed round')} of n/10 operations, then the median of ${plural(config.rounds, 'timed round')} of n; the table gives the median over ${plural(config.runs, 'run')}, a ratio the median of per-run ratios. Peak RSS: VmHWM, reset after setup, in MiB, with its rise above the RSS at that point in brackets (${startsNote}).`,
      '',
      table,
      '',
      ...notes,
      '',
      'What each contestant runs per operation (a, b: ints 1000 and 1001; ha, hb: handles to them; the loops are `for _ in repeat(None, n)` and `for (let i = 0; i < n; i++)`):',
      '',
      code,
    ].join('\n'),
  };
}
