/*
 * The HTML map page: one self-contained file (inline CSS and script, no
 * network, no framework) that steps through recorded moments with a slider.
 * For a trace replay the moments are events and the page shows the arena
 * map; for a Python run they are lines, and beside the arenas it shows the
 * source with the line about to run, the output so far, the names and
 * objects with their refcounts, and the pool holding the object clicked
 * (its block outlined, its pool outlined on the map).
 *
 * Invariants: the data is embedded as JSON in a <script type="application/json">
 * with every '<' escaped, so no program text can end the element; the arena
 * map is drawn by the same renderArenaMap that writes the SVG files.
 */
import type { MapSteps } from './mapSteps.js';
import { PAGE_SCRIPT } from './pageScript.js';
import { renderArenaMap } from './renderArenaMap.js';

/** What a page shows. */
export interface MapPageInput {
  kind: 'run' | 'trace';
  title: string;
  steps: MapSteps;
  /** The program's source (runs). */
  source?: string;
  /** The program's whole output (runs); each step shows its first `out` characters. */
  output?: string;
}

const CSS = `
body { font-family: Helvetica, Arial, sans-serif; margin: 12px; color: #222; }
h1 { font-size: 18px; margin: 0 0 8px; }
#controls { position: sticky; top: 0; background: #fff; padding: 6px 0; border-bottom: 1px solid #ddd; z-index: 1; }
#slider { width: 60%; vertical-align: middle; }
#label { margin-left: 10px; font-size: 13px; }
.top { display: grid; grid-template-columns: minmax(280px, 420px) 1fr; gap: 16px; margin-top: 10px; }
.bottom { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 440px); gap: 16px; margin-top: 10px; align-items: start; }
.bottom.single { grid-template-columns: minmax(0, 1fr); }
.panel { border: 1px solid #ddd; border-radius: 4px; padding: 6px; overflow: auto; }
#source { font-family: monospace; font-size: 12px; white-space: pre; min-width: 260px; max-height: 420px; }
.src.current { background: #ffe2b8; }
.src .no { color: #999; display: inline-block; width: 3em; text-align: right; margin-right: 8px; }
#output { font-family: monospace; font-size: 12px; white-space: pre-wrap; max-height: 140px; background: #f7f7f7; }
h2 { font-size: 13px; margin: 0 0 4px; color: #555; }
.hint { color: #777; font-size: 12px; }
`;

/** The page, as one HTML document. */
export function mapPage(input: MapPageInput): string {
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const json = JSON.stringify({ kind: input.kind, steps: input.steps, output: input.output ?? '' }).replace(/</g, '\\u003c');
  const run = input.kind === 'run';
  const source = (input.source ?? '')
    .split('\n')
    .map((l, i) => `<div class="src" data-line="${i + 1}"><span class="no">${i + 1}</span>${esc(l)}</div>`)
    .join('');
  const top = run
    ? `<div class="top"><div><h2>program (the highlighted line runs next)</h2><div id="source" class="panel">${source}</div><h2>output</h2><div id="output" class="panel"></div></div>` +
      `<div><h2>names and objects (click an object: its block is outlined below)</h2><div id="objects" class="panel"></div></div></div>`
    : '';
  const bottom = `<div class="bottom${run ? '' : ' single'}"><div><div id="arenas" class="panel"></div></div>${run ? '<div><h2>the selected object\'s pool</h2><div id="pool" class="panel"></div></div>' : ''}</div>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(input.title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${esc(input.title)}</h1>
<div id="controls"><button id="prev" type="button">◀</button> <input id="slider" type="range" min="0" max="0" value="0"> <button id="next" type="button">▶</button><span id="label"></span></div>
${top}
${bottom}
<script type="application/json" id="pymem-data">${json}</script>
<script>
var renderArenaMap = ${renderArenaMap.toString()};
${PAGE_SCRIPT}
</script>
</body>
</html>
`;
}
