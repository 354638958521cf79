/*
 * The Python half of tracemalloc (Lib/tracemalloc.py of CPython 3.11): the
 * values a snapshot is made of and the statistics computed from it, with the
 * same names, the same grouping and sorting, and the same text when printed.
 *
 *   Frame          (filename, lineno)
 *   Traceback      frames from the oldest to the most recent (the tracer
 *                  records them most recent first, as _tracemalloc does)
 *   Trace          one live block: domain, size, traceback
 *   Statistic      size and count of the blocks of one traceback / line / file
 *   StatisticDiff  the same between two snapshots
 *   Filter, DomainFilter, Snapshot (filterTraces, statistics, compareTo,
 *   dump, load)
 *
 * Invariants: a Traceback is immutable and its key() identifies it (grouping
 * uses the key where Python uses the tuple's hash and equality); statistics
 * are sorted by (size, count, traceback) descending as _sort_key, and no two
 * compare equal because each has its own traceback, so the order is the same
 * as CPython's whatever order the traces came in.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { InvalidArgumentError, PymemError, describe } from '../../errors.js';

/** One frame of a traceback: where an allocation was made. */
export class Frame {
  constructor(
    readonly filename: string,
    readonly lineno: number,
  ) {}

  /** Frame.__str__: `file:line`. */
  toString(): string {
    return `${this.filename}:${this.lineno}`;
  }

  /** Frame.__repr__. */
  repr(): string {
    return `<Frame filename=${pyStrRepr(this.filename)} lineno=${this.lineno}>`;
  }
}

/** Compares two frames as Python compares (filename, lineno) tuples. */
function compareFrames(a: Frame, b: Frame): number {
  if (a.filename !== b.filename) return a.filename < b.filename ? -1 : 1;
  return a.lineno - b.lineno;
}

/** A sequence of frames, from the oldest to the most recent. */
export class Traceback {
  /** The frames, oldest first. */
  readonly frames: readonly Frame[];
  private keyText: string | null = null;

  /**
   * @param mostRecentFirst frames as the tracer records them (most recent first), reversed here as Traceback.__init__ does
   * @param totalNframe how many frames the stack had, when more than were kept
   */
  constructor(
    mostRecentFirst: readonly Frame[],
    readonly totalNframe: number | null = null,
  ) {
    this.frames = [...mostRecentFirst].reverse();
  }

  get length(): number {
    return this.frames.length;
  }

  /** The identity of the traceback (its frames), for grouping. */
  key(): string {
    return (this.keyText ??= this.frames.map((f) => `${f.lineno}\u0000${f.filename}`).join('\u0001'));
  }

  /** Traceback.__str__: its first frame — the oldest, as Python's self[0]. */
  toString(): string {
    return String(this.frames[0]);
  }

  /** Traceback.__lt__ / __eq__ as tuple comparison. */
  static compare(a: Traceback, b: Traceback): number {
    const n = Math.min(a.frames.length, b.frames.length);
    for (let i = 0; i < n; i++) {
      const c = compareFrames(a.frames[i]!, b.frames[i]!);
      if (c !== 0) return c;
    }
    return a.frames.length - b.frames.length;
  }

  /**
   * Traceback.format(limit, most_recent_first): `  File "f", line n` lines,
   * each followed by its source line when `sourceLine` can give it.
   */
  format(limit: number | null = null, mostRecentFirst = false, sourceLine: (filename: string, lineno: number) => string = readSourceLine): string[] {
    let frames = [...this.frames];
    if (limit !== null) frames = limit > 0 ? frames.slice(-limit) : frames.slice(0, limit);
    if (mostRecentFirst) frames.reverse();
    const lines: string[] = [];
    for (const f of frames) {
      lines.push(`  File "${f.filename}", line ${f.lineno}`);
      const line = sourceLine(f.filename, f.lineno).trim();
      if (line) lines.push(`    ${line}`);
    }
    return lines;
  }
}

