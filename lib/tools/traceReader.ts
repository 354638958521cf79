/**
 * traceReader — a streaming reader for pymtrace traces (tools layer).
 *
 * The format (full text: shared/cpython/traces/FORMAT.md)
 * -------------------------------------------------------
 * A trace is text, usually gzip'd (`NAME.trace.gz`), one line per event,
 * fields separated by one space, lines ending in `\n`.  IDs and sizes are
 * decimal, addresses lower-case hex without `0x`.
 *
 *     # pymtrace v2 python=3.11.7 script=PATH    first line (v1 or v2)
 *     m ID SIZE ADDR                             malloc(SIZE)
 *     c ID NELEM ELSIZE ADDR                     calloc(NELEM, ELSIZE)
 *     r OLDID NEWID SIZE ADDR                    realloc (OLDID '-' = realloc(NULL))
 *     f ID                                       free ('f -' = free(NULL))
 *     A HEXADDR / U HEXADDR                      arena mapped / unmapped
 *     m - SIZE, c - NELEM ELSIZE, r OLDID - SIZE allocation failed (no ADDR)
 *     # vmem-alloc HEXADDR SIZE, # vmem-free ... non-arena arena-allocator calls
 *     # end events=N vmem_comments=N unknown_ptr=N live_ids=N max_id=N seconds=S
 *
 * v1 is v2 without the trailing ADDR of successful m/c/r lines.
 *
 * How it reads
 * ------------
 *     file ─► ReadStream (1 MiB) ─► Gunzip (thread pool) ─► chunks ─► TraceParser ─► TraceBatch ─► onBatch
 *
 * Gzip is detected by its magic bytes (1f 8b), not the file name.  The
 * parser scans each chunk byte by byte (char codes, no split/regex/strings on
 * event lines) and fills a struct-of-arrays batch that is handed out when full
 * and reused: the whole text (106 MB for test_json) is never held.
 *
 * Invariants
 * ----------
 * - Line 1 is the `# pymtrace v1|v2` header; the version it names fixes the
 *   field count: a successful m/c/r line has its ADDR in v2 and none in v1.
 * - Every non-comment line is exactly one event, with `eventIndex` = the number
 *   of non-comment lines before it; `line` is its 1-based line in the file.
 * - Numbers are exact doubles: decimals and hex addresses are rejected above
 *   2^53 - 1 (48-bit addresses fit with room to spare).
 * - The reader checks syntax only (not id liveness: that is replay's job).
 *   Anything it does not understand is a TraceFormatError naming file:line,
 *   including `?HEXADDR` (a pointer the recorder had never seen).
 * - `# end` is the last line.  When present, its `events=` and
 *   `vmem_comments=` must equal what was read.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InvalidArgumentError, PymemError } from '../errors.js';

/** What a trace line did.  Values are stable: they are stored in {@link TraceBatch.kind}. */
export const enum EventKind {
  Malloc = 0,
  Calloc = 1,
  Realloc = 2,
  Free = 3,
  ArenaMap = 4,
  ArenaUnmap = 5,
}

/**
 * A batch of events in struct-of-arrays form: event `i` is column `[i]` of
 * every array, for `i < length`.  The same object and arrays are reused for
 * every callback, so copy what you keep.
 *
 * Fields an event kind does not use hold `-1` (`id`, `newId`), `NaN`
 * (`address`) or `0` (`size`, `nelem`, `elsize`).
 */
export interface TraceBatch {
  /** Number of events in this batch (the arrays are longer). */
  length: number;
  /** {@link EventKind}. */
  kind: Uint8Array;
  /** m/c: the new block's id (-1 on failure); r: OLDID (-1 for `-`); f: the id (-1 for `f -`). */
  id: Float64Array;
  /** r: NEWID (-1 on failure).  Equal to `id` iff the realloc was in place. */
  newId: Float64Array;
  /** m/r: SIZE; c: NELEM*ELSIZE (exact up to 2^53). */
  size: Float64Array;
  /** c: NELEM. */
  nelem: Float64Array;
  /** c: ELSIZE. */
  elsize: Float64Array;
  /** m/c/r: the returned address (NaN in v1 and on failure); A/U: the arena address. */
  address: Float64Array;
  /** 1-based line number in the file, for error messages and "where" reports. */
  line: Float64Array;
  /** 0-based index among non-comment lines: the trace position used to compare A/U points. */
  eventIndex: Float64Array;
}

