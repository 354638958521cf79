/*
 * The arena map's data at one moment, in the compact form both the SVG
 * (renderArenaMap.ts, in Node) and the HTML page (the same renderer, in the
 * browser) draw from: each arena's pools as one string of four characters a
 * pool, so a page stepping through hundreds of moments stays small (an arena
 * unchanged between two moments is the same string, stored once).
 *
 *   pool = C N N R   C: size class in base64 ('A' = class 0 …), or '.' for an
 *                       empty pool, '-' for a never-carved one
 *                    NN: blocks in use, two base64 digits (high first)
 *                    R: resident pages '0'..'9' (capped at 9), '?' unknown
 *
 * Invariants: pools.length === 4 * (pools of the arena); a pool's NN is 0 when
 * it is empty or uncarved and at most its capacity otherwise; `full` follows
 * from NN === capacity (poolSize - poolOverhead) / blockSize.
 */
import type { ArenasView } from './arenaView.js';

/** The base64 digits of the encoding. */
export const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** One arena, encoded. */
export interface ArenaFrame {
  ordinal: number;
  /** Its address, in hex (0x…). */
  address: string;
  /** Four characters a pool (see the module comment). */
  pools: string;
}

/** The arena map of one moment. */
export interface MapFrame {
  profile: string;
  arenaSize: number;
  poolSize: number;
  poolOverhead: number;
  /** The size-class step: block size = (class + 1) × alignment. */
  alignment: number;
  pageSize: number;
  arenas: ArenaFrame[];
}

/** Encodes a view of the arenas (arenaView.ts) as a frame. */
export function encodeFrame(view: ArenasView, poolOverhead: number, alignment: number): MapFrame {
  const arenas = view.arenas.map((a): ArenaFrame => {
    let s = '';
    for (const p of a.pools) {
      const c = p.state === 'uncarved' ? '-' : p.state === 'empty' ? '.' : DIGITS[p.blockSize / alignment - 1]!;
      const r = p.resident < 0 ? '?' : String(Math.min(9, p.resident));
      s += c + DIGITS[(p.count >> 6) & 63]! + DIGITS[p.count & 63]! + r;
    }
    return { ordinal: a.ordinal, address: `0x${a.address.toString(16)}`, pools: s };
  });
  return { profile: view.profile, arenaSize: view.arenaSize, poolSize: view.poolSize, poolOverhead, alignment, pageSize: view.pageSize, arenas };
}