/** linecache.getline: the line of a file, or '' when it cannot be read. */
function readSourceLine(filename: string, lineno: number): string {
  try {
    return readFileSync(filename, 'utf8').split('\n')[lineno - 1] ?? '';
  } catch {
    return '';
  }
}

/** A live block as a snapshot holds it (domain, size, traceback). */
export class Trace {
  constructor(
    readonly domain: number,
    readonly size: number,
    readonly traceback: Traceback,
  ) {}

  /** Trace.__str__. */
  toString(): string {
    return `${this.traceback}: ${formatSize(this.size, false)}`;
  }
}

/** The size and count of the blocks grouped under one traceback. */
export class Statistic {
  constructor(
    readonly traceback: Traceback,
    public size: number,
    public count: number,
  ) {}

  /** Statistic.__str__: `file:line: size=1.5 KiB, count=3, average=512 B`. */
  toString(): string {
    let text = `${this.traceback}: size=${formatSize(this.size, false)}, count=${this.count}`;
    if (this.count) text += `, average=${formatSize(this.size / this.count, false)}`;
    return text;
  }

  /** Statistic._sort_key, as a comparison. */
  static compare(a: Statistic, b: Statistic): number {
    return a.size - b.size || a.count - b.count || Traceback.compare(a.traceback, b.traceback);
  }
}

/** A Statistic between an old and a new snapshot. */
export class StatisticDiff {
  constructor(
    readonly traceback: Traceback,
    readonly size: number,
    readonly sizeDiff: number,
    readonly count: number,
    readonly countDiff: number,
  ) {}

  /** StatisticDiff.__str__: `file:line: size=… (+…), count=… (+…), average=…`. */
  toString(): string {
    const sign = this.countDiff >= 0 ? '+' : '';
    let text = `${this.traceback}: size=${formatSize(this.size, false)} (${formatSize(this.sizeDiff, true)}), count=${this.count} (${sign}${this.countDiff})`;
    if (this.count) text += `, average=${formatSize(this.size / this.count, false)}`;
    return text;
  }

  /** StatisticDiff._sort_key, as a comparison. */
  static compare(a: StatisticDiff, b: StatisticDiff): number {
    return (
      Math.abs(a.sizeDiff) - Math.abs(b.sizeDiff) ||
      a.size - b.size ||
      Math.abs(a.countDiff) - Math.abs(b.countDiff) ||
      a.count - b.count ||
      Traceback.compare(a.traceback, b.traceback)
    );
  }
}

/** Filter(inclusive, filename_pattern, lineno, all_frames, domain): traces by where they were allocated. */
export class Filter {
  private readonly pattern: RegExp;

  constructor(
    readonly inclusive: boolean,
    readonly filenamePattern: string,
    readonly lineno: number | null = null,
    readonly allFrames = false,
    readonly domain: number | null = null,
  ) {
    if (typeof filenamePattern !== 'string') throw new InvalidArgumentError(`filename_pattern must be a string, got ${describe(filenamePattern)}`);
    this.pattern = fnmatchRegExp(normalizeFilename(filenamePattern));
  }

  private matchFrameImpl(f: Frame): boolean {
    if (!this.pattern.test(normalizeFilename(f.filename))) return false;
    return this.lineno === null || f.lineno === this.lineno;
  }

  /** Filter._match. */
  match(trace: Trace): boolean {
    let res: boolean;
    const frames = trace.traceback.frames;
    if (this.allFrames) res = frames.some((f) => this.matchFrameImpl(f)) ? this.inclusive : !this.inclusive;
    else {
      // traceback[0] of the tracer's tuple: the most recent frame.
      const f = frames[frames.length - 1];
      res = f !== undefined && this.matchFrameImpl(f) !== !this.inclusive;
    }
    if (this.domain !== null) return this.inclusive ? res && trace.domain === this.domain : res || trace.domain !== this.domain;
    return res;
  }
}

