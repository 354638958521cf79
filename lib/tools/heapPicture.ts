/*
 * A picture of a live heap, as SVG: the arena holding one block, every pool
 * of that arena (by state and block size), the pool holding the block with
 * its header, its blocks and its free list in list order, and the size-class
 * arithmetic of one request under both profiles.
 *
 *   arena  ┌──┬──┬──┬──┬──┬─ ─ ─┬──┐   one cell per pool: full, partly used,
 *          │32│32│64│..│  │     │  │   empty (on freepools), never carved
 *          └──┴──┴┬─┴──┴──┴─ ─ ─┴──┘
 *   pool  [header][■][■][□1][■][□2]…   blocks in use, free (n = place on the
 *                                       free list), never carved
 *
 * It only reads: the pool headers and free-list links through pymalloc's
 * read-only accessors (the ones validate.ts walks with), never a private
 * field, so drawing a heap changes nothing in it.
 */
import type { ArenaObject } from '../allocator/arenaObject.js';
import type { Heap } from '../allocator/heap.js';
import { COUNT, FREEBLOCK, MAXNEXTOFFSET, NEXTOFFSET, SZIDX } from '../allocator/poolHeader.js';
import { type Profile, classic, cpython311, resolveProfile } from '../allocator/profile.js';
import { InvalidArgumentError } from '../errors.js';
import { poolCells } from './map/arenaView.js';

/** State of one pool of an arena. */
export type PoolState = 'full' | 'used' | 'empty' | 'uncarved';

/** One pool as the picture shows it. */
export interface PoolView {
  /** Offset of the pool in its arena. */
  offset: number;
  state: PoolState;
  /** Block size, for a pool in use. */
  blockSize?: number;
}

/** One block slot of the pictured pool. */
export type BlockState = 'used' | 'free' | 'uncarved';

/** What the picture is drawn from: read off the heap by {@link heapView}. */
export interface HeapView {
  profile: string;
  arenaSize: number;
  poolSize: number;
  poolOverhead: number;
  arenaOrdinal: number;
  /** The arena's first pointer: pointers minus this are arena offsets. */
  arenaBase: number;
  pools: PoolView[];
  /** Index (in `pools`) of the pool holding the block. */
  poolIndex: number;
  sizeClass: number;
  blockSize: number;
  /** The pool header's fields (freeblock is a block pointer, 0 when the pool is full). */
  header: { count: number; freeblock: number; nextoffset: number; maxnextoffset: number; szidx: number };
  blocks: BlockState[];
  /** Slot numbers of the free blocks, in free-list order (the head first). */
  freeList: number[];
  /** Slot of the block pictured. */
  slot: number;
}

/** Reads what the picture shows about the pymalloc block at `pointer` of `heap`. */
export function heapView(heap: Heap, pointer: number): HeapView {
  const pm = heap.pymalloc;
  const at = pm.arenaOf(pointer);
  if (at === null) throw new InvalidArgumentError(`heapView: ${pointer} is not a pymalloc block of this heap`);
  const ao: ArenaObject = at.arena;
  const p = pm.profile;
  const first = pm.firstPoolOffset(ao);
  const pools: PoolView[] = poolCells(pm, ao, false).map((c, i) => ({ offset: first + i * p.poolSize, state: c.state, ...(c.blockSize === 0 ? {} : { blockSize: c.blockSize }) }));
  const poolIndex = Math.floor((at.offset - first) / p.poolSize);
  const poolOff = pools[poolIndex]!.offset;
  const ref = pm.poolRef(ao, poolOff);
  const header = {
    count: pm.poolField(ref, COUNT),
    freeblock: pm.poolField(ref, FREEBLOCK),
    nextoffset: pm.poolField(ref, NEXTOFFSET),
    maxnextoffset: pm.poolField(ref, MAXNEXTOFFSET),
    szidx: pm.poolField(ref, SZIDX),
  };
  const size = pm.index2size(header.szidx);
  const cap = pm.numBlocks(header.szidx);
  const slotOf = (arenaOff: number): number => (arenaOff - poolOff - p.poolOverhead) / size;
  const carved = (header.nextoffset - p.poolOverhead) / size;
  const blocks: BlockState[] = [];
  for (let s = 0; s < cap; s++) blocks.push(s < carved ? 'used' : 'uncarved');
  // The free list is threaded through the free blocks: freeblock and each link are block pointers.
  const freeList: number[] = [];
  for (let b = header.freeblock; b !== 0 && freeList.length <= cap; b = pm.word(b)) {
    const s = slotOf(b - ao.vbase);
    blocks[s] = 'free';
    freeList.push(s);
  }
  return {
    profile: p.name,
    arenaSize: p.arenaSize,
    poolSize: p.poolSize,
    poolOverhead: p.poolOverhead,
    arenaOrdinal: ao.ordinal,
    arenaBase: ao.vbase,
    pools,
    poolIndex,
    sizeClass: header.szidx,
    blockSize: size,
    header,
    blocks,
    freeList,
    slot: slotOf(at.offset),
  };
}

