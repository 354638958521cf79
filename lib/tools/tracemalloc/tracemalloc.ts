/*
 * tracemalloc for a Heap (Modules/_tracemalloc.c of CPython 3.11, with the
 * module functions of Lib/tracemalloc.py): hooks on the RAW, MEM and OBJ
 * domains that record, for every live block, its requested size and the
 * traceback of the call that allocated it.
 *
 * As _tracemalloc does: start() saves each domain's allocator and installs a
 * hook over it (PyMem_SetAllocator), stop() puts the saved ones back and
 * forgets the traces; every domain traces into DEFAULT_DOMAIN (0); a call
 * made while a traced call is under way (pymalloc's fall-back to the raw
 * allocator under a MEM/OBJ call) is not traced again (the reentrant flag);
 * realloc moves or resizes a trace; traced memory counts the requested bytes
 * of the live traces and its peak.
 *
 * Frames come from a FrameSource: by default the JavaScript stack (V8's call
 * sites), pymem's own frames skipped, so a JavaScript user sees the lines of
 * their program; a Python evaluation loop gives its own frames instead.
 *
 * Invariants: tracedMemory == the sum of the sizes of the live entries of
 * `traces`, nTraces their number;
 * peak >= tracedMemory; while tracing, each domain's allocator is this
 * tracer's hook over the one that was there at start().
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Domain, type MemAllocator } from '../../allocator/domains.js';
import type { Heap } from '../../allocator/heap.js';
import { InvalidArgumentError, PymemError, describe } from '../../errors.js';
import { Frame, Snapshot, Trace, Traceback } from './snapshot.js';

/** DEFAULT_DOMAIN: the domain every Python allocator traces into. */
export const DEFAULT_DOMAIN = 0;
/** MAX_NFRAME: the most frames a traceback may keep. */
export const MAX_NFRAME = 65535;

/**
 * Where the tracer gets the current stack: it calls `frame` for at most
 * `limit` frames, most recent first, and returns how many frames the stack
 * had (at least 1: with none, it gives the ("<unknown>", 0) frame).
 */
export type FrameSource = (limit: number, frame: (filename: string, lineno: number) => void) => number;

/** tracemalloc used while not tracing (RuntimeError in CPython). */
export class TracemallocError extends PymemError {}

const libRoot = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

/** The JavaScript stack, frames inside pymem's lib/ left out. */
export const javascriptFrames: FrameSource = (limit, frame) => {
  const savedPrepare = Error.prepareStackTrace;
  const savedLimit = Error.stackTraceLimit;
  const holder: { stack?: NodeJS.CallSite[] } = {};
  try {
    Error.stackTraceLimit = limit + 64;
    Error.prepareStackTrace = (_e, sites) => sites;
    Error.captureStackTrace(holder, javascriptFrames);
    let total = 0;
    for (const site of holder.stack ?? []) {
      let file = site.getFileName() ?? '<unknown>';
      if (file.startsWith('file://')) file = fileURLToPath(file);
      if (file.startsWith(libRoot) || file.startsWith('node:')) continue;
      if (total++ < limit) frame(file, site.getLineNumber() ?? 0);
    }
    if (total === 0) frame('<unknown>', 0);
    return Math.max(total, 1);
  } finally {
    Error.prepareStackTrace = savedPrepare;
    Error.stackTraceLimit = savedLimit;
  }
};

/**
 * A node of the tracebacks table: the tracebacks whose most recent frames
 * are the path to it, by their total_nframe. Tracebacks are interned through
 * it by frame identity, so taking one per allocation makes no string.
 */
class TracebackNode {
  readonly children = new Map<Frame, TracebackNode>();
  readonly byTotal = new Map<number, Traceback>();
}

interface TraceRecord {
  size: number;
  traceback: Traceback;
}

