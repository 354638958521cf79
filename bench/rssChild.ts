/*
 * Child of rss.ts: `node --expose-gc rssChild.js <allocator>` allocates
 * 100 MiB of 64-byte blocks, frees them all, and prints the process's RSS
 * before, at the peak and after, as one JSON line. <allocator> is a pymem
 * profile (cpython311, classic: pymalloc through the OBJ allocator) or
 * `glibc` (native.malloc/free per call, so the addon's block registry is
 * part of its figure).
 *
 * The pointer array is allocated and touched before `before`, and the JS
 * heap collected (and given time to be unmapped) before `before` and
 * `after`, so the figures are the allocator's.
 */
import { Domain } from '../lib/index.js';
import { getNative } from '../lib/native.js';

const native = getNative();
import { nativeHeap } from './contestants.js';

/** Total bytes requested, and the size of each block. */
const RSS_TOTAL = 100 * 2 ** 20;
const RSS_BLOCK = 64;

/** What the child prints. */
export interface RssReport {
  readonly allocator: string;
  readonly before: number;
  readonly peak: number;
  readonly after: number;
  /** False when the OS refused to reset the peak: `peak` is then the process's peak since start. */
  readonly peakReset: boolean;
  /** pymem only: arenas still mapped after the frees. */
  readonly arenasLeft: number | null;
}

const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => {});

/** Collects the JS heap and gives V8's background threads time to unmap what it freed. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function main(which: string): Promise<RssReport> {
  const count = RSS_TOTAL / RSS_BLOCK;
  const ptrs = new Float64Array(count).fill(1);
  let malloc: (size: number) => number;
  let free: (p: number) => void;
  let arenasLeft = (): number | null => null;
  if (which === 'glibc') {
    malloc = (size) => native.malloc(size);
    free = (p) => native.free(p);
  } else if (which === 'cpython311' || which === 'classic') {
    const heap = nativeHeap(which);
    const a = heap.getAllocator(Domain.OBJ);
    malloc = (size) => a.malloc(size);
    free = (p) => a.free(p);
    arenasLeft = () => heap.pymalloc.narenasCurrentlyAllocated;
  } else {
    throw new Error(`rssChild: unknown allocator ${JSON.stringify(which)}; expected cpython311, classic or glibc`);
  }
  await settle();
  const before = native.memoryStats().rss;
  const peakReset = native.resetPeakRss();
  for (let i = 0; i < count; i++) {
    const p = malloc(RSS_BLOCK);
    if (p === 0) throw new Error('rssChild: out of memory');
    ptrs[i] = p;
  }
  const peak = native.memoryStats().peakRss;
  for (let i = 0; i < count; i++) free(ptrs[i]!);
  await settle();
  const after = native.memoryStats().rss;
  // A use of ptrs after the last measurement: it must stay resident through
  // `after` as it was at `before`, not be collected once the frees are done.
  if (ptrs.length !== count) throw new Error('rssChild: lost the pointer array');
  return { allocator: which, before, peak, after, peakReset, arenasLeft: arenasLeft() };
}

process.stdout.write(`${JSON.stringify(await main(process.argv[2] ?? ''))}\n`);
