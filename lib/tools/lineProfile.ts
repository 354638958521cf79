/*
 * Line-by-line memory, as memory_profiler (0.61) measures and prints it, with
 * two exact columns beside its RSS: pymalloc bytes in use (the blocks of
 * live pymalloc blocks, `# bytes in allocated blocks`) and raw bytes in use
 * (the live requests that went to the raw allocator: item arrays, big
 * strings, dict tables …).
 *
 * HeapBytes keeps the two exact counts by hooks on the heap's domains, from
 * the moment it is built. LineProfile is memory_profiler's LineProfiler and
 * CodeMap: fed 'call', 'line' and 'return' events of code objects (numbers
 * here; whoever runs the code gives them), it measures at each event and
 * charges the line that just ran —
 *
 *   CodeMap.trace(code, lineno, prev_lineno):
 *     inc[lineno] += memory - mem[prev_lineno]     (the line before it ran)
 *     mem[lineno]  = max(mem[lineno], memory)      (after it ran, highest)
 *     occ[lineno] += 1
 *
 * — and show_results prints each top-level block (a decorated function, or
 * a whole file) line by line.
 *
 * Invariants: HeapBytes.pymalloc == the sum of the block sizes of the live
 * pymalloc blocks of MEM and OBJ; HeapBytes.raw == the sum of the sizes of
 * the live RAW-domain blocks. Every code object of LineProfile belongs to one
 * top-level block; the lines of a block share one measures map.
 */
import { Domain, type MemAllocator } from '../allocator/domains.js';
import type { Heap } from '../allocator/heap.js';

/** The pymalloc and raw bytes in use of one heap, kept by domain hooks. */
export class HeapBytes {
  /** Bytes of the live pymalloc blocks (block sizes, not requests). */
  pymalloc = 0;
  /** Bytes requested by the live raw blocks. */
  raw = 0;
  private readonly rawSizes = new Map<number, number>();

  /** Installs the hooks over what the heap's domains use now (call it from HeapOptions.onCreate to see every block). */
  constructor(heap: Heap) {
    const raw = heap.getAllocator(Domain.RAW);
    heap.setAllocator(Domain.RAW, this.rawHook(raw));
    for (const d of [Domain.MEM, Domain.OBJ]) heap.setAllocator(d, this.pymallocHook(heap, heap.getAllocator(d)));
  }

  private rawHook(inner: MemAllocator): MemAllocator {
    const sizes = this.rawSizes;
    const add = (p: number, n: number): number => {
      if (p !== 0) {
        sizes.set(p, n);
        this.raw += n;
      }
      return p;
    };
    // A freed block's size is set to 0, not deleted (V8's Map shrinks on deletes: O(size) operations under churn).
    const drop = (p: number): void => {
      this.raw -= sizes.get(p) ?? 0;
      sizes.set(p, 0);
    };
    return {
      malloc: (n) => add(inner.malloc(n), n),
      calloc: (k, n) => add(inner.calloc(k, n), k * n),
      realloc: (p, n) => {
        const q = inner.realloc(p, n);
        if (q !== 0) {
          if (p !== 0) drop(p);
          add(q, n);
        }
        return q;
      },
      free: (p) => {
        inner.free(p);
        if (p !== 0) drop(p);
      },
    };
  }

  private pymallocHook(heap: Heap, inner: MemAllocator): MemAllocator {
    const pm = heap.pymalloc;
    // The block size of a live pymalloc block, 0 for a raw one (pymalloc's fall-back, counted by the RAW hook).
    const blockSize = (p: number): number => {
      const c = pm.sizeClassOf(p);
      return c < 0 ? 0 : pm.index2size(c);
    };
    const added = (p: number): number => {
      if (p !== 0) this.pymalloc += blockSize(p);
      return p;
    };
    return {
      malloc: (n) => added(inner.malloc(n)),
      calloc: (k, n) => added(inner.calloc(k, n)),
      realloc: (p, n) => {
        const old = p !== 0 ? blockSize(p) : 0;
        const q = inner.realloc(p, n);
        if (q !== 0) {
          this.pymalloc -= old;
          added(q);
        }
        return q;
      },
      free: (p) => {
        if (p !== 0) this.pymalloc -= blockSize(p);
        inner.free(p);
      },
    };
  }
}

/** What is measured at each event: RSS (MiB), pymalloc bytes, raw bytes. */
export type Measures = readonly [rssMiB: number, pymalloc: number, raw: number];

/** CodeMap's value of one line: increments, highest value after it ran, how many times it ran. */
interface LineEntry {
  readonly inc: number[];
  readonly mem: number[];
  occ: number;
}

/** A top-level block: a decorated function with its source lines, or a whole file. */
interface Toplevel {
  readonly filename: string;
  /** The file's lines, each with its newline (linecache.getlines). */
  readonly lines: readonly string[];
  readonly first: number;
  readonly last: number;
  readonly measures: Map<number, LineEntry>;
}

