/**
 * The report of a comparison: markdown tables, SVG charts, and the raw
 * numbers, written to one directory with the command that made them.
 *
 *   DIR/README.md            the command, the machine, the tables, the charts
 *   DIR/results.json         every run's numbers (Comparison, as JSON)
 *   DIR/time.svg             replay time ÷ glibc's, per workload and allocator
 *   DIR/rss.svg              peak RSS above baseline ÷ glibc's
 *   DIR/timeline-NAME.svg    RSS above baseline over the replay, per allocator
 *
 * Every ratio is to `glibc` (the native replayer under glibc malloc) measured
 * in the same comparison; without it, times and RSS are shown as they are.
 * When `cpython` (CPython's own obmalloc) ran too, the table also gives each
 * allocator's time and peak RSS ÷ cpython's, and a second table its check
 * against the recording.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASELINE, CPYTHON } from './allocators.js';
import type { Comparison, WorkloadResult } from './compare.js';
import type { Measure } from './measure.js';
import { barChart, colorsFor, lineChart, sig2 } from './svg.js';

const MiB = 2 ** 20;
const mib = (n: number): string => (n / MiB).toFixed(1);

/** The addon replayer writes nothing into its blocks (childReplay.ts), so its RSS is not comparable. */
const rssComparable = (m: Measure): boolean => m.allocator !== 'addon-glibc';

function baselineOf(w: WorkloadResult): Measure | undefined {
  return w.measures.find((m) => m.allocator === BASELINE);
}

function cpythonOf(w: WorkloadResult): Measure | undefined {
  return w.measures.find((m) => m.allocator === CPYTHON);
}

/** File name of a workload's timeline chart. */
export function timelineFile(workload: string): string {
  return `timeline-${workload.replace(/[^A-Za-z0-9_-]+/g, '-')}.svg`;
}

/** One table of the workloads themselves: size, live peak, arena swings, parse time. */
export function workloadTable(c: Comparison): string {
  const rows = [
    '| workload | records | peak live (requested) | live at end | arenas mapped / unmapped (CPython) | parse |',
    '|---|---:|---:|---:|---:|---|',
  ];
  for (const { workload: w } of c.workloads) {
    const h = w.header;
    const synthetic = w.name.startsWith('synthetic:');
    const parse = synthetic
      ? `generated in ${(h.parseMs / 1000).toFixed(2)} s`
      : `${(h.parseMs / 1000).toFixed(2)} s${w.cached ? ' (earlier; cached)' : ''}`;
    const arenas = synthetic ? '–' : `${h.arenaMaps} / ${h.arenaUnmaps}`;
    rows.push(`| ${w.name} | ${h.records.toLocaleString('en-US')} | ${mib(h.peakLiveBytes)} MiB | ${mib(h.liveBytesAtEnd)} MiB | ${arenas} | ${parse} |`);
  }
  return rows.join('\n');
}

/**
 * The main table: one row per workload and allocator.  Ratios are to glibc
 * on the same workload; RSS is above the replayer's own baseline.
 */
export function resultsTable(c: Comparison): string {
  const withCpython = c.workloads.some((w) => cpythonOf(w) !== undefined);
  const cols = withCpython ? 13 : 11;
  const rows = [
    `| workload | allocator | time (median of ${c.runs}) | time ÷ glibc |${withCpython ? ' time ÷ cpython |' : ''} page faults | peak RSS above baseline | ÷ glibc |${withCpython ? ' ÷ cpython |' : ''} RSS at end | overhead | pymem arenas (highwater / mapped) | pymem bytes lost |`,
    `|---|---|${'---:|'.repeat(cols - 2)}`,
  ];
  for (const w of c.workloads) {
    const base = baselineOf(w);
    const cpy = cpythonOf(w);
    for (const m of w.measures) {
      const t = base ? sig2(m.medianMs / base.medianMs) : '–';
      const ok = rssComparable(m);
      const r = ok && base ? sig2(m.peakAboveBaseline / base.peakAboveBaseline) : '–';
      const tc = cpy ? sig2(m.medianMs / cpy.medianMs) : '–';
      const rc = ok && cpy ? sig2(m.peakAboveBaseline / cpy.peakAboveBaseline) : '–';
      const note = ok ? '' : ' †';
      const p = m.pymem;
      const lost = p ? `${((p.bytesLostToQuantization + p.bytesLostToPoolHeaders + p.bytesLostToArenaAlignment) / 1024).toFixed(0)} KiB` : '';
      rows.push(
        `| ${w.workload.name} | ${m.allocator} | ${m.medianMs.toFixed(1)} ms | ${t} |${withCpython ? ` ${tc} |` : ''} ${m.minorFaults.toLocaleString('en-US')} | ${mib(m.peakAboveBaseline)} MiB${note} | ${r} |${withCpython ? ` ${rc} |` : ''} ${mib(m.endAboveBaseline)} MiB${note} | ${ok ? sig2(m.overhead) : '–'} | ${p ? `${p.arenasHighwater} / ${p.arenasAllocatedTotal}` : ''} | ${lost} |`,
      );
    }
    for (const f of w.failures) rows.push(`| ${w.workload.name} | ${f.allocator} | failed: ${f.error.replace(/\|/g, '\\|')} |${' |'.repeat(cols - 3)}`);
  }
  return rows.join('\n');
}

