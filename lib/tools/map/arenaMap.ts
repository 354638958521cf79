/*
 * The arena map of a live heap: its frame (arenaView.ts read, mapFrame.ts
 * encoded) and that frame drawn as SVG (renderArenaMap.ts). The entry point
 * for the API and the commands; it only reads the heap.
 */
import type { Heap } from '../../allocator/heap.js';
import { arenasView } from './arenaView.js';
import { type MapFrame, encodeFrame } from './mapFrame.js';
import { type RenderOptions, renderArenaMap } from './renderArenaMap.js';

/** The arena map's data for `heap` now (page residency included unless `residency` is false). */
export function arenaMapFrame(heap: Heap, residency = true): MapFrame {
  return encodeFrame(arenasView(heap, residency), heap.profile.poolOverhead, heap.profile.alignment);
}

/** The arena map of `heap` now, as an SVG document. */
export function arenaMapSvg(heap: Heap, options: RenderOptions = {}): string {
  return renderArenaMap(arenaMapFrame(heap), options);
}
