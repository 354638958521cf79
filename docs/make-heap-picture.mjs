// Makes docs/heap.svg, the picture at the top of the README, from a real
// heap: a Heap (profile cpython311, plain JavaScript memory so the picture
// is the same on every machine) takes 3,000 small requests of a dozen sizes,
// frees a whole pool's worth of 512-byte blocks and nine 24-byte blocks in a
// scrambled order (which threads a free list through them), then serves one
// malloc(24); the picture shows the arena, its pools and that block's pool.
//
//   npm run build && node docs/make-heap-picture.mjs [OUT.svg]   (default docs/heap.svg)
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Heap, heapPicture } from 'pymem';

const out = process.argv[2] ?? fileURLToPath(new URL('heap.svg', import.meta.url));
const heap = new Heap({ profile: 'cpython311', memory: 'fake' });
try {
  const sizes = [24, 24, 24, 64, 100, 24, 200, 512, 48, 24, 300, 16];
  const live = [];
  for (let i = 0; i < 3000; i++) live.push(heap.malloc(sizes[i % sizes.length]));
  const of = (size) => live.filter((q) => heap.usableSize(q) === size);
  const big = of(512);
  const pool = of(32).slice(510, 1020);
  // Every block of the first pool of 512-byte blocks: that pool becomes empty (back on freepools).
  for (const p of big.slice(0, 31)) heap.free(p);
  // Nine 24-byte blocks of the second pool of 32-byte blocks, in a scrambled order: the free
  // list threads through them, the last freed first (LIFO).
  for (let k = 0; k < 9; k++) heap.free(pool.splice((k * 7919) % pool.length, 1)[0]);
  const p = heap.malloc(24);
  writeFileSync(out, heapPicture(heap, p, 24));
  console.log(`wrote ${out}`);
} finally {
  heap.dispose();
}
