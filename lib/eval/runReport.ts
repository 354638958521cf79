/*
 * `pymem run --report`: where the program's objects live when it exits,
 * before finalization. LiveBlocks hooks the OBJ and RAW domains from the
 * moment the heap is built (HeapOptions.onCreate), so it knows every live
 * PyObject_Malloc block and every raw block; the report finds the object in
 * each OBJ block (at the block's start, or after its pre-header: the
 * PyGC_Head, the managed-dict pre-header) by its ob_type word, and counts
 * live objects (refcount > 0, so free-list entries are left out) by type,
 * with the bytes sys.getsizeof gives them, and how many of them the
 * program made (allocated after the interpreter was set up: markProgram);
 * where the program's objects live (block, pool, arena); then pymalloc's
 * arenas, pools and bytes, the raw allocator's bytes, and the process's RSS.
 *
 * Invariants: `obj` holds exactly the OBJ-domain blocks live since the heap
 * was built, each with its allocation's serial number; `raw` maps exactly
 * the live RAW-domain blocks to their sizes.
 */
import { Domain, type MemAllocator } from '../allocator/domains.js';
import type { Heap } from '../allocator/heap.js';
import { processMemory } from '../allocator/osMemory.js';
import type { Interpreter } from '../objects/interpreter.js';
import { preHeaderBytes } from '../objects/type.js';

/** Where an object may start in its block: no pre-header, PyGC_Head, PyGC_Head + managed-dict pre-header. */
const OBJECT_OFFSETS = [0, 16, 32];

/** The live OBJ and RAW blocks of one heap, kept by hooks on those domains. */
export class LiveBlocks {
  /** Live PyObject_Malloc blocks, each with the serial number of its allocation. */
  readonly obj = new Map<number, number>();
  /** Live raw blocks and their sizes in bytes. */
  readonly raw = new Map<number, number>();
  /** Serial number of the next OBJ allocation. */
  private serial = 0;
  /** Serial of the program's first allocation (Infinity: the program has not started). */
  programStart = Infinity;

  /** Installs the hooks over what the heap's OBJ and RAW domains use now. */
  constructor(heap: Heap) {
    const obj = heap.getAllocator(Domain.OBJ);
    heap.setAllocator(Domain.OBJ, this.hook(obj, (p) => this.obj.set(p, this.serial++), (p) => this.obj.delete(p)));
    const raw = heap.getAllocator(Domain.RAW);
    let size = 0;
    const rawHook = this.hook(
      raw,
      (p) => this.raw.set(p, size),
      (p) => this.raw.delete(p),
    );
    heap.setAllocator(Domain.RAW, {
      malloc: (n) => ((size = n), rawHook.malloc(n)),
      calloc: (k, n) => ((size = k * n), rawHook.calloc(k, n)),
      realloc: (p, n) => ((size = n), rawHook.realloc(p, n)),
      free: (p) => rawHook.free(p),
    });
  }

  /** From now on, allocations are the program's (after the interpreter's own set-up). */
  markProgram(): void {
    this.programStart = this.serial;
  }

  private hook(inner: MemAllocator, add: (p: number) => void, remove: (p: number) => void): MemAllocator {
    return {
      malloc: (n) => {
        const p = inner.malloc(n);
        if (p !== 0) add(p);
        return p;
      },
      calloc: (k, n) => {
        const p = inner.calloc(k, n);
        if (p !== 0) add(p);
        return p;
      },
      realloc: (ptr, n) => {
        const p = inner.realloc(ptr, n);
        if (p !== 0) {
          if (ptr !== 0) remove(ptr);
          add(p);
        }
        return p;
      },
      free: (ptr) => {
        inner.free(ptr);
        if (ptr !== 0) remove(ptr);
      },
    };
  }
}

/** One row of the report: a type's live objects. */
export interface TypeCount {
  readonly type: string;
  readonly count: number;
  /** The sum of sys.getsizeof over them. */
  readonly bytes: number;
  /** How many of them the program made (the rest are the interpreter's: builtins, modules, interned names). */
  readonly byProgram: number;
}

/** A live object the program made, and the memory it sits in. */
export interface ProgramObject {
  readonly address: number;
  readonly type: string;
  readonly size: number;
  readonly refcnt: number;
  /** Its pymalloc block's size (its size class), and where that block is. */
  readonly blockSize: number;
  readonly arena: number;
  readonly pool: number;
}

/** Each live object of the OBJ blocks (at the block's start or after its pre-header) with its block and serial. */
function* liveObjects(interp: Interpreter, blocks: LiveBlocks): Generator<{ op: number; block: number; serial: number }> {
  const rt = interp.rt;
  for (const [b, serial] of blocks.obj) {
    for (const off of OBJECT_OFFSETS) {
      const op = b + off;
      const t = rt.typeOrNull(op);
      if (t === null || preHeaderBytes(t) !== off || rt.refcnt(op) <= 0) continue;
      yield { op, block: b, serial };
      break;
    }
  }
}

