// Heaps in worker threads and their lifetimes (issue 11.6): several workers
// each run a Python object space under load and are terminated in the middle
// of allocating (worker.terminate()); each worker's arenas are unmapped when
// it goes (the process's RSS comes back, measured loosely: at least half of
// what the workers added), and the main thread's heap is untouched. A soak of
// create / use / dispose cycles keeps RSS flat. The workers run the compiled
// library (dist/, built from these sources by the global setup).
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { expect, it } from 'vitest';
import { Heap, Python, pymallocViolations } from '../lib/index.js';
import { gcListViolations } from '../lib/gc/index.js';

const distIndex = pathToFileURL(join(resolve(import.meta.dirname, '..'), 'dist/lib/index.js')).href;
const MiB = 1024 * 1024;
/** What each worker holds in its arenas before it reports its peak. */
const WORKER_BYTES = 64 * MiB;

// A worker: fills its space to WORKER_BYTES of live lists and strings, says so, then allocates and frees for ever.
const workerCode = `
  const { parentPort, workerData } = require('node:worker_threads');
  import(workerData.url).then(({ Python }) => {
    const py = new Python();
    const { interp } = py;
    const keep = [];
    while (py.memoryUsage().arenaBytes < workerData.bytes) {
      const l = interp.list.new(0);
      for (let i = 0; i < 64; i++) {
        const s = interp.str.fromString('worker string ' + i + ' '.repeat(i));
        interp.list.append(l, s);
        interp.rt.decref(s);
      }
      keep.push(l);
    }
    parentPort.postMessage({ arenaBytes: py.memoryUsage().arenaBytes });
    for (let n = 0; ; n++) {
      const d = interp.dict.new();
      const k = interp.long.fromNumber(n * 1000003);
      interp.dict.setItem(d, k, keep[n % keep.length]);
      interp.rt.decref(k);
      interp.rt.decref(d);
    }
  });
`;

it('workers terminated mid-allocation give their arenas back, and the main heap is untouched', async () => {
  using main = new Python();
  using data = main.list(Array.from({ length: 2000 }, (_, i) => [i, `main ${i}`, i + 0.5]));
  const before = { stats: main.formatDebugMallocStats(), value: JSON.stringify(data.toJS()) };
  const rssStart = process.memoryUsage().rss;
  const workers = Array.from({ length: 3 }, () => new Worker(workerCode, { eval: true, workerData: { url: distIndex, bytes: WORKER_BYTES } }));
  const exits = workers.map((w) => new Promise<number>((done) => w.once('exit', done)));
  const peaks = await Promise.all(
    workers.map((w) => new Promise<{ arenaBytes: number }>((done, fail) => {
      w.once('message', done);
      w.once('error', fail);
    })),
  );
  for (const p of peaks) expect(p.arenaBytes).toBeGreaterThanOrEqual(WORKER_BYTES);
  const rssPeak = process.memoryUsage().rss;
  expect(rssPeak - rssStart).toBeGreaterThan(2 * WORKER_BYTES);
  // Each worker is in its allocate-and-free loop when it is terminated.
  await Promise.all(workers.map((w) => w.terminate()));
  expect(await Promise.all(exits)).toEqual([1, 1, 1]);
  const rssEnd = process.memoryUsage().rss;
  expect(rssPeak - rssEnd).toBeGreaterThan((3 * WORKER_BYTES) / 2);
  // The main thread's space did not notice.
  expect(main.formatDebugMallocStats()).toBe(before.stats);
  expect(JSON.stringify(data.toJS())).toBe(before.value);
  expect(pymallocViolations(main.interp.rt.heap.pymalloc)).toEqual([]);
  expect(gcListViolations(main.interp.rt)).toEqual([]);
}, 120_000);

it('a soak of create / use / dispose cycles keeps RSS flat (Python spaces and bare heaps)', () => {
  const cycle = (i: number): void => {
    using py = new Python();
    using l = py.list(Array.from({ length: 1500 }, (_, j) => [j, `s${i}-${j}`]));
    py.append(l, l);
    l.toJS();
    using heap = new Heap({ profile: 'cpython311' });
    const ptrs = Array.from({ length: 2000 }, (_, j) => heap.malloc(16 + (j % 500)));
    for (const p of ptrs) heap.free(p);
  };
  // A long warm-up: V8's own heap grows for the first hundred or so cycles (measured: 19-36 MiB between
  // cycles 40 and 200, 3-24 MiB after), which is not pymem's.
  for (let i = 0; i < 100; i++) cycle(i);
  const rssWarm = process.memoryUsage().rss;
  for (let i = 100; i < 260; i++) cycle(i);
  const rssEnd = process.memoryUsage().rss;
  // 160 more cycles that each map several MiB: a leak of one arena a cycle would add 160 MiB.
  expect(rssEnd - rssWarm).toBeLessThan(48 * MiB);
}, 300_000);
