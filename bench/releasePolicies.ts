/*
 * Release policies side by side (lib/allocator/releasePolicy.ts): every
 * shared trace and synthetic shape replayed in this one process under each
 * policy (and with the arena cache, HeapOptions.arenaRetention), round after round, the policies of a round back to back in an order
 * that rotates from round to round, so that a loaded machine's noise falls
 * on all of them alike. The baseline is plain cpython311 (CPython's rule
 * alone) in the same run; ratios are against it.
 *
 *   node --expose-gc dist/bench/releasePolicies.js [--rounds N] [--scale S] [TRACE.trace.gz ...]
 *
 * Per (workload × policy): the replay's CPU time (user + system: on a
 * machine shared with other jobs, wall time mostly measures waiting for a
 * core; system time holds the madvise calls and the page faults), min and
 * median over the rounds;
 * the heap's resident arena bytes (mincore over its mapped arenas: the RSS
 * the allocator holds, without V8's share of the process) at the highest of
 * samples taken every SAMPLE_EVERY calls and at the end; the pool releases
 * (each one madvise call). Replays write one byte per page of every block of
 * at most 512 bytes, as `pymem compare`'s memory runs do, so reusing a
 * released pool pays its page faults. Nothing is asserted.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { storeU8 } from '../lib/allocator/access.js';
import { Domain, type MemAllocator } from '../lib/allocator/domains.js';
import { Heap } from '../lib/allocator/heap.js';
import { isSmallPointer } from '../lib/allocator/pointer.js';
import { cpython311 } from '../lib/allocator/profile.js';
import { type ReleasePolicy, releasePolicyName, resolveReleasePolicy } from '../lib/allocator/releasePolicy.js';
import { residentPages } from '../lib/allocator/region.js';
import { type BinaryTrace, binaryTraceFor, readBinaryTrace } from '../lib/tools/binaryTrace.js';
import { replayLoop } from '../lib/tools/compare/childReplay.js';
import { ReplayCore } from '../lib/tools/replayCore.js';
import { SYNTHETIC_NAMES, syntheticTrace } from '../lib/tools/compare/synthetic.js';
import { packageRoot } from '../lib/packageRoot.js';
import { fmtMiB, markdownTable } from './table.js';

/** A release policy, and the arena cache measured beside it (HeapOptions.arenaRetention: empty arenas kept mapped). */
interface Contestant {
  release: ReleasePolicy;
  arenaRetention: number;
}
/** The contestants; the first is the baseline. */
const POLICIES: Contestant[] = [
  { release: {}, arenaRetention: 0 },
  { release: { releasePoolsAt: 1 }, arenaRetention: 0 },
  { release: { releasePoolsAt: 4 }, arenaRetention: 0 },
  { release: { releasePoolsAt: 16 }, arenaRetention: 0 },
  { release: {}, arenaRetention: 4 },
  { release: { releasePoolsAt: 4 }, arenaRetention: 4 },
];
const PAGE = 4096;
const TOUCH_MAX = 512;
const SAMPLE_EVERY = 20_000;

const nameOf = (c: Contestant): string => `cpython311${releasePolicyName(resolveReleasePolicy(c.release))}${c.arenaRetention > 0 ? `+cache${c.arenaRetention}` : ''}`;

/** Resident bytes of the heap's mapped arenas (mincore). */
function residentArenaBytes(heap: Heap): number {
  let n = 0;
  for (const ao of heap.pymalloc.arenas) if (ao.address !== 0) n += residentPages(ao.vbase, heap.profile.arenaSize) * PAGE;
  return n;
}

interface Sample {
  /** CPU time of the replay loop (user + system), ms. */
  ms: number;
  peakResident: number;
  endResident: number;
  poolReleases: number;
}

