/*
 * `pymem run --report`: where the program's objects live when it exits,
 * before finalization. LiveBlocks hooks the OBJ and RAW domains from the
 * moment the heap is built (HeapOptions.onCreate), so it knows every live
 * PyObject_Malloc block and every raw block; the report finds the object in
 * each OBJ block (at the block's start, or after its pre-header: the
 * PyGC_Head, the managed-dict pre-header) by its ob_type word, and counts
 * live objects (refcount > 0, so free-list entries are left out) by type,
 * with the bytes sys.getsizeof gives them; then pymalloc's arenas, pools
 * and bytes, the raw allocator's bytes, and the process's RSS.
 *
 * Invariants: `obj` holds exactly the OBJ-domain blocks live since the heap
 * was built; `raw` maps exactly the live RAW-domain blocks to their sizes.
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
  /** Live PyObject_Malloc blocks. */
  readonly obj = new Set<number>();
  /** Live raw blocks and their sizes in bytes. */
  readonly raw = new Map<number, number>();

  /** Installs the hooks over what the heap's OBJ and RAW domains use now. */
  constructor(heap: Heap) {
    const obj = heap.getAllocator(Domain.OBJ);
    heap.setAllocator(Domain.OBJ, this.hook(obj, (p) => this.obj.add(p), (p) => this.obj.delete(p)));
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
}

/** The live objects of the interpreter's heap by type, most bytes first. */
export function liveObjectsByType(interp: Interpreter, blocks: LiveBlocks): TypeCount[] {
  const rt = interp.rt;
  const rows = new Map<string, { count: number; bytes: number }>();
  for (const b of blocks.obj) {
    for (const off of OBJECT_OFFSETS) {
      const op = b + off;
      const t = rt.typeOrNull(op);
      if (t === null || preHeaderBytes(t) !== off || rt.refcnt(op) <= 0) continue;
      const row = rows.get(t.name) ?? { count: 0, bytes: 0 };
      row.count++;
      row.bytes += interp.getsizeof(op);
      rows.set(t.name, row);
      break;
    }
  }
  return [...rows].map(([type, r]) => ({ type, ...r })).sort((a, b) => b.bytes - a.bytes || a.type.localeCompare(b.type));
}

/** The report `pymem run --report` prints at exit. */
export function formatRunReport(interp: Interpreter, blocks: LiveBlocks): string {
  const rows = liveObjectsByType(interp, blocks);
  const width = Math.max(20, ...rows.map((r) => r.type.length));
  const line = (a: string, b: string, c: string): string => `${a.padEnd(width)} ${b.padStart(9)} ${c.padStart(12)}\n`;
  let out = 'live objects at exit, before finalization (bytes as sys.getsizeof counts them):\n';
  out += line('type', 'count', 'bytes');
  for (const r of rows) out += line(r.type, String(r.count), String(r.bytes));
  out += line('total', String(rows.reduce((s, r) => s + r.count, 0)), String(rows.reduce((s, r) => s + r.bytes, 0)));
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
