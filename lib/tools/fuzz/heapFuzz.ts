/*
 * The Heap fuzzer: seeded random programs against the checked allocator API,
 * valid and invalid calls mixed, checked against a model after every call.
 *
 *   valid     malloc / calloc / realloc / free / write / read in every domain,
 *             sizes from 0 to 64 KiB (some of 1 MiB); the model is the map of
 *             live pointers to (domain, size, fill byte)
 *   invalid   every kind of bad argument a user can pass: sizes that are
 *             negative, fractional, NaN, infinite, unsafe, above MAX_REQUEST or
 *             no number at all; bad domains; pointers that are freed, interior,
 *             another heap's, foreign, NaN, fractional, no number; ranges that
 *             leave the block; any call after dispose
 *
 * Each invalid call must throw a PymemError (never another error, never
 * nothing) with a message that names what was passed, and change nothing: the
 * stats and the bytes of every live block are the same before and after. After
 * every batch, every live block holds its fill and pymalloc's invariants hold.
 * The first disagreement stops the run and is reported with its seed and
 * operation number, which reproduce it.
 */
import { Domain } from '../../allocator/domains.js';
import { Heap, MAX_REQUEST, type MemorySource } from '../../allocator/heap.js';
import { pymallocViolations } from '../../allocator/validate.js';
import { PymemError } from '../../errors.js';
import { type FuzzReport, checkRefusal, fail, newReport, recordFailure, show } from './fuzzReport.js';
import { Random } from './random.js';

/** Options of one fuzz run. */
export interface HeapFuzzOptions {
  seed: number;
  /** How many calls to make. */
  ops: number;
  profile?: string;
  memory?: MemorySource;
  /** Run over the debug allocator (Heap({ debug: true })). */
  debug?: boolean;
  /** Share of invalid calls (default 0.25). */
  invalidShare?: number;
  /** Calls between full checks of every live block and the invariants (default 1000). */
  batch?: number;
  /** Called after every batch with the calls made so far. */
  onProgress?: (done: number, total: number) => void;
}

interface Live {
  domain: Domain;
  size: number;
  fill: number;
}

const DOMAINS = [Domain.RAW, Domain.MEM, Domain.OBJ];
const NOT_NUMBERS: unknown[] = ['8', null, undefined, {}, [], 10n, Symbol('size'), true, () => 8];
const BAD_NUMBERS = [-1, -0.5, 1.5, NaN, Infinity, -Infinity, 2 ** 53, MAX_REQUEST + 1, 2 ** 60];

