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
 * Invariants: tracedMemory == the sum of the sizes of `traces`;
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

/** Where the tracer gets the current stack: at most `limit` frames, most recent first, and how many there were. */
export type FrameSource = (limit: number) => { frames: Frame[]; total: number };

/** tracemalloc used while not tracing (RuntimeError in CPython). */
export class TracemallocError extends PymemError {}

const libRoot = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

/** The JavaScript stack, frames inside pymem's lib/ left out. */
export const javascriptFrames: FrameSource = (limit) => {
  const savedPrepare = Error.prepareStackTrace;
  const savedLimit = Error.stackTraceLimit;
  const holder: { stack?: NodeJS.CallSite[] } = {};
  try {
    Error.stackTraceLimit = limit + 64;
    Error.prepareStackTrace = (_e, sites) => sites;
    Error.captureStackTrace(holder, javascriptFrames);
    const sites = holder.stack ?? [];
    const frames: Frame[] = [];
    let total = 0;
    for (const site of sites) {
      let file = site.getFileName() ?? '<unknown>';
      if (file.startsWith('file://')) file = fileURLToPath(file);
      if (file.startsWith(libRoot) || file.startsWith('node:')) continue;
      total++;
      if (frames.length < limit) frames.push(new Frame(file, site.getLineNumber() ?? 0));
    }
    if (frames.length === 0) frames.push(new Frame('<unknown>', 0));
    return { frames, total: Math.max(total, 1) };
  } finally {
    Error.prepareStackTrace = savedPrepare;
    Error.stackTraceLimit = savedLimit;
  }
};

interface TraceRecord {
  size: number;
  traceback: Traceback;
}

/** The tracemalloc module over one heap. */
export class Tracemalloc {
  private tracing = false;
  private nframe = 1;
  private readonly traces = new Map<number, TraceRecord>();
  private tracedMemory = 0;
  private peakTracedMemory = 0;
  private saved: MemAllocator[] = [];
  private reentrant = false;
  // Tracebacks are interned as _tracemalloc's tracebacks table does.
  private readonly tracebacks = new Map<string, Traceback>();

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
    this.traces.clear();
    this.tracebacks.clear();
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
    let frames = 0;
    for (const tb of this.tracebacks.values()) frames += tb.length;
    return 4 * (88 + 16 * 8) + 48 * this.traces.size + 32 * this.tracebacks.size + 16 * frames;
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
    for (const t of this.traces.values()) traces.push(new Trace(DEFAULT_DOMAIN, t.size, t.traceback));
    return new Snapshot(traces, this.nframe);
  }

  /** traceback_get_frames + traceback_new, interned. */
  private traceback(): Traceback {
    const { frames, total } = this.frameSource(this.nframe);
    const tb = new Traceback(frames, total > frames.length ? total : null);
    const key = `${tb.key()}\u0002${tb.totalNframe}`;
    const known = this.tracebacks.get(key);
    if (known !== undefined) return known;
    this.tracebacks.set(key, tb);
    return tb;
  }

  /** tracemalloc_add_trace (an existing trace at ptr is replaced). */
  private addTrace(ptr: number, size: number): void {
    const old = this.traces.get(ptr);
    if (old !== undefined) this.tracedMemory -= old.size;
    this.traces.set(ptr, { size, traceback: this.traceback() });
    this.tracedMemory += size;
    if (this.tracedMemory > this.peakTracedMemory) this.peakTracedMemory = this.tracedMemory;
  }

  /** tracemalloc_remove_trace. */
  private removeTrace(ptr: number): void {
    const old = this.traces.get(ptr);
    if (old === undefined) return;
    this.traces.delete(ptr);
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
