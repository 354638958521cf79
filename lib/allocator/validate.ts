/*
 * pymallocViolations, the isValid checker of pymalloc: walks every structure and lists each broken
 * invariant (see the opening comment of pymalloc.ts). Like mimalloc's
 * _mi_page_is_valid it is for tests and property runs, never the hot path:
 * it costs a walk of every pool of every arena.
 */
import type { ArenaObject } from './arenaObject.js';
import type { PyMalloc } from './pymalloc.js';
import { COUNT, DUMMY_SIZE_IDX, FREEBLOCK, MAXNEXTOFFSET, NEXTOFFSET, NULL_POOL, SZIDX, type PoolValidationContext, pool_header } from './poolHeader.js';

/** Every violated invariant of `pm`, as sentences; empty when the heap is consistent. */
export function pymallocViolations(pm: PyMalloc): string[] {
  const out: string[] = [];
  const p = pm.profile;
  const ringOf = new Map<number, number>(); // pool ref -> class of the ring it is on
  for (let c = 0; c < p.numClasses; c++) {
    const s = pm.sentinel(c);
    let prev = s;
    for (let pool = pm.nextPool(s), n = 0; pool !== s; prev = pool, pool = pm.nextPool(pool), n++) {
      if (n > 1e7 || ringOf.has(pool)) {
        out.push(`usedpools[${c}] ring is not a simple ring`);
        break;
      }
      ringOf.set(pool, c);
      if (pm.prevPool(pool) !== prev) out.push(`usedpools[${c}]: prevpool of ${pool} is not ${prev}`);
    }
    if (pm.prevPool(s) !== prev) out.push(`usedpools[${c}]: sentinel's prevpool is not the last pool`);
  }

  // The header fields a pointer check does not cover are all u32: isPointer is never asked.
  const poolCtx: PoolValidationContext = { poolSize: p.poolSize, poolOverhead: p.poolOverhead, numClasses: p.numClasses, isPointer: () => true };
  let liveArenas = 0;
  let emptyArenas = 0;
  let releasedPools = 0;
  for (const ao of pm.arenas) {
    if (ao.address === 0) continue;
    liveArenas++;
    if (ao.nfreepools === ao.ntotalpools) emptyArenas++;
    const first = pm.firstPoolOffset(ao);
    const free = new Set<number>();
    for (let f = ao.freepools; f !== NULL_POOL; f = pm.nextPool(f)) {
      if (free.has(f) || free.size > p.maxPoolsInArena) {
        out.push(`arena ${ao.index}: freepools list loops`);
        break;
      }
      free.add(f);
    }
    out.push(...releaseViolations(pm, ao, free));
    releasedPools += ao.nReleasedPools;
    const carved = (ao.poolAddress - first) / p.poolSize;
    if (ao.nfreepools !== free.size + ao.ntotalpools - carved) {
      out.push(`arena ${ao.index}: nfreepools ${ao.nfreepools} != ${free.size} free + ${ao.ntotalpools - carved} never carved`);
    }
    for (let off = first; off < ao.poolAddress; off += p.poolSize) {
      const pool = pm.poolRef(ao, off);
      for (const problem of pool_header.validate(pool, poolCtx)) out.push(`arena ${ao.index} pool +${off}: ${problem}`);
      const count = pm.poolField(pool, COUNT);
      if (count === 0) {
        if (!free.has(pool)) out.push(`arena ${ao.index} pool +${off}: empty but not on freepools`);
        continue;
      }
      if (free.has(pool)) out.push(`arena ${ao.index} pool +${off}: on freepools with ${count} blocks in use`);
      out.push(...poolViolations(pm, ao, off, ringOf));
    }
  }
  if (liveArenas !== pm.narenasCurrentlyAllocated) {
    out.push(`narenasCurrentlyAllocated ${pm.narenasCurrentlyAllocated} != ${liveArenas} mapped arenas`);
  }
  if (releasedPools !== pm.nPoolsReleased) out.push(`nPoolsReleased ${pm.nPoolsReleased} != ${releasedPools} released pools`);
  if (emptyArenas !== pm.nEmptyArenas) out.push(`nEmptyArenas ${pm.nEmptyArenas} != ${emptyArenas} wholly free arenas`);
  if (pm.arenaRetention > 0 && emptyArenas > Math.max(1, pm.arenaRetention)) {
    out.push(`${emptyArenas} empty arenas kept, more than the retention of ${pm.arenaRetention}`);
  }
  out.push(...usableArenaViolations(pm));
  return out;
}

