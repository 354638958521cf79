/*
 * The aims set for the allocator, next to what this run measured. They are
 * reported, never asserted: a timing is a property of the machine as much as
 * of the code, so no test or exit status depends on them.
 *
 *   p1   ≤ 1.5× the C++ loop (stretch: 1.2×)
 *   p2   at 100k live blocks, faster than the C++ loop
 *   ≥ 4× faster than glibc called per call from JS (native.malloc/free)
 *   p1   at least as fast as @thi.ng/malloc
 *   RSS  after freeing everything, within 5 MiB of the start
 */
import { CLASSIC_API, CLASSIC_OBJ, NATIVE_PER_CALL, PY311_API, PY311_OBJ, THING } from './contestants.js';
import type { MixedResults } from './mixed.js';
import type { PairsResults } from './pairs.js';
import type { RssReport } from './rssChild.js';
import { fmtMiB, fmtRatio, markdownTable } from './table.js';
import type { TrialResult } from './timing.js';

const COLUMNS = [
  { name: PY311_OBJ, profile: 'cpython311' },
  { name: CLASSIC_OBJ, profile: 'classic' },
  { name: PY311_API, profile: 'cpython311' },
  { name: CLASSIC_API, profile: 'classic' },
] as const;

const pick = (results: readonly TrialResult[], name: string): TrialResult => {
  const r = results.find((x) => x.name === name);
  if (r === undefined) throw new Error(`aims: no result named ${JSON.stringify(name)}`);
  return r;
};

const verdict = (ok: boolean): string => (ok ? 'met' : 'not met');

/** The aims table for one run's results. */
export function aimsTable(pairs: PairsResults, mixed: MixedResults, rss: readonly RssReport[]): string {
  const sizes = [...pairs.keys()];
  const ns = [...mixed.keys()];
  const big = Math.max(...ns);
  const label = (n: number): string => `${n / 1000}k`;

  const p1 = COLUMNS.map(({ name }) => {
    const rs = sizes.map((s) => pick(pairs.get(s)!, name).ratio);
    const worst = Math.max(...rs);
    const status = worst <= 1.2 ? 'met, and the stretch' : verdict(worst <= 1.5);
    return `${rs.map(fmtRatio).join(' / ')}: ${status}`;
  });
  const p2 = COLUMNS.map(({ name }) => {
    const r = pick(mixed.get(big)!.results, name).ratio;
    return `${fmtRatio(r)}: ${verdict(r < 1)}`;
  });
  const perCall = COLUMNS.map(({ name }) => {
    const speedups = [
      ...sizes.map((s) => pick(pairs.get(s)!, NATIVE_PER_CALL).median / pick(pairs.get(s)!, name).median),
      ...ns.map((n) => pick(mixed.get(n)!.results, NATIVE_PER_CALL).median / pick(mixed.get(n)!.results, name).median),
    ];
    return `${speedups.map(fmtRatio).join(' / ')}: ${verdict(Math.min(...speedups) >= 4)}`;
  });
  const thing = COLUMNS.map(({ name }) => {
    const speedups = sizes.map((s) => pick(pairs.get(s)!, THING).median / pick(pairs.get(s)!, name).median);
    return `${speedups.map(fmtRatio).join(' / ')}: ${verdict(Math.min(...speedups) >= 1)}`;
  });
  const rssCell = COLUMNS.map(({ profile }) => {
    const r = rss.find((x) => x.allocator === profile);
    if (r === undefined) return '—';
    const d = r.after - r.before;
    return `${fmtMiB(d)} MiB: ${verdict(d <= 5 * 2 ** 20)}`;
  });
  const sz = sizes.map((s) => `${s} B`).join(' / ');
  const rows = [
    [`p1 ≤ 1.5× the C++ loop (stretch 1.2×); ×floor at ${sz}`, ...p1],
    [`p2 at ${label(big)} faster than the C++ loop; ×floor`, ...p2],
    [`≥ 4× faster than glibc per call; speed-up at p1 ${sz} / p2 ${ns.map(label).join(' / ')}`, ...perCall],
    [`p1 ≥ @thi.ng/malloc; speed-up at ${sz}`, ...thing],
    ['RSS after freeing within 5 MiB of the start; after − before', ...rssCell],
  ];
  return [
    '### Aims (reported, not asserted)',
    '',
    markdownTable(['aim', ...COLUMNS.map((c) => c.name.replace('pymem ', ''))], rows),
    '',
    'The RSS child uses the OBJ allocator; the heap.malloc columns share its figure.',
  ].join('\n');
}