/** Runs one seeded program against a fresh Heap; see the module comment. */
export function fuzzHeap(options: HeapFuzzOptions): FuzzReport {
  const rnd = new Random(options.seed);
  const memory = options.memory ?? 'native';
  const heap = new Heap({ profile: options.profile ?? 'cpython311', memory, debug: options.debug ?? false });
  const other = new Heap({ profile: options.profile ?? 'cpython311', memory, debug: options.debug ?? false });
  const invalidShare = options.invalidShare ?? 0.25;
  const batch = options.batch ?? 1000;
  const live = new Map<number, Live>();
  const freed: number[] = [];
  const otherLive: number[] = [];
  const report = newReport(options.seed);
  let fillNext = 0;
  let call = '';

  const livePointers = (): number[] => [...live.keys()];
  // A stale pointer whose memory a live block now covers (headers included:
  // under the debug hooks a block starts 32 bytes before its pointer) is
  // memory in use, not a bad pointer.
  const covered = (p: unknown): boolean => {
    if (typeof p !== 'number') return false;
    for (const [q, b] of live) if (p >= q - 32 && p < q + Math.max(b.size, 16)) return true;
    return false;
  };
  const anyLive = (): number | undefined => {
    if (live.size === 0) return undefined;
    const all = livePointers();
    return all[rnd.below(all.length)];
  };
  const size = (): number => {
    const r = rnd.next();
    if (r < 0.6) return rnd.between(1, 512);
    if (r < 0.9) return rnd.between(513, 65536);
    if (r < 0.97) return 0;
    return 1 << 20;
  };
  const fillBlock = (p: number, b: Live): void => {
    heap.bytes(p).fill(b.fill, 0, b.size);
  };
  const checkBlock = (p: number, b: Live): void => {
    const bytes = heap.bytes(p);
    if (bytes.length < b.size) fail(`block ${p} has ${bytes.length} bytes, ${b.size} were asked for`);
    for (let i = 0; i < b.size; i++) if (bytes[i] !== b.fill) fail(`byte ${i} of block ${p} is ${bytes[i]}, not its fill ${b.fill}`);
  };
  const checkAll = (): void => {
    for (const [p, b] of live) checkBlock(p, b);
    const v = pymallocViolations(heap.pymalloc);
    if (v.length > 0) fail(`pymalloc invariants: ${v.slice(0, 3).join('; ')}`);
  };
  const newFill = (): number => (fillNext = (fillNext % 255) + 1);

  // --- valid calls ---------------------------------------------------------------
  const valid = (): void => {
    const r = rnd.next();
    const p = anyLive();
    if (r < 0.35 || p === undefined) {
      const domain = rnd.pick(DOMAINS);
      const n = size();
      const useCalloc = rnd.chance(0.2);
      call = useCalloc ? `calloc(1, ${n}, ${Domain[domain]})` : `malloc(${n}, ${Domain[domain]})`;
      const q = useCalloc ? heap.calloc(1, n, domain) : heap.malloc(n, domain);
      if (live.has(q)) fail(`${call} returned live block ${q}`);
      if (useCalloc && heap.bytes(q).subarray(0, n).some((x) => x !== 0)) fail(`${call} is not zeroed`);
      const b = { domain, size: n, fill: newFill() };
      live.set(q, b);
      fillBlock(q, b);
      report.peakLive = Math.max(report.peakLive, live.size);
    } else if (r < 0.55) {
      const b = live.get(p)!;
      const n = size();
      call = `realloc(${p}, ${n}, ${Domain[b.domain]})`;
      const q = heap.realloc(p, n, b.domain);
      live.delete(p);
      if (q !== p) freed.push(p);
      const kept = { domain: b.domain, size: Math.min(b.size, n), fill: b.fill };
      checkBlock(q, kept);
      const nb = { domain: b.domain, size: n, fill: newFill() };
      live.set(q, nb);
      fillBlock(q, nb);
    } else if (r < 0.9) {
      const b = live.get(p)!;
      call = `free(${p}, ${Domain[b.domain]})`;
      checkBlock(p, b);
      heap.free(p, b.domain);
      live.delete(p);
      freed.push(p);
      if (freed.length > 64) freed.splice(0, freed.length - 64);
    } else {
      const b = live.get(p)!;
      if (b.size === 0) return;
      const off = rnd.below(b.size);
      const len = rnd.between(0, b.size - off);
      call = `write(${p}, ${off}, ${len} bytes)`;
      heap.write(p, off, new Uint8Array(len).fill(b.fill));
      const got = heap.read(p, off, len);
      if (got.some((x) => x !== b.fill)) fail(`read after write differs`);
    }
  };

  // --- invalid calls: each must throw a PymemError and change nothing ------------------
  const badPointer = (): unknown => {
    const p = anyLive();
    const choices: (() => unknown)[] = [
      () => rnd.pick(NOT_NUMBERS),
      () => rnd.pick(BAD_NUMBERS),
      // Interior: inside a live block, past its start.
      () => (p === undefined ? NaN : p + Math.max(1, Math.min(rnd.pick([1, 8, 16, 24]), live.get(p)!.size - 1))),
      () => (p === undefined ? NaN : p + 0.5),
      () => (freed.length > 0 ? freed[rnd.below(freed.length)]! : -3),
      () => (otherLive.length > 0 ? otherLive[rnd.below(otherLive.length)]! : 2 ** 40),
      () => rnd.between(1, 2 ** 31 - 1),
      () => 2 ** 48 + rnd.between(1, 2 ** 40) * 16,
    ];
    return rnd.pick(choices)();
  };
  const invalidCalls: (() => void)[] = [
    () => {
      const s = rnd.chance(0.5) ? rnd.pick(NOT_NUMBERS) : rnd.pick(BAD_NUMBERS);
      call = `malloc(${show(s)})`;
      heap.malloc(s as number);
    },
    () => {
      const d = rnd.pick<unknown>([3, -1, 'OBJ', NaN, 1.5, null]);
      call = `malloc(8, ${show(d)})`;
      heap.malloc(8, d as Domain);
    },
    () => {
      const n = rnd.pick<unknown>([...BAD_NUMBERS, ...NOT_NUMBERS]);
      call = `calloc(${show(n)}, 8)`;
      heap.calloc(n as number, 8);
    },
    () => {
      call = `calloc(2**30, 2**30)`;
      heap.calloc(2 ** 30, 2 ** 30);
    },
    () => {
      const p = badPointer();
      if (covered(p)) return;
      call = `free(${show(p)})`;
      heap.free(p as number);
    },
    () => {
      const p = badPointer();
      if (covered(p)) return;
      call = `realloc(${show(p)}, 16)`;
      heap.realloc(p as number, 16);
    },
    () => {
      const p = anyLive();
      if (p === undefined) return;
      const s = rnd.pick<unknown>([...BAD_NUMBERS, ...NOT_NUMBERS]);
      call = `realloc(${p}, ${show(s)})`;
      heap.realloc(p, s as number, live.get(p)!.domain);
    },
    () => {
      const p = badPointer();
      if (covered(p)) return;
      call = `bytes(${show(p)})`;
      heap.bytes(p as number);
    },
    () => {
      const p = anyLive();
      if (p === undefined) return;
      const n = heap.usableSize(p);
      const [off, len] = rnd.pick([[n + 1, 0], [0, n + 1], [-1, 1], [0.5, 1], [n, 1], [NaN, 0]]) as [number, number];
      call = `read(${p}, ${off}, ${len})`;
      heap.read(p, off, len);
    },
  ];
  const invalid = (): void => {
    const before = heap.formatDebugMallocStats();
    const f = rnd.pick(invalidCalls);
    let threw: unknown = null;
    try {
      f();
    } catch (e) {
      threw = e;
    }
    if (call === '') return;
    checkRefusal(report, threw);
    if (heap.formatDebugMallocStats() !== before) fail(`the stats changed`);
  };

  try {
    for (let i = 0; i < 64; i++) {
      const q = other.malloc(size());
      otherLive.push(q);
    }
    for (let i = 0; i < options.ops; i++) {
      report.ops = i + 1;
      call = '';
      if (rnd.chance(invalidShare)) invalid();
      else valid();
      if ((i + 1) % batch === 0) {
        call = 'batch check';
        checkAll();
        options.onProgress?.(i + 1, options.ops);
      }
    }
    call = 'final check';
    checkAll();
    for (const [p, b] of live) heap.free(p, b.domain);
    live.clear();
    if (heap.debugMallocStats().classes.some((c) => c.blocksInUse > 0)) fail('blocks still in use after freeing every live block');
    heap.dispose();
    call = 'malloc after dispose';
    let afterDispose: unknown = null;
    try {
      heap.malloc(8);
    } catch (e) {
      afterDispose = e;
    }
    if (!(afterDispose instanceof PymemError)) fail('a disposed heap accepted malloc');
  } catch (e) {
    recordFailure(report, call, e);
  } finally {
    heap.dispose();
    other.dispose();
  }
  return report;
}
