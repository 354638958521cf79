/**
 * The recorded placement of a trace, one entry per binary record, for the
 * `cpython` contestant's check run (native/replayer.cc --placement): where
 * CPython put each block (arena ordinal, offset in the arena) and which arena
 * maps/unmaps each request caused.  A replay of the real obmalloc that
 * matches it everywhere took every free-list, pool-ring and arena-order
 * decision as the recorded process did.
 *
 * File layout (little-endian), `NAME-HASH.pympl` beside the binary trace in
 * the cache:
 *
 *     0   u8[8] magic "PYMBPL01"      8   u32 header bytes (32)    12  u32 record bytes (12)
 *     16  f64   records (== the binary trace's)
 *     24  u32   arenas (A lines)       28  u32 pool size (16384)
 *     32  records × { u32 arena ordinal + 1 (0: raw block, or a free)   u32 offset in that arena
 *                     u16 A lines after it                             u16 U lines after it }
 *     …   arenas × u32: each recorded arena's address mod the pool size (its alignment)
 *
 * Invariants: records follow the binary trace's rules exactly (binaryTrace.ts:
 * failed allocations are skipped, A/U lines are no records), so record i here
 * is record i there; an `A`/`U` line belongs to the request before it
 * (FORMAT.md "Ordering"), so a block is placed only once the lines after its
 * request have been read; a block is in an arena iff its address lies in a
 * live recorded arena's [address, address + 1 MiB).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BinaryTraceError, cacheKey, defaultCacheDir } from '../binaryTrace.js';
import { EventKind, type TraceBatch, readTrace } from '../traceReader.js';

/** First 8 bytes of a placement file (the version is in them). */
export const PLACEMENT_MAGIC = 'PYMBPL01';
/** Bytes before the first record. */
export const PLACEMENT_HEADER_BYTES = 32;
/** Bytes per record (native/replayer.cc's PlacementRecord). */
export const PLACEMENT_RECORD_BYTES = 12;
/** Arena and pool sizes of the traces' recorder (64-bit CPython 3.11). */
const ARENA_SIZE = 1 << 20;
const POOL_SIZE = 1 << 14;

/** A trace's recorded placement, decoded. */
export interface Placement {
  records: number;
  /** Per record: arena ordinal + 1, or 0 (raw block, or no block). */
  arena: Uint32Array;
  /** Per record: offset of the block in its arena. */
  offset: Uint32Array;
  /** Per record: arenas mapped / unmapped right after it. */
  maps: Uint16Array;
  unmaps: Uint16Array;
  /** Per arena ordinal: its address mod POOL_SIZE. */
  misalign: Uint32Array;
}

/** A live recorded arena. */
interface Arena {
  address: number;
  ordinal: number;
}

/**
 * Reads the placement out of a pymtrace trace (text or gzip'd).  Returns
 * null for a v1 trace (no block addresses: nothing to check against).
 */
