// Reference counts. Every name, list slot or argument that refers to an object
// is one reference; sys.getrefcount(x) counts them, its own argument included.
//
//   a = [1, 2, 3]
//   b = a
//   print(sys.getrefcount(a))   # 3: a, b, and the argument
//   del a
//   print(sys.getrefcount(b))   # 2
//
// A handle is one reference, like a name: dup() is `b = a`, release() is `del a`.
import { Python } from 'pymem';

const py = new Python();
try {
  const a = py.list([1, 2, 3]);
  const b = a.dup();
  console.log('sys.getrefcount(a) =', a.getrefcount());
  a.release();
  console.log('sys.getrefcount(b) =', b.getrefcount());
  const c = py.list([b, b]); // a list holding b twice: two more references
  console.log('after c = [b, b]:   ', b.getrefcount());
  c.release();
  console.log('after del c:        ', b.getrefcount());
  b.release();
} finally {
  py.dispose();
}
