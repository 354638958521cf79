/*
 * Pins: the live blocks that keep a mostly free arena mapped. pymalloc gives
 * an arena back to the OS only when every pool in it is empty
 * (_PyObject_Free's "arena is now entirely free" branch), so a handful of
 * long-lived blocks can hold a megabyte of address space and its touched
 * pages — the usual answer to "RSS never drops: leak or fragmentation?".
 *
 * For every arena of a heap, pins() counts the live blocks in it (from the
 * caller's list, so it can say where each came from: a trace event, an
 * object) and reports the arenas whose live bytes are at most `maxFill` of
 * the arena, with their blocks and the memory that freeing them would give
 * back: the arena's carved pools (the pages pymalloc ever touched in it) and,
 * of those, the pages resident now (mincore), what RSS would drop by. The
 * one piece of code behind `pymem pins TRACE` (blocks labelled by their trace
 * event) and `pymem run --pins` (pinsPython.ts: labelled by object and path).
 *
 * Invariants: every reported block lies in its arena (pymalloc.arenaOf);
 * arenas are reported most memory to win first (then fewest live bytes).
 */
import type { Heap } from '../allocator/heap.js';
import { regionPageSize } from '../allocator/region.js';
import { InvalidArgumentError, describe } from '../errors.js';
import { checkHeapOpen, residentPagesOf } from './map/arenaView.js';

/** A live block: its pointer and the bytes it holds. */
export interface PinBlock {
  ptr: number;
  /** Bytes it holds (requested, or its block size). */
  size: number;
}

/** A live block as the caller knows it. */
export interface PinCandidate extends PinBlock {
  /** Where it came from, for the report (`event 812 (line 814)`, an object's type …). */
  label: string;
}

/** One arena held by few blocks (of the caller's kind T). */
export interface PinnedArena<T extends PinBlock = PinCandidate> {
  /** The arena's creation number (0 = the first arena mapped). */
  ordinal: number;
  address: number;
  arenaSize: number;
  poolsInUse: number;
  totalPools: number;
  liveBytes: number;
  /** Live blocks in the arena (blocks lists at most maxBlocks of them, the largest). */
  blockCount: number;
  /** Bytes of pages that freeing the blocks would return (the arena's carved pools). */
  wouldReturn: number;
  /** Of those, the bytes resident now (mincore): what RSS would drop by; -1 when unknown (plain memory). */
  residentBytes: number;
  blocks: T[];
}

/** Options of pins(). */
export interface PinOptions {
  /** Report arenas whose live bytes are at most this share of the arena (default 0.1). */
  maxFill?: number;
  /** At most this many blocks listed per arena, the largest (default 20; Infinity for all; the count is always whole). */
  maxBlocks?: number;
}

/** The arenas of `heap` held by few of `live`, most to win first. */
export function pins<T extends PinBlock>(heap: Heap, live: Iterable<T>, options: PinOptions = {}): PinnedArena<T>[] {
  const maxFill = options.maxFill ?? 0.1;
  if (!(typeof maxFill === 'number' && maxFill >= 0 && maxFill <= 1)) throw new InvalidArgumentError(`maxFill must be a share from 0 to 1, got ${describe(maxFill)}`);
  const maxBlocks = options.maxBlocks ?? 20;
  checkHeapOpen(heap);
  const pm = heap.pymalloc;
  const poolSize = heap.profile.poolSize;
  const arenaSize = heap.profile.arenaSize;
  const byArena = new Map<number, { bytes: number; count: number; blocks: T[] }>();
  for (const b of live) {
    const where = pm.arenaOf(b.ptr);
    if (where === null) continue;
    let a = byArena.get(where.arena.index);
    if (a === undefined) byArena.set(where.arena.index, (a = { bytes: 0, count: 0, blocks: [] }));
    a.bytes += b.size;
    a.count++;
    a.blocks.push(b);
  }
  const out: PinnedArena<T>[] = [];
  const pageSize = regionPageSize();
  for (const [index, a] of byArena) {
    const arena = pm.arenas[index]!;
    if (a.bytes > maxFill * arenaSize) continue;
    const carved = Math.round((arena.poolAddress - arena.firstPool) / poolSize);
    a.blocks.sort((x, y) => y.size - x.size);
    const resident = residentPagesOf(arena.vbase + arena.firstPool, carved * poolSize);
    out.push({
      ordinal: arena.ordinal,
      address: arena.address,
      arenaSize,
      poolsInUse: arena.ntotalpools - arena.nfreepools,
      totalPools: arena.ntotalpools,
      liveBytes: a.bytes,
      blockCount: a.count,
      wouldReturn: carved * poolSize,
      residentBytes: resident < 0 ? -1 : resident * pageSize,
      blocks: a.blocks.slice(0, maxBlocks),
    });
  }
  return out.sort((x, y) => y.wouldReturn - x.wouldReturn || x.liveBytes - y.liveBytes || x.ordinal - y.ordinal);
}

/** The report as text: one paragraph per pinned arena, at most `maxLines` lines of blocks each. */
export function formatPins(arenas: PinnedArena<PinCandidate>[], maxLines = 20): string {
  if (arenas.length === 0) return 'no arena is held by only a few blocks\n';
  const kib = (n: number): string => `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KiB`;
  const lines: string[] = [];
  let total = 0;
  let resident = 0;
  for (const a of arenas) {
    total += a.wouldReturn;
    resident = resident < 0 || a.residentBytes < 0 ? -1 : resident + a.residentBytes;
    const count = a.blockCount;
    lines.push(
      `arena ${a.ordinal} at 0x${a.address.toString(16)}: ${count} live block${count === 1 ? '' : 's'} (${a.liveBytes} B) in ${a.poolsInUse} of ${a.totalPools} pools keep ${kib(a.wouldReturn)} mapped` +
        (a.residentBytes < 0 ? '' : ` (${kib(a.residentBytes)} resident)`),
    );
    // Runs of equal blocks (a free list's entries, a thousand floats of one list) are one line; at most maxLines lines.
    let shown = 0;
    let i = 0;
    for (let n = 0; i < a.blocks.length && n < maxLines; n++) {
      const b = a.blocks[i]!;
      let j = i + 1;
      while (j < a.blocks.length && a.blocks[j]!.size === b.size && a.blocks[j]!.label === b.label) j++;
      lines.push(`  ${(j - i > 1 ? `${j - i} ×` : '').padStart(6)} ${String(b.size).padStart(6)} B  ${b.label}`);
      shown += j - i;
      i = j;
    }
    if (count > shown) lines.push(`    … and ${count - shown} more`);
  }
  lines.push(`freeing these blocks would return ${kib(total)}${resident < 0 ? '' : ` (RSS would drop by ${kib(resident)})`}`);
  return `${lines.join('\n')}\n`;
}
