/*
 * Child of objects.ts: `node dist/bench/objectsChild.js <capi|handle> <workload> <n> <rounds> [warmup]`
 * runs one object workload in a fresh process: `warmup` untimed rounds of n/10
 * operations (default 1; for V8's JIT), then `rounds` timed rounds of n. It
 * prints one JSON line: ns per operation of each timed round, VmRSS before the
 * first round, the peak (VmHWM, reset before the first round) after the last,
 * and the collections of each GC generation per timed round.
 *
 *   capi    the C-API level: Interpreter modules, pointers, rt.incref/decref
 *   handle  the handle level: Python (py.int, py.list …) and PyHandle with `using`
 *
 * Both levels run with the cyclic GC installed, as CPython always has it,
 * on a heap holding a live block of every size class, as CPython's does
 * after start-up (startupHeap.ts).
 * Each workload is a function holding only its loop; the caller reads the
 * clock (an OSR'd loop next to a clock read deoptimizes inside the timed
 * region, see RESULTS.md, "V8 effects"). After every round the heap must
 * hold exactly the bytes it held after the first: a level that leaked would
 * be timed doing less work than CPython.
 *
 * Run it under `node --cpu-prof` to see where a workload's time goes.
 */
import { Interpreter, Python, type PyHandle, installGc } from '../lib/index.js';
import { getNative } from '../lib/native.js';

const native = getNative();
import { type ObjectsReport, WORKLOADS, type Workload, warmupOps } from './objects.js';
import { holdStartupBlocks } from './startupHeap.js';
import { nowNs } from './timing.js';

/** One workload bound to its object space: `run(n)` does n operations. */
interface Bound {
  run(n: number): void;
  /** Bytes the heap holds in blocks (pymalloc and raw), for the leak check. */
  heldBytes(): number;
  /** Collections of each generation so far (gc.get_stats()[i]['collections']). */
  collections(): number[];
}

/** Operands shared by both levels: an int beyond the small-int cache, as CPython's `a = 1000`. */
const A = 1000;
const B = 1001;
const F = 0.5;

/** The parts of a Bound that read the interpreter's state. */
function probes(interp: Interpreter): Pick<Bound, 'heldBytes' | 'collections'> {
  return {
    heldBytes() {
      const s = interp.rt.heap.debugMallocStats();
      return s.bytesInAllocatedBlocks + s.rawAllocatedBlocks;
    },
    collections: () => interp.rt.gc.stats.map((g) => g.collections),
  };
}

/**
 * The C-API level: the calls CPython's bytecodes make for each Python
 * statement (objects.ts lists them), with the cyclic GC installed, as
 * CPython's runtime always has it (`listOfListsNoGc`: gc.disable()).
 */
function capi(workload: Workload | 'listOfListsNoGc'): Bound {
  const interp = new Interpreter({ profile: 'cpython311' });
  const gc = installGc(interp);
  holdStartupBlocks(interp);
  const { rt, long, float, tuple, list, dict, instance, str } = interp;
  const a = long.fromNumber(A);
  const b = long.fromNumber(B);
  const pair = [a, b];
  const key = [str.internFromString('key')];
  const value = [a];
  const P = instance.defineClass({ name: 'P' });
  const S = instance.defineClass({ name: 'S', slots: ['a', 'b'] });
  const loops: Record<Workload | 'listOfListsNoGc', (n: number) => void> = {
    int(n) {
      for (let i = 0; i < n; i++) rt.decref(long.fromNumber(A + 1));
    },
    float(n) {
      for (let i = 0; i < n; i++) rt.decref(float.fromNumber(F + 1.0));
    },
    tuple(n) {
      for (let i = 0; i < n; i++) rt.decref(tuple.pack(pair));
    },
    list(n) {
      for (let i = 0; i < n; i++) {
        const l = list.new(1);
        rt.incref(a);
        list.setItem(l, 0, a);
        rt.decref(l);
      }
    },
    dict(n) {
      for (let i = 0; i < n; i++) rt.decref(dict.fromItems(key, value));
    },
    instance(n) {
      for (let i = 0; i < n; i++) rt.decref(instance.new(P));
    },
    slots(n) {
      for (let i = 0; i < n; i++) rt.decref(instance.new(S));
    },
    listOfLists(n) {
      const xs = list.new(0);
      for (let i = 0; i < n; i++) {
        const l = list.new(1);
        rt.incref(a);
        list.setItem(l, 0, a);
        list.append(xs, l);
        rt.decref(l);
      }
      rt.decref(xs);
    },
    listOfListsNoGc(n) {
      gc.disable();
      try {
        loops.listOfLists(n);
      } finally {
        gc.enable();
      }
    },
  };
  return { run: loops[workload], ...probes(interp) };
}

