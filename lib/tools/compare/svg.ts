/**
 * Hand-written SVG charts for `pymem compare`: grouped bars and lines, plain
 * SVG 1.1 text with no dependency, readable in a browser, on GitHub and
 * through rsvg-convert.
 *
 *   ┌──────────────────────────── width ───────────────────────────┐
 *   │ title                                                        │
 *   │ subtitle                                                     │
 *   │ ■ series  ■ series  ■ series …  (legend, wraps)              │
 *   │ y ┤ ▆▂ ▇▃     ▆▂                                             │
 *   │   ┤ ██ ██ ... ██   (bars grouped by x category, or lines)    │
 *   │   └────────────────────────────────────────────              │
 *   │      group      group      group                             │
 *   └──────────────────────────────────────────────────────────────┘
 *
 * A bar chart's y axis is linear from 0, or logarithmic (base 2) when asked;
 * a reference line (e.g. 1× the baseline allocator) is drawn dashed.
 */

/** One series of a chart: a legend entry and its colour. */
export interface Series {
  name: string;
  color: string;
}

/** A grouped bar chart: `values[g][s]` is series s in group g (null: no bar). */
export interface BarChart {
  title: string;
  subtitle?: string;
  groups: string[];
  series: Series[];
  values: (number | null)[][];
  yLabel: string;
  /** Draws a dashed horizontal line at this value, labelled. */
  reference?: { value: number; label: string };
  /** Log2 y axis (for ratios that span orders of magnitude). */
  log?: boolean;
  /** Text above each bar (default: 2 significant digits). */
  format?: (v: number) => string;
}

/** A line chart: each series a polyline of [x, y] points. */
export interface LineChart {
  title: string;
  subtitle?: string;
  series: (Series & { points: [number, number][]; dashed?: boolean })[];
  xLabel: string;
  yLabel: string;
  formatX?: (v: number) => string;
  formatY?: (v: number) => string;
}

const WIDTH = 960;
const FONT = 'font-family="Helvetica, Arial, sans-serif"';
const PLOT_LEFT = 72;
const PLOT_RIGHT = 24;

/** Colours by allocator, the same in every chart; others take FALLBACK in order. */
const COLORS: Record<string, string> = {
  glibc: '#4e79a7',
  jemalloc: '#59a14f',
  tcmalloc: '#9c755f',
  mimalloc: '#edc948',
  'addon-glibc': '#bab0ac',
  pymem: '#e15759',
  'pymem-classic': '#f28e2b',
  'live bytes': '#333333',
};
const FALLBACK = ['#b07aa1', '#76b7b2', '#ff9da7', '#8cd17d', '#499894', '#d37295', '#79706e'];

/** The colour of each name, fixed ones first, then FALLBACK in order of appearance. */
export function colorsFor(names: string[]): Series[] {
  let k = 0;
  return names.map((name) => ({ name, color: COLORS[name] ?? FALLBACK[k++ % FALLBACK.length]! }));
}

