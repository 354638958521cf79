/**
 * binaryTrace — a pymtrace trace parsed once into fixed-size binary records,
 * so that a replayer times allocation, not text parsing (tools layer).
 *
 * Only the allocator calls matter to a replayer: `m`, `c`, `r` and `f` become
 * records; `A`/`U` lines are counted in the header and dropped.  Block ids are
 * remapped densely (a LIFO free list of slots, like the recorder's own ids),
 * so a replayer's pointer table has exactly `idSlots` entries: the most blocks
 * ever live at once.
 *
 * File layout (little-endian; 8-aligned so a Float64Array can view it)
 * -------------------------------------------------------------------
 *
 *     0         HEADER_BYTES                                   + records * RECORD_BYTES
 *     ├─ header ─┼─ record 0 ─┼─ record 1 ─┼─ … ─┼─ record n-1 ─┤
 *
 *   header (HEADER_BYTES = 160)
 *     0   u8[8] magic "PYMBTR01"
 *     8   u32   header bytes (160)             12  u32  record bytes (24)
 *     16  f64   records                         24  u32  idSlots   28 u32 0
 *     32  f64   mallocs    40 f64 callocs   48 f64 reallocs   56 f64 frees (with free(NULL))
 *     64  f64   arena maps (A lines)           72  f64  arena unmaps (U lines)
 *     80  f64   peak live bytes (sum of live request sizes at its highest)
 *     88  f64   record index just after which that peak was reached
 *     96  f64   live blocks at the end         104 f64  live bytes at the end
 *     112 f64   events of the source trace (all non-comment lines)
 *     120 f64   failed allocations skipped (m -, c -, r X -: nothing to replay)
 *     128 f64   milliseconds it took to parse the source
 *     136 f64   peak live blocks                144..159  0
 *
 *   record (RECORD_BYTES = 24)
 *     0   u8    OpKind                          1..3  0
 *     4   u32   malloc/calloc: the new block's slot; realloc: the old slot or NO_ID
 *               (realloc(NULL)); free: the slot or NO_ID (free(NULL))
 *     8   u32   realloc: the new slot (== the old one iff CPython kept the
 *               block in place); calloc: nelem; else 0
 *     12  u32   calloc: elsize; else 0
 *     16  f64   malloc/realloc: size; calloc: nelem * elsize; free: 0
 *
 * Invariants: a record names only slots live at that point (checked while
 * building); slots are < idSlots; a moving realloc's new slot is taken before
 * the old one is released, so the two differ.  The native replayer
 * (native/replayer.cc) reads the same layout.
 *
 * Cache: `binaryTraceFor` keeps the binary form under
 * `node_modules/.cache/pymem/`, keyed by the trace's absolute path, size and
 * mtime (the shared traces are read-only, so it cannot sit beside them).
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { EventKind, type TraceBatch, TraceFormatError, readTrace } from './traceReader.js';
import { InvalidArgumentError, PymemError } from '../errors.js';
import { packageRoot } from '../packageRoot.js';

/** Kind of a binary record (values are stored in the file). */
export const enum OpKind {
  Malloc = 0,
  Calloc = 1,
  Realloc = 2,
  Free = 3,
}

export const BINARY_MAGIC = 'PYMBTR01';
export const HEADER_BYTES = 160;
export const RECORD_BYTES = 24;
/** The slot field of realloc(NULL) and free(NULL). */
export const NO_ID = 0xffffffff;

/** Everything the header says, as numbers. */
export interface BinaryTraceHeader {
  records: number;
  /** Size of a replayer's pointer table: the most blocks live at once. */
  idSlots: number;
  mallocs: number;
  callocs: number;
  reallocs: number;
  /** Including free(NULL). */
  frees: number;
  arenaMaps: number;
  arenaUnmaps: number;
  /** Highest sum of live request sizes (what the program asked for, at its peak). */
  peakLiveBytes: number;
  /** Records replayed when that peak was reached. */
  peakLiveRecord: number;
  peakLiveBlocks: number;
  liveBlocksAtEnd: number;
  liveBytesAtEnd: number;
  /** Non-comment lines of the source trace (0 for a synthetic trace). */
  sourceEvents: number;
  failedSkipped: number;
  /** Milliseconds it took to parse the source trace (or to generate a synthetic one). */
  parseMs: number;
}

/** A binary trace in memory: the file's bytes and two views over them. */
export interface BinaryTrace {
  header: BinaryTraceHeader;
  /** The whole file (header and records). */
  bytes: Uint8Array;
  /** u32 view of the whole file: record i's words start at `(HEADER_BYTES + i * RECORD_BYTES) / 4`. */
  u32: Uint32Array;
  /** f64 view of the whole file: record i's size is at `(HEADER_BYTES + i * RECORD_BYTES + 16) / 8`. */
  f64: Float64Array;
}