/** One replay of `t` under `policy`: timed, or (sampling) with the resident bytes sampled every SAMPLE_EVERY calls. */
function replayOnce(t: BinaryTrace, c: Contestant, sampling: boolean): Sample {
  const heap = new Heap({ profile: { ...cpython311, name: nameOf(c), release: c.release }, arenaRetention: c.arenaRetention });
  const obj = heap.getAllocator(Domain.OBJ);
  let peak = 0;
  let calls = 0;
  const a: MemAllocator = sampling
    ? {
        malloc: (n) => (tick(), obj.malloc(n)),
        calloc: (e, s) => (tick(), obj.calloc(e, s)),
        realloc: (p, n) => (tick(), obj.realloc(p, n)),
        free: (p) => (tick(), obj.free(p)),
      }
    : obj;
  function tick(): void {
    if (++calls % SAMPLE_EVERY === 0) peak = Math.max(peak, residentArenaBytes(heap));
  }
  const touch = (p: number, size: number): void => {
    if (size <= TOUCH_MAX && isSmallPointer(p)) for (let off = 0; off < size; off += PAGE) storeU8(p + off, 1);
  };
  const core = new ReplayCore(a, t.header.idSlots);
  const start = process.cpuUsage();
  replayLoop(t, core, touch, 0, []);
  const used = process.cpuUsage(start);
  const ms = (used.user + used.system) / 1000;
  const endResident = residentArenaBytes(heap);
  const poolReleases = heap.pymalloc.ntimesPoolReleased;
  heap.dispose();
  return { ms, peakResident: Math.max(peak, endResident), endResident, poolReleases };
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, d: string): string => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : d;
  };
  const rounds = Number(opt('--rounds', '9'));
  const scale = Number(opt('--scale', '1'));
  const given = args.filter((a, i) => a.endsWith('.trace.gz') && args[i - 1] !== '--rounds' && args[i - 1] !== '--scale');
  const shared = resolve(packageRoot(), '../shared/cpython/traces');
  const files = given.length > 0 ? given : readdirSync(shared).filter((f) => f.endsWith('.trace.gz')).sort().map((f) => join(shared, f));
  const workloads: { name: string; trace: BinaryTrace }[] = [];
  for (const f of files) workloads.push({ name: f.split('/').at(-1)!.replace('.trace.gz', ''), trace: readBinaryTrace((await binaryTraceFor(f)).path) });
  for (const s of SYNTHETIC_NAMES) workloads.push({ name: `synthetic:${s}`, trace: syntheticTrace(s, scale) });

  const gc = (globalThis as { gc?: () => void }).gc;
  const rows: string[][] = [];
  for (const w of workloads) {
    // Warm-up: one replay per policy, then one sampling replay per policy (peak, end, releases).
    for (const p of POLICIES) replayOnce(w.trace, p, false);
    const mem = POLICIES.map((p) => replayOnce(w.trace, p, true));
    const times: number[][] = POLICIES.map(() => []);
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < POLICIES.length; k++) {
        const i = (k + r) % POLICIES.length;
        gc?.();
        times[i]!.push(replayOnce(w.trace, POLICIES[i]!, false).ms);
      }
    }
    const baseMin = Math.min(...times[0]!);
    const baseMed = median(times[0]!);
    POLICIES.forEach((p, i) => {
      const min = Math.min(...times[i]!);
      const med = median(times[i]!);
      rows.push([
        w.name,
        nameOf(p),
        `${min.toFixed(0)} / ${med.toFixed(0)}`,
        `${(min / baseMin).toFixed(3)} / ${(med / baseMed).toFixed(3)}`,
        fmtMiB(mem[i]!.peakResident),
        (mem[i]!.peakResident / mem[0]!.peakResident).toFixed(2),
        fmtMiB(mem[i]!.endResident),
        (mem[i]!.endResident / mem[0]!.endResident).toFixed(2),
        String(mem[i]!.poolReleases),
      ]);
    });
    process.stderr.write(`  ${w.name}: done\n`);
  }
  process.stdout.write(
    `${markdownTable(
      ['workload', 'policy', 'CPU ms (min / median)', '÷ cpython311 (min / median)', 'peak resident MiB', '÷', 'end resident MiB', '÷', 'pool releases'],
      rows,
    )}\n\n${rounds} rounds, synthetic scale ${scale}; resident = mincore over the heap's mapped arenas (peak sampled every ${SAMPLE_EVERY} calls).\n`,
  );
}

await main();