/** memory_profiler's LineProfiler over code objects named by numbers. */
export class LineProfile {
  private readonly codeMap = new Map<number, Toplevel>();
  private readonly toplevels: Toplevel[] = [];
  /** The line each active profiled frame is on (LineProfiler.prevlines). */
  private readonly prevlines: number[] = [];
  private prevLineno: number | null = null;

  constructor(private readonly measure: () => Measures) {}

  /** Whether code belongs to a block of this profile. */
  has(code: number): boolean {
    return this.codeMap.has(code);
  }

  /**
   * CodeMap.add for a top-level code object: a block of lines first..last of
   * `source` (the file), which its nested code objects join through addCode.
   * Returns false if code is already in the profile.
   */
  addToplevel(code: number, filename: string, source: string, first: number, last: number): boolean {
    if (this.codeMap.has(code)) return false;
    const lines = source.split('\n').map((l) => `${l}\n`);
    if (source.endsWith('\n')) lines.pop();
    const top: Toplevel = { filename, lines, first, last, measures: new Map() };
    this.toplevels.push(top);
    this.codeMap.set(code, top);
    return true;
  }

  /** CodeMap.add for a code object nested in `parent`'s block (co_consts): it shares the block's lines. */
  addCode(code: number, parent: number): void {
    const top = this.codeMap.get(parent);
    if (top !== undefined && !this.codeMap.has(code)) this.codeMap.set(code, top);
  }

  /** A 'call' event: the frame's line is saved, nothing measured. */
  call(code: number, lineno: number): void {
    if (!this.codeMap.has(code)) return;
    this.prevlines.push(lineno);
  }

  /** A 'line' event: the line the frame was on is charged, and the frame moves to lineno. */
  line(code: number, lineno: number): void {
    if (!this.codeMap.has(code)) return;
    if (this.prevlines.length === 0) this.prevlines.push(lineno);
    const current = this.prevlines[this.prevlines.length - 1]!;
    this.trace(code, current, this.prevLineno);
    this.prevLineno = current;
    this.prevlines[this.prevlines.length - 1] = lineno;
  }

  /** A 'return' event (a return, a yield, an exception leaving the frame): its last line is charged. */
  return(code: number): void {
    if (!this.codeMap.has(code) || this.prevlines.length === 0) return;
    const lineno = this.prevlines.pop()!;
    this.trace(code, lineno, this.prevLineno);
    this.prevLineno = lineno;
  }

  /** CodeMap.trace. */
  private trace(code: number, lineno: number, prevLineno: number | null): void {
    const memory = this.measure();
    const measures = this.codeMap.get(code)!.measures;
    const prev = measures.get(lineno);
    const prevLine = prevLineno ? measures.get(prevLineno) : undefined;
    const entry: LineEntry = {
      inc: memory.map((m, k) => (prev?.inc[k] ?? 0) + (m - (prevLine?.mem[k] ?? 0))),
      mem: memory.map((m, k) => Math.max(m, prev?.mem[k] ?? 0)),
      occ: (prev?.occ ?? 0) + 1,
    };
    measures.set(lineno, entry);
  }

  /** Whether any block has a measurement. */
  get measured(): boolean {
    return this.toplevels.some((t) => t.measures.size > 0);
  }

  /**
   * show_results(prof, precision): for each block with measurements,
   * `Filename: …`, the header, and one row per line of the block — memory
   * (MiB, `precision` decimals), increment, occurrences, then pymalloc and
   * raw bytes in use after the line with their increments, then the line.
   */
  format(precision = 1): string {
    let out = '';
    const template = (cells: readonly string[], line: string): string =>
      `${cells[0]!.padStart(6)} ${cells[1]!.padStart(12)} ${cells[2]!.padStart(12)}  ${cells[3]!.padStart(10)}  ${cells[4]!.padStart(26)}  ${cells[5]!.padStart(26)}   ${line}`;
    const mib = (x: number): string => `${x.toFixed(precision).padStart(precision + 4)} MiB`;
    const bytes = (inUse: number, inc: number): string => `${groupDigits(inUse)} (${inc >= 0 ? '+' : '-'}${groupDigits(Math.abs(inc))})`;
    for (const top of this.toplevels) {
      if (top.measures.size === 0) continue;
      const header = template(['Line #', 'Mem usage', 'Increment', 'Occurrences', 'pymalloc B (increment)', 'raw B (increment)'], 'Line Contents');
      out += `Filename: ${top.filename}\n\n${header}\n${'='.repeat(header.length)}\n`;
      for (let lineno = top.first; lineno <= top.last; lineno++) {
        const m = top.measures.get(lineno);
        const cells = m === undefined ? ['', '', '', '', ''] : [mib(m.mem[0]!), mib(m.inc[0]!), String(m.occ), bytes(m.mem[1]!, m.inc[1]!), bytes(m.mem[2]!, m.inc[2]!)];
        out += template([String(lineno), ...cells], top.lines[lineno - 1] ?? '\n');
      }
      out += '\n\n';
    }
    return out;
  }
}

/** 12345678 as "12,345,678". */
function groupDigits(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
