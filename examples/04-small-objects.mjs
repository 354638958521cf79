// Small objects (up to 512 bytes) live in pymalloc's pools: each pool holds
// blocks of one size class, and a request is rounded up to its class:
//
//   class = (size + ALIGNMENT - 1) / ALIGNMENT - 1,  block = (class + 1) * ALIGNMENT
//
// ALIGNMENT is 16 in 64-bit CPython 3.11 (profile cpython311) and 8 in the
// classic design (profile classic), so the same object takes different blocks.
import { Python } from 'pymem';

for (const profile of ['cpython311', 'classic']) {
  const py = new Python({ profile });
  try {
    const alignment = py.interp.rt.heap.profile.alignment;
    console.log(`profile ${profile} (ALIGNMENT ${alignment}):`);
    for (const [what, h] of [['1.5', py.float(1.5)], ["'Hello'", py.str('Hello')], ['(1, 2)', py.tuple([1, 2])], ['1000', py.int(1000)]]) {
      const size = h.sizeof;
      const b = h.block();
      const cls = Math.floor((size + alignment - 1) / alignment) - 1;
      console.log(`  ${what.padEnd(7)} sys.getsizeof ${String(size).padStart(3)}  -> class ${cls} = (${size} + ${alignment - 1}) / ${alignment} - 1, a ${b.blockSize}-byte block (class ${b.sizeClass})`);
      h.release();
    }
  } finally {
    py.dispose();
  }
}