/** The first line, `# pymtrace vN python=X script=PATH`. */
export interface TraceHeader {
  version: 1 | 2;
  python?: string;
  script?: string;
}

/** The last line, `# end events=N vmem_comments=N unknown_ptr=N live_ids=N max_id=N seconds=S`. */
export interface TraceTrailer {
  events: number;
  vmemComments: number;
  unknownPtr: number;
  liveIds: number;
  maxId: number;
  seconds?: number;
}

/** Options of {@link readTrace}. */
export interface ReadOptions {
  /** Events per batch (default 16384). */
  batchSize?: number;
  /**
   * Called with the bytes of trace text parsed so far (every event in them
   * already handed to onBatch) and the text's whole size (for a gzip'd trace,
   * its ISIZE trailer: the uncompressed size mod 2^32), at most every 100 ms,
   * and once more at the end with `(total, total)`.
   */
  onProgress?: (bytesParsed: number, totalBytes: number) => void;
}

/** What {@link readTrace} resolves with. */
export interface TraceSummary {
  header: TraceHeader;
  /** Undefined if the trace has no `# end` line (e.g. the recorder was killed). */
  trailer?: TraceTrailer;
  /** Number of events (non-comment lines) read. */
  events: number;
}

/**
 * A trace that does not follow the format: malformed line, unknown event
 * letter, wrong field count, bad number, `?HEXADDR` unknown pointer, missing
 * header, or a trailer that disagrees with the events read.  The message
 * reads `FILE:LINE: what was wrong: "the line"`.
 */
