// The arena map (lib/tools/map): the view of every arena and pool against a
// model of live blocks (fast-check), the SVG drawn from it, the bounded step
// recorder (fast-check), the objects view of a run, `pymem run --map` (SVG
// and the page's embedded data), `pymem map TRACE` (SVG after an event, a page
// whose arenas appear and vanish), and the pins of Python objects: a program
// in which one float keeps an arena of freed floats, and handles from JavaScript.
// The page in a browser is test 48c.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DisposedError, Heap, InvalidArgumentError, Python, pins, arenaMapFrame, arenaMapSvg, arenasView, liveSmallBlocks, pythonPins, renderArenaMap, traceMapPage, traceMapSvg } from '../lib/index.js';
import { runCommand } from '../lib/eval/runCommand.js';
import { exec } from '../lib/eval/run.js';
import { StepRecorder, type MapSteps } from '../lib/tools/map/mapSteps.js';
import type { ArenasView } from '../lib/tools/map/arenaView.js';
import { objectGraph, programRoots } from '../lib/tools/map/objectGraph.js';
import { programPins } from '../lib/tools/pinsPython.js';
import { runLengths } from '../lib/tools/map/runMap.js';
import { TraceWriter, fileSink } from '../lib/tools/traceWriter.js';

const fixture = (name: string): string => join(import.meta.dirname, 'fixtures/map', name);
const tmp = (): string => mkdtempSync(join(tmpdir(), 'pymem-map-'));

/** The JSON a map page embeds. */
function pageData(html: string): { kind: string; steps: MapSteps; output: string } {
  const m = /<script type="application\/json" id="pymem-data">([^<]*)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(m![1]!);
}

describe('the view of every arena and pool', () => {
  it('finds exactly the live small blocks, and the pools count them (against a model)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.record({ malloc: fc.integer({ min: 1, max: 512 }) }), fc.record({ free: fc.nat() })), { maxLength: 400 }), (ops) => {
        using heap = new Heap({ profile: 'cpython311', memory: 'fake' });
        const live: number[] = [];
        for (const o of ops) {
          if ('malloc' in o) live.push(heap.malloc(o.malloc));
          else if (live.length > 0) heap.free(live.splice(o.free % live.length, 1)[0]!);
        }
        const found = liveSmallBlocks(heap).map((b) => b.ptr);
        expect(new Set(found)).toEqual(new Set(live));
        expect(found).toHaveLength(live.length);
        const view = arenasView(heap);
        expect(view.arenas).toHaveLength(heap.debugMallocStats().arenasAllocatedCurrent);
        const pools = view.arenas.flatMap((a) => a.pools);
        expect(pools.reduce((n, p) => n + p.count, 0)).toBe(live.length);
        for (const p of pools) {
          expect(p.state === 'full').toBe(p.count > 0 && p.count === p.capacity);
          expect(p.state === 'used').toBe(p.count > 0 && p.count < p.capacity);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a disposed heap is a DisposedError, not an empty map', () => {
    const heap = new Heap({ memory: 'fake' });
    heap.malloc(10);
    heap.dispose();
    expect(() => arenaMapSvg(heap)).toThrow(DisposedError);
    expect(() => liveSmallBlocks(heap)).toThrow(DisposedError);
    expect(() => pins(heap, [])).toThrow(DisposedError);
  });

  it('pages: a pool whose blocks were all written is wholly resident; no pool has more pages than it holds', () => {
    using heap = new Heap({ profile: 'cpython311' });
    for (let i = 0; i < 510; i++) heap.bytes(heap.malloc(32)).fill(1);
    const view = arenasView(heap);
    const pagesPerPool = 16384 / view.pageSize;
    const pool = view.arenas[0]!.pools.find((p) => p.state === 'full' && p.blockSize === 32)!;
    expect(pool.resident).toBe(pagesPerPool);
    for (const p of view.arenas.flatMap((a) => a.pools)) expect(p.resident).toBeLessThanOrEqual(pagesPerPool);
  });
});

