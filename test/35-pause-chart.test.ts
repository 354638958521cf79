// lib/tools/pauseChart.ts: the SVG has one dot per collection, in its
// series' colour, placed by start time (linear x) and pause (log y), and a
// legend line per series with its count and longest pause.
import { describe, expect, it } from 'vitest';
import { pauseChartSvg } from '../lib/tools/pauseChart.js';

const circles = (svg: string) => [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)" r="2" fill="([^"]+)"/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]), fill: m[3] }));

describe('pause chart', () => {
  const svg = pauseChartSvg('t & <title>', [
    {
      title: 'w',
      series: [
        { name: '3.11', durationMs: 100, pauses: [{ atMs: 0, ms: 0.01 }, { atMs: 50, ms: 1 }, { atMs: 100, ms: 100 }] },
        { name: '3.14', durationMs: 50, pauses: [{ atMs: 25, ms: 1 }] },
      ],
    },
  ]);

  it('is one SVG document with the title escaped', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('t &amp; &lt;title&gt;');
  });

  it('one dot per pause; later pauses further right, longer ones higher, each series its colour', () => {
    const c = circles(svg);
    expect(c.length).toBe(4);
    const [a, b, d, e] = c as [(typeof c)[0], (typeof c)[0], (typeof c)[0], (typeof c)[0]];
    expect(a.x < e.x && e.x < b.x && b.x < d.x).toBe(true);
    expect(a.y > b.y && b.y > d.y).toBe(true);
    // Log scale: 0.01 -> 1 -> 100 ms are equal steps; 1 ms is the same height in both series.
    expect(a.y - b.y).toBeCloseTo(b.y - d.y, 5);
    expect(e.y).toBeCloseTo(b.y, 5);
    expect(new Set([a.fill, b.fill, d.fill]).size).toBe(1);
    expect(e.fill).not.toBe(a.fill);
  });

  it('a legend line per series: collections and longest pause', () => {
    expect(svg).toContain('3.11: 3 collections, longest 100 ms');
    expect(svg).toContain('3.14: 1 collections, longest 1 ms');
  });
});