/** A file that is not a binary trace of this version, or is cut short. */
export class BinaryTraceError extends PymemError {}

/** First u32 word of record i (kind in its low byte); id, newId/nelem, elsize follow. */
export const recordWord = (i: number): number => (HEADER_BYTES + i * RECORD_BYTES) >> 2;
/** f64 index of record i's size. */
export const recordSize = (i: number): number => (HEADER_BYTES + i * RECORD_BYTES + 16) >> 3;

const HEADER_FIELDS: [keyof BinaryTraceHeader, number][] = [
  ['mallocs', 32],
  ['callocs', 40],
  ['reallocs', 48],
  ['frees', 56],
  ['arenaMaps', 64],
  ['arenaUnmaps', 72],
  ['peakLiveBytes', 80],
  ['peakLiveRecord', 88],
  ['liveBlocksAtEnd', 96],
  ['liveBytesAtEnd', 104],
  ['sourceEvents', 112],
  ['failedSkipped', 120],
  ['parseMs', 128],
  ['peakLiveBlocks', 136],
];

/**
 * Builds a binary trace from allocator calls named by the caller's ids (any
 * non-negative integers unique among live blocks, as a trace's are): remaps
 * them to dense slots, keeps the counts and the live-bytes peak.  The trace
 * parser and the synthetic workloads both write through it.
 */
export class BinaryTraceBuilder {
  private buf = new ArrayBuffer(HEADER_BYTES + RECORD_BYTES * 4096);
  private u32 = new Uint32Array(this.buf);
  private f64 = new Float64Array(this.buf);
  private n = 0;
  /** Caller id → slot + 1 (0: not live). */
  private slotOf = new Uint32Array(1024);
  /** Free slots, most recently released on top. */
  private freeSlots = new Uint32Array(1024);
  private nFree = 0;
  private nSlots = 0;
  /** Request size of each live slot. */
  private sizeOf = new Float64Array(1024);
  private live = 0;
  private liveBlocks = 0;
  readonly counts = { mallocs: 0, callocs: 0, reallocs: 0, frees: 0, arenaMaps: 0, arenaUnmaps: 0, failedSkipped: 0 };
  private peak = 0;
  private peakRecord = 0;
  private peakBlocks = 0;

  /** malloc(size) that returned block `id`. */
  malloc(id: number, size: number): void {
    const s = this.take(id, size);
    this.push(OpKind.Malloc, s, 0, 0, size);
    this.counts.mallocs++;
  }

  /** calloc(nelem, elsize) that returned block `id`. */
  calloc(id: number, nelem: number, elsize: number): void {
    if (nelem > 0xffffffff || elsize > 0xffffffff) throw new InvalidArgumentError(`calloc(${nelem}, ${elsize}): nelem and elsize must fit in 32 bits`);
    const size = nelem * elsize;
    const s = this.take(id, size);
    this.push(OpKind.Calloc, s, nelem, elsize, size);
    this.counts.callocs++;
  }

  /** realloc(oldId, size) that returned `newId` (`oldId` -1: realloc(NULL); `newId === oldId`: in place). */
  realloc(oldId: number, newId: number, size: number): void {
    let from = NO_ID;
    let to: number;
    if (oldId < 0) {
      to = this.take(newId, size);
    } else if (newId === oldId) {
      from = to = this.liveSlot(oldId);
      this.setLive(this.live - this.sizeOf[to]! + size);
      this.sizeOf[to] = size;
    } else {
      from = this.liveSlot(oldId);
      to = this.take(newId, size); // the new block exists before the old one dies
      this.release(oldId, from);
    }
    this.push(OpKind.Realloc, from, to, 0, size);
    this.counts.reallocs++;
  }

  /** free(id) (`id` -1: free(NULL)). */
  free(id: number): void {
    let s = NO_ID;
    if (id >= 0) {
      s = this.liveSlot(id);
      this.release(id, s);
    }
    this.push(OpKind.Free, s, 0, 0, 0);
    this.counts.frees++;
  }

  /** The finished trace. `sourceEvents`: lines of the source (0 if synthetic); `parseMs`: time it took. */
  finish(sourceEvents: number, parseMs: number): BinaryTrace {
    const header: BinaryTraceHeader = {
      records: this.n,
      idSlots: this.nSlots,
      ...this.counts,
      peakLiveBytes: this.peak,
      peakLiveRecord: this.peakRecord,
      peakLiveBlocks: this.peakBlocks,
      liveBlocksAtEnd: this.liveBlocks,
      liveBytesAtEnd: this.live,
      sourceEvents,
      parseMs,
    };
    const bytes = new Uint8Array(this.buf, 0, HEADER_BYTES + this.n * RECORD_BYTES).slice();
    writeHeader(bytes, header);
    return viewBinaryTrace(bytes);
  }