describe('the SVG', () => {
  it('draws one tile per arena, one cell per pool, and a summary that adds them up', () => {
    using heap = new Heap({ profile: 'cpython311', memory: 'fake' });
    const ps: number[] = [];
    for (let i = 0; i < 70000; i++) ps.push(heap.malloc(i % 2 === 0 ? 24 : 100));
    for (let i = 0; i < ps.length; i++) if (i % 5 !== 0) heap.free(ps[i]!);
    const view = arenasView(heap);
    const svg = arenaMapSvg(heap, { note: 'after the frees', highlight: ['0:3'] });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<g class="arena" data-arena="\d+">/g)).toHaveLength(view.arenas.length);
    const pools = view.arenas.flatMap((a) => a.pools);
    expect(svg.match(/<title>arena \d+, pool \d+: /g)).toHaveLength(pools.length);
    const count = (s: string): number => pools.filter((p) => p.state === s).length;
    expect(svg).toContain(`${view.arenas.length} arenas of 1.0 MiB`);
    expect(svg).toContain(`${pools.length} pools: ${count('full')} full, ${count('used')} partly used, ${count('empty')} empty, ${count('uncarved')} never carved`);
    expect(svg).toContain('after the frees');
    expect(svg.match(/class="highlight"/g)).toHaveLength(1);
    expect(renderArenaMap(arenaMapFrame(heap), { fresh: [1] }).match(/class="fresh"/g)).toHaveLength(1);
    const p = pools.find((q) => q.state === 'used')!;
    expect(svg).toContain(`${p.blockSize}-byte blocks: ${p.count} of ${p.capacity} in use`);
  });

  it('the frame keeps what the view read (4 characters a pool)', () => {
    using heap = new Heap({ profile: 'classic', memory: 'fake' });
    for (let i = 0; i < 3000; i++) heap.malloc(1 + (i % 512));
    const frame = arenaMapFrame(heap);
    const view = arenasView(heap);
    expect(frame.arenas.map((a) => a.pools.length)).toEqual(view.arenas.map((a) => 4 * a.pools.length));
    // Drawn again from the frame alone: the same picture.
    expect(renderArenaMap(frame)).toBe(arenaMapSvg(heap));
  });
});

describe('the step recorder', () => {
  it('keeps at most maxSteps moments, in order, spread over all offered, and the ones offered with keep', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 20 }), fc.array(fc.boolean(), { maxLength: 300 }), (max, offers) => {
        const r = new StepRecorder(max);
        const frame = { profile: 'p', arenaSize: 1, poolSize: 1, poolOverhead: 0, alignment: 1, pageSize: 1, arenas: [] };
        offers.forEach((keep, i) => {
          if (keep || r.wants()) r.offer(() => ({ label: String(i), frame }), keep);
          else r.skip();
        });
        const { steps, offered } = r.result();
        expect(offered).toBe(offers.length);
        expect(steps.length).toBeLessThanOrEqual(max);
        for (let i = 1; i < steps.length; i++) expect(steps[i]!.at).toBeGreaterThan(steps[i - 1]!.at);
        for (const s of steps) expect(s.label).toBe(String(s.at));
        // Without kept moments crowding it, at least half the room is used once enough were offered.
        const kept = offers.filter(Boolean).length;
        if (kept === 0) expect(steps.length).toBeGreaterThanOrEqual(Math.min(offers.length, Math.floor(max / 2)));
        if (offers.at(-1) === true) expect(steps.at(-1)!.at).toBe(offers.length - 1);
      }),
      { numRuns: 200 },
    );
  });

  it('stores an arena unchanged between moments once', () => {
    using heap = new Heap({ profile: 'cpython311', memory: 'fake' });
    heap.malloc(32);
    const r = new StepRecorder(10);
    for (let i = 0; i < 5; i++) r.offer(() => ({ label: '', frame: arenaMapFrame(heap) }));
    expect(r.result().arenaTable).toHaveLength(1);
    expect(r.result().steps.map((s) => s.arenas)).toEqual([[0], [0], [0], [0], [0]]);
    expect(() => new StepRecorder(1)).toThrow(InvalidArgumentError);
  });
});

