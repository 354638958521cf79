/*
 * The allocator's diagnostics channels, beside the collector's 'pymem:gc'
 * (lib/gc/diagnostics.ts):
 *
 *   'pymem:arena'  an arena mapped or unmapped (new_arena, the arena-freeing
 *                  part of insert_to_freepool, and a heap's dispose)
 *   'pymem:pool'   a pool changes state: 'init' (taken from freepools or
 *                  carved, for a size class), 'full' (its last free block
 *                  handed out), 'used' (a full pool gets a block back),
 *                  'empty' (its last block freed: it goes on freepools), and,
 *                  under a release policy, 'release' (its pages given back)
 *
 *   import diagnostics_channel from 'node:diagnostics_channel';
 *   diagnostics_channel.subscribe('pymem:pool', (msg) => console.log(msg));
 *
 * Cost: nothing on malloc's and free's fast paths. Every publication is on
 * a slow path of pymalloc (a pool or arena changing state), and each checks
 * `hasSubscribers` before it builds a message, so with no subscriber the
 * price is one property read per state change.
 */
import diagnosticsChannel from 'node:diagnostics_channel';

/** The arena channel's name. */
export const ARENA_CHANNEL_NAME = 'pymem:arena';
/** The pool channel's name. */
export const POOL_CHANNEL_NAME = 'pymem:pool';

/** What 'pymem:arena' publishes. */
export interface ArenaChannelMessage {
  /** 'map' after an arena is mapped, 'unmap' before it is returned to the OS. */
  readonly event: 'map' | 'unmap';
  /** Position of its arena object in the arenas vector. */
  readonly arenaIndex: number;
  /** Its base address (real, invented by a fake, or as recorded in a replayed trace). */
  readonly address: number;
  /** Bytes (ARENA_SIZE). */
  readonly size: number;
  /** Arenas mapped after the event (narenas_currently_allocated). */
  readonly arenasMapped: number;
  /** The pymalloc allocator (identifies the heap). */
  readonly source: object;
}

/** Pool state changes on 'pymem:pool'. */
export type PoolEvent = 'init' | 'full' | 'used' | 'empty' | 'release';

/** What 'pymem:pool' publishes. */
export interface PoolChannelMessage {
  readonly event: PoolEvent;
  /** The pool's pointer (the small pointer of its header). */
  readonly pool: number;
  /** Its arena's position in the arenas vector. */
  readonly arenaIndex: number;
  /** Size class index (szidx) the pool serves; -1 for a released pool. */
  readonly sizeClass: number;
  /** Blocks in use after the event. */
  readonly count: number;
  /** The pymalloc allocator (identifies the heap). */
  readonly source: object;
}

/** The 'pymem:arena' channel. */
export const arenaChannel = diagnosticsChannel.channel(ARENA_CHANNEL_NAME);
/** The 'pymem:pool' channel. */
export const poolChannel = diagnosticsChannel.channel(POOL_CHANNEL_NAME);
