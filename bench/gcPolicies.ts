/*
 * GC policies side by side: every (workload × policy) of gcPoliciesChild.ts
 * in a fresh process, in one run, the policies of a workload back to back in
 * an order that rotates from workload to workload. Prints the table of
 * bench/RESULTS.md's "GC policies" section and writes the pause chart.
 *
 *   node dist/bench/gcPolicies.js [--n N] [--out DIR]
 *
 * Per cell: total collection time (the gc.callbacks intervals), the median
 * and the longest pause, the collections (by generation: 0 / 1 / 2; under 3.14 young /
 * increments / full), the peak arena bytes, the objects examined, the
 * workload's whole time. The baseline is 3.11; ratios are against it in the
 * same run. Nothing is asserted.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GC_POLICIES, type GcPolicyName } from '../lib/gc/index.js';
import { pauseChartSvg } from '../lib/tools/pauseChart.js';
import { runChild } from './child.js';
import { POLICY_WORKLOADS, type PolicyReport } from './gcPoliciesChild.js';
import { fmtMiB, markdownTable } from './table.js';

const POLICIES = Object.keys(GC_POLICIES) as GcPolicyName[];

const ms = (ns: number): string => (ns / 1e6 >= 100 ? (ns / 1e6).toFixed(0) : (ns / 1e6).toPrecision(3));

function main(): void {
  const args = process.argv.slice(2);
  const opt = (name: string, d: string): string => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : d;
  };
  const n = Number(opt('--n', '100000'));
  const out = opt('--out', 'bench/results/gc-policies');
  const reports = new Map<string, PolicyReport>();
  POLICY_WORKLOADS.forEach((w, wi) => {
    for (let k = 0; k < POLICIES.length; k++) {
      const p = POLICIES[(k + wi) % POLICIES.length]!;
      const r = runChild('./gcPoliciesChild.js', [p, w, String(n)]) as PolicyReport;
      reports.set(`${w}/${p}`, r);
      process.stderr.write(`  ${w} ${p}: ${r.collections.length} collections\n`);
    }
  });
  const rows: string[][] = [];
  for (const w of POLICY_WORKLOADS) {
    const base = reports.get(`${w}/3.11`)!;
    const baseGc = base.collections.reduce((a, c) => a + c.ns, 0);
    for (const p of POLICIES) {
      const r = reports.get(`${w}/${p}`)!;
      const gcNs = r.collections.reduce((a, c) => a + c.ns, 0);
      const pauses = r.collections.map((c) => c.ns).sort((a, b) => a - b);
      const longest = pauses.at(-1) ?? 0;
      const medianPause = pauses.length === 0 ? 0 : pauses[pauses.length >> 1]!;
      const byGen = [0, 1, 2].map((g) => r.collections.filter((c) => c.generation === g).length).join(' / ');
      rows.push([
        w,
        p,
        `${ms(gcNs)} ms`,
        p === '3.11' ? '1.00' : (gcNs / baseGc).toFixed(2),
        `${ms(medianPause)} ms`,
        `${ms(longest)} ms`,
        `${r.collections.length} (${byGen})`,
        fmtMiB(r.peakArenaBytes),
        r.examined.toLocaleString('en-US'),
        r.found.toLocaleString('en-US'),
        `${ms(r.totalNs)} ms`,
      ]);
    }
  }
  const table = markdownTable(
    ['workload', 'policy', 'collection time', '÷ 3.11', 'median pause', 'longest pause', 'collections (gen 0 / 1 / 2)', 'peak arenas (MiB)', 'objects examined', 'found', 'workload time'],
    rows,
  );
  mkdirSync(out, { recursive: true });
  const svg = pauseChartSvg(
    `GC pauses per policy (n = ${n.toLocaleString('en-US')})`,
    POLICY_WORKLOADS.map((w) => ({
      title: w,
      series: POLICIES.map((p) => {
        const r = reports.get(`${w}/${p}`)!;
        return { name: p, durationMs: r.totalNs / 1e6, pauses: r.collections.map((c) => ({ atMs: c.startNs / 1e6, ms: c.ns / 1e6 })) };
      }),
    })),
  );
  writeFileSync(join(out, 'pauses.svg'), svg);
  writeFileSync(join(out, 'reports.json'), `${JSON.stringify([...reports.values()])}\n`);
  process.stdout.write(`${table}\n\nchart: ${join(out, 'pauses.svg')}\n`);
}

main();