  private take(id: number, size: number): number {
    if (!Number.isInteger(id) || id < 0) throw new InvalidArgumentError(`block id must be a non-negative integer, got ${id}`);
    this.growIds(id);
    if (this.slotOf[id] !== 0) throw new InvalidArgumentError(`block id ${id} is already live`);
    const s = this.nFree > 0 ? this.freeSlots[--this.nFree]! : this.nSlots++;
    if (s >= this.sizeOf.length) this.sizeOf = grow(this.sizeOf, s + 1);
    this.slotOf[id] = s + 1;
    this.sizeOf[s] = size;
    this.liveBlocks++;
    if (this.liveBlocks > this.peakBlocks) this.peakBlocks = this.liveBlocks;
    this.setLive(this.live + size);
    return s;
  }

  private liveSlot(id: number): number {
    const s = id < this.slotOf.length ? this.slotOf[id]! : 0;
    if (s === 0) throw new InvalidArgumentError(`block id ${id} is not live`);
    return s - 1;
  }

  private release(id: number, s: number): void {
    this.slotOf[id] = 0;
    if (this.nFree >= this.freeSlots.length) this.freeSlots = grow(this.freeSlots, this.nFree + 1);
    this.freeSlots[this.nFree++] = s;
    this.liveBlocks--;
    this.setLive(this.live - this.sizeOf[s]!);
  }

  private setLive(v: number): void {
    this.live = v;
    if (v > this.peak) {
      this.peak = v;
      this.peakRecord = this.n + 1; // the record being built completes the peak
    }
  }

  private growIds(id: number): void {
    if (id >= this.slotOf.length) this.slotOf = grow(this.slotOf, id + 1);
  }

  private push(kind: OpKind, a: number, b: number, c: number, size: number): void {
    if (HEADER_BYTES + (this.n + 1) * RECORD_BYTES > this.buf.byteLength) {
      const bigger = new ArrayBuffer(this.buf.byteLength * 2);
      new Uint8Array(bigger).set(new Uint8Array(this.buf));
      this.buf = bigger;
      this.u32 = new Uint32Array(bigger);
      this.f64 = new Float64Array(bigger);
    }
    const w = recordWord(this.n);
    this.u32[w] = kind;
    this.u32[w + 1] = a;
    this.u32[w + 2] = b;
    this.u32[w + 3] = c;
    this.f64[recordSize(this.n)] = size;
    this.n++;
  }
}

