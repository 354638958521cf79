/*
 * _PyObject_DebugMallocStats(): the allocator section of
 * sys._debugmallocstats(), as a structured object and as CPython's text.
 *
 * Like CPython it marches over every carved pool of every mapped arena
 * (full pools are on no list), reading count and szidx from the pool headers
 * in memory. Accounting identity, as CPython asserts it:
 *
 *   narenas * ARENA_SIZE == allocated + available + unused pools * POOL_SIZE
 *                           + pool headers + quantization + arena alignment
 *
 * The structured object is plain JSON, versioned: `version` is
 * MALLOC_STATS_VERSION, and schema/malloc-stats.schema.json describes every
 * field (a test validates real outputs against it). A change of a field's
 * meaning or a removal bumps the version; a new field is added to the schema.
 */
import type { ArenaMapCounts } from './arenaMap.js';
import type { PyMalloc } from './pymalloc.js';
import type { ResolvedReleasePolicy } from './releasePolicy.js';
import { COUNT, SZIDX } from './poolHeader.js';

/** One row of the class table. */
export interface SizeClassStats {
  sizeClass: number;
  size: number;
  numPools: number;
  blocksInUse: number;
  availBlocks: number;
}

/** The version of the {@link MallocStats} JSON (schema/malloc-stats.schema.json). */
export const MALLOC_STATS_VERSION = 1;

/** Beyond CPython: what the profile's release policy did (releasePolicy.ts). */
export interface ReleaseStats {
  /** The policy (releasePoolsAt 0: CPython's). */
  policy: ResolvedReleasePolicy;
  /** Empty pools whose pages are released now (included in unusedPools). */
  poolsReleased: number;
  /** Times a pool's pages were released. */
  timesPoolReleased: number;
  /** Mapped arenas all of whose pools are free (kept by CPython's rule or the arena cache). */
  emptyArenas: number;
}

/** Everything _PyObject_DebugMallocStats prints, as numbers. */
export interface MallocStats {
  /** The version of this object's JSON shape: MALLOC_STATS_VERSION. */
  version: typeof MALLOC_STATS_VERSION;
  profile: string;
  smallBlockThreshold: number;
  numClasses: number;
  arenaSize: number;
  poolSize: number;
  /** Rows for the classes that have at least one pool in use. */
  classes: SizeClassStats[];
  arenasAllocatedTotal: number;
  arenasReclaimed: number;
  arenasHighwater: number;
  arenasAllocatedCurrent: number;
  bytesInAllocatedBlocks: number;
  bytesInAvailableBlocks: number;
  unusedPools: number;
  bytesLostToPoolHeaders: number;
  bytesLostToQuantization: number;
  bytesLostToArenaAlignment: number;
  /** Sum of the byte lines; always arenasAllocatedCurrent * arenaSize. */
  total: number;
  arenaMap: ArenaMapCounts;
  /** Live blocks pymalloc handed to the raw allocator (raw_allocated_blocks). */
  rawAllocatedBlocks: number;
  release: ReleaseStats;
}

/** Collects the stats of one pymalloc (the walk of _PyObject_DebugMallocStats). */
export function collectMallocStats(pm: PyMalloc, arenaMap: ArenaMapCounts): MallocStats {
  const p = pm.profile;
  const numpools = new Array<number>(p.numClasses).fill(0);
  const numblocks = new Array<number>(p.numClasses).fill(0);
  const numfreeblocks = new Array<number>(p.numClasses).fill(0);
  let narenas = 0;
  let numfreepools = 0;
  let arenaAlignment = 0;
  for (const ao of pm.arenas) {
    if (ao.address === 0) continue;
    narenas += 1;
    numfreepools += ao.nfreepools;
    const first = pm.firstPoolOffset(ao);
    if (first !== 0) arenaAlignment += p.poolSize;
    for (let off = first; off < ao.poolAddress; off += p.poolSize) {
      const pool = pm.poolRef(ao, off);
      const count = pm.poolField(pool, COUNT);
      if (count === 0) continue;
      const sz = pm.poolField(pool, SZIDX);
      ++numpools[sz]!;
      numblocks[sz]! += count;
      numfreeblocks[sz]! += pm.numBlocks(sz) - count;
    }
  }
  const classes: SizeClassStats[] = [];
  let allocated = 0;
  let available = 0;
  let headers = 0;
  let quantization = 0;
  for (let i = 0; i < p.numClasses; i++) {
    const n = numpools[i]!;
    if (n === 0) continue;
    const size = pm.index2size(i);
    classes.push({ sizeClass: i, size, numPools: n, blocksInUse: numblocks[i]!, availBlocks: numfreeblocks[i]! });
    allocated += numblocks[i]! * size;
    available += numfreeblocks[i]! * size;
    headers += n * p.poolOverhead;
    quantization += n * ((p.poolSize - p.poolOverhead) % size);
  }
  return {
    version: MALLOC_STATS_VERSION,
    profile: p.name,
    smallBlockThreshold: p.smallRequestThreshold,
    numClasses: p.numClasses,
    arenaSize: p.arenaSize,
    poolSize: p.poolSize,
    classes,
    arenasAllocatedTotal: pm.ntimesArenaAllocated,
    arenasReclaimed: pm.ntimesArenaAllocated - narenas,
    arenasHighwater: pm.narenasHighwater,
    arenasAllocatedCurrent: narenas,
    bytesInAllocatedBlocks: allocated,
    bytesInAvailableBlocks: available,
    unusedPools: numfreepools,
    bytesLostToPoolHeaders: headers,
    bytesLostToQuantization: quantization,
    bytesLostToArenaAlignment: arenaAlignment,
    total: allocated + available + numfreepools * p.poolSize + headers + quantization + arenaAlignment,
    arenaMap,
    rawAllocatedBlocks: pm.rawAllocatedBlocks,
    release: { policy: p.release, poolsReleased: pm.nPoolsReleased, timesPoolReleased: pm.ntimesPoolReleased, emptyArenas: pm.nEmptyArenas },
  };
}