/** The handle level: what a JavaScript user writes with the Python API. */
function handle(workload: Workload): Bound {
  const py = new Python({ profile: 'cpython311' });
  holdStartupBlocks(py.interp);
  const ha = py.int(A);
  const hb = py.int(B);
  const P = py.interp.instance.defineClass({ name: 'P' });
  const S = py.interp.instance.defineClass({ name: 'S', slots: ['a', 'b'] });
  const loops: Record<Workload, (n: number) => void> = {
    int(n) {
      for (let i = 0; i < n; i++) {
        using _x = py.int(A + 1);
      }
    },
    float(n) {
      for (let i = 0; i < n; i++) {
        using _x = py.float(F + 1.0);
      }
    },
    tuple(n) {
      for (let i = 0; i < n; i++) {
        using _x = py.tuple([ha, hb]);
      }
    },
    list(n) {
      for (let i = 0; i < n; i++) {
        using _x = py.list([ha]);
      }
    },
    dict(n) {
      for (let i = 0; i < n; i++) {
        using _x = py.dict({ key: ha });
      }
    },
    // Python has no class API yet: the instance comes from the C-API level, owned by a handle.
    instance(n) {
      for (let i = 0; i < n; i++) {
        using _x = py.own(py.interp.instance.new(P));
      }
    },
    slots(n) {
      for (let i = 0; i < n; i++) {
        using _x = py.own(py.interp.instance.new(S));
      }
    },
    listOfLists(n) {
      const inner = new Array<PyHandle>(n);
      for (let i = 0; i < n; i++) inner[i] = py.list([ha]);
      using _xs = py.list(inner);
      for (let i = 0; i < n; i++) inner[i]!.release();
    },
  };
  return { run: loops[workload], ...probes(py.interp) };
}

function main(level: string, workload: string, n: number, rounds: number, warmup: number): ObjectsReport {
  if (level !== 'capi' && level !== 'handle') throw new Error(`objectsChild: level must be capi or handle, got ${JSON.stringify(level)}`);
  const known: readonly string[] = level === 'capi' ? [...WORKLOADS, 'listOfListsNoGc'] : WORKLOADS;
  if (!known.includes(workload)) {
    throw new Error(`objectsChild: unknown ${level} workload ${JSON.stringify(workload)}; expected one of ${known.join(', ')}`);
  }
  if (!(n > 0 && rounds > 0 && warmup >= 0)) throw new Error(`objectsChild: bad n/rounds/warmup ${n}/${rounds}/${warmup}`);
  const w = level === 'capi' ? capi(workload as Workload | 'listOfListsNoGc') : handle(workload as Workload);
  const rssStart = native.memoryStats().rss;
  const peakReset = native.resetPeakRss();
  const samples: number[] = [];
  let held = -1;
  let before: number[] = [];
  for (let r = 0; r < warmup + rounds; r++) {
    const ops = r < warmup ? warmupOps(n) : n;
    if (r === warmup) before = w.collections();
    const t0 = nowNs();
    w.run(ops);
    const ns = nowNs() - t0;
    if (r >= warmup) samples.push(ns / ops);
    const now = w.heldBytes();
    if (held === -1) held = now;
    else if (now !== held) throw new Error(`objectsChild ${level} ${workload}: the heap holds ${now} bytes after round ${r + 1}, ${held} after round 1 (a leak)`);
  }
  const peakRss = native.memoryStats().peakRss;
  const collections = w.collections().map((c, g) => (c - before[g]!) / rounds);
  return { level, workload, n, warmup, samples, rssStart, peakRss, peakReset, collections };
}

const [level, workload, n, rounds, warmup] = process.argv.slice(2);
process.stdout.write(`${JSON.stringify(main(level ?? '', workload ?? '', Number(n ?? 1_000_000), Number(rounds ?? 3), Number(warmup ?? 1)))}\n`);
