/*
 * Writing a heap's allocation stream as a pymtrace v2 trace
 * (../shared/cpython/traces/FORMAT.md), as the recorder that embeds CPython
 * writes it: hooks on the MEM and OBJ domains log every call in one stream
 * (`m`, `c`, `r`, `f` with ids and the returned address), pymalloc's arena
 * maps and unmaps follow the request that caused them (`A`, `U`), and the
 * trailer counts what was written. A program run on pymem — JavaScript over
 * the Heap API, or Python under `pymem run` — thus gives a trace that
 * `pymem replay` checks and `pymem compare` replays under other allocators.
 *
 * Ids as the recorder hands them out: a dead block's id goes on a LIFO free
 * list, a new block takes the most recently freed id, else max_id + 1; a
 * moving realloc takes its new id before the old one is released. A pointer
 * never seen (a block allocated before start) is written `?HEXADDR`.
 *
 * Invariants: `ids` maps exactly the live blocks allocated since start();
 * the A/U lines of a call are held until that call's own line is written;
 * `events` counts the non-comment lines written.
 */
import { closeSync, createWriteStream, openSync, writeSync } from 'node:fs';
import { createGzip, gzipSync } from 'node:zlib';
import { Domain, type MemAllocator } from '../allocator/domains.js';
import type { Heap } from '../allocator/heap.js';
import { InvalidArgumentError, PymemError } from '../errors.js';
import { PointerTable } from './pointerTable.js';

const hex = (address: number): string => address.toString(16);

/** Where the lines go. */
export interface TraceSink {
  write(text: string): void;
  /** Called once, after the trailer. */
  end(): Promise<void> | void;
}

/** The hooks that write one heap's MEM/OBJ calls as a trace. */
export class TraceWriter {
  private readonly ids = new PointerTable();
  private readonly freeIds: number[] = [];
  private maxId = -1;
  private events = 0;
  private unknown = 0;
  private pendingArenaLines: string[] = [];
  private saved: MemAllocator[] | null = null;
  private readonly started = process.hrtime.bigint();
  private buffer: string[] = [];

  constructor(
    private readonly heap: Heap,
    private readonly sink: TraceSink,
    /** What the first line names as the script. */
    script = '<pymem>',
  ) {
    if (heap.profile.arenaSize !== 1 << 20 || heap.profile.poolSize !== 1 << 14) {
      throw new InvalidArgumentError(`a pymtrace trace is of 1 MiB arenas and 16 KiB pools (the cpython311 profile); this heap's profile is ${heap.profile.name}`);
    }
    this.buffer.push(`# pymtrace v2 python=3.11.7 script=${script}\n`);
    heap.pymalloc.arenaListeners.push((event, arena) => {
      if (this.saved !== null) this.pendingArenaLines.push(`${event === 'map' ? 'A' : 'U'} ${hex(arena.address)}\n`);
    });
  }

  /** Installs the hooks on MEM and OBJ (PyMem_SetAllocator over what is there). */
  start(): void {
    if (this.saved !== null) throw new TraceWriterError('the trace writer is already writing');
    this.saved = [this.heap.getAllocator(Domain.MEM), this.heap.getAllocator(Domain.OBJ)];
    this.heap.setAllocator(Domain.MEM, this.hook(this.saved[0]!));
    this.heap.setAllocator(Domain.OBJ, this.hook(this.saved[1]!));
  }

  /** Puts the saved allocators back and writes the trailer; resolves when the sink has everything. */
  async stop(): Promise<void> {
    this.finish();
    await this.sink.end();
  }

  /** stop() up to the sink's end(), which is then the caller's to call (for a synchronous sink). */
  finish(): void {
    if (this.saved === null) throw new TraceWriterError('the trace writer was not started');
    this.heap.setAllocator(Domain.MEM, this.saved[0]!);
    this.heap.setAllocator(Domain.OBJ, this.saved[1]!);
    this.saved = null;
    const seconds = Number(process.hrtime.bigint() - this.started) / 1e9;
    this.buffer.push(`# end events=${this.events} vmem_comments=0 unknown_ptr=${this.unknown} live_ids=${this.ids.size} max_id=${this.maxId} seconds=${seconds.toFixed(3)}\n`);
    this.flush();
  }

