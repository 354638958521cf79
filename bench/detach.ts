/*
 * The V8 effect of the first ArrayBuffer detach (see v8.ts). The main
 * benchmark process has detached buffers long before, so this runs fresh
 * child processes (detachChild.ts) in pairs: one that never detaches (`keep`)
 * and one whose pymalloc has unmapped arenas (`detach`), alternating, the
 * same work otherwise. Each process times p1 at 64 B against the C++ floor;
 * a row gives the median over processes of each mode's ratio to the floor.
 */
import { runChild } from './child.js';
import type { DetachReport } from './detachChild.js';
import { fmtNs, fmtRatio, markdownTable } from './table.js';
import { median } from './timing.js';

/** Runs `pairs` keep/detach pairs of children; returns their reports and the markdown table. */
export function runDetach(
  n: number,
  rounds: number,
  pairs: number,
  onDone?: (done: number, total: number) => void,
): { reports: DetachReport[]; markdown: string } {
  const reports: DetachReport[] = [];
  for (let i = 0; i < pairs; i++) {
    for (const mode of ['keep', 'detach'] as const) {
      reports.push(runChild('./detachChild.js', [String(n), String(rounds), mode]) as DetachReport);
      onDone?.(reports.length, 2 * pairs);
    }
  }
  const of = (mode: string): DetachReport[] => reports.filter((r) => r.mode === mode);
  const stat = (mode: string, name: string, f: (r: DetachReport['results'][number]) => number): number =>
    median(of(mode).map((r) => f(r.results.find((x) => x.name === name)!)));
  const names = reports[0]!.results.slice(1).map((r) => r.name);
  const rows = names.map((name) => {
    const keepRatio = stat('keep', name, (r) => r.ratio);
    const detachRatio = stat('detach', name, (r) => r.ratio);
    return [
      name,
      fmtNs(stat('keep', name, (r) => r.median)),
      fmtRatio(keepRatio),
      fmtNs(stat('detach', name, (r) => r.median)),
      fmtRatio(detachRatio),
      fmtRatio(detachRatio / keepRatio),
    ];
  });
  return {
    reports,
    markdown: [
      '### V8: typed-array access before and after the first ArrayBuffer detach',
      '',
      `${pairs} pair(s) of fresh processes (\`node dist/bench/detachChild.js ${n} ${rounds} keep|detach\`), alternating: both cycle pymalloc through three arenas, \`keep\` retaining them (no ArrayBuffer is ever detached), \`detach\` unmapping ${of('detach')[0]!.unmapped} (detaching their buffers); then p1 at 64 B, ${rounds} rounds. Medians over the processes of each one's median; ×floor against the C++ loop of the same process.`,
      '',
      markdownTable(['contestant', 'no detach ns/pair', 'no detach ×floor', 'after detach ns/pair', 'after detach ×floor', 'detach/no detach'], rows),
    ].join('\n'),
  };
}