/** The live objects of the interpreter's heap by type, most bytes first. */
export function liveObjectsByType(interp: Interpreter, blocks: LiveBlocks): TypeCount[] {
  const rt = interp.rt;
  const rows = new Map<string, { count: number; bytes: number; byProgram: number }>();
  for (const { op, serial } of liveObjects(interp, blocks)) {
    const name = rt.typeOf(op).name;
    const row = rows.get(name) ?? { count: 0, bytes: 0, byProgram: 0 };
    row.count++;
    row.bytes += interp.getsizeof(op);
    if (serial >= blocks.programStart) row.byProgram++;
    rows.set(name, row);
  }
  return [...rows].map(([type, r]) => ({ type, ...r })).sort((a, b) => b.bytes - a.bytes || a.type.localeCompare(b.type));
}

/** The live objects the program made, by address: each with its block's size class, pool and arena. */
export function programObjects(interp: Interpreter, blocks: LiveBlocks): ProgramObject[] {
  const rt = interp.rt;
  const pm = rt.heap.pymalloc;
  const out: ProgramObject[] = [];
  for (const { op, block, serial } of liveObjects(interp, blocks)) {
    if (serial < blocks.programStart) continue;
    const where = pm.arenaOf(block);
    if (where === null) continue;
    const poolSize = pm.profile.poolSize;
    out.push({
      address: rt.heap.addressOf(op),
      type: rt.typeOf(op).name,
      size: interp.getsizeof(op),
      refcnt: rt.refcnt(op),
      blockSize: (pm.sizeClassOf(block) + 1) << pm.profile.alignmentShift,
      arena: where.arena.index,
      pool: Math.floor((where.offset - where.arena.firstPool) / poolSize),
    });
  }
  return out.sort((a, b) => a.address - b.address);
}

/** How many of the program's objects the report lists one by one. */
const LISTED = 12;

/** The report `pymem run --report` prints at exit. */
export function formatRunReport(interp: Interpreter, blocks: LiveBlocks): string {
  const rows = liveObjectsByType(interp, blocks);
  const width = Math.max(20, ...rows.map((r) => r.type.length));
  const line = (a: string, b: string, c: string, d: string): string => `${a.padEnd(width)} ${b.padStart(9)} ${c.padStart(12)} ${d.padStart(12)}
`;
  let out = 'live objects at exit, before finalization (bytes as sys.getsizeof counts them):\n';
  out += line('type', 'count', 'bytes', 'by program');
  for (const r of rows) out += line(r.type, String(r.count), String(r.bytes), String(r.byProgram));
  const sum = (f: (r: TypeCount) => number): string => String(rows.reduce((n, r) => n + f(r), 0));
  out += line('total', sum((r) => r.count), sum((r) => r.bytes), sum((r) => r.byProgram));
  out += '(the rest are the interpreter\'s own: builtins, modules, method descriptors, interned names)\n';
  const objs = programObjects(interp, blocks);
  if (objs.length > 0) {
    out += `\nwhere the program's objects live${objs.length > LISTED ? ` (the first ${LISTED} of ${objs.length}, by address)` : ''}`;
    out += ' (block: the size class of the object\'s own block; a list\'s items or a dict\'s table are blocks of their own):\n';
    const tw = Math.max(4, ...objs.slice(0, LISTED).map((o) => o.type.length));
    out += `  ${'address'.padEnd(14)} ${'type'.padEnd(tw)} ${'getsizeof'.padStart(9)} ${'refcnt'.padStart(6)}  block  pool  arena\n`;
    for (const o of objs.slice(0, LISTED)) {
      out += `  ${`0x${o.address.toString(16)}`.padEnd(14)} ${o.type.padEnd(tw)} ${String(o.size).padStart(9)} ${String(o.refcnt).padStart(6)}  ${String(o.blockSize).padStart(5)}  ${String(o.pool).padStart(4)}  ${String(o.arena).padStart(5)}\n`;
    }
  }
  const s = interp.rt.heap.debugMallocStats();
  const pools = s.classes.reduce((n, c) => n + c.numPools, 0);
  const rawBytes = [...blocks.raw.values()].reduce((n, v) => n + v, 0);
  out += '\nheap:\n';
  out += `  arenas in use          ${s.arenasAllocatedCurrent} (${s.arenasAllocatedCurrent * (s.arenaSize >> 10)} KiB mapped)\n`;
  out += `  pools in use           ${pools} of ${s.arenasAllocatedCurrent * (s.arenaSize / s.poolSize)} (${s.poolSize >> 10} KiB each)\n`;
  out += `  pymalloc bytes         ${s.bytesInAllocatedBlocks} in allocated blocks, ${s.bytesInAvailableBlocks} in free blocks\n`;
  out += `  raw bytes              ${rawBytes} in ${blocks.raw.size} blocks (malloc)\n`;
  out += `  RSS                    ${(processMemory().rss / (1 << 20)).toFixed(1)} MiB (the whole Node process)\n`;
  return out;
}
