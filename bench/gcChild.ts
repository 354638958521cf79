/*
 * Child of gc.ts: `node dist/bench/gcChild.js <case> <n> <rounds> [warmup]`
 * runs one case of the cyclic-collector benchmark at pymem's C-API level in a
 * fresh process and prints one JSON line (gc.ts's GcReport), as
 * bench/gcPython.py does for CPython with the same Python:
 *
 *   live   a list of n lists of one int (`[[a] for _ in repeat(None, n)]`),
 *          built under gc.disable(); one untimed collect() moves it to the
 *          oldest generation, then each round times a full collect() over it
 *          that frees nothing
 *   rings  each round builds n / 10 rings of 10 lists (each list holds the
 *          next, the last the first) under gc.disable(), drops them, and
 *          times the collect() that frees all n
 *   churn  gc enabled: each round makes n / 2 two-list cycles
 *          (`a = []; b = [a]; a.append(b)`) and drops each at once, so the
 *          allocations set the collections off; the round's time is the
 *          whole loop's, and a gc.callbacks entry times each collection
 *
 * A warm-up round of n / 10 (none for live) runs first, untimed, for V8's
 * JIT. The caller of each timed function reads the clock (see RESULTS.md,
 * "V8 effects"). Each round checks its work: live finds 0, rings finds n,
 * and after every round the heap holds the bytes it held after the first.
 *
 * Run it under `node --cpu-prof` to see where a case's time goes (gc.ts does
 * so for rings).
 */
import { type GcModule, Interpreter, installGc } from '../lib/index.js';
import { getNative } from '../lib/native.js';

const native = getNative();
import { GC_CASES, type GcCase, type GcReport } from './gc.js';
import { RING, buildLive, buildRings, churn } from './gcWorkloads.js';
import { holdStartupBlocks } from './startupHeap.js';
import { nowNs } from './timing.js';


/** Bytes the heap holds in blocks (pymalloc and raw), for the leak check. */
function heldBytes(interp: Interpreter): number {
  const s = interp.rt.heap.debugMallocStats();
  return s.bytesInAllocatedBlocks + s.rawAllocatedBlocks;
}




/** gc.collect(), in a function of its own so the clock is read outside it. */
function collect(gc: GcModule): number {
  return gc.collect();
}

/** A gc.callbacks entry: nanoseconds and count of each generation's collections. */
class CollectionClock {
  ns = [0, 0, 0];
  count = [0, 0, 0];
  private t0 = 0;
  readonly callback = (phase: 'start' | 'stop', info: { generation: number }): void => {
    if (phase === 'start') {
      this.t0 = nowNs();
    } else {
      this.ns[info.generation]! += nowNs() - this.t0;
      this.count[info.generation]!++;
    }
  };
  reset(): void {
    this.ns = [0, 0, 0];
    this.count = [0, 0, 0];
  }
}

function main(c: string, n: number, rounds: number, warmup: number): GcReport {
  if (!(GC_CASES as readonly string[]).includes(c)) throw new Error(`gcChild: unknown case ${JSON.stringify(c)}; expected one of ${GC_CASES.join(', ')}`);
  if (!(n >= RING && rounds > 0 && warmup >= 0)) throw new Error(`gcChild: bad n/rounds/warmup ${n}/${rounds}/${warmup}`);
  const gcCase = c as GcCase;
  const interp = new Interpreter({ profile: 'cpython311' });
  const gc = installGc(interp);
  holdStartupBlocks(interp);
  collect(gc);
  const tracked = gc.getObjects().length;
  const rssStart = native.memoryStats().rss;
  const peakReset = native.resetPeakRss();
  const samples: number[] = [];
  const found: number[] = [];
  const collectionNs: number[][] = [];
  const collections: number[][] = [];
  let held = -1;
  const checkHeld = (r: number): void => {
    const now = heldBytes(interp);
    if (held === -1) held = now;
    else if (now !== held) throw new Error(`gcChild ${gcCase}: the heap holds ${now} bytes after round ${r + 1}, ${held} after round 1 (a leak)`);
  };

  if (gcCase === 'live') {
    gc.disable();
    const xs = buildLive(interp, n);
    collect(gc);
    for (let r = 0; r < rounds; r++) {
      const t0 = nowNs();
      const m = collect(gc);
      samples.push(nowNs() - t0);
      found.push(m);
      if (m !== 0) throw new Error(`gcChild live: collect() found ${m} unreachable objects in a heap with none`);
    }
    interp.rt.decref(xs);
  } else if (gcCase === 'rings') {
    gc.disable();
    collect(gc);
    for (let r = 0; r < warmup + rounds; r++) {
      const size = r < warmup ? Math.max(RING, Math.floor(n / 10)) : n;
      const k = Math.floor(size / RING);
      buildRings(interp, k);
      const t0 = nowNs();
      const m = collect(gc);
      const ns = nowNs() - t0;
      if (m !== k * RING) throw new Error(`gcChild rings: collect() found ${m} unreachable objects, expected ${k * RING}`);
      if (r >= warmup) {
        samples.push(ns);
        found.push(m);
      }
      checkHeld(r);
    }
  } else {
    gc.enable();
    collect(gc);
    const clock = new CollectionClock();
    gc.callbacks.push(clock.callback);
    for (let r = 0; r < warmup + rounds; r++) {
      const k = Math.floor((r < warmup ? Math.max(2, Math.floor(n / 10)) : n) / 2);
      clock.reset();
      const t0 = nowNs();
      churn(interp, k);
      const ns = nowNs() - t0;
      if (r >= warmup) {
        samples.push(ns);
        collectionNs.push([...clock.ns]);
        collections.push([...clock.count]);
      }
      collect(gc);
      checkHeld(r);
    }
    gc.callbacks.splice(gc.callbacks.indexOf(clock.callback), 1);
  }
  const peakRss = native.memoryStats().peakRss;
  return { level: 'capi', case: gcCase, n, warmup, samples, found, collectionNs, collections, tracked, rssStart, peakRss, peakReset };
}

const [c, n, rounds, warmup] = process.argv.slice(2);
process.stdout.write(`${JSON.stringify(main(c ?? '', Number(n ?? 1_000_000), Number(rounds ?? 3), Number(warmup ?? 1)))}\n`);