  private line(text: string): void {
    this.buffer.push(text);
    this.events++;
    for (const a of this.pendingArenaLines) {
      this.buffer.push(a);
      this.events++;
    }
    this.pendingArenaLines = [];
    if (this.buffer.length >= 4096) this.flush();
  }

  private flush(): void {
    this.sink.write(this.buffer.join(''));
    this.buffer = [];
  }

  private newId(p: number): number {
    const id = this.freeIds.length > 0 ? this.freeIds.pop()! : ++this.maxId;
    this.ids.set(p, id);
    return id;
  }

  private release(p: number): void {
    const id = this.ids.delete(p);
    if (id >= 0) this.freeIds.push(id);
  }

  private idText(p: number): string {
    const id = this.ids.get(p);
    if (id >= 0) return String(id);
    this.unknown++;
    return `?${hex(this.heap.addressOf(p))}`;
  }

  private hook(inner: MemAllocator): MemAllocator {
    return {
      malloc: (size) => {
        const p = inner.malloc(size);
        this.line(p === 0 ? `m - ${size}\n` : `m ${this.newId(p)} ${size} ${hex(this.heap.addressOf(p))}\n`);
        return p;
      },
      calloc: (nelem, elsize) => {
        const p = inner.calloc(nelem, elsize);
        this.line(p === 0 ? `c - ${nelem} ${elsize}\n` : `c ${this.newId(p)} ${nelem} ${elsize} ${hex(this.heap.addressOf(p))}\n`);
        return p;
      },
      realloc: (ptr, size) => {
        const old = ptr === 0 ? '-' : this.idText(ptr);
        const p = inner.realloc(ptr, size);
        if (p === 0) this.line(`r ${old} - ${size}\n`);
        else if (p === ptr) this.line(`r ${old} ${old} ${size} ${hex(this.heap.addressOf(p))}\n`);
        else {
          const id = this.newId(p);
          if (ptr !== 0) this.release(ptr);
          this.line(`r ${old} ${id} ${size} ${hex(this.heap.addressOf(p))}\n`);
        }
        return p;
      },
      free: (ptr) => {
        const id = ptr === 0 ? '-' : this.idText(ptr);
        inner.free(ptr);
        if (ptr !== 0) this.release(ptr);
        this.line(`f ${id}\n`);
      },
    };
  }
}

/** The trace writer used the wrong way round (stopped before started, started twice). */
export class TraceWriterError extends PymemError {}

/** A sink writing to a file, gzip'd when its name ends in `.gz`. */
export function fileSink(path: string): TraceSink {
  if (!path.endsWith('.gz')) {
    const out = createWriteStream(path);
    return { write: (t) => void out.write(t), end: () => new Promise((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res()))) };
  }
  const gz = createGzip();
  const out = createWriteStream(path);
  gz.pipe(out);
  return {
    write: (t) => void gz.write(t),
    end: () =>
      new Promise((res, rej) => {
        out.on('finish', () => res());
        out.on('error', rej);
        gz.end();
      }),
  };
}

/** A sink that keeps the text (for tests and small programs). */
export function stringSink(): TraceSink & { text(): string } {
  const parts: string[] = [];
  return { write: (t) => void parts.push(t), end: () => {}, text: () => parts.join('') };
}

/**
 * A sink writing to a file synchronously (for a caller that cannot await, as
 * `pymem run` is): with a `.gz` name each flush of lines is one gzip member,
 * which gunzip (and the trace reader) reads as one stream.
 */
export function syncFileSink(path: string): TraceSink {
  const fd = openSync(path, 'w');
  const gz = path.endsWith('.gz');
  return {
    write: (t) => void (gz ? writeSync(fd, gzipSync(t)) : writeSync(fd, t)),
    end: () => closeSync(fd),
  };
}