/**
 * The cpython contestant's check run per workload: CPython's own obmalloc
 * against the recorded placement and stats.  Empty when it did not run.
 */
export function cpythonTable(c: Comparison): string {
  const checked = c.workloads.filter((w) => w.cpythonCheck !== undefined);
  if (checked.length === 0) return '';
  const rows = [
    '| workload | libpython | blocks placed as recorded | arena map/unmap points differing | arenas mapped | stats lines differing from NAME.stats.txt |',
    '|---|---|---:|---:|---:|---:|',
  ];
  for (const w of checked) {
    const k = w.cpythonCheck!;
    const p = k.placement;
    const placed = p ? `${(p.checked - p.mismatches).toLocaleString('en-US')} of ${p.checked.toLocaleString('en-US')}` : 'no addresses recorded';
    const stats = k.statsLinesDiffering !== undefined ? String(k.statsLinesDiffering) : 'no stats file';
    rows.push(`| ${w.workload.name} | ${k.python} (${k.libpython}) | ${placed} | ${p ? p.arenaMismatches : '–'} | ${p ? p.arenasMapped : '–'} | ${stats} |`);
  }
  const first = checked.flatMap((w) => (w.cpythonCheck!.placement?.first ?? []).map((f) => `- ${w.workload.name}: ${f}`));
  return `${rows.join('\n')}${first.length > 0 ? `\n\nFirst disagreements:\n\n${first.join('\n')}` : ''}`;
}

/** The notes under the table: what each column means. */
export function tableNotes(c: Comparison): string {
  return [
    `Time: wall time of the replay loop alone (trace already in memory; node replayers after a JIT warm-up), median of ${c.runs} runs, each a fresh process. Page faults: minor faults during those loops (median), the kernel's part of the time.`,
    `RSS: VmHWM / VmRSS of the replaying process minus its RSS just before the replay (after loading the trace), from ${c.memoryRuns} more runs (the one with the median peak) that write one byte per page of every block of at most ${c.touchMax} bytes, as the program would; larger blocks are left as each allocator leaves them.`,
    'Overhead: peak RSS above baseline ÷ the trace\'s peak live bytes (the sum of live request sizes at its highest).',
    ...(c.workloads.some((w) => cpythonOf(w) !== undefined)
      ? [
          'cpython: CPython 3.11\'s own obmalloc (PyObject_Malloc & co. of libpython, called from the native replayer; no interpreter is started, so it starts as pristine as the recorded process did; requests of 0 or more than 512 bytes go on to glibc\'s malloc, as in CPython); ÷ cpython: each allocator\'s time and peak RSS above baseline ÷ cpython\'s on the same workload.',
        ]
      : []),
    'pymem arenas: the most mapped at once, and how many were mapped in all (each a 1 MiB mmap and, but for the last, a munmap); bytes lost: quantization + pool headers + arena alignment at the end of the replay (heap.debugMallocStats()).',
    '† addon-glibc writes nothing into its blocks (a JavaScript view per glibc block is never given back), so its RSS is not comparable and gets no ratio.',
  ].join('\n');
}

function missingText(c: Comparison): string {
  if (c.missing.length === 0) return 'Every allocator asked for ran.';
  return `Not run here:\n\n${c.missing.map((m) => `- **${m.name}**: ${m.why}`).join('\n')}`;
}

/** The time chart: median time ÷ glibc's (log scale), or milliseconds without glibc. */
export function timeChart(c: Comparison): string {
  const names = c.allocators.filter((a) => c.workloads.some((w) => w.measures.some((m) => m.allocator === a)));
  const hasBase = c.workloads.every((w) => baselineOf(w) !== undefined);
  return barChart({
    title: 'Replay time',
    subtitle: hasBase
      ? `median of ${c.runs} runs ÷ glibc's on the same workload (log scale); lower is faster`
      : `median of ${c.runs} runs, milliseconds (log scale); lower is faster`,
    groups: c.workloads.map((w) => w.workload.name),
    series: colorsFor(names),
    values: c.workloads.map((w) => {
      const base = baselineOf(w);
      return names.map((a) => {
        const m = w.measures.find((x) => x.allocator === a);
        if (m === undefined) return null;
        return hasBase ? m.medianMs / base!.medianMs : m.medianMs;
      });
    }),
    yLabel: hasBase ? 'time ÷ glibc' : 'ms',
    log: true,
    ...(hasBase ? { reference: { value: 1, label: 'glibc' } } : {}),
  });
}

