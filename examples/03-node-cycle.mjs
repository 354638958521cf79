// A reference cycle: two nodes pointing at each other keep their counts
// above zero after `del`, so only the cyclic garbage collector frees them.
//
//   class Node:
//       def __init__(self): self.next = None
//   gc.collect()
//   node1 = Node(); node2 = Node()
//   node1.next = node2; node2.next = node1
//   print(sys.getrefcount(node1), sys.getrefcount(node2))   # 3 3
//   del node1; del node2
//   print(gc.collect())                                      # 2
//   print(gc.get_threshold())                                # (700, 10, 10)
import { Python } from 'pymem';

const py = new Python();
try {
  py.gc.collect();
  const Node = py.defineClass({ name: 'Node' });
  const node1 = py.instance(Node, { next: null });
  const node2 = py.instance(Node, { next: null });
  py.setattr(node1, 'next', node2);
  py.setattr(node2, 'next', node1);
  console.log(node1.getrefcount(), node2.getrefcount());
  node1.release(); // del node1: each node is still referenced by the other's .next,
  node2.release(); // so neither count reaches zero and nothing is freed here
  console.log(py.gc.collect()); // the collector finds the two unreachable nodes
  console.log(`(${py.gc.getThreshold().join(', ')})`);
} finally {
  py.dispose();
}