/** DomainFilter(inclusive, domain): traces by allocator domain. */
export class DomainFilter {
  constructor(
    readonly inclusive: boolean,
    readonly domain: number,
  ) {}

  /** DomainFilter._match. */
  match(trace: Trace): boolean {
    return (trace.domain === this.domain) !== !this.inclusive;
  }
}

/** Either kind of filter. */
export type TraceFilter = Filter | DomainFilter;

/** How statistics group traces. */
export type KeyType = 'traceback' | 'filename' | 'lineno';

/** A snapshot of the traces of the live blocks. */
export class Snapshot {
  constructor(
    readonly traces: readonly Trace[],
    readonly tracebackLimit: number,
  ) {}

  /** Snapshot.filter_traces: a new snapshot of the traces the filters keep. */
  filterTraces(filters: readonly TraceFilter[]): Snapshot {
    if (!Array.isArray(filters)) throw new InvalidArgumentError(`filters must be a list of filters, not ${describe(filters)}`);
    if (filters.length === 0) return new Snapshot([...this.traces], this.tracebackLimit);
    const include = filters.filter((f) => f.inclusive);
    const exclude = filters.filter((f) => !f.inclusive);
    const keep = (t: Trace): boolean => (include.length === 0 || include.some((f) => f.match(t))) && !exclude.some((f) => !f.match(t));
    return new Snapshot(this.traces.filter(keep), this.tracebackLimit);
  }

  /** Snapshot._group_by. */
  private groupBy(keyType: KeyType, cumulative: boolean): Map<string, Statistic> {
    if (keyType !== 'traceback' && keyType !== 'filename' && keyType !== 'lineno') {
      throw new InvalidArgumentError(`unknown key_type: ${describe(keyType)}`);
    }
    if (cumulative && keyType === 'traceback') throw new InvalidArgumentError(`cumulative mode cannot by used with key type 'traceback'`);
    const stats = new Map<string, Statistic>();
    const add = (tb: Traceback, size: number): void => {
      const s = stats.get(tb.key());
      if (s === undefined) stats.set(tb.key(), new Statistic(tb, size, 1));
      else {
        s.size += size;
        s.count++;
      }
    };
    const groupOf = (f: Frame): Traceback => new Traceback([keyType === 'lineno' ? f : new Frame(f.filename, 0)]);
    for (const trace of this.traces) {
      const frames = trace.traceback.frames;
      if (!cumulative) {
        if (keyType === 'traceback') add(trace.traceback, trace.size);
        else add(groupOf(frames[frames.length - 1]!), trace.size);
      } else {
        // Every frame of the traceback, each counted once per trace, most recent first.
        for (let i = frames.length - 1; i >= 0; i--) add(groupOf(frames[i]!), trace.size);
      }
    }
    return stats;
  }

  /** Snapshot.statistics(key_type, cumulative): grouped, largest first. */
  statistics(keyType: KeyType, cumulative = false): Statistic[] {
    return [...this.groupBy(keyType, cumulative).values()].sort((a, b) => Statistic.compare(b, a));
  }

  /** Snapshot.compare_to(old_snapshot, key_type, cumulative): what changed since `old`, largest change first. */
  compareTo(old: Snapshot, keyType: KeyType, cumulative = false): StatisticDiff[] {
    const newGroup = this.groupBy(keyType, cumulative);
    const oldGroup = old.groupBy(keyType, cumulative);
    const out: StatisticDiff[] = [];
    for (const [key, s] of newGroup) {
      const prev = oldGroup.get(key);
      oldGroup.delete(key);
      out.push(new StatisticDiff(s.traceback, s.size, s.size - (prev?.size ?? 0), s.count, s.count - (prev?.count ?? 0)));
    }
    for (const s of oldGroup.values()) out.push(new StatisticDiff(s.traceback, 0, -s.size, 0, -s.count));
    return out.sort((a, b) => StatisticDiff.compare(b, a));
  }

