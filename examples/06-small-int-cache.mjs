// The small-int cache: CPython creates the ints -5 to 256 once, at start-up,
// and every 100 in the program is that one object. Other ints are made as
// needed, so two 1000s are two objects that are equal but not identical.
//
//   a = 100; b = 100; print(a is b)            # True
//   x = int("1000"); y = int("1000")
//   print(x is y, x == y)                      # False True
import { Python } from 'pymem';

const bool = (b) => (b ? 'True' : 'False');
const py = new Python();
try {
  const a = py.int(100);
  const b = py.int(100);
  console.log(bool(py.is(a, b)));
  const x = py.int(1000);
  const y = py.int(1000);
  console.log(bool(py.is(x, y)), bool(x.toJS() === y.toJS()));
  for (const n of [-6, -5, 256, 257]) {
    const p = py.int(n);
    const q = py.int(n);
    console.log(`${String(n).padStart(4)}: ${py.is(p, q) ? 'cached (one static object, no block)' : `two objects, each a ${p.block().blockSize}-byte block`}`);
    p.release();
    q.release();
  }
  for (const h of [a, b, x, y]) h.release();
} finally {
  py.dispose();
}