/** The tracemalloc module over one heap. */
export class Tracemalloc {
  private tracing = false;
  private nframe = 1;
  // The live traces by pointer. A freed block's entry is set to undefined, not deleted: V8's Map rehashes
  // (shrinks) on deletes, and under malloc/free churn that made each operation O(size) — 2.4 s against
  // 58 ms for 300k operations of a recorded run. A block's address is reused, so the map stays bounded.
  private traces = new Map<number, TraceRecord | undefined>();
  private nTraces = 0;
  private tracedMemory = 0;
  private peakTracedMemory = 0;
  private saved: MemAllocator[] = [];
  private reentrant = false;
  // Frames and tracebacks are interned, as _tracemalloc's filenames and tracebacks tables do.
  private frames = new Map<string, Map<number, Frame>>();
  private tracebacks = new TracebackNode();
  private nTracebacks = 0;
  private nFrames = 0;
  // The traceback being taken: the node reached and its frames so far (most recent first).
  private node = this.tracebacks;
  private readonly taken: Frame[] = [];
  private readonly visitFrame = (filename: string, lineno: number): void => {
    let lines = this.frames.get(filename);
    if (lines === undefined) this.frames.set(filename, (lines = new Map()));
    let f = lines.get(lineno);
    if (f === undefined) lines.set(lineno, (f = new Frame(filename, lineno)));
    let next = this.node.children.get(f);
    if (next === undefined) this.node.children.set(f, (next = new TracebackNode()));
    this.node = next;
    this.taken.push(f);
  };

  constructor(
    private readonly heap: Heap,
    private readonly frameSource: FrameSource = javascriptFrames,
  ) {}

  /** tracemalloc.start(nframe=1): trace from now on, keeping up to nframe frames per traceback. */
  start(nframe = 1): void {
    if (!Number.isInteger(nframe) || nframe < 1 || nframe > MAX_NFRAME) {
      throw new InvalidArgumentError(`the number of frames must be in range [1; ${MAX_NFRAME}], got ${describe(nframe)}`);
    }
    // tracemalloc_start: a second start() while tracing changes nothing, the frame limit included.
    if (this.tracing) return;
    this.nframe = nframe;
    this.saved = [Domain.RAW, Domain.MEM, Domain.OBJ].map((d) => this.heap.getAllocator(d));
    for (const d of [Domain.RAW, Domain.MEM, Domain.OBJ]) this.heap.setAllocator(d, this.hook(this.saved[d]!));
    this.tracing = true;
  }

  /** tracemalloc.stop(): the saved allocators back, every trace forgotten. */
  stop(): void {
    if (!this.tracing) return;
    this.tracing = false;
    for (const d of [Domain.RAW, Domain.MEM, Domain.OBJ]) this.heap.setAllocator(d, this.saved[d]!);
    this.clearTraces();
  }

  /** tracemalloc.is_tracing(). */
  isTracing(): boolean {
    return this.tracing;
  }

  /** tracemalloc.clear_traces(): forget the traces (and the peak) but keep tracing. */
  clearTraces(): void {
    this.traces = new Map();
    this.nTraces = 0;
    this.frames = new Map();
    this.tracebacks = new TracebackNode();
    this.nTracebacks = 0;
    this.nFrames = 0;
    this.tracedMemory = 0;
    this.peakTracedMemory = 0;
  }

  /** tracemalloc.get_traced_memory(): [current, peak] bytes of traced blocks. */
  getTracedMemory(): [number, number] {
    return this.tracing ? [this.tracedMemory, this.peakTracedMemory] : [0, 0];
  }

  /** tracemalloc.reset_peak(): the peak set to the current traced memory. */
  resetPeak(): void {
    if (this.tracing) this.peakTracedMemory = this.tracedMemory;
  }

  /** tracemalloc.get_traceback_limit(). */
  getTracebackLimit(): number {
    return this.nframe;
  }