/** The size-class arithmetic of a request under a profile (obmalloc.c's size-class computation). */
export function sizeClassOf(request: number, profile: Profile | string): { sizeClass: number; blockSize: number; blocksPerPool: number; alignment: number; poolSize: number; poolOverhead: number } {
  const p = resolveProfile(profile);
  const sizeClass = (request - 1) >> p.alignmentShift;
  const blockSize = (sizeClass + 1) << p.alignmentShift;
  return { sizeClass, blockSize, blocksPerPool: Math.floor((p.poolSize - p.poolOverhead) / blockSize), alignment: p.alignment, poolSize: p.poolSize, poolOverhead: p.poolOverhead };
}

const COLORS: Record<PoolState | BlockState, string> = {
  full: '#2f6690',
  used: '#81b1d5',
  empty: '#f2f2f2',
  uncarved: '#ffffff',
  free: '#fff4d6',
};

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const kib = (n: number): string => (n >= 1 << 20 ? `${n / (1 << 20)} MiB` : `${n / 1024} KiB`);

/**
 * The SVG picture of the heap around the pymalloc block at `pointer`, with
 * the arithmetic for a request of `request` bytes (the one that returned the
 * block) under cpython311 and classic.
 */
export function heapPicture(heap: Heap, pointer: number, request: number): string {
  const v = heapView(heap, pointer);
  const W = 960;
  const out: string[] = [];
  const text = (x: number, y: number, s: string, attrs = ''): void => {
    out.push(`<text x="${x}" y="${y}" ${attrs}>${esc(s)}</text>`);
  };
  const rect = (x: number, y: number, w: number, h: number, fill: string, attrs = ''): void => {
    out.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" fill="${fill}" ${attrs}/>`);
  };

  // 1. The arena: one cell per pool.
  const ax = 20;
  const aw = W - 40;
  const ay = 64;
  const ah = 40;
  const cw = aw / v.pools.length;
  text(ax, 28, `pymem: one arena of a real heap (profile ${v.profile})`, 'font-size="17" font-weight="bold"');
  text(ax, 52, `arena #${v.arenaOrdinal}: ${kib(v.arenaSize)}, mapped from the OS in one piece, cut into ${v.pools.length} pools of ${kib(v.poolSize)}; each pool serves one block size`, 'font-size="12"');
  v.pools.forEach((pool, i) => {
    const dashed = pool.state === 'uncarved' ? ' stroke-dasharray="2,2"' : '';
    rect(ax + i * cw, ay, cw, ah, COLORS[pool.state], `stroke="#555" stroke-width="0.5"${dashed}`);
    if (pool.blockSize !== undefined) {
      text(ax + i * cw + cw / 2, ay + ah / 2 + 3, String(pool.blockSize), `font-size="${cw < 16 ? 7 : 9}" text-anchor="middle" fill="${pool.state === 'full' ? '#fff' : '#000'}"`);
    }
  });
  const px = ax + v.poolIndex * cw;
  rect(px, ay - 2, cw, ah + 4, 'none', 'stroke="#e07a1f" stroke-width="2.5"');
  const legend: [PoolState, string][] = [
    ['full', 'full pool'],
    ['used', 'partly used pool (on usedpools)'],
    ['empty', 'empty pool (on freepools)'],
    ['uncarved', 'never carved'],
  ];
  legend.forEach(([s, label], i) => {
    const lx = ax + i * 230;
    rect(lx, ay + ah + 12, 14, 10, COLORS[s], `stroke="#555" stroke-width="0.5"${s === 'uncarved' ? ' stroke-dasharray="2,2"' : ''}`);
    text(lx + 20, ay + ah + 21, label, 'font-size="11"');
  });
  text(ax, ay + ah + 40, 'numbers: the block size each pool serves', 'font-size="11" fill="#555"');

  // 2. The pool: header, blocks, free list.
  const py0 = 196;
  const cols = Math.min(34, v.blocks.length);
  const rows = Math.ceil(v.blocks.length / cols);
  const gx = 180;
  const bw = Math.min(22, (W - gx - 20) / cols);
  const bh = 16;
  const gy = py0 + 34;
  out.push(`<path d="M${px.toFixed(1)},${ay + ah + 2} L${gx},${py0 + 26} M${(px + cw).toFixed(1)},${ay + ah + 2} L${gx + cols * bw},${py0 + 26}" stroke="#e07a1f" stroke-width="1" fill="none" stroke-dasharray="4,3"/>`);
  text(ax, py0 + 14, `the pool at arena offset ${v.pools[v.poolIndex]!.offset}: ${v.blocks.length} blocks of ${v.blockSize} bytes (size class ${v.sizeClass}) after a ${v.poolOverhead}-byte header`, 'font-size="13" font-weight="bold"');
  rect(ax, gy, 146, rows * bh, '#e8e8e8', 'stroke="#555" stroke-width="0.5"');
  const h = v.header;
  [
    'pool_header',
    `ref.count     ${h.count}`,
    `freeblock     +${h.freeblock - v.arenaBase}`,
    '  (arena offset)',
    `szidx         ${h.szidx}`,
    `nextoffset    ${h.nextoffset}`,
    `maxnextoffset ${h.maxnextoffset}`,
  ].forEach((line, i) => text(ax + 6, gy + 14 + i * 14, line, `font-size="10" font-family="monospace"${i === 0 ? ' font-weight="bold"' : ''}`));
  const freeRank = new Map(v.freeList.map((s, i) => [s, i + 1]));
  const cell = (s: number): { x: number; y: number } => ({ x: gx + (s % cols) * bw, y: gy + Math.floor(s / cols) * bh });
  v.blocks.forEach((b, s) => {
    const { x, y } = cell(s);
    rect(x, y, bw, bh, COLORS[b], `stroke="#555" stroke-width="0.4"${b === 'uncarved' ? ' stroke-dasharray="1.5,1.5"' : ''}`);
    const r = freeRank.get(s);
    if (r !== undefined) text(x + bw / 2, y + 11.5, String(r), 'font-size="9" text-anchor="middle"');
  });
  const mine = cell(v.slot);
  rect(mine.x, mine.y, bw, bh, 'none', 'stroke="#e07a1f" stroke-width="2.5"');
  out.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#b5651d"/></marker></defs>');
  if (v.freeList.length > 0) {
    const pts = [{ x: ax + 146, y: gy + 31 }, ...v.freeList.map((s) => ({ x: cell(s).x + bw / 2, y: cell(s).y + bh / 2 }))];
    for (let i = 0; i + 1 < pts.length; i++) {
      const a = pts[i]!;
      const b = pts[i + 1]!;
      out.push(`<path d="M${a.x.toFixed(1)},${a.y.toFixed(1)} L${b.x.toFixed(1)},${b.y.toFixed(1)}" stroke="#b5651d" stroke-width="1" fill="none" marker-end="url(#arrow)" opacity="0.8"/>`);
    }
  }
  const ly = gy + rows * bh + 18;
  const blockLegend: [BlockState, string][] = [
    ['used', 'block in use'],
    ['free', 'free block: n = its place on the free list (freeblock → 1 → 2 …)'],
    ['uncarved', 'never used yet (beyond nextoffset)'],
  ];
  blockLegend.forEach(([s, label], i) => {
    const lx = ax + [0, 150, 560][i]!;
    rect(lx, ly - 9, 14, 10, COLORS[s], `stroke="#555" stroke-width="0.5"${s === 'uncarved' ? ' stroke-dasharray="1.5,1.5"' : ''}`);
    text(lx + 20, ly, label, 'font-size="11"');
  });
  rect(ax, ly + 10, 14, 10, 'none', 'stroke="#e07a1f" stroke-width="2.5"');
  text(ax + 20, ly + 19, `the block malloc(${request}) just returned (the head of the free list before the call)`, 'font-size="11"');

  // 3. The arithmetic, under both profiles.
  const ty = ly + 50;
  text(ax, ty, `malloc(${request}): which block?  class = (nbytes - 1) >> ALIGNMENT_SHIFT;  block size = (class + 1) × ALIGNMENT`, 'font-size="13" font-weight="bold"');
  [cpython311, classic].forEach((prof, i) => {
    const c = sizeClassOf(request, prof);
    const shift = Math.log2(c.alignment);
    const line =
      `${prof.name.padEnd(10)} ALIGNMENT ${String(c.alignment).padStart(2)}: (${request} - 1) >> ${shift} = class ${c.sizeClass} → ${c.blockSize}-byte blocks (${c.blockSize - request} bytes unused); ` +
      `a ${kib(c.poolSize)} pool holds (${c.poolSize} - ${c.poolOverhead}) / ${c.blockSize} = ${c.blocksPerPool}`;
    text(ax, ty + 22 + i * 18, line, 'font-size="11" font-family="monospace" xml:space="preserve"');
  });
  const H = ty + 22 + 2 * 18 + 10;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif">\n` +
    `<rect width="${W}" height="${H}" fill="#fff"/>\n${out.join('\n')}\n</svg>\n`
  );
}