/** printone(): the label padded to 35 columns, '=', the value with thousands commas right-aligned in 21. */
export function printone(msg: string, value: number): string {
  const digits = Math.trunc(value).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${msg.padEnd(35)}=${digits.padStart(21)}\n`;
}

/**
 * _PyDebugAllocatorStats(out, block_name, num_blocks, sizeof_block): one
 * free-list line of sys._debugmallocstats(), e.g.
 * `           4 free PyFloatObjects * 24 bytes each =                   96`.
 */
export function debugAllocatorStats(blockName: string, numBlocks: number, sizeofBlock: number): string {
  return printone(`${`${numBlocks} ${blockName}s * ${sizeofBlock} bytes each`.padStart(48)} `, numBlocks * sizeofBlock);
}

/** The text CPython 3.11 prints for these stats (the allocator section of sys._debugmallocstats()). */
export function formatMallocStats(s: MallocStats): string {
  let out = `Small block threshold = ${s.smallBlockThreshold}, in ${s.numClasses} size classes.\n\n`;
  out += 'class   size   num pools   blocks in use  avail blocks\n';
  out += '-----   ----   ---------   -------------  ------------\n';
  for (const c of s.classes) {
    out += `${String(c.sizeClass).padStart(5)} ${String(c.size).padStart(6)} ${String(c.numPools).padStart(11)} ${String(c.blocksInUse).padStart(15)} ${String(c.availBlocks).padStart(13)}\n`;
  }
  out += '\n';
  out += printone('# arenas allocated total', s.arenasAllocatedTotal);
  out += printone('# arenas reclaimed', s.arenasReclaimed);
  out += printone('# arenas highwater mark', s.arenasHighwater);
  out += printone('# arenas allocated current', s.arenasAllocatedCurrent);
  out += printone(`${s.arenasAllocatedCurrent} arenas * ${s.arenaSize} bytes/arena`, s.arenasAllocatedCurrent * s.arenaSize);
  out += '\n';
  out += printone('# bytes in allocated blocks', s.bytesInAllocatedBlocks);
  out += printone('# bytes in available blocks', s.bytesInAvailableBlocks);
  out += printone(`${s.unusedPools} unused pools * ${s.poolSize} bytes`, s.unusedPools * s.poolSize);
  out += printone('# bytes lost to pool headers', s.bytesLostToPoolHeaders);
  out += printone('# bytes lost to quantization', s.bytesLostToQuantization);
  out += printone('# bytes lost to arena alignment', s.bytesLostToArenaAlignment);
  out += printone('Total', s.total);
  out += '\narena map counts\n';
  out += printone('# arena map mid nodes', s.arenaMap.midNodes);
  out += printone('# arena map bot nodes', s.arenaMap.botNodes);
  out += '\n';
  out += printone('# bytes lost to arena map root', s.arenaMap.rootBytes);
  out += printone('# bytes lost to arena map mid', s.arenaMap.midBytes);
  out += printone('# bytes lost to arena map bot', s.arenaMap.botBytes);
  out += printone('Total', s.arenaMap.rootBytes + s.arenaMap.midBytes + s.arenaMap.botBytes);
  return out;
}
