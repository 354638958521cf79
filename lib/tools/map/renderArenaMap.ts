/*
 * The arena map drawn as SVG from a MapFrame (mapFrame.ts): one tile per
 * arena, in creation order, eight pools a row; a pool's colour is its state
 * (full, partly used with a bar as high as its share of blocks in use,
 * empty, never carved), its number the block size it serves, the dots under
 * it its resident pages.
 *
 *   arena 3  0x7f..   ┌──┬──┬──┬──┬──┬──┬──┬──┐
 *   41/64 pools       │32│32│48│▄▄│  │  │  │  │  … 8 rows
 *   700 KiB resident  └──┴──┴──┴──┴──┴──┴──┴──┘
 *
 * renderArenaMap is self-contained (no imports, no outer names): the HTML page
 * embeds its source text (Function.prototype.toString) and draws every
 * moment with it, so the page and the SVG files are the same picture.
 */
import type { MapFrame } from './mapFrame.js';

/** What to draw besides the arenas. */
export interface RenderOptions {
  /** The heading (default "pymem: the arena map"). */
  title?: string;
  /** A line under it (where the moment is: "after event 812", "at exit"). */
  note?: string;
  /** Pools to outline, as "ordinal:pool" (pool = index in the arena). */
  highlight?: string[];
  /** Arenas (by ordinal) to frame as new: mapped since the moment before (for the page). */
  fresh?: number[];
  /** Give each pool `class="pool" data-arena data-pool` (for the page). */
  interactive?: boolean;
  /** Width in pixels (default 1000). */
  width?: number;
}

