// The map page (lib/tools/map/mapPage.ts) in a real browser: headless
// Chromium loads the page `pymem run --map` writes for a small program and
// the one `pymem map --html` writes for a trace, takes a screenshot (a PNG of
// the window's size that is not blank), and reads back what the page drew at
// two slider positions (#step=N): no names before the first line and the
// program's names, a float with its value and its outlined block at the end;
// one arena at the start of the trace and three where it peaks.
// Skipped, saying so, when no Chromium is found (PYMEM_CHROMIUM, or chromium /
// chromium-browser / google-chrome on PATH): what the page embeds is tested
// without a browser in 48b.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Heap, traceMapPage } from '../lib/index.js';
import { runCommand } from '../lib/eval/runCommand.js';
import type { MapSteps } from '../lib/tools/map/mapSteps.js';
import { TraceWriter, fileSink } from '../lib/tools/traceWriter.js';

function findChromium(): string | null {
  const candidates = [process.env['PYMEM_CHROMIUM'], 'chromium', 'chromium-browser', 'google-chrome'].filter((c): c is string => c !== undefined && c !== '');
  for (const c of candidates) if (spawnSync(c, ['--version'], { encoding: 'utf8' }).status === 0) return c;
  return null;
}

const chromium = findChromium();
const dir = mkdtempSync(join(tmpdir(), 'pymem-page-'));
const WIDTH = 1200;
const HEIGHT = 900;

/** Runs headless Chromium on a file URL with extra flags; returns its stdout. */
function browse(url: string, ...flags: string[]): string {
  const r = spawnSync(
    chromium!,
    ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--user-data-dir=${join(dir, 'profile')}`, `--window-size=${WIDTH},${HEIGHT}`, ...flags, url],
    { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 },
  );
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** The DOM after the page's script ran, at slider position `step`, without the scripts' own text. */
const domAt = (file: string, step: number): string => browse(`file://${file}#step=${step}`, '--dump-dom').replace(/<script[^>]*>[^]*?<\/script>/g, '');

/** Width, height and the distinct byte values of a PNG's (filtered) pixel rows. */
function pngFacts(png: Buffer): { width: number; height: number; distinct: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const idat: Buffer[] = [];
  for (let off = 8; off < png.length; ) {
    const len = png.readUInt32BE(off);
    const type = png.toString('latin1', off + 4, off + 8);
    if (type === 'IDAT') idat.push(png.subarray(off + 8, off + 8 + len));
    off += 12 + len;
  }
  const pixels = inflateSync(Buffer.concat(idat));
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), distinct: new Set(pixels).size };
}

describe.skipIf(chromium === null)(
  chromium === null ? 'the map page in headless Chromium (skipped: no Chromium found; set PYMEM_CHROMIUM or install chromium)' : 'the map page in headless Chromium',
  () => {
    it('a run: a screenshot, and what the page shows at the first step and at exit', () => {
      const page = join(dir, 'learner.html');
      const status = runCommand(['--map', page, join(import.meta.dirname, 'fixtures/map/learner.py')], { stdout: () => {}, stderr: () => {} });
      expect(status).toBe(0);
      const shot = join(dir, 'learner.png');
      browse(`file://${page}#step=12`, `--screenshot=${shot}`);
      const facts = pngFacts(readFileSync(shot));
      expect([facts.width, facts.height]).toEqual([WIDTH, HEIGHT]);
      expect(facts.distinct).toBeGreaterThan(20);

      const steps = (JSON.parse(/id="pymem-data">([^<]*)</.exec(readFileSync(page, 'utf8'))![1]!) as { steps: MapSteps }).steps.steps;
      const first = domAt(page, 0);
      expect(first).toContain('data-step="0"');
      expect(first).toContain('data-objects="0"');
      expect(first).not.toContain('class="name"');

      const last = domAt(page, steps.length - 1);
      expect(last).toContain(`data-step="${steps.length - 1}"`);
      expect(last).toContain('step ' + steps.length + ' of ' + steps.length + ': at exit (before finalization)');
      for (const name of ['prices', 'head', 't', 'label']) expect(last).toContain(`class="name" data-name="${name}"`);
      expect(last).toMatch(/class="obj" data-id="\d+" data-type="float" data-value="6.75"/);
      expect(last).toMatch(/class="obj" data-id="\d+" data-type="list"/);
      // The selected object's block is outlined in its pool, and its pool on the arena map.
      expect(last).toContain('id="selected-block"');
      expect(last).toContain('class="highlight"');
      expect(last).toContain('data-arenas="1"');
    });

    it('a trace: arenas appear as the replay goes (one at the start, three at the peak)', async () => {
      const trace = join(dir, 'three.trace.gz');
      {
        using heap = new Heap({ profile: 'cpython311', memory: 'fake' });
        const w = new TraceWriter(heap, fileSink(trace), 'three.py');
        w.start();
        const blocks: number[] = [];
        for (let i = 0; i < 3 * 64 * 255; i++) blocks.push(heap.malloc(64));
        for (let i = blocks.length - 1; i > 0; i--) heap.free(blocks[i]!);
        await w.stop();
      }
      const html = await traceMapPage(trace, { maxSteps: 50 });
      const page = join(dir, 'three.html');
      writeFileSync(page, html);
      const steps = (JSON.parse(/id="pymem-data">([^<]*)</.exec(html)![1]!) as { steps: MapSteps }).steps.steps;
      const peak = steps.findIndex((s) => s.arenas.length === 3);
      expect(peak).toBeGreaterThan(0);
      expect(domAt(page, 0)).toContain('data-arenas="1"');
      const atPeak = domAt(page, peak);
      expect(atPeak).toContain('data-arenas="3"');
      expect(atPeak.match(/<g class="arena" data-arena="\d+">/g)).toHaveLength(3);
      // The arena mapped since the step before is framed and named.
      expect(atPeak.match(/class="fresh"/g)).toHaveLength(1);
      expect(atPeak).toMatch(/arena 2 mapped \(framed\)/);
      const shot = join(dir, 'three.png');
      browse(`file://${page}#step=${peak}`, `--screenshot=${shot}`);
      expect(pngFacts(readFileSync(shot)).distinct).toBeGreaterThan(10);
    });
  },
);