function grow<T extends Uint32Array | Float64Array>(a: T, min: number): T {
  let n = a.length * 2;
  while (n < min) n *= 2;
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

function writeHeader(bytes: Uint8Array, h: BinaryTraceHeader): void {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  for (let i = 0; i < 8; i++) dv.setUint8(i, BINARY_MAGIC.charCodeAt(i));
  dv.setUint32(8, HEADER_BYTES, true);
  dv.setUint32(12, RECORD_BYTES, true);
  dv.setFloat64(16, h.records, true);
  dv.setUint32(24, h.idSlots, true);
  for (const [k, off] of HEADER_FIELDS) dv.setFloat64(off, h[k], true);
}

/** Decodes and checks the header in `head` (at least HEADER_BYTES) of a file of `length` bytes. */
function decodeHeader(head: Uint8Array, length: number, what: string): BinaryTraceHeader {
  if (length < HEADER_BYTES || head.length < HEADER_BYTES) {
    throw new BinaryTraceError(`${what}: ${length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  }
  const dv = new DataView(head.buffer, head.byteOffset, HEADER_BYTES);
  const magic = String.fromCharCode(...head.subarray(0, 8));
  if (magic !== BINARY_MAGIC) throw new BinaryTraceError(`${what}: magic ${JSON.stringify(magic)}, expected ${JSON.stringify(BINARY_MAGIC)}`);
  if (dv.getUint32(8, true) !== HEADER_BYTES || dv.getUint32(12, true) !== RECORD_BYTES) {
    throw new BinaryTraceError(`${what}: header/record sizes ${dv.getUint32(8, true)}/${dv.getUint32(12, true)}, expected ${HEADER_BYTES}/${RECORD_BYTES}`);
  }
  const records = dv.getFloat64(16, true);
  const want = HEADER_BYTES + records * RECORD_BYTES;
  if (length !== want) throw new BinaryTraceError(`${what}: ${length} bytes, expected ${want} for ${records} records`);
  const header = { records, idSlots: dv.getUint32(24, true) } as BinaryTraceHeader;
  for (const [k, off] of HEADER_FIELDS) header[k] = dv.getFloat64(off, true);
  return header;
}

/**
 * Views a binary trace held in `bytes` (checked: magic, sizes, length).
 * @throws BinaryTraceError if it is not a whole binary trace of this version.
 */
export function viewBinaryTrace(bytes: Uint8Array, what = 'binary trace'): BinaryTrace {
  if (bytes.byteOffset % 8 !== 0) bytes = bytes.slice();
  const header = decodeHeader(bytes, bytes.length, what);
  return {
    header,
    bytes,
    u32: new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2),
    f64: new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length >> 3),
  };
}

/** Reads only the header of a binary trace file (checking it against the file's length). */
export function readBinaryHeader(path: string): BinaryTraceHeader {
  const fd = openSync(path, 'r');
  try {
    const head = new Uint8Array(HEADER_BYTES);
    const n = readSync(fd, head, 0, HEADER_BYTES, 0);
    return decodeHeader(head.subarray(0, n), fstatSync(fd).size, path);
  } finally {
    closeSync(fd);
  }
}

/** Reads a binary trace file. */
export function readBinaryTrace(path: string): BinaryTrace {
  return viewBinaryTrace(new Uint8Array(readFileSync(path)), path);
}

/** Writes a binary trace file atomically (a temporary file, then rename), so a reader never sees half of one. */
export function writeBinaryTrace(path: string, trace: BinaryTrace): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, trace.bytes);
  renameSync(tmp, path);
}

/** Parses a pymtrace trace (text or gzip'd) into its binary form, in memory. */
export async function parseToBinary(path: string, onProgress?: (done: number, total: number) => void): Promise<BinaryTrace> {
  const start = performance.now();
  const b = new BinaryTraceBuilder();
  const onBatch = (t: TraceBatch): void => {
    for (let i = 0; i < t.length; i++) {
      try {
        switch (t.kind[i] as EventKind) {
          case EventKind.Malloc:
            if (t.id[i]! < 0) b.counts.failedSkipped++;
            else b.malloc(t.id[i]!, t.size[i]!);
            break;
          case EventKind.Calloc:
            if (t.id[i]! < 0) b.counts.failedSkipped++;
            else b.calloc(t.id[i]!, t.nelem[i]!, t.elsize[i]!);
            break;
          case EventKind.Realloc:
            if (t.newId[i]! < 0) b.counts.failedSkipped++;
            else b.realloc(t.id[i]!, t.newId[i]!, t.size[i]!);
            break;
          case EventKind.Free:
            b.free(t.id[i]!);
            break;
          case EventKind.ArenaMap:
            b.counts.arenaMaps++;
            break;
          case EventKind.ArenaUnmap:
            b.counts.arenaUnmaps++;
            break;
        }
      } catch (e) {
        if (e instanceof InvalidArgumentError) throw new TraceFormatError(path, t.line[i]!, `event ${t.eventIndex[i]}`, e.message);
        throw e;
      }
    }
  };
  const summary = await readTrace(path, onBatch, onProgress ? { onProgress } : {});
  return b.finish(summary.events, performance.now() - start);
}

/** Where binary traces are cached: `node_modules/.cache/pymem/` of the package. */
export function defaultCacheDir(): string {
  return join(packageRoot(), 'node_modules', '.cache', 'pymem');
}

/** A trace's binary form on disk, and how it was obtained. */
export interface CachedBinaryTrace {
  /** Path of the binary file. */
  path: string;
  header: BinaryTraceHeader;
  /** Whether it was already in the cache (else it was parsed now, taking `header.parseMs`). */
  cached: boolean;
}

/** Options of {@link binaryTraceFor}. */
export interface BinaryCacheOptions {
  /** Default {@link defaultCacheDir}. */
  cacheDir?: string;
  onProgress?: (done: number, total: number) => void;
}

/** The cache file name of a trace: its base name and a hash of its absolute path, size and mtime. */
export function cacheKey(tracePath: string): string {
  const abs = resolve(tracePath);
  const st = statSync(abs);
  const hash = createHash('sha256').update(`${abs}\0${st.size}\0${st.mtimeMs}`).digest('hex').slice(0, 16);
  return `${basename(abs).replace(/\.trace(\.gz)?$/, '')}-${hash}.pymbt`;
}

/**
 * The binary form of a pymtrace trace, from the cache or parsed now (and
 * cached).  A cached file that no longer reads as a binary trace is parsed
 * again.
 */
export async function binaryTraceFor(tracePath: string, opts: BinaryCacheOptions = {}): Promise<CachedBinaryTrace> {
  const path = join(opts.cacheDir ?? defaultCacheDir(), cacheKey(tracePath));
  if (existsSync(path)) {
    try {
      return { path, header: readBinaryHeader(path), cached: true };
    } catch (e) {
      if (!(e instanceof BinaryTraceError)) throw e;
    }
  }
  const trace = await parseToBinary(tracePath, opts.onProgress);
  writeBinaryTrace(path, trace);
  return { path, header: trace.header, cached: false };
}