/** The RSS chart: peak RSS above baseline ÷ glibc's (or MiB without glibc). */
export function rssChart(c: Comparison): string {
  const names = c.allocators.filter((a) => a !== 'addon-glibc' && c.workloads.some((w) => w.measures.some((m) => m.allocator === a)));
  const hasBase = c.workloads.every((w) => baselineOf(w) !== undefined);
  return barChart({
    title: 'Peak RSS',
    subtitle: hasBase
      ? 'peak RSS above the pre-replay baseline ÷ glibc\'s on the same workload; lower is leaner'
      : 'peak RSS above the pre-replay baseline, MiB; lower is leaner',
    groups: c.workloads.map((w) => w.workload.name),
    series: colorsFor(names),
    values: c.workloads.map((w) => {
      const base = baselineOf(w);
      return names.map((a) => {
        const m = w.measures.find((x) => x.allocator === a);
        if (m === undefined) return null;
        return hasBase ? m.peakAboveBaseline / base!.peakAboveBaseline : m.peakAboveBaseline / MiB;
      });
    }),
    yLabel: hasBase ? 'peak RSS ÷ glibc' : 'MiB',
    ...(hasBase ? { reference: { value: 1, label: 'glibc' } } : {}),
  });
}

/** RSS above baseline over the replay of one workload, one line per allocator, and the trace's live bytes. */
export function timelineChart(w: WorkloadResult): string {
  const ms = w.measures.filter(rssComparable);
  const series = colorsFor([...ms.map((m) => m.allocator), 'live bytes']);
  return lineChart({
    title: `RSS during the replay of ${w.workload.name}`,
    subtitle: 'RSS above the pre-replay baseline, per allocator; dashed: the bytes the trace has live (sum of request sizes)',
    series: [
      ...ms.map((m, i) => ({ ...series[i]!, points: m.timeline.map(([x, rss]): [number, number] => [x, (rss - m.baselineRss) / MiB]) })),
      { ...series[ms.length]!, dashed: true, points: w.liveTimeline.map(([x, b]): [number, number] => [x, b / MiB]) },
    ],
    xLabel: 'allocator calls replayed',
    yLabel: 'MiB',
  });
}

/** The markdown of a report; `links` maps chart names to the paths to link them by. */
export function reportMarkdown(c: Comparison, command: string, charts: { time: string; rss: string; timelines: Record<string, string> }): string {
  const m = c.machine;
  const timelines = Object.entries(charts.timelines)
    .map(([name, file]) => `![RSS during ${name}](${file})`)
    .join('\n');
  return `# pymem compare

\`\`\`sh
${command}
\`\`\`

${c.startedAt}, ${c.elapsedS.toFixed(0)} s. ${m.cpu} (${m.cpus} cores), ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}${m.glibc ? `, glibc ${m.glibc}` : ''}${m.revision ? `, pymem ${m.revision}` : ''}. Load average ${m.loadBefore.toFixed(2)} before, ${m.loadAfter.toFixed(2)} after (anything else running slows every allocator's runs alike: they are interleaved).

${missingText(c)}

## Workloads

${workloadTable(c)}

## Results

${resultsTable(c)}

${tableNotes(c)
  .split('\n')
  .map((l) => `- ${l}`)
  .join('\n')}
${
  cpythonTable(c) === ''
    ? ''
    : `
## CPython's obmalloc against the recording

One more, untimed run of the cpython contestant per workload, with its arenas mapped at the recorded arenas' alignment (address mod 16 KiB): each block's (arena ordinal, offset in the arena) and each arena map/unmap point compared with the trace's addresses, and CPython's own \`_debugmallocstats\` at the end compared with NAME.stats.txt.

${cpythonTable(c)}
`
}
## Charts

![Replay time](${charts.time})

![Peak RSS](${charts.rss})

${timelines}
`;
}

/** Writes the report of `c` to `dir` (created); returns the files written. */
export function writeReport(c: Comparison, dir: string, command: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const put = (name: string, text: string): void => {
    writeFileSync(join(dir, name), text);
    files.push(join(dir, name));
  };
  put('time.svg', timeChart(c));
  put('rss.svg', rssChart(c));
  const timelines: Record<string, string> = {};
  for (const w of c.workloads) {
    if (w.measures.length === 0) continue;
    const f = timelineFile(w.workload.name);
    put(f, timelineChart(w));
    timelines[w.workload.name] = f;
  }
  put('results.json', `${JSON.stringify({ command, ...c }, null, 1)}\n`);
  put('README.md', reportMarkdown(c, command, { time: 'time.svg', rss: 'rss.svg', timelines }));
  return files;
}