describe('a Python program', () => {
  const run = (args: string[]): { status: number; out: string; err: string } => {
    let out = '';
    let err = '';
    const status = runCommand(args, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
    return { status, out, err };
  };

  it('objects as a learner draws them: names, values, refcounts, arrows, blocks', () => {
    const { vm } = exec("prices = [1.5, 2.25]\nstock = {'apple': 3}\nlabel = 'sum'\n", { keep: true, filename: 'learner.py' });
    try {
      const g = objectGraph(vm!.interp, programRoots(vm!));
      expect(g.roots.map((r) => r.name)).toEqual(['prices', 'stock', 'label']);
      const byId = new Map(g.nodes.map((n) => [n.id, n]));
      const prices = byId.get(g.roots[0]!.id)!;
      expect(prices.type).toBe('list');
      expect(prices.edges.map(([l, to]) => [l, byId.get(to)!.value])).toEqual([
        ['[0]', '1.5'],
        ['[1]', '2.25'],
      ]);
      const f = byId.get(prices.edges[0]![1])!;
      expect(f).toMatchObject({ type: 'float', refcnt: 1, size: 24 });
      expect(f.block).toMatchObject({ blockSize: 32 });
      expect(vm!.interp.rt.heap.pymalloc.arenaOf(f.id)!.arena.ordinal).toBe(f.block!.arena);
      const stock = byId.get(g.roots[1]!.id)!;
      expect(stock.edges.map(([l]) => l)).toEqual(["['apple']"]);
      expect(byId.get(stock.edges[0]![1])!.block).toBeNull(); // 3 is a small int: static, in no arena
    } finally {
      vm!.interp.dispose();
    }
  });

  it('drawing and pins only read: the heap, its stats and every refcount are as before', () => {
    const { vm } = exec(readFileSync(fixture('learner.py'), 'utf8'), { keep: true, io: { stdout: () => {}, stderr: () => {} } });
    try {
      const interp = vm!.interp;
      const heap = interp.rt.heap;
      const before = heap.formatDebugMallocStats();
      const blocks = liveSmallBlocks(heap);
      const refcounts = objectGraph(interp, programRoots(vm!)).nodes.map((n) => [n.id, n.refcnt]);
      objectGraph(interp, programRoots(vm!), { maxNodes: 1000 });
      programPins(vm!, { maxFill: 1 });
      arenaMapSvg(heap);
      expect(heap.formatDebugMallocStats()).toBe(before);
      expect(liveSmallBlocks(heap)).toEqual(blocks);
      expect(refcounts.map(([id]) => [id, interp.rt.refcnt(id!)])).toEqual(refcounts);
    } finally {
      vm!.interp.dispose();
    }
  });

  it("a closure's variables are names bound to their contents, not to their cells", () => {
    const out = join(tmp(), 'closure.html');
    const code = 'def outer():\n    n = [1.5]\n    def inner():\n        return n[0]\n    return inner()\nouter()\n';
    expect(run(['--map', out, '-c', code]).status).toBe(0);
    const d = pageData(readFileSync(out, 'utf8'));
    const step = d.steps.steps.find((s) => s.label === 'line 4 (in inner)')!;
    const n = step.roots!.find((r) => r[0] === 'inner' && r[1] === 'n')!;
    const node = step.nodes!.map((k) => d.steps.nodeTable[k] as [number, string]).find((x) => x[0] === n[2])!;
    expect(node[1]).toBe('list');
  });

  it('long strs and ints are named by their size, not printed', () => {
    const { vm } = exec("s = 'ab' * 100000\nn = 7 ** 5000\n", { keep: true });
    try {
      const g = objectGraph(vm!.interp, programRoots(vm!));
      expect(g.nodes.map((n) => n.value)).toEqual(["'abababababababababababab… (200000 characters)", '<int of 468 30-bit digits>']);
    } finally {
      vm!.interp.dispose();
    }
  });

  it('pymem run --pins: one float keeps an arena of freed floats mapped, named with its path', () => {
    const r = run(['--pins', fixture('one_float_pins.py')]);
    expect(r.status).toBe(0);
    expect(r.out).toBe('50000.5\n');
    const m = /^arena (\d+) at 0x[0-9a-f]+: 1 live block \(32 B\) in 1 of 64 pools keep 1024 KiB mapped(?: \((\d+) KiB resident\))?\n +32 B  float 50000\.5 \(refcount 1, getsizeof 24\)  ← keep$/m.exec(r.err);
    expect(m, r.err).not.toBeNull();
    if (m![2] !== undefined) expect(Number(m![2])).toBeGreaterThan(0);
    expect(r.err).toMatch(/^freeing these blocks would return \d+ KiB/m);
    // The floats freed last went to float's free list (100 of them): they hold blocks too, and are named so.
    expect(r.err).toMatch(/^ +100 × +32 B  a dead float on float's free list/m);
  });

  it('the API: the same pins, from the running program', () => {
    const { vm } = exec(readFileSync(fixture('one_float_pins.py'), 'utf8'), { keep: true, io: { stdout: () => {}, stderr: () => {} } });
    try {
      const found = programPins(vm!);
      const one = found.find((a) => a.blockCount === 1)!;
      expect(one.blocks[0]!.label).toBe('float 50000.5 (refcount 1, getsizeof 24)  ← keep');
      expect(one.wouldReturn).toBe(1 << 20);
      expect(found[0]).toBe(one); // the most to win and the fewest live bytes: reported first
    } finally {
      vm!.interp.dispose();
    }
  });

  it('pymem run --map OUT.svg draws the arenas at exit', () => {
    const out = join(tmp(), 'one.svg');
    expect(run(['--map', out, fixture('one_float_pins.py')]).status).toBe(0);
    const svg = readFileSync(out, 'utf8');
    expect(svg).toContain('one_float_pins.py: at exit, before finalization');
    expect(svg.match(/<g class="arena"/g)!.length).toBeGreaterThanOrEqual(3);
    expect(svg).toContain('32-byte blocks: 1 of 510 in use');
  });

  it('pymem run --map OUT.html embeds a step per line with names, objects and their pools', () => {
    const out = join(tmp(), 'learner.html');
    const r = run(['--map', out, fixture('learner.py')]);
    expect(r).toMatchObject({ status: 0, out: 'sum 6.75\n' });
    const d = pageData(readFileSync(out, 'utf8'));
    expect(d.kind).toBe('run');
    expect(d.output).toBe('sum 6.75\n');
    const labels = d.steps.steps.map((s) => s.label);
    expect(labels).toContain('line 14');
    expect(labels).toContain('line 11 (in total)');
    expect(labels.at(-1)).toBe('at exit (before finalization)');
    const last = d.steps.steps.at(-1)!;
    expect(last.roots!.map((r) => r[1])).toEqual(['Node', 'total', 'prices', 'head', 't', 'label']);
    const nodes = last.nodes!.map((k) => d.steps.nodeTable[k] as [number, string, string | null, number, number, number[] | null]);
    const t = nodes.find((n) => n[0] === last.roots![4]![2])!;
    expect(t.slice(1, 3)).toEqual(['float', '6.75']);
    // Its block's pool is among the step's pools.
    const [arena, pool] = t[5]!;
    expect(last.pools!.map((k) => d.steps.poolTable[k]!.slice(0, 3))).toContainEqual([arena, pool, 32]);
    // An instance's arrows are its attributes.
    const head = d.steps.nodeTable[last.nodes!.find((k) => (d.steps.nodeTable[k] as [number])[0] === last.roots![3]![2])!] as [number, string, null, number, number, null, Array<[string, number]>];
    expect(head[1]).toBe('Node');
    expect(head[6].map(([l]) => l)).toEqual(['.value', '.next', '(type)']);
    // Inside total(), its locals are names too.
    const inTotal = d.steps.steps.find((s) => s.label === 'line 11 (in total)')!;
    expect(inTotal.roots!.filter((r) => r[0] === 'total').map((r) => r[1])).toEqual(expect.arrayContaining(['items', 's', 'x']));
  });

  it('breakpoint() under --map OUT.svg writes the map then (OUT-1.svg)', () => {
    const dir = tmp();
    expect(run(['--map', join(dir, 'bp.svg'), '-c', 'xs = [float(i) for i in range(40000)]\nbreakpoint()\ndel xs\n']).status).toBe(0);
    const atBreak = readFileSync(join(dir, 'bp-1.svg'), 'utf8');
    expect(atBreak).toContain('at breakpoint() 1');
    expect(atBreak.match(/<g class="arena"/g)!.length).toBeGreaterThan(readFileSync(join(dir, 'bp.svg'), 'utf8').match(/<g class="arena"/g)!.length - 1);
    expect(atBreak).toMatch(/32-byte blocks: 510 of 510 in use \(full\)/);
  });

  it('breakpoint() under --map OUT.html is a step of the page, kept however many lines run', () => {
    const out = join(tmp(), 'bp.html');
    const code = 'total = 0\nfor i in range(3000):\n    total += i\n    if i == 1234:\n        breakpoint()\n';
    expect(run(['--map', out, '-c', code]).status).toBe(0);
    const steps = pageData(readFileSync(out, 'utf8')).steps.steps;
    expect(steps.length).toBeLessThanOrEqual(300);
    expect(steps.filter((s) => s.label === 'breakpoint() 1')).toHaveLength(1);
  });

  it("a pool's blocks are stored as runs", () => {
    fc.assert(
      fc.property(fc.uint8Array({ min: 0, max: 2, maxLength: 600 }), (slots) => {
        const decoded = runLengths(slots)
          .split(',')
          .filter((r) => r !== '')
          .map((r) => r.split(':'))
          .flatMap(([state, count]) => Array<number>(Number(count)).fill(Number(state)));
        expect(decoded).toEqual([...slots]);
      }),
    );
  });

  it('a --map file that is neither .svg nor .html is bad usage', () => {
    const r = run(['--map', 'out.png', '-c', 'pass']);
    expect(r.status).toBe(2);
    expect(r.err).toContain('--map needs a file name ending in .svg or .html');
  });
});

it('pythonPins: the handles an object space is driven with are the roots', () => {
  using py = new Python();
  const floats = py.from(Array.from({ length: 100000 }, (_, i) => i + 0.5));
  const kept = py.getitem(floats, 50000);
  floats.release();
  const found = pythonPins(py, { kept });
  const one = found.find((a) => a.blockCount === 1)!;
  expect(one.blocks[0]!.label).toBe('float 50000.5 (refcount 1, getsizeof 24)  ← kept');
  kept.release();
});

describe('a trace', () => {
  /** Three arenas' worth of 64-byte blocks, then all freed but one block of the first arena. */
  async function plantedTrace(): Promise<string> {
    const path = join(tmp(), 'planted.trace.gz');
    using heap = new Heap({ profile: 'cpython311', memory: 'fake' });
    const w = new TraceWriter(heap, fileSink(path), 'planted.py');
    w.start();
    const blocks: number[] = [];
    for (let i = 0; i < 3 * 64 * 255; i++) blocks.push(heap.malloc(64));
    for (let i = blocks.length - 1; i > 0; i--) heap.free(blocks[i]!);
    await w.stop();
    return path;
  }

  it('the SVG after an event, and at the end', async () => {
    const path = await plantedTrace();
    const mid = await traceMapSvg(path, { at: 3 * 64 * 255 - 1 });
    expect(mid).toContain('after event 48959, replayed by pymem');
    expect(mid.match(/<g class="arena"/g)).toHaveLength(3);
    const end = await traceMapSvg(path);
    expect(end).toContain('at the end of the trace');
    // The first arena stays (one block), and pymalloc keeps one empty arena besides.
    expect(end.match(/<g class="arena"/g)!.length).toBeLessThan(3);
    expect(end).toContain('64-byte blocks: 1 of 255 in use');
  });

  it('the page: arenas appear and vanish over a bounded number of steps', async () => {
    const d = pageData(await traceMapPage(await plantedTrace(), { maxSteps: 40 }));
    expect(d.kind).toBe('trace');
    const counts = d.steps.steps.map((s) => s.arenas.length);
    expect(counts.length).toBeLessThanOrEqual(40);
    expect(counts[0]).toBe(1);
    expect(Math.max(...counts)).toBe(3);
    expect(counts.at(-1)).toBeLessThan(3);
    expect(d.steps.offered).toBe(2 * 3 * 64 * 255 - 1);
  });
});

describe('pymem map', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, [join(import.meta.dirname, '../dist/bin/pymem.js'), 'map', ...args], { encoding: 'utf8' });
  const trace = join(import.meta.dirname, '../fixtures/traces/startup.trace.gz');

  it('writes an SVG after event N', () => {
    const out = join(tmp(), 'startup.svg');
    const r = cli(trace, '--at', '60000', '-o', out);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('after event 60000, replayed by pymem');
  });

  it('--json prints every arena and pool after event N', () => {
    const r = cli(trace, '--at', '60000', '--json');
    expect(r.status, r.stderr).toBe(0);
    const view = JSON.parse(r.stdout) as ArenasView;
    expect(view.profile).toBe('cpython311');
    expect(view.arenas.length).toBeGreaterThan(0);
    for (const a of view.arenas) expect(a.pools.reduce((n, p) => n + p.count, 0)).toBeGreaterThan(0);
  });

  it('bad usage is one line and exit status 2; --help lists the options', () => {
    expect(cli(trace).stderr).toContain('map writes one thing: give -o OUT.svg, --html OUT.html or --json');
    expect(cli(trace, '--json', '-o', 'a.svg').status).toBe(2);
    expect(cli(trace).status).toBe(2);
    expect(cli(trace, '-o', 'a.svg', '--at', 'x').status).toBe(2);
    expect(cli('no-such.trace.gz', '-o', 'a.svg').stderr).toContain('no such file: no-such.trace.gz');
    const help = cli('--help').stdout;
    expect(help).toContain('-o, --out OUT.svg');
    expect(help).toContain('--html OUT.html');
  });
});
