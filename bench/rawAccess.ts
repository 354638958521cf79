/*
 * What reading and writing raw blocks (the glibc path) costs, by the three
 * ways there are: `node dist/bench/rawAccess.js` (numbers in bench/RESULTS.md,
 * "Raw blocks").
 *
 *   window        access.ts: loadF64/storeF64 at p + off of live raw blocks,
 *                 resolved through the registry (last block cached) to one of
 *                 the few raw windows (what pymem does)
 *   small         the same on pymalloc blocks (the region's views), for scale
 *   native call   one Node-API call per access (blockSize, the cheapest call
 *                 taking an address): the floor of "through the addon"
 *   buffer/block  what the old way paid once per block: an external
 *                 ArrayBuffer over the block plus three views, and the bytes
 *                 V8 keeps per block while they live
 *
 * Accesses walk 1,000 blocks round robin, so every access to a raw block
 * resolves a new block (the registry's cache misses each time).
 */
import { Heap } from '../lib/index.js';
import { loadF64, storeF64 } from '../lib/allocator/access.js';
import { getNative } from '../lib/native.js';
import { RAW_BASE } from '../lib/allocator/pointer.js';
import { median } from './timing.js';

const native = getNative();
const BLOCKS = 1000;
const ROUNDS = 9;
const PASSES = 200;

function time(f: () => void, ops: number): number {
  const xs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    f();
    xs.push(Number(process.hrtime.bigint() - t0) / ops);
  }
  return median(xs);
}

function accessLoop(ps: number[]): number {
  let s = 0;
  for (let k = 0; k < PASSES; k++) {
    for (let i = 0; i < ps.length; i++) {
      const p = ps[i]!;
      storeF64(p + 16, i);
      s += loadF64(p + 16);
    }
  }
  return s;
}

function nativeLoop(addresses: number[]): number {
  let s = 0;
  for (let k = 0; k < PASSES; k++) for (let i = 0; i < addresses.length; i++) s += native.blockSize(addresses[i]!);
  return s;
}

const heap = new Heap({ profile: 'cpython311' });
const raw = Array.from({ length: BLOCKS }, () => heap.malloc(2048));
const small = Array.from({ length: BLOCKS }, () => heap.malloc(64));
const ops = 2 * PASSES * BLOCKS;
const windowNs = time(() => void accessLoop(raw), ops);
const smallNs = time(() => void accessLoop(small), ops);
const nativeNs = time(() => void nativeLoop(raw.map((p) => p - RAW_BASE)), PASSES * BLOCKS);

// The old way: a buffer and three views per block.
const blocks = Array.from({ length: 10_000 }, () => native.malloc(2048));
globalThis.gc?.();
const before = process.memoryUsage();
const t0 = process.hrtime.bigint();
const held = blocks.map((a) => {
  const b = native.blockBuffer(a);
  return [new Uint8Array(b), new Uint32Array(b), new Float64Array(b)];
});
const bufferNs = Number(process.hrtime.bigint() - t0) / blocks.length;
globalThis.gc?.();
const after = process.memoryUsage();
const perBlock = (after.heapUsed - before.heapUsed + after.external - before.external - 2048 * blocks.length) / blocks.length;
const rssPerBlock = (after.rss - before.rss) / blocks.length;
void held.length;
for (const a of blocks) native.free(a);
heap.dispose();

process.stdout.write(
  [
    '| way | ns |',
    '|:--|--:|',
    `| window: loadF64/storeF64 on raw blocks (access.ts), per access | ${windowNs.toFixed(1)} |`,
    `| the same on pymalloc blocks (region views), per access | ${smallNs.toFixed(1)} |`,
    `| one native call per access (blockSize), per call | ${nativeNs.toFixed(1)} |`,
    `| buffer per block: blockBuffer + 3 views, once per block | ${bufferNs.toFixed(0)} |`,
    '',
    `Buffer per block: V8 heap + external bytes beyond the blocks themselves ${perBlock.toFixed(0)} B per block, RSS ${rssPerBlock.toFixed(0)} B per block (10,000 blocks of 2,048 B).`,
    '',
  ].join('\n'),
);