  /**
   * tracemalloc.get_tracemalloc_memory(): memory the tracer itself uses. An
   * estimate here (its tables live in V8's heap, not in this heap), counted
   * as _PyTraceMalloc_GetTracemallocMemory counts _Py_hashtable_size: for
   * each of its four tables (traces, tracebacks, filenames, domains) the
   * table (88 bytes) and its 16 first buckets; 48 bytes a trace, 32 a
   * traceback and 16 a frame.
   */
  getTracemallocMemory(): number {
    return 4 * (88 + 16 * 8) + 48 * this.nTraces + 32 * this.nTracebacks + 16 * this.nFrames;
  }

  /** tracemalloc.get_object_traceback / _get_object_traceback: the traceback of the live block at ptr, if traced. */
  getTraceback(ptr: number): Traceback | null {
    return this.traces.get(ptr)?.traceback ?? null;
  }

  /**
   * _PyTraceMalloc_NewReference: the live block at ptr, when traced, takes the
   * current traceback (an object made again from a free list is traced where
   * it was remade, not where its block was first allocated).
   */
  newReference(ptr: number): void {
    if (!this.tracing) return;
    const t = this.traces.get(ptr);
    if (t !== undefined) t.traceback = this.traceback();
  }

  /** tracemalloc.take_snapshot(). */
  takeSnapshot(): Snapshot {
    if (!this.tracing) throw new TracemallocError('the tracemalloc module must be tracing memory allocations to take a snapshot');
    const traces: Trace[] = [];
    for (const t of this.traces.values()) if (t !== undefined) traces.push(new Trace(DEFAULT_DOMAIN, t.size, t.traceback));
    return new Snapshot(traces, this.nframe);
  }

  /** traceback_get_frames + traceback_new, interned (the same frames and total give the same Traceback). */
  private traceback(): Traceback {
    this.node = this.tracebacks;
    this.taken.length = 0;
    const total = this.frameSource(this.nframe, this.visitFrame);
    const known = this.node.byTotal.get(total);
    if (known !== undefined) return known;
    const tb = new Traceback(this.taken, total > this.taken.length ? total : null);
    this.node.byTotal.set(total, tb);
    this.nTracebacks++;
    this.nFrames += this.taken.length;
    return tb;
  }

  /** tracemalloc_add_trace (an existing trace at ptr is replaced). */
  private addTrace(ptr: number, size: number): void {
    const old = this.traces.get(ptr);
    if (old !== undefined) this.tracedMemory -= old.size;
    else this.nTraces++;
    this.traces.set(ptr, { size, traceback: this.traceback() });
    this.tracedMemory += size;
    if (this.tracedMemory > this.peakTracedMemory) this.peakTracedMemory = this.tracedMemory;
  }

  /** tracemalloc_remove_trace. */
  private removeTrace(ptr: number): void {
    const old = this.traces.get(ptr);
    if (old === undefined) return;
    this.traces.set(ptr, undefined);
    this.nTraces--;
    this.tracedMemory -= old.size;
  }

  /** tracemalloc_alloc / _realloc / _free over `inner`, with the reentrant flag. */
  private hook(inner: MemAllocator): MemAllocator {
    const traced = <T>(f: () => T): T => {
      this.reentrant = true;
      try {
        return f();
      } finally {
        this.reentrant = false;
      }
    };
    return {
      malloc: (size) => {
        if (this.reentrant) return inner.malloc(size);
        const p = traced(() => inner.malloc(size));
        if (p !== 0) this.addTrace(p, size);
        return p;
      },
      calloc: (nelem, elsize) => {
        if (this.reentrant) return inner.calloc(nelem, elsize);
        const p = traced(() => inner.calloc(nelem, elsize));
        if (p !== 0) this.addTrace(p, nelem * elsize);
        return p;
      },
      realloc: (ptr, size) => {
        if (this.reentrant) return inner.realloc(ptr, size);
        const p = traced(() => inner.realloc(ptr, size));
        if (p !== 0) {
          if (ptr !== 0 && p !== ptr) this.removeTrace(ptr);
          this.addTrace(p, size);
        }
        return p;
      },
      free: (ptr) => {
        if (this.reentrant) return inner.free(ptr);
        traced(() => inner.free(ptr));
        this.removeTrace(ptr);
      },
    };
  }
}