/** The release policy's counts of one arena against its freepools list: released pools are those with szidx DUMMY_SIZE_IDX. */
function releaseViolations(pm: PyMalloc, ao: ArenaObject, free: Set<number>): string[] {
  const out: string[] = [];
  const at = pm.profile.release.releasePoolsAt;
  let released = 0;
  for (const f of free) if (pm.poolField(f, SZIDX) === DUMMY_SIZE_IDX) released++;
  const resident = free.size - released;
  if (at === 0) {
    if (released !== 0 || ao.nReleasedPools !== 0 || ao.nResidentEmptyPools !== 0) out.push(`arena ${ao.index}: pools released with no release policy`);
    return out;
  }
  if (ao.nReleasedPools !== released) out.push(`arena ${ao.index}: nReleasedPools ${ao.nReleasedPools} != ${released} released pools on freepools`);
  if (ao.nResidentEmptyPools !== resident) out.push(`arena ${ao.index}: nResidentEmptyPools ${ao.nResidentEmptyPools} != ${resident} resident empty pools`);
  if (resident >= at) out.push(`arena ${ao.index}: ${resident} resident empty pools, releasePoolsAt is ${at}`);
  return out;
}

function poolViolations(pm: PyMalloc, ao: ArenaObject, off: number, ringOf: Map<number, number>): string[] {
  const out: string[] = [];
  const p = pm.profile;
  const pool = pm.poolRef(ao, off);
  const where = `arena ${ao.index} pool +${off}`;
  const c = pm.poolField(pool, SZIDX);
  if (c >= p.numClasses) return [`${where}: in use with size index ${c}`];
  const size = pm.index2size(c);
  const count = pm.poolField(pool, COUNT);
  const cap = pm.numBlocks(c);
  const nextoffset = pm.poolField(pool, NEXTOFFSET);
  if (pm.poolField(pool, MAXNEXTOFFSET) !== p.poolSize - size) out.push(`${where}: maxnextoffset is not POOL_SIZE - size`);
  const carved = (nextoffset - p.poolOverhead) / size;
  let nfree = 0;
  const seen = new Set<number>();
  for (let b = pm.poolField(pool, FREEBLOCK); b !== 0; b = pm.word(b)) {
    const inPool = b - pool - p.poolOverhead;
    if (seen.has(b) || inPool < 0 || inPool % size !== 0 || inPool + p.poolOverhead >= nextoffset) {
      out.push(`${where}: free list holds ${b}, not a carved block of the pool (or loops)`);
      return out;
    }
    if (pm.checkFree && pm.isLiveBit(b)) out.push(`${where}: free block ${b} is marked live`);
    seen.add(b);
    nfree++;
  }
  if (count + nfree !== carved) out.push(`${where}: count ${count} + free ${nfree} != carved ${carved}`);
  if (pm.checkFree) {
    let live = 0;
    for (let b = pool + p.poolOverhead; b + size <= pool + p.poolSize; b += size) if (pm.isLiveBit(b)) live++;
    if (live !== count) out.push(`${where}: ${live} live bits for ${count} blocks in use`);
  }
  const full = count === cap;
  if (full && pm.poolField(pool, FREEBLOCK) !== 0) out.push(`${where}: full with a free list`);
  if (full && ringOf.has(pool)) out.push(`${where}: full but on a usedpools ring`);
  if (!full && ringOf.get(pool) !== c) out.push(`${where}: partly used but not on usedpools[${c}]`);
  return out;
}

function usableArenaViolations(pm: PyMalloc): string[] {
  const out: string[] = [];
  const onList = new Set<ArenaObject>();
  let prev: ArenaObject | null = null;
  const last = new Map<number, ArenaObject>();
  for (let a = pm.usableArenas; a !== null; prev = a, a = a.nextarena) {
    if (onList.has(a)) {
      out.push('usableArenas loops');
      break;
    }
    onList.add(a);
    if (a.prevarena !== prev) out.push(`usableArenas: prevarena of arena ${a.index} is wrong`);
    if (prev !== null && prev.nfreepools > a.nfreepools) out.push(`usableArenas not sorted at arena ${a.index}`);
    if (a.nfreepools === 0) out.push(`usableArenas holds arena ${a.index} with no free pool`);
    last.set(a.nfreepools, a);
  }
  for (const a of pm.arenas) {
    if (a.address !== 0 && a.nfreepools > 0 && !onList.has(a)) out.push(`arena ${a.index} has free pools but is not usable`);
  }
  pm.nfp2lasta.forEach((a, n) => {
    if ((last.get(n) ?? null) !== a) out.push(`nfp2lasta[${n}] is not the last arena with ${n} free pools`);
  });
  return out;
}
