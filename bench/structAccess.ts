/*
 * How a declared struct's accessor should be built (lib/struct.ts), measured:
 * reading and writing one f64 field of 100,000 live 32-byte pymalloc blocks
 * in random order, through
 *
 *   direct     a hand-written `loadF64(p + 16)` (the baseline)
 *   closure    `field.get(p)`, a closure over a constant offset (what
 *              struct.ts builds)
 *   generated  a function compiled with `new Function` with the offset as a
 *              literal
 *
 * Run: npm run build && node dist/bench/structAccess.js
 */
import { loadF64, storeF64 } from '../lib/allocator/access.js';
import { Heap } from '../lib/allocator/heap.js';
import { declareStruct } from '../lib/struct.js';
import { markdownTable, fmtNs, fmtRatio } from './table.js';
import { compare, nowNs, type Trial } from './timing.js';

const N = 100_000;
const PASSES = 20;

const S = declareStruct({
  name: 'Sample',
  fields: [
    { name: 'a', type: 'i64', meaning: 'a' },
    { name: 'b', type: 'ptr', meaning: 'b' },
    { name: 'v', type: 'f64', meaning: 'the field read' },
  ],
});
const closure = S.field('v');
const generated = new Function('loadF64', 'storeF64', `return { get: (p) => loadF64(p + ${S.offsets.v}), set: (p, v) => storeF64(p + ${S.offsets.v}, v) };`)(
  loadF64,
  storeF64,
) as { get(p: number): number; set(p: number, v: number): void };

using heap = new Heap({ profile: 'cpython311' });
const ptrs = new Float64Array(N);
for (let i = 0; i < N; i++) ptrs[i] = heap.malloc(S.size);
for (let i = N - 1; i > 0; i--) {
  const j = Math.floor(Math.random() * (i + 1));
  const t = ptrs[i]!;
  ptrs[i] = ptrs[j]!;
  ptrs[j] = t;
}
let sink = 0;

function trial(name: string, body: () => number): Trial {
  return {
    name,
    run() {
      const t0 = nowNs();
      for (let k = 0; k < PASSES; k++) sink += body();
      return (nowNs() - t0) / (N * PASSES);
    },
  };
}

const direct = trial('direct loadF64(p + 16)', () => {
  let s = 0;
  for (let i = 0; i < N; i++) {
    const p = ptrs[i]!;
    storeF64(p + 16, i);
    s += loadF64(p + 16);
  }
  return s;
});
const viaClosure = trial('closure field.get(p)', () => {
  let s = 0;
  for (let i = 0; i < N; i++) {
    const p = ptrs[i]!;
    closure.set(p, i);
    s += closure.get(p);
  }
  return s;
});
const viaGenerated = trial('generated (new Function)', () => {
  let s = 0;
  for (let i = 0; i < N; i++) {
    const p = ptrs[i]!;
    generated.set(p, i);
    s += generated.get(p);
  }
  return s;
});

const results = compare(direct, [viaClosure, viaGenerated], { rounds: 15, warmup: 3 });
console.log(markdownTable(['accessor', 'ns per store+load', 'ratio to direct'], results.map((r) => [r.name, fmtNs(r.median), fmtRatio(r.ratio)])));
if (sink === 0.5) console.log(sink);