export async function readPlacement(tracePath: string): Promise<Placement | null> {
  let cap = 1 << 16;
  let arena = new Uint32Array(cap);
  let offset = new Uint32Array(cap);
  let maps = new Uint16Array(cap);
  let unmaps = new Uint16Array(cap);
  const misalign: number[] = [];
  let n = 0;
  // Live arenas by 1 MiB slot of any address they cover.
  const bySlot = new Map<number, Arena[]>();
  const slotsOf = (a: number): number[] => [Math.floor(a / ARENA_SIZE), Math.floor((a + ARENA_SIZE - 1) / ARENA_SIZE)];
  const arenaAt = (addr: number): Arena | undefined =>
    bySlot.get(Math.floor(addr / ARENA_SIZE))?.find((a) => addr >= a.address && addr < a.address + ARENA_SIZE);
  // The record whose block is placed once the A/U lines after it are read.
  let pending = -1;
  let pendingAddress = NaN;
  const settle = (): void => {
    if (pending >= 0 && !Number.isNaN(pendingAddress)) {
      const a = arenaAt(pendingAddress);
      if (a !== undefined) {
        arena[pending] = a.ordinal + 1;
        offset[pending] = pendingAddress - a.address;
      }
    }
    pending = -1;
  };
  const push = (address: number): void => {
    settle();
    if (n === cap) {
      cap *= 2;
      arena = grow(arena, cap);
      offset = grow(offset, cap);
      maps = grow(maps, cap);
      unmaps = grow(unmaps, cap);
    }
    pending = n++;
    pendingAddress = address;
  };
  const onBatch = (b: TraceBatch): void => {
    for (let i = 0; i < b.length; i++) {
      switch (b.kind[i] as EventKind) {
        case EventKind.Malloc:
        case EventKind.Calloc:
          if (b.id[i]! >= 0) push(b.address[i]!);
          break;
        case EventKind.Realloc:
          if (b.newId[i]! >= 0) push(b.address[i]!);
          break;
        case EventKind.Free:
          push(NaN);
          break;
        case EventKind.ArenaMap: {
          const a = { address: b.address[i]!, ordinal: misalign.length };
          misalign.push(a.address % POOL_SIZE);
          for (const s of new Set(slotsOf(a.address))) bySlot.set(s, [...(bySlot.get(s) ?? []), a]);
          if (pending >= 0) maps[pending]!++;
          break;
        }
        case EventKind.ArenaUnmap: {
          const address = b.address[i]!;
          for (const s of new Set(slotsOf(address))) bySlot.set(s, (bySlot.get(s) ?? []).filter((a) => a.address !== address));
          if (pending >= 0) unmaps[pending]!++;
          break;
        }
      }
    }
  };
  const summary = await readTrace(tracePath, onBatch);
  settle();
  if (summary.header.version === 1) return null;
  return {
    records: n,
    arena: arena.slice(0, n),
    offset: offset.slice(0, n),
    maps: maps.slice(0, n),
    unmaps: unmaps.slice(0, n),
    misalign: Uint32Array.from(misalign),
  };
}

function grow<T extends Uint32Array | Uint16Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

/** The file form of `p` (layout in the module note). */
export function encodePlacement(p: Placement): Uint8Array {
  const bytes = new Uint8Array(PLACEMENT_HEADER_BYTES + p.records * PLACEMENT_RECORD_BYTES + p.misalign.length * 4);
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < 8; i++) dv.setUint8(i, PLACEMENT_MAGIC.charCodeAt(i));
  dv.setUint32(8, PLACEMENT_HEADER_BYTES, true);
  dv.setUint32(12, PLACEMENT_RECORD_BYTES, true);
  dv.setFloat64(16, p.records, true);
  dv.setUint32(24, p.misalign.length, true);
  dv.setUint32(28, POOL_SIZE, true);
  for (let i = 0; i < p.records; i++) {
    const at = PLACEMENT_HEADER_BYTES + i * PLACEMENT_RECORD_BYTES;
    dv.setUint32(at, p.arena[i]!, true);
    dv.setUint32(at + 4, p.offset[i]!, true);
    dv.setUint16(at + 8, p.maps[i]!, true);
    dv.setUint16(at + 10, p.unmaps[i]!, true);
  }
  const tail = PLACEMENT_HEADER_BYTES + p.records * PLACEMENT_RECORD_BYTES;
  for (let k = 0; k < p.misalign.length; k++) dv.setUint32(tail + 4 * k, p.misalign[k]!, true);
  return bytes;
}

/** Whether `path` holds a placement file of this version with `records` records. */
function validPlacementFile(path: string, records: number): boolean {
  const bytes = readFileSync(path);
  if (bytes.length < PLACEMENT_HEADER_BYTES || bytes.toString('latin1', 0, 8) !== PLACEMENT_MAGIC) return false;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const n = dv.getFloat64(16, true);
  return n === records && bytes.length === PLACEMENT_HEADER_BYTES + n * PLACEMENT_RECORD_BYTES + dv.getUint32(24, true) * 4;
}

/**
 * The placement file of a trace whose binary form has `records` records,
 * from the cache or read now (and cached beside the binary form).  Null for
 * a v1 trace.
 */
export async function placementFileFor(tracePath: string, records: number, cacheDir = defaultCacheDir()): Promise<string | null> {
  const path = join(cacheDir, cacheKey(tracePath).replace(/\.pymbt$/, '.pympl'));
  if (existsSync(path) && validPlacementFile(path, records)) return path;
  const p = await readPlacement(tracePath);
  if (p === null) return null;
  if (p.records !== records) throw new BinaryTraceError(`${tracePath}: ${p.records} placement records, but its binary form has ${records}`);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, encodePlacement(p));
  renameSync(tmp, path);
  return path;
}
