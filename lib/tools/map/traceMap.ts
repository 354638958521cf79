/*
 * The arena map of a recorded trace (`pymem map TRACE`): the trace replayed
 * into a fresh heap (replay.ts), and the map drawn after event N (SVG), or
 * at most `maxSteps` moments spread evenly over the whole replay (mapSteps.ts)
 * put in a page with a slider (mapPage.ts): arenas appearing as the program
 * allocates and vanishing when their last pool empties.
 *
 * Invariants: the replay is the checked one of `pymem replay` (a bad trace is
 * a TraceFormatError, and nothing is written); the last moment is the heap
 * where the replay stopped.
 */
import { basename } from 'node:path';
import { replayTrace } from '../replay.js';
import { arenaMapFrame } from './arenaMap.js';
import { type ArenasView, arenasView } from './arenaView.js';
import { mapPage } from './mapPage.js';
import { StepRecorder } from './mapSteps.js';
import { renderArenaMap } from './renderArenaMap.js';

/** The arena map after event `at` of the trace (default: its end), as SVG. */
export async function traceMapSvg(path: string, options: { at?: number } = {}): Promise<string> {
  let svg = '';
  const note = options.at === undefined ? 'at the end of the trace' : `after event ${options.at}`;
  await replayTrace(path, {
    ...(options.at === undefined ? {} : { at: options.at }),
    inspect: (heap) => {
      svg = renderArenaMap(arenaMapFrame(heap), { title: `pymem: the arena map of ${basename(path)}`, note: `${note}, replayed by pymem` });
    },
  });
  return svg;
}

/** Every arena and pool after event `at` of the trace (default: its end), as data (arenaView.ts). */
export async function traceArenas(path: string, options: { at?: number } = {}): Promise<ArenasView> {
  let view: ArenasView | null = null;
  await replayTrace(path, { ...(options.at === undefined ? {} : { at: options.at }), inspect: (heap) => (view = arenasView(heap)) });
  return view!;
}

/** A page stepping through the replay of the trace, at most `maxSteps` moments (default 200). */
export async function traceMapPage(path: string, options: { maxSteps?: number; at?: number } = {}): Promise<string> {
  const recorder = new StepRecorder(options.maxSteps ?? 200);
  await replayTrace(path, {
    ...(options.at === undefined ? {} : { at: options.at }),
    onStep: (heap, event, line) => {
      if (!recorder.wants()) recorder.skip();
      else recorder.offer(() => ({ label: `after event ${event} (line ${line})`, frame: arenaMapFrame(heap) }));
    },
    inspect: (heap) => recorder.offer(() => ({ label: 'where the replay stopped', frame: arenaMapFrame(heap) }), true),
  });
  return mapPage({ kind: 'trace', title: `pymem: the arenas of ${basename(path)}, event by event`, steps: recorder.result() });
}