export class TraceFormatError extends PymemError {
  /**
   * @param file  the trace's path
   * @param line  1-based line number of the offending line
   * @param text  the offending line (truncated to 200 characters)
   * @param reason what was wrong and what was expected
   */
  constructor(
    readonly file: string,
    readonly line: number,
    readonly text: string,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}: ${JSON.stringify(text)}`);
  }
}

/** A trace file that cannot be read at all: missing, a directory, unreadable, or a truncated or corrupt gzip stream. */
export class TraceFileError extends PymemError {
  constructor(
    readonly file: string,
    reason: string,
    /** The system's or zlib's error code (ENOENT, EISDIR, Z_BUF_ERROR, …). */
    readonly code: string,
  ) {
    super(`${file}: cannot read the trace: ${reason}`);
  }
}

const DEFAULT_BATCH = 16384;
/** A line longer than this is not a trace line: stop before buffering the whole file. */
const MAX_LINE = 1 << 20;
const PROGRESS_MS = 100;
const MAX_EXACT = Number.MAX_SAFE_INTEGER;

const LF = 0x0a;
const SP = 0x20;
const HASH = 0x23;
const DASH = 0x2d;
const QMARK = 0x3f;
const CH_A = 0x41;
const CH_U = 0x55;
const CH_c = 0x63;
const CH_f = 0x66;
const CH_m = 0x6d;
const CH_r = 0x72;

/** Value of a lower-case hex digit by char code, -1 for anything else. */
const HEX = new Int8Array(256).fill(-1);
for (let d = 0; d < 10; d++) HEX[0x30 + d] = d;
for (let d = 0; d < 6; d++) HEX[0x61 + d] = 10 + d;

function newBatch(n: number): TraceBatch {
  return {
    length: 0,
    kind: new Uint8Array(n),
    id: new Float64Array(n),
    newId: new Float64Array(n),
    size: new Float64Array(n),
    nelem: new Float64Array(n),
    elsize: new Float64Array(n),
    address: new Float64Array(n),
    line: new Float64Array(n),
    eventIndex: new Float64Array(n),
  };
}

/**
 * Parses whole lines out of the chunks it is fed.  Event lines are scanned
 * with a cursor `p` over the chunk's bytes; every region handed to
 * parseLines ends with `\n`, so field scanners stop at it without bounds
 * checks.  Hand-written scanning instead of split()/regex because it
 * allocates nothing per line: test_json (6.3M events, 106 MB of text) reads
 * in 0.28 s, against 2.0 s for chunk.toString().split('\n') + split(' ') +
 * Number/parseInt into the same arrays; gunzip alone takes 0.13 s (Node 20).
 */
class TraceParser {
  /** Expecting the header (0), in the body (1), after the trailer (2). */
  private state = 0;
  private version: 1 | 2 = 1;
  /** 1-based number of the line being parsed. */
  private line = 0;
  /** Events (non-comment lines) so far: the next event's eventIndex. */
  private events = 0;
  private vmemComments = 0;
  /** Cursor: index of the byte that ended the last field read. */
  private p = 0;
  /** The unterminated tail of the previous chunk (copied), or null. */
  private carry: Buffer | null = null;
  private header: TraceHeader | undefined;
  private trailer: TraceTrailer | undefined;
  private trailerLine = 0;
  private trailerText = '';
  private readonly batch: TraceBatch;

  constructor(
    private readonly file: string,
    private readonly capacity: number,
    private readonly onBatch: (b: TraceBatch) => void,
  ) {
    this.batch = newBatch(capacity);
  }

  /** Parses every complete line of `chunk`, keeping the incomplete tail for the next. */
  feed(chunk: Buffer): void {
    let start = 0;
    if (this.carry !== null) {
      const nl = chunk.indexOf(LF);
      if (nl < 0) {
        this.carry = Buffer.concat([this.carry, chunk]);
        if (this.carry.length > MAX_LINE) this.fail(this.carry, 0, `line longer than ${MAX_LINE} bytes`, this.line + 1);
        return;
      }
      const joined = Buffer.concat([this.carry, chunk.subarray(0, nl + 1)]);
      this.carry = null;
      this.parseLines(joined, 0, joined.length - 1);
      start = nl + 1;
    }
    const last = chunk.lastIndexOf(LF);
    if (last >= start) {
      this.parseLines(chunk, start, last);
      start = last + 1;
    }
    if (start < chunk.length) this.carry = Buffer.from(chunk.subarray(start));
  }

  /** Parses a last line without `\n`, flushes the batch and checks the trailer. */
  finish(): TraceSummary {
    if (this.carry !== null) {
      const joined = Buffer.concat([this.carry, Buffer.of(LF)]);
      this.carry = null;
      this.parseLines(joined, 0, joined.length - 1);
    }
    if (this.state === 0) this.fail(Buffer.alloc(0), 0, 'empty trace: expected "# pymtrace v1" or "# pymtrace v2"', 1);
    this.flush();
    const t = this.trailer;
    if (t !== undefined) {
      if (t.events !== this.events) {
        throw new TraceFormatError(this.file, this.trailerLine, this.trailerText, `trailer says events=${t.events} but the trace has ${this.events} events`);
      }
      if (t.vmemComments !== this.vmemComments) {
        throw new TraceFormatError(this.file, this.trailerLine, this.trailerText, `trailer says vmem_comments=${t.vmemComments} but the trace has ${this.vmemComments}`);
      }
    }
    const header = this.header as TraceHeader;
    return t === undefined ? { header, events: this.events } : { header, trailer: t, events: this.events };
  }

  /** Parses the lines of `b[pos..last]`; `b[last]` is `\n`. */
  private parseLines(b: Buffer, pos: number, last: number): void {
    while (pos <= last) {
      this.line++;
      const c0 = b[pos] as number;
      if (c0 === HASH) pos = this.comment(b, pos);
      else if (this.state === 1) {
        const end = c0 === CH_f ? this.fastFree(b, pos) : c0 === CH_m && this.version === 2 ? this.fastMalloc(b, pos) : -1;
        pos = end >= 0 ? end : this.event(b, pos, c0);
      }
      else if (this.state === 0) this.fail(b, pos, 'expected the header "# pymtrace v1" or "# pymtrace v2" as first line');
      else this.fail(b, pos, 'event after the "# end" trailer');
    }
  }

  /*
   * Fast paths for the two lines that make most of a trace (test_json: 41 %
   * `m ID SIZE ADDR`, 48 % `f ID`): one scan with the cursor in a local, no
   * field helper. They accept only a line that is certainly well formed
   * (decimals of at most 15 digits, an address of at most 13 hex digits: all
   * below 2^53) and return -1 for anything else, which event() then parses
   * again from its start and reports. Measured on test_json's text: the
   * parse went from 0.36 to 0.27 s of CPU.
   */

  /** `f ID\n` or `f -\n` at s: records it and returns the index after its `\n`, or -1 to leave the line to event(). */
  private fastFree(b: Buffer, s: number): number {
    if (b[s + 1] !== SP) return -1;
    let p = s + 2;
    let c = b[p] as number;
    let id = -1;
    if (c === DASH) c = b[++p] as number;
    else {
      const start = p;
      id = 0;
      while (c >= 0x30 && c <= 0x39) {
        id = id * 10 + (c - 0x30);
        c = b[++p] as number;
      }
      if (p === start || p - start > 15) return -1;
    }
    if (c !== LF) return -1;
    this.push(EventKind.Free, id, -1, 0, 0, 0, NaN);
    return p + 1;
  }

  /** v2 `m ID SIZE ADDR\n` at s: records it and returns the index after its `\n`, or -1 to leave the line to event(). */
  private fastMalloc(b: Buffer, s: number): number {
    if (b[s + 1] !== SP) return -1;
    let p = s + 2;
    let start = p;
    let id = 0;
    let c = b[p] as number;
    while (c >= 0x30 && c <= 0x39) {
      id = id * 10 + (c - 0x30);
      c = b[++p] as number;
    }
    if (p === start || p - start > 15 || c !== SP) return -1;
    start = ++p;
    let size = 0;
    c = b[p] as number;
    while (c >= 0x30 && c <= 0x39) {
      size = size * 10 + (c - 0x30);
      c = b[++p] as number;
    }
    if (p === start || p - start > 15 || c !== SP) return -1;
    start = ++p;
    let address = 0;
    let d = HEX[b[p] as number] as number;
    while (d >= 0) {
      address = address * 16 + d;
      d = HEX[b[++p] as number] as number;
    }
    if (p === start || p - start > 13 || b[p] !== LF) return -1;
    this.push(EventKind.Malloc, id, -1, size, 0, 0, address);
    return p + 1;
  }

  /** Parses the event line starting at `s`; returns the index after its `\n`. */
  private event(b: Buffer, s: number, c0: number): number {
    let kind: EventKind;
    let id = -1;
    let newId = -1;
    let size = 0;
    let nelem = 0;
    let elsize = 0;
    let address = NaN;
    if (c0 === LF) this.fail(b, s, 'empty line');
    if (b[s + 1] !== SP) this.fail(b, s, 'expected one event letter (m c r f A U) and a space');
    this.p = s + 2;
    switch (c0) {
      case CH_m:
        kind = EventKind.Malloc;
        id = this.id(b, s);
        this.sep(b, s);
        size = this.dec(b, s);
        if (id >= 0) address = this.addressField(b, s);
        break;
      case CH_c:
        kind = EventKind.Calloc;
        id = this.id(b, s);
        this.sep(b, s);
        nelem = this.dec(b, s);
        this.sep(b, s);
        elsize = this.dec(b, s);
        size = nelem * elsize;
        if (id >= 0) address = this.addressField(b, s);
        break;
      case CH_r:
        kind = EventKind.Realloc;
        id = this.id(b, s);
        this.sep(b, s);
        newId = this.id(b, s);
        this.sep(b, s);
        size = this.dec(b, s);
        if (newId >= 0) address = this.addressField(b, s);
        break;
      case CH_f:
        kind = EventKind.Free;
        id = this.id(b, s);
        break;
      case CH_A:
        kind = EventKind.ArenaMap;
        address = this.hex(b, s);
        break;
      case CH_U:
        kind = EventKind.ArenaUnmap;
        address = this.hex(b, s);
        break;
      default:
        return this.fail(b, s, 'unknown event letter (expected m c r f A U or #)');
    }
    const end = this.p;
    if (b[end] !== LF) this.fail(b, s, b[end] === SP ? 'too many fields' : this.unexpected(b, s, end));

    this.push(kind, id, newId, size, nelem, elsize, address);
    return end + 1;
  }

  /** Appends the event of the current line to the batch (handing the batch out when full). */
  private push(kind: EventKind, id: number, newId: number, size: number, nelem: number, elsize: number, address: number): void {
    const batch = this.batch;
    const i = batch.length;
    batch.kind[i] = kind;
    batch.id[i] = id;
    batch.newId[i] = newId;
    batch.size[i] = size;
    batch.nelem[i] = nelem;
    batch.elsize[i] = elsize;
    batch.address[i] = address;
    batch.line[i] = this.line;
    batch.eventIndex[i] = this.events++;
    batch.length = i + 1;
    if (i + 1 === this.capacity) this.flush();
  }

  /** Skips the single space between two fields. */
  private sep(b: Buffer, s: number): void {
    const c = b[this.p];
    if (c === SP) this.p++;
    else this.fail(b, s, c === LF ? 'too few fields' : this.unexpected(b, s, this.p));
  }

  private unexpected(b: Buffer, s: number, at: number): string {
    return `unexpected character ${JSON.stringify(String.fromCharCode(b[at] as number))} at column ${at - s + 1}`;
  }

  /** v2: ` ADDR` after a successful m/c/r; v1: nothing. */
  private addressField(b: Buffer, s: number): number {
    if (this.version === 1) return NaN;
    this.sep(b, s);
    return this.hex(b, s);
  }

  /** A block id: decimal, or `-` (-1).  `?HEXADDR` (unknown pointer) is an error. */
  private id(b: Buffer, s: number): number {
    const c = b[this.p];
    if (c === DASH) {
      this.p++;
      return -1;
    }
    if (c === QMARK) this.fail(b, s, 'unknown pointer "?HEXADDR" (the recorder never saw this block); not supported');
    return this.dec(b, s);
  }

  /** A decimal integer of at most 2^53 - 1. */
  private dec(b: Buffer, s: number): number {
    let p = this.p;
    const start = p;
    let n = 0;
    let c = b[p] as number;
    while (c >= 0x30 && c <= 0x39) {
      n = n * 10 + (c - 0x30);
      c = b[++p] as number;
    }
    if (p === start) this.fail(b, s, 'expected a decimal number');
    if (n > MAX_EXACT) this.fail(b, s, 'number above 2^53 - 1');
    this.p = p;
    return n;
  }

  /** A lower-case hex number of at most 2^53 - 1 (no `0x`). */
  private hex(b: Buffer, s: number): number {
    let p = this.p;
    const start = p;
    let n = 0;
    let d = HEX[b[p] as number] as number;
    while (d >= 0) {
      n = n * 16 + d;
      d = HEX[b[++p] as number] as number;
    }
    if (p === start) this.fail(b, s, 'expected a lower-case hex address');
    if (n > MAX_EXACT) this.fail(b, s, 'address above 2^53 - 1');
    this.p = p;
    return n;
  }

  /** Handles the comment line at `s` (header, vmem, trailer, other); returns the index after its `\n`. */
  private comment(b: Buffer, s: number): number {
    const nl = b.indexOf(LF, s);
    const text = b.toString('latin1', s, nl);
    if (this.state === 0) {
      this.parseHeader(b, s, text);
      this.state = 1;
    } else if (this.state === 2) {
      this.fail(b, s, 'line after the "# end" trailer');
    } else if (text.startsWith('# vmem-')) {
      if (!/^# vmem-(alloc|free) [0-9a-f]+ \d+$/.test(text)) this.fail(b, s, 'expected "# vmem-alloc|vmem-free HEXADDR SIZE"');
      this.vmemComments++;
    } else if (text.startsWith('# end ')) {
      this.trailer = this.parseTrailer(b, s, text);
      this.trailerLine = this.line;
      this.trailerText = text;
      this.state = 2;
    } else if (text.startsWith('# pymtrace')) {
      this.fail(b, s, 'second header (concatenated traces?)');
    }
    return nl + 1;
  }

  private parseHeader(b: Buffer, s: number, text: string): void {
    const m = /^# pymtrace v([12])(?: |$)/.exec(text);
    if (m === null) this.fail(b, s, 'expected the header "# pymtrace v1" or "# pymtrace v2" as first line');
    this.version = m[1] === '2' ? 2 : 1;
    const header: TraceHeader = { version: this.version };
    const python = /(?:^| )python=(\S*)/.exec(text);
    if (python !== null) header.python = python[1] as string;
    // script= comes last and its path may hold spaces: it takes the rest of the line.
    const script = /(?:^| )script=(.*)$/.exec(text);
    if (script !== null) header.script = script[1] as string;
    this.header = header;
  }

  private parseTrailer(b: Buffer, s: number, text: string): TraceTrailer {
    const kv = new Map<string, string>();
    for (const field of text.slice('# end '.length).split(' ')) {
      const eq = field.indexOf('=');
      if (eq <= 0) this.fail(b, s, `trailer field "${field}" is not key=value`);
      kv.set(field.slice(0, eq), field.slice(eq + 1));
    }
    const int = (key: string): number => {
      const v = kv.get(key);
      if (v === undefined || !/^\d+$/.test(v)) this.fail(b, s, `trailer needs ${key}=<decimal>`);
      return Number(v);
    };
    const trailer: TraceTrailer = {
      events: int('events'),
      vmemComments: int('vmem_comments'),
      unknownPtr: int('unknown_ptr'),
      liveIds: int('live_ids'),
      maxId: int('max_id'),
    };
    const seconds = kv.get('seconds');
    if (seconds !== undefined) {
      const v = Number(seconds);
      if (seconds === '' || !Number.isFinite(v)) this.fail(b, s, 'trailer seconds= is not a number');
      trailer.seconds = v;
    }
    return trailer;
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    this.onBatch(this.batch);
    this.batch.length = 0;
  }

  /** Throws a TraceFormatError for the line starting at `s` of `b`. */
  private fail(b: Buffer, s: number, reason: string, line = this.line): never {
    let e = b.indexOf(LF, s);
    if (e < 0) e = b.length;
    const text = b.toString('latin1', s, Math.min(e, s + 200));
    throw new TraceFormatError(this.file, line, text, reason);
  }
}

/** The size of the trace's text: the file's, or a gzip file's ISIZE (its last four bytes, little-endian). */
async function textSize(path: string, gzip: boolean): Promise<number> {
  const size = (await stat(path)).size;
  if (!gzip || size < 18) return size;
  const fh = await open(path, 'r');
  try {
    const isize = Buffer.alloc(4);
    await fh.read(isize, 0, 4, size - 4);
    return isize.readUInt32LE(0);
  } finally {
    await fh.close();
  }
}

async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const magic = Buffer.alloc(2);
    const { bytesRead } = await fh.read(magic, 0, 2, 0);
    return bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/**
 * Streams a pymtrace trace (v1 or v2, gzip'd or plain text), calling
 * `onBatch` for each batch of events in file order.  The batch object is
 * reused: copy what you keep.
 *
 * @returns the header, the trailer (undefined if the trace has none) and the
 *   number of events read.
 * @throws TraceFormatError on any line that does not follow the format
 *   (including `?HEXADDR` unknown pointers), a missing header, or a trailer
 *   whose `events=` / `vmem_comments=` disagree with the trace.  I/O and zlib
 *   errors (missing file, corrupt gzip) are passed through as they are, and
 *   so is anything `onBatch` throws (reading stops there).
 *
 * @example
 * let frees = 0;
 * const { trailer } = await readTrace('startup.trace.gz', (b) => {
 *   for (let i = 0; i < b.length; i++) if (b.kind[i] === EventKind.Free) frees++;
 * });
 */
export async function readTrace(
  path: string,
  onBatch: (b: TraceBatch) => void,
  opts: ReadOptions = {},
): Promise<TraceSummary> {
  try {
    return await readTraceFile(path, onBatch, opts);
  } catch (e) {
    // The file system's and zlib's errors (no such file, a directory, a truncated or corrupt .gz) as one typed error.
    const code = (e as NodeJS.ErrnoException | null)?.code;
    if (typeof code === 'string' && !(e instanceof PymemError)) throw new TraceFileError(path, (e as Error).message, code);
    throw e;
  }
}

async function readTraceFile(
  path: string,
  onBatch: (b: TraceBatch) => void,
  opts: ReadOptions,
): Promise<TraceSummary> {
  const batchSize = opts.batchSize ?? DEFAULT_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`batchSize must be a positive integer, got ${batchSize}`);
  const onProgress = opts.onProgress;
  const gzip = await isGzip(path);
  const totalBytes = await textSize(path, gzip);

  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  // pipeline destroys both streams on any error and the iterator rethrows it;
  // its callback has nothing left to do.
  // 256 KiB gunzip chunks: zlib's default 16 KiB made the whole read 20-100 % slower.
  const input: Readable = gzip ? pipeline(file, createGunzip({ chunkSize: 1 << 18 }), () => {}) : file;
  const parser = new TraceParser(path, batchSize, onBatch);
  let lastReport = Date.now();
  let parsed = 0;
  try {
    for await (const chunk of input) {
      parser.feed(chunk as Buffer);
      parsed += (chunk as Buffer).length;
      if (onProgress !== undefined) {
        const now = Date.now();
        if (now - lastReport >= PROGRESS_MS) {
          lastReport = now;
          onProgress(parsed, totalBytes);
        }
      }
    }
  } finally {
    file.destroy();
  }
  const summary = parser.finish();
  onProgress?.(totalBytes, totalBytes);
  return summary;
}
