// Allocator hooks (PyMem_SetAllocator): wrap a domain's allocator to watch
// every request, as tracemalloc does. OBJ serves objects, MEM their buffers
// (a list's item array, a dict's table); both are pymalloc underneath.
import { Domain, Python } from 'pymem';

const py = new Python();
try {
  const counts = new Map();
  for (const domain of [Domain.OBJ, Domain.MEM]) {
    const below = py.getAllocator(domain);
    const note = (what, n) => {
      const key = `${Domain[domain]} ${what}(${n})`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    };
    py.setAllocator(domain, {
      malloc: (n) => (note('malloc', n), below.malloc(n)),
      calloc: (n, e) => (note('calloc', n * e), below.calloc(n, e)),
      realloc: (p, n) => (note('realloc', n), below.realloc(p, n)),
      free: (p) => below.free(p),
    });
  }
  // {'name': 'pymem', 'sizes': [1.5, 2.5]}: the dict (64 with its GC header) and its keys table (120),
  // the strs 'name' (53), 'pymem' and 'sizes' (54), two floats (24), the list (56) and its item array (MEM, 16).
  const d = py.dict({ name: 'pymem', sizes: [1.5, 2.5] });
  for (const [key, n] of [...counts].sort()) console.log(`${key.padEnd(20)} x${n}`);
  d.release();
} finally {
  py.dispose();
}