/** The SVG of a frame. */
export function renderArenaMap(frame: MapFrame, options: RenderOptions = {}): string {
  const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const COLORS = { full: '#2f6690', used: '#cfe2f0', bar: '#81b1d5', empty: '#f2f2f2', uncarved: '#ffffff', resident: '#3a7d44' };
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const size = (n: number): string => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${Math.round(n / 1024)} KiB`);
  const W = options.width ?? 1000;
  const highlight = new Set(options.highlight ?? []);
  const fresh = new Set(options.fresh ?? []);
  const n = frame.arenas.length;
  const cell = n <= 48 ? 16 : n <= 200 ? 9 : 5;
  const perRow = 8;
  const gap = cell >= 16 ? 18 : 10;
  const captionH = cell >= 16 ? 30 : 0;
  const poolsPerArena = frame.arenaSize / frame.poolSize;
  const tileW = perRow * cell;
  const tileH = Math.ceil(poolsPerArena / perRow) * cell + captionH;
  const tilesPerRow = Math.max(1, Math.floor((W - 40 + gap) / (tileW + gap)));
  const pagesPerPool = Math.max(1, Math.round(frame.poolSize / frame.pageSize));
  const out: string[] = [];
  const totals = { full: 0, used: 0, empty: 0, uncarved: 0, bytes: 0, resident: 0, known: true };
  const top = 78;
  frame.arenas.forEach((a, t) => {
    const x0 = 20 + (t % tilesPerRow) * (tileW + gap);
    const y0 = top + Math.floor(t / tilesPerRow) * (tileH + gap);
    let inUse = 0;
    let resident = 0;
    const np = a.pools.length / 4;
    out.push(`<g class="arena" data-arena="${a.ordinal}">`);
    if (fresh.has(a.ordinal)) out.push(`<rect x="${x0 - 3}" y="${y0 - 3}" width="${tileW + 6}" height="${tileH - captionH + 6}" fill="none" stroke="#3a7d44" stroke-width="2" class="fresh"/>`);
    for (let i = 0; i < np; i++) {
      const c = a.pools[4 * i]!;
      const count = DIGITS.indexOf(a.pools[4 * i + 1]!) * 64 + DIGITS.indexOf(a.pools[4 * i + 2]!);
      const r = a.pools[4 * i + 3]!;
      const pages = r === '?' ? -1 : Number(r);
      if (pages < 0) totals.known = false;
      else resident += pages;
      const x = x0 + (i % perRow) * cell;
      const y = y0 + Math.floor(i / perRow) * cell;
      const attrs = options.interactive === true ? ` class="pool" data-arena="${a.ordinal}" data-pool="${i}"` : '';
      let title: string;
      let body: string;
      if (c === '-' || c === '.') {
        const state = c === '-' ? 'uncarved' : 'empty';
        totals[state]++;
        title = c === '-' ? 'never carved' : 'empty (on freepools)';
        body = `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${COLORS[state]}" stroke="#999" stroke-width="0.4"${c === '-' ? ' stroke-dasharray="1.5,1.5"' : ''}/>`;
      } else {
        inUse++;
        const blockSize = (DIGITS.indexOf(c) + 1) * frame.alignment;
        const capacity = Math.floor((frame.poolSize - frame.poolOverhead) / blockSize);
        const full = count === capacity;
        totals[full ? 'full' : 'used']++;
        totals.bytes += count * blockSize;
        title = `${blockSize}-byte blocks: ${count} of ${capacity} in use${full ? ' (full)' : ''}`;
        const barH = full ? cell : Math.max(1, Math.round((cell * count) / capacity));
        body =
          `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${full ? COLORS.full : COLORS.used}" stroke="#555" stroke-width="0.4"/>` +
          (full ? '' : `<rect x="${x}" y="${y + cell - barH}" width="${cell}" height="${barH}" fill="${COLORS.bar}"/>`) +
          (cell >= 16 ? `<text x="${x + cell / 2}" y="${y + cell / 2 + 1}" font-size="${blockSize >= 100 ? 6 : 7}" text-anchor="middle" fill="${full ? '#fff' : '#000'}">${blockSize}</text>` : '');
      }
      if (pages > 0 && cell >= 9) {
        const w = cell / pagesPerPool;
        for (let k = 0; k < Math.min(pages, pagesPerPool); k++) body += `<rect x="${(x + k * w + 0.5).toFixed(2)}" y="${y + cell - 2}" width="${(w - 1).toFixed(2)}" height="1.5" fill="${COLORS.resident}"/>`;
      }
      const where = `arena ${a.ordinal}, pool ${i}`;
      const pageNote = pages < 0 ? '' : `; ${pages} of ${pagesPerPool} pages resident`;
      // Past 200 arenas a pool is 5 pixels: no tooltip (they would be most of the file).
      out.push(cell > 5 || attrs !== '' ? `<g${attrs}><title>${esc(`${where}: ${title}${pageNote}`)}</title>${body}</g>` : body);
      if (highlight.has(`${a.ordinal}:${i}`)) out.push(`<rect x="${x - 1}" y="${y - 1}" width="${cell + 2}" height="${cell + 2}" fill="none" stroke="#e07a1f" stroke-width="2.5" class="highlight"/>`);
    }
    totals.resident += resident;
    if (captionH > 0) {
      const cy = y0 + tileH - captionH + 11;
      out.push(`<text x="${x0}" y="${cy}" font-size="9" font-weight="bold">arena ${a.ordinal} <tspan font-weight="normal" fill="#555">${esc(a.address)}</tspan></text>`);
      out.push(`<text x="${x0}" y="${cy + 11}" font-size="9" fill="#333">${inUse}/${np} pools${resident > 0 ? `, ${size(resident * frame.pageSize)} res.` : ''}</text>`);
    }
    out.push('</g>');
  });
  const rows = Math.ceil(n / tilesPerRow);
  const H = top + rows * (tileH + gap) + 34;
  const pools = totals.full + totals.used + totals.empty + totals.uncarved;
  const head =
    `<text x="20" y="26" font-size="17" font-weight="bold">${esc(options.title ?? 'pymem: the arena map')}</text>` +
    `<text x="20" y="46" font-size="12">${esc(
      `${n} arena${n === 1 ? '' : 's'} of ${size(frame.arenaSize)} (${size(n * frame.arenaSize)} mapped), ${pools} pools: ${totals.full} full, ${totals.used} partly used, ${totals.empty} empty, ${totals.uncarved} never carved; ${size(totals.bytes)} in blocks in use` +
        (totals.known ? `; ${size(totals.resident * frame.pageSize)} resident` : ''),
    )}</text>` +
    (options.note === undefined ? '' : `<text x="20" y="64" font-size="12" fill="#555">${esc(options.note)}</text>`);
  const ly = H - 16;
  const legend: Array<[string, string, string]> = [
    [COLORS.full, 'full pool', ''],
    [COLORS.used, 'partly used (bar: share of blocks in use)', ''],
    [COLORS.empty, 'empty pool', ''],
    [COLORS.uncarved, 'never carved', ' stroke-dasharray="1.5,1.5"'],
    [COLORS.resident, 'resident page (mincore)', ''],
  ];
  const lx = [20, 110, 360, 460, 570];
  const legendSvg = legend
    .map(([fill, label, dash], i) => `<rect x="${lx[i]}" y="${ly - 9}" width="12" height="${i === 4 ? 3 : 10}" fill="${fill}" stroke="#555" stroke-width="0.4"${dash}/><text x="${lx[i]! + 17}" y="${ly}" font-size="10">${label}</text>`)
    .join('');
  const numbers = cell >= 16 ? '<text x="730" y="' + ly + '" font-size="10" fill="#555">numbers: block size of the pool</text>' : '';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif">\n` +
    `<rect width="${W}" height="${H}" fill="#fff"/>\n${head}\n${out.join('\n')}\n${legendSvg}${numbers}\n</svg>\n`
  );
}
