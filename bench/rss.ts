/*
 * RSS: one child process per allocator (rssChild.ts), so each RSS figure is
 * that allocator's alone. 100 MiB of 64-byte blocks are allocated, then all
 * freed: how much the process grows, and how much of it goes back to the OS.
 * pymalloc returns an arena as soon as all its pools are empty, except the
 * one wholly free arena it keeps (bpo-37257); glibc keeps what it cannot
 * trim from the top of its heap.
 */
import { runChild } from './child.js';
import type { RssReport } from './rssChild.js';
import { fmtMiB, markdownTable } from './table.js';

/**
 * Node flags of the child: gc() for settling the JS heap, and a small young
 * generation, since the loops make short-lived garbage (pointers above 2^31
 * are boxed as heap numbers between calls) and a young generation grown to
 * its default 16 MiB semispaces would stay resident and blur the figures.
 */
const RSS_NODE_FLAGS = ['--expose-gc', '--max-semi-space-size=1'];

/** The allocators measured, in table order. */
export const RSS_ALLOCATORS = ['cpython311', 'classic', 'glibc'] as const;

const LABELS: Record<(typeof RSS_ALLOCATORS)[number], string> = {
  cpython311: 'pymem cpython311',
  classic: 'pymem classic',
  glibc: 'glibc per call (native.malloc/free)',
};

/** Runs each allocator's child; returns their reports and the markdown table. */
export function runRss(onDone?: (done: number, total: number) => void): { reports: RssReport[]; markdown: string } {
  const reports: RssReport[] = [];
  for (const which of RSS_ALLOCATORS) {
    reports.push(runChild('./rssChild.js', [which], RSS_NODE_FLAGS) as RssReport);
    onDone?.(reports.length, RSS_ALLOCATORS.length);
  }
  const rows = reports.map((r) => [
    LABELS[r.allocator as (typeof RSS_ALLOCATORS)[number]],
    fmtMiB(r.before),
    fmtMiB(r.peak),
    fmtMiB(r.after),
    fmtMiB(r.peak - r.before),
    fmtMiB(r.after - r.before),
    r.arenasLeft === null ? '—' : String(r.arenasLeft),
  ]);
  const notes = reports.some((r) => !r.peakReset)
    ? ['', '- The OS refused to reset VmHWM: peaks are since process start.']
    : [];
  return {
    reports,
    markdown: [
      '### RSS: 100 MiB of 64-byte blocks, allocated then all freed',
      '',
      `One child process per allocator (\`node ${RSS_NODE_FLAGS.join(' ')} dist/bench/rssChild.js <allocator>\`); VmRSS before and after, VmHWM (reset before allocating) as the peak; MiB. The glibc row goes through the addon, whose block registry (a hash map entry per live block) is part of its figure.`,
      '',
      markdownTable(['allocator', 'before', 'peak', 'after', 'peak − before', 'after − before', 'arenas left'], rows),
      ...notes,
    ].join('\n'),
  };
}
