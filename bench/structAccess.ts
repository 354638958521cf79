/*
 * How a declared struct's accessor should be built (lib/struct.ts), measured:
 * reading and writing one f64 field of 1,000 live 32-byte pymalloc blocks
 * (cache-resident, so the call is what is timed) in random order, through
 *
 *   direct     a hand-written `loadF64(p + 16)` (the baseline)
 *   closure    `field.get(p)`, a closure over the offset and the load,
 *              made by one factory for fields of every width
 *   generated  `field.get(p)` compiled per field with `new Function`, the
 *              offset a literal (what struct.ts builds)
 *
 * Run: npm run build && node dist/bench/structAccess.js
 */
import * as access from '../lib/allocator/access.js';
import { loadF64, loadI64, loadU32, loadU8, storeF64, storeI64, storeU32, storeU8 } from '../lib/allocator/access.js';
import { Heap } from '../lib/allocator/heap.js';
import { declareStruct, type Field } from '../lib/struct.js';
import { markdownTable, fmtNs, fmtRatio } from './table.js';
import { compare, nowNs, type Trial } from './timing.js';

const N = 1_000;
const PASSES = 2_000;

const S = declareStruct({
  access,
  name: 'Sample',
  fields: [
    { name: 'a', type: 'i64', meaning: 'a' },
    { name: 'b', type: 'ptr', meaning: 'b' },
    { name: 'v', type: 'f64', meaning: 'the field read' },
  ],
});

using heap = new Heap({ profile: 'cpython311' });
const ptrsWarm = heap.malloc(64);
/**
 * One closure per field, all made by one factory: the accessors of a real
 * program share the factory's closure literal (and with it V8's feedback), so
 * the factory is first used for fields of every width, as the object layer
 * does, before the one measured.
 */
function closureField(load: (a: number) => number, store: (a: number, v: number) => void, offset: number): Field {
  return { offset, get: (p: number) => load(p + offset), set: (p: number, v: number) => store(p + offset, v) };
}
for (const [load, store] of [[loadU8, storeU8], [loadU32, storeU32], [loadI64, storeI64], [loadF64, storeF64]] as const) {
  for (let off = 0; off < 64; off += 8) {
    const f = closureField(load, store, off);
    for (let i = 0; i < 2000; i++) f.set(ptrsWarm, f.get(ptrsWarm));
  }
}
const closure = closureField(loadF64, storeF64, S.offsets.v);
/** What struct.ts builds: each accessor compiled on its own, the offset a literal. */
const generated = S.field('v');
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
const viaClosure = trial('closure field.get(p), shared factory', () => {
  let s = 0;
  for (let i = 0; i < N; i++) {
    const p = ptrs[i]!;
    closure.set(p, i);
    s += closure.get(p);
  }
  return s;
});
const viaGenerated = trial('generated field.get(p) (struct.ts)', () => {
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
