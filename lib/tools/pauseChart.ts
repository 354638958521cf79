/*
 * A pause-time chart as SVG text: one panel per workload, each collection a
 * dot at (when it started, how long it took), one colour per series (a GC
 * policy). x is linear, from 0 to the panel's longest series duration; y is
 * logarithmic (pauses span microseconds to seconds), decades labelled.
 * Pure: data in, a self-contained SVG string out; nothing is read or written.
 */

/** One collection: when it started and how long it paused (ms). */
export interface Pause {
  readonly atMs: number;
  readonly ms: number;
}

/** One series of a panel: a policy's pauses over one run, and the run's length. */
export interface PauseSeries {
  readonly name: string;
  readonly pauses: readonly Pause[];
  readonly durationMs: number;
}

/** One panel: a workload. */
export interface PausePanel {
  readonly title: string;
  readonly series: readonly PauseSeries[];
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];
const W = 460;
const H = 220;
const PAD = { left: 56, right: 12, top: 28, bottom: 34 };

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (ms: number): string => (ms >= 1 ? `${+ms.toPrecision(3)} ms` : `${+(ms * 1000).toPrecision(3)} µs`);

function panelSvg(panel: PausePanel, ox: number, oy: number): string {
  const all = panel.series.flatMap((s) => s.pauses.map((p) => p.ms)).filter((ms) => ms > 0);
  const lo = Math.floor(Math.log10(all.length === 0 ? 0.001 : Math.min(...all)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(all.length === 0 ? 1 : Math.max(...all))));
  const xMax = Math.max(1e-9, ...panel.series.map((s) => s.durationMs));
  const pw = W - PAD.left - PAD.right;
  const ph = H - PAD.top - PAD.bottom;
  const x = (ms: number): number => ox + PAD.left + (ms / xMax) * pw;
  const y = (ms: number): number => oy + PAD.top + ph - ((Math.log10(Math.max(ms, 10 ** lo)) - lo) / (hi - lo)) * ph;
  const out: string[] = [];
  out.push(`<text x="${ox + PAD.left}" y="${oy + 16}" font-size="13" font-weight="bold">${esc(panel.title)}</text>`);
  out.push(`<rect x="${ox + PAD.left}" y="${oy + PAD.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  for (let d = lo; d <= hi; d++) {
    const yy = y(10 ** d).toFixed(1);
    out.push(`<line x1="${ox + PAD.left}" x2="${ox + PAD.left + pw}" y1="${yy}" y2="${yy}" stroke="#eee"/>`);
    out.push(`<text x="${ox + PAD.left - 4}" y="${yy}" font-size="10" text-anchor="end" dominant-baseline="middle">${fmt(10 ** d)}</text>`);
  }
  out.push(`<text x="${ox + PAD.left + pw / 2}" y="${oy + H - 6}" font-size="10" text-anchor="middle">time into the run (0 – ${fmt(xMax)}); pause per collection, log scale</text>`);
  panel.series.forEach((s, i) => {
    const c = COLOURS[i % COLOURS.length]!;
    for (const p of s.pauses) out.push(`<circle cx="${x(p.atMs).toFixed(1)}" cy="${y(p.ms).toFixed(1)}" r="2" fill="${c}" fill-opacity="0.6"/>`);
    const longest = s.pauses.reduce((m, p) => Math.max(m, p.ms), 0);
    out.push(
      `<text x="${ox + PAD.left + pw - 4}" y="${oy + PAD.top + 12 + 12 * i}" font-size="10" text-anchor="end" fill="${c}" stroke="white" stroke-width="3" paint-order="stroke">${esc(s.name)}: ${s.pauses.length} collections, longest ${fmt(longest)}</text>`,
    );
  });
  return out.join('\n');
}

/** The SVG of `panels`, two per row, under `title`. */
export function pauseChartSvg(title: string, panels: readonly PausePanel[]): string {
  const cols = Math.min(2, Math.max(1, panels.length));
  const rows = Math.ceil(panels.length / cols);
  const width = cols * W;
  const height = rows * H + 30;
  const body = panels.map((p, i) => panelSvg(p, (i % cols) * W, 30 + Math.floor(i / cols) * H)).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
<rect width="${width}" height="${height}" fill="white"/>
<text x="8" y="20" font-size="15" font-weight="bold">${esc(title)}</text>
${body}
</svg>
`;
}