/** XML-escapes text. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** 2 significant digits, no exponent: 0.42, 3.1, 17, 240. */
export function sig2(v: number): string {
  if (!Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  const digits = Math.max(0, 1 - Math.floor(Math.log10(Math.abs(v))));
  return v.toFixed(Math.min(digits, 3));
}

/** 1.2M, 350k, 900. */
export function shortCount(v: number): string {
  if (v >= 1e6) return `${sig2(v / 1e6)}M`;
  if (v >= 1e3) return `${sig2(v / 1e3)}k`;
  return String(Math.round(v));
}

/** Round tick steps (1, 2, 5 × 10^k) covering [0, max] with about `n` ticks. */
function linearTicks(max: number, n = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let t = 0; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

/** Title, subtitle and a wrapping legend; returns the SVG and the height they take. */
function header(title: string, subtitle: string | undefined, series: (Series & { dashed?: boolean })[]): { svg: string; height: number } {
  let svg = `<text x="${PLOT_LEFT}" y="26" ${FONT} font-size="17" font-weight="bold" fill="#222">${esc(title)}</text>\n`;
  let y = 26;
  if (subtitle) {
    y += 20;
    svg += `<text x="${PLOT_LEFT}" y="${y}" ${FONT} font-size="12" fill="#555">${esc(subtitle)}</text>\n`;
  }
  y += 22;
  let x = PLOT_LEFT;
  for (const s of series) {
    const w = 22 + s.name.length * 7 + 16;
    if (x + w > WIDTH - PLOT_RIGHT) {
      x = PLOT_LEFT;
      y += 18;
    }
    if (s.dashed) svg += `<line x1="${x}" y1="${y - 4}" x2="${x + 14}" y2="${y - 4}" stroke="${s.color}" stroke-width="2" stroke-dasharray="4 3"/>\n`;
    else svg += `<rect x="${x}" y="${y - 10}" width="14" height="12" fill="${s.color}"/>\n`;
    svg += `<text x="${x + 20}" y="${y}" ${FONT} font-size="12" fill="#222">${esc(s.name)}</text>\n`;
    x += w;
  }
  return { svg, height: y + 16 };
}

function frame(height: number, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">\n` +
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>\n${body}</svg>\n`
  );
}

/** A grouped bar chart as SVG text. */
export function barChart(c: BarChart): string {
  const fmt = c.format ?? sig2;
  const head = header(c.title, c.subtitle, c.series);
  const top = head.height + 14;
  const plotH = 300;
  const bottom = top + plotH;
  const height = bottom + 56;
  const plotW = WIDTH - PLOT_LEFT - PLOT_RIGHT;
  const all = c.values.flat().filter((v): v is number => v !== null && Number.isFinite(v) && v > 0);
  const maxV = Math.max(...all, c.reference?.value ?? 0, 1e-9);
  const minV = Math.min(...all, c.reference?.value ?? Infinity);

  let ticks: number[];
  let y: (v: number) => number;
  if (c.log) {
    const lo = Math.floor(Math.log2(Math.max(minV, 1e-6)));
    const hi = Math.ceil(Math.log2(maxV * 1.05));
    ticks = [];
    for (let k = lo; k <= hi; k++) ticks.push(2 ** k);
    y = (v) => bottom - ((Math.log2(Math.max(v, 2 ** lo)) - lo) / Math.max(1, hi - lo)) * plotH;
  } else {
    ticks = linearTicks(maxV * 1.08);
    const top1 = ticks[ticks.length - 1]!;
    y = (v) => bottom - (v / top1) * plotH;
  }

  let body = head.svg;
  for (const t of ticks) {
    const ty = y(t).toFixed(1);
    body += `<line x1="${PLOT_LEFT}" y1="${ty}" x2="${WIDTH - PLOT_RIGHT}" y2="${ty}" stroke="#e4e4e4"/>\n`;
    body += `<text x="${PLOT_LEFT - 6}" y="${ty}" dy="4" text-anchor="end" ${FONT} font-size="11" fill="#555">${esc(fmt(t))}</text>\n`;
  }
  body += `<text transform="translate(16 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle" ${FONT} font-size="12" fill="#333">${esc(c.yLabel)}</text>\n`;

  const groupW = plotW / Math.max(1, c.groups.length);
  const barW = Math.max(2, Math.min(28, (groupW * 0.84) / Math.max(1, c.series.length)));
  const base = c.log ? bottom : y(0);
  c.groups.forEach((g, gi) => {
    const gx = PLOT_LEFT + gi * groupW + (groupW - barW * c.series.length) / 2;
    c.series.forEach((s, si) => {
      const v = c.values[gi]?.[si];
      if (v === null || v === undefined || !Number.isFinite(v)) return;
      const x = gx + si * barW;
      const top2 = Math.min(base, y(v));
      body += `<rect x="${x.toFixed(1)}" y="${top2.toFixed(1)}" width="${(barW - 1).toFixed(1)}" height="${(base - top2).toFixed(1)}" fill="${s.color}"><title>${esc(`${g} · ${s.name}: ${fmt(v)}`)}</title></rect>\n`;
      const lx = x + (barW - 1) / 2;
      body += `<text transform="translate(${lx.toFixed(1)} ${(top2 - 4).toFixed(1)}) rotate(-90)" ${FONT} font-size="10" fill="#333">${esc(fmt(v))}</text>\n`;
    });
    body += `<text x="${(PLOT_LEFT + gi * groupW + groupW / 2).toFixed(1)}" y="${bottom + 18}" text-anchor="middle" ${FONT} font-size="12" fill="#222">${esc(g)}</text>\n`;
  });
  if (c.reference) {
    const ry = y(c.reference.value).toFixed(1);
    body += `<line x1="${PLOT_LEFT}" y1="${ry}" x2="${WIDTH - PLOT_RIGHT}" y2="${ry}" stroke="#222" stroke-width="1.2" stroke-dasharray="6 4"/>\n`;
    body += `<text x="${WIDTH - PLOT_RIGHT - 2}" y="${ry}" dy="-4" text-anchor="end" ${FONT} font-size="11" fill="#222" stroke="#ffffff" stroke-width="3" paint-order="stroke">${esc(c.reference.label)}</text>\n`;
  }
  body += `<line x1="${PLOT_LEFT}" y1="${bottom}" x2="${WIDTH - PLOT_RIGHT}" y2="${bottom}" stroke="#555"/>\n`;
  return frame(height, body);
}

/** A line chart as SVG text (x and y linear from 0). */
export function lineChart(c: LineChart): string {
  const fx = c.formatX ?? shortCount;
  const fy = c.formatY ?? sig2;
  const head = header(c.title, c.subtitle, c.series);
  const top = head.height + 14;
  const plotH = 320;
  const bottom = top + plotH;
  const height = bottom + 52;
  const plotW = WIDTH - PLOT_LEFT - PLOT_RIGHT;
  const xs = c.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = c.series.flatMap((s) => s.points.map((p) => p[1]));
  const xMax = Math.max(...xs, 1);
  const xTicks = linearTicks(xMax, 8).filter((t) => t <= xMax);
  const yTicks = linearTicks(Math.max(...ys, 1e-9) * 1.05, 6);
  const yMax = yTicks[yTicks.length - 1]!;
  const X = (v: number): number => PLOT_LEFT + (v / xMax) * plotW;
  const Y = (v: number): number => bottom - (v / yMax) * plotH;

  let body = head.svg;
  for (const t of yTicks) {
    const ty = Y(t).toFixed(1);
    body += `<line x1="${PLOT_LEFT}" y1="${ty}" x2="${WIDTH - PLOT_RIGHT}" y2="${ty}" stroke="#e4e4e4"/>\n`;
    body += `<text x="${PLOT_LEFT - 6}" y="${ty}" dy="4" text-anchor="end" ${FONT} font-size="11" fill="#555">${esc(fy(t))}</text>\n`;
  }
  for (const t of xTicks) {
    const tx = X(t).toFixed(1);
    body += `<line x1="${tx}" y1="${bottom}" x2="${tx}" y2="${bottom + 4}" stroke="#555"/>\n`;
    body += `<text x="${tx}" y="${bottom + 17}" text-anchor="middle" ${FONT} font-size="11" fill="#555">${esc(fx(t))}</text>\n`;
  }
  body += `<line x1="${PLOT_LEFT}" y1="${bottom}" x2="${WIDTH - PLOT_RIGHT}" y2="${bottom}" stroke="#555"/>\n`;
  body += `<line x1="${PLOT_LEFT}" y1="${top}" x2="${PLOT_LEFT}" y2="${bottom}" stroke="#555"/>\n`;
  body += `<text x="${PLOT_LEFT + plotW / 2}" y="${bottom + 38}" text-anchor="middle" ${FONT} font-size="12" fill="#333">${esc(c.xLabel)}</text>\n`;
  body += `<text transform="translate(16 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle" ${FONT} font-size="12" fill="#333">${esc(c.yLabel)}</text>\n`;
  for (const s of c.series) {
    if (s.points.length === 0) continue;
    const pts = s.points.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ');
    const dash = s.dashed ? ' stroke-dasharray="5 4"' : '';
    body += `<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="${s.dashed ? 1.5 : 2}"${dash} stroke-linejoin="round"><title>${esc(s.name)}</title></polyline>\n`;
  }
  return frame(height, body);
}