  /** Snapshot.dump: writes the snapshot to a file (JSON, where CPython pickles). */
  dump(filename: string): void {
    const traces = this.traces.map((t) => [t.domain, t.size, [...t.traceback.frames].reverse().map((f) => [f.filename, f.lineno]), t.traceback.totalNframe]);
    writeFileSync(filename, JSON.stringify({ format: 'pymem-tracemalloc-snapshot', version: 1, tracebackLimit: this.tracebackLimit, traces }));
  }

  /** Snapshot.load: a snapshot written by dump. */
  static load(filename: string): Snapshot {
    let data: { format?: unknown; tracebackLimit?: unknown; traces?: unknown };
    try {
      data = JSON.parse(readFileSync(filename, 'utf8'));
    } catch (e) {
      throw new SnapshotFormatError(`${filename} is not a tracemalloc snapshot: ${(e as Error).message}`);
    }
    if (data?.format !== 'pymem-tracemalloc-snapshot' || !Array.isArray(data.traces) || typeof data.tracebackLimit !== 'number') {
      throw new SnapshotFormatError(`${filename} is not a tracemalloc snapshot written by Snapshot.dump`);
    }
    const traces = (data.traces as [number, number, [string, number][], number | null][]).map(
      ([domain, size, frames, total]) => new Trace(domain, size, new Traceback(frames.map(([f, l]) => new Frame(f, l)), total)),
    );
    return new Snapshot(traces, data.tracebackLimit);
  }
}

/** A file given to Snapshot.load that Snapshot.dump did not write. */
export class SnapshotFormatError extends PymemError {}

/**
 * _format_size(size, sign): `512 B`, `1.5 KiB`, `+10 MiB` — three or four
 * digits, printed as Python's `%.1f` / `%.0f` do (round half to even).
 */
export function formatSize(size: number, sign: boolean): string {
  for (const unit of ['B', 'KiB', 'MiB', 'GiB', 'TiB']) {
    if (Math.abs(size) < 100 && unit !== 'B') return `${formatFixed(size, 1, sign)} ${unit}`;
    if (Math.abs(size) < 10 * 1024 || unit === 'TiB') return `${formatFixed(size, 0, sign)} ${unit}`;
    size /= 1024;
  }
  throw new Error('unreachable');
}

/**
 * Python's `%.{digits}f` (with `+` when `sign`): the double's exact value
 * rounded half to even, where JavaScript's toFixed rounds exact halves up.
 */
function formatFixed(x: number, digits: number, sign: boolean): string {
  const scale = 10 ** digits;
  const scaled = x * scale;
  let text = x.toFixed(digits);
  if (Number.isFinite(scaled) && Math.abs(scaled - Math.trunc(scaled)) === 0.5 && scaled / scale === x) {
    // An exact tie: the even neighbour.
    const down = Math.trunc(scaled);
    const even = down % 2 === 0 ? down : down + Math.sign(scaled);
    text = (even / scale).toFixed(digits);
    if (even === 0 && x < 0) text = `-${text}`;
  }
  return sign && !text.startsWith('-') ? `+${text}` : text;
}

/** _normalize_filename (os.path.normcase is the identity on POSIX). */
function normalizeFilename(filename: string): string {
  return filename.endsWith('.pyc') ? filename.slice(0, -1) : filename;
}

/** fnmatch.translate: `*`, `?`, `[seq]`, `[!seq]`, everything else literal; the whole name must match. */
export function fnmatchRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j++;
      if (j >= pattern.length) re += '\\[';
      else {
        let body = pattern.slice(i + 1, j).replace(/\\/g, '\\\\').replace(/]/g, '\\]');
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        else if (body.startsWith('^')) body = `\\${body}`;
        re += `[${body}]`;
        i = j;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

/** repr() of a str as Python prints short ASCII-safe names: single quotes unless the text has one. */
function pyStrRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  return q + s.replace(/\\/g, '\\\\').replace(new RegExp(q, 'g'), `\\${q}`) + q;
}
