/*
 * The counters of CPython 3.11's arena map: the radix tree obmalloc.c keeps
 * (WITH_PYMALLOC_RADIX_TREE, 64-bit, IGNORE_BITS 0) to answer
 * address_in_range(). pymem answers that with compact pointers (pointer.ts),
 * so only the tree's shape is modelled here: which mid and bottom nodes
 * arena_map_mark_used() would have created for the arena addresses seen, and
 * what they cost, for the "arena map counts" section of the stats.
 *
 * Invariants: nodes are created on marking and never freed (as in CPython);
 * an arena not aligned to ARENA_SIZE marks two ideal arena addresses (its own
 * and the next one), possibly in different nodes.
 */

/** Radix-tree node counts and sizes, as _PyObject_DebugMallocStats prints them. */
export interface ArenaMapCounts {
  midNodes: number;
  botNodes: number;
  rootBytes: number;
  midBytes: number;
  botBytes: number;
}

/** The shape of obmalloc.c's arena map for one arena size. */
export class ArenaMap {
  private readonly arenaBits: number;
  private readonly interiorBits: number;
  private readonly botBits: number;
  private readonly mids = new Set<number>();
  private readonly bots = new Set<string>();

  constructor(private readonly arenaSize: number) {
    this.arenaBits = Math.log2(arenaSize);
    // POINTER_BITS 64, IGNORE_BITS 0: INTERIOR_BITS = (ADDRESS_BITS - ARENA_BITS + 2) / 3.
    this.interiorBits = Math.floor((64 - this.arenaBits + 2) / 3);
    this.botBits = 64 - this.arenaBits - 2 * this.interiorBits;
  }

  /** arena_map_get(p, create=1) for every node an arena at `address` needs (arena_map_mark_used). */
  markUsed(address: number): void {
    this.touch(address);
    if (address % this.arenaSize !== 0) this.touch(address + this.arenaSize);
  }

  private touch(p: number): void {
    const ideal = Math.floor(p / 2 ** (this.arenaBits + this.botBits));
    const top = Math.floor(ideal / 2 ** this.interiorBits);
    this.mids.add(top);
    this.bots.add(`${top}:${ideal % 2 ** this.interiorBits}`);
  }

  /** The counters and byte costs of the nodes created so far. */
  counts(): ArenaMapCounts {
    const ptrBytes = 8;
    return {
      midNodes: this.mids.size,
      botNodes: this.bots.size,
      rootBytes: ptrBytes * 2 ** this.interiorBits,
      midBytes: this.mids.size * ptrBytes * 2 ** this.interiorBits,
      botBytes: this.bots.size * ptrBytes * 2 ** this.botBits,
    };
  }
}
